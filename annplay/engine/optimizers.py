"""Optimisers: each updates the flat parameter vector in place from its gradient.

Working on one flat vector makes an update two or three NumPy calls however
many layers the network has.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


class SGD:
    """Plain gradient descent: p ← p − lr·g."""

    name = "sgd"

    def __init__(self, size: int, dtype: type = np.float64) -> None:
        self._step = np.empty(size, dtype)

    def update(self, params: Array, grad: Array, lr: float) -> None:
        np.multiply(grad, lr, out=self._step)
        params -= self._step

    def reset(self) -> None:
        pass


class Momentum:
    """Heavy-ball momentum: v ← μv − lr·g; p ← p + v."""

    name = "momentum"

    def __init__(self, size: int, dtype: type = np.float64, mu: float = 0.9) -> None:
        self.mu = mu
        self._v = np.zeros(size, dtype)
        self._step = np.empty(size, dtype)

    def update(self, params: Array, grad: Array, lr: float) -> None:
        self._v *= self.mu
        np.multiply(grad, lr, out=self._step)
        self._v -= self._step
        params += self._v

    def reset(self) -> None:
        self._v.fill(0.0)


class Adam:
    """Adam (Kingma & Ba): bias-corrected running means of g and g²."""

    name = "adam"

    def __init__(self, size: int, dtype: type = np.float64,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self._m = np.zeros(size, dtype)
        self._v = np.zeros(size, dtype)
        self._tmp = np.empty(size, dtype)
        self.t = 0

    def update(self, params: Array, grad: Array, lr: float) -> None:
        self.t += 1
        b1, b2, tmp = self.beta1, self.beta2, self._tmp
        self._m *= b1
        self._m += (1 - b1) * grad
        self._v *= b2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - b2
        self._v += tmp
        step = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        np.sqrt(self._v, out=tmp)
        tmp += self.eps
        np.divide(self._m, tmp, out=tmp)
        tmp *= step
        params -= tmp

    def reset(self) -> None:
        self._m.fill(0.0)
        self._v.fill(0.0)
        self.t = 0


OPTIMIZERS: dict[str, type] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, size: int, dtype: type = np.float64):
    """Build an optimiser by name; the error lists the valid names."""
    key = str(name).lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key](size, dtype)
