"""The Sweep view's Tune mode plans a real search even for a few values (it had tuned one trial of four)."""

from __future__ import annotations

import pytest

from annplay.engine.setup import Setup
from annplay.widgets.tune_panel import TunePanel


@pytest.mark.parametrize("values", [2, 3, 4])
def test_a_small_grid_starts_every_value_at_the_first_rung(values):
    """lr over 4 values at 200 epochs: a third of the grid's epochs is less than one trial through all rungs, and
    the fallback trained only the first value, then advised 'widen the search' from that single run."""
    grid = {"lr": [0.001, 0.01, 0.1, 1.0][:values]}
    plan = TunePanel().plan_for(Setup(), grid, 200).plan
    assert plan.counts[0] == values                            # every value trains, at least to the first rung
    assert plan.counts[-1] == 1 and plan.cost < values * 200    # still cheaper than the grid
