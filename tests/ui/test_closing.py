"""Input that arrives after q, in the same burst, opens nothing while the app closes."""

from __future__ import annotations

from textual import events

from annplay.app import PlaygroundApp

from .conftest import ready


async def test_keys_typed_after_q_open_nothing():
    """'question_mark' typed at once in tmux: q began closing, s then pushed the share view, which never composed,
    and its on_mount ended the app with NoMatches (exit 1 and a traceback)."""
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await ready(pilot)
        for ch in "question_mark":
            app.post_message(events.Key(ch, ch))
    assert app.return_code == 0
