"""Per-trial overhead of the executors: runs per second for tiny trials, in this process, on the local process
pool and on a Dask ``LocalCluster`` (scheduler and worker processes over TCP on localhost).

A tiny trial is xor, one hidden layer of 3, 100 points, ``--epochs`` epochs (default 1): almost all of its time
is the executor's.  The three are measured in turns, ``--rounds`` times, so they see the same machine load;
read the ratios and the overhead per run, not the seconds.

    python benchmarks/tune_executors.py [--runs 200] [--rounds 3] [--jobs 2] [--epochs 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from annplay.core.sweep import expand, run_sweep
from annplay.engine.setup import Setup


def timed(setups: list[Setup], **kw: object) -> float:
    start = time.perf_counter()
    sweep = run_sweep(setups, **kw)  # type: ignore[arg-type]
    assert len(sweep.rows) == len(setups) and not sweep.interrupted
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    from distributed import LocalCluster

    setups = expand(Setup(dataset="xor", hidden=(3,), points=100, epochs=args.epochs), {}, seeds=args.runs)
    times: dict[str, list[float]] = {"inline": [], "local pool": [], "dask LocalCluster": []}
    loads = []
    with LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", silence_logs=40) as cluster:
        run_sweep(setups[:4], executor="dask", scheduler=cluster.scheduler_address)     # warm the workers
        for _ in range(args.rounds):
            loads.append(os.getloadavg()[0])
            times["inline"].append(timed(setups, jobs=1))
            times["local pool"].append(timed(setups, jobs=args.jobs))
            times["dask LocalCluster"].append(timed(setups, executor="dask", scheduler=cluster.scheduler_address))
    print(f"{args.runs} runs of {args.epochs} epoch(s), {args.jobs} workers, {args.rounds} rounds, "
          f"load {min(loads):.2f}–{max(loads):.2f}")
    serial = min(times["inline"]) / args.runs
    for name, seconds in times.items():
        rates = [args.runs / s for s in seconds]
        jobs = 1 if name == "inline" else args.jobs
        overhead = [1000 * (s * jobs / args.runs - serial) for s in seconds]
        print(f"{name:18s} {min(rates):7.1f}–{max(rates):7.1f} runs/s   "
              f"overhead per run {min(overhead):6.2f}–{max(overhead):6.2f} ms (worker time beyond the run itself)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
