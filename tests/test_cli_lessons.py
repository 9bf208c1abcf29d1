"""`annplay lessons` and `annplay play --lesson N|FILE`: the list, the set-up opened, one-line errors (exit 2)."""

from __future__ import annotations

import json

import pytest

from annplay.cli import main
from annplay.cli import play as play_cli
from annplay.core.lessons import LESSONS


def test_lessons_lists_every_lesson(capsys):
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    assert len(LESSONS) >= 8
    for lesson in LESSONS:
        assert lesson.title in out
    assert "annplay play --lesson N" in out
    assert main(["lessons", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["number"] for r in rows] == [lesson.number for lesson in LESSONS]


@pytest.mark.parametrize("choice", ["1", "3"])
def test_play_lesson_opens_its_setup(choice, monkeypatch):
    opened = []
    monkeypatch.setattr(play_cli, "has_terminal", lambda: True)
    monkeypatch.setattr("annplay.app.run", lambda setup, *args, **kwargs: opened.append(setup))
    assert main(["play", "--lesson", choice]) == 0
    lesson = next(lesson for lesson in LESSONS if lesson.number == int(choice))
    assert opened == [lesson.setup]


def test_flags_change_a_lessons_setup(monkeypatch):
    opened = []
    monkeypatch.setattr(play_cli, "has_terminal", lambda: True)
    monkeypatch.setattr("annplay.app.run", lambda setup, *args, **kwargs: opened.append(setup))
    assert main(["play", "--lesson", "1", "--seed", "7"]) == 0
    assert opened[0].seed == 7 and opened[0].dataset == LESSONS[0].setup.dataset


def test_a_lesson_file(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(play_cli, "has_terminal", lambda: True)
    monkeypatch.setattr("annplay.app.run", lambda setup, *args, **kwargs: opened.append(setup))
    from importlib import resources

    shipped = sorted(p for p in resources.files("annplay").joinpath("lessons").iterdir() if p.name.endswith(".toml"))
    path = tmp_path / "mine.toml"
    path.write_text(shipped[0].read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["play", "--lesson", str(path)]) == 0
    assert opened == [LESSONS[0].setup]


@pytest.mark.parametrize("choice, words", [("99", "no such lesson"), ("/no/such/file.toml", "no such file")])
def test_bad_lessons_exit_2_with_one_line(choice, words, capsys):
    assert main(["play", "--lesson", choice]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--lesson" in err and words in err and "Traceback" not in err


def test_a_broken_lesson_file(tmp_path, capsys):
    path = tmp_path / "broken.toml"
    path.write_text("[lesson\n")
    assert main(["play", "--lesson", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err


def test_a_lessons_epoch_budget_cannot_be_raised_by_a_flag(monkeypatch, capsys):
    """play --lesson 4 --epochs 100 opened a run past the goal's 20-epoch budget, which could never pass (a QA
    probe): one line, exit 2; within the budget it opens."""
    opened = []
    monkeypatch.setattr(play_cli, "has_terminal", lambda: True)
    monkeypatch.setattr("annplay.app.run", lambda setup, *args, **kwargs: opened.append(setup))
    budget = next(lesson for lesson in LESSONS if lesson.number == 4).goal["max_epochs"]
    assert main(["play", "--lesson", "4", "--epochs", str(budget * 5)]) == 2
    assert "at most" in capsys.readouterr().err and not opened
    assert main(["play", "--lesson", "4", "--epochs", str(budget)]) == 0 and opened[-1].epochs == budget
