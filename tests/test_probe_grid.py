"""Findings of a new-user probe: empty share-code values, grids whose varied settings repeat runs, huge CSV values
and a damaged model's message (each test fails on the code before the fix)."""

from __future__ import annotations

import json
import math
import zipfile
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from annplay.cli import main
from annplay.core.search import Space
from annplay.core.sweep import distinct, expand, parse_vary
from annplay.core.tune import check_space
from annplay.engine import MLP
from annplay.engine.csvdata import load_csv, standardize_features
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.engine.sharecode import decode


@pytest.mark.parametrize("code", ["h", "n", "la", "tfs", "ep", "pat", "tl", "ta", "lr", "a"])
def test_an_empty_share_code_value_is_refused_not_read_as_none(code: str) -> None:
    """A code cut short (``h=``) must not become a net without hidden layers without a word."""
    with pytest.raises(SettingError, match="empty value"):
        decode(f"ap1:ds=xor;{code}=")


@pytest.mark.parametrize("name", [name for name, s in SETTINGS.items() if s.kind != "text"])
def test_every_setting_refuses_empty_text_and_names_what_is_allowed(name: str) -> None:
    with pytest.raises(SettingError) as caught:
        SETTINGS[name].parse("  ")
    assert caught.value.setting == name and "empty value" in caught.value.message


def test_a_setting_that_does_not_apply_to_a_combination_repeats_no_run() -> None:
    base = Setup(dataset="xor", epochs=5)
    setups = expand(base, {"trainer": ["ga", "backprop"], "lr": ["0.1", "0.2"]})
    kept, why = distinct(base, setups, ["trainer", "lr"])
    assert [(s.trainer, s.lr if s.trainer == "backprop" else None) for s in kept] == \
        [("ga", None), ("backprop", 0.1), ("backprop", 0.2)]
    assert set(why) == {"lr"} and "ga" in why["lr"]


def test_seeds_of_a_combination_are_never_merged() -> None:
    base = Setup(dataset="xor", epochs=5)
    setups = expand(base, {"trainer": ["ga", "es"], "lr": ["0.1", "0.2"]}, seeds=3)
    kept, _ = distinct(base, setups, ["trainer", "lr"])
    assert len(kept) == 6 and {(s.trainer, s.seed) for s in kept} == {(t, k) for t in ("ga", "es") for k in range(3)}


