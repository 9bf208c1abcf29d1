"""The step-wise Trainer: metrics, mini-batches, optimisers, penalties, dropout,
early stopping, learning-rate changes and divergence."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.engine import MLP, OPTIMIZERS, Metrics, Trainer
from annplay.engine.optimizers import SGD, Adam, Momentum


def binary_data(n: int, seed: int, flip: float = 0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, n))
    y = (X[0] + 0.5 * X[1] > 0) ^ (rng.random(n) < flip)
    return X, y.astype(float).reshape(1, n)


def regression_data(n: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, n))
    return X, (3 * X[0] - X[1] + 0.5).reshape(1, n)


# --- Metrics ---------------------------------------------------------------------------------

def test_step_returns_metrics_matching_a_hand_measurement() -> None:
    X, Y = binary_data(30, 0)
    Xt, Yt = binary_data(20, 1)
    net = MLP([2, 5, 1], "tanh", seed=0)
    t = Trainer(net, X, Y, Xt, Yt, lr=0.2)
    assert t.state == "ready" and t.epoch == 0
    m = t.step(3)
    assert isinstance(m, Metrics)
    assert m.epoch == 3 == t.epoch and m.state == "running" == t.state
    assert m.train_loss == pytest.approx(net.loss(X, Y), rel=1e-12)
    assert m.test_loss == pytest.approx(net.loss(Xt, Yt), rel=1e-12)
    assert m.train_acc == pytest.approx(net.accuracy(X, Y))
    assert m.test_acc == pytest.approx(net.accuracy(Xt, Yt))
    assert set(m.as_dict()) >= {"epoch", "train_loss", "test_loss", "train_acc", "test_acc", "state"}
    assert t.step(2, metrics=False) is None
    assert t.epoch == 5


def test_regression_metrics_have_no_accuracy_and_no_test_without_test_data() -> None:
    X, Y = regression_data(10, 0)
    t = Trainer(MLP([2, 4, 1], "tanh", loss="mse", seed=0), X, Y, lr=0.01)
    m = t.step(1)
    assert m.train_acc is None and m.test_acc is None and m.test_loss is None
    assert math.isfinite(m.train_loss)


def test_multiclass_accuracy() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 30))
    labels = (X[0] > 0).astype(int) + (X[1] > 0).astype(int)
    Y = np.eye(3)[labels].T
    net = MLP([2, 8, 3], "tanh", seed=0)
    m = Trainer(net, X, Y, lr=0.5).step(20)
    assert m.train_acc == pytest.approx(np.mean(net.forward(X).argmax(axis=0) == labels))


def test_step_zero_does_nothing_and_negative_is_rejected() -> None:
    X, Y = binary_data(10, 0)
    net = MLP([2, 3, 1], "tanh", seed=0)
    t = Trainer(net, X, Y)
    before = net.get_flat()
    assert t.step(0).epoch == 0 and t.state == "ready"
    np.testing.assert_array_equal(net.get_flat(), before)
    with pytest.raises(ValueError, match="epochs must be ≥ 0"):
        t.step(-1)


# --- learning rate -----------------------------------------------------------------------------

@pytest.mark.parametrize("lr", [0, 0.0, -1e-3, float("nan"), float("inf"), -float("inf"), None, "x"])
def test_bad_learning_rates_are_rejected(lr) -> None:
    X, Y = binary_data(10, 0)
    net = MLP([2, 3, 1], "tanh", seed=0)
    with pytest.raises(ValueError, match="learning rate must be a (finite )?number > 0"):
        Trainer(net, X, Y, lr=lr)
    t = Trainer(net, X, Y, lr=0.1)
    with pytest.raises(ValueError, match="learning rate must be"):
        t.lr = lr
    assert t.lr == 0.1


def test_learning_rate_changes_between_steps_without_a_reset() -> None:
    X, Y = binary_data(20, 0)
    net = MLP([2, 4, 1], "tanh", seed=0)
    t = Trainer(net, X, Y, lr=0.1)
    t.step(3)
    w3 = net.get_flat()
    _, grad = net.backprop(X, Y)
    t.lr = 0.75
    m = t.step(1)
    assert m.epoch == 4 and t.lr == 0.75
    np.testing.assert_allclose(net.get_flat(), w3 - 0.75 * grad, rtol=0, atol=1e-12)


# --- mini-batches ------------------------------------------------------------------------------

def test_mini_batches_are_reshuffled_every_epoch_from_the_seed() -> None:
    """Replay by hand: a new permutation from the seeded generator each epoch."""
    X, Y = binary_data(10, 0)
    lr, bs, seed, epochs = 0.3, 3, 17, 4
    net = MLP([2, 3, 1], "tanh", seed=1)
    ref = MLP([2, 3, 1], "tanh", seed=1)
    Trainer(net, X, Y, lr=lr, batch_size=bs, seed=seed).step(epochs)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        perm = rng.permutation(10)
        for start in range(0, 10, bs):
            idx = perm[start:start + bs]
            _, g = ref.backprop(X[:, idx], Y[:, idx])
            ref.set_flat(ref.get_flat() - lr * g)
    np.testing.assert_allclose(net.get_flat(), ref.get_flat(), rtol=0, atol=1e-12)


def test_same_seed_same_weights_different_seed_different_weights() -> None:
    X, Y = binary_data(40, 0)

    def run(seed: int) -> np.ndarray:
        net = MLP([2, 6, 1], "relu", seed=0)
        Trainer(net, X, Y, lr=0.1, batch_size=8, seed=seed).step(5)
        return net.get_flat()

    np.testing.assert_array_equal(run(1), run(1))
    assert not np.allclose(run(1), run(2))


def test_shuffling_matters_and_full_batch_ignores_the_seed() -> None:
    X, Y = binary_data(24, 0)

    def run(**kw) -> np.ndarray:
        net = MLP([2, 6, 1], "tanh", seed=0)
        Trainer(net, X, Y, lr=0.1, **kw).step(4)
        return net.get_flat()

    assert not np.allclose(run(batch_size=5, seed=1), run(batch_size=5, seed=1, shuffle=False))
    np.testing.assert_array_equal(run(seed=1), run(seed=2))          # full batch: no shuffling
    np.testing.assert_array_equal(run(batch_size=100, seed=1), run(seed=2))   # clipped to n


@pytest.mark.parametrize("bs", [0, -3, 2.5, True, "8"])
def test_bad_batch_sizes_are_rejected(bs) -> None:
    X, Y = binary_data(10, 0)
    with pytest.raises(ValueError, match="batch size must be a whole number ≥ 1"):
        Trainer(MLP([2, 3, 1], "tanh"), X, Y, batch_size=bs)


# --- optimisers --------------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.5), ("momentum", 0.05), ("adam", 0.05)])
@pytest.mark.parametrize("batch_size", [None, 8])
def test_every_optimizer_reduces_the_loss(optimizer: str, lr: float, batch_size) -> None:
    X, Y = binary_data(40, 3)
    net = MLP([2, 8, 1], "tanh", seed=0)
    start = net.loss(X, Y)
    t = Trainer(net, X, Y, lr=lr, optimizer=optimizer, batch_size=batch_size, seed=0)
    assert t.optimizer == optimizer
    m = t.step(40)
    assert m.train_loss < 0.6 * start
    assert m.train_acc >= 0.9


def test_unknown_optimizer_lists_valid_names() -> None:
    X, Y = binary_data(10, 0)
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'; valid names: sgd, momentum, adam"):
        Trainer(MLP([2, 3, 1], "tanh"), X, Y, optimizer="rmsprop")
    assert set(OPTIMIZERS) == {"sgd", "momentum", "adam"}


def test_momentum_matches_the_heavy_ball_formula_for_two_steps() -> None:
    X, Y = binary_data(15, 0)
    net = MLP([2, 4, 1], "tanh", seed=0)
    lr, mu = 0.2, 0.9
    p0 = net.get_flat()
    _, g0 = net.backprop(X, Y)
    v1 = g0                                    # PyTorch's form: v ← βv + g; p ← p − lr·v
    p1 = p0 - lr * v1
    ref = MLP([2, 4, 1], "tanh", seed=0)
    ref.set_flat(p1)
    _, g1 = ref.backprop(X, Y)
    v2 = mu * v1 + g1
    p2 = p1 - lr * v2
    t = Trainer(net, X, Y, lr=lr, optimizer="momentum")
    t.step(1)
    np.testing.assert_allclose(net.get_flat(), p1, rtol=0, atol=1e-12)
    t.step(1)
    np.testing.assert_allclose(net.get_flat(), p2, rtol=0, atol=1e-12)
    assert not np.allclose(p2, p1 - lr * g1)        # it is not plain SGD


def _adam_reference(p, grads_at, lr, b1=0.9, b2=0.999, eps=1e-8, steps=2):
    """Kingma & Ba, Algorithm 1."""
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t in range(1, steps + 1):
        g = grads_at(p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def test_adam_optimizer_matches_algorithm_1() -> None:
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=20)
    A = rng.normal(size=(20, 20))
    grads_at = lambda p: A @ p + 1.0        # noqa: E731  (a fixed linear gradient field)
    for steps in (1, 2, 3):
        opt = Adam(20, eps=0.0)             # eps=0: Algorithm 1 and its efficient form coincide
        p = p0.copy()
        for _ in range(steps):
            opt.update(p, grads_at(p), 0.01)
        np.testing.assert_allclose(p, _adam_reference(p0, grads_at, 0.01, eps=0.0, steps=steps),
                                   rtol=1e-12, atol=1e-14)
    opt = Adam(20)
    p = p0.copy()
    opt.update(p, grads_at(p), 0.01)
    opt.update(p, grads_at(p), 0.01)
    # the default (PyTorch) form is Algorithm 1 exactly
    np.testing.assert_allclose(p - p0, _adam_reference(p0, grads_at, 0.01) - p0, rtol=1e-10)
    opt.reset()
    assert opt.t == 0 and not opt.m.any() and not opt.v.any()


def test_adam_through_the_trainer_matches_algorithm_1() -> None:
    X, Y = binary_data(15, 0)
    net = MLP([2, 4, 1], "tanh", seed=0)
    net.biases[0] = [[0.1], [-0.2], [0.3], [0.05]]
    ref = MLP([2, 4, 1], "tanh", seed=0)

    def grads_at(p):
        ref.set_flat(p)
        return ref.backprop(X, Y)[1]

    p0 = net.get_flat()
    lr = 0.01
    t = Trainer(net, X, Y, lr=lr, optimizer="adam")
    t.step(2)
    expected = _adam_reference(p0, grads_at, lr, steps=2)
    # Adam's first steps move each parameter by about ±lr: far from this tolerance
    np.testing.assert_allclose(net.get_flat() - p0, expected - p0, rtol=1e-9, atol=lr * 1e-12)


def test_sgd_and_momentum_classes_directly() -> None:
    g = np.array([1.0, -2.0, 0.5])
    p = np.zeros(3)
    SGD(3).update(p, g, 0.1)
    np.testing.assert_allclose(p, [-0.1, 0.2, -0.05])
    p = np.zeros(3)
    opt = Momentum(3)
    opt.update(p, g, 0.1)
    opt.update(p, g, 0.1)
    np.testing.assert_allclose(p, -0.1 * g - (0.9 * 0.1 + 0.1) * g)
    opt.reset()
    p2 = np.zeros(3)
    opt.update(p2, g, 0.1)
    np.testing.assert_allclose(p2, -0.1 * g)


# --- penalties -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["l2", "l1"])
def test_penalties_apply_to_weights_and_not_biases(kind: str) -> None:
    X, Y = binary_data(12, 0)

    def one_step(**kw) -> np.ndarray:
        net = MLP([2, 4, 3, 1], "tanh", seed=0)
        for i in range(len(net.biases)):             # non-zero biases, so a bias penalty would show
            net.biases[i] = np.random.default_rng(i).normal(size=net.biases[i].shape)
        Trainer(net, X, Y, lr=lr, **kw).step(1)
        return net

    lr, lam = 0.1, 0.03
    plain = one_step()
    pen = one_step(**{kind: lam})
    start = MLP([2, 4, 3, 1], "tanh", seed=0)
    for wp, wq, w0 in zip(plain.weights, pen.weights, start.weights, strict=True):
        grad_difference = (wp - wq) / lr
        expected = lam * w0 if kind == "l2" else lam * np.sign(w0)
        np.testing.assert_allclose(grad_difference, expected, rtol=1e-9, atol=1e-12)
    for bp, bq in zip(plain.biases, pen.biases, strict=True):
        np.testing.assert_array_equal(bp, bq)


def test_penalty_value_and_validation() -> None:
    X, Y = binary_data(12, 0)
    net = MLP([2, 3, 1], "tanh", seed=0)
    net.biases[0] = [[5.0], [5.0], [5.0]]
    t = Trainer(net, X, Y, l1=0.1, l2=0.2)
    w = np.concatenate([w.ravel() for w in net.weights])
    assert t.penalty() == pytest.approx(0.1 * np.abs(w).sum() + 0.1 * (w @ w))
    for name in ("l1", "l2"):
        for bad in (-0.1, float("nan"), float("inf")):
            with pytest.raises(ValueError, match=f"{name} must be a finite number"):
                Trainer(net, X, Y, **{name: bad})


# --- dropout ---------------------------------------------------------------------------------

def test_dropout_is_off_at_inference() -> None:
    X, Y = binary_data(30, 0)
    net = MLP([2, 16, 16, 1], "relu", seed=0)
    t = Trainer(net, X, Y, lr=0.1, dropout=0.5, seed=3)
    t.step(2)
    a = net.forward(X).copy()
    for _ in range(3):
        np.testing.assert_array_equal(net.forward(X), a)
        np.testing.assert_array_equal(net.predict(X), (a[0] > 0.5).astype(int))
    H1 = np.maximum(net.weights[0] @ X + net.biases[0], 0)
    H2 = np.maximum(net.weights[1] @ H1 + net.biases[1], 0)
    np.testing.assert_allclose(a, 1 / (1 + np.exp(-(net.weights[2] @ H2 + net.biases[2]))), rtol=1e-12)
    m1 = t.metrics()
    m2 = t.metrics()
    assert m1 == m2 and m1.train_loss == pytest.approx(net.loss(X, Y), rel=1e-12)


def test_training_with_dropout_differs_from_without() -> None:
    X, Y = binary_data(30, 0)

    def run(dropout: float) -> np.ndarray:
        net = MLP([2, 16, 1], "relu", seed=0)
        Trainer(net, X, Y, lr=0.1, dropout=dropout, seed=3).step(3)
        return net.get_flat()

    assert not np.allclose(run(0.3), run(0.0))
    np.testing.assert_array_equal(run(0.3), run(0.3))


def test_dropout_touches_hidden_layers_only() -> None:
    """With no hidden layer there is nothing to drop: training is the same as without dropout."""
    X, Y = binary_data(30, 0)

    def run(dropout: float) -> np.ndarray:
        net = MLP([2, 1], ["logistic"], seed=0)
        Trainer(net, X, Y, lr=0.1, dropout=dropout, seed=3).step(3)
        return net.get_flat()

    np.testing.assert_array_equal(run(0.5), run(0.0))


def test_inverted_dropout_rescales_the_kept_units() -> None:
    """H linear hidden units all outputting 1 into an output weight of 1, target 0, MSE:
    the output bias gradient is the mean network output. With inverted dropout each
    kept unit passes 1/keep, so that mean stays ≈ H; plain dropout would give keep·H,
    and no dropout exactly H."""
    H, n, p, lr = 100, 200, 0.5, 1e-3
    net = MLP([1, H, 1], ["linear", "linear"], loss="mse", seed=0)
    net.weights[0] = np.ones((H, 1))
    net.biases[0] = np.zeros((H, 1))
    net.weights[1] = np.ones((1, H))
    net.biases[1] = [[0.0]]
    X, Y = np.ones((1, n)), np.zeros((1, n))
    Trainer(net, X, Y, lr=lr, dropout=p, seed=0).step(1)
    mean_output = -net.biases[1][0, 0] / lr
    assert mean_output != pytest.approx(H, rel=1e-9)       # units really were dropped
    assert mean_output == pytest.approx(H, rel=0.05)       # …and the kept ones scaled by 1/keep
    # every kept hidden unit's outgoing weight moved by a multiple of lr/keep-scaled activity
    assert np.all(net.weights[1] < 1.0)


def test_dropped_units_get_no_gradient_and_kept_ones_the_scaled_one() -> None:
    """One instance, x = 1, hidden h_j = 1, output y = Σ m_j·h_j with m_j ∈ {0, 1/keep}, target 0.
    Then ∂L/∂W2_j = y·m_j·h_j and ∂L/∂W1_j = y·W2_j·m_j·x: equal, and zero for dropped units."""
    H, p, lr = 40, 0.5, 1e-3
    net = MLP([1, H, 1], ["linear", "linear"], loss="mse", seed=0)
    net.weights[0] = np.ones((H, 1))
    net.biases[0] = np.zeros((H, 1))
    net.weights[1] = np.ones((1, H))
    net.biases[1] = [[0.0]]
    Trainer(net, np.ones((1, 1)), np.zeros((1, 1)), lr=lr, dropout=p, seed=2).step(1)
    d_out = (net.weights[1][0] - 1.0) / -lr          # ∂L/∂W2_j
    d_in = (net.weights[0][:, 0] - 1.0) / -lr         # ∂L/∂W1_j
    y = -net.biases[1][0, 0] / lr                     # ∂L/∂b2 = y
    kept = d_out != 0
    assert 0 < kept.sum() < H
    assert y == pytest.approx(kept.sum() / (1 - p), rel=1e-9)
    np.testing.assert_allclose(d_out[kept], y / (1 - p), rtol=1e-9)
    np.testing.assert_allclose(d_in, d_out, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(net.biases[0][~kept], 0.0)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, float("nan")])
def test_bad_dropout_is_rejected(p: float) -> None:
    X, Y = binary_data(10, 0)
    with pytest.raises(ValueError, match=r"dropout must be a finite number in \[0, 1\.0\)"):
        Trainer(MLP([2, 3, 1], "tanh"), X, Y, dropout=p)


# --- early stopping --------------------------------------------------------------------------

def test_early_stopping_restores_the_best_validation_weights() -> None:
    X, Y = binary_data(12, 0, flip=0.3)           # tiny and noisy: a big net overfits it
    Xv, Yv = binary_data(200, 1, flip=0.3)
    net = MLP([2, 64, 64, 1], "relu", seed=0)
    t = Trainer(net, X, Y, X_val=Xv, Y_val=Yv, lr=0.05, patience=10)
    snapshots, vals = {}, {}
    for _ in range(2000):
        t.step(1)
        if t.state == "stopped":
            break
        snapshots[t.epoch] = net.get_flat()
        vals[t.epoch] = net.loss(Xv, Yv)
    assert t.state == "stopped"
    best = min(vals, key=vals.get)
    assert 1 < best < max(vals)                   # the validation loss did get worse
    assert t.epoch == max(vals) + 1 == best + 10  # patience epochs without improvement
    assert t.best_epoch == best
    np.testing.assert_array_equal(net.get_flat(), snapshots[best])
    assert f"epoch {best}" in t.message
    stopped_at = t.epoch
    m = t.step(5)                                 # stopped: no further training
    assert m.state == "stopped" and m.epoch == t.epoch == stopped_at
    np.testing.assert_array_equal(net.get_flat(), snapshots[best])


def test_early_stopping_through_fit() -> None:
    X, Y = binary_data(12, 0, flip=0.3)
    Xv, Yv = binary_data(200, 1, flip=0.3)
    net = MLP([2, 64, 64, 1], "relu", seed=0)
    h = net.fit(X, Y, 2000, 0.05, validation=(Xv, Yv), patience=10)
    assert net.last_trainer.state == "stopped"
    assert len(h["val_loss"]) < 2000
    assert net.loss(Xv, Yv) == pytest.approx(min(h["val_loss"]), rel=1e-12)


def test_patience_needs_a_validation_set() -> None:
    X, Y = binary_data(10, 0)
    with pytest.raises(ValueError, match="validation set"):
        Trainer(MLP([2, 3, 1], "tanh"), X, Y, patience=3)
    with pytest.raises(ValueError, match="patience must be a whole number ≥ 1"):
        Trainer(MLP([2, 3, 1], "tanh"), X, Y, X_val=X, Y_val=Y, patience=0)


# --- divergence ------------------------------------------------------------------------------

@pytest.mark.parametrize("metrics", [True, False])
@pytest.mark.parametrize("batch_size", [None, 4])
def test_divergence_keeps_the_last_finite_weights(batch_size, metrics: bool) -> None:
    X, Y = regression_data(20, 0)
    Y = Y * 100
    net = MLP([2, 16, 16, 1], "relu", loss="mse", seed=0)
    t = Trainer(net, X, Y, lr=1e6, batch_size=batch_size, seed=0)
    snapshots = {0: net.get_flat()}         # the weights at the end of each completed epoch
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(50):
            result = t.step(1, metrics=metrics)
            assert (result is None) != metrics
            snapshots.setdefault(t.epoch, net.get_flat())
            if t.state == "diverged":
                break
    m = t.metrics()
    assert m.state == "diverged" == t.state
    assert "smaller learning rate" in t.message
    w = net.get_flat()
    assert np.all(np.isfinite(w))
    assert m.epoch == t.epoch == max(snapshots) < 50
    if batch_size is None:                                    # the last finite weights (mini-batches: a
        np.testing.assert_array_equal(w, snapshots[t.epoch])  # batch inside the epoch; see test_divergence)
    assert float(w @ w) <= 1e200
    t.lr = 1e-6                    # even a harmless rate does not resume without a reset
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m2 = t.step(10)
        assert t.step(3, metrics=False) is None
    assert m2.state == "diverged" == t.state and m2.epoch == m.epoch == t.epoch
    np.testing.assert_array_equal(net.get_flat(), w)


def test_divergence_through_fit_raises_nothing() -> None:
    X, Y = regression_data(20, 0)
    net = MLP([2, 16, 16, 1], "relu", loss="mse", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = net.fit(X, Y * 100, 100, 1e6)
    assert net.last_trainer.state == "diverged"
    assert len(h["loss"]) < 100
    assert np.all(np.isfinite(net.get_flat()))


# --- data ------------------------------------------------------------------------------------

def test_set_data_keeps_the_weights() -> None:
    X, Y = binary_data(10, 0)
    net = MLP([2, 3, 1], "tanh", seed=0)
    t = Trainer(net, X, Y, lr=0.1, batch_size=4)
    t.step(2)
    w = net.get_flat()
    X2, Y2 = binary_data(7, 1)
    t.set_data(X2, Y2)
    np.testing.assert_array_equal(net.get_flat(), w)
    assert t.n == 7 and t.batch_size == 4
    m = t.step(1)
    assert m.epoch == 3 and m.train_loss == pytest.approx(net.loss(X2, Y2))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 12), bs=st.integers(1, 15), seed=st.integers(0, 1000),
       epochs=st.integers(1, 3))
def test_any_batch_size_visits_every_instance_once_per_epoch(n: int, bs: int, seed: int,
                                                             epochs: int) -> None:
    """Batches of ``bs`` (the last one shorter, ``bs`` > n clipped) over a fresh permutation."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, n))
    Y = rng.normal(size=(1, n))
    net = MLP([2, 3, 1], "tanh", loss="mse", seed=seed)
    ref = MLP([2, 3, 1], "tanh", loss="mse", seed=seed)
    lr = 0.1
    Trainer(net, X, Y, lr=lr, batch_size=bs, seed=seed).step(epochs)
    b = min(bs, n)
    perms = np.random.default_rng(seed)
    for _ in range(epochs):
        perm = perms.permutation(n) if b < n else np.arange(n)
        for start in range(0, n, b):
            idx = perm[start:start + b]
            _, g = ref.backprop(X[:, idx], Y[:, idx])
            ref.set_flat(ref.get_flat() - lr * g)
    np.testing.assert_allclose(net.get_flat(), ref.get_flat(), rtol=0, atol=1e-12)


