"""The activation registry: values, elementwise derivatives, parameters, edge values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from annplay.engine import ACTIVATIONS, HIDDEN_ACTIVATIONS, Activation, get_activation

ELEMENTWISE = [name for name, spec in ACTIVATIONS.items() if spec.derivative is not None]

REFERENCE = {   # independent, textbook formulas
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "tanh": np.tanh,
    "logistic": lambda z: 0.5 * (1 + np.tanh(z / 2)),
    "linear": lambda z: z,
    "step": lambda z: (z > 0).astype(float),
}

finite_z = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                      elements=st.floats(-6, 6, allow_nan=False))


def test_registry_contents() -> None:
    assert {"relu", "leaky_relu", "elu", "tanh", "logistic", "linear", "softmax", "step"} <= set(ACTIVATIONS)
    assert set(REFERENCE) == set(ELEMENTWISE), "each activation needs an independent reference here"
    assert "softmax" not in HIDDEN_ACTIVATIONS
    assert ACTIVATIONS["softmax"].output_only
    assert not ACTIVATIONS["step"].trainable_by_backprop
    assert {n for n, s in ACTIVATIONS.items() if s.relu_family} == {"relu", "leaky_relu", "elu"}
    assert get_activation("sigmoid").name == "logistic"


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=40, deadline=None)
@given(z=finite_z)
def test_values_match_textbook_formulas(name: str, z: np.ndarray) -> None:
    g = Activation(name)
    np.testing.assert_allclose(g(z), REFERENCE[name](z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=40, deadline=None)
@given(z=finite_z)
def test_in_place_output_equals_fresh_output(name: str, z: np.ndarray) -> None:
    g = Activation(name)
    fresh = g(z)
    buf = z.copy()
    same = g(buf, buf)                     # the inference path writes A over Z
    assert same is buf
    np.testing.assert_array_equal(same, fresh)


@pytest.mark.parametrize("name,params", [(n, {}) for n in ELEMENTWISE if n != "step"]
                         + [("leaky_relu", {"slope": 0.25}), ("leaky_relu", {"slope": 3.0}),
                            ("elu", {"alpha": 0.5}), ("elu", {"alpha": 2.5})])
@settings(max_examples=40, deadline=None)
@given(z=finite_z)
def test_derivative_matches_central_differences(name: str, params: dict, z: np.ndarray) -> None:
    g = Activation(name, **params)
    z = np.where(np.abs(z) < 1e-3, 0.5, z)          # keep away from kinks at 0
    h = 1e-5
    numeric = (g(z + h) - g(z - h)) / (2 * h)
    analytic = g.derivative(z, g(z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_step_has_zero_derivative_and_heaviside_values() -> None:
    g = Activation("step")
    z = np.array([[-2.0, -1e-9, 0.0, 1e-9, 3.0]])
    np.testing.assert_array_equal(g(z), [[0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(g.derivative(z, g(z)), np.zeros_like(z))


def test_leaky_relu_slope_parameter() -> None:
    z = np.array([[-2.0, -0.5, 0.5, 2.0]])
    default = Activation("leaky_relu")
    steep = Activation("leaky_relu", slope=0.2)
    np.testing.assert_allclose(default(z), [[-0.02, -0.005, 0.5, 2.0]])
    np.testing.assert_allclose(steep(z), [[-0.4, -0.1, 0.5, 2.0]])
    np.testing.assert_allclose(steep.derivative(z, steep(z)), [[0.2, 0.2, 1.0, 1.0]])
    assert steep.params == {"slope": 0.2} and steep != default
    assert get_activation(("leaky_relu", {"slope": 0.2})) == steep
    assert get_activation({"name": "leaky_relu", "params": {"slope": 0.2}}) == steep


def test_elu_alpha_parameter() -> None:
    z = np.array([[-3.0, -1.0, 0.0, 1.5]])
    g = Activation("elu", alpha=2.0)
    expected = np.where(z > 0, z, 2.0 * np.expm1(z))
    np.testing.assert_allclose(g(z), expected, rtol=1e-14)
    np.testing.assert_allclose(g.derivative(z, g(z))[:, [0, 1, 3]],
                               [[2.0 * np.exp(-3.0), 2.0 * np.exp(-1.0), 1.0]], rtol=1e-12)
    assert g(np.array([[-1e4]]))[0, 0] == pytest.approx(-2.0)


def test_activation_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="has no parameter 'alpha'.*slope"):
        Activation("leaky_relu", alpha=1.0)
    with pytest.raises(ValueError, match="has no parameter"):
        Activation("tanh", slope=0.1)
    with pytest.raises(ValueError, match="finite"):
        Activation("elu", alpha=float("nan"))


def test_unknown_activation_lists_the_valid_names() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*relu.*tanh.*logistic"):
        Activation("swish")
    with pytest.raises(ValueError, match="valid names"):
        get_activation(42)


@pytest.mark.parametrize("name", ELEMENTWISE + ["softmax"])
def test_extreme_inputs_give_finite_outputs_without_warnings(name: str) -> None:
    z = np.array([[-1e4, -800.0, -1.0, 0.0, 1.0, 800.0, 1e4]]).T.repeat(2, axis=1)
    g = Activation(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = g(z)
        if g.spec.derivative is not None:
            d = g.derivative(z, a)
            assert np.all(np.isfinite(d))
    assert np.all(np.isfinite(a))


def test_logistic_saturates_exactly() -> None:
    g = Activation("logistic")
    a = g(np.array([[-1e4, 0.0, 1e4]]))
    np.testing.assert_array_equal(a, [[0.0, 0.5, 1.0]])


@settings(max_examples=40, deadline=None)
@given(z=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                    elements=st.floats(-1e4, 1e4, allow_nan=False)))
def test_softmax_columns_are_distributions(z: np.ndarray) -> None:
    g = Activation("softmax")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = g(z)
    assert np.all(a >= 0) and np.all(np.isfinite(a))
    np.testing.assert_allclose(a.sum(axis=0), 1.0, rtol=1e-12)
    # invariant to a shift of each column, and ordered like z
    np.testing.assert_allclose(g(z - z.max(axis=0)), a, rtol=1e-12, atol=1e-300)
    top = np.take_along_axis(a, z.argmax(axis=0)[None], axis=0)[0]
    np.testing.assert_array_equal(top, a.max(axis=0))     # the largest z gets the largest share


def test_softmax_has_no_elementwise_derivative() -> None:
    with pytest.raises(ValueError, match="no elementwise derivative"):
        Activation("softmax").derivative(np.zeros((2, 1)), np.full((2, 1), 0.5))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_silences_floating_point_warnings_like_the_function(name: str) -> None:
    """Huge, infinite and NaN inputs: ``derivative`` warns no more than ``__call__`` does (no FloatingPointError)."""
    g = Activation(name)
    z = np.array([[1e200, -1e200, np.inf, -np.inf, np.nan, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):     # NumPy's default ignores underflow
        a = g(z)
        g.derivative(z, a)
        g.derivative(z, z)                  # any a: e.g. tanh's 1 − a² with a = 1e200 overflows


def test_every_derivative_is_on_its_registry_entry() -> None:
    for name, spec in ACTIVATIONS.items():
        assert spec.derivative is not None or spec.output_only, name
        if spec.derivative is not None:
            assert Activation(name).from_output == (not spec.needs_z(spec.defaults)), name
