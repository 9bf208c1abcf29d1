"""Issue 10, readable on a phone and on a projector: a full-width map below 100 columns, the architecture always
shown, a key bar that never cuts a word and says Play or Pause, notifications that never cover the map or the
weights, a lesson's goal marked live, the loss chart at every size."""

from __future__ import annotations

import re

import pytest
from textual.widgets._toast import Toast

from annplay.app import PlaygroundApp
from annplay.core.lessons import parse_lesson
from annplay.screens.help_view import HelpScreen
from annplay.screens.layout import narrow_layout
from annplay.widgets.chart import LossChart
from annplay.widgets.controls import Choice
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.keybar import Key, KeyBar, fit_keys
from annplay.widgets.messageline import MessageLine
from annplay.widgets.weights import WeightEditor

from .conftest import ALL_SIZES, SIZES, ready, screen_text, wait_until

NARROW = [(40, 20), (60, 30), (80, 24)]
ids = lambda s: f"{s[0]}x{s[1]}"     # noqa: E731

EASY_LESSON = """
[lesson]
title = "Three steps"
text = "Press n three times."
goal_text = "3 epochs"
goal = { min_epochs = 3, test_loss_below = 100.0 }

[setup]
dataset = "gauss"
hidden = [2]
"""


def bar_line(app) -> str:
    return screen_text(app)[-1]


