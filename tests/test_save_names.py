"""``train --save`` refuses a name that ends in .json, .toml or .csv to a person, trailing spaces or dots included
('x.csv ' was saved as a zip beside the data), and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from annplay.cli import main


@pytest.mark.parametrize("name, suffix", [("x.csv ", ".csv"), ("x.csv.", ".csv"), ("x.JSON. ", ".JSON"),
                                          ("x.toml..", ".toml")])
def test_a_data_name_with_a_trailing_space_or_dot_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str], name: str,
                                                             suffix: str) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["train", "--dataset", "xor", "--epochs", "2", "--save", name])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"a name ending in {suffix} is for" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_plain_npz_name_still_saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "xor", "--epochs", "2", "--save", "m.npz", "--json"]) == 0
    assert (tmp_path / "m.npz").is_file()
