"""Closing: input that arrives after q opens nothing, and an app that leaves at start ends cleanly."""

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


class LeavesAtStart(PlaygroundApp):
    """Leaves right after the playground is pushed, as a quit signal or a closed terminal at start does."""

    def push_screen(self, *args, **kwargs):
        pushed = super().push_screen(*args, **kwargs)
        self.leave()
        return pushed


async def test_an_app_that_leaves_while_its_playground_is_pushed_ends_cleanly():
    """The playground, pushed as the app began closing, never composed: its on_mount and on_resize ended the app
    with NoMatches (exit 1 and a traceback) instead of leaving quietly."""
    app = LeavesAtStart()
    async with app.run_test(size=(40, 20)):
        pass
    assert app.return_code == 0
