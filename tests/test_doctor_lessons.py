"""Lessons read the doctor: each lesson's starting set-up shows the findings its card names, its solution
shows no warning, and in the "Be the doctor" lessons following the doctor's first fix cures the patient."""

from __future__ import annotations

import pytest

from annplay.core.lessons import LESSONS, Lesson, goal_status
from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.engine.sharecode import decode

DOCTOR_LESSONS = [lesson for lesson in LESSONS if lesson.doctor]


def trained(setup: Setup) -> Session:
    session = Session(setup if setup.epochs is not None else setup.with_(epochs=500))
    while not session.done():
        session.run_for(1.0, metrics=False)
    return session


def warnings(session: Session) -> list:
    return [f for f in session.diagnosis() if f.severity == "warning"]


def test_the_lessons_on_rate_overfitting_relu_and_depth_use_the_doctor() -> None:
    by_number = {lesson.number: lesson for lesson in LESSONS}
    assert by_number[4].doctor == ("diverged",)
    assert by_number[5].doctor == ("overfitting",)
    assert by_number[6].doctor == ("dead_units",)
    assert by_number[7].doctor == ("vanishing_gradients",)
    for number in (4, 5, 6, 7):
        assert "doctor (D)" in " ".join(by_number[number].text)
    assert any(lesson.title == "Be the doctor" for lesson in LESSONS)


@pytest.mark.parametrize("lesson", DOCTOR_LESSONS, ids=lambda lesson: f"lesson{lesson.number}")
def test_the_start_shows_the_cards_findings_and_the_solution_none(lesson: Lesson) -> None:
    assert set(lesson.doctor) <= {f.code for f in warnings(trained(lesson.setup))}
    assert warnings(trained(lesson.solved_setup())) == []


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if "doctor" in lesson.title.lower()],
                         ids=lambda lesson: f"lesson{lesson.number}")
def test_following_the_doctors_first_fix_cures_the_patient(lesson: Lesson) -> None:
    setup, steps = lesson.setup, 0
    while True:
        session = trained(setup)
        found = warnings(session)
        if not found:
            break
        assert found[0].fixes, found[0]
        setup = decode(found[0].fixes[0].code)
        steps += 1
        assert steps <= 3, f"still sick after 3 fixes: {setup!r}"
    assert steps >= 1
    reached, line = goal_status(lesson, setup, session.metrics())
    assert reached, line
