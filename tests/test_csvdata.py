"""Tests for the CSV loader: shipped files, label typing, missing values and line-numbered errors."""

from __future__ import annotations

import csv as _csv
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import annplay.engine.csvcells as csvcells
import annplay.engine.csvdata as csvdata
from annplay.engine.csvdata import (
    DataError,
    load_csv,
    read_columns,
    shipped_csv,
    shipped_data_dir,
    standardize_features,
)


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- shipped files -----------------------------------------------------------------------------

def test_shipped_dir_and_files() -> None:
    folder = shipped_data_dir()
    assert (folder / "iris.csv").is_file() and (folder / "penguins.csv").is_file()
    assert shipped_csv("iris") == folder / "iris.csv"
    assert shipped_csv("penguins.csv") == folder / "penguins.csv"
    with pytest.raises(ValueError, match="iris.csv"):
        shipped_csv("titanic")


def test_iris_defaults() -> None:
    ds = load_csv(shipped_csv("iris"))
    assert ds.n == 150 and ds.dropped == 0
    assert ds.kind == "multiclass" and ds.n_classes == 3
    assert ds.class_names == ("setosa", "versicolor", "virginica")
    assert np.bincount(ds.y).tolist() == [50, 50, 50]
    assert ds.feature_names == ("sepal_length", "sepal_width")
    assert ds.name == "iris" and ds.source is not None and ds.source.endswith("iris.csv")
    # first row 5.1, 3.5 reproduced from the recorded standardisation
    raw = ds.X[:, 0:1] * ds.x_std + ds.x_mean
    assert raw.ravel().tolist() == pytest.approx([5.1, 3.5])
    assert ds.x_mean.ravel().tolist() == pytest.approx([5.843333, 3.057333], abs=1e-5)


def test_penguins_drops_na_rows() -> None:
    ds = load_csv(shipped_csv("penguins"), x=["bill_length_mm", "bill_depth_mm"], y="species")
    assert ds.n == 342 and ds.dropped == 2
    assert ds.class_names == ("Adelie", "Chinstrap", "Gentoo")
    assert np.bincount(ds.y).tolist() == [151, 68, 123]
    assert "2 rows" in ds.description


def test_penguins_sex_column_drops_more() -> None:
    ds = load_csv(shipped_csv("penguins"), x=["bill_length_mm", "body_mass_g"], y="sex")
    assert ds.kind == "binary" and ds.class_names == ("female", "male")
    assert ds.dropped == 11 and ds.n == 333


def test_penguins_default_columns() -> None:
    # label defaults to the last column (year: 3 integer values -> classes); features to the first two numeric ones
    ds = load_csv(shipped_csv("penguins"))
    assert ds.feature_names == ("bill_length_mm", "bill_depth_mm")
    assert ds.class_names == ("2007", "2008", "2009")
    assert ds.dropped == 2


def test_x_as_comma_string() -> None:
    ds = load_csv(shipped_csv("iris"), x="petal_length,petal_width", y="species")
    assert ds.feature_names == ("petal_length", "petal_width")


# ---- label typing ------------------------------------------------------------------------------

