"""Safe file access: save targets checked, atomic writes that keep modes, regular files only on reading.

Rules (the CLI and the app rely on them):
- A save goes to a new name or over an existing *regular* file. Directories, devices (``/dev/null``), FIFOs
  and sockets are refused, never replaced. So are an empty name, a trailing slash, a name or path over the
  OS limit and a missing or non-folder parent.
- A symlink whose final target is a regular file is written *through*: the target file is replaced (in its
  own folder, atomically) and the link stays. A dangling link, or one to anything else, is refused.
- Writes go to ``.NAME.annplay-HOST-PID-RANDOM.tmp`` beside the (real) target, then ``os.replace``: a reader never
  sees half a file and a crash leaves the old target intact. An existing target keeps its permission bits.
- Every save also removes stale annplay temporaries in that folder: files named as above, made on this
  machine (HOST), whose writer process (PID) no longer exists and that were last modified over ``STALE_AFTER``
  seconds ago. A running writer's file is never touched (a reused PID only keeps a file longer), nor another
  machine's in a shared folder, nor any file not in this exact form, except the PID-less ``.NAME.XXXXXXXX.tmp``
  of the very file being saved (older annplay), once over an hour old.
- Reading (:func:`open_regular`) opens with ``O_NONBLOCK`` and checks the opened file, so a FIFO is refused
  at once instead of blocking, and a swap between check and open cannot slip through.

Every refusal is a one-line ``ValueError("<what> <path>: <why>")``; ``what`` is how the user named it
(``--save``, ``--data``, ``export``, ``model``). Messages quote paths raw: escape them for display
(``annplay.core.textsafe``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import socket
import stat
import time
from pathlib import Path
from typing import BinaryIO

STALE_AFTER = 60.0                       # seconds since a temporary's last write before it may be stale
LEGACY_STALE_AFTER = 3600.0              # the same for temporaries without a PID (annplay before issue 12)
_TMP_RE = re.compile(r"^\..+\.annplay-([A-Za-z0-9]{1,16})-(\d+)-[0-9a-f]{8}\.tmp$")
HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:16] or "host"   # temporaries name their machine
_FALLBACK_NAME_MAX = 255
_FALLBACK_PATH_MAX = 4096

PathLike = str | os.PathLike[str]


def _label(what: str, path: PathLike) -> str:
    """The start of every message: ``--save out.npz`` or ``--save ''`` for an empty name."""
    text = os.fspath(path)
    if len(text) > 100:                           # a name over the OS limit is not echoed whole
        text = f"{text[:60]}…{text[-20:]}"
    return f"{what} {text}" if text else f"{what} ''"


def kind_of(mode: int) -> str:
    """A file type in words, e.g. 'a FIFO (named pipe)', for messages."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "a special file"


def expand_user(path: PathLike, what: str = "file") -> Path:
    """``~`` and ``~user`` expanded like a shell; an unknown user is a one-line ValueError, not RuntimeError."""
    text = os.fspath(path)
    if not text.startswith("~"):
        return Path(text)
    expanded = os.path.expanduser(text)
    if expanded == text or expanded.startswith("~"):
        user = text[1:].split(os.sep, 1)[0]
        raise ValueError(f"{_label(what, path)}: no user {user!r} for '~{user}' (give a full path)")
    return Path(expanded)


def inside(folder: PathLike, name: PathLike, what: str = "file") -> Path:
    """``name`` as a path inside ``folder`` that cannot leave it; a one-line ValueError otherwise.

    Refused: an absolute path, ``~``, any ``..`` part, an empty name, and a name that resolves (through
    symlinks, now) outside the folder. For names that come from someone else: a set-up file's CSV and model,
    and every file name typed in the browser (``annplay serve``'s per-session folder).
    """
    text = os.fspath(name).strip()
    if not text:
        raise ValueError(f"{_label(what, name)}: the file name is empty")
    if "\0" in text:
        raise ValueError(f"{_label(what, name)}: a file name cannot hold a NUL character")
    if text.startswith("~"):
        raise ValueError(f"{_label(what, name)}: '~' is not allowed here; give a name inside the folder")
    relative = Path(text)
    if relative.is_absolute() or os.path.isabs(text) or text.startswith(("/", "\\")):
        raise ValueError(f"{_label(what, name)}: an absolute path is not allowed here; give a name inside the folder")
    if ".." in relative.parts or ".." in text.replace("\\", "/").split("/"):
        raise ValueError(f"{_label(what, name)}: '..' is not allowed here; give a name inside the folder")
    base = Path(os.path.realpath(os.fspath(folder)))
    path = base / relative
    real = Path(os.path.realpath(path))
    if real != base and base not in real.parents:
        raise ValueError(f"{_label(what, name)}: leads outside its folder (a symlink); not used")
    return path


