"""The legend: it follows every colour mode, names every class, and has no test marks for a drawing."""

from __future__ import annotations

import pytest

from annplay import boundary as bd
from annplay.app import PlaygroundApp
from annplay.core.session import DRAWN
from annplay.screens import describe
from annplay.widgets.controls import Choice
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.stats import Legend

from .conftest import SIZES, ready, screen_text

ids = lambda s: f"{s[0]}x{s[1]}"     # noqa: E731


def legend_text(screen) -> str:
    return " ".join(e.plain for e in screen.query_one(Legend).entries)


sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def text_of(app) -> str:
    return "\n".join(screen_text(app))


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=ids)
async def test_the_legend_follows_every_colour_mode(size, private_prefs):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.look.set_look(colour="plain")
        await pilot.pause()
        assert "unsure" in legend_text(screen) and "pale" not in legend_text(screen)
        screen.look.set_look(colour="colour")
        await pilot.pause()
        assert "pale: less sure" in legend_text(screen) and "unsure" not in legend_text(screen)
        await pilot.press("n")
        await pilot.pause()
        assert "pale: less sure" in legend_text(screen)


async def test_a_drawing_has_no_test_marks_in_its_legend():
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        screen.changes.choose_data(DRAWN)
        screen.session.add_point(0.5, 0.5, 0)
        screen.session.add_point(-0.5, -0.5, 1)
        screen.changes.change_settings({"show_test": True})
        await pilot.pause()
        assert screen.session.setup.show_test and screen.session.prep.test.n == 0
        assert "test" not in legend_text(screen)
        assert "test" not in " ".join(e.plain for e in describe.legend(screen.session, None))


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

