"""``annplay tune``: search settings for the lowest test loss, spending epochs on the promising set-ups.

The base set-up comes from --setup and the same setting flags as ``annplay train``; ``--search NAME=SPEC``
(repeatable) spans the space.  Progress goes to stderr; the leaderboard, the best share code, warnings and
the plots (or --json) to stdout.  Ctrl-C, SIGTERM and SIGHUP keep the finished trials.  Exit codes as
``annplay sweep``'s: 3 when some trials failed, 1 when there is no best because trials diverged, else 0.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from annplay.cli.common import UsageError, signal_ready
from annplay.cli.flags import check_goal, dataset_kind, setup_from_args
from annplay.cli.parser import STDOUT
from annplay.cli.report import fmt
from annplay.cli.setups import base_setup
from annplay.cli.sweep import (
    _whole,
    _write,
    check_files,
    exit_code,
    for_cluster,
    jobs_option,
    open_executor_check,
    outcome,
    stop_on_signals,
)
from annplay.core.textsafe import plain
from annplay.engine.settings import SETTINGS, SettingError

SHOWN_TRIALS = 20             # leaderboard rows printed (all of them are in --json)
MAX_BUDGET = 10**9


def tuner_from_args(args: argparse.Namespace) -> Any:
    """The Tuner the command line describes, checked before any training."""
    from annplay.core.search import Space
    from annplay.core.tune import Tuner, check_space, make_plan, make_trials, max_epochs_of

    base, _hidden = base_setup(args)
    base, typed = setup_from_args(args, "sweep", headless=True, base=base)
    try:
        space = Space.parse(args.search)
        check_space(space)
    except SettingError as exc:
        message = exc.message
        raise UsageError(message if message.startswith("--search") else f"--search: {message}") from None
    for dim in space.dims:
        if dim.name in typed:
            raise UsageError(f"--search {dim.entry.flag.lstrip('-')}: {typed[dim.name]} is given too; "
                             f"give its values in --search only")
        trainers = next((d.all_values() for d in space.dims if d.name == "trainer"), [base.trainer])
        reason = base.with_(trainer=trainers[0]).why_not(SETTINGS[dim.name])   # check_space: the other trainers
        if reason is not None and dim.name != "trainer":
            raise UsageError(f"--search {dim.entry.flag.lstrip('-')} does not apply: {reason}")
    seeds = _whole("--seeds", args.seeds, 1, 1000) or 1
    factor = _whole("--factor", args.factor, 2, 100) or 3
    budget = _whole("--budget", args.budget, 1, MAX_BUDGET)
    min_epochs = _whole("--min-epochs", args.min_epochs, 1, MAX_BUDGET)
    jobs = jobs_option(args)
    open_executor_check(args)
    if args.method != "tpe" and (args.storage or args.study):
        raise UsageError("--storage and --study go with --method tpe")
    if args.study and not args.storage:
        raise UsageError("--study names a study in --storage; give --storage FILE|URL too")
    check_goal(base, dataset_kind(base), typed)
    epochs = max_epochs_of(base)
    try:
        plan = make_plan(epochs, budget=budget, factor=factor, min_epochs=min_epochs, seeds=seeds,
                         space_size=space.size() if args.method == "halving" else None)
        make_trials(base, space.sample(min(plan.counts[0], 64), int(base.seed)), 1, epochs)   # points fit the set-up
    except SettingError as exc:
        flag = {"budget": "--budget", "epochs": "--min-epochs", "factor": "--factor"}.get(exc.setting)
        raise UsageError(f"{flag}: {exc.message}" if flag else f"--search: {exc.message}") from None
    check_files({base.csv} if base.csv is not None else set(), typed.get("csv", "--data"))
    if args.executor == "dask":
        base = for_cluster(base)
    tuner = Tuner(base, space, plan, executor=args.executor, jobs=jobs, scheduler=args.scheduler,
                  method=args.method, budget=budget, storage=args.storage, study=args.study)
    if args.method == "tpe":
        from annplay.core.tune_optuna import StudyMismatch, _optuna, check_storage, check_study

        try:
            _optuna()
            check_storage(args.storage)
            check_study(tuner)
        except RuntimeError as exc:
            raise UsageError(str(exc)) from None
        except StudyMismatch as exc:
            raise UsageError(str(exc)) from None
        except ValueError as exc:
            raise UsageError(f"--storage: {exc}") from None
    return tuner


def _progress(tuner: Any) -> tuple[Any, Any]:
    """A Rich progress bar of epochs on stderr, and the callback that advances it."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from annplay.cli.common import rich_console

    total = tuner.budget or tuner.plan.cost if tuner.method == "tpe" else tuner.plan.cost
    progress = Progress(TextColumn("epochs"), TextColumn("{task.completed:.0f}/{task.total:.0f}"),
                        BarColumn(bar_width=None), TextColumn("{task.fields[best]}", markup=False),
                        TimeElapsedColumn(), console=rich_console(stderr=True), transient=False)
    task = progress.add_task("tune", total=total, best="")
    started = [False]

    def on_update(t: Any) -> None:
        best = t.best()
        progress.update(task, completed=t.epochs_total, best="" if best is None else f"best {fmt(best.loss)}")
        if not started[0]:
            started[0] = True
            signal_ready()

    return progress, on_update


