"""Optimisers: each updates the flat parameter vector in place from its gradient g.

Working on one flat vector makes an update a handful of NumPy calls however many layers the
network has.  The update rules (t counts updates from 1; lr is read at every step, so a live change
of the learning rate takes effect at once):

* ``sgd``:       p ← p − lr·g
* ``momentum``:  v ← β·v + g;  p ← p − lr·v                  (PyTorch's convention; ``beta`` = β, 0.9)
  with ``nesterov=True``:  v ← β·v + g;  p ← p − lr·(g + β·v)  (PyTorch's Nesterov form)
  The rate stays outside the velocity, so lowering it slows the very next step.  (Keras and
  scikit-learn keep v ← β·v − lr·g instead: identical while lr is constant, not after a change.)
* ``adam``:      m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ)
  ``eps_style="pytorch"`` (default):  p ← p − lr·m̂/(√v̂ + ε)
  ``eps_style="keras"`` (Keras, scikit-learn):  p ← p − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε)
  The two agree for ε = 0; otherwise Keras's effective ε is ε/√(1−β₂ᵗ), larger early on.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

Array = np.ndarray
Hyper = float | bool | str


class Optimizer:
    """Base class: keyword hyperparameters with defaults, checked on construction and on ``configure``."""

    name: ClassVar[str] = ""
    HYPERPARAMETERS: ClassVar[dict[str, Hyper]] = {}
    linear: ClassVar[bool] = False      # update linear in g: a constant factor of g may be folded into lr

    def __init__(self, size: int, dtype: type | np.dtype = np.float64, **hyper: Hyper) -> None:
        self.size = int(size)
        self.dtype = np.dtype(dtype)
        self.hyper: dict[str, Hyper] = dict(self.HYPERPARAMETERS)
        self.configure(**hyper)
        self.reset()

    def configure(self, **hyper: Hyper) -> None:
        """Change hyperparameters live (the running state is kept); unknown names raise ValueError."""
        unknown = sorted(set(hyper) - set(self.HYPERPARAMETERS))
        if unknown:
            allowed = ", ".join(self.HYPERPARAMETERS) or "none"
            raise ValueError(f"optimizer {self.name!r} has no hyperparameter {', '.join(map(repr, unknown))}; "
                             f"its hyperparameters: {allowed}")
        checked = {key: _check(self.name, key, value, self.HYPERPARAMETERS[key]) for key, value in hyper.items()}
        self.hyper.update(checked)
        for key, value in self.hyper.items():
            setattr(self, key, value)

    def update(self, params: Array, grad: Array, lr: float) -> None:
        """Move ``params`` one step against ``grad`` (left unchanged)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the running state (velocity, moments, step count)."""

    def state(self) -> tuple:
        """A copy of the running state (the kernel keeps one to replay a stretch of batches)."""
        return ()

    def set_state(self, state: tuple) -> None:
        """Go back to a state from :meth:`state`."""
        return None


def _check(optimizer: str, key: str, value: Hyper, default: Hyper) -> Hyper:
    """One hyperparameter, of its default's type and in its range, or a ValueError naming it."""
    if isinstance(default, bool):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{optimizer} {key} must be true or false, got {value!r}")
        return bool(value)
    if isinstance(default, str):
        if value not in EPS_STYLES:
            raise ValueError(f"{optimizer} {key} must be one of {', '.join(EPS_STYLES)}, got {value!r}")
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{optimizer} {key} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError(f"{optimizer} {key} must be a finite number, got {value!r}")
    if key == "eps":
        if number < 0:
            raise ValueError(f"{optimizer} eps must be ≥ 0, got {value!r}")
    elif not 0.0 <= number < 1.0:
        raise ValueError(f"{optimizer} {key} must be in [0, 1), got {value!r}")
    return number


EPS_STYLES = ("pytorch", "keras")


class SGD(Optimizer):
    """Plain gradient descent: p ← p − lr·g."""

    name = "sgd"
    linear = True

    def reset(self) -> None:
        self._step = np.empty(self.size, self.dtype)
        self._lr, self._rate = math.nan, np.zeros((), self.dtype)   # lr as a 0-d array: a cheaper ufunc call

    def update(self, params: Array, grad: Array, lr: float) -> None:
        if lr != self._lr:
            self._lr, self._rate = lr, np.array(lr, self.dtype)
        np.multiply(grad, self._rate, self._step)
        np.subtract(params, self._step, params)


class Momentum(Optimizer):
    """Heavy-ball momentum, PyTorch's form: v ← βv + g; p ← p − lr·v (Nesterov: p ← p − lr·(g + βv))."""

    name = "momentum"
    HYPERPARAMETERS = {"beta": 0.9, "nesterov": False}
    linear = True
    beta: float
    nesterov: bool

    def reset(self) -> None:
        self.v = np.zeros(self.size, self.dtype)
        self._step = np.empty(self.size, self.dtype)

    def state(self) -> tuple:
        return (self.v.copy(),)

    def set_state(self, state: tuple) -> None:
        np.copyto(self.v, state[0])

    def update(self, params: Array, grad: Array, lr: float) -> None:
        v, step = self.v, self._step
        v *= self.beta
        v += grad
        if self.nesterov:
            np.multiply(v, self.beta, out=step)
            step += grad
            step *= lr
        else:
            np.multiply(v, lr, out=step)
        params -= step


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction; ε placed as in PyTorch (default) or as in Keras."""

    name = "adam"
    HYPERPARAMETERS = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "eps_style": "pytorch"}
    beta1: float
    beta2: float
    eps: float
    eps_style: str

    def reset(self) -> None:
        self.m = np.zeros(self.size, self.dtype)
        self.v = np.zeros(self.size, self.dtype)
        self.t = 0
        self._tmp = np.empty(self.size, self.dtype)

    def state(self) -> tuple:
        return self.m.copy(), self.v.copy(), self.t

    def set_state(self, state: tuple) -> None:
        np.copyto(self.m, state[0])
        np.copyto(self.v, state[1])
        self.t = state[2]

    def update(self, params: Array, grad: Array, lr: float) -> None:
        self.t += 1
        b1, b2, m, v = self.beta1, self.beta2, self.m, self.v
        tmp = self._tmp
        m *= b1
        np.multiply(grad, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        denom = np.sqrt(v, out=tmp)
        c1, c2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
        if self.eps_style == "pytorch":              # lr·m̂/(√v̂ + ε) = (lr/c1)·m/(√v/√c2 + ε)
            denom *= 1.0 / math.sqrt(c2)
            denom += self.eps
            np.divide(m, denom, out=denom)
            denom *= lr / c1
        else:                                        # lr·√c2/c1 · m/(√v + ε)
            denom += self.eps
            np.divide(m, denom, out=denom)
            denom *= lr * math.sqrt(c2) / c1
        params -= denom


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, size: int, dtype: type | np.dtype = np.float64, **hyper: Hyper) -> Optimizer:
    """Build an optimiser by name with keyword hyperparameters; errors list the valid names."""
    key = str(name).lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key](size, dtype, **hyper)


__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "OPTIMIZERS", "EPS_STYLES", "make_optimizer"]
