"""``annplay serve [--host H] [--port P]``: the playground in a browser (textual-serve, the ``web`` extra)."""

from __future__ import annotations

import argparse
import sys

from annplay.cli.common import EXIT_OK, UsageError


def run(args: argparse.Namespace) -> int:
    """Check the address, warn beyond loopback, then serve until Ctrl-C."""
    from annplay import serve as web

    try:
        port = web.check_port(args.port)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    warning = web.warning_for(args.host)
    if warning:
        sys.stderr.write(warning + "\n")
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError(web.NEEDS_EXTRA) from None
    print(f"annplay: serving the playground at http://{args.host}:{port}/ (Ctrl-C stops)")
    web.serve(args.host, port)
    return EXIT_OK


__all__ = ["run"]
