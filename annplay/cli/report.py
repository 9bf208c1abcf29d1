"""The report ``annplay train`` prints: summary table, confusion matrix and the decision boundary.

Every string that came from a file (data set name, class names, messages quoting them) is shown
as plain text: Rich markup in it is never parsed, control characters never reach the terminal.
"""

from __future__ import annotations

import math
import os
import shlex
from typing import Any

from annplay.core.textsafe import plain

MAX_MATRIX_CLASSES = 12
PER_SECOND = {"epoch": "ep/s", "generation": "gen/s"}


def fmt(v: float | None, pct: bool = False) -> str:
    """A loss or accuracy, short even when training diverged (``2.385e+120``, not 121 digits)."""
    if v is None:
        return "–"
    if pct:
        return f"{100 * v:.1f} %"
    return f"{v:.4f}" if math.isfinite(v) and abs(v) < 1e4 else f"{v:.4g}"


def finite(v: Any) -> Any:
    """v with every non-finite float (nan, inf) replaced by None, so it is strict JSON."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [finite(x) for x in v]
    return v


def json_default(v: Any) -> Any:
    """JSON for values the json module does not know: non-finite floats become null, others text."""
    return None if isinstance(v, float) and not math.isfinite(v) else str(v)


def speed(rate: float | None) -> str:
    """A training speed for people: whole numbers from 10 a second, else 2 significant digits (a big run's 0.038
    epochs a second read '0 ep/s')."""
    if rate is None or not math.isfinite(rate):
        return "–"
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.2g}"


def rounded_speed(rate: float) -> float:
    """A speed for --json: one decimal from 10 a second, 3 significant digits below (0.038 was 0.0)."""
    return round(rate, 1) if rate >= 10 else float(f"{rate:.3g}")


def per_second(unit: str) -> str:
    """The speed unit for a trainer's step unit: ep/s, gen/s."""
    return PER_SECOND.get(unit, f"{unit}/s")


def _text(value: object) -> Any:
    """A Rich Text of a file-supplied string: never parsed as markup, controls made visible."""
    from rich.text import Text

    return Text(plain(value, one_line=True))


def print_report(result: dict[str, Any], prep: Any, net: Any, *, unit: str, no_plot: bool) -> None:
    """Print the summary, the confusion matrix and (2-D data) the decision boundary to stdout."""
    from rich.table import Table

    from annplay.cli.common import rich_console

    console = rich_console()
    plain_mode = not console.is_terminal or bool(os.environ.get("NO_COLOR"))
    state = result["state"]
    if result["message"]:
        console.print(plain(result["message"]), markup=False, highlight=False)
    if result["dropped_rows"]:
        console.print(f"dropped {result['dropped_rows']} rows with missing values", highlight=False)
    if state == "interrupted":
        console.print(f"Interrupted at {unit} {result['epochs']}: the summary so far.", highlight=False,
                      markup=False)
    table = Table(title=_text(f"{result['dataset']} ({result['kind']})"), show_header=True, box=None)
    table.add_column("")
    table.add_column("train", justify="right")
    table.add_column("test", justify="right")
    table.add_row("loss", fmt(result["train_loss"]), fmt(result["test_loss"]))
    if result["kind"] != "regression":
        table.add_row("accuracy", fmt(result["train_accuracy"], True), fmt(result["test_accuracy"], True))
    table.add_row(f"{unit}s", str(result["epochs"]), "")
    if result["evaluations"] is not None:
        table.add_row("evaluations", f"{result['evaluations']:,}", "")
    table.add_row("time", f"{result['seconds']:.2f} s", f"{speed(result['epochs_per_second'])} {per_second(unit)}")
    table.add_row("state", state, "")
    console.print(table)
    csv = (result.get("settings") or {}).get("csv")
    print_diagnosis(console, result.get("diagnosis") or [], data=shlex.quote(str(csv)) if csv else None)
    _print_confusion(console, result)
    if result["saved"]:
        console.print(_text(f"model saved to {result['saved']}"), highlight=False)
    if no_plot:
        return
    if not prep.plottable:
        console.print(f"(no decision-boundary picture: it needs exactly 2 input columns; "
                      f"this data has {prep.dataset.m})", markup=False)
        return
    print_boundary(console, prep, net, plain_mode)


def print_diagnosis(console: Any, findings: list[dict[str, Any]], data: str | None = None) -> None:
    """The doctor's findings: each in words, its code, and its best two fixes with their share codes.

    A code never names a file: for a run on a CSV file (``data``), each fix says to add ``--data`` again."""
    extra = f" --data {data}" if data else ""
    console.print("Diagnosis", style="bold", highlight=False)
    if not findings:
        console.print("  no problems found", highlight=False, markup=False)
    elif not any(f["severity"] == "warning" for f in findings):
        console.print("  no warnings; worth knowing:", highlight=False, markup=False)
    for f in findings:
        mark = "!" if f["severity"] == "warning" else "i"
        layer = f", layer {f['layer']}" if f["layer"] else ""
        console.print(f"{mark} {f['message']}", highlight=False, markup=False)
        console.print(f"  ({f['severity']}: {f['code']}{layer})", highlight=False, markup=False, style="dim")
        for fix in f["fixes"][:2]:
            console.print(f"  try {fix['label']}: {fix['setup']}{extra}", highlight=False, markup=False)


def _print_confusion(console: Any, result: dict[str, Any]) -> None:
    """The test set's confusion matrix as a table, its class names shown as plain text."""
    from rich.table import Table

    matrix, names = result["confusion_matrix"], result["class_names"]
    if not matrix:
        return
    if len(names) > MAX_MATRIX_CLASSES:
        console.print(f"({len(names)} classes: the confusion matrix is in --json output)", markup=False)
        return
    console.print("confusion matrix on the test set (rows: true class, columns: predicted)", highlight=False)
    cm = Table(box=None)
    cm.add_column("")
    for name in names:
        cm.add_column(_text(name), justify="right")
    for name, row in zip(names, matrix, strict=False):
        cm.add_row(_text(name), *(str(v) for v in row))
    console.print(cm)


def print_boundary(console: Any, prep: Any, net: Any, plain_mode: bool) -> None:
    """The decision boundary with the train and test points, sized to the terminal (60×24 when not one)."""
    from annplay.boundary import DEFAULT_BOUNDS, Points, bounds_for, fit_size, render_text

    ds = prep.dataset
    bounds = DEFAULT_BOUNDS if ds.source is None and ds.x_mean is None else bounds_for(ds.X)
    columns = console.width if console.is_terminal else 60
    lines = max(8, (console.height if console.is_terminal else 24) - 4)
    width, height = fit_size(columns, lines)
    points = Points.from_xy(prep.train.X, prep.train.y) + Points.from_xy(prep.test.X, prep.test.y, test=True)
    names = [plain(n, one_line=True) for n in ds.class_names]
    picture = render_text(lambda G: net.forward(prep.inputs(G)), bounds, width, height, points,
                          kind=ds.kind, class_names=names, color=not plain_mode)
    if plain_mode:
        print(picture, file=console.file)
    else:
        console.print(picture, soft_wrap=False, crop=True)


__all__ = ["fmt", "finite", "speed", "rounded_speed", "json_default", "per_second", "print_report", "print_boundary",
           "print_diagnosis"]
