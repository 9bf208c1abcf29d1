"""A terminal dragged down to a few columns: 6–8 ended the app (Rich's chop_cells stepped by 0 when Textual wrapped a
grid cell's label to width 0: a probe's find); below MIN_COLUMNS one line says how wide the window must be."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp
from annplay.screens.playground import PlaygroundScreen
from annplay.screens.too_small import MIN_COLUMNS, TooSmallScreen

from .conftest import ready, wait_until


@pytest.mark.parametrize("width", [1, 5, 6, 7, 8, 9, 11])
async def test_a_terminal_a_few_columns_wide_never_ends_the_app(width: int) -> None:
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await ready(pilot)
        await pilot.press("space")
        await pilot.resize_terminal(width, 20)
        await pilot.pause()
        await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen) == (width < MIN_COLUMNS),
                         "the too-small line, or the playground")
        await pilot.resize_terminal(40, 20)
        await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen), "the playground again")
        await pilot.press("space")
    assert app.return_code in (None, 0)
