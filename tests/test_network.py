"""The MLP: parameters as plain arrays, activation parsing, defaults, input checks, fit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.engine import ACTIVATIONS, MLP, Trainer, pyann


def moons(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles, one instance per column; labels 0/1."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0 = rng.uniform(0, np.pi, n0)
    t1 = rng.uniform(0, np.pi, n - n0)
    X = np.hstack([np.vstack([np.cos(t0), np.sin(t0)]),
                   np.vstack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    X += rng.normal(0, noise, X.shape)
    y = np.r_[np.zeros(n0), np.ones(n - n0)]
    perm = rng.permutation(n)
    return X[:, perm], y[perm]


def flat_positions(net: MLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Where each weight and bias sits in the flat vector (whatever the layout)."""
    saved = net.get_flat()
    net.set_flat(np.arange(net.n_params, dtype=net.dtype))
    where_w = [w.astype(np.int64) for w in net.weights]
    where_b = [b.astype(np.int64) for b in net.biases]
    net.set_flat(saved)
    return where_w, where_b


def small_problem(seed: int = 0, n: int = 12):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, n))
    Y = (X[0] + 0.5 * X[1] > 0).astype(float).reshape(1, n)
    return X, Y


# --- weights and biases are plain arrays ---------------------------------------------------------

def test_weights_and_biases_have_the_documented_shapes() -> None:
    net = MLP([3, 5, 4, 2], "tanh", seed=0)
    assert [w.shape for w in net.weights] == [(5, 3), (4, 5), (2, 4)]
    assert [b.shape for b in net.biases] == [(5, 1), (4, 1), (2, 1)]
    assert net.n_params == 5 * 3 + 5 + 4 * 5 + 4 + 2 * 4 + 2
    assert all(isinstance(w, np.ndarray) for w in net.weights)


def test_forward_is_the_documented_formula() -> None:
    net = MLP([3, 4, 2], ["relu", "softmax"], seed=1)
    X = np.random.default_rng(0).normal(size=(3, 5))
    A1 = np.maximum(net.weights[0] @ X + net.biases[0], 0)
    Z2 = net.weights[1] @ A1 + net.biases[1]
    expected = np.exp(Z2) / np.exp(Z2).sum(axis=0)
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-12)
    np.testing.assert_allclose(net.logits(X), Z2, rtol=1e-12)
    np.testing.assert_array_equal(net.predict(X), expected.argmax(axis=0))


def test_editing_weight_views_changes_forward() -> None:
    net = MLP([2, 3, 1], "tanh", seed=0)
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    before = net.forward(X).copy()
    flat_before = net.get_flat()
    net.weights[0][1, 0] += 0.75           # in place, on the view
    net.biases[1][0, 0] = -2.0
    after = net.forward(X)
    assert not np.allclose(after, before)
    flat = net.get_flat()
    where_w, where_b = flat_positions(net)
    assert flat[where_w[0][1, 0]] == pytest.approx(flat_before[where_w[0][1, 0]] + 0.75)
    assert flat[where_b[1][0, 0]] == -2.0
    assert np.count_nonzero(flat != flat_before) == 2          # the views are the flat vector
    expected = 1 / (1 + np.exp(-(net.weights[1] @ np.tanh(net.weights[0] @ X + net.biases[0]) - 2.0)))
    np.testing.assert_allclose(after, expected, rtol=1e-12)


