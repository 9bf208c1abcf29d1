"""CMA-ES bookkeeping and population scoring at neuroevolution sizes (issue 11, item 6).

1. Overhead per generation (ask + tell, no fitness) at dimension 1,185 — the [2, 32, 32, 1] network —
   for annplay's CMA (separable by default there, and forced full) against pycma 4.x (full by default,
   and CMA_diagonal=True), with the default population 4 + ⌊3 ln n⌋ = 25.  Interleaved rounds; each
   contender's best round counts.
2. Scoring a population of 200 for [2, 32, 32, 1] relu → logistic on 500 points: the chunked batched
   pass (default budget), one batched pass over all 200, and a plain per-individual NumPy loop.

pycma is needed for part 1 only (``pip install cma`` into the benchmark venv; never a dependency).

    python benchmarks/cmaes.py [--rounds 7] [--generations 20]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np

from annplay.engine import MLP, make_dataset
from annplay.engine.cmaes import CMA, default_population
from annplay.engine.evolution import population_scores, score_chunk

DIM = 1185


def best_of(rounds: int, contenders: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Each contender's fastest of ``rounds`` interleaved timings (seconds per unit of work)."""
    best = {name: float("inf") for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            best[name] = min(best[name], run())
    return best


def annplay_overhead(diagonal: bool, generations: int) -> Callable[[], float]:
    es = CMA(np.zeros(DIM), 0.25, seed=0, diagonal=diagonal)
    rng = np.random.default_rng(0)

    def run() -> float:
        start = time.perf_counter()
        for _ in range(generations):
            cands = es.ask()
            es.tell(cands, rng.random(es.lam))
        return (time.perf_counter() - start) / generations
    return run


def pycma_overhead(diagonal: bool, generations: int) -> Callable[[], float]:
    import cma  # benchmark-only dependency

    opts = {"seed": 1, "verbose": -9, "CMA_diagonal": diagonal, "popsize": default_population(DIM)}
    es = cma.CMAEvolutionStrategy(np.zeros(DIM), 0.25, opts)
    rng = np.random.default_rng(0)

    def run() -> float:
        start = time.perf_counter()
        for _ in range(generations):
            cands = es.ask()
            es.tell(cands, list(rng.random(len(cands))))
        return (time.perf_counter() - start) / generations
    return run


def plain_loop_scores(net: MLP, pop: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """A per-individual loop: unpack W, b, forward with np.dot, BCE from the logits."""
    losses = np.empty(pop.shape[0])
    n = X.shape[1]
    for p, flat in enumerate(pop):
        A, offset = X, 0
        for i, (r, s) in enumerate(zip(net.layers[1:], net.layers[:-1], strict=True)):
            block = flat[offset:offset + r * (s + 1)].reshape(r, s + 1)
            offset += r * (s + 1)
            Z = np.dot(block[:, :-1], A)
            Z += block[:, -1:]
            A = np.maximum(Z, 0, out=Z) if i < len(net.layers) - 2 else Z
        losses[p] = float((np.logaddexp(0, A) - A * Y).sum()) / n
    return losses


def scoring(rounds: int, dtype: type) -> dict[str, float]:
    net = MLP([2, 32, 32, 1], ["relu", "relu", "logistic"], seed=0, dtype=dtype)
    ds = make_dataset("circle", n=500, seed=0)
    X, Y = ds.X.astype(dtype), ds.targets().astype(dtype)
    pop = np.random.default_rng(0).normal(0, 0.3, (200, net.n_params)).astype(dtype)
    chunked = population_scores(net, pop, X, Y, accuracy=False)[0]
    whole = population_scores(net, pop, X, Y, accuracy=False, chunk=200)[0]
    loop = plain_loop_scores(net, pop, X, Y)
    assert np.allclose(chunked, whole, rtol=1e-4) and np.allclose(chunked, loop, rtol=1e-3)

    def timed(fn: Callable[[], object], repeat: int = 5) -> Callable[[], float]:
        def run() -> float:
            start = time.perf_counter()
            for _ in range(repeat):
                fn()
            return (time.perf_counter() - start) / repeat
        return run

    return best_of(rounds, {
        "chunked (default)": timed(lambda: population_scores(net, pop, X, Y, accuracy=False)),
        "one batch of 200": timed(lambda: population_scores(net, pop, X, Y, accuracy=False, chunk=200)),
        "plain loop": timed(lambda: plain_loop_scores(net, pop, X, Y)),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--generations", type=int, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    contenders = {
        "annplay separable (default)": annplay_overhead(True, args.generations),
        "annplay full": annplay_overhead(False, args.generations),
    }
    try:
        contenders |= {"pycma full (default)": pycma_overhead(False, args.generations),
                       "pycma diagonal": pycma_overhead(True, args.generations)}
    except ImportError:
        print("pycma not installed: annplay only")
    times = best_of(args.rounds, contenders)
    print(f"CMA-ES overhead per generation, dimension {DIM}, population {default_population(DIM)}:")
    ref = times.get("pycma full (default)")
    for name, t in times.items():
        ratio = f"  (pycma full / this = {ref / t:5.1f}×)" if ref else ""
        print(f"  {name:28} {t * 1e3:8.3f} ms{ratio}")
    for dtype in (np.float32, np.float64):
        net = MLP([2, 32, 32, 1], "relu", dtype=dtype)
        chunk = score_chunk(net, 500, np.dtype(dtype).itemsize)
        print(f"\nScoring population 200, [2, 32, 32, 1], 500 points, {np.dtype(dtype).name} (chunk {chunk}):")
        times = scoring(args.rounds, dtype)
        loop = times["plain loop"]
        for name, t in times.items():
            print(f"  {name:28} {t * 1e3:8.3f} ms  (plain loop / this = {loop / t:4.2f}×)")


if __name__ == "__main__":
    main()
