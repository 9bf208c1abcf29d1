"""Tap: the playground's one-line button, Textual's ``Button`` with only the CSS its compact look uses.

Textual's ``Button`` brings about 260 lines of CSS (borders, the flat and ANSI styles, five variants, each with
hover and press states). Parsing and matching it for the first frame's tabs and run buttons was about a fifth of
the playground's build before its first paint, for rules a compact button never shows. ``Tap`` keeps everything
else of ``Button`` (``Pressed`` messages, ``press()``, enter, the label, tooltips, variants) and does not inherit its
CSS (``inherit_css=False``: Button's rules neither load for it nor match it; style it as ``Tap``).
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Button


class Tap(Button, inherit_css=False):
    """A compact button (one line, no border), styled by the rules below only."""

    DEFAULT_CSS = """
    Tap {
        width: auto;
        min-width: 4;
        height: 1;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        &:focus { text-style: $button-focus-text-style; background-tint: $foreground 5%; }
        &:hover { background: $surface-darken-1; }
        &:disabled { text-opacity: 0.6; pointer: not-allowed; }
        &.-active { tint: $background 30%; }
        &.-success { color: $button-color-foreground; background: $success; }
        &.-success:hover { background: $success-darken-2; }
        &:ansi { background: ansi_default; }
        &:ansi.-success { color: $success; }
    }
    """

    def __init__(self, label: str, variant: Any = "default", **kwargs: Any) -> None:
        super().__init__(label, variant, compact=True, **kwargs)


__all__ = ["Tap"]
