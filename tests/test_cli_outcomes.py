"""What a finished ``annplay sweep`` / ``tune`` says with its exit code, and CSV runs' codes that repeat.

Exit codes: 0 when a winner was found (diverged runs beside it are results), 3 when some runs failed (could not
train: the other rows are still written), 1 when no set-up trained without diverging (as ``train``'s 1).
A code printed for people names no file: ``tune`` prints ``--data FILE`` beside its best code, and a code
annplay wrote with its file (a sweep's --json row) is taken by ``--setup`` when ``--data`` is given too.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import numpy as np
import pytest

from annplay.cli import main

SMALL = ["--epochs", "12", "--jobs", "1"]


@pytest.fixture()
def csv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A 60-row CSV with two numeric columns and a label column ``s``, in the test's working folder."""
    rng = np.random.default_rng(7)
    lines = ["h,w,s", *(f"{a:.4f},{b:.4f},{'ab'[int(a + b > 0)]}" for a, b in rng.normal(size=(60, 2)))]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return "d.csv"


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    return code, captured.out, captured.err


def test_a_sweep_with_a_failed_run_exits_3_naming_why_and_keeps_every_row(
        csv_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, ["sweep", "--data", csv_file, *SMALL, "--vary", "y=s,zz", "--json", "rows.json"])
    assert code == 3
    assert "annplay sweep: 1 of 2 runs failed (could not train): d.csv: no column 'zz'" in err
    rows = json.loads(Path("rows.json").read_text())["rows"]
    assert [r["state"] for r in rows] == ["done", "failed"]


@pytest.mark.parametrize("rates, expected", [("0.1,1e7", 0), ("1e7,1e8", 1)])
def test_a_sweep_exits_1_only_when_no_set_up_trained_without_diverging(
        capsys: pytest.CaptureFixture[str], rates: str, expected: int) -> None:
    code, out, err = run(capsys, ["sweep", "--dataset", "circle", "--points", "60", *SMALL, "--vary", f"lr={rates}"])
    assert code == expected, err
    assert "diverged" in out
    assert ("no set-up trained without diverging" in err) == (expected == 1)


def test_a_tune_with_a_failed_trial_exits_3(csv_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, ["tune", "--data", csv_file, "--epochs", "9", "--search", "y=s|zz",
                                   "--budget", "40", "--no-plot"])
    assert code == 3
    assert "annplay tune: 1 of 2 trials failed (could not train): d.csv: no column 'zz'" in err


def test_a_tune_whose_every_trial_diverged_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, ["tune", "--dataset", "circle", "--points", "60", "--epochs", "9",
                                  "--search", "lr=1e8..1e10,log", "--budget", "30", "--no-plot"])
    assert code == 1, err
    assert "no trial finished" in out and "no set-up trained without diverging" in err


def test_tunes_best_csv_run_repeats_with_the_command_it_prints(
        csv_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, ["tune", "--data", csv_file, "--epochs", "9", "--search", "lr=0.01..1,log",
                                   "--budget", "60", "--no-plot", "--json", "tune.json"])
    assert code == 0
    best = json.loads(Path("tune.json").read_text())["best"]
    line = next(x for x in out.splitlines() if "repeat it with:" in x)
    argv = shlex.split(line.split("repeat it with:", 1)[1])
    assert argv[:2] == ["annplay", "train"] and argv[-2:] == ["--data", csv_file]
    assert "csv=" not in line                     # a code for people names no file
    code, out, err = run(capsys, [*argv[1:], "--json"])
    assert code == 0, err
    assert json.loads(out)["test_loss"] == pytest.approx(best["test_loss"], rel=1e-12)


def test_a_sweep_rows_code_naming_its_csv_trains_again_beside_data(
        csv_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, ["sweep", "--data", csv_file, *SMALL, "--json", "rows.json"])[0] == 0
    row = json.loads(Path("rows.json").read_text())["rows"][0]
    assert "csv=d.csv" in row["setup"]
    code, _out, err = run(capsys, ["train", "--setup", row["setup"], "--json"])
    assert code == 2 and "share codes cannot name files" in err     # alone, a code never reads a file
    code, out, err = run(capsys, ["train", "--setup", row["setup"], "--data", csv_file, "--json"])
    assert code == 0, err
    assert json.loads(out)["test_loss"] == pytest.approx(row["test_loss"], rel=1e-12)


