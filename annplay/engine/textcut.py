"""User text echoed in a message, as one short safe line: every error that quotes a value goes through here.

A value typed or read from a file can be 10,000 characters long; a message shows its start and says it was cut.
"""

from __future__ import annotations

from typing import Any

SHOWN_CHARS = 40              # characters of a value a message quotes, at most


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """Text as one safe line: control characters escaped, long text cut with '…'."""
    line = text if text.isprintable() else repr(text)[1:-1]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def quoted(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters: ``'9999…'`` (the closing quote kept)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


__all__ = ["shown", "quoted", "SHOWN_CHARS"]
