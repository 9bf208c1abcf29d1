"""End-to-end tests of the ``annplay`` command line, each through a real subprocess.

Every command runs as ``python -m annplay ...`` in a temporary directory (not the
repository), with no TTY, so what is checked is what a user or a script sees.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from annplay import __version__
from annplay.engine.build import model_inputs
from annplay.engine.datasets import DATASETS
from annplay.engine.network import MLP

TIMEOUT = 60
# Characters of the plain (ASCII) decision-boundary picture: regions, "unsure", train digits, test letters.
PLAIN_PLOT_CHARS = set("-+~=*%&$/\\.0123456789abcdefghij")
HALF_BLOCK = "▀"


def _env(**changes: str | None) -> dict[str, str]:
    """The test's environment without colour/terminal overrides, plus the given changes (None deletes)."""
    env = dict(os.environ)
    for key in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES",
                "ANNPLAY_READY_FILE", "JUPYTER_COLUMNS", "JUPYTER_LINES"):
        env.pop(key, None)
    env["PYTHONIOENCODING"] = "utf-8"
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def annplay(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m annplay ARGS`` in cwd with no TTY and return the finished process."""
    return subprocess.run([sys.executable, "-m", "annplay", *args], cwd=cwd, env=env or _env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          timeout=TIMEOUT)


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def sgr_params(text: str) -> list[int]:
    """Every numeric parameter of every SGR escape (ESC [ ... m) in text."""
    params: list[int] = []
    for seq in re.findall(r"\x1b\[([0-9;]*)m", text):
        params += [int(p) for p in seq.split(";") if p]
    return params


def colour_codes(text: str) -> list[int]:
    """SGR parameters that set a foreground or background colour (16, 256 or true colour)."""
    return [p for p in sgr_params(text) if 30 <= p <= 49 or 90 <= p <= 107]


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def plain_plot(stdout: str) -> list[str]:
    """The rows of the ASCII decision boundary: the equal-width rows of plot characters above its legend."""
    lines = stdout.splitlines()
    legend = [i for i, line in enumerate(lines) if "points:" in line and "train" in line]
    assert legend, f"no plain-plot legend in:\n{stdout}"
    end = legend[-1]
    rows: list[str] = []
    for line in reversed(lines[:end]):
        if not line or set(line) - PLAIN_PLOT_CHARS or (rows and len(line) != len(rows[0])):
            break
        rows.insert(0, line)
    return rows


# ----------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a small trained model (circle.npz) and helper files for predict tests."""
    d = tmp_path_factory.mktemp("models")
    ok(annplay(d, "train", "--dataset", "circle", "--points", "80", "--epochs", "30", "--seed", "1",
               "--save", "circle.npz", "--json"))
    (d / "notamodel.npz").write_text("this is a text file, renamed\n")
    (d / "points_ab.csv").write_text("a,b\n1,2\n3,4\n")
    (d / "points.csv").write_text("x1,x2\n0.5,-1\n-3,2.5\n4,4\n0,0\n")
    return d


@pytest.fixture(scope="module")
def csv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with small CSV files: a good one (two features, a text label, an extra column) and bad ones."""
    d = tmp_path_factory.mktemp("csv")
    rng = np.random.default_rng(0)
    rows = ["height,weight,age,species"]
    for i in range(40):
        big = i % 2
        h = 150 + 30 * big + rng.normal(0, 4)
        w = 50 + 30 * big + rng.normal(0, 4)
        rows.append(f"{h:.1f},{w:.1f},{20 + i},{'bear' if big else 'fox'}")
    (d / "animals.csv").write_text("\n".join(rows) + "\n")
    (d / "text_in_numbers.csv").write_text("height,weight,species\n150,50,fox\n180,oops,bear\n151,52,fox\n")
    return d


# ----------------------------------------------------------------------- basics


def test_version(tmp_path: Path) -> None:
    proc = ok(annplay(tmp_path, "--version"))
    assert proc.stdout.strip() == f"annplay {__version__}"


def test_train_help_lists_the_options(tmp_path: Path) -> None:
    proc = ok(annplay(tmp_path, "train", "--help"))
    for flag in ("--dataset", "--layers", "--activation", "--lr", "--epochs", "--batch-size", "--optimizer",
                 "--l2", "--noise", "--train-ratio", "--seed", "--features", "--data", "--x", "--y",
                 "--save", "--json"):
        assert flag in proc.stdout, flag


# ----------------------------------------------------------------------- train


def test_train_report_without_a_terminal_is_plain(tmp_path: Path) -> None:
    proc = ok(annplay(tmp_path, "train", "--dataset", "circle", "--layers", "8,8", "--activation", "tanh",
                      "--lr", "0.03", "--epochs", "20", "--batch-size", "10", "--optimizer", "sgd", "--l2", "0",
                      "--noise", "0", "--train-ratio", "50", "--seed", "1", "--points", "60"))
    out = proc.stdout
    # the progress bar's last state goes to stderr (a redirected report stays clean)
    assert re.search(r"20/20", proc.stderr), proc.stderr
    assert "ep/s" in proc.stderr and re.search(r"train \d+\.\d{4} test \d+\.\d{4}", proc.stderr)
    assert "━" not in out and "20/20" not in out
    # the summary table
    for word in ("loss", "accuracy", "epochs", "time", "state", "done"):
        assert re.search(rf"^\s*{word}\b|\b{word}\s*$|\s{word}\s", out, re.M), word
    assert re.search(r"^\s*epochs\s+20\b", out, re.M), out
    assert re.search(r"^\s*accuracy\s+\d+\.\d %\s+\d+\.\d %", out, re.M), out
    # the confusion matrix: a 2×2 table whose counts add up to the 30 test points
    assert "confusion matrix" in out
    cm_rows = re.findall(r"^\s*([01])\s+(\d+)\s+(\d+)\s*$", out, re.M)
    assert [r[0] for r in cm_rows] == ["0", "1"], out
    assert sum(int(a) + int(b) for _, a, b in cm_rows) == 30
    # the decision boundary: ASCII only, no escape codes, no half blocks, with the points drawn
    assert "\x1b" not in out and HALF_BLOCK not in out
    rows = plain_plot(out)
    assert len(rows) >= 8, out
    drawn = "".join(rows)
    assert set(drawn) & set("01") and set(drawn) & set("ab"), "train digits and test letters are drawn"
    assert set(drawn) & set("-+"), "both class regions or at least one region is drawn"


def test_train_no_color_in_a_terminal_is_plain(tmp_path: Path) -> None:
    env = _env(TTY_COMPATIBLE="1", NO_COLOR="1", COLUMNS="60", LINES="24", TERM="xterm-256color")
    proc = ok(annplay(tmp_path, "train", "--dataset", "circle", "--points", "60", "--epochs", "5", env=env))
    assert HALF_BLOCK not in proc.stdout
    assert colour_codes(proc.stdout) == [], "NO_COLOR: no colour escape codes anywhere"
    rows = plain_plot(proc.stdout)
    assert len(rows) >= 8
    assert all("\x1b" not in r for r in rows)
    assert len(rows[0]) <= 60


def _colour_plot_rows(stdout: str) -> list[str]:
    return [strip_ansi(line) for line in stdout.splitlines() if HALF_BLOCK in line]


def test_train_in_a_colour_terminal_draws_half_blocks_sized_to_it(tmp_path: Path) -> None:
    sizes = {}
    for columns, lines in ((50, 20), (100, 40)):
        env = _env(TTY_COMPATIBLE="1", COLUMNS=str(columns), LINES=str(lines), TERM="xterm-256color",
                   COLORTERM="truecolor")
        proc = ok(annplay(tmp_path, "train", "--dataset", "circle", "--points", "60", "--epochs", "5", env=env))
        assert colour_codes(proc.stdout), "colour escape codes in a colour terminal"
        rows = _colour_plot_rows(proc.stdout)
        assert rows, proc.stdout
        widths = {len(r.rstrip()) for r in rows}
        assert max(widths) <= columns
        assert len(rows) <= lines
        sizes[columns] = (max(widths), len(rows))
    assert sizes[100][0] > sizes[50][0] and sizes[100][1] > sizes[50][1], sizes


def test_print_boundary_colour_and_plain_in_process() -> None:
    """The renderer the CLI calls: half blocks with colours on a terminal console, ASCII when plain."""
    from rich.console import Console

    from annplay.cli.report import print_boundary
    from annplay.core.session import Session
    from annplay.engine.setup import Setup

    session = Session(Setup(dataset="circle", points=60, hidden=(4,), seed=1))
    session.step(5)
    prep, net = session.prep, session.net
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, color_system="truecolor", width=60, height=30)
    print_boundary(console, prep, net, False)
    out = buf.getvalue()
    assert HALF_BLOCK in out and colour_codes(out)
    rows = _colour_plot_rows(out)
    assert rows and max(len(r.rstrip()) for r in rows) <= 60 and len(rows) <= 30

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=60, height=30)
    print_boundary(console, prep, net, True)
    plain = buf.getvalue()                    # the console's own file, not sys.stdout
    assert HALF_BLOCK not in plain and "\x1b" not in plain
    assert len(plain_plot(plain)) >= 8


def test_train_json_is_one_result_object(tmp_path: Path) -> None:
    proc = ok(annplay(tmp_path, "train", "--dataset", "circle", "--points", "60", "--epochs", "25",
                      "--seed", "1", "--json"))
    result = json.loads(proc.stdout)          # the whole of stdout is exactly one JSON value
    assert isinstance(result, dict)
    assert proc.stdout.strip().count("\n") == 0
    assert result["epochs"] == 25 and result["state"] == "done"
    assert isinstance(result["train_loss"], float) and isinstance(result["test_loss"], float)
    cm = np.array(result["confusion_matrix"])
    assert cm.shape == (2, 2) and cm.sum() == 30
    assert result["test_accuracy"] == pytest.approx(np.trace(cm) / cm.sum())
    assert 0.0 <= result["train_accuracy"] <= 1.0
    assert result["settings"]["dataset"] == "circle"


def test_train_json_regression_and_multiclass(tmp_path: Path) -> None:
    reg = json.loads(ok(annplay(tmp_path, "train", "--dataset", "plane", "--points", "60", "--epochs", "5",
                                "--json")).stdout)
    assert reg["kind"] == "regression" and reg["confusion_matrix"] is None
    assert reg["train_accuracy"] is None and reg["test_accuracy"] is None
    assert isinstance(reg["test_loss"], float)
    iris = json.loads(ok(annplay(tmp_path, "train", "--dataset", "iris", "--epochs", "5", "--json")).stdout)
    cm = np.array(iris["confusion_matrix"])
    assert iris["kind"] == "multiclass" and cm.shape == (3, 3) and cm.sum() == 75
    assert len(iris["class_names"]) == 3


def test_train_json_diverged_is_still_strict_json_exits_1_and_saves_nothing(tmp_path: Path) -> None:
    proc = annplay(tmp_path, "train", "--dataset", "sine", "--points", "40", "--epochs", "50",
                   "--activation", "relu", "--lr", "1000", "--json", "--save", "m.npz")
    assert proc.returncode == 1, proc.stderr
    result = json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    assert result["state"] == "diverged" and result["message"]
    assert result["saved"] is None and "NOT saved" in result["message"]
    assert not (tmp_path / "m.npz").exists()


def test_train_stops_at_the_goal_at_the_same_epoch_every_time(tmp_path: Path) -> None:
    args = ("train", "--dataset", "circle", "--points", "100", "--lr", "0.3", "--target-acc", "90",
            "--epochs", "5000", "--json")
    first, second = (json.loads(ok(annplay(tmp_path, *args)).stdout) for _ in range(2))
    assert first["state"] == "stopped" and "≥ goal 90 %" in first["message"]
    assert 1 <= first["epochs"] < 5000 and first["test_accuracy"] >= 0.9
    assert second["epochs"] == first["epochs"], "a goal stops the run at the same epoch every time"
    lossy = json.loads(ok(annplay(tmp_path, "train", "--dataset", "circle", "--points", "100", "--lr", "0.3",
                                  "--target-loss", "0.3", "--json")).stdout)
    assert lossy["test_loss"] <= 0.3 and "≤ goal 0.3" in lossy["message"] and lossy["epochs"] < 1000
    assert lossy["state"] == "stopped"


def test_json_setup_code_and_setup_file_repeat_the_run_exactly(tmp_path: Path) -> None:
    first = json.loads(ok(annplay(tmp_path, "train", "--dataset", "xor", "--layers", "4", "--lr", "0.1",
                                  "--epochs", "30", "--seed", "3", "--json", "--save", "m.npz",
                                  "--save-setup", "run.toml")).stdout)
    assert first["setup"] == "ap1:ds=xor;h=4;lr=0.1;seed=3;ep=30"
    again = json.loads(ok(annplay(tmp_path, "train", "--setup", first["setup"], "--json")).stdout)
    from_file = json.loads(ok(annplay(tmp_path, "train", "--setup", "run.toml", "--json")).stdout)
    assert (again["setup"], again["epochs"], again["test_loss"]) == (first["setup"], 30, first["test_loss"])
    assert again["weights"] == "new, drawn from seed 3"
    # the file names the saved model: like `annplay play run.toml`, training goes on from those weights
    assert from_file["setup"] == first["setup"] and "m.npz" in from_file["weights"]
    assert from_file["test_loss"] < first["test_loss"]
    assert 'file = "m.npz"' in (tmp_path / "run.toml").read_text()
    # flags override the set-up; flags that do not apply to the result are refused
    changed = json.loads(ok(annplay(tmp_path, "train", "--setup", "run.toml", "--epochs", "5", "--trainer", "es",
                                    "--json")).stdout)
    assert changed["setup"] == "ap1:ds=xor;h=4;t=es;lr=0.1;seed=3;ep=5" and changed["epochs"] == 5
    proc = annplay(tmp_path, "train", "--setup", "run.toml", "--trainer", "es", "--lr", "0.3")
    assert proc.returncode == 2 and "--lr does not apply" in proc.stderr
    proc = annplay(tmp_path, "train", "--epochs", "2", "--save", "m.npz", "--save-setup", "m.npz")
    assert proc.returncode == 2 and "--save-setup: m.npz is the --save file" in proc.stderr


def test_save_never_destroys_data(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a,b,label\n1,2,x\n2,1,y\n3,3,x\n4,1,y\n")
    before = data.read_bytes()
    proc = annplay(tmp_path, "train", "--data", "d.csv", "--epochs", "2", "--save", "d.csv")
    assert proc.returncode == 2 and "--data file" in proc.stderr
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    proc = annplay(tmp_path, "train", "--epochs", "2", "--points", "20", "--save", "notes.txt")
    assert proc.returncode == 2 and "--force" in proc.stderr
    assert data.read_bytes() == before and notes.read_text() == "my notes"
    ok(annplay(tmp_path, "train", "--epochs", "2", "--points", "20", "--save", "notes.txt", "--force", "--json"))
    assert notes.read_bytes().startswith(b"PK")


@pytest.mark.parametrize("args,needle", [
    (["--trainer", "ga", "--optimizer", "adam"], "--optimizer does not apply: applies to trainer backprop only"),
    (["--trainer", "es", "--lr", "0.1"], "--lr does not apply: applies to trainer backprop only, not es"),
    (["--trainer", "ga", "--l2", "0.1"], "--l2 does not apply: applies to trainer backprop only"),
    (["--trainer", "backprop", "--sigma", "0.1"], "--sigma does not apply: applies to trainer es or ga only"),
    (["--data", "x.csv", "--dataset", "iris"], "--dataset and --data both choose the data"),
    (["--dataset", "iris", "--noise", "10"], "--noise does not apply: applies to generated data only"),
    (["--data", "x.csv", "--noise", "10"], "--noise does not apply: applies to generated data only"),
    (["--momentum", "0.5"], "--momentum does not apply: applies with optimizer momentum only"),
    (["--optimizer", "adam", "--momentum", "0.5"], "--momentum does not apply"),
    (["--reg-rate", "0.1"], "--reg-rate does not apply: applies with regularization l1 or l2 only"),
    (["--l1", "0.1", "--regularization", "l2"], "--l1 sets the penalty and its rate; leave out --regularization"),
    (["--show-test"], "--show-test"),
])
def test_options_that_do_not_apply_are_refused(tmp_path: Path, args: list, needle: str) -> None:
    (tmp_path / "x.csv").write_text("a,b,label\n1,2,x\n2,1,y\n")
    proc = annplay(tmp_path, "train", *args)
    assert proc.returncode == 2 and needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_play_needs_a_terminal(tmp_path: Path) -> None:
    for argv in ([], ["play"]):
        proc = annplay(tmp_path, *argv)
        assert proc.returncode == 2 and "needs a terminal" in proc.stderr
    proc = annplay(tmp_path, "play", "--bogus")
    assert proc.returncode == 2 and "--bogus" in proc.stderr


def test_report_numbers_stay_short_when_training_diverges() -> None:
    from annplay.cli.report import fmt

    assert fmt(0.5) == "0.5000" and fmt(0.25, pct=True) == "25.0 %" and fmt(None) == "–"
    assert fmt(2.385e120) == "2.385e+120"
    assert fmt(float("inf")) == "inf"


def test_train_on_a_csv(tmp_path: Path, csv_dir: Path) -> None:
    proc = ok(annplay(csv_dir, "train", "--data", "animals.csv", "--x", "height,weight", "--y", "species",
                      "--epochs", "20", "--json"))
    result = json.loads(proc.stdout)
    assert result["kind"] == "binary" and sorted(result["class_names"]) == ["bear", "fox"]
    assert result["epochs"] == 20 and np.array(result["confusion_matrix"]).sum() == 20
    text = ok(annplay(csv_dir, "train", "--data", "animals.csv", "--x", "height,weight", "--y", "species",
                      "--epochs", "5")).stdout
    assert "bear" in text and "fox" in text and "confusion matrix" in text


def test_features_on_a_csv_need_exactly_two_input_columns(tmp_path: Path, csv_dir: Path) -> None:
    result = json.loads(ok(annplay(csv_dir, "train", "--data", "animals.csv", "--x", "height,weight", "--y",
                                   "species", "--features", "x1,x2,x1x2", "--epochs", "3", "--json")).stdout)
    assert result["settings"]["features"] == ["x1", "x2", "x1x2"] and result["epochs"] == 3
    proc = annplay(csv_dir, "train", "--data", "animals.csv", "--x", "height,weight,age", "--y", "species",
                   "--features", "x1,x2,x1x2", "--epochs", "3")
    assert proc.returncode == 2 and "--features: input transforms need exactly 2 input columns" in proc.stderr


# ----------------------------------------------------------------------- datasets


def test_datasets_lists_every_registry_entry(tmp_path: Path) -> None:
    out = ok(annplay(tmp_path, "datasets")).stdout
    lines = out.splitlines()
    for name, spec in DATASETS.items():
        row = [line.split() for line in lines if line.split()[:1] == [name]]
        assert row, f"{name} missing from:\n{out}"
        assert row[0][1:3] == [spec.kind, str(spec.default_n)], row
        assert spec.description.split()[0] in " ".join(row[0][3:])


def test_datasets_json(tmp_path: Path) -> None:
    rows = json.loads(ok(annplay(tmp_path, "datasets", "--json")).stdout)
    assert [r["name"] for r in rows] == list(DATASETS)
    for r in rows:
        spec = DATASETS[r["name"]]
        assert (r["kind"], r["points"], r["description"]) == (spec.kind, spec.default_n, spec.description)


# ----------------------------------------------------------------------- train --save, then predict


def _expected(net: MLP, X_raw: np.ndarray) -> tuple[list, list[float]]:
    """(class names, probabilities) the loaded model gives for raw points X (m×n)."""
    out = net.forward(model_inputs(net, X_raw))
    names = (net.meta or {}).get("class_names") or []
    probs = np.vstack([1 - out[0], out[0]]) if out.shape[0] == 1 else out
    k = probs.argmax(axis=0)
    return [names[i] if i < len(names) else int(i) for i in k], probs[k, np.arange(probs.shape[1])].tolist()


def _check_predictions(cwd: Path, model: str, X_raw: np.ndarray, csv_name: str, columns: list[str]) -> None:
    net = MLP.load(cwd / model)
    want_cls, want_p = _expected(net, X_raw)
    # one point at a time, JSON and text
    for j in range(X_raw.shape[1]):
        point = ",".join(repr(float(v)) for v in X_raw[:, j])
        [got] = json.loads(ok(annplay(cwd, "predict", model, "--point", point, "--json")).stdout)
        assert got["input"] == pytest.approx(X_raw[:, j].tolist())
        assert got["class"] == want_cls[j] and got["probability"] == pytest.approx(want_p[j], rel=1e-9)
    text = ok(annplay(cwd, "predict", model, "--point", ",".join(repr(float(v)) for v in X_raw[:, 0]))).stdout
    assert f"-> {want_cls[0]} (p = {want_p[0]:.3f})" in text
    # every row of a CSV
    (cwd / csv_name).write_text(",".join(columns) + "\n"
                                + "".join(",".join(repr(float(v)) for v in X_raw[:, j]) + "\n"
                                          for j in range(X_raw.shape[1])))
    rows = json.loads(ok(annplay(cwd, "predict", model, "--data", csv_name, "--json")).stdout)
    assert [r["class"] for r in rows] == want_cls
    assert [r["probability"] for r in rows] == pytest.approx(want_p, rel=1e-9)


def test_save_then_predict_synthetic_with_features(tmp_path: Path) -> None:
    ok(annplay(tmp_path, "train", "--dataset", "xor", "--points", "80", "--epochs", "40", "--features",
               "x1,x2,x1x2", "--save", "xor.npz", "--json"))
    net = MLP.load(tmp_path / "xor.npz")
    assert net.layers[0] == 3 and net.meta["features"] == ["x1", "x2", "x1x2"]
    X = np.array([[0.5, -3.0, 4.0, -2.5], [-1.0, 2.5, 4.0, -4.0]])
    # the features matter: the network sees 3 inputs made from the 2 given
    assert model_inputs(net, X).shape == (3, 4)
    _check_predictions(tmp_path, "xor.npz", X, "pts.csv", ["x1", "x2"])


def test_predict_accepts_negative_first_value(tmp_path: Path, model_dir: Path) -> None:
    net = MLP.load(model_dir / "circle.npz")
    cls, p = _expected(net, np.array([[-1.0], [2.0]]))
    got = json.loads(ok(annplay(model_dir, "predict", "circle.npz", "--point", "-1,2", "--json")).stdout)
    assert isinstance(got, list) and len(got) == 1, "one point is a list of one, as several points are"
    got = got[0]
    assert got["input"] == [-1.0, 2.0] and got["class"] == cls[0] and got["probability"] == pytest.approx(p[0])


def test_predict_takes_every_point_given(tmp_path: Path, model_dir: Path) -> None:
    """--point twice printed only the last point (a QA probe): each point gives its own row, in order."""
    net = MLP.load(model_dir / "circle.npz")
    cls, p = _expected(net, np.array([[-1.0, 3.0], [2.0, 4.0]]))
    got = json.loads(ok(annplay(model_dir, "predict", "circle.npz", "--point", "-1,2", "--point", "3,4",
                                "--json")).stdout)
    assert [row["input"] for row in got] == [[-1.0, 2.0], [3.0, 4.0]]
    assert [row["class"] for row in got] == list(cls) and [row["probability"] for row in got] == pytest.approx(p)
    text = ok(annplay(model_dir, "predict", "circle.npz", "--point", "-1,2", "--point", "3,4")).stdout
    assert "x1=-1, x2=2" in text and "x1=3, x2=4" in text


def test_save_then_predict_iris_takes_raw_centimetres(tmp_path: Path) -> None:
    ok(annplay(tmp_path, "train", "--dataset", "iris", "--epochs", "60", "--lr", "0.1", "--save", "iris.npz",
               "--json"))
    net = MLP.load(tmp_path / "iris.npz")
    columns = net.meta["feature_names"]
    assert len(columns) == 2 and net.meta["x_mean"] is not None
    X = np.array([[5.0, 6.7, 6.3], [3.4, 3.0, 2.5]])          # setosa-, versicolor-, virginica-like, in cm
    # standardisation matters for these inputs (so a predict that skipped it would be caught)
    assert not np.allclose(net.forward(X), net.forward(model_inputs(net, X)))
    _check_predictions(tmp_path, "iris.npz", X, "flowers.csv", columns)


def test_save_then_predict_csv_model(tmp_path: Path, csv_dir: Path) -> None:
    (tmp_path / "animals.csv").write_text((csv_dir / "animals.csv").read_text())
    ok(annplay(tmp_path, "train", "--data", "animals.csv", "--x", "height,weight", "--y", "species",
               "--epochs", "30", "--save", "animals.npz", "--json"))
    net = MLP.load(tmp_path / "animals.npz")
    assert net.meta["feature_names"] == ["height", "weight"]
    X = np.array([[150.0, 182.0, 165.0], [50.0, 81.0, 66.0]])
    _check_predictions(tmp_path, "animals.npz", X, "new_animals.csv", ["height", "weight"])


def test_predict_leaves_out_rows_with_missing_values_as_train_does(tmp_path: Path, csv_dir: Path) -> None:
    """train dropped penguins' NA rows, then predict refused the same file ('NA' is not a number: a QA probe)."""
    (tmp_path / "animals.csv").write_text((csv_dir / "animals.csv").read_text())
    ok(annplay(tmp_path, "train", "--data", "animals.csv", "--x", "height,weight", "--y", "species",
               "--epochs", "5", "--save", "animals.npz", "--json"))
    (tmp_path / "new.csv").write_text("height,weight\n150,50\nNA,60\n182,81\n")
    done = ok(annplay(tmp_path, "predict", "animals.npz", "--data", "new.csv", "--json"))
    assert [row["input"] for row in json.loads(done.stdout)] == [[150.0, 50.0], [182.0, 81.0]]
    assert "dropped 1 rows with missing values" in done.stderr


def test_a_csv_runs_code_without_data_is_refused_not_trained_on_circle(tmp_path: Path, csv_dir: Path) -> None:
    """A CSV run's share code names its columns, never its file: without --data it trained circle without a word
    (a QA probe). It is refused in one line; with --data it trains the CSV."""
    code = "ap1:cx=height,weight;cy=species;ep=3"
    refused = annplay(tmp_path, "train", "--setup", code)
    assert refused.returncode == 2 and "--data FILE" in refused.stderr and refused.stderr.count("\n") == 1
    (tmp_path / "animals.csv").write_text((csv_dir / "animals.csv").read_text())
    done = json.loads(ok(annplay(tmp_path, "train", "--setup", code, "--data", "animals.csv", "--json")).stdout)
    assert done["dataset"] == "animals.csv" or "animals" in str(done["dataset"])


# ----------------------------------------------------------------------- bad arguments

BAD_ARGUMENTS = [
    # (id, args, substrings the one-line error must contain)
    ("unknown-dataset", ["train", "--dataset", "nope"], ["--dataset", "nope", "circle"]),
    ("lr-zero", ["train", "--lr", "0"], ["--lr", "> 0"]),
    ("lr-negative", ["train", "--lr", "-1"], ["--lr", "> 0"]),
    ("lr-nan", ["train", "--lr", "nan"], ["--lr", "nan"]),
    ("lr-text", ["train", "--lr", "abc"], ["--lr", "abc"]),
    ("epochs-zero", ["train", "--epochs", "0"], ["--epochs", "whole number from 1 to"]),
    ("epochs-fraction", ["train", "--epochs", "1.5"], ["--epochs", "1.5"]),
    ("noise-too-big", ["train", "--noise", "60"], ["--noise", "0 to 50"]),
    ("train-ratio-too-small", ["train", "--train-ratio", "5"], ["--train-ratio", "10 to 90"]),
    ("layers-text", ["train", "--layers", "8,x"], ["--layers", "8,x"]),
    ("layers-zero", ["train", "--layers", "0,8"], ["--layers", "1 to 64", "got 0"]),
    ("activation", ["train", "--activation", "foo"], ["--activation", "foo", "tanh"]),
    ("optimizer", ["train", "--optimizer", "foo"], ["--optimizer", "foo", "adam"]),
    ("features", ["train", "--features", "x3"], ["--features", "x3", "x1x2"]),
    ("batch-size", ["train", "--batch-size", "0"], ["--batch-size", "whole number ≥ 1", "got '0'"]),
    ("l1-and-l2", ["train", "--l1", "0.01", "--l2", "0.01"], ["--l1", "--l2"]),
    ("x-without-data", ["train", "--x", "a,b"], ["--x does not apply", "CSV file"]),
    ("data-missing-file", ["train", "--data", "missing.csv"], ["--data", "missing.csv"]),
    ("data-unknown-column", ["train", "--data", "{csv}/animals.csv", "--x", "height,nope"],
     ["animals.csv", "nope", "height, weight, age, species"]),
    ("data-text-in-number", ["train", "--data", "{csv}/text_in_numbers.csv", "--x", "height,weight",
                             "--y", "species"], ["text_in_numbers.csv", "line 3", "weight", "oops"]),
    ("save-into-missing-dir", ["train", "--epochs", "1", "--save", "no/such/dir/m.npz"], ["--save", "no/such/dir"]),
    ("unknown-subcommand", ["frobnicate"], ["frobnicate", "train"]),
    ("unknown-option", ["train", "--bogus"], ["--bogus"]),
    ("predict-missing-model", ["predict", "{models}/nothere.npz", "--point", "1,2"], ["nothere.npz"]),
    ("predict-not-a-model", ["predict", "{models}/notamodel.npz", "--point", "1,2"], ["notamodel.npz"]),
    ("predict-point-count", ["predict", "{models}/circle.npz", "--point", "1"], ["--point", "2 numbers"]),
    ("predict-point-three", ["predict", "{models}/circle.npz", "--point", "1,2,3"], ["--point", "2 numbers"]),
    ("predict-point-text", ["predict", "{models}/circle.npz", "--point", "a,b"], ["--point", "a,b"]),
    ("predict-data-missing-columns", ["predict", "{models}/circle.npz", "--data", "{models}/points_ab.csv"],
     ["points_ab.csv", "x1", "a, b"]),
    ("predict-no-input", ["predict", "{models}/circle.npz"], ["--data", "--point"]),
    ("setup-bad-code", ["train", "--setup", "ap1:ds=xor;lr=-1"], ["--setup", "lr", "> 0"]),
    ("setup-unknown-key", ["train", "--setup", "ap1:zz=1"], ["--setup", "zz"]),
    ("setup-missing-file", ["train", "--setup", "nothere.toml"], ["--setup", "nothere.toml", "no such file"]),
    ("save-setup-foreign", ["train", "--save-setup", "{csv}/animals.csv"], ["--save-setup", "not an annplay"]),
    ("play-setup-twice", ["play", "ap1:ds=xor", "--setup", "ap1:ds=circle"], ["--setup", "not both"]),
    ("sweep-vary-unknown", ["sweep", "--vary", "zz=1,2"], ["--vary", "no setting 'zz'"]),
    ("sweep-vary-bad-value", ["sweep", "--vary", "lr=0.1,0"], ["--vary lr=0", "> 0"]),
    ("sweep-vary-and-flag", ["sweep", "--lr", "0.1", "--vary", "lr=0.1,0.3"], ["--lr is given too"]),
    ("sweep-vary-not-applying", ["sweep", "--trainer", "es", "--vary", "lr=0.1,0.3"],
     ["--vary lr does not apply", "backprop"]),
    ("sweep-flag-not-applying", ["sweep", "--trainer", "es", "--lr", "0.3"], ["--lr does not apply"]),
    ("sweep-seeds", ["sweep", "--seeds", "0"], ["--seeds", "1 to 1000"]),
    ("sweep-two-stdouts", ["sweep", "--json", "--csv"], ["--json", "--csv", "stdout"]),
    ("sweep-json-into-missing-dir", ["sweep", "--json", "no/dir/s.json"], ["--json", "no/dir"]),
]


@pytest.mark.parametrize("args, expected", [pytest.param(a, e, id=i) for i, a, e in BAD_ARGUMENTS])
def test_bad_argument_exits_2_with_one_line(tmp_path: Path, model_dir: Path, csv_dir: Path,
                                            args: list[str], expected: list[str]) -> None:
    args = [a.format(models=model_dir, csv=csv_dir) for a in args]
    proc = annplay(tmp_path, *args)
    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"not one line:\n{proc.stderr}"
    line = lines[0]
    assert line.startswith("annplay") and "error" in line
    assert "Traceback" not in line and "usage:" not in line.lower()
    for word in expected:
        assert word in line, f"{word!r} not in {line!r}"
    assert proc.stdout == "", "nothing is trained or printed on stdout for a bad argument"
    assert not list(tmp_path.iterdir()), "no file is written for a bad argument"


# ----------------------------------------------------------------------- sweep


def test_sweep_json_ranks_the_grid_and_a_row_repeats_with_train(tmp_path: Path) -> None:
    proc = ok(annplay(tmp_path, "sweep", "--dataset", "xor", "--points", "60", "--epochs", "40",
                      "--vary", "lr=0.03,0.3", "--vary", "layers=4,4/4", "--seeds", "2", "--jobs", "2", "--json",
                      "--csv", "runs.csv"))
    doc = json.loads(proc.stdout)
    assert doc["format"] == "annplay-sweep" and doc["interrupted"] is False
    rows = doc["rows"]
    assert len(rows) == 8 and [r["index"] for r in rows] == list(range(8))
    assert {r["seed"] for r in rows} == {0, 1} and all(r["epochs"] == 40 for r in rows)
    ranking = doc["ranking"]
    assert len(ranking) == 4 and all(g["runs"] == 2 for g in ranking)
    means = [g["test_loss_mean"] for g in ranking]
    assert means == sorted(means)
    lines = (tmp_path / "runs.csv").read_text().splitlines()
    assert lines[0].startswith("index,setup,group,seed,state") and len(lines) == 9
    # a row's share code trained by `annplay train --setup` gives the same metrics
    row = rows[5]
    again = json.loads(ok(annplay(tmp_path, "train", "--setup", row["setup"], "--json")).stdout)
    assert again["setup"] == row["setup"] and again["epochs"] == row["epochs"]
    assert again["test_loss"] == pytest.approx(row["test_loss"], rel=1e-12)


def test_sweep_leaderboard_shows_the_varied_settings(tmp_path: Path) -> None:
    out = ok(annplay(tmp_path, "sweep", "--dataset", "circle", "--points", "40", "--epochs", "20",
                     "--vary", "activation=relu,tanh", "--jobs", "1")).stdout
    header = out.splitlines()[0].split()
    assert header[:2] == ["#", "--activation"] and "test" in header
    ranked = [line.split()[1] for line in out.splitlines()[1:] if line.strip()]
    assert sorted(ranked) == ["relu", "tanh"]


# ----------------------------------------------------------------------- Ctrl-C


def _start_long_training(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    ready = tmp_path / "training-started"
    proc = subprocess.Popen([sys.executable, "-m", "annplay", "train", "--dataset", "circle", "--points", "60",
                             "--epochs", "10000000", *extra],
                            cwd=tmp_path, env=_env(ANNPLAY_READY_FILE=str(ready)), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    deadline = time.monotonic() + TIMEOUT
    while not ready.exists():          # the CLI's test hook: created once training has started
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"training exited ({proc.returncode}) before it started:\n{out}\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.communicate()
            pytest.fail("training did not start in time")
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.02)    # poll: returns early if the process ends
    return proc, ready


def _interrupt(proc: subprocess.Popen) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"Ctrl-C did not stop training:\n{out}\n{err}")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_prints_the_summary_and_saves(tmp_path: Path) -> None:
    proc, _ = _start_long_training(tmp_path, "--save", "m.npz")
    out, err = _interrupt(proc)
    assert proc.returncode == 130, f"exit {proc.returncode}\n{out}\n{err}"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    match = re.search(r"Interrupted at epoch (\d+)", out)
    assert match, out
    epochs = int(match.group(1))
    assert 1 <= epochs < 10_000_000
    assert re.search(rf"^\s*epochs\s+{epochs}\b", out, re.M), out
    assert re.search(r"^\s*state\s+interrupted", out, re.M), out
    assert "model saved to m.npz" in out
    net = MLP.load(tmp_path / "m.npz")
    assert net.layers[0] == 2 and net.meta["dataset"] == "circle"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_with_json_gives_an_interrupted_result(tmp_path: Path) -> None:
    proc, _ = _start_long_training(tmp_path, "--json", "--save", "j.npz")
    out, err = _interrupt(proc)
    assert proc.returncode == 130, f"exit {proc.returncode}\n{out}\n{err}"
    result = json.loads(out)
    assert result["state"] == "interrupted"
    assert 1 <= result["epochs"] < 10_000_000
    assert np.array(result["confusion_matrix"]).sum() == 30
    assert result["saved"] == "j.npz" and MLP.load(tmp_path / "j.npz").layers[0] == 2


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_on_a_sweep_keeps_the_finished_rows(tmp_path: Path) -> None:
    ready = tmp_path / "first-row"
    proc = subprocess.Popen([sys.executable, "-m", "annplay", "sweep", "--points", "40", "--epochs", "2000",
                             "--seeds", "300", "--jobs", "2", "--json"],
                            cwd=tmp_path, env=_env(ANNPLAY_READY_FILE=str(ready)), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    deadline = time.monotonic() + TIMEOUT
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.02)
    assert ready.exists(), "the sweep never finished a first row"
    out, err = _interrupt(proc)
    assert proc.returncode == 130, f"exit {proc.returncode}\n{out}\n{err}"
    assert "Traceback" not in err and "interrupted after" in err
    doc = json.loads(out)
    assert doc["interrupted"] is True and 1 <= len(doc["rows"]) < 300
    assert all(r["state"] == "done" and r["epochs"] == 2000 for r in doc["rows"])


@pytest.mark.parametrize("args,needle", [
    (["--data", "missing.csv"], "no such file"),
    (["--data", "p.csv", "--x", "height"], "exactly 2 input columns"),
    (["--data", "p.csv", "--y", "bogus"], "no column 'bogus'"),
    (["--x", "height,weight"], "--x does not apply: applies to a CSV file only"),
    (["--dataset", "iris", "--noise", "5"], "--noise does not apply: applies to generated data only"),
    (["--lr", "0"], "--lr: a number > 0"),
])
def test_play_with_bad_data_says_why_before_needing_a_terminal(tmp_path: Path, args: list, needle: str) -> None:
    (tmp_path / "p.csv").write_text("height,weight,species\n150,50,small\n180,80,large\n152,51,small\n"
                                    "178,79,large\n")
    proc = annplay(tmp_path, "play", *args)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("trainer", ["backprop", "ga", "es"])
def test_the_same_setup_gives_byte_identical_json_metrics(tmp_path: Path, trainer: str) -> None:
    """Everything but the clock (seconds, epochs per second) is the same, byte for byte, run after run."""
    code = f"ap1:ds=circle;h=4;t={trainer};seed=5;ep=20"

    def metrics() -> str:
        result = json.loads(ok(annplay(tmp_path, "train", "--setup", code, "--json")).stdout)
        for clock in ("seconds", "epochs_per_second"):
            result.pop(clock)
        return json.dumps(result, sort_keys=True)

    assert metrics() == metrics()


def test_setting_flags_without_a_command_open_the_playground(monkeypatch):
    """`annplay --dataset xor` means `annplay play --dataset xor`, as a bare `annplay` means play."""
    import annplay.cli.play as play_module
    from annplay.cli import main

    seen = {}

    def fake_run(args):
        seen["dataset"] = getattr(args, "setting:dataset")
        return 0

    monkeypatch.setattr(play_module, "run", fake_run)
    assert main(["--dataset", "xor"]) == 0
    assert seen == {"dataset": "xor"}


def test_an_app_that_ended_in_an_error_gives_its_exit_code(monkeypatch) -> None:
    """A crash in the app (DuplicateIds, found by a QA probe) had ended `annplay play` with exit code 0."""
    import annplay.app

    def crashed(self, *args, **kwargs):
        self._return_code = 1                    # what Textual sets when an exception ended the app

    monkeypatch.setattr(annplay.app.PlaygroundApp, "run", crashed)
    monkeypatch.setattr(annplay.app, "watch_terminal", lambda app: None)
    assert annplay.app.run() == 1
