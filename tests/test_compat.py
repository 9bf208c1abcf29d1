"""The two original designs' APIs: pyann and NeuralNetwork."""

from __future__ import annotations

import re

import numpy as np
import pytest

from annplay.engine import MLP, NeuralNetwork, pyann


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- pyann ---------------------------------------------------------------------------------

def xor_data():
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0]], dtype=float)
    return X, Y


def test_pyann_is_an_mlp_with_the_original_signature() -> None:
    net = pyann([2, 50, 50, 50, 1], ["relu"] * 4 + ["logistic"])
    assert isinstance(net, MLP)
    assert net.layers == [2, 50, 50, 50, 1]
    assert [a.name for a in net.activations] == ["relu", "relu", "relu", "logistic"]
    assert net.loss_name == "bce"


def test_pyann_fit_prints_the_loss_every_printfreq_epochs(capsys) -> None:
    X, Y = xor_data()
    net = pyann([2, 4, 1], ["tanh", "tanh", "logistic"], seed=0)
    history = net.fit(X, Y, 1500, 0.5, printfreq=500)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for line, epoch in zip(lines, (500, 1000, 1500)):
        assert re.fullmatch(rf"epoch {epoch}: loss \d+\.\d+", line), line
        printed = float(line.rsplit(" ", 1)[1])
        assert printed == pytest.approx(history["loss"][epoch - 1], abs=1e-6)
    assert len(history["loss"]) == 1500


def test_pyann_fit_prints_every_500_epochs_by_default(capsys) -> None:
    X, Y = xor_data()
    net = pyann([2, 3, 1], ["tanh", "tanh", "logistic"], seed=0)
    net.fit(X, Y, 1000, 0.1)
    out = capsys.readouterr().out
    assert [int(e) for e in re.findall(r"epoch (\d+):", out)] == [500, 1000]


def test_pyann_fit_printfreq_zero_is_silent(capsys) -> None:
    X, Y = xor_data()
    pyann([2, 3, 1], ["tanh", "tanh", "logistic"], seed=0).fit(X, Y, 20, 0.1, printfreq=0)
    assert capsys.readouterr().out == ""


def test_pyann_forward_works() -> None:
    X, Y = xor_data()
    net = pyann([2, 4, 1], ["tanh", "tanh", "logistic"], seed=0)
    out = net.forward(X)
    assert out.shape == (1, 4) and np.all((out > 0) & (out < 1))
    H = np.tanh(net.weights[0] @ X + net.biases[0])
    np.testing.assert_allclose(out, _sigmoid(net.weights[1] @ H + net.biases[1]), rtol=1e-12)
    net.fit(X, Y, 2000, 1.0, printfreq=0)
    np.testing.assert_array_equal(net.forward(X) > 0.5, Y > 0.5)


# --- NeuralNetwork ---------------------------------------------------------------------------

def test_neural_network_attribute_shapes() -> None:
    nn = NeuralNetwork(3, 5, 2, seed=0)
    assert nn.inputHiddenWeights.shape == (3, 5)
    assert nn.hiddenOutputWeights.shape == (5, 2)
    assert nn.hiddenBias.shape == (5, 1)
    assert nn.outputBias.shape == (2, 1)
    assert (nn.numInput, nn.numHidden, nn.numOutput) == (3, 5, 2)
    assert [a.name for a in nn.activations] == ["logistic", "logistic"]


def test_neural_network_weights_are_standard_normal() -> None:
    nn = NeuralNetwork(60, 60, 10, seed=1)
    w = nn.get_flat()
    assert w.mean() == pytest.approx(0.0, abs=0.05)
    assert w.std() == pytest.approx(1.0, rel=0.05)


def _hand_predict(nn: NeuralNetwork, x: np.ndarray) -> np.ndarray:
    hidden = _sigmoid(x @ nn.inputHiddenWeights + nn.hiddenBias[:, 0])
    return _sigmoid(hidden @ nn.hiddenOutputWeights + nn.outputBias[:, 0])


def test_neural_network_predict_one_vector_matches_hand_computation() -> None:
    nn = NeuralNetwork(3, 4, 2, seed=2)
    x = np.array([0.5, -1.0, 2.0])
    out = nn.predict(x)
    assert out.shape == (2,)
    np.testing.assert_allclose(out, _hand_predict(nn, x), rtol=1e-12)
    assert nn.predict([0.5, -1.0, 2.0]).shape == (2,)        # a plain list works too
    X = np.array([[0.5, 1.0], [-1.0, 0.0], [2.0, 3.0]])       # m×n: one column per input
    np.testing.assert_allclose(nn.predict(X)[:, 0], out, rtol=1e-12)


def test_neural_network_writes_take_effect_on_the_next_predict() -> None:
    nn = NeuralNetwork(2, 3, 1, seed=0)
    x = np.array([1.0, -0.5])
    before = nn.predict(x).copy()

    nn.inputHiddenWeights = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])        # whole
    np.testing.assert_array_equal(nn.weights[0], [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])
    after_whole = nn.predict(x).copy()
    assert not np.allclose(after_whole, before)
    np.testing.assert_allclose(after_whole, _hand_predict(nn, x), rtol=1e-12)

    nn.inputHiddenWeights[1, 2] = -3.0                                            # element
    assert nn.weights[0][2, 1] == -3.0
    nn.hiddenOutputWeights[0, 0] = 2.5
    nn.hiddenBias[1, 0] = 0.75
    nn.outputBias[0, 0] = -1.0
    after_elements = nn.predict(x)
    assert not np.allclose(after_elements, after_whole)
    np.testing.assert_allclose(after_elements, _hand_predict(nn, x), rtol=1e-12)
    hidden = _sigmoid(np.array([1.0 * 0.1 - 0.5 * 0.4, 1.0 * 0.2 - 0.5 * 0.5, 1.0 * 0.3 + 0.5 * 3.0])
                      + nn.hiddenBias[:, 0])
    expected = _sigmoid(hidden @ nn.hiddenOutputWeights[:, 0] - 1.0)
    assert after_elements[0] == pytest.approx(expected, rel=1e-12)

    nn.hiddenOutputWeights = np.ones((3, 1))
    nn.hiddenBias = np.zeros((3, 1))
    nn.outputBias = np.array([[0.5]])
    np.testing.assert_allclose(nn.predict(x), _hand_predict(nn, x), rtol=1e-12)
    assert nn.biases[1][0, 0] == 0.5


def test_neural_network_writes_check_the_shape() -> None:
    nn = NeuralNetwork(2, 3, 1, seed=0)
    before = nn.get_flat()
    with pytest.raises(ValueError, match=r"inputHiddenWeights has shape \(2, 3\); got shape \(3, 2\)"):
        nn.inputHiddenWeights = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"hiddenBias has shape \(3, 1\)"):
        nn.hiddenBias = np.zeros(3)
    with pytest.raises(ValueError, match="outputBias must be finite"):
        nn.outputBias = [[np.nan]]
    np.testing.assert_array_equal(nn.get_flat(), before)


def test_neural_network_can_be_trained_with_fit() -> None:
    nn = NeuralNetwork(2, 4, 1, seed=0)
    X, Y = xor_data()
    start = nn.loss(X, Y)
    nn.fit(X, Y, 200, 2.0)
    assert nn.loss(X, Y) < start
