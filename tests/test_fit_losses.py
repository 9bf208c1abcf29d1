"""fit's loss curve: each epoch's mean batch loss, each measured before its batch's update.

The kernel computes the losses once per stretch from outputs it kept, not per batch; these tests hold it
to a plain loop written with ``MLP.backprop`` (every trainable activation, both dtypes, any batch size),
and the stretch's sums and divergence checks to a brute-force per-batch computation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annplay.engine import MLP, Trainer
from annplay.engine.activations import ACTIVATIONS

HIDDEN = [name for name, spec in ACTIVATIONS.items() if spec.trainable_by_backprop and not spec.output_only]
OUTPUTS = [("logistic", "bce", 1), ("linear", "mse", 1), ("tanh", "mse", 1), ("logistic", "mse", 1),
           ("softmax", "cross_entropy", 3), ("logistic", "bce", 2), ("linear", "mse", 2)]   # (output, loss, outputs)


def problem(out: str, loss: str, n: int, seed: int, r: int = 1) -> tuple[np.ndarray, np.ndarray, int]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, n))
    if loss == "cross_entropy":
        return X, np.eye(3)[(X[0] > 0).astype(int) + (X[1] > 0.5)].T, 3
    if out == "logistic":
        return X, np.vstack([X[0] * X[1] > 0, X[0] > 0.3][:r]).astype(float), r
    return X, np.vstack([np.tanh(X[0] - 0.5 * X[1]), np.sin(X[1])][:r]), r


def by_hand(net: MLP, X: np.ndarray, Y: np.ndarray, epochs: int, lr: float, batch: int | None,
            shuffle: bool, seed: int) -> tuple[list[float], np.ndarray]:
    """Plain SGD with MLP.backprop: (each epoch's mean batch loss, final weights); the trainer's column order."""
    n = X.shape[1]
    b = min(batch or n, n)
    rng = np.random.default_rng(seed)
    curve = []
    for _ in range(epochs):
        order = rng.permutation(n) if shuffle and b < n else np.arange(n)
        total = 0.0
        for s in range(0, n, b):
            cols = order[s:s + b]
            loss, grad = net.backprop(X[:, cols], Y[:, cols])
            total += loss * len(cols)
            net.set_flat(net.get_flat() - lr * grad)
        curve.append(total / n)
    return curve, net.get_flat()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hidden=st.sampled_from(HIDDEN), output=st.sampled_from(OUTPUTS),
       dtype=st.sampled_from([np.float32, np.float64]), n=st.integers(1, 40),
       batch=st.sampled_from([None, 1, 3, 7, 16]), shuffle=st.booleans(), seed=st.integers(0, 5))
def test_fit_records_the_mean_batch_loss_measured_before_each_update(hidden, output, dtype, n, batch, shuffle,
                                                                      seed) -> None:
    out, loss, outputs = output
    X, Y, r = problem(out, loss, n, seed, outputs)
    net = MLP([2, 5, 4, r], [hidden, hidden, out], loss=loss, seed=seed, dtype=dtype)
    reference = net.copy()
    epochs, lr = 4, 0.02
    history = net.fit(X, Y, epochs, lr, batch_size=batch, shuffle=shuffle, seed=seed)
    assert net.last_trainer.state == "running"
    curve, weights = by_hand(reference, X, Y, epochs, lr, batch, shuffle, seed)
    rtol, atol = (1e-10, 1e-12) if dtype == np.float64 else (2e-4, 1e-6)
    assert len(history["loss"]) == epochs
    np.testing.assert_allclose(history["loss"], curve, rtol=rtol, atol=atol)
    np.testing.assert_allclose(net.get_flat(), weights, rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [None, 4])
def test_fit_records_every_epoch_of_a_long_full_batch_run(dtype, batch) -> None:
    """Past one span of epochs (full batch) the curve still has one loss per epoch, each the loss then."""
    X, Y, _ = problem("logistic", "bce", 30, 0)
    net = MLP([2, 6, 1], "tanh", seed=1, dtype=dtype)
    reference = net.copy()
    history = net.fit(X, Y, 150, 0.3, batch_size=batch, seed=2)
    curve, weights = by_hand(reference, X, Y, 150, 0.3, batch, True, 2)
    rtol = 1e-9 if dtype == np.float64 else 2e-3
    np.testing.assert_allclose(history["loss"], curve, rtol=rtol)


def brute_force(kernel, start: int, stop: int) -> tuple[float, bool, bool]:
    """The stretch's summed loss, the per-batch check, and whether some batch sits on the limit (rounding may
    tip it either way), batch by batch in float64, the slow way."""
    bounds = [(int(s), int(s + w)) for s, w in zip(kernel.starts, kernel.widths, strict=True)]
    z = kernel.kept[0].astype(np.float64)
    t = kernel.targets[0].astype(np.float64)
    each = np.logaddexp(0.0, z * t) if kernel.fused else 0.5 * (z - t) ** 2
    sums = [each[s:e].sum() for s, e in bounds[start:stop]]
    widths = kernel.widths[start:stop]
    caps = [kernel.limit * w for w in widths]
    near = any(abs(s - cap) <= 1e-4 * cap for s, cap in zip(sums, caps, strict=True))
    return float(sum(sums)), all(s <= cap for s, cap in zip(sums, caps, strict=True)), near


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 60), batch=st.integers(1, 20), bce=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), scale=st.sampled_from([0.1, 3.0, 100.0, 1000.0]),
       limit=st.sampled_from([math.inf, 1e-3, 0.05, 0.5, 2.0, 50.0]), data=st.data())
def test_a_stretchs_losses_and_check_equal_the_batch_by_batch_ones(n, batch, bce, dtype, scale, limit, data) -> None:
    """The summed loss of any stretch of batches and whether every batch is within the limit; logits whose exp
    overflows included (scale 1000)."""
    X, Y, _ = problem("logistic" if bce else "linear", "bce" if bce else "mse", n, 0)
    net = MLP([2, 3, 1], ["tanh", "logistic" if bce else "linear"], loss="bce" if bce else "mse", dtype=dtype)
    kernel = Trainer(net, X, Y, batch_size=batch if batch < n else None, shuffle=False)._fast()
    assert kernel is not None and kernel.kept is not None
    groups = len(kernel.starts)
    start = data.draw(st.integers(0, groups - 1))
    stop = data.draw(st.integers(start + 1, groups))
    rng = np.random.default_rng(n * batch)
    kernel.kept[0] = rng.normal(size=n) * scale
    kernel.limit = limit
    with np.errstate(over="ignore"):
        total, ok = kernel._stretch_losses(start, stop)
    want_total, want_ok, near = brute_force(kernel, start, stop)
    assert total == pytest.approx(want_total, rel=1e-5 if dtype == np.float32 else 1e-12)
    if not near:
        assert ok == want_ok


@pytest.mark.parametrize("bce", [True, False])
def test_a_short_last_batch_over_its_limit_fails_the_check(bce: bool) -> None:
    """7 columns in batches of 3: 3, 3 and 1.  Only the last column is far off, by more than the limit allows one
    column but less than it allows three: the check must fail (the last batch's own limit), and pass without it."""
    X, Y, _ = problem("logistic" if bce else "linear", "bce" if bce else "mse", 7, 0)
    net = MLP([2, 3, 1], ["tanh", "logistic" if bce else "linear"], loss="bce" if bce else "mse")
    kernel = Trainer(net, X, Y, batch_size=3, shuffle=False)._fast()
    assert kernel is not None and kernel.kept is not None and list(kernel.widths) == [3, 3, 1]
    t = kernel.targets[0]
    z = -4.0 * t if bce else t.copy()                  # every column right (loss ≈ 0.018 each with BCE) ...
    z[-1] = 8.0 * t[-1] if bce else t[-1] + 4.0         # ... but the last: loss ≈ 8
    kernel.kept[0] = z
    kernel.limit = 5.0                                  # 8 > 5·1, yet the total (≈ 8.1) ≤ 5·3
    total, ok = kernel._stretch_losses(0, 3)
    assert 7.9 < total < 8.2 and not ok
    kernel.limit = 9.0
    assert kernel._stretch_losses(0, 3)[1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_full_batch_span_whose_exp_overflows_records_the_exact_losses(dtype) -> None:
    """Confidently wrong outputs (z·(1 − 2y) ≈ 800: exp overflows, in float32 past 88, in float64 past 709): the
    span's sums, computed in place of the kept outputs, are not finite, so the span is replayed epoch by
    epoch, and the curve is still each epoch's exact loss, as a plain loop records it."""
    X, Y, _ = problem("logistic", "bce", 30, 0)
    net = MLP([2, 6, 1], "tanh", seed=1, dtype=dtype)
    net.biases[-1][...] = 800.0                         # every y = 0 point: loss ≈ 800, exp(800) = ∞ in both dtypes
    reference = net.copy()
    history = net.fit(X, Y, 70, 1e-4)                  # past one span (64 epochs)
    assert net.last_trainer.state == "running"
    curve, weights = by_hand(reference, X, Y, 70, 1e-4, None, False, 0)
    assert min(history["loss"]) > 100
    np.testing.assert_allclose(history["loss"], curve, rtol=1e-9 if dtype == np.float64 else 1e-5)
    np.testing.assert_allclose(net.get_flat(), weights, rtol=1e-9 if dtype == np.float64 else 1e-5)