def _limits(folder: str) -> tuple[int, int]:
    """(NAME_MAX, PATH_MAX) for the file system holding ``folder`` (or an existing ancestor)."""
    probe = folder or "."
    while probe and not os.path.isdir(probe):
        parent = os.path.dirname(probe.rstrip(os.sep))
        probe = parent if parent != probe else ""
    probe = probe or "."
    try:
        return os.pathconf(probe, "PC_NAME_MAX"), os.pathconf(probe, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):
        return _FALLBACK_NAME_MAX, _FALLBACK_PATH_MAX


def _check_lengths(path: PathLike, what: str) -> None:
    """Refuse a path whose name, any component, or whole length is over the OS limit."""
    text = os.fspath(path)
    folder = os.path.dirname(text)
    name_max, path_max = _limits(folder)
    encoded = os.fsencode(text)
    for part in encoded.split(b"/"):
        if len(part) > name_max:
            shown = os.fsdecode(part)
            short = shown[:40] + "…" if len(shown) > 40 else shown
            raise ValueError(f"{_label(what, path)}: the name {short!r} is {len(part)} bytes; "
                             f"this file system allows at most {name_max}")
    # a temporary adds ".<name>.annplay-HOST-PID-RANDOM.tmp" to the name: leave room for it
    if len(encoded) + 60 > path_max:
        raise ValueError(f"{_label(what, path)}: the path is {len(encoded)} bytes; "
                         f"the limit is {path_max - 60} here")


