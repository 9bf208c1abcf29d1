"""The ``annplay`` command: the playground with no arguments, or ``train``, ``sweep``, ``tune``, ``predict``,
``datasets``, ``settings``, ``lessons``, ``serve``.

Every bad argument exits with code 2 and one line that says what is wrong and what is allowed.
Heavy modules (Rich, Textual) load only for the command that needs them.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
from collections.abc import Sequence

from annplay.cli.common import (
    EXIT_CANNOT_WRITE,
    EXIT_INTERRUPTED,
    EXIT_MISUSE,
    EXIT_PIPE_CLOSED,
    UsageError,
    say_error,
)
from annplay.cli.parser import build_parser

# command → module of annplay.cli whose run(args) carries it out
COMMANDS = {"play": "play", "train": "train", "predict": "predict", "datasets": "datasets", "settings": "table",
            "sweep": "sweep", "tune": "tune", "lessons": "lessons", "serve": "serve"}

_TOP_LEVEL_FLAGS = ("-h", "--help", "--version")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``annplay`` console script and ``python -m annplay``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _tolerant_output()
    if not argv or (argv[0].startswith("-") and argv[0] not in _TOP_LEVEL_FLAGS):
        argv = ["play", *argv]          # `annplay --dataset xor` opens the playground, as `annplay` does
    parser = build_parser()
    prog = "annplay"
    try:
        try:
            args, extra = parser.parse_known_args(argv)
            if extra:                   # the sub-command says so, and points to its own --help
                command_parser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
        except SystemExit as exc:       # --help, --version, or a usage error already reported in one line
            sys.stdout.flush()          # help that cannot be written fails here, not unseen at exit
            return exc.code if isinstance(exc.code, int) else EXIT_MISUSE
        prog = f"annplay {args.command}"
        module = importlib.import_module(f"annplay.cli.{COMMANDS[args.command]}")
        code = int(module.run(args))
        sys.stdout.flush()              # a write that fails fails here, not unseen at exit
        return code
    except UsageError as exc:
        say_error(prog, exc)
        return EXIT_MISUSE
    except BrokenPipeError:             # `annplay train | head -1`: quietly, and nothing more to write
        _quiet_stdout()
        return EXIT_PIPE_CLOSED
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            raise
        _quiet_stdout()
        sys.stderr.write(f"{prog}: cannot write the output: {exc.strerror or exc}\n")
        return EXIT_CANNOT_WRITE
    except MemoryError as exc:          # a set-up too big for this machine: one line, not a traceback
        from annplay.core.oom import out_of_memory

        say_error(prog, out_of_memory(exc))
        return EXIT_MISUSE
    except KeyboardInterrupt:   # Ctrl-C outside training (while loading, reporting): quietly
        sys.stderr.write(f"{prog}: interrupted\n")
        return EXIT_INTERRUPTED


_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}    # the output's disk, not the input


def _tolerant_output() -> None:
    """On an output that is not UTF-8 (PYTHONIOENCODING=ascii, a Latin-1 terminal), characters it cannot encode
    (≥, ×, …, ✓) are written as '?' instead of ending ``--help``, ``settings`` or ``lessons`` in a traceback."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding in ("", "utf8") or getattr(stream, "errors", "strict") != "strict":
            continue
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="replace")     # type: ignore[union-attr]


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail again (Python's advice for EPIPE)."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())


def command_parser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The parser of sub-command ``command`` (the top-level one when there is none)."""
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return action.choices[command]
    return parser


__all__ = ["main", "build_parser", "UsageError"]