# --- the trainer protocol: keyword hyperparameters and live changes -------------------------------

def test_trainer_declares_its_family_and_unit() -> None:
    assert Trainer.family == "backprop" and Trainer.unit == "epoch"


def test_optimizer_options_reach_the_optimizer() -> None:
    X, Y = binary_data(10, 0)
    t = Trainer(MLP([2, 3, 1], "tanh"), X, Y, optimizer="momentum", optimizer_options={"beta": 0.5, "nesterov": True})
    assert t.optimizer_options == {"beta": 0.5, "nesterov": True}
    with pytest.raises(ValueError, match="no optimizer hyperparameter 'mu'"):
        Trainer(MLP([2, 3, 1], "tanh"), X, Y, optimizer="momentum", optimizer_options={"mu": 0.5})
    with pytest.raises(ValueError, match="momentum beta must be in"):
        Trainer(MLP([2, 3, 1], "tanh"), X, Y, optimizer="momentum", optimizer_options={"beta": 2})


def test_configure_applies_live_changes_between_steps() -> None:
    X, Y = binary_data(20, 0)
    t = Trainer(MLP([2, 3, 1], "tanh", seed=0), X, Y, lr=0.1, optimizer="adam", optimizer_options={"beta1": 0.8})
    t.step(2)
    t.configure(lr=0.05, batch_size=5, l1=0.01, l2=0.02, dropout=0.1, beta2=0.99, eps=1e-6, eps_style="keras")
    assert (t.lr, t.batch_size, t.l1, t.l2, t.dropout) == (0.05, 5, 0.01, 0.02, 0.1)
    assert t.optimizer_options == {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "eps_style": "keras"}
    assert t._optimizer.t == 2                                # Adam's moments survive a live change
    t.step(2)
    assert t.state == "running" and t.epoch == 4


