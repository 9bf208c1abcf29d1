"""The playground screen: layout and event handlers over a Session; training runs in a thread worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Static

from annplay import boundary as bd
from annplay.engine.settings import SETTINGS, SettingError
from annplay.screens import describe
from annplay.screens.panels import PANELS
from annplay.screens.teach_actions import TeachActions
from annplay.session import DRAWN
from annplay.widgets.control_panel import DRAW_CLASSES, ControlPanel
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.netview import NetView, columns_width
from annplay.widgets.stats import StatsPanel

WIDE_COLUMNS = 100              # side by side from here on
CONTROLS_WIDTH = 38             # the controls column when side by side
STATS_MIN_WIDTH = 20            # the numbers beside the heat map
EDITOR_MAX_WIDTH = 58           # the weight editor scrolls sideways beyond this (wide layout)
MIN_HEAT_WIDTH = 30             # the heat map keeps at least this many columns beside a wide panel
REBUILDS = ("trainer", "network", "data")


class PlaygroundScreen(TeachActions):
    """TensorFlow Playground in a terminal: press space to train."""

    DEFAULT_CSS = """
    PlaygroundScreen { layout: vertical; }
    #body { height: 1fr; layout: vertical; }
    #view { height: 10; layout: horizontal; }
    #view > HeatMap { width: 20; height: 1fr; }
    #view > StatsPanel { width: 1fr; min-width: 18; }
    #side { height: 1fr; border-top: solid $primary 40%; }
    #panel-tabs { height: 1; }
    #panel-tabs > Button { margin: 0 1 0 0; min-width: 4; }
    #panel-tabs > Button.-active { text-style: bold reverse; }
    #network-panel { height: 1fr; display: none; }
    #network-info { height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    #editor { display: none; }
    PlaygroundScreen.-wide #run-buttons > #btn-help { display: none; }   /* no room; the footer shows ? Help */
    PlaygroundScreen.-wide #body { layout: horizontal; }
    PlaygroundScreen.-wide #side { dock: left; width: CONTROLS_WIDTH; height: 1fr; border-top: none;
                                    border-right: solid $primary 40%; }
    PlaygroundScreen.-wide #view { height: 1fr; width: 1fr; }
    """.replace("CONTROLS_WIDTH", str(CONTROLS_WIDTH))

    BINDINGS = [
        Binding("space", "play", "Play", key_display="␣", tooltip="start or pause training"),
        Binding("n", "step", "Step", tooltip="pause and train exactly one epoch"),
        Binding("r", "reset", "Reset", tooltip="pause; new random weights, epoch 0"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="this list of keys"),
        Binding("v", "toggle_network", "Net",
                tooltip="the network view: every neuron's map and weights (v again: controls)"),
        Binding("w", "toggle_weights", "Weights",
                tooltip="edit the weights by hand; pauses training (w again: controls)"),
        Binding("g", "regenerate", "New data", tooltip="regenerate the data set (the weights stay)"),
        Binding("t", "flip('show_test')", "Test data", tooltip="show or hide the test points (◆)"),
        Binding("d", "flip('discretize')", "Discrete", tooltip="hard class colours instead of confidence"),
        Binding("p", "flip('show_points')", "Points", tooltip="hide or show the data points (the map under them)"),
        Binding("c", "next_class", "Draw class", show=False, tooltip="switch the class a tap on the map adds"),
        Binding("x", "clear_points", "Clear drawn", show=False, tooltip="start an empty drawing"),
        Binding("m", "focus_controls", "Controls", show=False, tooltip="back to the controls and focus them"),
        Binding("e", "export_json", "Export JSON", show=False, tooltip="write the weights as JSON (asks a file name)"),
        Binding("s", "export_npz", "Save .npz", show=False, tooltip="write the network as .npz (asks a file name)"),
        Binding("o", "import_npz", "Load .npz", show=False, tooltip="read weights of the same architecture from .npz"),
        Binding("k", "share", "Share", show=False, priority=True,       # priority: the controls use k as up
                tooltip="the share code (copied) and the TF Playground link"),
        Binding("i", "open_setup", "Open set-up", show=False,
                tooltip="open a share code, TF Playground link or set-up file (.toml)"),
        Binding("a", "save_setup", "Save set-up", show=False,
                tooltip="write the set-up as a TOML file, optionally with the weights .npz"),
        Binding("b", "pin", "Pin run", show=False, tooltip="pin this run to compare it in the Runs view"),
        Binding("u", "runs", "Runs", show=False, tooltip="pinned runs beside the live one; enter restores one"),
        Binding("z", "sweep", "Sweep", show=False, tooltip="vary settings, train a small grid, rank it"),
        Binding("comma", "slower", "Slower", key_display=",", show=False,
                tooltip="fewer epochs per second (1, 3, 10, 30, 100, 300, max)"),
        Binding("full_stop", "faster", "Faster", key_display=".", show=False, tooltip="more epochs per second"),
        Binding("y", "chart_log", "Log chart", show=False, tooltip="the loss chart on a log scale, or linear again"),
        Binding("L", "lessons", "Lessons", show=False, tooltip="the lessons: pick one, see its goal checked"),
        Binding("E", "explain", "Explain", show=False, tooltip="the selected layer's equations with real numbers"),
        Binding("K", "look", "Colours", show=False,
                tooltip="next colour scheme: standard, colour-blind, high-contrast, plain map (remembered)"),
        Binding("f", "screenshot", "Screenshot", show=False,
                tooltip="save the screen as an SVG file (never overwrites)"),
        Binding("escape", "back", "Back", show=False, tooltip="show the output map again, then close the panel"),
    ]

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="body"):
            with Horizontal(id="view"):
                yield HeatMap(id="heatmap")
                yield StatsPanel(id="stats")
            with Vertical(id="side"):
                with Horizontal(id="panel-tabs"):
                    for name in PANELS:
                        tab = Button(name.title(), id=f"btn-panel-{name}", compact=True,
                                     classes="-active" if name == "controls" else None)
                        tab.can_focus = False            # taps; the keys are m, v and w (space stays Play)
                        yield tab
                yield ControlPanel(self.session, id="controls")
                with Vertical(id="network-panel"):
                    yield Static(id="network-info")
                    yield NetView(id="netview")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._apply_layout()
        self.call_after_refresh(self._refresh_everything)

    def on_resize(self) -> None:
        self._apply_layout()

    def on_unmount(self) -> None:
        self.session.stop()

    def _apply_layout(self) -> None:
        """Side by side when wide; stacked (heat map on top, controls scrolling below) when narrow."""
        width, height = self.size
        if width < 1 or height < 1:
            return
        wide = width >= WIDE_COLUMNS
        self.set_class(wide, "-wide")
        rows = max(1, height - 1)                       # the footer takes one row
        side_width = self._side_width(width)
        self.query_one("#side").styles.width = side_width if wide else None
        aspect = self.session.bounds.aspect
        if wide:
            pw, _ph = bd.fit_size(width - side_width - STATS_MIN_WIDTH - 2, rows, aspect)
            self.query_one("#view").styles.height = "1fr"
        else:
            budget = max(7, min(rows - 5, round(rows * 0.55)))
            pw, ph = bd.fit_size(width - STATS_MIN_WIDTH, budget, aspect)
            self.query_one("#view").styles.height = max(ph, min(budget, 10))   # the numbers and a 3-line legend
        self.query_one(HeatMap).styles.width = pw
        self.query_one(Footer).show_command_palette = width >= 110   # else it hides the keys

    def _side_width(self, width: int) -> int:
        """Width of the side column when wide: the controls' width, more for the network view or the editor."""
        layers = self.session.net.layers
        need = CONTROLS_WIDTH
        if self.panel == "network":
            need = columns_width(len(layers)) + 2
        elif self.panel == "weights":
            need = min(EDITOR_MAX_WIDTH, 8 + (max(layers[:-1]) + 1) * 10)
        cap = max(CONTROLS_WIDTH, width - STATS_MIN_WIDTH - MIN_HEAT_WIDTH - 2)
        return min(cap, max(CONTROLS_WIDTH, need))

    # --- showing --------------------------------------------------------------------

    def _refresh_everything(self) -> None:
        """After a change: controls, layout, legend, problem line and a new picture, from the session."""
        session, heatmap = self.session, self.query_one(HeatMap)
        if self.neuron is not None and not session.has_neuron(self.neuron):
            self._request(neuron=None)
        panel = self.query_one(ControlPanel)
        panel.sync()
        panel.show_problem(describe.problem_text(session))
        panel.show_running(self.running)
        self._apply_layout()
        heatmap.bounds_changed(session.bounds)
        self._request(width=heatmap.picture_size()[0], height=heatmap.picture_size()[1])
        self.query_one(StatsPanel).show_legend(describe.legend(session, self.neuron))
        self._show_now(record=False)

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

    @on(ControlPanel.Changed)
    def _panel_changed(self, event: ControlPanel.Changed) -> None:
        self.change_settings(event.changes)

    @on(ControlPanel.DataChosen)
    def _data_chosen(self, event: ControlPanel.DataChosen) -> None:
        self.choose_data(event.name)

    @on(ControlPanel.DrawClassChosen)
    def _draw_class(self, event: ControlPanel.DrawClassChosen) -> None:
        self.notify(f"Taps add class {event.value}", timeout=2)

    @on(ControlPanel.ActionPressed)
    async def _panel_action(self, event: ControlPanel.ActionPressed) -> None:
        await self.run_action(event.action)

    @on(Button.Pressed)
    async def _button(self, event: Button.Pressed) -> None:
        name = (event.button.id or "").removeprefix("btn-")
        if name.removeprefix("panel-") in PANELS:
            event.stop()
            await self._show_panel(name.removeprefix("panel-"))
        elif name in ("export-json", "export-npz", "import-npz"):
            event.stop()
            await self.run_action(name.replace("-", "_"))

    def on_heat_map_tapped(self, message: HeatMap.Tapped) -> None:
        """Add a point of the selected class; the first tap turns the current data into a drawing."""
        draw_class = self.query_one(ControlPanel).draw_class

        def tap() -> str:
            self.session.add_point(message.x1, message.x2, draw_class)
            if not self.session.setup.show_points:
                self.session.apply(show_points=True)     # show the point just drawn
            return "data"

        self._change(tap, True)

    def on_heat_map_picture_resized(self, message: HeatMap.PictureResized) -> None:
        """A new picture size: the worker picks it up; when paused, redraw now."""
        if (message.width, message.height) == self.picture:
            return
        self._request(width=message.width, height=message.height)
        if not self.running:
            self._show_now(record=False)

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

    async def action_focus_controls(self) -> None:
        """Back to the controls, focus on the first one."""
        if self.panel != "controls":
            await self._show_panel("controls")
        self.query_one("#choice-dataset").focus()



__all__ = ["PlaygroundScreen", "DRAWN"]
