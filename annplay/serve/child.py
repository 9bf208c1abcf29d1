"""One browser session's process under ``annplay serve``: the playground, confined to the session's folder.

The server starts it (``python -m annplay.serve.child``) with the session's folder as its working directory and
these environment variables (the server sets them; a browser cannot):

- ``ANNPLAY_SESSION_FOLDER``: this tab's own folder (``tab-N`` in its student's folder). Saves and opens stay in
  its ``files/`` sub-folder (:class:`annplay.core.filepolicy.FilePolicy`, every saved file becomes a browser
  download). Pins and preferences are the student's (``XDG_DATA_HOME``/``XDG_CONFIG_HOME`` point into the
  student's folder), shared by the student's tabs and by nobody else.
- ``ANNPLAY_SETUP``: a share code or TF link to open (the class link's ``?setup=`` or ``--setup``); never a file.
- ``ANNPLAY_LESSON``: a shipped lesson's number (``?lesson=``), or the teacher's ``--lesson FILE`` path.
- ``ANNPLAY_FRAMES``, ``ANNPLAY_TRAIN_SHARE``: training frames a second, and the share of a core the training
  worker may use (:func:`pace_for_class`), so that a class shares the server's cores fairly.

Every few seconds the session writes ``status.json`` in its tab's folder (lesson, goal, epoch, test loss, the doctor's
findings, the set-up's share code) and, when the student drew points, ``drawing.npy``: the teacher's page reads the
status, and a reload of the page reopens that set-up, lesson and drawing. The process ends when the server goes
(Linux: ``PR_SET_PDEATHSIG``; elsewhere a watchdog thread).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annplay.app import PlaygroundApp, watch_terminal
from annplay.core.filepolicy import FilePolicy, use
from annplay.engine.safefile import atomic_write_bytes
from annplay.engine.setup import Setup

ENV_FOLDER = "ANNPLAY_SESSION_FOLDER"
ENV_SETUP = "ANNPLAY_SETUP"
ENV_LESSON = "ANNPLAY_LESSON"
ENV_FRAMES = "ANNPLAY_FRAMES"
ENV_SHARE = "ANNPLAY_TRAIN_SHARE"
FILES = "files"                     # the sub-folder a student's saves go to (and opens read from)
STATUS = "status.json"
DRAWING = "drawing.npy"             # the tab's drawn points (x1, x2, class rows), for a reload to reopen
MAX_DRAWING = 1_000_000             # rows a reload reads back: the most points a data set has
STATUS_EVERY = 2.0                  # seconds between status writes
ORPHAN_GRACE = 3.0                  # seconds a session has to leave after its server is gone, then it is ended


def die_with_parent() -> None:
    """Ask Linux to send SIGTERM when the server dies (no-op elsewhere; the watchdog covers it)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)        # PR_SET_PDEATHSIG = 1


def watch_parent(app: PlaygroundApp, parent: int) -> None:
    """A daemon thread: once the server is gone, leave like q; if that hangs, end the process."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        with contextlib.suppress(Exception):
            app.call_from_thread(app.leave)
        time.sleep(ORPHAN_GRACE)
        os._exit(0)

    threading.Thread(target=watch, name="annplay-parent-watch", daemon=True).start()


def read_status(folder: Path) -> dict[str, Any]:
    """The session's last status (empty when there is none or it cannot be read)."""
    try:
        with (folder / STATUS).open("rb") as f:
            data = json.loads(f.read(64 * 1024))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_drawing(folder: Path, drawn: tuple[tuple[float, float, float], ...] | None) -> None:
    """Keep the tab's drawing beside its status (atomically), or remove it when the tab trains on a data set."""
    import io

    import numpy as np

    if drawn is None:
        with contextlib.suppress(FileNotFoundError):
            (folder / DRAWING).unlink()
        return
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(drawn, dtype=np.float64).reshape(-1, 3), allow_pickle=False)
    atomic_write_bytes(folder / DRAWING, buffer.getvalue(), what="drawing")


