"""The hostile-files corpus (tests/data/hostile/, made by tests/data/make_hostile.py): each file gives its error."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from annplay.core.textsafe import markup_safe, plain
from annplay.engine import MLP
from annplay.engine.csvdata import load_csv

DATA = Path(__file__).resolve().parent / "data"
FOLDER = DATA / "hostile"
EXPECTED: dict[str, dict[str, str]] = json.loads((FOLDER / "EXPECTED.json").read_text(encoding="utf-8"))


def load(name: str, loader: str) -> Any:
    path = FOLDER / name
    if loader == "model":
        return MLP.load(path)
    if loader == "json":
        return MLP.load_json(path)
    return load_csv(path)


def test_corpus_is_generated_and_up_to_date(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_hostile", DATA / "make_hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.generate(tmp_path / "hostile")
    assert fresh == EXPECTED
    committed = sorted(p.name for p in FOLDER.iterdir())
    assert committed == sorted(p.name for p in (tmp_path / "hostile").iterdir())
    for name in committed:
        assert (FOLDER / name).read_bytes() == (tmp_path / "hostile" / name).read_bytes(), name
    assert len(EXPECTED) >= 70


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_gives_its_error(name: str) -> None:
    want = EXPECTED[name]
    if want["error"] == "ok":
        loaded = load(name, want["loader"])
        names = getattr(loaded, "class_names", None) or loaded.meta.get("class_names", [])
        names = [*names, *getattr(loaded, "feature_names", ())]
        for text in names:                               # what a screen would show: no raw terminal controls
            assert "\x1b" not in plain(text) and "\x07" not in plain(text)
            assert "\x1b" not in markup_safe(text)
        return
    with pytest.raises(ValueError) as info:
        load(name, want["loader"])
    message = str(info.value)
    assert want["error"] in message
    assert "\n" not in message and len(message) < 400
    assert name in message                              # names the file
