"""A training session: one set-up's data, network and trainer, every change to them, and what to draw.

No Textual or Rich here.  The CLI and the app's worker thread both train through
:meth:`Session.run_for`; the app's screens only send changes and draw the immutable
:class:`Snapshot` s that :meth:`Session.snapshot` hands out for a frozen :class:`ViewRequest`.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annplay.core import fields, session_view
from annplay.core.fields import Snapshot, ViewRequest
from annplay.core.run_record import RunRecord
from annplay.core.session_files import ModelFiles
from annplay.core.weightfiles import Edit
from annplay.engine.build import OUTPUTS, Point, Prepared, build_network, prepare, trainer_for
from annplay.engine.datasets import DATASETS
from annplay.engine.features import FEATURES
from annplay.engine.instruments import instruments_for
from annplay.engine.network import MLP
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.engine.stopping import needs_every_epoch, stop_reason
from annplay.engine.trainer import Metrics
from annplay.engine.trainers import TRAINERS, TrainerProtocol, live_options

if TYPE_CHECKING:
    from annplay.engine.diagnosis import Finding

CHUNK_SECONDS = 1 / 15          # target work per trainer.step(k) chunk (a deadline cuts an epoch that runs longer)
FRAME_MACS = 5_000_000          # a frame's metrics measure at most about this many multiply-adds per data set
# At speed max the app's worker hands out a snapshot every FRAME_SECONDS: ~6 pictures a second still show the
# boundary move, and drawing them (snapshot, picture rows, Textual's compositor) then costs the training ~3 % of
# its speed where 10 a second cost ~7 % at 120×40 (benchmarks/live.py). Paced speeds draw up to 10 a second.
FRAME_SECONDS = 1 / 6
FINISHED = ("diverged", "stopped")
DRAWN = "drawn"                 # the data choice for hand-drawn points
PLACEHOLDER: tuple[Point, ...] = ((0.0, 0.0, 0.0),)   # builds a network for an empty drawing (never trained on)
# What a change of each kind rebuilds, weakest first.
APPLY_ORDER = ("view", "live", "trainer", "network", "data")


@dataclass(frozen=True)
class Change:
    """What :meth:`Session.apply` did: the strongest rebuild it needed, and the settings that changed."""

    kind: str                        # view | live | trainer | network | data | none
    names: tuple[str, ...]


class Session(ModelFiles):
    """Owns the set-up, the data, the network and the trainer, behind its own lock."""

    def __init__(self, setup: Setup | None = None, *, drawn: tuple[Point, ...] | None = None) -> None:
        self._lock = threading.RLock()
        self._setup = (setup or Setup()).validate()
        self.csv_source: dict[str, Any] = {}
        if self._setup.csv is not None:            # a CSV file stays one of the data choices
            self.csv_source = {"csv": self._setup.csv, "csv_x": self._setup.csv_x, "csv_y": self._setup.csv_y}
        self.drawn = drawn                         # hand-drawn points replace the set-up's data when not None
        self.drawing: tuple[Point, ...] = drawn or ()   # the last drawing, to come back to
        self.net_seed = self._setup.seed           # r (reset) draws new weights without touching the set-up
        self.view = ViewRequest()                  # what the worker draws (the UI swaps in a new frozen one)
        self.bounds = fields.DEFAULT_BOUNDS
        self.record = RunRecord()                  # the run's curves, best test numbers and last field
        self._chunk = 1
        self._run = 0                              # bumped by start/stop/rebuilds: stale snapshots are dropped
        self._running = False
        self._diverged_at: dict[str, Any] | None = None   # live options when training diverged
        self._goal_stop = False                    # run_for stopped the trainer at the set-up's goal
        self.hidden: frozenset[str] = frozenset()  # settings a TF link hid: the control panel leaves them out
        self.seconds = 0.0                         # training time of this run
        self._doctor_cache: tuple[Any, Any] | None = None   # (key, DoctorReport): see annplay.core.doctor
        # What this run's numbers owe to more than its set-up from epoch 0: settings changed while trained
        # weights were kept, and "weights" when they were loaded, edited or carried into a new trainer. New
        # weights (reset, a rebuild, a set-up) clear it; a lesson's goal reads it (a probe passed "at rate 1"
        # with a run trained at 0.1, the rate set back while paused).
        self.tampered: set[str] = set()
        self.pins: dict[str, tuple[Any, ...]] = {}   # settings an open lesson pins: the doctor's fixes keep them
        self.prep: Prepared = prepare(self._setup, drawn=self.drawn)
        self._set_bounds()
        fit = self._fit_prep()
        self.net: MLP = build_network(self._setup, fit, seed=self.net_seed)
        self.trainer: TrainerProtocol = trainer_for(self._setup, self.net, fit, seed=self.net_seed)
        self.instruments = instruments_for(self._setup, self.net, fit, self.family)

    # --- reading ----------------------------------------------------------------------

    @property
    def setup(self) -> Setup:
        return self._setup

    @property
    def lock(self) -> threading.RLock:
        """Held while the trainer steps; hold it to read the network from another thread."""
        return self._lock

    @property
    def epoch(self) -> int:
        return int(self.trainer.epoch)

    @property
    def unit(self) -> str:
        """What one step is called: epoch, or generation for neuroevolution."""
        return "generation" if self.family == "evolution" else "epoch"

    @property
    def family(self) -> str:
        return TRAINERS[self._setup.trainer].family

    @property
    def has_data(self) -> bool:
        """True when there is at least one training point (a drawing may be empty)."""
        return self.prep.train.n > 0

    @property
    def data_traits(self) -> set[str]:
        """Which data rules apply (see :meth:`Setup.why_not`): a drawing has no split and no noise."""
        if self.drawn is not None:
            return {"all", "plane"}
        return self._setup.data_traits()

    def applies(self, name: str) -> bool:
        """True when setting ``name`` is shown now: it means something and no TF link's ``_hide`` hid it."""
        return name not in self.hidden and self._setup.applies(name, self.data_traits)

    def metrics(self) -> Metrics:
        """The trainer's numbers now (taken under the lock)."""
        with self._lock:
            return self.trainer.metrics()

    def frame_metrics(self) -> Metrics:
        """The numbers a frame shows: exact up to about FRAME_MACS of work per data set, estimated on evenly
        spaced points beyond (a million points through a wide network take seconds to measure)."""
        with self._lock:
            return self.trainer.metrics(columns=max(256, FRAME_MACS // max(1, self.net.n_params)))

    @property
    def data_name(self) -> str:
        """The data choice shown: 'drawn', the CSV file's name, or the data set's."""
        if self.drawn is not None:
            return DRAWN
        if self._setup.csv is not None:
            return Path(self._setup.csv).name
        return str(self._setup.dataset)

    def data_choices(self) -> tuple[str, ...]:
        """Every data choice: the CSV file given at start (if any), the built-in sets, and 'drawn'."""
        csv = (Path(self.csv_source["csv"]).name,) if self.csv_source else ()
        return (*csv, *DATASETS, DRAWN)

    def input_labels(self) -> list[str]:
        """Short names of the network's inputs (features, or the data's columns)."""
        if self.prep.features:
            return [FEATURES[f].label if len(FEATURES[f].label) <= 5 else f for f in self.prep.features]
        return [str(n)[:5] for n in self.prep.dataset.feature_names]

    # --- changing ---------------------------------------------------------------------

    def apply(self, **changes: Any) -> Change:
        """Check and apply setting changes: live ones reach the trainer, others rebuild what they must.

        A bad value raises SettingError and changes nothing.
        """
        new = self._setup.with_(**changes).validate()
        names = tuple(k for k in changes if new[k] != self._setup[k])
        if not names:
            return Change("none", ())
        self.check_unlocked(*names)
        kind = max((SETTINGS[n].apply for n in names), key=APPLY_ORDER.index)
        old = self._setup
        trained = self.trainer.epoch > 0 or "weights" in self.tampered
        if kind == "data" and self.drawn is not None and set(names) <= {"noise", "train_ratio", "points"}:
            kind = "view"                      # a drawing has no generated data to change
        with self._lock:
            net_before = self.net
            self._setup = new
            if kind != "view":
                self._chunk = 1                # an epoch may now cost far more: measure the pace again
            try:
                if kind == "live":
                    before, after = live_options(old), live_options(new)
                    diff = {k: v for k, v in after.items() if before.get(k, object()) != v}
                    if diff:
                        self.trainer.configure(**diff)
                        self._restart_doctor()     # a new rate is a new patient: judge it on its own samples
                elif kind == "trainer":
                    self._new_trainer()
                elif kind == "network":
                    self._new_network()
                elif kind == "data":
                    self._new_data()
            except Exception:
                self._setup = old              # refused by the engine: the set-up stays as it was
                raise
            self.record.forget_field()
            if trained and kind in ("live", "data", "trainer") and self.net is net_before:   # weights kept
                self.tampered.update(names)
                if kind == "trainer":
                    self.tampered.add("weights")       # trained weights, a new trainer's epoch 0
        return Change(kind, names)

    def check_unlocked(self, *names: str) -> None:
        """Refuse (SettingError) a change to a setting the opening link hid (TF Playground's ``*_hide`` fields):
        a hidden control is locked, not only out of sight, so a class link keeps what the teacher fixed."""
        for name in names:
            if name in self.hidden:
                raise SettingError(name, "locked: the link that opened this set-up hides this control")

    def choose_data(self, name: str) -> Change:
        """Switch to a data choice: a built-in set, the CSV file given at start, or 'drawn' (the last drawing)."""
        self.check_unlocked("dataset")
        if name == DRAWN:
            self.set_drawn(self.drawing)
            return Change("data", ("dataset",))
        was_drawn, self.drawn = self.drawn is not None, None
        if self.csv_source and name == Path(self.csv_source["csv"]).name:
            changes = dict(self.csv_source)
        elif name in DATASETS:
            changes = {"dataset": name, "csv": None, "csv_x": None, "csv_y": None}
        else:
            self.drawn = self.drawing if was_drawn else None
            raise SettingError("dataset", f"unknown {name!r}; choose one of: {', '.join(self.data_choices())}")
        change = self.apply(**changes)
        with self._lock:                           # another data set: new weights too, as in TF Playground
            self._new_network()
        return Change("data", change.names or ("dataset",))

    def set_drawn(self, points: tuple[Point, ...] | None) -> None:
        """Train on hand-drawn points (None: back to the set-up's data); keeps the weights if it can."""
        with self._lock:
            self.drawn = None if points is None else tuple(points)
            if self.drawn is not None:
                self.drawing = self.drawn
            self._new_data()

    def add_point(self, x1: float, x2: float, label: int) -> None:
        """Draw a point; the first one turns the current training points (of a 2-D classification) into a drawing."""
        self.check_unlocked("dataset")
        if self.drawn is None and (self.prep.kind == "regression" or not self.prep.plottable):
            # a tap had turned sine's 600 points into a one-point drawing without a word (a probe's find)
            raise SettingError("dataset", f"points are drawn on 2-D classification data, not on "
                                          f"{self.data_name}; pick one like circle, or press x for an empty drawing")
        if self.drawn is not None:
            points = self.drawn
        else:
            train = self.prep.train
            points = tuple((float(a), float(b), float(c)) for a, b, c in zip(train.X[0], train.X[1], train.y,
                                                                             strict=True))
        self.set_drawn((*points, (float(x1), float(x2), float(label))))

    def reset(self) -> None:
        """New random weights (a new weight seed), epoch 0, same data."""
        with self._lock:
            self.net_seed += 1
            self._new_network()

    def regenerate(self) -> Change:
        """New data from the same generator (the set-up's seed + 1); the weights stay."""
        if self.drawn is not None:
            return Change("none", ())
        return self.apply(seed=(self._setup.seed + 1) % int(SETTINGS["seed"].hi or 1))

    # what _new_network replaces: kept by load_setup to put back when a new set-up fails to build
    _RUN_STATE = ("_setup", "drawn", "net_seed", "prep", "bounds", "net", "tampered", "trainer", "_chunk",
                  "_diverged_at", "_goal_stop", "seconds", "instruments")

    def load_setup(self, setup: Setup, hidden: Iterable[str] = ()) -> None:
        """Adopt a whole set-up (share code, TF link, set-up file, pinned run): its data, new weights from its seed.

        Stops training first.  A set-up the engine refuses raises and leaves the old one in place.
        """
        new = setup.validate()
        self.stop()
        with self._lock:
            kept = {name: getattr(self, name) for name in self._RUN_STATE}
            kept["record"] = copy.deepcopy(self.record)   # _new_trainer clears it in place
            self._setup, self.drawn, self.net_seed = new, None, new.seed
            try:
                self._new_network()
            except Exception:
                for name, value in kept.items():           # the old run whole, trained weights and curves
                    setattr(self, name, value)             # included (rebuilding it drew new weights)
                raise
            if new.csv is not None:
                self.csv_source = {"csv": new.csv, "csv_x": new.csv_x, "csv_y": new.csv_y}
            self.hidden = frozenset(hidden)

    @property
    def history(self) -> tuple[deque[float], deque[float]]:
        """The run's two curves: train and test loss (best and mean fitness for neuroevolution)."""
        return self.record.history

    @property
    def best(self) -> dict[str, float]:
        """The best test loss and accuracy of this run (for pinned runs)."""
        return self.record.best

    def _fit_prep(self) -> Prepared:
        """The prepared data a network is built on: a placeholder point for an empty drawing."""
        return self.prep if self.has_data else prepare(self._setup, drawn=PLACEHOLDER)

    def _set_bounds(self) -> None:
        """The picture's rectangle: TF Playground's [-6, 6]² for generated data, the data's own for real data."""
        if self.drawn is not None:
            return                                 # drawing keeps the plane it was drawn on
        spec = DATASETS.get(self._setup.dataset)
        real = self._setup.csv is not None or (spec is not None and spec.real)
        self.bounds = fields.bounds_for(self.prep.dataset.X) if real else fields.DEFAULT_BOUNDS

    def _new_data(self) -> None:
        self.prep = prepare(self._setup, drawn=self.drawn)
        self._chunk = 1                            # more points make an epoch slower: measure the pace again
        self._set_bounds()
        self.record.forget_field()
        fit = self._fit_prep()
        if self.net.layers[0] != fit.X_train.shape[0] or self.net.layers[-1] != fit.dataset.n_outputs \
                or list(self.net.layers[1:-1]) != list(self._setup.hidden) \
                or self.net.activations[-1].name != OUTPUTS[fit.kind]:
            self._new_network()
        elif self.has_data:
            self.trainer.set_data(self.prep.X_train, self.prep.Y_train, self.prep.X_test, self.prep.Y_test)
            self._restart_doctor()

    def _new_network(self) -> None:
        self.prep = prepare(self._setup, drawn=self.drawn)    # features may have changed, drawing or not
        if self.drawn is None:
            self._set_bounds()
        self.net = build_network(self._setup, self._fit_prep(), seed=self.net_seed)
        self.tampered = set()                      # new weights: a clean run again
        self._new_trainer()

    def _new_trainer(self) -> None:
        self.trainer = trainer_for(self._setup, self.net, self._fit_prep(), seed=self.net_seed)
        self._chunk = 1
        self._diverged_at, self._goal_stop = None, False
        self.record.clear()
        self.seconds = 0.0
        self.instruments = instruments_for(self._setup, self.net, self._fit_prep(), self.family)

    # --- training ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while a worker trains (between :meth:`start` and :meth:`stop`)."""
        return self._running

    def start(self) -> int:
        """Mark a new training run; returns its number, which the worker passes to :meth:`train`."""
        with self._lock:
            self._run += 1
            self._running = True
            return self._run

    def stop(self) -> None:
        """End the current run: the worker stops before its next chunk (hold :attr:`lock` to wait for it)."""
        self._running = False
        self._run += 1

    @property
    def run_id(self) -> int:
        """The current run's number (snapshots from other runs are stale)."""
        return self._run

    def is_current(self, run: int) -> bool:
        """True while ``run`` is the live run (not stopped, not superseded)."""
        return self._running and run == self._run

    def state(self) -> str:
        """What the status line says: ready, paused, running, diverged, stopped or no data."""
        if not self.has_data:
            return "no data"
        limit = self._setup.epochs
        if self.trainer.state in FINISHED or (limit is not None and self.trainer.epoch >= limit):
            return "stopped" if self.trainer.state != "diverged" else "diverged"
        if self._running:
            return "running"
        return "paused" if self.trainer.epoch else "ready"

    def message(self) -> str:
        """Why training stopped or diverged (the trainer's words, or the epoch limit); '' while it may go on."""
        limit = self._setup.epochs
        if self.trainer.message:
            return str(self.trainer.message)
        if limit is not None and self.trainer.epoch >= limit and self.trainer.state != "diverged":
            return f"Stopped: the {self.unit} limit ({limit}) was reached."     # generations under GA/ES
        return ""

    def done(self) -> bool:
        """True when training cannot go on: diverged, stopped early, no data, or the epoch limit reached."""
        limit = self._setup.epochs
        return (self.trainer.state in FINISHED or not self.has_data
                or (limit is not None and self.trainer.epoch >= limit))

    def goal_reached(self, metrics: Metrics) -> str:
        """Why the set-up's goal (target loss or accuracy) is met, in engine.stopping's words; '' when it is not."""
        if not needs_every_epoch(self._setup):
            return ""
        return stop_reason(self._setup, replace(metrics, state="running", epoch=0)) or ""

    def step(self, epochs: int = 1) -> Metrics:
        """Train exactly ``epochs`` (at most up to the epoch limit) and return the metrics."""
        with self._lock:
            limit = self._setup.epochs
            if limit is not None:
                epochs = min(epochs, max(0, limit - self.trainer.epoch))
            while epochs > 0 and self.has_data and self.trainer.state not in FINISHED:
                k = min(epochs, self._until_doctor())
                t0 = time.perf_counter()
                self.trainer.step(k, metrics=False)
                self.seconds += time.perf_counter() - t0
                epochs -= k
                self._observe()
            self._note_divergence()
            return self.trainer.metrics()

    def run_for(self, seconds: float, *, metrics: bool = True,
                stop: Callable[[], bool] | None = None) -> Metrics | None:
        """Train in adaptive chunks (about CHUNK_SECONDS each) for about ``seconds``, or until done or ``stop()``.

        The one training loop of annplay: the CLI and the app's worker both call it.  The lock is
        held per chunk, so the UI can read the network between chunks; ``stop`` is asked under the
        lock before each chunk, so once it is true no further chunk starts.
        """
        deadline, every = time.perf_counter() + seconds, needs_every_epoch(self._setup)
        while not self.done():
            with self._lock:
                if stop is not None and stop():
                    break
                limit = self._setup.epochs
                k = 1 if every else self._chunk if limit is None else min(self._chunk, limit - self.trainer.epoch)
                k = min(k, self._until_doctor())
                t0 = time.perf_counter()
                self.trainer.step(k, metrics=False, deadline=t0 + 2 * CHUNK_SECONDS)
                elapsed = time.perf_counter() - t0
                self.seconds += elapsed
                whole = not self.trainer.mid_epoch       # goals and the doctor's samples: whole epochs only
                if whole:
                    self._observe()
                goal = self.goal_reached(self.trainer.metrics()) if every and whole else ""
                if goal:                           # a goal stops at the same epoch in the app, CLI and sweeps
                    self.trainer.state, self.trainer.message, self._goal_stop = "stopped", goal, True
            # Aim for CHUNK_SECONDS of work per chunk; never grow more than 4× at once.
            self._chunk = max(1, min(self._chunk * 4, int(k * CHUNK_SECONDS / max(elapsed, 1e-6))))
            if time.perf_counter() >= deadline:
                break
        return self.metrics() if metrics else None

    def train(self, run: int, publish: Callable[[Snapshot], None], cancelled: Callable[[], bool],
              rest: Callable[[], None] | None = None) -> None:
        """The app's worker: train run ``run`` frame by frame, handing a snapshot to ``publish`` after each.
        Reads only the session (and its frozen :attr:`view`); ends when stopped, cancelled, done or at the goal.
        ``rest``: called between frames, outside the lock (``annplay serve`` paces a class's workers there)."""
        started, first = time.perf_counter(), self.epoch
        stop = lambda: cancelled() or not self.is_current(run)   # noqa: E731
        while not stop():
            if rest is not None:
                rest()
            self.run_for(FRAME_SECONDS, metrics=False, stop=stop)
            with self._lock:
                if stop():
                    return
                metrics = self.frame_metrics()
                finished = self.done()
                if finished:
                    self._note_divergence()
                    self._running = False
                speed = (self.epoch - first) / max(time.perf_counter() - started, 1e-9)
                publish(self.snapshot(self.view, metrics=metrics, run=run, speed=speed))
            if finished:
                return

    # --- the doctor (annplay.engine.doctor) ----------------------------------------------

    def _restart_doctor(self) -> None:
        """Fresh instruments from the current epoch on (after a live change such as the learning rate)."""
        if self.has_data:
            self.instruments = instruments_for(self._setup, self.net, self.prep, self.family, self.trainer.epoch)

    def _until_doctor(self) -> int:
        """Epochs until the doctor's next probe or sample (≥ 1): chunks end there, so every run samples alike."""
        if self.instruments.next_epoch() <= self.trainer.epoch:
            self._observe()
        return max(1, self.instruments.next_epoch() - self.trainer.epoch)

    def _observe(self) -> None:
        """Let the instruments take what is due now (under the lock, in the training thread)."""
        if self.has_data:
            self.instruments.observe(self.trainer.epoch, self.trainer.state)

    def diagnosis(self) -> list[Finding]:
        """The doctor's findings on this run so far (warnings first)."""
        with self._lock:
            if self.has_data and (not self.instruments.samples or self.done()):
                self.instruments.finish(self.trainer.epoch, self.trainer.state)
            self.instruments.state = self.trainer.state
            from annplay.engine.diagnosis import diagnose  # the doctor's rules: imported when first asked
            from annplay.engine.fixes import within

            found = diagnose(self.instruments.report(), self._setup)
            if self.pins:
                found = [replace(f, fixes=within(self._setup, f.fixes, self.pins)) for f in found]
            return found

    # --- divergence -------------------------------------------------------------------

    def _note_divergence(self) -> None:
        if self.trainer.state == "diverged" and self._diverged_at is None:
            self._diverged_at = live_options(self._setup)

    def resume(self) -> str:
        """(Paused) after a divergence: '' when training may go on, else why not.

        Back-propagation goes on with a smaller learning rate than the one that diverged (from
        the last finite weights, or new random weights if those blew up too); neuroevolution with
        any changed live setting.  Returns 'new weights' when it had to start again.
        """
        with self._lock:
            if self._goal_stop and self.trainer.state == "stopped" and not self.goal_reached(self.metrics()):
                self.trainer.state, self._goal_stop = "ready", False      # the goal changed: go on
            if self.trainer.state != "diverged":
                return ""
            self._note_divergence()
            before, now = self._diverged_at or {}, live_options(self._setup)
            ok = now["lr"] < before.get("lr", math.inf) if self.family == "backprop" else now != before
            if not ok:
                return f"{self.trainer.message or 'Training diverged.'} (or r: new random weights)"
            self.trainer.state = "ready"
            self._diverged_at = None
            if self.trainer.metrics().state == "diverged":     # these weights are past saving
                self.reset()
                return "new weights"
            return ""

    # --- what to draw (annplay.core.session_view) ------------------------------------------

    def points(self) -> fields.Points:
        """The points to draw: training points, plus test points when shown."""
        return session_view.points(self)

    def snapshot(self, view: ViewRequest | None = None, *, metrics: Metrics | None = None, run: int | None = None,
                 speed: float = 0.0, changed_only: bool = True, record: bool = True) -> Snapshot:
        """An immutable picture of now for ``view`` (see :func:`annplay.core.session_view.snapshot`)."""
        return session_view.snapshot(self, view, metrics=metrics, run=run, speed=speed, changed_only=changed_only,
                                     record_it=record)

    def has_neuron(self, neuron: tuple[int, int]) -> bool:
        """True when (layer, index) is a hidden neuron of the network and the data has a plane to map it on."""
        layer, index = neuron
        return self.prep.plottable and 1 <= layer <= len(self.net.layers) - 2 and 0 <= index < self.net.layers[layer]


__all__ = ["Session", "Change", "ViewRequest", "Snapshot", "Edit", "SettingError", "CHUNK_SECONDS",
           "FRAME_SECONDS", "DRAWN"]
