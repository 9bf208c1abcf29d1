"""Data sets for the playground: the `DATASETS` registry, `Dataset`, `make_dataset`, `split`.

The four classification and two regression generators follow TensorFlow
Playground's ``src/dataset.ts`` formula for formula (``noise`` is the slider's
percentage; the generators use ``noise / 100`` where dataset.ts uses ``noise``).
TF labels -1/+1 become class indices 0/1 here.  Every generator is driven by
``np.random.default_rng(seed)``, so the same seed gives the same data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .buffers import rng_from
from .csvdata import load_csv, shipped_csv
from .dataset import KINDS, SYNTHETIC_FEATURES, Dataset
from .extradata import (
    checkerboard_label,
    gen_argmax,
    gen_blobs,
    gen_checkerboard,
    gen_maximum,
    gen_moons,
    gen_rings3,
    gen_sine,
    sine_label,
)
from .tfdata import (
    BINARY,
    DOMAIN,
    gauss_variance,
    gen_circle,
    gen_gauss,
    gen_multigauss,
    gen_plane,
    gen_spiral,
    gen_xor,
    multigauss_label,
    normal_random,
)

NOISE_RANGE = (0.0, 50.0)
TRAIN_RATIO_RANGE = (10.0, 90.0)
MAX_POINTS = 1_000_000


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


# ---- real data ---------------------------------------------------------------------------------

def _real(file: str, x: tuple[str, str], y: str) -> Callable[..., Dataset]:
    """A loader for a shipped CSV that returns the standardised Dataset (optionally other columns)."""

    def load(n: int | None, noise: float, rng: np.random.Generator, x: Sequence[str] | None = x, y: str = y) -> Dataset:
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
        _spec("blobs", "multiclass", 600, "4 Gaussian blobs, one class each; noise widens them",
              gen_blobs, options=("classes", "k")),
        _spec("plane", "regression", 1200, "Tilted plane: y = (x1+x2)/10; noise blurs the label", gen_plane),
        _spec("multigauss", "regression", 1200, "Six ±1 Gaussian bumps; noise blurs the label", gen_multigauss),
        _spec("sine", "regression", 1200, "Wave: y = sin(pi·x1/3); noise blurs the label", gen_sine),
        _spec("reg-maximum", "regression", 1200, "y = max(x1, x2)/6 (TF Playground extended); noise blurs the label",
              gen_maximum),
        _spec("reg-argmax", "regression", 1200, "y = 1 where x2 > x1, else 0 (TF Playground extended); noise blurs it",
              gen_argmax),
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
    rng = rng_from(seed)
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
    rng = rng_from(seed)
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


__all__ = ["DATASETS", "Dataset", "DatasetSpec", "make_dataset", "split", "from_points", "dataset_names",
           "check_noise", "check_train_ratio", "KINDS", "DOMAIN", "NOISE_RANGE", "TRAIN_RATIO_RANGE", "MAX_POINTS",
           "SYNTHETIC_FEATURES", "BINARY", "normal_random", "gauss_variance", "multigauss_label",
           "checkerboard_label", "sine_label", "gen_circle", "gen_xor", "gen_gauss", "gen_spiral", "gen_plane",
           "gen_multigauss", "gen_moons", "gen_checkerboard", "gen_rings3", "gen_blobs", "gen_sine", "gen_maximum",
           "gen_argmax"]
