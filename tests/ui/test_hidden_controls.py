"""Pilot tests: a TF link's hidden controls stay hidden, and the status line says which stop condition fired."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.engine.tflink import from_tf_link
from annplay.widgets.control_panel import ControlPanel

from .conftest import SIZES, ready, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


async def test_tf_hide_fields_hide_those_controls(size):
    setup, _warnings, hidden = from_tf_link("https://playground.tensorflow.org/#dataset=xor&noise_hide=true"
                                            "&learningRate_hide=true")
    assert {"noise", "lr"} <= set(hidden)
    app = PlaygroundApp(setup, hidden=hidden)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        shown = {c.setting for c in app.screen.query_one(ControlPanel).choices()}
        assert "noise" not in shown and "lr" not in shown
        assert "batch_size" in shown and "activation" in shown


async def test_the_status_says_which_stop_condition_fired(size):
    app = PlaygroundApp(Setup(dataset="xor", epochs=3))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("space")
        await wait_until(pilot, lambda: not screen.running and screen.session.epoch == 3, "the epoch limit")
        assert "limit" in screen.session.message()
        if size[1] >= 30:                                  # at 40×20 the toast says it; the numbers have no room
            await wait_until(pilot, lambda: "limit" in " ".join(screen_text(app)), "the reason on screen")


async def test_a_set_up_files_weights_are_loaded_at_start(size, tmp_path):
    from annplay.engine.build import build_network, prepare
    from annplay.engine.setupfile import read_setup_file, write_setup

    setup = Setup(dataset="xor", hidden=(3,))
    net = build_network(setup, prepare(setup), seed=99)
    net.save(tmp_path / "w.npz")
    write_setup(tmp_path / "run.toml", setup, model=tmp_path / "w.npz")
    model = read_setup_file(str(tmp_path / "run.toml")).model
    assert model is not None
    app = PlaygroundApp(setup, model=str(model))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await wait_until(pilot, lambda: (screen.session.net.get_flat() == net.get_flat()).all(), "the file's weights")
