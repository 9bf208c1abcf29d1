"""Killing terminals at random moments: start ``annplay`` on a pty that is its controlling terminal (as a terminal
emulator does), close the pty after a delay (the terminal window is closed), and see which processes remain.

Used by tests/test_serve_orphans.py and benchmarks/serve.py (the orphan count before and after a change).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path


def start_on_pty(argv: list[str], env: dict[str, str], cwd: Path, *,
                 controlling: bool = True) -> tuple[subprocess.Popen[bytes], int]:
    """``argv`` on a new 100×30 pty; (process, the pty's master fd). ``controlling``: the pty becomes its
    controlling terminal, as in a terminal emulator (closing it sends SIGHUP); otherwise closing it sends nothing
    (a pty handed over by a program, as a probe or an IDE does)."""
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))

    def make_controlling() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(argv, stdin=child, stdout=child, stderr=child, env=env, cwd=cwd, start_new_session=True,
                            preexec_fn=make_controlling if controlling else None)
    os.close(child)
    return proc, main


def drain(fd: int, seconds: float) -> bytes:
    """Read what the app writes for ``seconds`` (the terminal keeps up with it)."""
    got = bytearray()
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.1))
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    return bytes(got)


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_terminal(argv: list[str], env: dict[str, str], cwd: Path, delay: float, *, train: bool,
                  controlling: bool = True) -> int:
    """Start ``argv`` on a pty, close the pty after ``delay`` s (pressing space first when ``train``); its pid."""
    proc, fd = start_on_pty(argv, env, cwd, controlling=controlling)
    if train:
        drain(fd, delay / 2)
        with contextlib.suppress(OSError):
            os.write(fd, b" ")
        drain(fd, delay / 2)
    else:
        drain(fd, delay)
    os.close(fd)                                    # the terminal window goes: SIGHUP, then EIO on every write
    return proc.pid


def reap(pids: list[int], seconds: float) -> list[int]:
    """Wait up to ``seconds`` for the processes to end (reaping them); those still alive then."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for pid in pids:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
        if not any(alive(pid) for pid in pids):
            return []
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
    return [pid for pid in pids if alive(pid)]


def end_all(pids: list[int]) -> None:
    """SIGKILL what is left (the test's clean-up)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, 0)


def app_argv() -> list[str]:
    return [sys.executable, "-m", "annplay"]
