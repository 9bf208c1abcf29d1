"""Issue 17.2.6: a pinned run keeps 64 to 120 points per curve, resampled over the whole run, whatever the speed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annplay.core.pins import CURVE_POINTS, MIN_CURVE_POINTS, _thin, pin_of
from annplay.core.session import Session
from annplay.engine.setup import Setup


@given(st.lists(st.floats(0.001, 10.0), min_size=2, max_size=2000))
def test_a_curve_is_resampled_to_64_to_120_points_keeping_its_ends_and_range(values):
    thin = _thin(values)
    assert MIN_CURVE_POINTS <= len(thin) <= CURVE_POINTS
    assert thin[0] == values[0] and thin[-1] == values[-1]
    assert min(values) - 1e-9 <= min(thin) and max(thin) <= max(values) + 1e-9


def test_two_frames_become_a_straight_line_of_64_points():
    thin = _thin([0.7, 0.1])
    assert len(thin) == 64 and thin[0] == 0.7 and thin[-1] == 0.1
    assert all(a > b for a, b in zip(thin, thin[1:], strict=False))          # falling evenly, no step


def test_a_pin_of_a_fast_run_keeps_64_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    session = Session(Setup(dataset="xor", hidden=(4,), points=60))
    for _ in range(2):                                  # a run at max speed: two frames for all its epochs
        session.step(500)
        session.snapshot(changed_only=False)
    pin = pin_of(session)
    assert len(pin.curves[0]) == len(pin.curves[1]) == MIN_CURVE_POINTS
