"""The two original designs' APIs, kept so their sample code runs unchanged.

* ``pyann(layers, activators)``: ``.fit(X, Y, epochs, lr, printfreq=500)`` and ``.forward(X)``.
* ``NeuralNetwork(numInput, numHidden, numOutput)``: one logistic hidden layer,
  random-normal weights, ``.predict(input)`` for one input vector, and weight
  attributes in the original's (input-major) orientation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .network import MLP, assign_checked

Array = np.ndarray


class pyann(MLP):  # noqa: N801  (the original design's name)
    """The first design: ``pyann([2,50,50,50,1], ["relu"]*4 + ["logistic"])``."""

    def __init__(self, layers: Sequence[int], activators: Any, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(layers, activators, seed=seed, **kwargs)

    def fit(self, X: Any, Y: Any, epochs: int, lr: float, printfreq: int = 500, **options: Any) -> dict:
        """Full-batch gradient descent, printing the loss every ``printfreq`` epochs."""
        return super().fit(X, Y, epochs, lr, printfreq=printfreq, **options)


class NeuralNetwork(MLP):
    """The second design: one hidden layer, logistic activations, N(0, 1) initial weights.

    ``inputHiddenWeights`` is numInput×numHidden and ``hiddenOutputWeights``
    numHidden×numOutput (the transposes of ``weights[0]`` and ``weights[1]``);
    ``hiddenBias`` is numHidden×1 and ``outputBias`` numOutput×1.  They are live
    views: writing to them (whole or element-wise) changes the next ``predict``.
    """

    def __init__(self, numInput: int, numHidden: int, numOutput: int, seed: int | None = None) -> None:  # noqa: N803
        super().__init__([numInput, numHidden, numOutput], ["logistic", "logistic"], loss="mse", seed=seed)
        rng = np.random.default_rng(seed)
        self.set_flat(rng.standard_normal(self.n_params))
        self.numInput, self.numHidden, self.numOutput = numInput, numHidden, numOutput

    def predict(self, input: Any) -> Array:  # noqa: A002  (the original's parameter name)
        """Outputs for one input vector (numOutput,), or numOutput×n for an m×n matrix."""
        x = np.asarray(input, dtype=float)
        if x.ndim == 1:
            return self.forward(x.reshape(-1, 1))[:, 0]
        return self.forward(x)

    @property
    def inputHiddenWeights(self) -> Array:  # noqa: N802
        return self.weights[0].T

    @inputHiddenWeights.setter
    def inputHiddenWeights(self, value: Any) -> None:  # noqa: N802
        assign_checked(self.weights[0].T, value, "inputHiddenWeights")

    @property
    def hiddenOutputWeights(self) -> Array:  # noqa: N802
        return self.weights[1].T

    @hiddenOutputWeights.setter
    def hiddenOutputWeights(self, value: Any) -> None:  # noqa: N802
        assign_checked(self.weights[1].T, value, "hiddenOutputWeights")

    @property
    def hiddenBias(self) -> Array:  # noqa: N802
        return self.biases[0]

    @hiddenBias.setter
    def hiddenBias(self, value: Any) -> None:  # noqa: N802
        assign_checked(self.biases[0], value, "hiddenBias")

    @property
    def outputBias(self) -> Array:  # noqa: N802
        return self.biases[1]

    @outputBias.setter
    def outputBias(self, value: Any) -> None:  # noqa: N802
        assign_checked(self.biases[1], value, "outputBias")
