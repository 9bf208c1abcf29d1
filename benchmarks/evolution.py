"""Neuroevolution against back-propagation: evaluations needed to reach a train accuracy.

[2, 8, 8, 1] tanh → logistic on 500 points; median over 5 seeds.  Targets: 98 % on circle and
xor, 95 % on spiral.  GA and ES count forward evaluations of one individual on the training set;
backprop counts epochs (mini-batch 10, lr 0.03, SGD: the playground's defaults).  Also prints the
batched population forward pass's evaluations per second (float32, 500 points).

    python benchmarks/evolution.py [--seeds 5] [--budget 30000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import annplay  # noqa: F401  (one BLAS thread: set before NumPy loads)
from annplay.engine import MLP, Trainer, make_dataset
from annplay.engine.evolution import EvolutionTrainer, population_scores

TARGETS = {"circle": 0.98, "xor": 0.98, "spiral": 0.95}


def net_for(seed: int) -> MLP:
    return MLP([2, 8, 8, 1], "tanh", seed=seed, dtype=np.float32)


def evolve(name: str, method: str, seed: int, budget: int) -> tuple[int | None, float]:
    """Evaluations until the target train accuracy (None if the budget ran out), and seconds."""
    ds = make_dataset(name, n=500, seed=seed)
    tr = EvolutionTrainer(net_for(seed), ds.X, ds.targets(), method=method, seed=seed)
    start = time.perf_counter()
    while tr.evaluations < budget:
        m = tr.step(1)
        if m.train_acc >= TARGETS[name]:
            return tr.evaluations, time.perf_counter() - start
    return None, time.perf_counter() - start


def backprop(name: str, seed: int, max_epochs: int) -> tuple[int | None, float]:
    """Epochs until the target train accuracy (None if max_epochs ran out), and seconds."""
    ds = make_dataset(name, n=500, seed=seed)
    tr = Trainer(net_for(seed), ds.X, ds.targets(), lr=0.03, batch_size=10, seed=seed)
    start = time.perf_counter()
    while tr.epoch < max_epochs:
        m = tr.step(1)
        if m.train_acc >= TARGETS[name]:
            return tr.epoch, time.perf_counter() - start
    return None, time.perf_counter() - start


def median(values: list[int | None]) -> str:
    """Median, counting a run that never reached the target as infinitely long."""
    ranked = sorted(values, key=lambda v: float("inf") if v is None else v)
    mid = ranked[len(ranked) // 2]
    misses = sum(v is None for v in values)
    return ("not reached" if mid is None else f"{mid:,}") + (f" ({misses} missed)" if misses else "")


def evals_per_second(population: int = 50, repeat: int = 200) -> float:
    rng = np.random.default_rng(0)
    ds = make_dataset("spiral", n=500, seed=0)
    net = net_for(0)
    pop = rng.normal(0, 0.5, (population, net.n_params)).astype(np.float32)
    X, Y = ds.X.astype(np.float32), ds.targets().astype(np.float32)
    population_scores(net, pop, X, Y, accuracy=False)       # what one generation computes
    start = time.perf_counter()
    for _ in range(repeat):
        population_scores(net, pop, X, Y, accuracy=False)
    return repeat * population / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=30000, help="evaluations per evolution run")
    parser.add_argument("--max-epochs", type=int, default=5000, help="epochs per backprop run")
    args = parser.parse_args()
    seeds = range(args.seeds)
    for population in (17, 50, 200):
        print(f"batched population forward (float32, 500 points, population {population}): "
              f"{evals_per_second(population):,.0f} evaluations/s")
    print(f"\n{'data':8} {'target':>6} {'GA evals':>18} {'ES evals':>18} {'backprop epochs':>18}")
    for name, target in TARGETS.items():
        ga = [evolve(name, "ga", s, args.budget)[0] for s in seeds]
        es = [evolve(name, "es", s, args.budget)[0] for s in seeds]
        bp = [backprop(name, s, args.max_epochs)[0] for s in seeds]
        print(f"{name:8} {target:6.0%} {median(ga):>18} {median(es):>18} {median(bp):>18}", flush=True)


if __name__ == "__main__":
    main()
