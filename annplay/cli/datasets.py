"""``annplay datasets``: every built-in data set with its kind, size and description."""

from __future__ import annotations

import argparse
import json

from annplay.cli.common import EXIT_OK

PHONE_WIDTH = 70          # narrower than this: each description gets its own line


def run(args: argparse.Namespace) -> int:
    """List the registry as a table (or one line each on a narrow terminal), or as JSON."""
    from annplay.engine.datasets import DATASETS

    rows = [{"name": s.name, "kind": s.kind, "points": s.default_n, "description": s.description}
            for s in DATASETS.values()]
    if args.json:
        print(json.dumps(rows))
        return EXIT_OK
    from rich.table import Table
    from rich.text import Text

    from annplay.cli.common import rich_console

    console = rich_console()
    if console.width < PHONE_WIDTH:
        for r in rows:
            console.print(Text.assemble((str(r["name"]), "bold"), f"  {r['kind']}, {r['points']} points"),
                          highlight=False)
            console.print(f"  {r['description']}", markup=False, highlight=False)
        return EXIT_OK
    table = Table(box=None, show_header=True, header_style="bold")
    for col, just in (("name", "left"), ("kind", "left"), ("points", "right"), ("description", "left")):
        table.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    for r in rows:
        table.add_row(*(Text(str(r[c])) for c in ("name", "kind", "points", "description")))
    console.print(table)
    return EXIT_OK


__all__ = ["run"]
