"""``annplay train``: a Session trained headless with Session.run_for, then a report or one JSON object.

Exit codes: 0 done, 1 diverged (nothing saved), 2 bad input, 130 Ctrl-C (summary so far, saved with --save);
SIGTERM and SIGHUP stop it as Ctrl-C does (143, 129: a `timeout` or a closed SSH session keeps the run).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annplay.cli.common import EXIT_DIVERGED, EXIT_INTERRUPTED, EXIT_OK, UsageError, signal_ready, usage_from
from annplay.cli.flags import check_goal, setup_from_args
from annplay.cli.report import finite, fmt, json_default, per_second, print_report, rounded_speed, speed
from annplay.cli.setups import base_setup, check_setup_target, save_setup, setup_model
from annplay.engine.setup import Setup
from annplay.engine.sharecode import encode

if TYPE_CHECKING:
    from annplay.core.session import Session
    from annplay.engine.trainer import Metrics

SLICE_SECONDS = 0.1          # how often the loop looks at Ctrl-C, the goals and the progress bar


class Stop:
    """Set by SIGINT (Ctrl-C), SIGTERM or SIGHUP: the loop ends after the current chunk."""

    def __init__(self) -> None:
        self.requested = False
        self.signal: int | None = None

    def __call__(self, signum: int, frame: Any) -> None:
        self.requested = True
        if self.signal is None:
            self.signal = signum

    @property
    def exit_code(self) -> int:
        """130 for Ctrl-C, 128 + the number for TERM or HUP (as a shell reports a process they ended)."""
        return EXIT_INTERRUPTED if self.signal in (None, signal.SIGINT) else 128 + self.signal


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


OTHER_KINDS = {".json": "a weight export (JSON)", ".toml": "a set-up file (TOML)", ".csv": "a data file (CSV)"}


def check_save(save: str, setup: Setup, force: bool) -> None:
    """Refuse a --save target that cannot be written, or would destroy data, before training."""
    from annplay.engine.safefile import check_save_target

    if save.strip() == "-":              # '-' means stdout elsewhere (--json -); a model is a file
        raise UsageError("--save -: a model is written to a file, not to stdout; give a .npz name")
    try:
        target = check_save_target(save, what="--save")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if setup.csv is not None and target.exists() and target.resolve() == Path(setup.csv).resolve():
        raise UsageError(f"--save: {save} is the --data file; saving would destroy it")
    suffix = Path(target.name.rstrip(" .")).suffix     # 'x.csv ' and 'x.csv.' end in .csv to a person
    kind = OTHER_KINDS.get(suffix.lower())
    if kind is not None:                 # a zip named .json or .toml fools that name's reader (predict, --setup)
        raise UsageError(f"--save {save}: a name ending in {suffix} is for {kind}; a model is an .npz "
                         f"file: give a .npz name")
    if target.is_file() and not force:
        from annplay.engine.network import MLP
        try:
            MLP.load(target)
        except ValueError:
            raise UsageError(f"--save: {save} exists and is not an annplay model; choose another name "
                             f"or add --force to replace it") from None
    if not os.access(target.parent, os.W_OK):
        raise UsageError(f"--save: cannot write into directory {str(target.parent)!r}")


def open_session(setup: Setup, typed: dict[str, str]) -> Session:
    """The Session for the set-up; data and settings problems become one-line usage errors."""
    from annplay.core.session import Session

    if setup.csv is not None:
        from annplay.engine.safefile import check_regular_file
        try:
            check_regular_file(setup.csv, what=typed.get("csv", "--data"))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    try:
        session = Session(setup)
    except ValueError as exc:                  # SettingError, a CSV's DataError, a trainer's refusal
        raise usage_from(exc, typed) from None
    check_goal(setup, session.prep.dataset.kind, typed)
    return session


def start_weights(session: Session, model: str | None, setup: Setup) -> str:
    """Load the weights a set-up file's [model] names, as ``annplay play FILE`` does; say where a run starts."""
    if model is None:
        return f"new, drawn from seed {setup.seed}"
    try:
        session.import_npz(model)
    except (ValueError, OSError) as exc:
        raise UsageError(f"--setup: the [model] weights {model} cannot be loaded: {exc}") from None
    return f"loaded from {model} (the set-up file's [model])"


class Loop:
    """Trains the session in slices of SLICE_SECONDS until it is done or Ctrl-C; times the training alone.

    The session's own loop (run_for) does the work, goals included: it stops at the same epoch as the
    app and a sweep row would.
    """

    def __init__(self, session: Session, stop: Stop) -> None:
        self.session = session
        self.stop = stop
        self.training_seconds = 0.0
        self.wall_seconds = 0.0

    def run(self, on_slice: Any = None) -> Metrics:
        """Train to the end (or Ctrl-C), calling on_slice(metrics, seconds) after each slice."""
        session, started = self.session, False
        wall = time.perf_counter()
        while not session.done() and not self.stop.requested:
            t = time.perf_counter()
            session.run_for(SLICE_SECONDS, metrics=False, stop=lambda: self.stop.requested)
            self.training_seconds += time.perf_counter() - t
            if not started:
                started = True
                signal_ready()
            if on_slice is not None:
                on_slice(session.metrics(), self.training_seconds)
        self.wall_seconds = time.perf_counter() - wall
        return session.metrics()


