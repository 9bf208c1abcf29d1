"""On a narrow screen the panel tabs dock at the bottom of the lower area, and the message line docked there too:
a message covered the tabs (a phone's only way to the other panels; a tap aimed at one hit the message) for as long
as it lasted. The message now docks on the row above the tabs; nothing moves."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp

from .conftest import ready, screen_text, wait_until


@pytest.mark.parametrize("size", [(40, 20), (60, 30), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_message_leaves_the_panel_tabs_in_view_and_a_tap_on_a_tab_opens_it(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        tabs = screen.query_one("#panel-tabs").region
        await pilot.press("y")                                       # a message: the chart's scale
        await wait_until(pilot, lambda: "Loss chart" in "".join(screen_text(app)), "the message")
        await pilot.pause()
        line = screen.query_one("#message").region
        assert not line.overlaps(tabs) and line.bottom == tabs.y
        assert screen.query_one("#panel-tabs").region == tabs
        assert "Network" in screen_text(app)[tabs.y]
        await pilot.click("#btn-panel-network")
        await wait_until(pilot, lambda: screen.panel == "network", "the network panel")
