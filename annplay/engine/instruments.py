"""The training doctor's instruments: what back-propagation already knows, sampled on a schedule.

One :class:`Sample` holds, at one epoch, the full-batch gradient norm of each layer, each layer's
update-to-weight ratio, dead and saturated units per hidden layer, and the train and test loss.
:class:`Instruments` decides which epochs to sample (:meth:`Instruments.next_epoch`) so that the
cost stays a few percent of training, keeps a bounded history, and hands out a :class:`Report`
that :mod:`annplay.engine.diagnosis` turns into findings.  NumPy and the standard library only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .network import MLP, Workspace, augment

Array = np.ndarray

# --- thresholds of the instruments (the diagnosis' own thresholds live in diagnosis.py) ----------------
# A tanh unit is "flat" on a point when |a| > 0.99, i.e. g'(z) = 1 − a² < 0.02 (2 % of its largest slope);
# a logistic unit when a < 0.01 or a > 0.99, i.e. g'(z) < 0.0099 (4 % of its largest slope 0.25).
# Glorot & Bengio (2010) show saturated top layers at these levels; the 0.99 cut is fastai's
# ActivationStats "near-zero/near-one" convention, chosen here and checked by our own measurement.
SATURATION_EDGE = 0.99
SATURATED_SHARE = 0.9            # saturated unit: flat on at least 90 % of the training points (own measurement)
# Sampling schedule: about UPDATES_PER_SAMPLE weight updates between two samples.  One sample (a full-batch
# forward/backward pass plus the test loss) costs about one epoch of the default set-up in CPU time, so a
# sample every ~80 of its epochs keeps the doctor near 2 % of training (benchmarks/doctor.py measures it).
UPDATES_PER_SAMPLE = 2000
MIN_SAMPLES = 16                 # a run with a known length gets at least this many samples
MAX_SAMPLES = 160                # the history is thinned (every other sample dropped) beyond this
MAX_SAMPLE_COLUMNS = 4096        # instruments read at most this many training points (a fixed subset)


@dataclass(frozen=True)
class Sample:
    """The instruments at one epoch (layers counted from the first hidden layer to the output)."""

    epoch: int
    train_loss: float
    test_loss: float | None
    grad_norms: tuple[float, ...]             # ‖∂L/∂W‖ of each layer (weights, full batch)
    weight_norms: tuple[float, ...]           # ‖W‖ of each layer
    update_ratios: tuple[float, ...] | None   # ‖ΔW‖/‖W‖ per weight update, each layer (None at epoch 0)
    dead: tuple[int, ...]                     # ReLU units with z ≤ 0 on every training point, per hidden layer
    saturated: tuple[int, ...]                # tanh/logistic units flat on ≥ SATURATED_SHARE of the points
    units: tuple[int, ...]                    # units per hidden layer
    which: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()   # per hidden layer: (dead, saturated) unit indices
    test_acc: float | None = None             # share of test points classified right (None: regression, no test)

    @property
    def grad_ratio(self) -> float:
        """First layer's gradient norm over the last layer's (nan when the last one is 0)."""
        first, last = self.grad_norms[0], self.grad_norms[-1]
        return first / last if last > 0 else math.nan

    def as_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "train_loss": self.train_loss, "test_loss": self.test_loss,
                "grad_norms": list(self.grad_norms), "update_ratios": None if self.update_ratios is None
                else list(self.update_ratios), "dead": list(self.dead), "saturated": list(self.saturated),
                "test_acc": self.test_acc}


@dataclass(frozen=True)
class Report:
    """What the doctor reads: the run's context and its samples, oldest first."""

    family: str                               # backprop | evolution
    kind: str                                 # binary | multiclass | regression
    activations: tuple[str, ...]              # hidden layers' activation names
    chance: float                             # the loss of always predicting the class shares (or the mean)
    samples: tuple[Sample, ...]
    state: str = "running"                    # the trainer's state (diverged, stopped, …)
    epoch: int = 0
    has_test: bool = False
    updates_per_epoch: int = 1
    settings: dict[str, Any] = field(default_factory=dict)
    chance_acc: float = math.nan              # the accuracy of always guessing the largest class (nan: regression)
    target_rms: float = math.nan              # regression: the targets' root mean square (nan: a classifier)
    train_points: int = 0                     # training points (all of them, not only those the samples read)

    @property
    def last(self) -> Sample | None:
        return self.samples[-1] if self.samples else None

    @property
    def first(self) -> Sample | None:
        return self.samples[0] if self.samples else None


# --- the measurements, each a small function (tested against hand-computed values) -----------------------

