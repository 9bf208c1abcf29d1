"""Share codes: a set-up as one short, versioned line of text, like ``ap1:ds=spiral;h=8,8;lr=0.1;seed=7``.

Only the values that differ from the ap1 baseline are written, in table order, each as ``key=value``
with the setting's share-code key, so the same set-up always gives the same code.  The baseline is frozen
(``AP1_BASELINE``): when a table default changes (the app's first set-up moved from spiral 8-8 to circle 4-2),
every code already shared keeps its meaning.

Hand-drawn points travel too, as a last part ``pts=…``: five URL-safe characters a point (x and y to 1/256
from -8 to 8, then the class), at most :data:`MAX_DRAWN_POINTS` points.  A larger drawing is
refused with a clear message rather than dropped; :func:`decode` refuses a code with points (a caller that
can train on a drawing uses :func:`decode_drawing`).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, unquote

from .settings import SETTINGS, Setting, SettingError, by_code
from .setup import Setup
from .tflink import shown

PREFIX = "ap1:"
VERSION = 1
MAX_CODE_LENGTH = 4096          # bytes of text a share code may have: far more than any real set-up
CODE_ERROR = "share code"       # the ``setting`` of errors about the code as a whole
_QUOTES = "'\"`‘’“”«»<>"
_SAFE = ",./-_+~*:()!@^[]"      # characters left as they are inside a value
POINTS_KEY = "pts"              # the part that carries drawn points
MAX_DRAWN_POINTS = 500          # points a code carries: 2,500 characters, within MAX_CODE_LENGTH
DRAWN_RANGE = 8.0               # drawn coordinates are kept from -8 to 8 (the plane shows -6 to 6)
_STEPS = 4096                   # grid steps per coordinate: two characters
_PER_UNIT = _STEPS / (2 * DRAWN_RANGE)   # 256 steps a unit: 1/256 resolution, whole and half numbers exact
_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
Point = tuple[float, float, float]

# What an ap1 code means by a setting it leaves out: the table's defaults when ap1 was made. Settings added
# later are not listed and fall back to their table default, which then stays fixed for them in the same way.
AP1_BASELINE: dict[str, Any] = {
    "dataset": "spiral", "points": None, "noise": 0.0, "train_ratio": 50.0, "csv": None, "csv_x": None,
    "csv_y": None, "features": ("x1", "x2"), "hidden": (8, 8), "activation": "tanh", "layer_activations": (),
    "dtype": "float64", "trainer": "backprop", "lr": 0.03, "batch_size": 10, "optimizer": "sgd", "momentum": 0.9,
    "nesterov": False, "beta1": 0.9, "beta2": 0.999, "eps": 1e-08, "regularization": "none", "reg_rate": 0.0,
    "dropout": 0.0, "population": None, "sigma": None, "seed": 0, "epochs": None, "patience": None,
    "target_loss": None, "target_acc": None, "show_test": False, "show_points": True, "discretize": False,
}


def baseline(name: str) -> Any:
    """The value an ap1 code gives ``name`` when it leaves it out."""
    return AP1_BASELINE[name] if name in AP1_BASELINE else SETTINGS[name].default


FILE_SETTINGS = ("csv",)         # a file path: never carried by a code from elsewhere
NO_FILES = ("share codes cannot name files (a path on one machine means nothing on another, and a code from "
            "a stranger must not read this machine's files); load the CSV yourself with --data")


def format_value(entry: Setting, value: Any) -> str:
    """The value as text that reads back exactly (floats keep every digit ``:g`` would drop)."""
    if entry.kind == "float" and value is not None:
        short = f"{value:g}"
        return short if float(short) == value else repr(float(value))
    return entry.format(value)


def encode(setup: Setup, drawn: tuple[Point, ...] | None = None, *, files: bool = True) -> str:
    """The share code of ``setup``: the prefix, then key=value for each setting off the ap1 baseline, in table
    order; with ``drawn`` points, then ``pts=…`` (SettingError when there are too many or they cannot be carried).
    ``files=False``: the code to hand to someone else, without the CSV file (see FILE_SETTINGS)."""
    parts = [f"{SETTINGS[name].code}={_quote(format_value(SETTINGS[name], value))}"
             for name, value in setup.items() if value != baseline(name) and (files or name not in FILE_SETTINGS)]
    if drawn is not None:
        parts.append(f"{POINTS_KEY}={encode_points(drawn)}")
    return PREFIX + ";".join(parts)


def encode_points(points: tuple[Point, ...]) -> str:
    """Drawn points as five characters each (x and y to 1/256 over ±DRAWN_RANGE; the class)."""
    if len(points) > MAX_DRAWN_POINTS:
        raise SettingError(POINTS_KEY, f"a share code carries at most {MAX_DRAWN_POINTS} drawn points; this "
                                       f"drawing has {len(points)} (clear some, or start a smaller one with x)")
    out = []
    for x1, x2, label in points:
        if not (math.isfinite(x1) and math.isfinite(x2)) or max(abs(x1), abs(x2)) > DRAWN_RANGE:
            raise SettingError(POINTS_KEY, f"a drawn point ({x1:g}, {x2:g}) lies outside ±{DRAWN_RANGE:g}, "
                               f"which a share code cannot carry")
        if label != int(label) or not 0 <= label < len(_DIGITS):
            raise SettingError(POINTS_KEY, f"a drawn point's class must be a whole number 0 to {len(_DIGITS) - 1}")
        out.append(_grid(x1) + _grid(x2) + _DIGITS[int(label)])
    return "".join(out)


def _grid(value: float) -> str:
    step = min(_STEPS - 1, max(0, round((value + DRAWN_RANGE) * _PER_UNIT)))
    return _DIGITS[step // 64] + _DIGITS[step % 64]


def decode_points(text: str) -> tuple[Point, ...]:
    """The points ``encode_points`` wrote; SettingError for anything else."""
    if len(text) % 5 or len(text) > 5 * MAX_DRAWN_POINTS or any(c not in _DIGITS for c in text):
        raise SettingError(POINTS_KEY, f"bad drawn points in {POINTS_KEY}=…: five letters, digits, '-' or '_' "
                                       f"a point, at most {MAX_DRAWN_POINTS} points")
    index = {c: i for i, c in enumerate(_DIGITS)}

    def coord(a: str, b: str) -> float:
        return (index[a] * 64 + index[b]) / _PER_UNIT - DRAWN_RANGE

    return tuple((coord(text[i], text[i + 1]), coord(text[i + 2], text[i + 3]), float(index[text[i + 4]]))
                 for i in range(0, len(text), 5))


def _quote(text: str) -> str:
    """Percent-encode what would break a code (';', '=', '%', spaces); lone surrogates survive too."""
    return quote(text, safe=_SAFE, errors="surrogatepass")


def looks_like_code(text: str) -> bool:
    """True when ``text`` (quotes and spaces around it allowed) is meant as a share code."""
    body = _unwrap(text)
    return body[:2].lower() == "ap" and ":" in body[:8] and body.split(":", 1)[0][2:].isdigit()


def decode(text: str, *, files: bool = False) -> Setup:
    """The set-up a share code describes; SettingError names the bad key or value and what is allowed.

    A code naming a CSV file is refused unless ``files`` (only for codes annplay wrote itself, such as a sweep's
    rows): a code is text from someone else, and a path in it would read this machine's files.  A code that
    carries drawn points is refused too (training it on the set-up's data set would drop the drawing);
    :func:`decode_drawing` reads both."""
    setup, drawn = decode_drawing(text, files=files)
    if drawn is not None:
        raise SettingError(POINTS_KEY, f"this share code carries {len(drawn)} drawn point(s), which only the "
                                       f"playground trains on; open it there (annplay play CODE, or i)")
    return setup


def decode_drawing(text: str, *, files: bool = False) -> tuple[Setup, tuple[Point, ...] | None]:
    """The set-up a share code describes and its drawn points (None: the code has no drawing)."""
    if not isinstance(text, str):
        raise SettingError(CODE_ERROR, f"expected text like {PREFIX}ds=xor;lr=0.1, got {type(text).__name__}")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CODE_LENGTH:
        raise SettingError(CODE_ERROR, f"too long ({len(text)} characters; at most {MAX_CODE_LENGTH}); "
                                       f"a share code is one short line like {PREFIX}ds=xor;lr=0.1")
    body = _unwrap(text)
    head, sep, rest = body.partition(":")
    if not sep or head.lower() != PREFIX[:-1]:
        version = head[2:] if head[:2].lower() == "ap" and head[2:].isdigit() else ""
        if sep and version and int(version) > VERSION:
            raise SettingError(CODE_ERROR, f"version ap{version} is newer than this annplay reads "
                                           f"({PREFIX[:-1]}); upgrade annplay")
        raise SettingError(CODE_ERROR, f"'{shown(body)}' is not a share code; one starts with {PREFIX} "
                                       f"like {PREFIX}ds=xor;lr=0.1")
    values: dict[str, Any] = {}
    drawn: tuple[Point, ...] | None = None
    given: set[str] = set()
    for part in rest.split(";"):
        part = part.strip()
        if not part:
            continue
        key, eq, raw = part.partition("=")
        key = key.strip()
        if not eq:
            raise SettingError(CODE_ERROR, f"'{shown(part)}' has no '='; each part is key=value, like lr=0.1")
        if key == POINTS_KEY:
            if drawn is not None:
                raise SettingError(POINTS_KEY, f"key {POINTS_KEY!r} given twice in the share code")
            drawn = decode_points(raw.strip())
            continue
        entry = by_code(key) or by_code(key.lower())
        if entry is None:
            known = ", ".join(s.code for s in SETTINGS.values())
            raise SettingError(shown(key), f"unknown share-code key '{shown(key)}'; known keys: {known}")
        if entry.name in given:
            raise SettingError(entry.name, f"key {entry.code!r} given twice in the share code")
        value_text = unquote(raw.strip(), errors="surrogatepass")
        try:
            values[entry.name] = _parse(entry, value_text)
            given.add(entry.name)
        except SettingError as exc:
            if entry.name in FILE_SETTINGS and not files:
                raise SettingError(entry.name, NO_FILES) from None
            raise SettingError(entry.name, f"bad value in {entry.code}={shown(value_text)}: {exc.message}") from None
        if entry.name in FILE_SETTINGS and values[entry.name] is not None and not files:
            raise SettingError(entry.name, NO_FILES)                 # 'csv=none' (no file) is fine
    return Setup(**{**_known_baseline(), **values}).validate(), drawn


def _known_baseline() -> dict[str, Any]:
    """The baseline for the settings this version has (a frozen name the table no longer has is left out)."""
    return {name: value for name, value in AP1_BASELINE.items() if name in SETTINGS}


def _parse(entry: Setting, text: str) -> Any:
    """One value from its text; NaN and infinities are refused for numbers."""
    value = entry.parse(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise SettingError(entry.name, f"{entry.allowed()}, got {text!r}")
    return value


def _unwrap(text: str) -> str:
    """The text without surrounding whitespace and quotes (as pasted from a chat or a slide)."""
    body = text.strip()
    while len(body) >= 2 and body[0] in _QUOTES and body[-1] in _QUOTES:
        body = body[1:-1].strip()
    return body.strip(_QUOTES).strip()


__all__ = ["AP1_BASELINE", "baseline",
           "PREFIX", "VERSION", "MAX_CODE_LENGTH", "CODE_ERROR", "FILE_SETTINGS", "NO_FILES", "encode", "decode",
           "format_value", "looks_like_code", "decode_drawing", "encode_points", "decode_points", "MAX_DRAWN_POINTS",
           "POINTS_KEY"]
