"""The divergence contract (issue 12, items 9 and 10).

The state is "diverged" as soon as the loss or any weight is non-finite or astronomically large
(Σw² > 1e200, so any |w| > 1e100); the weights kept are always the last finite ones; penalties are
inside the check; fit() measures a starting loss, so an exploding loss is caught too.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annplay.engine import ACTIVATIONS, MLP, Trainer

TRAINABLE = [n for n, s in ACTIVATIONS.items() if s.trainable_by_backprop and not s.output_only]

XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
XOR_Y = np.array([[0.0, 1.0, 1.0, 0.0]])


def sane(w: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(w))) and float(w.astype(np.float64) @ w.astype(np.float64)) <= 1e200


def test_fit_with_an_absurd_rate_ends_diverged() -> None:
    net = MLP([2, 4, 1], ["tanh", "logistic"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.fit(XOR_X, XOR_Y, 50, 1e100)
    assert net.last_trainer.state == "diverged" and sane(net.get_flat())


def test_adam_at_a_huge_rate_ends_diverged() -> None:
    net = MLP([2, 4, 1], ["tanh", "logistic"], seed=0)
    net.fit(XOR_X, XOR_Y, 50, 1e6, optimizer="adam")
    assert net.last_trainer.state == "diverged" and sane(net.get_flat())


@pytest.mark.parametrize("use_kernel", [True, False])
def test_an_overflowing_penalty_is_caught_and_the_weights_kept(use_kernel: bool) -> None:
    """`annplay train --dataset xor --l2 1e300 --batch-size 1000`: once saved as "done" with inf weights."""
    net = MLP([2, 4, 1], ["tanh", "logistic"], seed=0)
    start = net.get_flat()
    t = Trainer(net, XOR_X, XOR_Y, lr=0.03, batch_size=1000, l2=1e300)
    t.use_kernel = use_kernel
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.step(2)
    assert t.state == "diverged" and t.epoch == 0
    np.testing.assert_array_equal(net.get_flat(), start)


def test_lr_1e308_momentum_and_dropout_end_diverged_not_running() -> None:
    net = MLP([2, 8, 8, 1], "tanh", seed=0)
    t = Trainer(net, XOR_X, XOR_Y, lr=1e308, optimizer="momentum", dropout=0.99, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.step(20)
    assert t.state == "diverged" and sane(net.get_flat())


@pytest.mark.parametrize("use_kernel", [True, False])
def test_mini_batches_keep_the_weights_of_just_before_the_bad_update(use_kernel: bool) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 12))
    Y = 100 * (3 * X[:1] - X[1:])
    lr, batch = 30.0, 4
    net = MLP([2, 8, 1], ["relu", "linear"], seed=0)
    ref = MLP([2, 8, 1], ["relu", "linear"], seed=0)
    t = Trainer(net, X, Y, lr=lr, batch_size=batch, shuffle=False)
    t.use_kernel = use_kernel
    t.step(50, metrics=False)
    assert t.state == "diverged"
    p, steps = ref.get_flat(), 0
    with np.errstate(all="ignore"):
        while True:                                    # replay SGD batch by batch until an update is bad
            s = (steps % 3) * batch
            _, g = ref.backprop(X[:, s:s + batch], Y[:, s:s + batch])
            new = p - lr * g
            if not sane(new):
                break
            p, steps = new, steps + 1
            ref.set_flat(p)
    assert t.epoch == steps // 3
    np.testing.assert_allclose(net.get_flat(), p, rtol=1e-12)


OPTIMIZER_CHOICES = [("sgd", {}), ("momentum", {}), ("momentum", {"nesterov": True, "beta": 0.99}),
                     ("adam", {}), ("adam", {"eps_style": "keras"})]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(opt=st.sampled_from(OPTIMIZER_CHOICES),
       lr=st.sampled_from([1e-3, 1.0, 1e10, 1e100, 1e200, 1e308]),
       l1=st.sampled_from([0.0, 1e-3, 1e300]), l2=st.sampled_from([0.0, 1e-2, 1e300]),
       dropout=st.sampled_from([0.0, 0.5, 0.99]), batch=st.sampled_from([None, 1, 3]),
       act=st.sampled_from(TRAINABLE), dtype=st.sampled_from([np.float32, np.float64]),
       through_fit=st.booleans(), seed=st.integers(0, 3))
def test_the_contract_holds_for_any_optimizer_penalty_dropout_and_rate(opt, lr, l1, l2, dropout, batch, act, dtype,
                                                                       through_fit, seed) -> None:
    net = MLP([2, 5, 1], [act, "logistic"], seed=seed, dtype=dtype)
    name, hyper = opt
    options = dict(batch_size=batch, optimizer=name, optimizer_options=hyper, l1=l1, l2=l2, dropout=dropout,
                   seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if through_fit:
            history = net.fit(XOR_X, XOR_Y, 15, lr, **options)
            t = net.last_trainer
            losses = history["loss"]
        else:
            t = Trainer(net, XOR_X, XOR_Y, lr=lr, **options)
            for _ in range(5):
                t.step(3, metrics=False)
            losses = [t.metrics().train_loss]
    w = net.get_flat()
    assert sane(w)                                               # kept weights: finite, not astronomical
    if t.state != "diverged":
        assert t.state == "running" and all(np.isfinite(losses))
        assert all(loss <= 1e6 * max(losses[0], 1.0) for loss in losses)
    else:
        assert "smaller learning rate" in t.message
