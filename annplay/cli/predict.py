"""``annplay predict MODEL.npz --point X1,X2 [--point ...] | --data FILE.csv``: predictions of a saved model
(an .npz from ``train --save`` or the playground's s, or a JSON weight export from the playground's e).

The model and the CSV must be regular files (a FIFO is refused before it is opened, so nothing
blocks), and every name that came from a file is printed with its control characters made visible.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from annplay.cli.common import EXIT_OK, UsageError
from annplay.core.textsafe import plain, plain_join


def load(path: str) -> Any:
    """The model in ``path``, or a one-line usage error (not a regular file, damaged, not a model)."""
    from annplay.engine.network import MLP
    from annplay.engine.safefile import check_regular_file

    try:
        check_regular_file(path, what="model")
        with open(path, "rb") as f:
            head = f.read(64)
        text_like = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"["))
        if head.startswith(b"PK") or not (text_like or path.lower().endswith(".json")):
            return MLP.load(path)                 # an .npz (zip); anything else is refused there, as before
        return MLP.load_json(path)                # a weight export (the playground's e), or JSON that says why not
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:                        # a file that fails to read (/proc/self/mem: EIO): name it
        raise UsageError(f"model {path}: cannot read ({exc.strerror or exc})") from None


def inputs(args: argparse.Namespace, columns: list[str]) -> Any:
    """The raw input points (n×m, one column per point): each --point, or every row of --data."""
    import numpy as np

    if args.point is not None:                    # every --point given, in order (a repeated flag had kept only
        from annplay.engine.settings import plain_float  # the last one: a QA probe)

        points = []
        for text in args.point:
            try:                                  # ASCII digits only: float() also reads 1_0 and full-width digits
                values = [plain_float(v) for v in text.split(",")]
            except ValueError:
                values = []
            if len(values) != len(columns) or not all(math.isfinite(v) for v in values):
                raise UsageError(f"--point needs {len(columns)} numbers separated by commas "
                                 f"({plain_join(columns)}), got {plain(text[:80], one_line=True)!r}")
            points.append(values)
        return np.array(points, dtype=float).T
    from annplay.engine.csvdata import read_columns
    from annplay.engine.safefile import check_regular_file
    dropped: list[int] = []
    try:
        check_regular_file(args.data, what="--data")
        X = read_columns(args.data, columns, drop_missing=True, dropped=dropped)   # as train does: a CSV that
    except (ValueError, OSError) as exc:                                         # trained also predicts
        raise UsageError(str(exc)) from None
    if dropped and dropped[0]:
        sys.stderr.write(f"note: dropped {dropped[0]} rows with missing values (no prediction for them)\n")
    return X


def predictions(net: Any, X: Any) -> list[dict[str, Any]]:
    """One row per point: its input, and its class with probability (or its value for regression)."""
    import numpy as np

    from annplay.engine.build import model_inputs

    meta = net.meta or {}
    out = net.forward(model_inputs(net, X))
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
    return rows


def line(row: dict[str, Any], columns: list[str]) -> str:
    """A prediction as one plain line: ``x1=0.5, x2=-1 -> bear (p = 0.973)``."""
    shown_input = ", ".join(f"{plain(c, one_line=True)}={v:g}" for c, v in zip(columns, row["input"], strict=False))
    if "value" in row:
        value = row["value"]
        shown = ", ".join(f"{v:.6g}" for v in value) if isinstance(value, list) else f"{value:.6g}"
        return f"{shown_input} -> {shown}"
    return f"{shown_input} -> {plain(row['class'], one_line=True)} (p = {row['probability']:.3f})"


def run(args: argparse.Namespace) -> int:
    """Predict with a saved model on one point or on the rows of a CSV."""
    net = load(args.model)
    meta = net.meta or {}
    columns = [str(c) for c in meta.get("feature_names") or [f"x{i + 1}" for i in range(net.layers[0])]]
    X = inputs(args, columns)
    rows = predictions(net, X)
    if args.json:                  # always a list, one object per point (a script reads one shape);
        print(json.dumps(rows))    # json.dumps escapes control characters (ensure_ascii)
        return EXIT_OK
    for row in rows:
        print(line(row, columns))
    return EXIT_OK


__all__ = ["run", "load", "predictions", "line"]
