"""Sweep and tune results (--json, --csv) replace only empty files or earlier annplay results: never the --data
file, never each other, never a file of another kind (a QA probe had `sweep --data x.csv --csv x.csv` destroy the
training data, and `tune --json` replace any file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annplay.core.results import check_result_targets
from annplay.core.sweep import sweep_csv, sweep_json

DATA = "x,y,label\n0,0,a\n1,1,b\n0,1,a\n1,0,b\n0.5,0.2,a\n0.2,0.7,b\n"


def test_earlier_results_and_empty_or_new_files_may_be_replaced(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_text(sweep_json([]))
    (tmp_path / "old.csv").write_text(sweep_csv([]))
    (tmp_path / "tune.json").write_text('{\n "format": "annplay-tune", "version": 1}\n')
    (tmp_path / "empty.csv").write_text("")
    check_result_targets((("--json", str(tmp_path / "old.json")), ("--csv", str(tmp_path / "old.csv"))))
    check_result_targets((("--json", str(tmp_path / "tune.json")), ("--csv", str(tmp_path / "empty.csv"))))
    check_result_targets((("--json", str(tmp_path / "new.json")), ("--csv", "-")))


@pytest.mark.parametrize("name, content, flag, words", [
    ("data.csv", DATA, "--csv", "is not an annplay sweep CSV result"),
    ("model.npz", "PK\x03\x04 not a result", "--json", "is not an annplay sweep or tune JSON result"),
    ("results.csv", None, "--json", "is not an annplay sweep or tune JSON result"),   # a CSV result is no JSON
    ("notes.json", '{"format": "something-else"}', "--json", "is not an annplay"),
])
def test_other_files_are_refused_by_name(tmp_path: Path, name: str, content: str | None, flag: str,
                                         words: str) -> None:
    target = tmp_path / name
    target.write_text(sweep_csv([]) if content is None else content)
    before = target.read_bytes()
    with pytest.raises(ValueError, match=words) as caught:
        check_result_targets(((flag, str(target)),))
    assert str(caught.value).startswith(f"{flag} {target}:") and "\n" not in str(caught.value)
    assert target.read_bytes() == before


def test_the_data_file_and_a_shared_name_are_refused(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text(DATA)
    with pytest.raises(ValueError, match="is the --data file"):
        check_result_targets((("--csv", str(data)),), data=str(data))
    out = tmp_path / "out.csv"
    with pytest.raises(ValueError, match="--json names the same file"):
        check_result_targets((("--json", str(out)), ("--csv", str(out))))


def test_sweep_onto_its_own_data_file_exits_2_and_keeps_the_data(tmp_path: Path) -> None:
    data = tmp_path / "precious.csv"
    data.write_text(DATA)
    proc = subprocess.run([sys.executable, "-m", "annplay", "sweep", "--data", "precious.csv", "--epochs", "3",
                           "--vary", "lr=0.1", "--csv", "precious.csv", "--jobs", "1"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env=dict(os.environ, COLUMNS="100"))
    assert proc.returncode == 2, proc.stderr
    assert "is the --data file" in proc.stderr and proc.stderr.count("\n") == 1
    assert data.read_text() == DATA
