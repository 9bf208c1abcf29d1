"""``annplay serve``: the playground in a browser for a class (textual-serve, the ``web`` extra).

Every problem before serving (a bad flag, a busy port, a bad --lesson or --setup) is one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from annplay.cli.common import EXIT_OK, UsageError


def add_parser(sub: Any, help_text: str) -> None:
    """The ``serve`` sub-command and its flags."""
    from annplay.serve import limits

    serve = sub.add_parser("serve", help=help_text,
                           description="Serve the playground to browsers (textual-serve). Binds to 127.0.0.1 unless "
                                       "--host says otherwise (then it warns). Every address needs the link's token, "
                                       "printed at start; each browser session gets its own process, folder, pins "
                                       "and preferences, and its files download to the browser.")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument("--no-token", action="store_true",
                       help="open without a token (loopback addresses only: any program on this machine can then "
                            "open it)")
    serve.add_argument("--max-sessions", type=int, default=limits.DEFAULT_MAX_SESSIONS, metavar="N",
                       help=f"at most N sessions at once (default {limits.DEFAULT_MAX_SESSIONS}); more get a "
                            "'class is full' page")
    serve.add_argument("--memory", type=int, default=limits.DEFAULT_MEMORY_MB, metavar="MB",
                       help=f"address-space limit of each session in MB (default {limits.DEFAULT_MEMORY_MB})")
    serve.add_argument("--fps", type=int, default=limits.DEFAULT_FPS, metavar="N",
                       help=f"frames per second drawn per session (default {limits.DEFAULT_FPS})")
    serve.add_argument("--frames", type=int, default=limits.DEFAULT_FRAMES, metavar="N",
                       help=f"training frames per second per session (default {limits.DEFAULT_FRAMES}, so a class of "
                            "30 shares 2 cores; the app alone shows 10)")
    serve.add_argument("--lesson", metavar="N|FILE", help="open every session on this lesson")
    serve.add_argument("--setup", dest="setup_text", metavar="CODE|LINK|FILE",
                       help="open every session on this set-up (a share code, TF Playground link or set-up file)")


def run(args: argparse.Namespace) -> int:
    """Check everything, say where to open it (with its token) and what a visitor can do, then serve."""
    from annplay import serve as web

    config = web.config_from(args)                       # UsageError for every bad flag
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError(web.NEEDS_EXTRA) from None
    for line in web.warnings_for(config):
        sys.stderr.write(line + "\n")
    try:
        web.serve(config)
    except web.StartError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


__all__ = ["run", "add_parser"]
