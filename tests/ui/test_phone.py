"""Lessons and explain screens at phone (40×20) and projector (120×40) sizes, pushed as the hooks will push them."""

from __future__ import annotations

import numpy as np
import pytest

from annplay.app import PlaygroundApp
from annplay.core import explain
from annplay.core.lessons import LESSONS
from annplay.screens.explain_view import ExplainScreen, explanation_for
from annplay.screens.lessons_view import LessonsScreen, lesson_changes

from .conftest import SIZES, ready, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


async def test_explain_screen_shows_the_engines_numbers(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        net = screen.session.net
        before = [np.array(w) for w in net.weights]
        explainer = ExplainScreen(screen.session)
        app.push_screen(explainer)
        await wait_until(pilot, lambda: app.screen is explainer, "explain screen")
        await pilot.pause()
        text = "\n".join(screen_text(app))
        e = explanation_for(screen.session, explainer.explained, 0)
        assert "Layer 3/3" in text
        narrow = size[0] <= explain.NARROW + 4
        assert ("[1/" in text) == narrow                       # one equation at a time on a phone
        assert all(len(line.rstrip()) <= size[0] for line in screen_text(app))
        assert f"{e.Z.shape[0]}×{e.Z.shape[1]}" in text or f"{e.Z.shape[0]}x{e.Z.shape[1]}" in text or narrow
        await pilot.press("right", "up", "n")
        assert explainer.page_index == 1 and explainer.explained == 2 and explainer.batch_index == 1
        assert all(np.array_equal(a, b) for a, b in zip(before, net.weights, strict=True))   # weights unchanged
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back to the playground")


async def test_lessons_screen_picks_a_lesson_and_checks_its_goal(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        chosen: list = []
        picker = LessonsScreen(LESSONS[0], screen.session.setup, screen.session.metrics())
        app.push_screen(picker, chosen.append)
        await wait_until(pilot, lambda: app.screen is picker, "lessons screen")
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert LESSONS[0].title in text and "Goal:" in text and "Not yet" in text
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: chosen == [LESSONS[1]], "lesson 2 chosen")
        changes = lesson_changes(screen.session.setup, LESSONS[1])
        screen.changes.change_settings(changes)
        assert screen.session.setup == LESSONS[1].setup


async def test_screenshot_never_overwrites(size, tmp_path, monkeypatch):
    from annplay.screens.look import screenshot_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "annplay-1.svg").write_text("mine")
    assert screenshot_path(tmp_path).name == "annplay-2.svg"
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.action_screenshot()
        screen.action_screenshot()
    assert (tmp_path / "annplay-1.svg").read_text() == "mine"
    for name in ("annplay-2.svg", "annplay-3.svg"):
        assert (tmp_path / name).read_text().lstrip().startswith("<svg")


async def test_draw_mode_shows_whole_words(size):
    """At 40×20 draw mode read '✎ draw points  3…', 'loss chart: press' and 'Tap the map to / add points (c:'
    (a probe's screenshots): the state, the chart's hint and the tap hint now show whole, or leave a part out."""
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("x")
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "✎ draw points" in text and "draw points  3…" not in text
        assert "train" in text and "press" in text                  # the chart's hint, wrapped to its width
        assert "Tap to add points" in text and "class)" in text       # wrapped between words, never cut
