"""Setting changes: the controls' changes, the data keys (g t d p c x) and taps that draw points on the map."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from annplay.engine.settings import SETTINGS, SettingError
from annplay.screens.feature import Feature
from annplay.widgets.control_panel import DRAW_CLASSES, ControlPanel
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.keybar import BarBinding

REBUILDS = ("trainer", "network", "data")


class SettingChanges(Feature):
    """Every setting change goes through here to the session: live ones as training goes on, others rebuild."""

    BINDINGS = [
        BarBinding("g", "regenerate", "New data", tooltip="regenerate the data set (the weights stay)", rank=10),
        BarBinding("t", "flip('show_test')", "Test data", tooltip="show or hide the test points (◆)", rank=11),
        BarBinding("d", "flip('discretize')", "Discrete", tooltip="hard class colours instead of confidence",
                   rank=12),
        BarBinding("p", "flip('show_points')", "Points", tooltip="hide or show the data points (the map under them)",
                   rank=13),
        BarBinding("c", "next_class", "Draw class", show=False, tooltip="switch the class a tap on the map adds"),
        BarBinding("x", "clear_points", "Clear drawn", show=False, tooltip="start an empty drawing"),
        BarBinding("P", "draw_keys", "Draw by keys", show=False,
                   tooltip="a cursor on the map: arrows move it, enter draws a point of the Draw class"),
    ]

    def change_settings(self, changes: dict[str, Any]) -> None:
        """Apply setting changes through the session: live ones as training goes on, others rebuild."""
        rebuild = any(SETTINGS[name].apply in REBUILDS for name in changes)
        self.change(lambda: self.session.apply(**changes).kind, rebuild)

    def from_palette(self, title: str, changes: dict[str, Any]) -> None:
        """A setting value picked in the command palette: changed, and said (the palette closes without a word)."""
        self.change_settings(changes)
        if all(self.session.setup[name] == value for name, value in changes.items()):
            self.notify(f"Set {title}", timeout=3, markup=False)

    def choose_data(self, name: str) -> None:
        """Switch the data: a data set, the CSV file, or the drawing."""
        self.change(lambda: self.session.choose_data(name).kind, True)

    def change(self, do: Callable[[], str], rebuild: bool) -> None:
        """Run a change (pausing the worker for rebuilds); a refused one says why and changes nothing."""
        run = self.host.run
        was_running = run.running
        if rebuild:
            run.stop()
        try:
            kind = do()
        except (SettingError, ValueError) as error:
            self.notify(str(error), title="Not possible", severity="error", markup=False)
            kind = "none"
        if kind in REBUILDS or kind == "view":
            self.host.refresh_everything()
        else:
            self.host.query_one(ControlPanel).sync()
        if rebuild and was_running and self.session.has_data:
            run.start()

    def add_point(self, x1: float, x2: float) -> None:
        """A tap on the map: add a point of the selected class; the first tap turns the data into a drawing."""
        draw_class = self.host.query_one(ControlPanel).draw_class

        def tap() -> str:
            self.session.add_point(x1, x2, draw_class)
            if not self.session.setup.show_points:
                self.session.apply(show_points=True)     # show the point just drawn
            return "data"

        self.change(tap, True)

    def action_regenerate(self) -> None:
        """New data from the same generator (a new seed); the weights stay."""
        if self.session.drawn is not None:
            self.notify("Drawn data: press x to clear it, or pick a dataset.")
        else:
            self.change(lambda: self.session.regenerate().kind, True)

    def action_flip(self, name: str) -> None:
        """Flip an on/off view setting (test points, points, discrete colours)."""
        self.change_settings({name: not self.session.setup[name]})

    def action_next_class(self) -> None:
        """Switch the class that a tap draws."""
        panel = self.host.query_one(ControlPanel)
        panel.select_draw_class((panel.draw_class + 1) % DRAW_CLASSES)
        self.notify(f"Taps add class {panel.draw_class}", timeout=2)

    def action_draw_keys(self) -> None:
        """Put the keyboard on the map: its cursor draws where a tap would."""
        self.host.query_one(HeatMap).focus()
        self.notify("Arrows move the cursor, enter draws (c: class, tab: leave)", timeout=3)

    def action_clear_points(self) -> None:
        """Start an empty drawing (the network keeps its weights)."""
        def clear() -> str:
            self.session.set_drawn(())
            return "data"

        self.change(clear, True)
