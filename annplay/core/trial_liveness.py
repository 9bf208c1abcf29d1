"""Which RUNNING Optuna trials are still alive, so a killed run's trials neither stay RUNNING nor block a point.

Optuna's own heartbeat is RDB-only and runs only inside study.optimize; annplay drives ask/tell on a journal or
an RDB, so it keeps its own: each trial it asks records its owner (host, pid, the pid's start time) and a beat
(time.time(), renewed every BEAT seconds while it trains).  A RUNNING trial whose owner is a dead process on
this host, or whose last beat is older than GRACE seconds, was left by a killed run (SIGKILL, a lost machine):
it is failed as interrupted, so it neither stays RUNNING forever nor keeps its point from being tried again.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

OWNER_ATTR = "annplay_owner"
BEAT_ATTR = "annplay_beat"
BEAT = 10.0
GRACE = 60.0


def _start_time(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot; tells a reused pid apart), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return None


def owner_id() -> str:
    """This process as ``host pid start``."""
    pid = os.getpid()
    return f"{socket.gethostname()} {pid} {_start_time(pid) or '-'}"


def _owner_alive(owner: object) -> bool | None:
    """Whether the process that owns a trial runs: True/False on this host (Linux), None when unknown."""
    if not isinstance(owner, str):
        return None
    parts = owner.rsplit(" ", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit() or parts[2] == "-":
        return None
    if not os.path.isdir("/proc/self"):
        return None                                     # pragma: no cover - not Linux
    return _start_time(int(parts[1])) == parts[2]


def is_stale(optuna: Any, frozen: Any, now: float) -> bool:
    """A RUNNING trial whose process is gone (see above)."""
    if frozen.state != optuna.trial.TrialState.RUNNING:
        return False
    alive = _owner_alive(frozen.user_attrs.get(OWNER_ATTR))
    if alive is not None:
        return not alive
    beat = frozen.user_attrs.get(BEAT_ATTR)
    if not isinstance(beat, (int, float)):
        start = frozen.datetime_start
        beat = start.timestamp() if start is not None else now
    return now - float(beat) > GRACE


def fail_stale(optuna: Any, study: Any, trials: list[Any], reason_attr: str) -> list[Any]:
    """Fail the trials a killed run left RUNNING (``reason_attr``: 'interrupted'); the trials as they are now."""
    now = time.time()
    storage = study._storage
    changed = False
    for frozen in trials:
        if not is_stale(optuna, frozen, now):
            continue
        try:
            storage.set_trial_user_attr(frozen._trial_id, reason_attr, "interrupted")
            storage.set_trial_state_values(frozen._trial_id, state=optuna.trial.TrialState.FAIL)
            changed = True
        except Exception:       # another process failed or finished it meanwhile (UpdateFinishedTrialError)
            continue
    return study.get_trials(deepcopy=False) if changed else trials


class Heartbeat:
    """Renews the beat of the trials a run holds, every BEAT seconds, in a daemon thread."""

    def __init__(self, held: Any) -> None:
        self.held = held                                # a callable: the Optuna trials to keep alive
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="annplay-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self.stop.wait(BEAT):
            try:
                trials = list(self.held())
            except RuntimeError:                        # changed while copied: the next beat takes it
                continue
            for asked in trials:
                try:
                    asked.set_user_attr(BEAT_ATTR, time.time())
                except Exception:                       # told meanwhile, or the storage went away: not ours to raise
                    continue

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=BEAT)


__all__ = ["OWNER_ATTR", "BEAT_ATTR", "BEAT", "GRACE", "owner_id", "is_stale", "fail_stale", "Heartbeat"]