def test_assigning_a_weight_matrix_copies_it_with_a_shape_check() -> None:
    net = MLP([2, 3, 1], "tanh", seed=0)
    X = np.array([[0.5], [1.0]])
    new = np.arange(6.0).reshape(3, 2) / 10
    view = net.weights[0]
    net.weights[0] = new
    assert net.weights[0] is view                     # still the same view into the flat vector
    np.testing.assert_array_equal(net.weights[0], new)
    out = net.forward(X).copy()
    new[0, 0] = 99.0                                  # the caller's array is not shared
    np.testing.assert_array_equal(net.forward(X), out)
    where_w, where_b = flat_positions(net)
    np.testing.assert_array_equal(net.get_flat()[where_w[0]], np.arange(6.0).reshape(3, 2) / 10)
    net.biases[0] = [[1.0], [2.0], [3.0]]
    np.testing.assert_array_equal(net.get_flat()[where_b[0]], [[1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match=r"weights\[0\] has shape \(3, 2\); got shape \(2, 3\)"):
        net.weights[0] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"biases\[1\] has shape \(1, 1\)"):
        net.biases[1] = np.zeros(3)
    with pytest.raises(ValueError, match="finite"):
        net.weights[1] = [[np.nan, 0.0, 0.0]]
    np.testing.assert_array_equal(net.weights[0], np.arange(6.0).reshape(3, 2) / 10)


@settings(max_examples=30, deadline=None)
@given(layers=st.lists(st.integers(1, 6), min_size=2, max_size=5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_get_flat_set_flat_round_trip(layers, seed, dtype) -> None:
    net = MLP(layers, "tanh", seed=seed, dtype=dtype)
    flat = net.get_flat()
    assert flat.shape == (net.n_params,) and flat.dtype == dtype
    first = flat[0]
    flat[0] = 123.0                                   # a copy: the network is unchanged
    assert net.get_flat()[0] == first
    v = np.random.default_rng(seed).normal(size=net.n_params).astype(dtype)
    net.set_flat(v)
    np.testing.assert_array_equal(net.get_flat(), v)
    # the per-layer views see it: together they cover every entry exactly once, layer by layer
    where_w, where_b = flat_positions(net)
    offset = 0
    for w, b, iw, ib in zip(net.weights, net.biases, where_w, where_b, strict=True):
        np.testing.assert_array_equal(w, v[iw])
        np.testing.assert_array_equal(b, v[ib])
        idx = np.sort(np.r_[iw.ravel(), ib.ravel()])
        np.testing.assert_array_equal(idx, np.arange(offset, offset + idx.size))
        offset += idx.size
    assert offset == net.n_params


def test_set_flat_rejects_bad_shapes_and_values() -> None:
    net = MLP([2, 3, 1], "tanh", seed=0)
    good = net.get_flat()
    for bad in (np.zeros(net.n_params - 1), np.zeros(net.n_params + 1), np.zeros((1, net.n_params))):
        with pytest.raises(ValueError, match=f"vector of {net.n_params} values"):
            net.set_flat(bad)
    with pytest.raises(ValueError, match="finite"):
        net.set_flat(np.full(net.n_params, np.inf))
    np.testing.assert_array_equal(net.get_flat(), good)


# --- activation parsing, default loss and init ------------------------------------------------

def test_one_name_per_non_input_layer() -> None:
    net = MLP([2, 3, 4, 1], ["relu", "tanh", "logistic"])
    assert [a.name for a in net.activations] == ["relu", "tanh", "logistic"]


def test_one_name_per_layer_with_the_first_ignored() -> None:
    net = MLP([2, 3, 4, 1], ["linear", "relu", "tanh", "logistic"])
    assert [a.name for a in net.activations] == ["relu", "tanh", "logistic"]
    net = pyann([2, 50, 50, 50, 1], ["relu"] * 4 + ["logistic"])
    assert [a.name for a in net.activations] == ["relu"] * 3 + ["logistic"]


def test_a_single_name_is_for_the_hidden_layers() -> None:
    net = MLP([2, 3, 4, 1], "relu")
    assert [a.name for a in net.activations] == ["relu", "relu", "logistic"]
    assert net.loss_name == "bce"
    net = MLP([2, 3, 4], "tanh")
    assert [a.name for a in net.activations] == ["tanh", "softmax"]
    assert net.loss_name == "cross_entropy"
    net = MLP([2, 3, 1], "tanh", loss="mse")
    assert [a.name for a in net.activations] == ["tanh", "linear"]
    net = MLP([2, 3, 1], ("leaky_relu", {"slope": 0.3}))
    assert net.activations[0].params == {"slope": 0.3}


def test_softmax_only_at_the_output() -> None:
    with pytest.raises(ValueError, match="only be used on the output layer"):
        MLP([2, 3, 2], ["softmax", "softmax"])
    with pytest.raises(ValueError, match="only be used on the output layer"):
        MLP([2, 3, 2], "softmax")
    assert MLP([2, 3, 2], ["tanh", "softmax"]).activations[-1].name == "softmax"


@pytest.mark.parametrize("out,loss", [("logistic", "bce"), ("softmax", "cross_entropy"),
                                      ("linear", "mse"), ("tanh", "mse")])
def test_default_loss_follows_the_output_activation(out: str, loss: str) -> None:
    r = 3 if out == "softmax" else 1
    net = MLP([2, 4, r], ["relu", out])
    assert net.loss_name == loss
    assert net.task == {"bce": "binary", "cross_entropy": "multiclass", "mse": "regression"}[loss]


def test_loss_can_be_overridden() -> None:
    net = MLP([2, 4, 1], ["relu", "logistic"], loss="mse")
    assert net.loss_name == "mse" and net.task == "regression"
    with pytest.raises(ValueError, match="needs a logistic output layer, not tanh"):
        MLP([2, 4, 1], ["relu", "tanh"], loss="bce")
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid names: bce, cross_entropy, mse"):
        MLP([2, 4, 1], ["relu", "logistic"], loss="hinge")


@pytest.mark.parametrize("act,var", [(n, 2 / 400 if s.relu_family else 2 / 800) for n, s in ACTIVATIONS.items()
                                     if s.trainable_by_backprop and not s.output_only])
def test_default_init_is_he_for_the_relu_family_and_xavier_otherwise(act: str, var: float) -> None:
    net = MLP([400, 400, 1], [act, "logistic"], seed=0)
    w = net.weights[0]
    # 160 000 draws: the sample variance is within ~1 % of the truth
    assert w.mean() == pytest.approx(0.0, abs=1e-3)
    assert w.var() == pytest.approx(var, rel=0.03)
    if not ACTIVATIONS[act].relu_family:           # Glorot uniform: bounded by sqrt(6/(s+r))
        assert np.abs(w).max() <= np.sqrt(6 / 800)
    else:                                          # He normal: unbounded tails
        assert np.abs(w).max() > np.sqrt(6 / 800)
    assert np.all(net.biases[0] == 0)


def test_named_init_overrides_the_default() -> None:
    net = MLP([400, 400, 1], "relu", init="xavier", seed=0)
    assert net.weights[0].var() == pytest.approx(2 / 800, rel=0.03)
    net = MLP([3, 5, 1], "relu", init="uniform", seed=0)
    assert np.all(np.abs(net.weights[0]) <= 0.5) and np.all(net.biases[0] == 0.1)
    with pytest.raises(ValueError, match="unknown init 'zeros'; valid names"):
        MLP([3, 5, 1], "relu", init="zeros")


def test_same_seed_same_weights_different_seed_different() -> None:
    a = MLP([3, 8, 1], "relu", seed=5).get_flat()
    b = MLP([3, 8, 1], "relu", seed=5).get_flat()
    c = MLP([3, 8, 1], "relu", seed=6).get_flat()
    assert np.array_equal(a, b) and not np.array_equal(a, c)


# --- bad input -----------------------------------------------------------------------------

def test_transposed_X_says_the_expected_shape_and_suggests_X_T() -> None:
    net = MLP([2, 4, 1], "tanh", seed=0)
    X = np.zeros((10, 2))
    for call in (lambda: net.forward(X), lambda: net.predict(X),
                 lambda: net.fit(X, np.zeros((1, 10)), 1, 0.1)):
        with pytest.raises(ValueError, match=r"shape \(m, n\) = \(2, n\).*got shape \(10, 2\).*X\.T"):
            call()
    with pytest.raises(ValueError, match=r"\(2, n\)"):
        net.forward(np.zeros((3, 5)))


def test_transposed_Y_is_reported() -> None:
    net = MLP([2, 4, 3], "tanh", seed=0)
    with pytest.raises(ValueError, match=r"Y must have shape \(r, n\) = \(3, 5\).*Y\.T"):
        net.backprop(np.zeros((2, 5)), np.eye(3)[[0, 1, 2, 0, 1]])


def test_unknown_activation_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown activation 'sigmod'; valid names: relu, leaky_relu, elu"):
        MLP([2, 3, 1], ["sigmod", "logistic"])


def test_inconsistent_layers_and_activations() -> None:
    with pytest.raises(ValueError, match=r"layers \[2, 3, 4, 1\] has 3 non-input layers.*needs 3 names"
                                         r".*got 2"):
        MLP([2, 3, 4, 1], ["relu", "logistic"])
    with pytest.raises(ValueError, match="got 5"):
        MLP([2, 3, 1], ["relu"] * 5)


@pytest.mark.parametrize("layers", [[2, 0, 1], [2, 3, -1], [0, 3, 1], [2, 2.5, 1], [2, True, 1]])
def test_layer_sizes_below_one_or_not_whole_are_rejected(layers) -> None:
    with pytest.raises(ValueError, match="size must be a whole number ≥ 1"):
        MLP(layers, "tanh")


def test_a_network_needs_two_layers() -> None:
    with pytest.raises(ValueError, match="at least an input and an output"):
        MLP([3], "tanh")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X_or_Y_is_rejected(bad: float) -> None:
    net = MLP([2, 3, 1], "tanh", loss="mse", seed=0)
    X = np.zeros((2, 4))
    Y = np.zeros((1, 4))
    Xb = X.copy()
    Xb[1, 2] = bad
    Yb = Y.copy()
    Yb[0, 3] = bad
    with pytest.raises(ValueError, match="X holds a non-finite value .* column 2"):
        net.forward(Xb)
    with pytest.raises(ValueError, match="X holds a non-finite value"):
        net.fit(Xb, Y, 1, 0.1)
    with pytest.raises(ValueError, match="Y holds a non-finite value"):
        net.fit(X, Yb, 1, 0.1)
    with pytest.raises(ValueError, match="Y holds a non-finite value"):
        net.backprop(X, Yb)


def test_bce_labels_outside_0_1_are_rejected() -> None:
    net = MLP([2, 3, 1], "tanh", seed=0)
    X = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"labels in \{0, 1\}; Y holds 2\.0\.") as info:
        net.fit(X, np.array([[0.0, 1.0, 2.0]]), 1, 0.1)
    assert "np.float" not in str(info.value)          # a plain number, not a NumPy repr
    with pytest.raises(ValueError, match=r"labels in \{0, 1\}.*loss='mse'"):
        net.backprop(X, np.array([[0.0, 0.5, 1.0]]))


def test_cross_entropy_needs_one_hot_columns() -> None:
    net = MLP([2, 3, 3], "tanh", seed=0)
    with pytest.raises(ValueError, match="one-hot"):
        net.fit(np.zeros((2, 2)), np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]), 1, 0.1)


