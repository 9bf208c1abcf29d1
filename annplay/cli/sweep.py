"""``annplay sweep``: train a grid of set-ups in parallel and rank them by mean test loss over seeds.

The base set-up comes from --setup and the same setting flags as ``annplay train``; ``--vary NAME=V,V``
(repeatable) spans the grid.  Progress goes to stderr; the leaderboard, or --json / --csv, to stdout.
Ctrl-C keeps the finished rows (exit 130); so do SIGTERM and SIGHUP (exit 143, 129), which also end the workers.
A finished sweep exits 0, 3 when some runs failed (could not train) and 1 when no set-up trained without diverging
(see :func:`outcome`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from annplay.cli.common import EXIT_DIVERGED, EXIT_INTERRUPTED, EXIT_OK, EXIT_RUNS_FAILED, UsageError, signal_ready
from annplay.cli.flags import check_goal, dataset_kind, setup_from_args
from annplay.cli.parser import STDOUT
from annplay.cli.report import fmt
from annplay.cli.setups import base_setup
from annplay.core.textsafe import plain
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup

SHOWN_GROUPS = 20             # leaderboard rows printed (all of them are in --json / --csv)
MAX_JOBS = 256                # --jobs beyond this is refused
JOBS_PER_CORE = 2             # --jobs beyond this many per core is capped (a run is CPU-bound on one thread)
_WHOLE = re.compile(r"\+?[0-9]{1,18}")


def _whole(flag: str, text: str | None, lo: int, hi: int) -> int | None:
    """A whole-number option from lo to hi (None when not given), or a one-line usage error."""
    if text is None:
        return None
    value = int(text.strip()) if _WHOLE.fullmatch(text.strip()) else lo - 1   # ASCII digits: int() takes
    if not lo <= value <= hi:                                                  # "１２" and "1_0" too
        raise UsageError(f"{flag}: a whole number from {lo} to {hi}, got {text!r}")
    return value


def jobs_option(args: argparse.Namespace) -> int | None:
    """--jobs (None when not given), at most JOBS_PER_CORE per core here: more workers than that only share the
    same cores and multiply the memory (``--jobs 256`` started 256 processes), so it is capped with a note."""
    from annplay.core import executors

    jobs = _whole("--jobs", args.jobs, 1, MAX_JOBS)
    if jobs is None:
        return None
    if getattr(args, "executor", "local") == "dask":
        sys.stderr.write("note: --jobs counts local worker processes; with --executor dask the cluster's workers "
                         "run the runs\n")
        return jobs
    cores = executors.default_jobs()
    cap = JOBS_PER_CORE * cores
    if jobs > cap:
        sys.stderr.write(f"note: --jobs {jobs} is more than {JOBS_PER_CORE} per core ({cores} here); "
                         f"using {cap} worker processes\n")
        return cap
    return jobs


def grid(args: argparse.Namespace) -> tuple[Setup, list[Setup], list[str]]:
    """The base set-up, every set-up of the grid, and the names of the varied settings."""
    from annplay.core.sweep import distinct, expand, parse_vary

    base, _hidden = base_setup(args)
    base, typed = setup_from_args(args, "sweep", headless=True, base=base)
    vary: dict[str, list[str]] = {}
    try:
        for text in args.vary:
            name, values = parse_vary(text)
            if name in typed:
                raise UsageError(f"--vary {plain(text, one_line=True)}: {typed[name]} is given too; "
                                 f"give its values in --vary only")
            if name in vary:
                raise UsageError(f"--vary: {SETTINGS[name].flag} is varied twice; give all its values at once")
            vary[name] = values
        seeds = _whole("--seeds", args.seeds, 1, 1000) or 1
        setups = expand(base, vary, seeds)
    except SettingError as exc:
        message = exc.message
        raise UsageError(message if message.startswith(("--vary", "--seeds")) else f"--vary: {message}") from None
    for name in vary:
        reasons = [s.why_not(SETTINGS[name]) for s in setups]
        if all(r is not None for r in reasons):
            raise UsageError(f"--vary {SETTINGS[name].flag.lstrip('-')} does not apply: {reasons[0]}")
    kept, why = distinct(base, setups, list(vary))
    if kept and all(dataset_kind(s) == "regression" for s in kept):
        check_goal(kept[0], "regression", typed)
    if len(kept) < len(setups):
        said = "; ".join(f"--{SETTINGS[name].flag.lstrip('-')} {reason}" for name, reason in why.items())
        sys.stderr.write(f"note: {len(setups) - len(kept)} of {len(setups)} runs left out: they would repeat "
                         f"others ({said})\n")
    check_files({s.csv for s in kept if s.csv is not None}, typed.get("csv", "--data"))
    if args.executor == "dask":
        kept = [for_cluster(s) for s in kept]
    return base, kept, list(vary)


def for_cluster(setup: Setup) -> Setup:
    """The set-up with its CSV named by its absolute path: a Dask worker reads it from its own folder (a relative
    --data failed every run on a worker started elsewhere, even on this machine)."""
    return setup if setup.csv is None else setup.with_(csv=os.path.abspath(setup.csv))


def check_files(paths: set[str], what: str) -> None:
    """Every CSV of the grid must be a regular file (a FIFO would block a worker forever)."""
    from annplay.engine.safefile import check_regular_file

    for path in sorted(paths):
        try:
            check_regular_file(path, what=what)
        except ValueError as exc:
            raise UsageError(str(exc)) from None


def _progress(total: int) -> tuple[Any, Any]:
    """A Rich progress bar on stderr and the callback that advances it as rows finish."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from annplay.cli.common import rich_console

    progress = Progress(TextColumn("runs"), MofNCompleteColumn(), BarColumn(bar_width=None),
                        TextColumn("{task.fields[last]}", markup=False), TimeElapsedColumn(),
                        console=rich_console(stderr=True), transient=False)
    task = progress.add_task("sweep", total=total, last="")

    def on_row(row: dict[str, Any], finished: int, _total: int) -> None:
        last = f"{row['state']} test {fmt(row.get('test_loss'))}"
        progress.update(task, completed=finished, last=last)
        if finished == 1:
            signal_ready()

    return progress, on_row


