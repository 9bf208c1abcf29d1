"""SIGTERM and SIGHUP restore the terminal: the app leaves the alternate screen and turns mouse reporting off."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

ALT_SCREEN_ON, ALT_SCREEN_OFF = b"\x1b[?1049h", b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"
DRAWN = b"epoch 0"                  # the stats panel, drawn with the first frame
DEADLINE = 60.0                     # a bound against hanging, not a timing assertion


def _read_until(fd: int, proc: subprocess.Popen[bytes], done: Callable[[bytes], bool], got: bytearray) -> None:
    """Read the pty into got until done(got) or the process ends (bounded by DEADLINE)."""
    end = time.monotonic() + DEADLINE
    while not done(bytes(got)) and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:         # EIO: the child closed its side
                return
            if not chunk:
                return
            got += chunk
        elif proc.poll() is not None:
            return


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT],
                         ids=["SIGTERM", "SIGHUP", "SIGQUIT"])
def test_signal_restores_the_terminal(number: int) -> None:
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))     # 100×30 cells
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("TEXTUAL", None)
    proc = subprocess.Popen([sys.executable, "-m", "annplay"], stdin=child, stdout=child, stderr=child,
                            env=env, start_new_session=True)
    os.close(child)
    got = bytearray()
    try:
        _read_until(main, proc, lambda data: ALT_SCREEN_ON in data and DRAWN in data, got)
        assert ALT_SCREEN_ON in got and DRAWN in got, f"the screen was not drawn: {bytes(got[-300:])!r}"
        proc.send_signal(number)
        _read_until(main, proc, lambda data: proc.poll() is not None, got)
        proc.wait(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    after = bytes(got[got.rfind(DRAWN):])
    assert ALT_SCREEN_OFF in after, f"still in the alternate screen: {after[-300:]!r}"
    assert MOUSE_OFF in after, f"mouse reporting left on: {after[-300:]!r}"
    tail = after[after.rfind(ALT_SCREEN_OFF):]
    assert ALT_SCREEN_ON not in tail