def test_data_replaces_the_file_a_code_names(csv_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, ["train", "--setup", "ap1:ds=circle;csv=/nonexistent/x.csv;ep=3",
                                  "--data", csv_file, "--json"])
    assert code == 0, err
    assert json.loads(out)["dataset"] == "d"


@pytest.mark.parametrize("name", ["m.json", "m.TOML", "new.csv", "m.npz.json", "-"])
def test_save_refuses_a_name_of_another_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], name: str) -> None:
    """A model saved as m.json was a zip that predict and --setup read by its name (a probe's find)."""
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, ["train", "--dataset", "xor", "--epochs", "2", "--save", name, "--force"])
    assert code == 2 and f"--save {name}: a " in err and "give a .npz name" in err
    assert not list(tmp_path.iterdir())
    code, _out, err = run(capsys, ["train", "--dataset", "xor", "--epochs", "2", "--save-setup", "-"])
    assert code == 2 and "--save-setup -: a set-up is written to a file" in err and not list(tmp_path.iterdir())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["train", "--help"]])
def test_help_that_cannot_be_written_exits_74(argv: list[str]) -> None:
    """argparse swallows OSError while printing help: `annplay --help > /dev/full` exited 0 with nothing written."""
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "annplay", *argv], stdout=full, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, timeout=60)
    assert proc.returncode == 74, proc.stderr
    assert proc.stderr.strip().splitlines() == ["annplay: cannot write the output: No space left on device"]


@pytest.mark.parametrize("rate, shown, kept", [(0.0383, "0.038", 0.0383), (2.5, "2.5", 2.5), (12.34, "12", 12.3),
                                               (12345.6, "12,346", 12345.6)])
def test_a_slow_runs_speed_is_not_zero(rate: float, shown: str, kept: float) -> None:
    """One epoch of a million points in 26 s printed '0 ep/s' and "epochs_per_second": 0.0 in --json."""
    from annplay.cli.report import rounded_speed, speed

    assert speed(rate) == shown and rounded_speed(rate) == kept


def test_the_report_shows_a_slow_speed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import annplay.cli.train as train

    real = train.Loop.run

    def slow(self: train.Loop, update=None):     # the run as it is, then say it took 100 s of training
        metrics = real(self, update)
        self.training_seconds = 100.0
        return metrics

    monkeypatch.setattr(train.Loop, "run", slow)
    code, out, _err = run(capsys, ["train", "--dataset", "xor", "--epochs", "4", "--no-plot"])
    assert code == 0 and "0.04 ep/s" in out
    code, out, _err = run(capsys, ["train", "--dataset", "xor", "--epochs", "4", "--json"])
    assert json.loads(out)["epochs_per_second"] == 0.04


@pytest.mark.parametrize("argv", [
    ["train", "--dataset", "sine", "--target-acc", "90", "--epochs", "3"],
    ["train", "--setup", "ap1:ds=sine;ta=90", "--epochs", "3"],
    ["train", "--data", "reg.csv", "--target-acc", "50", "--epochs", "3"],
    ["sweep", "--dataset", "reg-maximum", "--target-acc", "90", "--epochs", "3", "--vary", "lr=0.1,0.2"],
    ["tune", "--dataset", "sine", "--target-acc", "90", "--epochs", "3", "--search", "lr=0.1..0.2"],
    ["play", "--dataset", "sine", "--target-acc", "90"],
])
def test_an_accuracy_goal_on_regression_data_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Regression has no accuracy: the goal was never reached, and nothing said so (a probe's find)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reg.csv").write_text("a,b,y\n1,2,0.5\n2,3,0.7\n3,1,0.1\n4,4,0.9\n")
    code, out, err = run(capsys, argv)
    assert code == 2 and out == ""
    assert err.strip().endswith("does not apply: regression data has no accuracy; give a goal with --target-loss")


def test_an_accuracy_goal_stays_where_some_runs_classify(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, ["sweep", "--target-acc", "90", "--epochs", "3", "--points", "40", "--jobs", "1",
                                   "--vary", "dataset=sine,circle"])
    assert code == 0, err


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="SIGTERM/SIGHUP to a child is POSIX")
@pytest.mark.parametrize("name, code", [("SIGTERM", 143), ("SIGHUP", 129)])
def test_term_or_hup_stops_train_as_ctrl_c_does(tmp_path: Path, name: str, code: int) -> None:
    """`timeout 60 annplay train … --save m.npz` (or a closed SSH session) killed the run: no summary, no model."""
    import signal
    import subprocess

    from test_cli import _start_long_training  # the CLI's ready-file hook: no sleeping

    from annplay.engine.network import MLP

    proc, _ready = _start_long_training(tmp_path, "--save", "m.npz", "--json")
    proc.send_signal(getattr(signal, name))
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"{name} did not stop training:\n{proc.communicate()}")
    assert proc.returncode == code, err
    assert "Traceback" not in err
    result = json.loads(out)
    assert result["state"] == "interrupted" and result["saved"] == "m.npz"
    assert MLP.load(tmp_path / "m.npz").layers[0] == 2