def test_string_labels_sorted(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,kind\n1,2,yes\n3,4,no\n5,6,yes\n")
    ds = load_csv(path)
    assert ds.kind == "binary" and ds.class_names == ("no", "yes")
    assert ds.y.tolist() == [1, 0, 1]
    assert ds.targets().tolist() == [[1.0, 0.0, 1.0]]


def test_integer_labels_are_classes(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c\n1,2,10\n3,4,2\n5,6,10\n7,8,3\n")
    ds = load_csv(path)
    assert ds.kind == "multiclass" and ds.class_names == ("2", "3", "10")
    assert ds.y.tolist() == [2, 0, 2, 1]


def test_many_integers_or_floats_are_regression(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{i * 2},{i}" for i in range(11))
    ds = load_csv(write(tmp_path, "a,b,c\n" + rows + "\n"))
    assert ds.kind == "regression" and ds.class_names == ()
    assert ds.y.dtype == np.float64 and ds.y.tolist() == list(range(11))
    ds2 = load_csv(write(tmp_path, "a,b,c\n1,2,0.5\n3,4,1.5\n", "f.csv"))
    assert ds2.kind == "regression" and ds2.y.tolist() == [0.5, 1.5]


def test_only_one_class_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,label\n1,2,cat\n3,4,cat\n")
    with pytest.raises(DataError, match="only one class.*'cat'"):
        load_csv(path)


# ---- columns -----------------------------------------------------------------------------------

def test_default_columns_skip_text_and_label(tmp_path: Path) -> None:
    path = write(tmp_path, "name,h,w,d,label\nA,1,2,3,x\nB,4,5,6,y\n")
    ds = load_csv(path)
    assert ds.feature_names == ("h", "w")
    ds = load_csv(path, y="h")
    assert ds.feature_names == ("w", "d")


def test_unknown_column_lists_available(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,label\n1,2,x\n3,4,y\n")
    with pytest.raises(DataError, match="no column 'c'.*available columns: a, b, label"):
        load_csv(path, x=["a", "c"])
    with pytest.raises(DataError, match="no column 'kind'"):
        load_csv(path, y="kind")


def test_feature_equal_to_label_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,label\n1,2,3\n3,4,5\n")
    with pytest.raises(DataError, match="both a feature and the label"):
        load_csv(path, x=["a", "label"], y="label")


def test_no_numeric_feature_column(tmp_path: Path) -> None:
    path = write(tmp_path, "name,label\nx,a\ny,b\n")
    with pytest.raises(DataError, match="no numeric feature columns"):
        load_csv(path)


def test_single_numeric_feature(tmp_path: Path) -> None:
    ds = load_csv(write(tmp_path, "a,label\n1,x\n2,y\n3,x\n"))
    assert ds.X.shape == (1, 3) and ds.feature_names == ("a",)


# ---- broken files ------------------------------------------------------------------------------

def test_text_in_numeric_column_names_line_and_column(tmp_path: Path) -> None:
    text = "bill_length_mm,bill_depth_mm,species\n" + "39.1,18.7,Adelie\n" * 10 + "abc,17.0,Adelie\n"
    path = write(tmp_path, text, "penguins.csv")
    with pytest.raises(DataError) as exc:
        load_csv(path)
    assert str(exc.value) == "penguins.csv line 12, column 'bill_length_mm': 'abc' is not a number"


def test_text_in_explicit_column(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,label\n1,2,x\n3,oops,y\n")
    with pytest.raises(DataError, match=r"data.csv line 3, column 'b': 'oops' is not a number"):
        load_csv(path, x=["a", "b"])


def test_text_in_numeric_label_column(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,v\n1,2,0.5\n3,4,1.5\n5,6,2.5\n7,8,bad\n")
    with pytest.raises(DataError, match="line 5, column 'v': 'bad' is not a number"):
        load_csv(path)


def test_non_finite_number(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,label\n1,2,x\ninf,4,y\n")
    with pytest.raises(DataError, match="line 3, column 'a': 'inf' is not a finite number"):
        load_csv(path)


def test_ragged_row(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,label\n1,2,x\n3,4\n5,6,y\n")
    with pytest.raises(DataError, match="data.csv line 3: expected 3 columns.*found 2"):
        load_csv(path)
    path = write(tmp_path, "a,b,label\n1,2,x\n3,4,y,extra\n", "long.csv")
    with pytest.raises(DataError, match="long.csv line 3: expected 3 columns.*found 4"):
        load_csv(path)


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,label\n1,2,x\n\n3,zz,y\n")
    with pytest.raises(DataError, match="line 4, column 'b'"):
        load_csv(path, x=["a", "b"])


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="empty.*header"):
        load_csv(write(tmp_path, ""))
    with pytest.raises(DataError, match="empty"):
        load_csv(write(tmp_path, "\n\n", "blank.csv"))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="header row but no data rows"):
        load_csv(write(tmp_path, "a,b,label\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load_csv(tmp_path / "nope.csv")


def test_duplicate_header(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="'a' appears more than once"):
        load_csv(write(tmp_path, "a,a,label\n1,2,x\n"))


def test_data_error_is_value_error() -> None:
    assert issubclass(DataError, ValueError)


# ---- missing values ----------------------------------------------------------------------------

def test_missing_values_dropped_and_counted(tmp_path: Path) -> None:
    text = "a,b,c,label\n1,2,NA,x\nNA,3,1,y\n4,,1,x\n5,NaN,1,y\n6,7,1,\n8,9,N/A,y\n10,11,1,x\n"
    path = write(tmp_path, text)
    ds = load_csv(path, x=["a", "b"], standardize=False)
    # rows 3, 4, 5 (a or b missing) and 6 (label missing) dropped; NA in unused column c is fine
    assert ds.dropped == 4
    assert ds.X.tolist() == [[1.0, 8.0, 10.0], [2.0, 9.0, 11.0]]
    assert ds.class_names == ("x", "y") and ds.y.tolist() == [0, 1, 0]


def test_all_rows_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,label\nNA,1,x\n2,NA,y\n")
    with pytest.raises(DataError, match="no usable rows"):
        load_csv(path, x=["a", "b"])


# ---- standardisation ---------------------------------------------------------------------------

def test_standardisation_stats(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c,label\n1,10,5,x\n2,20,5,y\n3,30,5,x\n4,40,5,y\n")
    ds = load_csv(path, x=["a", "b", "c"])
    assert ds.x_mean.ravel().tolist() == pytest.approx([2.5, 25.0, 5.0])
    assert ds.x_std.ravel().tolist() == pytest.approx([np.std([1, 2, 3, 4]), np.std([10, 20, 30, 40]), 1.0])
    assert np.allclose(ds.X[:2].mean(axis=1), 0) and np.allclose(ds.X[:2].std(axis=1), 1)
    assert np.all(ds.X[2] == 0)  # constant column: std 0 treated as 1
    raw = np.array([[2.5], [35.0], [5.0]])
    assert ds.standardize_inputs(raw).ravel().tolist() == pytest.approx([0.0, 10 / np.std([10, 20, 30, 40]), 0.0])


def test_no_standardisation(tmp_path: Path) -> None:
    ds = load_csv(write(tmp_path, "a,b,label\n1,2,x\n3,4,y\n"), standardize=False)
    assert ds.X.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert ds.x_mean is None and ds.x_std is None


def test_standardize_features_helper() -> None:
    X = np.array([[1.0, 3.0], [7.0, 7.0]])
    Xs, mean, std = standardize_features(X)
    assert mean.shape == (2, 1) and std.tolist() == [[1.0], [1.0]]
    assert Xs.tolist() == [[-1.0, 1.0], [0.0, 0.0]]


def test_bom_and_whitespace_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffa, b ,label\n1, 2 ,x\n3,4, y\n".encode())
    ds = load_csv(path, x=["a", "b"], standardize=False)
    assert ds.feature_names == ("a", "b")
    assert ds.X.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert ds.class_names == ("x", "y")


# ---- issue 12: streamed loading, regular files only, seeded subsample ----------------------------

def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="FIFO"):
        load_csv(fifo)
    with pytest.raises(DataError, match="FIFO"):
        read_columns(fifo, ["a"])


def test_devices_and_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="character device"):
        load_csv("/dev/null")
    with pytest.raises(DataError, match="directory"):
        load_csv(tmp_path)


def big_text(rows: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    lines = ["a,b,label"]
    for i in range(rows):
        a = "NA" if i % 97 == 5 else f"{rng.normal():.4f}"
        lines.append(f"{a},{rng.normal():.4f},{'xyz'[i % 3]}")
    return "\n".join(lines) + "\n"


def test_small_chunks_give_the_same_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, big_text(500))
    whole = load_csv(path, standardize=False)
    monkeypatch.setattr(csvdata, "CHUNK_ROWS", 7)
    chunked = load_csv(path, standardize=False)
    assert chunked.X.tolist() == whole.X.tolist() and chunked.y.tolist() == whole.y.tolist()
    assert chunked.dropped == whole.dropped == 6 and whole.n == 494


def test_errors_name_the_right_line_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvdata, "CHUNK_ROWS", 4)
    text = "a,b,label\n" + "1,2,x\n" * 10 + "\n\n" + "3,4,y\n" * 5 + "5,oops,x\n"
    with pytest.raises(DataError, match=r"line 19, column 'b': 'oops' is not a number"):
        load_csv(write(tmp_path, text), x=["a", "b"])
    text = "a,b,label\n" + "1,2,x\n" * 9 + "1,2\n"
    with pytest.raises(DataError, match=r"line 11: expected 3 columns"):
        load_csv(write(tmp_path, text, "r.csv"))
    text = "a,b,v\n" + "1,2,0.5\n" * 9 + "1,2,bad\n" + "1,2,1.5\n"
    with pytest.raises(DataError, match=r"line 11, column 'v': 'bad' is not a number"):
        load_csv(write(tmp_path, text, "v.csv"))


def test_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    text = 'a,b,label\n1,2,"two\nlines"\n3,zz,y\n'
    with pytest.raises(DataError, match="line 4, column 'b'"):
        load_csv(write(tmp_path, text), x=["a", "b"])


def test_points_gives_a_seeded_subsample(tmp_path: Path) -> None:
    path = write(tmp_path, big_text(300))
    full = load_csv(path, standardize=False)
    a = load_csv(path, standardize=False, points=50, seed=3)
    b = load_csv(path, standardize=False, points=50, seed=3)
    c = load_csv(path, standardize=False, points=50, seed=4)
    assert a.n == 50 and a.X.tolist() == b.X.tolist() and a.X.tolist() != c.X.tolist()
    full_rows = {tuple(col) for col in full.X.T.tolist()}
    assert all(tuple(col) in full_rows for col in a.X.T.tolist())
    assert "sample of 50 of 296 rows (seed 3)" in a.description
    assert load_csv(path, points=10**6).n == full.n
    with pytest.raises(DataError, match="points must be a whole number"):
        load_csv(path, points=0)


def test_too_many_text_labels(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{i % 7},name{i}" for i in range(1200))
    with pytest.raises(DataError, match="over 1,000 different text labels"):
        load_csv(write(tmp_path, "a,b,label\n" + rows + "\n"))


def test_many_numeric_labels_are_regression(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{i % 7},{i * 0.5}" for i in range(3000))
    ds = load_csv(write(tmp_path, "a,b,v\n" + rows + "\n"))
    assert ds.kind == "regression" and ds.y[-1] == 1499.5


def test_missing_labels_are_not_classes(tmp_path: Path) -> None:
    ds = load_csv(write(tmp_path, "a,label\n1,x\n2,NA\n3,y\n4, \n"))
    assert ds.class_names == ("x", "y") and ds.dropped == 2


def test_read_columns_missing_value_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n1,2\n3,NA\n")
    with pytest.raises(DataError, match="line 3, column 'b': 'NA' is not a number"):
        read_columns(path, ["a", "b"])
    assert read_columns(write(tmp_path, "a,b\n1,2\n3,4\n", "ok.csv"), ["b"]).tolist() == [[2.0, 4.0]]


CELL = st.sampled_from(["1", "2.5", "-3", "NA", "", "x", "inf", "nan", " 4 ", "1e3", "y", "0", "1_0", "٣", "-.5",
                        "0.30000000000000004", "1e999", "-nan", "+7", "5."])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELL, CELL, CELL), min_size=1, max_size=30), st.integers(1, 5))
def test_chunk_size_never_changes_the_outcome(rows: list, chunk: int) -> None:
    """Any small CSV gives the same dataset, or the same error, whatever the chunk size."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        with path.open("w", newline="") as f:
            w = _csv.writer(f)
            w.writerow(["a", "b", "c"])
            w.writerows(rows)

        def outcome() -> object:
            try:
                ds = load_csv(path, x=["a", "b"], y="c", standardize=False)
            except DataError as exc:
                return str(exc)
            return (ds.X.tolist(), ds.y.tolist(), ds.class_names, ds.dropped)

        saved = csvdata.CHUNK_ROWS
        try:
            csvdata.CHUNK_ROWS = 1 << 15
            big = outcome()
            csvdata.CHUNK_ROWS = chunk
            assert outcome() == big
        finally:
            csvdata.CHUNK_ROWS = saved


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Peak Python/NumPy allocation while loading 120k rows stays near one chunk plus the result (item 17)."""
    import tracemalloc
    path = tmp_path / "big.csv"
    rng = np.random.default_rng(0)
    values = rng.normal(size=(120_000, 3)).round(5)
    with path.open("w") as f:
        f.write("a,b,c,name,label\n")
        f.writelines(f"{a},{b},{c},item{i},{'xyz'[i % 3]}\n" for i, (a, b, c) in enumerate(values))
    tracemalloc.start()
    try:
        ds = load_csv(path, x=["a", "b", "c"], y="label")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ds.n == 120_000
    result = ds.X.nbytes + ds.y.nbytes
    assert peak < 3 * result + 10 * 2**20, f"peak {peak / 2**20:.0f} MiB for a {result / 2**20:.0f} MiB result"


def test_labels_of_dropped_rows_are_not_classes(tmp_path: Path) -> None:
    ds = load_csv(write(tmp_path, "a,label\nNA,z\n1,x\n2,y\n,w\n"))
    assert ds.class_names == ("x", "y") and ds.y.tolist() == [0, 1] and ds.dropped == 2
    with pytest.raises(DataError, match="only one class"):
        load_csv(write(tmp_path, "a,label\nNA,z\n1,x\n2,x\n", "one.csv"))


def test_first_bad_label_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "a,v\n1,0.5\n2,inf\n3,1.5\n4,bad\n5,2.5\n")
    with pytest.raises(DataError, match="line 3, column 'v': 'inf' is not a finite number"):
        load_csv(path)


def test_a_line_over_the_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvdata, "MAX_LINE", 1000)
    path = write(tmp_path, "a,b,label\n1,2,x\n" + "1," * 800 + "\n")
    with pytest.raises(DataError, match=r"data.csv line 3: a line over 1,000 characters"):
        load_csv(path)


def test_wide_rows_make_short_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvdata, "CHUNK_CHARS", 200)
    header = ",".join(f"c{i}" for i in range(60)) + ",label"
    rows = "\n".join(",".join(str((i * j) % 7) for j in range(60)) + f",{'xy'[i % 2]}" for i in range(50))
    path = write(tmp_path, header + "\n" + rows + "\n")
    ds = load_csv(path, x=["c1", "c59"], standardize=False)
    assert ds.n == 50 and ds.X[1].tolist() == [(i * 59) % 7 for i in range(50)]


def test_a_very_wide_header_is_quick_and_its_messages_short(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(100_000))
    path = write(tmp_path, header + ",c5\n" + ",".join(["1"] * 100_001) + "\n")
    with pytest.raises(DataError, match="'c5' appears more than once"):
        load_csv(path)
    path = write(tmp_path, header + "\n" + ",".join(["1"] * 100_000) + "\n", "w.csv")
    with pytest.raises(DataError) as info:
        load_csv(path, x=["nope"])
    assert "99,970 more" in str(info.value) and len(str(info.value)) < 400


# ---- the fast path (quote-free blocks typed on their bytes) --------------------------------------

def _cells_as_bytes(cells: list[str]) -> tuple[csvcells.BlockText, np.ndarray, np.ndarray]:
    """One cell a line: (bytes, starts, ends), as a fast block hands them to ``_decimals``."""
    text = csvcells.BlockText(("\n".join(cells) + "\n").encode())
    ends = np.flatnonzero(text.raw == 10)
    return text, np.r_[0, ends[:-1] + 1], ends


def test_decimals_are_exactly_float_or_refused() -> None:
    """Every cell the byte parser accepts is bit-for-bit float(cell); the rest are left to float()."""
    rng = np.random.default_rng(7)
    numbers = rng.normal(size=3000) * 10.0 ** rng.integers(-9, 9, 3000)
    cells = [repr(float(v)) for v in numbers] + [f"{v:.{k}f}" for v, k in zip(numbers, rng.integers(0, 14, 3000))]
    odd = ["-0", "-0.0", ".5", "-.5", "5.", "007", "123456789012345", "12345678901234.5", "1234567890123456",
           "9007199254740993", "0.1", "0.3", "2.675", "1e5", "+1", " 4", "4 ", ".", "-", "", "1.2.3", "--1", "1-",
           "NA", "nan", "inf", "1_0", "٣", "0x10"]
    cells += odd
    raw, start, end = _cells_as_bytes(cells)
    values, ok = csvcells.decimals(raw, start, end)
    for cell, value, good in zip(cells, values.tolist(), ok.tolist(), strict=True):
        if good:
            expected = float(cell)
            assert value == expected and np.signbit(value) == np.signbit(expected), cell
    accepted = {c for c, good in zip(cells, ok.tolist(), strict=True) if good}
    assert {"-0", ".5", "-.5", "5.", "007", "123456789012345", "2.675"} <= accepted
    assert not accepted & {"1234567890123456", "1e5", "+1", " 4", "4 ", ".", "-", "", "1.2.3", "--1", "1-",
                           "NA", "nan", "inf", "1_0", "٣", "0x10"}
    assert ok[3000:6000].mean() > 0.8                                # the common forms go fast


NUMBER = st.one_of(st.floats(-1e6, 1e6).map(lambda v: f"{v:.3f}"), st.integers(-10**6, 10**6).map(str),
                   st.floats(allow_nan=False, allow_infinity=False).map(repr), CELL)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NUMBER, NUMBER, st.sampled_from(["x", "y", "é", "NA", "", " z ", "1", "2"])),
                min_size=2, max_size=40))