def _norm(A: Array) -> float:
    """The Frobenius norm (one BLAS call on a contiguous copy; cheaper than np.linalg.norm on small blocks).

    Weights past ~1e19 (float32) or ~1e154 (float64) overflow the sum of squares: then the block is scaled by
    its largest magnitude first, so a run on its way to diverging gets a true norm and prints no warning."""
    flat = np.ravel(A)
    with np.errstate(over="ignore", invalid="ignore"):
        squared = float(np.dot(flat, flat))
        if math.isfinite(squared):
            return math.sqrt(squared)
        big = float(np.max(np.abs(flat)))          # inf or nan: the norm is that too
        if not math.isfinite(big):
            return big
        scaled = flat / big
        return big * math.sqrt(float(np.dot(scaled, scaled)))


def layer_norms(blocks: Sequence[Array]) -> tuple[float, ...]:
    """The Frobenius norm of each [W | b] block's weight part W."""
    return tuple(_norm(P[:, :-1]) for P in blocks)


def update_ratios(before: Sequence[Array], after: Sequence[Array], updates: int) -> tuple[float, ...]:
    """‖W_after − W_before‖ / ‖W_after‖ / updates, per layer (CS231n: healthy near 1e-3 per update)."""
    out = []
    for a, b in zip(before, after, strict=True):
        w = _norm(b[:, :-1])
        d = _norm(b[:, :-1] - a[:, :-1])
        out.append(d / w / max(1, updates) if w > 0 else (0.0 if d == 0 else math.inf))
    return tuple(out)


def dead_which(Z: Array) -> tuple[int, ...]:
    """ReLU units (rows of pre-activations Z, one column per point) with z ≤ 0 on every point."""
    return tuple(int(i) for i in np.flatnonzero(np.all(Z <= 0.0, axis=1)))


def dead_units(Z: Array) -> int:
    """How many units :func:`dead_which` finds."""
    return len(dead_which(Z))


def saturated_which(A: Array, activation: str, share: float = SATURATED_SHARE) -> tuple[int, ...]:
    """tanh/logistic units (rows of outputs A) nearly flat (see SATURATION_EDGE) on ≥ ``share`` of the points."""
    if activation == "tanh":
        flat = np.abs(A) > SATURATION_EDGE
    elif activation == "logistic":
        flat = (A < 1.0 - SATURATION_EDGE) | (A > SATURATION_EDGE)
    else:
        return ()
    return tuple(int(i) for i in np.flatnonzero(np.count_nonzero(flat, axis=1) >= share * A.shape[1]))


def saturated_units(A: Array, activation: str, share: float = SATURATED_SHARE) -> int:
    """How many units :func:`saturated_which` finds."""
    return len(saturated_which(A, activation, share))


def chance_loss(kind: str, Y: Array) -> float:
    """The loss of the best constant guess: the class shares' entropy (ln 2 / ln C when balanced, CS231n's
    check of the starting loss), or for regression half the targets' variance (MSE here is ½·squared error)."""
    if Y.size == 0:
        return math.nan
    if kind == "regression":
        return float(0.5 * np.var(Y, axis=1).sum())
    if kind == "binary":
        p = np.clip(Y.mean(axis=1), 1e-12, 1 - 1e-12)
        return float(np.sum(-(p * np.log(p) + (1 - p) * np.log(1 - p))))
    p = np.clip(Y.mean(axis=1), 1e-12, 1.0)
    return float(-np.sum(p * np.log(p)))


Which = tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]


def measure(net: MLP, X: Array, Y: Array, ws: Workspace | None = None,
            Xa: Array | None = None) -> tuple[float, tuple[float, ...], Which]:
    """(loss, per-layer gradient norms, per hidden layer (dead, saturated) unit indices): one forward/backward.

    ``ws`` and ``Xa`` (X with a row of ones) may be passed in to reuse them from one sample to the next."""
    ws = ws if ws is not None else Workspace(net.layers, X.shape[1], net.dtype, dropout=False)
    Xa = Xa if Xa is not None else augment(X)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        net._forward(Xa, ws)
        loss = float(net._output_loss(ws, Y))
        which = tuple((dead_which(ws.Z[i]) if act.name == "relu" else (), saturated_which(ws.A[i], act.name))
                      for i, act in enumerate(net.activations[:-1]))
        net._backward(Xa, Y, ws)
    grads = layer_norms(net._grad_blocks)
    return loss, grads, which


def chance_accuracy(kind: str, Y: Array) -> float:
    """The accuracy of always guessing the largest class (each output's own for binary), nan for regression."""
    if Y.size == 0 or kind == "regression":
        return math.nan
    if kind == "binary":
        share = Y.mean(axis=1)
        return float(np.mean(np.maximum(share, 1 - share)))
    return float(Y.mean(axis=1).max())


