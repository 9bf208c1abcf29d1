"""Issue 17.2.7: a passed lesson stays passed while its run goes on (lesson 2's goal line flipped between ✓ and
✗), the pass is remembered, and the Lessons view shows ✓ beside every lesson passed; a teacher's own lesson is
never listed as '0.'."""

from __future__ import annotations

from dataclasses import replace

from annplay.app import PlaygroundApp
from annplay.core.lessons import LESSONS, parse_lesson
from annplay.core.progress import is_passed
from annplay.screens.lessons_view import LessonsScreen, lesson_label
from annplay.widgets.stats import StatsPanel

from .conftest import ready, screen_text, wait_until


def frame(screen, **metrics):
    """A frame of the live run with these metrics (as the worker would hand one over)."""
    snap = screen.session.snapshot(changed_only=False)
    return replace(snap, metrics=replace(snap.metrics, **metrics))


async def test_a_passed_lesson_stays_passed_and_is_remembered():
    lesson = LESSONS[1]                                   # XOR: test accuracy ≥ 95 %
    app = PlaygroundApp(lesson.solved_setup(), lesson=lesson)
    async with app.run_test(size=(40, 20)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lesson's card")
        await pilot.press("escape")
        screen = await ready(pilot)
        stats = screen.query_one(StatsPanel)
        screen.painter.show(frame(screen, epoch=120, test_acc=0.97))
        assert stats.goal[1] and is_passed(lesson)
        screen.painter.show(frame(screen, epoch=140, test_acc=0.93))             # a dip while training goes on
        assert stats.goal[1] and "passed at epoch 120" in stats.goal[0][0]
        screen.painter.show(frame(screen, epoch=0, test_acc=0.5))                # a new run (r): the goal is live again
        assert not stats.goal[1]
        picker = LessonsScreen(lesson, screen.session.setup, screen.session.metrics())
        app.push_screen(picker)
        await wait_until(pilot, lambda: app.screen is picker, "the Lessons view")
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert f"✓ 2. {lesson.title}" in text and f"✓ 1. {LESSONS[0].title}" not in text


def test_a_teachers_own_lesson_has_no_number_zero():
    own = parse_lesson('[lesson]\ntitle = "Mine"\ntext = "Try it."\ngoal_text = "3 epochs"\n'
                       'goal = { min_epochs = 3 }\n[setup]\ndataset = "gauss"\n')
    assert own.number == 0 and lesson_label(own) == "Own lesson: Mine"
    assert lesson_label(LESSONS[2]).startswith("3. ")
