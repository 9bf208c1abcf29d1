"""CMA-ES on plain vectors: known evaluation counts in 10-D, determinism, stops, bad input, the separable mode."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from annplay.engine.cmaes import CMA, DIAGONAL_ABOVE, minimize


def sphere(x: np.ndarray) -> float:
    return float(x @ x)


def rosenbrock(x: np.ndarray) -> float:
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def ellipsoid(x: np.ndarray) -> float:
    """Axis-parallel ellipsoid with condition number 1e6."""
    return float(np.sum(1e6 ** (np.arange(x.size) / (x.size - 1)) * x * x))


# pycma 4.x (CMA_active off, same x0 and σ0, target 1e-10), eight seeds on this machine: sphere 1,320-1,640
# evaluations, Rosenbrock 5,300-7,020, ellipsoid 5,510-6,080. The bounds allow ~1.5× pycma's median.
@pytest.mark.parametrize("f, x0, low, high", [
    (sphere, 0.5, 900, 2_400),
    (rosenbrock, 0.0, 4_000, 10_000),
    (ellipsoid, 0.5, 4_000, 9_000),
], ids=["sphere", "rosenbrock", "ellipsoid"])
def test_reaches_the_target_in_10d_within_pycmas_typical_evaluations(f, x0, low, high):
    runs = [minimize(f, np.full(10, x0), 0.5, seed=seed, target=1e-10, max_evals=30_000) for seed in range(3)]
    assert all(r.stop == "target" and r.f <= 1e-10 for r in runs), [(r.stop, r.f) for r in runs]
    median = statistics.median(r.evaluations for r in runs)
    assert low <= median <= high, median
    if f is rosenbrock:
        assert all(np.allclose(r.x, 1.0, atol=1e-3) for r in runs)
    else:
        assert all(np.allclose(r.x, 0.0, atol=1e-3) for r in runs)


def test_the_separable_mode_solves_the_axis_parallel_ellipsoid_faster():
    full = minimize(ellipsoid, np.full(10, 0.5), 0.5, seed=1, target=1e-10, diagonal=False)
    sep = minimize(ellipsoid, np.full(10, 0.5), 0.5, seed=1, target=1e-10, diagonal=True)
    assert sep.stop == full.stop == "target"
    assert sep.evaluations < full.evaluations


def test_diagonal_is_the_default_only_above_the_threshold():
    assert CMA(np.zeros(DIAGONAL_ABOVE), 1.0).diagonal is False
    big = CMA(np.zeros(DIAGONAL_ABOVE + 1), 1.0, seed=0)
    assert big.diagonal is True and big.B is None and big.C.shape == (DIAGONAL_ABOVE + 1,)


def test_the_eigendecomposition_is_refreshed_lazily_and_sampling_follows_c():
    es = CMA(np.zeros(40), 1.0, seed=3)             # refreshes when 9.3 generations have passed
    refreshed = []
    for _ in range(33):
        cands = es.ask()
        es.tell(cands, [ellipsoid(c) for c in cands])
        if es.eigen_gen == es.gen:
            refreshed.append(es.gen)
            assert es.B is not None
            np.testing.assert_allclose((es.B * es.D ** 2) @ es.B.T, es.C, atol=1e-12)
    assert refreshed == [10, 20, 30]
    y = es.ask() - es.mean                          # after the refresh, samples follow B·D
    assert es.B is not None
    z = (y / es.sigma) @ es.B / es.D
    assert abs(float(z.std()) - 1.0) < 0.2


def test_same_seed_same_result_and_another_seed_differs():
    a = minimize(rosenbrock, np.zeros(5), 0.3, seed=7, max_evals=600)
    b = minimize(rosenbrock, np.zeros(5), 0.3, seed=7, max_evals=600)
    c = minimize(rosenbrock, np.zeros(5), 0.3, seed=8, max_evals=600)
    assert a.evaluations == b.evaluations and a.f == b.f and np.array_equal(a.x, b.x)
    assert a.f != c.f


def test_stops_on_the_budget_and_counts_whole_generations():
    r = minimize(rosenbrock, np.zeros(10), 0.5, seed=0, max_evals=105)
    assert r.stop == "max_evals" and r.evaluations == 100 and r.generations == 10


def test_non_finite_values_count_as_worst():
    def walled(x: np.ndarray) -> float:
        return float("nan") if x[0] < 0 else (np.inf if x[1] < 0 else sphere(x - 1))
    r = minimize(walled, np.full(3, 2.0), 0.5, seed=0, target=1e-8, max_evals=20_000)
    assert r.stop == "target" and np.allclose(r.x, 1.0, atol=1e-3)


@pytest.mark.parametrize("kwargs, match", [
    ({"x0": np.array([])}, "x0"),
    ({"x0": np.array([1.0, np.nan])}, "x0"),
    ({"sigma0": 0.0}, "sigma0"),
    ({"sigma0": float("inf")}, "sigma0"),
    ({"sigma0": "big"}, "sigma0"),
    ({"sigma0": True}, "sigma0"),
    ({"population": 1}, "population"),
    ({"max_evals": 0}, "max_evals"),
])
def test_bad_input_is_named(kwargs, match):
    args = {"x0": np.zeros(3), "sigma0": 1.0} | kwargs
    with pytest.raises(ValueError, match=match):
        minimize(sphere, seed=0, **args)


def test_numpy_scalars_are_fine_as_sigma0():
    assert minimize(sphere, np.ones(3), np.int64(1), seed=0, max_evals=70).evaluations == 70


def test_tell_refuses_values_that_do_not_match_the_last_ask():
    es = CMA(np.zeros(4), 1.0, seed=0)
    cands = es.ask()
    with pytest.raises(ValueError, match="candidates"):
        es.tell(cands, np.zeros(es.lam - 1))
