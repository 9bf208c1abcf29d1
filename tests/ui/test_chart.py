"""The loss chart (whole run, shared scale, down-sampled never dropped, log toggle) and the speed setting."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annplay.app import PlaygroundApp
from annplay.screens.run_controls import SPEEDS
from annplay.widgets.chart import MAX_POINTS, LossChart, LossRecord, chart_lines, shared_scale
from annplay.widgets.stats import StatsPanel

from .conftest import SIZES, ready, screen_text, wait_until


@given(st.integers(1, 3000))
def test_a_long_run_is_down_sampled_never_dropped(n):
    record = LossRecord()
    for epoch in range(n):
        record.add(epoch, 1.0 / (epoch + 1), 2.0 / (epoch + 1))
    assert len(record.epochs) <= MAX_POINTS + 1
    assert record.epochs[0] < 1.0 + (n > MAX_POINTS) * n / 2 and record.epochs[-1] == n - 1   # whole span kept
    assert record.train[-1] == 1.0 / n and record.epochs == sorted(record.epochs)
    assert sum(1 for _ in record.epochs) == len(record.train) == len(record.test)


def test_a_restarted_run_starts_a_new_record():
    record = LossRecord()
    for epoch in range(5):
        record.add(epoch, 1.0, None)
    record.add(0, 0.7, None)
    assert record.epochs == [0.0] and record.train == [0.7] and math.isnan(record.test[0])


def test_train_and_test_share_one_scale_and_the_header_gives_start_and_now():
    record = LossRecord()
    for epoch, (a, b) in enumerate([(0.002, 0.01), (0.001, 0.008), (0.0001, 0.009)]):
        record.add(epoch, a, b)
    assert shared_scale([record.train, record.test], log=False) == (0.0001, 0.01)
    lo, hi = shared_scale([record.train, record.test], log=True)
    assert math.isclose(lo, -4) and math.isclose(hi, -2)
    lines = [t.plain for t in chart_lines(record, 40, 8)]
    assert "0.002→0.0001" in lines[0] and "0.01→0.009" in lines[0]
    assert "epoch 2" in lines[-1] and "0.01" in lines[1]
    assert "log" in chart_lines(record, 40, 8, log=True)[0].plain


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_chart_follows_the_whole_run(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        for _ in range(5):
            await pilot.press("n")
        chart = screen.query_one(LossChart)
        assert chart.record.epochs == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        assert "trn" in "\n".join(screen_text(app))
        screen.action_chart_log()
        assert chart.log_scale
        await pilot.press("r")
        await wait_until(pilot, lambda: chart.record.epochs == [0.0], "a new record after reset")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_slow_speed_shows_every_epoch(size):
    """At 10 epochs a second every frame is one epoch further: the boundary is seen moving frame by frame."""
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.action_slower()
        assert screen.run.speed == SPEEDS[-2]
        screen.run.set_speed(10)
        assert "speed 10/s" in "\n".join(screen_text(app))
        delivered: list[int] = []
        put = screen.run.mailbox.put

        def record(snap, rows):                     # every snapshot the worker hands over (none are skipped here)
            delivered.append(snap.metrics.epoch)
            return put(snap, rows)

        screen.run.mailbox.put = record
        await pilot.press("space")
        await wait_until(pilot, lambda: len(delivered) >= 4, "four frames")
        await pilot.press("space")
        assert delivered[:4] == [1, 2, 3, 4]                           # one epoch per frame
        await wait_until(pilot, lambda: screen.query_one(StatsPanel).epoch >= 4, "frames shown")
        with pytest.raises(ValueError, match="speed: 7 is not one of 1, 3, 10"):
            screen.run.set_speed(7)


@pytest.mark.parametrize("size, big", [((40, 20), False), ((80, 24), False), ((100, 30), True), ((120, 40), True)],
                         ids=lambda v: str(v))
async def test_projector_layout_has_large_numbers(size, big):
    from textual.widgets import Digits

    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("n", "n")
        stats = screen.query_one(StatsPanel)
        await wait_until(pilot, lambda: stats.epoch == 2, "epoch 2")
        assert stats.big is big
        if big:
            assert str(screen.query_one("#big-epoch", Digits).value) == "2"
            assert screen.query_one("#big-test", Digits).value.startswith("0.")


def test_evolution_curves_are_named_best_and_mean():
    record = LossRecord()
    record.add(0, 0.7, 0.9)
    head = chart_lines(record, 50, 6, names=("best", "mean"))[0].plain
    assert "best 0.7→0.7" in head and "mean 0.9→0.9" in head
