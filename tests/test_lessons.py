"""Lessons: every shipped lesson loads, fits 8×40, is not solved at the start, and its solution reaches the goal."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from annplay.core.lessons import (
    LESSONS,
    TEXT_COLUMNS,
    TEXT_LINES,
    Lesson,
    LessonError,
    cell_width,
    goal_status,
    load_lesson,
    parse_lesson,
)
from annplay.core.session import Session
from annplay.engine.network import MLP
from annplay.engine.setup import Setup
from annplay.engine.trainer import Metrics

CHUNK = 10                  # epochs between goal checks, like the app checking between frames
DEFAULT_BUDGET = 300        # epochs for a lesson whose goal has no epoch limit


def budget(lesson: Lesson) -> int:
    """How long the tests train a lesson: its epoch limit, else long enough for any min_epochs."""
    return int(lesson.goal.get("max_epochs") or max(DEFAULT_BUDGET, lesson.goal.get("min_epochs", 0)))


def first_reach(lesson: Lesson, setup: Setup, resets: int = 0) -> int | None:
    """The first checked epoch at which the goal is met when training ``setup`` headless, else None.

    ``resets``: how many times the student pressed reset first (new weights, same data).
    """
    session = Session(setup)
    for _ in range(resets):
        session.reset()
    if goal_status(lesson, setup, session.metrics())[0]:
        return 0
    while session.epoch < budget(lesson) and not session.done():
        metrics = session.step(CHUNK)
        if goal_status(lesson, setup, metrics)[0]:
            return metrics.epoch
    return None


# --- the shipped lessons --------------------------------------------------------------------------

def test_at_least_eight_lessons_numbered_one_to_n() -> None:
    assert len(LESSONS) >= 8
    assert [lesson.number for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))
    for lesson in LESSONS:
        assert Path(lesson.source).name.startswith(f"{lesson.number:02d}-")


def test_the_issue_topics_are_all_there() -> None:
    setups = {lesson.number: (lesson.setup, lesson.solved_setup()) for lesson in LESSONS}
    assert setups[1][1].hidden == () and setups[1][0].hidden != ()                      # linear, no hidden layer
    assert setups[2][0].dataset == "xor" and "x1x2" in setups[2][1].features           # XOR and x1·x2
    assert setups[3][0].dataset == "spiral" and "sinx1" in setups[3][1].features       # spiral and sin
    assert setups[4][0].lr > setups[4][1].lr                                            # rate too high
    assert setups[5][0].train_ratio == 10 and setups[5][0].noise > 0 and setups[5][1].regularization == "l2"
    assert setups[6][0].activation == "relu" and setups[6][1].activation in ("leaky_relu", "elu")
    assert setups[7][0].activation == "logistic" and setups[7][1].activation == "relu"
    assert setups[8][1].activation == "step" and setups[8][1].trainer in ("ga", "es")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number}")
def test_text_fits_eight_by_forty(lesson: Lesson) -> None:
    assert 1 <= len(lesson.text) <= TEXT_LINES
    for line in (*lesson.text, lesson.title, lesson.goal_text):
        assert cell_width(line) <= TEXT_COLUMNS, line
        assert line.isprintable(), line


def test_lesson_1_names_the_layers_control_as_it_reads() -> None:
    text = " ".join(load_lesson(1).text)
    assert "Layers 0" in text and "Layers: none" not in text       # the control shows "Layers ◀ 0 ▶"


def test_summary_lines_list_the_lessons() -> None:
    assert LESSONS[0].summary == " 1  A straight line: test loss < 0.05 with no hidden layer"
    assert all(lesson.summary.startswith(f"{lesson.number:>2}  {lesson.title}: ") for lesson in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number}")
def test_lesson_loads_by_number_and_by_path(lesson: Lesson) -> None:
    assert load_lesson(lesson.number) == lesson
    assert load_lesson(str(lesson.number)) == lesson
    path = Path(__file__).resolve().parents[1] / lesson.source
    assert load_lesson(path) == lesson.__class__(**{**lesson.__dict__, "source": str(path)})


@pytest.mark.parametrize("resets", [0, 1, 2])
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number}")
def test_start_does_not_reach_the_goal_and_the_solution_does(lesson: Lesson, resets: int) -> None:
    assert lesson.solution, "a shipped lesson writes its intended fix in [lesson.solution]"
    assert first_reach(lesson, lesson.setup, resets) is None
    reached = first_reach(lesson, lesson.solved_setup(), resets)
    assert reached is not None and reached <= budget(lesson)


def test_a_learning_rate_far_too_low_misses_the_step_size_goal() -> None:
    lesson = load_lesson(4)
    assert first_reach(lesson, lesson.setup.with_(lr=0.0001)) is None
    assert first_reach(lesson, lesson.setup.with_(lr=0.001)) is None


def test_elu_also_revives_the_dying_relu_net() -> None:
    lesson = load_lesson(6)
    assert first_reach(lesson, lesson.setup.with_(activation="elu")) is not None


# --- goal_status ------------------------------------------------------------------------------------

def metrics(epoch: int = 100, test_loss: float | None = 0.05, test_acc: float | None = 0.97,
            state: str = "running") -> Metrics:
    return Metrics(epoch=epoch, train_loss=0.04, test_loss=test_loss, train_acc=0.98, test_acc=test_acc,
                   state=state)


GOAL_FILE = """
[lesson]
title = "t"
text = "x"
goal_text = "g"
goal = {{ {goal} }}
[setup]
hidden = [8, 8]
"""


def lesson_with(goal: str) -> Lesson:
    return parse_lesson(GOAL_FILE.format(goal=goal), "goal.toml")


@pytest.mark.parametrize(("goal", "met", "unmet"), [
    ("test_loss_below = 0.1", metrics(test_loss=0.09), metrics(test_loss=0.1)),
    ("train_loss_below = 0.05", metrics(), Metrics(epoch=1, train_loss=0.06)),
    ("test_accuracy_at_least = 95", metrics(test_acc=0.95), metrics(test_acc=0.949)),
    ("train_accuracy_at_least = 98", metrics(), Metrics(epoch=1, train_loss=0.1, train_acc=0.97)),
    ("max_epochs = 100", metrics(epoch=100), metrics(epoch=101)),
    ("min_epochs = 100", metrics(epoch=100), metrics(epoch=99)),
])
def test_each_metric_condition_decides(goal: str, met: Metrics, unmet: Metrics) -> None:
    lesson = lesson_with(goal)
    assert goal_status(lesson, lesson.setup, met)[0] is True
    reached, text = goal_status(lesson, lesson.setup, unmet)
    assert reached is False and text.startswith(("Not yet:", "Missed:"))


@pytest.mark.parametrize(("goal", "ok", "bad"), [
    ("max_hidden_layers = 2", {"hidden": (8, 8)}, {"hidden": (8, 8, 8)}),
    ("min_hidden_layers = 2", {"hidden": (8, 8)}, {"hidden": (8,)}),
    ("max_hidden_neurons = 12", {"hidden": (8, 4)}, {"hidden": (8, 8)}),
    ('trainer_in = ["ga", "es"]', {"trainer": "es"}, {"trainer": "backprop"}),
    ('activation_in = ["step"]', {"activation": "step", "trainer": "ga"}, {"activation": "tanh"}),
    ('activation_in = ["relu"]', {"activation": "relu"}, {"hidden": (), "activation": "relu"}),
    ("lr_in = [0.1]", {"lr": 0.1}, {"lr": 0.3}),
])
def test_each_setup_condition_decides(goal: str, ok: dict, bad: dict) -> None:
    lesson = lesson_with(goal)
    assert goal_status(lesson, lesson.setup.with_(**ok), metrics())[0] is True
    reached, text = goal_status(lesson, lesson.setup.with_(**bad), metrics())
    assert reached is False and "goal" in text


def test_status_text_names_what_is_missing_and_what_was_reached() -> None:
    lesson = lesson_with("test_loss_below = 0.1, max_hidden_layers = 1")
    reached, text = goal_status(lesson, lesson.setup, metrics(test_loss=0.3))
    assert not reached
    assert "hidden layers 2 (goal ≤ 1)" in text and "test loss 0.3 (goal < 0.1)" in text
    reached, text = goal_status(lesson, lesson.setup.with_(hidden=(4,)), metrics(test_loss=0.05))
    assert reached and text == "Goal reached: test loss 0.05"


def test_a_lesson_with_an_epoch_budget_stops_there() -> None:
    budgeted = [lesson for lesson in LESSONS if "max_epochs" in lesson.goal]
    assert {lesson.number for lesson in budgeted} >= {3, 4, 6, 7, 8}
    for lesson in budgeted:
        assert lesson.setup.epochs == lesson.goal["max_epochs"], lesson.source     # "Stop after" = the budget
        assert lesson.solved_setup().epochs == lesson.goal["max_epochs"]
    assert lesson_with("max_epochs = 300").setup.epochs == 300                        # filled in when not given
    assert lesson_with("test_loss_below = 0.1").setup.epochs is None
    session = Session(load_lesson(3).setup)
    while not session.done():
        session.step(CHUNK)
    assert session.epoch == 500


def test_a_spent_budget_says_missed_and_how_to_retry() -> None:
    lesson = load_lesson(3)
    at = metrics(epoch=500, test_acc=0.708)
    assert goal_status(lesson, lesson.setup, at) == (
        False, "Missed: test acc. 70.8 % at epoch 500 — press r to try again")
    reached, text = goal_status(lesson, lesson.setup, metrics(epoch=499, test_acc=0.708))
    assert not reached and text.startswith("Not yet:")
    reached, text = goal_status(lesson, lesson.setup, metrics(epoch=95095, test_acc=0.708))
    assert not reached and text == ("Missed: test acc. 70.8 % at epoch 95,095, past the 500 allowed"
                                    " — press r to try again")
    reached, text = goal_status(lesson, lesson.setup, metrics(epoch=13794, test_acc=0.99))
    assert not reached and "goal met too late at epoch 13,794" in text
    assert goal_status(lesson, lesson.setup, metrics(epoch=500, test_acc=0.96))[0] is True


def test_epoch_counts_have_thousands_separators() -> None:
    lesson = lesson_with("min_epochs = 2000")
    reached, text = goal_status(lesson, lesson.setup, metrics(epoch=1500))
    assert not reached and "epochs 1,500 (goal ≥ 2,000)" in text


def test_a_diverged_or_unmeasured_run_never_meets_the_goal() -> None:
    lesson = lesson_with("test_loss_below = 0.1")
    assert goal_status(lesson, lesson.setup, metrics(test_loss=0.01, state="diverged")) == (
        False, "Diverged: lower the learning rate and reset")
    reached, text = goal_status(lesson, lesson.setup, metrics(test_loss=None))
    assert not reached and "not measured" in text
    assert goal_status(lesson, lesson.setup, None)[0] is False
    assert goal_status(lesson, lesson.setup, metrics(test_loss=float("nan")))[0] is False


# --- hostile and broken lesson files ------------------------------------------------------------------

GOOD = """\
[lesson]
title = "Mine"
text = "one line"
goal_text = "loss < 0.1"
goal = { test_loss_below = 0.1 }

