"""TOML and JSON text that may be hostile, read with one clear ValueError line for every way it fails.

``tomllib`` and ``json`` fail in two ways that their own error types miss: nesting thousands of levels
deep raises ``RecursionError`` (thousands of lines of traceback), and an integer of more than
:func:`sys.get_int_max_str_digits` digits raises a plain ``ValueError`` that names no file, line or key.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:                                       # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError
_KEY = re.compile(r"""(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z0-9_.-]+))\s*[:=]""")


def max_digits() -> int:
    """The longest integer text Python converts (4300 by default; 0 means no limit)."""
    get = getattr(sys, "get_int_max_str_digits", None)
    return int(get()) if get is not None else 0


def long_number(text: str) -> tuple[int, str] | None:
    """(line, key) of the first number too long for Python to convert in ``text``, or None."""
    limit = max_digits()
    if not limit:
        return None
    found = re.search(rf"[0-9][0-9_]{{{limit},}}", text)
    if found is None or sum(c.isdigit() for c in found.group()) <= limit:
        return None
    line_start = text.rfind("\n", 0, found.start()) + 1
    keys = _KEY.findall(text[line_start:found.start()])
    key = next((k for k in reversed(keys[-1]) if k), "") if keys else ""
    return text.count("\n", 0, found.start()) + 1, key


def too_long_message(source: str, text: str) -> str:
    """The one line for a number with too many digits, naming where it is."""
    where = long_number(text)
    limit = max_digits()
    if where is None:
        return f"{source}: holds a number with more than {limit} digits"
    line, key = where
    return f"{source}:{line}: {key + ': ' if key else ''}a number with more than {limit} digits"


def nested_message(source: str) -> str:
    return f"{source}: nested too deeply (arrays or tables inside each other hundreds of levels deep)"


def load_toml(text: str, source: str) -> dict[str, Any]:
    """``tomllib.loads(text)``; every failure is ValueError("SOURCE[:LINE]: what is wrong")."""
    result: dict[str, Any] = _parse(tomllib.loads, tomllib.TOMLDecodeError, "TOML", text, source)
    return result


def load_json(text: str, source: str) -> Any:
    """``json.loads(text)``; every failure is ValueError("SOURCE[:LINE]: what is wrong")."""
    return _parse(json.loads, json.JSONDecodeError, "JSON", text, source)


def _parse(parse: Callable[[str], Any], syntax_error: type[ValueError], kind: str, text: str, source: str) -> Any:
    """``parse(text)``, with its syntax errors, deep nesting and over-long integers each said in one line."""
    try:
        return parse(text)
    except syntax_error as exc:
        raise ValueError(f"{source}: not valid {kind} ({exc})") from None
    except RecursionError:
        raise ValueError(nested_message(source)) from None
    except ValueError:                       # int() refused a number with too many digits
        raise ValueError(too_long_message(source, text)) from None


__all__ = ["load_toml", "load_json", "long_number", "max_digits", "TOMLDecodeError"]
