"""Where the app's files go: on the person's own machine, or, behind ``annplay serve``, to the browser.

No Textual here. One policy per process (each browser session is its own process), read by the screens' save
and open actions through :func:`policy`:

- **local** (``annplay play``): a typed name is a path on this machine (``~`` expanded, one clean line for
  ``~nouser``); the file is written there.
- **served** (``annplay serve``): every name is inside one per-session scratch folder (no absolute path, ``~``,
  ``..`` or symlink out: :func:`annplay.engine.safefile.inside`), and every saved file is handed to the browser
  as a download through ``deliver`` (the app's ``deliver_binary``). Opening reads only from that folder, and an
  error line never quotes a file's content (:func:`redact`: quoted cells, keys and column names become ``…``);
  a refused name (:class:`RefusedName`) is shown as the student typed it, so they see what was refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annplay.core.textsafe import plain
from annplay.engine.safefile import atomic_write_bytes, expand_user, inside

LOCAL_HINT = "In the current directory unless you give a path"
SERVED_SAVE_HINT = "Your browser downloads the file (a plain name: no folders)"
SERVED_OPEN_HINT = "A name in this session's own folder (files you saved here)"
HIDDEN = "…"
SHOWN_NAME = 60                     # characters of a refused name shown whole (a longer one: its start and end)
# What an error line may carry of a file: a quoted cell, key or label ('x' or "x"; an apostrophe inside a word, as
# in "can't", is not a quote), an unknown key, and the lists after "columns:" or "values in" (a CSV's header).
_QUOTED = re.compile(r"(?<![\w'])'[^'\n]*'(?![\w'])" + r'|"[^"\n]*"')
_LISTED = re.compile(r"(\bcolumns?:|\bvalues in|\blisted twice:)[ \t]+[^;\n]*")
_KEY = re.compile(r"(?<=: )[^:\n]+(?=: unknown setting)")          # a set-up file's own unknown key


def redact(message: str) -> str:
    """``message`` without what it quotes from a file: quoted text and column lists become ``…``."""
    message = _QUOTED.sub(lambda m: m.group(0)[0] + HIDDEN + m.group(0)[0], message)
    message = _KEY.sub(HIDDEN, message)
    return _LISTED.sub(lambda m: f"{m.group(1)} {HIDDEN}", message)


class RefusedName(ValueError):
    """A typed name a served session may not use. Its message names the file as typed (:func:`shown_name`) and
    why; :meth:`FilePolicy.clean` leaves it whole (nothing in it comes from a file or the server)."""


def shown_name(text: str, limit: int = SHOWN_NAME) -> str:
    """A typed name as a message shows it: on one line, control characters visible, shortened only if long."""
    text = plain(text, one_line=True)
    return text if len(text) <= limit else f"{text[:limit - 21]}…{text[-20:]}"


@dataclass(frozen=True)
class FilePolicy:
    """Local (``folder`` None) or served (``folder``: the session's scratch folder, ``deliver``: to the browser)."""

    folder: Path | None = None
    deliver: Callable[[Path], object] | None = None

    @property
    def served(self) -> bool:
        """True behind ``annplay serve``: names stay in the scratch folder and saves become downloads."""
        return self.folder is not None

    @property
    def save_hint(self) -> str:
        """The line under a save dialog's title."""
        return SERVED_SAVE_HINT if self.served else LOCAL_HINT

    @property
    def open_hint(self) -> str:
        """The line under an open dialog's title."""
        return SERVED_OPEN_HINT if self.served else LOCAL_HINT

    def path(self, name: str | os.PathLike[str], what: str = "file") -> Path:
        """The file a typed name means (for saving and opening); a one-line ValueError when it may not be used."""
        text = os.fspath(name).strip()
        if self.folder is None:
            return expand_user(text, what)
        try:
            return inside(self.folder, text, what)
        except ValueError as error:         # "WHAT NAME: why" (no reason holds ": ", so the last one ends the name)
            reason = str(error).rsplit(": ", 1)[-1]
            raise RefusedName(f"{what} {shown_name(text) or repr('')}: {reason}") from None

    def folder_of(self, name: str | os.PathLike[str], what: str = "file") -> Path:
        """The folder a typed name's file goes into (the scratch folder itself when served)."""
        return self.path(name, what).parent

    def shown(self, path: str | os.PathLike[str]) -> str:
        """A written or read file as the person should see it: the server's folders are never shown."""
        if self.folder is None:
            return os.fspath(path)
        full = Path(os.path.abspath(path))
        try:
            return full.relative_to(Path(os.path.realpath(self.folder))).as_posix()
        except ValueError:
            return full.name

    def new_file(self, stem: str, suffix: str, data: bytes, *, cwd: Path | None = None) -> Path:
        """Write ``data`` atomically under a new name, ``STEM-1.SUFFIX``, ``STEM-2.SUFFIX``, … (never over a file)
        in the scratch folder (served) or the current folder; a full disk leaves no empty file behind."""
        folder = self.folder if self.folder is not None else (cwd or Path.cwd())
        n = 1
        while (folder / f"{stem}-{n}{suffix}").exists():
            n += 1
        path = folder / f"{stem}-{n}{suffix}"
        try:
            return atomic_write_bytes(path, data, what="screenshot")
        except OSError as error:                      # e.g. a full disk: name the file
            raise ValueError(f"{self.shown(path)}: {error.strerror or error}; nothing written") from None

    def clean(self, message: str | BaseException) -> str:
        """A message (or an error's) as a served session may show it: the scratch folder's own path taken out (no
        server path is shown) and nothing quoted from a file's content (:func:`redact`); a :class:`RefusedName`
        whole (it shows the name as typed); locally the message itself."""
        if isinstance(message, RefusedName):
            return str(message)
        message = str(message)
        if self.folder is None:
            return message
        for form in {os.path.realpath(self.folder), os.path.abspath(self.folder)}:
            message = message.replace(form + os.sep, "").replace(form, ".")
        return redact(message)

    def saved(self, path: str | os.PathLike[str]) -> str:
        """Hand a just-written file on (a download when served) and say where it went, in a few words."""
        if self.folder is None or self.deliver is None:
            return self.shown(path)
        self.deliver(Path(path))
        return f"{self.shown(path)} (your browser downloads it)"


_POLICY = FilePolicy()


def policy() -> FilePolicy:
    """This process's policy (local unless :func:`use` set another)."""
    return _POLICY


def use(new: FilePolicy) -> FilePolicy:
    """Make ``new`` this process's policy (``annplay serve``'s session start; tests); returns the old one."""
    global _POLICY
    old, _POLICY = _POLICY, new
    return old


__all__ = ["FilePolicy", "RefusedName", "shown_name", "policy", "use", "redact", "LOCAL_HINT", "SERVED_SAVE_HINT",
           "SERVED_OPEN_HINT"]
