"""Issue 17.2.1: the picture is never stretched. A square −6…6 plane drawn in half blocks looks square when it is
twice as many columns as rows; its aspect stays within 1.25:1 at every size, with every panel, and in the map-only
view (M) a phone gets the map on the whole screen with one status line."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp
from annplay.screens.layout import MAX_ASPECT, full_map, narrow_layout, picture_aspect
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.keybar import KeyBar

from .conftest import ready, screen_text, wait_until

SIZES = [(40, 20), (60, 30), (80, 24), (100, 30), (120, 40)]
ids = lambda s: f"{s[0]}x{s[1]}"     # noqa: E731


def drawn_aspect(screen) -> float:
    """The aspect of the picture as drawn: the heat map's rows of cells (columns against twice the rows)."""
    rows = screen.query_one(HeatMap).rows
    assert rows, "no picture drawn"
    columns = {sum(len(segment.text) for segment in row) for row in rows}
    assert len(columns) == 1
    return picture_aspect(columns.pop(), len(rows))


def square(aspect: float) -> bool:
    return 1 / MAX_ASPECT <= aspect <= MAX_ASPECT


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_the_map_keeps_its_aspect_at_every_size(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.pause()
        assert square(drawn_aspect(screen)), (size, screen.picture)
        heat = screen.query_one(HeatMap).region
        assert screen.picture[1] >= min(10, size[1] // 2)          # and it is not a stamp
        assert heat.width >= screen.picture[0] and heat.height > screen.picture[1]


@pytest.mark.parametrize("size", SIZES, ids=ids)
@pytest.mark.parametrize("panel", ["v", "w"], ids=["network", "weights"])
async def test_the_map_keeps_its_aspect_with_a_panel_open(size, panel):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press(panel)
        await wait_until(pilot, lambda: screen.panel != "controls", "the panel")
        frames = screen.frames
        screen.painter.show_now(record=False)
        await wait_until(pilot, lambda: screen.frames > frames, "a frame")
        await pilot.pause()
        assert square(drawn_aspect(screen)), (size, panel, screen.picture)


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=ids)
async def test_the_map_only_view_gives_the_map_every_row_but_one_status_line(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        before = screen.picture
        await pilot.press("M")
        await wait_until(pilot, lambda: screen.picture[1] > before[1], "a bigger picture")
        await pilot.pause()
        assert square(drawn_aspect(screen))
        width, height = size
        assert screen.picture == full_map(width, height - 1)          # one row for the caption, one for the status
        assert not screen.query_one(KeyBar).display and not screen.query_one("#side").display
        status = screen.query_one("#stats").region
        assert status.height == 1 and status.bottom == height
        assert "trn 0.7" in screen_text(app)[-1] and "ep 0" in screen_text(app)[-1]
        await pilot.click("#stats")                                  # a phone has no M key: a tap goes back
        await wait_until(pilot, lambda: screen.query_one(KeyBar).display, "the key bar again")
        await pilot.press("M")
        await wait_until(pilot, lambda: not screen.query_one(KeyBar).display, "map only again")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.query_one(KeyBar).display, "escape: back")


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=ids)
async def test_a_panels_key_in_the_map_only_view_shows_that_panel(size):
    """A probe: w in the map-only view paused training and opened the weight editor behind it, unseen."""
    from annplay.widgets.weights import WeightEditor

    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("space", "M")
        await wait_until(pilot, lambda: not screen.query_one(KeyBar).display, "map only")
        await pilot.press("w")
        await wait_until(pilot, lambda: screen.query(WeightEditor) and screen.query_one(WeightEditor).region.area > 0,
                         "the weight editor on the screen")
        assert screen.query_one(KeyBar).display and not screen.has_class("-map-only") and not screen.running


def test_a_tall_narrow_screen_stacks_a_square_map_and_gives_the_rest_to_the_controls():
    tall = narrow_layout(60, width=40)
    assert not tall.beside and square(picture_aspect(40, tall.map - 1))
    for height in range(12, 80):
        for width in (40, 60, 80, 99):
            lay = narrow_layout(height, width=width)
            assert lay.view + lay.side == height - 1
            if lay.beside:
                assert width - lay.map_width >= 18


async def test_a_projector_gives_the_map_its_room_before_the_numbers():
    """120×40: the map is as big as the room beside the controls allows with 20 columns left for the numbers
    (it once shrank to 48×24 so that the chart beside it could be wider; C shows the chart full size)."""
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.pause()
        width, rows = screen.picture
        assert width >= 60 and rows >= 30 and square(drawn_aspect(screen)), screen.picture
        assert screen.query_one("#stats").region.width >= 20
