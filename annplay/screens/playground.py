"""The playground: heat map, numbers and every control on one screen; training runs in a thread worker."""

from __future__ import annotations

import threading
from pathlib import Path
import time
from dataclasses import replace
from typing import Any

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static
from textual.worker import get_current_worker

from annplay import boundary as bd
from annplay.engine.activations import HIDDEN_ACTIVATIONS
from annplay.engine.datasets import DATASETS, NOISE_RANGE, TRAIN_RATIO_RANGE, Dataset
from annplay.engine.experiment import (BATCH_SIZES, LEARNING_RATES, MAX_HIDDEN_LAYERS, MAX_NEURONS, REG_RATES,
                                       REGULARIZATIONS, TRAINERS, Experiment, Prepared)
from annplay.engine.features import FEATURES
from annplay.engine.optimizers import OPTIMIZERS
from annplay.messages import NeuronSelected, Progress, SettingChanged, Snapshot, Tapped, WeightEdit
from annplay.screens.editing import DEFAULT_JSON, DEFAULT_NPZ, export_json, export_npz, import_npz, parse_weight
from annplay.widgets.controls import Choice, ChipSet
from annplay.widgets.heatmap import HeatMap, boundary_field, field_codes, legend_entries, picture_rows
from annplay.widgets.netview import NetMaps, NetView, columns_width, net_maps, neuron_field
from annplay.widgets.stats import StatsPanel
from annplay.widgets.weights import WeightEditor

FRAME_SECONDS = 1 / 10          # at most ~10 snapshots a second: lively, and phones are happy
CHUNK_SECONDS = 1 / 15          # target work per trainer.step(k) chunk
WIDE_COLUMNS = 100              # side by side from here on
CONTROLS_WIDTH = 38             # the controls column when side by side
STATS_MIN_WIDTH = 20            # the numbers beside the heat map
DRAWN = "drawn"
DRAW_CLASSES = 4                # classes a person can draw (0 orange, 1 blue, 2 green, 3 purple)
NEW_LAYER_NEURONS = 4           # TF Playground's size for an added layer
BACKPROP_SETTINGS = ("lr", "batch_size", "optimizer", "regularization", "reg_rate")
EVOLUTION_SETTINGS = ("population", "sigma")
LIVE_SETTINGS = BACKPROP_SETTINGS + EVOLUTION_SETTINGS
POPULATIONS = (4, 8, 10, 16, 20, 32, 50, 64, 100, 128, 200, 256, 500, 1000)
SIGMAS = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 3.0)
PANELS = ("controls", "network", "weights")
EDITOR_MAX_WIDTH = 58           # the weight editor scrolls sideways beyond this (wide layout)
MIN_HEAT_WIDTH = 30             # the heat map keeps at least this many columns beside a wide panel
DISPLAY_SETTINGS = ("show_test", "show_points", "discretize", "draw_class")
GLOBAL_ACTIVATION = "global"


def _percent_steps(limits: tuple[float, float], step: int) -> list[int]:
    """Whole percentages from limits[0] to limits[1] in steps."""
    return list(range(int(limits[0]), int(limits[1]) + 1, step))


def empty_drawing(kind: str = "binary") -> Dataset:
    """A drawn data set with no points yet."""
    return Dataset(DRAWN, np.zeros((2, 0)), np.zeros(0, dtype=np.int64), kind, ("0", "1"), "points drawn by hand")


