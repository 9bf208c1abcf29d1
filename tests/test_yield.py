"""Reliability 19.3.8: a big set-up never holds the session for a whole epoch, and a frame's metrics stay small."""

from __future__ import annotations

import numpy as np

from annplay.core.session import FRAME_MACS, Session
from annplay.engine import MLP, Trainer
from annplay.engine.setup import Setup


def test_one_chunk_of_a_huge_epoch_yields_mid_epoch_and_goes_on_from_there() -> None:
    s = Session(Setup(dataset="circle", points=200_000, batch_size=1, hidden=(8,)))
    s.run_for(0.0, metrics=False)             # one chunk: 100,000 batches of 1 cannot fit in its 2/15 s
    assert s.trainer.mid_epoch and s.epoch == 0
    kernel = s.trainer._kernel[1]
    reached = kernel.position
    s.run_for(0.0, metrics=False)
    assert kernel.position > reached         # resumed where it stopped, same epoch


def test_frame_metrics_measure_a_bounded_number_of_points(monkeypatch) -> None:
    s = Session(Setup(dataset="circle", points=200_000, hidden=(64, 64, 64)))
    widths: list[int] = []
    original = Trainer._measure

    def spy(self: Trainer, X: np.ndarray, Y: np.ndarray) -> tuple[float, float | None]:
        widths.append(X.shape[1])
        return original(self, X, Y)
    monkeypatch.setattr(Trainer, "_measure", spy)
    s.frame_metrics()
    assert widths and max(widths) * s.net.n_params <= 2 * max(FRAME_MACS, 256 * s.net.n_params)
    widths.clear()
    s.metrics()                               # the CLI's numbers stay exact: every point
    assert max(widths) == 100_000


def test_evenly_spaced_metrics_equal_the_exact_ones_on_small_data() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(2, 300)), (rng.random((1, 300)) > 0.5).astype(float)
    t = Trainer(MLP([2, 4, 1], "tanh", seed=0), X, Y)
    assert t.metrics(columns=10_000) == t.metrics()
    assert t.metrics(columns=30).train_loss != t.metrics().train_loss
