"""A reviewer's round on the playground: the legend follows K, big digits draw small losses, the chart's axis and
header, C's chart takes the map's room, one message once and without repeated words, a labelled state line, no test
marks for a drawing, the weight editor and network view use the phone's rows, toasts never cover the Runs list."""

from __future__ import annotations

import pytest
from textual.widgets import Digits
from textual.widgets._toast import Toast

from annplay.app import PlaygroundApp
from annplay.core.session import DRAWN
from annplay.engine.setup import Setup
from annplay.engine.trainer import Metrics
from annplay.screens import describe
from annplay.screens.layout import narrow_layout
from annplay.screens.runs_view import RunsScreen
from annplay.widgets.chart import LossChart, LossRecord, chart_lines, spark_lines
from annplay.widgets.messageline import MessageLine, worth_a_title
from annplay.widgets.netview import plan
from annplay.widgets.stats import CompactNumbers, Legend, StatsPanel, big_loss
from annplay.widgets.weights import WeightEditor

from .conftest import ready, record_notifications, screen_text, wait_until

ids = lambda s: f"{s[0]}x{s[1]}"     # noqa: E731
BIG_DIGITS = set(" 0123456789+-.E")


async def open_editor(pilot, screen) -> None:
    """w: the weight editor, open and drawn."""
    await pilot.press("w")
    await wait_until(pilot, lambda: screen.query(WeightEditor) and screen.panel == "weights", "the editor")


def legend_text(screen) -> str:
    return " ".join(e.plain for e in screen.query_one(Legend).entries)


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=ids)
async def test_the_legend_follows_every_colour_mode(size, private_prefs):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        screen.look.set_look(colour="plain")
        await pilot.pause()
        assert "unsure" in legend_text(screen) and "pale" not in legend_text(screen)
        screen.look.set_look(colour="colour")
        await pilot.pause()
        assert "pale: less sure" in legend_text(screen) and "unsure" not in legend_text(screen)
        await pilot.press("n")
        await pilot.pause()
        assert "pale: less sure" in legend_text(screen)


async def test_a_drawing_has_no_test_marks_in_its_legend():
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        screen.changes.choose_data(DRAWN)
        screen.session.add_point(0.5, 0.5, 0)
        screen.session.add_point(-0.5, -0.5, 1)
        screen.changes.change_settings({"show_test": True})
        await pilot.pause()
        assert screen.session.setup.show_test and screen.session.prep.test.n == 0
        assert "test" not in legend_text(screen)
        assert "test" not in " ".join(e.plain for e in describe.legend(screen.session, None))


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


def test_a_title_shows_only_when_it_adds_something():
    assert not worth_a_title("Screenshot", "Screenshot saved: /tmp/a.svg")
    assert not worth_a_title("Pinned", "Run pinned (1 pinned); u shows them")
    assert not worth_a_title("Done", "Weights loaded from circle.npz")
    assert worth_a_title("Training diverged", "The loss became NaN at epoch 12")


async def test_messages_show_once_without_repeated_words(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        seen = record_notifications(app)
        line = screen.query_one(MessageLine)
        screen.notify("Run pinned (1 pinned); u shows them", title="Pinned")
        await wait_until(pilot, lambda: line.message != "", "the message line")
        assert line.message == "Run pinned (1 pinned); u shows them"
        await open_editor(pilot, screen)
        line.clear()
        screen.files.report("Weights loaded from circle.npz")
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert text.count("Weights loaded from circle.npz") == 1 and "Done" not in text
        assert any(n.message == "Weights loaded from circle.npz" for n in seen)     # still recorded by the app


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
        assert "speed max" in status and "epoch" not in status           # the big digits have their epoch label
        assert "\n".join(screen_text(app)).count("epoch") >= 1


async def test_the_weight_editor_uses_a_phones_rows():
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await open_editor(pilot, screen)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        table = screen.query_one("#weight-table")
        assert table.region.height >= 4                                  # the header and at least 3 neurons
        assert table.scrollbar_size_horizontal == 0 or not table.show_horizontal_scrollbar
        assert "L2.3" in "\n".join(screen_text(app))


async def test_a_short_layer_gives_its_rows_back_to_the_map():
    app = PlaygroundApp()
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await ready(pilot)
        await open_editor(pilot, screen)
        side_before = screen.query_one("#side").region.height
        await pilot.press("greater_than_sign", "greater_than_sign")          # the output layer: one neuron
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#side").region.height < side_before
        table = screen.query_one("#weight-table").region
        assert table.height <= 3                                           # its header and its one neuron


def test_the_lower_area_takes_no_more_than_the_panel_fills():
    full = narrow_layout(30, panel="network")
    small = narrow_layout(30, panel="network", panel_rows=8)
    assert small.side == 8 and small.view == full.view + full.side - 8
    assert plan((2, 3, 1), 1, 60, 100)[3].height == 1 + 3 * 4          # 3 neurons of 6×3 maps and a strip


async def test_editing_then_changing_layer_clears_the_old_edit():
    app = PlaygroundApp()
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await ready(pilot)
        await open_editor(pilot, screen)
        await pilot.press("plus")
        message = screen.query_one("#editor-message")
        await wait_until(pilot, lambda: "(was" in str(message.render()), "the edit's message")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert "W1" not in str(message.render()) and "(was" not in str(message.render())


async def test_no_hidden_layers_is_said_whole():
    app = PlaygroundApp(Setup(hidden=()))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("v")
        await pilot.pause()
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "No hidden layers" in text and "NETWORK" in text and "…" not in text.split("No hidden")[1][:45]


async def test_toasts_never_cover_the_runs_list(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await ready(pilot)
        screen.notify("Run pinned (1 pinned); u shows them", title="Pinned")
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen), "the Runs view")
        runs = app.screen
        runs.notify("Pinned runs cleared")
        await pilot.pause()
        listing = runs.query_one("#runs-list").region
        for toast in runs.query(Toast):
            assert toast.region.area == 0 or not toast.region.overlaps(listing)
        line = runs.query_one(MessageLine)
        assert line.message == "Pinned runs cleared" and not line.region.overlaps(listing)
