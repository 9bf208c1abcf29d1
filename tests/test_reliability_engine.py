"""Issue 19 reliability findings owned by the engine: nested TOML (3.1), huge integers (3.3), float32 infinity
(3.6) and input accepted without comment (3.9).  Each case would crash, or pass silently, on the code before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from annplay.cli import main
from annplay.core.weightfiles import export_json, export_npz, set_weight
from annplay.engine.network import MLP
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.engine.setupfile import check_replaceable, read_setup_file, write_setup

NESTED = "[setup]\nhidden = " + "[" * 5000 + "]" * 5000 + "\n"
HUGE = "1" * 5000


def _one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err and "RecursionError" not in err, err[:500]
    return err


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    path = tmp_path / "deep.toml"
    path.write_text(NESTED, encoding="utf-8")
    return path


def test_a_deeply_nested_setup_file_is_one_line(nested: Path) -> None:
    with pytest.raises(ValueError, match="nested too deeply") as info:
        read_setup_file(nested)
    assert str(info.value).startswith(str(nested)) and "\n" not in str(info.value)


@pytest.mark.parametrize("command", [["train", "--epochs", "1", "--setup"], ["sweep", "--setup"]])
def test_train_and_sweep_refuse_a_nested_setup_with_exit_2(capsys, nested: Path, command: list[str]) -> None:
    argv = [*command, str(nested)] if command[0] == "train" else ["sweep", "--setup", str(nested), "--lr", "0.1,0.3"]
    assert "nested too deeply" in _one_line_exit_2(capsys, argv)


def test_saving_a_setup_onto_a_nested_file_is_refused_in_one_line(capsys, nested: Path) -> None:
    err = _one_line_exit_2(capsys, ["train", "--epochs", "1", "--points", "20", "--save-setup", str(nested)])
    assert "is not an annplay set-up" in err
    with pytest.raises(ValueError, match="is not an annplay set-up"):     # the app's `a` goes through this
        write_setup(nested, Setup(), what="save")
    assert nested.read_text(encoding="utf-8") == NESTED


def test_play_refuses_a_nested_setup_with_exit_2(nested: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "annplay", "play", str(nested)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "nested" in proc.stderr, proc.stderr[:300]


def test_a_huge_seed_in_a_setup_file_names_the_file_line_and_setting(tmp_path: Path) -> None:
    path = tmp_path / "seed.toml"
    path.write_text(f'[setup]\ndataset = "xor"\nseed = {HUGE}\n', encoding="utf-8")
    with pytest.raises(ValueError) as info:
        read_setup_file(path)
    assert str(info.value) == f"{path}:3: seed: a number with more than 4300 digits"
    check_replaceable(tmp_path / "absent.toml")
    with pytest.raises(ValueError, match="not an annplay set-up"):
        check_replaceable(path)


def test_a_huge_integer_in_a_json_model_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    data = MLP([2, 1], "tanh", seed=0).to_dict()
    path.write_text(json.dumps(data).replace('"version": 1', f'"version": {HUGE}'), encoding="utf-8")
    with pytest.raises(ValueError, match=r"m\.json:1: version: a number with more than 4300 digits"):
        MLP.load_json(path)


def test_huge_numbers_on_the_command_line_are_short_errors() -> None:
    with pytest.raises(SettingError, match="got a number 5,000 characters long"):
        SETTINGS["seed"].parse(HUGE)


@pytest.mark.parametrize("text", ["1e308", "-1e39", "3.5e38"])
def test_the_weight_editor_refuses_values_a_float32_network_cannot_hold(text: str) -> None:
    net = MLP([2, 2, 1], "tanh", seed=0, dtype=np.float32)
    before = net.get_flat().copy()
    with pytest.raises(ValueError, match="too large for float32"):
        set_weight(net, 0, 0, 0, text=text)
    np.testing.assert_array_equal(net.get_flat(), before)
    float64 = MLP([2, 2, 1], "tanh", seed=0)
    assert set_weight(float64, 0, 0, 0, text=text).value == float(text)


def test_a_network_with_infinite_weights_is_never_saved_or_exported(tmp_path: Path) -> None:
    net = MLP([2, 2, 1], "tanh", seed=0, dtype=np.float32)
    net._flat[0] = np.inf
    for export, name in ((export_npz, "w.npz"), (export_json, "w.json")):
        with pytest.raises(ValueError, match="W1 holds values that are not finite"):
            export(net, tmp_path / name)
        assert not (tmp_path / name).exists()
    with pytest.raises(ValueError, match="not finite"):
        net.save(tmp_path / "m.npz")


@pytest.mark.parametrize("argv,words", [
    (["--lr", "1_0"], "--lr"), (["--lr", "１"], "--lr"), (["--seed", "٣"], "--seed"),
    (["--layers", "８"], "--layers"), (["--batch-size", "1_0"], "--batch-size"),
])
def test_numbers_in_other_spellings_are_refused(capsys, argv: list[str], words: str) -> None:
    assert words in _one_line_exit_2(capsys, ["train", "--epochs", "1", *argv])


def test_predict_refuses_full_width_digits_in_point(capsys, tmp_path: Path) -> None:
    model = MLP([2, 3, 1], "tanh", seed=0).save(tmp_path / "m.npz")
    assert main(["predict", str(model), "--point", "0.5,0.25"]) == 0
    capsys.readouterr()
    for point in ("１,2", "1_0,2", "0.5,nan"):
        assert "--point needs 2 numbers" in _one_line_exit_2(capsys, ["predict", str(model), "--point", point])


def test_layers_help_says_how_to_ask_for_no_hidden_layer() -> None:
    assert "'none' for no hidden layer" in SETTINGS["hidden"].help
    assert SETTINGS["hidden"].parse("none") == ()


def test_long_numeric_class_labels_are_shortened_in_the_note(capsys, tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    big = "9" * 300
    path.write_text("a,b,label\n" + "".join(f"{i % 7},{i % 5},{big if i % 2 else '1'}\n" for i in range(40)),
                    encoding="utf-8")
    assert main(["train", "--data", str(path), "--epochs", "1"]) == 0
    err = capsys.readouterr().err
    note = next(line for line in err.splitlines() if line.startswith("note: the label"))
    assert big not in note and len(note) < 200
