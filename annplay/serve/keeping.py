"""How long ``annplay serve`` keeps a browser session's folder, and how much it may hold (no aiohttp here).

Session folders live under the server user's data folder (:func:`default_state_dir`), one per browser session id
(one student: every tab of one browser shares it), so a student's pins, preferences, files and place in a lesson
survive a page reload and a server restart. Inside, each of the student's tabs open at once has its own place,
``tab-1``, ``tab-2``, … (:func:`tab_folder`: its ``status.json`` and its saved ``files/``), so two tabs never write
over each other's status or saves. They are tidied when the server starts and every :data:`TIDY_EVERY` seconds
while it runs:

- a folder unused for :data:`KEEP_DAYS` days is removed (its time is the newest modification time of the folder
  and its tab folders, which a live session renews every few seconds with its status);
- a student's saved files (every tab's ``files/``) keep the newest within :data:`FILES_CAP_MB` (older saves were
  downloads already);
- all folders together stay within :data:`TOTAL_CAP_MB`: the least recently used go first.

Live sessions are never touched. Only entries named like a session id are considered; symlinks are never followed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from annplay.serve.limits import SESSION_ID

KEEP_DAYS = 14                  # a fortnight: a class that meets weekly finds its work after a missed lesson
FILES_CAP_MB = 20               # a session's saved files (screenshots, weights, set-ups) kept on the server
TOTAL_CAP_MB = 2048             # every session folder together
FILE_MB = 16                    # the largest single file a session may write (RLIMIT_FSIZE: a full network's .npz
                                # is a few MB at annplay's size cap)
TIDY_EVERY = 600.0              # seconds between tidy-ups while serving
FILES = "files"
STATUS = "status.json"
TAB = re.compile(r"^tab-[1-9][0-9]{0,3}$")     # a tab's own folder inside a student's folder


def default_state_dir() -> Path:
    """Where session folders are kept: ``serve-sessions`` in the user's data folder (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("annplay", appauthor=False)) / "serve-sessions"


def _files(folder: Path) -> list[tuple[float, int, Path]]:
    """(modification time, size, path) of every file under ``folder``; symlinks are not followed and count 0 bytes,
    as do other non-regular files; unreadable entries are left out."""
    found: list[tuple[float, int, Path]] = []
    for root, _dirs, names in os.walk(folder, followlinks=False):
        for name in names:
            path = Path(root) / name
            with contextlib.suppress(OSError):
                info = os.lstat(path)
                found.append((info.st_mtime, info.st_size if stat.S_ISREG(info.st_mode) else 0, path))
    return found


def tree_size(folder: Path) -> int:
    """Bytes in the regular files under ``folder`` (symlinks not followed; unreadable entries count 0)."""
    return sum(size for _, size, _ in _files(folder))


def tab_folder(student: Path, slot: int) -> Path:
    """The folder of a student's tab number ``slot`` (1, 2, …): its status and its saved files."""
    return student / f"tab-{int(slot)}"


def tab_folders(student: Path) -> list[Path]:
    """The tab folders inside a student's folder (real folders named ``tab-N`` only; symlinks are never followed)."""
    try:
        entries = list(os.scandir(student))
    except OSError:
        return []
    found = []
    for entry in entries:
        with contextlib.suppress(OSError):
            if TAB.match(entry.name) and entry.is_dir(follow_symlinks=False):
                found.append(Path(entry.path))
    return sorted(found)


def prepare_tab(student: Path, slot: int) -> Path:
    """A student's tab folder and its ``files/`` (OSError ELOOP for a symlink in their place), marked as used now.
    Tab 1 takes over what an older annplay kept in the student's folder itself (its status and files)."""
    tab = tab_folder(student, slot)
    if tab.is_symlink():
        raise OSError(errno.ELOOP, "a symlink where a tab's folder belongs")
    if slot == 1 and not tab.exists():
        tab.mkdir(mode=0o700)
        for name in (STATUS, FILES):
            old = student / name
            if old.exists() and not old.is_symlink():
                with contextlib.suppress(OSError):
                    old.rename(tab / name)
    tab.mkdir(mode=0o700, exist_ok=True)
    if (tab / FILES).is_symlink():
        raise OSError(errno.ELOOP, "a symlink where a tab's files belong")
    (tab / FILES).mkdir(mode=0o700, exist_ok=True)
    os.utime(tab)
    return tab


def last_used(folder: Path) -> float:
    """When a student's folder was last used: the newest modification time of it and its tab folders (each live
    tab renews its own with its status); 0 when none can be read."""
    times = [0.0]
    for path in (folder, *tab_folders(folder)):
        with contextlib.suppress(OSError):
            times.append(os.lstat(path).st_mtime)
    return max(times)


def trim_files(folder: Path, cap_bytes: int = FILES_CAP_MB << 20) -> list[Path]:
    """Remove the oldest regular files of a student's saved files (every tab's ``files/``, and ``files/`` of an
    older annplay) until the rest fit in ``cap_bytes``; what was removed."""
    found = []
    for files in (folder / FILES, *(tab / FILES for tab in tab_folders(folder))):
        if not files.is_symlink() and files.is_dir():
            found += _files(files)
    total = sum(size for _, size, _ in found)
    removed = []
    for _, size, path in sorted(found, key=lambda item: (item[0], str(item[2]))):
        if total <= cap_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
            removed.append(path)
    return removed


@dataclass
class Tidied:
    """What a tidy-up removed: whole session folders (expired or over the total cap) and trimmed files."""

    expired: int = 0
    over_cap: int = 0
    files: int = 0


def tidy(state_dir: Path, live: Collection[str] = (), *, now: float | None = None, keep_days: float = KEEP_DAYS,
         files_cap_mb: float = FILES_CAP_MB, total_cap_mb: float = TOTAL_CAP_MB) -> Tidied:
    """Apply the keeping policy to every session folder in ``state_dir`` except the ``live`` session ids."""
    now = time.time() if now is None else now
    done = Tidied()
    try:
        entries = list(os.scandir(state_dir))
    except OSError:
        return done
    kept: list[tuple[float, int, Path]] = []
    for entry in entries:
        if not SESSION_ID.match(entry.name) or entry.name in live:
            continue
        with contextlib.suppress(OSError):
            if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
                continue
        folder = Path(entry.path)
        used = last_used(folder)
        if now - used > keep_days * 86400:
            shutil.rmtree(folder, ignore_errors=True)
            done.expired += 1
            continue
        done.files += len(trim_files(folder, int(files_cap_mb * (1 << 20))))
        os.utime(folder, (used, used), follow_symlinks=False)           # trimming is not a use
        kept.append((used, tree_size(folder), folder))
    total = sum(size for _, size, _ in kept)
    live_size = sum(tree_size(state_dir / sid) for sid in live if (state_dir / sid).is_dir())
    for _used, size, folder in sorted(kept, key=lambda item: item[0]):
        if total + live_size <= total_cap_mb * (1 << 20):
            break
        shutil.rmtree(folder, ignore_errors=True)
        total -= size
        done.over_cap += 1
    return done


__all__ = ["default_state_dir", "tidy", "trim_files", "tree_size", "last_used", "tab_folder", "tab_folders",
           "prepare_tab", "Tidied", "KEEP_DAYS",
           "FILES_CAP_MB", "TOTAL_CAP_MB", "FILE_MB", "TIDY_EVERY"]
