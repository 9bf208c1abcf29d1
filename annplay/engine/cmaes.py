"""CMA-ES on a plain NumPy vector: ``minimize(f, x0, sigma0)`` and the ask/tell class :class:`CMA`.

Hansen's covariance matrix adaptation evolution strategy ("The CMA Evolution Strategy: A Tutorial",
2016), with the two standard tricks that keep its bookkeeping cheap in high dimension:
  * the eigendecomposition of C is refreshed lazily, once every ~λ/((c1+cμ)·n·10) generations, as in
    the tutorial and pycma;
  * above ``DIAGONAL_ABOVE`` dimensions the covariance is diagonal (separable CMA-ES, Ros & Hansen 2008),
    with its learning rates scaled up by (n+2)/3, so a generation costs O(λ·n), not O(n²).
NumPy only; the neuroevolution trainer uses it to evolve a network's flat parameter vector.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

DIAGONAL_ABOVE = 400        # more dimensions than this: separable CMA by default


@dataclass(frozen=True)
class CMAResult:
    """What ``minimize`` found: the best x and f(x), the work done and why it stopped."""

    x: Array
    f: float
    evaluations: int
    generations: int
    sigma: float
    stop: str


def default_population(n: int) -> int:
    """Hansen's default λ = 4 + ⌊3 ln n⌋."""
    return 4 + int(3 * math.log(max(n, 1)))


class CMA:
    """CMA-ES state that *minimises*: ``ask()`` gives λ candidates (rows), ``tell(cands, values)`` learns."""

    def __init__(self, x0: Array, sigma0: float, *, population: int | None = None,
                 seed: int | None = None, rng: np.random.Generator | None = None,
                 diagonal: bool | None = None) -> None:
        mean = np.array(x0, dtype=np.float64).reshape(-1)
        n = mean.size
        if n < 1 or not np.all(np.isfinite(mean)):
            raise ValueError(f"x0 must be a non-empty vector of finite numbers, got shape {mean.shape}")
        try:
            step = float(sigma0)
        except (TypeError, ValueError):
            step = math.nan
        if isinstance(sigma0, bool) or not math.isfinite(step) or step <= 0:
            raise ValueError(f"sigma0 must be a finite number > 0, got {sigma0!r}")
        lam = default_population(n) if population is None else int(population)
        if lam < 2:
            raise ValueError(f"population must be ≥ 2, got {population!r}")
        self.n, self.mean, self.sigma, self.lam = n, mean, step, lam
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.diagonal = n > DIAGONAL_ABOVE if diagonal is None else bool(diagonal)
        mu = lam // 2
        w = math.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
        self.weights = w / w.sum()
        self.mu, self.mueff = mu, float(1.0 / np.sum(self.weights ** 2))
        me = self.mueff
        self.cs = (me + 2) / (n + me + 5)
        self.ds = 1 + 2 * max(0.0, math.sqrt((me - 1) / (n + 1)) - 1) + self.cs
        self.cc = (4 + me / n) / (n + 4 + 2 * me / n)
        self.c1 = 2 / ((n + 1.3) ** 2 + me)
        self.cmu = min(1 - self.c1, 2 * (me - 2 + 1 / me) / ((n + 2) ** 2 + me))
        if self.diagonal:                               # separable CMA learns n variances, not n² entries
            scale = (n + 2) / 3
            self.c1 = min(1.0, self.c1 * scale)
            self.cmu = min(1 - self.c1, self.cmu * scale)
        self.chin = math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
        self.ps, self.pc = np.zeros(n), np.zeros(n)
        self.D = np.ones(n)                             # √eigenvalues of C (or √diag C when diagonal)
        self.B: Array | None = None if self.diagonal else np.eye(n)
        self.C: Array = np.ones(n) if self.diagonal else np.eye(n)
        self._BD: Array | None = None if self.diagonal else np.eye(n)      # B·diag(D): y = BD z
        self.gen = self.eigen_gen = 0
        self._y: Array | None = None

    def ask(self) -> Array:
        """λ new candidates, one per row: mean + σ·y with y ~ N(0, C)."""
        z = self.rng.standard_normal((self.lam, self.n))
        if self._BD is None:
            z *= self.D
            self._y = z
        else:
            self._y = z @ self._BD.T
        return self.mean + self.sigma * self._y

    def tell(self, cands: Array, values: Array) -> None:
        """Update mean, paths, step size and covariance from the values of the last ``ask`` (lower is better)."""
        if self._y is None or len(values) != self.lam or np.shape(cands) != self._y.shape:
            raise ValueError(f"tell needs the {self.lam} candidates of the last ask and one value each")
        values = np.asarray(values, dtype=np.float64)
        values = np.where(np.isnan(values), np.inf, values)
        n = self.n
        order = np.argsort(values, kind="stable")[:self.mu]
        y = self._y[order]
        yw = self.weights @ y
        self.mean = self.mean + self.sigma * yw
        inv_sqrt_c_yw = yw / self.D if self.B is None else self.B @ ((self.B.T @ yw) / self.D)
        self.ps *= 1 - self.cs
        self.ps += math.sqrt(self.cs * (2 - self.cs) * self.mueff) * inv_sqrt_c_yw
        self.gen += 1
        norm_ps = float(np.linalg.norm(self.ps))
        hs = norm_ps / math.sqrt(1 - (1 - self.cs) ** (2 * self.gen)) < (1.4 + 2 / (n + 1)) * self.chin
        self.pc *= 1 - self.cc
        if hs:
            self.pc += math.sqrt(self.cc * (2 - self.cc) * self.mueff) * yw
        decay = 1 - self.c1 - self.cmu + (0.0 if hs else self.c1 * self.cc * (2 - self.cc))
        if self.B is None:
            self.C *= decay
            self.C += self.c1 * self.pc * self.pc + self.cmu * (self.weights @ (y * y))
            self.D = np.sqrt(np.maximum(self.C, 1e-20))
        else:
            self._update_full(y, decay)
        self.sigma *= math.exp((self.cs / self.ds) * (norm_ps / self.chin - 1))
        self.sigma = float(min(max(self.sigma, 1e-300), 1e300))
        self._y = None

    def _update_full(self, y: Array, decay: float) -> None:
        """Rank-one plus rank-μ update of the full C in place, and the lazy eigendecomposition."""
        C = self.C
        C *= decay
        wy = y * (self.cmu * self.weights)[:, None]
        C += wy.T @ y
        C += np.outer(self.c1 * self.pc, self.pc)
        if self.gen - self.eigen_gen > self.lam / (self.c1 + self.cmu) / self.n / 10:
            self.eigen_gen = self.gen
            C[:] = np.triu(C) + np.triu(C, 1).T
            d2, B = np.linalg.eigh(C)
            self.B, self.D = B, np.sqrt(np.maximum(d2, 1e-20))
            self._BD = B * self.D

    @property
    def axis_ratio(self) -> float:
        """Largest over smallest √eigenvalue of C: how stretched the search distribution is."""
        return float(self.D.max() / self.D.min())


