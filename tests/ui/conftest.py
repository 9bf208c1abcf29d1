"""Helpers for the Pilot tests of the playground app (public Textual API only)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from annplay.app import PlaygroundApp
from annplay.core import prefs
from annplay.screens.playground import PlaygroundScreen

SIZES = [(40, 20), (120, 40)]
ALL_SIZES = [(40, 20), (60, 30), (80, 24), (120, 40)]
CELL_WIDTH = 12.2             # Rich's SVG export: pixels per terminal column
_SVG_TEXT = re.compile(r'<text[^>]*\bx="([\d.]+)"[^>]*clip-path="url\(#[\w-]*-line-(\d+)\)">(.*?)</text>')


async def wait_until(pilot, condition: Callable[[], bool], what: str = "condition", limit: int = 2000) -> None:
    """Let the app run until condition() holds (bounded; polls the app's state, asserts no timing)."""
    for _ in range(limit):
        if condition():
            return
        await pilot.pause(0.005)
    raise AssertionError(f"gave up waiting for {what}")


async def ready(pilot) -> PlaygroundScreen:
    """The playground screen once its first frame (numbers and picture) is shown."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PlaygroundScreen)
                     and pilot.app.screen.frames > 0 and pilot.app.screen.picture[0] > 0
                     and not pilot.app.screen.query("Lazy") and pilot.app.screen.query("#more-keys"),
                     "first frame and every control (the MORE buttons come a refresh later)")
    return pilot.app.screen


def screen_text(app) -> list[str]:
    """The whole screen as plain text lines (what a person reads), from the app's public SVG screenshot."""
    width, height = app.size
    lines = [[" "] * width for _ in range(height)]
    for x, line, text in _SVG_TEXT.findall(app.export_screenshot()):
        row, col = int(line), round(float(x) / CELL_WIDTH)
        for i, ch in enumerate(html.unescape(text).replace("\xa0", " ")):
            if 0 <= row < height and 0 <= col + i < width:
                lines[row][col + i] = ch
    return ["".join(chars) for chars in lines]


def record_notifications(app) -> list[Any]:
    """Every notification the app shows from now on (title, message, severity), via its public notify()."""
    seen: list[Any] = []
    original = app.notify

    def notify(message: str, *, title: str = "", severity: str = "information", **kwargs: Any) -> None:
        seen.append(type("Note", (), {"message": str(message), "title": title, "severity": severity})())
        original(message, title=title, severity=severity, **kwargs)

    app.notify = notify
    return seen


@pytest.fixture
def private_prefs(tmp_path, monkeypatch):
    """Every test remembers its preferences in a file of its own, never the person's."""
    path = tmp_path / "prefs.json"
    monkeypatch.setattr(prefs, "prefs_path", lambda: path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield path
    prefs.apply_scheme(prefs.Prefs())


@pytest.fixture
def app() -> PlaygroundApp:
    return PlaygroundApp()
