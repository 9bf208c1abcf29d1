"""TOML set-up files: round trips, one-line errors with line numbers, safe replacing, the shared section."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.engine.network import MLP
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.engine.setupfile import (
    FORMAT,
    SetupFileError,
    check_replaceable,
    parse_setup_text,
    read_setup,
    read_setup_file,
    setup_from_section,
    setup_section,
    toml_text,
    write_setup,
)
from annplay.engine.sharecode import encode

SETUP = Setup(dataset="xor", hidden=(4, 2), lr=0.0123456789, seed=7, layer_activations=("relu", None),
              csv_x=('quote " and \\ back', "tab\there"), epochs=300, target_acc=95.0)


def test_write_then_read_gives_the_same_setup(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    write_setup(path, SETUP, model="run.npz")
    text = path.read_text(encoding="utf-8")
    assert f'format = "{FORMAT}"' in text and "version = 1" in text and encode(SETUP) in text
    loaded = read_setup_file(path)
    assert loaded.setup == SETUP and read_setup(path) == SETUP
    assert loaded.model == tmp_path / "run.npz"              # resolved beside the set-up file


def test_file_lists_every_setting_in_table_order() -> None:
    lines = [ln.split(" = ")[0] for ln in toml_text(Setup()).splitlines() if " = " in ln]
    assert lines == ["format", "version", *SETTINGS]


def test_a_hand_written_file_needs_only_a_setup_table() -> None:
    text = '[setup]\ndataset = "circle"\nhidden = "4/4"\nlr = 1\nbatch_size = 5.0\nshow_test = "on"\nepochs = "auto"\n'
    assert parse_setup_text(text).setup == Setup(dataset="circle", hidden=(4, 4), lr=1.0, batch_size=5, show_test=True)


def test_lesson_files_read_as_setups() -> None:
    text = '[setup]\ndataset = "xor"\n[lesson]\ntitle = "XOR"\n'
    assert parse_setup_text(text, "lesson.toml").setup.dataset == "xor"


def test_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeff[setup]\nlr = 0.1\n".encode())
    assert read_setup(path).lr == 0.1


@pytest.mark.parametrize("text, start, words", [
    ('[setup]\nlr = -1\n', "run.toml:2: lr:", "a number > 0"),
    ('[setup]\ndataset = "xor"\n\nzz = 1\n', "run.toml:4: zz:", "unknown setting; known: dataset, points"),
    ('[setup]\nhidden = [4, 99]\n', "run.toml:2: hidden:", "1 to 64 neurons"),
    ('[setup]\nactivation = 3\n', "run.toml:2: activation:", "choose one of"),
    ('[setup]\nseed = 1.5\n', "run.toml:2: seed:", "a whole number"),
    ('[setup]\nshow_test = 2\n', "run.toml:2: show_test:", "on or off"),
    ('[setup]\nlr = 1979-05-27\n', "run.toml:2: lr:", "a number"),
    ('[setup]\nactivation = "step"\n', "run.toml:2: activation:", "ga or es"),
    ('[setup]\n"lr" = nan\n', "run.toml:2: lr:", "a number > 0"),
    ('[setup]\nlr = 0.1\nlr = 0.2\n', "run.toml: not valid TOML", ""),
    ('lr = 0.1\n', "run.toml:1: unknown key 'lr'", "a set-up file has: format"),
    ('format = "other"\n[setup]\n', "run.toml: format is 'other'", "not an annplay set-up"),
    ('version = 9\n[setup]\n', "run.toml: set-up format version 9 is newer", "upgrade"),
    ('version = "1"\n[setup]\n', "run.toml: version must be a whole number", ""),
    ('format = "annplay-setup"\n', "run.toml: no [setup] table", ""),
    ('setup = 3\n', "run.toml: the setup section must be a table", ""),
    ('[setup]\n[model]\nfile = 3\n', "run.toml: [model] file must be a file name", ""),
    ('[setup]\n[model]\npath = "m.npz"\n', "run.toml: [model] takes one key", ""),
])
def test_each_bad_file_gives_one_line_starting_with_its_name(text: str, start: str, words: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_setup_text(text, "run.toml")
    message = str(info.value)
    assert message.startswith(start) and words in message and "\n" not in message


def test_value_errors_keep_the_setting_name() -> None:
    with pytest.raises(SettingError) as info:
        parse_setup_text('[setup]\nbatch_size = 0\n', "run.toml")
    assert isinstance(info.value, SetupFileError) and info.value.setting == "batch_size"


def test_missing_unreadable_and_huge_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        read_setup(tmp_path / "none.toml")
    with pytest.raises(ValueError, match="not a regular file"):
        read_setup(tmp_path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (2 << 20))
    with pytest.raises(ValueError, match="too large"):
        read_setup(big)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe[setup]")
    with pytest.raises(ValueError, match="not UTF-8"):
        read_setup(binary)


# --- replacing files ------------------------------------------------------------------------------

def test_a_foreign_file_is_never_replaced(tmp_path: Path) -> None:
    for name, data in (("notes.txt", b"my notes"), ("other.toml", b'title = "x"\n'),
                       ("data.json", b'{"format": "other"}'), ("zip.npz", b"PK\x03\x04junk")):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ValueError, match="exists and is not an annplay set-up|a set-up file is TOML"):
            write_setup(path, SETUP)
        assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.json", "notes.txt", "other.toml", "zip.npz"]


def test_set_up_files_and_empty_files_may_be_replaced_weights_never(tmp_path: Path) -> None:
    """A set-up saved over a trained model or a weight export lost the weights (a probe's find): each save replaces
    only its own kind, and a set-up never takes a weights' name."""
    net = MLP([2, 3, 1], ["tanh", "logistic"])
    npz, exported, setup_file, empty = (tmp_path / n for n in ("m.npz", "w.json", "s.toml", "e.toml"))
    net.save(npz)
    exported.write_text(json.dumps({**net.to_dict(), "setup": setup_section(SETUP)}))
    write_setup(setup_file, Setup())
    empty.touch()
    for path in (setup_file, empty):
        check_replaceable(path)
        write_setup(path, SETUP)
        assert read_setup(path) == SETUP
    for path, words in ((npz, "a set-up file is TOML"), (exported, "a set-up file is TOML")):
        before = path.read_bytes()
        with pytest.raises(ValueError, match=words):
            write_setup(path, SETUP)
        assert path.read_bytes() == before
    renamed = tmp_path / "model-as.toml"
    npz.rename(renamed)
    with pytest.raises(ValueError, match=r"is an annplay model \(trained weights\)"):
        check_replaceable(renamed)
    check_replaceable(tmp_path / "new.toml")                 # a new name is fine


def test_special_targets_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="FIFO"):
        write_setup(fifo, SETUP)
    with pytest.raises(ValueError):
        write_setup(tmp_path, SETUP)


