"""Same seed, same run: the app stepped N times with n reaches the metrics of `annplay train --setup CODE`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.engine.sharecode import encode

from .conftest import ready

STEPS = 4


@pytest.mark.parametrize("opened", [False, True], ids=["started-with", "opened-with-i"])
@pytest.mark.parametrize("trainer", ["backprop", "ga", "es"])
async def test_app_steps_match_the_cli(trainer: str, opened: bool) -> None:
    population = None if trainer == "backprop" else 8
    setup = Setup(dataset="xor", hidden=(3,), points=40, trainer=trainer, population=population)
    code = encode(setup)
    done = subprocess.run([sys.executable, "-m", "annplay", "train", "--setup", code, "--epochs", str(STEPS), "--json"],
                          capture_output=True, text=True, timeout=60, check=True)
    cli = json.loads(done.stdout)
    app = PlaygroundApp(None if opened else setup)
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        if opened:
            await pilot.press("n", "n")                    # a run in progress is replaced by the opened set-up
            assert screen.open_setup(code)
        await pilot.press(*["n"] * STEPS)
        metrics = screen.session.metrics()
    assert metrics.epoch == cli["epochs"] == STEPS
    assert metrics.train_loss == pytest.approx(cli["train_loss"], rel=1e-12)
    assert metrics.test_loss == pytest.approx(cli["test_loss"], rel=1e-12)
    assert metrics.test_acc == pytest.approx(cli["test_accuracy"], rel=1e-12)
