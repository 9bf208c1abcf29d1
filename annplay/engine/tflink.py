"""TensorFlow Playground links: open one as a set-up, and write the link of a set-up that fits TF's limits.

Every field of TF Playground's ``State`` (``src/state.ts``) is read: the ones annplay can honour
become settings, the ``*_hide`` fields name controls to hide, and each field annplay cannot honour
gives one warning line naming it.  TF's defaults (circle, [4, 2], tanh, lr 0.03, batch 10, noise 0,
50 % train) apply to the fields a link leaves out.  TF keeps the seed as a string: a whole number up
to 2³²−1 is used as it is, any other string is hashed (first 4 bytes of its SHA-256) and kept as the
set-up's ``tf_seed``, so that the link written back carries the same string and TF shows the same sample.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any
from urllib.parse import quote, urlsplit

from .datasets import DATASETS
from .features import FEATURES
from .settings import LEARNING_RATES, MAX_SEED, REG_RATES, SETTINGS, SettingError, plain_float
from .setup import Setup
from .textcut import shown

TF_URL = "https://playground.tensorflow.org/"
MAX_LINK_LENGTH = 8192
TF_MAX_LAYERS = 6
TF_MAX_NEURONS = 8
TF_MAX_BATCH = 30
LINK_ERROR = "TF link"           # the ``setting`` of errors about the link as a whole

# TF's State.PROPS, in its order (the order TF writes a link in).
TF_FIELDS = ("activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate",
             "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize",
             "percTrainData", "x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY",
             "collectStats", "tutorial", "problem", "initZero", "hideText")
TF_DEFAULTS: dict[str, Any] = {
    "activation": "tanh", "regularization": "none", "batchSize": 10, "dataset": "circle",
    "regDataset": "reg-plane", "learningRate": 0.03, "regularizationRate": 0.0, "noise": 0.0,
    "networkShape": (4, 2), "showTestData": False, "discretize": False, "percTrainData": 50.0,
    "problem": "classification", "initZero": False, "hideText": False, "collectStats": False,
}
ACTIVATIONS_TF = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "linear": "linear"}
REGULARIZATIONS_TF = {"none": "none", "L1": "l1", "L2": "l2"}
CLASSIFY_TF = ("circle", "xor", "gauss", "spiral")
# TF's regression sets and the annplay names they may have (the first one registered is used).
REGRESS_TF: dict[str, tuple[str, ...]] = {
    "reg-plane": ("plane", "reg-plane"), "reg-gauss": ("multigauss", "reg-gauss"),
    "reg-maximum": ("reg-maximum", "maximum"), "reg-argmax": ("reg-argmax", "argmax"),
}
# TF's input features, in the order of its INPUTS (the network's input order), then cos (state only).
FEATURES_TF = {"x": "x1", "y": "x2", "xSquared": "x1sq", "ySquared": "x2sq", "xTimesY": "x1x2",
               "sinX": "sinx1", "sinY": "sinx2", "cosX": "cosx1", "cosY": "cosx2"}
TF_INPUTS = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")   # what TF's network really uses
# TF control ids (HIDABLE_CONTROLS and the .ui-* classes) → the annplay setting they stand for.
HIDE_TF = {"showTestData": "show_test", "discretize": "discretize", "learningRate": "lr",
           "activation": "activation", "regularization": "regularization", "regularizationRate": "reg_rate",
           "problem": "dataset", "dataset": "dataset", "regDataset": "dataset", "percTrainData": "train_ratio",
           "noise": "noise", "batchSize": "batch_size", "numHiddenLayers": "hidden", "networkShape": "hidden",
           "seed": "seed"}
HIDE_BACK = {"show_test": "showTestData", "discretize": "discretize", "lr": "learningRate",
             "activation": "activation", "regularization": "regularization", "reg_rate": "regularizationRate",
             "dataset": "dataset", "train_ratio": "percTrainData", "noise": "noise", "batch_size": "batchSize",
             "hidden": "numHiddenLayers"}
# Settings a TF link carries; every other setting must keep its default for a set-up to fit TF.
TF_SETTINGS = ("dataset", "features", "hidden", "activation", "lr", "batch_size", "regularization", "reg_rate",
               "noise", "train_ratio", "seed", "tf_seed", "show_test", "discretize")


def looks_like_tf_link(text: str) -> bool:
    """True when ``text`` is a TF Playground link or its ``#...`` state."""
    body = text.strip().strip("'\"<>")
    return "playground.tensorflow.org" in body or (body.startswith("#") and "=" in body)


def seed_from_tf(seed: str) -> int:
    """An integer seed from TF's string seed: a whole number in range as is, anything else hashed."""
    text = seed.strip()
    if len(text) <= 10 and text.isascii() and text.isdigit() and int(text) <= MAX_SEED:
        return int(text)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:4], "big")