def check_save_target(path: PathLike, *, what: str = "--save") -> Path:
    """The path to save to, after refusing every target that a save would damage or cannot create.

    Accepts a new name in an existing folder, an existing regular file, or a symlink whose final target is a
    regular file (written through, see the module docstring). Refuses, with a one-line ValueError naming the
    path and why: an empty name, a trailing slash, a directory, a device, FIFO or socket, a dangling symlink,
    a name or path over the OS limit, a missing parent folder, a parent that is not a folder or not writable.
    """
    text = os.fspath(path)
    if not text.strip():
        raise ValueError(f"{_label(what, path)}: the file name is empty")
    if text.endswith(("/", os.sep)) or text.endswith(("/.", "/..")) or text in (".", ".."):
        raise ValueError(f"{_label(what, path)}: names a folder, not a file; give a file name")
    _check_lengths(text, what)
    p = Path(text)
    try:
        st = os.stat(p)                               # follows symlinks: the file a save would replace
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise ValueError(f"{_label(what, path)}: a part of the path is not a folder") from None
    except OSError as exc:
        raise ValueError(f"{_label(what, path)}: cannot check it ({exc.strerror or exc})") from None
    if st is not None:
        if stat.S_ISREG(st.st_mode):
            folder = _real_target(p).parent
            if not os.access(folder, os.W_OK | os.X_OK):
                raise ValueError(f"{_label(what, path)}: the folder {folder} is not writable")
            return p
        if stat.S_ISDIR(st.st_mode):
            raise ValueError(f"{_label(what, path)}: is a directory; give a file name")
        raise ValueError(f"{_label(what, path)}: is {kind_of(st.st_mode)}, not a regular file; "
                         "annplay saves only to a new name or over a regular file")
    if p.is_symlink():
        raise ValueError(f"{_label(what, path)}: is a symlink to a missing file "
                         f"({os.readlink(p)}); save to the target's own name instead")
    parent = p.parent
    if not parent.exists():
        raise ValueError(f"{_label(what, path)}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise ValueError(f"{_label(what, path)}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{_label(what, path)}: the folder {parent} is not writable")
    return p


def _real_target(path: Path) -> Path:
    """The file a save really replaces: ``path`` itself, or the end of its symlink chain."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _pid_alive(pid: int) -> bool:
    """True if a process with this id exists (or we cannot tell: then it is kept)."""
    if pid <= 0 or os.name == "nt":                  # on Windows os.kill(pid, 0) would terminate the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def temp_name(target: Path, pid: int | None = None) -> Path:
    """The temporary file name used while writing ``target``: ``.NAME.annplay-HOST-PID-RANDOM.tmp``."""
    pid = os.getpid() if pid is None else pid
    name = target.name
    name_max, _ = _limits(str(target.parent))
    while name and len(os.fsencode(name)) + 60 > name_max:   # a long name: the temporary shortens it
        name = name[:-1]
    return target.with_name(f".{name or 'x'}.annplay-{HOST}-{pid}-{secrets.token_hex(4)}.tmp")


def remove_stale_temporaries(folder: PathLike, *, now: float | None = None, name: str | None = None) -> list[Path]:
    """Delete annplay temporaries in ``folder`` whose writer is gone and that are over STALE_AFTER s old.

    With ``name`` (the file being saved), also the temporaries of annplay before PIDs were in the name,
    ``.NAME.XXXXXXXX.tmp`` from ``tempfile.mkstemp``, once they are over LEGACY_STALE_AFTER s old.
    """
    now = time.time() if now is None else now
    legacy = re.compile(rf"^\.{re.escape(name)}\.[a-z0-9_]{{8}}\.tmp$") if name else None
    removed: list[Path] = []
    try:
        entries = list(os.scandir(os.fspath(folder)))
    except OSError:
        return removed
    for entry in entries:
        match = _TMP_RE.match(entry.name)
        old = legacy is not None and match is None and legacy.match(entry.name) is not None
        if match is None and not old:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            age = now - st.st_mtime
            if not stat.S_ISREG(st.st_mode) or age <= (LEGACY_STALE_AFTER if old else STALE_AFTER):
                continue
            if match is not None and (match.group(1) != HOST or _pid_alive(int(match.group(2)))):
                continue                              # another machine's (shared folder), or a live writer
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue                                  # raced with another cleaner, or not ours to delete
    return removed


def atomic_write_bytes(path: PathLike, data: bytes, *, what: str = "--save") -> Path:
    """Write ``data`` to ``path`` atomically; returns the file actually written (the symlink's target).

    Checks the target with :func:`check_save_target` (refusing special files and the like), writes a
    temporary ``.NAME.annplay-HOST-PID-RANDOM.tmp`` beside the real target, fsyncs it, gives it the existing
    target's permission bits (or the umask's default for a new file) and renames it over the target.
    A symlink to a regular file is written through. Any failure removes the temporary and leaves the old
    target intact. Stale temporaries of dead writers in that folder are removed first.
    """
    target = _real_target(check_save_target(path, what=what))
    directory = target.parent
    remove_stale_temporaries(directory, name=target.name)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp = temp_name(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:                            # e.g. /proc, a read-only mount: an input problem
        raise ValueError(f"{_label(what, path)}: cannot create a file in {directory} "
                         f"({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), mode)
        try:                                          # a special file could have appeared since the check
            st = os.lstat(target)
            if not stat.S_ISREG(st.st_mode):
                raise ValueError(f"{_label(what, path)}: became {kind_of(st.st_mode)} while saving; not replaced")
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(directory)
    return target


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename itself survives a power cut (best effort: not every OS allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_regular_file(path: PathLike, what: str = "file") -> Path:
    """``path`` as a Path if it is an existing regular file (symlinks followed); else a one-line ValueError."""
    text = os.fspath(path)
    if not text.strip():
        raise ValueError(f"{_label(what, path)}: the file name is empty")
    try:
        st = os.stat(text)
    except FileNotFoundError:
        raise ValueError(f"{_label(what, path)}: no such file") from None
    except NotADirectoryError:
        raise ValueError(f"{_label(what, path)}: no such file (a part of the path is not a folder)") from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise ValueError(f"{_label(what, path)}: the name is too long for this file system") from None
        raise ValueError(f"{_label(what, path)}: cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{_label(what, path)}: is {kind_of(st.st_mode)}, not a regular file")
    return Path(text)


def open_regular(path: PathLike, what: str = "file") -> BinaryIO:
    """Open a regular file for binary reading; anything else is refused before it can block or be read."""
    checked = check_regular_file(path, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(checked, flags)
    except OSError as exc:
        raise ValueError(f"{_label(what, path)}: cannot read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)                             # the file actually opened: it may have been swapped
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{_label(what, path)}: is {kind_of(st.st_mode)}, not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
