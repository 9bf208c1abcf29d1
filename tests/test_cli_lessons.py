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


# --- annplay serve (browser mode): address checks and the missing extra; no real-browser test yet -------------

def test_serve_checks_its_address(capsys, monkeypatch):
    from annplay import serve as web

    assert web.is_loopback("127.0.0.1") and web.is_loopback("::1") and web.is_loopback("localhost")
    assert not web.is_loopback("0.0.0.0") and not web.is_loopback("192.168.1.5")
    assert web.warning_for("127.0.0.1") == "" and "0.0.0.0" in web.warning_for("0.0.0.0")
    assert main(["serve", "--port", "0"]) == 2
    assert "--port: 0 is not a port number" in capsys.readouterr().err
    served = []
    monkeypatch.setattr(web, "serve", lambda host, port: served.append((host, port)))
    monkeypatch.setitem(__import__("sys").modules, "textual_serve", object())
    assert main(["serve"]) == 0 and served == [("127.0.0.1", 8000)]
    assert capsys.readouterr().err == ""
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0 and served[-1] == ("0.0.0.0", 8123)
    assert "warning: serving on 0.0.0.0" in capsys.readouterr().err


def test_serve_without_the_extra_says_how_to_get_it(capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "textual_serve", None)     # import fails
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install "annplay[web]"' in err