def _seeds(rows: Sequence[dict[str, Any]]) -> str:
    """The seeds a row's runs used: a varied seed is averaged within its set-up's row (its group has none)."""
    seeds = sorted({row["seed"] for row in rows if row.get("seed") is not None})
    return ",".join(map(str, seeds)) or "?"


def _for_people(code: str) -> str:
    """A row's share code without its CSV file, as ``annplay train --setup`` takes it (beside ``--data FILE``)."""
    from annplay.engine.sharecode import decode, encode

    try:
        return encode(decode(code, files=True), files=False)
    except SettingError:
        return code


def leaderboard(rows: list[dict[str, Any]], varied: list[str]) -> None:
    """The ranked set-ups as a table on stdout: varied values, mean ± sd test loss, accuracy, epochs, states."""
    from rich.table import Table
    from rich.text import Text

    from annplay.cli.common import rich_console
    from annplay.core.sweep import rank
    from annplay.engine.sharecode import decode

    ranked = rank(rows)
    table = Table(box=None, show_header=True, header_style="bold")
    for title in ("#", *(SETTINGS[n].flag for n in varied), "test loss", "± sd", "test acc", "epochs", "runs",
                  "doctor"):
        table.add_column(title, justify="left" if title.startswith("--") else "right")
    if not varied:
        table.add_column("setup")
    for place, group in enumerate(ranked[:SHOWN_GROUPS], 1):
        try:
            setup = decode(group.group, files=True)
            values = [_seeds(group.rows) if n == "seed" else "–" if not setup.applies(n)    # lr with trainer ga
                      else SETTINGS[n].format(setup[n]) for n in varied]
        except SettingError:
            values = ["?"] * len(varied)
        states = ", ".join(f"{count} {state}" for state, count in group.states.items())
        sd = fmt(group.loss_sd) if len(group.rows) > 1 else "–"      # one seed: no spread to show
        trained = any(r.get("state") != "failed" for r in group.rows)
        cells = [str(place), *values, fmt(group.loss_mean), sd,
                 fmt(group.acc_mean, True), f"{group.epochs_mean:.0f}", states,
                 " ".join(group.diagnosis) or ("ok" if trained else "–")]      # a run that never trained: no word
        if not varied:                  # a code for people names no file (the --data given goes with it)
            cells.append(_for_people(group.group))
        table.add_row(*(Text(plain(c, one_line=True)) for c in cells))
    console = rich_console()
    console.print(table)
    if len(ranked) > SHOWN_GROUPS:
        console.print(f"({len(ranked) - SHOWN_GROUPS} more set-ups in --json or --csv output)", markup=False)
    reasons = dict.fromkeys(r["reason"] for r in rows if r.get("state") == "failed" and r.get("reason"))
    for reason in list(reasons)[:3]:              # why a run failed, not only in --json (a probe's find)
        console.print(Text(f"failed: {plain(reason, one_line=True)}"[:300]))
    if len(reasons) > 3:
        console.print(f"({len(reasons) - 3} more reasons in --json or --csv output)", markup=False)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: stop like Ctrl-C, keep the finished rows, exit 128 + the signal's number."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


