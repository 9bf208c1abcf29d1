"""The lesson flow: the Lessons view (L), the open lesson, its goal line in every frame, and its passing."""

from __future__ import annotations

from typing import Any

from annplay.core.textsafe import plain
from annplay.screens import describe
from annplay.screens.feature import Feature, Host
from annplay.widgets.keybar import BarBinding
from annplay.widgets.stats import StatsPanel


def lesson_name(lesson: Any) -> str:
    """'Lesson 3', or 'Own lesson' for a teacher's file without a number (never 'Lesson 0')."""
    return f"Lesson {lesson.number}" if lesson.number else "Own lesson"


def next_lesson(lesson: Any) -> Any:
    """The shipped lesson after ``lesson`` (None after the last, or for a teacher's own file)."""
    from annplay.core.lessons import LESSONS

    later = [other for other in LESSONS if other.number > lesson.number] if lesson in LESSONS else []
    return later[0] if later else None


class LessonFlow(Feature):
    """Owns the open lesson (its goal is checked in every frame) and whether its passing was announced."""

    BINDINGS = [
        BarBinding("L", "lessons", "Lessons", show=False, menu=True,
                   tooltip="the lessons: pick one, see its goal checked"),
    ]

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self._lesson: Any = None
        self.passed: Any = None                 # the open lesson once its passing was announced

    @property
    def lesson(self) -> Any:
        """The open lesson: its goal line shows under the numbers in every frame."""
        return self._lesson

    @lesson.setter
    def lesson(self, lesson: Any) -> None:
        from annplay.core.lessons import pinned_settings

        self._lesson = lesson
        self.session.pins = pinned_settings(lesson)       # the doctor's fixes keep what the goal pins
        host = self.host
        if getattr(host, "is_mounted", False):
            host.call_after_refresh(self._opened)

    def _opened(self) -> None:
        """Room for the goal line, and a frame that shows it."""
        self.host.apply_layout()
        self.host.painter.show_now(record=False)

    def switch_to(self, lesson: Any) -> Any:
        """A new set-up was adopted, starting ``lesson`` (or none): the lesson it closed, if any."""
        closed = self.lesson if self.lesson is not None and self.lesson is not lesson else None
        if self.lesson is not lesson:
            self.lesson = lesson
        self.passed = None
        return closed

    def action_lessons(self) -> None:
        """The Lessons view; a chosen lesson's set-up replaces the current one."""
        self.show_lessons()

    def show_lessons(self, lesson: Any = None) -> None:
        """The Lessons view on the open lesson (the next one once it is passed); enter opens the highlighted lesson
        (its set-up, fresh weights), escape keeps the set-up as it is.

        ``lesson`` (``--lesson``): it becomes the open lesson on the current set-up at once, and leaving the view
        either way announces it, as enter does."""
        from annplay.screens.lessons_view import LessonsScreen

        if lesson is not None:
            self.lesson, self.passed = lesson, None
        start = next_lesson(self.lesson) if self.lesson is not None and self.passed is self.lesson else None

        def opened(chosen: Any) -> None:
            if chosen is not None:
                self.host.setups.adopt(chosen.setup, lesson=chosen)
            elif lesson is not None and self.lesson is lesson:
                self.announce(lesson)

        self.host.app.push_screen(LessonsScreen(self.lesson, self.session.setup, self.session.metrics(),
                                                start=start, tampered=set(self.session.tampered)), opened)

    def announce(self, lesson: Any) -> None:
        """The message line names the open lesson and its goal (the goal line under the numbers stays)."""
        self.notify(f"Goal: {plain(lesson.goal_text)}", title=f"{lesson_name(lesson)}: {plain(lesson.title)}",
                    timeout=6, markup=False)

    def show_goal(self, metrics: Any, draw: bool = True) -> None:
        """(Every frame) the open lesson's goal is checked, reached the first time is announced; its line is drawn
        with the numbers (``draw``: at their readable pace while training, so the goal's test loss is the table's,
        not a newer one beside it) or when the goal is met or unmet anew."""
        lesson, epoch = self.lesson, metrics.epoch
        texts, reached = (describe.goal_line(lesson, self.session.setup, metrics, self.session.tampered) if lesson
                          else ((), False))
        if reached:
            self.passed_now(epoch)
        elif lesson is not None and self.passed is lesson and epoch >= self.passed_at:
            texts, reached = describe.passed_line(lesson, self.passed_at, self.session.setup), True
        stats = self.host.query_one(StatsPanel)
        if draw or reached != stats.goal[1] or not texts:
            stats.show_goal(texts, reached)                      # passed stays passed while the run goes on

    passed_at = 0                          # the epoch at which the open lesson was passed

    def passed_now(self, epoch: int = 0) -> None:
        """Once per opened lesson, when its goal is reached: 'Lesson 3 passed ✓ — L for lesson 4' (message line);
        the pass is remembered in the person's lesson progress."""
        import contextlib

        from annplay.core.progress import mark_passed

        lesson = self.lesson
        if lesson is None or self.passed is lesson:
            return
        self.passed, self.passed_at = lesson, epoch
        with contextlib.suppress(OSError, ValueError):   # a read-only home: it passes, only not remembered
            mark_passed(lesson)
        following = next_lesson(lesson)
        then = f"L for lesson {following.number}" if following is not None else "that was the last lesson"
        self.notify(f"{lesson_name(lesson)} passed ✓ — {then}", timeout=8, markup=False)
