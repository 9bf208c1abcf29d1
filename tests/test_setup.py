"""The settings table and Setup: every value checked, named errors, text round trips, applicability."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.engine.activations import HIDDEN_ACTIVATIONS
from annplay.engine.datasets import DATASETS
from annplay.engine.settings import SETTINGS, SettingError, by_code
from annplay.engine.setup import Setup, step_activations


def test_defaults_are_the_playground_start() -> None:
    s = Setup()
    assert (s.dataset, s.hidden, s.activation, s.lr, s.batch_size, s.trainer) == \
        ("circle", (4, 2), "tanh", 0.03, 10, "backprop")          # TF Playground's own start
    assert s.changed() == {}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_every_default_and_step_round_trips_through_text(name: str) -> None:
    entry = SETTINGS[name]
    for value in (entry.default, *entry.steps()):
        assert entry.parse(entry.format(value)) == value


@pytest.mark.parametrize("name", list(SETTINGS))
def test_flags_and_codes_are_unique_and_well_formed(name: str) -> None:
    entry = SETTINGS[name]
    assert entry.flag.startswith("--") and entry.flag[2:].replace("-", "").isalnum()
    assert by_code(entry.code) is entry
    assert entry.help and len(entry.help) <= 120
    assert entry.apply in ("live", "trainer", "network", "data", "view")


@pytest.mark.parametrize(("name", "bad"), [
    ("lr", "0"), ("lr", "-1"), ("lr", "nan"), ("lr", "inf"), ("lr", "abc"),
    ("batch_size", "0"), ("batch_size", "1.5"), ("batch_size", "true"),
    ("noise", "51"), ("noise", "-0.1"), ("train_ratio", "5"), ("train_ratio", "95"),
    ("hidden", "8,99"), ("hidden", "1,2,3,4,5,6,7"), ("hidden", "a,b"), ("hidden", "-1"),
    ("activation", "softmax"), ("activation", "nope"), ("dataset", "mnist"),
    ("optimizer", "rmsprop"), ("momentum", "1"), ("momentum", "-0.5"), ("seed", "-1"), ("seed", str(2**32)),
    ("features", "x3"), ("population", "3"), ("sigma", "0"), ("nesterov", "maybe"), ("epochs", "0"),
    ("layer_activations", "relu,wat"), ("target_acc", "101"),
])
def test_bad_values_name_the_setting_and_what_is_allowed(name: str, bad: str) -> None:
    with pytest.raises(SettingError) as info:
        SETTINGS[name].parse(bad)
    assert info.value.setting == name
    assert str(info.value).startswith(f"{name}: ")
    assert len(str(info.value).splitlines()) == 1


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(SettingError, match="no such setting"):
        Setup(learning_rate=0.1)


def test_setup_is_immutable_and_with_copies() -> None:
    s = Setup()
    t = s.with_(lr=0.1, hidden="4")
    assert (s.lr, t.lr, t.hidden) == (0.03, 0.1, (4,))
    with pytest.raises(AttributeError):
        s.lr = 1.0  # type: ignore[misc]
    assert t.changed() == {"lr": 0.1, "hidden": (4,)}
    assert t == Setup(lr=0.1, hidden=(4,)) and hash(t) == hash(Setup(lr=0.1, hidden=(4,)))


def test_cross_checks() -> None:
    with pytest.raises(SettingError) as info:
        Setup(activation="step").validate()
    assert info.value.setting == "activation" and "ga or es" in info.value.message
    Setup(activation="step", trainer="es").validate()
    with pytest.raises(SettingError) as info:
        Setup(hidden=(4, 4), layer_activations=("relu",)).validate()
    assert info.value.setting == "layer_activations"


def test_applicability_rules() -> None:
    s = Setup()
    assert s.applies("lr") and not s.applies("population") and not s.applies("momentum")
    assert Setup(optimizer="momentum").applies("momentum")
    assert Setup(trainer="ga").applies("population") and not Setup(trainer="ga").applies("lr")
    real = [name for name, spec in DATASETS.items() if spec.real]
    assert real and all(not Setup(dataset=name).applies("noise") for name in real)
    assert "generated data" in (Setup(dataset=real[0]).why_not(SETTINGS["noise"]) or "")
    assert not Setup().applies("csv_x") and Setup(csv="x.csv").applies("csv_x")


def test_step_is_offered_only_to_neuroevolution() -> None:
    assert "step" not in step_activations("backprop")
    assert "step" in step_activations("es")
    assert set(step_activations("ga")) == set(HIDDEN_ACTIVATIONS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 64), max_size=6), st.sampled_from(list(SETTINGS["lr"].steps())),
       st.integers(0, 2**32 - 1))
def test_any_valid_setup_round_trips_through_its_text_form(hidden: list[int], lr: float, seed: int) -> None:
    s = Setup(hidden=tuple(hidden), lr=lr, seed=seed)
    text = {name: SETTINGS[name].format(value) for name, value in s.items()}
    assert Setup(**{name: SETTINGS[name].parse(t) for name, t in text.items()}) == s