class PlaygroundScreen(Screen):
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
    #controls { height: 1fr; scrollbar-size-vertical: 1; padding: 0 1 0 0; }
    #network-panel { height: 1fr; display: none; }
    #network-info { height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    #editor { display: none; }
    #controls > .section { color: $text-primary; text-style: bold; margin-top: 1; height: 1; }
    #controls > .info { color: $text-muted; height: auto; }
    #run-buttons { height: 1; width: 1fr; }
    #run-buttons > Button { margin: 0 1 0 0; min-width: 4; }
    #run-buttons > #btn-play { width: 9; }
    PlaygroundScreen.-wide #run-buttons > #btn-help { display: none; }   /* no room; the footer shows ? Help */
    .layer-row { height: 1; }
    .layer-row > Choice { width: auto; margin-right: 1; }
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
        Binding("t", "toggle_test", "Test data", tooltip="show or hide the test points (◆)"),
        Binding("d", "toggle_discretize", "Discrete", tooltip="hard class colours instead of confidence"),
        Binding("p", "toggle_points", "Points", tooltip="hide or show the data points (see the map under them)"),
        Binding("c", "next_class", "Draw class", show=False, tooltip="switch the class a tap on the map adds"),
        Binding("x", "clear_points", "Clear drawn", show=False, tooltip="start an empty drawing"),
        Binding("m", "focus_controls", "Controls", show=False, tooltip="back to the controls and focus them"),
        Binding("e", "export_json", "Export JSON", show=False, tooltip="write the weights as JSON (asks a file name)"),
        Binding("s", "export_npz", "Save .npz", show=False, tooltip="write the network as .npz (asks a file name)"),
        Binding("o", "import_npz", "Load .npz", show=False, tooltip="read weights of the same architecture from .npz"),
        Binding("escape", "back", "Back", show=False, tooltip="show the output map again, then close the panel"),
    ]

    def __init__(self, experiment: Experiment | None = None) -> None:
        super().__init__()
        experiment = (experiment or Experiment()).validate()
        # A CSV file given on the command line is one more entry of the dataset control.
        self.csv_choice: dict[str, Any] = {}
        if experiment.csv is not None:
            self.csv_choice = {"dataset": Path(experiment.csv).name, "csv": experiment.csv,
                               "csv_x": experiment.csv_x, "csv_y": experiment.csv_y}
            experiment = experiment.with_(dataset=self.csv_choice["dataset"])
        self.experiment = experiment
        self.net_seed = self.experiment.seed
        self.prep: Prepared | None = None
        self.net: Any = None
        self.trainer: Any = None
        self.generation = 0
        self.running = False
        self.show_test = False
        self.show_points = True                  # off: the bare map (small screens, dense data)
        self.discretize = False
        self.draw_class = 0
        self.bounds = bd.DEFAULT_BOUNDS
        self.picture = (0, 0)
        self.frames = 0                          # snapshots shown (tests wait on this)
        self.lock = threading.Lock()             # guards the trainer between the worker and the UI
        self._slot_lock = threading.Lock()
        self._slot: Snapshot | None = None
        self._in_flight = False
        self._codes: np.ndarray | None = None
        self._diverged_lr: float | None = None
        self._shown_points: bd.Points = bd.Points.empty()   # what the worker draws over the field
        self.panel = "controls"                  # what the side/lower area shows: controls | network | weights
        self.neuron: tuple[int, int] | None = None   # (layer, index) of the hidden neuron shown in the heat map
        self.maps: NetMaps | None = None         # the last maps shown in the network view

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        exp = self.experiment
        with Vertical(id="body"):
            with Horizontal(id="view"):
                yield HeatMap(id="heatmap")
                yield StatsPanel(id="stats")
            with Vertical(id="side"):
                with Horizontal(id="panel-tabs"):
                    for name, label in (("controls", "Controls"), ("network", "Network"), ("weights", "Weights")):
                        tab = Button(label, id=f"btn-panel-{name}", compact=True,
                                     classes="-active" if name == "controls" else None)
                        tab.can_focus = False            # taps; the keys are m, v and w (space stays Play)
                        yield tab
                with VerticalScroll(id="controls"):
                    with Horizontal(id="run-buttons"):
                        yield Button("▶ Play", id="btn-play", compact=True, variant="success")
                        yield Button("Step", id="btn-step", compact=True)
                        yield Button("Reset", id="btn-reset", compact=True)
                        yield Button("New data", id="btn-regenerate", compact=True)
                        yield Button("?", id="btn-help", compact=True)
                    yield Static("DATA", classes="section")
                    csv_name = [self.csv_choice["dataset"]] if self.csv_choice else []
                    yield Choice("dataset", "Dataset", [*csv_name, *DATASETS, DRAWN], exp.dataset)
                    yield Choice("noise", "Noise %", _percent_steps(NOISE_RANGE, 5), int(exp.noise))
                    yield Choice("train_ratio", "Train %", _percent_steps(TRAIN_RATIO_RANGE, 10), int(exp.train_ratio))
                    yield Choice("show_test", "Test data", [False, True], self.show_test, wrap=True)
                    yield Choice("show_points", "Points", [False, True], self.show_points, wrap=True,
                                 tooltip="off: the map without the data points")
                    yield Choice("discretize", "Discrete", [False, True], self.discretize, wrap=True)
                    yield Choice("draw_class", "Draw", list(range(DRAW_CLASSES)), 0,
                                 labels=[f"class {i}" for i in range(DRAW_CLASSES)], wrap=True,
                                 tooltip="tap the map to add a point of this class")
                    yield Button("Clear drawn points", id="btn-clear", compact=True)
                    yield Static("FEATURES", classes="section")
                    yield ChipSet("features", list(FEATURES), [f.label for f in FEATURES.values()], exp.features)
                    yield Static("NETWORK", classes="section")
                    yield Choice("layers", "Layers", list(range(MAX_HIDDEN_LAYERS + 1)), len(exp.hidden))
                    yield Choice("activation", "Activation", list(HIDDEN_ACTIVATIONS), exp.activation)
                    for i in range(MAX_HIDDEN_LAYERS):
                        with Horizontal(classes="layer-row", id=f"layer-row-{i}"):
                            yield Choice(f"neurons-{i}", f"Layer {i + 1}", list(range(1, MAX_NEURONS + 1)),
                                         exp.hidden[i] if i < len(exp.hidden) else NEW_LAYER_NEURONS)
                            yield Choice(f"layer_act-{i}", "", [GLOBAL_ACTIVATION, *HIDDEN_ACTIVATIONS],
                                         GLOBAL_ACTIVATION, labels=["same", *HIDDEN_ACTIVATIONS],
                                         title=f"Layer {i + 1} activation")
                    yield Static("TRAINING", classes="section")
                    yield Choice("trainer", "Trainer", list(TRAINERS), exp.trainer,
                                 tooltip="back-propagation, or neuroevolution: ga (genetic) or es (CMA-ES)")
                    yield Choice("population", "Population", list(POPULATIONS), exp.population or 16,
                                 tooltip="individuals per generation")
                    yield Choice("sigma", "Mutation σ", list(SIGMAS), exp.sigma or 0.25,
                                 tooltip="the mutation step size")
                    yield Choice("lr", "Learn rate", list(LEARNING_RATES), exp.lr)
                    yield Choice("batch_size", "Batch", list(BATCH_SIZES), exp.batch_size)
                    yield Choice("optimizer", "Optimizer", list(OPTIMIZERS), exp.optimizer)
                    yield Choice("regularization", "Regularize", list(REGULARIZATIONS), exp.regularization)
                    yield Choice("reg_rate", "Reg. rate", list(REG_RATES), exp.reg_rate)
                    yield Static(id="problem", classes="info")
                with Vertical(id="network-panel"):
                    yield Static(id="network-info")
                    yield NetView(id="netview")
                yield WeightEditor(id="editor")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._apply_layout()
        self._show_layer_rows()
        self._show_trainer_controls()
        self.call_after_refresh(self._first_build)

    def on_resize(self) -> None:
        self._apply_layout()

    def _apply_layout(self) -> None:
        """Side by side when wide; stacked (heat map on top, controls scrolling below) when narrow."""
        width, height = self.size
        if width < 1 or height < 1:
            return
        wide = width >= WIDE_COLUMNS
        self.set_class(wide, "-wide")
        view = self.query_one("#view")
        heatmap = self.query_one(HeatMap)
        rows = max(1, height - 1)                       # the footer takes one row
        side_width = self._side_width(width)
        self.query_one("#side").styles.width = side_width if wide else None
        if wide:
            pw, ph = bd.fit_size(width - side_width - STATS_MIN_WIDTH - 2, rows, self.bounds.aspect)
            view.styles.height = "1fr"
        else:
            budget = max(7, min(rows - 5, round(rows * 0.55)))
            pw, ph = bd.fit_size(width - STATS_MIN_WIDTH, budget, self.bounds.aspect)
            view.styles.height = max(ph, min(budget, 10))        # room for the numbers and a 3-line legend
        heatmap.styles.width = pw
        self.query_one(Footer).show_command_palette = width >= 110   # else it hides the keys

    def _side_width(self, width: int) -> int:
        """Width of the side column when wide: the controls' width, more for the network view or the editor."""
        need = CONTROLS_WIDTH
        if self.net is not None and self.panel == "network":
            need = columns_width(len(self.net.layers)) + 2
        elif self.net is not None and self.panel == "weights":
            need = min(EDITOR_MAX_WIDTH, 8 + (max(self.net.layers[:-1]) + 1) * 10)
        cap = max(CONTROLS_WIDTH, width - STATS_MIN_WIDTH - MIN_HEAT_WIDTH - 2)
        return min(cap, max(CONTROLS_WIDTH, need))

    # --- building -------------------------------------------------------------------

    def _first_build(self) -> None:
        """Build data, network and trainer after the first frame is on screen."""
        self._build(data=True, network=True)

    def _prepare(self, exp: Experiment) -> Prepared:
        """Split and transform the data; drawn points all train (there is nothing to hold out)."""
        if exp.dataset != DRAWN or exp.csv is not None:
            return exp.prepare()
        ds = exp.load_dataset() if exp.points else empty_drawing()
        exp.validate()
        prep = Prepared(ds, ds, ds.subset(np.zeros(0, dtype=np.int64)), exp.features,
                        np.empty(0), np.empty(0), np.empty(0), np.empty(0))
        prep.X_train, prep.Y_train = prep.inputs(ds.X), ds.targets()
        prep.X_test = np.zeros((prep.X_train.shape[0], 0))
        prep.Y_test = np.zeros((prep.Y_train.shape[0], 0))
        return prep

    @property
    def has_data(self) -> bool:
        """True when there is at least one training point (a drawing may be empty)."""
        return self.prep is not None and self.prep.train.n > 0

    def _build(self, *, data: bool, network: bool, trainer: bool = False) -> None:
        """Stop training, rebuild the data and/or the network (or only the trainer), redraw; resume if running."""
        was_running = self.running
        self._stop()
        exp = self.experiment
        if data or self.prep is None:
            self.prep = self._prepare(exp)
            if (exp.dataset in DATASETS and DATASETS[exp.dataset].real) or exp.csv is not None:
                self.bounds = bd.bounds_for(self.prep.dataset.X)
            elif exp.dataset != DRAWN:
                self.bounds = bd.DEFAULT_BOUNDS
        prep = self.prep
        if not self.has_data:                        # an empty drawing: a placeholder point, never trained on
            prep = self._prepare(exp.with_(points=((0.0, 0.0, 0.0),)))
        if self.net is not None and self.net.layers[-1] != prep.dataset.n_outputs:
            network = True                           # the problem's kind changed: a new output layer
        if network or self.trainer is None:
            net_exp = replace(exp, seed=self.net_seed)
            self.net = net_exp.build_network(prep)
            self.trainer = net_exp.build_trainer(self.net, prep)
            self._diverged_lr = None
            self.query_one(StatsPanel).clear_history()
        elif trainer:                                # a new trainer on the current weights
            with self.lock:
                self.trainer = replace(exp, seed=self.net_seed).build_trainer(self.net, prep)
            self._diverged_lr = None
            self.query_one(StatsPanel).clear_history()
        else:
            with self.lock:
                self.trainer.set_data(prep.X_train, prep.Y_train, prep.X_test, prep.Y_test)
        self._check_neuron()
        self._show_trainer_controls()
        self._apply_layout()
        self._refresh_everything()
        if was_running and self.has_data:
            self._start()

    def _points(self) -> bd.Points:
        """The points to draw: training points, plus test points when shown."""
        prep = self.prep
        if prep is None or not prep.plottable or not self.show_points:
            return bd.Points.empty()
        points = bd.Points.from_xy(prep.train.X, prep.train.y)
        if self.show_test and prep.test.n:
            points = points + bd.Points.from_xy(prep.test.X, prep.test.y, test=True)
        return points

    def _heat_settings(self) -> tuple[str, bool, bd.Points]:
        """(kind, discretize, points) of the heat map: the output's, or a neuron's map (orange − / blue +)."""
        kind = self.prep.kind if self.prep is not None else "binary"
        if self.neuron is None:
            return kind, self.discretize, self._shown_points
        return "binary", False, self._shown_points if kind == "binary" else bd.Points.empty()

    def _compute_field(self, w: int, h: int, neuron: tuple[int, int] | None) -> np.ndarray:
        """(Lock held) the output's field, or one hidden neuron's, over the picture's grid."""
        assert self.prep is not None
        if neuron is None:
            return boundary_field(self.net, self.prep.inputs, self.bounds, w, h)
        return neuron_field(self.net, self.prep.inputs, self.bounds, w, h, *neuron)

    def _field_now(self) -> np.ndarray | None:
        """The heat map's field for the current picture size (main thread, training paused)."""
        w, h = self.picture
        if self.net is None or self.prep is None or w < 1 or h < 1 or not self.prep.plottable:
            return None
        kind, discretize, _points = self._heat_settings()
        with self.lock:
            field = self._compute_field(w, h, self.neuron)
        self._codes = field_codes(field, kind, discretize)
        return field

    def _maps_now(self) -> NetMaps | None:
        """(Lock held or training paused) maps and weights for the network view and the editor."""
        if self.net is None or self.prep is None:
            return None
        bounds = self.bounds if self.prep.plottable else None
        return net_maps(self.net, self.prep.inputs, bounds, self._input_labels())

    def _input_labels(self) -> list[str]:
        """Short names of the network's inputs (features, or the data's columns)."""
        prep = self.prep
        if prep is None:
            return []
        if prep.features:
            return [FEATURES[f].label if len(FEATURES[f].label) <= 5 else f for f in prep.features]
        return [str(n)[:5] for n in prep.dataset.feature_names]

    def _refresh_everything(self) -> None:
        """Redraw the heat map, the numbers, the legend and the problem line from the current state."""
        prep, heatmap, stats = self.prep, self.query_one(HeatMap), self.query_one(StatsPanel)
        if prep is None:
            return
        ds = prep.dataset
        self._shown_points = self._points()
        kind, discretize, points = self._heat_settings()
        heatmap.show(kind=kind, bounds=self.bounds, discretize=discretize, points=points)
        self.picture = heatmap.picture_size()
        field = self._field_now()
        if field is not None:
            heatmap.show(field=field)
        if self.has_data:
            with self.lock:
                metrics = self.trainer.metrics()
            stats.show_metrics(metrics, record=False)
        stats.show_state(self._state_name(), self.trainer.epoch)
        self._show_legend()
        stats.show_message(self._note())
        self._refresh_panels()
        kind = {"binary": "classification (2 classes)", "multiclass": f"classification ({ds.n_classes} classes)",
                "regression": "regression"}[prep.kind]
        self.query_one("#problem", Static).update(
            f"Problem: {kind}; {prep.train.n} train, {prep.test.n} test points. "
            f"Network {'→'.join(map(str, self.net.layers))}.\nData: {ds.description}.")
        self._update_play_button()

    def _show_legend(self) -> None:
        """The class colours, or (a neuron shown) which neuron and its colours."""
        prep, stats = self.prep, self.query_one(StatsPanel)
        if prep is None:
            return
        if self.neuron is None:
            ds = prep.dataset
            n_classes = ds.n_classes if prep.kind != "regression" else 2
            stats.show_legend(legend_entries(prep.kind, ds.class_names, n_classes, self.show_test))
            return
        layer, index = self.neuron
        name = Text(f"neuron L{layer}.{index + 1}", "bold")
        name.append(f" {self.net.activations[layer - 1].name}", "dim")
        stats.show_legend([Text.assemble(("█", Style(color=Color.from_rgb(*bd.ORANGE))), "−"),
                           Text.assemble(("█", Style(color=Color.from_rgb(*bd.BLUE))), "+"), name])

    def _state_name(self) -> str:
        """What the status line says."""
        if self.trainer is None:
            return "ready"
        if not self.has_data:
            return "no data"
        if self.trainer.state in ("diverged", "stopped"):
            return self.trainer.state
        if self.running:
            return "running"
        return "paused" if self.trainer.epoch else "ready"

    def _note(self) -> str:
        """A short hint under the numbers."""
        if self.trainer is not None and self.trainer.state == "diverged":
            return "Lower the learn rate, or r: reset"
        if not self.has_data:
            return "Tap the map to add points (c: class)"
        return ""

    def _update_play_button(self) -> None:
        for button in self.query("#btn-play").results(Button):
            button.label = "‖ Pause" if self.running else "▶ Play"

    # --- the training worker --------------------------------------------------------

    def _start(self) -> None:
        """Start (or restart) the training worker on the current trainer."""
        self.running = True
        self.generation += 1
        self._train(self.generation)
        self._update_play_button()
        self.query_one(StatsPanel).show_state("running", self.trainer.epoch)

    def _stop(self) -> None:
        """Stop training; snapshots of the old run are ignored from now on."""
        self.running = False
        self.generation += 1
        self.workers.cancel_group(self, "training")
        self._update_play_button()

    @work(thread=True, exclusive=True, group="training", exit_on_error=True)
    def _train(self, generation: int) -> None:
        """Train in chunks of about CHUNK_SECONDS; publish snapshots at most ~10 times a second."""
        worker = get_current_worker()
        chunk, last_post = 1, 0.0
        epochs_done, started = 0, time.perf_counter()
        metrics = None
        while not worker.is_cancelled and self.running and generation == self.generation:
            t0 = time.perf_counter()
            with self.lock:
                if generation != self.generation:
                    return
                metrics = self.trainer.step(chunk)
            elapsed = time.perf_counter() - t0
            epochs_done += chunk
            # Adaptive chunk: aim for CHUNK_SECONDS of work, never more than 4x growth at once.
            chunk = max(1, min(chunk * 4, int(chunk * CHUNK_SECONDS / max(elapsed, 1e-6))))
            now = time.perf_counter()
            finished = metrics.state in ("diverged", "stopped")
            if finished:
                self.running = False
            if finished or now - last_post >= FRAME_SECONDS:
                last_post = now
                speed = epochs_done / max(now - started, 1e-9)
                self._publish(generation, metrics, running=not finished, speed=speed)
            if finished:
                return
        if metrics is not None and generation == self.generation:
            self._publish(generation, metrics, running=False)

    def _publish(self, generation: int, metrics: Any, *, running: bool, speed: float = 0.0) -> None:
        """(Worker thread) put a snapshot in the slot; post a Progress only if none is in flight."""
        w, h = self.picture
        field = rows = maps = None
        prep, neuron, bounds = self.prep, self.neuron, self.bounds
        kind, discretize, points = self._heat_settings()
        if self.panel != "controls":
            with self.lock:
                if generation != self.generation:
                    return
                maps = self._maps_now()
        if w > 0 and h > 0 and prep is not None and prep.plottable:
            with self.lock:
                if generation != self.generation:
                    return
                candidate = self._compute_field(w, h, neuron)
            codes = field_codes(candidate, kind, discretize)
            if self._codes is None or codes.shape != self._codes.shape or not np.array_equal(codes, self._codes):
                self._codes = codes
                field = candidate
                try:
                    rows = picture_rows(field, points, bounds, kind, discretize)
                except ValueError:                       # settings changed under our feet: next frame
                    field = None
        snapshot = Snapshot(generation, metrics, field, rows, (w, h), running, speed, neuron, maps)
        with self._slot_lock:
            old = self._slot
            if (field is None and old is not None and old.field is not None and old.generation == generation
                    and old.neuron == neuron):
                snapshot.field, snapshot.rows = old.field, old.rows   # never lose an unshown picture
            self._slot = snapshot
            if self._in_flight:
                return
            self._in_flight = True
        self.post_message(Progress())

    def on_progress(self, message: Progress) -> None:
        """Show the latest snapshot (older ones were simply overwritten)."""
        with self._slot_lock:
            self._in_flight = False
            snapshot, self._slot = self._slot, None
        if snapshot is None or snapshot.generation != self.generation:
            return
        self._show_snapshot(snapshot)

    def _show_snapshot(self, snapshot: Snapshot) -> None:
        """Numbers, sparklines and (if it changed) the picture from one snapshot."""
        stats = self.query_one(StatsPanel)
        metrics = snapshot.metrics
        if snapshot.field is not None and snapshot.neuron == self.neuron:
            self.query_one(HeatMap).show(field=snapshot.field, rows=snapshot.rows)
        if snapshot.maps is not None:
            self._show_maps(snapshot.maps)
        stats.show_metrics(metrics)
        stats.show_state(self._state_name(), metrics.epoch, snapshot.epochs_per_second)
        self.frames += 1
        if not snapshot.running:
            self._update_play_button()
            if self.trainer.state == "diverged":
                self._diverged_lr = self.trainer.lr
                stats.show_message(self._note())
                self.notify(self.trainer.message, title="Training diverged", severity="warning", timeout=8)
            elif self.trainer.state == "stopped":
                self.notify(self.trainer.message, title="Stopped")

    # --- run actions ----------------------------------------------------------------

    def action_play(self) -> None:
        """Start or pause training."""
        if self.trainer is None:
            return
        if self.running:
            self._stop()
            self._show_now()
            return
        if not self.has_data:
            self.notify("Tap the heat map to add points first (c switches the class).", title="No data")
            return
        if self.trainer.state == "diverged" and not self._resume_after_divergence():
            return
        self._start()

    def _resume_after_divergence(self) -> bool:
        """(Paused, diverged) True when training may go on: a smaller rate than the one that diverged.

        It carries on from the last finite weights; if those weights have blown up too, from new random weights.
        """
        if self._diverged_lr is None or self.trainer.lr >= self._diverged_lr:
            self.notify(f"{self.trainer.message or 'Training diverged.'} (or r: new random weights)",
                        title="Diverged", severity="warning")
            return False
        lr = self.trainer.lr
        with self.lock:
            self.trainer.state = "ready"
            blown_up = self.trainer.metrics().state == "diverged"
        self._diverged_lr = None
        self.query_one(StatsPanel).show_message("")
        if blown_up:                                    # lowering the rate cannot rescue these weights
            self.action_reset()
            self.notify(f"The weights had blown up, so training starts again from new random weights "
                        f"at learn rate {lr:g}.", title="New weights")
        return True

    def action_step(self) -> None:
        """Pause and train exactly one epoch."""
        if self.trainer is None or not self.has_data:
            return
        if self.running:
            self._stop()
        if self.trainer.state == "diverged" and not self._resume_after_divergence():
            return
        with self.lock:
            self.trainer.step(1, metrics=False)
        self._show_now()

    def _show_now(self) -> None:
        """(Training paused) show the trainer's current numbers and picture."""
        with self.lock:                          # waits for a worker's last chunk to finish
            metrics = self.trainer.metrics()
        field = self._field_now()
        if field is not None:
            self.query_one(HeatMap).show(field=field)
        stats = self.query_one(StatsPanel)
        stats.show_metrics(metrics)
        stats.show_state(self._state_name(), metrics.epoch)
        stats.show_message(self._note())
        self._refresh_panels()
        self.frames += 1
        if self.trainer.state == "diverged" and self._diverged_lr is None:     # a step (or an edit) diverged
            self._diverged_lr = self.trainer.lr
            self.notify(self.trainer.message, title="Training diverged", severity="warning", timeout=8)

    def action_reset(self) -> None:
        """Pause and start again from new random weights (same data)."""
        self._stop()
        self.net_seed += 1
        self._build(data=False, network=True)

    def action_regenerate(self) -> None:
        """New data from the same generator (a new seed); the weights stay."""
        if self.experiment.dataset == DRAWN:
            self.notify("Drawn data: press x to clear it, or pick a dataset.")
            return
        self.experiment = self.experiment.with_(seed=self.experiment.seed + 1)
        self._build(data=True, network=False)

    def action_toggle_test(self) -> None:
        """Show or hide the test points."""
        self._set_display("show_test", not self.show_test)

    def action_toggle_points(self) -> None:
        """Hide or show the data points over the map."""
        self._set_display("show_points", not self.show_points)

    def action_toggle_discretize(self) -> None:
        """Toggle the discretised (hard class) picture."""
        self._set_display("discretize", not self.discretize)

    def action_next_class(self) -> None:
        """Switch the class that a tap draws."""
        self._set_display("draw_class", (self.draw_class + 1) % DRAW_CLASSES)

    def action_clear_points(self) -> None:
        """Start an empty drawing (the network keeps its weights)."""
        self._set_dataset_drawn(())

    def action_help(self) -> None:
        """Show every key."""
        from annplay.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_focus_controls(self) -> None:
        """Back to the controls, focus on the first one."""
        if self.panel != "controls":
            self._show_panel("controls")
        self.query_one("#choice-dataset", Choice).focus()

    # --- panels: controls, network view, weight editor ----------------------------

    def action_toggle_network(self) -> None:
        """Show the network view (or, when it is shown, the controls again)."""
        self._show_panel("controls" if self.panel == "network" else "network")

    def action_toggle_weights(self) -> None:
        """Show the weight editor, pausing training (or, when it is shown, the controls again)."""
        self._show_panel("controls" if self.panel == "weights" else "weights")

    def action_back(self) -> None:
        """Escape: show the output map again if a neuron is shown, else go back to the controls."""
        if self.neuron is not None:
            self.query_one(NetView).select(None, notify=False)
            self._set_neuron(None)
        elif self.panel != "controls":
            self._show_panel("controls")

    def _show_panel(self, panel: str) -> None:
        """Show one of the controls, the network view and the weight editor in the side (or lower) area."""
        if panel == "weights" and self.running:
            self._stop()                             # editing by hand: training pauses
            self._show_now()
        self.panel = panel
        self.query_one("#controls").display = panel == "controls"
        self.query_one("#network-panel").display = panel == "network"
        self.query_one(WeightEditor).display = panel == "weights"
        for name in PANELS:
            self.query_one(f"#btn-panel-{name}", Button).set_class(name == panel, "-active")
        self._apply_layout()
        self._refresh_panels()
        if panel == "network":
            self.query_one(NetView).focus()
        elif panel == "weights":
            self.query_one("#weight-table").focus()
            editor = self.query_one(WeightEditor)
            editor.show_message("Paused. + - nudge, ⏎ type a number" if self.net else "")
        else:
            self.set_focus(None)

    def _refresh_panels(self) -> None:
        """(Training paused or the UI thread) new maps for the open panel, computed now on a small grid."""
        if self.panel == "controls" or self.net is None:
            return
        with self.lock:
            maps = self._maps_now()
        if maps is not None:
            self._show_maps(maps)

    def _show_maps(self, maps: NetMaps) -> None:
        """Hand the maps to the open panel."""
        self.maps = maps
        if self.panel == "network":
            self.query_one(NetView).show_maps(maps)
            self._show_network_info()
        elif self.panel == "weights":
            editor = self.query_one(WeightEditor)
            if not editor.has_class("-typing"):
                editor.show_weights(maps.layers, maps.weights, maps.biases, maps.input_labels)

    def _show_network_info(self) -> None:
        """The line over the network view: what is selected and how to select."""
        info = self.query_one("#network-info", Static)
        if self.net is None:
            return
        if len(self.net.layers) < 3:
            info.update("No hidden layers: add one under NETWORK")
        elif self.neuron is not None:
            layer, index = self.neuron
            info.update(f"L{layer}.{index + 1} {self.net.activations[layer - 1].name} in the map · esc: output")
        elif self.prep is not None and not self.prep.plottable:
            info.update("No input plane (data is not 2-D): weights only")
        else:
            info.update("Arrows or a tap: show a neuron's map")

    def _check_neuron(self) -> None:
        """Forget the shown neuron when the network no longer has it."""
        if self.neuron is None or self.net is None:
            return
        layer, index = self.neuron
        if not (1 <= layer <= len(self.net.layers) - 2 and index < self.net.layers[layer]):
            self.neuron = None
            self._codes = None

    def on_neuron_selected(self, message: NeuronSelected) -> None:
        """The network view selected a neuron (or none): show its map in the heat map."""
        neuron = None if message.layer is None or message.index is None else (message.layer, message.index)
        self._set_neuron(neuron)

    def _set_neuron(self, neuron: tuple[int, int] | None) -> None:
        """Show a hidden neuron's map (None: the network's output) in the heat map."""
        if self.prep is not None and not self.prep.plottable and neuron is not None:
            self.notify("This data has no 2-D input plane, so there is no map to show.", title="No map")
            neuron = None
        self.neuron = neuron
        self._codes = None
        heatmap = self.query_one(HeatMap)
        kind, discretize, points = self._heat_settings()
        heatmap.show(kind=kind, discretize=discretize, points=points)
        if not self.running:
            field = self._field_now()
            if field is not None:
                heatmap.show(field=field)
        self._show_legend()
        if self.panel == "network":
            self._show_network_info()

    # --- weight edits, export and import --------------------------------------------

    def on_weight_edit(self, message: WeightEdit) -> None:
        """Nudge or set one weight (validated), reset the trainer's state, redraw at once."""
        editor = self.query_one(WeightEditor)
        net = self.net
        if net is None:
            return
        if self.running:
            self._stop()
        W = net.weights[message.layer]
        bias = message.col == W.shape[1]
        where = (f"b{message.layer + 1}[{message.row + 1}]" if bias
                 else f"W{message.layer + 1}[{message.row + 1},{message.col + 1}]")
        current = float(net.biases[message.layer][message.row, 0] if bias else W[message.row, message.col])
        try:
            value = parse_weight(message.text) if message.text is not None else current + message.delta
            if not np.isfinite(value):
                raise ValueError(f"{where} would not be finite; nothing changed")
        except ValueError as error:
            editor.show_message(str(error), error=True)     # under the grid, in red (a toast would cover the grid)
            editor.app.bell()
            return
        with self.lock:
            if bias:
                net.biases[message.layer][message.row, 0] = value
            else:
                W[message.row, message.col] = value
            self.trainer.reset_optimizer()
        if message.text is not None:
            editor.stop_typing()
        editor.show_message(f"{where} = {value:g} (was {current:g})")
        self._show_now()

    def action_export_json(self) -> None:
        """Ask for a file name and write the weights as JSON."""
        self._ask_file("Export the weights as JSON", DEFAULT_JSON, self._export_json)

    def action_export_npz(self) -> None:
        """Ask for a file name and write the network as .npz."""
        self._ask_file("Save the network as .npz", DEFAULT_NPZ, self._export_npz)

    def action_import_npz(self) -> None:
        """Ask for a file name and load weights of this architecture from .npz."""
        self._ask_file("Load weights from .npz (same layers and activations)", DEFAULT_NPZ, self._import_npz)

    def _ask_file(self, title: str, default: str, then: Any) -> None:
        """The file-name dialog; then(name) runs when a name was given."""
        from annplay.screens.dialogs import FileNameDialog

        if self.net is None:
            return
        hint = "In the current directory unless you give a path"

        def done(name: str | None) -> None:
            if name is None:                              # cancelled
                return
            if not name:
                self._report("No file name given; nothing done", error=True)
                return
            then(name)

        self.app.push_screen(FileNameDialog(title, default, hint), done)

    def _report(self, message: str, *, error: bool = False) -> None:
        """A file operation's result: a toast, and the editor's message line."""
        self.notify(message, title="Not done" if error else "Done", severity="error" if error else "information")
        self.query_one(WeightEditor).show_message(message, error=error)

    def _export_json(self, name: str) -> None:
        try:
            with self.lock:
                path = export_json(self.net, name)
        except ValueError as error:
            self._report(str(error), error=True)
            return
        except (OSError, TypeError) as error:
            self._report(f"Could not write {name}: {getattr(error, 'strerror', None) or error}", error=True)
            return
        self._report(f"Weights written to {path}")

    def _export_npz(self, name: str) -> None:
        try:
            with self.lock:
                path = export_npz(self.net, name)
        except ValueError as error:
            self._report(str(error), error=True)
            return
        except OSError as error:
            self._report(f"Could not write {name}: {error.strerror or error}", error=True)
            return
        self._report(f"Network saved to {path}")

    def _import_npz(self, name: str) -> None:
        self._stop()
        try:
            with self.lock:
                import_npz(self.net, name)
                self.trainer.reset_optimizer()
        except (OSError, ValueError) as error:
            self._report(str(error), error=True)
            return
        self._report(f"Weights loaded from {name}")
        self._show_now()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions = {"btn-play": "play", "btn-step": "step", "btn-reset": "reset", "btn-regenerate": "regenerate",
                   "btn-help": "help", "btn-clear": "clear_points", "btn-export-json": "export_json",
                   "btn-export-npz": "export_npz", "btn-import-npz": "import_npz"}
        panel = (event.button.id or "").removeprefix("btn-panel-")
        if panel in PANELS:
            event.stop()
            self._show_panel(panel)
            return
        action = actions.get(event.button.id or "")
        if action:
            event.stop()
            getattr(self, f"action_{action}")()

    # --- drawing --------------------------------------------------------------------

    def on_tapped(self, message: Tapped) -> None:
        """Add a point of the selected class; the first tap turns the current data into a drawing."""
        exp = self.experiment
        if exp.dataset == DRAWN:
            points = exp.points
        elif self.prep is not None and self.prep.kind != "regression" and self.prep.plottable:
            train = self.prep.train
            points = tuple((float(a), float(b), float(c)) for a, b, c in zip(train.X[0], train.X[1], train.y))
        else:
            points = ()
        if not self.show_points:                      # show the point just drawn
            self.show_points = True
            self.query_one("#choice-show_points", Choice).select(True)
        self._set_dataset_drawn(points + ((message.x1, message.x2, float(self.draw_class)),))

    def _set_dataset_drawn(self, points: tuple) -> None:
        """Switch to (or update) the drawn data set; the weights stay unless the problem kind changes."""
        self.experiment = self.experiment.with_(dataset=DRAWN, points=tuple(points), csv=None)
        self.query_one("#choice-dataset", Choice).select(DRAWN)
        self._build(data=True, network=False)

    # --- settings -------------------------------------------------------------------

    def _set_display(self, setting: str, value: Any) -> None:
        """Display options: test points, discretised output, the class to draw."""
        setattr(self, setting, value)
        self.query_one(f"#choice-{setting}", Choice).select(value)
        if setting == "draw_class":
            self.notify(f"Taps add class {value}", timeout=2)
            return
        self._codes = None
        self._refresh_everything()

    def on_setting_changed(self, message: SettingChanged) -> None:
        """Apply a control's change: live for training settings, a rebuild for data and network."""
        setting, value = message.setting, message.value
        if setting in DISPLAY_SETTINGS:
            self._set_display(setting, value)
            return
        exp = self.experiment
        try:
            if setting in LIVE_SETTINGS:
                self.experiment = exp.with_(**{setting: value})
                self._apply_live()
                return
            if setting == "layers":
                hidden = list(exp.hidden[:value]) + [NEW_LAYER_NEURONS] * max(0, value - len(exp.hidden))
                acts = list(exp.layer_activations) or [None] * len(exp.hidden)
                acts = (acts[:value] + [None] * max(0, value - len(acts)))
                changes: dict[str, Any] = {"hidden": tuple(hidden),
                                           "layer_activations": tuple(acts) if any(acts) else ()}
            elif setting.startswith(("neurons-", "layer_act-")) and int(setting.split("-")[1]) >= len(exp.hidden):
                self._sync_controls()                      # a layer the network does not have (yet)
                return
            elif setting.startswith("neurons-"):
                i = int(setting.split("-")[1])
                hidden = list(exp.hidden)
                hidden[i] = value
                changes = {"hidden": tuple(hidden)}
            elif setting.startswith("layer_act-"):
                i = int(setting.split("-")[1])
                acts = list(exp.layer_activations) or [None] * len(exp.hidden)
                acts[i] = None if value == GLOBAL_ACTIVATION else value
                changes = {"layer_activations": tuple(acts) if any(acts) else ()}
            elif setting == "dataset" and value == DRAWN:
                self._set_dataset_drawn(exp.points)
                return
            elif setting == "dataset":
                changes = dict(self.csv_choice) if value == self.csv_choice.get("dataset") else \
                    {"dataset": value, "csv": None}
            elif setting == "trainer":
                self.experiment = exp.with_(trainer=value)
                self._build(data=False, network=False, trainer=True)
                return
            else:
                changes = {setting: value}
            self.experiment = exp.with_(**changes)
        except ValueError as error:
            self.notify(str(error), title="Not possible", severity="error")
            self._sync_controls()
            return
        self._show_layer_rows()
        data = setting in ("dataset", "noise", "train_ratio", "features")
        network = setting not in ("noise", "train_ratio")
        self._build(data=data, network=network)

    def _apply_live(self) -> None:
        """Learning rate, batch size, optimizer and regularisation: change the trainer, keep the weights."""
        exp, trainer = self.experiment, self.trainer
        if trainer is None:
            return
        if self._evolution:
            with self.lock:
                if exp.population is not None and trainer.population != exp.population:
                    trainer.set_population(exp.population)
                if exp.sigma is not None and trainer.sigma != exp.sigma:
                    trainer.set_sigma(exp.sigma)
            return
        with self.lock:
            trainer.lr = exp.lr
            if trainer.batch_size != exp.batch_size:
                trainer.batch_size = exp.batch_size
            if trainer.optimizer != exp.optimizer:
                trainer.optimizer = exp.optimizer
            trainer.l1 = exp.reg_rate if exp.regularization == "l1" else 0.0
            trainer.l2 = exp.reg_rate if exp.regularization == "l2" else 0.0

    @property
    def _evolution(self) -> bool:
        """True when a neuroevolution trainer (ga, es) trains the network."""
        return getattr(self.trainer, "kind", "backprop") == "evolution"

    def _show_trainer_controls(self) -> None:
        """Learning-rate controls for back-propagation; population and σ (the trainer's values) for GA/ES."""
        evolution = self._evolution
        for setting in BACKPROP_SETTINGS:
            self.query_one(f"#choice-{setting}").display = not evolution
        for setting in EVOLUTION_SETTINGS:
            self.query_one(f"#choice-{setting}").display = evolution
        self.query_one(StatsPanel).set_evolution(evolution)
        if evolution:
            trainer = self.trainer
            pop = self.query_one("#choice-population", Choice)
            pop.set_values(sorted({*POPULATIONS, trainer.population}), trainer.population)
            sigma = self.query_one("#choice-sigma", Choice)
            sigma.set_values(sorted({*SIGMAS, trainer.sigma}), trainer.sigma)

    def _show_layer_rows(self) -> None:
        """Show one row per hidden layer."""
        count = len(self.experiment.hidden)
        for i in range(MAX_HIDDEN_LAYERS):
            self.query_one(f"#layer-row-{i}").display = i < count

    def _sync_controls(self) -> None:
        """Make every control show the experiment's current settings."""
        exp = self.experiment
        for choice in self.query(Choice):
            setting = choice.setting
            if setting in DISPLAY_SETTINGS:
                choice.select(getattr(self, setting))
            elif setting == "layers":
                choice.select(len(exp.hidden))
            elif setting.startswith("neurons-"):
                i = int(setting.split("-")[1])
                if i < len(exp.hidden):
                    choice.select(exp.hidden[i])
            elif setting.startswith("layer_act-"):
                i = int(setting.split("-")[1])
                acts = exp.layer_activations
                choice.select(acts[i] if i < len(acts) and acts[i] else GLOBAL_ACTIVATION)
            elif setting in EVOLUTION_SETTINGS:
                continue                                   # _show_trainer_controls shows the trainer's values
            elif hasattr(exp, setting):
                choice.select(getattr(exp, setting))
        self.query_one(ChipSet).select(exp.features)
        self._show_layer_rows()
        self._show_trainer_controls()

    # --- picture size ---------------------------------------------------------------

    def on_heat_map_picture_resized(self, message: HeatMap.PictureResized) -> None:
        """A new picture size: the worker picks it up; when paused, redraw now."""
        self.picture = (message.width, message.height)
        if not self.running:
            field = self._field_now()
            if field is not None:
                self.query_one(HeatMap).show(field=field)

    def on_unmount(self) -> None:
        self.running = False
        self.generation += 1

    # --- for tests and the command palette ------------------------------------------

    @property
    def epoch(self) -> int:
        """Epochs trained by the current network."""
        return 0 if self.trainer is None else int(self.trainer.epoch)

    def panel_widgets(self) -> list[Any]:
        """The focusable widget of the open panel (the palette lists its keys too)."""
        if self.panel == "network":
            return [self.query_one(NetView)]
        if self.panel == "weights":
            return [self.query_one("#weight-table")]
        return []

    def choices(self) -> list[Choice]:
        """The Choice controls that apply now: not those of absent layers, of the other trainer, or of a closed editor."""
        result = []
        for choice in self.query(Choice):
            row = choice.parent
            if not choice.display or (row is not None and row.has_class("layer-row") and not row.display):
                continue                                   # the other trainer's settings, or an absent layer
            if choice.setting.startswith("edit_") and self.panel != "weights":
                continue
            result.append(choice)
        return result