def _check_address(address: str) -> None:
    """The part before ``#``: empty, or TF Playground's own https address with no ?query (SettingError)."""
    if not address:
        return
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise SettingError(LINK_ERROR, f"not a web address: {shown(address)}") from None
    if host != "playground.tensorflow.org" or port is not None or parts.username or parts.password:
        raise SettingError(LINK_ERROR, f"not TF Playground's address ({TF_URL}): {shown(address)}")
    if parts.scheme != "https":
        raise SettingError(LINK_ERROR, f"TF Playground links start with {TF_URL}, got {shown(parts.scheme)}://")
    if parts.path not in ("", "/") or parts.query:
        raise SettingError(LINK_ERROR, f"a TF Playground link keeps its settings after '#', with no path or "
                                       f"?query before it: {shown(address)}")


def tf_seed(setup: Setup) -> str:
    """The seed a link writes: the TF seed text the set-up came with while --seed is still the number it maps
    to, else the seed as a number."""
    kept = setup.tf_seed
    if kept is not None and seed_from_tf(kept) == setup.seed:
        # TF reads and writes its seed text raw (no URL decoding): a link's 'hello%20world' is that text and goes
        # back as it came; only what would break the link's fields is escaped (a QA probe saw %20 grow to %2520)
        return str(quote(kept, safe=".-_~%!*'()+,;:@/?"))
    return str(setup.seed)


NAMELESS = ""                                         # the key of fields with no name ('&=1&'), all of them


def tf_fields(url: str) -> dict[str, str]:
    """The ``name=value`` fields of a link's ``#`` part, read the way TF's deserializeState reads them."""
    if not isinstance(url, str):
        raise SettingError(LINK_ERROR, f"expected a link, got {type(url).__name__}")
    if len(url) > MAX_LINK_LENGTH:
        raise SettingError(LINK_ERROR, f"too long ({len(url)} characters; at most {MAX_LINK_LENGTH})")
    body = url.strip().strip("'\"<>").strip()
    if "#" in body:
        address, body = body.split("#", 1)
        _check_address(address)
    elif "playground.tensorflow.org" in body:
        _check_address(body)
        body = ""                                     # a link with no state: TF's defaults
    fields: dict[str, str] = {}
    for pair in body.split("&"):
        if not pair.strip():
            continue
        name, _, value = pair.partition("=")
        if not name.strip():                           # '=1': no name, so nothing TF reads; said once, ignored
            fields[NAMELESS] = ""
            continue
        if name.strip() in fields:                     # which one counts would be a guess: say so, as codes do
            raise SettingError(LINK_ERROR, f"field '{shown(name.strip())}' given twice; a link gives each "
                                           f"field once")
        fields[name.strip()] = value.split("=", 1)[0]   # TF keeps what is between the first and second '='
    return fields


def from_tf_link(url: str) -> tuple[Setup, list[str], set[str]]:
    """The set-up a TF Playground link describes, warnings for what annplay cannot honour, hidden settings."""
    fields = tf_fields(url)
    warnings: list[str] = []
    hidden: set[str] = set()
    values: dict[str, Any] = {}
    state = _tf_state(fields, warnings)
    values["activation"] = ACTIVATIONS_TF[state["activation"]]
    values["regularization"] = REGULARIZATIONS_TF[state["regularization"]]
    values["batch_size"] = state["batchSize"]
    values["lr"] = state["learningRate"]
    values["reg_rate"] = state["regularizationRate"]
    values["noise"] = state["noise"]
    values["hidden"] = state["networkShape"]
    values["train_ratio"] = state["percTrainData"]
    values["show_test"] = state["showTestData"]
    values["discretize"] = state["discretize"]
    if "seed" in state:
        values["seed"] = seed_from_tf(state["seed"])
        if state["seed"].strip() != str(values["seed"]):      # kept, so the link written back has it
            values["tf_seed"] = state["seed"].strip() or None
    values["dataset"] = _dataset(state, warnings)
    hidden_inputs = _hidden_controls(fields, hidden, warnings)
    values["features"] = _features(state, hidden_inputs, warnings)
    if state.get("initZero"):
        warnings.append("initZero: annplay cannot start from all-zero weights; it draws random initial weights")
    if state.get("tutorial"):
        warnings.append(f"tutorial: TF Playground's tutorial {shown(state['tutorial'])!r} is not part of annplay")
    try:
        setup = Setup(**values).validate()
    except SettingError as exc:
        field = next((f for f, n in _FIELD_OF.items() if n == exc.setting), exc.setting)
        raise SettingError(exc.setting, f"TF link field {field}: {exc.message}") from None
    return setup, warnings, hidden


