"""Pins under a lock and never dropped silently (issue 19: 3.4 two apps pinning at once kept 29–31 of 40 pins;
3.5 a trailing comma or a newer annplay's setting made the next pin drop the others)."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from annplay.core.pins import Pin, load_pins, pin_run, pins_path
from annplay.engine.setup import Setup

PER_WRITER = 20


def small_pin(lr: float) -> Pin:
    return Pin(Setup(lr=lr), ((1.0, 0.5), (1.1, 0.6)), {"test_loss": 0.6, "train_loss": 0.5, "test_acc": None,
                                                        "train_acc": None}, {"test_loss": 0.6}, 2, 0.1)


def _writer(folder: str, first: int, start: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    os.environ["XDG_DATA_HOME"] = folder
    start.wait()
    for n in range(first, first + PER_WRITER):
        pin_run(small_pin(0.001 * (n + 1)))


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.skipif(os.name != "posix", reason="the lock is fcntl's")
def test_two_processes_pinning_at_once_lose_no_pin(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Event()
    writers = [context.Process(target=_writer, args=(str(tmp_path), k * PER_WRITER, start)) for k in range(2)]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join(120)
        assert writer.exitcode == 0
    pins, problem = load_pins()
    assert problem == "" and len(pins) == 2 * PER_WRITER
    assert sorted(round(p.setup.lr * 1000) for p in pins) == list(range(1, 2 * PER_WRITER + 1))


def test_a_damaged_file_is_kept_beside_and_said(data_home: Path) -> None:
    pin_run(small_pin(0.1))
    path = pins_path()
    text = path.read_text()
    broken = text.rstrip().rstrip("}").rstrip().rstrip("]") + ",]}"          # a trailing comma: not JSON
    path.write_text(broken)
    pins, note = pin_run(small_pin(0.2))
    assert [p.setup.lr for p in pins] == [0.2]
    assert "damaged-1" in note and "\n" not in note and str(path) in note
    assert (path.parent / "pins.json.damaged-1").read_text() == broken


def test_a_pin_this_version_cannot_read_is_kept_and_said(data_home: Path) -> None:
    pin_run(small_pin(0.1))
    path = pins_path()
    data = json.loads(path.read_text())
    future = dict(data["pins"][0])
    future["setup"] = {**future["setup"], "warp_drive": 9}                  # a newer annplay's setting
    data["pins"].append(future)
    path.write_text(json.dumps(data))
    pins, note = pin_run(small_pin(0.3))
    assert [p.setup.lr for p in pins] == [0.1, 0.3] and "pin 2" in note and "kept" in note
    stored = json.loads(path.read_text())["pins"]
    assert len(stored) == 3 and stored[1]["setup"]["warp_drive"] == 9
    assert load_pins()[1] != ""
