"""``annplay play [setting flags]``: the playground opened on the set-up the flags describe.

A CSV given with --data is loaded and checked before the UI opens, so its errors are one line
on the terminal; without a terminal the command says so and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from annplay.cli.common import EXIT_MISUSE, EXIT_OK, UsageError, flag_of, say_error, usage_from
from annplay.cli.flags import check_goal, dataset_kind, setup_from_args
from annplay.cli.setups import base_setup, setup_model
from annplay.engine.setup import Setup

if TYPE_CHECKING:
    from annplay.core.lessons import Lesson

NEEDS_TERMINAL = ("the playground needs a terminal; for headless training use 'annplay train' "
                  "(see 'annplay --help')")


def check_generation(setup: Setup, typed: dict[str, str]) -> None:
    """A ga/es population whose generation would not fit in memory: one line now, not a default set-up later."""
    if setup.trainer == "backprop":
        return                                   # (the start stays lean: backprop builds nothing here)
    from annplay.engine.build import build_network, prepare, trainer_for

    try:
        prep = prepare(setup)
        trainer_for(setup, build_network(setup, prep, seed=setup.seed), prep, seed=setup.seed)
    except ValueError as exc:
        raise UsageError(f"{flag_of('population', typed)}: {exc}") from None


def check_data(setup: Setup, typed: dict[str, str]) -> None:
    """Load the set-up's CSV now (the playground draws 2-D data): one line for any problem."""
    if setup.csv is None:
        return
    from annplay.engine.build import prepare
    from annplay.engine.safefile import check_regular_file

    flag = flag_of("csv", typed)
    try:
        check_regular_file(setup.csv, what=flag)
        prep = prepare(setup)
    except ValueError as exc:
        raise usage_from(exc, typed) from None
    if not prep.plottable:
        raise UsageError(f"{flag}: the playground draws exactly 2 input columns; this data has "
                         f"{prep.dataset.m}")


def has_terminal() -> bool:
    """True when both standard input and output are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def open_lesson(choice: str) -> Lesson:
    """Lesson ``choice`` (a number or a file): one line naming --lesson for any problem."""
    from annplay.core.lessons import LessonError, load_lesson

    try:
        return load_lesson(choice)
    except (LessonError, ValueError, OSError) as exc:
        raise UsageError(f"--lesson: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Check the flags and the data, then open the app on that set-up (with --lesson: the lesson's set-up, and the
    app opens on the lesson's card with its goal tracked)."""
    drawing: list[Any] = []                       # a share code's drawn points, if it has some
    base, hidden = base_setup(args, drawing)
    lesson = None
    if getattr(args, "lesson", None) is not None:
        lesson = open_lesson(args.lesson)
        base = lesson.setup
    setup, typed = setup_from_args(args, "play", headless=False, base=base)
    budget = lesson.goal.get("max_epochs") if lesson is not None else None
    if lesson is not None and budget is not None and (setup.epochs is None or setup.epochs > budget):
        # the goal's epoch budget is the lesson's: a run past it could never pass (a QA probe opened ep=100)
        flag = typed.get("epochs", "--epochs")
        raise UsageError(f"{flag}: lesson {lesson.number} allows at most {budget} epochs (its goal's budget)")
    check_goal(setup, dataset_kind(setup), typed)
    check_data(setup, typed)
    check_generation(setup, typed)
    if not has_terminal():
        say_error("annplay", NEEDS_TERMINAL)
        return EXIT_MISUSE
    from annplay.app import run as run_app

    code = run_app(setup, hidden, model=setup_model(args), lesson=lesson, drawn=drawing[0] if drawing else None)
    return code or EXIT_OK


__all__ = ["run", "check_data", "has_terminal", "open_lesson"]