def test_fast_blocks_read_like_csv(rows: list) -> None:
    """A file read with its blocks on the fast path gives what csv alone gives: data, or the same error."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            _csv.writer(f).writerows([["a", "b", "c"], *rows])

        def outcome(fast: bool) -> object:
            saved, rows = csvdata._RowReader._regular, csvdata.CHUNK_ROWS
            try:
                csvdata.CHUNK_ROWS = 1
                if not fast:
                    csvdata._RowReader._regular = lambda self, data: None   # type: ignore[method-assign]
                ds = load_csv(path, x=["a", "b"], y="c", standardize=False)
            except DataError as exc:
                return str(exc)
            finally:
                csvdata._RowReader._regular = saved                        # type: ignore[method-assign]
                csvdata.CHUNK_ROWS = rows
            return (ds.X.tolist(), ds.y.tolist(), ds.class_names, ds.dropped, ds.kind)

        assert outcome(True) == outcome(False)


def test_big_files_take_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the first chunk, regular blocks are typed on bytes (a loader that lost its fast path trips this)."""
    calls = []
    real = csvcells.decimals
    monkeypatch.setattr(csvcells, "decimals", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(csvdata, "CHUNK_ROWS", 10)
    ds = load_csv(write(tmp_path, big_text(3000)), standardize=False)
    assert calls and ds.n == 3000 - 31 and ds.class_names == ("x", "y", "z")
    assert ds.X[1, :3].tolist() == [float(line.split(",")[1]) for line in big_text(3).splitlines()[1:]]


@pytest.mark.parametrize("labels", [["a", "bb", "ccc"], ["alpha", "beta"] * 3 + ["gamma-delta"],
                                    ["Iris-setosa", "Iris-versicolor", "Iris-virginica"], ["é", "ü", "x" * 8, "y" * 9]])
def test_fast_label_cells_of_any_length_read_like_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       labels: list[str]) -> None:
    """Labels up to 8 bytes are compared as words, longer ones as bytes; blocks that add a new label midway
    (the remembered cells of earlier blocks no longer cover them) read as csv alone reads them."""
    rng = np.random.default_rng(3)
    rows = [f"{rng.normal():.3f},{labels[min(i // 40, len(labels) - 1)] if i % 7 else labels[0]}" for i in range(400)]
    path = write(tmp_path, "a,label\n" + "\n".join(rows) + "\n")
    monkeypatch.setattr(csvdata, "CHUNK_ROWS", 10)
    monkeypatch.setattr(csvdata, "FAST_CHARS", 300)          # many small fast blocks
    fast = load_csv(path, standardize=False)
    monkeypatch.setattr(csvdata._RowReader, "_regular", lambda self, data: None)
    slow = load_csv(path, standardize=False)
    assert fast.class_names == slow.class_names == tuple(sorted(set(labels)))
    assert fast.y.tolist() == slow.y.tolist() and fast.X.tolist() == slow.X.tolist()