_FIELD_OF = {"activation": "activation", "regularization": "regularization", "batchSize": "batch_size",
             "learningRate": "lr", "regularizationRate": "reg_rate", "noise": "noise", "networkShape": "hidden",
             "percTrainData": "train_ratio", "dataset": "dataset"}


def _tf_state(fields: dict[str, str], warnings: list[str]) -> dict[str, Any]:
    """TF's State after deserializeState: its defaults, overridden by the link's well-formed fields."""
    state: dict[str, Any] = dict(TF_DEFAULTS)
    state.update({name: name in ("x", "y") for name in FEATURES_TF})
    for name, raw in fields.items():
        if name.endswith("_hide"):
            continue
        if name == NAMELESS:
            warnings.append("a field with no name before its '=': ignored")
            continue
        if name not in TF_FIELDS:
            warnings.append(f"{shown(name)}: not a TF Playground field; ignored")
            continue
        value = raw.strip()
        if name == "networkShape":                    # ARRAY_NUMBER: read even when empty
            state[name] = _shape(value)
            continue
        if not value:                                 # TF's hasKey: an empty value keeps the default
            continue
        state[name] = _field_value(name, value)
        if state[name] is True and value != "true":
            warnings.append(f"{name}={shown(value)}: not true or false; read as true, as TF Playground does")
    return state


def _field_value(name: str, value: str) -> Any:
    """One field's value as TF reads it; SettingError naming the field when annplay cannot read it."""
    if name in ("activation", "regularization", "dataset", "regDataset", "problem"):
        allowed = {"activation": ACTIVATIONS_TF, "regularization": REGULARIZATIONS_TF, "dataset": CLASSIFY_TF,
                   "regDataset": REGRESS_TF, "problem": ("classification", "regression")}[name]
        if value not in allowed:
            raise SettingError(_FIELD_OF.get(name, "dataset"),
                               f"TF link field {name}={shown(value)}: choose one of: {', '.join(allowed)}")
        return value
    if name in ("seed", "tutorial"):
        return value
    if name in ("showTestData", "discretize", "initZero", "hideText", "collectStats") or name in FEATURES_TF:
        return value != "false"                       # TF: anything but "false" is true (_tf_state says so)
    try:
        number = plain_float(value)                   # ASCII digits only: float() also reads 1_0 and ４
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise SettingError(_FIELD_OF[name], f"TF link field {name}={shown(value)}: not a number")
    if name == "batchSize":
        if not number.is_integer():
            raise SettingError("batch_size", f"TF link field batchSize={shown(value)}: a whole number ≥ 1")
        return int(number)
    return number


def _shape(value: str) -> tuple[int, ...]:
    """networkShape: hidden-layer sizes separated by commas (empty, or 0 alone as annplay writes it: none)."""
    if not value or value.strip() == "0":
        return ()
    sizes = []
    for part in value.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit()) or len(part) > 6:
            raise SettingError("hidden", f"TF link field networkShape={shown(value)}: neuron counts like 4,2")
        sizes.append(int(part))
    return tuple(sizes)


def _dataset(state: dict[str, Any], warnings: list[str]) -> str:
    """The annplay data set for TF's problem type and its dataset or regDataset."""
    if state["problem"] == "classification":
        return str(state["dataset"])
    tf_name = str(state["regDataset"])
    for name in REGRESS_TF[tf_name]:
        if name in DATASETS:
            return name
    warnings.append(f"regDataset: annplay has no {tf_name} data set; it uses plane (reg-plane) instead")
    return "plane"


def _hidden_controls(fields: dict[str, str], hidden: set[str], warnings: list[str]) -> set[str]:
    """Fill ``hidden`` from the ``*_hide`` fields; return TF's hidden input features."""
    inputs: set[str] = set()
    unknown: list[str] = []
    for name, value in fields.items():
        if not name.endswith("_hide") or value.strip() != "true":   # TF: only "true" hides
            continue
        control = name[: -len("_hide")]
        if control in HIDE_TF:
            hidden.add(HIDE_TF[control])
        elif control.startswith("numNodes") and control[len("numNodes"):].isdigit():
            hidden.add("hidden")
        elif control in FEATURES_TF:
            inputs.add(control)
        else:
            unknown.append(name)
    if unknown:
        warnings.append(f"{shown(', '.join(unknown), 80)}: annplay has no such control to hide; ignored")
    return inputs


