"""The message line: the playground's notifications in the layout (never over the map or the weights), for a while.

Docked at the bottom of its area: when it comes and goes, nothing above it moves (a tap aimed at a control lands
on that control)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from rich.errors import MarkupError
from rich.text import Text
from textual import events
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

DEFAULT_TIMEOUT = 5.0            # seconds, as Textual's toasts
MAX_LINES = 5                    # a phone's 40 columns need 5 lines for a file name and its reason
MARKS = {"information": ("▍", "green"), "warning": ("▍", "yellow"), "error": ("▍", "red")}


def shorten_words(text: str, most: int) -> str:
    """``text`` with every unbroken run longer than ``most`` cells shown as its head … tail (a 300-character file
    name, quoted twice, pushed the reason off a phone's five lines: 'is 300 bytes; … at most 255' was never read)."""
    head = max(4, most * 2 // 3)
    tail = max(3, most - head - 1)
    return re.sub(rf"\S{{{most + 1},}}", lambda m: f"{m.group()[:head]}…{m.group()[-tail:]}", text)


def worth_a_title(title: str, message: str) -> bool:
    """Whether a title adds anything: not 'Done', nor words the message already says ('Pinned' over 'Run pinned')."""
    words = [w for w in title.lower().replace(":", " ").split() if w not in ("done", "not")]
    said = set(message.lower().replace(":", " ").replace(";", " ").replace("(", " ").split())
    return bool(words) and not all(w in said for w in words)


class MessageLine(Widget, can_focus=False):
    """The last notification (title, message) in its severity's colour; gone after its timeout or a tap."""

    DEFAULT_CSS = f"""
    MessageLine {{ height: auto; max-height: {MAX_LINES}; width: 1fr; display: none; dock: bottom; }}
    MessageLine.-shown {{ display: block; }}
    MessageLine.-warning {{ color: $text-warning; }}
    MessageLine.-error {{ color: $text-error; }}
    """

    class Show(Message):
        """Show a notification (posted, so any thread may send it)."""

        def __init__(self, message: str, title: str, severity: str, timeout: float | None, markup: bool) -> None:
            super().__init__()
            self.message, self.title, self.severity = message, title, severity
            self.timeout, self.markup = timeout, markup

    class Changed(Message):
        """The shown text changed (empty: cleared), for a view that hides this line and shows it elsewhere."""

        def __init__(self, text: Text) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()
        self.severity = ""
        self._timer: Timer | None = None
        self._short: tuple[int, int, Text] | None = None   # the text fitted to a width and room (names shortened)
        self._head, self._body = Text(), Text()         # the mark and title; the message

    def show(self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None,
             markup: bool = True) -> None:
        """Show one notification instead of the last one, for timeout seconds."""
        mark, colour = MARKS.get(severity, MARKS["information"])
        body = Text(message)
        if markup:
            with contextlib.suppress(MarkupError):
                body = Text.from_markup(message)
        text = Text(mark, colour)
        if title and worth_a_title(title, body.plain):
            text.append(f"{title}: ", "bold")
        self._head, self._body = text.copy(), body
        text.append_text(body)
        self.text, self.severity, self._short = text, severity, None
        for name in MARKS:
            self.set_class(name == severity, f"-{name}")
        self.add_class("-shown")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEFAULT_TIMEOUT if timeout is None else max(0.5, timeout), self.clear)
        self.refresh(layout=True)
        self.post_message(self.Changed(text))

    def clear(self) -> None:
        """Hide the message."""
        shown = self.has_class("-shown")
        self.text, self._short = Text(), None
        self.remove_class("-shown")
        self.refresh(layout=True)
        if shown:
            self.post_message(self.Changed(Text()))

    @property
    def message(self) -> str:
        """The shown text ('' when none)."""
        return self.text.plain.removeprefix("▍") if self.has_class("-shown") else ""

    def room(self) -> int:
        """Lines it may take: MAX_LINES, or fewer where its area is shorter (a phone's lower area, over the tabs),
        so that its first line, the one that says what happened, is never clipped off."""
        rows = MAX_LINES
        area = self.parent.content_region.height if isinstance(self.parent, Widget) else 0
        if area:
            rows = min(rows, area - self.styles.margin.bottom)
        return max(1, rows)

    def fitted(self, width: int) -> Text:
        """The text as shown at ``width``: whole when it wraps into its room, else its long runs shortened."""
        room = self.room()
        if self._short is not None and self._short[:2] == (width, room):
            return self._short[2]
        text = self.text
        for most in (width // 2, width // 3, 12):
            if width <= 0 or len(text.wrap(self.app.console, width)) <= room:
                break
            text = self._head.copy()                # the mark and the title keep their style; the message is plain
            text.append(shorten_words(self._body.plain, max(12, most)))
        self._short = (width, room, text)
        return text

    def render(self) -> Text:
        return self.fitted(self.size.width)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return min(self.room(), len(self.fitted(width).wrap(self.app.console, max(1, width))))

    def on_click(self, event: events.Click) -> None:
        """A tap dismisses the message."""
        event.stop()
        self.clear()
