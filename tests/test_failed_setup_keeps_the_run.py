"""A set-up that fails to build (its CSV gone) leaves the session's run whole: the trained weights, the curves
and the trainer, not the old set-up with new random weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from annplay.core.session import Session
from annplay.engine.setup import Setup


def test_a_setup_whose_csv_is_gone_keeps_the_trained_run(tmp_path: Path) -> None:
    session = Session(Setup(dataset="xor", hidden=(4,), seed=3))
    session.record.add(session.step(30), session.family)    # as the worker records each snapshot
    weights = [w.copy() for w in session.net.weights]
    trainer, history = session.trainer, [list(curve) for curve in session.history]
    assert history[0], "the run has a curve to keep"
    gone = tmp_path / "gone.csv"
    gone.write_text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")
    setup = Setup(csv=str(gone))
    gone.unlink()
    with pytest.raises(Exception):                  # noqa: B017 - whatever the loader raises for a missing file
        session.load_setup(setup)
    assert session.setup.dataset == "xor" and session.trainer is trainer
    assert all(np.array_equal(a, b) for a, b in zip(session.net.weights, weights, strict=True))
    assert [list(curve) for curve in session.history] == history
