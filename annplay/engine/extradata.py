"""Synthetic data sets TF Playground's upstream lacks: moons, checkerboard, rings3, blobs, sine,
and the regression sets ``reg-maximum`` and ``reg-argmax`` of TF Playground's extended edition.

Each generator returns (X 2×n, labels, class names) and draws only from the given ``rng``.
"""

from __future__ import annotations

import math

import numpy as np

from .tfdata import BINARY, DOMAIN, _bounded_normal, _halves, _uniform, gauss_variance

MOONS_SCALE = 3.0


def gen_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Two interleaved half moons scaled by 3 and centred; noise adds Gaussian jitter of sd 3·noise (clipped)."""
    n_pos, n_neg = _halves(n)
    t1 = _uniform(rng, 0.0, math.pi, n_pos)
    t0 = _uniform(rng, 0.0, math.pi, n_neg)
    # class 1: the upper moon; class 0: the lower moon, shifted right (as in scikit-learn's make_moons)
    x = np.concatenate([np.cos(t1), 1.0 - np.cos(t0)]) - 0.5
    y = np.concatenate([np.sin(t1), 0.5 - np.sin(t0)]) - 0.25
    X = np.vstack([x, y]) * MOONS_SCALE
    X = X + rng.normal(0.0, 1.0, X.shape) * (MOONS_SCALE * noise)
    np.clip(X, -DOMAIN, DOMAIN, out=X)
    lab = np.concatenate([np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)])
    return X, lab, BINARY


CHECKER_CELLS = 4
CHECKER_SIZE = 2 * DOMAIN / CHECKER_CELLS  # 3.0


def checkerboard_label(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Class of the 4×4 checkerboard square containing (x, y): 1 on even squares."""
    cx = np.floor((np.asarray(x) + DOMAIN) / CHECKER_SIZE)
    cy = np.floor((np.asarray(y) + DOMAIN) / CHECKER_SIZE)
    return ((cx + cy) % 2 == 0).astype(np.int64)


def gen_checkerboard(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """4×4 squares of 3 over [-6, 6]; like xor, noise jitters only the label's position, by U(-3, 3)·noise."""
    n_pos, n_neg = _halves(n)
    xs, ys = [], []
    for count, parity in ((n_pos, 0), (n_neg, 1)):
        cx = rng.integers(0, CHECKER_CELLS, count)
        # pick the row so that (cx + cy) has the wanted parity: half the rows qualify
        cy = 2 * rng.integers(0, CHECKER_CELLS // 2, count) + (cx + parity) % 2
        xs.append(-DOMAIN + (cx + rng.random(count)) * CHECKER_SIZE)
        ys.append(-DOMAIN + (cy + rng.random(count)) * CHECKER_SIZE)
    x, y = np.concatenate(xs), np.concatenate(ys)
    half = CHECKER_SIZE
    nx = _uniform(rng, -half, half, n) * noise
    ny = _uniform(rng, -half, half, n) * noise
    return np.vstack([x, y]), checkerboard_label(x + nx, y + ny), BINARY


RING_BANDS = ((0.0, 1.5), (2.5, 3.75), (4.75, 6.0))


def gen_rings3(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Three concentric rings (r<1.5, 2.5-3.75, 4.75-6) as classes 0-2; noise moves radii by N(0, (2·noise)²)."""
    counts = [n // 3 + (1 if i < n % 3 else 0) for i in range(3)]
    xs, ys, labs = [], [], []
    for k, (count, (lo, hi)) in enumerate(zip(counts, RING_BANDS, strict=True)):
        r = _uniform(rng, lo, hi, count) + rng.normal(0.0, 1.0, count) * (2.0 * noise)
        r = np.clip(np.abs(r), 0.0, DOMAIN)
        angle = _uniform(rng, 0.0, 2 * math.pi, count)
        xs.append(r * np.sin(angle))
        ys.append(r * np.cos(angle))
        labs.append(np.full(count, k, dtype=np.int64))
    X = np.vstack([np.concatenate(xs), np.concatenate(ys)])
    return X, np.concatenate(labs), ("0", "1", "2")


BLOB_RADIUS = 3.5
MAX_BLOBS = 8


def gen_blobs(
    n: int, noise: float, rng: np.random.Generator, classes: int | None = None, k: int | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """k Gaussian blobs (default 4) with centres on a circle of radius 3.5; noise widens the variance like gauss."""
    if classes is not None and k is not None and int(classes) != int(k):
        raise ValueError(f"blobs: classes={classes} and k={k} disagree; give one of them")
    kk = int(classes if classes is not None else (k if k is not None else 4))
    if not 3 <= kk <= MAX_BLOBS:
        raise ValueError(f"blobs: classes must be in [3, {MAX_BLOBS}]; got {kk}")
    std = math.sqrt(gauss_variance(noise))
    counts = [n // kk + (1 if i < n % kk else 0) for i in range(kk)]
    xs, ys, labs = [], [], []
    for j, count in enumerate(counts):
        a = 2 * math.pi * j / kk + math.pi / 4
        cx, cy = BLOB_RADIUS * math.cos(a), BLOB_RADIUS * math.sin(a)
        xs.append(_bounded_normal(rng, cx, std, count))
        ys.append(_bounded_normal(rng, cy, std, count))
        labs.append(np.full(count, j, dtype=np.int64))
    X = np.vstack([np.concatenate(xs), np.concatenate(ys)])
    return X, np.concatenate(labs), tuple(str(j) for j in range(kk))


def sine_label(x: np.ndarray) -> np.ndarray:
    """The sine wave's target: sin(pi·x1/3), two full periods across [-6, 6]."""
    return np.sin(math.pi * np.asarray(x) / 3.0)


def gen_sine(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Regression label = sin(pi·x1/3) in [-1, 1]; like plane, noise jitters x1 by U(-6, 6)·noise for the label."""
    x = _uniform(rng, -DOMAIN, DOMAIN, n)
    y = _uniform(rng, -DOMAIN, DOMAIN, n)
    nx = _uniform(rng, -DOMAIN, DOMAIN, n) * noise
    return np.vstack([x, y]), sine_label(x + nx), ()


def _regress(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Uniform points on the plot and the position their label is read at: jittered by U(-6, 6)·noise, as
    dataset.ts's regressPlane does."""
    x = _uniform(rng, -DOMAIN, DOMAIN, n)
    y = _uniform(rng, -DOMAIN, DOMAIN, n)
    nx = _uniform(rng, -DOMAIN, DOMAIN, n) * noise
    ny = _uniform(rng, -DOMAIN, DOMAIN, n) * noise
    return np.vstack([x, y]), x + nx, y + ny


def gen_maximum(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """reg-maximum: label = max(x1, x2) / 6, in [-1, 1] on the plot; noise jitters where it is read."""
    X, x, y = _regress(n, noise, rng)
    return X, np.maximum(x, y) / DOMAIN, ()


def gen_argmax(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """reg-argmax: label = 1 where x2 > x1, else 0 (which coordinate is larger); noise jitters where it is read."""
    X, x, y = _regress(n, noise, rng)
    return X, (y > x).astype(np.float64), ()
