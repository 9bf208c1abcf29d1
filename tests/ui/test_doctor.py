"""Pilot tests of the Doctor view in the playground: the issue's failures diagnosed in the app, a fix applied
by key (the run pinned first), the network view marking dead units, the message line naming a new warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from annplay.app import PlaygroundApp
from annplay.core.pins import load_pins
from annplay.engine.setup import Setup
from annplay.widgets.doctor import DoctorView
from annplay.widgets.messageline import MessageLine
from annplay.widgets.netview import NetView

from .conftest import SIZES, ready, record_notifications, screen_text, wait_until


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    return tmp_path


async def train_to_the_end(pilot, screen) -> None:
    await pilot.press("space")
    await wait_until(pilot, lambda: screen.session.done() and not screen.running, "the run to end", limit=20000)
    await pilot.pause()


def doctor_text(app) -> str:
    return "\n".join(screen_text(app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_dead_units_found_marked_and_cured_by_one_key(size) -> None:
    app = PlaygroundApp(Setup(dataset="circle", hidden=(8, 8), activation="relu", lr=2.0, epochs=300))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await train_to_the_end(pilot, screen)
        assert "Doctor: dead units" in app.screen.query_one(MessageLine).message
        await pilot.press("D")
        await wait_until(pilot, lambda: "Dead ReLU units" in doctor_text(app), "the finding in words")
        assert "1 try activation=leaky_relu" in doctor_text(app)
        await pilot.press("1")
        await wait_until(pilot, lambda: screen.session.setup.activation == "leaky_relu", "the fix applied")
        pins = load_pins()[0]
        assert len(pins) == 1 and pins[0].setup.activation == "relu"       # the sick run, pinned first
        assert screen.session.setup.seed == pins[0].setup.seed and screen.session.epoch == 0


async def test_a_fix_keeps_the_drawing_and_respects_a_locked_control() -> None:
    app = PlaygroundApp(Setup(dataset="circle", hidden=(8, 8), activation="relu", lr=2.0, epochs=300))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await train_to_the_end(pilot, screen)
        await pilot.press("D")
        await wait_until(pilot, lambda: "1 try activation=leaky_relu" in doctor_text(app), "the fix offered")
        notes = record_notifications(app)
        screen.session.hidden = frozenset({"activation"})           # as a class link that hides the control
        await pilot.press("1")
        await wait_until(pilot, lambda: any("locked" in n.message for n in notes), "the lock named")
        assert screen.session.setup.activation == "relu" and not load_pins()[0]
        screen.session.hidden = frozenset()
        drawing = ((1.0, 1.0, 1.0), (-1.0, -1.0, 0.0), (2.0, -1.0, 1.0))
        screen.session.set_drawn(drawing)
        await pilot.press("1")
        await wait_until(pilot, lambda: screen.session.setup.activation == "leaky_relu", "the fix applied")
        assert screen.session.drawn == drawing and screen.session.setup.dataset == "circle"


@pytest.mark.parametrize("size", [(40, 20)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_network_view_marks_dead_units(size) -> None:
    app = PlaygroundApp(Setup(dataset="circle", hidden=(8, 8), activation="relu", lr=2.0, epochs=300))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await train_to_the_end(pilot, screen)
        await pilot.press("v")
        await wait_until(pilot, lambda: bool(app.screen.query_one(NetView).marks), "marks on the network")
        marks = app.screen.query_one(NetView).marks
        assert {(2, i) for i in range(8)} <= {k for k, v in marks.items() if v == "dead"}


@pytest.mark.parametrize(("setup", "code", "words"), [
    (Setup(dataset="spiral", hidden=(8,) * 6, activation="logistic", epochs=300), "vanishing", "Vanishing"),
    (Setup(dataset="xor", epochs=200), None, "No problems found"),
], ids=["vanishing", "healthy"])
async def test_the_doctor_view_names_the_problem_or_none(setup, code, words) -> None:
    app = PlaygroundApp(setup)
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await train_to_the_end(pilot, screen)
        line = app.screen.query_one(MessageLine).message
        assert ("Doctor:" in line) == (code is not None)
        await pilot.press("D")
        await wait_until(pilot, lambda: words in doctor_text(app), words)
        assert app.screen.query_one(DoctorView).display


async def test_a_phone_reaches_the_doctor_by_a_tap_on_its_tab() -> None:
    """40×20: D has no room on the key bar, but the Doctor tab is on screen and a tap opens it (no key needed)."""
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        tab = screen.query_one("#btn-panel-doctor")
        assert tab.region.right <= 40 and tab.region.bottom <= 20 and tab.region.area > 0
        assert "D Doctor" not in doctor_text(app).splitlines()[-1]           # not on the bar: the tab is the way
        await pilot.click("#btn-panel-doctor")
        await wait_until(pilot, lambda: screen.panel == "doctor", "the Doctor panel")
        await pilot.pause()
        assert screen.query_one(DoctorView).region.area > 0
