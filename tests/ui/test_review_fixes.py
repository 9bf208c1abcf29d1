"""Pilot tests for problems found using the playground: palette commands for absent layers, the divergence
loop, unsafe or unclear file names, cut-off legends and footers, dense points hiding the map, -0 losses."""

from __future__ import annotations

import pytest

from annplay import boundary as bd
from annplay.app import PlaygroundApp
from annplay.engine.network import MLP
from annplay.screens.dialogs import FileNameDialog
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.controls import Choice
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.stats import fmt_loss
from annplay.widgets.weights import WeightEditor

from .conftest import SIZES, ready, record_notifications, screen_text, wait_until

sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def text_of(app) -> str:
    return "\n".join(screen_text(app))


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


async def _diverge(pilot, screen, *, step: bool) -> None:
    screen.query_one("#choice-dataset", Choice).select("plane", notify=True)
    screen.query_one("#choice-lr", Choice).select(10.0, notify=True)
    await pilot.pause()
    if step:
        await pilot.press("n")
    else:
        await pilot.press("space")
    await wait_until(pilot, lambda: screen.session.trainer.state == "diverged" and not screen.running
                     and screen.query_one("#stats").state == "diverged", "divergence")


@sizes
@pytest.mark.parametrize("step", [False, True], ids=["play", "step"])
async def test_a_smaller_rate_after_divergence_trains_again(size, step):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        await _diverge(pilot, screen, step=step)
        assert any(n.title == "Training diverged" for n in notes)
        await pilot.press("space")                        # the same rate: refused, with the way out
        assert not screen.running and any("r: new random weights" in n.message for n in notes)
        screen.query_one("#choice-lr", Choice).select(0.01, notify=True)
        await pilot.pause()
        if step:
            await pilot.press("n", "n")
            assert screen.session.trainer.state != "diverged" and screen.epoch == 2
        else:
            await pilot.press("space")
            assert screen.running
            await wait_until(pilot, lambda: screen.epoch > 20, "training again")
            await pilot.press("space")
            assert screen.session.trainer.state != "diverged"
        assert screen.session.trainer.lr == 0.01 and "diverged" not in text_of(app)


def test_rounding_noise_in_a_loss_shows_as_zero():
    assert fmt_loss(-1.5e-14) == fmt_loss(0.0) == "0.0000"
    assert fmt_loss(2.5e-5) == "2.5e-05" and fmt_loss(-0.5) == "-0.5000"


@sizes
async def test_p_hides_and_shows_the_points(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        heatmap = screen.query_one(HeatMap)
        assert bd.TRAIN_GLYPH in text_of(app)
        await pilot.press("p")
        assert not screen.session.setup.show_points and len(heatmap.points) == 0
        assert bd.TRAIN_GLYPH not in text_of(app)
        assert screen.query_one("#choice-show_points", Choice).value is False
        await pilot.press("p")
        assert screen.session.setup.show_points and bd.TRAIN_GLYPH in text_of(app)
        # a tap draws a point, and shows the points again
        await pilot.press("p")
        w, h = heatmap.picture_size()
        left, top = heatmap.origin()
        await pilot.click(HeatMap, offset=(left + w // 2, top + h // 2))
        assert screen.session.setup.show_points and bd.TRAIN_GLYPH in text_of(app)


@sizes
async def test_legend_names_every_class(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.query_one("#choice-dataset", Choice).select("iris", notify=True)
        await pilot.pause()
        await pilot.pause()
        text = text_of(app)
        for name in ("setosa", "versicolor", "virginica"):
            assert name in text
        assert "…" not in str(screen.query_one("#stats-legend").render())


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
async def test_file_names_that_cannot_or_must_not_be_written(size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "data.csv").write_text("a,b,label\n1,2,0\n")
    (tmp_path / "folder").mkdir()
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("w")
        editor = screen.query_one(WeightEditor)

        async def give(key: str, name: str) -> str:
            app.clear_notifications()
            await pilot.press(key)
            assert isinstance(app.screen, FileNameDialog)
            app.screen.query_one("#dialog-input").value = name
            await pilot.press("enter")
            assert app.screen is screen
            return str(editor.query_one("#editor-message").render())

        for key in ("s", "e"):                            # somebody's data is never replaced
            message = await give(key, "data.csv")
            assert "not an annplay model" in message and "nothing written" in message
            assert (tmp_path / "data.csv").read_text() == "a,b,label\n1,2,0\n"
        for name in ("folder", "folder/", "."):
            message = await give("s", name)
            assert "is a folder" in message and ".tmp" not in message
        message = await give("e", "missing/x.json")
        assert "no folder missing" in message and ".tmp" not in message
        message = await give("e", "  ")
        assert "No file name" in message and editor.query_one("#editor-message").has_class("-error")
        message = await give("s", "~/mine.npz")              # ~ is the home folder, as in a shell
        assert MLP.load(tmp_path / "home" / "mine.npz").layers == screen.session.net.layers
        message = await give("s", "~/mine.npz")              # an annplay model may be replaced
        assert "saved" in message
        message = await give("o", "~/mine.npz")
        assert "loaded" in message
        assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


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
