"""The playground's teaching keys: lessons, explain mode and the colour scheme (screens pushed, no layout)."""

from __future__ import annotations

from typing import Any

from annplay.screens.setup_actions import SetupActions


class TeachActions(SetupActions):
    """Actions for a class (their keys are in the playground's BINDINGS): lessons, explain mode, colours."""

    lesson: Any = None
    explain_pass: tuple[Any, int, bool] = (None, 0, False)   # (pass key, next batch, skipped one) of explain mode

    def change_settings(self, changes: dict[str, Any]) -> None:
        """Apply setting changes (the playground screen defines it)."""
        raise NotImplementedError

    def action_lessons(self) -> None:
        """The Lessons view; a chosen lesson's set-up replaces the current one."""
        self.show_lessons()

    def show_lessons(self, lesson: Any = None) -> None:
        """The Lessons view on ``lesson`` (else the open one), which becomes the open lesson; enter opens the
        highlighted lesson (its set-up replaces the current one), escape keeps the set-up as it is."""
        from annplay.screens.lessons import LessonsScreen, lesson_changes

        if lesson is not None:
            self.lesson = lesson

        def opened(chosen: Any) -> None:
            if chosen is not None:
                self.lesson = chosen
                self.change_settings(lesson_changes(self.session.setup, chosen))
                self.notify(chosen.goal_text, title=f"Lesson {chosen.number}: {chosen.title}", timeout=6,
                            markup=False)

        self.app.push_screen(LessonsScreen(self.lesson, self.session.setup, self.session.metrics()), opened)

    def action_explain(self) -> None:
        """Explain mode for the selected neuron's layer (else the output layer); pauses training first.

        Its s key steps the session's network one mini-batch; on closing, the epoch, numbers and map are redrawn.
        Where it was in the pass is remembered while nothing else trains this network.
        """
        from annplay.explain import pass_key
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
        from annplay.prefs import SCHEMES

        order = [(s, "auto") for s in SCHEMES] + [("standard", "plain")]
        now = (self.prefs.scheme, self.prefs.colour)
        scheme, colour = order[(order.index(now) + 1) % len(order)] if now in order else order[0]
        self.notify(self.set_look(scheme=scheme, colour=colour), timeout=4, markup=False)
