"""The doctor's instruments against hand-computed values, and its schedule."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from annplay.core.session import Session
from annplay.engine import instruments as ins
from annplay.engine.fixes import make_fixes, nice
from annplay.engine.network import MLP
from annplay.engine.setup import Setup
from annplay.engine.sharecode import decode


def test_layer_norms_read_the_weights_not_the_bias() -> None:
    P = np.array([[3.0, 4.0, 100.0]])
    assert ins.layer_norms([P]) == (5.0,)


def test_layer_norms_of_huge_weights_are_true_and_silent() -> None:
    P = np.array([[3e30, 4e30, 1.0]], dtype=np.float32)             # squares overflow float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")                               # a RuntimeWarning would raise here
        (norm,) = ins.layer_norms([P])
        assert norm == pytest.approx(5e30, rel=1e-6)
        assert ins.layer_norms([np.array([[np.inf, 1.0, 0.0]])]) == (math.inf,)
        assert math.isnan(ins.layer_norms([np.array([[np.nan, 1.0, 0.0]])])[0])


def test_update_ratio_is_the_step_over_the_weights_per_update() -> None:
    before = np.array([[0.0, 0.0, 7.0]])
    after = np.array([[3.0, 4.0, 9.0]])
    assert ins.update_ratios([before], [after], 1) == (1.0,)
    assert ins.update_ratios([before], [after], 4) == (0.25,)
    assert ins.update_ratios([after], [after], 1) == (0.0,)


def test_dead_units_need_every_point_at_or_below_zero() -> None:
    Z = np.array([[-1.0, 0.0, -3.0], [1.0, -2.0, -1.0], [-0.5, -0.5, 1e-9]])
    assert ins.dead_units(Z) == 1
    assert ins.dead_which(Z) == (0,)


def test_saturated_units_tanh_and_logistic() -> None:
    flat = [0.995, -0.999, 0.999, 0.9999, 0.995, -0.995, 0.999, 0.999, 0.999, 0.5]   # 90 % flat
    A = np.array([flat, [0.5] * 10, [0.999] * 5 + [0.0] * 5])
    assert ins.saturated_units(A, "tanh") == 1
    L = np.array([[0.001] * 10, [0.5] * 10, [0.999] * 9 + [0.5]])
    assert ins.saturated_units(L, "logistic") == 2
    assert ins.saturated_units(A, "relu") == 0


def test_chance_loss_is_ln_c_for_balanced_classes_and_half_the_variance_for_regression() -> None:
    assert ins.chance_loss("binary", np.array([[0.0, 1.0, 0.0, 1.0]])) == pytest.approx(math.log(2))
    Y = np.eye(3)[:, [0, 1, 2, 0, 1, 2]]
    assert ins.chance_loss("multiclass", Y) == pytest.approx(math.log(3))
    assert ins.chance_loss("regression", np.array([[1.0, 3.0]])) == pytest.approx(0.5)
    skewed = ins.chance_loss("binary", np.array([[0.0, 0.0, 0.0, 1.0]]))
    assert skewed == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)))


def test_measure_matches_the_networks_own_gradients_and_loss() -> None:
    rng = np.random.default_rng(1)
    net = MLP([2, 4, 3, 1], ["relu", "tanh", "logistic"], seed=3)
    X = rng.normal(size=(2, 30))
    Y = (X[0:1] > 0).astype(float)
    loss, grads, which = ins.measure(net, X, Y)
    dead = [len(d) for d, _ in which]
    saturated = [len(s) for _, s in which]
    dws, _ = net.gradients(X, Y)
    assert loss == pytest.approx(net.loss(X, Y))
    assert grads == pytest.approx(tuple(float(np.linalg.norm(d)) for d in dws))
    Z1 = net.weights[0] @ X + net.biases[0]
    assert dead[0] == int(np.sum(np.all(Z1 <= 0, axis=1)))
    assert dead[1] == 0                                   # tanh units are never "dead"
    assert len(saturated) == 2


def test_schedule_probes_one_epoch_before_each_sample() -> None:
    net = MLP([2, 3, 1], ["tanh", "logistic"], seed=0)
    X = np.zeros((2, 10))
    Y = np.zeros((1, 10))
    inst = ins.Instruments(net, X, Y, None, None, updates_per_epoch=ins.UPDATES_PER_SAMPLE // 4)
    assert inst.interval == 4
    assert inst.next_epoch() == 0
    assert inst.observe(0)
    assert inst.next_epoch() == 3                         # the probe
    assert not inst.observe(3)
    assert inst.next_epoch() == 4
    assert inst.observe(4)
    assert inst.samples[-1].update_ratios == (0.0, 0.0)   # nothing trained in between
    assert inst.samples[0].update_ratios is None


def test_history_stays_bounded_and_keeps_the_start() -> None:
    net = MLP([2, 3, 1], ["tanh", "logistic"], seed=0)
    inst = ins.Instruments(net, np.zeros((2, 4)), np.zeros((1, 4)), None, None,
                           updates_per_epoch=ins.UPDATES_PER_SAMPLE)
    assert inst.interval == 1
    epoch = 0
    for _ in range(3 * ins.MAX_SAMPLES):
        epoch = inst.next_epoch()
        inst.observe(epoch)
    assert len(inst.samples) <= ins.MAX_SAMPLES
    assert inst.samples[0].epoch == 0
    assert inst.interval >= 2


def test_a_known_run_length_gets_enough_samples() -> None:
    net = MLP([2, 3, 1], ["tanh", "logistic"], seed=0)
    inst = ins.Instruments(net, np.zeros((2, 4)), np.zeros((1, 4)), None, None, updates_per_epoch=1, epochs=100)
    assert 100 // inst.interval >= ins.MIN_SAMPLES


def test_the_session_samples_the_same_epochs_whatever_its_chunks() -> None:
    setup = Setup(dataset="xor", epochs=60, seed=4)
    a, b = Session(setup), Session(setup)
    while not a.done():
        a.run_for(0.2, metrics=False)
    for _ in range(60):
        b.step(1)
    assert [s.epoch for s in a.instruments.samples] == [s.epoch for s in b.instruments.samples]
    assert a.instruments.samples[-1].train_loss == pytest.approx(b.instruments.samples[-1].train_loss)
    assert a.instruments.samples[0].epoch == 0


def test_nice_learning_rates_come_from_the_list() -> None:
    assert nice(0.2) == 0.3
    assert nice(0.0033) == 0.003
    assert nice(1e-9) == 1e-5


def test_fixes_carry_the_share_code_of_the_fixed_setup_and_skip_no_ops() -> None:
    setup = Setup(dataset="circle", activation="relu", lr=2.0)
    fixes = make_fixes(setup, {"activation": "leaky_relu"}, {"activation": "relu"}, {"lr": -1})
    assert [f.label for f in fixes] == ["activation=leaky_relu"]
    assert decode(fixes[0].code) == setup.with_(activation="leaky_relu")


def test_a_live_change_restarts_the_doctors_history() -> None:
    session = Session(Setup(dataset="xor", epochs=200))
    session.step(100)
    assert session.instruments.samples
    session.apply(lr=0.1)
    assert session.instruments.samples == [] and session.instruments.next_epoch() <= 100
    session.step(100)
    assert session.instruments.samples[0].epoch == 100


def test_fixes_that_do_not_apply_to_the_run_are_never_offered() -> None:
    """Patience or L2 mean nothing to neuroevolution: an es run must not be told to try them."""

    es = Setup(dataset="xor", trainer="es", epochs=100)
    assert make_fixes(es, {"patience": 50}, {"regularization": "l2", "reg_rate": 0.01}) == ()
    assert [f.label for f in make_fixes(es, {"hidden": (8,)})] != []
