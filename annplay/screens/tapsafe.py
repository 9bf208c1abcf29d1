"""A screen mixin: a tap on a widget that was removed between two frames is a tap on nothing.

Textual 8.2's text selection reads the tapped widget's parent on MouseDown; a widget the screen has
just removed (a rebuilt control, a closing toast) has none, and the app crashed (found by the monkey test).
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen


class TapSafe:
    """Put first in a Screen's bases: hit-testing never returns a widget that has left the DOM."""

    def get_widget_and_offset_at(self, x: int, y: int) -> tuple[Any, Any]:
        widget, offset = super().get_widget_and_offset_at(x, y)   # type: ignore[misc]
        if widget is not None and not isinstance(widget, Screen) and widget.parent is None:
            return None, None
        return widget, offset


__all__ = ["TapSafe"]
