"""annplay's TF Playground data against a line-by-line Python port of TF's ``src/dataset.ts``.

The port below follows dataset.ts (tensorflow/playground, master 02469bd) statement by statement,
with ``random.Random`` standing in for ``Math.random``.  Each annplay generator is compared with it
by two-sample Kolmogorov-Smirnov tests on the coordinates, the radius and the labels, at noise 0, 25
and 50 (fixed seeds: the p-values are deterministic).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np
import pytest

from annplay.engine import make_dataset

Example = tuple[float, float, float]


class DatasetTs:
    """dataset.ts's generators; ``noise`` is a fraction in [0, 0.5] as TF passes it."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random            # Math.random

    def rand_uniform(self, a: float, b: float) -> float:
        return self.random() * (b - a) + a

    def normal_random(self, mean: float = 0.0, variance: float = 1.0) -> float:
        while True:
            v1 = 2 * self.random() - 1
            v2 = 2 * self.random() - 1
            s = v1 * v1 + v2 * v2
            if s <= 1:
                break
        result = math.sqrt(-2 * math.log(s) / s) * v1
        return mean + math.sqrt(variance) * result

    def gauss(self, num: int, noise: float) -> list[Example]:
        variance = 0.5 + (4 - 0.5) * noise / 0.5                      # d3 linear [0, .5] -> [0.5, 4]
        points: list[Example] = []
        for cx, cy, label in ((2, 2, 1), (-2, -2, -1)):
            i = 0
            while i < num / 2:
                points.append((self.normal_random(cx, variance), self.normal_random(cy, variance), label))
                i += 1
        return points

    def plane(self, num: int, noise: float) -> list[Example]:
        radius = 6
        points: list[Example] = []
        for _ in range(num):
            x, y = self.rand_uniform(-radius, radius), self.rand_uniform(-radius, radius)
            nx, ny = self.rand_uniform(-radius, radius) * noise, self.rand_uniform(-radius, radius) * noise
            points.append((x, y, ((x + nx) + (y + ny)) / 10))       # d3 linear [-10, 10] -> [-1, 1]
        return points

    def multigauss(self, num: int, noise: float) -> list[Example]:
        gaussians = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]

        def get_label(x: float, y: float) -> float:
            label = 0.0
            for cx, cy, sign in gaussians:
                d = math.hypot(x - cx, y - cy)
                new = sign * min(max(1 - d / 2, 0.0), 1.0)              # d3 [0, 2] -> [1, 0], clamped
                if abs(new) > abs(label):
                    label = new
            return label

        radius = 6
        points: list[Example] = []
        for _ in range(num):
            x, y = self.rand_uniform(-radius, radius), self.rand_uniform(-radius, radius)
            nx, ny = self.rand_uniform(-radius, radius) * noise, self.rand_uniform(-radius, radius) * noise
            points.append((x, y, get_label(x + nx, y + ny)))
        return points

    def spiral(self, num: int, noise: float) -> list[Example]:
        points: list[Example] = []
        n = num / 2
        for delta_t, label in ((0.0, 1), (math.pi, -1)):
            i = 0
            while i < n:
                r = i / n * 5
                t = 1.75 * i / n * 2 * math.pi + delta_t
                x = r * math.sin(t) + self.rand_uniform(-1, 1) * noise
                y = r * math.cos(t) + self.rand_uniform(-1, 1) * noise
                points.append((x, y, label))
                i += 1
        return points

    def circle(self, num: int, noise: float) -> list[Example]:
        points: list[Example] = []
        radius = 5
        for r_lo, r_hi in ((0, radius * 0.5), (radius * 0.7, radius)):
            i = 0
            while i < num / 2:
                r = self.rand_uniform(r_lo, r_hi)
                angle = self.rand_uniform(0, 2 * math.pi)
                x, y = r * math.sin(angle), r * math.cos(angle)
                nx, ny = self.rand_uniform(-radius, radius) * noise, self.rand_uniform(-radius, radius) * noise
                label = 1 if math.hypot(x + nx, y + ny) < radius * 0.5 else -1
                points.append((x, y, label))
                i += 1
        return points

    def xor(self, num: int, noise: float) -> list[Example]:
        points: list[Example] = []
        for _ in range(num):
            x = self.rand_uniform(-5, 5)
            padding = 0.3
            x += padding if x > 0 else -padding
            y = self.rand_uniform(-5, 5)
            y += padding if y > 0 else -padding
            nx, ny = self.rand_uniform(-5, 5) * noise, self.rand_uniform(-5, 5) * noise
            points.append((x, y, 1 if (x + nx) * (y + ny) >= 0 else -1))
        return points


