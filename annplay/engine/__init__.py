"""annplay.engine: a small multilayer-perceptron library on NumPy alone.

One instance per column: X is m×n, Y is r×n; W(ℓ) is r×s; A(ℓ) = g(W(ℓ)A(ℓ−1) + b(ℓ)).
This package never imports Textual or Rich.

The names below are re-exported lazily (PEP 562 ``__getattr__``): ``from annplay.engine import MLP`` imports
``annplay.engine.network`` only then, so importing one engine module (the app imports ``engine.setup`` first)
does not import all of them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# name → the engine module that defines it (the one list of re-exports; __all__ is its keys)
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("ACTIVATIONS", "HIDDEN_ACTIVATIONS", "Activation", "get_activation"), "activations"),
    **dict.fromkeys(("Prepared", "build", "build_network", "prepare"), "build"),
    **dict.fromkeys(("NeuralNetwork", "pyann"), "compat"),
    **dict.fromkeys(("DataError", "load_csv", "shipped_csv", "shipped_data_dir"), "csvdata"),
    **dict.fromkeys(("DATASETS", "Dataset", "DatasetSpec", "dataset_names", "from_points", "make_dataset",
                     "split"), "datasets"),
    **dict.fromkeys(("DEFAULT_FEATURES", "FEATURES", "apply_features", "parse_features"), "features"),
    "INITIALIZERS": "init",
    "LOSSES": "losses",
    "MLP": "network",
    "OPTIMIZERS": "optimizers",
    **dict.fromkeys(("SETTINGS", "Setting", "SettingError"), "settings"),
    "Setup": "setup",
    **dict.fromkeys(("Metrics", "Trainer"), "trainer"),
}

__all__ = list(_EXPORTS)


class _Engine(types.ModuleType):
    """The package's module type: a submodule imported under a re-exported name (``build``) leaves the name to the
    re-export (the function), as the old eager ``from .build import build`` did."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Engine


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` on first use (and keep the name here)."""
    module = _EXPORTS.get(name)
    if module is None:                  # also how `from annplay.engine import kernels` finds a submodule
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:                       # what mypy and editors see: the same names, eagerly
    from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, Activation, get_activation  # noqa: F401
    from .build import Prepared, build, build_network, prepare  # noqa: F401
    from .compat import NeuralNetwork, pyann  # noqa: F401
    from .csvdata import DataError, load_csv, shipped_csv, shipped_data_dir  # noqa: F401
    from .datasets import DATASETS, Dataset, DatasetSpec, dataset_names, from_points, make_dataset, split  # noqa: F401
    from .features import DEFAULT_FEATURES, FEATURES, apply_features, parse_features  # noqa: F401
    from .init import INITIALIZERS  # noqa: F401
    from .losses import LOSSES  # noqa: F401
    from .network import MLP  # noqa: F401
    from .optimizers import OPTIMIZERS  # noqa: F401
    from .settings import SETTINGS, Setting, SettingError  # noqa: F401
    from .setup import Setup  # noqa: F401
    from .trainer import Metrics, Trainer  # noqa: F401
