"""An experiment: every setting a person can choose, and how they become data, a network and a trainer.

The CLI and the playground both build their runs through :class:`Experiment`,
so a setting means the same in both, and the lists of choices live here once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from .activations import HIDDEN_ACTIVATIONS, get_activation
from .datasets import DATASETS, Dataset, check_noise, check_train_ratio, make_dataset, split
from .features import DEFAULT_FEATURES, FEATURES, apply_features, parse_features
from .network import MLP
from .optimizers import OPTIMIZERS
from .evolution import METHODS as EVOLUTION_METHODS, EvolutionTrainer
from .trainer import Trainer, check_lr

# TF Playground's learning-rate ladder, and its regularisation-rate ladder.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATIONS = ("none", "l1", "l2")
BATCH_SIZES = (1, 2, 5, 10, 16, 20, 25, 30, 32, 50, 64, 100, 128, 256)
TRAINERS = {"backprop": "Back-propagation with gradient descent", **EVOLUTION_METHODS}
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8 * 8          # per layer: plenty for a playground, still fast on a phone
OUTPUTS = {"binary": "logistic", "multiclass": "softmax", "regression": "linear"}


@dataclass
class Prepared:
    """Data ready for a network: the chosen inputs of train and test, and what is needed to plot them."""

    dataset: Dataset                 # all points (2-D for the plot when m == 2)
    train: Dataset
    test: Dataset
    features: tuple[str, ...]        # input transforms applied to 2-D data; () for wider data
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray

    @property
    def kind(self) -> str:
        return self.dataset.kind

    @property
    def plottable(self) -> bool:
        """True when the raw data is 2-D, so a decision boundary can be drawn."""
        return self.dataset.m == 2

    def inputs(self, X_raw: np.ndarray) -> np.ndarray:
        """Network inputs for raw (standardised) points X (m×n): applies the feature transforms."""
        return apply_features(X_raw, self.features) if self.features else np.asarray(X_raw, float)


@dataclass
class Experiment:
    """All settings of one run, validated: the CLI's flags and the playground's controls."""

    dataset: str = "spiral"
    n: int | None = None
    noise: float = 0.0
    train_ratio: float = 50.0
    features: tuple[str, ...] = DEFAULT_FEATURES
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    layer_activations: tuple[str | None, ...] = ()   # per hidden layer; None = the global one
    lr: float = 0.03
    batch_size: int | None = 10
    optimizer: str = "sgd"
    regularization: str = "none"
    reg_rate: float = 0.0
    seed: int = 0
    trainer: str = "backprop"        # or a neuroevolution method: "ga", "es"
    population: int | None = None    # neuroevolution: individuals per generation (None: the method's default)
    sigma: float | None = None       # neuroevolution: mutation step size (None: the method's default)
    dtype: str = "float64"
    csv: str | None = None
    csv_x: tuple[str, ...] | None = None
    csv_y: str | None = None
    points: tuple[tuple[float, float, float], ...] = field(default=(), repr=False)   # drawn by hand

    # --- checking ------------------------------------------------------------------

    def validate(self) -> "Experiment":
        """Raise ValueError naming the first bad setting and what is allowed; return self."""
        if self.csv is None and self.dataset not in DATASETS and self.dataset != "drawn":
            raise ValueError(f"dataset: unknown {self.dataset!r}; choose one of: {', '.join(DATASETS)}")
        check_noise(self.noise)
        check_train_ratio(self.train_ratio)
        self.features = parse_features(self.features)
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"layers: at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.hidden)}")
        for size in self.hidden:
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= MAX_NEURONS:
                raise ValueError(f"layers: each hidden layer needs 1 to {MAX_NEURONS} neurons, got {size!r}")
        for name in (self.activation, *[a for a in self.layer_activations if a]):
            act = get_activation(name)
            if act.spec.output_only:
                raise ValueError(f"activation: {act.name} is for output layers only; choose one of: "
                                 f"{', '.join(HIDDEN_ACTIVATIONS)}")
        if len(self.layer_activations) not in (0, len(self.hidden)):
            raise ValueError(f"layer activations: give one per hidden layer ({len(self.hidden)}), "
                             f"got {len(self.layer_activations)}")
        try:
            check_lr(self.lr)
        except ValueError:
            raise ValueError(f"lr: the learning rate must be a finite number > 0, got {self.lr!r}") from None
        if self.batch_size is not None and (isinstance(self.batch_size, bool) or
                                            not isinstance(self.batch_size, (int, np.integer)) or self.batch_size < 1):
            raise ValueError(f"batch size: a whole number ≥ 1, got {self.batch_size!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer: unknown {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if self.regularization not in REGULARIZATIONS:
            raise ValueError(f"regularization: unknown {self.regularization!r}; choose one of: "
                             f"{', '.join(REGULARIZATIONS)}")
        if not (isinstance(self.reg_rate, (int, float)) and math.isfinite(self.reg_rate) and self.reg_rate >= 0):
            raise ValueError(f"regularization rate: a finite number ≥ 0, got {self.reg_rate!r}")
        if self.trainer not in TRAINERS:
            raise ValueError(f"trainer: unknown {self.trainer!r}; choose one of: {', '.join(TRAINERS)}")
        if self.trainer == "backprop":
            for name in self.hidden_activations():
                if not get_activation(name).spec.trainable_by_backprop:
                    raise ValueError(f"activation: {name} has no useful gradient, so back-propagation "
                                     f"cannot train it; choose a neuroevolution trainer (ga or es)")
        if self.population is not None and (isinstance(self.population, bool) or
                                            not isinstance(self.population, (int, np.integer)) or
                                            not 4 <= self.population <= 10_000):
            raise ValueError(f"population: a whole number from 4 to 10000, got {self.population!r}")
        if self.sigma is not None and not (isinstance(self.sigma, (int, float)) and math.isfinite(self.sigma)
                                           and self.sigma > 0):
            raise ValueError(f"sigma: a finite number > 0, got {self.sigma!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype: float32 or float64, got {self.dtype!r}")
        return self

    def with_(self, **changes: Any) -> "Experiment":
        """A validated copy with some settings changed (the original is untouched)."""
        return replace(self, **changes).validate()

    def hidden_activations(self) -> list[str]:
        """The activation of each hidden layer (per-layer overrides win over the global one)."""
        per = list(self.layer_activations) or [None] * len(self.hidden)
        return [a or self.activation for a in per]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe settings (for --json output and the model's metadata)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "points"}
        out["features"] = list(self.features)
        out["hidden"] = list(self.hidden)
        out["layer_activations"] = list(self.layer_activations)
        out["csv_x"] = list(self.csv_x) if self.csv_x else None
        return out

    # --- building ------------------------------------------------------------------

    def load_dataset(self) -> Dataset:
        """The whole data set these settings name (CSV, drawn points or the registry)."""
        if self.csv is not None:
            from .csvdata import load_csv
            return load_csv(Path(self.csv), x=list(self.csv_x) if self.csv_x else None, y=self.csv_y)
        if self.dataset == "drawn":
            from .datasets import from_points
            kinds = {int(p[2]) for p in self.points}
            return from_points(self.points, "multiclass" if max(kinds, default=0) >= 2 else "binary")
        return make_dataset(self.dataset, n=self.n, noise=self.noise, seed=self.seed)

    def prepare(self, dataset: Dataset | None = None) -> Prepared:
        """Split the data (stratified, seeded) and apply the input features."""
        self.validate()
        ds = dataset if dataset is not None else self.load_dataset()
        if ds.m == 2:
            feats = self.features
        elif tuple(self.features) != DEFAULT_FEATURES:
            raise ValueError(f"features: input transforms need exactly 2 input columns; this data has "
                             f"{ds.m} ({', '.join(ds.feature_names)})")
        else:
            feats = ()
        train, test = split(ds, self.train_ratio, seed=self.seed)
        prep = Prepared(ds, train, test, feats, np.empty(0), np.empty(0), np.empty(0), np.empty(0))
        prep.X_train, prep.Y_train = prep.inputs(train.X), train.targets()
        prep.X_test, prep.Y_test = prep.inputs(test.X), test.targets()
        return prep

    def build_network(self, prep: Prepared) -> MLP:
        """A fresh network shaped for the prepared data: inputs → hidden → output for its kind."""
        ds = prep.dataset
        layers = [prep.X_train.shape[0], *self.hidden, ds.n_outputs]
        acts = [*self.hidden_activations(), OUTPUTS[ds.kind]]
        net = MLP(layers, acts, seed=self.seed, dtype=np.dtype(self.dtype))
        net.meta = {
            "dataset": ds.name, "kind": ds.kind, "class_names": list(ds.class_names),
            "feature_names": list(ds.feature_names), "features": list(prep.features),
            "x_mean": None if ds.x_mean is None else ds.x_mean.ravel().tolist(),
            "x_std": None if ds.x_std is None else ds.x_std.ravel().tolist(),
            "settings": self.to_dict(),
        }
        return net

    def build_trainer(self, net: MLP, prep: Prepared) -> Trainer | EvolutionTrainer:
        """A trainer over the prepared train (and test) data with these settings."""
        if self.trainer != "backprop":
            return EvolutionTrainer(net, prep.X_train, prep.Y_train, prep.X_test, prep.Y_test,
                                    method=self.trainer, population=self.population, sigma=self.sigma,
                                    seed=self.seed)
        l1 = self.reg_rate if self.regularization == "l1" else 0.0
        l2 = self.reg_rate if self.regularization == "l2" else 0.0
        return Trainer(net, prep.X_train, prep.Y_train, prep.X_test, prep.Y_test, lr=self.lr,
                       batch_size=self.batch_size, optimizer=self.optimizer, l1=l1, l2=l2, seed=self.seed)

    def build(self) -> tuple[Prepared, MLP, Trainer | EvolutionTrainer]:
        """Data, network and trainer in one call."""
        prep = self.prepare()
        net = self.build_network(prep)
        return prep, net, self.build_trainer(net, prep)


def model_inputs(net: MLP, X_raw: np.ndarray) -> np.ndarray:
    """Network inputs for raw points (m×n) using the standardisation and features saved in ``net.meta``."""
    meta = net.meta or {}
    X = np.asarray(X_raw, dtype=np.float64)
    if meta.get("x_mean") is not None:
        X = (X - np.asarray(meta["x_mean"]).reshape(-1, 1)) / np.asarray(meta["x_std"]).reshape(-1, 1)
    feats = meta.get("features") or ()
    return apply_features(X, feats) if feats else X


__all__ = ["Experiment", "Prepared", "LEARNING_RATES", "REG_RATES", "REGULARIZATIONS", "BATCH_SIZES",
           "TRAINERS", "FEATURES", "model_inputs"]
