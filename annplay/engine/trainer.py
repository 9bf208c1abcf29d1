"""The step-wise trainer: the one object the CLI, the app and the benchmarks drive.

``trainer.step(k)`` runs k epochs of (mini-batch) gradient descent and, only
when asked, measures losses and accuracies.  If the weights stop being finite
it restores the last finite ones and reports the state ``diverged`` instead
of raising.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from .network import MLP, Workspace, augment, is_finite_vector
from .optimizers import OPTIMIZERS, Hyper, make_optimizer

Array = np.ndarray

STATES = ("ready", "running", "diverged", "stopped")


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
        self._kernel: tuple | None = None            # see _fast_kernel
        self._workspaces: dict[int, Workspace] = {}
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.dropout = dropout
        self.shuffle = shuffle
        self.seed = net.seed if seed is None else seed
        self.rng = np.random.default_rng(self.seed)
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
        self.X_val = net.check_X(X_val, "X_val") if X_val is not None else None
        self.Y_val = net.check_Y(Y_val, self.X_val.shape[1], "Y_val") if Y_val is not None else None
        self.best_val = math.inf
        self.best_epoch = 0
        self._best = net._flat.copy()
        self._since_best = 0
        self._last_good = net._flat.copy()
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

    @property
    def l2(self) -> float:
        return self._l2

    @l2.setter
    def l2(self, value: float) -> None:
        self._l2 = _check_rate("l2", value)

    @property
    def dropout(self) -> float:
        return self._dropout

    @dropout.setter
    def dropout(self, value: float) -> None:
        self._dropout = _check_rate("dropout", value, upper=1.0)
        self._workspaces = {}               # dropout needs mask buffers; the kernel is rebuilt

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
        plain = ("lr", "batch_size", "optimizer", "l1", "l2", "dropout")
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
        for key in ("batch_size", "lr", "l1", "l2", "dropout"):       # batch_size first: it checks itself
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

    def set_data(self, X: Any, Y: Any, X_test: Any = None, Y_test: Any = None) -> None:
        """Replace the training (and test) data, keeping the weights: e.g. after drawing points."""
        net = self.net
        self.X = np.ascontiguousarray(net.check_X(X))
        self.Y = np.ascontiguousarray(net.check_Y(Y, self.X.shape[1]))
        self.n = self.X.shape[1]
        if self.n == 0:
            raise ValueError("no training points: X has 0 columns")
        if X_test is not None and Y_test is not None and np.asarray(X_test).size:
            self.X_test = net.check_X(X_test, "X_test")
            self.Y_test = net.check_Y(Y_test, self.X_test.shape[1], "Y_test")
        else:
            self.X_test = self.Y_test = None
        self._Xa = augment(self.X)          # with a row of ones: see network.augment
        self._Xs = np.empty_like(self._Xa)
        self._Ys = np.empty_like(self.Y)
        if hasattr(self, "_requested_batch"):
            self.batch_size = self._requested_batch
        self._workspaces: dict[int, Workspace] = {}

    def reset_optimizer(self) -> None:
        """Forget momentum/Adam state (after weights were changed by hand); the new weights are the last good ones."""
        self._optimizer.reset()
        self._last_good[...] = self.net._flat

    # --- the loop -----------------------------------------------------------------

    def _workspace(self, n: int) -> Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            ws = Workspace(self.net.layers, n, self.net.dtype, dropout=self.dropout > 0)
            self._workspaces[n] = ws
        return ws

    def _penalize(self, grad: Array) -> None:
        """Add the L1/L2 penalty gradients on weights (never biases)."""
        net = self.net
        if self.l2:
            grad += self.l2 * net._flat * net._weight_mask
        if self.l1:
            grad += self.l1 * np.sign(net._flat) * net._weight_mask

    def penalty(self) -> float:
        """The penalty term l1·Σ|W| + (l2/2)·ΣW² that the optimiser also minimises."""
        w = self.net._flat * self.net._weight_mask
        return float(self.l1 * np.abs(w).sum() + 0.5 * self.l2 * (w @ w))

    def _epoch(self) -> float:
        """One pass over the training data; returns the mean batch loss if recording, else nan.

        Raises _Diverged before an update whose gradient is not finite, so the weights
        left in place are the last finite ones.
        """
        net, opt, lr = self.net, self._optimizer, self._lr
        bs, n = self._batch_size, self.n
        penalize = self.l1 or self.l2
        # SGD and momentum are linear in the gradient: fold its constant factor into the rate
        # (for momentum only while every batch has the same size, so that the factor is constant).
        fold = not penalize and opt.linear and (opt.name == "sgd" or n % bs == 0)
        X, Y = self._Xa, self.Y                     # (the common full-batch case runs in _fast_kernel)
        record = self.record is not None
        total = 0.0
        self._last_good[...] = net._flat         # a diverging batch rolls back to the epoch's start
        if bs < n and self.shuffle:
            perm = self.rng.permutation(n)
            np.take(self._Xa, perm, axis=1, out=self._Xs)
            np.take(self.Y, perm, axis=1, out=self._Ys)
            X, Y = self._Xs, self._Ys
        for start in range(0, n, bs):
            Xb = X[:, start:start + bs] if bs < n else X
            Yb = Y[:, start:start + bs] if bs < n else Y
            m = Xb.shape[1]
            ws = self._workspace(m)
            net._forward(Xb, ws, self.dropout, self.rng)
            if record:
                total += net._output_loss(ws, Yb) * m
            grad = net._backward(Xb, Yb, ws, self.dropout, scale=not fold)
            if not math.isfinite(float(np.add.reduce(grad))):
                raise _Diverged
            if penalize:
                self._penalize(grad)
            opt.update(net._flat, grad, lr * net.grad_factor(m) if fold else lr)
        return total / n if record else math.nan

    def _fast_kernel(self):
        """A tight loop for the common case, or None: full batch, no dropout, penalties, validation
        or recording, an optimiser linear in the gradient, and an output whose error is A − Y.

        It runs k epochs with every buffer bound to a local name, and returns how many epochs
        completed before a gradient stopped being finite.
        """
        net, opt = self.net, self._optimizer
        if (self._batch_size < self.n or self.dropout or self.l1 or self.l2 or self.record is not None
                or self.X_val is not None or not opt.linear
                or net.loss_spec.output is None):
            return None
        key = (self._workspaces, opt, self._Xa)        # rebuilt when any of these is replaced
        if self._kernel is not None and all(a is b for a, b in zip(self._kernel[0], key)):
            return self._kernel[1]
        ws = self._workspace(self.n)
        plan = net._layer_plan
        ins = [self._Xa, *ws.Aaug]
        hidden = [(plan[i][0], ins[i], ws.Z[i], plan[i][2], ws.A[i]) for i in range(len(plan) - 1)]
        P_out, A_in_out, Z_out, f_out, A_out = plan[-1][0], ins[-1], ws.Z[-1], plan[-1][2], ws.A[-1]
        back = [(ins[i].T, net._grad_blocks[i], plan[i][1], ws.dA[i - 1], plan[i - 1][3],
                 ws.Z[i - 1], ws.A[i - 1], ws.D[i - 1], ws.dZ[i - 1]) for i in range(len(plan) - 1, 0, -1)]
        G0, XaT, dZ_out = net._grad_blocks[0], self._Xa.T, ws.dZ[-1]
        fused = net._fused
        if fused:
            target = 2.0 * self.Y - 1.0                  # tanh(z/2) − (2y − 1) = 2(σ(z) − y)
        else:
            target = self.Y
        flat, grad, update = net._flat, net._grad, opt.update
        factor = net.grad_factor(self.n)
        matmul, multiply, subtract, tanh = np.matmul, np.multiply, np.subtract, np.tanh
        add_reduce, isfinite = np.add.reduce, math.isfinite

        def run(k: int) -> int:
            lr = self._lr * factor
            for done in range(k):
                for P, A, Z, f, out in hidden:
                    matmul(P, A, out=Z)
                    f(Z, out)
                matmul(P_out, A_in_out, out=Z_out)
                if fused:
                    multiply(Z_out, 0.5, out=A_out)
                    tanh(A_out, out=A_out)
                else:
                    f_out(Z_out, A_out)
                dZ = subtract(A_out, target, out=dZ_out)
                for AT, G, WT, dA, d, Zp, Ap, Dp, dZp in back:
                    matmul(dZ, AT, out=G)
                    matmul(WT, dZ, out=dA)
                    dZ = multiply(dA, d(Zp, Ap, Dp), out=dZp)
                matmul(dZ, XaT, out=G0)
                if not isfinite(float(add_reduce(grad))):
                    return done
                update(flat, grad, lr)
            return k

        self._kernel = (key, run)
        return run

    def step(self, epochs: int = 1, *, metrics: bool = True) -> Metrics | None:
        """Advance up to ``epochs`` epochs; return Metrics when ``metrics`` (else None).

        Stops early (and says so in ``state``) on divergence or early stopping.
        """
        epochs = int(epochs)
        if epochs < 0:
            raise ValueError(f"epochs must be ≥ 0, got {epochs}")
        if self.state in ("diverged", "stopped"):
            return self.metrics() if metrics else None
        if epochs:
            self.state = "running"
        net = self.net
        self._last_good[...] = net._flat         # full batch: a fallback for the float-overflow case
        kernel = self._fast_kernel() if epochs else None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            try:
                if kernel is not None:
                    done = kernel(epochs)
                    self.epoch += done
                    if done < epochs:
                        raise _Diverged
                    epochs = 0
                for _ in range(epochs):
                    loss = self._epoch()
                    if self.record is not None and not math.isfinite(loss):
                        raise _Diverged
                    self.epoch += 1
                    if self.record is not None:
                        self.record["loss"].append(loss)
                    if self.X_val is not None:
                        val = net.loss(self.X_val, self.Y_val)
                        if self.record is not None:
                            self.record["val_loss"].append(val)
                        if self.patience is not None and self._early_stop(val):
                            break
            except _Diverged:
                if self._batch_size < self.n or self.record is not None or not is_finite_vector(net._flat):
                    net._flat[...] = self._last_good
                self.state = "diverged"
                self.message = (f"training diverged at epoch {self.epoch + 1} (the loss or weights "
                                f"became infinite); the last finite weights are kept. Try a "
                                f"smaller learning rate than {self._lr:g} and start again")
        return self.metrics() if metrics else None

    def _early_stop(self, val: float) -> bool:
        """Track the best validation loss; after ``patience`` worse epochs restore the best weights."""
        if val < self.best_val:
            self.best_val, self.best_epoch, self._since_best = val, self.epoch, 0
            self._best[...] = self.net._flat
            return False
        self._since_best += 1
        if self._since_best >= self.patience:
            self.net._flat[...] = self._best
            self.state = "stopped"
            self.message = (f"early stopping: no better validation loss for {self.patience} epochs; "
                            f"restored the weights of epoch {self.best_epoch}")
            return True
        return False

    # --- measuring ----------------------------------------------------------------

    def _measure(self, X: Array, Y: Array) -> tuple[float, float | None]:
        net = self.net
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            Z = net.logits(X)
            A = net.activations[-1](Z)
            loss = net.loss_spec.value(Z, A, Y)
        acc = None
        if net.task == "binary":
            acc = float(np.mean((A > 0.5) == (Y > 0.5)))
        elif net.task == "multiclass":
            acc = float(np.mean(A.argmax(axis=0) == Y.argmax(axis=0)))
        return loss, acc

    def metrics(self) -> Metrics:
        """Measure train (and test) loss and accuracy now."""
        train_loss, train_acc = self._measure(self.X, self.Y)
        test_loss = test_acc = None
        if self.X_test is not None:
            test_loss, test_acc = self._measure(self.X_test, self.Y_test)
        if self._initial_loss is None and math.isfinite(train_loss):
            self._initial_loss = train_loss
        exploded = self._initial_loss is not None and train_loss > 1e6 * max(self._initial_loss, 1.0)
        if (not math.isfinite(train_loss) or exploded) and self.state != "diverged":
            self.state = "diverged"
            self.message = (f"the loss exploded at epoch {self.epoch}; try a smaller learning "
                            f"rate than {self._lr:g} and start again")
        return Metrics(self.epoch, train_loss, test_loss, train_acc, test_acc, self.state)


__all__ = ["Trainer", "Metrics", "check_lr", "STATES", "OPTIMIZERS"]