def test_changing_the_optimizer_keeps_the_hyperparameters_it_shares() -> None:
    X, Y = binary_data(20, 0)
    t = Trainer(MLP([2, 3, 1], "tanh", seed=0), X, Y, optimizer="momentum", optimizer_options={"beta": 0.7})
    t.configure(optimizer="adam", beta1=0.6)
    assert t.optimizer == "adam" and t.optimizer_options["beta1"] == 0.6
    t.configure(optimizer="momentum")
    assert t.optimizer_options == {"beta": 0.7, "nesterov": False}
    t.optimizer = "sgd"                                       # the setter the app uses still works
    assert t.optimizer == "sgd"


@pytest.mark.parametrize("changes,message", [
    ({"momentum": 0.5}, "cannot change 'momentum' while training"),
    ({"lr": 0}, "learning rate must be a finite number > 0"),
    ({"dropout": 1.0}, "dropout must be a finite number in"),
    ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
    ({"beta": 1.5}, "momentum beta must be in"),
    ({"lr": 0.5, "batch_size": 0}, "batch size must be a whole number"),
])
def test_configure_refuses_bad_changes_and_changes_nothing(changes: dict, message: str) -> None:
    X, Y = binary_data(20, 0)
    t = Trainer(MLP([2, 3, 1], "tanh", seed=0), X, Y, lr=0.1, batch_size=4, optimizer="momentum")
    with pytest.raises(ValueError, match=message):
        t.configure(**changes)
    assert (t.lr, t.batch_size, t.dropout, t.optimizer, t.optimizer_options["beta"]) == (0.1, 4, 0.0, "momentum", 0.9)


def test_a_loss_grown_a_millionfold_but_finite_is_divergence_even_without_metrics_until_the_end() -> None:
    """step() measures the starting loss itself, so the final metrics() can tell an explosion (ELU nets reach
    losses of 1e18 with finite weights) from a finished run."""
    X, Y = regression_data(50, 0)
    net = MLP([X.shape[0], 4, 1], ["elu", "linear"], seed=0)
    trainer = Trainer(net, X, Y, lr=0.01)
    trainer.step(1, metrics=False)
    net._flat *= 1e4                                     # weights still finite, the loss some 1e16× larger
    assert math.isfinite(float(net._flat @ net._flat))
    metrics = trainer.metrics()
    assert math.isfinite(metrics.train_loss) and metrics.state == "diverged"