def target_rms(kind: str, Y: Array) -> float:
    """The regression targets' root mean square, √mean(y²) (nan for a classifier): an untrained net outputs about
    0, so this is the size of its first errors, and of its first gradients."""
    if Y.size == 0 or kind != "regression":
        return math.nan
    with np.errstate(over="ignore"):
        return float(np.sqrt(np.mean(np.square(Y, dtype=np.float64))))


def last_accuracy(net: MLP, ws: Workspace, Y: Array) -> float | None:
    """The share of columns classified right by the last forward pass into ``ws`` (read from its logits: a
    logistic output says 1 where z > 0, softmax picks the largest z), None for regression."""
    if net.task == "regression" or Y.size == 0:
        return None
    Z = ws.Z[len(net.activations) - 1]
    if net.task == "binary":
        return float(np.count_nonzero((Z > 0) == (Y > 0.5))) / Y.size
    return float(np.count_nonzero(Z.argmax(axis=0) == Y.argmax(axis=0))) / Y.shape[1]


def forward_loss(net: MLP, Xa: Array, Y: Array, ws: Workspace) -> float:
    """The loss of augmented inputs Xa against Y (one forward pass into ``ws``; no input checks)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        net._forward(Xa, ws)
        return float(net._output_loss(ws, Y))


def _blocks_copy(net: MLP) -> list[Array]:
    return [P.copy() for P in net._blocks]


class Instruments:
    """Samples a network's instruments on a schedule while a trainer trains it.

    The owner (the Session) calls :meth:`observe` after each chunk of training and keeps chunks from
    running past :meth:`next_epoch`, so the same set-up samples the same epochs in the app and the CLI.
    """

    def __init__(self, net: MLP, X: Array, Y: Array, X_test: Array | None, Y_test: Array | None, *,
                 family: str = "backprop", kind: str = "binary", updates_per_epoch: int = 1,
                 epochs: int | None = None, settings: dict[str, Any] | None = None) -> None:
        self.net = net
        n = X.shape[1]
        self.train_points = n
        if n > MAX_SAMPLE_COLUMNS:                   # a fixed, evenly spread subset keeps the cost bounded
            pick = np.linspace(0, n - 1, MAX_SAMPLE_COLUMNS).astype(np.int64)
            X, Y = X[:, pick], Y[:, pick]
        self.X, self.Y = np.ascontiguousarray(X, net.dtype), np.ascontiguousarray(Y, net.dtype)
        has_test = X_test is not None and Y_test is not None and X_test.shape[1] > 0
        self.X_test = X_test if has_test else None
        self.Y_test = Y_test if has_test else None
        if self.X_test is not None and self.X_test.shape[1] > MAX_SAMPLE_COLUMNS:
            pick = np.linspace(0, self.X_test.shape[1] - 1, MAX_SAMPLE_COLUMNS).astype(np.int64)
            self.X_test, self.Y_test = self.X_test[:, pick], self.Y_test[:, pick]  # type: ignore[index]
        self.family, self.kind = family, kind
        self.updates_per_epoch = max(1, int(updates_per_epoch))
        interval = max(1, math.ceil(UPDATES_PER_SAMPLE / self.updates_per_epoch))
        if epochs is not None:
            interval = max(1, min(interval, epochs // MIN_SAMPLES))
        self.interval = interval
        self.chance = chance_loss(kind, Y)
        self.chance_acc = chance_accuracy(kind, Y)
        self.target_rms = target_rms(kind, Y)
        self.activations = tuple(a.name for a in net.activations[:-1])
        self.settings = dict(settings or {})
        self.samples: list[Sample] = []
        self._Xa = augment(self.X)                    # inputs with a row of ones, and buffers, reused
        self._ws = Workspace(net.layers, self.X.shape[1], net.dtype, dropout=False)
        self._Xa_test = augment(np.asarray(self.X_test, net.dtype)) if self.X_test is not None else None
        if self.Y_test is not None:
            self.Y_test = np.ascontiguousarray(self.Y_test, net.dtype)
        self._ws_test = (Workspace(net.layers, self.X_test.shape[1], net.dtype, dropout=False)
                         if self.X_test is not None else None)
        self._probe: tuple[int, list[Array]] | None = None      # (epoch, weights) one epoch before a sample
        self._next = 0
        self.state = "ready"
        self.epoch = 0
        self.seconds = 0.0                           # time spent observing (benchmarks/doctor.py reads it)

    def next_epoch(self) -> int:
        """The next epoch at which the owner should stop a chunk: a probe (one epoch before) or a sample."""
        if self._next > 0 and (self._probe is None or self._probe[0] != self._next - 1):
            return self._next - 1
        return self._next

    def observe(self, epoch: int, state: str = "running") -> bool:
        """Take the probe or the sample that is due at ``epoch``; True when a sample was taken."""
        t0 = time.perf_counter()
        try:
            return self._observe(epoch, state)
        finally:
            self.seconds += time.perf_counter() - t0

    def _observe(self, epoch: int, state: str) -> bool:
        self.epoch, self.state = epoch, state
        if state == "diverged":
            return False
        if self._next > 0 and epoch == self._next - 1:
            self._probe = (epoch, _blocks_copy(self.net))
            return False
        if epoch < self._next:
            return False
        self.samples.append(self._sample(epoch))
        self._next = epoch + self.interval
        if len(self.samples) > MAX_SAMPLES:          # keep the first sample (the start) and every other one
            self.samples = [self.samples[0], *self.samples[2::2]]
            self.interval *= 2
            self._next = epoch + self.interval
        return True

    def finish(self, epoch: int, state: str) -> None:
        """The run ended at ``epoch``: take a last sample there (unless one exists or it diverged)."""
        self.epoch, self.state = epoch, state          # diverged: the trainer kept the last finite weights
        if not self.samples or self.samples[-1].epoch != epoch:
            t0 = time.perf_counter()
            self.samples.append(self._sample(epoch))
            self.seconds += time.perf_counter() - t0
            self._next = max(self._next, epoch + 1)

    def _sample(self, epoch: int) -> Sample:
        net = self.net
        weights = layer_norms(net._blocks)
        units = tuple(net.layers[1:-1])
        loss, grads, which = measure(net, self.X, self.Y, self._ws, self._Xa)
        if self.family != "backprop":                  # neuroevolution follows no gradient: losses and units only
            grads = tuple(math.nan for _ in grads)
        dead = tuple(len(d) for d, _ in which)
        saturated = tuple(len(s) for _, s in which)
        ratios = None
        if self._probe is not None and self._probe[0] == epoch - 1:
            ratios = update_ratios(self._probe[1], net._blocks, self.updates_per_epoch)
        self._probe = None
        test = test_acc = None
        if self._Xa_test is not None and self._ws_test is not None and self.Y_test is not None:
            test = forward_loss(net, self._Xa_test, self.Y_test, self._ws_test)
            test_acc = last_accuracy(net, self._ws_test, self.Y_test)
        return Sample(epoch, loss, test, grads, weights, ratios, dead, saturated, units, which, test_acc)

    def report(self) -> Report:
        return Report(self.family, self.kind, self.activations, self.chance, tuple(self.samples), self.state,
                      self.epoch, self.X_test is not None, self.updates_per_epoch, self.settings, self.chance_acc,
                      self.target_rms, self.train_points)


def step_observed(inst: Instruments, trainer: Any, epochs: int) -> None:
    """Step ``trainer`` by ``epochs``, ending chunks at the instruments' probes and samples (as the Session does)."""
    target = trainer.epoch + int(epochs)
    while trainer.epoch < target and trainer.state not in ("diverged", "stopped"):
        if inst.next_epoch() <= trainer.epoch:
            inst.observe(trainer.epoch, trainer.state)
        k = min(target - trainer.epoch, max(1, inst.next_epoch() - trainer.epoch))
        before = trainer.epoch
        trainer.step(k, metrics=False)
        inst.observe(trainer.epoch, trainer.state)
        if trainer.epoch == before:
            break


def instruments_for(setup: Any, net: MLP, prep: Any, family: str, epoch: int = 0) -> Instruments:
    """Instruments for a set-up's network over its prepared data (``prep`` as engine.build makes it)."""
    n = prep.X_train.shape[1]
    batch = setup.batch_size if family == "backprop" else n
    updates = max(1, math.ceil(n / max(1, min(batch or n, n)))) if n else 1
    inst = Instruments(net, prep.X_train, prep.Y_train, prep.X_test, prep.Y_test, family=family, kind=prep.kind,
                       updates_per_epoch=updates, epochs=setup.epochs,
                       settings={"lr": setup.lr, "trainer": setup.trainer, "optimizer": setup.optimizer})
    inst._next = epoch
    return inst


__all__ = ["Instruments", "instruments_for", "step_observed", "Sample", "Report", "layer_norms", "update_ratios",
           "dead_units", "saturated_units", "dead_which", "saturated_which", "chance_loss", "chance_accuracy",
           "target_rms", "last_accuracy", "measure",
           "SATURATION_EDGE", "SATURATED_SHARE", "UPDATES_PER_SAMPLE"]
