"""Concrete set-up changes the doctor offers, each with the share code of the fixed set-up.

A fix is a few setting changes (``activation=leaky_relu``, ``lr=0.003``); :func:`make_fixes`
drops the ones that change nothing or that the set-up's checks refuse, so every offered fix loads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .settings import LEARNING_RATES, SETTINGS, SettingError
from .setup import Setup
from .sharecode import encode, format_value


@dataclass(frozen=True)
class Fix:
    """One ranked cure: the changes, a short label naming them, and the share code of the fixed set-up."""

    label: str
    changes: tuple[tuple[str, Any], ...]
    code: str

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "changes": dict(self.changes), "setup": self.code}


def nice(value: float) -> float:
    """The learning rate of the app's list nearest to ``value`` on a log scale (0.2 → 0.3, 0.004 → 0.003)."""
    if not (value > 0 and math.isfinite(value)):
        return value
    return min(LEARNING_RATES, key=lambda r: abs(math.log(r / value)))


def label_of(changes: dict[str, Any]) -> str:
    """'activation=leaky_relu lr=0.003' (values as share codes write them)."""
    return " ".join(f"{k}={format_value(SETTINGS[k], v)}" for k, v in changes.items())


def make_fixes(setup: Setup, *candidates: dict[str, Any]) -> tuple[Fix, ...]:
    """The candidates (best first) that change ``setup`` and pass its checks, each with its share code."""
    return _fixes(setup, tuple(tuple(c.items()) for c in candidates))


@lru_cache(maxsize=256)
def _fixes(setup: Setup, candidates: tuple[tuple[tuple[str, Any], ...], ...]) -> tuple[Fix, ...]:
    """make_fixes, remembered: the app asks again with each new sample, and checking a set-up is not free."""
    out: list[Fix] = []
    seen: set[Setup] = set()
    for items in candidates:
        changes = dict(items)
        try:
            fixed = setup.with_(**changes).validate()
        except (SettingError, ValueError):
            continue
        if not all(fixed.applies(name) for name in changes):     # e.g. patience on an es run means nothing
            continue
        if fixed == setup or fixed in seen:
            continue
        seen.add(fixed)
        out.append(Fix(label_of(changes), tuple(changes.items()), encode(fixed, files=False)))   # never a path
    return tuple(out)


def within(setup: Setup, fixes: tuple[Fix, ...], pins: Mapping[str, tuple[Any, ...]]) -> tuple[Fix, ...]:
    """The fixes that keep every pinned setting at an allowed value (a lesson's ``lr_in``): a change to a pinned
    setting is left out of its fix, and a fix left with no change goes (lesson 6 pins the rate at 1 and offered
    "activation=leaky_relu lr=0.1", which failed it; "activation=leaky_relu" alone passes: a probe's find)."""
    if not pins:
        return fixes
    kept = tuple(tuple((name, value) for name, value in fix.changes if name not in pins or value in pins[name])
                 for fix in fixes)
    return _fixes(setup, tuple(changes for changes in kept if changes))


def lower_lr(setup: Setup, factor: float = 10.0) -> dict[str, Any]:
    return {"lr": max(1e-5, nice(setup.lr / factor))}


def higher_lr(setup: Setup, factor: float = 10.0) -> dict[str, Any]:
    return {"lr": min(10.0, nice(setup.lr * factor))}


def fewer_layers(setup: Setup, keep: int = 2) -> dict[str, Any]:
    hidden = tuple(setup.hidden[:keep])
    changes: dict[str, Any] = {"hidden": hidden}
    if setup.layer_activations:
        changes["layer_activations"] = tuple(setup.layer_activations[:keep])
    return changes


def activation(setup: Setup, name: str) -> dict[str, Any]:
    changes: dict[str, Any] = {"activation": name}
    if setup.layer_activations:
        changes["layer_activations"] = ()
    return changes


__all__ = ["Fix", "make_fixes", "within", "nice", "label_of", "lower_lr", "higher_lr", "fewer_layers", "activation"]
