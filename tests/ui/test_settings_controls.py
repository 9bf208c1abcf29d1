"""The control panel and the palette are generated from the settings table: every control setting appears in
both, shown only where the table says it applies, and a change goes through the session (live or rebuild)."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp
from annplay.engine.settings import SETTINGS
from annplay.engine.setup import Setup
from annplay.widgets.control_panel import ControlPanel, palette_entries
from annplay.widgets.controls import Choice

from .conftest import ready

# Set-ups under which every control setting applies at least once.
VARIANTS = [Setup(), Setup(optimizer="momentum", regularization="l2"), Setup(optimizer="adam"),
            Setup(dataset="xor", trainer="ga"), Setup(dataset="iris")]


async def test_every_control_setting_is_in_the_panel_and_the_palette():
    shown: set[str] = set()
    for setup in VARIANTS:
        app = PlaygroundApp(setup)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(pilot)
            session, panel = screen.session, screen.query_one(ControlPanel)
            covers = panel.covers()
            titles = {c.title for c in app.get_system_commands(screen)}
            entries = palette_entries(session)
            for entry in SETTINGS.values():
                if not entry.control:
                    assert entry.name not in covers
                    continue
                assert entry.name in covers, entry.name            # a control exists whatever the set-up
                applies = session.applies(entry.name)
                widget = covers[entry.name]
                assert widget.display == applies or entry.name == "dataset", entry.name
                mine = [e for e in entries if e.setting == entry.name]
                assert bool(mine) == applies or entry.kind == "per_layer" and not session.setup.hidden, entry.name
                for item in mine:
                    assert item.title in titles
                if applies:
                    shown.add(entry.name)
    assert shown == {s.name for s in SETTINGS.values() if s.control}


async def test_hidden_and_offered_follow_the_table():
    app = PlaygroundApp(Setup(dataset="iris"))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        panel = screen.query_one(ControlPanel)
        assert not panel.query_one("#choice-noise").display              # real data: no noise
        assert not panel.query_one("#choice-momentum").display           # sgd: no momentum β
        assert "step" not in panel.query_one("#choice-activation", Choice).values
        screen.changes.change_settings({"optimizer": "momentum"})
        await pilot.pause()
        assert panel.query_one("#choice-momentum").display and not panel.query_one("#choice-beta1").display
        screen.changes.choose_data("drawn")
        await pilot.pause()
        assert not panel.query_one("#choice-train_ratio").display       # a drawing has no split


@pytest.mark.parametrize("name, value, kind", [("lr", 0.1, "live"), ("momentum", 0.5, "live"),
                                               ("hidden", (3, 3), "network"), ("dtype", "float32", "network")])
async def test_a_panel_change_goes_through_the_session(name, value, kind):
    app = PlaygroundApp(Setup(optimizer="momentum"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("n")
        trainer, net = screen.session.trainer, screen.session.net
        screen.query_one(ControlPanel).post_message(ControlPanel.Changed({name: value}))
        await pilot.pause()
        assert screen.session.setup[name] == value
        if kind == "live":
            assert screen.session.trainer is trainer and screen.epoch == 1
        else:
            assert screen.session.net is not net and screen.epoch == 0


async def test_the_help_lists_every_control_setting():
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        from rich.console import Console

        from annplay.screens.help_view import settings_table

        with open("/dev/null", "w") as sink:
            console = Console(width=100, record=True, file=sink)
            console.print(settings_table())
            text = console.export_text()
        for entry in SETTINGS.values():
            if entry.control:
                assert entry.label in text and entry.flag in text, entry.name
        # a goal stops the run: 'the display' read as if it only changed what is shown (a probe)
        assert "the display" not in text and "at once, nothing reset" in text


def test_every_control_label_leaves_its_arrow_in_the_common_column() -> None:
    """'Goal acc. %' (11 characters) pushed its ◀ one column right of every other control's (a QA probe)."""
    from annplay.engine.settings import SETTINGS
    from annplay.widgets.controls import Choice

    widths = {Choice(s.name, s.label, ["a"]).label_width for s in SETTINGS.values() if s.label}
    assert widths == {Choice("seed", "Seed", ["a"]).label_width}
