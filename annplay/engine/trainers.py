"""The trainer registry: back-propagation and the neuroevolution methods behind one protocol.

Every trainer steps, reports :class:`Metrics`, takes new data and takes live changes through
``configure``; nothing outside the engine asks which class it has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from .evolution import METHODS, EvolutionTrainer
from .network import MLP
from .trainer import LIVE_OPTIONS, Metrics, Trainer


class TrainerProtocol(Protocol):
    """What the CLI, the session and sweeps need from any trainer."""

    family: ClassVar[str]        # "backprop" | "evolution"
    unit: ClassVar[str]          # "epoch" | "generation"
    net: MLP
    epoch: int
    state: str
    message: str

    def step(self, epochs: int = 1, *, metrics: bool = True, deadline: float | None = None) -> Metrics | None: ...
    @property
    def mid_epoch(self) -> bool: ...
    def metrics(self, columns: int | None = None) -> Metrics: ...
    def set_data(self, X: Any, Y: Any, X_test: Any = None, Y_test: Any = None) -> None: ...
    def reset_optimizer(self) -> None: ...
    def configure(self, **changes: Any) -> None: ...


@dataclass(frozen=True)
class TrainerSpec:
    """One registry entry: its name, family, description and how its live options come from a set-up."""

    name: str
    family: str
    description: str
    build: Callable[..., TrainerProtocol]


def _backprop(net: MLP, X: Any, Y: Any, X_test: Any, Y_test: Any, options: dict[str, Any],
              seed: int, patience: int | None) -> TrainerProtocol:
    opts = dict(options)
    optimizer = opts.pop("optimizer")
    hyper = {k: opts.pop(k) for k in list(opts) if k not in LIVE_OPTIONS}
    val = patience is not None and X_test is not None and np.asarray(X_test).size > 0   # patience watches test
    return Trainer(net, X, Y, X_test, Y_test, optimizer=optimizer, optimizer_options=hyper, seed=seed,
                   patience=patience, X_val=X_test if val else None, Y_val=Y_test if val else None, **opts)


def _evolution(method: str) -> Callable[..., TrainerProtocol]:
    def build(net: MLP, X: Any, Y: Any, X_test: Any, Y_test: Any, options: dict[str, Any],
              seed: int, patience: int | None) -> TrainerProtocol:
        return EvolutionTrainer(net, X, Y, X_test, Y_test, method=method, seed=seed, **options)
    return build


TRAINERS: dict[str, TrainerSpec] = {
    "backprop": TrainerSpec("backprop", "backprop", "Back-propagation with gradient descent", _backprop),
    **{name: TrainerSpec(name, "evolution", text, _evolution(name)) for name, text in METHODS.items()},
}


def live_options(setup: Any) -> dict[str, Any]:
    """The keyword options of the set-up's trainer that can change between steps (``configure``)."""
    if TRAINERS[setup.trainer].family == "evolution":
        return {"population": setup.population, "sigma": setup.sigma}
    options: dict[str, Any] = {
        "lr": setup.lr, "batch_size": setup.batch_size, "optimizer": setup.optimizer,
        "l1": setup.reg_rate if setup.regularization == "l1" else 0.0,
        "l2": setup.reg_rate if setup.regularization == "l2" else 0.0,
        "dropout": setup.dropout,
    }
    if setup.optimizer == "momentum":
        options.update(beta=setup.momentum, nesterov=setup.nesterov)
    elif setup.optimizer == "adam":
        options.update(beta1=setup.beta1, beta2=setup.beta2, eps=setup.eps)
    return options


def build_trainer(setup: Any, net: MLP, X: Any, Y: Any, X_test: Any = None, Y_test: Any = None,
                  *, seed: int | None = None) -> TrainerProtocol:
    """A trainer for ``setup`` over the given data (``seed`` defaults to the set-up's)."""
    spec = TRAINERS[setup.trainer]
    return spec.build(net, X, Y, X_test, Y_test, live_options(setup),
                      setup.seed if seed is None else seed, setup.patience)


__all__ = ["TRAINERS", "TrainerSpec", "TrainerProtocol", "live_options", "build_trainer"]
