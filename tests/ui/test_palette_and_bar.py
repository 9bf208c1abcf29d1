"""The command palette offers only what exists; the key bar keeps help and quit; the controls say what the data set
is."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.controls import Choice

from .conftest import SIZES, ready, screen_text

sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


@sizes
async def test_palette_offers_only_the_layers_the_network_has(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)                       # two hidden layers
        titles = {c.title for c in app.get_system_commands(screen)}
        assert "Layer 1 activation: relu" in titles and "Layer 2 activation: relu" in titles
        assert not any(t.startswith("Layer 3 activation") for t in titles)
        assert not any(t.startswith(("layer_act", "Editor layer", "Nudge step")) for t in titles)
        # the command the palette used to offer for an absent layer: no crash, nothing changes
        experiment = screen.session.setup
        panel = screen.query_one(ControlPanel)
        for key in (("neurons", 5), ("act", 4)):             # the controls of absent layers: nothing changes
            absent = Choice("absent", "", [3, "relu"], key=key)
            panel.post_message(Choice.Changed(absent, absent.values[0 if key[0] == "neurons" else 1]))
        await pilot.pause()
        assert screen.session.setup == experiment and screen.session.net.layers == [2, 4, 2, 1]
        command = next(c for c in app.get_system_commands(screen) if c.title == "Layer 2 activation: relu")
        command.callback()
        await pilot.pause()
        assert [a.name for a in screen.session.net.activations] == ["tanh", "relu", "logistic"]
        await pilot.press("w")                            # the editor's own choices only while it is open
        titles = {c.title for c in app.get_system_commands(screen)}
        assert "Nudge step: 1" in titles
        assert "Dataset: circle" in titles and "Layer 1 activation: relu" in titles   # settings from any panel


@pytest.mark.parametrize("size", [(40, 20), (80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_footer_shows_help_and_quit_fits(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        footer = screen_text(app)[-1]
        assert "? Help" in footer and "␣ Play" in footer
        if size[0] >= 110:
            assert "q Quit" in footer and "Commands" in footer
        help_button = screen.query_one("#btn-help")
        assert help_button.display == (size[0] < 100)     # no room beside the others when side by side
        assert help_button.region.right <= screen.query_one("#controls").region.right


@sizes
async def test_the_controls_say_what_the_data_set_is(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        problem = screen.query_one("#problem")
        assert "Disc (r<2.5) inside a ring" in str(problem.render())
        screen.query_one("#choice-dataset", Choice).select("gauss", notify=True)
        await pilot.pause()
        assert "Two Gaussian clusters" in str(problem.render())



async def test_the_palette_finds_a_setting_by_the_words_of_its_help():
    """A probe: 'learning' found nothing, as Textual matches the title ('Learn rate: 0.1') only; the help says
    'learning rate'. Title matches still come first."""
    from textual.command import CommandList
    from textual.widgets import Input

    from annplay.app import SafeCommandPalette

    from .conftest import wait_until

    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, SafeCommandPalette), "the palette")
        app.screen.query_one(Input).value = "learning"   # at once: no earlier search ('learn') to be seen
        commands = app.screen.query_one(CommandList)

        def prompts() -> list[str]:
            return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]

        await wait_until(pilot, lambda: any("Learn rate: 0.1" in p for p in prompts()), "'Learn rate' found")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, SafeCommandPalette), "the palette again")
        app.screen.query_one(Input).value = "data"
        commands = app.screen.query_one(CommandList)
        await wait_until(pilot, lambda: any("Dataset: xor" in p for p in prompts()), "'Dataset' found")
        assert "Dataset" in prompts()[0] or "data" in prompts()[0].lower()      # a title match ranks first