@pytest.mark.parametrize("size", NARROW, ids=ids)
async def test_a_narrow_terminal_shows_the_numbers_beside_a_square_map(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        width, height = size
        heat = screen.query_one(HeatMap)
        assert not screen.has_class("-wide") and screen.has_class("-beside")
        assert heat.region.x == 0 and screen.picture[1] >= 10                  # the old layout: 8 stretched rows
        text = "\n".join(screen_text(app))
        assert "↔ x1 −6…6  ↕ x2 −6…6" in text and "pale: less sure" in text
        stats = screen.query_one("#stats").region
        assert stats.x >= heat.region.right and stats.width >= 17 and not stats.overlaps(heat.region)
        assert re.search(r"trn 0\.\d{4}", text) and re.search(r"tst 0\.\d{4}", text) and "epoch 0" in text
        chart = screen.query_one(LossChart).region
        assert chart.height >= 2 and not chart.overlaps(heat.region)          # the loss chart


async def test_the_projector_keeps_the_map_beside_the_controls():
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        heat, controls = screen.query_one(HeatMap).region, screen.query_one("#controls").region
        assert screen.has_class("-wide") and heat.x >= controls.right
        pw, ph = screen.picture
        assert abs(pw - 2 * ph) <= 1                                       # square pixels when side by side
        assert screen.query_one("#stats").big


@pytest.mark.parametrize("size", ALL_SIZES, ids=ids)
async def test_the_architecture_is_always_on_the_main_screen(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        controls = screen.query_one("#controls").region
        rows = [i for i, line in enumerate(screen_text(app)) if "2→4→2→1" in line]
        assert any(not controls.contains(0 if size[0] < 100 else controls.right + 1, row) for row in rows)
        screen.query_one("#choice-layers", Choice).select(1, notify=True)
        await wait_until(pilot, lambda: screen.session.net.layers == [2, 4, 1], "one hidden layer")
        await pilot.pause()
        assert "2→4→1" in "\n".join(screen_text(app))


@pytest.mark.parametrize("size", ALL_SIZES, ids=ids)
async def test_the_key_bar_cuts_no_word_and_says_play_or_pause(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        bar = screen.query_one(KeyBar)
        assert bar.region.width == size[0] and bar.region.bottom == size[1]
        shown = bar.shown()
        line = bar_line(app)
        assert line.rstrip() == " ".join(f"{k.key} {k.label}" for k in shown)   # whole keys only
        labels = [k.label for k in shown]
        assert labels[0] == "Play" and "Step" in labels and "Reset" in labels
        assert "Help" in labels and "Quit" in labels
        if size[0] >= 60:
            assert "Net" in labels and "Weights" in labels
        if size[0] >= 120:
            assert "Commands" in labels
        await pilot.press("space")
        await wait_until(pilot, lambda: bar_line(app).startswith("␣ Pause"), "␣ Pause while training")
        assert screen.running
        await pilot.press("space")
        await wait_until(pilot, lambda: bar_line(app).startswith("␣ Play"), "␣ Play when paused")
        assert not screen.running


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_every_key_on_the_bar_is_a_tap_target(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        bar = screen.query_one(KeyBar)

        def where(label: str) -> int:
            return next(start for start, _end, key in bar.spans if key.label == label)

        await pilot.click(KeyBar, offset=(where("Step") + 1, 0))
        await wait_until(pilot, lambda: screen.epoch == 1, "a tap on n Step trains one epoch")
        await pilot.click(KeyBar, offset=(where("Play"), 0))
        await wait_until(pilot, lambda: screen.running and bar_line(app).startswith("␣ Pause"), "a tap plays")
        await pilot.click(KeyBar, offset=(where("Pause") + 3, 0))
        await wait_until(pilot, lambda: not screen.running, "a tap pauses")
        await pilot.click(KeyBar, offset=(where("Help") + 2, 0))
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "a tap on ? Help")
        text = "\n".join(screen_text(app))
        assert "remembered in" in text or "remembered" in str(app.screen.query_one("#help-colours").render())


def test_keys_that_do_not_fit_are_left_out_whole():
    keys = [Key("␣", "Pause", "play", 0), Key("v", "Net", "toggle_network", 5), Key("q", "Quit", "quit", 1)]
    assert fit_keys(keys, 40) == keys
    assert fit_keys(keys, 14) == [keys[0], keys[2]]                     # "␣ Pause q Quit": 14 cells, in order
    assert fit_keys(keys, 13) == [keys[0], keys[1]]                     # q Quit does not fit; v Net does
    assert fit_keys(keys, 4) == []


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_notifications_never_cover_the_map_or_the_weights(size):
    app = PlaygroundApp()
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = await ready(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: screen.panel == "weights" and screen.query(WeightEditor), "weight editor")
        screen.notify("Something rather long happened to the network while you were looking elsewhere.",
                      title="Note", severity="error", markup=False)
        line = screen.query_one(MessageLine)
        await wait_until(pilot, lambda: line.message != "", "the message line")
        await pilot.pause()
        assert "Something rather long" in line.message and line.has_class("-error")
        heat = screen.query_one(HeatMap).region
        grid = screen.query_one("#weight-table").region
        assert line.region.height >= 1 and not line.region.overlaps(heat) and not line.region.overlaps(grid)
        assert "Something rather long" in "\n".join(screen_text(app))
        for toast in app.screen.query(Toast):                              # Textual's toasts are not drawn here
            assert toast.region.area == 0 or not (toast.region.overlaps(heat) or toast.region.overlaps(grid))
        line.show("short-lived", timeout=0.5)
        await wait_until(pilot, lambda: line.message == "", "the message goes after its timeout")
        assert not line.display or line.region.height == 0


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_a_lessons_goal_is_marked_live(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        lesson = parse_lesson(EASY_LESSON, "easy.toml")
        screen.changes.change_settings({"dataset": "gauss", "hidden": (2,)})
        screen.lessons.lesson = lesson
        goal = screen.query_one("#stats-goal")
        # the goal line is drawn, then laid out a refresh later: wait for its row (asserting earlier was flaky)
        await wait_until(pilot, lambda: "Goal" in str(goal.render()) and goal.region.height >= 1, "the goal line's row")
        assert "✗" in str(goal.render()) or "now" in str(goal.render())
        assert not goal.region.overlaps(screen.query_one(HeatMap).region)
        assert "Goal" in "\n".join(screen_text(app))
        await pilot.press("n", "n", "n")
        await wait_until(pilot, lambda: "✓" in str(goal.render()), "the goal reached")
        assert goal.has_class("-reached") and "✓" in "\n".join(screen_text(app))


@pytest.mark.parametrize("size", [(40, 20), (80, 24), (120, 40)], ids=ids)
async def test_C_shows_the_loss_chart_in_place_of_the_map(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("n", "n")
        chart = screen.query_one(LossChart)
        before = chart.region
        await pilot.press("C")
        await pilot.pause()
        assert not screen.query_one(HeatMap).display or screen.query_one(HeatMap).region.area == 0
        assert chart.region.height >= 8 and chart.region.area >= 2 * before.area     # (beside the map: no stamp)
        assert "epoch 2" in "\n".join(screen_text(app))
        await pilot.press("C")
        await pilot.pause()
        assert screen.query_one(HeatMap).region.width > 0 and screen.picture[0] > 0


def test_narrow_layout_gives_the_map_its_rows_first():
    phone = narrow_layout(20, width=40)
    assert phone.beside and (phone.view, phone.map, phone.side) == (13, 13, 6)   # numbers beside the map
    assert phone.map_width == 22 and 40 - phone.map_width >= 18                  # a square picture, 18 columns left
    tall = narrow_layout(60, width=40)                   # too narrow for a column beside: stacked, map square
    assert not tall.beside and tall.map - 1 == 20 and tall.chart == 4
    assert tall.view + tall.side == 59                   # rows the square map cannot use go to the lower area
    weights = narrow_layout(20, panel="weights", width=40)
    assert weights.side >= 9 and weights.view + weights.side == 19


async def test_an_open_panels_keys_are_on_the_bar_and_tappable():
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: screen.panel == "weights" and screen.query("#weight-table"), "weight editor")
        await pilot.pause()
        bar = screen.query_one(KeyBar)
        assert "+ Nudge up" in bar_line(app)
        before = float(screen.session.net.weights[0][0, 0])
        start = next(start for start, _end, key in bar.spans if key.label == "Nudge up")
        await pilot.click(KeyBar, offset=(start + 2, 0))
        await wait_until(pilot, lambda: float(screen.session.net.weights[0][0, 0]) != before, "a tap nudges")
        await pilot.press("w")
        await wait_until(pilot, lambda: "Nudge up" not in bar_line(app), "the editor's keys go with it")


async def test_a_longer_legend_takes_its_rows_from_the_map_and_chart_not_from_the_numbers():
    from annplay.widgets.stats import Legend

    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        legend = screen.query_one(Legend)
        numbers, stats = screen.query_one("#stats-numbers"), screen.query_one("#stats")
        heat, chart_rows = screen.query_one(HeatMap).region, screen.query_one(LossChart).region.height
        screen.query_one("#choice-dataset", Choice).select("iris", notify=True)
        await wait_until(pilot, lambda: "setosa" in "\n".join(screen_text(app)), "the iris legend")
        await pilot.pause()
        lines = len(legend.lines(legend.region.width))
        assert lines >= 3 and legend.region.height == lines                 # the whole legend, in the column
        assert screen.query_one(HeatMap).region == heat                       # the map keeps its rows …
        assert screen.query_one(LossChart).region.height < chart_rows          # … the chart gives them
        assert stats.region.contains_region(numbers.region) and numbers.region.height == 3
        text = "\n".join(screen_text(app))
        assert "virginica" in text and "trn " in text and "2→4→2→3" in text


@pytest.mark.parametrize("size", NARROW, ids=ids)
async def test_the_panel_tabs_stay_still_whichever_panel_is_open(size):
    """A phone's second tap on a tab lands where the first did: the tab row sits over the key bar (opening the
    network view, the weights or the doctor moved it up 1–3 rows when it stood over the panel)."""
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        tabs = {}
        for key, name in (("v", "network"), ("w", "weights"), ("D", "doctor"), ("m", "controls")):
            await pilot.press(key)
            await wait_until(pilot, lambda name=name: screen.panel == name)
            await pilot.pause()
            tabs[name] = screen.query_one("#panel-tabs").region
        assert len(set(tabs.values())) == 1, tabs
        assert next(iter(tabs.values())).y == size[1] - 2              # right over the key bar
        await pilot.click("#btn-panel-network")                          # the tap lands on the tab
        await wait_until(pilot, lambda: screen.panel == "network")
