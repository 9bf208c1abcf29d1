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
    "tune": "search settings for the lowest test loss, stopping poor trials early",
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
    predict.add_argument("model", metavar="MODEL.npz",
                         help="a model saved by 'annplay train --save' (.npz), or a JSON weight export")
    source = predict.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="FILE.csv", help="CSV with the model's input columns (header row)")
    source.add_argument("--point", metavar="X1,X2", action="append",
                        help="a point, its values separated by commas (repeat --point for more points)")
    predict.add_argument("--json", action="store_true",
                         help="print a JSON list with one object per point, in order (also for one point): "
                              "input, and class and probability (or value for regression)")

    _sweep_parser(sub)
    _tune_parser(sub)

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
    add_executor_flags(grid)
    out = sweep.add_argument_group("output")
    out.add_argument("--json", nargs="?", const=STDOUT, default=None, metavar="FILE",
                     help="every run and the ranking as JSON, to FILE or (no FILE) to stdout")
    out.add_argument("--csv", nargs="?", const=STDOUT, default=None, metavar="FILE",
                     help="every run as CSV, to FILE or (no FILE) to stdout")


def add_executor_flags(group: Any) -> None:
    """--jobs, --executor and --scheduler: where the runs of a sweep or a tuning run execute."""
    group.add_argument("--jobs", default=None, metavar="N",
                       help="worker processes, 1 to 256 (default: one per core; more than 2 per core are capped)")
    group.add_argument("--executor", default="local", choices=("local", "dask"),
                       help="local: a process pool on this machine (default); dask: a Dask cluster "
                            "(needs --scheduler and the cluster extra)")
    group.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="the Dask scheduler's address, with --executor dask")


def _tune_parser(sub: Any) -> None:
    """The ``tune`` sub-command: --setup, the table's flags, the search space, the budget and the method."""
    tune = sub.add_parser("tune", help=COMMAND_HELP["tune"],
                          description="Sample set-ups from the --search space and train them with successive "
                                      "halving: every rung keeps the best third (by mean test loss over --seeds) "
                                      "and trains them longer. --method tpe lets Optuna propose the points.")
    add_setup_flag(tune)
    add_setting_flags(tune, "sweep", headless=True)
    space = tune.add_argument_group("search")
    space.add_argument("--search", action="append", default=[], metavar="NAME=SPEC",
                       help="a setting and its values: a list A|B|C (layers=4|8|8,8) or a range LO..HI, "
                            "',log' for a log scale (lr=0.0001..1,log); repeat for more settings")
    space.add_argument("--budget", default=None, metavar="EPOCHS",
                       help="total epochs all trials may train (default: enough for 27 first-rung trials)")
    space.add_argument("--seeds", default="1", metavar="N", help="runs per trial, seeds counting up from --seed; "
                                                                  "trials rank by their mean (default 1)")
    space.add_argument("--factor", default="3", metavar="N", help="successive halving's factor: each rung keeps "
                                                                   "1/N of the trials and trains N× longer (default 3)")
    space.add_argument("--min-epochs", default=None, metavar="N",
                       help="epochs of the first rung, at least (default: --epochs / factor²)")
    space.add_argument("--method", default="halving", choices=("halving", "tpe"),
                       help="halving: quasi-random points (built in, the default); tpe: Optuna's TPE proposes "
                            "them (needs the tune extra)")
    space.add_argument("--storage", default=None, metavar="FILE|URL",
                       help="with --method tpe: keep the study in a journal FILE or an RDB URL (sqlite:///x.db) "
                            "to resume it or share it between processes")
    space.add_argument("--study", default=None, metavar="NAME", help="with --storage: the study's name")
    add_executor_flags(space)
    out = tune.add_argument_group("output")
    out.add_argument("--json", nargs="?", const=STDOUT, default=None, metavar="FILE",
                     help="the best set-up and every trial as JSON, to FILE or (no FILE) to stdout")
    out.add_argument("--no-plot", action="store_true", help="leave out the plots of test loss per setting")


__all__ = ["build_parser", "COMMAND_HELP", "STDOUT", "add_executor_flags"]
