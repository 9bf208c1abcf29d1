"""Neuroevolution: training without gradients, on the network's flat parameter vector.

A population of parameter vectors is scored by batched forward passes (3-D
matmuls over stacked [W | b] blocks), a cache-sized chunk of individuals at a
time, and the best one is written back with ``net.set_flat``.  One ``step`` is one
generation; fitness is the negative training loss (or the accuracy).

Two methods, both seeded:
  * ``ga``: a simple genetic algorithm — elitism, tournament selection, uniform
    crossover and Gaussian mutation.  Easy to explain in a classroom.
  * ``es``: CMA-ES (Hansen's covariance matrix adaptation evolution strategy, :mod:`.cmaes`), the strong one;
    separable (diagonal covariance) above 400 parameters, so big networks stay cheap per generation.
Because every activation works here, so does ``step`` (Heaviside), which back-propagation cannot train.
"""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar

import numpy as np

from .buffers import rng_from
from .cmaes import CMA, default_population
from .network import MLP
from .trainer import Metrics, evenly

Array = np.ndarray

METHODS = {
    "ga": "Genetic algorithm: elitism, tournament selection, crossover, Gaussian mutation",
    "es": "CMA-ES: an evolution strategy that adapts its step size and search directions",
}
FITNESS = ("loss", "accuracy")


# A generation holds population × parameters values, in a few arrays at once (candidates, their noise, the
# next generation): this many (32 MiB per float64 array) keeps a phone's memory and a served session's 1 GiB
# limit safe; 10,000 individuals of a 6 × 64 net (21,057 parameters) asked for 1.6 GiB an array (a probe's find).
MAX_GENERATION_VALUES = 1 << 22


# --- the batched population forward pass ---------------------------------------------------

def population_blocks(net: MLP, pop: Array) -> list[Array]:
    """Each layer's [W | b] blocks for every individual: arrays of shape P×r×(s+1)."""
    P = pop.shape[0]
    blocks, offset = [], 0
    for r, s in zip(net.layers[1:], net.layers[:-1], strict=True):
        size = r * (s + 1)
        blocks.append(pop[:, offset:offset + size].reshape(P, r, s + 1))
        offset += size
    return blocks


def population_logits(net: MLP, pop: Array, X: Array) -> Array:
    """Output pre-activations of every individual in ``pop`` (P×n_params) on X (m×n): P×r×n."""
    A = np.asarray(X, dtype=pop.dtype)                              # m×n, shared by all individuals
    blocks = population_blocks(net, pop)
    last = len(blocks) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (B, g) in enumerate(zip(blocks, net.activations, strict=True)):
            Z = np.matmul(B[:, :, :-1], A)                          # P×r×n in one call
            Z += B[:, :, -1:]
            if i < last:
                A = g.spec.function(Z, Z, **g.params)               # in place, contiguous
    return Z


