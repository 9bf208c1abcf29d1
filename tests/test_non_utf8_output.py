"""On an output that is not UTF-8 (PYTHONIOENCODING=ascii or latin-1, a Latin-1 terminal) the commands print,
with '?' for what the encoding lacks: ``--help``, ``settings``, ``datasets`` and ``lessons`` ended in a
UnicodeEncodeError traceback (≥, …, ·, ✓)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("argv", [["train", "--help"], ["settings"], ["datasets"], ["lessons"]])
def test_commands_print_on_a_narrow_encoding(tmp_path: Path, encoding: str, argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PYTHONIOENCODING"))}
    env.update(PYTHONIOENCODING=encoding, HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "annplay", *argv], capture_output=True, env=env, cwd=tmp_path,
                          timeout=120, stdin=subprocess.DEVNULL)
    err = proc.stderr.decode(encoding)
    assert proc.returncode == 0 and "Traceback" not in err, err[-1500:]
    out = proc.stdout.decode(encoding)
    assert out.strip() and ("?" in out or argv == ["datasets"] and encoding == "latin-1")
