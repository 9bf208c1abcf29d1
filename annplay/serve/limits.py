"""What a browser may send to ``annplay serve``, and the limits every session runs under (no aiohttp here).

textual-serve's own handler trusts its client: ``message.json()`` on anything, any resize, any ping. Every
message here is checked first: a frame over :data:`MAX_MESSAGE_BYTES` closes the socket (aiohttp's
``max_msg_size``), a malformed one is dropped, a resize is clamped to :data:`MAX_COLUMNS` × :data:`MAX_ROWS`.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_MESSAGE_BYTES = 64 * 1024       # one websocket frame: far more than any key press or paste a person makes
MAX_COLUMNS, MAX_ROWS = 400, 150    # a 4K screen at a small font; the app's memory grows with the cells
MIN_COLUMNS, MIN_ROWS = 10, 5
MAX_PING = 64                       # characters of a ping's payload echoed back
DEFAULT_MAX_SESSIONS = 40           # a class of 30, a few reloads and the teacher's own tab
DEFAULT_MEMORY_MB = 1024            # address space per session (RLIMIT_AS): a session uses about 150 MB
DEFAULT_FPS = 20                    # Textual draws at most this many frames a second per session (textual-serve: 60)
DEFAULT_FRAMES = 3                  # training frames a second per session (the app alone: 10); each frame costs a
                                    # session about 1% of a core, so 30 sessions fit on 2 cores (benchmarks/serve.py)
TRAIN_SHARE = 0.5                   # share of a core a session's training worker may use, even at pace "max"
SEND_BUFFER = 64 * 1024             # bytes the kernel may hold for a session's socket (SO_SNDBUF): a slow browser
                                    # slows its own session's drawing instead of queueing seconds of old frames
SESSION_NICE = 10                   # sessions run below the server, so the server stays responsive
DOWNLOAD_WAIT = 30                  # seconds a download waits for each chunk from its session (textual-serve: 4; a
                                    # busy class's session at nice 10 missed that, and the student got no file)
HEARTBEAT = 60.0                    # seconds between websocket pings; a dead connection is closed after 1.5× this
                                    # (textual-serve's 15 s closed live sessions of a busy class: pong late)
QUIT_GRACE = 3.0                    # seconds a session has to leave after "quit" before it is terminated
KILL_GRACE = 2.0                    # then seconds after SIGTERM before SIGKILL
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")   # a browser's session id (secrets.token_urlsafe(16) or longer)
TAB_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")       # a tab's id in its session storage (secrets.token_urlsafe(12))


@dataclass(frozen=True)
class Message:
    """One checked client message: ``kind`` is stdin, resize, ping, focus or blur."""

    kind: str
    text: str = ""
    width: int = 0
    height: int = 0


def clamp_size(width: Any, height: Any) -> tuple[int, int] | None:
    """A terminal size within the limits, or None when the values are not whole numbers."""
    try:
        if isinstance(width, bool) or isinstance(height, bool):
            return None
        w, h = int(width), int(height)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(max(w, MIN_COLUMNS), MAX_COLUMNS), min(max(h, MIN_ROWS), MAX_ROWS)


def size_from_query(width: str | None, height: str | None) -> tuple[int, int]:
    """The first size, from the websocket URL's ``width``/``height`` (80×24 when missing or bad)."""
    if width is None or height is None or len(width) > 6 or len(height) > 6:
        return 80, 24
    return clamp_size(width, height) or (80, 24)


def parse_message(raw: str) -> Message | None:
    """A text frame as a checked message; None for anything malformed or unknown (it is dropped)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return None
    try:
        envelope = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return None
    kind = envelope[0]
    data = envelope[1] if len(envelope) > 1 else None
    if kind == "stdin":
        return Message("stdin", data) if isinstance(data, str) and data else None
    if kind == "resize":
        if not isinstance(data, dict):
            return None
        size = clamp_size(data.get("width"), data.get("height"))
        return None if size is None else Message("resize", width=size[0], height=size[1])
    if kind == "ping":
        return Message("ping", data[:MAX_PING]) if isinstance(data, str) else None
    if kind in ("focus", "blur"):
        return Message(kind)
    return None


@dataclass
class Config:
    """How the class server runs (the CLI's flags)."""

    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = field(default_factory=lambda: secrets.token_urlsafe(24))   # None: --no-token (loopback)
    teacher_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    max_sessions: int = DEFAULT_MAX_SESSIONS
    memory_mb: int = DEFAULT_MEMORY_MB
    fps: int = DEFAULT_FPS
    frames: int = DEFAULT_FRAMES
    lesson: str | None = None        # a shipped lesson's number or the teacher's lesson file, for every session
    setup: str | None = None         # a share code or TF link, for every session
    state_dir: Path | None = None    # where session folders go (default: serve-sessions in the user data folder)
    title: str = "annplay"


__all__ = ["Config", "Message", "parse_message", "clamp_size", "size_from_query", "MAX_MESSAGE_BYTES", "MAX_COLUMNS",
           "MAX_ROWS", "DEFAULT_MAX_SESSIONS", "DEFAULT_MEMORY_MB", "DEFAULT_FPS", "DEFAULT_FRAMES", "TRAIN_SHARE",
           "SEND_BUFFER", "DOWNLOAD_WAIT", "SESSION_NICE", "QUIT_GRACE",
           "KILL_GRACE", "SESSION_ID", "TAB_ID"]