def _features(state: dict[str, Any], hidden_inputs: set[str], warnings: list[str]) -> tuple[str, ...]:
    """The chosen inputs in TF's input order; TF leaves hidden inputs out of the network, and so does annplay."""
    chosen = [tf for tf in TF_INPUTS if state.get(tf) and tf not in hidden_inputs]
    unused = [tf for tf in FEATURES_TF if tf not in TF_INPUTS and state.get(tf)]
    if unused:      # cosX/cosY live in TF's state, not in its network: a link with them trains without them there
        warnings.append(f"{', '.join(unused)}: TF Playground's network has no such input (its state only); "
                        "left out, as TF does")
    if hidden_inputs:
        fields = ", ".join(f"{tf}_hide" for tf in FEATURES_TF if tf in hidden_inputs)
        warnings.append(f"{fields}: annplay cannot hide single inputs; they are left out of the features")
    missing = [tf for tf in chosen if FEATURES_TF[tf] not in FEATURES]
    if missing:
        warnings.append(f"{', '.join(missing)}: annplay has no such input feature yet; left out")
    names = tuple(FEATURES_TF[tf] for tf in chosen if tf not in missing)
    if not names:
        warnings.append("x, y: the link turns every input off; annplay needs one, so it uses x1, x2")
        return ("x1", "x2")
    return names


# --- writing links ------------------------------------------------------------------------

def why_not_tf(setup: Setup) -> str | None:
    """None when the set-up fits TF Playground's limits, else the first reason it does not."""
    for name, value in setup.items():
        if name not in TF_SETTINGS and value != SETTINGS[name].default:
            return f"TF Playground has no {name} setting"
    back = {v: k for k, v in ACTIVATIONS_TF.items()}
    regress = {annplay: tf for tf, names in REGRESS_TF.items() for annplay in names}
    checks = (
        (setup.dataset in CLASSIFY_TF or setup.dataset in regress, f"TF Playground has no {setup.dataset} data"),
        (set(setup.features) <= {FEATURES_TF[f] for f in TF_INPUTS}, "TF Playground's inputs are x1, x2, x1², "
                                                                     "x2², x1·x2, sin x1 and sin x2 only"),
        (len(setup.hidden) <= TF_MAX_LAYERS and all(n <= TF_MAX_NEURONS for n in setup.hidden),
         f"TF Playground allows at most {TF_MAX_LAYERS} hidden layers of at most {TF_MAX_NEURONS} neurons"),
        (setup.activation in back, "TF Playground's activations are relu, tanh, sigmoid and linear"),
        (setup.lr in LEARNING_RATES, "TF Playground's learning rates are " + ", ".join(map(str, LEARNING_RATES))),
        (setup.reg_rate in REG_RATES, "TF Playground's regularisation rates are " + ", ".join(map(str, REG_RATES))),
        (1 <= setup.batch_size <= TF_MAX_BATCH, f"TF Playground's batch size is 1 to {TF_MAX_BATCH}"),
        (setup.noise % 5 == 0, "TF Playground's noise moves in steps of 5"),
        (setup.train_ratio % 10 == 0, "TF Playground's train share moves in steps of 10 %"),
    )
    return next((reason for ok, reason in checks if not ok), None)


def to_tf_link(setup: Setup, hidden: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The equivalent TF Playground link (with ``*_hide`` fields for ``hidden``), or None if it does not fit."""
    if why_not_tf(setup) is not None:
        return None
    regress = {annplay: tf for tf, names in REGRESS_TF.items() for annplay in names}
    is_regression = setup.dataset in regress
    feats = set(setup.features)
    state: dict[str, str] = {
        "activation": {v: k for k, v in ACTIVATIONS_TF.items()}[setup.activation],
        "regularization": {v: k for k, v in REGULARIZATIONS_TF.items()}[setup.regularization],
        "batchSize": str(setup.batch_size),
        "dataset": "circle" if is_regression else setup.dataset,
        "regDataset": regress[setup.dataset] if is_regression else "reg-plane",
        "learningRate": _number(setup.lr), "regularizationRate": _number(setup.reg_rate),
        "noise": _number(setup.noise), "networkShape": ",".join(map(str, setup.hidden)), "seed": tf_seed(setup),
        "showTestData": _bool(setup.show_test), "discretize": _bool(setup.discretize),
        "percTrainData": _number(setup.train_ratio),
        **{tf: _bool(FEATURES_TF[tf] in feats) for tf in FEATURES_TF},
        "collectStats": "false", "problem": "regression" if is_regression else "classification",
        "initZero": "false", "hideText": "false",
    }
    parts = [f"{name}={state[name]}" for name in TF_FIELDS if name in state]
    parts += [f"{HIDE_BACK[name]}_hide=true" for name in sorted(hidden) if name in HIDE_BACK]
    return f"{TF_URL}#" + "&".join(parts)


def _number(value: float) -> str:
    """A number the way JavaScript prints it (50, not 50.0)."""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    text = repr(number)
    return f"{number:.20f}".rstrip("0") if "e" in text else text


def _bool(value: bool) -> str:
    return "true" if value else "false"


__all__ = ["TF_URL", "TF_FIELDS", "TF_DEFAULTS", "looks_like_tf_link", "seed_from_tf", "tf_seed", "tf_fields",
           "from_tf_link", "to_tf_link", "why_not_tf"]
