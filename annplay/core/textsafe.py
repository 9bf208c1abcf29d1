"""Text from files and users made safe to show: no raw terminal controls, no accidental Rich markup.

Use :func:`plain` for text printed without markup (plain CLI output) and :func:`markup_safe` for text placed
inside Rich/Textual markup. Apply them to every file- or user-supplied string: file names, CSV column names,
labels, class names, and error messages that quote them. No Rich import at module level (the engine and
plain CLI paths stay light).
"""

from __future__ import annotations

import re

__all__ = ["plain", "markup_safe", "plain_join"]

ZWSP = "\u200b"                                  # zero-width space: separates a backslash from a bracket
_BACKSLASH_BEFORE_BRACKET = re.compile(r"\\(?=\[)")

# C0 controls shown as their Unicode control pictures (U+2400..U+241F): one cell wide, clearly not data.
_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_DEL_PICTURE = "\u2421"                           # ␡
# Format characters that reorder or hide text (bidi overrides, isolates, line/paragraph separators).
_INVISIBLE = frozenset([0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
                        0xFEFF])
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")          # keeps tab (09) and newline (0a)
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f{_OTHERS}]")


def _escape_char(ch: str, keep: str) -> str:
    """One character, replaced by a visible stand-in when it is a control or hidden-format character."""
    code = ord(ch)
    if ch in keep:
        return ch
    if code < 0x20:
        return _C0_PICTURES[code]
    if code == 0x7F:
        return _DEL_PICTURE
    if 0x80 <= code <= 0x9F:
        return f"\\x{code:02x}"
    if code in _INVISIBLE:
        return f"\\u{code:04x}"
    if 0xDC80 <= code <= 0xDCFF:                  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:                  # any other lone surrogate: it cannot even be printed
        return f"\\u{code:04x}"
    return ch


def plain(text: object, *, one_line: bool = False) -> str:
    """``str(text)`` with control characters shown visibly: ESC → ␛, BEL → ␇, C1 → ``\\x9b``, bidi → ``\\u202e``.

    Newline and tab are kept unless ``one_line`` (then they become ␊ and ␉ too); carriage return is always
    escaped (it could overwrite what was printed before it). Bytes of a non-UTF-8 file name (surrogate-escaped)
    become ``\\xff``, so the result always encodes as UTF-8.
    """
    s = str(text)
    pattern = _UNSAFE_ONE_LINE if one_line else _UNSAFE
    if pattern.search(s) is None:
        return s                                  # the common case: nothing to replace
    return pattern.sub(lambda m: _escape_char(m.group(), ""), s)


def markup_safe(text: object, *, one_line: bool = False) -> str:
    """:func:`plain` text escaped for markup: shows exactly as given inside ``f"[b]{...}[/b]"``.

    One escape for both parsers: Rich console markup (the CLI) and Textual's own markup (widgets,
    notifications; Textual >= 2 parses markup itself, and ``rich.markup.escape`` is not enough there:
    ``[#b=:/`` raises). Every ``[`` becomes ``\\[``; a backslash just before a ``[`` or at the very end gets
    a zero-width space (U+200B) after it, so it can neither escape the bracket nor a closing tag that follows.
    """
    safe = plain(text, one_line=one_line)
    if "[" not in safe and "\\" not in safe:
        return safe
    safe = _BACKSLASH_BEFORE_BRACKET.sub("\\\\" + ZWSP, safe)
    if safe.endswith("\\"):
        safe += ZWSP
    return safe.replace("[", "\\[")


def plain_join(items: object, sep: str = ", ") -> str:
    """Several file-supplied names joined for a message, each made :func:`plain` on one line."""
    return sep.join(plain(item, one_line=True) for item in items)  # type: ignore[attr-defined]
