"""Explain mode's step on a session: the engine's SGD step on one mini-batch, under the lock, counted in epochs."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from annplay.core import explain
from annplay.core.explain import StaleExplanation, explain_session, notes, pass_key, step_session
from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.engine.trainer import Trainer


def test_batches_are_cut_as_the_trainer_cuts_them() -> None:
    X = np.arange(14.0).reshape(2, 7)
    Y = np.arange(7.0).reshape(1, 7)
    assert [explain.batches_per_pass(n, size) for n, size in ((7, 3), (6, 3), (7, 100))] == [3, 2, 1]
    cut = [explain.pass_batch(X, Y, 3, k)[1].tolist() for k in range(4)]
    assert cut == [[[0, 1, 2]], [[3, 4, 5]], [[6]], [[0, 1, 2]]]
    np.testing.assert_array_equal(explain.pass_batch(X, Y, 3, 1)[0], X[:, 3:6])
    with pytest.raises(ValueError, match="no training data"):
        explain.pass_batch(np.zeros((2, 0)), np.zeros((1, 0)), 10, 0)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("index", [0, 3])
def test_a_step_is_the_engines_sgd_step_on_that_batch(dtype: str, index: int) -> None:
    session = Session(Setup(dataset="xor", hidden=(6, 4), lr=0.1, batch_size=10, regularization="l2",
                            reg_rate=0.01, dtype=dtype))
    Xb, Yb = session.prep.X_train[:, index * 10:(index + 1) * 10], session.prep.Y_train[:, index * 10:(index + 1) * 10]
    engine = session.net.copy()
    Trainer(engine, Xb, Yb, optimizer="sgd", batch_size=None, shuffle=False, lr=0.1, l2=0.01).step(1)
    shown, at, total = explain_session(session, 2, index)
    assert (at, total, shown.n) == (index, 25, 10)
    stepped = step_session(session, 2, index, shown)
    atol = 1e-12 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(session.net.get_flat(), engine.get_flat(), rtol=0, atol=atol)
    np.testing.assert_allclose(session.net.weights[1], shown.W_new, rtol=0, atol=atol)
    assert stepped.loss_after < stepped.loss_before and stepped.batch == index and not stepped.counted
    assert session.epoch == 0 and stepped.summary().startswith(f"Stepped {index + 1}/25: batch loss ")


def test_a_whole_pass_is_one_epoch_and_a_skipped_batch_counts_none() -> None:
    session = Session(Setup(dataset="xor", hidden=(4,), batch_size=100))
    key = pass_key(session)
    results = [step_session(session, 1, k) for k in range(3)]
    assert [r.counted for r in results] == [False, False, True] and session.epoch == 1
    assert results[-1].summary().endswith("; epoch 1 complete") and pass_key(session) != key
    last = step_session(session, 1, 2, count_epoch=False)            # the pass had a skipped batch
    assert session.epoch == 1 and last.pass_ended and not last.counted and "no epoch" in last.summary()
    assert session.state() == "paused" and session.metrics().epoch == 1


def test_the_place_in_the_pass_belongs_to_one_trainer_at_one_epoch() -> None:
    session = Session(Setup(dataset="xor", hidden=(4,)))
    key = pass_key(session)
    assert pass_key(session) == key
    session.step(1)
    assert pass_key(session) != key
    key = pass_key(session)
    for _ in range(5):                          # rebuilt trainers at epoch 0, whatever address they get
        session.reset()
        gc.collect()
        assert pass_key(session) != key and session.epoch == 0
        key = pass_key(session)


def test_refused_steps_change_nothing() -> None:
    session = Session(Setup(dataset="xor", hidden=(4,), epochs=1))
    before = session.net.get_flat()
    shown, _, _ = explain_session(session, 1, 0)
    session.net.weights[0] = np.asarray(session.net.weights[0]) + 1.0      # changed behind the screen's back
    changed = session.net.get_flat()
    with pytest.raises(StaleExplanation, match="changed since"):
        step_session(session, 1, 0, shown)
    np.testing.assert_array_equal(session.net.get_flat(), changed)
    session.net.set_flat(before)
    session.start()                                                      # a worker trains
    with pytest.raises(ValueError, match="training is running"):
        step_session(session, 1, 0)
    session.stop()
    session.step(1)                                                      # the epoch limit is reached
    at_limit = session.net.get_flat()
    with pytest.raises(ValueError, match="epoch limit"):
        step_session(session, 1, 0)
    np.testing.assert_array_equal(session.net.get_flat(), at_limit)


def test_neuroevolution_no_data_and_a_diverging_step_are_refused() -> None:
    with pytest.raises(ValueError, match="explain mode shows back-propagation"):
        step_session(Session(Setup(dataset="xor", trainer="ga", activation="step")), 1, 0)
    empty = Session(Setup(dataset="xor"), drawn=())
    with pytest.raises(ValueError, match="no training data"):
        step_session(empty, 1, 0)
    wild = Session(Setup(dataset="xor", hidden=(4,), lr=1e10, activation="linear"))
    wild.prep.X_train[...] *= 1e300                                      # a step to infinity
    before = wild.net.get_flat()
    with pytest.raises(ValueError, match="non-finite"):
        step_session(wild, 1, 0)
    np.testing.assert_array_equal(wild.net.get_flat(), before)


def test_notes_say_when_training_steps_otherwise() -> None:
    assert notes(Setup()) == []
    assert "plain SGD" in notes(Setup(optimizer="adam"))[0] and "adam" in notes(Setup(optimizer="adam"))[0]
    assert "momentum" in notes(Setup(optimizer="momentum"))[0]
    assert any("No dropout" in note for note in notes(Setup(dropout=0.2)))
    assert notes(Setup(trainer="es", activation="step")) == []