def run_with_progress(loop: Loop, total: int | None) -> Metrics:
    """The loop under a Rich progress bar on stderr (so a redirected report stays clean)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from annplay.cli.common import rich_console

    console = rich_console(stderr=True)
    unit = loop.session.unit
    columns: list[Any] = [TextColumn(unit, markup=False), MofNCompleteColumn(), BarColumn(bar_width=None)]
    if console.width >= 60:
        columns.append(TextColumn("{task.fields[speed]}"))
    columns.append(TextColumn("{task.fields[losses]}"))
    if console.width >= 80:
        columns.append(TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("train", total=total, speed="", losses="")

        def update(m: Any, seconds: float) -> None:
            rate = f"{speed(m.epoch / seconds)} {per_second(unit)}" if seconds > 0 else ""
            losses = (f"train {fmt(m.train_loss)} test {fmt(m.test_loss)}" if console.width >= 60
                      else f"loss {fmt(m.train_loss)}")
            progress.update(task, completed=m.epoch, speed=rate, losses=losses)

        metrics = loop.run(update)
        progress.update(task, completed=metrics.epoch)
    return metrics


def warn_numeric_label(ds: Any) -> None:
    """The default label is the last column; say so when it is a number column turned into classes."""
    from annplay.core.textsafe import plain_join

    if ds.kind != "regression" and all(name.lstrip("-").replace(".", "", 1).isdigit() for name in ds.class_names):
        names = [name if len(name) <= 20 else name[:19] + "…" for name in ds.class_names[:6]]   # one short line
        sys.stderr.write(f"note: the label is the last column, whose values {plain_join(names)} "
                         f"were taken as classes; choose another label column with --y\n")


def save_model(session: Session, save: str) -> str:
    """Write the model; a failure (the target changed meanwhile, a full disk) is a usage error."""
    try:
        session.net.save(save)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"--save: cannot write {save}: {exc.strerror or exc}") from None
    return save


def confusion(session: Session) -> list[list[int]] | None:
    """The test set's confusion matrix, for classification with test points."""
    from annplay.engine.metrics import network_confusion

    prep = session.prep
    if prep.kind == "regression" or not prep.X_test.shape[1]:
        return None
    return network_confusion(session.net, prep.X_test, prep.Y_test, prep.dataset.n_classes).tolist()


def run(args: argparse.Namespace) -> int:
    """Train headless; print a progress bar, a summary, a confusion matrix and the boundary."""
    base, _hidden = base_setup(args)
    setup, typed = setup_from_args(args, "train", headless=True, base=base)
    if args.save is not None:
        check_save(args.save, setup, args.force)
    if args.save_setup is not None:
        check_setup_target(args.save_setup, {"--save": args.save, "--data": setup.csv}, setup)
    session = open_session(setup, typed)
    weights = start_weights(session, setup_model(args), setup)
    if not args.json:
        sys.stderr.write(f"weights: {weights}\n")
    if setup.csv is not None and setup.csv_y is None and not args.json:
        warn_numeric_label(session.prep.dataset)
    stop = Stop()
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS} if main_thread else {}
    loop = Loop(session, stop)
    try:
        metrics = loop.run() if args.json else run_with_progress(loop, setup.epochs)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    trainer = session.trainer
    diverged = metrics.state == "diverged"
    saved = None
    if args.save is not None and diverged:
        trainer.message = (trainer.message + f"; the model was NOT saved to {args.save}").lstrip("; ")
    elif args.save is not None:
        saved = save_model(session, args.save)
    if args.save_setup is not None:
        save_setup(args.save_setup, setup, saved)
    ds = session.prep.dataset
    state = "interrupted" if stop.requested else "done" if metrics.state == "running" else metrics.state
    result = {
        "dataset": ds.name, "kind": ds.kind, "class_names": list(ds.class_names),
        "epochs": metrics.epoch, "state": state,
        "train_loss": metrics.train_loss, "test_loss": metrics.test_loss,
        "train_accuracy": metrics.train_acc, "test_accuracy": metrics.test_acc,
        "trainer": setup.trainer, "evaluations": metrics.evaluations,
        "seconds": round(loop.wall_seconds, 4),
        "epochs_per_second": rounded_speed(metrics.epoch / loop.training_seconds) if loop.training_seconds else None,
        "dropped_rows": ds.dropped, "confusion_matrix": confusion(session), "saved": saved,
        "message": trainer.message or None,
        "settings": setup.to_dict(), "setup": encode(setup, files=False), "weights": weights,
        "diagnosis": [f.as_dict() for f in session.diagnosis()],
    }
    if args.json:
        print(json.dumps(finite(result), allow_nan=False, default=json_default))
    else:
        print_report(result, session.prep, session.net, unit=session.unit, no_plot=args.no_plot)
    return stop.exit_code if stop.requested else EXIT_DIVERGED if diverged else EXIT_OK


__all__ = ["run", "Loop", "Stop", "check_save", "open_session"]
