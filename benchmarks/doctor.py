"""The training doctor's cost: its share of training time on the default set-up (goal: ≤ 3 %).

Two figures, both from the same run(s), with the machine's load from ``uptime``:
- ``self``: time the instruments spent sampling / time the session spent training (one run, exact);
- ``a/b``: wall time of a run with the doctor over one without it (instruments that never sample),
  rounds interleaved so that load changes hit both alike; min–max over rounds.

    python benchmarks/doctor.py [--epochs 2000] [--rounds 5] [setting=value ...]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from annplay.core.session import Session
from annplay.engine.setup import Setup


class Off:
    """Instruments that never sample: the session without the doctor."""

    seconds = 0.0
    samples: list[Any] = []

    def next_epoch(self) -> int:
        return 1 << 60

    def observe(self, epoch: int, state: str = "running") -> bool:
        return False


def run(setup: Setup, doctor: bool) -> tuple[float, float, int]:
    """(training seconds, sampling seconds, samples) of one run to the epoch limit, as ``annplay train`` runs it."""
    session = Session(setup)
    if not doctor:
        session.instruments = Off()  # type: ignore[assignment]
    t0 = time.perf_counter()
    while not session.done():
        session.run_for(0.1, metrics=False)
    wall = time.perf_counter() - t0
    return wall, session.instruments.seconds, len(session.instruments.samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("settings", nargs="*", help="setting=value pairs (default: the default set-up)")
    args = parser.parse_args()
    values: dict[str, Any] = {"epochs": args.epochs}
    for pair in args.settings:
        key, _, value = pair.partition("=")
        values[key] = Setup.__init__.__globals__["SETTINGS"][key].parse(value)
    setup = Setup(**values)
    print(f"set-up: {setup!r}; load before: {os.getloadavg()}")
    selfs, ratios = [], []
    for _ in range(args.rounds):
        on, spent, samples = run(setup, True)
        off, _, _ = run(setup, False)
        selfs.append(spent / on)
        ratios.append(on / off)
        print(f"  with doctor {on:.3f} s ({samples} samples, {spent * 1000:.1f} ms sampling = {spent / on:.2%}); "
              f"without {off:.3f} s; ratio {on / off:.3f}")
    print(f"self share: min {min(selfs):.2%} max {max(selfs):.2%}; a/b ratio: min {min(ratios):.3f} "
          f"max {max(ratios):.3f}; load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
