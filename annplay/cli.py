"""The ``annplay`` command: the playground with no arguments, or ``train``, ``datasets``, ``predict``.

Every bad argument exits with code 2 and one line that says what is wrong and
what is allowed.  Heavy modules (Rich, Textual) load only for the command
that needs them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, NoReturn, Sequence

EXIT_MISUSE = 2
EXIT_INTERRUPTED = 130
EXIT_DIVERGED = 1


class UsageError(Exception):
    """Bad input from the command line or a file it names: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line (no usage dump) and exit with code 2.

    Values that start with a minus and a digit (``--point -1,2``, ``--lr -1``) are values,
    not options: Python < 3.13 only recognises plain negative numbers like ``-1``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        import re
        self._negative_number_matcher = re.compile(r"^-\.?\d")

    def error(self, message: str) -> NoReturn:
        import re
        message = re.sub(r"^argument (-[-\w]+)(?:/-[-\w]+)?: \1", r"\1", message)
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_MISUSE)


# --- argument types: each says what is allowed -----------------------------------------

def _number(text: str, flag: str, lo: float | None = None, hi: float | None = None,
            lo_open: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    ok = math.isfinite(value) and (lo is None or (value > lo if lo_open else value >= lo)) \
        and (hi is None or value <= hi)
    if not ok:
        if lo is not None and hi is not None:
            allowed = f"a number from {lo:g} to {hi:g}"
        elif lo is not None:
            allowed = f"a number {'>' if lo_open else '≥'} {lo:g}"
        else:
            allowed = "a finite number"
        raise argparse.ArgumentTypeError(f"{flag} must be {allowed}, got {text!r}")
    return value


def _whole(text: str, flag: str, lo: int = 1, hi: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < lo or (hi is not None and value > hi):
        allowed = f"from {lo} to {hi}" if hi is not None else f"≥ {lo}"
        raise argparse.ArgumentTypeError(f"{flag} must be a whole number {allowed}, got {text!r}")
    return value


def _layers(text: str) -> tuple[int, ...]:
    from annplay.engine.experiment import MAX_HIDDEN_LAYERS, MAX_NEURONS
    if text.strip().lower() in ("", "0", "none"):
        return ()
    parts = [p.strip() for p in text.split(",")]
    sizes = []
    for p in parts:
        if not p.isdigit() or not 1 <= int(p) <= MAX_NEURONS:
            raise argparse.ArgumentTypeError(
                f"--layers takes hidden-layer sizes like 8,8 (each 1 to {MAX_NEURONS}, or 'none'), got {text!r}")
        sizes.append(int(p))
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise argparse.ArgumentTypeError(f"--layers allows at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(sizes)}")
    return tuple(sizes)


def _features(text: str) -> tuple[str, ...]:
    from annplay.engine.features import parse_features
    try:
        return parse_features(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--features: {exc}") from None


def _columns(text: str) -> tuple[str, ...]:
    cols = tuple(c.strip() for c in text.split(","))
    if not all(cols):
        raise argparse.ArgumentTypeError(f"--x takes column names separated by commas, got {text!r}")
    return cols


def _choice(values: Sequence[str], flag: str):
    def parse(text: str) -> str:
        key = text.strip().lower()
        if key not in values:
            raise argparse.ArgumentTypeError(f"{flag} must be one of: {', '.join(values)}; got {text!r}")
        return key
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, choices read from the engine's registries."""
    from annplay import __version__
    from annplay.engine.activations import HIDDEN_ACTIVATIONS
    from annplay.engine.datasets import DATASETS
    from annplay.engine.experiment import TRAINERS
    from annplay.engine.optimizers import OPTIMIZERS

    parser = _Parser(prog="annplay", description="A terminal playground for neural networks. "
                     "With no command, opens the interactive playground.")
    parser.add_argument("--version", action="version", version=f"annplay {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    play = sub.add_parser("play", help="open the interactive playground (the default)",
                          description="Open the interactive playground (needs a terminal).")
    play.add_argument("--data", metavar="FILE.csv", help="also offer this CSV (header row) as a data set, "
                      "and start on it")
    play.add_argument("--x", type=_columns, metavar="COL,COL",
                      help="its two feature columns (default: the first two numeric columns)")
    play.add_argument("--y", metavar="COL", help="its label column (default: the last column)")

    t = sub.add_parser("train", help="train headless with a progress bar and a final report",
                       description="Train a network without the UI and print a report.")
    data = t.add_argument_group("data")
    data.add_argument("--dataset", type=_choice(list(DATASETS), "--dataset"), default=None,
                      help=f"built-in data set: {', '.join(DATASETS)} (default spiral)")
    data.add_argument("--points", type=lambda s: _whole(s, "--points", 2, 1_000_000), default=None,
                      metavar="N", help="number of points (default: the data set's own)")
    data.add_argument("--noise", type=lambda s: _number(s, "--noise", 0, 50), default=None,
                      help="noise in percent, 0 to 50 (default 0)")
    data.add_argument("--train-ratio", type=lambda s: _number(s, "--train-ratio", 10, 90), default=50.0,
                      metavar="PCT", help="percent of points used for training, 10 to 90 (default 50)")
    data.add_argument("--features", type=_features, default=("x1", "x2"),
                      help="input features for 2-D data, e.g. x1,x2,x1x2 (x1 x2 x1sq x2sq x1x2 sinx1 sinx2)")
    data.add_argument("--data", metavar="FILE.csv", help="train on a CSV file instead (header row required)")
    data.add_argument("--x", type=_columns, metavar="COL,COL",
                      help="feature columns of --data (default: the first two numeric columns)")
    data.add_argument("--y", metavar="COL", help="label column of --data (default: the last column)")
    net = t.add_argument_group("network and training")
    net.add_argument("--layers", type=_layers, default=(8, 8),
                     help="hidden layer sizes, e.g. 8,8 (default 8,8; 'none' for no hidden layer)")
    net.add_argument("--activation", type=_choice(HIDDEN_ACTIVATIONS, "--activation"), default="tanh",
                     help=f"hidden activation: {', '.join(HIDDEN_ACTIVATIONS)} (default tanh)")
    net.add_argument("--lr", type=lambda s: _number(s, "--lr", 0, None, lo_open=True), default=None,
                     help="learning rate > 0 (default 0.03)")
    net.add_argument("--epochs", type=lambda s: _whole(s, "--epochs", 1, 10_000_000), default=1000,
                     help="epochs to train (default 1000)")
    net.add_argument("--batch-size", type=lambda s: _whole(s, "--batch-size", 1), default=None,
                     help="mini-batch size (default 10; larger than the data means full batch)")
    net.add_argument("--optimizer", type=_choice(list(OPTIMIZERS), "--optimizer"), default=None,
                     help=f"{', '.join(OPTIMIZERS)} (default sgd)")
    net.add_argument("--l1", type=lambda s: _number(s, "--l1", 0), default=None, help="L1 penalty rate (default 0)")
    net.add_argument("--l2", type=lambda s: _number(s, "--l2", 0), default=None, help="L2 penalty rate (default 0)")
    net.add_argument("--seed", type=lambda s: _whole(s, "--seed", 0, 2**32 - 1), default=0,
                     help="seed for data, weights and shuffling (default 0)")
    net.add_argument("--dtype", type=_choice(["float32", "float64"], "--dtype"), default="float64",
                     help="float32 or float64 (default float64)")
    evo = t.add_argument_group("neuroevolution (--trainer ga or es: --epochs counts generations)")
    evo.add_argument("--trainer", type=_choice(list(TRAINERS), "--trainer"), default="backprop",
                     help="; ".join(f"{k}: {v}" for k, v in TRAINERS.items()) + " (default backprop)")
    evo.add_argument("--population", type=lambda s: _whole(s, "--population", 4, 10_000), default=None,
                     help="individuals per generation (default: ga 50, es 4+3·ln(parameters))")
    evo.add_argument("--sigma", type=lambda s: _number(s, "--sigma", 0, None, lo_open=True), default=None,
                     help="mutation step size > 0 (default: ga 0.1, es 0.25)")
    out = t.add_argument_group("output")
    out.add_argument("--save", metavar="MODEL.npz",
                     help="save the trained model (also on Ctrl-C; not when training diverged)")
    out.add_argument("--force", action="store_true",
                     help="let --save replace an existing file that is not an annplay model")
    out.add_argument("--json", action="store_true", help="print one JSON result object instead of the report")
    out.add_argument("--no-plot", action="store_true", help="leave out the decision-boundary picture")

    sub.add_parser("datasets", help="list the built-in data sets").add_argument(
        "--json", action="store_true", help="print JSON instead of a table")

    p = sub.add_parser("predict", help="predict with a saved model",
                       description="Predict with a model saved by 'annplay train --save'.")
    p.add_argument("model", metavar="MODEL.npz")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", metavar="FILE.csv", help="CSV with the model's input columns (header row)")
    src.add_argument("--point", metavar="X1,X2", help="one point, its values separated by commas")
    p.add_argument("--json", action="store_true", help="print JSON")
    return parser


# --- commands ----------------------------------------------------------------------------

BACKPROP_ONLY = {"lr": "--lr", "batch_size": "--batch-size", "optimizer": "--optimizer",
                 "l1": "--l1", "l2": "--l2"}


def _experiment(args: argparse.Namespace):
    from annplay.engine.datasets import DATASETS
    from annplay.engine.experiment import Experiment
    if args.trainer != "backprop":
        given = [flag for name, flag in BACKPROP_ONLY.items() if getattr(args, name) is not None]
        if given:
            raise UsageError(f"{', '.join(given)} applies to --trainer backprop only, not {args.trainer} "
                             f"(neuroevolution takes --population and --sigma)")
    if args.data:
        given = [flag for flag, v in (("--dataset", args.dataset), ("--noise", args.noise),
                                      ("--points", args.points)) if v is not None]
        if given:
            raise UsageError(f"{', '.join(given)} choose built-in data; with --data FILE.csv leave them out")
    elif args.noise and not DATASETS[args.dataset or "spiral"].uses_noise:
        raise UsageError(f"--noise does not apply to {args.dataset} (real data); leave it out")
    args.dataset = args.dataset or "spiral"
    args.noise = args.noise or 0.0
    args.lr = 0.03 if args.lr is None else args.lr
    args.batch_size = 10 if args.batch_size is None else args.batch_size
    args.optimizer = args.optimizer or "sgd"
    args.l1, args.l2 = args.l1 or 0.0, args.l2 or 0.0
    if args.l1 and args.l2:
        raise UsageError("choose one of --l1 or --l2, not both")
    if (args.x or args.y) and not args.data:
        raise UsageError("--x and --y choose columns of --data FILE.csv; give --data too")
    reg = "l1" if args.l1 else "l2" if args.l2 else "none"
    exp = Experiment(dataset=args.dataset, n=args.points, noise=args.noise, train_ratio=args.train_ratio,
                     features=args.features, hidden=args.layers, activation=args.activation, lr=args.lr,
                     batch_size=args.batch_size, optimizer=args.optimizer, regularization=reg,
                     reg_rate=args.l1 or args.l2, seed=args.seed, dtype=args.dtype,
                     trainer=args.trainer, population=args.population, sigma=args.sigma,
                     csv=args.data, csv_x=args.x, csv_y=args.y)
    if args.trainer == "backprop" and (args.population or args.sigma):
        raise UsageError("--population and --sigma apply to --trainer ga or es, not backprop")
    if args.data and not Path(args.data).is_file():
        raise UsageError(f"--data: no such file: {args.data}")
    return exp


def _confusion(net: Any, X: Any, Y: Any, k: int) -> list[list[int]]:
    import numpy as np
    pred = net.predict(X)
    true = Y.argmax(axis=0) if Y.shape[0] > 1 else (Y[0] > 0.5).astype(int)
    m = np.zeros((k, k), dtype=int)
    np.add.at(m, (true, pred), 1)
    return m.tolist()


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "–"
    if pct:
        return f"{100 * v:.1f} %"
    return f"{v:.4f}" if math.isfinite(v) and abs(v) < 1e4 else f"{v:.4g}"


def _finite(v: Any) -> Any:
    """v with every non-finite float (nan, inf) replaced by None, so it is strict JSON."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def _check_save_path(save: str, data: str | None, force: bool) -> None:
    """Refuse a --save target that cannot be written, or would destroy data, before training."""
    target = Path(save)
    if data and target.exists() and target.resolve() == Path(data).resolve():
        raise UsageError(f"--save: {save} is the --data file; saving would destroy it")
    if target.is_file() and not force:
        from annplay.engine.network import MLP
        try:
            MLP.load(target)
        except ValueError:
            raise UsageError(f"--save: {save} exists and is not an annplay model; choose another name "
                             f"or add --force to replace it") from None
    if target.is_dir():
        raise UsageError(f"--save: {save} is a directory; give a file name like model.npz")
    parent = target.parent
    if not parent.is_dir():
        raise UsageError(f"--save: no such directory {str(parent)!r} for {save}")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"--save: cannot write into directory {str(parent)!r}")


def cmd_train(args: argparse.Namespace) -> int:
    """Train headless; print a progress bar, a summary, a confusion matrix and the boundary."""
    from annplay.engine.trainer import Metrics
    exp = _experiment(args)
    if args.save:
        _check_save_path(args.save, args.data, args.force)
    try:
        prep, net, trainer = exp.build()
    except ValueError as exc:
        raise UsageError(_flag_message(str(exc))) from None
    if args.data and not args.y and not args.json:
        _warn_numeric_label(prep.dataset)

    stop = {"flag": False}

    def on_sigint(signum: int, frame: Any) -> None:
        stop["flag"] = True

    previous = signal.signal(signal.SIGINT, on_sigint) if _main_thread() else None
    clock = {"wall": 0.0, "steps": 0.0}
    metrics: Metrics = trainer.metrics()
    try:
        if args.json:
            metrics = _run(trainer, args.epochs, stop, None, clock)
        else:
            metrics = _run_with_progress(trainer, args.epochs, stop, clock)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    elapsed = clock["wall"]
    interrupted = stop["flag"]
    saved = None
    diverged = metrics.state == "diverged"
    if args.save and diverged:
        trainer.message = (trainer.message + f"; the model was NOT saved to {args.save}").lstrip("; ")
    elif args.save:
        try:
            saved = str(net.save(args.save))
        except OSError as exc:
            raise UsageError(f"--save: cannot write {args.save}: {exc.strerror or exc}") from None
    ds = prep.dataset
    confusion = (_confusion(net, prep.X_test, prep.Y_test, ds.n_classes)
                 if ds.kind != "regression" and prep.X_test.shape[1] else None)
    result = {
        "dataset": ds.name, "kind": ds.kind, "class_names": list(ds.class_names),
        "epochs": metrics.epoch,
        "state": "interrupted" if interrupted else "done" if metrics.state == "running" else metrics.state,
        "train_loss": metrics.train_loss, "test_loss": metrics.test_loss,
        "train_accuracy": metrics.train_acc, "test_accuracy": metrics.test_acc,
        "trainer": exp.trainer, "evaluations": metrics.evaluations,
        "seconds": round(elapsed, 4),
        "epochs_per_second": round(metrics.epoch / clock["steps"], 1) if clock["steps"] else None,
        "dropped_rows": ds.dropped, "confusion_matrix": confusion, "saved": saved, "message": trainer.message or None,
        "settings": exp.to_dict(),
    }
    if args.json:
        print(json.dumps(_finite(result), allow_nan=False, default=_json_default))
    else:
        _report(result, prep, net, args)
    return EXIT_INTERRUPTED if interrupted else EXIT_DIVERGED if diverged else 0


FLAG_PREFIXES = {"activation:": "--activation:", "lr:": "--lr:", "layers:": "--layers:", "features:": "--features:",
                 "dataset:": "--dataset:", "batch size:": "--batch-size:", "trainer:": "--trainer:"}


def _flag_message(message: str) -> str:
    """An Experiment error names its setting; on the command line, name the flag instead."""
    for prefix, flag in FLAG_PREFIXES.items():
        if message.startswith(prefix):
            message = flag + message[len(prefix):]
            break
    return message.replace("choose a neuroevolution trainer (ga or es)", "add --trainer ga or --trainer es")


def _warn_numeric_label(ds: Any) -> None:
    """The default label is the last column; say so when it is a number column turned into classes."""
    if ds.kind != "regression" and all(name.lstrip("-").replace(".", "", 1).isdigit() for name in ds.class_names):
        sys.stderr.write(f"note: the label is the last column, whose values {', '.join(ds.class_names[:6])} "
                         f"were taken as classes; choose another label column with --y\n")


def _json_default(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else str(v)


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


READY_FILE_ENV = "ANNPLAY_READY_FILE"


def _signal_ready() -> None:
    """Test hook: once training has started (SIGINT now stops it cleanly), create the file
    named by the environment variable ANNPLAY_READY_FILE, if set.  Lets a test send Ctrl-C
    at a known moment without sleeping."""
    ready = os.environ.get(READY_FILE_ENV)
    if ready:
        try:
            Path(ready).touch()
        except OSError:
            pass


def _run(trainer: Any, epochs: int, stop: dict, on_chunk: Any, clock: dict | None = None) -> Any:
    """Step the trainer in chunks of about 0.1 s until done, diverged, stopped or interrupted.

    ``clock`` collects the wall time of the loop and the time spent in trainer.step alone.
    """
    clock = clock if clock is not None else {"wall": 0.0, "steps": 0.0}
    chunk = 1
    metrics = trainer.metrics()
    started = False
    wall = time.perf_counter()
    while trainer.epoch < epochs and trainer.state not in ("diverged", "stopped") and not stop["flag"]:
        k = min(chunk, epochs - trainer.epoch)
        t = time.perf_counter()
        trainer.step(k, metrics=False)
        dt = time.perf_counter() - t
        clock["steps"] += dt
        if not started:
            started = True
            _signal_ready()
        chunk = max(1, min(int(k * 0.1 / dt) if dt > 0 else chunk * 2, chunk * 4))
        if on_chunk is not None:
            metrics = trainer.metrics()
            on_chunk(metrics, dt / max(k, 1))
    clock["wall"] = time.perf_counter() - wall
    return trainer.metrics()


def _run_with_progress(trainer: Any, epochs: int, stop: dict, clock: dict) -> Any:
    """Training with a Rich progress bar on stderr (so a redirected report stays clean)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    unit = "generation" if getattr(trainer, "kind", "") == "evolution" else "epoch"
    columns = [TextColumn(unit), MofNCompleteColumn(), BarColumn(bar_width=None)]
    if console.width >= 60:
        columns.append(TextColumn("{task.fields[speed]}"))
    columns.append(TextColumn("{task.fields[losses]}"))
    if console.width >= 80:
        columns.append(TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("train", total=epochs, speed="", losses="")

        def update(m: Any, seconds_per_epoch: float) -> None:
            speed = f"{1 / seconds_per_epoch:,.0f} {'gen' if unit == 'generation' else 'ep'}/s" if seconds_per_epoch > 0 else ""
            losses = (f"train {_fmt(m.train_loss)} test {_fmt(m.test_loss)}" if console.width >= 60
                      else f"loss {_fmt(m.train_loss)}")
            progress.update(task, completed=m.epoch, speed=speed, losses=losses)

        metrics = _run(trainer, epochs, stop, update, clock)
        progress.update(task, completed=metrics.epoch)
    return metrics


def _report(result: dict, prep: Any, net: Any, args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    plain = not console.is_terminal or bool(os.environ.get("NO_COLOR"))
    state = result["state"]
    if result["message"]:
        console.print(result["message"], markup=False, highlight=False)
    if result["dropped_rows"]:
        console.print(f"dropped {result['dropped_rows']} rows with missing values", highlight=False)
    if state == "interrupted":
        console.print(f"Interrupted at epoch {result['epochs']}: the summary so far.", highlight=False)
    table = Table(title=f"{result['dataset']} ({result['kind']})", show_header=True, box=None if plain else None)
    table.add_column("")
    table.add_column("train", justify="right")
    table.add_column("test", justify="right")
    table.add_row("loss", _fmt(result["train_loss"]), _fmt(result["test_loss"]))
    if result["kind"] != "regression":
        table.add_row("accuracy", _fmt(result["train_accuracy"], True), _fmt(result["test_accuracy"], True))
    if result["evaluations"] is not None:
        table.add_row("generations", str(result["epochs"]), "")
        table.add_row("evaluations", f"{result['evaluations']:,}", "")
    else:
        table.add_row("epochs", str(result["epochs"]), "")
    per = "gen/s" if result["evaluations"] is not None else "ep/s"
    table.add_row("time", f"{result['seconds']:.2f} s", f"{result['epochs_per_second'] or 0:,.0f} {per}")
    table.add_row("state", state, "")
    console.print(table)
    if result["confusion_matrix"] and len(result["class_names"]) > 12:
        console.print(f"({len(result['class_names'])} classes: the confusion matrix is in --json output)")
    elif result["confusion_matrix"]:
        names = result["class_names"]
        console.print("confusion matrix on the test set (rows: true class, columns: predicted)",
                      highlight=False)
        cm = Table(box=None)
        cm.add_column("")
        for n in names:
            cm.add_column(n, justify="right")
        for name, row in zip(names, result["confusion_matrix"]):
            cm.add_row(name, *(str(v) for v in row))
        console.print(cm)
    if result["saved"]:
        console.print(f"model saved to {result['saved']}", highlight=False)
    if args.no_plot:
        return
    if not prep.plottable:
        console.print(f"(no decision-boundary picture: it needs exactly 2 input columns; "
                      f"this data has {prep.dataset.m})")
        return
    _print_boundary(console, prep, net, plain)


def _print_boundary(console: Any, prep: Any, net: Any, plain: bool) -> None:
    from annplay.boundary import DEFAULT_BOUNDS, Points, bounds_for, fit_size, render_text

    ds = prep.dataset
    bounds = DEFAULT_BOUNDS if ds.source is None and ds.x_mean is None else bounds_for(ds.X)
    columns = console.width if console.is_terminal else 60
    lines = max(8, (console.height if console.is_terminal else 24) - 4)
    width, height = fit_size(columns, lines)
    points = Points.from_xy(prep.train.X, prep.train.y) + Points.from_xy(prep.test.X, prep.test.y, test=True)
    picture = render_text(lambda G: net.forward(prep.inputs(G)), bounds, width, height, points,
                          kind=ds.kind, class_names=ds.class_names, color=not plain)
    if plain:
        print(picture, file=console.file)
    else:
        console.print(picture, soft_wrap=False, crop=True)


def cmd_datasets(args: argparse.Namespace) -> int:
    """List every built-in data set with its kind, size and description."""
    from annplay.engine.datasets import DATASETS
    rows = [{"name": s.name, "kind": s.kind, "points": s.default_n, "description": s.description}
            for s in DATASETS.values()]
    if args.json:
        print(json.dumps(rows))
        return 0
    from rich.console import Console
    from rich.table import Table
    console = Console()
    if console.width < 70:                 # a phone: the description gets its own lines
        for r in rows:
            console.print(f"[bold]{r['name']}[/]  {r['kind']}, {r['points']} points", highlight=False)
            console.print(f"  {r['description']}", markup=False, highlight=False)
        return 0
    table = Table(box=None, show_header=True, header_style="bold")
    for col, just in (("name", "left"), ("kind", "left"), ("points", "right"), ("description", "left")):
        table.add_column(col, justify=just, overflow="fold")
    for r in rows:
        table.add_row(r["name"], r["kind"], str(r["points"]), r["description"])
    console.print(table)
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    """Predict with a saved model on one point or on the rows of a CSV."""
    import numpy as np
    from annplay.engine.experiment import model_inputs
    from annplay.engine.network import MLP
    try:
        net = MLP.load(args.model)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    meta = net.meta or {}
    columns = meta.get("feature_names") or [f"x{i + 1}" for i in range(net.layers[0])]
    if args.point is not None:
        try:
            values = [float(v) for v in args.point.split(",")]
        except ValueError:
            values = []
        if len(values) != len(columns) or not all(math.isfinite(v) for v in values):
            raise UsageError(f"--point needs {len(columns)} numbers separated by commas "
                             f"({', '.join(columns)}), got {args.point!r}")
        X = np.array(values, dtype=float).reshape(-1, 1)
    else:
        from annplay.engine.csvdata import read_columns
        try:
            X = read_columns(Path(args.data), columns)
        except (ValueError, OSError) as exc:
            raise UsageError(str(exc)) from None
    inputs = model_inputs(net, X)
    out = net.forward(inputs)
    kind = meta.get("kind") or net.task
    names = meta.get("class_names") or []
    rows = []
    for j in range(X.shape[1]):
        row: dict[str, Any] = {"input": X[:, j].tolist()}
        if kind == "regression":
            row["value"] = out[:, j].tolist() if out.shape[0] > 1 else float(out[0, j])
        else:
            probs = [1 - float(out[0, j]), float(out[0, j])] if out.shape[0] == 1 else out[:, j].tolist()
            k = int(np.argmax(probs))
            row["class"] = names[k] if k < len(names) else k
            row["probability"] = probs[k]
        rows.append(row)
    if args.json:
        print(json.dumps(rows if args.data else rows[0]))
        return 0
    for row in rows:
        inp = ", ".join(f"{c}={v:g}" for c, v in zip(columns, row["input"]))
        if kind == "regression":
            value = row["value"]
            shown = ", ".join(f"{v:.6g}" for v in value) if isinstance(value, list) else f"{value:.6g}"
            print(f"{inp} -> {shown}")
        else:
            print(f"{inp} -> {row['class']} (p = {row['probability']:.3f})")
    return 0


def _play_experiment(args: argparse.Namespace) -> Any:
    """The playground's starting experiment: the default, or a checked CSV with two feature columns."""
    if getattr(args, "data", None) is None:
        if getattr(args, "x", None) or getattr(args, "y", None):
            raise UsageError("--x and --y choose columns of --data FILE.csv; give --data too")
        return None
    from annplay.engine.experiment import Experiment
    if not Path(args.data).is_file():
        raise UsageError(f"--data: no such file: {args.data}")
    if args.x is not None and len(args.x) != 2:
        raise UsageError(f"--x: the playground draws exactly 2 input columns, got {len(args.x)}")
    experiment = Experiment(csv=args.data, csv_x=args.x, csv_y=args.y)
    try:
        prep = experiment.prepare()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not prep.plottable:
        raise UsageError(f"--data: the playground needs 2 input columns; this data has {prep.dataset.m}")
    return experiment


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``annplay`` console script and ``python -m annplay``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv or ["play"])
    if args.command == "play":
        try:
            experiment = _play_experiment(args)
        except UsageError as exc:
            sys.stderr.write(f"annplay play: error: {exc}\n")
            return EXIT_MISUSE
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            sys.stderr.write("annplay: error: the playground needs a terminal; for headless training "
                             "use 'annplay train' (see 'annplay --help')\n")
            return EXIT_MISUSE
        from annplay.app import run
        run(experiment)
        return 0
    commands = {"train": cmd_train, "datasets": cmd_datasets, "predict": cmd_predict}
    try:
        return commands[args.command](args)
    except UsageError as exc:
        sys.stderr.write(f"annplay {args.command}: error: {exc}\n")
        return EXIT_MISUSE
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:   # Ctrl-C outside training (while loading, reporting): quietly
        sys.stderr.write(f"annplay {args.command}: interrupted\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