@pytest.mark.parametrize("lr", [0, -0.1, np.nan, np.inf, -np.inf, "fast"])
def test_fit_rejects_a_bad_learning_rate(lr) -> None:
    net = MLP([2, 3, 1], "tanh", seed=0)
    before = net.get_flat()
    with pytest.raises(ValueError, match="learning rate must be"):
        net.fit(np.zeros((2, 3)), np.zeros((1, 3)), 1, lr)
    np.testing.assert_array_equal(net.get_flat(), before)


def test_step_activation_cannot_be_trained_by_backprop() -> None:
    net = MLP([2, 3, 1], ["step", "logistic"], seed=0)
    X, Y = np.zeros((2, 3)), np.zeros((1, 3))
    with pytest.raises(ValueError, match="step activation.*use neuroevolution"):
        net.fit(X, Y, 1, 0.1)
    with pytest.raises(ValueError, match="neuroevolution"):
        Trainer(net, X, Y)
    net.forward(X)         # but it still runs forward (neuroevolution needs that)


# --- fit ---------------------------------------------------------------------------------

@pytest.mark.parametrize("layers,acts", [([3, 5, 1], "tanh"), ([3, 4, 4, 2], ["relu", "elu", "softmax"]),
                                         ([3, 2, 1], ["relu", "linear"])])
