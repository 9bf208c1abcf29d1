"""The CLI reads the settings table: every entry is a flag of the commands it names, checked by the table,
refused with the table's reason where it does not apply, and the README's settings table is the generated one."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from annplay.cli import main
from annplay.cli.common import UsageError
from annplay.cli.flags import DEST_PREFIX, setup_from_args
from annplay.cli.parser import build_parser
from annplay.cli.table import MARKDOWN_END, MARKDOWN_START, markdown, rows
from annplay.engine.settings import SETTINGS, Setting
from annplay.engine.setup import Setup

ROOT = Path(__file__).resolve().parents[1]


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


def _parse(command: str, *argv: str) -> argparse.Namespace:
    return build_parser().parse_args([command, *argv])


def _entries() -> list[Setting]:
    return [s for s in SETTINGS.values() if s.commands]


# ----------------------------------------------------------------------- (a) every entry is a flag


@pytest.mark.parametrize("entry", _entries(), ids=lambda s: s.name)
def test_every_entry_is_a_flag_of_each_command_it_names(entry: Setting) -> None:
    parsers = _subparsers()
    checked = 0
    for command, parser in parsers.items():
        options = _options(parser)
        if command in entry.commands:
            assert entry.flag in options, f"{entry.flag} missing from 'annplay {command}'"
            if entry.kind == "bool":
                assert "--no-" + entry.flag.removeprefix("--") in options
            help_text = parser.format_help()
            assert entry.help.split("(")[0].strip()[:30] in " ".join(help_text.split()), entry.name
            checked += 1
        elif command in ("train", "play"):
            assert entry.flag not in options, f"{entry.flag} should not be a flag of 'annplay {command}'"
    assert checked == len([c for c in entry.commands if c in parsers])
    assert checked >= 1


def test_train_and_play_take_only_table_flags_and_their_own() -> None:
    """No hand-typed setting flags: every option of train/play is a table flag or one of a known few."""
    own = {"train": {"--save", "--force", "--json", "--no-plot", "--l1", "--l2", "--setup", "--save-setup"},
           "play": {"--l1", "--l2", "--setup", "--lesson"},
           "sweep": {"--l1", "--l2", "--setup", "--vary", "--seeds", "--jobs", "--json", "--csv", "--executor",
                     "--scheduler"}}
    parsers = _subparsers()
    for command, extra in own.items():
        table = {s.flag for s in SETTINGS.values() if command in s.commands}
        table |= {"--no-" + s.flag[2:] for s in SETTINGS.values() if command in s.commands and s.kind == "bool"}
        assert _options(parsers[command]) - {"-h", "--help"} == table | extra


def _sample_values(entry: Setting) -> list[object]:
    values = [v for v in entry.steps() if v is not None][:4]
    return values or ([entry.default] if entry.default is not None else [])


@pytest.mark.parametrize("entry", [s for s in _entries() if "train" in s.commands], ids=lambda s: s.name)
def test_each_flag_value_reaches_the_setup_or_is_refused_with_the_tables_reason(entry: Setting,
                                                                                 tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,label\n1,2,x\n2,1,y\n3,3,x\n4,1,y\n")
    for value in _sample_values(entry):
        if entry.kind == "bool":
            argv = [entry.flag if value else "--no-" + entry.flag[2:]]
        elif entry.name == "csv":
            argv, value = [entry.flag, str(csv)], str(csv)
        else:
            argv = [entry.flag, entry.format(value)]
        args = _parse("train", *argv)
        try:
            setup, typed = setup_from_args(args, "train", headless=True)
        except UsageError as exc:
            reason = Setup(**{entry.name: value}).why_not(entry) if entry.name != "csv" else None
            assert reason is not None and str(exc) == f"{argv[0]} does not apply: {reason}", (argv, exc)
            continue
        assert setup[entry.name] == entry.check(value), argv
        assert typed == {entry.name: argv[0]}


@pytest.mark.parametrize("entry", [s for s in _entries() if s.kind in ("int", "float", "choice")],
                         ids=lambda s: s.name)
def test_a_bad_value_is_reported_under_its_flag_with_what_is_allowed(entry: Setting) -> None:
    bad = "not-a-value"
    args = _parse("train" if "train" in entry.commands else "play", entry.flag, bad)
    with pytest.raises(UsageError) as info:
        setup_from_args(args, "train" if "train" in entry.commands else "play", headless=True)
    text = str(info.value)
    assert text.startswith(f"{entry.flag}: "), text
    assert entry.allowed().split(":")[0].split("(")[0].strip() in text, text


def test_headless_commands_fill_in_the_cli_default() -> None:
    setup, _ = setup_from_args(_parse("train"), "train", headless=True)
    assert setup.epochs == SETTINGS["epochs"].cli_default == 1000
    setup, _ = setup_from_args(_parse("train", "--epochs", "auto"), "train", headless=True)
    assert setup.epochs == 1000
    setup, _ = setup_from_args(_parse("play"), "play", headless=False)
    assert setup.epochs is None and setup == Setup()


def test_penalty_shorthands() -> None:
    setup, typed = setup_from_args(_parse("train", "--l2", "0.01"), "train", headless=True)
    assert (setup.regularization, setup.reg_rate) == ("l2", 0.01) and typed["reg_rate"] == "--l2"
    with pytest.raises(UsageError, match="--l1: a number ≥ 0"):
        setup_from_args(_parse("train", "--l1", "-1"), "train", headless=True)
    with pytest.raises(UsageError, match="not both"):
        setup_from_args(_parse("train", "--l1", "0", "--l2", "0"), "train", headless=True)


def test_the_dest_of_a_setting_never_clashes_with_the_commands_own_options() -> None:
    args = vars(_parse("train", "--lr", "0.5", "--json"))
    assert args[DEST_PREFIX + "lr"] == "0.5" and args["json"] is True


# ----------------------------------------------------------------------- play builds a Setup


def test_play_flags_build_the_setup_the_app_opens_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import annplay.app
    import annplay.cli.play

    opened: list[object] = []
    monkeypatch.setattr(annplay.cli.play, "has_terminal", lambda: True)
    monkeypatch.setattr(annplay.app, "run", lambda setup, *args, **kwargs: opened.append(setup))
    code = main(["play", "--dataset", "xor", "--layers", "4", "--activation", "relu", "--lr", "0.1",
                 "--show-test", "--no-show-points"])
    assert code == 0
    assert opened == [Setup(dataset="xor", hidden=(4,), activation="relu", lr=0.1, show_test=True,
                            show_points=False)]


def test_play_opens_a_share_code_with_flags_over_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import annplay.app
    import annplay.cli.play

    opened: list[object] = []
    monkeypatch.setattr(annplay.cli.play, "has_terminal", lambda: True)
    monkeypatch.setattr(annplay.app, "run", lambda setup, *args, **kwargs: opened.append(setup))
    assert main(["play", "ap1:ds=xor;h=4;lr=0.1", "--activation", "relu"]) == 0
    assert main(["play", "--setup", "ap1:ds=xor;h=4;lr=0.1"]) == 0
    assert opened == [Setup(dataset="xor", hidden=(4,), activation="relu", lr=0.1),
                      Setup(dataset="xor", hidden=(4,), lr=0.1)]


def test_play_refuses_a_flag_that_does_not_apply(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "--trainer", "ga", "--lr", "0.1"]) == 2
    err = capsys.readouterr().err
    assert err == "annplay play: error: --lr does not apply: applies to trainer backprop only, not ga\n"


# ----------------------------------------------------------------------- annplay settings and the README


def test_settings_command_prints_the_markdown_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out == markdown()
    lines = out.splitlines()
    assert len(lines) == 2 + len(rows()) == 2 + len(_entries())
    for s in _entries():
        assert any(line.startswith(f"| `{s.name}` | `{s.flag}` |") for line in lines), s.name


def test_settings_command_lists_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    for s in _entries():
        assert s.flag in out and s.name in out


def test_readme_settings_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(re.escape(MARKDOWN_START) + r"\n(.*?)" + re.escape(MARKDOWN_END), readme, re.S)
    assert found, f"README.md has no {MARKDOWN_START} … {MARKDOWN_END} section (paste `annplay settings --markdown`)"
    assert found.group(1) == markdown(), "README's settings table differs: paste `annplay settings --markdown`"


def test_the_controls_keys_never_promise_a_key_the_playground_takes_first():
    """k opens Share (a priority binding), so the help must not list k as 'Previous control' (a review found it)."""
    from annplay.screens.playground import PlaygroundScreen
    from annplay.widgets.control_panel import ControlPanel
    from annplay.widgets.controls import ChipSet, Choice

    taken = {key for b in PlaygroundScreen.BINDINGS if getattr(b, "priority", False) for key in b.key.split(",")}
    for widget in (ControlPanel, Choice, ChipSet):
        keys = {key for b in widget.BINDINGS for key in b.key.split(",")}
        assert not keys & taken, (widget.__name__, keys & taken)


def test_entries_are_keyword_only_after_the_name() -> None:
    with pytest.raises(TypeError):
        Setting("x", "X", "int", 0, "help", "run", "view", "--x", "x")  # type: ignore[misc]


@pytest.mark.parametrize("entry", [s for s in SETTINGS.values() if s.optional], ids=lambda s: s.name)
def test_each_optional_setting_reads_and_writes_its_own_word_for_none(entry: Setting) -> None:
    """None is spelled by the setting's none_word in flags, share codes and set-up files, and read back."""
    from annplay.engine.setupfile import parse_setup_text, setup_section, toml_text
    from annplay.engine.sharecode import decode
    assert entry.format(None) == entry.none_word
    assert entry.parse(entry.none_word) is None and entry.parse(entry.none_word.upper()) is None
    base = Setup(trainer="backprop")
    given = base.with_(**{entry.name: None})
    assert setup_section(given)[entry.name] == entry.none_word
    assert parse_setup_text(toml_text(given)).setup == given
    code = f"ap1:{entry.code}={entry.none_word}"
    assert decode(code)[entry.name] is None


def test_patience_and_goals_are_switched_off_with_off() -> None:
    setup, _ = setup_from_args(_parse("train", "--patience", "off", "--target-acc", "off"), "train", headless=True)
    assert setup.patience is None and setup.target_acc is None
    assert SETTINGS["patience"].none_word == SETTINGS["target_loss"].none_word == "off"
    assert "(or off)" in SETTINGS["patience"].allowed()
    assert SETTINGS["target_acc"].show(None) == "off"
