"""The status numbers keep their widths for every value: a loss in 6 characters, a speed in 6 (the phone's
status line has no more room), found by trying every magnitude, not a handful of values."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from annplay.widgets.stats import fmt_loss, fmt_speed

MAGNITUDES = st.floats(min_value=0, max_value=1e13, allow_nan=False, allow_infinity=False)


@given(MAGNITUDES)
@example(9.946525281733982e-10).via("'9.9e-10' took 7")
@example(1.0004e-12)
def test_a_loss_never_takes_more_than_six_characters(value: float) -> None:
    text = fmt_loss(value)
    assert len(text) <= 6, (value, text)
    if text not in (">1e6", "—") and value > 0:
        assert abs(float(text) - value) <= 0.5 * value + 5e-5, (value, text)    # what it shows is near it


@given(MAGNITUDES)
@example(9951.72).via("'10.0k/s' took 7")
@example(999_600.0)
@example(0.4).via("a huge net's 0.4 epochs a second showed as 0/s")
def test_a_speed_never_takes_more_than_six_characters_and_is_never_zero_when_running(value: float) -> None:
    text = fmt_speed(value)
    assert len(text) <= 6, (value, text)
    if value >= 0.05:
        assert text not in ("0/s", "0.0/s"), (value, text)
