"""A message naming a very long file name still ends with its reason on a phone: the name (quoted twice in a refusal)
is shortened to head … tail when the whole message would not fit the message line's five lines at 40 columns."""

from __future__ import annotations

from pathlib import Path

from annplay.app import PlaygroundApp
from annplay.widgets.messageline import shorten_words

from .conftest import ready, screen_text, wait_until


def test_only_runs_longer_than_the_limit_are_shortened_and_keep_both_ends():
    assert shorten_words("a " + "x" * 10 + "yz", 20) == "a " + "x" * 10 + "yz"
    short = shorten_words("name " + "a" * 200 + "END is too long", 20)
    assert short.startswith("name " + "a" * 13 + "…") and "aEND is too long" in short
    assert max(len(word) for word in short.split()) <= 21


async def test_a_refused_300_character_name_shows_why_at_40_columns(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: app.screen is not screen, "the save dialog")
        await pilot.press("ctrl+u", *("y" * 300), "enter")
        await wait_until(pilot, lambda: "Not saved" in "".join(screen_text(app)), "the refusal")
        shown = " ".join(line.strip() for line in screen_text(app))
        assert "at most 255" in shown                                # the reason, not only the name
        assert not list(tmp_path.iterdir())


async def test_a_message_longer_than_its_room_keeps_its_first_line_in_view_on_a_phone():
    """Over a phone's tabs the message line has four rows: a refused 300-character code clipped its first line
    ('Not opened: …', what happened) off the top."""
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await pilot.press("i")
        await wait_until(pilot, lambda: app.screen is not screen, "the open dialog")
        await pilot.press(*"ap1:ds=", *("z" * 300), "enter")
        await wait_until(pilot, lambda: app.screen is screen and screen.query_one("#message").message, "the refusal")
        await pilot.pause()
        line = screen.query_one("#message").region
        assert line.y > screen.query_one("#side").region.y                   # inside its area, under the border
        assert screen_text(app)[line.y].startswith("▍Not opened")