def test_one_epoch_of_fit_moves_every_parameter_by_minus_lr_grad(layers, acts) -> None:
    rng = np.random.default_rng(0)
    net = MLP(layers, acts, seed=1)
    X = rng.normal(size=(3, 9))
    if net.loss_name == "bce":
        Y = rng.integers(0, 2, (1, 9)).astype(float)
    elif net.loss_name == "cross_entropy":
        Y = np.eye(layers[-1])[rng.integers(0, layers[-1], 9)].T
    else:
        Y = rng.normal(size=(1, 9))
    net.biases[0] = rng.normal(size=net.biases[0].shape)
    p0 = net.get_flat()
    loss0, grad = net.backprop(X, Y)
    lr = 0.37
    history = net.fit(X, Y, 1, lr)
    np.testing.assert_allclose(net.get_flat(), p0 - lr * grad, rtol=0, atol=1e-12)
    assert history["loss"] == [pytest.approx(loss0, rel=1e-12)]


def test_fit_reduces_the_loss_and_records_history() -> None:
    X, Y = small_problem()
    net = MLP([3, 6, 1], "tanh", seed=0)
    start = net.loss(X, Y)
    history = net.fit(X, Y, 50, 0.5)
    assert len(history["loss"]) == 50 and history["val_loss"] == []
    assert history["loss"][0] == pytest.approx(start)
    assert net.loss(X, Y) < 0.5 * start
    assert np.all(np.diff(history["loss"]) <= 1e-12) or history["loss"][-1] < history["loss"][0]


