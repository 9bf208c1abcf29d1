"""A screen mixin against two races of fast input: a tap on a widget that was removed between two frames is a tap
on nothing, and a screen dismisses itself once, only while it is on top.

Textual 8.2's text selection reads the tapped widget's parent on MouseDown; a widget the screen has just removed
(a rebuilt control, a closing toast) has none, and the app crashed (found by the monkey test). Textual's
``Screen.dismiss`` pops whatever screen is on top: keys typed ahead (enter, then escape, while a long name was still
being typed into a dialog) dismissed a dialog twice and popped the playground itself, leaving a blank terminal
(found by a QA probe).
"""

from __future__ import annotations

from typing import Any

from textual.await_complete import AwaitComplete
from textual.screen import Screen


class SafeScreen:
    """Put first in a Screen's bases: hit-testing never returns a widget that has left the DOM, and ``dismiss``
    acts once, only while this screen is the one on top (a late second call does nothing)."""

    _dismissed = False

    def get_widget_and_offset_at(self, x: int, y: int) -> tuple[Any, Any]:
        widget, offset = super().get_widget_and_offset_at(x, y)   # type: ignore[misc]
        if widget is not None and not isinstance(widget, Screen) and widget.parent is None:
            return None, None
        return widget, offset

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self._dismissed or self.app.screen is not self:        # type: ignore[attr-defined]
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)                            # type: ignore[misc]


__all__ = ["SafeScreen"]