def minimize(f: Callable[[Array], float], x0: Array, sigma0: float, *, seed: int | None = None,
             population: int | None = None, max_evals: int | None = None, target: float | None = None,
             tol_x: float = 1e-12, tol_fun: float = 1e-12, diagonal: bool | None = None) -> CMAResult:
    """Minimise f on a vector from x0 with initial step sigma0; stops at target, max_evals, tol_x or tol_fun.

    ``f`` takes one vector and returns a number (non-finite counts as worst).  Deterministic per seed.
    """
    es = CMA(x0, sigma0, population=population, seed=seed, diagonal=diagonal)
    n = es.n
    budget = int(1e3 * (n + 5) ** 2 / math.sqrt(es.lam)) if max_evals is None else int(max_evals)
    if budget < 1:
        raise ValueError(f"max_evals must be ≥ 1, got {max_evals!r}")
    best_x, best_f, evals = es.mean.copy(), math.inf, 0
    history: list[float] = []
    window = 10 + int(30 * n / es.lam)
    stop = "max_evals"
    while evals + es.lam <= budget:
        cands = es.ask()
        values = np.array([float(f(c)) for c in cands])
        values[~np.isfinite(values)] = np.inf
        evals += es.lam
        es.tell(cands, values)
        i = int(np.argmin(values))
        if values[i] < best_f:
            best_x, best_f = cands[i].copy(), float(values[i])
        history.append(float(values[i]))
        if target is not None and best_f <= target:
            stop = "target"
            break
        if es.sigma * float(es.D.max()) < tol_x:
            stop = "tol_x"
            break
        recent = history[-window:]
        if len(history) >= window and max(recent) - min(recent) < tol_fun and np.ptp(values) < tol_fun:
            stop = "tol_fun"
            break
    return CMAResult(best_x, best_f, evals, es.gen, es.sigma, stop)


__all__ = ["CMA", "CMAResult", "minimize", "default_population", "DIAGONAL_ABOVE"]
