"""Pilot tests of the Doctor view widget on its own: findings in words, per-layer lines, fixes by key and tap."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from annplay.core.doctor import doctor_report
from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.widgets.doctor import DoctorView, layer_line, sparkline, warning_line

from .conftest import screen_text


def sick_report():
    session = Session(Setup(dataset="circle", hidden=(8, 8), activation="relu", lr=2.0, epochs=300))
    while not session.done():
        session.run_for(1.0, metrics=False)
    return doctor_report(session)


class Host(App):
    def __init__(self) -> None:
        super().__init__()
        self.chosen: list[DoctorView.FixChosen] = []

    def compose(self) -> ComposeResult:
        yield DoctorView(id="doctor")

    def on_doctor_view_fix_chosen(self, message: DoctorView.FixChosen) -> None:
        self.chosen.append(message)


def test_sparkline_is_on_a_log_scale() -> None:
    assert sparkline([1e-4, 1e-2, 1.0], 1e-4, 1.0, width=3) == "▁▅█"
    assert sparkline([0.0, float("nan")], 1e-4, 1.0, width=2) == "  "


def test_a_layer_line_fits_forty_columns() -> None:
    report = sick_report()
    for layer in report.layers:
        assert layer_line(layer, 1e-6, 1.0).cell_len <= 40
    assert report.layers[1].dead == 8 and "8/8dead" in layer_line(report.layers[1], 1e-6, 1.0).plain


def test_the_message_line_names_a_new_warning_once() -> None:
    report = sick_report()
    assert warning_line(report, None).startswith("Doctor: dead units")
    assert warning_line(report, report) == ""


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_findings_show_and_a_key_or_tap_chooses_the_fix(size) -> None:
    app = Host()
    report = sick_report()
    async with app.run_test(size=size) as pilot:
        view = app.query_one(DoctorView)
        view.show(report)
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "Dead ReLU units" in text
        assert "1 try activation=leaky_relu" in text
        view.focus()
        await pilot.press("1")
        await pilot.pause()
        first_fix = report.findings[0].fixes[0]
        assert first_fix.label.startswith("activation=leaky_relu")
        assert app.chosen and app.chosen[-1].fix == first_fix
        await pilot.click(".doctor-fix-1")
        await pilot.pause()
        assert app.chosen[-1].code == report.findings[1].code


async def test_a_healthy_run_says_so() -> None:
    session = Session(Setup(dataset="xor", epochs=100))
    while not session.done():
        session.run_for(1.0, metrics=False)
    app = Host()
    async with app.run_test(size=(40, 20)) as pilot:
        app.query_one(DoctorView).show(doctor_report(session))
        await pilot.pause()
        assert "No problems found" in "\n".join(screen_text(app))


async def test_a_quiet_report_turns_from_wait_to_no_problems_once_enough_samples_arrived() -> None:
    """The no-findings text depends on the sample count, so it must be redrawn when that count grows."""
    import dataclasses

    from annplay.core.doctor import EMPTY

    app = Host()
    async with app.run_test(size=(40, 20)) as pilot:
        view = app.query_one(DoctorView)
        view.show(EMPTY)
        await pilot.pause()
        assert "Train a little" in " ".join(screen_text(app))
        view.show(dataclasses.replace(EMPTY, samples=2))
        await pilot.pause()
        assert "No problems yet (2 of 4 looks" in " ".join(screen_text(app))
        view.show(dataclasses.replace(EMPTY, samples=3))
        await pilot.pause()
        assert "(3 of 4 looks" in " ".join(screen_text(app))
        view.show(dataclasses.replace(EMPTY, samples=5))
        await pilot.pause()
        assert "No problems found so far." in " ".join(screen_text(app))


async def test_two_reports_in_one_frame_never_crash() -> None:
    """A fix applied and training going on: a new report came while the old fix buttons were still leaving, and
    their ids were taken twice (DuplicateIds ended the app, a QA probe found in lesson 9)."""
    import dataclasses

    report = sick_report()
    changed = dataclasses.replace(report, findings=tuple(
        dataclasses.replace(f, message=f.message + " (again)") for f in report.findings))
    app = Host()
    async with app.run_test(size=(40, 20)) as pilot:
        view = app.query_one(DoctorView)
        view.show(report)
        view.show(changed)                       # no pause: the first report's buttons are still there
        await pilot.pause()
        assert "(again)" in " ".join(screen_text(app))
        assert len(view.query(".doctor-fix-0")) == 1
