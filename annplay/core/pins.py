"""Pinned runs: a run's set-up, loss curves and results, kept in the user's data folder to compare later.

No Textual here.  The file is JSON under ``platformdirs.user_data_dir("annplay")`` (``$XDG_DATA_HOME/annplay``
on Linux), written atomically.  Adding and clearing happen under an exclusive lock (``pins.json.lock``, ``fcntl``),
so two apps pinning at once lose no pin.  Nothing is dropped silently: a pin this version cannot read (a newer
annplay's) is kept as it is in the file, and a file that cannot be read at all is kept beside it as
``pins.json.damaged-N`` before a new one is started; each is said in one line.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir

from annplay.engine.safefile import atomic_write_bytes
from annplay.engine.settings import SETTINGS
from annplay.engine.setup import Setup
from annplay.engine.setupfile import setup_from_section, setup_section

if TYPE_CHECKING:
    from annplay.core.session import Session

FORMAT = "annplay-pins"
VERSION = 1
MAX_PINS = 50                 # the oldest pins go beyond this
MAX_FILE_BYTES = 4 << 20
CURVE_POINTS = 120            # values kept per pinned loss curve, at most …
MIN_CURVE_POINTS = 64         # … and at least (resampled), however fast the run was


@dataclass(frozen=True)
class Pin:
    """One pinned run: what it was set up as and what it reached."""

    setup: Setup
    curves: tuple[tuple[float, ...], tuple[float, ...]]   # train and test loss (best and mean fitness for GA/ES)
    final: dict[str, float | None]                        # test_loss, test_acc, train_loss, train_acc at the end
    best: dict[str, float]                                # best test_loss and test_acc seen
    epochs: int
    seconds: float
    state: str = "paused"
    hidden: frozenset[str] = field(default_factory=frozenset)
    pinned_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """JSON-safe data (the set-up as a set-up file's section)."""
        return {"setup": setup_section(self.setup), "curves": [list(c) for c in self.curves],
                "final": dict(self.final), "best": dict(self.best), "epochs": self.epochs, "seconds": self.seconds,
                "state": self.state, "hidden": sorted(self.hidden), "pinned_at": self.pinned_at}

    @classmethod
    def from_json(cls, data: Any, where: str) -> Pin:
        """A pin from :meth:`to_json` data; ValueError names what is wrong."""
        if not isinstance(data, dict):
            raise ValueError(f"{where}: a pin must be an object")
        try:
            curves = tuple(tuple(float(v) for v in c) for c in data["curves"])
            return cls(setup=setup_from_section(data["setup"], where),
                       curves=(curves[0], curves[1]),
                       final={str(k): None if v is None else float(v) for k, v in dict(data["final"]).items()},
                       best={str(k): float(v) for k, v in dict(data["best"]).items()},
                       epochs=int(data["epochs"]), seconds=float(data["seconds"]), state=str(data.get("state", "")),
                       hidden=frozenset(str(h) for h in data.get("hidden", ())),
                       pinned_at=float(data.get("pinned_at", 0.0)))
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise ValueError(f"{where}: not a pinned run ({error})") from None


def pins_path() -> Path:
    """Where pins are kept: the user's data folder (honours $XDG_DATA_HOME)."""
    return Path(user_data_dir("annplay", appauthor=False)) / "pins.json"


def _read(path: Path) -> tuple[list[Any], str, bool]:
    """The file's raw pin entries, a one-line problem ('' when fine) and whether the whole file is unreadable."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], f"{path}: too large to be a pins file; not read", True
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [], "", False
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        return [], f"{path}: could not read the pinned runs ({getattr(error, 'strerror', None) or error})", True
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("pins"), list):
        return [], f"{path}: not an annplay pins file; not read", True
    return list(data["pins"]), "", False


def _parse(items: Sequence[Any], path: Path) -> tuple[list[Pin], str]:
    """The pins among the raw entries that this version can read, and a line about the others ('' if none)."""
    pins, unread = [], []
    for i, item in enumerate(items):
        try:
            pins.append(Pin.from_json(item, f"{path}: pin {i + 1}"))
        except ValueError as error:
            unread.append(str(error))
    if not unread:
        return pins, ""
    more = f" (and {len(unread) - 1} more)" if len(unread) > 1 else ""
    return pins, f"{unread[0]}{more}; kept in the file as it is"


def load_pins(path: Path | None = None) -> tuple[list[Pin], str]:
    """The pinned runs this version can read, oldest first, and a one-line problem ('' when fine)."""
    path = path or pins_path()
    items, problem, _damaged = _read(path)
    pins, unread = _parse(items, path)
    return pins, problem or unread


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``PATH.lock`` for a read-change-write of the pins file (no lock where fcntl is missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:                                  # pragma: no cover - Windows: no lock
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _write(items: Sequence[Any], path: Path) -> Path:
    data = {"format": FORMAT, "version": VERSION, "pins": list(items)[-MAX_PINS:]}
    return atomic_write_bytes(path, json.dumps(data, indent=1).encode("utf-8"), what="pins")


def save_pins(pins: Sequence[Pin], path: Path | None = None) -> Path:
    """Write the pins atomically (the newest MAX_PINS); OSError/ValueError say why not."""
    path = path or pins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return _write([p.to_json() for p in pins], path)


def _keep_damaged(path: Path) -> Path:
    """Copy an unreadable pins file to ``pins.json.damaged-N`` (a new N) before a new file replaces it."""
    n = 1
    while path.with_name(f"{path.name}.damaged-{n}").exists():
        n += 1
    kept = path.with_name(f"{path.name}.damaged-{n}")
    shutil.copy2(path, kept)
    return kept


def pin_run(pin: Pin, path: Path | None = None) -> tuple[list[Pin], str]:
    """Add a pin under the lock; the pins readable now, and a line about what was kept aside ('' when nothing).

    Pins this version cannot read stay in the file; an unreadable file is first kept as ``pins.json.damaged-N``."""
    path = path or pins_path()
    with _locked(path):
        items, problem, damaged = _read(path)
        note = ""
        if damaged:
            if path.exists():
                kept = _keep_damaged(path)
                note = f"{problem}; kept as {kept.name}, a new pins file started"
            items = []
        items.append(pin.to_json())
        _write(items, path)
        pins, unread = _parse(items[-MAX_PINS:], path)
    return pins, note or unread


def add_pin(pin: Pin, path: Path | None = None) -> list[Pin]:
    """Add a pin to the stored ones and return the readable ones (see :func:`pin_run`, which also says what was
    kept aside)."""
    return pin_run(pin, path)[0]


def clear_pins(path: Path | None = None) -> None:
    """Forget every pinned run (under the lock)."""
    path = path or pins_path()
    with _locked(path), contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _thin(curve: Sequence[float]) -> tuple[float, ...]:
    """The curve resampled to between MIN_CURVE_POINTS and CURVE_POINTS values over its whole length, first and
    last kept: a fast run's few frames are joined by straight lines, a long run's many are averaged in buckets."""
    values = [float(v) for v in curve if math.isfinite(v)]
    n = len(values)
    if n < 2 or MIN_CURVE_POINTS <= n <= CURVE_POINTS:
        return tuple(values)
    if n < MIN_CURVE_POINTS:
        at = [i * (n - 1) / (MIN_CURVE_POINTS - 1) for i in range(MIN_CURVE_POINTS)]
        return tuple(values[int(x)] + (values[min(n - 1, int(x) + 1)] - values[int(x)]) * (x - int(x)) for x in at)
    edges = [round(i * (n - 2) / (CURVE_POINTS - 2)) + 1 for i in range(CURVE_POINTS - 1)]
    middle = [sum(values[a:b]) / (b - a) for a, b in zip(edges, edges[1:], strict=False)]
    return (values[0], *middle, values[-1])


def pin_of(session: Session) -> Pin:
    """The session's run now, as a pin."""
    with session.lock:
        m = session.trainer.metrics()
        session.record.note_best(m)
        final = {"train_loss": _finite(m.train_loss), "test_loss": _finite(m.test_loss),
                 "train_acc": _finite(m.train_acc), "test_acc": _finite(m.test_acc)}
        return Pin(session.setup, (_thin(session.history[0]), _thin(session.history[1])), final, dict(session.best),
                   session.epoch, round(session.seconds, 3), session.state(), session.hidden, time.time())


def differences(setup: Setup, live: Setup) -> list[str]:
    """How a set-up differs from the live one in the app's words: 'Batch 5 (live 10)' (the control's label and
    shown value, from the settings table, not the CLI name 'batch_size')."""
    return [f"{SETTINGS[name].labelled(setup[name])} (live {SETTINGS[name].show(live[name])})"
            for name in setup if setup[name] != live[name]]
