"""After a divergence, a smaller learning rate trains again."""

from __future__ import annotations

import pytest

from annplay.app import PlaygroundApp
from annplay.widgets.controls import Choice

from .conftest import SIZES, ready, record_notifications, screen_text, wait_until

sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def text_of(app) -> str:
    return "\n".join(screen_text(app))


async def _diverge(pilot, screen, *, step: bool) -> None:
    screen.query_one("#choice-dataset", Choice).select("plane", notify=True)
    screen.query_one("#choice-lr", Choice).select(10.0, notify=True)
    await pilot.pause()
    if step:
        await pilot.press("n")
    else:
        await pilot.press("space")
    await wait_until(pilot, lambda: screen.session.trainer.state == "diverged" and not screen.running
                     and screen.query_one("#stats").state == "diverged", "divergence")


@sizes
@pytest.mark.parametrize("step", [False, True], ids=["play", "step"])
async def test_a_smaller_rate_after_divergence_trains_again(size, step):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        await _diverge(pilot, screen, step=step)
        assert any(n.title == "Training diverged" for n in notes)
        await pilot.press("space")                        # the same rate: refused, with the way out
        assert not screen.running and any("r: new random weights" in n.message for n in notes)
        screen.query_one("#choice-lr", Choice).select(0.01, notify=True)
        await pilot.pause()
        if step:
            await pilot.press("n", "n")
            assert screen.session.trainer.state != "diverged" and screen.epoch == 2
        else:
            await pilot.press("space")
            assert screen.running
            await wait_until(pilot, lambda: screen.epoch > 20, "training again")
            await pilot.press("space")
            assert screen.session.trainer.state != "diverged"
        assert screen.session.trainer.lr == 0.01 and "diverged" not in text_of(app)