def leaderboard(tuner: Any, console: Any) -> None:
    """The trials as a table, best first: searched values, test loss, accuracy, epochs, state."""
    from rich.table import Table
    from rich.text import Text

    from annplay.core.tune import ranked

    dims = tuner.space.dims
    table = Table(box=None, show_header=True, header_style="bold")
    for title in ("#", *(d.entry.flag for d in dims), "test loss", "test acc", "epochs", "state"):
        table.add_column(title, justify="left" if title.startswith("--") or title == "state" else "right")
    trials = ranked(tuner.trials)
    for place, trial in enumerate(trials[:SHOWN_TRIALS], 1):
        values = [d.entry.format(trial.point[d.name]) for d in dims]
        cells = [str(place), *values, fmt(trial.loss), fmt(trial.acc, True), str(trial.epochs), trial.state]
        table.add_row(*(Text(plain(c, one_line=True)) for c in cells))
    console.print(table)
    if len(trials) > SHOWN_TRIALS:
        console.print(f"({len(trials) - SHOWN_TRIALS} more trials in --json output)", markup=False)


def summary(tuner: Any, console: Any, plot: bool) -> None:
    """The best set-up's share code, the epochs spent, edge warnings, then the plots."""
    from annplay.core.tuneplot import plots

    best = tuner.best()
    doc = tuner.result()
    grid = doc["grid_epochs"]
    spent = f"{tuner.epochs_total} epochs in {len(tuner.trials)} trials"
    if grid:
        spent += f" ({tuner.epochs_total / grid:.0%} of the full grid's {grid})"
    console.print(spent, markup=False)
    if best is not None:
        code, csv = best.code(files=False), best.setups[0].csv     # a code names no file: --data goes beside it
        data = "" if csv is None else f" --data {shlex.quote(str(csv))}"
        console.print(f"best: {code}{data}", markup=False, soft_wrap=True)
        console.print(f"  repeat it with: annplay train --setup '{code}'{data}", markup=False, soft_wrap=True)
    elif any(t.loss is not None for t in tuner.trials):
        why = ("the run was interrupted" if tuner.interrupted
               else "every trial was pruned or diverged (a larger --budget lets more reach it)")
        console.print(f"no trial was trained to the last rung ({tuner.max_epochs} epochs): {why}, so there is "
                      f"no best set-up to repeat", markup=False)
    elif tuner.trials:
        console.print("no trial finished with a finite test loss", markup=False)
    else:
        console.print("no trial was trained in this run", markup=False)
    study = tuner.study_info
    if study is not None and study.get("trials_before"):
        line = f"study {study['name']}: {study['trials_in_study']} trials, {study['trials_before']} from earlier runs"
        if study.get("best_setup"):
            line += f"; its best (test loss {fmt(study['best_value'])}): {study['best_setup']}"
        console.print(plain(line, one_line=True), markup=False, soft_wrap=True)
    for warning in tuner.warnings():
        kind = "note" if warning in tuner.notes else "warning"
        console.print(f"{kind}: {plain(warning, one_line=True)}", markup=False)
    if plot and tuner.trials:
        width = max(30, min(console.width, 72))
        for line in plots(tuner.trials, tuner.space.dims, width=width, best=best):
            console.print(line, markup=False, highlight=False)


def run(args: argparse.Namespace) -> int:
    """Plan, tune with a progress bar, then print the leaderboard, the best code and the plots, or --json."""
    from annplay.cli.common import rich_console
    from annplay.core.executors import ExecutorError
    from annplay.core.results import check_result_targets
    from annplay.core.tune import tune_json, write_json
    from annplay.core.tune_optuna import StudyMismatch

    tuner = tuner_from_args(args)
    try:
        check_result_targets((("--json", args.json),), data=tuner.base.csv)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    progress, on_update = _progress(tuner)
    stopped_by: list[int] = []
    try:
        with stop_on_signals(stopped_by), progress:
            tuner.run(on_update)
    except ExecutorError as exc:
        raise UsageError(str(exc)) from None
    except StudyMismatch as exc:                   # made meanwhile by another process with other settings
        raise UsageError(str(exc)) from None
    except (ValueError, OSError) as exc:           # a storage that cannot be opened or written
        raise UsageError(f"--storage: {exc}" if args.storage else str(exc)) from None
    if args.json is not None:
        _write("json", args.json, tune_json(tuner), lambda: write_json(args.json, tuner))
    if args.json != STDOUT:
        console = rich_console()
        leaderboard(tuner, console)
        summary(tuner, console, plot=not args.no_plot)
    if tuner.interrupted:
        sys.stderr.write(f"annplay tune: interrupted after {len(tuner.trials)} trials, "
                         f"{tuner.epochs_total} epochs\n")
        return exit_code(stopped_by)
    rows = []                                      # one per trial: failed if any of its runs failed
    for trial in tuner.trials:
        failed = [r for r in trial.rows if r.get("state") == "failed"]
        state = "failed" if failed or trial.state == "failed" else "diverged" if trial.diverged else trial.state
        rows.append({"state": state, "reason": next((r.get("reason") for r in failed if r.get("reason")), None)})
    code, line = outcome(rows, has_winner=tuner.best() is not None, what="trials")
    if line:
        sys.stderr.write(f"annplay tune: {line}\n")
    return code


__all__ = ["run", "tuner_from_args", "leaderboard", "summary"]
