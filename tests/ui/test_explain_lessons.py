"""Pilot tests: explain mode steps one mini-batch (exactly −lr·dW), the playground shows it; --lesson opens its card."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from annplay.app import PlaygroundApp
from annplay.cli import main
from annplay.cli import play as play_cli
from annplay.core.lessons import LESSONS, goal_status
from annplay.engine.setup import Setup
from annplay.screens.explain_view import ExplainScreen
from annplay.screens.lessons_view import LessonsScreen
from annplay.screens.playground import PlaygroundScreen

from .conftest import SIZES, ready, record_notifications, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def expected_step(session, lr: float, l2: float = 0.0, index: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every layer's W − lr·(dW + l2·W) and b − lr·db on mini-batch ``index`` of the pass, from the engine's
    gradient (a NumPy computation independent of annplay.core.explain)."""
    bs = min(session.setup.batch_size, session.prep.X_train.shape[1])
    cols = slice(index * bs, (index + 1) * bs)
    X, Y = session.prep.X_train[:, cols], session.prep.Y_train[:, cols]
    dWs, dbs = session.net.copy().gradients(X, Y)
    Ws = [np.array(W) - lr * (dW + l2 * np.array(W)) for W, dW in zip(session.net.weights, dWs, strict=True)]
    bs_ = [np.array(b) - lr * db for b, db in zip(session.net.biases, dbs, strict=True)]
    return Ws, bs_


async def open_explain(pilot) -> ExplainScreen:
    await pilot.press("E")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExplainScreen) and pilot.app.screen.shown is not None,
                     "explain mode with its first explanation")
    return pilot.app.screen


async def test_s_takes_exactly_the_step_shown_and_the_playground_shows_it(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(5, 3), lr=0.1, batch_size=10, regularization="l2",
                              reg_rate=0.01))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        session = screen.session
        want_W, want_b = expected_step(session, 0.1, l2=0.01)
        explainer = await open_explain(pilot)
        shown = explainer.shown
        assert explainer.batch_index == 0 and shown.n == 10
        frames = screen.frames
        await pilot.press("s")
        await wait_until(pilot, lambda: explainer.steps == 1, "one step")
        for got, want in zip(session.net.weights, want_W, strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)       # W ← W − lr·(dW + l2·W), every layer
        for got, want in zip(session.net.biases, want_b, strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(session.net.weights[shown.layer - 1], shown.W_new)   # the numbers shown
        np.testing.assert_array_equal(session.net.biases[shown.layer - 1], shown.b_new)
        # then the next mini-batch, explained on the new weights
        assert explainer.batch_index == 1 and explainer.shown is not shown
        np.testing.assert_array_equal(explainer.shown.W, shown.W_new)
        text = "\n".join(screen_text(app))
        assert "batch 2 of" in text and "Stepped 1/" in text
        assert "batch loss" in " ".join(line.strip() for line in screen_text(app))   # not the epoch's train loss
        assert all(len(line.rstrip()) <= size[0] for line in screen_text(app))
        assert session.epoch == 0                                   # one mini-batch is not an epoch
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen and screen.frames > frames, "the playground redrawn")
        metrics = session.metrics()
        assert session.history[0][-1] == pytest.approx(metrics.train_loss)   # the numbers after the step
        assert "epoch 0" in "\n".join(screen_text(app))


