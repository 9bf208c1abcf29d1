"""The playground's teaching keys: lessons, explain mode and the colour scheme (screens pushed, no layout)."""

from __future__ import annotations

from typing import Any

from annplay.screens.setup_actions import SetupActions


class TeachActions(SetupActions):
    """Actions for a class (their keys are in the playground's BINDINGS): lessons, explain mode, colours."""

    lesson: Any = None

    def change_settings(self, changes: dict[str, Any]) -> None:
        """Apply setting changes (the playground screen defines it)."""
        raise NotImplementedError

    def action_lessons(self) -> None:
        """The Lessons view; a chosen lesson's set-up replaces the current one."""
        from annplay.screens.lessons import LessonsScreen, lesson_changes

        def opened(lesson: Any) -> None:
            if lesson is not None:
                self.lesson = lesson
                self.change_settings(lesson_changes(self.session.setup, lesson))
                self.notify(lesson.goal_text, title=f"Lesson {lesson.number}: {lesson.title}", timeout=6,
                            markup=False)

        self.app.push_screen(LessonsScreen(self.lesson, self.session.setup, self.session.metrics()), opened)

    def action_explain(self) -> None:
        """Explain mode for the selected neuron's layer (else the output layer); pauses training."""
        from annplay.screens.explain import ExplainScreen

        if self.running:
            self._stop()
            self._show_now()
        self.app.push_screen(ExplainScreen(self.session, self.neuron[0] if self.neuron else None))

    def action_look(self) -> None:
        """Cycle the look: standard → colour-blind → high-contrast → plain map → standard (remembered)."""
        from annplay.prefs import SCHEMES

        order = [(s, "auto") for s in SCHEMES] + [("standard", "plain")]
        now = (self.prefs.scheme, self.prefs.colour)
        scheme, colour = order[(order.index(now) + 1) % len(order)] if now in order else order[0]
        self.notify(self.set_look(scheme=scheme, colour=colour), timeout=4, markup=False)
