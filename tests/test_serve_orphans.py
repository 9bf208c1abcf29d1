"""Killing the terminal at random moments, during start-up and while training, leaves no annplay process
(issue 16: 14 of 27 stayed alive, stuck in Textual's shutdown writing to a terminal that was gone)."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pytest
from killkit import app_argv, end_all, kill_terminal, reap

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux ptys and /proc")

BOUND = 30.0          # generous: the issue asks for 5 s, which benchmarks/serve.py measures (no timing in tests)


def test_no_process_outlives_its_killed_terminal(tmp_path: Path) -> None:
    rng = random.Random(16)
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("TEXTUAL", None)
    pids = []
    try:
        for n in range(12):          # start-up (0.6–1 s: where the probe lost most) and training; SIGHUP or none
            delay = rng.uniform(0.6, 1.0) if n % 3 else rng.uniform(1.5, 3.0)
            pids.append(kill_terminal(app_argv(), env, tmp_path, delay, train=n % 3 == 0, controlling=n % 2 == 0))
        left = reap(pids, BOUND)
        assert not left, f"{len(left)} of {len(pids)} annplay processes outlived their terminal: {left}"
    finally:
        end_all(pids)
