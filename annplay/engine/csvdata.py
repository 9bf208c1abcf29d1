"""CSV loading with line-numbered errors, missing-value dropping, and standardisation."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .datasets import Dataset

MISSING = frozenset({"", "na", "nan", "n/a"})  # compared after strip().lower()
MAX_INT_CLASSES = 10  # a numeric label column with at most this many integer values is a class label


class DataError(ValueError):
    """A CSV file that cannot be used; the message names the file, line and column."""


def _is_missing(cell: str) -> bool:
    """True for the cells treated as missing values: empty, NA, NaN, N/A."""
    return cell.strip().lower() in MISSING


def _parse_float(cell: str) -> float | None:
    """The cell as a float, or None if it is not a number."""
    try:
        return float(cell.strip())
    except ValueError:
        return None


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) for every non-blank data row."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            rows: list[tuple[int, list[str]]] = []
            header: list[str] | None = None
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                if header is None:
                    header = [c.strip() for c in row]
                else:
                    rows.append((reader.line_num, row))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name}: not a UTF-8 text file ({exc.reason})") from None
    except csv.Error as exc:
        raise DataError(f"{path.name}: not valid CSV ({exc})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if header is None:
        raise DataError(f"{path.name} is empty: a header row of column names is required")
    return header, rows


def _is_numeric_column(rows: list[tuple[int, list[str]]], j: int) -> bool:
    """A column is numeric when most of its non-missing cells parse as numbers."""
    values = [r[j] for _, r in rows if not _is_missing(r[j])]
    if not values:
        return False
    numbers = sum(_parse_float(v) is not None for v in values)
    return numbers * 2 > len(values)


def _cell_error(fname: str, line: int, column: str, cell: str, what: str) -> DataError:
    """A DataError in the editor-style 'file line N, column 'c': ...' format."""
    return DataError(f"{fname} line {line}, column {column!r}: {cell.strip()!r} {what}")


def _number(fname: str, line: int, column: str, cell: str) -> float:
    """Parse one numeric cell, raising a DataError that points at it."""
    value = _parse_float(cell)
    if value is None:
        raise _cell_error(fname, line, column, cell, "is not a number")
    if not math.isfinite(value):
        raise _cell_error(fname, line, column, cell, "is not a finite number")
    return value


def _resolve_columns(
    fname: str, header: list[str], rows: list[tuple[int, list[str]]], x: Sequence[str] | str | None, y: str | None
) -> tuple[list[int], int]:
    """Indices of the feature columns and the label column, with helpful errors for bad names."""
    available = ", ".join(header)

    def index(name: str) -> int:
        try:
            return header.index(str(name).strip())
        except ValueError:
            raise DataError(f"{fname}: no column {name!r}; available columns: {available}") from None

    label = index(y) if y is not None else len(header) - 1
    if isinstance(x, str):
        x = [p for p in x.split(",")]
    if x is not None:
        names = [str(c).strip() for c in x]
        if not names:
            raise DataError(f"{fname}: no feature columns given; available columns: {available}")
        idx = [index(c) for c in names]
        if len(set(idx)) != len(idx):
            raise DataError(f"{fname}: a feature column is listed twice: {', '.join(names)}")
        if label in idx:
            raise DataError(f"{fname}: column {header[label]!r} cannot be both a feature and the label")
        return idx, label
    numeric = [j for j in range(len(header)) if j != label and _is_numeric_column(rows, j)]
    if not numeric:
        raise DataError(
            f"{fname}: no numeric feature columns besides the label {header[label]!r}; available columns: {available}"
        )
    return numeric[:2], label


def _labels(fname: str, column: str, cells: list[tuple[int, str]]) -> tuple[np.ndarray, str, tuple[str, ...]]:
    """Turn label cells into (y, kind, class_names): text or few integers are classes, other numbers regression."""
    parsed = [_parse_float(c) for _, c in cells]
    n_numbers = sum(v is not None for v in parsed)
    if n_numbers * 2 > len(cells):  # a numeric column: every cell must be a finite number
        values = np.array([_number(fname, line, column, c) for line, c in cells], dtype=np.float64)
        distinct = np.unique(values)
        if np.all(distinct == np.round(distinct)) and distinct.size <= MAX_INT_CLASSES:
            class_names = tuple(str(int(v)) for v in distinct)
            y = np.searchsorted(distinct, values).astype(np.int64)
        else:
            return values, "regression", ()
    else:
        texts = [c.strip() for _, c in cells]
        class_names = tuple(sorted(set(texts)))
        lookup = {name: i for i, name in enumerate(class_names)}
        y = np.array([lookup[t] for t in texts], dtype=np.int64)
    if len(class_names) < 2:
        raise DataError(
            f"{fname}: column {column!r} has only one class ({class_names[0]!r}); a classifier needs at least 2"
        )
    return y, ("binary" if len(class_names) == 2 else "multiclass"), class_names


def standardize_features(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale each feature row to mean 0 and std 1 (std 0 treated as 1); returns (X_std, mean, std) as m×1."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=1, keepdims=True)
    std = X.std(axis=1, keepdims=True)
    std[std == 0] = 1.0
    return (X - mean) / std, mean, std


def load_csv(
    path: str | Path,
    x: Sequence[str] | str | None = None,
    y: str | None = None,
    *,
    standardize: bool = True,
) -> Dataset:
    """Load a headed CSV as a Dataset (features x, label y), dropping rows with missing values."""
    path = Path(path)
    fname = path.name
    header, rows = _read_rows(path)
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise DataError(f"{fname} line 1: column name {dup!r} appears more than once")
    if any(not h for h in header):
        raise DataError(f"{fname} line 1: every column needs a name in the header row")
    if not rows:
        raise DataError(f"{fname} has a header row but no data rows")
    width = len(header)
    for line, row in rows:
        if len(row) != width:
            raise DataError(f"{fname} line {line}: expected {width} columns (as in the header), found {len(row)}")

    feat_idx, label_idx = _resolve_columns(fname, header, rows, x, y)
    chosen = feat_idx + [label_idx]
    features: list[list[float]] = []
    label_cells: list[tuple[int, str]] = []
    dropped = 0
    for line, row in rows:
        if any(_is_missing(row[j]) for j in chosen):
            dropped += 1
            continue
        features.append([_number(fname, line, header[j], row[j]) for j in feat_idx])
        label_cells.append((line, row[label_idx]))
    if not features:
        cols = ", ".join(header[j] for j in chosen)
        raise DataError(f"{fname}: no usable rows; all {len(rows)} rows have missing values in {cols}")

    yv, kind, class_names = _labels(fname, header[label_idx], label_cells)
    X = np.array(features, dtype=np.float64).T
    x_mean = x_std = None
    if standardize:
        X, x_mean, x_std = standardize_features(X)
    feature_names = tuple(header[j] for j in feat_idx)
    what = f"{len(class_names)} classes" if class_names else "regression"
    desc = f"{fname}: {X.shape[1]} rows, features {', '.join(feature_names)}; label {header[label_idx]} ({what})"
    if dropped:
        desc += f"; {dropped} row{'s' if dropped != 1 else ''} with missing values dropped"
    return Dataset(
        name=path.stem,
        X=X,
        y=yv,
        kind=kind,
        class_names=class_names,
        description=desc,
        feature_names=feature_names,
        x_mean=x_mean,
        x_std=x_std,
        source=str(path),
        dropped=dropped,
    )



def _package_dir() -> Path:
    """The annplay package directory, found without importing annplay/__init__."""
    return Path(__file__).resolve().parents[1]


def shipped_data_dir() -> Path:
    """Folder holding the shipped CSVs: annplay/_data in a wheel, else the repo's datasets/."""
    candidates = [_package_dir() / "_data", Path(__file__).resolve().parents[2] / "datasets"]
    for c in candidates:
        if c.is_dir():
            return c
    raise FileNotFoundError("shipped data folder not found; looked in " + ", ".join(str(c) for c in candidates))


