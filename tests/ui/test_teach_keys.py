"""Pilot tests: the teaching keys reach their screens and settings (speed, lessons, explain, colours, screenshot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annplay.app import PlaygroundApp
from annplay.screens.explain_view import ExplainScreen
from annplay.screens.lessons_view import LessonsScreen

from .conftest import SIZES, ready, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


async def test_comma_and_full_stop_change_the_speed(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        assert screen.run.speed == 30                     # a watchable pace to start with
        await pilot.press("comma")
        slower = screen.run.speed
        assert slower is not None and slower < 30
        await pilot.press("comma")
        assert screen.run.speed is not None and screen.run.speed < slower
        await pilot.press("full_stop", "full_stop", "full_stop", "full_stop", "full_stop")
        assert screen.run.speed is None                   # max is a choice


async def test_L_opens_the_lessons_and_E_explains(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lessons view")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, LessonsScreen), "back from the lessons")
        await pilot.press("E")
        await wait_until(pilot, lambda: isinstance(app.screen, ExplainScreen), "explain mode")


async def test_K_cycles_the_colours_and_f_saves_a_screenshot(size, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        before = (screen.look.prefs.scheme, screen.look.prefs.colour)
        await pilot.press("K")
        assert (screen.look.prefs.scheme, screen.look.prefs.colour) != before
        await pilot.press("f")
        await wait_until(pilot, lambda: any(tmp_path.glob("annplay-*.svg")), "the screenshot file")
