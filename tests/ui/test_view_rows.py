"""The Sweep and Runs views speak the app's words (the controls' labels from the settings table: 'Batch', not the CLI's
'batch_size'), and a Sweep row stays one line at a phone's 40 columns with its numbers whole (it wrapped)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import OptionList

from annplay.app import PlaygroundApp
from annplay.core.pins import load_pins
from annplay.engine.settings import SETTINGS
from annplay.engine.setup import Setup
from annplay.screens.runs_view import RunsScreen
from annplay.screens.sweep_view import SweepScreen

from .conftest import SIZES, ready, screen_text, wait_until

CLI_NAMES = ("batch_size", "reg_rate", "lr=", "activation=")


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    return tmp_path


async def vary(pilot, sweep: SweepScreen, *names: str) -> None:
    settings = sweep.query_one("#sweep-settings", OptionList)
    await wait_until(pilot, lambda: settings.option_count > 0, "the settings list")
    for name in names:
        settings.highlighted = next(i for i in range(settings.option_count)
                                    if settings.get_option_at_index(i).id == name)
        await pilot.press("space")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_sweep_rows_are_one_line_with_whole_numbers_and_the_controls_labels(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,), points=40, epochs=4))
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep view")
        sweep = app.screen
        await vary(pilot, sweep, "batch_size", "activation")
        await pilot.press("minus")                                     # 3 × 2 = 6 runs
        await pilot.press("g")
        board = sweep.query_one("#sweep-board", OptionList)
        await wait_until(pilot, lambda: sweep.sweep is not None and len(sweep.sweep.rows) == 6
                         and board.option_count == 6, "the six runs ranked", limit=6000)
        await pilot.pause()
        text = screen_text(app)
        shown = "\n".join(text)
        assert "Batch" in shown and "Activation" in shown and "elu" in shown      # each run's values, on screen
        assert not any(name in shown for name in CLI_NAMES)
        top = board.content_region.y
        rows = [line for line in text[top:top + board.content_region.height] if line.strip(" ▊▎▐▌")]
        starts = [line for line in rows if re.match(r"^\W*\d+\. ", line)]
        assert len(rows) == len(starts) == min(6, board.content_region.height)    # no row goes on to a second line
        for i in range(len(rows)):
            prompt = str(board.get_option_at_index(i).prompt)
            loss = re.search(r"\d+\. (?:test loss )?(\S+)", prompt).group(1)
            assert loss in rows[i] and re.fullmatch(r"[\d.e+-]+|–", loss)   # the number whole, on screen


async def test_the_runs_view_names_a_difference_by_the_controls_label():
    app = PlaygroundApp(Setup(dataset="xor", hidden=(4,), batch_size=5))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await pilot.press("n", "b")
        await wait_until(pilot, lambda: len(load_pins()[0]) == 1, "the pin stored")
        screen.changes.change_settings({"batch_size": 10})
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen), "the Runs view")
        shown = " ".join(line.strip() for line in screen_text(app))
        assert f"{SETTINGS['batch_size'].label} 5 (live 10)" in shown and "batch_size" not in shown


async def test_a_resize_refits_the_rows_and_keeps_the_sweeps_status():
    """The rows are fitted again on a resize; the status line once fell back to '… g runs them' after a done sweep."""
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,), points=40, epochs=4))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep view")
        sweep = app.screen
        await vary(pilot, sweep, "batch_size", "activation")
        await pilot.press("g")
        board = sweep.query_one("#sweep-board", OptionList)
        await wait_until(pilot, lambda: sweep.sweep is not None and len(sweep.sweep.rows) == 9
                         and board.option_count == 9, "the nine runs ranked", limit=6000)
        assert "Batch" in str(board.get_option_at_index(0).prompt)
        await pilot.resize_terminal(40, 20)
        await wait_until(pilot, lambda: "Batch" not in str(board.get_option_at_index(0).prompt), "rows refitted")
        assert "9/9 runs done" in "\n".join(screen_text(app))
