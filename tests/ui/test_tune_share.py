"""Pilot tests: a drawing travels in its share code (k) and comes back with i, at phone and projector sizes."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from annplay.app import PlaygroundApp
from annplay.core.session import DRAWN
from annplay.engine.setup import Setup
from annplay.engine.sharecode import MAX_DRAWN_POINTS, decode_drawing
from annplay.screens.share_view import ShareScreen

from .conftest import SIZES, ready, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
POINTS = ((0.5, 0.5, 0.0), (-0.5, -0.5, 1.0), (1.25, -2.0, 0.0), (-3.0, 2.5, 1.0))


async def test_a_drawing_goes_into_the_code_and_comes_back(size):
    app = PlaygroundApp(Setup(dataset="xor", lr=0.1))
    copied: list[str] = []
    app.copy_to_clipboard = copied.append                    # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.changes.choose_data(DRAWN)
        screen.session.set_drawn(POINTS)
        await pilot.pause()
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ShareScreen), "the share panel")
        code = app.screen.query_one("#share-code", TextArea).text
        assert "pts=" in code and copied == [code]
        assert decode_drawing(code)[1] == POINTS
        assert "drawn data" in " ".join(screen_text(app))     # why there is no TF link
        await pilot.press("escape")
    other = PlaygroundApp()
    async with other.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("i")
        await wait_until(pilot, lambda: bool(pilot.app.screen.query(Input)), "the open dialog")
        pilot.app.screen.query_one(Input).value = code
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.session.drawn == POINTS, "the drawing")
        assert screen.session.setup.lr == 0.1 and screen.session.data_name == DRAWN


async def test_a_drawing_too_big_for_a_code_is_refused_in_words(size):
    app = PlaygroundApp(Setup(dataset="xor"))
    app.copy_to_clipboard = lambda text: None                # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.session.set_drawn(tuple((i % 10 - 5.0, i // 100 - 3.0, float(i % 2))
                                       for i in range(MAX_DRAWN_POINTS + 1)))
        await pilot.pause()
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ShareScreen), "the share panel")
        assert not app.screen.query("#share-code")
        text = " ".join(line.strip() for line in screen_text(app))
        assert f"at most {MAX_DRAWN_POINTS}" in text


async def test_the_tf_link_can_be_copied_by_key_and_by_tap(size):
    app = PlaygroundApp(Setup(dataset="xor", lr=0.1))
    copied: list[str] = []
    app.copy_to_clipboard = copied.append                    # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ShareScreen), "the share panel")
        link = app.screen.link
        assert link and copied == [app.screen.code]
        area = app.screen.query_one("#share-link", TextArea)
        assert area.size.height <= 4                          # wrapped, but the button stays on screen
        await pilot.press("l")
        assert copied[-1] == link
        copied.clear()
        await pilot.click("#copy-link")
        assert copied == [link]
        assert all(len(line) <= size[0] for line in screen_text(app))
