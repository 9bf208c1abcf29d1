"""The map-only view (M) hides the message line with the side area: its one status line shows a message instead."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp
from tests.ui.conftest import ready, screen_text, wait_until


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_message_in_the_map_only_view_shows_on_its_status_line_and_moves_nothing(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("M")
        await wait_until(pilot, lambda: screen.has_class("-map-only") and screen.query_one("#stats").region.height == 1,
                         "the map-only view")
        await pilot.pause()
        heatmap, stats = screen.query_one("#heatmap").region, screen.query_one("#stats").region
        await pilot.press("y")                                      # a real message: the chart's scale
        await wait_until(pilot, lambda: "Loss chart:" in screen_text(app)[-1], "the message on the status line")
        assert screen.query_one("#heatmap").region == heatmap and screen.query_one("#stats").region == stats
        screen.query_one("#message").clear()                         # its time is up: the numbers again
        await wait_until(pilot, lambda: "ep 0" in screen_text(app)[-1], "the numbers back")
