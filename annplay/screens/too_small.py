"""A terminal too narrow for any layout: one line saying how wide it must be, until it is."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

MIN_COLUMNS = 10        # narrower, Textual's grids wrap text to width 0 and fail (6–8 columns ended the app)


class TooSmallScreen(Screen[None]):
    """Covers every other screen (they are not laid out meanwhile) while the terminal has < MIN_COLUMNS columns."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen > Static { width: 100%; height: auto; text-align: center; }
    """

    def compose(self) -> ComposeResult:
        yield Static(f"annplay needs {MIN_COLUMNS} columns: widen the window", markup=False)


__all__ = ["TooSmallScreen", "MIN_COLUMNS"]
