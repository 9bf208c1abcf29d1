"""Tests for the data set registry, the TF Playground generators, split and from_points."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.engine.datasets import (
    DATASETS,
    Dataset,
    checkerboard_label,
    dataset_names,
    from_points,
    gauss_variance,
    make_dataset,
    multigauss_label,
    sine_label,
    split,
)

SYNTHETIC = [name for name, spec in DATASETS.items() if not spec.real]
CLASSIFICATION = [name for name, spec in DATASETS.items() if spec.kind != "regression" and not spec.real]
REGRESSION = [name for name, spec in DATASETS.items() if spec.kind == "regression"]


# ---- registry ----------------------------------------------------------------------------------

def test_registry_has_tf_and_extra_sets() -> None:
    expected = {"circle", "xor", "gauss", "spiral", "plane", "multigauss",
                "moons", "checkerboard", "rings3", "blobs", "sine", "iris", "penguins"}
    assert expected <= set(DATASETS)
    for name, spec in DATASETS.items():
        assert spec.name == name
        assert spec.kind in ("binary", "multiclass", "regression")
        assert spec.description and "\n" not in spec.description
        assert spec.default_n > 0


def test_tf_default_sizes() -> None:
    for name in ("circle", "xor", "gauss", "spiral"):
        assert DATASETS[name].default_n == 500
        assert DATASETS[name].kind == "binary"
    for name in ("plane", "multigauss"):
        assert DATASETS[name].default_n == 1200
        assert DATASETS[name].kind == "regression"


def test_dataset_names_filters_by_kind() -> None:
    assert dataset_names() == list(DATASETS)
    assert set(dataset_names("regression")) == {"plane", "multigauss", "sine", "reg-maximum", "reg-argmax"}
    assert "circle" not in dataset_names("multiclass")


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_entry_constructible(name: str) -> None:
    spec = DATASETS[name]
    ds = make_dataset(name)
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.kind == spec.kind
    assert ds.n == spec.default_n
    assert ds.X.dtype == np.float64 and ds.X.shape == (2, spec.default_n)
    assert np.all(np.isfinite(ds.X))
    Y = ds.targets()
    assert Y.shape == (ds.n_outputs, ds.n)
    if ds.kind == "regression":
        assert ds.n_classes == 0 and ds.class_names == ()
        assert ds.y.dtype == np.float64
    else:
        assert ds.y.dtype == np.int64
        assert set(np.unique(ds.y)) == set(range(ds.n_classes))
        if ds.kind == "binary":
            assert ds.n_classes == 2 and set(np.unique(Y)) == {0.0, 1.0}
        else:
            assert ds.n_classes >= 3
            assert np.all(Y.sum(axis=0) == 1.0)
            assert np.array_equal(Y.argmax(axis=0), ds.y)


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError) as exc:
        make_dataset("donut")
    for name in ("circle", "spiral", "iris"):
        assert name in str(exc.value)


@pytest.mark.parametrize("noise", [-1, 50.5, 100, float("nan"), "loud"])
def test_noise_out_of_range(noise: object) -> None:
    with pytest.raises(ValueError, match=r"noise.*\[0, 50\]"):
        make_dataset("circle", noise=noise)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [0, 1, -5, 2.5, True])
def test_bad_n(n: object) -> None:
    with pytest.raises(ValueError, match="n must"):
        make_dataset("xor", n=n)  # type: ignore[arg-type]


def test_unknown_option_rejected() -> None:
    with pytest.raises(ValueError, match="option"):
        make_dataset("circle", classes=3)


# ---- shape, range, determinism -----------------------------------------------------------------

@pytest.mark.parametrize("name", SYNTHETIC)
@pytest.mark.parametrize("noise", [0, 25, 50])
def test_points_inside_plot(name: str, noise: float) -> None:
    ds = make_dataset(name, n=400, noise=noise, seed=3)
    assert ds.X.shape == (2, 400)
    assert ds.y.shape == (400,)
    if name != "gauss":                     # dataset.ts lets gauss points leave the plot (tests/test_fidelity.py)
        assert np.all(np.abs(ds.X) <= 6.0)
    assert ds.feature_names == ("x1", "x2")


@pytest.mark.parametrize("name", SYNTHETIC)
def test_same_seed_same_data_other_seed_differs(name: str) -> None:
    a = make_dataset(name, n=200, noise=20, seed=7)
    b = make_dataset(name, n=200, noise=20, seed=7)
    c = make_dataset(name, n=200, noise=20, seed=8)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral", "moons", "checkerboard"])
@pytest.mark.parametrize("n", [500, 101])
def test_binary_sets_balanced(name: str, n: int) -> None:
    ds = make_dataset(name, n=n, seed=1)
    counts = np.bincount(ds.y, minlength=2)
    assert abs(int(counts[0]) - int(counts[1])) <= 1


def test_xor_roughly_balanced() -> None:
    ds = make_dataset("xor", n=2000, seed=1)
    assert 0.45 < ds.y.mean() < 0.55


def test_multiclass_sets_balanced() -> None:
    ds = make_dataset("rings3", n=301, seed=2)
    assert sorted(np.bincount(ds.y).tolist()) == [100, 100, 101]
    ds = make_dataset("blobs", n=600, seed=2)
    assert np.bincount(ds.y).tolist() == [150] * 4


def test_classes_are_shuffled() -> None:
    ds = make_dataset("circle", n=200, seed=0)
    # generated as 100 positives then 100 negatives; make_dataset shuffles them
    assert not np.all(ds.y[:100] == ds.y[0])


# ---- TF Playground math ------------------------------------------------------------------------

def test_circle_noise_free_labels_follow_radius() -> None:
    ds = make_dataset("circle", noise=0, seed=4)
    r = np.hypot(ds.X[0], ds.X[1])
    assert np.array_equal(ds.y, (r < 2.5).astype(np.int64))
    inner, outer = r[ds.y == 1], r[ds.y == 0]
    assert inner.max() <= 2.5 and outer.min() >= 3.5 and outer.max() <= 5.0


def test_circle_noise_mislabels_but_keeps_positions() -> None:
    clean = make_dataset("circle", noise=0, seed=4)
    noisy = make_dataset("circle", noise=50, seed=4)
    r = np.hypot(noisy.X[0], noisy.X[1])
    # positions still in the noise-free bands (noise only moves the point used for the label)
    assert np.all((r <= 2.5) | ((r >= 3.5) & (r <= 5.0)))
    wrong = np.mean(noisy.y != (r < 2.5))
    assert 0.05 < wrong < 0.5
    assert np.mean(clean.y != (np.hypot(clean.X[0], clean.X[1]) < 2.5)) == 0.0


def test_xor_noise_free_labels_follow_quadrant_and_padding() -> None:
    ds = make_dataset("xor", noise=0, seed=5)
    assert np.array_equal(ds.y, (ds.X[0] * ds.X[1] >= 0).astype(np.int64))
    assert np.all(np.abs(ds.X) >= 0.3) and np.all(np.abs(ds.X) <= 5.3)


def test_xor_noise_flips_some_labels() -> None:
    ds = make_dataset("xor", noise=50, seed=5)
    wrong = np.mean(ds.y != (ds.X[0] * ds.X[1] >= 0))
    assert 0.05 < wrong < 0.5


def test_gauss_centres_and_spread_grow_with_noise() -> None:
    stds = []
    for noise in (0, 25, 50):
        ds = make_dataset("gauss", n=4000, noise=noise, seed=6)
        pos, neg = ds.X[:, ds.y == 1], ds.X[:, ds.y == 0]
        assert np.allclose(pos.mean(axis=1), [2, 2], atol=0.25)
        assert np.allclose(neg.mean(axis=1), [-2, -2], atol=0.25)
        stds.append(float(pos.std()))
    # TF's varianceScale: noise 0 -> variance 0.5, noise 25 -> 2.25, noise 50 -> 4 (not trimmed to the plot)
    assert stds[0] == pytest.approx(math.sqrt(0.5), rel=0.06)
    assert stds[1] == pytest.approx(1.5, rel=0.06)
    assert stds[2] == pytest.approx(2.0, rel=0.06)
    assert [gauss_variance(f) for f in (0.0, 0.25, 0.5)] == pytest.approx([0.5, 2.25, 4.0])


def test_spiral_noise_free_points_on_the_curve() -> None:
    ds = make_dataset("spiral", n=400, noise=0, seed=0)
    pos = ds.X[:, ds.y == 1]
    r = np.hypot(pos[0], pos[1])
    # positive arm: x = r sin t, y = r cos t with t = 1.75·2π·r/5
    t = 1.75 * 2 * math.pi * r / 5
    assert np.allclose(pos[0], r * np.sin(t), atol=1e-9)
    assert np.allclose(pos[1], r * np.cos(t), atol=1e-9)
    neg = ds.X[:, ds.y == 0]
    rn = np.hypot(neg[0], neg[1])
    tn = 1.75 * 2 * math.pi * rn / 5 + math.pi
    assert np.allclose(neg[0], rn * np.sin(tn), atol=1e-9)


def test_spiral_noise_moves_positions_by_at_most_noise() -> None:
    clean = make_dataset("spiral", n=400, noise=0, seed=0)
    noisy = make_dataset("spiral", n=400, noise=40, seed=0)
    # the same seed gives the same shuffle, so columns correspond
    assert np.array_equal(clean.y, noisy.y)
    shift = np.abs(noisy.X - clean.X)
    assert shift.max() <= 0.4 + 1e-12
    assert shift.mean() > 0.05


def test_plane_labels() -> None:
    ds = make_dataset("plane", noise=0, seed=1)
    assert np.allclose(ds.y, (ds.X[0] + ds.X[1]) / 10)
    assert np.all(np.abs(ds.y) <= 1.2)
    noisy = make_dataset("plane", noise=50, seed=1)
    assert not np.allclose(noisy.y, (noisy.X[0] + noisy.X[1]) / 10)


def test_multigauss_labels() -> None:
    ds = make_dataset("multigauss", noise=0, seed=2)
    assert np.allclose(ds.y, multigauss_label(ds.X[0], ds.X[1]))
    assert np.all(np.abs(ds.y) <= 1.0)
    assert ds.y.min() < -0.5 and ds.y.max() > 0.5
    # peaks: +1 at (-4, 2.5), -1 at (0, 2.5), 0 far from all centres
    peaks = multigauss_label(np.array([-4.0, 0.0, 0.0]), np.array([2.5, 2.5, -6.0]))
    assert peaks.tolist() == pytest.approx([1.0, -1.0, 0.0])
    noisy = make_dataset("multigauss", noise=50, seed=2)
    assert not np.allclose(noisy.y, multigauss_label(noisy.X[0], noisy.X[1]))


def test_sine_labels() -> None:
    ds = make_dataset("sine", noise=0, seed=3)
    assert np.allclose(ds.y, np.sin(math.pi * ds.X[0] / 3))
    assert np.all(np.abs(ds.y) <= 1.0)
    assert sine_label(np.array([1.5]))[0] == pytest.approx(1.0)
    noisy = make_dataset("sine", noise=50, seed=3)
    assert np.all(np.abs(noisy.y) <= 1.0)
    assert not np.allclose(noisy.y, sine_label(noisy.X[0]))


def test_checkerboard_labels() -> None:
    ds = make_dataset("checkerboard", noise=0, seed=9)
    assert np.array_equal(ds.y, checkerboard_label(ds.X[0], ds.X[1]))
    # every one of the 16 squares is populated
    cells = {(int((x + 6) // 3), int((y + 6) // 3)) for x, y in ds.X.T}
    assert len(cells) == 16
    noisy = make_dataset("checkerboard", noise=50, seed=9)
    wrong = np.mean(noisy.y != checkerboard_label(noisy.X[0], noisy.X[1]))
    assert 0.02 < wrong < 0.5


def test_moons_shape_and_noise() -> None:
    clean = make_dataset("moons", n=400, noise=0, seed=1)
    upper = clean.X[:, clean.y == 1]
    # upper moon: a half circle of radius 3 around (-1.5, -0.75)
    r = np.hypot(upper[0] + 1.5, upper[1] + 0.75)
    assert np.allclose(r, 3.0)
    noisy = make_dataset("moons", n=400, noise=30, seed=1)
    up = noisy.X[:, noisy.y == 1]
    assert np.hypot(up[0] + 1.5, up[1] + 0.75).std() > 0.2


def test_rings3_radii_and_noise() -> None:
    ds = make_dataset("rings3", noise=0, seed=1)
    r = np.hypot(ds.X[0], ds.X[1])
    assert r[ds.y == 0].max() <= 1.5
    assert r[ds.y == 1].min() >= 2.5 and r[ds.y == 1].max() <= 3.75
    assert r[ds.y == 2].min() >= 4.75
    noisy = make_dataset("rings3", noise=50, seed=1)
    rn = np.hypot(noisy.X[0], noisy.X[1])
    assert rn[noisy.y == 1].min() < 2.5 or rn[noisy.y == 1].max() > 3.75


def test_blobs_classes_option() -> None:
    for kw in ({"classes": 6}, {"k": 6}):
        ds = make_dataset("blobs", n=600, **kw)
        assert ds.n_classes == 6 and ds.targets().shape == (6, 600)
    assert make_dataset("blobs").n_classes == 4
    with pytest.raises(ValueError, match="classes"):
        make_dataset("blobs", classes=1)
    with pytest.raises(ValueError, match="disagree"):
        make_dataset("blobs", classes=3, k=5)


def test_blobs_spread_grows_with_noise() -> None:
    def spread(noise: float) -> float:
        ds = make_dataset("blobs", n=2000, noise=noise, seed=0)
        return float(np.mean([ds.X[:, ds.y == c].std(axis=1).mean() for c in range(4)]))

    assert spread(0) < spread(25) < spread(50)


def test_real_sets_in_registry() -> None:
    iris = make_dataset("iris")
    assert iris.n == 150 and iris.class_names == ("setosa", "versicolor", "virginica")
    assert iris.feature_names == ("petal_length", "petal_width")
    assert iris.x_mean is not None and iris.x_mean.shape == (2, 1)
    assert np.allclose(iris.X.mean(axis=1), 0) and np.allclose(iris.X.std(axis=1), 1)
    penguins = make_dataset("penguins")
    assert penguins.n == 342 and penguins.dropped == 2
    assert penguins.feature_names == ("bill_length_mm", "bill_depth_mm")
    sepals = make_dataset("iris", x=["sepal_length", "sepal_width"])
    assert sepals.feature_names == ("sepal_length", "sepal_width")
    sub = make_dataset("iris", n=60, seed=3)
    assert sub.n == 60 and np.array_equal(sub.X, make_dataset("iris", n=60, seed=3).X)
    with pytest.raises(ValueError, match="150"):
        make_dataset("iris", n=500)


# ---- targets and Dataset checks ----------------------------------------------------------------

def test_targets_encodings() -> None:
    ds = Dataset("t", np.zeros((2, 4)), np.array([0, 2, 1, 2]), "multiclass", ("a", "b", "c"))
    assert ds.targets().tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1]]
    b = Dataset("t", np.zeros((2, 3)), np.array([1, 0, 1]), "binary", ("0", "1"))
    assert b.targets().tolist() == [[1.0, 0.0, 1.0]] and b.targets().dtype == np.float64
    r = Dataset("t", np.zeros((2, 2)), np.array([0.5, -0.25]), "regression", ())
    assert r.targets().tolist() == [[0.5, -0.25]] and r.n_classes == 0


def test_dataset_rejects_inconsistent_shapes() -> None:
    with pytest.raises(ValueError):
        Dataset("t", np.zeros((2, 3)), np.array([0, 1]), "binary", ("0", "1"))
    with pytest.raises(ValueError):
        Dataset("t", np.zeros((2, 2)), np.array([0, 2]), "binary", ("0", "1"))
    with pytest.raises(ValueError):
        Dataset("t", np.zeros((2, 2)), np.array([0, 1]), "ternary", ("0", "1"))


def test_standardize_inputs_uses_recorded_stats() -> None:
    ds = Dataset("t", np.zeros((2, 1)), np.array([0.0]), "regression", (),
                 x_mean=np.array([1.0, 2.0]), x_std=np.array([2.0, 4.0]))
    out = ds.standardize_inputs(np.array([[3.0], [10.0]]))
    assert out.ravel().tolist() == [1.0, 2.0]


# ---- split -------------------------------------------------------------------------------------

def _column_keys(ds: Dataset) -> list[tuple[float, ...]]:
    return [tuple(col) for col in np.vstack([ds.X, ds.y[None, :].astype(float)]).T]


def test_split_ratio_disjoint_complete() -> None:
    ds = make_dataset("spiral", n=500, noise=10, seed=0)
    train, test = split(ds, 70, seed=1)
    assert (train.n, test.n) == (350, 150)
    keys_train, keys_test = _column_keys(train), _column_keys(test)
    assert not set(keys_train) & set(keys_test)
    assert sorted(keys_train + keys_test) == sorted(_column_keys(ds))
    for part in (train, test):
        assert part.kind == ds.kind and part.class_names == ds.class_names
        assert part.name == ds.name and part.feature_names == ds.feature_names


def test_split_stratified() -> None:
    ds = make_dataset("blobs", n=400, seed=0)  # 100 per class
    train, test = split(ds, 30, seed=0)
    assert np.bincount(train.y).tolist() == [30] * 4
    assert np.bincount(test.y).tolist() == [70] * 4


def test_split_stratified_uneven_classes() -> None:
    ds = make_dataset("penguins")
    train, test = split(ds, 50, seed=0)
    full = np.bincount(ds.y)
    got = np.bincount(train.y, minlength=3)
    assert np.all(np.abs(got - full / 2) <= 0.5)
    assert train.x_mean is ds.x_mean or np.array_equal(train.x_mean, ds.x_mean)
    assert train.dropped == ds.dropped == 2


def test_split_seeded() -> None:
    ds = make_dataset("plane", n=300, seed=0)
    a, _ = split(ds, 50, seed=4)
    b, _ = split(ds, 50, seed=4)
    c, _ = split(ds, 50, seed=5)
    assert np.array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("ratio", [0, 9.9, 90.1, 100, -5])
def test_split_ratio_bounds(ratio: float) -> None:
    ds = make_dataset("circle", n=50)
    with pytest.raises(ValueError, match=r"train_ratio.*\[10, 90\]"):
        split(ds, ratio)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=4, max_value=300),
    ratio=st.floats(min_value=10, max_value=90),
    name=st.sampled_from(["circle", "xor", "rings3", "plane"]),
    seed=st.integers(0, 2**16),
)
def test_split_properties(n: int, ratio: float, name: str, seed: int) -> None:
    ds = make_dataset(name, n=n, seed=seed)
    train, test = split(ds, ratio, seed=seed)
    assert train.n + test.n == n
    assert train.n >= 1 and test.n >= 1
    if ds.kind == "regression":
        assert abs(train.n - n * ratio / 100) <= 1
    else:
        for c in range(ds.n_classes):
            count = int(np.sum(ds.y == c))
            got = int(np.sum(train.y == c))
            if count >= 2:
                assert 1 <= got <= count - 1
                assert abs(got - count * ratio / 100) <= 1


# ---- from_points -------------------------------------------------------------------------------

def test_from_points_binary_and_regression() -> None:
    ds = from_points([(1.0, 2.0, 1), (-1.0, 0.5, 0), (3.0, -3.0, 1)], "binary")
    assert ds.X.tolist() == [[1.0, -1.0, 3.0], [2.0, 0.5, -3.0]]
    assert ds.y.tolist() == [1, 0, 1] and ds.kind == "binary" and ds.n_classes == 2
    reg = from_points([(0.0, 0.0, 0.25), (1.0, 1.0, -0.5)], "regression")
    assert reg.y.tolist() == [0.25, -0.5] and reg.kind == "regression"
    multi = from_points([(0, 0, 0), (1, 1, 3)], "multiclass")
    assert multi.n_classes == 4 and multi.targets().shape == (4, 2)


def test_from_points_errors() -> None:
    with pytest.raises(ValueError, match="no points"):
        from_points([], "binary")
    with pytest.raises(ValueError):
        from_points([(0, 0, 2)], "binary")
    with pytest.raises(ValueError, match="whole"):
        from_points([(0, 0, 0.5)], "binary")
    with pytest.raises(ValueError, match="kind"):
        from_points([(0, 0, 0)], "colour")
    with pytest.raises(ValueError, match="x1, x2, label"):
        from_points([(0, 0)], "binary")


@pytest.mark.parametrize(("name", "label"), [
    ("reg-maximum", lambda X: np.maximum(X[0], X[1]) / 6.0),
    ("reg-argmax", lambda X: (X[1] > X[0]).astype(float)),
])
def test_extended_regression_sets_follow_their_formula(name: str, label) -> None:
    ds = make_dataset(name, n=400, noise=0, seed=3)
    assert ds.kind == "regression" and ds.X.shape == (2, 400)
    assert np.all(np.abs(ds.X) <= 6.0)
    np.testing.assert_allclose(ds.y, label(ds.X))
    noisy = make_dataset(name, n=400, noise=30, seed=3)
    assert not np.allclose(noisy.y, label(noisy.X))          # noise reads the label at a jittered position