def read_drawing(folder: Path) -> tuple[tuple[float, float, float], ...] | None:
    """The drawing a reload reopens: rows of finite (x1, x2, class), else None (none kept, or not readable)."""
    import numpy as np

    from annplay.engine.safefile import check_regular_file

    path = folder / DRAWING
    try:
        if path.is_symlink() or check_regular_file(path).stat().st_size > 24 * MAX_DRAWING + 4096:
            return None                                         # sizes checked before reading: rows of 3 doubles
        points = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if (points.dtype != np.float64 or points.ndim != 2 or points.shape[1] != 3 or not 0 < len(points) <= MAX_DRAWING
            or not np.all(np.isfinite(points)) or np.any(points[:, 2] != np.round(points[:, 2]))
            or np.any(points[:, 2] < 0)):
        return None
    return tuple((float(a), float(b), float(c)) for a, b, c in points)


def start_point(env: dict[str, str], folder: Path) -> tuple[Setup | None, set[str], Any, list[str]]:
    """(set-up, hidden controls, lesson, notes) to open with: the class link's or the server's choice, else where
    this browser session was before a reload; a bad choice is a note and the default set-up (the drawing a
    reload reopens: :func:`read_drawing`)."""
    from annplay.core.lessons import LessonError, load_lesson
    from annplay.engine.setupfile import resolve_text

    notes: list[str] = []
    status = {} if (env.get(ENV_SETUP) or env.get(ENV_LESSON)) else read_status(folder)
    lesson_key = env.get(ENV_LESSON) or (str(status["lesson"]) if isinstance(status.get("lesson"), int) else "")
    setup_text = env.get(ENV_SETUP) or (status.get("setup") if isinstance(status.get("setup"), str) else "")
    setup: Setup | None = None
    hidden: set[str] = set()
    lesson = None
    if lesson_key:
        try:
            lesson = load_lesson(int(lesson_key) if lesson_key.isdigit() else lesson_key)
            setup = lesson.setup
        except (LessonError, ValueError, OSError) as error:
            notes.append(f"lesson not opened: {error}")
    if setup_text:
        try:
            setup, warnings, hidden = resolve_text(setup_text)
            notes += warnings
        except ValueError as error:
            notes.append(f"set-up not opened: {error}")
    return setup, hidden, lesson, notes


Drawing = tuple[tuple[float, float, float], ...]


def reload_drawing(env: dict[str, str], folder: Path, setup: Setup | None) -> Drawing | None:
    """The drawing to reopen: the tab's own when :func:`start_point` reopened its kept set-up (a reload without
    a class link), else None."""
    from annplay.engine.sharecode import encode

    if env.get(ENV_SETUP) or env.get(ENV_LESSON) or setup is None:
        return None
    status = read_status(folder)
    if not status.get("drawn") or status.get("setup") != encode(setup, files=False):
        return None
    return read_drawing(folder)