def test_out_of_memory_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A set-up too big for the machine ended in a MemoryError traceback."""
    import annplay.core.session as session_module

    def no_memory(self: object, *_args: object, **_kwargs: object) -> None:
        raise MemoryError("Unable to allocate 244. MiB for an array with shape (64, 500000)")

    monkeypatch.setattr(session_module.Session, "run_for", no_memory)
    code, out, err = run(capsys, ["train", "--dataset", "xor", "--epochs", "3"])
    assert code == 2
    assert err.strip().splitlines()[-1] == ("annplay train: error: out of memory (Unable to allocate 244. MiB for an "
                                            "array with shape (64, 500000)); try fewer --points, smaller --layers "
                                            "or a smaller --population")


def test_predict_takes_a_json_weight_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The playground's e writes a JSON export; predict refused it as 'not an .npz (zip) file'."""
    from annplay.core.weightfiles import export_json
    from annplay.engine.network import MLP

    monkeypatch.chdir(tmp_path)
    assert run(capsys, ["train", "--dataset", "xor", "--epochs", "20", "--save", "m.npz"])[0] == 0
    export_json(MLP.load("m.npz"), "m.json")
    by_npz = run(capsys, ["predict", "m.npz", "--point", "0.5,-1", "--point", "2,2", "--json"])
    by_json = run(capsys, ["predict", "m.json", "--point", "0.5,-1", "--point", "2,2", "--json"])
    assert by_json[0] == by_npz[0] == 0 and json.loads(by_json[1]) == json.loads(by_npz[1])
    Path("other.json").write_text('{"format": "something else"}')
    code, _out, err = run(capsys, ["predict", "other.json", "--point", "1,1"])
    assert code == 2
    assert err.strip() == "annplay predict: error: other.json: not an annplay model (no format 'annplay-mlp')"


def test_a_set_up_file_in_another_folder_names_its_csv_as_the_run_read_it(
        csv_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--save-setup sub/x.toml wrote csv = "d.csv", which the file then read as sub/d.csv (no such file)."""
    (tmp_path / "data").mkdir()
    Path(csv_file).rename(tmp_path / "data" / "d.csv")
    code, _out, err = run(capsys, ["train", "--data", "data/d.csv", "--epochs", "3", "--save", "data/m.npz",
                                   "--save-setup", "data/s.toml"])
    assert code == 0, err
    text = Path("data/s.toml").read_text()
    assert 'csv = "d.csv"' in text and 'file = "m.npz"' in text
    (tmp_path / "elsewhere").mkdir()
    os.chdir(tmp_path / "elsewhere")
    code, _out, err = run(capsys, ["train", "--setup", "../data/s.toml", "--epochs", "3", "--json"])
    assert code == 0, err


@pytest.mark.parametrize("argv, words", [
    (["--data", "d.csv", "--save-setup", "sub/x.toml"], "its CSV"),
    (["--data", "sub/d2.csv", "--save", "../m.npz", "--save-setup", "sub/x.toml"], "its model /"),
])
def test_a_set_up_file_that_could_not_name_its_files_is_refused_before_training(
        csv_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d2.csv").write_text(Path(csv_file).read_text())
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, out, err = run(capsys, ["train", "--epochs", "3", *argv])
    assert code == 2 and out == "" and "weights:" not in err        # refused before any training
    assert f"annplay train: error: --save-setup sub/x.toml: {words}" in err
    assert "is not in the set-up file's folder" in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert not (tmp_path.parent / "m.npz").exists()


def test_a_code_with_drawn_points_stays_refused_beside_data(csv_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, ["train", "--setup", "ap1:ds=circle;h=4,2;pts=iAiAAkAcABoAoAB", "--data", csv_file])
    assert code == 2 and "only the playground trains on" in err
