"""Neuroevolution: batched forward pass, monotone best fitness, determinism, solving XOR."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.engine import MLP, NeuralNetwork, Trainer, make_dataset
from annplay.engine.evolution import EvolutionTrainer, population_forward, population_logits, population_scores

XOR_X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
XOR_Y = np.array([[0, 1, 1, 0]], dtype=float)


def xor_data(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    ds = make_dataset("xor", n=n, seed=seed)
    return ds.X, ds.targets()


@settings(max_examples=25, deadline=None)
@given(hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
       act=st.sampled_from(["relu", "leaky_relu", "elu", "tanh", "logistic", "linear", "step"]),
       out=st.sampled_from(["logistic", "softmax", "linear"]),
       m=st.integers(1, 4), n=st.integers(1, 9), P=st.integers(1, 7), seed=st.integers(0, 10**6))
def test_batched_forward_equals_per_individual_forward(hidden, act, out, m, n, P, seed):
    rng = np.random.default_rng(seed)
    r = 3 if out == "softmax" else 2
    net = MLP([m, *hidden, r], [act] * len(hidden) + [out], seed=seed)
    X = rng.normal(size=(m, n))
    pop = rng.normal(size=(P, net.n_params))
    batched = population_forward(net, pop, X)
    assert batched.shape == (P, r, n)
    for i in range(P):
        net.set_flat(pop[i])
        np.testing.assert_allclose(batched[i], net.forward(X), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(population_logits(net, pop, X)[i], net.logits(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layers,out,loss", [([2, 5, 1], "logistic", None), ([2, 4, 3], "softmax", None),
                                             ([2, 3, 1], "linear", None), ([2, 3, 1], "tanh", "mse")])
def test_population_scores_match_the_network_loss_and_accuracy(layers, out, loss):
    rng = np.random.default_rng(3)
    net = MLP(layers, ["tanh", out], loss=loss, seed=1)
    X = rng.normal(size=(2, 30))
    r = layers[-1]
    if out == "softmax":
        labels = rng.integers(0, r, 30)
        Y = np.eye(r)[:, labels]
    elif out == "logistic":
        labels = rng.integers(0, 2, 30)
        Y = labels[None, :].astype(float)
    else:
        labels = None
        Y = rng.normal(size=(1, 30))
    pop = rng.normal(size=(5, net.n_params))
    loss_v, acc = population_scores(net, pop, X, Y)
    for i in range(5):
        net.set_flat(pop[i])
        assert loss_v[i] == pytest.approx(net.loss(X, Y), rel=1e-10)
        if labels is not None:
            assert acc[i] == pytest.approx(net.accuracy(X, labels))


@pytest.mark.parametrize("method", ["ga", "es"])
def test_best_fitness_never_decreases_and_the_net_holds_the_best(method):
    X, Y = xor_data()
    net = MLP([2, 4, 1], "tanh", seed=0)
    tr = EvolutionTrainer(net, X, Y, method=method, seed=0)
    tr.step(40)
    best = np.array(tr.best_history)
    assert len(best) == 40
    assert np.all(np.diff(best) >= 0), "elitism: the best fitness must be monotone"
    assert best[-1] > best[0]
    assert -net.loss(X, Y) == pytest.approx(tr.best_fitness)
    assert all(b >= m for b, m in zip(tr.best_history, tr.mean_history, strict=True))


@pytest.mark.parametrize("method", ["ga", "es"])
def test_evolution_is_deterministic_per_seed(method):
    X, Y = xor_data()
    runs = []
    for seed in (7, 7, 8):
        net = MLP([2, 4, 1], "tanh", seed=1)
        tr = EvolutionTrainer(net, X, Y, method=method, seed=seed)
        tr.step(15)
        runs.append((net.get_flat(), tr.evaluations, list(tr.best_history)))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1:] == runs[1][1:]
    assert not np.array_equal(runs[0][0], runs[2][0])


@pytest.mark.parametrize("method,budget", [("ga", 20_000), ("es", 5_000)])
def test_each_method_solves_xor_within_a_budget(method, budget):
    X, Y = xor_data(300, seed=2)
    net = MLP([2, 8, 1], "tanh", seed=2)
    tr = EvolutionTrainer(net, X, Y, method=method, seed=2)
    while tr.evaluations < budget and tr.metrics().train_acc < 0.97:
        tr.step(5, metrics=False)
    assert tr.metrics().train_acc >= 0.97, f"{method} used {tr.evaluations} evaluations"


def test_step_activation_trains_by_evolution_but_not_by_backprop():
    X, Y = xor_data(200, seed=4)
    net = MLP([2, 6, 1], ["step", "logistic"], seed=4)
    with pytest.raises(ValueError, match="neuroevolution"):
        Trainer(net, X, Y)
    tr = EvolutionTrainer(net, X, Y, method="es", seed=4)
    start = tr.metrics().train_acc
    tr.step(150)
    assert tr.metrics().train_acc > max(start, 0.85)


def test_the_original_neural_network_class_is_trainable_by_evolution():
    nn = NeuralNetwork(2, 4, 1, seed=0)
    tr = EvolutionTrainer(nn, XOR_X, XOR_Y, method="es", seed=0)
    before = tr.metrics().train_loss
    tr.step(300)
    outputs = np.array([nn.predict(x)[0] for x in XOR_X.T])
    assert tr.metrics().train_loss < before
    assert np.array_equal(outputs > 0.5, XOR_Y[0] > 0.5)


def test_accuracy_fitness_and_metrics_fields():
    X, Y = xor_data()
    tr = EvolutionTrainer(MLP([2, 4, 1], "tanh", seed=0), X, Y, X[:, :50], Y[:, :50],
                          method="ga", fitness="accuracy", population=20, seed=0)
    m = tr.step(5)
    assert m.epoch == 5 and m.evaluations == 1 + 20 + 5 * 18
    assert 0 <= m.best_fitness <= 1 and m.best_fitness >= m.mean_fitness
    assert m.test_loss is not None and m.test_acc is not None


@pytest.mark.parametrize("kwargs,match", [
    ({"method": "sgd"}, "method must be one of"),
    ({"population": 2}, "population"),
    ({"sigma": 0}, "sigma"),
    ({"sigma": float("nan")}, "sigma"),
    ({"fitness": "speed"}, "fitness"),
])
def test_bad_settings_are_rejected(kwargs, match):
    X, Y = xor_data(20)
    with pytest.raises(ValueError, match=match):
        EvolutionTrainer(MLP([2, 3, 1], "tanh"), X, Y, **kwargs)


def test_population_and_sigma_can_change_between_generations():
    X, Y = xor_data()
    tr = EvolutionTrainer(MLP([2, 4, 1], "tanh", seed=0), X, Y, method="es", seed=0)
    tr.step(3)
    best = tr.best_fitness
    tr.set_population(30)
    tr.set_sigma(0.05)
    tr.step(3)
    assert tr.population == 30 and tr.sigma == 0.05
    assert tr.best_fitness >= best
    with pytest.raises(ValueError):
        tr.set_sigma(-1)


@pytest.mark.parametrize("method", ["ga", "es"])
def test_configure_applies_population_and_sigma_live_and_names_unknown_keys(method):
    X, Y = xor_data()
    ev = EvolutionTrainer(MLP([2, 4, 1], ["tanh", "logistic"], seed=1), X, Y, method=method, seed=1)
    assert (ev.family, ev.unit) == ("evolution", "generation")
    ev.step(2)
    ev.configure(population=12, sigma=0.05)
    assert (ev.population, ev.sigma) == (12, 0.05)
    before = ev.evaluations
    ev.step(1)
    assert ev.evaluations - before >= 12 - ev.elite if method == "ga" else ev.evaluations - before == 12
    with pytest.raises(ValueError, match="'lr'"):
        ev.configure(lr=0.1, sigma=0.2)
    assert ev.sigma == 0.05                         # nothing changed by the rejected call
    with pytest.raises(ValueError, match="population"):
        ev.configure(population=2, sigma=0.3)
    assert (ev.population, ev.sigma) == (12, 0.05)


@settings(max_examples=30, deadline=None)
@given(P=st.integers(1, 40), chunk=st.integers(1, 45), loss=st.sampled_from(["bce", "mse", "cross_entropy"]),
       seed=st.integers(0, 10**6))
def test_chunked_scores_equal_one_batch(P, chunk, loss, seed):
    rng = np.random.default_rng(seed)
    r = 3 if loss == "cross_entropy" else 1
    out = "softmax" if loss == "cross_entropy" else "logistic"
    net = MLP([2, 5, r], ["tanh", out], loss=loss, seed=seed)
    X = rng.normal(size=(2, 13))
    Y = np.eye(r)[:, rng.integers(0, r, 13)] if r > 1 else (rng.random((1, 13)) < 0.5).astype(float)
    pop = rng.normal(size=(P, net.n_params))
    whole_loss, whole_acc = population_scores(net, pop, X, Y, chunk=P)
    part_loss, part_acc = population_scores(net, pop, X, Y, chunk=chunk)
    np.testing.assert_allclose(part_loss, whole_loss, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(part_acc, whole_acc)


def test_default_chunk_keeps_one_layer_block_near_one_mebibyte():
    from annplay.engine.evolution import SCORE_BUDGET, score_chunk
    net = MLP([2, 32, 32, 1], "relu")
    assert score_chunk(net, 500, 4) == SCORE_BUDGET // (32 * 500 * 4) == 16
    assert score_chunk(net, 500, 8) == 8
    assert score_chunk(net, 10**6, 8) == 1                  # never less than one individual


def test_es_on_a_large_network_uses_separable_cma_and_improves():
    ds = make_dataset("circle", n=100, seed=0)
    net = MLP([2, 32, 32, 1], ["relu", "relu", "logistic"], seed=0, dtype=np.float32)
    assert net.n_params == 1185
    tr = EvolutionTrainer(net, ds.X, ds.targets(), method="es", seed=0)
    start = tr.best_fitness
    tr.step(15)
    assert tr._cma is not None and tr._cma.diagonal and tr._cma.B is None
    assert tr.best_fitness > start


@pytest.mark.parametrize("method", ["es", "ga"])
def test_a_generation_too_big_for_memory_is_refused_before_allocating(method: str) -> None:
    """10,000 individuals of a 6 × 64 net asked for 1.6 GiB an array and ended the app (a probe's find)."""
    from annplay.engine.evolution import MAX_GENERATION_VALUES

    net = MLP([2, *[64] * 6, 1], ["tanh"] * 6 + ["logistic"], seed=0)
    X, Y = np.zeros((2, 8)), np.zeros((1, 8))
    with pytest.raises(ValueError, match=r"population 10000 × 21,057 parameters .* at most 199"):
        EvolutionTrainer(net, X, Y, method=method, population=10_000)
    most = MAX_GENERATION_VALUES // net.n_params
    trainer = EvolutionTrainer(net, X, Y, method=method, population=most)
    with pytest.raises(ValueError, match="at most"):
        trainer.configure(population=most + 1)
    assert trainer.population == most