class SessionApp(PlaygroundApp):
    """The playground as one browser session: writes its status for the teacher and for a reload."""

    def __init__(self, folder: Path, setup: Setup | None = None, *, hidden: Iterable[str] = (), lesson: Any = None,
                 notes: Iterable[str] = (), drawn: tuple[tuple[float, float, float], ...] | None = None) -> None:
        super().__init__(setup, hidden=hidden, lesson=lesson, drawn=drawn)
        self.folder = folder
        self.notes = list(notes)
        self._drawing_kept: Any = drawn               # the drawing last written (identity: written once a change)

    def on_mount(self) -> None:
        """After PlaygroundApp's own on_mount (Textual runs each class's handler: no super() call here)."""
        self.set_interval(STATUS_EVERY, self.write_status)
        for note in self.notes:
            self.notify(note, title="Note", severity="warning", markup=False)

    def status(self) -> dict[str, Any]:
        """What the teacher's page shows for this session, and what a reload reopens."""
        from annplay.core.lessons import goal_status
        from annplay.engine.sharecode import encode

        screen = self._playground()
        if screen is None:
            return {}
        session = screen.session
        metrics = session.metrics()
        flow = getattr(screen, "lessons", None)          # the playground's lesson feature (LessonFlow)
        lesson = getattr(flow, "lesson", None) if flow is not None else getattr(screen, "lesson", None)
        goal = ""
        if lesson is not None:
            with contextlib.suppress(Exception):
                passed, text = goal_status(lesson, session.setup, metrics, session.tampered)
                goal = ("passed: " if passed else "") + text
        loss = metrics.test_loss if metrics.test_loss is not None else metrics.train_loss
        return {"time": time.time(), "lesson": getattr(lesson, "number", None),
                "lesson_title": getattr(lesson, "title", None), "goal": goal, "epoch": session.epoch,
                "state": session.state(), "test_loss": loss if loss is not None and math.isfinite(loss) else None,
                "findings": findings(session), "setup": encode(session.setup, files=False)}

    def write_status(self) -> None:
        """Write status.json (atomically; a full disk only skips a beat)."""
        with contextlib.suppress(OSError, ValueError):
            data = self.status()
            screen = self._playground()
            if data and screen is not None:
                drawn = screen.session.drawn
                if drawn is not self._drawing_kept:
                    write_drawing(self.folder, drawn)
                    self._drawing_kept = drawn
                data["drawn"] = len(drawn) if drawn is not None else 0
                atomic_write_bytes(self.folder / STATUS, json.dumps(data).encode("utf-8"), what="status")

    def _playground(self) -> Any:
        """The session's playground screen (under any dialog or view), None before it is pushed."""
        from annplay.screens.playground import PlaygroundScreen

        return next((s for s in self.screen_stack if isinstance(s, PlaygroundScreen)), None)

    def leave(self) -> None:
        self.write_status()
        super().leave()


def findings(session: Any) -> list[str]:
    """The doctor's findings on the session's run (``Session.diagnosis``, issue 15), or [] where there is none."""
    diagnosis = getattr(session, "diagnosis", None)
    if not callable(diagnosis):
        return []
    try:
        found = list(diagnosis())
    except Exception:                                   # the doctor's view is optional: never stop a session
        return []
    out = []
    for finding in found[:5]:
        severity, message = getattr(finding, "severity", ""), getattr(finding, "message", None) or str(finding)
        out.append((f"{severity}: " if severity else "") + str(message)[:160])
    return out


def pace_for_class(env: dict[str, str]) -> tuple[int, float]:
    """Fewer training frames a second, and a training worker that rests to stay within its share of a core, at any
    pace ("max" too): a class of sessions shares the server's cores. Values the server did not set (or bad ones)
    leave the app's own (10 frames, no rest). Returns (frames, share) in force."""
    from annplay.core import session
    from annplay.screens import run_controls

    def number(name: str, low: float, high: float) -> float | None:
        try:
            value = float(env.get(name, ""))
        except ValueError:
            return None
        return value if low <= value <= high else None

    frames = number(ENV_FRAMES, 1, 10)
    if frames is not None:
        run_controls.MAX_FRAMES_PER_SECOND = int(frames)
        session.FRAME_SECONDS = 1 / int(frames)
    share = number(ENV_SHARE, 0.05, 1.0)
    if share is not None:
        run_controls.MAX_BUSY = share
    return run_controls.MAX_FRAMES_PER_SECOND, run_controls.MAX_BUSY


def main() -> None:
    """Run one session (the server's command)."""
    die_with_parent()
    parent = os.getppid()
    folder = Path(os.environ.get(ENV_FOLDER) or os.getcwd())
    files = folder / FILES
    files.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    setup, hidden, lesson, notes = start_point(env, folder)
    pace_for_class(env)
    app = SessionApp(folder, setup, hidden=hidden, lesson=lesson, notes=notes,
                     drawn=reload_drawing(env, folder, setup))
    use(FilePolicy(folder=files, deliver=lambda path: app.deliver_binary(path)))
    watch_parent(app, parent)
    watch_terminal(app)                                  # the server's pipe closing ends the session too
    app.run()


if __name__ == "__main__":
    main()