# --- the shared section (weight editor's JSON export) ------------------------------------------------

def test_section_is_json_and_toml_safe() -> None:
    section = setup_section(SETUP)
    assert list(section) == list(SETTINGS)
    assert section["epochs"] == 300 and section["points"] == "auto" and section["layer_activations"] == ["relu", "same"]
    assert setup_from_section(json.loads(json.dumps(section)), "export.json") == SETUP


def test_section_errors_name_the_source() -> None:
    with pytest.raises(SettingError, match=r"^export.json: lr: a number > 0"):
        setup_from_section({"lr": 0}, "export.json")
    with pytest.raises(ValueError, match=r"^export.json: the setup section must be a table"):
        setup_from_section([1, 2], "export.json")


def test_resolve_setup_reads_codes_links_and_files(tmp_path: Path) -> None:
    from annplay.engine.setupfile import resolve_setup
    path = tmp_path / "run.toml"
    write_setup(path, SETUP)
    assert resolve_setup(str(path)) == (SETUP, [], set())
    assert resolve_setup(" 'ap1:ds=xor;lr=0.1' ")[0] == Setup(dataset="xor", lr=0.1, hidden=(8, 8))   # ap1's baseline
    setup, warnings, hidden = resolve_setup("https://playground.tensorflow.org/#dataset=xor&initZero=true&noise_hide=true")
    assert setup.dataset == "xor" and len(warnings) == 1 and hidden == {"noise"}
    with pytest.raises(ValueError, match="no such file"):
        resolve_setup(str(tmp_path / "missing.toml"))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*SETTINGS, "zz"]),
                       st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(),
                                 st.text(max_size=8), st.lists(st.one_of(st.integers(-3, 70), st.text(max_size=4)),
                                                               max_size=7)), max_size=6))
def test_any_section_gives_a_setup_or_one_error(section: dict[str, object]) -> None:
    try:
        setup = setup_from_section(section, "x.json")
    except ValueError as exc:
        assert str(exc).startswith("x.json") and "\n" not in str(exc)
    else:
        assert setup_from_section(setup_section(setup), "again") == setup


def test_odd_keys_are_shown_on_one_line() -> None:
    with pytest.raises(SettingError) as info:
        parse_setup_text('[setup]\n"a\\nb" = 1\n', "run.toml")
    assert "\n" not in str(info.value) and "a\\nb" in str(info.value)
