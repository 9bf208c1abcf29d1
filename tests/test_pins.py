"""Pinned runs: kept under $XDG_DATA_HOME, read back equal, cleared, a damaged file named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from annplay.core.pins import Pin, add_pin, clear_pins, differences, load_pins, pin_of, pins_path
from annplay.core.session import Session
from annplay.engine.settings import SETTINGS
from annplay.engine.setup import Setup


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    return tmp_path


def trained_pin(**changes: object) -> Pin:
    session = Session(Setup(dataset="xor", hidden=(4,), points=60, **changes))
    for _ in range(3):
        session.step(2)
        session.snapshot(changed_only=False)           # records the curves, as the app's frames do
    return pin_of(session)


def test_pins_live_under_xdg_data_home(data_home: Path) -> None:
    assert pins_path() == data_home / "annplay" / "pins.json"


def test_a_pin_survives_a_restart_and_can_be_cleared(data_home: Path) -> None:
    pin = trained_pin(lr=0.1)
    assert pin.epochs == 6 and len(pin.curves[0]) == 64 and pin.best["test_loss"] <= pin.curves[1][0]
    add_pin(pin)
    add_pin(trained_pin(lr=0.3))
    pins, problem = load_pins()
    assert problem == "" and [p.setup.lr for p in pins] == [0.1, 0.3]
    assert pins[0].setup == pin.setup and pins[0].curves == pin.curves and pins[0].final == pin.final
    clear_pins()
    assert load_pins() == ([], "")


def test_a_damaged_file_is_one_line_and_no_pins(data_home: Path) -> None:
    path = pins_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    pins, problem = load_pins()
    assert pins == [] and str(path) in problem and "\n" not in problem
    add_pin(trained_pin())                                  # a new pin replaces the damaged file
    assert len(load_pins()[0]) == 1


def test_differences_name_both_values() -> None:
    assert differences(Setup(lr=0.3), Setup(lr=0.03)) == [f"{SETTINGS['lr'].label} 0.3 (live 0.03)"]
    assert differences(Setup(), Setup()) == []
