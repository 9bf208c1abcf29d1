"""Command-line flags generated from the settings table, and the checked Setup they give.

Each table entry whose ``commands`` name a command becomes one flag of it, with the entry's help,
allowed values and default; a bool becomes ``--flag/--no-flag``.  Values are checked by the table
(a SettingError names its flag), and a flag that does not apply to the resulting set-up is refused
with the reason :meth:`Setup.why_not` gives.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from annplay.cli.common import ALLOWED_ATTR, UsageError, usage_from
from annplay.engine.settings import SETTINGS, Setting, SettingError
from annplay.engine.setup import Setup

DEST_PREFIX = "setting:"                # argparse dest of a setting's flag: never clashes with other options
GROUP_TITLES = {"data": "data", "features": "input features", "network": "network", "training": "training",
                "evolution": "neuroevolution (--trainer ga or es)", "run": "run", "view": "view"}
METAVARS = {"int": "N", "float": "X", "layers": "N,N", "features": "F,F", "per_layer": "ACT,ACT",
            "columns": "COL,COL"}
# Shorthands that set two table settings at once: flag → (regularization value).
PENALTY_FLAGS = {"--l1": "l1", "--l2": "l2"}


def entries_for(command: str) -> list[Setting]:
    """The table entries that ``command`` takes as flags, in table order."""
    return [s for s in SETTINGS.values() if command in s.commands]


def default_text(s: Setting, headless: bool) -> str:
    """The default as the help shows it: a headless command's own where it has one, 'none' for nothing."""
    if headless and s.cli_default is not None and s.default is None:
        return s.format(s.cli_default)
    return "none" if s.default is None else s.format(s.default) or "none"


def help_text(s: Setting, headless: bool) -> str:
    """One flag's help: what it does, the allowed range, its default (argparse %-escaped).

    Choices show in the metavar; a None default is left to the help when it says what its word (auto, off) means.
    """
    text = s.help
    if s.kind in ("int", "float"):
        text += f"; {s.allowed()}"
    explained = s.default is None and f"{s.none_word}:" in s.help and not (headless and s.cli_default is not None)
    if not explained:
        text += f" (default {default_text(s, headless)})"
    return text.replace("%", "%%")


def allowed_text(s: Setting) -> str:
    """What a flag allows, in words, with the word that asks for none (the way to say none: never '')."""
    text = s.allowed()
    if s.optional and f"(or {s.none_word})" not in text:
        text += f" (or {s.none_word})"
    return text


def metavar(s: Setting) -> str:
    """How the flag's value is shown in --help."""
    if s.kind == "choice":
        return "{" + ",".join(map(str, s.values)) + "}"
    return METAVARS.get(s.kind) or s.flag.lstrip("-").upper().replace("-", "_")


def add_setting_flags(parser: argparse.ArgumentParser, command: str, *, headless: bool) -> None:
    """Add a flag for every table entry ``command`` takes, grouped as the table groups them."""
    groups: dict[str, Any] = {}
    for s in entries_for(command):
        if s.group not in groups:
            groups[s.group] = parser.add_argument_group(GROUP_TITLES.get(s.group, s.group))
        group = groups[s.group]
        dest = DEST_PREFIX + s.name
        if s.kind == "bool":
            group.add_argument(s.flag, dest=dest, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                               help=help_text(s, headless))
        else:
            action = group.add_argument(s.flag, dest=dest, default=argparse.SUPPRESS, metavar=metavar(s),
                                        help=help_text(s, headless))
            setattr(action, ALLOWED_ATTR, allowed_text(s))        # the words of Parser's empty-value message
    if any(s.name == "reg_rate" for s in entries_for(command)):
        group = groups.get("training") or parser
        for flag, kind in PENALTY_FLAGS.items():
            action = group.add_argument(flag, dest=DEST_PREFIX + flag, default=argparse.SUPPRESS, metavar="RATE",
                                        help=f"shorthand for --regularization {kind} --reg-rate RATE")
            setattr(action, ALLOWED_ATTR, allowed_text(SETTINGS["reg_rate"]))


