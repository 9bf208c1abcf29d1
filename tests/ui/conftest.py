"""Helpers for the Pilot tests of the playground app."""

from __future__ import annotations

from typing import Callable

import pytest

from annplay.app import PlaygroundApp
from annplay.screens.playground import PlaygroundScreen

SIZES = [(40, 20), (120, 40)]
ALL_SIZES = [(40, 20), (60, 30), (80, 24), (120, 40)]


async def wait_until(pilot, condition: Callable[[], bool], what: str = "condition", limit: int = 2000) -> None:
    """Let the app run until condition() holds (bounded; polls the app's state, asserts no timing)."""
    for _ in range(limit):
        if condition():
            return
        await pilot.pause(0.005)
    raise AssertionError(f"gave up waiting for {what}")


async def ready(pilot) -> PlaygroundScreen:
    """The playground screen once its data, network and picture are built."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PlaygroundScreen)
                     and pilot.app.screen.trainer is not None and pilot.app.screen.picture[0] > 0, "first build")
    return pilot.app.screen


def screen_text(app) -> list[str]:
    """The whole screen as plain text lines (what a person reads, without colours)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.fixture
def app() -> PlaygroundApp:
    return PlaygroundApp()
