"""annplay.engine: a small multilayer-perceptron library on NumPy alone.

One instance per column: X is m×n, Y is r×n; W(ℓ) is r×s; A(ℓ) = g(W(ℓ)A(ℓ−1) + b(ℓ)).
This package never imports Textual or Rich.
"""

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, Activation, get_activation
from .build import Prepared, build, build_network, prepare
from .compat import NeuralNetwork, pyann
from .csvdata import DataError, load_csv, shipped_csv, shipped_data_dir
from .datasets import DATASETS, Dataset, DatasetSpec, dataset_names, from_points, make_dataset, split
from .features import DEFAULT_FEATURES, FEATURES, apply_features, parse_features
from .init import INITIALIZERS
from .losses import LOSSES
from .network import MLP
from .optimizers import OPTIMIZERS
from .settings import SETTINGS, Setting, SettingError
from .setup import Setup
from .trainer import Metrics, Trainer

__all__ = [
    "ACTIVATIONS", "HIDDEN_ACTIVATIONS", "Activation", "get_activation",
    "INITIALIZERS", "LOSSES", "OPTIMIZERS",
    "MLP", "Trainer", "Metrics", "pyann", "NeuralNetwork",
    "SETTINGS", "Setting", "SettingError", "Setup", "Prepared", "build", "build_network", "prepare",
    "DATASETS", "Dataset", "DatasetSpec", "dataset_names", "make_dataset", "split", "from_points",
    "FEATURES", "DEFAULT_FEATURES", "apply_features", "parse_features",
    "DataError", "load_csv", "shipped_csv", "shipped_data_dir",
]
