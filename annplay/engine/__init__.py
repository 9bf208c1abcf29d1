"""annplay.engine: a small multilayer-perceptron library on NumPy alone.

One instance per column: X is m×n, Y is r×n; W(ℓ) is r×s; A(ℓ) = g(W(ℓ)A(ℓ−1) + b(ℓ)).
This package never imports Textual or Rich.
"""

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, Activation, get_activation
from .compat import NeuralNetwork, pyann
from .init import INITIALIZERS
from .losses import LOSSES
from .network import MLP
from .optimizers import OPTIMIZERS
from .trainer import Metrics, Trainer

__all__ = [
    "ACTIVATIONS", "HIDDEN_ACTIVATIONS", "Activation", "get_activation",
    "INITIALIZERS", "LOSSES", "OPTIMIZERS",
    "MLP", "Trainer", "Metrics", "pyann", "NeuralNetwork",
]
