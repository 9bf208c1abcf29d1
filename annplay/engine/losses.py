"""Loss functions, each averaged over the n columns (instances).

BCE and cross-entropy are computed from the output layer's pre-activations
(logits) Z, never from log(A): that way there is no log(0) and no overflow,
even for |z| = 1e4.  Paired with their activations (logistic+BCE,
softmax+cross-entropy) the output error is simply dZ = (A - Y) / n.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def bce_from_logits(z: Array, y: Array) -> float:
    """Binary cross-entropy of logistic(z) against 0/1 labels y, from the logits."""
    # -[y log s(z) + (1-y) log(1-s(z))] = max(z,0) - z*y + log(1 + exp(-|z|))
    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    value = float(loss.sum() / z.shape[1])
    return 0.0 if value < 0 else value      # never a rounding-error −1e-14, and NaN stays NaN (max(0.0, nan) is 0.0)


def cross_entropy_from_logits(z: Array, y: Array) -> float:
    """Categorical cross-entropy of softmax(z) against one-hot (or probability) columns y."""
    zmax = z.max(axis=0, keepdims=True)
    logsumexp = zmax + np.log(np.exp(z - zmax).sum(axis=0, keepdims=True))
    return float((y * (logsumexp - z)).sum() / z.shape[1])


def mse(a: Array, y: Array) -> float:
    """Half the squared error, summed over outputs and averaged over instances."""
    d = a - y
    return float(0.5 * np.einsum("ij,ij->", d, d) / a.shape[1])


def _check_binary(y: Array) -> None:
    if not np.all((y == 0) | (y == 1)):
        bad = float(y[(y != 0) & (y != 1)].flat[0])   # a plain float: NumPy 2 reprs np.float64(…)
        raise ValueError(f"binary cross-entropy needs labels in {{0, 1}}; Y holds {bad!r}. "
                         "Map your classes to 0/1, or use loss='mse' for real-valued targets")


def _check_distribution(y: Array) -> None:
    if np.any(y < 0) or not np.allclose(y.sum(axis=0), 1.0, atol=1e-6):
        raise ValueError("cross-entropy needs one-hot columns in Y (each column non-negative, "
                         "summing to 1); build Y as np.eye(k)[labels].T")


def _check_nothing(y: Array) -> None:
    return None


@dataclass(frozen=True)
class LossSpec:
    """What the registry knows about one loss."""

    name: str
    label: str
    value: Callable[[Array, Array, Array], float]   # (Z, A, Y) -> loss
    output: str | None          # the output activation it is paired with, if any
    task: str                   # "binary" | "multiclass" | "regression"
    check_targets: Callable[[Array], None]
    description: str


LOSSES: dict[str, LossSpec] = {
    spec.name: spec
    for spec in (
        LossSpec("bce", "Binary cross-entropy", lambda z, a, y: bce_from_logits(z, y),
                 "logistic", "binary", _check_binary,
                 "for 0/1 labels with a logistic output"),
        LossSpec("cross_entropy", "Cross-entropy", lambda z, a, y: cross_entropy_from_logits(z, y),
                 "softmax", "multiclass", _check_distribution,
                 "for one-hot labels with a softmax output"),
        LossSpec("mse", "Mean squared error", lambda z, a, y: mse(a, y),
                 None, "regression", _check_nothing,
                 "½·(a−y)² averaged over instances; any output activation"),
    )
}

LOSS_ALIASES = {"binary_cross_entropy": "bce", "log_loss": "bce", "ce": "cross_entropy",
                "categorical_cross_entropy": "cross_entropy", "squared_error": "mse"}


def get_loss(name: str) -> LossSpec:
    """Look a loss up by name or alias; the error lists the valid names."""
    key = LOSS_ALIASES.get(str(name).lower(), str(name).lower())
    if key not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; valid names: {', '.join(LOSSES)}")
    return LOSSES[key]


def default_loss(output_activation: str) -> str:
    """The loss that goes with an output activation: logistic→bce, softmax→cross_entropy, else mse."""
    return {"logistic": "bce", "softmax": "cross_entropy"}.get(output_activation, "mse")
