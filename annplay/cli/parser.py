"""The whole ``annplay`` command line; the setting flags of train and play come from the settings table."""

from __future__ import annotations

import argparse
from typing import Any

from annplay.cli.common import Parser
from annplay.cli.flags import add_setting_flags
from annplay.cli.setups import add_setup_flag

COMMAND_HELP = {
    "play": "open the interactive playground (the default)",
    "train": "train headless with a progress bar and a final report",
    "datasets": "list the built-in data sets",
    "predict": "predict with a saved model",
    "settings": "list every setting: flag, default, allowed values, where it applies",
    "sweep": "train a grid of set-ups in parallel and rank them",
    "lessons": "list the lessons (open one with 'annplay play --lesson N')",
    "serve": "the playground in a browser for a class (needs the web extra: pip install \"annplay[web]\")",
}
STDOUT = "-"                  # --json / --csv of sweep given without a FILE


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``annplay`` and its commands."""
    from annplay import __version__

    parser = Parser(prog="annplay", description="A terminal playground for neural networks. "
                    "With no command, opens the interactive playground.")
    parser.add_argument("--version", action="version", version=f"annplay {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    play = sub.add_parser("play", help=COMMAND_HELP["play"],
                          description="Open the interactive playground (needs a terminal) on the set-up the "
                                      "flags describe.")
    add_setup_flag(play, positional=True)
    play.add_argument("--lesson", metavar="N|FILE", default=None,
                      help="open a lesson: a shipped one by number ('annplay lessons' lists them) or a lesson file")
    add_setting_flags(play, "play", headless=False)

    train = sub.add_parser("train", help=COMMAND_HELP["train"],
                           description="Train a network without the UI and print a report.")
    add_setup_flag(train)
    add_setting_flags(train, "train", headless=True)
    out = train.add_argument_group("output")
    out.add_argument("--save", metavar="MODEL.npz",
                     help="save the trained model (also on Ctrl-C; not when training diverged)")
    out.add_argument("--save-setup", metavar="FILE.toml",
                     help="write the run's set-up file (naming the model saved with --save)")
    out.add_argument("--force", action="store_true",
                     help="let --save replace an existing file that is not an annplay model")
    out.add_argument("--json", action="store_true", help="print one JSON result object instead of the report")
    out.add_argument("--no-plot", action="store_true", help="leave out the decision-boundary picture")

    sub.add_parser("datasets", help=COMMAND_HELP["datasets"]).add_argument(
        "--json", action="store_true", help="print JSON instead of a table")

    predict = sub.add_parser("predict", help=COMMAND_HELP["predict"],
                             description="Predict with a model saved by 'annplay train --save'.")
    predict.add_argument("model", metavar="MODEL.npz")
    source = predict.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="FILE.csv", help="CSV with the model's input columns (header row)")
    source.add_argument("--point", metavar="X1,X2", help="one point, its values separated by commas")
    predict.add_argument("--json", action="store_true", help="print JSON")

    _sweep_parser(sub)

    sub.add_parser("lessons", help=COMMAND_HELP["lessons"],
                   description="List the shipped lessons: number, title and goal.").add_argument(
        "--json", action="store_true", help="print JSON (with each lesson's text) instead of lines")

    from annplay.cli.serve import add_parser as serve_parser

    serve_parser(sub, COMMAND_HELP["serve"])

    settings = sub.add_parser("settings", help=COMMAND_HELP["settings"],
                              description="Every setting of the settings table: its flag, default, allowed "
                                          "values, where it applies and what it does.")
    settings.add_argument("--markdown", action="store_true", help="print the README's Markdown table")
    return parser


def _sweep_parser(sub: Any) -> None:
    """The ``sweep`` sub-command: --setup, the table's flags, and the grid's own options."""
    sweep = sub.add_parser("sweep", help=COMMAND_HELP["sweep"],
                           description="Train every combination of the --vary values (each with --seeds seeds) "
                                       "in parallel, and rank the set-ups by mean test loss.")
    add_setup_flag(sweep)
    add_setting_flags(sweep, "sweep", headless=True)
    grid = sweep.add_argument_group("grid")
    grid.add_argument("--vary", action="append", default=[], metavar="NAME=V,V",
                      help="a setting and its values, e.g. lr=0.01,0.1 or layers=4/8,16 ('/' joins a list); "
                           "repeat for more settings: every combination runs")
    grid.add_argument("--seeds", default="1", metavar="N", help="runs per combination, seeds counting up from "
                                                                 "--seed (default 1)")
    grid.add_argument("--jobs", default=None, metavar="N", help="worker processes (default: one per core)")
    out = sweep.add_argument_group("output")
    out.add_argument("--json", nargs="?", const=STDOUT, default=None, metavar="FILE",
                     help="every run and the ranking as JSON, to FILE or (no FILE) to stdout")
    out.add_argument("--csv", nargs="?", const=STDOUT, default=None, metavar="FILE",
                     help="every run as CSV, to FILE or (no FILE) to stdout")


__all__ = ["build_parser", "COMMAND_HELP", "STDOUT"]
