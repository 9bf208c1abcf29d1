"""TensorFlow Playground's generators, formula for formula from its ``src/dataset.ts``.

``noise`` is the slider's fraction (percent / 100). TF labels -1/+1 become class indices 0/1.
Each generator returns (X 2×n, labels, class names) and draws only from the given ``rng``.
"""

from __future__ import annotations

import math

import numpy as np

DOMAIN = 6.0  # synthetic points lie in [-DOMAIN, DOMAIN]^2, as on TF Playground's plot
BINARY = ("0", "1")


def _uniform(rng: np.random.Generator, a: float, b: float, size: int) -> np.ndarray:
    """randUniform(a, b) from dataset.ts, vectorised."""
    return rng.random(size) * (b - a) + a


def _halves(n: int) -> tuple[int, int]:
    """Counts for the positive and negative halves (TF loops numSamples/2 times each)."""
    return n - n // 2, n // 2


def normal_random(rng: np.random.Generator, mean: float, variance: float, size: int) -> np.ndarray:
    """normalRandom(mean, variance) from dataset.ts: Marsaglia's polar method keeping v1, no redraws of the result.

    Pairs (v1, v2) uniform in the square are redrawn while s = v1² + v2² > 1, as in TF (and also when s = 0,
    where TF would produce NaN); the sample is mean + √variance · √(−2 ln s / s) · v1.
    """
    out = np.empty(size)
    filled = 0
    while filled < size:
        want = size - filled
        v = rng.random((2, want + want // 3 + 8)) * 2 - 1
        s = v[0] * v[0] + v[1] * v[1]
        ok = (s <= 1) & (s > 0)
        v1, s = v[0][ok][:want], s[ok][:want]
        out[filled:filled + v1.size] = np.sqrt(-2 * np.log(s) / s) * v1
        filled += v1.size
    return mean + math.sqrt(variance) * out


def _bounded_normal(rng: np.random.Generator, mean: float, std: float, size: int) -> np.ndarray:
    """Normal samples redrawn until inside the plot domain, so points never leave [-6, 6]."""
    out = rng.normal(mean, std, size)
    bad = np.abs(out) > DOMAIN
    while bad.any():
        out[bad] = rng.normal(mean, std, int(bad.sum()))
        bad = np.abs(out) > DOMAIN
    return out


def _stack(*parts: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Join (x, y, label) blocks into X (2×n) and labels."""
    X = np.vstack([np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])])
    lab = np.concatenate([p[2] for p in parts])
    return X, lab


def gen_circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """classifyCircleData: class 1 within r<2.5, class 0 in 3.5<r<5; noise jitters only the label's position."""
    radius = 5.0
    n_pos, n_neg = _halves(n)
    blocks = []
    for count, (r_lo, r_hi) in ((n_pos, (0.0, radius * 0.5)), (n_neg, (radius * 0.7, radius))):
        r = _uniform(rng, r_lo, r_hi, count)
        angle = _uniform(rng, 0.0, 2 * math.pi, count)
        x, y = r * np.sin(angle), r * np.cos(angle)
        nx = _uniform(rng, -radius, radius, count) * noise
        ny = _uniform(rng, -radius, radius, count) * noise
        label = (np.hypot(x + nx, y + ny) < radius * 0.5).astype(np.int64)
        blocks.append((x, y, label))
    X, lab = _stack(*blocks)
    return X, lab, BINARY


def gen_xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """classifyXORData: class 1 where x1·x2 >= 0 (padded 0.3 off the axes); noise jitters only the label's position."""
    padding = 0.3
    x = _uniform(rng, -5, 5, n)
    x = x + np.where(x > 0, padding, -padding)
    y = _uniform(rng, -5, 5, n)
    y = y + np.where(y > 0, padding, -padding)
    nx = _uniform(rng, -5, 5, n) * noise
    ny = _uniform(rng, -5, 5, n) * noise
    label = ((x + nx) * (y + ny) >= 0).astype(np.int64)
    return np.vstack([x, y]), label, BINARY


def gauss_variance(noise: float) -> float:
    """TF's varianceScale: noise fraction 0..0.5 maps linearly to variance 0.5..4."""
    return 0.5 + (4.0 - 0.5) * noise / 0.5


def gen_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """classifyTwoGaussData: class 1 around (2, 2), class 0 around (-2, -2); noise widens the variance (0.5 to 4).

    As in dataset.ts, points are not kept inside the plot: at noise 50 about 4 % fall outside ±6.
    """
    variance = gauss_variance(noise)
    n_pos, n_neg = _halves(n)
    blocks = []
    for count, c, label in ((n_pos, 2.0, 1), (n_neg, -2.0, 0)):
        xy = normal_random(rng, c, variance, 2 * count).reshape(count, 2)     # TF draws x then y per point
        blocks.append((xy[:, 0], xy[:, 1], np.full(count, label, dtype=np.int64)))
    X, lab = _stack(*blocks)
    return X, lab, BINARY


def gen_spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """classifySpiralData: two interleaved spirals (r up to 5, 1.75 turns); noise moves each point by up to ±noise."""
    n_pos, n_neg = _halves(n)
    blocks = []
    for count, delta_t, label in ((n_pos, 0.0, 1), (n_neg, math.pi, 0)):
        i = np.arange(count, dtype=np.float64)
        half = max(count, 1)
        r = i / half * 5
        t = 1.75 * i / half * 2 * math.pi + delta_t
        x = r * np.sin(t) + _uniform(rng, -1, 1, count) * noise
        y = r * np.cos(t) + _uniform(rng, -1, 1, count) * noise
        blocks.append((x, y, np.full(count, label, dtype=np.int64)))
    X, lab = _stack(*blocks)
    return X, lab, BINARY


def gen_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """regressPlane: label = (x1 + x2) / 10, computed at a position jittered by U(-6, 6)·noise."""
    radius = DOMAIN
    x = _uniform(rng, -radius, radius, n)
    y = _uniform(rng, -radius, radius, n)
    nx = _uniform(rng, -radius, radius, n) * noise
    ny = _uniform(rng, -radius, radius, n) * noise
    label = ((x + nx) + (y + ny)) / 10.0  # d3 linear [-10, 10] -> [-1, 1], unclamped as in TF
    return np.vstack([x, y]), label, ()


MULTIGAUSS_CENTRES = (
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
)


def multigauss_label(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """regressGaussian's getLabel: the signed bump (1 - d/2, clamped at 0) largest in absolute value."""
    label = np.zeros_like(x, dtype=np.float64)
    for cx, cy, sign in MULTIGAUSS_CENTRES:
        new = sign * np.clip(1.0 - np.hypot(x - cx, y - cy) / 2.0, 0.0, 1.0)
        label = np.where(np.abs(new) > np.abs(label), new, label)
    return label


def gen_multigauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """regressGaussian: six ±1 bumps; label computed at a position jittered by U(-6, 6)·noise."""
    radius = DOMAIN
    x = _uniform(rng, -radius, radius, n)
    y = _uniform(rng, -radius, radius, n)
    nx = _uniform(rng, -radius, radius, n) * noise
    ny = _uniform(rng, -radius, radius, n) * noise
    return np.vstack([x, y]), multigauss_label(x + nx, y + ny), ()
