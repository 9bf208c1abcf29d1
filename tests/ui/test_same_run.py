"""Same seed, same run: the app stepped N times with n reaches the metrics of `annplay train --setup CODE`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.engine.sharecode import encode

from .conftest import ready, record_notifications, screen_text, wait_until

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
            assert screen.setups.open_setup(code)
        await pilot.press(*["n"] * STEPS)
        metrics = screen.session.metrics()
    assert metrics.epoch == cli["epochs"] == STEPS
    assert metrics.train_loss == pytest.approx(cli["train_loss"], rel=1e-12)
    assert metrics.test_loss == pytest.approx(cli["test_loss"], rel=1e-12)
    assert metrics.test_acc == pytest.approx(cli["test_accuracy"], rel=1e-12)


@pytest.mark.parametrize("changes, words", [({"epochs": 3}, "epoch limit"), ({"target_acc": 90.0}, "goal 90 %")],
                         ids=["epochs", "goal-accuracy"])
async def test_a_stop_condition_pauses_and_says_which(changes: dict, words: str) -> None:
    app = PlaygroundApp(Setup(dataset="gauss", hidden=(2,), points=60, lr=0.3, **changes))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        screen.run.set_speed(None)                             # max: the stop, not the pace, is tested here
        await pilot.press("space")
        await wait_until(pilot, lambda: any(n.title == "Stopped" for n in notes), "the stop notification",
                         limit=4000)
        note = next(n for n in notes if n.title == "Stopped")
        assert not screen.running and screen.session.state() == "stopped"
        assert words in note.message and note.message.strip()
        assert words in "\n".join(screen_text(app)) or screen.session.message() == note.message
