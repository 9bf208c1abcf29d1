"""Links for a class: TF Playground's ``*_hide`` fields lock the controls they hide (issue 16: dataset_hide was
ignored, the Dataset control stayed and still worked), and a session's start point (?lesson=, ?setup=, a reload)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ui.conftest import ready, record_notifications

from annplay.app import PlaygroundApp
from annplay.core.session import Session
from annplay.engine.settings import SettingError
from annplay.engine.setup import Setup
from annplay.engine.sharecode import encode
from annplay.engine.tflink import from_tf_link
from annplay.serve.child import start_point
from annplay.widgets.controls import Choice

LINK = "https://playground.tensorflow.org/#dataset=xor&learningRate=0.1&dataset_hide=true&learningRate_hide=true"


def test_a_hidden_setting_is_locked_in_the_session() -> None:
    setup, _warnings, hidden = from_tf_link(LINK)
    assert {"dataset", "lr"} <= hidden
    session = Session(setup)
    session.load_setup(setup, hidden)
    for change in (lambda: session.apply(lr=0.3), lambda: session.choose_data("circle"),
                   lambda: session.add_point(0.1, 0.2, 1)):
        with pytest.raises(SettingError, match="locked"):
            change()
    assert session.setup.dataset == "xor" and session.setup.lr == 0.1 and session.drawn is None
    assert session.apply(noise=10.0).names == ("noise",)          # what the link left visible still changes


async def test_dataset_hide_takes_the_dataset_control_away_and_locks_it() -> None:
    setup, _warnings, hidden = from_tf_link(LINK)
    app = PlaygroundApp(setup, hidden=hidden)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        dataset = [c for c in screen.query(Choice) if c.key == "dataset"]
        assert dataset and not any(c.display for c in dataset)
        notes = record_notifications(app)
        screen.changes.choose_data("circle")
        await pilot.pause()
        assert screen.session.setup.dataset == "xor" and notes and "locked" in notes[-1].message
        screen.changes.change_settings({"lr": 0.3})
        await pilot.pause()
        assert screen.session.setup.lr == 0.1


def test_a_session_starts_where_the_link_says_or_where_it_was(tmp_path: Path) -> None:
    setup, hidden, lesson, notes = start_point({"ANNPLAY_LESSON": "3"}, tmp_path)
    assert lesson is not None and lesson.number == 3 and setup == lesson.setup and not notes
    setup, hidden, lesson, notes = start_point({"ANNPLAY_SETUP": LINK}, tmp_path)
    assert setup is not None and setup.dataset == "xor" and "dataset" in hidden and lesson is None
    (tmp_path / "status.json").write_text(json.dumps({"lesson": 2, "setup": "ap1:ds=xor;lr=0.3"}))
    setup, hidden, lesson, notes = start_point({}, tmp_path)                  # a reload: where it was
    assert lesson is not None and lesson.number == 2 and setup is not None and setup.lr == 0.3
    for bad in ({"ANNPLAY_SETUP": "ap1:csv=/etc/passwd"}, {"ANNPLAY_SETUP": "/etc/passwd"}):
        setup, hidden, lesson, notes = start_point(bad, tmp_path)
        assert setup is None and notes and "root" not in notes[0]
    (tmp_path / "status.json").write_text(json.dumps({"setup": "ap1:csv=/etc/shadow"}))
    setup, _hidden, _lesson, notes = start_point({}, tmp_path)
    assert setup is None and "cannot name files" in notes[0]


async def test_a_session_reports_its_live_run(tmp_path: Path) -> None:
    from annplay.screens.playground import PlaygroundScreen
    from annplay.serve.child import SessionApp

    app = SessionApp(tmp_path, lesson=None)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert sum(isinstance(s, PlaygroundScreen) for s in app.screen_stack) == 1
        await pilot.press("space")
        for _ in range(2000):
            if screen.session.epoch > 0:
                break
            await pilot.pause(0.005)
        app.write_status()
        status = json.loads((tmp_path / "status.json").read_text())
        assert status["epoch"] > 0 and status["state"] == "running" and status["setup"] == encode(Setup())


def test_the_doctors_findings_reach_the_status_when_there_are_some() -> None:
    from annplay.serve.child import findings

    class Finding:
        severity, message = "warning", "the learning rate is too high"

    class WithDoctor:
        def diagnosis(self) -> list[Finding]:
            return [Finding()]

    class Broken:
        def diagnosis(self) -> list[Finding]:
            raise RuntimeError("no")

    assert findings(WithDoctor()) == ["warning: the learning rate is too high"]
    assert findings(object()) == [] and findings(Broken()) == []
