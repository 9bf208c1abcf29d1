"""A TPE study shared by processes: trials left RUNNING by a killed run (SIGKILL) are failed as interrupted when a
run next opens the study, and a point another live process trains is not trained a second time."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from annplay.core.search import Space
from annplay.core.tune import Tuner, make_plan
from annplay.engine.setup import Setup

optuna = pytest.importorskip("optuna", reason="the tune extra (optuna) is not installed")

from annplay.core import trial_liveness, tune_optuna  # noqa: E402  (tune_optuna needs optuna)
from annplay.core.trial_liveness import BEAT_ATTR, OWNER_ATTR, Heartbeat, is_stale  # noqa: E402
from annplay.core.tune_optuna import STATE_ATTR, distribution  # noqa: E402

XOR9 = Setup(dataset="xor", hidden=(3,), points=100, epochs=9)
SPACE = ["activation=relu|tanh"]
STATES = optuna.trial.TrialState


def _tuner(storage: str, budget: int = 400) -> Tuner:
    return Tuner(XOR9, Space.parse(SPACE), make_plan(9, budget=budget, space_size=None), jobs=1, method="tpe",
                 budget=budget, storage=storage, study="s")


def _study(storage: str) -> Any:
    return optuna.load_study(study_name="s", storage=tune_optuna.storage_for(storage))


def _leave_running(storage: str, activation: str, owner: str | None, beat: float | None) -> int:
    """A trial of point ``activation`` left RUNNING, as a run killed while training it leaves it; its number."""
    tuner = _tuner(storage)
    study = _study(storage)
    study.enqueue_trial({"activation": activation})
    asked = study.ask({d.name: distribution(d) for d in tuner.space.dims})
    if owner is not None:
        asked.set_user_attr(OWNER_ATTR, owner)
    if beat is not None:
        asked.set_user_attr(BEAT_ATTR, beat)
    return int(asked.number)


def _dead_owner() -> str:
    return f"{socket.gethostname()} {2**22 + 12345} 99"        # above pid_max's default: no such process


def test_a_trial_of_a_killed_run_is_failed_as_interrupted_on_resume(tmp_path: Path) -> None:
    storage = str(tmp_path / "st.log")
    first = _tuner(storage, budget=13)                          # stamps the study, trains one point
    first.run()
    number = _leave_running(storage, "relu", _dead_owner(), time.time())
    _tuner(storage, budget=13).run()
    left = next(t for t in _study(storage).trials if t.number == number)
    assert left.state == STATES.FAIL and left.user_attrs[STATE_ATTR] == "interrupted"
    assert not [t for t in _study(storage).trials if t.state == STATES.RUNNING]


@pytest.mark.parametrize("owner, beat_age, stale", [
    ("other-host 42 7", 5.0, False),                           # another machine, beating: alive
    ("other-host 42 7", 3600.0, True),                         # another machine, silent for an hour: killed
    (None, 3600.0, True),                                      # an older annplay's trial, silent: killed
    (None, 5.0, False),
])
def test_a_running_trial_elsewhere_is_stale_only_when_its_beat_stopped(tmp_path: Path, owner: str | None,
                                                                       beat_age: float, stale: bool) -> None:
    storage = str(tmp_path / "st.log")
    _tuner(storage, budget=13).run()
    number = _leave_running(storage, "tanh", owner, time.time() - beat_age)
    frozen = next(t for t in _study(storage).trials if t.number == number)
    assert is_stale(optuna, frozen, time.time()) is stale


def test_this_process_is_alive_and_a_reused_pid_is_not(tmp_path: Path) -> None:
    storage = str(tmp_path / "st.log")
    _tuner(storage, budget=13).run()
    mine = _leave_running(storage, "tanh", trial_liveness.owner_id(), time.time() - 3600)
    reused = _leave_running(storage, "relu", f"{socket.gethostname()} {os.getpid()} 1", time.time())
    frozen = {t.number: t for t in _study(storage).trials}
    assert not is_stale(optuna, frozen[mine], time.time()), "its process runs, however old its beat"
    assert is_stale(optuna, frozen[reused], time.time()), "same pid, another start time: another process"


def test_a_point_another_process_trains_is_not_trained_again(tmp_path: Path) -> None:
    """Two runs on one study each trained every point of the space (20 of 20 twice, in a probe with two
    processes); now the run that asked later leaves the point to the other."""
    storage = str(tmp_path / "st.log")
    study = optuna.create_study(storage=tune_optuna.storage_for(storage), study_name="s", direction="minimize")
    tune_optuna.check_stamp(study, _tuner(storage))
    number = _leave_running(storage, "relu", trial_liveness.owner_id(), time.time())   # live: this very process
    tuner = _tuner(storage, budget=400)
    tuner.run()
    trained = [t.point["activation"] for t in tuner.trials]
    assert trained == ["tanh"], "relu trains in the other run"
    trials = _study(storage).trials
    assert next(t for t in trials if t.number == number).state == STATES.RUNNING
    assert all(t.user_attrs.get(STATE_ATTR) == "elsewhere" for t in trials
               if t.number != number and t.params == {"activation": "relu"})


def test_the_heartbeat_renews_each_held_trial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trial_liveness, "BEAT", 0.001)
    beats: list[tuple[str, float]] = []
    seen = threading.Event()

    class Held:
        def set_user_attr(self, key: str, value: float) -> None:
            beats.append((key, value))
            if len(beats) >= 3:
                seen.set()

    with Heartbeat(lambda: [Held()]):
        assert seen.wait(10)
    assert all(key == BEAT_ATTR and isinstance(value, float) for key, value in beats)