def test_decimals_of_cells_at_a_block_start_and_of_two_words() -> None:
    """Cells that start in the block's first bytes read the zeros in front of it; 9 to 15 characters take two
    words, with the dot in either, and stay bit-for-bit float()."""
    cells = ["7", "-1.5", "123456789.5", "1.23456789012", "-12345678.1234", "99999999", "999999999", ".000000000001"]
    text, start, end = _cells_as_bytes(cells)
    values, ok = csvcells.decimals(text, start, end)
    assert ok.all() and values.tolist() == [float(c) for c in cells]


def test_named_columns_leave_csv_after_a_short_first_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the columns named nothing is sniffed from the first rows: csv reads the header and NAMED_ROWS rows,
    the fast path the rest; with none named, csv reads a whole first chunk to pick the numeric columns."""
    lines: list[int] = []
    real = csvdata._RowReader._counted
    monkeypatch.setattr(csvdata._RowReader, "_counted", lambda self, line: lines.append(1) or real(self, line))
    path = write(tmp_path, big_text(5000))
    named = load_csv(path, x=["a", "b"], y="label", standardize=False)
    assert len(lines) <= csvdata.NAMED_ROWS + 1
    lines.clear()
    sniffed = load_csv(path, standardize=False)
    assert len(lines) >= 5000 or len(lines) >= csvdata.CHUNK_ROWS
    assert named.X.tolist() == sniffed.X.tolist() and named.y.tolist() == sniffed.y.tolist()
