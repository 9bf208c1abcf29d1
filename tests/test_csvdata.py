"""Tests for the CSV loader: shipped files, label typing, missing values and line-numbered errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from annplay.engine.csvdata import DataError, load_csv, shipped_csv, shipped_data_dir, standardize_features


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
