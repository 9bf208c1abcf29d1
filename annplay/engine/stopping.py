"""Stop rules: why a run should stop now, from its set-up and its latest metrics (one pure function).

The app, the CLI and sweeps share it, so each says the same words for the same condition.
Early stopping by patience is the trainer's own ``stopped`` state; this function only names it.
"""

from __future__ import annotations

import math
from typing import Any

from .trainers import TRAINERS


def _unit(setup: Any, count: int) -> str:
    """'epoch(s)' for back-propagation, 'generation(s)' for neuroevolution."""
    spec = TRAINERS.get(setup.trainer)
    word = "generation" if spec is not None and spec.family == "evolution" else "epoch"
    return word if count == 1 else word + "s"


def _loss(metrics: Any) -> tuple[str, float | None]:
    """The loss the goal is judged on: test loss, or train loss when there is no test set."""
    if metrics.test_loss is not None:
        return "test loss", metrics.test_loss
    return "train loss", metrics.train_loss


def _accuracy(metrics: Any) -> tuple[str, float | None]:
    """The accuracy (a fraction) the goal is judged on: test, or train when there is no test set."""
    if metrics.test_acc is not None:
        return "test accuracy", metrics.test_acc
    return "train accuracy", metrics.train_acc


def stop_reason(setup: Any, metrics: Any) -> str | None:
    """Why training should stop after ``metrics`` (e.g. "test loss 0.098 ≤ goal 0.1"), or None to go on.

    Checked in this order: divergence, the trainer's early stop (patience), the goal loss, the
    goal accuracy, the epoch limit, so the most telling reason is the one shown.
    """
    state = getattr(metrics, "state", "running")
    if state == "diverged":
        return "diverged: the loss is no longer finite"
    if state == "stopped":
        patience = getattr(setup, "patience", None)
        if patience is not None:
            return f"test loss not improved for {patience} {_unit(setup, patience)}"
        return "stopped early"
    if setup.target_loss is not None:
        name, loss = _loss(metrics)
        if loss is not None and math.isfinite(loss) and loss <= setup.target_loss:
            return f"{name} {loss:.3g} ≤ goal {setup.target_loss:g}"
    if setup.target_acc is not None:
        name, acc = _accuracy(metrics)
        if acc is not None and math.isfinite(acc) and acc * 100 >= setup.target_acc:
            return f"{name} {acc * 100:.3g} % ≥ goal {setup.target_acc:g} %"
    if setup.epochs is not None and metrics.epoch >= setup.epochs:
        return f"reached {setup.epochs} {_unit(setup, setup.epochs)}"
    return None


def needs_every_epoch(setup: Any) -> bool:
    """True when a goal is set, so a loop must check after every epoch to stop at the same one each time."""
    return setup.target_loss is not None or setup.target_acc is not None


__all__ = ["stop_reason", "needs_every_epoch"]
