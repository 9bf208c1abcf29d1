"""Pilot tests: the Sweep view (z): pick settings and values by keys, run in the background, rank, open a row."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.screens.sweep_view import SweepScreen, around

from .conftest import SIZES, ready, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def test_values_come_from_the_tables_steps(size):
    assert around("lr", 0.03, 3) == [0.01, 0.03, 0.1]
    assert around("activation", "tanh", 1) == ["tanh"]


async def highlight(pilot, name: str) -> None:
    settings = pilot.app.screen.query_one("#sweep-settings", OptionList)
    settings.highlighted = next(i for i in range(settings.option_count) if settings.get_option_at_index(i).id == name)


async def test_sweep_runs_a_grid_ranks_it_and_opens_a_row(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,), points=40, epochs=5))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep view")
        sweep = app.screen
        await highlight(pilot, "lr")
        await pilot.press("space")
        assert sweep.grid() == {"lr": [0.01, 0.03, 0.1]}
        await pilot.press("minus")
        assert sweep.run_count() == 2
        assert all(len(line) <= size[0] for line in screen_text(app))
        await pilot.press("g")
        board = sweep.query_one("#sweep-board", OptionList)
        await wait_until(pilot, lambda: board.option_count == 2 and sweep.sweep is not None
                         and len(sweep.sweep.rows) == 2, "both runs ranked", limit=4000)
        assert "2/2 runs done" in "\n".join(screen_text(app))
        board.focus()
        board.highlighted = 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen, "back in the playground")
        assert screen.session.setup.lr in (0.01, 0.03) and screen.session.setup.epochs == 5


async def test_leaving_cancels_the_sweep(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,), points=40, epochs=400))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep view")
        sweep = app.screen
        await highlight(pilot, "lr")
        await pilot.press("space", "plus", "plus", "g", "escape")
        await wait_until(pilot, lambda: app.screen is screen, "back in the playground")
        assert sweep.sweep is not None and sweep.sweep.interrupted      # a sweep left to finish would not be
        assert screen.session.setup.lr == 0.03
