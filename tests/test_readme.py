"""The README's examples work as written: its Python blocks, its ``annplay`` command lines, its test command."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TIMEOUT = 120


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}[ \t]*\n(.*?)^```", README, re.S | re.M)


PYTHON_BLOCKS = _blocks("python")
BASH_BLOCKS = _blocks("bash")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES"):
        env.pop(key, None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT)
    assert proc.returncode == 0, f"README block failed:\n{code}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


def _block_with(marker: str) -> str:
    found = [b for b in PYTHON_BLOCKS if marker in b]
    assert len(found) == 1, f"expected one README python block with {marker!r}, found {len(found)}"
    return found[0]


# ----------------------------------------------------------------------- python blocks


def test_readme_has_the_examples() -> None:
    assert len(PYTHON_BLOCKS) >= 4 and len(BASH_BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_every_python_block_runs_in_a_fresh_interpreter(index: int, tmp_path: Path) -> None:
    _run_python(PYTHON_BLOCKS[index], tmp_path)


def test_mlp_xor_block_output(tmp_path: Path) -> None:
    lines = _run_python(_block_with("XOR"), tmp_path).stdout.splitlines()
    assert lines[0].startswith("[0 1 1 0] "), lines          # it learns XOR
    assert 0 <= float(lines[0].split()[-1]) < 0.1              # with a small final loss
    assert lines[1].startswith("[[0. "), lines                 # first output after zeroing weights[0][0, 0]


def test_pyann_block_output(tmp_path: Path) -> None:
    out = _run_python(_block_with("pyann("), tmp_path).stdout
    assert len(re.findall(r"^epoch (500|1000|1500)\b", out, re.M)) == 3, out   # printfreq=500 over 1500 epochs
    acc = re.search(r"^test accuracy: ([0-9.]+)$", out, re.M)
    assert acc and 0.0 <= float(acc.group(1)) <= 1.0, out


def test_neuralnetwork_block_prints_what_its_comments_promise(tmp_path: Path) -> None:
    lines = _run_python(_block_with("nn.outputBias"), tmp_path).stdout.splitlines()
    assert lines[0] == "(2, 3) (3, 1)"
    value = float(re.sub(r"[\[\]]", " ", lines[1]).split()[0])
    assert value == pytest.approx(1 / (1 + np.exp(-2.0)), abs=5e-4)         # logistic(2) ≈ 0.881


def test_trainer_block_output_and_saved_model(tmp_path: Path) -> None:
    lines = _run_python(_block_with("net.save(\"circle.npz\")"), tmp_path).stdout.splitlines()
    assert [int(line.split()[0]) for line in lines] == [20, 40, 60, 80, 100]
    from annplay.engine.network import MLP
    net = MLP.load(tmp_path / "circle.npz")
    assert list(net.layers) == [2, 4, 1]


def test_evolution_block_trains_the_original_network_on_xor(tmp_path: Path) -> None:
    out = _run_python(_block_with("EvolutionTrainer("), tmp_path).stdout.strip()
    evaluations, outputs = out.split(" ", 1)
    assert int(evaluations) > 300 and outputs == "[0, 1, 1, 0]"


# ----------------------------------------------------------------------- annplay command lines

# Lines of the README's bash blocks that are not run here, and why.
SETUP_WORDS = ("pip", "venv", "pkg ", "pytest")
# Files the README's commands name as the reader's own: created here with fitting content.
READER_FILES = {
    "my.csv": "height,weight,species\n"
              + "".join(f"{150 + i},{50 + i},small\n" for i in range(0, 20, 2))
              + "".join(f"{175 + i},{75 + i},large\n" for i in range(0, 20, 2)),
}


def _command_lines() -> tuple[list[str], list[str]]:
    """(annplay command lines to run, lines skipped) from the README's bash blocks, in order."""
    run, skipped = [], []
    for block in BASH_BLOCKS:
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            words = shlex.split(line)
            interactive = words in (["annplay"], ["annplay", "play"]) or line.endswith("&& annplay")
            if words[0] != "annplay" or interactive or any(w in line for w in SETUP_WORDS):
                skipped.append(line)
            else:
                run.append(line)
    return run, skipped


def test_readme_command_lines_run_in_order(tmp_path: Path) -> None:
    commands, skipped = _command_lines()
    assert len(commands) >= 4, commands
    # only set-up lines and the interactive playground are skipped
    for line in skipped:
        assert any(w in line for w in SETUP_WORDS) or line.endswith("annplay"), line
    for name, content in READER_FILES.items():
        if name in README:
            (tmp_path / name).write_text(content)
    for line in commands:
        words = shlex.split(line)
        if "--data" in words:
            assert (tmp_path / words[words.index("--data") + 1]).is_file(), f"{line}: no file to read"
        proc = subprocess.run([sys.executable, "-m", *words], cwd=tmp_path, env=_env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT)
        assert proc.returncode == 0, f"{line}\nexit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, proc.stderr
        if words[1] == "train":
            assert "confusion matrix" in proc.stdout or "regression" in proc.stdout, proc.stdout
        if words[1] == "predict":
            assert "->" in proc.stdout, proc.stdout
        if "--save" in words:
            assert (tmp_path / words[words.index("--save") + 1]).is_file()


def test_readme_test_command_is_what_ci_runs() -> None:
    lines = [line.strip() for block in BASH_BLOCKS for line in block.splitlines() if "pytest" in line]
    assert lines == ['python3 -m venv .venv && . .venv/bin/activate && '
                     'python -m pip install -q -e ".[test,web]" && python -m pytest -q'], lines
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert lines[0] in ci, "the README's test command is not a line of .ci/run"
