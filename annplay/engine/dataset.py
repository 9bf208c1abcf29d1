"""`Dataset`: instances as columns of X with their labels; the value every data source returns.

Its own module so that the loaders (``csvdata``) and the registry (``datasets``) both import it
without importing each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

KINDS = ("binary", "multiclass", "regression")
SYNTHETIC_FEATURES = ("x1", "x2")


@dataclass
class Dataset:
    """Instances as columns of X (m×n) with labels y (n,): what the trainer and the views consume."""

    name: str
    X: np.ndarray
    y: np.ndarray
    kind: str
    class_names: tuple[str, ...] = ()
    description: str = ""
    feature_names: tuple[str, ...] = SYNTHETIC_FEATURES
    x_mean: np.ndarray | None = None
    x_std: np.ndarray | None = None
    source: str | None = None
    dropped: int = 0

    def __post_init__(self) -> None:
        """Normalise dtypes and check shapes so bad data fails here, not deep in training."""
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        self.X = np.asarray(self.X, dtype=np.float64)
        if self.X.ndim != 2:
            raise ValueError(f"X must be 2-D (features × instances); got shape {self.X.shape}")
        self.class_names = tuple(str(c) for c in self.class_names)
        self.feature_names = tuple(self.feature_names)
        if len(self.feature_names) != self.X.shape[0]:
            raise ValueError(
                f"{len(self.feature_names)} feature names for {self.X.shape[0]} feature rows of X"
            )
        if self.kind == "regression":
            self.y = np.asarray(self.y, dtype=np.float64).reshape(-1)
            if self.class_names:
                raise ValueError("a regression data set has no class names")
        else:
            self.y = np.asarray(self.y).reshape(-1).astype(np.int64)
            k = len(self.class_names)
            if self.kind == "binary" and k != 2:
                raise ValueError(f"binary data needs exactly 2 class names; got {k}")
            if self.kind == "multiclass" and k < 3:
                raise ValueError(f"multiclass data needs at least 3 class names; got {k}")
            if self.y.size and (self.y.min() < 0 or self.y.max() >= k):
                raise ValueError(f"class indices must lie in [0, {k - 1}]")
        if self.y.shape[0] != self.X.shape[1]:
            raise ValueError(f"X has {self.X.shape[1]} instances but y has {self.y.shape[0]}")
        for attr in ("x_mean", "x_std"):
            v = getattr(self, attr)
            if v is not None:
                setattr(self, attr, np.asarray(v, dtype=np.float64).reshape(-1, 1))

    @property
    def n(self) -> int:
        """Number of instances (columns of X)."""
        return int(self.X.shape[1])

    @property
    def m(self) -> int:
        """Number of input features (rows of X)."""
        return int(self.X.shape[0])

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for regression)."""
        return len(self.class_names)

    @property
    def n_outputs(self) -> int:
        """Rows of `targets()`: the output size a network needs for this data."""
        return self.n_classes if self.kind == "multiclass" else 1

    def targets(self) -> np.ndarray:
        """Y as r×n float64: binary 1×n of 0/1, multiclass one-hot k×n, regression 1×n."""
        if self.kind == "multiclass":
            Y = np.zeros((self.n_classes, self.n), dtype=np.float64)
            Y[self.y, np.arange(self.n)] = 1.0
            return Y
        return self.y.astype(np.float64).reshape(1, -1)

    def subset(self, idx: Sequence[int] | np.ndarray) -> Dataset:
        """The instances at `idx`, keeping every other attribute (used by `split`)."""
        idx = np.asarray(idx, dtype=np.int64)
        return replace(self, X=self.X[:, idx].copy(), y=self.y[idx].copy())

    def standardize_inputs(self, X_raw: np.ndarray) -> np.ndarray:
        """Apply this data set's standardisation to raw inputs (m×n) so a model can predict on them."""
        X_raw = np.asarray(X_raw, dtype=np.float64)
        if self.x_mean is None or self.x_std is None:
            return X_raw
        return (X_raw - self.x_mean) / self.x_std


__all__ = ["Dataset", "KINDS", "SYNTHETIC_FEATURES"]
