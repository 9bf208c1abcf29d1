"""The playground screen: composes the map, the numbers, the side panels and the key bar, lays them out for the
terminal's size, and routes keys, taps and messages to the features that own them (``screens/feature.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button

from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.messages import Progress
from annplay.screens import describe
from annplay.screens.doctor_flow import DoctorFlow
from annplay.screens.explain_flow import ExplainFlow
from annplay.screens.feature import Feature, action_names
from annplay.screens.file_flows import FileFlows
from annplay.screens.layout import STATS_MIN_WIDTH, WIDE_COLUMNS, narrow_layout, wide_map_width
from annplay.screens.lesson_flow import LessonFlow
from annplay.screens.look import Look
from annplay.screens.painter import Painter
from annplay.screens.panel_switch import PanelSwitch
from annplay.screens.run_controls import RunControls
from annplay.screens.safe_screen import SafeScreen
from annplay.screens.setting_changes import SettingChanges
from annplay.screens.setup_flows import SetupFlows
from annplay.screens.side_panels import CONTROLS_WIDTH, PANELS
from annplay.widgets.chart import LossChart
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.keybar import BarBinding, Key, KeyBar
from annplay.widgets.messageline import MessageLine
from annplay.widgets.stats import Legend, StatsPanel
from annplay.widgets.tap import Tap

MIN_HEAT_WIDTH = 30             # the heat map keeps at least this many columns beside a wide panel
PANEL_KEY_RANK = 2              # an open panel's own keys stay on a narrow key bar after ␣ and q

# The features, in key bar order: attribute name and class. Each owns its BINDINGS and their action_* methods.
FEATURES: tuple[tuple[str, type[Feature]], ...] = (
    ("run", RunControls), ("panels", PanelSwitch), ("look", Look), ("changes", SettingChanges),
    ("setups", SetupFlows), ("files", FileFlows), ("lessons", LessonFlow), ("explain", ExplainFlow),
    ("doctor", DoctorFlow),
)


def _routes() -> dict[str, str]:
    """Action name → the feature attribute that owns it (an action owned twice is a mistake caught here)."""
    routes: dict[str, str] = {}
    for attribute, feature in FEATURES:
        for action in action_names(feature.BINDINGS):
            assert action not in routes, f"action {action!r} is owned by {routes[action]} and {attribute}"
            routes[action] = attribute
    return routes


class PlaygroundScreen(SafeScreen, Screen[None]):
    """TensorFlow Playground in a terminal: press space to train."""

    AUTO_FOCUS = "ControlPanel *"        # the first control (Play), not the map: its keys move a drawing cursor

    DEFAULT_CSS = f"""
    PlaygroundScreen {{ layout: vertical; }}
    PlaygroundScreen Toast {{ display: none; }}          /* notifications show on the message line instead */
    PlaygroundScreen .body {{ height: 1fr; layout: vertical; }}
    PlaygroundScreen .view {{ height: 10; layout: vertical; }}
    PlaygroundScreen .view > HeatMap {{ width: 1fr; height: 1fr; }}
    PlaygroundScreen .view > StatsPanel {{ width: 1fr; height: 1fr; }}
    PlaygroundScreen.-chart .view > HeatMap {{ display: none; }}
    PlaygroundScreen.-chart .view > StatsPanel > Legend {{ display: none; }}   /* it names the map's colours */
    PlaygroundScreen .side {{ height: 1fr; border-top: solid $primary 40%; }}
    PlaygroundScreen .tabs {{ height: 1; dock: bottom; }}   /* narrow: over the key bar, whichever panel is open */
    PlaygroundScreen.-wide .tabs {{ dock: none; }}
    PlaygroundScreen .side > MessageLine {{ margin: 0 0 1 0; }}   /* narrow: over the tabs' row, never on it */
    PlaygroundScreen.-wide .side > MessageLine {{ margin: 0; }}
    PlaygroundScreen .tabs > Tap {{ margin: 0 1 0 0; min-width: 4; }}
    PlaygroundScreen .tabs > Tap.-active {{ text-style: bold reverse; }}
    PlaygroundScreen.-wide .tabs > Tap {{ margin: 0; }}         /* four tabs in the 37 columns beside the map */
    PlaygroundScreen .side-panel {{ height: 1fr; }}
    PlaygroundScreen.-wide .body {{ layout: horizontal; }}
    PlaygroundScreen.-wide .side {{ dock: left; width: {CONTROLS_WIDTH}; height: 1fr; border-top: none;
                                    border-right: solid $primary 40%; }}
    PlaygroundScreen.-wide .view {{ height: 1fr; width: 1fr; layout: horizontal; }}
    PlaygroundScreen.-wide .view > StatsPanel {{ min-width: 18; }}
    PlaygroundScreen.-beside .view {{ layout: horizontal; }}          /* narrow: the numbers beside a square map */
    PlaygroundScreen.-map-only .side, PlaygroundScreen.-map-only KeyBar {{ display: none; }}
    PlaygroundScreen.-map-only .view {{ layout: vertical; height: 1fr; }}
    PlaygroundScreen.-map-only .view > StatsPanel {{ height: 1; }}
    """

    BINDINGS: ClassVar[list[Any]] = [
        *(binding for _attribute, feature in FEATURES for binding in feature.BINDINGS),
        BarBinding("question_mark", "help", "Help", key_display="?", tooltip="this list of keys", rank=2),
    ]
    ROUTES: ClassVar[dict[str, str]] = _routes()

    class Built(Message):
        """The first picture is drawn: the start is over (the app collects garbage again)."""

    def __init__(self, setup: Setup | None = None, *, session: Session | None = None) -> None:
        super().__init__()
        self.session = session or Session(setup)
        self.run = RunControls(self)
        self.panels = PanelSwitch(self)
        self.look = Look(self)
        self.changes = SettingChanges(self)
        self.setups = SetupFlows(self)
        self.files = FileFlows(self)
        self.lessons = LessonFlow(self)
        self.explain = ExplainFlow(self)
        self.doctor = DoctorFlow(self)
        self.painter = Painter(self)

    def __getattr__(self, name: str) -> Any:
        """Route ``action_x`` to the feature whose BINDINGS own x (Textual looks actions up on the screen)."""
        if name.startswith("action_") and name[7:] in type(self).ROUTES:
            return getattr(getattr(self, type(self).ROUTES[name[7:]]), name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # --- reading (tests, the palette, the app) ----------------------------------------

    @property
    def running(self) -> bool:
        return self.session.running

    @property
    def epoch(self) -> int:
        """Epochs (or generations) trained by the current network."""
        return self.session.epoch

    @property
    def picture(self) -> tuple[int, int]:
        return self.session.view.width, self.session.view.height

    @property
    def neuron(self) -> tuple[int, int] | None:
        return self.session.view.neuron

    @property
    def panel(self) -> str:
        """The open panel's name: controls, network or weights."""
        return self.panels.name

    @property
    def frames(self) -> int:
        """Snapshots shown so far."""
        return self.painter.frames

    def features(self) -> Iterator[Feature]:
        for attribute, _feature in FEATURES:
            yield getattr(self, attribute)

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        wide = self.app.size.width >= WIDE_COLUMNS       # set before the first styling: no restyle of everything
        self.set_class(wide, "-wide")
        with Vertical(id="body", classes="body"):
            with Horizontal(id="view", classes="view"):
                yield HeatMap(id="heatmap")
                yield StatsPanel(id="stats")
            with Vertical(id="side", classes="side"):
                with Horizontal(id="panel-tabs", classes="tabs"):
                    for panel in PANELS:
                        tab = Tap(panel.name.title(), id=f"btn-panel-{panel.name}",
                              classes="-active" if panel is PANELS[0] else None)
                        tab.can_focus = False            # taps; the keys are m, v and w (space stays Play)
                        yield tab
                yield MessageLine(id="message")           # notifications: in the layout, never over the map
                controls = PANELS[0].build(self.session)
                controls.add_class("side-panel", f"panel-{PANELS[0].name}", *(["-wide"] if wide else []))
                yield controls
        yield KeyBar(id="keybar")

    def _composed(self) -> bool:
        """Whether compose ran: a screen pushed while the app closes (a signal or a closed terminal at start) never
        composes, and has nothing to lay out or show (its handlers ended the app with NoMatches, exit 1)."""
        return bool(self.query(KeyBar))

    def on_mount(self) -> None:
        if not self._composed():
            return
        self.painter.show_pace(self.run.speed)
        self.apply_layout()
        self.call_after_refresh(self.refresh_everything)
        self.call_after_refresh(self._add_more_keys)

    async def _add_more_keys(self) -> None:
        """After the first frame: the controls' MORE buttons, one per binding marked ``menu`` (tappable keys)."""
        keys = [(self.app.get_key_display(b), b.description, b.action, b.tooltip)
                for b in type(self).BINDINGS if getattr(b, "menu", False)]
        await self.query_one(ControlPanel).add_more(keys)

    def on_resize(self) -> None:
        if self._composed():
            self.apply_layout()

    def on_unmount(self) -> None:
        self.session.stop()

    def apply_layout(self) -> None:
        """Side by side when wide; stacked when narrow: the map as wide as the terminal, the numbers folded into
        two lines under it (with the legend and a small chart), the controls scrolling below."""
        width, height = self.size
        if width < 1 or height < 1:
            return
        wide = width >= WIDE_COLUMNS
        self.set_class(wide, "-wide")
        self.query_one(ControlPanel).set_class(wide, "-wide")   # side by side: a roomier column of controls
        heatmap, stats, view = self.query_one(HeatMap), self.query_one(StatsPanel), self.query_one("#view")
        side_width = self._side_width(width)
        self.query_one("#side").styles.width = side_width if wide else None
        stats.set_compact(not wide)
        chart_shown = self.has_class("-chart")
        stats.set_chart_full(chart_shown)               # C: the chart takes the map's room, not the big digits
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
            pw = wide_map_width(width - side_width - 2, rows, self.session.bounds.aspect)
            view.styles.height = "1fr"
            heatmap.styles.width, heatmap.styles.height = pw, None
            chart.styles.height, chart.display = None, True
            for editor in self.query(".panel-weights"):
                editor.set_narrow(False)   # type: ignore[attr-defined]
        else:
            legend_rows = min(2, len(stats.query_one(Legend).lines(width)))
            goal_rows, captioned = (1 if self.lessons.lesson is not None else 0), bool(heatmap.caption)
            shape = partial(narrow_layout, height, panel=self.panel, goal_rows=goal_rows, legend_rows=legend_rows,
                            captioned=captioned, width=width, aspect=self.session.bounds.aspect)
            lay = shape()
            wanted = self.panels.panel.rows(self, width, lay.side - self._chrome_rows())
            if wanted is not None:                       # a small network or layer: the rest goes to the map
                lay = shape(panel_rows=self._chrome_rows() + wanted)
            self.set_class(lay.beside and not chart_shown, "-beside")   # C: two lines of numbers over the chart
            stats.set_compact(not lay.beside or chart_shown)
            view.styles.height = lay.view
            heatmap.styles.width, heatmap.styles.height = (lay.map_width if lay.beside else None), lay.map
            chart.styles.height = "1fr" if chart_shown or lay.beside else lay.chart
            chart.display = chart_shown or lay.beside or lay.chart > 0
        self.show_keys()

    def _chrome_rows(self) -> int:
        """Rows of the lower area that are not the panel's: its border, the tabs and a shown message line."""
        line = self.query_one(MessageLine)
        return 2 + (line.size.height if line.display else 0)

    def _side_width(self, width: int) -> int:
        """Width of the side column when wide: the controls' width, more for a panel that wants it."""
        need = self.panels.panel.width(self.session.net.layers)
        cap = max(CONTROLS_WIDTH, width - STATS_MIN_WIDTH - MIN_HEAT_WIDTH - 2)
        return min(cap, max(CONTROLS_WIDTH, need))

    # --- the key bar, generated from the bindings -------------------------------------

    def key_bindings(self) -> Iterator[tuple[Binding, Any]]:
        """Every binding of the playground with the widget that owns it (None: the screen's features), in the key
        bar's order: the features', the open panel's focused widget's after the panel keys, then the app's."""
        from annplay.screens.help_view import as_bindings

        panel_widget = self.panels.focus_widget()
        for feature in self.features():
            yield from ((binding, None) for binding in feature.BINDINGS)
            if feature is self.panels and panel_widget is not None:
                yield from ((binding, panel_widget) for binding in as_bindings(panel_widget.BINDINGS))
        yield from ((binding, None) for binding in as_bindings(type(self).BINDINGS[-1:]))
        yield from ((binding, self.app) for binding in as_bindings(self.app.BINDINGS))

    def bar_keys(self) -> list[Key]:
        """The key bar's keys: the shown bindings, with the words their feature uses now ('␣ Pause')."""
        keys = []
        for binding, owner in self.key_bindings():
            if not binding.show or not binding.description:
                continue
            action = binding.action.split("(", 1)[0]
            if owner is not None and owner is not self.app and owner.check_action(action, ()) is False:
                continue                                 # e.g. the network view's ⏎: Show or Hide, as it will do
            label = None
            if owner is None and action in self.ROUTES:
                label = getattr(self, self.ROUTES[action]).label(action)
            panel_key = owner is not None and owner is not self.app
            rank = PANEL_KEY_RANK if panel_key else getattr(binding, "rank", 9)   # an open panel's keys come first
            keys.append(Key(self.app.get_key_display(binding), label or binding.description, binding.action,
                            rank, app=owner is self.app,
                            widget=(owner.id or "") if owner is not None and owner is not self.app else "",
                            tip=binding.tooltip))
        return keys

    def show_keys(self) -> None:
        """The key bar again, after a change of state (a redraw only when a key or word changed)."""
        for bar in self.query(KeyBar):
            bar.set_keys(self.bar_keys())

    def action_help(self) -> None:
        """Show every key and setting."""
        from annplay.screens.help_view import HelpScreen

        self.app.push_screen(HelpScreen(self.help_groups()))

    def help_groups(self) -> list[tuple[str, list[Any]]]:
        """The help's key groups, from the same bindings as the key bar."""
        from annplay.widgets.controls import ChipSet, Choice
        from annplay.widgets.netview import NetView
        from annplay.widgets.weights import WeightTable

        return [("Playground", list(type(self).BINDINGS)), ("App", list(self.app.BINDINGS)),
                ("Focused control (◀ value ▶)", list(Choice.BINDINGS)),
                ("Focused feature chips", list(ChipSet.BINDINGS)),
                ("Network view", list(NetView.BINDINGS)), ("Weight editor", list(WeightTable.BINDINGS)),
                ("Map with focus (P or tab)", list(HeatMap.BINDINGS))]

    # --- showing --------------------------------------------------------------------

    def refresh_everything(self) -> None:
        """After a change: controls, layout, legend, problem line and a new picture, from the session."""
        session, heatmap, painter = self.session, self.query_one(HeatMap), self.painter
        if self.neuron is not None and not session.has_neuron(self.neuron):
            painter.request(neuron=None)
        panel = self.query_one(ControlPanel)
        panel.sync()
        panel.show_problem(describe.problem_text(session))
        panel.show_running(self.running)
        stats = self.query_one(StatsPanel)
        stats.show_legend(describe.legend(session, self.neuron, color=self.look.colour))   # before the layout
        stats.show_network(session.net.layers)
        self.apply_layout()
        heatmap.bounds_changed(session.bounds)
        painter.request(width=heatmap.picture_size()[0], height=heatmap.picture_size()[1])
        painter.show_now(record=False)

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True, line: bool = True) -> None:
        """A notification on the screen's message line (a toast would cover the map or the weights); thread-safe.

        The app still records it. line=False: the screen shows it elsewhere already (the weight editor's line)."""
        if line:
            self.post_message(MessageLine.Show(str(message), title, severity, timeout, markup))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # --- routing: messages to the features ----------------------------------------------

    def on_message_line_show(self, note: MessageLine.Show) -> None:
        for line in self.query(MessageLine):
            line.show(note.message, title=note.title, severity=note.severity, timeout=note.timeout,
                      markup=note.markup)

    def on_message_line_changed(self, note: MessageLine.Changed) -> None:
        """The map-only view hides the message line: its one status line shows the message instead."""
        self.query_one(StatsPanel).show_flash(note.text)

    def on_progress(self, message: Progress) -> None:
        """Show the latest snapshot of the live run (older ones were simply overwritten). Under a pop-up nothing is
        drawn: the snapshot waits in the mailbox (the worker goes on) and shows when the screen is back on top."""
        if not self.is_current:
            return
        item = self.run.take()
        if item is not None:
            self.painter.show(*item)

    def on_screen_suspend(self) -> None:
        """Under a pop-up the key bar is not drawn (its taps and keys do not reach this screen then: a bar seen under
        the help or a dialog lied); it keeps its row, so nothing moves. Cards with keys show their own bar."""
        for bar in self.query(KeyBar):
            bar.visible = False

    def on_screen_resume(self) -> None:
        """Back on top: the key bar again, and the snapshot that waited under the pop-up."""
        for bar in self.query(KeyBar):
            bar.visible = True
        if self.is_mounted:
            self.on_progress(Progress())

    @on(StatsPanel.Tapped)
    def _stats_tapped(self) -> None:
        if self.has_class("-map-only"):             # a phone has no M key: a tap on the status line goes back
            self.look.action_map_only()

    @on(StatsPanel.LegendResized)
    def _legend_resized(self) -> None:
        self.apply_layout()

    @on(ControlPanel.Changed)
    def _panel_changed(self, event: ControlPanel.Changed) -> None:
        self.changes.change_settings(event.changes)

    @on(ControlPanel.DataChosen)
    def _data_chosen(self, event: ControlPanel.DataChosen) -> None:
        self.changes.choose_data(event.name)

    @on(ControlPanel.DrawClassChosen)
    def _draw_class(self, event: ControlPanel.DrawClassChosen) -> None:
        self.notify(f"Taps add class {event.value}", timeout=2)

    @on(ControlPanel.ActionPressed)
    async def _panel_action(self, event: ControlPanel.ActionPressed) -> None:
        await self.run_action(event.action)

    @on(Button.Pressed)
    async def _button(self, event: Button.Pressed) -> None:
        if await self.panels.tapped(event.button):
            event.stop()
            return
        name = (event.button.id or "").removeprefix("btn-")
        if name in ("export-json", "export-npz", "import-npz"):
            event.stop()
            await self.run_action(name.replace("-", "_"))

    def on_heat_map_tapped(self, message: HeatMap.Tapped) -> None:
        self.changes.add_point(message.x1, message.x2)

    def on_heat_map_picture_resized(self, message: HeatMap.PictureResized) -> None:
        """A new picture size: the worker picks it up; when paused, redraw now."""
        if (message.width, message.height) == self.picture:
            return
        self.painter.request(width=message.width, height=message.height)
        if not self.running:
            self.painter.show_now(record=False)

    def on_net_view_neuron_selected(self, message: Any) -> None:
        """The network view selected a neuron (or none): show its map in the heat map."""
        self.panels.set_neuron(message.neuron)

    def on_weight_editor_edit(self, message: Any) -> None:
        self.panels.edit_weight(message)

    def on_doctor_view_fix_chosen(self, message: Any) -> None:
        self.doctor.apply(message)

    def on_weight_editor_layer_changed(self) -> None:
        self.apply_layout()


__all__ = ["PlaygroundScreen", "FEATURES"]
