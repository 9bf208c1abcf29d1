"""The playground's teaching keys: lessons, explain mode and the colour scheme (screens pushed, no layout)."""

from __future__ import annotations

import contextlib
from typing import Any

from annplay.screens import describe
from annplay.screens.setup_actions import SetupActions
from annplay.widgets.stats import StatsPanel


def next_lesson(lesson: Any) -> Any:
    """The shipped lesson after ``lesson`` (None after the last, or for a teacher's own file)."""
    from annplay.core.lessons import LESSONS

    later = [other for other in LESSONS if other.number > lesson.number] if lesson in LESSONS else []
    return later[0] if later else None


class TeachActions(SetupActions):
    """Actions for a class (their keys are in the playground's BINDINGS): lessons, explain mode, colours."""

    explain_pass: tuple[Any, int, bool] = (None, 0, False)   # (pass key, next batch, skipped one) of explain mode

    def change_settings(self, changes: dict[str, Any]) -> None:
        """Apply setting changes (the playground screen defines it)."""
        raise NotImplementedError

    def action_lessons(self) -> None:
        """The Lessons view; a chosen lesson's set-up replaces the current one."""
        self.show_lessons()

    def show_lessons(self, lesson: Any = None) -> None:
        """The Lessons view on the open lesson (the next one once it is passed); enter opens the highlighted lesson
        (its set-up, fresh weights), escape keeps the set-up as it is.

        ``lesson`` (``--lesson``): it becomes the open lesson on the current set-up at once, and leaving the view
        either way announces it, as enter does."""
        from annplay.screens.lessons import LessonsScreen

        if lesson is not None:
            self.lesson, self.lesson_passed = lesson, None
        start = next_lesson(self.lesson) if self.lesson is not None and self.lesson_passed is self.lesson else None

        def opened(chosen: Any) -> None:
            if chosen is not None:
                self.adopt(chosen.setup, lesson=chosen)
            elif lesson is not None and self.lesson is lesson:
                self.announce_lesson(lesson)

        self.app.push_screen(LessonsScreen(self.lesson, self.session.setup, self.session.metrics(), start=start),
                             opened)

    def _show(self, snap: Any, rows: Any = None) -> None:
        """Draw a frame with the open lesson's goal line; announce the goal the first time it is reached."""
        super()._show(snap, rows)
        lesson, epoch = self.lesson, snap.metrics.epoch
        texts, reached = describe.goal_line(lesson, self.session.setup, snap.metrics) if lesson else ((), False)
        if reached:
            self.lesson_passed_now(epoch)
        elif lesson is not None and self.lesson_passed is lesson and epoch >= self.lesson_passed_at:
            texts, reached = describe.passed_line(lesson, self.lesson_passed_at, self.session.setup), True
        self.query_one(StatsPanel).show_goal(texts, reached)     # passed stays passed while this run goes on

    lesson_passed_at = 0                   # the epoch at which the open lesson was passed

    def lesson_passed_now(self, epoch: int = 0) -> None:
        """Once per opened lesson, when its goal is reached: 'Lesson 3 passed ✓ — L for lesson 4' (message line);
        the pass is remembered in the person's lesson progress."""
        from annplay.core.progress import mark_passed

        lesson = self.lesson
        if lesson is None or self.lesson_passed is lesson:
            return
        self.lesson_passed, self.lesson_passed_at = lesson, epoch
        with contextlib.suppress(OSError, ValueError):   # a read-only home: it passes, only not remembered
            mark_passed(lesson)
        following = next_lesson(lesson)
        then = f"L for lesson {following.number}" if following is not None else "that was the last lesson"
        self.notify(f"Lesson {lesson.number} passed ✓ — {then}", timeout=8, markup=False)

    def action_explain(self) -> None:
        """Explain mode for the selected neuron's layer (else the output layer); pauses training first.

        Its s key steps the session's network one mini-batch; on closing, the epoch, numbers and map are redrawn.
        Where it was in the pass is remembered while nothing else trains this network.
        """
        from annplay.core.explain import pass_key
        from annplay.screens.explain import ExplainScreen

        if self.running:
            self._stop()
            self._show_now()
        key, batch, skipped = self.explain_pass
        if key != pass_key(self.session):
            batch, skipped = 0, False
        screen = ExplainScreen(self.session, self.neuron[0] if self.neuron else None, batch, skipped=skipped)

        def closed(steps: int | None) -> None:
            self.explain_pass = (pass_key(self.session), screen.batch_index % max(1, screen.batches), screen.skipped)
            if steps:
                self._show_now()
                done = screen.batch_index % max(1, screen.batches)
                into = "" if not done else f", next batch {done + 1} of {screen.batches}" if screen.skipped \
                    else f" + {done} of {screen.batches} batches"
                self.notify(f"{steps} mini-batch step{'s' if steps > 1 else ''} taken: epoch {self.session.epoch}"
                            f"{into}", title="Explain mode", timeout=4, markup=False)

        self.app.push_screen(screen, closed)

    def action_look(self) -> None:
        """Cycle the look: standard → colour-blind → high-contrast → plain map → standard (remembered)."""
        from annplay.core.prefs import SCHEMES

        order = [(s, "auto") for s in SCHEMES] + [("standard", "plain")]
        now = (self.prefs.scheme, self.prefs.colour)
        scheme, colour = order[(order.index(now) + 1) % len(order)] if now in order else order[0]
        self.notify(self.set_look(scheme=scheme, colour=colour), timeout=4, markup=False)
