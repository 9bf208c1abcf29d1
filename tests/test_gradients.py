"""Finite-difference checks of back-propagation, and of the losses it starts from.

Every backprop-trainable hidden activation × every (output activation, loss)
pairing, on random architectures drawn by hypothesis (including a width of 1,
one input, one output and a single instance).  Central differences in float64
with h = 1e-5; relative error < 1e-6 for smooth activations and < 1e-4 for
those with kinks (inputs within 1e-3 of a kink are rejected).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annplay.engine import ACTIVATIONS, HIDDEN_ACTIVATIONS, MLP, Trainer
from annplay.engine.losses import bce_from_logits, cross_entropy_from_logits, mse

H = 1e-5
KINK_MARGIN = 1e-3

TRAINABLE_HIDDEN = [a for a in HIDDEN_ACTIVATIONS if ACTIVATIONS[a].trainable_by_backprop]
# (output activation, loss)
OUTPUT_LOSSES = [("logistic", "bce"), ("softmax", "cross_entropy"),
                 ("linear", "mse"), ("tanh", "mse"), ("logistic", "mse"), ("softmax", "mse")]


def test_the_lists_cover_what_the_issue_asks() -> None:
    assert set(TRAINABLE_HIDDEN) == {n for n, s in ACTIVATIONS.items() if s.trainable_by_backprop and not s.output_only}
    assert len(TRAINABLE_HIDDEN) >= 6
    assert "step" in HIDDEN_ACTIVATIONS and "softmax" not in HIDDEN_ACTIVATIONS


def numeric_gradient(net: MLP, X: np.ndarray, Y: np.ndarray, h: float = H) -> np.ndarray:
    p = net.get_flat()
    grad = np.empty_like(p)
    q = p.copy()
    for i in range(p.size):
        q[i] = p[i] + h
        net.set_flat(q)
        up = net.loss(X, Y)
        q[i] = p[i] - h
        net.set_flat(q)
        down = net.loss(X, Y)
        q[i] = p[i]
        grad[i] = (up - down) / (2 * h)
    net.set_flat(p)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    # The floor keeps pure round-off (~1e-10 absolute) from counting when both are ~0.
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-3))


def hidden_preactivations(net: MLP, X: np.ndarray) -> list[np.ndarray]:
    """Z of every hidden layer, computed by hand from the weights."""
    zs, A = [], X
    for W, b, g in zip(net.weights[:-1], net.biases[:-1], net.activations[:-1], strict=True):
        Z = W @ A + b
        zs.append(Z)
        A = g(Z)
    return zs


def make_targets(rng: np.random.Generator, loss: str, r: int, n: int) -> np.ndarray:
    if loss == "bce":
        return rng.integers(0, 2, (r, n)).astype(float)
    if loss == "cross_entropy":
        return np.eye(r)[rng.integers(0, r, n)].T.copy()
    return rng.normal(0.0, 1.0, (r, n))


def build_case(hidden_act: str, out_act: str, loss: str, m: int, hidden: list[int], r: int,
               n: int, seed: int) -> tuple[MLP, np.ndarray, np.ndarray]:
    layers = [m, *hidden, r]
    acts = [hidden_act] * len(hidden) + [out_act]
    net = MLP(layers, acts, loss=loss, seed=seed, dtype=np.float64)
    rng = np.random.default_rng(seed + 1)
    # Non-zero biases, so bias gradients are exercised away from the initial zeros.
    net.set_flat(net.get_flat() + np.concatenate(
        [np.r_[np.zeros(w.size), rng.normal(0, 0.3, b.size)] for w, b in zip(net.weights, net.biases, strict=True)]))
    X = rng.normal(0.0, 1.0, (m, n))
    Y = make_targets(rng, loss, r, n)
    return net, X, Y


def check_gradient(net: MLP, X: np.ndarray, Y: np.ndarray, hidden_act: str) -> None:
    smooth = ACTIVATIONS[hidden_act].smooth
    if not smooth:
        for Z in hidden_preactivations(net, X):
            assume(np.all(np.abs(Z) > KINK_MARGIN))
    before = net.get_flat()
    loss, grad = net.backprop(X, Y)
    assert np.array_equal(net.get_flat(), before)      # backprop only reads the weights
    assert grad.shape == (net.n_params,)
    assert loss == pytest.approx(net.loss(X, Y), rel=1e-12, abs=1e-15)
    num = numeric_gradient(net, X, Y)
    tol = 1e-6 if smooth else 1e-4
    err = relative_error(grad, num)
    assert err < tol, f"relative error {err:.3g} ≥ {tol:g} for {net!r}"


@st.composite
def architectures(draw, out_act: str):
    m = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 5), min_size=0, max_size=3))
    r = draw(st.integers(2, 4)) if out_act == "softmax" else draw(st.integers(1, 3))
    n = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**16))
    return m, hidden, r, n, seed


@pytest.mark.parametrize("out_act,loss", OUTPUT_LOSSES)
@pytest.mark.parametrize("hidden_act", TRAINABLE_HIDDEN)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_backprop_matches_central_differences(hidden_act: str, out_act: str, loss: str, data) -> None:
    m, hidden, r, n, seed = data.draw(architectures(out_act))
    net, X, Y = build_case(hidden_act, out_act, loss, m, hidden, r, n, seed)
    check_gradient(net, X, Y, hidden_act)


@pytest.mark.parametrize("out_act,loss", OUTPUT_LOSSES)
@pytest.mark.parametrize("hidden_act", TRAINABLE_HIDDEN)
@pytest.mark.parametrize("shape", [
    (1, [1], 1, 1),          # one input, width-1 hidden layer, one output, one instance
    (2, [3, 2], 2, 1),       # batch size 1
    (3, [4], 3, 6),
    (2, [], 2, 3),           # no hidden layer
])
def test_backprop_edge_shapes(hidden_act: str, out_act: str, loss: str, shape) -> None:
    m, hidden, r, n = shape
    if out_act == "softmax":
        r = max(r, 2)
    for seed in range(40):      # the first draw clear of the kinks
        net, X, Y = build_case(hidden_act, out_act, loss, m, hidden, r, n, seed)
        if ACTIVATIONS[hidden_act].smooth or all(
                np.all(np.abs(Z) > KINK_MARGIN) for Z in hidden_preactivations(net, X)):
            break
    loss_value, grad = net.backprop(X, Y)
    num = numeric_gradient(net, X, Y)
    tol = 1e-6 if ACTIVATIONS[hidden_act].smooth else 1e-4
    assert relative_error(grad, num) < tol
    assert np.all(np.isfinite(grad)) and np.linalg.norm(grad) > 0


@pytest.mark.parametrize("act", [("leaky_relu", {"slope": 0.2}), ("elu", {"alpha": 1.7}),
                                 ("leaky_relu", {"slope": 2.0})])
def test_backprop_with_activation_parameters(act) -> None:
    rng = np.random.default_rng(3)
    net = MLP([3, 5, 4, 1], [act, act, "linear"], loss="mse", seed=4)
    X = rng.normal(size=(3, 7))
    Y = rng.normal(size=(1, 7))
    assert all(abs(z).min() > KINK_MARGIN for z in hidden_preactivations(net, X))
    _, grad = net.backprop(X, Y)
    assert relative_error(grad, numeric_gradient(net, X, Y)) < 1e-4


def test_gradients_splits_per_layer_like_the_flat_vector() -> None:
    net, X, Y = build_case("tanh", "logistic", "bce", 3, [4, 2], 1, 5, 0)
    _, grad = net.backprop(X, Y)
    dws, dbs = net.gradients(X, Y)
    assert [d.shape for d in dws] == [w.shape for w in net.weights]
    assert [d.shape for d in dbs] == [b.shape for b in net.biases]
    saved = net.get_flat()
    net.set_flat(np.arange(net.n_params, dtype=float))        # where each parameter sits
    for dw, db, iw, ib in zip(dws, dbs, net.weights, net.biases, strict=True):
        np.testing.assert_array_equal(dw, grad[iw.astype(np.int64)])
        np.testing.assert_array_equal(db, grad[ib.astype(np.int64)])
    net.set_flat(saved)


# --- the output error: dZ = Ŷ − Y for the paired losses ------------------------------------------

@pytest.mark.parametrize("out_act,loss,r", [("logistic", "bce", 1), ("softmax", "cross_entropy", 3)])
def test_paired_loss_output_error_is_prediction_minus_target(out_act: str, loss: str, r: int) -> None:
    net, X, Y = build_case("tanh", out_act, loss, 2, [4], r, 6, 11)
    n = X.shape[1]
    A1 = np.tanh(net.weights[0] @ X + net.biases[0])
    Yhat = net.forward(X)
    dZ = Yhat - Y
    dws, dbs = net.gradients(X, Y)
    np.testing.assert_allclose(dws[-1], dZ @ A1.T / n, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dbs[-1], dZ.sum(axis=1, keepdims=True) / n, rtol=1e-12, atol=1e-15)


# --- losses ------------------------------------------------------------------------------------

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@settings(max_examples=60, deadline=None)
@given(r=st.integers(1, 3), n=st.integers(1, 6), seed=st.integers(0, 2**31 - 1),
       scale=st.floats(0.1, 12.0))
def test_bce_equals_naive_formula_on_moderate_values(r, n, seed, scale) -> None:
    rng = np.random.default_rng(seed)
    z = rng.uniform(-scale, scale, (r, n))
    y = rng.integers(0, 2, (r, n)).astype(float)
    s = _sigmoid(z)
    naive = -np.sum(y * np.log(s) + (1 - y) * np.log(1 - s)) / n
    assert bce_from_logits(z, y) == pytest.approx(naive, rel=1e-7, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(r=st.integers(2, 5), n=st.integers(1, 6), seed=st.integers(0, 2**31 - 1),
       scale=st.floats(0.1, 20.0))
def test_cross_entropy_equals_naive_formula_on_moderate_values(r, n, seed, scale) -> None:
    rng = np.random.default_rng(seed)
    z = rng.uniform(-scale, scale, (r, n))
    y = np.eye(r)[rng.integers(0, r, n)].T
    p = np.exp(z) / np.exp(z).sum(axis=0)
    naive = -np.sum(y * np.log(p)) / n
    assert cross_entropy_from_logits(z, y) == pytest.approx(naive, rel=1e-9, abs=1e-12)


def test_mse_is_half_squared_error_averaged_over_instances() -> None:
    a = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]])
    y = np.array([[0.0, 2.0, 1.0], [1.0, 0.0, 0.0]])
    assert mse(a, y) == pytest.approx(0.5 * (1 + 0 + 4 + 1 + 0 + 1) / 3)


@pytest.mark.parametrize("z0", [1e4, -1e4, 1e3, -800.0, 50.0])
def test_bce_and_cross_entropy_are_finite_without_warnings_for_huge_logits(z0: float) -> None:
    z = np.array([[z0, -z0, z0]])
    y = np.array([[1.0, 1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # underflow of exp(-|z|) to 0 is harmless (and exact enough); everything else raises
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            b = bce_from_logits(z, y)
            zc = np.array([[z0, 0.0], [-z0, z0], [0.0, -z0]])
            yc = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
            c = cross_entropy_from_logits(zc, yc)
    # softplus(z) - y·z, by an independent route; confidently wrong columns cost ≈ |z|
    assert b == pytest.approx(np.sum(np.logaddexp(0.0, z) - y * z) / 3, rel=1e-9)
    wrong = 2 if z0 > 0 else 1
    assert b == pytest.approx(wrong * abs(z0) / 3, rel=1e-6)
    expected_c = (np.logaddexp.reduce(zc[:, 0]) - z0) + (np.logaddexp.reduce(zc[:, 1]) + z0)
    assert c == pytest.approx(expected_c / 2, rel=1e-9)
    assert np.isfinite(b) and np.isfinite(c)


@pytest.mark.parametrize("out_act,loss,r", [("logistic", "bce", 1), ("softmax", "cross_entropy", 3),
                                            ("logistic", "mse", 1), ("tanh", "mse", 1),
                                            ("softmax", "mse", 3)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_network_with_logits_of_1e4_has_no_warnings_and_finite_loss(out_act, loss, r, dtype) -> None:
    net = MLP([1, r], [out_act], loss=loss, dtype=dtype, seed=0)
    net.weights[0] = np.linspace(1e4, -1e4, r).reshape(r, 1) if r > 1 else [[1e4]]
    X = np.array([[1.0, -1.0, 0.5]])
    if loss == "bce":
        Y = np.array([[1.0, 1.0, 0.0]])
    elif loss == "cross_entropy":
        Y = np.eye(r)[[0, 0, 2]].T
    else:
        Y = np.zeros((r, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = net.loss(X, Y)
        lossb, grad = net.backprop(X, Y)
        out = net.forward(X)
        net.predict(X)
        trained = net.copy()
        history = trained.fit(X, Y, 2, 1e-6)               # the training loop too
        metrics = Trainer(trained, X, Y, X, Y, lr=1e-6).step(1)
    assert np.all(np.isfinite(history["loss"])) and np.isfinite(metrics.train_loss)
    assert metrics.state == "running"
    assert np.isfinite(value) and np.isfinite(lossb)
    assert lossb == pytest.approx(value, rel=1e-5)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(out))
    # confidently wrong columns cost |z| (about 1e4), not inf or nan; right ones cost 0
    if loss == "bce":        # z = 1e4, -1e4, 5e3 against 1, 1, 0: 0 + 1e4 + 5e3
        assert value == pytest.approx(5e3, rel=1e-6)
    if loss == "cross_entropy":   # 0 + 2e4 + 1e4
        assert value == pytest.approx(1e4, rel=1e-6)
