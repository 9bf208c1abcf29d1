"""Explain mode: the shown numbers are the engine's own gradient and SGD step, rendered within the width."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.core.explain import NARROW, Explanation, equations, explain_step, lines, options_for, pages, pass_batch
from annplay.core.session import Session
from annplay.engine.network import MLP
from annplay.engine.setup import Setup
from annplay.engine.trainer import Trainer

HIDDEN = ("tanh", "relu", "logistic", "leaky_relu", "elu", "linear")
# (output activation, loss): both classification outputs, regression, and outputs trained with MSE.
OUTPUTS = (("logistic", None), ("softmax", None), ("linear", None), ("logistic", "mse"), ("softmax", "mse"))


def targets(net: MLP, n: int, rng: np.random.Generator) -> np.ndarray:
    """Targets the network's loss accepts: 0/1, one-hot, or real values."""
    r = net.layers[-1]
    if net.loss_name == "bce":
        return (rng.random((r, n)) > 0.5).astype(float)
    if net.loss_name == "cross_entropy" or net.activations[-1].name == "softmax":
        return np.eye(r)[:, rng.integers(0, r, n)]
    return rng.normal(size=(r, n))


def make(hidden: str, output: str, loss: str | None, seed: int = 0, n: int = 10,
         layers: tuple[int, ...] = (3, 5, 4)) -> tuple[MLP, np.ndarray, np.ndarray]:
    r = 1 if output == "logistic" else 3
    net = MLP([*layers, r], [hidden] * (len(layers) - 1) + [output], loss=loss, seed=seed)
    rng = np.random.default_rng(seed + 100)
    X = rng.normal(size=(layers[0], n))
    return net, X, targets(net, n, rng)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(("output", "loss"), OUTPUTS)
def test_dW_and_db_are_the_engines_gradient(hidden: str, output: str, loss: str | None) -> None:
    net, X, Y = make(hidden, output, loss)
    dWs, dbs = net.gradients(X, Y)
    for layer in range(1, len(net.weights) + 1):
        e = explain_step(net, X, Y, layer, 0.1)
        np.testing.assert_allclose(e.dW, dWs[layer - 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(e.db, dbs[layer - 1], rtol=0, atol=1e-12)
        assert e.dW.shape == net.weights[layer - 1].shape and e.db.shape == net.biases[layer - 1].shape


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12), hidden=st.sampled_from(HIDDEN),
       output=st.sampled_from(OUTPUTS), depth=st.integers(1, 3))
