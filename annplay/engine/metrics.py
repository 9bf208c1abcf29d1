"""Evaluation metrics of a trained classifier: class indices, the confusion matrix and what follows from it.

NumPy only.  The CLI's report, its JSON result and sweeps all count with these functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .network import MLP


def class_indices(Y: Any) -> np.ndarray:
    """The true class (n,) of every column of targets Y: one-hot rows (argmax), or one 0/1 row (> 0.5)."""
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(f"targets must be an r×n array, got shape {Y.shape}")
    if Y.shape[0] > 1:
        return Y.argmax(axis=0).astype(np.int64)
    return (Y[0] > 0.5).astype(np.int64)


def confusion_matrix(true: Any, predicted: Any, n_classes: int) -> np.ndarray:
    """Counts (k×k): row = true class, column = predicted class."""
    t = np.asarray(true, dtype=np.int64).ravel()
    p = np.asarray(predicted, dtype=np.int64).ravel()
    if t.shape != p.shape:
        raise ValueError(f"true and predicted classes differ in length: {t.size} and {p.size}")
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}")
    for name, v in (("true", t), ("predicted", p)):
        if v.size and (v.min() < 0 or v.max() >= n_classes):
            raise ValueError(f"{name} classes must be 0 to {n_classes - 1}, got {int(v.min())} to {int(v.max())}")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (t, p), 1)
    return counts


def network_confusion(net: MLP, X: Any, Y: Any, n_classes: int) -> np.ndarray:
    """The confusion matrix of ``net`` on inputs X (m×n) with targets Y (r×n)."""
    return confusion_matrix(class_indices(Y), net.predict(X), n_classes)


def accuracy(counts: Any) -> float | None:
    """Share of correct predictions (the diagonal); None when nothing was counted."""
    c = np.asarray(counts)
    total = int(c.sum())
    return float(np.trace(c)) / total if total else None


def recall(counts: Any) -> list[float | None]:
    """Per class: share of its points predicted as it (None for a class with no points)."""
    c = np.asarray(counts)
    rows = c.sum(axis=1)
    return [float(c[i, i]) / int(rows[i]) if rows[i] else None for i in range(c.shape[0])]


def precision(counts: Any) -> list[float | None]:
    """Per class: share of the predictions of it that were right (None when it was never predicted)."""
    c = np.asarray(counts)
    cols = c.sum(axis=0)
    return [float(c[i, i]) / int(cols[i]) if cols[i] else None for i in range(c.shape[0])]


__all__ = ["class_indices", "confusion_matrix", "network_confusion", "accuracy", "recall", "precision"]
