"""The step-wise trainer: the one object the CLI, the app and the benchmarks drive.

``trainer.step(k)`` runs k epochs of (mini-batch) gradient descent and, only when asked, measures
losses and accuracies.  The common cases run on :class:`~.kernels.Kernel`; dropout and the few
pairings it does not cover take the generic path (``_epoch``), which gives the same weights.
Divergence contract (both paths): the state becomes ``diverged`` as soon as the loss or any weight
is non-finite or astronomically large (Σw² > 1e200), the weights of before the offending update are
kept, and nothing is raised.  A loss measured (by ``metrics()``) at over EXPLOSION times the starting one
also ends the run as ``diverged``, with the weights as they are: ELU nets reach losses of 1e18 with finite
weights.  Live changes go through :meth:`Trainer.configure`.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .buffers import Workspace, augment, rng_from
from .kernels import Kernel, Rules, not_covered, weights_ok
from .optimizers import OPTIMIZERS, Hyper, make_optimizer

if TYPE_CHECKING:
    from .network import MLP

Array = np.ndarray

STATES = ("ready", "running", "diverged", "stopped")
# The options that may change between steps (Trainer.configure), besides the optimisers' hyperparameters:
# the one list trainers.py, configure and the setters read.
LIVE_OPTIONS = ("lr", "batch_size", "optimizer", "l1", "l2", "dropout")
MEASURE_BYTES = 16 * 2 ** 20     # measuring works through the data in chunks of about this size per layer
EXPLOSION = 1e6          # a loss this many times the starting one (or 1) means the run diverged
START_COLUMNS = 2048      # the starting loss of a step()-driven run is measured on at most this many columns


@dataclass(frozen=True)
class Metrics:
    """Where training stands after a step."""

    epoch: int
    train_loss: float
    test_loss: float | None = None
    train_acc: float | None = None
    test_acc: float | None = None
    state: str = "running"
    best_fitness: float | None = None     # neuroevolution only: best and mean fitness of the generation
    mean_fitness: float | None = None
    evaluations: int | None = None        # neuroevolution only: forward evaluations so far

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_lr(lr: Any) -> float:
    """A learning rate must be a finite number > 0."""
    try:
        value = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"learning rate must be a number > 0, got {lr!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"learning rate must be a finite number > 0, got {lr!r}")
    return value


def _check_rate(name: str, value: Any, upper: float | None = None) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number ≥ 0, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (upper is not None and v >= upper):
        allowed = f"in [0, {upper})" if upper is not None else "≥ 0"
        raise ValueError(f"{name} must be a finite number {allowed}, got {value!r}")
    return v


def evenly(A: Array, columns: int) -> Array:
    """At most ``columns`` evenly spaced columns of A (a view; A itself when it is narrow enough)."""
    n = A.shape[1]
    return A if n <= columns else A[:, :: -(-n // max(1, columns))]


class _Diverged(Exception):
    """Raised inside the epoch loop when a gradient stops being finite."""


class Trainer:
    """Back-propagation with gradient descent on ``net`` over X, Y (one instance per column).

    ``batch_size=None`` is full batch.  ``X_test``/``Y_test`` are only measured;
    ``X_val``/``Y_val`` drive early stopping with ``patience`` epochs.
    """

    family: ClassVar[str] = "backprop"
    unit: ClassVar[str] = "epoch"
    kind: ClassVar[str] = "backprop"          # the name the 0.1 CLI reads; prefer ``family``

    def __init__(self, net: MLP, X: Any, Y: Any, X_test: Any = None, Y_test: Any = None, *,
                 lr: float = 0.03, batch_size: int | None = None, optimizer: str = "sgd",
                 optimizer_options: dict[str, Hyper] | None = None,
                 l1: float = 0.0, l2: float = 0.0, dropout: float = 0.0,
                 X_val: Any = None, Y_val: Any = None, patience: int | None = None,
                 seed: int | None = None, shuffle: bool = True) -> None:
        for act in net.activations:
            if not act.spec.trainable_by_backprop:
                raise ValueError(f"the {act.name} activation has zero gradient almost everywhere, so "
                                 "back-propagation cannot train it; use neuroevolution instead "
                                 "(trainer 'ga' or 'es')")
        self.net = net
        self._kernel: tuple[bool, Kernel] | None = None      # (shuffle, kernel); see _fast
        self._resume: tuple[Array, Array, int, float] | None = None    # the generic path's part-done epoch
        self.use_kernel = True                        # False: always the generic path (tests compare the two)
        self._workspaces: dict[int, Workspace] = {}
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.dropout = dropout
        self.shuffle = shuffle
        self.seed = net.seed if seed is None else seed
        self.rng = rng_from(self.seed)
        self._hyper: dict[str, Hyper] = {}
        self._remember_hyper(optimizer_options or {})
        self.optimizer = optimizer
        self.set_data(X, Y, X_test, Y_test)
        self.batch_size = batch_size
        if (X_val is None) != (Y_val is None):
            raise ValueError("a validation set needs both X_val and Y_val")
        if patience is not None:
            patience = int(patience)
            if patience < 1:
                raise ValueError(f"patience must be a whole number ≥ 1, got {patience}")
            if X_val is None or Y_val is None:
                raise ValueError("early stopping (patience) needs a validation set: X_val and Y_val")
        self.patience = patience
        self.X_val: Array | None = None
        self.Y_val: Array | None = None
        if X_val is not None and Y_val is not None:
            self.X_val = net.check_X(X_val, "X_val")
            self.Y_val = net.check_Y(Y_val, self.X_val.shape[1], "Y_val")
        self.best_val = math.inf
        self.best_epoch = 0
        self._best = net._flat.copy()
        self._since_best = 0
        self._last_good = net._flat.copy()            # the generic path's weights before each update
        self.epoch = 0
        self.state = "ready"
        self.message = ""
        self._initial_loss: float | None = None       # first measured loss: a yardstick for divergence
        self.record: dict[str, list[float]] | None = None   # fit() sets this to collect per-epoch losses

    # --- settings that may change between steps --------------------------------

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_lr(value)

    @property
    def optimizer(self) -> str:
        return self._optimizer.name

    @optimizer.setter
    def optimizer(self, name: str) -> None:
        """A fresh optimiser (no velocity or moments), with the hyperparameters it shares with the old one."""
        cls = OPTIMIZERS.get(str(name).lower())
        hyper = {k: v for k, v in self._hyper.items() if cls is not None and k in cls.HYPERPARAMETERS}
        self._optimizer = make_optimizer(name, self.net.n_params, self.net.dtype, **hyper)
        self._kernel = None

    @property
    def optimizer_options(self) -> dict[str, Hyper]:
        """The current optimiser's hyperparameters."""
        return dict(self._optimizer.hyper)

    @property
    def l1(self) -> float:
        return self._l1

    @l1.setter
    def l1(self, value: float) -> None:
        self._l1 = _check_rate("l1", value)
        self._kernel = None

    @property
    def l2(self) -> float:
        return self._l2

    @l2.setter
    def l2(self, value: float) -> None:
        self._l2 = _check_rate("l2", value)
        self._kernel = None

    @property
    def dropout(self) -> float:
        return self._dropout

    @dropout.setter
    def dropout(self, value: float) -> None:
        self._dropout = _check_rate("dropout", value, upper=1.0)
        self._workspaces = {}               # dropout needs mask buffers
        self._kernel = None

    def _remember_hyper(self, hyper: dict[str, Hyper]) -> None:
        """Keep hyperparameters of any optimiser (they apply when it is chosen); unknown names raise."""
        known = {k for cls in OPTIMIZERS.values() for k in cls.HYPERPARAMETERS}
        unknown = sorted(set(hyper) - known)
        if unknown:
            raise ValueError(f"no optimizer hyperparameter {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(sorted(known))}")
        for cls in OPTIMIZERS.values():            # check values now, against the owner's rules
            mine = {k: v for k, v in hyper.items() if k in cls.HYPERPARAMETERS}
            if mine:
                cls(0, np.float64, **mine)
        self._hyper.update(hyper)

    def configure(self, **changes: Any) -> None:
        """Apply live changes between steps: lr, batch_size, optimizer, l1, l2, dropout, or any
        optimizer hyperparameter (beta, nesterov, beta1, beta2, eps, eps_style).

        Everything is checked before anything changes; an unknown key raises ValueError.
        """
        plain = LIVE_OPTIONS
        known = {k for cls in OPTIMIZERS.values() for k in cls.HYPERPARAMETERS}
        unknown = sorted(set(changes) - set(plain) - known)
        if unknown:
            raise ValueError(f"cannot change {', '.join(map(repr, unknown))} while training; live settings: "
                             f"{', '.join((*plain, *sorted(known)))}")
        if "lr" in changes:
            check_lr(changes["lr"])
        for key, upper in (("l1", None), ("l2", None), ("dropout", 1.0)):
            if key in changes:
                _check_rate(key, changes[key], upper)
        if "optimizer" in changes and str(changes["optimizer"]).lower() not in OPTIMIZERS:
            make_optimizer(changes["optimizer"], 0)         # raises the listing error
        hyper = {k: v for k, v in changes.items() if k in known}
        self._remember_hyper(hyper)
        for key in ("batch_size", *(k for k in plain if k not in ("batch_size", "optimizer"))):  # batch_size first
            if key in changes:
                setattr(self, key, changes[key])
        if "optimizer" in changes and changes["optimizer"] != self.optimizer:
            self.optimizer = changes["optimizer"]
        else:
            mine = {k: v for k, v in hyper.items() if k in self._optimizer.HYPERPARAMETERS}
            if mine:
                self._optimizer.configure(**mine)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        """None means full batch; a size above n is clipped to n."""
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                                  or value < 1):
            raise ValueError(f"batch size must be a whole number ≥ 1, got {value!r}")
        self._requested_batch = None if value is None else int(value)
        self._batch_size = min(self._requested_batch or self.n, self.n)
        self._workspaces = {}
        self._kernel = None

    def set_data(self, X: Any, Y: Any, X_test: Any = None, Y_test: Any = None) -> None:
        """Replace the training (and test) data, keeping the weights: e.g. after drawing points."""
        net = self.net
        self.X = np.ascontiguousarray(net.check_X(X))
        self.Y = np.ascontiguousarray(net.check_Y(Y, self.X.shape[1]))
        self.n = self.X.shape[1]
        if self.n == 0:
            raise ValueError("no training points: X has 0 columns")
        self.X_test: Array | None = None
        self.Y_test: Array | None = None
        if X_test is not None and Y_test is not None and np.asarray(X_test).size:
            self.X_test = net.check_X(X_test, "X_test")
            self.Y_test = net.check_Y(Y_test, self.X_test.shape[1], "Y_test")
        self._Xa = augment(self.X)          # with a row of ones: see network.augment
        self._resume = None
        if hasattr(self, "_requested_batch"):
            self.batch_size = self._requested_batch
        self._workspaces = {}
        self._kernel = None

    def reset_optimizer(self) -> None:
        """Forget momentum/Adam state after weights were changed by hand, and any divergence: the hand, not the
        rate, made these weights, so metrics() judges them afresh (an edit undone trains on, a probe's find)."""
        self._optimizer.reset()
        self._initial_loss = None
        if self.state == "diverged":
            self.state, self.message = ("running" if self.epoch else "ready"), ""

    # --- the loop -----------------------------------------------------------------

    def _workspace(self, n: int) -> Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            ws = Workspace(self.net.layers, n, self.net.dtype, dropout=self.dropout > 0)
            self._workspaces[n] = ws
        return ws

    def _fast(self) -> Kernel | None:
        """The bound kernel for the current settings (built on first use), or None for the generic path."""
        if not self.use_kernel or not_covered(self.net, self._dropout) is not None:
            return None
        if self._kernel is None or self._kernel[0] != self.shuffle:      # the setters drop a stale kernel
            rules = Rules(batch=self._batch_size, shuffle=self.shuffle, l1=self._l1, l2=self._l2)
            kernel = Kernel(self.net, self._Xa, self.Y, self._optimizer, rules, self.rng)
            self._kernel = (self.shuffle, kernel)
        return self._kernel[1]

    def _penalize(self, grad: Array) -> None:
        """Add the L1/L2 penalty gradients on weights (never biases)."""
        net = self.net
        if self._l2:
            grad += self._l2 * net._flat * net._weight_mask
        if self._l1:
            grad += self._l1 * np.sign(net._flat) * net._weight_mask

    def penalty(self) -> float:
        """The penalty term l1·Σ|W| + (l2/2)·ΣW² that the optimiser also minimises."""
        w = self.net._flat * self.net._weight_mask
        return float(self._l1 * np.abs(w).sum() + 0.5 * self._l2 * (w @ w))

    def _epoch(self, loss_limit: float, deadline: float | None = None) -> float | None:
        """The generic path (dropout, and what the kernel does not cover): one pass over the data.

        Returns the mean batch loss (nan unless recording), or None when ``deadline`` passed mid-epoch:
        the next call goes on with the next batch of the same order.  Raises _Diverged with the weights
        of before the offending update in place, under the same contract as the kernel.
        """
        net, opt, lr = self.net, self._optimizer, self._lr
        bs, n = self._batch_size, self.n
        record = self.record is not None
        if self._resume is not None and self._resume[0].shape[1] == self._Xa.shape[1]:
            X, Y, first, total = self._resume
        else:
            X, Y, first, total = self._Xa, self.Y, 0, 0.0
            if bs < n and self.shuffle:
                perm = self.rng.permutation(n)
                X, Y = X[:, perm], Y[:, perm]
        self._resume = None
        for start in range(first, n, bs):
            if deadline is not None and start > first and time.perf_counter() >= deadline:
                self._resume = (X, Y, start, total)
                return None
            Xb, Yb = X[:, start:start + bs], Y[:, start:start + bs]
            m = Xb.shape[1]
            ws = self._workspace(m)
            net._forward(Xb, ws, self._dropout, self.rng)
            if record:
                loss = net._output_loss(ws, Yb)
                if not loss <= loss_limit:
                    raise _Diverged
                total += loss * m
            grad = net._backward(Xb, Yb, ws, self._dropout)
            self._penalize(grad)
            np.copyto(self._last_good, net._flat)
            opt.update(net._flat, grad, lr)
            if not weights_ok(net._flat):
                np.copyto(net._flat, self._last_good)
                raise _Diverged
        return total / n if record else math.nan

    def step(self, epochs: int = 1, *, metrics: bool = True, deadline: float | None = None) -> Metrics | None:
        """Advance up to ``epochs`` epochs; return Metrics when ``metrics`` (else None).

        Stops early (and says so in ``state``) on divergence or early stopping, and mid-epoch once
        ``deadline`` (a ``time.perf_counter()`` value) has passed: the next step resumes with the next
        batch, so the weights are those of an uninterrupted run (see :attr:`mid_epoch`).
        """
        epochs = int(epochs)
        if epochs < 0:
            raise ValueError(f"epochs must be ≥ 0, got {epochs}")
        if self.state in ("diverged", "stopped"):
            return self.metrics() if metrics else None
        if epochs:
            self.state = "running"
            self._train(epochs, deadline)
        return self.metrics() if metrics else None

    @property
    def mid_epoch(self) -> bool:
        """True when a deadline stopped the current epoch part-way (``epoch`` counts whole epochs)."""
        kernel = self._kernel[1] if self._kernel is not None else None
        return self._resume is not None or (kernel is not None and kernel.mid_epoch)

    def _train(self, epochs: int, deadline: float | None = None) -> None:
        """Run the epochs on the kernel or the generic path; handle recording, validation, divergence."""
        net, record = self.net, self.record
        losses = record["loss"] if record is not None else None
        limit = math.inf
        if record is not None:                     # fit(): a starting loss to tell an explosion by
            if self._initial_loss is None:
                self._initial_loss = self._measure(self.X, self.Y)[0]
            limit = EXPLOSION * max(self._initial_loss, 1.0) if math.isfinite(self._initial_loss) else math.inf
        elif self._initial_loss is None and self.epoch == 0:
            # step() with no metrics until the end: the starting loss, on a few columns, so that metrics()
            # can tell a loss that grew a millionfold but stayed finite (ELU, 1e18) from a finished run
            initial = self._measure(evenly(self.X, START_COLUMNS), evenly(self.Y, START_COLUMNS))[0]
            self._initial_loss = initial if math.isfinite(initial) else None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            kernel = self._fast()                  # (a penalty of 1e300 overflows float32: diverges at once)
            per_call = 1 if self.X_val is not None or kernel is None else epochs
            left = epochs
            while left:
                k = min(per_call, left)
                diverged = False
                try:
                    if kernel is not None:
                        done = kernel.run(k, self._lr, losses, limit, deadline)
                        diverged = kernel.diverged
                    else:
                        loss = self._epoch(limit, deadline)
                        if loss is not None and losses is not None:
                            losses.append(loss)
                        done = 0 if loss is None else 1
                except _Diverged:
                    done, diverged = 0, True
                self.epoch += done
                left -= k
                if diverged:
                    self._diverged()
                    return
                if done < k:                       # the deadline passed mid-epoch
                    return
                if self.X_val is not None:
                    val = net.loss(self.X_val, self.Y_val)
                    if record is not None:
                        record["val_loss"].append(val)
                    if self.patience is not None and self._early_stop(val):
                        return
                if deadline is not None and time.perf_counter() >= deadline:
                    return

    def _diverged(self) -> None:
        self.state = "diverged"
        # One number everywhere: ``epoch`` (whole epochs done) is what the report, the progress bar and the app
        # show; the update that failed belonged to the next one, and its weights were not kept.
        done = f"after {self.epoch} epoch{'s' if self.epoch != 1 else ''}" if self.epoch else "in the first epoch"
        self.message = (f"training diverged {done} (the next update made the loss or weights infinite "
                        f"or astronomically large); the last finite weights are kept. Try a smaller learning "
                        f"rate than {self._lr:g} and start again")

    def _early_stop(self, val: float) -> bool:
        """Track the best validation loss; after ``patience`` worse epochs restore the best weights."""
        if val < self.best_val:
            self.best_val, self.best_epoch, self._since_best = val, self.epoch, 0
            self._best[...] = self.net._flat
            return False
        self._since_best += 1
        if self.patience is not None and self._since_best >= self.patience:
            self.net._flat[...] = self._best
            self.state = "stopped"
            self.message = (f"early stopping: no better validation loss for {self.patience} epochs; "
                            f"restored the weights of epoch {self.best_epoch}")
            return True
        return False

    # --- measuring ----------------------------------------------------------------

    def _measure(self, X: Array, Y: Array) -> tuple[float, float | None]:
        """(loss, accuracy) of the current weights, in column chunks so that a huge n needs little memory."""
        net = self.net
        n = X.shape[1]
        width = max(1024, MEASURE_BYTES // (max(net.layers) * net.dtype.itemsize))
        loss, right = 0.0, 0
        for start in range(0, n, width):
            Xc, Yc = X[:, start:start + width], Y[:, start:start + width]
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                Z = net.logits(Xc)
                A = net.activations[-1](Z)
                loss += net.loss_spec.value(Z, A, Yc) * Xc.shape[1]
            if net.task == "binary":
                right += int(np.count_nonzero((A > 0.5) == (Yc > 0.5)))
            elif net.task == "multiclass":
                right += int(np.count_nonzero(A.argmax(axis=0) == Yc.argmax(axis=0)))
        acc = right / (n * Y.shape[0] if net.task == "binary" else n) if net.task != "regression" else None
        return loss / n, acc

    def metrics(self, columns: int | None = None) -> Metrics:
        """Measure train (and test) loss and accuracy now; on at most ``columns`` evenly spaced columns
        of each set when given (a live display's estimate: measuring a million points takes seconds)."""
        X, Y, Xt, Yt = self.X, self.Y, self.X_test, self.Y_test
        if columns is not None:
            X, Y = evenly(X, columns), evenly(Y, columns)
            if Xt is not None and Yt is not None:
                Xt, Yt = evenly(Xt, columns), evenly(Yt, columns)
        train_loss, train_acc = self._measure(X, Y)
        test_loss = test_acc = None
        if Xt is not None and Yt is not None:
            test_loss, test_acc = self._measure(Xt, Yt)
        if self._initial_loss is None and math.isfinite(train_loss):
            self._initial_loss = train_loss
        exploded = self._initial_loss is not None and train_loss > EXPLOSION * max(self._initial_loss, 1.0)
        if (not math.isfinite(train_loss) or exploded) and self.state != "diverged":
            self.state = "diverged"
            self.message = (f"the loss exploded after {self.epoch} epochs; try a smaller learning "
                            f"rate than {self._lr:g} and start again")
        return Metrics(self.epoch, train_loss, test_loss, train_acc, test_acc, self.state)


__all__ = ["Trainer", "Metrics", "check_lr", "STATES", "OPTIMIZERS", "LIVE_OPTIONS", "evenly"]
