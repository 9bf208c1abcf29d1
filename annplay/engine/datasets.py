"""Data sets for the playground: the `DATASETS` registry, `Dataset`, `make_dataset`, `split`.

The four classification and two regression generators follow TensorFlow
Playground's ``src/dataset.ts`` formula for formula (``noise`` is the slider's
percentage; the generators use ``noise / 100`` where dataset.ts uses ``noise``).
TF labels -1/+1 become class indices 0/1 here.  Every generator is driven by
``np.random.default_rng(seed)``, so the same seed gives the same data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

KINDS = ("binary", "multiclass", "regression")
DOMAIN = 6.0  # synthetic points lie in [-DOMAIN, DOMAIN]^2, as on TF Playground's plot
NOISE_RANGE = (0.0, 50.0)
TRAIN_RATIO_RANGE = (10.0, 90.0)
MAX_POINTS = 1_000_000
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


# Synthetic generators take (n, noise as a fraction in [0, 0.5], rng, **options) and return (X, y, class_names);
# real-data entries (real=True) take (n or None, noise, rng, **options) and return a Dataset.
GeneratorFn = Callable[..., Any]


@dataclass(frozen=True)
class DatasetSpec:
    """One registry entry: what the CLI/app list and what `make_dataset` calls."""

    name: str
    kind: str
    default_n: int
    description: str
    generator: GeneratorFn = field(repr=False)
    uses_noise: bool = True
    options: tuple[str, ...] = ()
    real: bool = False


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


# ---- extra synthetic sets TF Playground lacks -------------------------------------------------

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


# ---- real data ---------------------------------------------------------------------------------

def _real(file: str, x: tuple[str, str], y: str) -> Callable[..., Dataset]:
    """A loader for a shipped CSV that returns the standardised Dataset (optionally other columns)."""

    def load(n: int | None, noise: float, rng: np.random.Generator, x: Sequence[str] | None = x, y: str = y) -> Dataset:
        from .csvdata import load_csv, shipped_csv  # late import: csvdata imports this module

        ds = load_csv(shipped_csv(file), x=list(x) if isinstance(x, (list, tuple)) else x, y=y)
        if n is not None:
            if n > ds.n:
                raise ValueError(f"{file} has {ds.n} usable rows; n={n} is too many")
            if n < ds.n:
                ds = ds.subset(np.sort(rng.choice(ds.n, size=n, replace=False)))
        return ds

    return load


def _spec(name: str, kind: str, default_n: int, description: str, generator: Callable[..., Any],
          **kw: Any) -> DatasetSpec:
    """Build a registry entry (keeps the table below one line per data set)."""
    return DatasetSpec(name, kind, default_n, description, generator, **kw)


DATASETS: dict[str, DatasetSpec] = {
    s.name: s
    for s in (
        _spec("circle", "binary", 500, "Disc (r<2.5) inside a ring (3.5<r<5); noise mislabels points near the border",
              gen_circle),
        _spec("xor", "binary", 500, "Quadrants: class 1 where x1·x2 >= 0; noise mislabels points near the axes",
              gen_xor),
        _spec("gauss", "binary", 500, "Two Gaussian clusters at (2,2) and (-2,-2); noise widens them", gen_gauss),
        _spec("spiral", "binary", 500, "Two interleaved spirals; noise scatters the points", gen_spiral),
        _spec("moons", "binary", 500, "Two interleaved half moons; noise adds Gaussian jitter", gen_moons),
        _spec("checkerboard", "binary", 500, "4×4 checkerboard over [-6,6]; noise mislabels points near square edges",
              gen_checkerboard),
        _spec("rings3", "multiclass", 600, "Three concentric rings, one class each; noise blurs the radii", gen_rings3),
        _spec("blobs", "multiclass", 600, "k Gaussian blobs (default 4, option classes=k); noise widens them",
              gen_blobs, options=("classes", "k")),
        _spec("plane", "regression", 1200, "Tilted plane: y = (x1+x2)/10; noise blurs the label", gen_plane),
        _spec("multigauss", "regression", 1200, "Six ±1 Gaussian bumps; noise blurs the label", gen_multigauss),
        _spec("sine", "regression", 1200, "Wave: y = sin(pi·x1/3); noise blurs the label", gen_sine),
        _spec("iris", "multiclass", 150,
              "Fisher's iris (150 flowers, 3 species); petal length/width, standardised; noise unused",
              _real("iris.csv", ("petal_length", "petal_width"), "species"),
              uses_noise=False, options=("x", "y"), real=True),
        _spec("penguins", "multiclass", 342,
              "Palmer penguins (3 species); bill length/depth, standardised, 2 NA rows dropped; noise unused",
              _real("penguins.csv", ("bill_length_mm", "bill_depth_mm"), "species"),
              uses_noise=False, options=("x", "y"), real=True),
    )
}


def dataset_names(kind: str | None = None) -> list[str]:
    """Registry names, optionally only those of one kind (for CLI choices and app menus)."""
    return [name for name, spec in DATASETS.items() if kind is None or spec.kind == kind]


def check_noise(noise: float) -> float:
    """Validate a noise percentage (the TF slider's 0-50) and return it as a float."""
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number in [0, 50] (percent); got {noise!r}") from None
    if not (NOISE_RANGE[0] <= value <= NOISE_RANGE[1]):
        raise ValueError(f"noise must be in [0, 50] (percent); got {noise!r}")
    return value


def make_dataset(name: str, n: int | None = None, noise: float = 0.0, seed: int | None = 0, **options: Any) -> Dataset:
    """Build registry data set `name` with n points and noise percent in [0, 50], reproducibly from `seed`."""
    spec = DATASETS.get(name)
    if spec is None:
        raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(DATASETS)}")
    noise_pct = check_noise(noise)
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        allowed = ", ".join(spec.options) if spec.options else "none"
        raise ValueError(f"data set {name!r} takes no option {', '.join(map(repr, unknown))} (options: {allowed})")
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise ValueError(f"n must be a whole number; got {n!r}")
        if not 2 <= int(n) <= MAX_POINTS:
            raise ValueError(f"n must be in [2, {MAX_POINTS}]; got {n}")
        n = int(n)
    rng = np.random.default_rng(seed)
    if spec.real:
        ds = spec.generator(n, noise_pct / 100.0, rng, **options)
        return replace(ds, name=spec.name, description=spec.description if not options else ds.description)
    count = spec.default_n if n is None else n
    X, y, class_names = spec.generator(count, noise_pct / 100.0, rng, **options)
    order = rng.permutation(count)  # TF shuffles before splitting; keeps classes interleaved for mini-batches
    return Dataset(
        name=spec.name,
        X=X[:, order],
        y=y[order],
        kind=spec.kind,
        class_names=class_names,
        description=spec.description,
        feature_names=SYNTHETIC_FEATURES,
    )


