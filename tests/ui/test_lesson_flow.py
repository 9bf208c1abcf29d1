"""Pilot tests: a lesson's epoch budget stops training, another set-up closes the lesson, both ways of opening a
lesson announce it alike, a passed lesson is announced once, and the Lessons view is framed when wide."""

from __future__ import annotations

import pytest
from textual.containers import Vertical

from annplay.app import PlaygroundApp
from annplay.core.lessons import LESSONS, load_lesson
from annplay.engine.setup import Setup
from annplay.screens.lessons_view import LessonsScreen
from annplay.screens.playground import PlaygroundScreen

from .conftest import SIZES, ready, record_notifications, screen_text, wait_until

ids = lambda s: f"{s[0]}x{s[1]}"     # noqa: E731


async def open_with_lesson(pilot, app: PlaygroundApp) -> PlaygroundScreen:
    """The app started with a lesson (as --lesson does): past its card, on the playground."""
    await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lesson's card")
    await pilot.press("escape")
    await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen), "the playground")
    return await ready(pilot)


def goal_text(screen: PlaygroundScreen) -> str:
    """The goal line's words (its own line breaks read as spaces)."""
    return str(screen.query_one("#stats-goal").render()).replace("\n", " ")


@pytest.mark.parametrize("size", [(40, 20), (60, 30)], ids=ids)
async def test_the_goal_line_leaves_no_word_alone_on_its_last_row(size):
    """A probe at 40×20: lesson 1 on the default 4-2 net wrapped 'Goal ✗ hidden / layers 1 (≤ 0) +1 / more'."""
    lesson = load_lesson(1)
    app = PlaygroundApp(Setup(), lesson=lesson)             # its goal unmet: two hidden layers, not none
    async with app.run_test(size=size) as pilot:
        screen = await open_with_lesson(pilot, app)
        goal = screen.query_one("#stats-goal")
        await wait_until(pilot, lambda: "+1 more" in goal_text(screen) and goal.region.height >= 2,
                         "the goal line on two rows or more")
        region = goal.region
        rows = [line[region.x:region.right].strip() for line in screen_text(app)[region.y:region.bottom]]
        assert "more" in rows[-1] and len(rows[-1].split()) >= 2, rows


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_lesson_3_stops_at_its_epoch_budget_and_says_it_was_missed(size):
    lesson = load_lesson(3)
    app = PlaygroundApp(lesson.setup, lesson=lesson)
    async with app.run_test(size=size) as pilot:
        screen = await open_with_lesson(pilot, app)
        assert screen.session.setup.epochs == 500
        screen.run.set_speed(None)                                          # max: the budget is tested, not the pace
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.session.epoch >= 500 and not screen.running, "training to stop")
        assert screen.session.epoch == 500                              # not one epoch past the budget
        await wait_until(pilot, lambda: "missed" in goal_text(screen).lower(), "the goal line saying missed")
        assert "at epoch 500" in goal_text(screen) and "press r" in goal_text(screen)
        assert "missed" in "\n".join(screen_text(app)).lower()


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_opening_another_set_up_closes_the_lesson(size):
    lesson = load_lesson(3)
    app = PlaygroundApp(lesson.setup, lesson=lesson)
    async with app.run_test(size=size) as pilot:
        screen = await open_with_lesson(pilot, app)
        await wait_until(pilot, lambda: "Goal" in goal_text(screen), "the goal line")
        notes = record_notifications(app)
        await pilot.press("i")
        await pilot.press(*"ap1:ds=xor;h=4;lr=0.1", "enter")
        await wait_until(pilot, lambda: screen.session.setup.dataset == "xor", "the set-up opened")
        assert screen.lessons.lesson is None
        assert any("Lesson 3 closed" in note.message for note in notes)
        await wait_until(pilot, lambda: "Goal" not in "\n".join(screen_text(app)), "the goal line gone")
        assert "Lesson 3 closed" in "\n".join(screen_text(app)).replace("\n", " ") or size[0] < 60


