"""Pilot tests: the Sweep view's Tune mode (t) tunes the chosen values with a live leaderboard and plots, and
layer shapes can be widened (+) like any other setting; at phone and projector sizes."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Static

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.screens.sweep_view import SweepScreen
from annplay.widgets.tune_panel import TunePanel

from .conftest import SIZES, ready, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


async def highlight(pilot, name: str) -> None:
    settings = pilot.app.screen.query_one("#sweep-settings", OptionList)
    await wait_until(pilot, lambda: settings.option_count > 0, "the settings list")
    settings.highlighted = next(i for i in range(settings.option_count) if settings.get_option_at_index(i).id == name)


async def test_layer_shapes_widen_and_narrow(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(8, 8), points=40, epochs=9))
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep view")
        sweep = app.screen
        await highlight(pilot, "hidden")
        await pilot.press("space")
        assert sweep.grid() == {"hidden": [(4, 4), (8, 8), (16, 16)]}
        await pilot.press("plus")
        assert len(sweep.grid()["hidden"]) == 4 and sweep.run_count() == 4
        await pilot.press("minus", "minus")
        assert len(sweep.grid()["hidden"]) == 2


async def test_tune_mode_tunes_shows_the_board_and_plots_and_opens_a_trial(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,), points=40, epochs=9))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen), "the Sweep view")
        sweep = app.screen
        await highlight(pilot, "lr")
        await pilot.press("space", "plus", "plus")
        await highlight(pilot, "activation")
        await pilot.press("space")
        runs = sweep.run_count()
        assert runs == 15
        await pilot.press("t")
        assert sweep.tuning and not sweep.query_one("#sweep-board").display
        await pilot.press("g")
        panel = sweep.query_one(TunePanel)
        await wait_until(pilot, lambda: panel.tuner is not None and bool(panel.codes)
                         and "opens one" in str(panel.query_one("#tune-status", Static).render()),
                         "the tuning run", limit=6000)
        tuner = panel.tuner
        assert tuner is not None and tuner.epochs_total <= runs * 9 // 3
        assert any(t.pruned for t in tuner.trials)
        plot = str(panel.query_one("#tune-plot-text", Static).render())
        assert "test loss" in plot and "★" in plot
        assert all(len(line) <= size[0] for line in screen_text(app))
        board = panel.query_one("#tune-board", OptionList)
        board.focus()
        board.highlighted = 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen, "back in the playground")
        best = tuner.best()
        assert best is not None and screen.session.setup.lr == best.point["lr"]
        assert screen.session.setup.activation == best.point["activation"] and screen.session.setup.epochs == 9

async def open_sweep(pilot) -> SweepScreen:
    """From the playground, the Sweep view (z), once it is on top."""
    await ready(pilot)
    await pilot.press("z")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SweepScreen), "the Sweep view")
    return pilot.app.screen


async def test_tune_mode_refuses_a_varied_seed_in_one_line(size):
    """A sweep may vary the seed (replicates), but a tune sets each trial's seeds itself: g says so, no crash."""
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,), points=40, epochs=9))
    async with app.run_test(size=size) as pilot:
        sweep = await open_sweep(pilot)
        await highlight(pilot, "seed")
        await pilot.press("space")
        assert "seed" in sweep.grid()
        await pilot.press("t", "g")
        await pilot.pause()
        assert sweep.query_one(TunePanel).tuner is None            # nothing started
        assert any("sets the seed of each trial itself" in line for line in screen_text(app)) or \
            "sets the seed" in " ".join(str(n.message) for n in app._notifications)


async def test_tune_mode_says_how_many_trials_and_epochs_before_it_runs(size):
    """The status before g named 'Tune 5 set-ups, ⅓ of 1000 epochs', then the run said '3/3 trials, 333 epochs':
    it now announces the trials it samples and the epochs it may spend, the numbers the run reports."""
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,), points=40, epochs=9))
    async with app.run_test(size=size) as pilot:
        sweep = await open_sweep(pilot)
        await highlight(pilot, "lr")
        await pilot.press("space", "plus", "plus", "t")
        panel = sweep.query_one(TunePanel)
        plan = panel.plan_for(sweep.base, sweep.grid(), sweep.epochs()).plan
        status = str(sweep.query_one("#sweep-status", Static).render())
        assert f"{plan.counts[0]} of {sweep.run_count()} set-ups" in status and f"≤{plan.cost} epochs" in status
        await pilot.press("g")
        await wait_until(pilot, lambda: panel.tuner is not None and not any(
            t.state in ("running", "waiting") for t in panel.tuner.trials) and bool(panel.tuner.trials),
            "the tuning run", limit=6000)
        assert panel.tuner is not None and len(panel.tuner.trials) == plan.counts[0]
        assert panel.tuner.epochs_total <= plan.cost
