"""The QA probe's findings on bad command-line input (15:15 session): empty values, ``--layers 0``, long values
echoed, ``tune --storage`` mistakes, and messages that name what the user typed.

The rule under test: one line naming the flag and what is allowed, exit 2, never a traceback, user text short.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annplay.cli import main
from annplay.cli.flags import DEST_PREFIX
from annplay.cli.parser import build_parser
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setupfile import read_setup_file
from annplay.engine.sharecode import decode
from annplay.engine.tflink import from_tf_link

LONG = "9" * 10_000
LONG_WORDS = "ab " * 3_000
MAX_LINE = 700                          # characters: an error line that echoes a value stays this short


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    """main(argv)'s exit code and its stderr, stripped."""
    return main(argv), capsys.readouterr().err.strip()


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one error line of argv, which must exit 2 without a traceback."""
    code, err = run(capsys, argv)
    assert code == 2, (argv[:4], err[:300])
    assert err.count("\n") == 0 and "Traceback" not in err, err[:500]
    return err


def _value_flags() -> list[tuple[str, str, argparse.Action]]:
    """(command, flag, action) for every flag of every sub-command that takes a value."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = []
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if action.option_strings and action.nargs != 0 and not action.option_strings[0].startswith("--no-") \
                    and action.option_strings[0] not in ("-h", "--help"):
                found.append((name, action.option_strings[0], action))
    return found


VALUE_FLAGS = _value_flags()


# --- 1. empty values ------------------------------------------------------------------------------------

def test_the_probe_list_of_flags_is_covered() -> None:
    flags = {(command, flag) for command, flag, _ in VALUE_FLAGS}
    for flag in ("--layers", "--epochs", "--points", "--patience", "--target-loss", "--population", "--sigma",
                 "--layer-activations", "--x", "--y", "--data", "--lr", "--seed", "--noise"):
        assert ("train", flag) in flags
    assert {("tune", "--storage"), ("tune", "--study"), ("sweep", "--scheduler"), ("predict", "--point"),
            ("serve", "--host")} <= flags


