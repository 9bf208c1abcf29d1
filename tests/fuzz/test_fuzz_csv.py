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
