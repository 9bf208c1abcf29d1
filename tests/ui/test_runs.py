"""Pilot tests: pinning runs (b), the Runs view (u): shared scale, differences from live, restore, clear."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from annplay.app import PlaygroundApp
from annplay.core.pins import load_pins
from annplay.engine.setup import Setup
from annplay.screens.runs_view import RunsScreen, shared_scale, sparkline

from .conftest import SIZES, ready, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    return tmp_path


def test_curves_share_one_scale(size):
    scale = shared_scale([[1.0, 0.5], [0.25, 0.2]])
    assert scale == (0.2, 1.0)
    assert sparkline([1.0, 0.5], scale)[0] == "█" and sparkline([0.25, 0.2], scale)[-1] == "▁"


async def test_pin_then_runs_view_shows_it_and_restores_it(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(4,), lr=0.3))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("n", "n", "n", "b")
        await wait_until(pilot, lambda: len(load_pins()[0]) == 1, "the pin stored")
        pin = load_pins()[0][0]
        assert pin.epochs == 3 and pin.setup.lr == 0.3 and pin.curves[0]
        screen.changes.change_settings({"lr": 0.03})
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen), "the Runs view")
        text = "\n".join(screen_text(app))
        assert "Live" in text and "Pin 1" in text and "Learn rate 0.3 (live 0.03)" in text.replace("\n ", " ")
        assert all(len(line) <= size[0] for line in screen_text(app))
        app.screen.query_one(OptionList).highlighted = 1
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and screen.session.setup.lr == 0.3, "restored")
        assert screen.epoch == 0


async def test_runs_view_clears_pins(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(2,)))
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("b", "u")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen), "the Runs view")
        assert app.screen.query_one(OptionList).option_count == 2
        await pilot.press("c")
        assert load_pins() == ([], "") and app.screen.query_one(OptionList).option_count == 1
        await pilot.press("escape")
        assert not isinstance(app.screen, RunsScreen)


def test_a_run_line_shows_short_training_times_and_the_live_row_is_not_compared_with_itself(size):
    """A probe's Runs view: '0.0 s' after 180 paced epochs, and the Live row said 'same set-up as live'."""
    from annplay.core.pins import Pin
    from annplay.screens.runs_view import LIVE, run_text

    setup = Setup()
    pin = Pin(setup, ((0.5, 0.4), (0.6, 0.5)), {"test_loss": 0.5}, {"test_loss": 0.5}, 180, 0.04, "ready",
              frozenset(), 0.0)
    live = run_text(LIVE, pin, setup, (0.0, 1.0)).plain
    assert "0.04 s" in live and "same set-up as live" not in live
    assert "same set-up as live" in run_text("Pin 1", pin, setup, (0.0, 1.0)).plain


def test_a_csv_pin_is_named_by_its_file(size):
    """The Runs view labelled a penguins run 'circle', its code's baseline data set (a QA probe)."""
    from annplay.core.pins import Pin
    from annplay.screens.runs_view import run_text

    setup = Setup(csv="data/penguins.csv", csv_x=("bill_length_mm", "bill_depth_mm"), csv_y="species")
    pin = Pin(setup, ((0.5,), (0.6,)), {}, {}, 10, 0.5, "ready")
    head = run_text("Pin 1", pin, Setup(), (0.0, 1.0)).plain.splitlines()[0]
    assert "penguins.csv" in head and "circle" not in head
