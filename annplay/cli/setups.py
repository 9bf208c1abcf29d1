"""Set-ups given as text: ``--setup`` (a share code, a TF Playground link or a TOML set-up file) and
``--save-setup FILE``; the setting flags override what ``--setup`` says.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from annplay.cli.common import UsageError
from annplay.cli.flags import DEST_PREFIX
from annplay.core.textsafe import plain
from annplay.engine.setup import Setup

SETUP_HELP = ("start from this set-up: a share code (ap1:…), a TF Playground link or a set-up file (.toml); "
              "setting flags override it")


def add_setup_flag(parser: argparse.ArgumentParser, *, positional: bool = False) -> None:
    """``--setup TEXT`` (and, for play, the same as an optional positional argument)."""
    group = parser.add_argument_group("set-up")
    group.add_argument("--setup", dest="setup_text", metavar="CODE|LINK|FILE", help=SETUP_HELP)
    if positional:
        parser.add_argument("setup_positional", nargs="?", metavar="SETUP",
                            help="the same as --setup: a share code, a TF Playground link or a set-up file")


def setup_text(args: argparse.Namespace) -> str | None:
    """The set-up text given, from --setup or the positional argument (not both)."""
    flag, positional = getattr(args, "setup_text", None), getattr(args, "setup_positional", None)
    if flag is not None and positional is not None:
        raise UsageError("give the set-up once: as SETUP or as --setup, not both")
    return flag if flag is not None else positional


def base_setup(args: argparse.Namespace, drawing: list[Any] | None = None) -> tuple[Setup | None, set[str]]:
    """The set-up --setup names (None when not given) and the settings a TF link hides; notes go to stderr.

    ``drawing``: a command that trains on drawn points (play) passes a list, which gets a share code's points;
    other commands refuse such a code (their runs would drop the drawing)."""
    text = setup_text(args)
    if text is None:
        return None, set()
    from annplay.engine.setupfile import resolve_setup
    from annplay.engine.sharecode import decode_drawing, looks_like_code

    try:
        if drawing is not None and looks_like_code(text):
            setup, points = decode_drawing(text)
            if points is not None:
                drawing.append(points)
                return setup, set()
        if looks_like_code(text) and DEST_PREFIX + "csv" in vars(args):
            # a code annplay wrote for a CSV run (a sweep's row, a trial in tune --json) names its file; --data,
            # given too, replaces it, so no file a code names is ever read (drawn points are refused below)
            setup, points = decode_drawing(text, files=True)
            if points is None:
                return setup, set()
        setup, warnings, hidden = resolve_setup(text)
    except ValueError as exc:                       # SettingError, SetupFileError, a file that cannot be read
        message = str(exc)
        raise UsageError(message if message.startswith("--setup") else f"--setup: {message}") from None
    for warning in warnings:
        sys.stderr.write(f"note: {plain(warning, one_line=True)}\n")
    return setup, hidden


def setup_model(args: argparse.Namespace) -> str | None:
    """The weights file a set-up file names in its [model] table (None for codes, links and files without one)."""
    text = setup_text(args)
    if text is None:
        return None
    from annplay.engine.setupfile import read_setup_file
    from annplay.engine.sharecode import looks_like_code
    from annplay.engine.tflink import looks_like_tf_link

    if looks_like_code(text) or looks_like_tf_link(text):
        return None
    try:
        model = read_setup_file(text).model
    except ValueError:                              # base_setup has reported it already
        return None
    return None if model is None else str(model)


def check_setup_target(path: str, others: dict[str, str | None], setup: Setup | None = None) -> None:
    """Refuse a --save-setup target before training: not writable, not annplay's, another file of the run, or (given
    the ``setup``) a folder that its CSV or --save model is not inside (the file names them relative to itself)."""
    from annplay.engine.safefile import check_save_target
    from annplay.engine.setupfile import check_replaceable, toml_text

    if path.strip() == "-":             # '-' means stdout elsewhere (--json -); a set-up file is a file
        raise UsageError("--save-setup -: a set-up is written to a file, not to stdout; give a .toml name")
    try:
        target = check_save_target(path, what="--save-setup")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for flag, other in others.items():               # the most telling refusal first
        if other is not None and target.exists() and Path(other).exists() \
                and target.resolve() == Path(other).resolve():
            raise UsageError(f"--save-setup: {path} is the {flag} file; choose another name")
        if other is not None and not target.exists() and Path(other).absolute() == target.absolute():
            raise UsageError(f"--save-setup: {path} is also the {flag} file; choose another name")
    try:
        check_replaceable(path, what="--save-setup")
        if setup is not None:                       # the text it will hold can be written: said now, not after training
            toml_text(setup, model=_model_name(others.get("--save")), folder=Path(path).parent)
    except ValueError as exc:
        raise UsageError(str(exc) if str(exc).startswith("--save-setup") else f"--save-setup {path}: {exc}") from None


def _model_name(model: str | None) -> str | None:
    """The --save model's absolute name (the set-up file's writer names it relative to the file's folder)."""
    return None if model is None else str(Path(model).absolute())


def save_setup(path: str, setup: Setup, model: str | None) -> str:
    """Write the set-up file (naming the saved model, if any); problems are one-line usage errors."""
    from annplay.engine.setupfile import write_setup

    try:                                            # the file names the model relative to itself
        write_setup(path, setup, model=_model_name(model))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"--save-setup: cannot write {path}: {exc.strerror or exc}") from None
    return path


__all__ = ["add_setup_flag", "setup_text", "base_setup", "check_setup_target", "save_setup", "SETUP_HELP"]