@pytest.mark.parametrize("seed", range(5))
def test_xor_is_solved_by_2_4_1(seed: int) -> None:
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0]], dtype=float)
    net = MLP([2, 4, 1], "tanh", seed=seed)
    net.fit(X, Y, 2000, 1.0)
    np.testing.assert_array_equal(net.predict(X), [0, 1, 1, 0])
    assert net.accuracy(X, Y) == 1.0
    assert net.loss(X, Y) < 0.1


def test_original_sample_reaches_95_percent_on_moons() -> None:
    X, y = moons(300, noise=0.2, seed=0)
    Xtr, ytr, Xte, yte = X[:, :200], y[:200], X[:, 200:], y[200:]
    net = pyann([2, 50, 50, 50, 1], ["relu"] * 4 + ["logistic"], seed=0)
    net.fit(Xtr, ytr.reshape(1, -1), 1000, 0.1, printfreq=0)
    assert net.accuracy(Xte, yte) >= 0.95
    assert net.accuracy(Xtr, ytr) >= 0.95


def test_same_seed_gives_an_identical_run() -> None:
    X, Y = small_problem(n=40)

    def run(seed: int) -> tuple[np.ndarray, list[float]]:
        net = MLP([3, 8, 8, 1], "relu", seed=seed)
        h = net.fit(X, Y, 15, 0.1, batch_size=7, optimizer="adam", dropout=0.2)
        return net.get_flat(), h["loss"]

    w1, h1 = run(3)
    w2, h2 = run(3)
    w3, _ = run(4)
    np.testing.assert_array_equal(w1, w2)
    assert h1 == h2
    assert not np.array_equal(w1, w3)


def test_fit_with_validation_records_val_loss() -> None:
    X, Y = small_problem()
    Xv, Yv = small_problem(seed=1)
    net = MLP([3, 4, 1], "tanh", seed=0)
    h = net.fit(X, Y, 5, 0.1, validation=(Xv, Yv))
    assert len(h["val_loss"]) == 5
    assert h["val_loss"][-1] == pytest.approx(net.loss(Xv, Yv))


def test_fit_rejects_negative_epochs() -> None:
    net = MLP([3, 4, 1], "tanh", seed=0)
    X, Y = small_problem()
    with pytest.raises(ValueError, match="epochs must be ≥ 0"):
        net.fit(X, Y, -1, 0.1)


