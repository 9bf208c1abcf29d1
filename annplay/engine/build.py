"""From a set-up to a run: the data it names, split and transformed, a network and a trainer.

The CLI, the app's session and sweeps all build runs through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .datasets import Dataset, from_points, make_dataset, split
from .features import DEFAULT_FEATURES, apply_features
from .network import MLP
from .settings import SettingError
from .setup import Setup
from .trainers import TrainerProtocol, build_trainer

OUTPUTS = {"binary": "logistic", "multiclass": "softmax", "regression": "linear"}

Point = tuple[float, float, float]      # a drawn point: x1, x2, class


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


def empty_drawing(kind: str = "binary") -> Dataset:
    """A drawn data set with no points yet."""
    return Dataset("drawn", np.zeros((2, 0)), np.zeros(0, dtype=np.int64), kind, ("0", "1"),
                   "points drawn by hand")


def load_dataset(setup: Setup, drawn: tuple[Point, ...] | None = None) -> Dataset:
    """The whole data set the set-up names: hand-drawn points, a CSV file or the registry."""
    if drawn is not None:
        if not drawn:
            return empty_drawing()
        kinds = {int(p[2]) for p in drawn}
        return from_points(drawn, "multiclass" if max(kinds) >= 2 else "binary")
    if setup.csv is not None:
        from .csvdata import load_csv
        return load_csv(Path(setup.csv), x=list(setup.csv_x) if setup.csv_x else None, y=setup.csv_y,
                        points=setup.points, seed=setup.seed)
    return make_dataset(setup.dataset, n=setup.points, noise=setup.noise, seed=setup.seed)


def prepare(setup: Setup, dataset: Dataset | None = None, drawn: tuple[Point, ...] | None = None) -> Prepared:
    """Split the data (stratified, seeded) and apply the input features; drawn points all train."""
    setup.validate()
    ds = dataset if dataset is not None else load_dataset(setup, drawn)
    if ds.m == 2:
        feats = setup.features
    elif tuple(setup.features) != DEFAULT_FEATURES:
        raise SettingError("features", f"input transforms need exactly 2 input columns; this data has "
                                       f"{ds.m} ({', '.join(ds.feature_names)})")
    else:
        feats = ()
    if drawn is not None:
        train, test = ds, ds.subset(np.zeros(0, dtype=np.int64))
    else:
        train, test = split(ds, setup.train_ratio, seed=setup.seed)
    prep = Prepared(ds, train, test, feats, np.empty(0), np.empty(0), np.empty(0), np.empty(0))
    prep.X_train, prep.Y_train = prep.inputs(train.X), train.targets()
    prep.X_test, prep.Y_test = prep.inputs(test.X), test.targets()
    if drawn is not None:
        prep.X_test = np.zeros((prep.X_train.shape[0], 0))
        prep.Y_test = np.zeros((prep.Y_train.shape[0], 0))
    return prep


def build_network(setup: Setup, prep: Prepared, seed: int | None = None) -> MLP:
    """A fresh network shaped for the prepared data: inputs → hidden → output for its kind."""
    ds = prep.dataset
    layers = [prep.X_train.shape[0], *setup.hidden, ds.n_outputs]
    acts = [*setup.hidden_activations(), OUTPUTS[ds.kind]]
    net = MLP(layers, acts, seed=setup.seed if seed is None else seed, dtype=np.dtype(setup.dtype))
    net.meta = {
        "dataset": ds.name, "kind": ds.kind, "class_names": list(ds.class_names),
        "feature_names": list(ds.feature_names), "features": list(prep.features),
        "x_mean": None if ds.x_mean is None else ds.x_mean.ravel().tolist(),
        "x_std": None if ds.x_std is None else ds.x_std.ravel().tolist(),
        "settings": setup.to_dict(),
    }
    return net


def trainer_for(setup: Setup, net: MLP, prep: Prepared, seed: int | None = None) -> TrainerProtocol:
    """A trainer over the prepared train (and test) data with the set-up's settings."""
    return build_trainer(setup, net, prep.X_train, prep.Y_train, prep.X_test, prep.Y_test, seed=seed)


def build(setup: Setup) -> tuple[Prepared, MLP, TrainerProtocol]:
    """Data, network and trainer in one call."""
    prep = prepare(setup)
    net = build_network(setup, prep)
    return prep, net, trainer_for(setup, net, prep)


def model_inputs(net: MLP, X_raw: np.ndarray) -> np.ndarray:
    """Network inputs for raw points (m×n) using the standardisation and features saved in ``net.meta``."""
    meta: dict[str, Any] = net.meta or {}
    X = np.asarray(X_raw, dtype=np.float64)
    if meta.get("x_mean") is not None:
        X = (X - np.asarray(meta["x_mean"]).reshape(-1, 1)) / np.asarray(meta["x_std"]).reshape(-1, 1)
    feats = meta.get("features") or ()
    return apply_features(X, feats) if feats else X


__all__ = ["Prepared", "Point", "OUTPUTS", "empty_drawing", "load_dataset", "prepare", "build_network",
           "trainer_for", "build", "model_inputs"]
