"""Stop rules: each condition fires at its threshold, says why in words, and the most telling one wins."""

from __future__ import annotations

import math

import pytest

from annplay.engine.setup import Setup
from annplay.engine.stopping import needs_every_epoch, stop_reason
from annplay.engine.trainer import Metrics


def metrics(epoch: int = 10, test_loss: float | None = 0.5, test_acc: float | None = 0.5,
            state: str = "running", train_loss: float = 0.4, train_acc: float | None = 0.6) -> Metrics:
    return Metrics(epoch, train_loss, test_loss, train_acc, test_acc, state)


def test_nothing_set_never_stops() -> None:
    assert stop_reason(Setup(), metrics(epoch=10**6, test_loss=0.0, test_acc=1.0)) is None


def test_epoch_limit() -> None:
    setup = Setup(epochs=1000)
    assert stop_reason(setup, metrics(epoch=999)) is None
    assert stop_reason(setup, metrics(epoch=1000)) == "reached 1000 epochs"
    assert stop_reason(Setup(epochs=1), metrics(epoch=1)) == "reached 1 epoch"
    assert stop_reason(Setup(epochs=50, trainer="ga"), metrics(epoch=50)) == "reached 50 generations"


def test_goal_loss() -> None:
    setup = Setup(target_loss=0.1)
    assert stop_reason(setup, metrics(test_loss=0.1001)) is None
    assert stop_reason(setup, metrics(test_loss=0.098)) == "test loss 0.098 ≤ goal 0.1"
    assert stop_reason(setup, metrics(test_loss=0.1)) == "test loss 0.1 ≤ goal 0.1"
    assert stop_reason(setup, metrics(test_loss=math.nan)) is None
    assert stop_reason(setup, metrics(test_loss=None, train_loss=0.05)) == "train loss 0.05 ≤ goal 0.1"


def test_goal_accuracy_in_percent() -> None:
    setup = Setup(target_acc=95.0)
    assert stop_reason(setup, metrics(test_acc=0.949)) is None
    assert stop_reason(setup, metrics(test_acc=0.952)) == "test accuracy 95.2 % ≥ goal 95 %"
    assert stop_reason(setup, metrics(test_acc=None, train_acc=None)) is None     # regression has no accuracy
    assert stop_reason(setup, metrics(test_acc=None, train_acc=1.0)) == "train accuracy 100 % ≥ goal 95 %"


def test_trainer_states() -> None:
    assert stop_reason(Setup(), metrics(state="diverged")) == "diverged: the loss is no longer finite"
    assert stop_reason(Setup(patience=30), metrics(state="stopped")) == "test loss not improved for 30 epochs"
    assert stop_reason(Setup(), metrics(state="stopped")) == "stopped early"


@pytest.mark.parametrize("state, expected", [("diverged", "diverged"), ("running", "test loss")])
def test_most_telling_reason_wins(state: str, expected: str) -> None:
    setup = Setup(epochs=10, target_loss=0.5, target_acc=50.0)
    reason = stop_reason(setup, metrics(epoch=10, test_loss=0.1, test_acc=0.9, state=state))
    assert reason is not None and reason.startswith(expected)


def test_goals_need_every_epoch() -> None:
    assert not needs_every_epoch(Setup(epochs=10, patience=5))
    assert needs_every_epoch(Setup(target_loss=0.1)) and needs_every_epoch(Setup(target_acc=90.0))
