"""The playground: heat map, numbers and every control on one screen; training runs in a thread worker."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static
from textual.worker import get_current_worker

from annplay import boundary as bd
from annplay.engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from annplay.engine.datasets import DATASETS, NOISE_RANGE, TRAIN_RATIO_RANGE, Dataset
from annplay.engine.experiment import (BATCH_SIZES, LEARNING_RATES, MAX_HIDDEN_LAYERS, MAX_NEURONS, REG_RATES,
                                       REGULARIZATIONS, Experiment, Prepared)
from annplay.engine.features import FEATURES
from annplay.engine.optimizers import OPTIMIZERS
from annplay.messages import Progress, SettingChanged, Snapshot, Tapped
from annplay.widgets.controls import Choice, ChipSet
from annplay.widgets.heatmap import HeatMap, boundary_field, field_codes, legend_text, picture_rows
from annplay.widgets.stats import StatsPanel

FRAME_SECONDS = 1 / 10          # at most ~10 snapshots a second: lively, and phones are happy
CHUNK_SECONDS = 1 / 15          # target work per trainer.step(k) chunk
WIDE_COLUMNS = 100              # side by side from here on
CONTROLS_WIDTH = 38             # the controls column when side by side
STATS_MIN_WIDTH = 20            # the numbers beside the heat map
DRAWN = "drawn"
DRAW_CLASSES = 4                # classes a person can draw (0 orange, 1 blue, 2 green, 3 purple)
NEW_LAYER_NEURONS = 4           # TF Playground's size for an added layer
BACKPROP_ACTIVATIONS = tuple(a for a in HIDDEN_ACTIVATIONS if ACTIVATIONS[a].trainable_by_backprop)
LIVE_SETTINGS = ("lr", "batch_size", "optimizer", "regularization", "reg_rate")
DISPLAY_SETTINGS = ("show_test", "discretize", "draw_class")
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
    #controls { height: 1fr; border-top: solid $primary 40%; scrollbar-size-vertical: 1; padding: 0 1 0 0; }
    #controls > .section { color: $text-primary; text-style: bold; margin-top: 1; height: 1; }
    #controls > .info { color: $text-muted; height: auto; }
    #run-buttons { height: 1; width: 1fr; }
    #run-buttons > Button { margin: 0 1 0 0; min-width: 4; }
    #run-buttons > #btn-play { width: 9; }
    .layer-row { height: 1; }
    .layer-row > Choice { width: auto; margin-right: 1; }
    PlaygroundScreen.-wide #body { layout: horizontal; }
    PlaygroundScreen.-wide #controls { dock: left; width: CONTROLS_WIDTH; height: 1fr; border-top: none;
                                        border-right: solid $primary 40%; }
    PlaygroundScreen.-wide #view { height: 1fr; width: 1fr; }
    """.replace("CONTROLS_WIDTH", str(CONTROLS_WIDTH))

    BINDINGS = [
        Binding("space", "play", "Play", key_display="␣", tooltip="start or pause training"),
        Binding("n", "step", "Step", tooltip="pause and train exactly one epoch"),
        Binding("r", "reset", "Reset", tooltip="pause; new random weights, epoch 0"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="this list of keys"),
        Binding("g", "regenerate", "New data", tooltip="regenerate the data set (the weights stay)"),
        Binding("t", "toggle_test", "Test data", tooltip="show or hide the test points (◆)"),
        Binding("d", "toggle_discretize", "Discrete", tooltip="hard class colours instead of confidence"),
        Binding("c", "next_class", "Draw class", tooltip="switch the class a tap on the map adds"),
        Binding("x", "clear_points", "Clear drawn", tooltip="start an empty drawing"),
        Binding("m", "focus_controls", "Controls", show=False, tooltip="move the focus to the controls"),
    ]

    def __init__(self, experiment: Experiment | None = None) -> None:
        super().__init__()
        self.experiment = (experiment or Experiment()).validate()
        self.net_seed = self.experiment.seed
        self.prep: Prepared | None = None
        self.net: Any = None
        self.trainer: Any = None
        self.generation = 0
        self.running = False
        self.show_test = False
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

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        exp = self.experiment
        with Vertical(id="body"):
            with Horizontal(id="view"):
                yield HeatMap(id="heatmap")
                yield StatsPanel(id="stats")
            with VerticalScroll(id="controls"):
                with Horizontal(id="run-buttons"):
                    yield Button("▶ Play", id="btn-play", compact=True, variant="success")
                    yield Button("Step", id="btn-step", compact=True)
                    yield Button("Reset", id="btn-reset", compact=True)
                    yield Button("New data", id="btn-regenerate", compact=True)
                    yield Button("?", id="btn-help", compact=True)
                yield Static("DATA", classes="section")
                yield Choice("dataset", "Dataset", [*DATASETS, DRAWN], exp.dataset)
                yield Choice("noise", "Noise %", _percent_steps(NOISE_RANGE, 5), int(exp.noise))
                yield Choice("train_ratio", "Train %", _percent_steps(TRAIN_RATIO_RANGE, 10), int(exp.train_ratio))
                yield Choice("show_test", "Test data", [False, True], self.show_test, wrap=True)
                yield Choice("discretize", "Discrete", [False, True], self.discretize, wrap=True)
                yield Choice("draw_class", "Draw", list(range(DRAW_CLASSES)), 0,
                             labels=[f"class {i}" for i in range(DRAW_CLASSES)], wrap=True,
                             tooltip="tap the map to add a point of this class")
                yield Button("Clear drawn points", id="btn-clear", compact=True)
                yield Static("FEATURES", classes="section")
                yield ChipSet("features", list(FEATURES), [f.label for f in FEATURES.values()], exp.features)
                yield Static("NETWORK", classes="section")
                yield Choice("layers", "Layers", list(range(MAX_HIDDEN_LAYERS + 1)), len(exp.hidden))
                yield Choice("activation", "Activation", list(BACKPROP_ACTIVATIONS), exp.activation)
                for i in range(MAX_HIDDEN_LAYERS):
                    with Horizontal(classes="layer-row", id=f"layer-row-{i}"):
                        yield Choice(f"neurons-{i}", f"Layer {i + 1}", list(range(1, MAX_NEURONS + 1)),
                                     exp.hidden[i] if i < len(exp.hidden) else NEW_LAYER_NEURONS)
                        yield Choice(f"layer_act-{i}", "", [GLOBAL_ACTIVATION, *BACKPROP_ACTIVATIONS],
                                     GLOBAL_ACTIVATION, labels=["same", *BACKPROP_ACTIVATIONS])
                yield Static("TRAINING", classes="section")
                yield Choice("lr", "Learn rate", list(LEARNING_RATES), exp.lr)
                yield Choice("batch_size", "Batch", list(BATCH_SIZES), exp.batch_size)
                yield Choice("optimizer", "Optimizer", list(OPTIMIZERS), exp.optimizer)
                yield Choice("regularization", "Regularize", list(REGULARIZATIONS), exp.regularization)
                yield Choice("reg_rate", "Reg. rate", list(REG_RATES), exp.reg_rate)
                yield Static(id="problem", classes="info")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._apply_layout()
        self._show_layer_rows()
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
        if wide:
            pw, ph = bd.fit_size(width - CONTROLS_WIDTH - STATS_MIN_WIDTH - 2, rows, self.bounds.aspect)
            view.styles.height = "1fr"
        else:
            budget = max(7, min(rows - 5, round(rows * 0.55)))
            pw, ph = bd.fit_size(width - STATS_MIN_WIDTH, budget, self.bounds.aspect)
            view.styles.height = max(ph, min(budget, 8))
        heatmap.styles.width = pw
        self.query_one(Footer).show_command_palette = width >= 110   # else it hides the keys

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

    def _build(self, *, data: bool, network: bool) -> None:
        """Stop training, rebuild the data and/or the network, redraw; resume if it was running."""
        was_running = self.running
        self._stop()
        exp = self.experiment
        if data or self.prep is None:
            self.prep = self._prepare(exp)
            if exp.dataset in DATASETS and DATASETS[exp.dataset].real:
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
        else:
            with self.lock:
                self.trainer.set_data(prep.X_train, prep.Y_train, prep.X_test, prep.Y_test)
        self._apply_layout()
        self._refresh_everything()
        if was_running and self.has_data:
            self._start()

    def _points(self) -> bd.Points:
        """The points to draw: training points, plus test points when shown."""
        prep = self.prep
        if prep is None or not prep.plottable:
            return bd.Points.empty()
        points = bd.Points.from_xy(prep.train.X, prep.train.y)
        if self.show_test and prep.test.n:
            points = points + bd.Points.from_xy(prep.test.X, prep.test.y, test=True)
        return points

    def _field_now(self) -> np.ndarray | None:
        """The boundary field for the current picture size (main thread, training paused)."""
        w, h = self.picture
        if self.net is None or self.prep is None or w < 1 or h < 1 or not self.prep.plottable:
            return None
        with self.lock:
            field = boundary_field(self.net, self.prep.inputs, self.bounds, w, h)
        self._codes = field_codes(field, self.prep.kind, self.discretize)
        return field

    def _refresh_everything(self) -> None:
        """Redraw the heat map, the numbers, the legend and the problem line from the current state."""
        prep, heatmap, stats = self.prep, self.query_one(HeatMap), self.query_one(StatsPanel)
        if prep is None:
            return
        ds = prep.dataset
        self._shown_points = self._points()
        heatmap.show(kind=prep.kind, bounds=self.bounds, discretize=self.discretize, points=self._shown_points)
        self.picture = heatmap.picture_size()
        field = self._field_now()
        if field is not None:
            heatmap.show(field=field)
        if self.has_data:
            with self.lock:
                metrics = self.trainer.metrics()
            stats.show_metrics(metrics, record=False)
        stats.show_state(self._state_name(), self.trainer.epoch)
        n_classes = ds.n_classes if prep.kind != "regression" else 2
        stats.show_legend(legend_text(prep.kind, ds.class_names, n_classes, self.show_test))
        stats.show_message(self._note())
        kind = {"binary": "classification (2 classes)", "multiclass": f"classification ({ds.n_classes} classes)",
                "regression": "regression"}[prep.kind]
        self.query_one("#problem", Static).update(
            f"Problem: {kind}; {prep.train.n} train, {prep.test.n} test points. "
            f"Network {'→'.join(map(str, self.net.layers))}.")
        self._update_play_button()

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
            return "Diverged: lower the learn rate, then ␣ (or r to reset)"
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
        field = rows = None
        prep, net = self.prep, self.net
        points, bounds, discretize = self._shown_points, self.bounds, self.discretize
        if w > 0 and h > 0 and prep is not None and prep.plottable:
            with self.lock:
                if generation != self.generation:
                    return
                candidate = boundary_field(net, prep.inputs, self.bounds, w, h)
            codes = field_codes(candidate, prep.kind, self.discretize)
            if self._codes is None or codes.shape != self._codes.shape or not np.array_equal(codes, self._codes):
                self._codes = codes
                field = candidate
                try:
                    rows = picture_rows(field, points, bounds, prep.kind, discretize)
                except ValueError:                       # settings changed under our feet: next frame
                    field = None
        snapshot = Snapshot(generation, metrics, field, rows, (w, h), running, speed)
        with self._slot_lock:
            old = self._slot
            if field is None and old is not None and old.field is not None and old.generation == generation:
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
        if snapshot.field is not None:
            self.query_one(HeatMap).show(field=snapshot.field, rows=snapshot.rows)
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
        if self.trainer.state == "diverged":
            if self._diverged_lr is not None and self.trainer.lr < self._diverged_lr:
                self.trainer.state = "ready"                # a smaller rate: carry on from the last finite weights
                self._diverged_lr = None
                self.query_one(StatsPanel).show_message("")
            else:
                self.notify(self.trainer.message or "Training diverged.", title="Diverged", severity="warning")
                return
        self._start()

    def action_step(self) -> None:
        """Pause and train exactly one epoch."""
        if self.trainer is None or not self.has_data:
            return
        if self.running:
            self._stop()
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
        self.frames += 1

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
        """Move the focus to the first control."""
        self.query_one("#choice-dataset", Choice).focus()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions = {"btn-play": "play", "btn-step": "step", "btn-reset": "reset", "btn-regenerate": "regenerate",
                   "btn-help": "help", "btn-clear": "clear_points"}
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
        with self.lock:
            trainer.lr = exp.lr
            if trainer.batch_size != exp.batch_size:
                trainer.batch_size = exp.batch_size
            if trainer.optimizer != exp.optimizer:
                trainer.optimizer = exp.optimizer
            trainer.l1 = exp.reg_rate if exp.regularization == "l1" else 0.0
            trainer.l2 = exp.reg_rate if exp.regularization == "l2" else 0.0

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
            elif hasattr(exp, setting):
                choice.select(getattr(exp, setting))
        self.query_one(ChipSet).select(exp.features)
        self._show_layer_rows()

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

    def choices(self) -> list[Choice]:
        """Every Choice control on the screen."""
        return list(self.query(Choice))

