"""The playground's run keys and setting changes (space, n, r, g, t, d, p, c, x, ?): a mixin of PlaygroundScreen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from annplay.engine.settings import SETTINGS, SettingError
from annplay.screens.teach_actions import TeachActions
from annplay.widgets.control_panel import DRAW_CLASSES, ControlPanel

REBUILDS = ("trainer", "network", "data")


class RunActions(TeachActions):
    """Training and data actions, and every setting change, through the session (layout stays in the screen)."""

    def _refresh_everything(self) -> None:
        """Redraw everything from the session (the playground screen defines it)."""
        raise NotImplementedError

    # --- changes --------------------------------------------------------------------

    def change_settings(self, changes: dict[str, Any]) -> None:
        """Apply setting changes through the session: live ones as training goes on, others rebuild."""
        rebuild = any(SETTINGS[name].apply in REBUILDS for name in changes)
        self._change(lambda: self.session.apply(**changes).kind, rebuild)

    def choose_data(self, name: str) -> None:
        """Switch the data: a data set, the CSV file, or the drawing."""
        self._change(lambda: self.session.choose_data(name).kind, True)

    def _change(self, do: Callable[[], str], rebuild: bool) -> None:
        """Run a change (pausing the worker for rebuilds); a refused one says why and changes nothing."""
        was_running = self.running
        if rebuild:
            self._stop()
        try:
            kind = do()
        except (SettingError, ValueError) as error:
            self.notify(str(error), title="Not possible", severity="error", markup=False)
            kind = "none"
        if kind in REBUILDS or kind == "view":
            self._refresh_everything()
        else:
            self.query_one(ControlPanel).sync()
        if rebuild and was_running and self.session.has_data:
            self._start()

    # --- run actions ----------------------------------------------------------------

    def action_play(self) -> None:
        """Start or pause training."""
        if self.running:
            self._stop()
            self._show_now()
        elif not self.session.has_data:
            self.notify("Tap the heat map to add points first (c switches the class).", title="No data")
        elif self._may_go_on():
            self._start()

    def _may_go_on(self) -> bool:
        """After a divergence: go on only with a smaller rate (the session decides); say why not."""
        why = self.session.resume()
        if why == "new weights":
            self.notify(f"The weights had blown up, so training starts again from new random weights "
                        f"at learn rate {self.session.setup.lr:g}.", title="New weights")
            self._refresh_everything()
        elif why:
            self.notify(why, title="Diverged", severity="warning", markup=False)
            return False
        return True

    def action_step(self) -> None:
        """Pause and train exactly one epoch."""
        if self.running:
            self._stop()
        if self.session.has_data and self._may_go_on():
            self.session.step(1)
            self._show_now()

    def action_reset(self) -> None:
        """Pause and start again from new random weights (same data)."""
        self._stop()
        self.session.reset()
        self._refresh_everything()

    def action_regenerate(self) -> None:
        """New data from the same generator (a new seed); the weights stay."""
        if self.session.drawn is not None:
            self.notify("Drawn data: press x to clear it, or pick a dataset.")
        else:
            self._change(lambda: self.session.regenerate().kind, True)

    def action_flip(self, name: str) -> None:
        """Flip an on/off view setting (test points, points, discrete colours)."""
        self.change_settings({name: not self.session.setup[name]})

    def action_next_class(self) -> None:
        """Switch the class that a tap draws."""
        panel = self.query_one(ControlPanel)
        panel.select_draw_class((panel.draw_class + 1) % DRAW_CLASSES)
        self.notify(f"Taps add class {panel.draw_class}", timeout=2)

    def action_clear_points(self) -> None:
        """Start an empty drawing (the network keeps its weights)."""
        def clear() -> str:
            self.session.set_drawn(())
            return "data"

        self._change(clear, True)

    def action_help(self) -> None:
        """Show every key and setting."""
        from annplay.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())
