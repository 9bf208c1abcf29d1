"""Fuzzing the CSV loader: any bytes either load into a consistent Dataset or give a one-line DataError."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from annplay.engine.csvdata import DataError, load_csv, read_columns

from .conftest import fuzz

CELLS = st.one_of(
    st.sampled_from(["1", "-2.5", "3e2", "0", "NA", "", " nan ", "inf", "-inf", "1e999", "x", "y", "[/x]",
                     "\x1b]0;pwned\x07", '"q"', "a,b", "1_0", "０", "\u202e", "N/A", "\x00"]),
    st.text(max_size=6),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 5).map(str),
)


def csv_text(rows: list[list[str]]) -> str:
    out = []
    for row in rows:
        out.append(",".join(f'"{c}"' if ("," in c or '"' in c) and not c.startswith('"') else c for c in row))
    return "\n".join(out) + "\n"


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    width = draw(st.integers(1, 5))
    header = draw(st.lists(st.sampled_from(["a", "b", "c", "label", "", "a ", "x\x1b"]), min_size=width,
                           max_size=width))
    rows = draw(st.lists(st.lists(CELLS, min_size=max(width - 1, 0), max_size=width + 1), max_size=25))
    text = csv_text([header, *rows])
    data = text.encode("utf-8", "surrogatepass")
    mangle = draw(st.sampled_from(["none", "bom", "crlf", "truncate", "latin1", "blank_lines"]))
    if mangle == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mangle == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif mangle == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif mangle == "latin1":
        data = data + "é".encode("latin-1")
    elif mangle == "blank_lines":
        data = b"\n\n" + data.replace(b"\n", b"\n\n")
    return data


def check_dataset(ds) -> None:
    """Invariants of any Dataset the loader returns."""
    assert ds.X.ndim == 2 and ds.X.shape[1] == ds.y.shape[0] >= 1
    assert np.isfinite(ds.X).all()
    assert len(ds.feature_names) == ds.X.shape[0]
    if ds.kind == "regression":
        assert np.isfinite(ds.y).all() and ds.class_names == ()
    else:
        assert len(ds.class_names) >= 2 and ds.y.min() >= 0 and ds.y.max() < len(ds.class_names)


def one_line_error(exc: DataError, name: str) -> None:
    message = str(exc)
    assert message and "\n" not in message and "Traceback" not in message
    assert name in message or message.startswith("points")


@fuzz
@given(csv_files(), st.booleans(), st.one_of(st.none(), st.integers(1, 10)))
def test_any_csv_loads_or_fails_cleanly(data: bytes, standardize: bool, points: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        try:
            ds = load_csv(path, standardize=standardize, points=points)
        except DataError as exc:
            one_line_error(exc, "fuzz.csv")
        else:
            check_dataset(ds)
            assert points is None or ds.n <= points


@fuzz
@given(csv_files(), st.lists(st.sampled_from(["a", "b", "c", "label", "zz"]), min_size=1, max_size=3, unique=True))
def test_read_columns_loads_or_fails_cleanly(data: bytes, columns: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        try:
            X = read_columns(path, columns)
        except DataError as exc:
            one_line_error(exc, "fuzz.csv")
        else:
            assert X.shape[0] == len(columns) and np.isfinite(X).all()


@fuzz
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        try:
            check_dataset(load_csv(path))
        except DataError as exc:
            one_line_error(exc, "fuzz.csv")


# ---- differential: the streamed loader against a plain, whole-file reading of the same rules -------------

MISSING = {"", "na", "nan", "n/a"}


def number(cell: str) -> float | None:
    try:
        return float(cell.strip())
    except ValueError:
        return None


def reference(text: str, x: list[str] | None) -> tuple | None:
    """(X rows, y, class_names, dropped), or None where the file must be refused. No chunks, no NumPy parsing."""
    import csv
    import io
    import math
    rows = [r for r in csv.reader(io.StringIO(text)) if r and not (len(r) == 1 and not r[0].strip())]
    header = [c.strip() for c in rows[0]]
    data = rows[1:]
    if len(set(header)) != len(header) or not all(header) or not data or any(len(r) != len(header) for r in data):
        return None
    label = len(header) - 1

    def is_numeric(j: int) -> bool:
        present = [r[j] for r in data if r[j].strip().lower() not in MISSING]
        return bool(present) and 2 * sum(number(c) is not None for c in present) > len(present)

    if x is None:
        feats = [j for j in range(len(header)) if j != label and is_numeric(j)][:2]
    else:
        if any(c not in header for c in x) or header[label] in x:
            return None
        feats = [header.index(c) for c in x]
    if not feats:
        return None
    kept = [r for r in data if all(r[j].strip().lower() not in MISSING for j in [*feats, label])]
    X = []
    for r in kept:
        values = [number(r[j]) for j in feats]
        if any(v is None or not math.isfinite(v) for v in values):
            return None
        X.append(values)
    if not kept:
        return None
    cells = [r[label] for r in kept]
    parsed = [number(c) for c in cells]
    if 2 * sum(v is not None for v in parsed) > len(cells):
        if any(v is None or not math.isfinite(v) for v in parsed):
            return None
        distinct = sorted(set(parsed))
        if len(distinct) <= 10 and all(v == round(v) for v in distinct):
            names = tuple(str(int(v)) for v in distinct)
            y = [distinct.index(v) for v in parsed]
        else:
            return X, parsed, (), len(data) - len(kept)
    else:
        names = tuple(sorted({c.strip() for c in cells}))
        y = [names.index(c.strip()) for c in cells]
    if len(names) < 2:
        return None
    return X, y, names, len(data) - len(kept)


@st.composite
def regular_csv(draw: st.DrawFn) -> tuple[str, list[str] | None]:
    width = draw(st.integers(2, 4))
    header = ["a", "b", "c", "label"][-width:]
    pool = draw(st.sampled_from([["1", "2", "-3.5", "0", "4e1"], ["1", "2", "NA", "", "x", "y"],
                                 ["0", "1", "2", " nan ", "inf", "z"], ["1.5", "2.5", "N/A", "7", "8"]]))
    rows = draw(st.lists(st.lists(st.sampled_from(pool), min_size=width, max_size=width), min_size=1, max_size=40))
    x = draw(st.sampled_from([None, header[:1], header[:-1]]))
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n", x


@fuzz
@given(regular_csv(), st.integers(1, 6))
def test_streamed_loader_matches_a_whole_file_reading(case: tuple[str, list[str] | None], chunk: int) -> None:
    import annplay.engine.csvdata as csvdata
    text, x = case
    want = reference(text, x)
    saved = csvdata.CHUNK_ROWS
    csvdata.CHUNK_ROWS = chunk if x is not None else saved     # auto columns look at the first chunk only
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "f.csv"
            path.write_text(text, encoding="utf-8")
            try:
                ds = load_csv(path, x=x, standardize=False)
            except DataError:
                assert want is None, f"refused, but a plain reading gives {want}"
                return
    finally:
        csvdata.CHUNK_ROWS = saved
    assert want is not None, f"loaded {ds.description}, but a plain reading refuses it"
    X, y, names, dropped = want
    assert ds.X.T.tolist() == X and ds.y.tolist() == y and ds.class_names == names and ds.dropped == dropped
