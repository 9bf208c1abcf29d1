"""A training session: one set-up's data, network and trainer, and every change to them.

No Textual or Rich here.  The CLI and the app's worker thread both train through
:meth:`Session.run_for`; the app's screens only send changes and draw snapshots.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from annplay.engine.build import Point, Prepared, build_network, prepare, trainer_for
from annplay.engine.network import MLP
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.engine.trainer import Metrics
from annplay.engine.trainers import TRAINERS, TrainerProtocol, live_options

CHUNK_SECONDS = 1 / 15          # target work per trainer.step(k) chunk
FINISHED = ("diverged", "stopped")
# What a change of each kind rebuilds, weakest first.
APPLY_ORDER = ("view", "live", "trainer", "network", "data")


@dataclass(frozen=True)
class Change:
    """What :meth:`Session.apply` did: the strongest rebuild it needed, and the settings that changed."""

    kind: str                        # view | live | trainer | network | data | none
    names: tuple[str, ...]


class Session:
    """Owns the set-up, the data, the network and the trainer, behind its own lock."""

    def __init__(self, setup: Setup | None = None, *, drawn: tuple[Point, ...] | None = None) -> None:
        self._lock = threading.RLock()
        self._setup = (setup or Setup()).validate()
        self.drawn = drawn                     # hand-drawn points replace the set-up's data when not None
        self.net_seed = self._setup.seed       # r (reset) draws new weights without touching the set-up
        self._chunk = 1
        self.prep: Prepared = prepare(self._setup, drawn=self._training_points())
        self.net: MLP = build_network(self._setup, self.prep, seed=self.net_seed)
        self.trainer: TrainerProtocol = trainer_for(self._setup, self.net, self.prep, seed=self.net_seed)

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
        return self.trainer.unit

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
        """True when setting ``name`` means something now (the app hides the others)."""
        return self._setup.applies(name, self.data_traits)

    def metrics(self) -> Metrics:
        with self._lock:
            return self.trainer.metrics()

    # --- changing ---------------------------------------------------------------------

    def apply(self, **changes: Any) -> Change:
        """Check and apply setting changes: live ones reach the trainer, others rebuild what they must.

        A bad value raises SettingError and changes nothing.
        """
        new = self._setup.with_(**changes).validate()
        names = tuple(k for k in changes if new[k] != self._setup[k])
        if not names:
            return Change("none", ())
        kind = max((SETTINGS[n].apply for n in names), key=APPLY_ORDER.index)
        old = self._setup
        if kind == "data" and self.drawn is not None and set(names) <= {"noise", "train_ratio", "points"}:
            kind = "view"                      # a drawing has no generated data to change
        with self._lock:
            self._setup = new
            if kind == "live":
                before, after = live_options(old), live_options(new)
                diff = {k: v for k, v in after.items() if before.get(k, object()) != v}
                if diff:
                    self.trainer.configure(**diff)
            elif kind == "trainer":
                self._new_trainer()
            elif kind == "network":
                self._new_network()
            elif kind == "data":
                self._new_data()
        return Change(kind, names)

    def set_drawn(self, points: tuple[Point, ...] | None) -> None:
        """Train on hand-drawn points (None: back to the set-up's data); keeps the weights if it can."""
        with self._lock:
            self.drawn = None if points is None else tuple(points)
            self._new_data()

    def reset(self) -> None:
        """New random weights (a new weight seed), epoch 0, same data."""
        with self._lock:
            self.net_seed += 1
            self._new_network()

    def regenerate(self) -> None:
        """New data from the same generator (the set-up's seed + 1); the weights stay."""
        if self.drawn is not None:
            return
        self.apply(seed=(self._setup.seed + 1) % (SETTINGS["seed"].hi or 1))

    def _training_points(self) -> tuple[Point, ...] | None:
        return self.drawn

    def _new_data(self) -> None:
        self.prep = prepare(self._setup, drawn=self._training_points())
        if self.net.layers[0] != self.prep.X_train.shape[0] or self.net.layers[-1] != self.prep.dataset.n_outputs \
                or list(self.net.layers[1:-1]) != list(self._setup.hidden):
            self._new_network()
        else:
            self.trainer.set_data(self.prep.X_train, self.prep.Y_train, self.prep.X_test, self.prep.Y_test)

    def _new_network(self) -> None:
        if self.drawn is None:
            self.prep = prepare(self._setup)
        self.net = build_network(self._setup, self.prep, seed=self.net_seed)
        self._new_trainer()

    def _new_trainer(self) -> None:
        self.trainer = trainer_for(self._setup, self.net, self.prep, seed=self.net_seed)
        self._chunk = 1

    # --- training ---------------------------------------------------------------------

    def done(self) -> bool:
        """True when training cannot go on: diverged, stopped early, no data, or the epoch limit reached."""
        limit = self._setup.epochs
        return (self.trainer.state in FINISHED or not self.has_data
                or (limit is not None and self.trainer.epoch >= limit))

    def step(self, epochs: int = 1) -> Metrics:
        """Train exactly ``epochs`` (at most up to the epoch limit) and return the metrics."""
        with self._lock:
            limit = self._setup.epochs
            if limit is not None:
                epochs = min(epochs, max(0, limit - self.trainer.epoch))
            if epochs > 0 and self.has_data and self.trainer.state not in FINISHED:
                self.trainer.step(epochs, metrics=False)
            return self.trainer.metrics()

    def run_for(self, seconds: float, *, metrics: bool = True) -> Metrics | None:
        """Train in adaptive chunks (about CHUNK_SECONDS each) for about ``seconds``, or until done.

        The one training loop of annplay: the CLI and the app's worker both call it.  The lock is
        held per chunk, so the UI can read the network between chunks.
        """
        deadline = time.perf_counter() + seconds
        while not self.done():
            with self._lock:
                limit = self._setup.epochs
                k = self._chunk if limit is None else min(self._chunk, limit - self.trainer.epoch)
                t0 = time.perf_counter()
                self.trainer.step(k, metrics=False)
                elapsed = time.perf_counter() - t0
            # Aim for CHUNK_SECONDS of work per chunk; never grow more than 4× at once.
            self._chunk = max(1, min(self._chunk * 4, int(k * CHUNK_SECONDS / max(elapsed, 1e-6))))
            if time.perf_counter() >= deadline:
                break
        return self.metrics() if metrics else None


__all__ = ["Session", "Change", "SettingError", "CHUNK_SECONDS"]