def population_forward(net: MLP, pop: Array, X: Array) -> Array:
    """Outputs A(N) of every individual: P×r×n (softmax per instance)."""
    Z = population_logits(net, pop, X)
    g = net.activations[-1]
    if g.spec.output_only:                                         # softmax over the r axis
        e = np.exp(Z - Z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    out = np.empty_like(Z)
    with np.errstate(over="ignore", invalid="ignore"):
        g.spec.function(Z, out, **g.params)
    return out


SCORE_BUDGET = 1 << 20      # bytes of P×r×n intermediates per chunk: they stay in cache (issue 11, item 6)


def score_chunk(net: MLP, n: int, itemsize: int, budget: int = SCORE_BUDGET) -> int:
    """How many individuals to score at once so one layer's P×r×n block fits in ``budget`` bytes."""
    widest = max(net.layers[1:])
    return max(1, budget // max(1, widest * n * itemsize))


def population_scores(net: MLP, pop: Array, X: Array, Y: Array, accuracy: bool = True,
                      chunk: int | None = None) -> tuple[Array, Array | None]:
    """(loss, accuracy) of every individual, each of shape (P,); accuracy None for regression or when not asked.

    Individuals are scored ``chunk`` at a time (default: a cache-sized budget), because one huge
    batched block spills out of cache and is slower than a plain loop.
    """
    P = pop.shape[0]
    size = score_chunk(net, np.shape(X)[1], pop.dtype.itemsize) if chunk is None else max(1, int(chunk))
    if size >= P:
        return _scores_block(net, pop, X, Y, accuracy)
    X = np.asarray(X, dtype=pop.dtype)
    Y = np.asarray(Y, dtype=pop.dtype)
    loss = np.empty(P)
    acc: Array | None = None
    for start in range(0, P, size):
        part_loss, part_acc = _scores_block(net, pop[start:start + size], X, Y, accuracy)
        loss[start:start + size] = part_loss
        if part_acc is not None:
            if acc is None:
                acc = np.empty(P)
            acc[start:start + size] = part_acc
    return loss, acc


def _scores_block(net: MLP, pop: Array, X: Array, Y: Array, accuracy: bool) -> tuple[Array, Array | None]:
    """population_scores for one chunk, all individuals in one batched pass."""
    Z = population_logits(net, pop, X)
    Y = np.asarray(Y, dtype=Z.dtype)
    n = X.shape[1]
    task = net.task
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if net.loss_spec.name == "bce":
            # max(z,0) − z·y + log(1 + e^−|z|), with as few passes over P×r×n as possible
            t = np.abs(Z)
            np.negative(t, out=t)
            np.exp(t, out=t)
            np.log1p(t, out=t)
            t += np.maximum(Z, 0)
            loss = np.maximum((t.sum(axis=(1, 2)) - np.einsum("prn,rn->p", Z, Y)) / n, 0.0)
            acc = ((Z > 0) == (Y > 0.5)).mean(axis=(1, 2)) if accuracy else None
        elif net.loss_spec.name == "cross_entropy":
            zmax = Z.max(axis=1, keepdims=True)
            lse = zmax + np.log(np.exp(Z - zmax).sum(axis=1, keepdims=True))
            loss = (Y * (lse - Z)).sum(axis=(1, 2)) / n
            acc = (Z.argmax(axis=1) == Y.argmax(axis=0)).mean(axis=1) if accuracy else None
        else:
            A = np.empty_like(Z)
            g = net.activations[-1]
            if g.spec.output_only:
                e = np.exp(Z - Z.max(axis=1, keepdims=True))
                A = e / e.sum(axis=1, keepdims=True)
            else:
                g.spec.function(Z, A, **g.params)
            d = A - Y
            loss = 0.5 * np.einsum("prn,prn->p", d, d) / n
            acc = None
            if task == "binary" and accuracy:
                acc = ((A > 0.5) == (Y > 0.5)).mean(axis=(1, 2))
    loss = np.where(np.isfinite(loss), loss, np.inf)
    return loss.astype(np.float64), None if acc is None else acc.astype(np.float64)


# --- the trainer ------------------------------------------------------------------------------

class EvolutionTrainer:
    """Trains ``net`` by neuroevolution with the same interface as :class:`~annplay.engine.Trainer`.

    ``step(k)`` runs k generations; ``epoch`` counts generations.  The network always
    holds the best individual found so far (elitism), so its fitness never decreases.
    """

    family: ClassVar[str] = "evolution"
    unit: ClassVar[str] = "generation"

    def __init__(self, net: MLP, X: Any, Y: Any, X_test: Any = None, Y_test: Any = None, *,
                 method: str = "es", population: int | None = None, sigma: float | None = None,
                 elite: int = 2, fitness: str = "loss", seed: int | None = None) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of: {', '.join(METHODS)}; got {method!r}")
        if fitness not in FITNESS:
            raise ValueError(f"fitness must be one of: {', '.join(FITNESS)}; got {fitness!r}")
        if fitness == "accuracy" and net.task == "regression":
            raise ValueError("fitness 'accuracy' needs a classification problem; use 'loss'")
        self.net = net
        self.method = method
        self.fitness_kind = fitness
        self.seed = net.seed if seed is None else seed
        self.rng = rng_from(self.seed)
        dim = net.n_params
        default_pop = default_population(dim) if method == "es" else 50
        self.population = self._check_population(default_pop if population is None else population)
        self.sigma = self._check_sigma(sigma if sigma is not None else (0.25 if method == "es" else 0.1))
        if isinstance(elite, bool) or not isinstance(elite, (int, np.integer)) or elite < 0:
            raise ValueError(f"elite must be a whole number ≥ 0, got {elite!r}")
        self.elite = min(int(elite), self.population - 1)
        self.set_data(X, Y, X_test, Y_test)
        self.epoch = 0
        self.evaluations = 0
        self.state = "ready"
        self.message = ""
        self.best_history: list[float] = []
        self.mean_history: list[float] = []
        self._mean_fitness = math.nan
        self._best = net.get_flat().astype(net.dtype)
        self._best_fitness = self._fitness(self._best[None, :])[0]
        self.evaluations += 1
        self._ga_pop: Array | None = None
        self._cma: CMA | None = None

    def _check_population(self, p: Any) -> int:
        """A whole number from 4 to 10000 whose generation (population × parameters) fits MAX_GENERATION_VALUES."""
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or not 4 <= p <= 10_000:
            raise ValueError(f"population must be a whole number from 4 to 10000, got {p!r}")
        dim = self.net.n_params
        if int(p) * dim > MAX_GENERATION_VALUES:
            most = max(4, MAX_GENERATION_VALUES // dim)
            raise ValueError(f"population {int(p)} × {dim:,} parameters is more than a generation may hold "
                             f"({MAX_GENERATION_VALUES:,} values); use a population of at most {most}, or a "
                             f"smaller network")
        return int(p)

    @staticmethod
    def _check_sigma(s: Any) -> float:
        try:
            v = float(s)
        except (TypeError, ValueError):
            v = math.nan
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"mutation sigma must be a finite number > 0, got {s!r}")
        return v

    def set_population(self, population: int) -> None:
        """Change the population size between generations (restarts the method's state, keeps the best)."""
        self.population = self._check_population(population)
        self.elite = min(self.elite, self.population - 1)
        self._ga_pop, self._cma = None, None

    def set_sigma(self, sigma: float) -> None:
        """Change the mutation step size between generations."""
        self.sigma = self._check_sigma(sigma)
        if self._cma is not None:
            self._cma.sigma = self.sigma

    LIVE: ClassVar[tuple[str, ...]] = ("population", "sigma")

    def configure(self, **changes: Any) -> None:
        """Apply live changes between generations: ``population`` and ``sigma``.

        Everything is checked before anything changes; an unknown key raises ValueError naming it.
        A new population size restarts the method's state (the best individual is kept).
        """
        unknown = sorted(set(changes) - set(self.LIVE))
        if unknown:
            raise ValueError(f"cannot change {', '.join(map(repr, unknown))} while evolving; live settings: "
                             f"{', '.join(self.LIVE)}")
        population = self._check_population(changes["population"]) if "population" in changes else None
        sigma = self._check_sigma(changes["sigma"]) if "sigma" in changes else None
        if population is not None and population != self.population:
            self.set_population(population)
        if sigma is not None:
            self.set_sigma(sigma)

    def set_data(self, X: Any, Y: Any, X_test: Any = None, Y_test: Any = None) -> None:
        """Replace the training (and test) data, keeping the weights."""
        net = self.net
        self.X = net.check_X(X)
        self.Y = net.check_Y(Y, self.X.shape[1])
        self.X_test: Array | None = None
        self.Y_test: Array | None = None
        if X_test is not None and Y_test is not None and np.asarray(X_test).size:
            self.X_test = net.check_X(X_test, "X_test")
            self.Y_test = net.check_Y(Y_test, self.X_test.shape[1], "Y_test")
        if hasattr(self, "_best"):
            self._best_fitness = self._fitness(self._best[None, :])[0]

    def reset_optimizer(self) -> None:
        """Forget the search state (after weights were changed by hand); start from the net's weights."""
        self._best = self.net.get_flat()
        self._best_fitness = self._fitness(self._best[None, :])[0]
        self._ga_pop, self._cma = None, None

    # --- fitness ---------------------------------------------------------------------------

    def _fitness(self, pop: Array) -> Array:
        want_acc = self.fitness_kind == "accuracy"
        loss, acc = population_scores(self.net, pop, self.X, self.Y, accuracy=want_acc)
        if self.fitness_kind == "accuracy" and acc is not None:
            return acc - 1e-3 * np.minimum(loss, 1e3)       # accuracy first, loss breaks ties
        return -loss

    # --- one generation of each method -------------------------------------------------------

    def _generation_ga(self) -> Array:
        rng, P, dim = self.rng, self.population, self.net.n_params
        if self._ga_pop is None or self._ga_pop.shape[0] != P:
            pop = self._best + self.sigma * rng.standard_normal((P, dim))
            pop[0] = self._best
            self._ga_pop = pop.astype(self.net.dtype)
            self._ga_fit = self._fitness(self._ga_pop)
            self.evaluations += P
        pop, fit = self._ga_pop, self._ga_fit
        order = np.argsort(-fit)
        elite = pop[order[:self.elite]]
        k = P - self.elite
        # tournament selection of two parents per child, uniform crossover, Gaussian mutation
        t = rng.integers(0, P, size=(2, k, 3))
        winners = np.take_along_axis(t, np.argmax(fit[t], axis=2)[..., None], axis=2)[..., 0]
        mix = rng.random((k, dim)) < 0.5
        children = np.where(mix, pop[winners[0]], pop[winners[1]])
        children = children + self.sigma * rng.standard_normal((k, dim))
        children = children.astype(pop.dtype)
        child_fit = self._fitness(children)
        self.evaluations += k
        self._ga_pop = np.concatenate([elite, children])
        self._ga_fit = np.concatenate([fit[order[:self.elite]], child_fit])
        return self._ga_fit

    def _generation_es(self) -> Array:
        if self._cma is None:
            self._cma = CMA(self._best.astype(np.float64), self.sigma, population=self.population, rng=self.rng)
        cands = self._cma.ask()
        fit = self._fitness(cands.astype(self.net.dtype))
        self.evaluations += len(cands)
        self._cma.tell(cands, -fit)                       # CMA minimises; fitness is maximised
        i = int(np.argmax(fit))
        if fit[i] > self._best_fitness:
            self._best, self._best_fitness = cands[i].astype(self.net.dtype), fit[i]
        return fit

    def step(self, epochs: int = 1, *, metrics: bool = True, deadline: float | None = None) -> Metrics | None:
        """Run ``epochs`` generations; the network then holds the best individual so far.

        A generation is never cut: ``deadline`` (a ``time.perf_counter()`` value) stops between generations.
        """
        epochs = int(epochs)
        if epochs < 0:
            raise ValueError(f"generations must be ≥ 0, got {epochs}")
        if epochs:
            self.state = "running"
        for _ in range(epochs):
            fit = self._generation_ga() if self.method == "ga" else self._generation_es()
            if self._ga_pop is not None and self.method == "ga":
                i = int(np.argmax(fit))
                if fit[i] > self._best_fitness:
                    self._best, self._best_fitness = self._ga_pop[i].copy(), fit[i]
            finite = fit[np.isfinite(fit)]
            self._mean_fitness = float(finite.mean()) if finite.size else -math.inf
            self.epoch += 1
            self.best_history.append(float(self._best_fitness))
            self.mean_history.append(self._mean_fitness)
            if len(self.best_history) > 2000:
                del self.best_history[:1000], self.mean_history[:1000]
            if deadline is not None and time.perf_counter() >= deadline:
                break
        self.net.set_flat(self._best)
        return self.metrics() if metrics else None

    @property
    def best_fitness(self) -> float:
        return float(self._best_fitness)

    @property
    def mean_fitness(self) -> float:
        return self._mean_fitness

    @property
    def mid_epoch(self) -> bool:
        """Always False: a generation is never cut."""
        return False

    def metrics(self, columns: int | None = None) -> Metrics:
        """Measure train (and test) loss and accuracy of the best individual now (on at most ``columns``
        evenly spaced columns of each set when given)."""
        best = self._best[None, :]
        X, Y, Xt, Yt = self.X, self.Y, self.X_test, self.Y_test
        if columns is not None:
            X, Y = evenly(X, columns), evenly(Y, columns)
            if Xt is not None and Yt is not None:
                Xt, Yt = evenly(Xt, columns), evenly(Yt, columns)
        train_loss, train_acc = population_scores(self.net, best, X, Y)
        test_loss = test_acc = None
        if Xt is not None and Yt is not None:
            tl, ta = population_scores(self.net, best, Xt, Yt)
            test_loss, test_acc = float(tl[0]), None if ta is None else float(ta[0])
        return Metrics(self.epoch, float(train_loss[0]), test_loss,
                       None if train_acc is None else float(train_acc[0]), test_acc, self.state,
                       best_fitness=float(self._best_fitness), mean_fitness=self._mean_fitness,
                       evaluations=self.evaluations)


__all__ = ["EvolutionTrainer", "METHODS", "FITNESS", "population_forward", "population_logits",
           "population_scores", "population_blocks"]
