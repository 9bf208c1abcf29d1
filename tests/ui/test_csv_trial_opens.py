"""A tuned or swept run on a CSV file opens from the Sweep view (the tune panel once read its trial back from a share
code, which refuses a code naming a file: the app crashed); a CSV file gone since the runs read it is one line in
the view, which stays with its results; a set-up whose CSV file is missing never ends the app."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import OptionList, Static

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.screens.sweep_view import SweepScreen
from annplay.widgets.tune_panel import TunePanel

from .conftest import ready, record_notifications, wait_until

IRIS = Path(__file__).resolve().parents[2] / "datasets" / "iris.csv"


async def tuned_view(pilot) -> tuple[SweepScreen, TunePanel]:
    """The Sweep view with a finished tune over three learning rates."""
    await ready(pilot)
    await pilot.press("z")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SweepScreen), "the Sweep view")
    sweep = pilot.app.screen
    settings = sweep.query_one("#sweep-settings", OptionList)
    await wait_until(pilot, lambda: settings.option_count > 0, "the settings list")
    settings.highlighted = next(i for i in range(settings.option_count) if settings.get_option_at_index(i).id == "lr")
    await pilot.press("space", "t", "g")
    panel = sweep.query_one(TunePanel)
    await wait_until(pilot, lambda: bool(panel.codes)
                     and "opens one" in str(panel.query_one("#tune-status", Static).render()), "the tune", limit=6000)
    board = panel.query_one("#tune-board", OptionList)
    board.focus()
    board.highlighted = 0
    return sweep, panel


async def test_a_tuned_trial_on_a_csv_file_opens_in_the_playground(tmp_path):
    data = tmp_path / "iris.csv"
    shutil.copy(IRIS, data)
    app = PlaygroundApp(Setup(csv=str(data), hidden=(3,), epochs=6))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        sweep, panel = await tuned_view(pilot)
        lrs = sweep.grid()["lr"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen, "back in the playground")
        assert screen.session.setup.csv == str(data) and screen.session.setup.lr in lrs


async def test_a_trial_whose_csv_file_has_gone_is_one_line_and_the_results_stay(tmp_path):
    data = tmp_path / "iris.csv"
    shutil.copy(IRIS, data)
    app = PlaygroundApp(Setup(csv=str(data), hidden=(3,), epochs=6))
    async with app.run_test(size=(40, 20)) as pilot:
        await ready(pilot)
        sweep, panel = await tuned_view(pilot)
        trials = len(panel.codes)
        notes = record_notifications(app)
        data.unlink()
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("no longer there" in n.message for n in notes), "the one line")
        assert app.screen is sweep and len(panel.codes) == trials
        assert "iris.csv" in notes[-1].message and notes[-1].severity == "error"


async def test_a_set_up_whose_csv_file_is_missing_is_not_opened_and_the_run_stays(tmp_path):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,), points=40))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        before = screen.session.setup
        assert not screen.setups.adopt(Setup(csv=str(tmp_path / "gone.csv")))
        assert screen.session.setup == before and notes[-1].title == "Not opened" and "gone.csv" in notes[-1].message
