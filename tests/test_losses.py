"""Loss and penalty scaling against PyTorch and scikit-learn (issue 11, item 11).

- MSE is ½ · (sum over outputs) · (mean over instances): r/2 times ``torch.nn.MSELoss()``.
- BCE is summed over outputs (and averaged over instances): r times ``BCEWithLogitsLoss()``.
- ``l2=λ`` adds λ·W to the gradient of each batch: PyTorch's ``weight_decay=λ`` on weights only;
  scikit-learn's ``alpha`` equals l2 × batch size.
The reference formulas are written out, and the libraries are checked too when installed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from annplay.engine import MLP, Trainer
from annplay.engine.losses import bce_from_logits, mse


def sample(r: int, n: int = 9, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(r, n)), rng.normal(size=(r, n)), (rng.random((r, n)) < 0.5).astype(float)


@pytest.mark.parametrize("r", [1, 2, 5])
def test_mse_is_r_over_2_times_the_mean_over_every_element(r: int) -> None:
    a, y, _ = sample(r)
    torch_style = np.mean((a - y) ** 2)                      # torch.nn.MSELoss(): mean over n·r elements
    assert mse(a, y) == pytest.approx(r / 2 * torch_style, rel=1e-13)


@pytest.mark.parametrize("r", [1, 3])
def test_bce_is_summed_over_outputs(r: int) -> None:
    z, _, y = sample(r)
    p = 1 / (1 + np.exp(-z))
    torch_style = np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))    # BCEWithLogitsLoss(): mean of all
    assert bce_from_logits(z, y) == pytest.approx(r * torch_style, rel=1e-12)


@pytest.mark.parametrize("r", [1, 3])
def test_the_scale_factors_against_torch(r: int) -> None:
    torch = pytest.importorskip("torch")
    a, y, labels = sample(r)
    ours_mse, ours_bce = mse(a, y), bce_from_logits(a, labels)
    theirs_mse = float(torch.nn.MSELoss()(torch.tensor(a), torch.tensor(y)))
    theirs_bce = float(torch.nn.BCEWithLogitsLoss()(torch.tensor(a), torch.tensor(labels)))
    assert ours_mse == pytest.approx(r / 2 * theirs_mse, rel=1e-12)
    assert ours_bce == pytest.approx(r * theirs_bce, rel=1e-12)


def one_l2_step(l2: float, lr: float, batch: int | None = None) -> tuple[MLP, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(3, 8)), rng.normal(size=(1, 8))
    net = MLP([3, 4, 1], ["tanh", "linear"], loss="mse", seed=2)
    start = net.get_flat()
    Trainer(net, X, Y, lr=lr, l2=l2, batch_size=batch, shuffle=False).step(1, metrics=False)
    return net, start, X, Y


def test_l2_adds_lambda_w_to_the_batch_gradient_of_weights_only() -> None:
    lam, lr = 0.3, 0.1
    net, start, X, Y = one_l2_step(lam, lr)
    ref = MLP([3, 4, 1], ["tanh", "linear"], loss="mse", seed=2)
    _, g = ref.backprop(X, Y)
    np.testing.assert_allclose(net.get_flat(), start - lr * (g + lam * start * net._weight_mask), rtol=1e-13)


def test_l2_is_torch_weight_decay_on_the_weights_only() -> None:
    torch = pytest.importorskip("torch")
    lam, lr = 0.3, 0.1
    net, _, X, Y = one_l2_step(lam, lr)
    ref = MLP([3, 4, 1], ["tanh", "linear"], loss="mse", seed=2)
    layers = [torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.Tanh(), torch.nn.Linear(4, 1, dtype=torch.float64)]
    with torch.no_grad():
        for lin, W, b in zip(layers[::2], ref.weights, ref.biases, strict=True):
            lin.weight.copy_(torch.tensor(W))
            lin.bias.copy_(torch.tensor(b[:, 0]))
    model = torch.nn.Sequential(*layers)
    weights = [lin.weight for lin in layers[::2]]
    biases = [lin.bias for lin in layers[::2]]
    opt = torch.optim.SGD([{"params": weights, "weight_decay": lam}, {"params": biases, "weight_decay": 0.0}], lr=lr)
    loss = 0.5 * torch.nn.MSELoss()(model(torch.tensor(X.T)), torch.tensor(Y.T))     # r/2 = ½ for one output
    loss.backward()
    opt.step()
    for lin, W, b in zip(layers[::2], net.weights, net.biases, strict=True):
        np.testing.assert_allclose(lin.weight.detach().numpy(), W, rtol=1e-12)
        np.testing.assert_allclose(lin.bias.detach().numpy(), b[:, 0], rtol=1e-12)


def test_sklearn_alpha_is_l2_times_the_batch_size() -> None:
    neural = pytest.importorskip("sklearn.neural_network")
    lam, lr, batch = 0.05, 0.1, 4
    net, _, X, Y = one_l2_step(lam, lr, batch)
    ref = MLP([3, 4, 1], ["tanh", "linear"], loss="mse", seed=2)
    skl = neural.MLPRegressor(hidden_layer_sizes=(4,), activation="tanh", solver="sgd", alpha=lam * batch,
                              batch_size=batch, learning_rate_init=lr, momentum=0.0, shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        skl.partial_fit(X.T, Y[0])                           # builds its arrays; then start from our weights
        skl.coefs_ = [W.T.copy() for W in ref.weights]
        skl.intercepts_ = [b[:, 0].copy() for b in ref.biases]
        skl.partial_fit(X.T, Y[0])                           # one epoch of two batches, no shuffle
    for W, b, cW, cb in zip(net.weights, net.biases, skl.coefs_, skl.intercepts_, strict=True):
        np.testing.assert_allclose(cW.T, W, rtol=1e-10)
        np.testing.assert_allclose(cb, b[:, 0], rtol=1e-10)


def test_a_nan_logit_gives_a_nan_loss_not_zero() -> None:
    """max(0.0, nan) is 0.0: a diverged float32 net read as a perfect one (loss 0.0000) until NaN was kept."""
    import math

    from annplay.engine.losses import bce_from_logits

    with np.errstate(invalid="ignore"):                     # inf − inf, on purpose
        assert math.isnan(bce_from_logits(np.array([[np.nan, 1.0]]), np.array([[0.0, 1.0]])))
        assert math.isnan(bce_from_logits(np.array([[np.inf, 1.0]]), np.array([[1.0, 1.0]])))
    assert bce_from_logits(np.array([[40.0, -40.0]]), np.array([[1.0, 0.0]])) >= 0.0
