"""Weight initialisers.  Each returns (W of shape r×s, b of shape r×1) for one layer.

The default is chosen per layer from its activation: He for the ReLU family,
Xavier (Glorot) otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray
Init = Callable[[np.random.Generator, int, int], "tuple[Array, Array]"]


def xavier(rng: np.random.Generator, r: int, s: int) -> tuple[Array, Array]:
    """Glorot uniform: U(±sqrt(6/(fan_in+fan_out))), biases 0."""
    limit = np.sqrt(6.0 / (s + r))
    return rng.uniform(-limit, limit, (r, s)), np.zeros((r, 1))


def he(rng: np.random.Generator, r: int, s: int) -> tuple[Array, Array]:
    """He normal: N(0, 2/fan_in), biases 0: keeps ReLU activations' variance steady."""
    return rng.normal(0.0, np.sqrt(2.0 / s), (r, s)), np.zeros((r, 1))


def normal(rng: np.random.Generator, r: int, s: int) -> tuple[Array, Array]:
    """The original design's quasi-truncated normal: N(0, 1/fan_in) clipped at ±2σ, biases 0."""
    sigma = 1.0 / np.sqrt(s)
    return np.clip(rng.normal(0.0, sigma, (r, s)), -2 * sigma, 2 * sigma), np.zeros((r, 1))


def uniform(rng: np.random.Generator, r: int, s: int) -> tuple[Array, Array]:
    """TF Playground's: U(−0.5, 0.5) weights, biases 0.1."""
    return rng.uniform(-0.5, 0.5, (r, s)), np.full((r, 1), 0.1)


INITIALIZERS: dict[str, Init] = {"xavier": xavier, "he": he, "normal": normal, "uniform": uniform}
INIT_ALIASES = {"glorot": "xavier", "kaiming": "he"}


def get_init(name: str) -> Init:
    """Look an initialiser up by name; the error lists the valid names."""
    key = INIT_ALIASES.get(str(name).lower(), str(name).lower())
    if key not in INITIALIZERS:
        raise ValueError(f"unknown init {name!r}; valid names: {', '.join(INITIALIZERS)}")
    return INITIALIZERS[key]
