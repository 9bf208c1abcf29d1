"""Optimisers: keyword hyperparameters, live changes, and the exact update equations (PyTorch's forms)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from annplay.engine.optimizers import OPTIMIZERS, Adam, Momentum, Optimizer, make_optimizer


def gradient_field(size: int = 12, seed: int = 0):
    """A fixed linear gradient field g(p) = A·p + 1, so that each step sees a new gradient."""
    A = np.random.default_rng(seed).normal(size=(size, size)) / size
    return lambda p: A @ p + 1.0


def test_registry_and_defaults() -> None:
    assert list(OPTIMIZERS) == ["sgd", "momentum", "adam"]
    assert all(issubclass(cls, Optimizer) and cls.name == name for name, cls in OPTIMIZERS.items())
    assert Momentum.HYPERPARAMETERS == {"beta": 0.9, "nesterov": False}
    assert Adam.HYPERPARAMETERS == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "eps_style": "pytorch"}
    opt = make_optimizer("adam", 4, np.float32, beta1=0.5)
    assert opt.beta1 == 0.5 and opt.beta2 == 0.999 and opt.m.dtype == np.float32


def test_unknown_keyword_names_it_and_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"'adam' has no hyperparameter 'beta'; its hyperparameters: "
                                         r"beta1, beta2, eps, eps_style"):
        make_optimizer("adam", 3, beta=0.5)
    with pytest.raises(ValueError, match="'sgd' has no hyperparameter 'beta'; its hyperparameters: none"):
        make_optimizer("sgd", 3, beta=0.5)
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'; valid names: sgd, momentum, adam"):
        make_optimizer("rmsprop", 3)


@pytest.mark.parametrize("name,key,value", [
    ("momentum", "beta", 1.0), ("momentum", "beta", -0.1), ("momentum", "beta", math.nan),
    ("momentum", "beta", "x"), ("momentum", "nesterov", 1), ("adam", "eps", -1e-8), ("adam", "beta2", 1.5),
    ("adam", "eps_style", "tf"),
])
def test_bad_values_are_refused_with_the_name(name: str, key: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"{name} {key} must"):
        make_optimizer(name, 3, **{key: value})


def test_configure_changes_hyperparameters_and_keeps_the_state() -> None:
    opt = make_optimizer("momentum", 3)
    p, g = np.zeros(3), np.ones(3)
    opt.update(p, g, 0.1)
    opt.configure(beta=0.5)
    opt.update(p, g, 0.1)
    np.testing.assert_allclose(opt.v, 0.5 * g + g)              # the velocity survived
    with pytest.raises(ValueError, match="no hyperparameter 'beta1'"):
        opt.configure(beta1=0.5)
    assert opt.beta == 0.5


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_is_pytorchs_formula_with_a_live_rate_change(nesterov: bool) -> None:
    grads_at = gradient_field()
    p0 = np.linspace(-1, 1, 12)
    beta, rates = 0.8, [0.1] * 5 + [0.01] * 5             # the rate drops at step 5, as in the app
    p, v = p0.copy(), np.zeros(12)
    for lr in rates:
        g = grads_at(p)
        v = beta * v + g
        p = p - lr * (g + beta * v if nesterov else v)
    opt, q = make_optimizer("momentum", 12, beta=beta, nesterov=nesterov), p0.copy()
    for lr in rates:
        opt.update(q, grads_at(q).copy(), lr)
    np.testing.assert_allclose(q, p, rtol=0, atol=1e-14)


def _adam(p, grads_at, lr, b1, b2, eps, steps, style):
    """Kingma & Ba's Algorithm 1 (PyTorch's ε) or Keras's ε placement, written out."""
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t in range(1, steps + 1):
        g = grads_at(p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if style == "pytorch":
            p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        else:
            p = p - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
    return p


@pytest.mark.parametrize("style", ["pytorch", "keras"])
@pytest.mark.parametrize("eps", [1e-8, 1e-3])
def test_adam_is_the_written_formula_in_both_eps_forms(style: str, eps: float) -> None:
    grads_at = gradient_field()
    p0 = np.linspace(-1, 1, 12)
    opt, p = make_optimizer("adam", 12, beta1=0.8, beta2=0.99, eps=eps, eps_style=style), p0.copy()
    for _ in range(6):
        opt.update(p, grads_at(p).copy(), 0.01)
    expected = _adam(p0, grads_at, 0.01, 0.8, 0.99, eps, 6, style)
    np.testing.assert_allclose(p, expected, rtol=1e-13, atol=1e-15)
    other = _adam(p0, grads_at, 0.01, 0.8, 0.99, eps, 6, "keras" if style == "pytorch" else "pytorch")
    assert np.abs(other - expected).max() > 1e-9                # the two forms really differ for ε > 0


def test_adam_eps_forms_differ_most_on_tiny_gradients() -> None:
    """With g ≈ 1e-8 PyTorch's first step is about lr/2, Keras's about 31.6× smaller ε-wise: much smaller."""
    g = np.full(3, 1e-8)
    steps = {}
    for style in ("pytorch", "keras"):
        p = np.zeros(3)
        make_optimizer("adam", 3, eps_style=style).update(p, g, 1.0)
        steps[style] = -p[0]
    np.testing.assert_allclose(steps["pytorch"], 1e-8 / (1e-8 + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(steps["keras"], math.sqrt(0.001) / (1e-8 * math.sqrt(0.001) + 1e-8) * 1e-8,
                               rtol=1e-12)
    assert steps["pytorch"] > 10 * steps["keras"]


def test_update_leaves_the_gradient_alone_and_reset_forgets() -> None:
    for name in OPTIMIZERS:
        opt, p, g = make_optimizer(name, 3), np.zeros(3), np.array([1.0, -2.0, 0.5])
        opt.update(p, g, 0.1)
        assert g.tolist() == [1.0, -2.0, 0.5]
        opt.reset()
        q = np.zeros(3)
        opt.update(q, g, 0.1)
        np.testing.assert_array_equal(p, q)                  # after reset the first step repeats exactly
