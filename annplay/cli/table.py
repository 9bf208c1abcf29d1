"""``annplay settings``: the settings table as a terminal table, or as the README's Markdown table.

Both read :data:`SETTINGS`, so the README's table (checked by tests/test_settings_table.py) and
``annplay settings`` can never disagree with the flags.
"""

from __future__ import annotations

import argparse

from annplay.cli.common import EXIT_OK
from annplay.engine.settings import ALL_TRAINERS, SETTINGS, Setting

ALL_COMMANDS = ("train", "play", "sweep")
DATA_WORDS = {"noisy": "generated data", "split": "split data", "plane": "2-D data", "file": "a CSV file"}
COLUMNS = ("setting", "flag", "default", "allowed", "applies to", "what it does")
NARROW = 100              # narrower terminals get one block per setting instead of a table
MARKDOWN_START = "<!-- settings-table:start -->"
MARKDOWN_END = "<!-- settings-table:end -->"


def default_words(s: Setting) -> str:
    """The default, and what the headless commands use instead of auto."""
    text = s.format(s.default)
    if s.cli_default is not None and s.default is None:
        text += f" (train: {s.format(s.cli_default)})"
    return text


def applies_words(s: Setting) -> str:
    """Where the setting means something: its trainers, data, required settings and commands."""
    parts = []
    if s.trainers != ALL_TRAINERS:
        parts.append("trainer " + " or ".join(sorted(s.trainers)))
    if s.data != "all":
        parts.append(DATA_WORDS.get(s.data, s.data))
    for other, allowed in s.requires:
        parts.append(f"{SETTINGS[other].flag} {' or '.join(map(str, allowed))}")
    if tuple(s.commands) != ALL_COMMANDS:
        parts.append("annplay " + " and ".join(s.commands) + " only")
    return "; ".join(parts) or "all"


def allowed_words(s: Setting) -> str:
    """What the flag accepts (bool flags: --flag / --no-flag)."""
    if s.kind == "bool":
        return f"{s.flag} or --no-{s.flag.removeprefix('--')}"
    return s.allowed()


def rows() -> list[tuple[str, ...]]:
    """One row per setting that a command takes, in table order."""
    return [(s.name, s.flag, default_words(s), allowed_words(s), applies_words(s), s.help)
            for s in SETTINGS.values() if s.commands]


def markdown() -> str:
    """The README's settings table (between the settings-table markers)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for name, flag, default, allowed, applies, help_ in rows():
        lines.append("| " + " | ".join((f"`{name}`", f"`{flag}`", cell(default), cell(allowed), cell(applies),
                                         cell(help_))) + " |")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the table (``--markdown``: the README's Markdown)."""
    if args.markdown:
        print(markdown(), end="")
        return EXIT_OK
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from annplay.cli.common import rich_console

    console = rich_console()
    if console.width < NARROW:
        for name, flag, default, allowed, applies, help_ in rows():
            console.print(Text.assemble((flag, "bold"), f"  {name}, default {default}"), highlight=False)
            for label, text in (("", help_), ("allowed: ", allowed), ("applies to: ", applies)):
                console.print(Padding(Text(f"{label}{text}"), (0, 0, 0, 2), expand=False), highlight=False)
        return EXIT_OK
    table = Table(box=None, show_header=True, header_style="bold", expand=True)
    for col in COLUMNS:
        short = col in ("setting", "flag", "default")
        table.add_column(col, overflow="fold", no_wrap=short, ratio=None if short else 1)
    for row in rows():
        table.add_row(*(Text(c) for c in row))
    console.print(table)
    return EXIT_OK


__all__ = ["run", "rows", "markdown", "MARKDOWN_START", "MARKDOWN_END"]
