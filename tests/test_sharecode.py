"""Share codes: exact round trips for every setting (and through TOML and JSON), one clear error per bad code."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annplay.engine.features import FEATURES
from annplay.engine.settings import MAX_HIDDEN_LAYERS, MAX_NEURONS, SETTINGS, Setting, SettingError
from annplay.engine.setup import Setup
from annplay.engine.setupfile import parse_setup_text, setup_from_section, setup_section, toml_text
from annplay.engine.sharecode import MAX_CODE_LENGTH, PREFIX, decode, encode, looks_like_code

# --- a strategy for any valid set-up ------------------------------------------------------------

_WORD = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters=","), min_size=1, max_size=12)
_NAME = _WORD.map(str.strip).filter(lambda t: bool(t) and t.lower() not in ("auto", "default", "none"))


def _number(entry: Setting, whole: bool) -> st.SearchStrategy[Any]:
    lo = entry.lo if entry.lo is not None else -1e6
    hi = entry.hi if entry.hi is not None else (10**7 if whole else 1e6)
    if whole:
        return st.integers(int(math.ceil(lo)) + (1 if entry.lo_open else 0), int(hi) - (1 if entry.hi_open else 0))
    return st.floats(lo, hi, exclude_min=entry.lo_open, exclude_max=entry.hi_open, allow_nan=False,
                     allow_infinity=False, allow_subnormal=False)


def _value(entry: Setting) -> st.SearchStrategy[Any]:
    kind = entry.kind
    if kind == "choice":
        base: st.SearchStrategy[Any] = st.sampled_from(entry.values)
    elif kind in ("int", "float"):
        base = _number(entry, kind == "int")
    elif kind == "bool":
        base = st.booleans()
    elif kind == "layers":
        base = st.lists(st.integers(1, MAX_NEURONS), max_size=MAX_HIDDEN_LAYERS).map(tuple)
    elif kind == "features":
        base = st.lists(st.sampled_from(tuple(FEATURES)), min_size=1, max_size=len(FEATURES), unique=True).map(tuple)
    elif kind == "per_layer":
        base = st.just(())                      # drawn together with the layers, below
    elif kind == "text":
        base = _NAME
    elif kind == "columns":
        base = st.lists(_NAME, min_size=1, max_size=3).map(tuple)
    else:                                       # pragma: no cover - a new kind needs a strategy here
        raise AssertionError(f"no strategy for kind {kind}")
    return st.one_of(st.none(), base) if entry.optional else base


@st.composite
def setups(draw: st.DrawFn) -> Setup:
    """Any set-up that passes validate(), with every setting drawn (not only the defaults)."""
    values = {name: draw(_value(entry)) for name, entry in SETTINGS.items()}
    if draw(st.booleans()) and values["hidden"]:
        acts = SETTINGS["layer_activations"]
        per = draw(st.lists(st.sampled_from((None, *SETTINGS["activation"].values)),
                            min_size=len(values["hidden"]), max_size=len(values["hidden"])))
        values["layer_activations"] = acts.check(per)
    try:
        return Setup(**values).validate()
    except SettingError:
        assume(False)
        raise


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@PROPERTY
@given(setups())
def test_every_setup_round_trips_through_its_share_code(setup: Setup) -> None:
    code = encode(setup)
    assert code.startswith(PREFIX)
    assert decode(code, files=True) == setup
    assert decode(f'  "{code}"\n', files=True) == setup            # pasted with quotes and spaces


@PROPERTY
@given(setups())
def test_share_code_toml_and_json_agree(setup: Setup) -> None:
    """set-up → code → TOML → JSON section → set-up gives the same set-up and the same code."""
    setup = setup.with_(csv=None)                       # a set-up file's CSV: see test_setupfile
    from_code = decode(encode(setup))
    from_toml = parse_setup_text(toml_text(from_code), "run.toml").setup
    section = json.loads(json.dumps(setup_section(from_toml)))
    from_json = setup_from_section(section, "export.json")
    assert from_toml == setup and from_json == setup
    assert encode(from_json) == encode(setup)


def test_code_lists_only_changes_in_table_order() -> None:
    setup = Setup(seed=7, lr=0.1, dataset="xor", hidden=(4, 2))
    assert encode(setup) == "ap1:ds=xor;h=4,2;lr=0.1;seed=7"
    assert encode(Setup()) == "ap1:ds=circle;h=4,2"          # the start moved; ap1's baseline did not
    assert decode(encode(Setup())) == Setup()
    assert decode("ap1:") == Setup(dataset="spiral", hidden=(8, 8))


def test_floats_keep_every_digit() -> None:
    setup = Setup(lr=0.0123456789012345, noise=12.3456789)
    assert decode(encode(setup)).lr == 0.0123456789012345
    assert decode(encode(setup)).noise == 12.3456789


def test_text_values_with_separators_survive() -> None:
    setup = Setup(csv="my data;v=2 %.csv", csv_y="class=y")
    code = encode(setup)
    assert ";v=2" not in code
    assert decode(code, files=True) == setup


def test_keys_are_known_and_unique() -> None:
    assert decode("ap1:DS=xor").dataset == "xor"
    assert decode("AP1:ds=xor;;").dataset == "xor"
    assert looks_like_code(" 'ap1:ds=xor' ") and not looks_like_code("https://playground.tensorflow.org/#x=1")


@pytest.mark.parametrize("code, setting, words", [
    ("ap1:zz=1", "zz", "unknown share-code key 'zz'; known keys: ds, n,"),
    ("ap1:lr=-1", "lr", "lr=-1"),
    ("ap1:lr=nan", "lr", "a number > 0"),
    ("ap1:lr=inf", "lr", "a number > 0"),
    ("ap1:ds=mnist", "dataset", "choose one of: circle"),
    ("ap1:h=99", "hidden", "1 to 64 neurons"),
    ("ap1:h=1,2,3,4,5,6,7", "hidden", "at most 6 hidden layers"),
    ("ap1:f=x9", "features", "unknown feature 'x9'"),
    ("ap1:bs=2.5", "batch_size", "a whole number"),
    ("ap1:nag=maybe", "nesterov", "on or off"),
    ("ap1:seed=-1", "seed", "a whole number from 0"),
    ("ap1:lr=0.1;lr=0.2", "lr", "given twice"),
    ("ap1:lr", "share code", "has no '='"),
    ("ap2:lr=1", "share code", "newer than this annplay"),
    ("ds=xor", "share code", "starts with ap1:"),
    ("", "share code", "starts with ap1:"),
    ("ap1:a=step", "activation", "choose the trainer ga or es"),
    ("ap1:h=8;la=relu,relu", "layer_activations", "one per hidden layer"),
])
def test_each_bad_code_gives_one_line_naming_it(code: str, setting: str, words: str) -> None:
    with pytest.raises(SettingError) as info:
        decode(code)
    assert info.value.setting == setting
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_absurdly_long_codes_are_refused() -> None:
    long = PREFIX + "ds=xor;" * (MAX_CODE_LENGTH // 7 + 1)
    with pytest.raises(SettingError, match="too long"):
        decode(long)


def test_non_text_is_refused() -> None:
    with pytest.raises(SettingError, match="expected text"):
        decode(42)  # type: ignore[arg-type]


def test_undecodable_file_names_survive() -> None:
    setup = Setup(csv="data-\udcff\ud800.csv")          # os.fsdecode's surrogate escapes, a lone surrogate
    assert decode(encode(setup), files=True) == setup


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([s.code for s in SETTINGS.values()] + ["zz"]),
                          st.text(st.characters(blacklist_characters=";"), max_size=10)), max_size=6))
def test_any_code_gives_a_setup_or_one_setting_error(parts: list[tuple[str, str]]) -> None:
    code = PREFIX + ";".join(f"{k}={v}" for k, v in parts)
    try:
        setup = decode(code)
    except SettingError as exc:
        assert "\n" not in str(exc)
    else:
        assert decode(encode(setup)) == setup
        assert setup.csv is None                            # no code from elsewhere names a file


@pytest.mark.parametrize("code", ["ap1:csv=/etc/shadow", "ap1:csv=/etc/passwd;cx=root;cy=x", "ap1:ds=xor;csv=data.csv",
                                  "AP1:CSV=%2Fetc%2Fshadow", "ap1:csv=~/.ssh/id_ed25519", "ap1:csv=../../x.csv"])
def test_a_code_naming_a_file_is_refused(code: str) -> None:
    """Issue 16: a share code from a stranger made annplay read /etc/shadow; codes never carry file paths."""
    with pytest.raises(SettingError) as info:
        decode(code)
    assert info.value.setting == "csv" and "cannot name files" in str(info.value)
    assert "root" not in str(info.value) and "\n" not in str(info.value)


def test_the_code_to_hand_on_leaves_the_file_out() -> None:
    setup = Setup(csv="/home/me/data.csv", csv_y="species", lr=0.1)
    assert "csv=" not in encode(setup, files=False) and "lr=0.1" in encode(setup, files=False)
    assert decode(encode(setup), files=True) == setup           # annplay's own codes (sweeps) keep it


def test_a_code_keeps_its_meaning_when_a_table_default_changes(monkeypatch):
    """ap1 codes are written against a frozen baseline, not the live table defaults."""
    from annplay.engine import settings as settings_module
    from annplay.engine.sharecode import AP1_BASELINE

    code = encode(Setup(dataset="spiral", hidden=(8, 8), lr=0.1))
    assert code == "ap1:lr=0.1"
    moved = dataclasses.replace(settings_module.SETTINGS["dataset"], default="circle")
    monkeypatch.setitem(settings_module.SETTINGS, "dataset", moved)
    assert decode(code)["dataset"] == "spiral" == AP1_BASELINE["dataset"]
    assert encode(Setup(dataset="circle")).startswith("ap1:ds=circle")