@pytest.mark.parametrize("command, flag, action", VALUE_FLAGS, ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("empty", ["", "  "], ids=["empty", "blank"])
def test_an_empty_value_is_refused_for_every_flag_of_every_command(capsys: pytest.CaptureFixture[str], command: str,
                                                                   flag: str, action: argparse.Action,
                                                                   empty: str) -> None:
    err = refused(capsys, [command, f"{flag}={empty}"])
    assert err.startswith(f"annplay {command}: error: {flag}: empty value; "), err
    if action.dest.startswith(DEST_PREFIX) and action.dest.removeprefix(DEST_PREFIX) in SETTINGS:
        entry = SETTINGS[action.dest.removeprefix(DEST_PREFIX)]
        assert entry.allowed() in err                              # what is allowed, from the table
        if entry.optional:
            assert f"(or {entry.none_word})" in err                 # the word that says none


@pytest.mark.parametrize("argv, name, value", [
    (["--epochs", "auto"], "epochs", None), (["--patience", "off"], "patience", None),
    (["--target-loss", "off"], "target_loss", None), (["--points", "auto"], "points", None),
    (["--layers", "none"], "hidden", ()), (["--layer-activations", "none"], "layer_activations", ()),
])
def test_the_word_for_none_still_says_none(argv: list[str], name: str, value: object) -> None:
    from annplay.cli.flags import setup_from_args

    args = build_parser().parse_args(["train", *argv])
    setup, _typed = setup_from_args(args, "train", headless=False)
    assert setup[name] == value


def test_every_default_is_written_as_text_a_flag_takes() -> None:
    for entry in SETTINGS.values():
        assert entry.format(entry.default).strip(), entry.name             # never '' (the flags refuse it)
        assert entry.parse(entry.format(entry.default)) == entry.default, entry.name


@pytest.mark.parametrize("argv, words", [
    (["sweep", "--vary", "lr=0.1,"], "--vary lr: an empty value in '0.1,'"),
    (["sweep", "--vary", "layers=4,"], "--vary layers: an empty value"),
    (["sweep", "--vary", "epochs=,100"], "--vary epochs: an empty value"),
    (["tune", "--search", "layers=4|"], "--search layers: an empty value in '4|'"),
])
def test_an_empty_item_of_a_grid_or_search_is_refused(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                      words: str) -> None:
    assert words in refused(capsys, argv)


# --- 2. --layers 0 ---------------------------------------------------------------------------------------

def test_layers_0_means_no_hidden_layer_everywhere(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["train", "--layers", "0", "--epochs", "2", "--points", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["hidden"] == []
    assert decode("ap1:ds=xor;h=0").hidden == ()
    for text in ('hidden = "0"', "hidden = 0"):
        path = tmp_path / "s.toml"
        path.write_text(f"[setup]\n{text}\n")
        assert read_setup_file(path).setup.hidden == ()


@pytest.mark.parametrize("value", ["4,0", "0,4", "0/0"])
def test_a_0_inside_a_list_is_refused_in_one_line(capsys: pytest.CaptureFixture[str], value: str) -> None:
    err = refused(capsys, ["train", "--layers", value])
    assert "--layers: each hidden layer needs 1 to 64 neurons, got 0 (0 alone means no hidden layer)" in err


def test_train_help_says_layers_0_is_no_hidden_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--layers N,N hidden layer sizes, e.g. 8,8 (0 or 'none' for no hidden layer)" in out


def test_layers_in_other_digits_are_refused() -> None:
    with pytest.raises(SettingError):
        SETTINGS["hidden"].parse("８")


# --- 3. long values -----------------------------------------------------------------------------------

@pytest.mark.parametrize("flag", [s.flag for s in SETTINGS.values() if "train" in s.commands and s.kind != "bool"])
@pytest.mark.parametrize("value", [LONG, "ab" * 5_000, LONG_WORDS], ids=["digits", "letters", "words"])
def test_a_long_value_of_any_setting_flag_is_shortened(capsys: pytest.CaptureFixture[str], flag: str,
                                                       value: str) -> None:
    code, err = run(capsys, ["train", flag, value, "--epochs", "1", "--points", "20", "--json"])
    if code == 0:                     # e.g. --data/--y with a file that fits: nothing echoed
        return
    assert code == 2 and err.count("\n") == 0 and len(err) < MAX_LINE, (flag, len(err), err[:200])
    assert flag in err


@pytest.mark.parametrize("argv", [
    ["sweep", "--vary", "dataset=" + "ab" * 5_000], ["sweep", "--vary", "ab" * 5_000 + "=1"],
    ["tune", "--search", "lr=" + "ab" * 5_000], ["tune", "--search", "dataset=" + LONG_WORDS],
    ["play", "--lesson", LONG_WORDS], ["sweep", "--seeds", LONG], ["train", "ab" * 5_000],
])
def test_long_values_of_other_flags_are_shortened(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    err = refused(capsys, argv)
    assert len(err) < MAX_LINE, (argv[:2], len(err))


def test_a_long_scheduler_address_is_shortened(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, ["sweep", "--executor", "dask", "--scheduler", "ab" * 5_000, "--vary", "lr=0.1"])
    last = err.splitlines()[-1]                       # after the progress bar's first line
    assert code == 2 and last.startswith("annplay sweep: error: --scheduler ab") and len(last) < MAX_LINE


def test_a_long_dataset_in_a_setup_file_is_shortened(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(f'[setup]\ndataset = "{LONG}"\n')
    err = refused(capsys, ["train", "--setup", str(path)])
    assert "dataset: unknown '99999" in err and "choose one of: circle" in err and len(err) < 400, err[:400]


# --- 4. tune --storage ----------------------------------------------------------------------------------

TPE = ["tune", "--epochs", "9", "--search", "lr=0.01..1", "--method", "tpe", "--study", "s", "--budget", "30"]


def test_storage_refuses_a_file_that_is_not_a_journal_and_leaves_it_alone(capsys: pytest.CaptureFixture[str],
                                                                          tmp_path: Path) -> None:
    pytest.importorskip("optuna")
    precious = tmp_path / "precious2.csv"
    precious.write_text("a,b\n1,2\n")
    before = (precious.read_bytes(), precious.stat().st_mtime_ns)
    err = refused(capsys, [*TPE, "--storage", str(precious)])
    assert "--storage: " in err and "is not an Optuna journal file" in err and "a new file name" in err, err
    assert "Expecting value" not in err
    assert (precious.read_bytes(), precious.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious2.csv"]        # no lock file left either


@pytest.mark.parametrize("make, words", [
    (lambda d: (d / "adir").mkdir() or d / "adir", "is a folder"),
    (lambda d: d / "nodir" / "x.log", "does not exist"),
    (lambda d: Path(os.devnull), "is not a regular file"),
    (lambda d: f"sqlite:///{d}/nodir/x.db", "cannot open the database"),
    (lambda d: "bogus://x", "cannot open the database"),
])
def test_storage_mistakes_are_one_line_in_words(capsys: pytest.CaptureFixture[str], tmp_path: Path, make,
                                                words: str) -> None:
    pytest.importorskip("optuna")
    err = refused(capsys, [*TPE, "--storage", str(make(tmp_path))])
    assert "--storage: " in err and words in err and "Errno" not in err, err


def test_storage_accepts_a_new_file_and_its_own_journal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("optuna")
    journal = tmp_path / "study.log"
    for _ in range(2):
        code, err = run(capsys, [*TPE, "--storage", str(journal), "--json"])
        assert code == 0, err
    assert journal.read_text().startswith('{"op_code"')


# --- 5. smaller ones ------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["sweep", "--vary", "layers=4,4"], "--vary layers: value '4' given twice"),
    (["sweep", "--vary", "batch_size=1,1"], "--vary batch-size: value '1' given twice"),
    (["sweep", "--vary", "layers=4", "--layers", "8"], "--vary layers=4: --layers is given too"),
    (["tune", "--search", "layers=4|4"], "--search layers: value '4' given twice"),
    (["tune", "--search", "batch_size=1|1"], "--search batch-size: value '1' given twice"),
    (["tune", "--search", "hidden=4|8", "--search", "layers=2|3"], "--search layers given twice"),
    (["tune", "--search", "batch_size=1..x"], "--search batch-size: 'x'"),
    (["sweep", "--vary", "momentum=0.5,0.8"], "--vary momentum does not apply"),
    (["sweep", "--vary", "reg_rate=0.1,0.3"], "--vary reg-rate does not apply"),
])
def test_grid_and_search_messages_use_the_flag_name(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                    words: str) -> None:
    err = refused(capsys, argv)
    assert words in err, err
    for internal in ("hidden", "batch_size", "reg_rate"):
        assert f"--vary {internal}" not in err and f"--search {internal}" not in err


@pytest.mark.parametrize("argv, command, extra", [
    (["train", "--bogus"], "train", "--bogus"), (["play", "a", "b", "c"], "play", "b c"),
    (["sweep", "--vary", "lr=0.1", "x"], "sweep", "x"), (["datasets", "--zz"], "datasets", "--zz"),
])
def test_unrecognized_arguments_name_the_sub_command(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                     command: str, extra: str) -> None:
    assert refused(capsys, argv) == (f"annplay {command}: error: unrecognized arguments: {extra} "
                                     f"(see 'annplay {command} --help')")


def test_a_tf_link_with_a_duplicate_key_is_refused_like_a_share_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SettingError, match="field 'dataset' given twice"):
        from_tf_link("https://playground.tensorflow.org/#dataset=xor&dataset=circle")
    err = refused(capsys, ["train", "--setup", "https://playground.tensorflow.org/#dataset=xor&dataset=circle"])
    assert err == "annplay train: error: --setup: TF link: field 'dataset' given twice; a link gives each field once"
    assert from_tf_link("https://playground.tensorflow.org/#dataset=xor&noise=5")[0].dataset == "xor"


def test_datasets_tells_the_truth_about_blobs_classes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasets", "--json"]) == 0
    blobs = next(row for row in json.loads(capsys.readouterr().out) if row["name"] == "blobs")
    assert "classes=" not in blobs["description"] and "4 Gaussian blobs" in blobs["description"]
    assert "--classes" not in {a.option_strings[0] for _c, _f, a in VALUE_FLAGS}      # no such flag to point to


def test_divergence_is_reported_with_the_epoch_count_the_table_shows() -> None:
    done = subprocess.run([sys.executable, "-m", "annplay", "train", "--dataset", "sine", "--lr", "5", "--json"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    result = json.loads(done.stdout)
    assert done.returncode == 1 and result["state"] == "diverged"
    epochs = result["epochs"]
    assert f"training diverged after {epochs} epoch" in result["message"], result["message"]
    assert f"epoch {epochs + 1}" not in result["message"]
