"""Tests for the TF Playground input transforms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from annplay.engine.features import (
    DEFAULT_FEATURES,
    FEATURES,
    apply_features,
    feature_labels,
    parse_features,
)


def test_registry_order_and_labels() -> None:
    assert list(FEATURES) == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2", "cosx1", "cosx2"]
    assert FEATURES["x1sq"].label == "x1²"
    assert FEATURES["x2sq"].label == "x2²"
    assert DEFAULT_FEATURES == ("x1", "x2")
    for name, feat in FEATURES.items():
        assert feat.name == name


def test_values() -> None:
    X = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5]])
    out = apply_features(X, list(FEATURES))
    assert out.shape == (9, 3) and out.dtype == np.float64
    x1, x2 = X
    expected = [x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2), np.cos(x1), np.cos(x2)]
    for row, exp in zip(out, expected, strict=True):
        assert np.allclose(row, exp)


def test_subset_order_is_kept() -> None:
    X = np.array([[2.0], [3.0]])
    assert apply_features(X, ("x1x2", "x2", "x1sq")).ravel().tolist() == [6.0, 3.0, 4.0]
    assert apply_features(X, "sinx2,x1").ravel().tolist() == pytest.approx([np.sin(3.0), 2.0])


def test_default_is_identity() -> None:
    X = np.array([[1, 2], [3, 4]])
    out = apply_features(X)
    assert out.dtype == np.float64 and out.tolist() == [[1, 2], [3, 4]]
    assert out is not X


def test_apply_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError, match="2×n"):
        apply_features(np.zeros((3, 4)), DEFAULT_FEATURES)
    with pytest.raises(ValueError, match="2×n"):
        apply_features(np.zeros(4), DEFAULT_FEATURES)


def test_parse_features() -> None:
    assert parse_features("x1,x2,x1x2") == ("x1", "x2", "x1x2")
    assert parse_features(" X1 , sinx2 ") == ("x1", "sinx2")
    assert parse_features(["x1^2", "x1*x2", "sin(x1)"]) == ("x1sq", "x1x2", "sinx1")
    assert feature_labels(("x1", "x2sq", "sinx1")) == ("x1", "x2²", "sin(x1)")
    assert parse_features("COS(x1), cosx2") == ("cosx1", "cosx2")
    assert feature_labels(("cosx1", "cosx2")) == ("cos(x1)", "cos(x2)")


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("x1,x3", "unknown feature 'x3'"),
        ("", "no features"),
        ("  ", "no features"),
        ("x1,,x2", "empty feature"),
        ("x1,x2,x1", "twice"),
        ("x1,X1", "twice"),
        ([], "no features"),
    ],
)
def test_parse_errors_list_allowed(spec: str, match: str) -> None:
    with pytest.raises(ValueError, match=match) as exc:
        parse_features(spec)
    assert "x1sq" in str(exc.value) and "sinx2" in str(exc.value)


def test_apply_rejects_unknown_name() -> None:
    with pytest.raises(ValueError, match="allowed"):
        apply_features(np.zeros((2, 1)), ("x1", "tanx1"))


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (2, 7), elements=st.floats(-6, 6)))
def test_squares_and_products_consistent(X: np.ndarray) -> None:
    out = apply_features(X, ("x1", "x2", "x1sq", "x2sq", "x1x2"))
    assert np.allclose(out[2], out[0] ** 2)
    assert np.allclose(out[3], out[1] ** 2)
    assert np.allclose(out[4], out[0] * out[1])
    assert np.all(out[2] >= 0) and np.all(out[3] >= 0)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (2, 7), elements=st.floats(-6, 6)))
def test_sin_and_cos_of_each_coordinate_lie_on_the_unit_circle(X: np.ndarray) -> None:
    sx1, sx2, cx1, cx2 = apply_features(X, ("sinx1", "sinx2", "cosx1", "cosx2"))
    assert np.allclose(sx1 ** 2 + cx1 ** 2, 1) and np.allclose(sx2 ** 2 + cx2 ** 2, 1)
    assert np.allclose(cx1, np.sin(X[0] + np.pi / 2)) and np.allclose(cx2, np.sin(X[1] + np.pi / 2))
