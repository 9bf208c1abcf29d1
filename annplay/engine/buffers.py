"""The generic path's buffers and the input with its row of ones: shared by the network and the trainers.

Its own module so that ``network`` (forward and backward passes) and ``trainer``/``kernels`` use the
same buffers without importing each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray

MAX_PARAMETERS = 2 ** 28           # about 268 million: 6 GiB of float64 parameters, gradient and mask
FORWARD_BYTES = 64 * 2 ** 20       # an inference pass (forward, logits) holds at most this much of a layer at once


def rng_from(seed: Any) -> np.random.Generator:
    """``np.random.default_rng(seed)`` with the seed checked first: a whole number ≥ 0 or None (or NumPy's own
    Generator, SeedSequence or BitGenerator); otherwise a ValueError that names the seed (NumPy said only
    'expected non-negative integer', or raised a TypeError for 1.5)."""
    if isinstance(seed, (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)) or seed is None:
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0 (or None), got {seed!r}")
    return np.random.default_rng(int(seed))


def augment(X: Array) -> Array:
    """X with a row of ones appended: the input the [W | b] blocks multiply."""
    out = np.empty((X.shape[0] + 1, X.shape[1]), X.dtype)
    out[:-1] = X
    out[-1] = 1.0
    return out


class Workspace:
    """The generic path's buffers for one batch size (``MLP._forward``/``_backward``, dropout included).

    Hidden outputs live in "augmented" arrays with a last row of ones, so that one
    matmul with the layer's [W | b] block gives W·A + b, and one more gives [dW | db].
    """

    def __init__(self, layers: list[int], n: int, dtype: type, dropout: bool) -> None:
        sizes = layers[1:]
        self.n = n
        self.Z: list[Array] = [np.empty((r, n), dtype) for r in sizes]
        self.Aaug = [_ones_row(np.empty((r + 1, n), dtype)) for r in sizes[:-1]]
        self.A = [a[:-1] for a in self.Aaug] + [np.empty((sizes[-1], n), dtype)]
        self.D: list[Array] = [np.empty((r, n), dtype) for r in sizes]      # a copy of A that g′ may overwrite
        self.dZ: list[Array] = [np.empty((r, n), dtype) for r in sizes]
        # Inverted dropout: the masked outputs feed the next layer; A keeps g(Z) for g'.
        self.mask: list[Array] = [np.empty((r, n), dtype) for r in sizes[:-1]] if dropout else []
        self.Adrop: list[Array] = [_ones_row(np.empty((r + 1, n), dtype)) for r in sizes[:-1]] if dropout else []
        self.sign: Array = np.empty((sizes[-1], n), dtype)    # 2Y − 1 for the fused logistic+BCE output
        self.sign_of: Array | None = None


def _ones_row(a: Array) -> Array:
    a[-1] = 1.0
    return a


__all__ = ["Workspace", "augment", "rng_from", "MAX_PARAMETERS", "FORWARD_BYTES"]
