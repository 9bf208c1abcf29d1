"""Issue 17.2.2: the first run teaches learning, not overfitting. The default set-up is TF Playground's own
(circle, 4-2, tanh, lr 0.03) and the app starts at a watchable pace; max stays a choice."""

from __future__ import annotations

from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.screens.run_controls import DEFAULT_SPEED, SPEEDS


def test_the_default_set_up_is_tf_playgrounds():
    setup = Setup()
    assert (setup.dataset, setup.hidden, setup.activation, setup.lr) == ("circle", (4, 2), "tanh", 0.03)


def test_the_default_pace_is_watchable_and_max_is_a_choice():
    assert DEFAULT_SPEED is not None and 10 <= DEFAULT_SPEED <= 100        # TF's pace: about an epoch a frame
    assert None in SPEEDS and SPEEDS.index(None) > SPEEDS.index(DEFAULT_SPEED)   # '.' reaches max


def test_a_boundary_forms_in_the_first_seconds_without_overfitting():
    session = Session(Setup())
    start = session.metrics()
    session.step(3 * DEFAULT_SPEED)                   # the first three seconds at the default pace
    early = session.metrics()
    assert early.test_acc is not None and early.test_acc >= 0.9 and early.test_loss < start.test_loss / 2
    session.step(30 * DEFAULT_SPEED)                  # half a minute on: still learning, not overfitting
    later = session.metrics()
    assert later.test_loss <= early.test_loss and later.test_loss <= 2 * later.train_loss
