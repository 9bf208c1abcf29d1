"""Sweep speed: 24 runs (W1-like [2, 8, 8, 1] tanh nets on spiral, 500 epochs, batch 10), serial vs a pool.

Parallel efficiency = serial time / (jobs × pool time); the target on 2 cores is ≥ 0.83 (pool time at
most 0.6 of serial).  Serial and pool runs alternate in one process, so they see the same machine load;
read the ratio, not the seconds.

    python benchmarks/sweep.py [--jobs 2] [--repeat 3] [--epochs 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from annplay.core.sweep import expand, run_sweep
from annplay.engine.setup import Setup


def grid(epochs: int) -> list[Setup]:
    """24 set-ups: 3 learning rates × 8 seeds of a W1-like net on spiral."""
    base = Setup(dataset="spiral", hidden=(8, 8), activation="tanh", batch_size=10, epochs=epochs)
    return expand(base, {"lr": ["0.01", "0.03", "0.1"]}, seeds=8)


def timed(setups: list[Setup], jobs: int) -> tuple[float, list[dict[str, object]]]:
    start = time.perf_counter()
    rows = run_sweep(setups, jobs=jobs).rows
    return time.perf_counter() - start, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=500)
    args = parser.parse_args(argv)
    setups = grid(args.epochs)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(setups)} runs, {args.epochs} epochs each, {cores} cores (load {load:.1f}); "
          f"serial vs --jobs {args.jobs}")
    efficiencies = []
    for i in range(args.repeat):
        if i % 2 == 0:                      # alternate the order, so load drifts hit both sides
            serial, serial_rows = timed(setups, 1)
            pooled, pooled_rows = timed(setups, args.jobs)
        else:
            pooled, pooled_rows = timed(setups, args.jobs)
            serial, serial_rows = timed(setups, 1)
        same = [{k: v for k, v in r.items() if k != "seconds"} for r in serial_rows] == \
               [{k: v for k, v in r.items() if k != "seconds"} for r in pooled_rows]
        eff = serial / (args.jobs * pooled)
        efficiencies.append(eff)
        print(f"  run {i + 1}: serial {serial:6.2f} s   pool {pooled:6.2f} s   pool/serial {pooled / serial:.3f}   "
              f"efficiency {eff:.3f}   identical rows: {same}")
    best = max(efficiencies)
    print(f"efficiency {min(efficiencies):.3f}–{best:.3f} (target ≥ 0.83; the best run is the least disturbed by "
          f"other load)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
