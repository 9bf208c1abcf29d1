"""predict on a JSON file that is not a weight export says what is wrong with it as JSON, not 'not an .npz'."""

from __future__ import annotations

from pathlib import Path

import pytest

from annplay.cli import main


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("list.json", "[1, 2]", "no format 'annplay-mlp'"),
    ("broken.json", "hello", "not valid JSON"),
    ("list-no-suffix", "\n  [1, 2]", "no format 'annplay-mlp'"),
])
def test_json_that_is_no_model_is_named_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                name: str, text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert main(["predict", str(path), "--point", "1,2"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "zip" not in err
    assert len(err.strip().splitlines()) == 1
