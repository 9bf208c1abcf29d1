"""TF Playground's input transforms (x1, x2, x1², x2², x1·x2, sin x1, sin x2, cos x1, cos x2) as one registry.

cos x1 and cos x2 are in TF's URL state (``cosX``, ``cosY``) though its network does not offer them;
they are here so that every TF Playground state can be represented.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .textcut import quoted


@dataclass(frozen=True)
class Feature:
    """One input transform: registry name, display label, and fn mapping X (2×n) to a row (n,)."""

    name: str
    label: str
    fn: Callable[[np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x1", "x1", lambda X: X[0]),
        Feature("x2", "x2", lambda X: X[1]),
        Feature("x1sq", "x1²", lambda X: X[0] * X[0]),
        Feature("x2sq", "x2²", lambda X: X[1] * X[1]),
        Feature("x1x2", "x1·x2", lambda X: X[0] * X[1]),
        Feature("sinx1", "sin(x1)", lambda X: np.sin(X[0])),
        Feature("sinx2", "sin(x2)", lambda X: np.sin(X[1])),
        Feature("cosx1", "cos(x1)", lambda X: np.cos(X[0])),
        Feature("cosx2", "cos(x2)", lambda X: np.cos(X[1])),
    )
}

DEFAULT_FEATURES: tuple[str, ...] = ("x1", "x2")

# Other spellings people type (labels and the obvious ASCII forms), case-insensitive.
_ALIASES: dict[str, str] = {
    "x1^2": "x1sq", "x1**2": "x1sq", "x1²": "x1sq",
    "x2^2": "x2sq", "x2**2": "x2sq", "x2²": "x2sq",
    "x1*x2": "x1x2", "x1·x2": "x1x2",
    "sin(x1)": "sinx1", "sin(x2)": "sinx2", "cos(x1)": "cosx1", "cos(x2)": "cosx2",
}


def _allowed() -> str:
    """The valid names, for error messages."""
    return ", ".join(FEATURES)


def canonical_feature(name: str) -> str:
    """Map a typed feature name (any case, or a label such as 'x1²') to its registry name."""
    key = str(name).strip().lower().replace(" ", "")
    key = _ALIASES.get(key, key)
    if key not in FEATURES:
        raise ValueError(f"unknown feature {quoted(name)}; allowed: {_allowed()}")
    return key


def parse_features(spec: str | Sequence[str]) -> tuple[str, ...]:
    """Turn 'x1,x2,x1x2' (or a list of names) into a validated tuple of registry names."""
    parts = spec.split(",") if isinstance(spec, str) else [str(p) for p in spec]
    if not parts or all(not p.strip() for p in parts):
        raise ValueError(f"no features given; choose from: {_allowed()}")
    names: list[str] = []
    for part in parts:
        if not part.strip():
            raise ValueError(f"empty feature name in {quoted(spec)}; allowed: {_allowed()}")
        name = canonical_feature(part)
        if name in names:
            raise ValueError(f"feature {name!r} given twice in {quoted(spec)}; allowed: {_allowed()}")
        names.append(name)
    return tuple(names)


def apply_features(X: np.ndarray, names: str | Sequence[str] = DEFAULT_FEATURES) -> np.ndarray:
    """Map raw points X (2×n) to the chosen feature rows (len(names)×n, float64), the network's input."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X must be 2×n (x1 and x2 rows); got shape {X.shape}")
    chosen = parse_features(names)
    out = np.empty((len(chosen), X.shape[1]), dtype=np.float64)
    for i, name in enumerate(chosen):
        out[i] = FEATURES[name].fn(X)
    return out


def feature_labels(names: Sequence[str]) -> tuple[str, ...]:
    """Display labels for feature names (e.g. for the network view's input nodes)."""
    return tuple(FEATURES[canonical_feature(n)].label for n in names)
