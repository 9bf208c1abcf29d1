"""The person's look preferences (colour scheme, colour or plain map), remembered between runs with platformdirs.

No Textual here: the app reads :func:`load` at start, applies the scheme with :func:`apply_scheme` and saves
a change with :func:`save`. A missing or damaged file means the defaults, never an error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

RGB = tuple[int, int, int]

# Class colours per scheme: the first two are also the low/high (orange/blue) ends of the binary map.
SCHEMES: dict[str, tuple[RGB, ...]] = {
    "standard": ((0xF5, 0x93, 0x22), (0x08, 0x77, 0xBD), (0x2C, 0xA0, 0x2C), (0x94, 0x67, 0xBD), (0xD6, 0x27, 0x28),
                 (0x17, 0xBE, 0xCF), (0x8C, 0x56, 0x4B), (0xE3, 0x77, 0xC2), (0xBC, 0xBD, 0x22), (0x7F, 0x7F, 0x7F)),
    # Okabe & Ito: told apart with every common colour-vision deficiency
    "colour-blind": ((0xE6, 0x9F, 0x00), (0x00, 0x72, 0xB2), (0x00, 0x9E, 0x73), (0xCC, 0x79, 0xA7),
                     (0xF0, 0xE4, 0x42), (0x56, 0xB4, 0xE9), (0xD5, 0x5E, 0x00), (0x99, 0x99, 0x99)),
    # saturated ends far apart in lightness: readable on a washed-out projector
    "high-contrast": ((0xFF, 0x8C, 0x00), (0x00, 0x33, 0xCC), (0x00, 0xCC, 0x44), (0xCC, 0x00, 0xCC),
                      (0xFF, 0xFF, 0x00), (0x00, 0xCC, 0xFF), (0xFF, 0x00, 0x00), (0xFF, 0xFF, 0xFF)),
}
COLOUR_MODES = ("auto", "colour", "plain")   # auto: plain with NO_COLOR or a terminal of 16 colours or fewer
FILE_NAME = "prefs.json"


@dataclass(frozen=True)
class Prefs:
    """What is remembered: the class colour scheme and whether the map uses colour."""

    scheme: str = "standard"
    colour: str = "auto"

    def with_(self, **changes: str) -> Prefs:
        """A copy with changes, each checked (a bad value: ValueError naming the field and what is allowed)."""
        new = replace(self, **changes)
        if new.scheme not in SCHEMES:
            raise ValueError(f"scheme: {new.scheme!r} is not one of {', '.join(SCHEMES)}")
        if new.colour not in COLOUR_MODES:
            raise ValueError(f"colour: {new.colour!r} is not one of {', '.join(COLOUR_MODES)}")
        return new


def prefs_path() -> Path:
    """Where the preferences live (the platform's config directory for annplay)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("annplay", appauthor=False)) / FILE_NAME


def load(path: Path | None = None) -> Prefs:
    """The remembered preferences; defaults when the file is missing, unreadable or holds unknown values."""
    try:
        data = json.loads((path or prefs_path()).read_text(encoding="utf-8"))
        return Prefs().with_(**{k: str(v) for k, v in data.items() if k in ("scheme", "colour")})
    except (OSError, ValueError, TypeError, AttributeError):
        return Prefs()


def save(prefs: Prefs, path: Path | None = None) -> Path:
    """Remember prefs (written atomically); returns the file."""
    from annplay.engine.safefile import atomic_write_bytes

    target = path or prefs_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, json.dumps(asdict(prefs), indent=1).encode("utf-8"))
    return target


def use_colour(prefs: Prefs, env: Mapping[str, str] | None = None, colours: int = 1 << 24) -> bool:
    """True when the map is drawn in colour: the person's choice, else not with NO_COLOR or ≤ 16 colours."""
    if prefs.colour != "auto":
        return prefs.colour == "colour"
    env = os.environ if env is None else env
    return not env.get("NO_COLOR") and colours > 16


def apply_scheme(prefs: Prefs) -> None:
    """Make the drawing code use the scheme's class colours."""
    from annplay import boundary

    boundary.set_scheme(SCHEMES[prefs.scheme])
