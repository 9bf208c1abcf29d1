"""What annplay says when a set-up does not fit in memory: one line for the CLI and a sweep row alike."""

from __future__ import annotations

__all__ = ["out_of_memory"]

HINT = "try fewer --points, smaller --layers or a smaller --population"


def out_of_memory(exc: MemoryError) -> str:
    """``out of memory (<NumPy's first line>); <what to try>``: one line, whatever the error carried."""
    text = str(exc)
    detail = text.splitlines()[0] if text.strip() else "MemoryError"
    return f"out of memory ({detail}); {HINT}"
