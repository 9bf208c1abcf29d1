"""A CSV run's share code names no file: the Share view said 'Open it with i (on the same CSV)', but i with that code
trains on the code's built-in data set (circle), silently closing the CSV. The hint now says how to keep the CSV,
and opening a code over a CSV run says which data replaced it."""

from __future__ import annotations

from pathlib import Path

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.screens.share_view import ShareScreen

from .conftest import ready, record_notifications, wait_until

IRIS = str(Path(__file__).resolve().parents[2] / "datasets" / "iris.csv")


async def test_the_share_view_of_a_csv_run_does_not_promise_that_i_keeps_the_csv():
    app = PlaygroundApp(Setup(csv=IRIS, hidden=(3,)))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ShareScreen), "the share view")
        hint = app.screen.open_hint
        assert "--data FILE" in hint and "with i" not in hint
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back")
        notes = record_notifications(app)
        assert screen.setups.open_setup("ap1:ds=circle;h=5")
        assert screen.session.setup.csv is None
        assert any("instead of iris.csv" in n.message for n in notes)