def check_train_ratio(train_ratio: float) -> float:
    """Validate a training percentage in [10, 90] and return it as a float."""
    try:
        value = float(train_ratio)
    except (TypeError, ValueError):
        raise ValueError(f"train_ratio must be a number in [10, 90] (percent); got {train_ratio!r}") from None
    if not (TRAIN_RATIO_RANGE[0] <= value <= TRAIN_RATIO_RANGE[1]):
        raise ValueError(f"train_ratio must be in [10, 90] (percent); got {train_ratio!r}")
    return value


def _take(count: int, ratio: float) -> int:
    """How many of `count` go to training: rounded, but leaving both sides non-empty when count >= 2."""
    k = int(round(count * ratio))
    if count >= 2:
        k = min(max(k, 1), count - 1)
    return k


def split(ds: Dataset, train_ratio: float = 50, seed: int | None = 0) -> tuple[Dataset, Dataset]:
    """Split into (train, test) with train_ratio percent for training; stratified per class for classification."""
    ratio = check_train_ratio(train_ratio) / 100.0
    if ds.n < 2:
        raise ValueError(f"cannot split {ds.n} instance(s); need at least 2")
    rng = np.random.default_rng(seed)
    if ds.kind == "regression":
        order = rng.permutation(ds.n)
        k = _take(ds.n, ratio)
        train_idx, test_idx = order[:k], order[k:]
    else:
        train_parts, test_parts = [], []
        for c in range(ds.n_classes):
            members = np.flatnonzero(ds.y == c)
            members = members[rng.permutation(members.size)]
            k = _take(members.size, ratio)
            train_parts.append(members[:k])
            test_parts.append(members[k:])
        train_idx = rng.permutation(np.concatenate(train_parts))
        test_idx = rng.permutation(np.concatenate(test_parts))
        if train_idx.size == 0:            # only singleton classes: training needs something
            train_idx, test_idx = test_idx[:1], test_idx[1:]
    return ds.subset(train_idx), ds.subset(test_idx)


def from_points(
    points: Iterable[Sequence[float]],
    kind: str = "binary",
    *,
    name: str = "drawn",
    class_names: Sequence[str] | None = None,
) -> Dataset:
    """Make a Dataset from user-drawn (x1, x2, label) points, e.g. clicked on the app's plot."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    rows = [tuple(p) for p in points]
    if not rows:
        raise ValueError("no points: draw at least one point")
    bad = [p for p in rows if len(p) != 3]
    if bad:
        raise ValueError(f"each point must be (x1, x2, label); got {bad[0]!r}")
    arr = np.asarray(rows, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError("points must be finite numbers")
    X = arr[:, :2].T.copy()
    labels = arr[:, 2]
    if kind == "regression":
        return Dataset(name, X, labels, kind, (), "points drawn by hand", SYNTHETIC_FEATURES)
    if np.any(labels != np.round(labels)) or np.any(labels < 0):
        raise ValueError("class labels must be whole numbers >= 0")
    y = labels.astype(np.int64)
    if class_names is None:
        k = 2 if kind == "binary" else max(3, int(y.max()) + 1)
        class_names = tuple(str(i) for i in range(k))
    return Dataset(name, X, y, kind, tuple(class_names), "points drawn by hand", SYNTHETIC_FEATURES)