def shipped_csv(name: str) -> Path:
    """Path of a shipped CSV by name ('iris' or 'iris.csv')."""
    folder = shipped_data_dir()
    fname = name if name.endswith(".csv") else f"{name}.csv"
    path = folder / fname
    if not path.is_file():
        available = ", ".join(sorted(p.name for p in folder.glob("*.csv"))) or "none"
        raise ValueError(f"no shipped data file {fname!r}; available: {available}")
    return path


def read_columns(path: str | Path, columns: Sequence[str]) -> np.ndarray:
    """The named numeric columns of a CSV as an m×n array (raw, not standardised), e.g. for prediction.

    Rows with a missing value are errors here: a prediction for every row is asked for.
    """
    path = Path(path)
    header, rows = _read_rows(path)
    fname = path.name
    available = ", ".join(header)
    idx = []
    for name in columns:
        if name not in header:
            raise DataError(f"{fname}: no column {name!r} (the model needs {', '.join(columns)}); "
                            f"available columns: {available}")
        idx.append(header.index(name))
    if not rows:
        raise DataError(f"{fname} has a header but no data rows")
    X = np.empty((len(idx), len(rows)), dtype=np.float64)
    for j, (line, row) in enumerate(rows):
        if len(row) != len(header):
            raise DataError(f"{fname} line {line}: expected {len(header)} columns like the header, found {len(row)}")
        for i, k in enumerate(idx):
            X[i, j] = _number(fname, line, header[k], row[k])
    return X
