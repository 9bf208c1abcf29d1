"""The playground screen: layout and event handlers over a Session; training runs in a thread worker."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from annplay import boundary as bd
from annplay.core.session import DRAWN
from annplay.screens import describe
from annplay.screens.help import as_bindings
from annplay.screens.layout import STATS_MIN_WIDTH, WIDE_COLUMNS, narrow_layout, stats_width
from annplay.screens.panels import PANELS
from annplay.screens.run_actions import RunActions
from annplay.widgets.chart import LossChart
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.keybar import Key, KeyBar
from annplay.widgets.messageline import MessageLine
from annplay.widgets.netview import NetView, columns_width, plan
from annplay.widgets.stats import Legend, StatsPanel
from annplay.widgets.weights import WeightEditor

CONTROLS_WIDTH = 38             # the controls column when side by side
EDITOR_MAX_WIDTH = 58           # the weight editor scrolls sideways beyond this (wide layout)
MIN_HEAT_WIDTH = 30             # the heat map keeps at least this many columns beside a wide panel


class PlaygroundScreen(RunActions):
    """TensorFlow Playground in a terminal: press space to train."""

    DEFAULT_CSS = """
    PlaygroundScreen { layout: vertical; }
    PlaygroundScreen Toast { display: none; }          /* notifications show on the message line instead */
    #body { height: 1fr; layout: vertical; }
    #view { height: 10; layout: vertical; }
    #view > HeatMap { width: 1fr; height: 1fr; }
    #view > StatsPanel { width: 1fr; height: 1fr; }
    PlaygroundScreen.-chart #view > HeatMap { display: none; }
    PlaygroundScreen.-chart #stats-legend { display: none; }   /* it names the map's colours */
    #side { height: 1fr; border-top: solid $primary 40%; }
    #panel-tabs { height: 1; }
    #panel-tabs > Button { margin: 0 1 0 0; min-width: 4; }
    #panel-tabs > Button.-active { text-style: bold reverse; }
    #network-panel { height: 1fr; display: none; }
    #network-info { height: auto; max-height: 2; color: $text-muted; }
    #editor { display: none; }
    #section-data { margin-top: 0; }                   /* narrow: every row of the lower area counts */
    PlaygroundScreen.-wide #section-data { margin-top: 1; }
    PlaygroundScreen.-wide #run-buttons > #btn-help { display: none; }   /* no room; the key bar shows ? Help */
    PlaygroundScreen.-wide #body { layout: horizontal; }
    PlaygroundScreen.-wide #side { dock: left; width: CONTROLS_WIDTH; height: 1fr; border-top: none;
                                    border-right: solid $primary 40%; }
    PlaygroundScreen.-wide #view { height: 1fr; width: 1fr; layout: horizontal; }
    PlaygroundScreen.-wide #view > StatsPanel { min-width: 18; }
    PlaygroundScreen.-beside #view { layout: horizontal; }         /* narrow: the numbers beside a square map */
    PlaygroundScreen.-map-only #side, PlaygroundScreen.-map-only KeyBar { display: none; }
    PlaygroundScreen.-map-only #view { layout: vertical; height: 1fr; }
    PlaygroundScreen.-map-only #view > StatsPanel { height: 1; }
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
        Binding("y", "chart_log", "Chart scale", show=False,
                tooltip="the loss chart on a linear scale, or on the log scale again (log to start with)"),
        Binding("C", "toggle_chart", "Chart", show=False,
                tooltip="the loss chart, full size, in place of the map (C again: the map)"),
        Binding("M", "map_only", "Map only", show=False,
                tooltip="the map on the whole screen with one status line (M, esc or a tap on it: back)"),
        Binding("L", "lessons", "Lessons", show=False, tooltip="the lessons: pick one, see its goal checked"),
        Binding("E", "explain", "Explain", show=False,
                tooltip="the selected layer's equations with real numbers; s there takes that step (one mini-batch)"),
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
                yield MessageLine(id="message")           # notifications: in the layout, never over the map
                yield ControlPanel(self.session, id="controls")
                with Vertical(id="network-panel"):
                    yield Static(id="network-info")
                    yield NetView(id="netview")
        yield KeyBar(self.bar_keys(), id="keybar")

    def on_mount(self) -> None:
        self._apply_layout()
        self.call_after_refresh(self._refresh_everything)

    def on_resize(self) -> None:
        self._apply_layout()

    def on_unmount(self) -> None:
        self.session.stop()

    def _apply_layout(self) -> None:
        """Side by side when wide; stacked when narrow: the map as wide as the terminal, the numbers folded into
        two lines under it (with the legend and a small chart), the controls scrolling below."""
        width, height = self.size
        if width < 1 or height < 1:
            return
        wide = width >= WIDE_COLUMNS
        self.set_class(wide, "-wide")
        heatmap, stats, view = self.query_one(HeatMap), self.query_one(StatsPanel), self.query_one("#view")
        side_width = self._side_width(width)
        self.query_one("#side").styles.width = side_width if wide else None
        stats.set_compact(not wide)
        stats.set_chart_full(self.has_class("-chart"))   # C: the chart takes the map's room, not the big digits
        chart = stats.query_one(LossChart)
        map_only = self.has_class("-map-only")           # M: the map and one status line, nothing else
        stats.set_one_line(map_only)
        if map_only:
            self.set_class(False, "-beside")
            view.styles.height, heatmap.styles.width, heatmap.styles.height = "1fr", None, "1fr"
            chart.display = False
        elif wide:
            self.set_class(False, "-beside")
            rows = max(1, height - 1)                   # the key bar takes one row
            pw, _ph = bd.fit_size(width - side_width - stats_width(width) - 2, rows, self.session.bounds.aspect)
            view.styles.height = "1fr"
            heatmap.styles.width, heatmap.styles.height = pw, None
            chart.styles.height, chart.display = None, True
            for editor in self.query(WeightEditor):
                editor.set_narrow(False)
        else:
            legend_rows = min(2, len(stats.query_one(Legend).lines(width)))
            goal_rows, captioned = (1 if self.lesson is not None else 0), bool(heatmap.caption)
            shape = partial(narrow_layout, height, panel=self.panel, goal_rows=goal_rows, legend_rows=legend_rows,
                            captioned=captioned, width=width, aspect=self.session.bounds.aspect)
            lay = shape()
            if self.panel != "controls":                 # a small network or layer: the rest goes to the map
                lay = shape(panel_rows=self._panel_rows(width, lay.side))
            in_place = self.has_class("-chart")          # C: the chart in the map's place, under two lines of numbers
            self.set_class(lay.beside and not in_place, "-beside")
            stats.set_compact(not lay.beside or in_place)
            view.styles.height = lay.view
            heatmap.styles.width, heatmap.styles.height = (lay.map_width if lay.beside else None), lay.map
            chart.styles.height = "1fr" if in_place or lay.beside else lay.chart
            chart.display = in_place or lay.beside or lay.chart > 0
        self._show_keys()

    def _panel_rows(self, width: int, most: int) -> int:
        """Rows the open panel (network view or weight editor) fills in the lower area, at most ``most``."""
        tabs = 2                                         # the border and the panel tabs
        for line in self.query(MessageLine):
            tabs += line.size.height if line.display else 0
        if self.panel == "weights":
            for editor in self.query(WeightEditor):
                editor.set_narrow(True)
                layers = self.session.net.layers
                return tabs + editor.rows_needed(layers[min(len(layers) - 1, editor.shown_layer + 1)])
            return most
        info = self.query_one("#network-info", Static)
        info_rows = max(1, info.size.height)
        view = self.query_one(NetView)
        rows = plan(self.session.net.layers, view.shown_layer, width, most - tabs - info_rows)[3].height
        return tabs + info_rows + rows

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

    # --- the key bar, the chart, the lesson ------------------------------------------

    def bar_keys(self) -> list[Key]:
        """The key bar's keys, in order; the lowest ranks stay longest on narrow screens ('␣ Pause' while training)."""
        chart = self.has_class("-chart")
        panel_keys = [Key(self.app.get_key_display(b), b.description, b.action, 9, widget=widget.id or "",
                          tip=b.tooltip) for widget in self.panel_widgets() for b in as_bindings(widget.BINDINGS)
                      if b.show and b.description and widget.check_action(b.action, ()) is not False]
        tips = {b.action: b.tooltip for b in as_bindings([*self.BINDINGS, *self.app.BINDINGS])}
        keys = [Key("␣", "Pause" if self.running else "Play", "play", 0), Key("n", "Step", "step", 3),
                Key("r", "Reset", "reset", 4), Key("m", "Controls", "focus_controls", 7),
                Key("v", "Net", "toggle_network", 5), Key("w", "Weights", "toggle_weights", 6), *panel_keys,
                Key("C", "Map" if chart else "Chart", "toggle_chart", 9), Key("g", "New data", "regenerate", 10),
                Key("t", "Test data", "flip('show_test')", 11), Key("d", "Discrete", "flip('discretize')", 12),
                Key("p", "Points", "flip('show_points')", 13), Key("?", "Help", "help", 2),
                Key("q", "Quit", "quit", 1, app=True), Key("^p", "Commands", "command_palette", 8, app=True)]
        return [replace(key, tip=key.tip or tips.get(key.action, "")) for key in keys]

    def action_toggle_chart(self) -> None:
        """The loss chart, full size, in place of the map; again: the map."""
        self.toggle_class("-chart")
        self.remove_class("-map-only")
        self._apply_layout()

    def action_map_only(self) -> None:
        """The map on the whole screen, one status line under it; again: everything back."""
        self.toggle_class("-map-only")
        self.remove_class("-chart")
        self._apply_layout()

    @on(StatsPanel.Tapped)
    def _stats_tapped(self) -> None:
        if self.has_class("-map-only"):             # a phone has no M key: a tap on the status line goes back
            self.action_map_only()

    _lesson: Any = None

    @property
    def lesson(self) -> Any:
        """The open lesson (set by the Lessons view): its goal line shows under the numbers in every frame."""
        return self._lesson

    @lesson.setter
    def lesson(self, lesson: Any) -> None:
        self._lesson = lesson
        if self.is_mounted:
            self.call_after_refresh(self._lesson_opened)

    def _lesson_opened(self) -> None:
        """Room for the goal line, and a frame that shows it."""
        self._apply_layout()
        self._show_now(record=False)

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
        stats = self.query_one(StatsPanel)
        stats.show_legend(describe.legend(session, self.neuron, color=self.colour))   # before the layout (its lines)
        stats.show_network(session.net.layers)
        self._apply_layout()
        heatmap.bounds_changed(session.bounds)
        self._request(width=heatmap.picture_size()[0], height=heatmap.picture_size()[1])
        self._show_now(record=False)

    @on(StatsPanel.LegendResized)
    @on(WeightEditor.LayerChanged)
    def _legend_resized(self) -> None:
        self._apply_layout()

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

    async def action_focus_controls(self) -> None:
        """Back to the controls, focus on the first one."""
        if self.panel != "controls":
            await self._show_panel("controls")
        self.query_one("#choice-dataset").focus()



__all__ = ["PlaygroundScreen", "DRAWN"]
