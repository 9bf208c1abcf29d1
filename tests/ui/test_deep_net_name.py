"""A deep network's architecture fits a phone's status line whole: equal hidden layers in a row read '8×6'
('2→8→8→8→8→8→…' at 40 columns hid the output and the number of layers)."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.widgets.stats import architecture

from .conftest import ready, screen_text


def test_three_or_more_equal_hidden_layers_are_counted_and_inputs_outputs_stay():
    assert architecture((2, 8, 8, 1)) == "2→8→8→1"
    assert architecture((2, 8, 8, 8, 8, 8, 8, 1)) == "2→8×6→1"
    assert architecture((4, 4, 4, 4)) == "4→4→4→4"                 # inputs and outputs are never folded in
    assert architecture((2, 16, 16, 16, 8, 8, 8, 3)) == "2→16×3→8×3→3"


@pytest.mark.parametrize("size", [(40, 20), (60, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_six_layer_net_is_named_whole_on_the_status_line(size):
    app = PlaygroundApp(Setup(hidden=(8,) * 6, activation="logistic"))
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.pause()
        assert any("2→8×6→1" in line for line in screen_text(app))
