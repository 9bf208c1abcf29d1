"""The training doctor's cost: its share of training time on the default set-up (goal: ≤ 3 %).

Times are CPU seconds of the training thread (``time.thread_time``), so that other processes on a shared,
loaded machine do not count; ``uptime``'s load is printed with them.  Per round:
- ``train``: CPU time inside the doctor (every ``Instruments.observe``/``finish`` call and the diagnosis at the
  end) over the CPU time of the whole run, as ``annplay train`` runs it (Session.run_for);
- ``app``: the same while the app's worker trains (Session.train, one snapshot of a 40×10 map per frame), with
  the doctor's report built for each snapshot counted as doctor time.
Min–max over rounds.

    python benchmarks/doctor.py [--epochs 1000] [--rounds 5] [setting=value ...]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from annplay.core import doctor
from annplay.core.fields import ViewRequest
from annplay.core.session import Session
from annplay.engine import instruments
from annplay.engine.settings import SETTINGS
from annplay.engine.setup import Setup


class Meter:
    """CPU seconds spent inside the doctor's entry points while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.depth = 0                  # only the outermost call counts (doctor_report calls diagnosis, …)
        self._saved: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str) -> None:
        original = getattr(owner, name)
        meter = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.thread_time()
            meter.depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                meter.depth -= 1
                if meter.depth == 0:
                    meter.seconds += time.thread_time() - t

        self._saved.append((owner, name, original))
        setattr(owner, name, timed)

    def __enter__(self) -> Meter:
        self.wrap(instruments.Instruments, "observe")
        self.wrap(instruments.Instruments, "finish")
        self.wrap(Session, "diagnosis")
        self.wrap(doctor, "doctor_report")           # session_view imports it from there at each snapshot
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)


def run_train(setup: Setup) -> tuple[float, float, int]:
    """(CPU seconds of the run, CPU seconds in the doctor, samples) as ``annplay train`` trains and reports."""
    with Meter() as meter:
        t = time.thread_time()
        session = Session(setup)
        while not session.done():
            session.run_for(0.1, metrics=False)
        session.diagnosis()
        total = time.thread_time() - t
    return total, meter.seconds, len(session.instruments.samples)


def run_app(setup: Setup) -> tuple[float, float, int]:
    """(CPU seconds of the worker's run, CPU seconds in the doctor, frames) as the app's worker trains: without
    an epoch limit, as the playground does, stopped (between frames) at the set-up's epochs."""
    frames = [0]
    limit = int(setup.epochs or 1000)
    setup = setup.with_(epochs=None)

    def publish(_snapshot: Any) -> None:
        frames[0] += 1

    with Meter() as meter:
        t = time.thread_time()
        session = Session(setup)
        session.view = ViewRequest(40, 10)
        session.train(session.start(), publish, lambda: session.epoch >= limit)
        total = time.thread_time() - t
    assert doctor.doctor_report is not None
    return total, meter.seconds, frames[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("settings", nargs="*", help="setting=value pairs (default: the default set-up)")
    args = parser.parse_args()
    values: dict[str, Any] = {"epochs": args.epochs}
    for pair in args.settings:
        key, _, value = pair.partition("=")
        values[key] = SETTINGS[key].parse(value)
    setup = Setup(**values)
    print(f"set-up: {setup!r}; load before: {os.getloadavg()}")
    for name, runner in (("train", run_train), ("app", run_app)):
        shares = []
        for _ in range(args.rounds):
            total, spent, count = runner(setup)
            shares.append(spent / total)
            unit = "samples" if name == "train" else "frames"
            print(f"  {name}: run {total:.3f} CPU s, doctor {spent * 1000:.1f} ms = {spent / total:.2%} "
                  f"({count} {unit})")
        print(f"{name}: doctor share min {min(shares):.2%} max {max(shares):.2%}; load now {os.getloadavg()}")


if __name__ == "__main__":
    main()
