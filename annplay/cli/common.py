"""What every command shares: exit codes, one-line usage errors, and the argparse subclass that prints them.

Every bad argument exits with code 2 and one line that says what is wrong and what is allowed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from annplay.core.textsafe import plain

EXIT_OK = 0
EXIT_DIVERGED = 1
EXIT_MISUSE = 2
EXIT_RUNS_FAILED = 3          # sweep/tune: some runs could not train (a bad column or file, a worker that died)
EXIT_INTERRUPTED = 130
EXIT_CANNOT_WRITE = 74        # sysexits' EX_IOERR: the output could not be written (a full disk)
EXIT_PIPE_CLOSED = 141        # 128 + SIGPIPE: whatever read the output stopped reading (| head), as shells say
READY_FILE_ENV = "ANNPLAY_READY_FILE"
ALLOWED_ATTR = "allowed"      # an argparse action's words for what its flag allows (set where it is added)


class UsageError(Exception):
    """Bad input from the command line or a file it names: reported in one line, exit code 2."""


LONG_WORD = 80                # characters: a longer run without spaces in a message is user text, cut
LONG_LINE = 600               # characters: a longer message is cut in the middle (its end says what is allowed)
_LONG_RUN = re.compile(rf"\S{{{LONG_WORD + 1},}}")


def shorten(message: str) -> str:
    """A message with every echoed user value short: a run of over LONG_WORD non-space characters keeps its
    start and end around '…', and a line still over LONG_LINE characters keeps its start and its end."""
    line = _LONG_RUN.sub(lambda m: f"{m.group()[:60]}…{m.group()[-15:]}", message)
    if len(line) > LONG_LINE:
        line = f"{line[:LONG_LINE - 200]} … {line[-190:]}"
    return line


def say_error(prog: str, message: object) -> None:
    """Write ``<prog>: error: <message>`` as one line on stderr: control characters made visible, user values
    shortened (every CLI error passes here, so no value is ever echoed 10,000 characters long)."""
    sys.stderr.write(f"{prog}: error: {shorten(plain(message, one_line=True))}\n")


def flag_of(setting: str, typed: Mapping[str, str] | None = None) -> str:
    """The flag that names a setting: the one the user typed if known, else the table's."""
    from annplay.engine.settings import SETTINGS

    if typed and setting in typed:
        return typed[setting]
    entry = SETTINGS.get(setting)
    return entry.flag if entry is not None else setting


def usage_from(exc: Exception, typed: Mapping[str, str] | None = None) -> UsageError:
    """A UsageError for an engine error: a SettingError names its flag, anything else keeps its text."""
    from annplay.engine.settings import SettingError

    if isinstance(exc, SettingError):
        return UsageError(f"{flag_of(exc.setting, typed)}: {exc.message}")
    return UsageError(str(exc))


def signal_ready() -> None:
    """Test hook: once work has started (SIGINT now stops it cleanly), create the file named by the
    environment variable ANNPLAY_READY_FILE, if set.  Lets a test send Ctrl-C without sleeping."""
    ready = os.environ.get(READY_FILE_ENV)
    if ready:
        with contextlib.suppress(OSError):
            Path(ready).touch()


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line (no usage dump) and exit with code 2.

    Values that start with a minus and a digit (``--point -1,2``, ``--lr -1``) are values,
    not options: Python < 3.13 only recognises plain negative numbers like ``-1``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        """Refuse an empty value for any flag (``--layers=``, ``--epochs ''``): one line naming the flag and what
        is allowed.  A setting's word for none (auto, off, none) is how to ask for none, never an empty string."""
        if action.option_strings and any(not text.strip() for text in arg_strings):
            allowed = getattr(action, ALLOWED_ATTR, None) or f"give {action.metavar or action.dest.upper()}"
            self.error(f"{action.option_strings[0]}: empty value; {allowed}")
        return super()._get_values(action, arg_strings)

    def _print_message(self, message: str, file: Any = None) -> None:
        """Write --help, --version or usage text; argparse's own swallows OSError, so help sent to a full disk
        exited 0 with nothing written (``cli.main`` reports it: 74, or 141 for a closed pipe)."""
        if message:
            (file or sys.stderr).write(message)

    def error(self, message: str) -> NoReturn:
        """One line naming the flag (not argparse's usage dump), then exit 2."""
        message = re.sub(r"^argument (-[-\w]+)(?:/-[-\w]+)?: \1", r"\1", message)
        message = re.sub(r"^argument (-[-\w]+)(?:/-[-\w]+)?: ", r"\1: ", message)
        say_error(self.prog, f"{message} (see '{self.prog} --help')")
        raise SystemExit(EXIT_MISUSE)


def rich_console(*, stderr: bool = False) -> Any:
    """A Rich console whose closed pipe (``| head``) reaches ``cli.main`` as BrokenPipeError (Rich's own ends the
    process with exit 1, the code for a diverged run)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return _Console(stderr=stderr)


__all__ = ["EXIT_OK", "EXIT_DIVERGED", "EXIT_MISUSE", "EXIT_RUNS_FAILED", "EXIT_INTERRUPTED", "EXIT_CANNOT_WRITE",
           "EXIT_PIPE_CLOSED", "rich_console", "UsageError", "say_error", "flag_of",
           "usage_from", "Parser", "shorten", "ALLOWED_ATTR", "signal_ready", "READY_FILE_ENV"]
