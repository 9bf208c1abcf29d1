"""The loss chart (whole run, shared scale, down-sampled never dropped, log toggle) and the speed setting."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annplay.app import PlaygroundApp
from annplay.screens.run_controls import DEFAULT_SPEED, SPEEDS
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
        assert chart.log_scale                              # losses fall over decades: log to start with
        screen.action_chart_log()
        assert not chart.log_scale
        await pilot.press("r")
        await wait_until(pilot, lambda: chart.record.epochs == [0.0], "a new record after reset")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_slow_speed_shows_every_epoch(size):
    """At 10 epochs a second every frame is one epoch further: the boundary is seen moving frame by frame."""
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        assert screen.run.speed == DEFAULT_SPEED              # a watchable pace to start with
        screen.action_slower()
        assert screen.run.speed == SPEEDS[SPEEDS.index(DEFAULT_SPEED) - 1]
        screen.run.set_speed(10)
        assert "10/s" in "\n".join(screen_text(app))              # ('speed 10/s' where there is room)
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


def test_a_merged_record_keeps_a_curve_without_gaps_where_some_frames_lack_it():
    """Issue 17.2.5: GA/ES frames at max speed where the mean was missing blotted out its neighbours when merged."""
    record = LossRecord()
    for epoch in range(4 * MAX_POINTS):
        record.add(epoch, 1.0 / (epoch + 1), math.nan if epoch % 3 == 0 else 2.0 / (epoch + 1))
    missing = sum(math.isnan(v) for v in record.test) / len(record.test)
    assert missing < 0.25            # only the newest, unmerged frames lack it (the old merge: nearly all NaN)


def test_the_header_compares_both_curves_from_the_same_epoch():
    """Issue 17.2.5: 'best 0.715→0.005 mean 0.206→0.18' read as if the mean beat the best at the start."""
    record = LossRecord()
    record.add(0, 0.715, None)                    # generation 0: no population mean yet
    record.add(40, 0.07, 0.206)
    record.add(80, 0.005, 0.18)
    head = chart_lines(record, 60, 8, names=("best", "mean"), unit="generation")
    assert "best 0.07→0.005" in head[0].plain and "mean 0.206→0.18" in head[0].plain
    assert "generation" in head[-1].plain and "epoch" not in "\n".join(line.plain for line in head)


def test_the_line_chart_spans_the_width_with_ticks_and_both_curves():
    """Issue 17.2.4: a braille line chart over the whole history, resampled to the width, with y and x ticks."""
    record = LossRecord()
    for epoch in range(0, 5024):
        record.add(epoch, 0.7 * math.exp(-epoch / 800) + 0.005, 0.25 + 0.3 * epoch / 5024)
    lines = chart_lines(record, 80, 16, log=True)
    plot = [line for line in lines if "┤" in line.plain or "│" in line.plain]
    assert len(plot) == 16 - 3 and sum("┤" in line.plain for line in plot) >= 3          # y ticks
    drawn = {i for line in plot for i, ch in enumerate(line.plain) if 0x2800 < ord(ch) <= 0x28FF}
    width = 80 - plot[0].plain.index("┤") - 1
    assert len(drawn) >= 0.95 * width                                # the whole run across the width, joined
    styles = {span.style for line in plot for span in line.spans}
    assert "yellow" in styles and "cyan" in styles                   # train and test lines
    axis, labels = lines[-2].plain, lines[-1].plain
    assert axis.count("┬") >= 3 and labels.rstrip().endswith("epoch 5,023") and "2,000" in labels


@pytest.mark.parametrize("unit", ["epoch", "generation"])
def test_the_epoch_axis_never_cuts_its_number(unit: str) -> None:
    """At 40×20 'epoch 12,396' was cut to 'epoch 12,' and 'epoch 4,122' to 'epoch 4,1' (read as 4.1): a probe's find."""
    from types import SimpleNamespace

    from annplay.widgets.chart import _short, epoch_axis

    for last in (7, 300, 4_122, 12_396, 1_234_567):
        for width in range(8, 41):
            text = epoch_axis(SimpleNamespace(epochs=[0, last]), "  ", width, unit).plain
            assert len(text) <= width
            tail = text.split()[-1]
            assert tail in (f"{last:,}", _short(last), "0"), (width, text)
