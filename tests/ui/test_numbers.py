"""The numbers: big digits draw every loss, the state line is labelled alike in every state, rounding noise shows
as zero, the chart's axis and header and its place beside the controls."""

from __future__ import annotations

from textual.widgets import Digits

from annplay.app import PlaygroundApp
from annplay.engine.trainer import Metrics
from annplay.widgets.chart import LossChart, LossRecord, chart_lines, spark_lines
from annplay.widgets.stats import CompactNumbers, StatsPanel, big_loss, fmt_loss

from .conftest import ready, screen_text

BIG_DIGITS = set(" 0123456789+-.E")


def test_big_digits_can_draw_every_loss():
    for value in (3.2e-05, 0.000999, 1e-9, 0.0593, 0.5, 12.5, 2e7, None, float("nan")):
        text = big_loss(value)
        assert set(text) <= BIG_DIGITS, text
    assert big_loss(3.2e-05) == "3.2E-5" and big_loss(0.0593) == "0.0593"


async def test_the_projector_draws_a_tiny_loss_in_big_digits():
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        stats = screen.query_one(StatsPanel)
        assert stats.big
        stats.show_metrics(Metrics(5, 3.2e-05, 4.1e-06, 1.0, 1.0))
        await pilot.pause()
        digits = screen.query_one("#big-train", Digits)
        assert digits.value == "3.2E-5" and set(digits.value) <= BIG_DIGITS


def test_the_epoch_axis_keeps_a_space_after_the_first_epoch():
    record = LossRecord()
    for epoch in range(0, 26_209, 1000):
        record.add(epoch, 0.7 / (1 + epoch), 0.6)
    record.add(26_208, 0.01, 0.6)
    for width, height in ((20, 12), (22, 8), (30, 3)):
        lines = chart_lines(record, width, height) if height > 3 else spark_lines(record, width, height)
        axis = lines[-1].plain
        assert "0epoch" not in axis and "0 " in axis, axis


def test_a_mark_stays_with_its_name_when_the_header_does_not_fit():
    record = LossRecord()
    record.add(1, 0.735, 0.71)
    record.add(2, 0.534, 0.624)
    lines = [line.plain for line in chart_lines(record, 22, 5)]
    assert any(line.startswith("• trn") for line in lines) and any(line.startswith("∘ tst") for line in lines)
    assert not any(line.rstrip().endswith("∘") for line in lines)


async def test_the_chart_takes_the_maps_room_beside_the_controls():
    app = PlaygroundApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        await pilot.press("n", "n", "C")
        await pilot.pause()
        chart = screen.query_one(LossChart)
        assert not screen.query_one(StatsPanel).big
        assert chart.region.height >= 20
        await pilot.press("C")
        await pilot.pause()
        assert screen.query_one(StatsPanel).big


def test_the_state_line_is_labelled_and_spaced_alike_in_every_state():
    numbers = CompactNumbers()
    numbers.network = (2, 8, 8, 1)
    lines = []
    for state, epoch in (("ready", 0), ("paused", 10_657), ("paused", 6_071)):
        numbers.state, numbers.epoch = state, epoch
        line = numbers.first_line(40).plain
        assert len(line) <= 40
        left = line.split("speed max")[0]
        assert "speed max" in line and "  " not in left and left.count(" ") == 4, line     # one space between parts
        lines.append(line)
    assert all("…" not in line for line in lines)


async def test_the_wide_status_labels_the_speed_and_names_the_epoch_once():
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        status = str(screen.query_one("#stats-status").render())
        assert "speed 30/s" in status and "epoch" not in status          # the big digits have their epoch label
        assert "\n".join(screen_text(app)).count("epoch") >= 1


def test_rounding_noise_in_a_loss_shows_as_zero():
    assert fmt_loss(-1.5e-14) == fmt_loss(0.0) == "0.0000"
    assert fmt_loss(2.5e-5) == "2.5e-5" and fmt_loss(-0.5) == "-0.5000"


def test_a_loss_keeps_its_digits_and_never_takes_more_than_six_characters():
    """'1.49' stood under '1.483', and 1e4 showed as '1.234e+04'."""
    assert fmt_loss(1.49) == "1.490" and fmt_loss(12.0) == "12.00" and fmt_loss(12345.6) == "12346"
    assert fmt_loss(999.96) == "1000" and fmt_loss(2e6) == ">1e6"
    for value in (4.6e-05, 9.9996e-4, 0.0593, 0.99999, 1.483, 999.95, 9999.7, 999_999.4):
        assert len(fmt_loss(value)) <= 6, (value, fmt_loss(value))


async def test_a_tiny_loss_leaves_the_accuracy_whole_beside_a_phones_map():
    """A probe at 40×20: 'trn 4.6e-05 100.…', the accuracy cut by a 7-character loss."""
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        screen.query_one(StatsPanel).show_metrics(Metrics(5, 4.6e-05, 5.0e-05, 1.0, 1.0))
        await pilot.pause()
        rows = [line for line in screen_text(app) if "trn " in line or "tst " in line]
        assert any("4.6e-5 100.0%" in row for row in rows), rows
        assert not any("…" in row for row in rows), rows



async def test_the_status_line_keeps_the_training_rate_whole_beside_a_phones_map():
    """A probe at 40×20, pace max: '▶ training  7.7k…' (the rate cut)."""
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        stats = screen.query_one(StatsPanel)
        for rate, shown in ((7700.0, "7.7k/s"), (12_345.0, "12k/s"), (850.0, "850/s")):
            stats.show_state("running", 21_599, rate)
            await pilot.pause()
            first = str(screen.query_one("#stats-status").render()).splitlines()[0]
            assert shown in first and len(first) <= stats.content_region.width, first
        assert "…" not in "\n".join(screen_text(app)[:3])


def test_the_charts_epoch_axis_names_the_latest_epoch_where_a_number_fits():
    """A probe at 60×30: the chart's axis read '0       epoch', the latest epoch (216) left out for the word."""
    record = LossRecord()
    for epoch in range(217):
        record.add(epoch, 1 / (1 + epoch), 0.01 + 1 / (1 + epoch))
    for width, shown in ((22, "epoch 216"), (18, "216"), (60, "epoch 216")):
        axis = chart_lines(record, width, 12)[-1].plain
        assert axis.rstrip().endswith(shown) and len(axis) <= width and "0 " in axis, (width, axis)
