"""Fuzzing the command line: any sub-command with any of its flags given hostile values (empty, huge, negative,
NaN/inf, full-width digits, control characters, Rich markup, 10,000 characters, paths that are folders, FIFOs,
symlink loops, devices, 1 GB sparse files, deep TOML, binary junk) ends with exit 0, 1, 2 or 3, never a
traceback; a refusal is one line naming what is wrong, with control characters shown visibly and no more than
700 characters; nothing is left half-written in the folder.

``ANNPLAY_FUZZ_LONG=1`` runs thousands of examples with fresh random seeds (see conftest.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annplay.cli import main
from annplay.cli.parser import build_parser

from .conftest import fuzz

HOSTILE_TEXT = ["", " ", "-1", "-0", "0", "1", "2", "nan", "-nan", "inf", "-inf", "1e308", "1e999", "9" * 10_000,
                "a" * 10_000, "１２", "٣", "1_0", "0x10", "+3", "3.", ".5", "1,2", "1,,2", ",", "2,2,2",
                "\x1b[31mred", "a\nb", "\r", "\x00", "\x07", "\u202e", "\ud800", "[bold red]x[/]", "[/]", "[link=x]",
                "é", "lr=", "=", "lr=1..0", "lr=0..1,log", "layers=", "nope=1", "lr=0.1|0.2", "x1,x2,x1x2,zz",
                "ap1:", "ap1:csv=/etc/passwd", "ap1:ds=xor;h=4", "https://playground.tensorflow.org/#dataset=xor&=",
                "../../etc/passwd", "/etc/shadow", "/dev/zero", "/dev/null", "/proc/self/mem", "/", "~root/x",
                "/nonexistent/dir/file.npz", "sqlite:////nonexistent/x.db", "tcp://127.0.0.1:1"]
FILES = ["dir", "fifo", "loop", "sparse.csv", "sparse.npz", "sparse.toml", "deep.toml", "binary.toml",
         "markup.toml", "hugeint.toml", "model_etc.toml", "junk.npz", "junk.csv", "new.npz", "new.json",
         "out/missing/x.json"]
COMMANDS = ["train", "sweep", "tune", "predict", "play", "datasets", "settings", "lessons", "serve"]
SMALL = {"train": ["--epochs", "2", "--points", "20"],
         "sweep": ["--epochs", "2", "--points", "20", "--vary", "lr=0.1,0.2", "--jobs", "1"],
         "tune": ["--epochs", "2", "--points", "20", "--search", "lr=0.01..1", "--budget", "12", "--jobs", "1",
                  "--no-plot"],
         "serve": ["--max-sessions", "0"]}          # always refused: a fuzzed serve never starts serving


def _flags() -> dict[str, list[argparse.Action]]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: [a for a in sub._actions if a.option_strings and a.option_strings[0] not in ("-h", "--help")]
            for name, sub in commands.choices.items()}


FLAGS = _flags()


def _files(folder: Path) -> None:
    """The hostile files the values name, made once per folder."""
    if (folder / "dir").exists():
        return
    (folder / "dir").mkdir()
    os.mkfifo(folder / "fifo")
    os.symlink("loop", folder / "loop")
    for name in ("sparse.csv", "sparse.npz", "sparse.toml"):
        with open(folder / name, "wb") as f:
            f.truncate(1 << 30)                       # claims 1 GB, takes no disk
    (folder / "deep.toml").write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    (folder / "binary.toml").write_bytes(bytes(range(256)) * 8)
    (folder / "markup.toml").write_text('[setup]\ndataset = "[bold red]x[/]"\n[lesson]\ntitle = "[/]\\u001b]0;x"\n')
    (folder / "hugeint.toml").write_text("[setup]\nepochs = 99999999999999999999999999\nlr = nan\n")
    (folder / "model_etc.toml").write_text('[setup]\ndataset = "xor"\n[model]\nfile = "/etc/passwd"\n')
    (folder / "junk.npz").write_bytes(b"PK\x03\x04" + os.urandom(200))
    (folder / "junk.csv").write_bytes(b"x1,x2,y\n\xff\xfe,1,a\n" + os.urandom(64))


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(COMMANDS))
    argv = [command]
    if command == "predict":
        argv.append(draw(st.sampled_from(["junk.npz", "sparse.npz", "dir", "fifo", "loop", "new.npz", "", "-x"])))
    argv += SMALL.get(command, [])
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(FLAGS[command]))
        argv.append(action.option_strings[-1] if draw(st.booleans()) else action.option_strings[0])
        if action.nargs != 0:
            argv.append(draw(st.one_of(st.sampled_from(HOSTILE_TEXT), st.sampled_from(FILES),
                                       st.text(max_size=12))))
    if command == "serve":
        argv += SMALL["serve"]
    return argv


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


@fuzz
@given(argv=argvs())
def test_any_flags_any_values_end_in_one_clear_line(argv: list[str], tmp_path_factory: pytest.TempPathFactory
                                                    ) -> None:
    folder = tmp_path_factory.getbasetemp() / "cli-fuzz"
    folder.mkdir(exist_ok=True)
    _files(folder)
    before = set(os.listdir(folder))
    here = os.getcwd()
    os.chdir(folder)                                  # contextlib.chdir is Python 3.11+
    try:
        code, err = _run(argv)
    finally:
        os.chdir(here)
    assert code in (0, 1, 2, 3), (argv, code, err[-2000:])
    assert "Traceback" not in err, (argv, err[-3000:])
    assert not any(ch in err for ch in "\x1b\x07\r\x00"), (argv, err[-500:])
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith(("note:", "weights:"))]
    if code == 2:
        assert len(lines) == 1 and ": error: " in lines[0] and len(lines[0]) <= 700, (argv, lines[:5])
    left = set(os.listdir(folder)) - before
    half = [name for name in left if name.startswith(".") or name.endswith((".tmp", ".part", "~"))]
    assert not half, (argv, half)
    for name in left:                                 # what a run wrote goes, so the next example starts clean
        path = folder / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
