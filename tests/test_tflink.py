"""TF Playground links: real links, TF's defaults, *_hide fields, warnings, errors and round trips."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.engine.datasets import DATASETS
from annplay.engine.settings import LEARNING_RATES, MAX_SEED, REG_RATES, SettingError
from annplay.engine.setup import Setup
from annplay.engine.tflink import (
    CLASSIFY_TF,
    FEATURES_TF,
    REGRESS_TF,
    TF_FIELDS,
    TF_INPUTS,
    from_tf_link,
    looks_like_tf_link,
    seed_from_tf,
    tf_fields,
    to_tf_link,
    why_not_tf,
)

# A link exactly as TF Playground's serialize() writes it (every field, its own order).
REAL = ("https://playground.tensorflow.org/#activation=relu&batchSize=10&dataset=xor&regDataset=reg-plane"
        "&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.71569&showTestData=false"
        "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false"
        "&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification"
        "&initZero=false&hideText=false")
# A classroom link: spiral with sin features, L2, hidden controls (TF's "use it in classroom" section).
CLASSROOM = ("https://playground.tensorflow.org/#activation=tanh&regularization=L2&batchSize=25&dataset=spiral"
             "&regDataset=reg-gauss&learningRate=0.01&regularizationRate=0.003&noise=15&networkShape=8,8,5"
             "&seed=0.28125&showTestData=true&discretize=true&percTrainData=70&x=true&y=true&xTimesY=true"
             "&xSquared=true&ySquared=true&cosX=false&sinX=true&cosY=false&sinY=true&collectStats=false"
             "&problem=classification&initZero=false&hideText=true&learningRate_hide=true"
             "&regularization_hide=true&numHiddenLayers_hide=true&percTrainData_hide=false&noise_hide=true"
             "&problem_hide=true")


def test_a_real_link() -> None:
    setup, warnings, hidden = from_tf_link(REAL)
    assert (setup.dataset, setup.activation, setup.hidden, setup.lr, setup.batch_size) == ("xor", "relu", (4, 2),
                                                                                            0.03, 10)
    assert setup.features == ("x1", "x2") and setup.noise == 0 and setup.train_ratio == 50
    assert setup.seed == int.from_bytes(hashlib.sha256(b"0.71569").digest()[:4], "big")
    assert warnings == [] and hidden == set()


def test_a_classroom_link_with_hidden_controls() -> None:
    setup, warnings, hidden = from_tf_link(CLASSROOM)
    assert setup.dataset == "spiral" and setup.hidden == (8, 8, 5)
    assert setup.features == ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")      # TF's input order
    assert (setup.regularization, setup.reg_rate, setup.noise, setup.train_ratio) == ("l2", 0.003, 15, 70)
    assert setup.show_test and setup.discretize and setup.batch_size == 25 and setup.lr == 0.01
    assert hidden == {"lr", "regularization", "hidden", "noise", "dataset"}   # percTrainData_hide=false is shown
    assert warnings == []


def test_tf_defaults_fill_what_a_link_leaves_out() -> None:
    setup, warnings, hidden = from_tf_link("https://playground.tensorflow.org/")
    assert (setup.dataset, setup.hidden, setup.activation, setup.lr, setup.batch_size) == ("circle", (4, 2), "tanh",
                                                                                            0.03, 10)
    assert (setup.noise, setup.train_ratio, setup.features, setup.regularization) == (0, 50, ("x1", "x2"), "none")
    assert not setup.show_test and not setup.discretize
    assert from_tf_link("#dataset=gauss")[0] == setup.with_(dataset="gauss")
    assert from_tf_link("#dataset=&noise=")[0] == setup                       # TF: empty values keep defaults


def test_regression_uses_reg_dataset() -> None:
    setup, _, _ = from_tf_link("#problem=regression&regDataset=reg-gauss&dataset=xor")
    assert setup.dataset == "multigauss"
    assert from_tf_link("#problem=regression")[0].dataset == "plane"          # TF's default regDataset
    for tf, names in REGRESS_TF.items():
        setup, warnings, _ = from_tf_link(f"#problem=regression&regDataset={tf}")
        if any(n in DATASETS for n in names):
            assert setup.dataset in names and warnings == []
        else:
            assert setup.dataset == "plane" and len(warnings) == 1 and warnings[0].startswith("regDataset")


def test_booleans_read_like_tf() -> None:
    setup, warnings, _ = from_tf_link("#showTestData=1&discretize=false&x=false&xTimesY=yes")
    assert setup.show_test and not setup.discretize
    assert setup.features == ("x2", "x1x2")
    assert [w for w in warnings if "read as true" in w] == [
        "showTestData=1: not true or false; read as true, as TF Playground does",
        "xTimesY=yes: not true or false; read as true, as TF Playground does"]


def test_discretize_maybe_is_not_taken_without_comment() -> None:
    setup, warnings, _ = from_tf_link("#discretize=maybe")
    assert setup.discretize and any(w.startswith("discretize=maybe:") for w in warnings)


@pytest.mark.parametrize("link,words", [
    ("http://playground.tensorflow.org/#dataset=xor", "start with https://playground.tensorflow.org/"),
    ("https://playground.tensorflow.org/?x=1#dataset=xor", "?query"),
    ("https://playground.tensorflow.org.evil.com/#dataset=xor", "not TF Playground's address"),
    ("https://evil.com/playground.tensorflow.org#dataset=xor", "not TF Playground's address"),
    ("https://user@playground.tensorflow.org/#dataset=xor", "not TF Playground's address"),
    ("https://playground.tensorflow.org:8080/#dataset=xor", "not TF Playground's address"),
    ("http://playground.tensorflow.org.evil.com", "not TF Playground's address"),
])
def test_links_that_are_not_tf_playground_are_refused(link: str, words: str) -> None:
    with pytest.raises(SettingError, match=re.escape(words)):
        from_tf_link(link)


def test_tf_numbers_are_plain_ascii_and_short() -> None:
    for field in ("learningRate=1_0", "learningRate=\uff11", "batchSize=\uff11\uff10", "networkShape=\uff14",
                  "networkShape=" + "1" * 5000):
        with pytest.raises(SettingError):
            from_tf_link("#" + field.encode().decode("unicode_escape"))
    assert seed_from_tf("1" * 5000) == seed_from_tf("1" * 5000) <= 2**32 - 1     # hashed, not int()


def test_network_shape_empty_means_no_hidden_layer() -> None:
    assert from_tf_link("#networkShape=")[0].hidden == ()


@pytest.mark.parametrize("seed", ["0.71569", "abc", "", "0.1", "99999999999"])
def test_string_seeds_hash_deterministically(seed: str) -> None:
    value = seed_from_tf(seed)
    assert value == seed_from_tf(seed) and 0 <= value <= MAX_SEED
    assert value == int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big")


def test_whole_number_seeds_are_kept() -> None:
    assert seed_from_tf("7") == 7 and seed_from_tf(str(MAX_SEED)) == MAX_SEED
    assert from_tf_link("#seed=42")[0].seed == 42


@pytest.mark.parametrize("fields, names", [
    ("initZero=true", "initZero"),
    ("tutorial=dying-relu", "tutorial"),
    ("x_hide=true", "x_hide"),
    ("playButton_hide=true&stepButton_hide=true", "playButton_hide, stepButton_hide"),
    ("frobnicate=1", "frobnicate"),
    ("x=false&y=false", "x, y"),
])
def test_each_unhonoured_field_gives_one_warning_naming_it(fields: str, names: str) -> None:
    _, warnings, _ = from_tf_link("#" + fields)
    assert len(warnings) == 1 and warnings[0].startswith(names + ":")


def test_a_hidden_input_is_left_out_like_tf_does() -> None:
    setup, _, hidden = from_tf_link("#x=true&y=true&xTimesY=true&y_hide=true")
    assert setup.features == ("x1", "x1x2") and hidden == set()


def test_cos_inputs_are_left_out_as_tf_leaves_them_out() -> None:
    """cosX/cosY are in TF's state but not its network's inputs: a link with them trains without them on TF. They
    used to be taken in, and then the same set-up had no TF link to write back (a QA probe)."""
    setup, warnings, hidden = from_tf_link("#cosX=true&cosY=true")
    assert setup.features == ("x1", "x2") and warnings[0].startswith("cosX, cosY:")
    assert to_tf_link(setup, hidden) is not None


@pytest.mark.parametrize("fields, setting, words", [
    ("activation=softsign", "activation", "activation=softsign: choose one of: relu, tanh, sigmoid, linear"),
    ("regularization=l3", "regularization", "choose one of: none, L1, L2"),
    ("dataset=moons", "dataset", "dataset=moons: choose one of: circle"),
    ("problem=ranking", "dataset", "problem=ranking"),
    ("learningRate=fast", "lr", "learningRate=fast: not a number"),
    ("learningRate=0", "lr", "learningRate"),
    ("batchSize=2.5", "batch_size", "batchSize=2.5"),
    ("noise=80", "noise", "noise"),
    ("percTrainData=5", "train_ratio", "percTrainData"),
    ("networkShape=4,two", "hidden", "networkShape=4,two"),
    ("networkShape=99", "hidden", "1 to 64 neurons"),
    ("regularizationRate=-1", "reg_rate", "regularizationRate"),
])
def test_each_bad_value_gives_one_error_naming_the_field(fields: str, setting: str, words: str) -> None:
    with pytest.raises(SettingError) as info:
        from_tf_link("#" + fields)
    assert info.value.setting == setting and words in str(info.value) and "\n" not in str(info.value)


def test_absurd_links_are_refused() -> None:
    with pytest.raises(SettingError, match="too long"):
        from_tf_link("#" + "x=true&" * 2000)


def test_link_detection_and_fields() -> None:
    assert looks_like_tf_link(" 'https://playground.tensorflow.org/#x=true' ") and looks_like_tf_link("#lr=1")
    assert not looks_like_tf_link("ap1:ds=xor")
    assert tf_fields("<https://playground.tensorflow.org/#a=1&b=2=3>") == {"a": "1", "b": "2"}


# --- writing links ---------------------------------------------------------------------------------

def test_default_setup_link_has_every_tf_field() -> None:
    link = to_tf_link(Setup())
    assert link is not None and link.startswith("https://playground.tensorflow.org/#")
    assert list(tf_fields(link)) == [f for f in TF_FIELDS if f != "tutorial"]
    assert from_tf_link(link) == (Setup(), [], set())


@pytest.mark.parametrize("change, why", [
    ({"dataset": "moons"}, "no moons data"), ({"trainer": "ga"}, "no trainer"), ({"lr": 0.05}, "learning rates"),
    ({"hidden": (9,)}, "at most 6 hidden layers"), ({"batch_size": 31}, "batch size"), ({"noise": 7}, "noise"),
    ({"activation": "elu"}, "activations"), ({"optimizer": "adam"}, "optimizer"), ({"epochs": 100}, "epochs"),
    ({"train_ratio": 55}, "train share"), ({"features": ("x1", "cosx1")}, "inputs"),
])
def test_setups_beyond_tf_have_no_link(change: dict[str, object], why: str) -> None:
    try:
        setup = Setup(**change)
    except SettingError:
        pytest.skip("this annplay has no such value yet")
    assert to_tf_link(setup) is None
    reason = why_not_tf(setup)
    assert reason is not None and why in reason


_TF_DATASETS = tuple(d for d in (*CLASSIFY_TF, *(n for names in REGRESS_TF.values() for n in names)) if d in DATASETS)
_TF_ACTS = ("relu", "tanh", "logistic", "linear")


@st.composite
def tf_setups(draw: st.DrawFn) -> Setup:
    """Set-ups within TF's limits (features in TF's input order, the only order a link can carry)."""
    feats = [FEATURES_TF[f] for f in TF_INPUTS if draw(st.booleans())] or ["x1"]
    return Setup(dataset=draw(st.sampled_from(_TF_DATASETS)), features=tuple(feats),
                 hidden=tuple(draw(st.lists(st.integers(1, 8), max_size=6))),
                 activation=draw(st.sampled_from(_TF_ACTS)),
                 lr=draw(st.sampled_from(LEARNING_RATES)), batch_size=draw(st.integers(1, 30)),
                 regularization=draw(st.sampled_from(("none", "l1", "l2"))), reg_rate=draw(st.sampled_from(REG_RATES)),
                 noise=5 * draw(st.integers(0, 10)), train_ratio=10 * draw(st.integers(1, 9)),
                 seed=draw(st.integers(0, MAX_SEED)), show_test=draw(st.booleans()), discretize=draw(st.booleans()))


@settings(max_examples=150, deadline=None)
@given(tf_setups(), st.sets(st.sampled_from(("lr", "hidden", "noise", "dataset", "show_test", "reg_rate"))))
def test_setup_to_link_and_back(setup: Setup, hidden: set[str]) -> None:
    link = to_tf_link(setup, hidden)
    assert link is not None
    assert from_tf_link(link) == (setup, [], hidden)


def test_feature_order_is_tf_order_in_a_link() -> None:
    setup = Setup(features=("x1x2", "x1"))
    link = to_tf_link(setup)
    assert link is not None and from_tf_link(link)[0] == setup.with_(features=("x1", "x1x2"))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from((*TF_FIELDS, "x_hide", "seed_hide", "junk")),
                       st.text(st.characters(blacklist_characters="&#"), max_size=12), max_size=8))
def test_any_link_gives_a_setup_or_one_setting_error(fields: dict[str, str]) -> None:
    link = "https://playground.tensorflow.org/#" + "&".join(f"{k}={v}" for k, v in fields.items())
    try:
        setup, warnings, hidden = from_tf_link(link)
    except SettingError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(exc.setting)
    else:
        assert setup.validate() is setup and all("\n" not in w for w in warnings)


@pytest.mark.parametrize("seed", ["hello%20world", "0.12345", "a.b-c_d~e", "x%2Fy"])
def test_seed_text_goes_back_into_the_link_as_it_came(seed: str) -> None:
    """TF reads its seed text raw: 'hello%20world' grew to 'hello%2520world' on every round trip, and the data
    sample changed with it (a QA probe). The link written back carries the text as it came, and the same seed."""
    setup, _warnings, hidden = from_tf_link(f"https://playground.tensorflow.org/#dataset=xor&seed={seed}")
    link = to_tf_link(setup, hidden)
    assert link is not None and f"seed={seed}" in link.split("#", 1)[1].split("&")
    again, _warnings, _hidden = from_tf_link(link)
    assert again.seed == setup.seed and again.tf_seed == setup.tf_seed


def test_network_shape_0_alone_is_no_hidden_layer() -> None:
    """networkShape=0 was refused with 'got 0 (0 alone means no hidden layer)' although 0 was alone (a QA probe);
    it means no hidden layer, as --layers 0 does, while 0 inside a list stays refused."""
    setup, _warnings, _hidden = from_tf_link("https://playground.tensorflow.org/#networkShape=0")
    assert setup.hidden == ()
    with pytest.raises(SettingError):
        from_tf_link("https://playground.tensorflow.org/#networkShape=4,0")


@pytest.mark.parametrize("fields", ["=1&dataset=xor", "dataset=xor&=", "=1&dataset=xor&=2&=x=y", " =3&dataset=xor"])
def test_fields_without_a_name_give_one_plain_warning(fields: str) -> None:
    """'&=1&' printed "note: : not a TF field" (an empty name), and twice such a field was "field '' given twice"."""
    setup, warnings, _ = from_tf_link("#" + fields)
    assert setup.dataset == "xor"
    assert warnings == ["a field with no name before its '=': ignored"]