def test_predict_shapes() -> None:
    X = np.random.default_rng(0).normal(size=(2, 7))
    assert MLP([2, 3, 1], "tanh").predict(X).shape == (7,)
    assert MLP([2, 3, 4], "tanh").predict(X).shape == (7,)
    assert MLP([2, 3, 2], "tanh", loss="mse").predict(X).shape == (2, 7)
    assert MLP([2, 3, 1], "tanh").forward(X[:, 0]).shape == (1, 1)     # one vector → one column


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_outputs_are_every_layers_activations_in_one_pass(dtype) -> None:
    net = MLP([2, 5, 4, 3], ["relu", "tanh", "softmax"], seed=1)
    X = np.random.default_rng(0).normal(size=(2, 9))
    outs = net.layer_outputs(X, dtype=dtype)
    assert [a.shape for a in outs] == [(5, 9), (4, 9), (3, 9)] and all(a.dtype == dtype for a in outs)
    np.testing.assert_allclose(outs[-1], net.forward(X), rtol=1e-5 if dtype == np.float32 else 1e-13, atol=1e-6)
    np.testing.assert_allclose(outs[0], np.maximum(net.weights[0] @ X + net.biases[0], 0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"X must have shape \(m, n\) = \(2, n\)"):
        net.layer_outputs(X.T)


@pytest.mark.parametrize("layers,need", [([2, 10**12, 1], "87.3 TiB"), ([2, 20_000, 20_000, 1], "8.9 GiB")])
def test_a_huge_network_is_refused_before_allocating_with_the_memory_it_needs(layers, need) -> None:
    with pytest.raises(ValueError, match=rf"parameters and need {need} of memory.*limit is 268,435,456"):
        MLP(layers)
    MLP([2, 1000, 1])                                  # ordinary sizes are untouched


def test_a_missing_layer_index_names_the_number_of_layers() -> None:
    net = MLP([2, 3, 1], "tanh")
    with pytest.raises(IndexError, match=r"weights\[5\] does not exist: this network has 2 layers of weights"):
        net.weights[5] = np.zeros((1, 3))
    with pytest.raises(IndexError, match=r"biases\[-3\] does not exist: .* \(indices 0 to 1, or -2 to -1\)"):
        net.biases[-3]
    assert net.weights[-1].shape == (1, 3) and len(net.weights[0:1]) == 1


def test_a_value_that_overflows_float32_is_refused_and_changes_nothing() -> None:
    net = MLP([1, 2], "tanh", dtype="float32")
    before = net.get_flat()
    with pytest.raises(ValueError, match=r"weights\[0\] must be finite in float32"):
        net.weights[0] = [[1e308], [1e308]]
    np.testing.assert_array_equal(net.get_flat(), before)
    net.weights[0] = [[3e38], [-1.0]]                  # the largest float32 values still fit
    with pytest.raises(ValueError, match="set_flat's vector must be finite in float32"):
        net.set_flat(np.full(net.n_params, 1e300))
    with pytest.raises(ValueError, match="set_flat's vector must be finite"):
        net.set_flat(np.full(net.n_params, np.nan))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inference_on_many_columns_holds_one_block_of_a_layer(monkeypatch: pytest.MonkeyPatch, dtype: type) -> None:
    """forward, logits and predict run over blocks of columns: 500,000 test points through a 64-wide net took
    1.5 GB at once, and `annplay train`'s report ran out of a phone's memory after training had fitted."""
    import tracemalloc

    import annplay.engine.network as network

    net = MLP([2, 64, 64, 64, 3], ["relu", "tanh", "elu", "softmax"], seed=4, dtype=dtype)
    X = np.random.default_rng(1).normal(size=(2, 40_000)).astype(dtype)
    whole = (net.forward(X), net.logits(X), net.predict(X))
    monkeypatch.setattr(network, "FORWARD_BYTES", 2 ** 20)          # 1 MiB: blocks of 2,048 or 4,096 columns
    tracemalloc.start()
    try:
        blocks = (net.forward(X), net.logits(X), net.predict(X))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 * 2 ** 20, peak                  # a whole layer alone is 64 × 40,000 × 8 B = 20 MiB
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a, b in zip(whole, blocks):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("seed", [-1, 1.5, "a", True])
def test_a_bad_seed_is_named(seed: object) -> None:
    """NumPy said only 'expected non-negative integer' (or raised a TypeError for 1.5)."""
    from annplay.engine import make_dataset

    X, Y = np.zeros((2, 4)), np.zeros((1, 4))
    for make in (lambda: MLP([2, 3, 1], "tanh", seed=seed), lambda: make_dataset("circle", seed=seed),
                 lambda: MLP([2, 3, 1], ["tanh", "logistic"]).fit(X, Y, 1, 0.1, seed=seed)):
        with pytest.raises(ValueError, match=r"seed must be a whole number ≥ 0 \(or None\), got"):
            make()