[lesson.solution]
lr = 0.1

[setup]
dataset = "circle"
hidden = [4]
"""


def test_a_teachers_file_loads_with_its_number_from_the_name(tmp_path: Path) -> None:
    path = tmp_path / "12-mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    lesson = load_lesson(str(path))
    assert lesson.number == 12 and lesson.title == "Mine" and lesson.setup.hidden == (4,)
    assert lesson.solved_setup().lr == 0.1 and lesson.source == str(path)
    assert load_lesson_number_free(tmp_path).number == 0


def test_a_saved_set_up_file_with_a_lesson_table_loads(tmp_path: Path) -> None:
    """Set-up files write "auto" for optional settings, text for layers, and a format line: all fine."""
    text = ('\ufeffformat = "annplay-setup"\nversion = 1\n' + GOOD.replace(
        'hidden = [4]', 'hidden = "4,4"\nepochs = "auto"\nlayer_activations = ["relu", "same"]'))
    path = tmp_path / "saved.toml"
    path.write_text(text, encoding="utf-8")
    lesson = load_lesson(path)
    assert lesson.setup.hidden == (4, 4) and lesson.setup.epochs is None
    assert lesson.setup.layer_activations == ("relu", None)


def load_lesson_number_free(folder: Path) -> Lesson:
    path = folder / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    return load_lesson(path)


@pytest.mark.parametrize(("text", "line", "words"), [
    (GOOD.replace('hidden = [4]', 'hidden = [4, 99]'), 12, "setup.hidden: each hidden layer needs 1 to 64"),
    (GOOD.replace('hidden = [4]', 'hiden = [4]'), 12, "setup.hiden: no such setting"),
    (GOOD.replace('dataset = "circle"', 'dataset = "nope"'), 11, "setup.dataset: unknown 'nope'"),
    (GOOD.replace('dataset = "circle"', 'dataset = "circle"\nactivation = "step"'), 12,
     "setup.activation: step has no useful gradient"),
    (GOOD.replace("lr = 0.1", "lr = -1"), 8, "solution.lr: a number > 0"),
    (GOOD.replace("lr = 0.1", "colour = 1"), 8, "solution.colour: no such setting"),
    (GOOD.replace("test_loss_below = 0.1", "test_loss_below = -1"), 5, "goal.test_loss_below: needs a number"),
    (GOOD.replace("test_loss_below = 0.1", "test_accuracy_at_least = 101"), 5, "percentage"),
    (GOOD.replace("test_loss_below = 0.1", "winning = true"), 5, "goal.winning: unknown condition"),
    (GOOD.replace("test_loss_below = 0.1", 'trainer_in = ["sgd"]'), 5, "goal.trainer_in: unknown 'sgd'"),
    (GOOD.replace("test_loss_below = 0.1", "max_epochs = 1.5"), 5, "goal.max_epochs: needs a whole number"),
    (GOOD.replace("goal = { test_loss_below = 0.1 }", "goal = {}"), 5, "goal is empty"),
    (GOOD.replace("test_loss_below = 0.1", "max_epochs = 50").replace("hidden = [4]", "hidden = [4]\nepochs = 60"),
     13, "setup.epochs 60 runs past the goal's max_epochs 50"),
    (GOOD.replace('text = "one line"', 'text = "' + "x" * 41 + '"'), 3, "41 columns wide; at most 40"),
    (GOOD.replace('text = "one line"', 'text = "' + "界" * 21 + '"'), 3, "42 columns wide"),
    (GOOD.replace('text = "one line"', 'text = "' + "a\\n" * 9 + '"'), 3, "9 lines; at most 8"),
    (GOOD.replace('text = "one line"', 'text = "bad \\u001b[2J"'), 3, "control character U+001B"),
    (GOOD.replace('text = "one line"', 'text = "a\\r\\nb\\rc"'), 3, "control character U+000D"),
    (GOOD.replace('title = "Mine"', "title = 3"), 2, "title must be a non-empty string"),
    (GOOD.replace('goal_text = "loss < 0.1"', 'goal_text = ""'), 4, "goal_text must be a non-empty string"),
    (GOOD.replace('title = "Mine"', 'title = "Mine"\nauthor = "me"'), 3, "unknown key 'author'"),
    (GOOD.replace("[setup]", "[setpu]"), 10, "unknown table or key 'setpu'"),
    (GOOD.replace("[lesson]\n", "[lesson]\nnumber = -3\n"), 2, "number must be a whole number"),
    (GOOD.replace('hidden = [4]', 'hidden = [4'), 12, "not valid TOML: Unclosed array"),
    (GOOD.replace('hidden = [4]', 'hidden = = 4'), 12, "not valid TOML: Invalid value"),
    (GOOD.replace('hidden = [4]', 'hidden = { a = 1 }'), 12, "setup.hidden"),
])
def test_bad_files_give_one_clear_error_naming_file_and_line(tmp_path: Path, text: str, line: int,
                                                             words: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LessonError) as info:
        load_lesson(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize(("content", "words"), [
    (b"\xff\xfe\x00binary", "is not UTF-8 text"),
    (b"x" * (64 * 1024 + 1), "is over 65536 bytes"),
    (b'format = "annplay-mlp"\n' + GOOD.encode(), "not an annplay lesson"),
    (b"version = 2\n" + GOOD.encode(), "version must be a whole number from 1 to 1"),
    (GOOD.encode() + b'[model]\nfile = "x.npz"\n', "remove the [model] table"),
    (GOOD.split("[setup]")[0].encode(), "no [setup] table"),
    (b"[setup]\n", "no [lesson] table"),
    (b"lesson = 3\n[setup]\n", "lesson must be a table"),
    (b"[setup]\nhidden = " + b"[" * 30000 + b"]" * 30000, "nested too deeply"),
    (GOOD.replace("[4]", '"' + "9" * 5000 + '"').encode(), "setup.hidden"),
    (GOOD.replace('"one line"', '"a\u2028b"').encode(), "control character U+2028"),
])
def test_files_that_are_not_lessons_are_refused(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(content)
    with pytest.raises(LessonError) as info:
        load_lesson(path)
    message = str(info.value)
    assert message.startswith(f"{path}") and words in message, message
    assert "\n" not in message and len(message) <= len(str(path)) + 310


def test_missing_paths_folders_and_numbers(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match="no such file"):
        load_lesson(tmp_path / "nope.toml")
    with pytest.raises(LessonError, match="is a directory, not a regular file"):
        load_lesson(tmp_path)
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(LessonError, match=r"pipe.toml: is a FIFO"):
        load_lesson(fifo)
    with pytest.raises(LessonError, match=r"^lesson 99: no such lesson; the shipped lessons are 1, 2"):
        load_lesson(99)
    for blank in ("", "  "):
        with pytest.raises(LessonError, match=r"give a lesson number \('annplay lessons' lists them\) or a lesson"):
            load_lesson(blank)


def test_a_lesson_saved_with_windows_line_ends_loads_the_same() -> None:
    lesson = LESSONS[0]
    text = (Path(__file__).resolve().parents[1] / lesson.source).read_text(encoding="utf-8")
    assert parse_lesson(text.replace("\n", "\r\n"), lesson.source, lesson.number) == lesson


def test_lesson_7s_claim_relu_layers_get_he_initialisation_on_their_own() -> None:
    lesson = load_lesson(7)
    assert "He" in " ".join(lesson.text)
    net = Session(lesson.solved_setup()).net
    he = MLP(net.layers, [a.name for a in net.activations], init="he", seed=net.seed)
    xavier = MLP(net.layers, [a.name for a in net.activations], init="xavier", seed=net.seed)
    np.testing.assert_array_equal(net.weights[0], he.weights[0])
    assert not np.array_equal(net.weights[0], xavier.weights[0])


@pytest.mark.parametrize("goal, words", [
    ("max_hidden_layers = 0, min_hidden_layers = 2", "goal.min_hidden_layers 2 is above goal.max_hidden_layers 0"),
    ("min_epochs = 50, max_epochs = 20", "goal.min_epochs 50 is above goal.max_epochs 20"),
])
def test_a_goal_no_run_can_meet_is_refused(goal: str, words: str) -> None:
    """A lesson with min above max opened normally and could never be passed (a QA probe)."""
    with pytest.raises(LessonError, match=words):
        lesson_with(goal)
    lesson_with("min_hidden_layers = 1, max_hidden_layers = 2")           # a range that can be met is fine


def test_a_pinned_setting_changed_after_training_does_not_pass_the_goal(tmp_path) -> None:
    """A probe passed lesson 6 ('at learning rate 1') with a run trained at 0.1, the rate set back to 1 while paused;
    and lesson 4 ('within 20 epochs') with weights loaded from a file at epoch 0."""
    from annplay.core.session import Session

    lesson = load_lesson(6)
    session = Session(lesson.setup)
    session.apply(lr=0.1)                                  # before training: a clean run at 0.1
    assert session.tampered == set()
    session.step(150)
    assert session.metrics().test_acc >= 0.95
    session.apply(lr=1.0)                                  # back to the pinned rate, weights kept
    reached, status = goal_status(lesson, session.setup, session.metrics(), session.tampered)
    assert not reached and "changed during the run: press r" in status, status
    session.reset()                                        # new weights: a clean run again
    assert session.tampered == set()
    session.export_npz(str(tmp_path / "w.npz"))
    session.import_npz(str(tmp_path / "w.npz"))
    reached, status = goal_status(lesson, session.setup, session.metrics(), session.tampered)
    assert not reached and "weights loaded" in status
    plain_run = Session(load_lesson(4).setup)
    plain_run.apply(lr=0.3)                                # a live change at epoch 0 is no tampering
    plain_run.step(3)
    plain_run.apply(patience=5)                            # a new trainer on trained weights is
    assert plain_run.tampered == {"patience", "weights"}


def test_the_doctors_fixes_keep_what_a_lesson_pins() -> None:
    """Lesson 6 says 'keep rate 1 and apply its fix'; the doctor offered 'activation=leaky_relu lr=0.1', which failed
    the lesson. With the lesson's pins the fix is 'activation=leaky_relu', and it passes (a probe's find)."""
    from annplay.core.lessons import pinned_settings
    from annplay.core.session import Session

    lesson = load_lesson(6)
    session = Session(lesson.setup)
    session.pins = pinned_settings(lesson)
    assert session.pins == {"lr": (1.0,)}
    session.step(200)
    fixes = [fix for finding in session.diagnosis() for fix in finding.fixes]
    assert fixes and all(dict(fix.changes).get("lr", 1.0) == 1.0 for fix in fixes)
    first = next(f for f in session.diagnosis() if f.code == "dead_units").fixes[0]
    assert dict(first.changes) == {"activation": "leaky_relu"}
    session.load_setup(session.setup.with_(**dict(first.changes)))
    session.step(200)
    assert goal_status(lesson, session.setup, session.metrics(), session.tampered)[0]
    assert pinned_settings(load_lesson(5)) == {"patience": (None,)}     # early stopping would end it short of 500