def test_gradient_matches_for_random_nets_and_batches(seed: int, n: int, hidden: str, output: tuple,
                                                      depth: int) -> None:
    net, X, Y = make(hidden, output[0], output[1], seed=seed, n=n, layers=(2, *([4] * depth)))
    dWs, dbs = net.gradients(X, Y)
    for layer in range(1, len(net.weights) + 1):
        e = explain_step(net, X, Y, layer, 0.03)
        np.testing.assert_allclose(e.dW, dWs[layer - 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(e.db, dbs[layer - 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize(("output", "loss"), OUTPUTS)
def test_the_chain_is_consistent_and_dA0_is_the_input_gradient(output: str, loss: str | None) -> None:
    net, X, Y = make("tanh", output, loss)
    es = [explain_step(net, X, Y, layer, 0.1) for layer in range(1, len(net.weights) + 1)]
    for lower, upper in zip(es, es[1:], strict=False):
        np.testing.assert_allclose(lower.dA, upper.dA_prev, rtol=0, atol=1e-14)      # dA(ℓ−1) = Wᵀ·dZ
        np.testing.assert_allclose(lower.A, upper.A_prev, rtol=0, atol=0)
        assert lower.g_prime is not None
        np.testing.assert_allclose(lower.dZ, lower.dA * lower.g_prime, rtol=0, atol=0)
    # dA(0) = W(1)ᵀ·dZ(1) is n times the loss gradient with respect to X: check it by finite differences.
    h, n = 1e-6, X.shape[1]
    for i, j in ((0, 0), (1, 3), (2, 9)):
        Xp, Xm = X.copy(), X.copy()
        Xp[i, j] += h
        Xm[i, j] -= h
        numeric = (net.loss(Xp, Y) - net.loss(Xm, Y)) / (2 * h)
        assert es[0].dA_prev[i, j] / n == pytest.approx(numeric, abs=1e-7)


def test_forward_numbers_are_the_networks_outputs() -> None:
    net, X, Y = make("relu", "softmax", None)
    e = explain_step(net, X, Y, len(net.weights), 0.1)
    np.testing.assert_allclose(e.A, net.forward(X), rtol=0, atol=1e-15)
    np.testing.assert_allclose(e.Z, net.logits(X), rtol=0, atol=1e-15)
    np.testing.assert_allclose(e.dZ, e.A - Y, rtol=0, atol=0)          # softmax + cross-entropy, from Z


@pytest.mark.parametrize(("output", "loss"), OUTPUTS)
@pytest.mark.parametrize(("l1", "l2"), [(0.0, 0.0), (0.0, 0.01), (0.003, 0.0)])
def test_the_update_is_the_engines_sgd_step(output: str, loss: str | None, l1: float, l2: float) -> None:
    net, X, Y = make("tanh", output, loss)
    engine = net.copy()
    Trainer(engine, X, Y, lr=0.3, batch_size=None, optimizer="sgd", l1=l1, l2=l2, shuffle=False).step(1)
    explained = net.copy()
    for layer in range(1, len(net.weights) + 1):
        e = explain_step(net, X, Y, layer, 0.3, l1=l1, l2=l2)
        np.testing.assert_allclose(e.W_new, engine.weights[layer - 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(e.b_new, engine.biases[layer - 1], rtol=0, atol=1e-12)
        assert not np.allclose(e.W_new, e.W)                             # a real step was taken
    explain_step(explained, X, Y, 1, 0.3, l1=l1, l2=l2, apply=True)
    np.testing.assert_allclose(explained.get_flat(), engine.get_flat(), rtol=0, atol=1e-12)


def test_without_apply_the_network_is_untouched() -> None:
    net, X, Y = make("elu", "logistic", None)
    before = net.get_flat()
    explain_step(net, X, Y, 2, 0.5)
    np.testing.assert_array_equal(net.get_flat(), before)


@pytest.mark.parametrize(("layer", "lr", "words"), [
    (0, 0.1, "layer must be a whole number from 1 to 3"),
    (4, 0.1, "from 1 to 3 (1 = first hidden layer, 3 = output), got 4"),
    (True, 0.1, "layer must be"),
    (1.5, 0.1, "layer must be"),
    (1, 0.0, "learning rate must be a finite number > 0"),
    (1, float("nan"), "learning rate"),
])
def test_bad_layer_or_rate_is_a_clear_error(layer: object, lr: float, words: str) -> None:
    net, X, Y = make("tanh", "logistic", None, layers=(3, 5, 4))
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        explain_step(net, X, Y, layer, lr)  # type: ignore[arg-type]


def test_empty_batch_bad_penalty_and_diverging_step_are_clear_errors() -> None:
    net, X, Y = make("linear", "linear", None)
    with pytest.raises(ValueError, match="the mini-batch is empty"):
        explain_step(net, X[:, :0], Y[:, :0], 1, 0.1)
    with pytest.raises(ValueError, match="l2 must be a finite number ≥ 0, got 'x'"):
        explain_step(net, X, Y, 1, 0.1, l2="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="l1 must be"):
        explain_step(net, X, Y, 1, 0.1, l1=-1.0)
    before = net.get_flat()
    with pytest.raises(ValueError, match="non-finite .* lower the learning rate"):
        explain_step(net, X * 1e200, Y, 1, 1e300, apply=True)
    np.testing.assert_array_equal(net.get_flat(), before)


def test_transposed_batch_is_named() -> None:
    net, X, Y = make("tanh", "logistic", None)
    with pytest.raises(ValueError, match="X_batch must have shape .* looks transposed"):
        explain_step(net, X.T, Y, 1, 0.1)
    with pytest.raises(ValueError, match="Y_batch must have shape"):
        explain_step(net, X, Y[:, :3], 1, 0.1)


# --- rendering ------------------------------------------------------------------------------------

def playground() -> Explanation:
    """Layer 2 of the default playground net (2 → 8 → 8 → 1) on a batch of 10."""
    net = MLP([2, 8, 8, 1], "tanh", seed=3)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 10))
    return explain_step(net, X, (rng.random((1, 10)) > 0.5).astype(float), 2, 0.03)


def test_wide_rendering_shows_every_equation_with_its_shapes() -> None:
    text = lines(playground(), 80)
    joined = "\n".join(text)
    assert "Z(2) = W(2)·A(1) + b(2)  (8×10 = 8×8 · 8×10 + 8×1)" in text
    for formula in ("A(2) = g(Z(2)), g = tanh", "dZ(2) = dA(2) ∘ g′(Z(2))", "dW(2) = (1/10)·dZ(2)·A(1)ᵀ",
                    "db(2) = (1/10)·Σ dZ(2)", "dA(1) = W(2)ᵀ·dZ(2)", "W(2) ← W(2) − lr·dW(2)"):
        assert formula in joined
    assert all(len(line) <= 80 for line in text)


def test_the_numbers_shown_are_the_real_ones() -> None:
    e = playground()
    joined = "\n".join(lines(e, 120))
    assert f"dW row 1: {e.dW[0, 0]:.3g} {e.dW[0, 1]:.3g} {e.dW[0, 2]:.3g} …" in joined
    assert f"Z row 1: {e.Z[0, 0]:.3g}" in joined
    assert f"W row 1 new: {e.W_new[0, 0]:.3g}" in joined
    assert f"db: {e.db[0, 0]:.3g}" in joined


def test_narrow_rendering_pages_one_equation_at_a_time() -> None:
    e = playground()
    seen = []
    for page in range(pages(e)):
        text = lines(e, NARROW, page)
        assert all(len(line) <= NARROW for line in text)
        assert len(text) <= 8                         # leaves room on a 40×20 screen
        assert f"[{page + 1}/{pages(e)}]" in text[0]
        seen.append(text[1])
    assert len(set(seen)) == pages(e) == len(equations(e)) == 7
    assert lines(e, NARROW, pages(e)) == lines(e, NARROW, 0)


@settings(max_examples=40, deadline=None)
@given(width=st.integers(1, 160), page=st.integers(0, 20), layer=st.integers(1, 3))
def test_no_line_is_wider_than_asked(width: int, page: int, layer: int) -> None:
    net = MLP([2, 8, 8, 1], "relu", seed=0)
    X = np.random.default_rng(0).normal(size=(2, 7))
    e = explain_step(net, X, np.ones((1, 7)), layer, 0.1, l2=0.01)
    assert all(len(line) <= max(width, 20) for line in lines(e, width, page))


def test_output_and_first_layer_say_what_is_special() -> None:
    net, X, Y = make("tanh", "logistic", None)
    out = "\n".join(lines(explain_step(net, X, Y, 3, 0.1), 100))
    assert "dZ(3) = A(3) − Y  (bce, from Z)" in out
    first = "\n".join(lines(explain_step(net, X, Y, 1, 0.1, l2=0.01), 100))
    assert "dA(0) = W(1)ᵀ·dZ(1)  (dX: unused)" in first
    assert "W(1) ← W(1) − lr·(dW(1) + l2·W)" in first and "l2 = 0.01" in first


# --- the helpers the app uses ---------------------------------------------------------------------------

def test_options_come_from_the_set_up() -> None:
    assert options_for(Setup(lr=0.3)) == {"lr": 0.3, "l1": 0.0, "l2": 0.0}
    assert options_for(Setup(regularization="l2", reg_rate=0.01)) == {"lr": 0.03, "l1": 0.0, "l2": 0.01}
    assert options_for(Setup(regularization="l1", reg_rate=0.003))["l1"] == 0.003
    with pytest.raises(ValueError, match="explain mode shows back-propagation; the trainer is es"):
        options_for(Setup(trainer="es"))


def test_a_session_step_explained_is_the_engines_step_on_that_batch() -> None:
    """What the app does: explain (and take) one SGD step of the session's network on one mini-batch."""
    session = Session(Setup(dataset="xor", hidden=(8, 8), lr=0.1, batch_size=10, regularization="l2",
                            reg_rate=0.01))
    Xb, Yb = pass_batch(session.prep.X_train, session.prep.Y_train, session.setup.batch_size, 0)
    engine = session.net.copy()
    Trainer(engine, Xb, Yb, optimizer="sgd", batch_size=None, shuffle=False, lr=0.1, l2=0.01).step(1)
    e = explain_step(session.net, Xb, Yb, 2, **options_for(session.setup), apply=True)
    assert e.n == 10 and e.W.shape == (8, 8)
    np.testing.assert_allclose(session.net.get_flat(), engine.get_flat(), rtol=0, atol=1e-12)


def test_a_float32_network_is_explained_in_float64_close_to_its_own_gradient() -> None:
    net = MLP([3, 5, 1], "tanh", seed=4, dtype=np.float32)
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(3, 8)), (rng.random((1, 8)) > 0.5).astype(float)
    dWs, _ = net.gradients(X, Y)
    e = explain_step(net, X, Y, 1, 0.1)
    assert e.dW.dtype == np.float64
    np.testing.assert_allclose(e.dW, dWs[0], rtol=0, atol=1e-5)