async def test_a_whole_pass_of_steps_is_one_epoch(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(4,), lr=0.1, batch_size=100))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        session = screen.session
        passes = -(-session.prep.X_train.shape[1] // 100)
        assert passes == 3
        explainer = await open_explain(pilot)
        assert explainer.batches == passes
        for k in range(passes):
            assert session.epoch == 0
            await pilot.press("s" if k else "enter")                   # enter steps too
            await wait_until(pilot, lambda k=k: explainer.steps == k + 1, "a step")
        assert session.epoch == 1 and explainer.batch_index == 0        # a new pass begins
        assert f"Epoch 1 · batch 1 of {passes}" in " ".join(line.strip() for line in screen_text(app))
        notes = record_notifications(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back to the playground")
        await wait_until(pilot, lambda: "epoch 1" in "\n".join(screen_text(app)), "epoch 1 on the status line")
        assert any("epoch 1" in note.message and f"{passes} mini-batch steps" in note.message for note in notes)
        # the place in the pass is remembered while nothing else trains: batch 2 of the new pass is next
        explainer = await open_explain(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: explainer.steps == 1, "a step")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back to the playground")
        assert any("epoch 1 + 1 of 3 batches" in note.message for note in notes)
        explainer = await open_explain(pilot)
        assert explainer.batch_index == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back to the playground")
        await pilot.press("n")                                      # the playground's n: one whole epoch
        await wait_until(pilot, lambda: session.epoch == 2, "epoch 2")
        explainer = await open_explain(pilot)
        assert explainer.batch_index == 0                           # a new pass


async def test_explain_pauses_training_and_then_steps_the_paused_network(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(4,), lr=0.03, optimizer="adam"))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        session = screen.session
        await pilot.press("space")
        await wait_until(pilot, lambda: session.epoch > 0, "some training")
        explainer = await open_explain(pilot)
        assert not session.running
        text = " ".join(line.strip() for line in screen_text(app))
        assert "plain SGD" in text and "adam" in text                  # the rule shown is not adam's: said so
        index, shown = explainer.batch_index, explainer.shown
        want_W, want_b = expected_step(session, 0.03, index=index)
        await pilot.press("s")
        await wait_until(pilot, lambda: explainer.steps == 1 or explainer.message.startswith("Not"), "a step")
        assert explainer.steps == 1, explainer.message
        assert not session.running
        for got, want in zip(session.net.weights, want_W, strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)   # plain SGD: W − lr·dW, not adam's step
        for got, want in zip(session.net.biases, want_b, strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(session.net.weights[shown.layer - 1], shown.W_new)


async def test_play_lesson_2_opens_on_the_lesson_card(size, monkeypatch):
    opened: list[PlaygroundApp] = []
    monkeypatch.setattr(play_cli, "has_terminal", lambda: True)
    monkeypatch.setattr(PlaygroundApp, "run", lambda self, *args, **kwargs: opened.append(self))
    assert main(["play", "--lesson", "2"]) == 0
    app = opened[0]
    lesson = next(lesson for lesson in LESSONS if lesson.number == 2)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lesson's card")
        await pilot.pause()
        text = " ".join(line.strip() for line in screen_text(app))
        assert lesson.title in text and f"Goal: {lesson.goal_text}" in text and "Not yet" in text
        playground = next(s for s in app.screen_stack if isinstance(s, PlaygroundScreen))
        assert playground.lessons.lesson == lesson and playground.session.setup == lesson.setup
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is playground, "the playground")
        assert playground.lessons.lesson == lesson                       # still open: its goal is tracked
        reached, status = goal_status(playground.lessons.lesson, playground.session.setup, playground.session.metrics())
        assert not reached and "Not yet" in status


async def test_play_lesson_file_with_markup_opens_on_its_own_card(size, monkeypatch, tmp_path: Path):
    path = tmp_path / "42-mine.toml"
    path.write_text('[lesson]\ntitle = "[bold red]Mine[/] [/oops]"\ntext = "A teacher\'s own lesson."\n'
                    'goal_text = "test loss < 0.2"\ngoal = { test_loss_below = 0.2 }\n\n[setup]\ndataset = "xor"\n',
                    encoding="utf-8")
    opened: list[PlaygroundApp] = []
    monkeypatch.setattr(play_cli, "has_terminal", lambda: True)
    monkeypatch.setattr(PlaygroundApp, "run", lambda self, *args, **kwargs: opened.append(self))
    assert main(["play", "--lesson", str(path)]) == 0
    app = opened[0]
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lesson's card")
        await pilot.pause()
        picker = app.screen
        text = "\n".join(screen_text(app))
        assert "42. [bold red]Mine[/] [/oops]" in text               # shown as typed, in the card and the list
        assert text.count("[bold red]Mine[/]") >= (2 if size[1] >= 30 else 1)
        assert picker.choices[-1].number == 42
        assert picker.query_one("#lesson-list").highlighted == len(picker.choices) - 1
        await pilot.press("escape")
        playground = next(s for s in app.screen_stack if isinstance(s, PlaygroundScreen))
        await wait_until(pilot, lambda: app.screen is playground, "the playground")
        assert playground.lessons.lesson.number == 42 and playground.session.setup.dataset == "xor"


async def test_the_open_lesson_is_in_view_in_the_list(size):
    lesson = LESSONS[-1]
    app = PlaygroundApp(lesson.setup, lesson=lesson)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen), "the lesson's card")
        title = f"{lesson.number}. {lesson.title}"
        await wait_until(pilot, lambda: sum(title in line for line in screen_text(app)) == 2,
                         "the lesson in the card and highlighted in view in the list")


async def test_a_pass_with_a_skipped_batch_counts_no_epoch(size):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(4,), lr=0.1, batch_size=100))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        explainer = await open_explain(pilot)
        before = screen.session.net.get_flat()
        await pilot.press("n")                                      # look at batch 2 without stepping
        assert explainer.batch_index == 1 and np.array_equal(screen.session.net.get_flat(), before)
        await pilot.press("s")
        await wait_until(pilot, lambda: explainer.steps == 1, "a step")
        notes = record_notifications(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: any("next batch 3 of 3" in note.message for note in notes), "the toast")
        explainer = await open_explain(pilot)
        assert explainer.batch_index == 2 and explainer.skipped
        await pilot.press("s")
        await wait_until(pilot, lambda: explainer.steps == 1, "a step")
        assert screen.session.epoch == 0 and explainer.batch_index == 0 and not explainer.skipped
        assert "no epoch" in explainer.message