def given_values(args: argparse.Namespace, command: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(values checked by the table, the flag the user typed for each) for the settings given on the line."""
    raw = vars(args)
    values: dict[str, Any] = {}
    typed: dict[str, str] = {}
    for s in entries_for(command):
        key = DEST_PREFIX + s.name
        if key not in raw:
            continue
        value = raw[key]
        typed[s.name] = s.flag if value is not False else "--no-" + s.flag.removeprefix("--")
        try:
            values[s.name] = value if isinstance(value, bool) else s.parse(value)
        except SettingError as exc:
            raise usage_from(exc, typed) from None
    _penalty_shorthand(raw, values, typed)
    return values, typed


def _penalty_shorthand(raw: Mapping[str, Any], values: dict[str, Any], typed: dict[str, str]) -> None:
    """--l1 RATE / --l2 RATE set regularization and reg_rate; refuse both, or either with the long flags."""
    given = [flag for flag in PENALTY_FLAGS if DEST_PREFIX + flag in raw]
    if not given:
        return
    if len(given) > 1:
        raise UsageError(f"choose one of {' or '.join(given)}, not both")
    flag = given[0]
    clash = [typed[n] for n in ("regularization", "reg_rate") if n in typed]
    if clash:
        raise UsageError(f"{flag} sets the penalty and its rate; leave out {', '.join(clash)}")
    try:
        rate = SETTINGS["reg_rate"].parse(raw[DEST_PREFIX + flag])
    except SettingError as exc:
        raise UsageError(f"{flag}: {exc.message}") from None
    values.update(regularization=PENALTY_FLAGS[flag], reg_rate=rate)
    typed.update(regularization=flag, reg_rate=flag)


def setup_from_args(args: argparse.Namespace, command: str, *, headless: bool,
                    base: Setup | None = None) -> tuple[Setup, dict[str, str]]:
    """The checked Setup the command line asks for, and the flag typed for each given setting.

    The flags override ``base`` (a set-up from --setup).  ``headless`` commands fill in the table's
    ``cli_default`` for settings that are still auto.
    """
    values, typed = given_values(args, command)
    if "csv" in values and "dataset" in typed:
        raise UsageError(f"{typed['dataset']} and {typed['csv']} both choose the data; give one of them")
    if "dataset" in typed and base is not None and base.csv is not None:
        values["csv"] = None                        # --dataset replaces the CSV the base set-up names
    if headless:
        for s in entries_for(command):
            if s.cli_default is not None and values.get(s.name) is None and (base is None or base[s.name] is None):
                values[s.name] = s.cli_default
    try:
        setup = (base or Setup()).with_(**values)
        traits = setup.data_traits()
        if setup.csv is not None:       # a CSV's width is known once loaded: prepare() checks 2-D rules then
            traits.add("plane")
        for name, flag in typed.items():
            reason = setup.why_not(SETTINGS[name], traits)
            if reason is not None:
                raise UsageError(f"{flag} does not apply: {reason}")
        setup.validate()
    except SettingError as exc:
        raise usage_from(exc, typed) from None
    if setup.csv is None and (setup.csv_x is not None or setup.csv_y is not None):
        # a CSV run's share code names its columns, never its file: without --data it trained the code's
        # baseline data set (circle or spiral) without a word (a QA probe)
        raise UsageError("--setup: this set-up is a CSV run's (it names CSV columns); give the CSV with --data FILE")
    return setup, typed


def check_goal(setup: Setup, kind: str | None, typed: Mapping[str, str]) -> None:
    """Refuse an accuracy goal on regression data (``kind``: the data's, None when not known yet): it has no
    accuracy, so the run never stopped there and said nothing (a probe's 'train --dataset sine --target-acc 90')."""
    if setup.target_acc is not None and kind == "regression":
        flag = typed.get("target_acc", "--setup: its goal accuracy (target_acc)")
        raise UsageError(f"{flag} does not apply: regression data has no accuracy; give a goal with --target-loss")


def dataset_kind(setup: Setup) -> str | None:
    """The kind of a built-in data set (binary, multiclass, regression); None for a CSV until it is loaded."""
    from annplay.engine.datasets import DATASETS

    spec = DATASETS.get(setup.dataset) if setup.csv is None else None
    return None if spec is None else spec.kind


__all__ = ["check_goal", "dataset_kind", "add_setting_flags", "setup_from_args", "entries_for", "help_text",
           "default_text", "DEST_PREFIX", "PENALTY_FLAGS"]