@contextlib.contextmanager
def stop_on_signals(record: list[int]) -> Iterator[None]:
    """While running, SIGTERM and SIGHUP stop the run as Ctrl-C does; the signal's number goes to ``record``."""
    def handler(number: int, _frame: Any) -> None:
        record.append(number)
        raise Stopped(number)

    numbers = [n for n in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if n is not None]
    old = {}
    for number in numbers:
        with contextlib.suppress(ValueError, OSError):       # not the main thread: leave signals alone
            old[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, previous in old.items():
            signal.signal(number, previous)


def exit_code(stopped_by: list[int]) -> int:
    """130 for Ctrl-C, 128 + the number for TERM or HUP."""
    return 128 + stopped_by[0] if stopped_by else EXIT_INTERRUPTED


def outcome(rows: Sequence[dict[str, Any]], has_winner: bool, what: str = "runs") -> tuple[int, str | None]:
    """A finished run's exit code and its stderr line: 3 when some runs failed (they could not train: a bad
    column or file, a worker that died; the others are still reported), else 1 when there is no winner because
    runs diverged (as ``train``'s 1: no usable model), else 0 (diverged runs beside a winner are results)."""
    failed = [r for r in rows if r.get("state") == "failed"]
    if failed:
        reason = next((r["reason"] for r in failed if r.get("reason")), None)
        why = f": {plain(reason, one_line=True)[:200]}" if reason else ""
        return EXIT_RUNS_FAILED, f"{len(failed)} of {len(rows)} {what} failed (could not train){why}"
    if rows and not has_winner and any(r.get("state") == "diverged" for r in rows):
        return EXIT_DIVERGED, f"no set-up trained without diverging ({what}: {len(rows)})"
    return EXIT_OK, None


def open_executor_check(args: argparse.Namespace) -> None:
    """Refuse --scheduler without --executor dask, and dask without --scheduler, before any work."""
    if args.executor == "dask" and not args.scheduler:
        raise UsageError("--executor dask needs --scheduler tcp://HOST:PORT (a running Dask scheduler)")
    if args.executor != "dask" and args.scheduler:
        raise UsageError("--scheduler goes with --executor dask")


def _write(kind: str, target: str, text: str, writer: Any) -> None:
    """Send JSON/CSV text to stdout, or run ``writer`` to save it to the file named."""
    if target == STDOUT:                # a terminal never gets a file's control characters raw
        sys.stdout.write(plain(text) if sys.stdout.isatty() else text)
        return
    try:
        writer()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"--{kind}: cannot write {target}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Expand the grid, run it with a progress bar, then print the leaderboard or write JSON / CSV."""
    from annplay.core.results import check_result_targets
    from annplay.core.sweep import MAX_RUNS, Sweep, rank, sweep_csv, sweep_json, write_csv, write_json

    if args.json == STDOUT and args.csv == STDOUT:
        raise UsageError("--json and --csv cannot both go to stdout; give one of them a FILE")
    from annplay.core.executors import ExecutorError

    jobs = jobs_option(args)
    open_executor_check(args)
    base, setups, varied = grid(args)
    try:
        check_result_targets((("--json", args.json), ("--csv", args.csv)), data=base.csv)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    assert len(setups) <= MAX_RUNS
    sweep = Sweep(setups, jobs=jobs, executor=args.executor, scheduler=args.scheduler)
    progress, on_row = _progress(len(setups))
    stopped_by: list[int] = []
    try:
        with stop_on_signals(stopped_by), progress:
            rows = sweep.run(on_row)
    except ExecutorError as exc:
        raise UsageError(str(exc)) from None
    if args.json is not None:
        _write("json", args.json, sweep_json(rows, interrupted=sweep.interrupted),
               lambda: write_json(args.json, rows, interrupted=sweep.interrupted))
    if args.csv is not None:
        _write("csv", args.csv, sweep_csv(rows), lambda: write_csv(args.csv, rows))
    if STDOUT not in (args.json, args.csv):
        leaderboard(rows, varied)
    if sweep.interrupted:
        sys.stderr.write(f"annplay sweep: interrupted after {len(rows)} of {len(setups)} runs\n")
        return exit_code(stopped_by)
    code, line = outcome(rows, has_winner=any(g.loss_mean is not None for g in rank(rows)))
    if line:
        sys.stderr.write(f"annplay sweep: {line}\n")
    return code


__all__ = ["run", "grid", "jobs_option", "leaderboard", "STDOUT", "stop_on_signals", "exit_code", "outcome",
           "open_executor_check", "for_cluster"]