async def test_a_pinned_run_or_sweep_row_closes_the_lesson_too():
    lesson = load_lesson(2)
    app = PlaygroundApp(lesson.setup, lesson=lesson)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_with_lesson(pilot, app)
        notes = record_notifications(app)
        assert screen.setups.adopt(Setup(dataset="circle"))                    # what the Runs and Sweep views hand back
        assert screen.lessons.lesson is None and any("Lesson 2 closed" in note.message for note in notes)
        assert screen.setups.adopt(Setup(dataset="xor"))
        assert not any("closed" in note.message for note in notes[-1:])   # no lesson open: nothing to close


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_dash_dash_lesson_and_L_enter_announce_the_lesson_alike(size):
    lesson = load_lesson(2)
    app = PlaygroundApp(lesson.setup, lesson=lesson)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lesson's card")
        notes = record_notifications(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: any(note.title.startswith("Lesson 2:") for note in notes), "the banner")
        screen = await ready(pilot)
        assert screen.lessons.lesson is lesson
        from_cli = [note for note in notes if note.title.startswith("Lesson 2:")]
        await wait_until(pilot, lambda: "Goal" in goal_text(screen), "the goal line")
        notes.clear()
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lessons view")
        await pilot.press("enter")                                      # the open lesson is highlighted: lesson 2
        await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen), "the playground")
        await wait_until(pilot, lambda: any(note.title.startswith("Lesson 2:") for note in notes), "the banner")
        from_keys = [note for note in notes if note.title.startswith("Lesson 2:")]
        assert [(n.title, n.message) for n in from_keys] == [(n.title, n.message) for n in from_cli]
        assert screen.lessons.lesson is lesson and "Goal" in goal_text(screen)


@pytest.mark.parametrize("size", SIZES, ids=ids)
async def test_a_passed_lesson_is_announced_once_and_L_offers_the_next(size):
    lesson = LESSONS[0]
    app = PlaygroundApp(lesson.solved_setup(), lesson=lesson)
    async with app.run_test(size=size) as pilot:
        screen = await open_with_lesson(pilot, app)
        notes = record_notifications(app)
        await pilot.press("space")
        await wait_until(pilot, lambda: any("passed" in note.message for note in notes), "the passed note")
        await pilot.press("space")
        epoch = screen.session.epoch
        await pilot.press("n", "n")
        await wait_until(pilot, lambda: screen.session.epoch >= epoch + 2, "two more epochs")
        passed = [note.message for note in notes if "passed" in note.message]
        assert passed == [f"Lesson {lesson.number} passed ✓ — L for lesson {LESSONS[1].number}"]
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lessons view")
        assert app.screen.query_one("#lesson-list").highlighted == 1     # the next lesson is offered


@pytest.mark.parametrize("size", [(40, 20), (100, 30), (120, 40)], ids=ids)
async def test_the_lessons_view_covers_its_area_framed_when_wide(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lessons view")
        await pilot.pause()
        box = app.screen.query_one(Vertical)
        lines = screen_text(app)
        if size[0] >= 84:
            assert box.region.x > 0 and box.region.right < size[0]
            assert lines[box.region.y][box.region.x] == "╭" and "Lessons" in lines[box.region.y]
            card = app.screen.query_one("#lesson-card").region
            assert card.x >= box.region.x + 2 and card.y > box.region.y    # padding inside the frame
        else:
            bar = app.screen.query_one("KeyBar").region                  # the whole screen with its own key bar
            assert box.region.union(bar) == app.screen.region and bar.y == size[1] - 1


async def test_the_goal_line_shows_the_test_loss_the_table_shows():
    """A probe at 40×20: while training the goal line said 'test loss 0.00788' each frame beside the table's
    'tst 0.0085', drawn at its slower, readable pace; the goal is still checked (and passed) every frame."""
    from annplay.engine.trainer import Metrics
    from annplay.widgets.stats import StatsPanel

    lesson = load_lesson(1)
    app = PlaygroundApp(lesson.setup.with_(hidden=()), lesson=lesson)
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await open_with_lesson(pilot, app)
        stats = screen.query_one(StatsPanel)
        screen.lessons.show_goal(Metrics(5, 0.9, 0.8, 0.5, 0.5), draw=True)
        shown = goal_text(screen)
        assert "0.8" in shown
        screen.lessons.show_goal(Metrics(6, 0.9, 0.7, 0.5, 0.5), draw=False)        # a frame between the numbers
        assert goal_text(screen) == shown and stats.goal[0] and not stats.goal[1]
        screen.lessons.show_goal(Metrics(7, 0.01, 0.01, 1.0, 1.0), draw=False)     # reached: shown at once
        assert stats.goal[1] and "✓" in goal_text(screen) and screen.lessons.passed is lesson
