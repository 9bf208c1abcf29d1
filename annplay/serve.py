"""``annplay serve``: the playground in a browser for a class, on textual-serve (the optional ``web`` extra).

Binds to loopback unless told otherwise; any other address gets a warning, since whoever reaches it can run the app.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8000
NEEDS_EXTRA = "the browser mode needs textual-serve: pip install \"annplay[web]\""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_port(port: int) -> int:
    """A TCP port 1…65535 (ValueError naming --port otherwise)."""
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"--port: {port} is not a port number (1…65535)")
    return int(port)


def warning_for(host: str) -> str:
    """What to say when bound beyond loopback ('' when not)."""
    if is_loopback(host):
        return ""
    return (f"warning: serving on {host}: anyone who can reach this address can open the playground "
            f"(use --host {LOOPBACK} to keep it on this machine)")


SESSION_CODE = "from annplay.serve import session; session()"


def session_command() -> str:
    """The command each browser session runs: this Python, opening the playground through ``session``."""
    return shlex.join([sys.executable, "-c", SESSION_CODE])


def session() -> None:
    """One browser session: the playground on the default set-up, drawn by textual-serve's web driver.

    Not ``annplay play``: that command refuses to start without a terminal, and a browser session has pipes.
    """
    from annplay.app import run

    run()


def serve(host: str = LOOPBACK, port: int = DEFAULT_PORT) -> None:
    """Serve the playground at http://host:port/ until interrupted (ImportError with NEEDS_EXTRA without the extra)."""
    try:
        from textual_serve.server import Server
    except ImportError as exc:
        raise ImportError(NEEDS_EXTRA) from exc
    Server(session_command(), host=host, port=check_port(port), title="annplay").serve()


__all__ = ["serve", "is_loopback", "warning_for", "check_port", "session_command", "session", "LOOPBACK",
           "DEFAULT_PORT", "NEEDS_EXTRA"]
