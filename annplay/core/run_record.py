"""What a run has shown so far: its loss (or fitness) curves, its best test numbers and the last field's codes.

One object owns what snapshots write, so that recording stays idempotent: two snapshots of the same epoch
(the UI's after a pause and the worker's last one) add one point to the curves, not two.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

from annplay.engine.trainer import Metrics

HISTORY = 240                   # values kept per curve


class RunRecord:
    """The curves, the best test loss/accuracy and the last drawn field of the current run."""

    def __init__(self) -> None:
        self.history: tuple[deque[float], deque[float]] = (deque(maxlen=HISTORY), deque(maxlen=HISTORY))
        self.best: dict[str, float] = {}
        self.last_codes: tuple[Any, np.ndarray] | None = None   # (view key, colour codes) of the last field sent
        self._recorded_epoch: int | None = None

    def clear(self) -> None:
        """A new run: empty curves, no best, no field to compare with."""
        for curve in self.history:
            curve.clear()
        self.best = {}
        self.last_codes = None
        self._recorded_epoch = None

    def forget_field(self) -> None:
        """The picture changed outside training (data, weights, set-up): the next snapshot sends the field."""
        self.last_codes = None

    def add(self, metrics: Metrics, family: str) -> None:
        """Add the metrics to the curves (best and mean fitness for neuroevolution) once per epoch."""
        if metrics.epoch == self._recorded_epoch:
            return
        self._recorded_epoch = metrics.epoch
        first: float | None = metrics.train_loss
        second = metrics.test_loss
        if family == "evolution":
            first, second = metrics.best_fitness, metrics.mean_fitness
        for value, curve in ((first, self.history[0]), (second, self.history[1])):
            if value is not None and math.isfinite(value):
                curve.append(float(value))
        self.note_best(metrics)

    def note_best(self, metrics: Metrics) -> None:
        """Keep the best test loss and accuracy seen in this run."""
        for key, value, better in (("test_loss", metrics.test_loss, min), ("test_acc", metrics.test_acc, max)):
            if value is not None and math.isfinite(value):
                self.best[key] = better(self.best.get(key, value), float(value))