def test_the_sweep_says_which_runs_it_left_out_and_shows_no_value_that_did_nothing(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "--epochs", "3", "--points", "40", "--jobs", "1", "--vary", "trainer=ga,backprop",
                 "--vary", "lr=0.1,0.2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "1 of 4 runs left out" in err and "--lr applies to trainer backprop only" in err
    ga_rows = [line for line in out.splitlines() if " ga " in line]
    assert len(ga_rows) == 1 and "0.1" not in ga_rows[0].split("ga", 1)[1].split()[0]


@pytest.mark.parametrize("setting", ["show_test", "show_points", "discretize"])
def test_varying_a_play_only_setting_is_refused(setting: str) -> None:
    with pytest.raises(SettingError, match="only what the playground shows"):
        parse_vary(f"{setting}=on,off")
    with pytest.raises(SettingError, match="only what the playground shows"):
        check_space(Space.parse([f"{setting}=on|off"]))


@pytest.mark.parametrize(("search", "words"), [
    (["trainer=ga|es", "lr=0.01..1"], "lr does not apply to trainer ga or es"),
    (["trainer=ga|backprop", "population=10..50"], "population does not apply to trainer backprop"),
])
def test_a_search_whose_setting_some_trainers_ignore_is_refused(search: list[str], words: str) -> None:
    with pytest.raises(SettingError, match=words):
        check_space(Space.parse(search))


def test_tune_searches_an_evolution_setting_beside_evolution_trainers(capsys: pytest.CaptureFixture[str]) -> None:
    """sigma applies to ga and es: searched with trainer=ga|es it is checked against them, not the base's backprop."""
    code = main(["tune", "--dataset", "xor", "--points", "40", "--epochs", "3", "--budget", "12", "--jobs", "1",
                 "--search", "trainer=ga|es", "--search", "sigma=0.05..0.5", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["trials"]


def test_huge_finite_csv_values_are_scaled_without_overflow(tmp_path: Path) -> None:
    X = np.array([[1e308, -1e308, 5e307, 0.0], [1.0, 2.0, 3.0, 4.0]])
    with np.errstate(all="raise"):
        out, mean, std = standardize_features(X)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(mean)) and np.all(np.isfinite(std))
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(out * std + mean, X, rtol=1e-12)
    path = tmp_path / "big.csv"
    path.write_text("a,b,c\n" + "".join(f"{1e308 * (-1) ** i},{i},{i % 2}\n" for i in range(10)))
    ds = load_csv(path)
    assert np.all(np.isfinite(ds.X))


def test_a_damaged_model_config_message_has_balanced_parentheses(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.npz", tmp_path / "bad.npz"
    MLP([2, 3, 1], ["tanh", "logistic"], seed=0).save(good)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.startswith("config"):
                buffer = BytesIO()
                np.save(buffer, np.array("{bad json"))
                data = buffer.getvalue()
            zout.writestr(name, data)
    assert main(["predict", str(bad), "--point", "0,0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "not valid JSON" in err and err.count("(") == err.count(")"), err


def test_serving_a_setup_file_with_a_model_says_its_weights_are_not_served(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from annplay.serve import _setup

    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "xor", "--layers", "4", "--epochs", "3", "--save", "m.npz",
                 "--save-setup", "m.toml"]) == 0
    capsys.readouterr()
    assert _setup("m.toml").startswith("ap1:") and "[model] weights are not served" in capsys.readouterr().err
    assert main(["train", "--dataset", "xor", "--layers", "4", "--epochs", "3", "--save-setup", "plain.toml"]) == 0
    capsys.readouterr()
    _setup("plain.toml")
    assert "not served" not in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["train", "--epochs", "30"], ["settings"], ["train", "--epochs", "3", "--json"]])
def test_a_closed_pipe_is_exit_141_quietly_and_a_full_disk_74_in_one_line(argv: list[str]) -> None:
    """Exit 1 means 'training diverged': a script reading `annplay train | head -1` or a full disk got it."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "annplay", *argv]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(1)
        proc.stdout.close()                                   # what `head -c 1` does
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert code in (0, 141) and "Traceback" not in err, err    # 0: everything fitted in the pipe before it closed
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                  timeout=120, text=True)
        assert done.returncode == 74, done.stderr
        assert done.stderr.strip().splitlines()[-1].endswith("cannot write the output: No space left on device")


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
@example(99.995).via("rounds up to 7 characters at 2 decimals")
@example(-999.9802766633853).via("rounds up to -1000.0")
@example(-9.999704864142139).via("rounds up to -10.000")
def test_a_weight_is_shown_in_at_most_6_characters_that_read_back_near_it(value: float) -> None:
    """The grid's cells are 6 wide: 1e308 showed as '+1e+30', another number (a probe's find)."""
    from annplay.widgets.weights import format_weight

    text = format_weight(value)
    assert len(text) <= 6, text
    shown = float(text)                                          # +2e308 (1.5e308 rounded) reads as inf: past it
    if value == 0:
        assert shown == 0
    elif not math.isinf(shown):
        assert abs(shown - value) <= max(0.0005, 0.5 * 10 ** math.floor(math.log10(abs(value))))


def test_play_refuses_a_generation_too_big_before_opening(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "--trainer", "ga", "--population", "10000", "--layers", "64,64,64,64,64,64"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--population: population 10000 × 21,057 parameters" in err, err


def test_small_wording_of_a_probe(tmp_path: Path) -> None:
    """An own lesson was announced as 'Lesson 0'; a refused .npz save said 'export fifo: …'."""
    import os

    from annplay.core.lessons import load_lesson
    from annplay.core.weightfiles import check_target
    from annplay.screens.lesson_flow import lesson_name

    assert lesson_name(load_lesson(3)) == "Lesson 3"
    assert lesson_name(SimpleNamespace(number=0)) == "Own lesson"
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(ValueError, match=r"^save to .*fifo: is a FIFO"):
        check_target(tmp_path / "fifo")


def test_a_sweep_row_that_never_trained_says_why_and_gets_no_doctors_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "--trainer", "es", "--epochs", "1", "--points", "40", "--jobs", "1",
                 "--vary", "population=10,10000", "--vary", "layers=64/64/64/64/64/64"])
    out, err = capsys.readouterr()
    assert code == 3, err                       # some runs failed (cli/sweep.py: outcome)
    failed = next(line for line in out.splitlines() if "1 failed" in line)
    assert failed.split()[-1] == "–" and "ok" not in failed.split()
    assert "failed: population 10000 × 21,057 parameters" in out
