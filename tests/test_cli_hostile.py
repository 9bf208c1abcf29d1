"""Hostile input to the command line (issue 12, items 6, 7, 11, 12): over-long and special save targets,
FIFOs that would block, and labels, column and class names full of terminal escapes and Rich markup.

Every case runs ``python -m annplay`` in a subprocess with no TTY; a hang fails by the timeout.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from annplay.engine.network import MLP

TIMEOUT = 60
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, sockets and /dev/null are POSIX")

ESC_LABEL = "\x1b]0;pwned\x07"            # an OSC sequence that would retitle the terminal
MARKUP_LABEL = "[/x]"                     # Rich raises MarkupError on a closing tag with nothing open
TRAIN = ("train", "--epochs", "2", "--points", "20")


def _env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES", "ANNPLAY_READY_FILE")}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(changes)
    return env


def annplay(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annplay", *args], cwd=cwd, env=env or _env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          errors="surrogateescape", timeout=TIMEOUT)


def refused(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """The one error line of a command that must exit 2; checks it names what it should."""
    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def no_raw_controls(text: str) -> None:
    """No escape, bell or other C0 control except newline reaches the terminal."""
    bad = sorted({hex(ord(c)) for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0})
    assert not bad, f"raw control characters {bad} in output:\n{text!r}"


# ----------------------------------------------------------------------- item 6: names over the OS limit


@posix_only
def test_save_name_over_the_limit_exits_2_with_one_line_before_training(tmp_path: Path) -> None:
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    for name in ("m" * (limit + 1) + ".npz", "d" * (limit + 1) + "/m.npz"):
        line = refused(annplay(tmp_path, *TRAIN, "--epochs", "10000000", "--save", name), "--save")
        assert len(line) < 400, "the over-long name is shortened in the message"
    assert not list(tmp_path.iterdir())


@posix_only
def test_save_path_over_path_max_exits_2(tmp_path: Path) -> None:
    name = "/".join(["d" * 200] * 30) + "/m.npz"
    refused(annplay(tmp_path, *TRAIN, "--save", name), "--save")


# ----------------------------------------------------------------------- item 7: special files, odd names


@posix_only
def test_save_onto_dev_null_is_refused_and_dev_null_stays(tmp_path: Path) -> None:
    refused(annplay(tmp_path, *TRAIN, "--save", "/dev/null"), "--save", "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@posix_only
def test_save_onto_a_fifo_or_socket_is_refused_and_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    refused(annplay(tmp_path, *TRAIN, "--save", "pipe.npz"), "--save", "FIFO")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    sock_path = tmp_path / "s.npz"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        refused(annplay(tmp_path, *TRAIN, "--save", "s.npz"), "--save", "socket")
        assert stat.S_ISSOCK(os.stat(sock_path).st_mode)


@pytest.mark.parametrize("name", ["", "model.npz/", ".", "..", "missing/"])
def test_empty_name_trailing_slash_and_folders_are_refused(tmp_path: Path, name: str) -> None:
    refused(annplay(tmp_path, *TRAIN, "--save", name), "--save")
    assert not list(tmp_path.iterdir())


@posix_only
def test_save_through_a_symlink_keeps_the_link_and_updates_its_model(tmp_path: Path) -> None:
    proc = annplay(tmp_path, *TRAIN, "--save", "real.npz", "--json")
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "link.npz").symlink_to("real.npz")
    before = (tmp_path / "real.npz").read_bytes()
    proc = annplay(tmp_path, *TRAIN, "--layers", "3", "--save", "link.npz", "--json")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "link.npz").is_symlink() and os.readlink(tmp_path / "link.npz") == "real.npz"
    assert (tmp_path / "real.npz").read_bytes() != before
    assert MLP.load(tmp_path / "real.npz").layers[1] == 3


@posix_only
def test_save_through_a_dangling_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dangling.npz").symlink_to("nowhere/m.npz")
    refused(annplay(tmp_path, *TRAIN, "--save", "dangling.npz"), "--save")
    assert (tmp_path / "dangling.npz").is_symlink() and not (tmp_path / "nowhere").exists()


# ----------------------------------------------------------------------- item 11: FIFOs never block


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("model")
    proc = annplay(d, "train", "--dataset", "circle", "--points", "40", "--epochs", "3", "--save", "m.npz", "--json")
    assert proc.returncode == 0, proc.stderr
    return d / "m.npz"


@posix_only
def test_predict_on_a_fifo_model_or_fifo_data_exits_2_at_once(tmp_path: Path, model: Path) -> None:
    os.mkfifo(tmp_path / "model.npz")
    os.mkfifo(tmp_path / "rows.csv")
    refused(annplay(tmp_path, "predict", "model.npz", "--point", "1,2"), "model.npz", "FIFO")
    refused(annplay(tmp_path, "predict", str(model), "--data", "rows.csv"), "--data", "rows.csv", "FIFO")


@posix_only
@pytest.mark.parametrize("command", ["train", "play", "sweep"])
def test_train_and_play_on_fifo_data_exit_2_at_once(tmp_path: Path, command: str) -> None:
    os.mkfifo(tmp_path / "rows.csv")
    refused(annplay(tmp_path, command, "--data", "rows.csv"), "--data", "rows.csv", "FIFO")


@posix_only
def test_predict_on_a_directory_or_device_exits_2(tmp_path: Path, model: Path) -> None:
    refused(annplay(tmp_path, "predict", str(tmp_path), "--point", "1,2"), "directory")
    refused(annplay(tmp_path, "predict", str(model), "--data", "/dev/null"), "--data")


# ----------------------------------------------------------------------- item 12: escapes and markup


@pytest.fixture()
def hostile_csv(tmp_path: Path) -> Path:
    rows = ["h\x1b[31m,w[bold],label"]
    for i in range(20):
        label = ESC_LABEL if i % 3 == 0 else MARKUP_LABEL if i % 3 == 1 else "[bold"
        rows.append(f"{i % 7},{(i * 3) % 5},{label}")
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_train_report_shows_hostile_labels_as_text(tmp_path: Path, hostile_csv: Path) -> None:
    proc = annplay(tmp_path, "train", "--data", hostile_csv.name, "--epochs", "3", "--save", "h.npz")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "MarkupError" not in proc.stderr
    no_raw_controls(proc.stdout)
    no_raw_controls(proc.stderr.replace("\r", ""))
    assert MARKUP_LABEL in proc.stdout and "[bold" in proc.stdout, "markup shown literally"
    assert "␛]0;pwned␇" in proc.stdout, "the escape is shown as visible control pictures"
    assert "confusion matrix" in proc.stdout and "model saved to h.npz" in proc.stdout


def test_train_report_in_a_colour_terminal_keeps_only_its_own_escapes(tmp_path: Path, hostile_csv: Path) -> None:
    env = _env(TTY_COMPATIBLE="1", COLUMNS="100", LINES="40", TERM="xterm-256color", COLORTERM="truecolor")
    proc = annplay(tmp_path, "train", "--data", hostile_csv.name, "--epochs", "3", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b]" not in proc.stdout and "\x07" not in proc.stdout, "no OSC sequence from the file"
    assert "␛]0;pwned␇" in proc.stdout, "the legend shows the class name with visible control pictures"
    assert MARKUP_LABEL in proc.stdout


def test_predict_shows_hostile_class_and_column_names_as_text(tmp_path: Path, hostile_csv: Path) -> None:
    proc = annplay(tmp_path, "train", "--data", hostile_csv.name, "--epochs", "3", "--save", "h.npz", "--json")
    assert proc.returncode == 0, proc.stderr
    names = MLP.load(tmp_path / "h.npz").meta["feature_names"]
    assert names == ["h\x1b[31m", "w[bold]"], "the model keeps the names as they are"
    text = annplay(tmp_path, "predict", "h.npz", "--point", "1,2")
    assert text.returncode == 0, text.stderr
    no_raw_controls(text.stdout)
    assert "h␛[31m=1" in text.stdout and "w[bold]=2" in text.stdout
    [raw] = json.loads(annplay(tmp_path, "predict", "h.npz", "--point", "1,2", "--json").stdout)
    assert raw["class"] in (ESC_LABEL, MARKUP_LABEL, "[bold"), "JSON keeps the exact value (escaped by JSON)"
    line = refused(annplay(tmp_path, "predict", "h.npz", "--point", "1"), "--point", "h␛[31m, w[bold]")
    no_raw_controls(line)


def test_error_lines_quoting_hostile_names_stay_one_visible_line(tmp_path: Path, hostile_csv: Path) -> None:
    line = refused(annplay(tmp_path, "train", "--data", hostile_csv.name, "--x", "nope\x1b]0;x\x07,[/y]"),
                   "nope", "h␛[31m, w[bold]")
    no_raw_controls(line)
    line = refused(annplay(tmp_path, "train", "--data", "gone\x1b]2;t\x07\n.csv"), "--data", "gone")
    no_raw_controls(line)
    line = refused(annplay(tmp_path, "train", "--bogus\x1b[2J"), "--bogus")
    no_raw_controls(line)
