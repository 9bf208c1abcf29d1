"""Explain mode's card has its own key bar, generated from its bindings: the playground's bar stayed drawn under the
card (its keys, ␣ Play among them, did nothing there) and the card listed its keys by hand."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from annplay.app import PlaygroundApp
from annplay.screens.explain_view import ExplainScreen
from annplay.widgets.keybar import KeyBar

from .conftest import ALL_SIZES, ready, screen_text, wait_until


async def _open_card(app: PlaygroundApp, pilot: Pilot, key: str, kind: type[Screen[Any]],
                     keys: str) -> tuple[Screen[Any], KeyBar]:
    """Open a card by its key; check that the bottom row shows its own keys (``keys`` first), none of the
    playground's; return the card and its key bar."""
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, kind), f"the {kind.__name__}")
    await pilot.pause()
    bottom = screen_text(app)[-1]
    assert bottom.startswith(keys) and "Play" not in bottom and "Pause" not in bottom, bottom
    return app.screen, app.screen.query_one(KeyBar)


@pytest.mark.parametrize("size", ALL_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_explain_card_shows_its_own_keys_on_the_bottom_row_and_a_tap_runs_one(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        card, bar = await _open_card(app, pilot, "E", ExplainScreen, "esc Back s Step")
        assert bar.region.y == size[1] - 1
        step = next(start for start, _end, key in bar.spans if key.action == "step")
        await pilot.click(KeyBar, offset=(step, 0))                   # a tap on "s Step" takes the step
        await wait_until(pilot, lambda: card.steps == 1, "one step taken")
        await pilot.click(KeyBar, offset=(0, 0))                      # "esc Back"
        await wait_until(pilot, lambda: app.screen is screen, "back in the playground")


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_lessons_view_shows_its_own_keys_and_a_tap_on_open_opens_the_lesson(size):
    from annplay.screens.lessons_view import LessonsScreen

    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        _view, bar = await _open_card(app, pilot, "L", LessonsScreen, "esc Back ⏎ Open")
        opening = next(start for start, _end, key in bar.spans if key.action == "open")
        await pilot.click(KeyBar, offset=(opening, 0))
        await wait_until(pilot, lambda: app.screen is screen and screen.lessons.lesson is not None, "a lesson open")


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_under_the_help_and_a_dialog_the_playgrounds_key_bar_is_not_drawn_and_nothing_moves(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("space")
        bar = screen.query_one(KeyBar).region
        for key in ("question_mark", "a"):                       # the help, then the save dialog
            await pilot.press(key)
            await wait_until(pilot, lambda: app.screen is not screen, "the pop-up")
            await pilot.pause()
            bottom = screen_text(app)[-1]
            assert "Pause" not in bottom and "Help" not in bottom
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen, "back")
            await wait_until(pilot, lambda: "Pause" in screen_text(app)[-1], "the key bar again")
            assert screen.query_one(KeyBar).region == bar
