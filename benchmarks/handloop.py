"""A hand-tuned NumPy training loop: the yardstick `benchmarks/engine.py` holds the engine to.

[2, h, h, 1] with tanh or relu hidden layers and a logistic output trained on BCE by plain SGD,
one instance per column.  Written as a careful NumPy programmer would: one flat parameter vector
(so the update is two calls), preallocated buffers, ``out=`` everywhere, ``np.dot``, σ(z) through
tanh, 1/b folded into the rate, no checks.  Mini-batches (``batch`` must divide n) are reshuffled
every epoch by two gathers into reused buffers.
"""

from __future__ import annotations

import numpy as np


def train(X: np.ndarray, Y: np.ndarray, h: int, act: str, epochs: int, lr: float, batch: int | None = None,
          seed: int = 0) -> np.ndarray:
    """Train and return the flat parameters [W1, b1, W2, b2, W3, b3] (float dtype of X)."""
    dt, (m, n) = X.dtype, X.shape
    b = batch or n
    rng = np.random.default_rng(seed)
    sizes = [(h, m), (h, 1), (h, h), (h, 1), (1, h), (1, 1)]
    p, g = np.zeros(sum(r * c for r, c in sizes), dt), np.zeros(sum(r * c for r, c in sizes), dt)
    views, gviews, o = [], [], 0
    for r, c in sizes:
        views.append(p[o:o + r * c].reshape(r, c))
        gviews.append(g[o:o + r * c].reshape(r, c))
        o += r * c
    W1, b1, W2, b2, W3, b3 = views
    dW1, db1, dW2, db2, dW3, db3 = gviews
    W1[...], W2[...], W3[...] = (rng.uniform(-0.5, 0.5, s) for s in (sizes[0], sizes[2], sizes[4]))
    Z1, Z2, D1, D2 = (np.empty((h, b), dt) for _ in range(4))
    Z3 = np.empty((1, b), dt)
    Xs, Ys = np.empty_like(X), np.empty_like(Y)
    f = np.tanh if act == "tanh" else (lambda z, out: np.maximum(z, 0, out=out))
    step = np.empty_like(p)
    for _ in range(epochs):
        if b < n:
            perm = rng.permutation(n)
            np.take(X, perm, axis=1, out=Xs)
            np.take(Y, perm, axis=1, out=Ys)
        else:
            Xs, Ys = X, Y
        for s in range(0, n, b):
            Xb, Yb = Xs[:, s:s + b], Ys[:, s:s + b]
            np.dot(W1, Xb, out=Z1); Z1 += b1; f(Z1, out=Z1)                               # noqa: E702
            np.dot(W2, Z1, out=Z2); Z2 += b2; f(Z2, out=Z2)                               # noqa: E702
            np.dot(W3, Z2, out=Z3); Z3 *= 0.5; np.tanh(Z3, out=Z3); Z3 *= 0.5; Z3 += 0.5  # noqa: E702
            Z3 -= Yb                                                                      # dZ3 = σ(z) − y
            np.dot(Z3, Z2.T, out=dW3); np.add.reduce(Z3, axis=1, out=db3[:, 0])            # noqa: E702
            np.dot(W3.T, Z3, out=D2)
            if act == "tanh":
                np.multiply(Z2, Z2, out=Z2); np.subtract(1, Z2, out=Z2); D2 *= Z2            # noqa: E702
            else:
                np.greater(Z2, 0, out=Z2); D2 *= Z2                                       # noqa: E702
            np.dot(D2, Z1.T, out=dW2); np.add.reduce(D2, axis=1, out=db2[:, 0])            # noqa: E702
            np.dot(W2.T, D2, out=D1)
            if act == "tanh":
                np.multiply(Z1, Z1, out=Z1); np.subtract(1, Z1, out=Z1); D1 *= Z1            # noqa: E702
            else:
                np.greater(Z1, 0, out=Z1); D1 *= Z1                                       # noqa: E702
            np.dot(D1, Xb.T, out=dW1); np.add.reduce(D1, axis=1, out=db1[:, 0])            # noqa: E702
            np.multiply(g, lr / b, out=step)
            p -= step
    return p
