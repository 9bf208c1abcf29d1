"""``annplay serve``: the playground in a browser for a class, on textual-serve (the optional ``web`` extra).

- :mod:`annplay.serve.server`: the class server (token, Origin, limits, one process per browser session);
- :mod:`annplay.serve.child`: one session's process (its own folder; files become downloads);
- :mod:`annplay.serve.limits`: what a client may send and what a session may use;
- :mod:`annplay.serve.pages`: the HTML.

This module checks the flags and says where to open the playground; it imports no aiohttp until serving.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import secrets
import socket
import sys
from typing import TYPE_CHECKING, Any

from annplay.cli.common import UsageError

if TYPE_CHECKING:
    from annplay.serve.limits import Config

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8000
NEEDS_EXTRA = "the browser mode needs textual-serve: pip install \"annplay[web]\""


class StartError(Exception):
    """A problem starting the server (a busy port, an address this machine does not have): one line."""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_port(port: int) -> int:
    """A TCP port 1…65535 (ValueError naming --port otherwise)."""
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"--port: {port} is not a port number (1…65535)")
    return int(port)


def check_host(host: str) -> str:
    """An address to bind: not empty (an empty --host would bind every interface without saying so)."""
    text = host.strip()
    if not text:
        raise ValueError("--host: empty; give an address, like 127.0.0.1 (this machine) or 0.0.0.0 (every network)")
    if any(c.isspace() or c in "/?#@" for c in text) or len(text) > 253:
        raise ValueError(f"--host: {text[:60]!r} is not an address or host name")
    return text.strip("[]")


def check_bindable(host: str) -> None:
    """``host`` names an address of this machine: it resolves, and a socket binds to it (on a free port, closed at
    once), so that a bad --host is one line before any warning (ValueError naming --host otherwise)."""
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise ValueError(f"--host {host}: no such address or host name here") from None
    reason = "cannot listen there"
    for family, kind, proto, _name, address in found:
        try:
            with socket.socket(family, kind, proto) as probe:
                probe.bind((address[0], 0, *address[2:]))
            return
        except OSError as error:
            reason = error.strerror or str(error)
    raise ValueError(f"--host {host}: not an address of this machine ({reason}); try 127.0.0.1 or 0.0.0.0")


def url_host(host: str) -> str:
    """A host as it goes in a URL: IPv6 in brackets (``[::1]``)."""
    return f"[{host}]" if ":" in host else host


def visible_host(host: str) -> str:
    """The address to print for a bind: for 0.0.0.0 or ::, this machine's address on its network."""
    try:
        unspecified = ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return host
    if not unspecified:
        return host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:      # no packet is sent
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def warning_for(host: str) -> str:
    """What to say when bound beyond loopback ('' when not): what a visitor with the link could do."""
    if is_loopback(host):
        return ""
    return (f"warning: serving on {host}: anyone on the network who has the link with its token can open the "
            "playground: start sessions (each a process on this machine, using its CPU and up to the memory "
            "limit), train networks, and save and open files in their own session folder only (downloads to "
            "their browser); keep the link to your class, or use --host 127.0.0.1 for this machine only")


def config_from(args: argparse.Namespace) -> Config:
    """The server's configuration from the CLI's flags (UsageError, one line, for each problem)."""
    from annplay.serve.limits import Config

    try:
        port = check_port(args.port)
        host = check_host(args.host)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.no_token and not is_loopback(host):
        raise UsageError(f"--no-token: only on a loopback address (127.0.0.1, ::1); {host} is reachable from "
                         "other machines, so it always needs the token")
    try:
        check_bindable(host)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for flag, value, low, high in (("--max-sessions", args.max_sessions, 1, 1000), ("--memory", args.memory, 256,
                                                                                    1 << 20),
                                   ("--fps", args.fps, 1, 60), ("--frames", args.frames, 1, 10)):
        if not low <= value <= high:
            raise UsageError(f"{flag}: {value} is out of range ({low}…{high})")
    lesson = _lesson(args.lesson) if args.lesson is not None else None
    setup = _setup(args.setup_text) if args.setup_text is not None else None
    return Config(host=host, port=port, token=None if args.no_token else secrets.token_urlsafe(24),
                  max_sessions=args.max_sessions, memory_mb=args.memory, fps=args.fps, frames=args.frames,
                  lesson=lesson, setup=setup)


def _lesson(choice: str) -> str:
    """--lesson N|FILE, checked now (a file's absolute path: sessions run in their own folders)."""
    from pathlib import Path

    from annplay.core.lessons import LessonError, load_lesson

    try:
        lesson = load_lesson(choice)
    except (LessonError, ValueError, OSError) as exc:
        raise UsageError(f"--lesson: {exc}") from None
    return str(lesson.number) if choice.strip().isdigit() else str(Path(choice).resolve())


def _setup(text: str) -> str:
    """--setup CODE|LINK|FILE as the text every session opens: a share code (a file is read here, once)."""
    from annplay.engine.setupfile import read_setup_file, resolve_setup
    from annplay.engine.sharecode import encode, looks_like_code
    from annplay.engine.tflink import looks_like_tf_link

    try:
        setup, _warnings, _hidden = resolve_setup(text)
    except ValueError as exc:
        message = str(exc)
        raise UsageError(message if message.startswith("--setup") else f"--setup: {message}") from None
    if looks_like_code(text) or looks_like_tf_link(text):
        return text.strip()
    if setup.csv is not None:
        raise UsageError("--setup: a served set-up cannot use a CSV file (sessions cannot read the server's files)")
    with contextlib.suppress(ValueError, OSError):
        if read_setup_file(text.strip()).model is not None:
            sys.stderr.write("note: --setup: the file's [model] weights are not served (sessions cannot read the "
                             "server's files); each session starts from new weights of this set-up\n")
    return encode(setup)


def urls(config: Config) -> list[str]:
    """What to print at start: the class link (with its token) and the teacher's page."""
    base = f"http://{url_host(visible_host(config.host))}:{config.port}/"
    student = base + (f"?token={config.token}" if config.token else "")
    return [f"annplay: serving the playground at {student}",
            f"annplay: the teacher's page: {base}teacher?key={config.teacher_key}",
            "annplay: Ctrl-C stops (every session ends with it)"]


def warnings_for(config: Config) -> list[str]:
    """The start-up warnings: beyond loopback, and --no-token (said loudly)."""
    lines = [line for line in (warning_for(config.host),) if line]
    if config.token is None:
        lines.append("WARNING: --no-token: every program and every person on this machine can open the "
                     "playground without a token (any web page you visit could try to)")
    return lines


def serve(config: Config) -> None:
    """Serve until SIGINT/SIGTERM/SIGHUP (StartError, one line, when it cannot listen)."""
    try:
        from annplay.serve.server import ClassServer
    except ImportError as exc:
        raise ImportError(NEEDS_EXTRA) from exc

    def announce() -> None:
        for line in urls(config):
            print(line, flush=True)

    ClassServer(config).serve(announce=announce)


def main(argv: Any = None) -> None:                     # pragma: no cover - python -m annplay.serve
    from annplay.cli import main as cli_main

    sys.exit(cli_main(["serve", *(argv or sys.argv[1:])]))


__all__ = ["serve", "is_loopback", "warning_for", "warnings_for", "check_port", "check_host", "config_from", "urls",
           "url_host", "visible_host", "check_bindable", "StartError", "LOOPBACK", "DEFAULT_PORT", "NEEDS_EXTRA"]
