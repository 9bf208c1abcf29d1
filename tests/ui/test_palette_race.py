"""The command palette's page keys while its list is being rebuilt: a probe's monkey (seed 16, 40×20) ended the
app with KeyError: 0 in Textual's OptionList._move_page after ctrl+p, up, enter, pagedown."""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandList

from annplay.app import PlaygroundApp, SafeCommandPalette

from .conftest import ready, wait_until


async def open_palette(pilot: Any) -> None:
    """The playground's first frame, then ctrl+p until the palette is on top."""
    await ready(pilot)
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SafeCommandPalette), "the palette")


async def test_a_page_key_that_meets_a_list_in_flux_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await open_palette(pilot)
        commands = app.screen.query_one(CommandList)

        def in_flux(direction: int) -> None:
            raise KeyError(0)                                # what _move_page raised as the list was rebuilt

        monkeypatch.setattr(commands, "_move_page", in_flux)
        await pilot.press("down")
        for key in ("pagedown", "pageup", "pagedown"):
            await pilot.press(key)
        assert isinstance(app.screen, SafeCommandPalette) and app.is_running


async def test_a_search_that_ends_after_the_palette_closed_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A probe's monkey (seed 8503) ended the app with NoMatches for CommandList in the palette's search worker."""
    from textual.css.query import NoMatches

    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await open_palette(pilot)
        palette = app.screen

        def gone(*_args: object, **_kwargs: object) -> None:
            raise NoMatches("No nodes match 'CommandList'")         # as when the palette had closed meanwhile

        monkeypatch.setattr(palette, "query_one", gone)
        await pilot.press("h")                                       # a search starts in its worker
        await pilot.pause()
        monkeypatch.undo()
        assert app.is_running
        await pilot.press("escape")
    assert app.return_code in (None, 0)


async def test_ctrl_p_under_the_too_narrow_line_opens_no_second_palette() -> None:
    """A probe's monkey (seed 7003): the palette open, the window narrowed below 10 columns (a line covers it),
    ctrl+p pushed a second palette of the same id, and DuplicateIds ended the app."""
    from annplay.screens.too_small import TooSmallScreen

    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await open_palette(pilot)
        await pilot.resize_terminal(8, 10)
        await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), "the too-narrow line")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert sum(isinstance(screen, SafeCommandPalette) for screen in app.screen_stack) == 1
        await pilot.resize_terminal(40, 20)
        await wait_until(pilot, lambda: isinstance(app.screen, SafeCommandPalette), "the palette again")
        await pilot.press("escape")
        await pilot.press("ctrl+p")                            # and it opens again once closed
        await wait_until(pilot, lambda: isinstance(app.screen, SafeCommandPalette), "a new palette")
    assert app.return_code in (None, 0)