TF_NAMES = {"circle": "circle", "xor": "xor", "gauss": "gauss", "spiral": "spiral",
            "plane": "plane", "multigauss": "multigauss"}
N = 3000


def ks_2samp_pvalue(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sample Kolmogorov–Smirnov test's asymptotic p-value (as scipy's ks_2samp, method='asymp').

    Written out here so the tests need NumPy only: D is the largest gap between the two empirical
    CDFs, and P(K > λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²) with λ = (√n_e + 0.12 + 0.11/√n_e)·D.
    """
    a, b = np.sort(np.asarray(a, float)), np.sort(np.asarray(b, float))
    grid = np.concatenate([a, b])
    d = float(np.max(np.abs(np.searchsorted(a, grid, side="right") / a.size
                            - np.searchsorted(b, grid, side="right") / b.size)))
    n_e = a.size * b.size / (a.size + b.size)
    lam = (math.sqrt(n_e) + 0.12 + 0.11 / math.sqrt(n_e)) * d
    if lam < 1e-3:
        return 1.0
    k = np.arange(1, 101)
    return float(min(1.0, max(0.0, 2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * lam**2)))))


def test_ks_pvalue_separates_equal_from_shifted_samples() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=2000), rng.normal(size=2000)
    assert ks_2samp_pvalue(x, y) > 0.01
    assert ks_2samp_pvalue(x, y + 0.3) < 1e-6


def _tf(name: str, noise: float, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    gen: Callable[[int, float], list[Example]] = getattr(DatasetTs(seed), TF_NAMES[name])
    pts = np.array(gen(N, noise / 100))
    labels = pts[:, 2]
    if name in ("circle", "xor", "gauss", "spiral"):
        labels = (labels > 0).astype(float)                          # TF −1/+1 → annplay 0/1
    return pts[:, :2].T, labels


def _annplay(name: str, noise: float, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    ds = make_dataset(name, n=N, noise=noise, seed=seed)
    return ds.X, ds.y.astype(float)


@pytest.mark.parametrize("noise", [0, 25, 50])
@pytest.mark.parametrize("name", list(TF_NAMES))
def test_each_generator_matches_dataset_ts_in_distribution(name: str, noise: float) -> None:
    X_tf, y_tf = _tf(name, noise)
    X, y = _annplay(name, noise)
    if name == "spiral" and noise == 0:                     # no randomness at all: the same points
        order_tf, order = np.lexsort(X_tf), np.lexsort(X)
        np.testing.assert_allclose(X[:, order], X_tf[:, order_tf], atol=1e-12)
        return
    samples = {"x1": (X[0], X_tf[0]), "x2": (X[1], X_tf[1]),
               "radius": (np.hypot(*X), np.hypot(*X_tf)), "label": (y, y_tf)}
    for part, (mine, theirs) in samples.items():
        if part == "label" and name in ("circle", "xor", "gauss", "spiral"):
            # class shares: a two-proportion z-test (KS on 0/1 data is too coarse)
            p1, p2 = mine.mean(), theirs.mean()
            pooled = (p1 + p2) / 2
            z = abs(p1 - p2) / max(math.sqrt(2 * pooled * (1 - pooled) / N), 1e-12)
            assert z < 3.3, (part, p1, p2)
            continue
        p = ks_2samp_pvalue(mine, theirs)
        assert p > 0.001, (part, p)


def test_gauss_keeps_points_outside_the_plot_as_dataset_ts_does() -> None:
    """At noise 50, variance 4 puts ~4.4 % of points beyond ±6; redrawing them would give 0 % and variance 3.5."""
    X_tf, _ = _tf("gauss", 50)
    X, y = _annplay("gauss", 50)
    outside, outside_tf = (np.abs(X) > 6).any(axis=0).mean(), (np.abs(X_tf) > 6).any(axis=0).mean()
    assert 0.03 < outside < 0.06 and 0.03 < outside_tf < 0.06
    positive = X[:, y == 1]
    assert positive.mean() == pytest.approx(2.0, abs=0.08)
    assert positive.var() == pytest.approx(4.0, rel=0.06)


def test_the_port_itself_follows_dataset_ts_formulas() -> None:
    """Sanity of the reference: exact labels where the formula is deterministic."""
    for x, y, label in DatasetTs(1).plane(200, 0.0):
        assert label == pytest.approx((x + y) / 10)
    for x, y, label in DatasetTs(1).xor(200, 0.0):
        assert label == (1 if x * y >= 0 else -1) and abs(x) >= 0.3 and abs(y) >= 0.3
    for x, y, label in DatasetTs(1).circle(200, 0.0):
        assert (math.hypot(x, y) < 2.5) == (label == 1)
