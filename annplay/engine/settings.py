"""The settings table: every setting a person can choose, declared once.

The CLI's flags, the app's controls, the command palette, the help, share codes, set-up files,
sweeps and lessons all read :data:`SETTINGS`; none of them re-types a setting.  Adding a
setting means one entry here plus the code that uses it (see ``docs/architecture.md``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .datasets import DATASETS, NOISE_RANGE, TRAIN_RATIO_RANGE
from .features import DEFAULT_FEATURES, FEATURES, parse_features
from .optimizers import OPTIMIZERS
from .textcut import quoted
from .trainers import TRAINERS

# Which trainers a setting applies to.
BACKPROP = frozenset({"backprop"})
EVOLUTION = frozenset({"ga", "es"})
ALL_TRAINERS = BACKPROP | EVOLUTION

# TF Playground's learning-rate ladder, and its regularisation-rate ladder.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 2, 5, 10, 16, 20, 25, 30, 32, 50, 64, 100, 128, 256)
POPULATIONS = (4, 8, 10, 16, 20, 32, 50, 64, 100, 128, 200, 256, 500, 1000)
SIGMAS = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 3.0)
REGULARIZATIONS = ("none", "l1", "l2")
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8 * 8          # per layer: plenty for a playground, still fast on a phone
MAX_POINTS = 1_000_000
MAX_SEED = 2**32 - 1


class SettingError(ValueError):
    """A bad value for one setting: ``setting`` is its table name, ``message`` says what is allowed."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


Kind = Literal["choice", "int", "float", "bool", "layers", "features", "per_layer", "text", "columns"]
Group = Literal["data", "features", "network", "training", "evolution", "run", "view"]
Apply = Literal["live", "trainer", "network", "data", "view"]      # what a change rebuilds
DataRule = Literal["all", "noisy", "split", "plane", "file"]        # which data a setting applies to
NoneWord = Literal["auto", "off", "none"]                          # how a setting spells None
LEGACY_NONE = ("auto", "default")        # read as None too: files and codes written before none_word


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One row of the table: what a setting is, what it allows, where it applies and how it is shown.

    Written ``Setting("lr", label=..., kind=..., ...)``: the name first, every other field by keyword.
    """

    name: str = field(kw_only=False)         # the Python name: ``setup.lr``
    label: str                               # the app's label (at most 11 characters)
    kind: Kind
    default: Any
    help: str                                # one line, for --help, the palette and the ? screen
    group: Group
    apply: Apply
    flag: str                                # the command-line flag
    code: str                                # the share-code key
    values: tuple[Any, ...] = ()             # choices, or the steps a control cycles through
    lo: float | None = None                  # numeric range (inclusive unless lo_open / hi_open)
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    optional: bool = False                   # None is allowed: "the data set's, or the trainer's, own", or "off"
    none_word: NoneWord = "auto"             # None as flags, codes, files and the app spell it
    trainers: frozenset[str] = ALL_TRAINERS  # which trainers it applies to
    data: DataRule = "all"
    requires: tuple[tuple[str, tuple[Any, ...]], ...] = ()   # (other setting, values it must have)
    commands: tuple[str, ...] = ("train", "play", "sweep")   # CLI commands that take the flag
    control: bool = True                     # shown as a control in the app
    labels: Callable[[Any], str] | None = field(default=None, compare=False)   # how a value is shown
    cli_default: Any = None                  # what `annplay train` uses when the flag is left out, if not default

    # --- checking -------------------------------------------------------------------

    def check(self, value: Any) -> Any:
        """The value, normalised (e.g. '8,8' → (8, 8)); SettingError when it is not allowed."""
        if value is None:
            if self.optional:
                return None
            raise SettingError(self.name, f"a value is required; {self.allowed()}")
        try:
            return _CHECKERS[self.kind](self, value)
        except SettingError:
            raise
        except (TypeError, ValueError, OverflowError) as exc:
            raise SettingError(self.name, f"{exc}") from None

    def parse(self, text: str) -> Any:
        """A value from text (a flag, a share code, a set-up file): checked like :meth:`check`."""
        raw = str(text).strip()
        if not raw:                  # never written for a value: a code or file cut short, so say so
            raise SettingError(self.name, f"an empty value; {self.allowed()}")
        if self.optional and (raw.lower() == self.none_word or raw.lower() in LEGACY_NONE):
            return None
        return self.check(raw)

    def format(self, value: Any) -> str:
        """The value as text that :meth:`parse` reads back."""
        if value is None:
            return self.none_word
        if self.kind in ("layers", "features", "columns"):
            return ",".join(str(v) for v in value) if value else "none"
        if self.kind == "per_layer":
            return ",".join(v or "same" for v in value) if value else "none"     # never '': a flag refuses it
        if self.kind == "bool":
            return "on" if value else "off"
        if self.kind == "float":
            short = f"{value:g}"
            return short if float(short) == value else repr(float(value))
        return str(value)

    def show(self, value: Any) -> str:
        """The value as the app shows it."""
        return self.labels(value) if self.labels is not None else self.format(value)

    def labelled(self, value: Any) -> str:
        """The control's label and the value as the app shows them: 'Batch 5' (never the CLI's 'batch_size=5')."""
        return f"{self.label} {self.show(value)}"

    def allowed(self) -> str:
        """What is allowed, in words, for error messages and help."""
        return _ALLOWED[self.kind](self)

    def steps(self) -> tuple[Any, ...]:
        """The values a control cycles through (for numbers: the ladder; the CLI accepts any in range)."""
        if self.values:
            return self.values
        if self.kind == "bool":
            return (False, True)
        return ()


# --- value checkers, one per kind ------------------------------------------------------------

def _check_choice(s: Setting, value: Any) -> str:
    key = str(value).strip().lower() if isinstance(value, str) else value
    if key not in s.values:
        raise SettingError(s.name, f"unknown {quoted(value)}; {s.allowed()}")
    return str(key)


_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
MAX_NUMBER_TEXT = 40         # characters: more is never a sensible setting, and int() of 5000 digits is slow


def plain_float(text: str) -> float:
    """A number in ASCII digits (``1.5``, ``-2e3``); ValueError for ``1_0``, ``１``, ``inf`` or 40+ characters."""
    text = text.strip()
    if len(text) > MAX_NUMBER_TEXT or not _FLOAT.fullmatch(text):
        raise ValueError(f"not a plain number: {text[:MAX_NUMBER_TEXT]!r}")
    return float(text)


def _number(s: Setting, value: Any, whole: bool) -> float:
    shown = value.strip() if isinstance(value, str) else value      # errors quote what was typed
    if isinstance(value, bool):
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(shown)}")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise SettingError(s.name, f"{s.allowed()}, got a number {len(text):,} characters long")
        # Plain ASCII digits only: Python's int()/float() also take 1_0 and full-width or Arabic-Indic digits.
        if not (_INT if whole else _FLOAT).fullmatch(text):
            raise SettingError(s.name, f"{s.allowed()}, got {quoted(shown)}")
        value = int(text) if whole else float(text)
    if whole and not (isinstance(value, int) or (isinstance(value, float) and value.is_integer())) \
            and not hasattr(value, "__index__"):
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(shown)}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(shown)}") from None
    ok = math.isfinite(number)
    if ok and s.lo is not None:
        ok = number > s.lo if s.lo_open else number >= s.lo
    if ok and s.hi is not None:
        ok = number < s.hi if s.hi_open else number <= s.hi
    if not ok:
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(shown)}")
    return number


def _check_int(s: Setting, value: Any) -> int:
    return int(_number(s, value, whole=True))


def _check_float(s: Setting, value: Any) -> float:
    return _number(s, value, whole=False)


def _check_bool(s: Setting, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if key in ("1", "true", "yes", "on"):
        return True
    if key in ("0", "false", "no", "off"):
        return False
    raise SettingError(s.name, f"{s.allowed()}, got {quoted(value)}")


def _check_layers(s: Setting, value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("", "none", "0"):           # 0 alone: no hidden layer, as the app's Layers control shows it
            return ()
        parts: Sequence[Any] = [p.strip() for p in text.replace("/", ",").split(",")]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    elif isinstance(value, int) and not isinstance(value, bool) and value == 0:     # a set-up file's layers = 0
        return ()
    else:
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(value)}")
    sizes = []
    for p in parts:
        if isinstance(p, bool) or not (isinstance(p, int) or (isinstance(p, str) and p.isascii() and p.isdigit())):
            raise SettingError(s.name, f"{s.allowed()}, got {quoted(value)}")
        if isinstance(p, str) and len(p) > MAX_NUMBER_TEXT:     # int() of 5000 digits fails, of 4000 is echoed
            raise SettingError(s.name, f"each hidden layer needs 1 to {MAX_NEURONS} neurons, got a number "
                                       f"{len(p):,} digits long")
        size = int(p)
        if not 1 <= size <= MAX_NEURONS:
            alone = " (0 alone means no hidden layer)" if size == 0 else ""
            raise SettingError(s.name, f"each hidden layer needs 1 to {MAX_NEURONS} neurons, got {size}{alone}")
        sizes.append(size)
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise SettingError(s.name, f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(sizes)}")
    return tuple(sizes)


def _check_features(s: Setting, value: Any) -> tuple[str, ...]:
    if not isinstance(value, (str, list, tuple)):
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(value)}")
    return parse_features(value)


def _check_per_layer(s: Setting, value: Any) -> tuple[str | None, ...]:
    if isinstance(value, str):
        text = value.strip().lower()
        parts: Sequence[Any] = [] if text in ("", "none") else [p.strip() for p in text.split(",")]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(value)}")
    out: list[str | None] = []
    for p in parts:
        if p is None or (isinstance(p, str) and p.strip().lower() in ("same", "-", "")):
            out.append(None)
        elif isinstance(p, str) and p.strip().lower() in HIDDEN_ACTIVATIONS:
            out.append(p.strip().lower())
        else:
            raise SettingError(s.name, f"unknown activation {quoted(p)}; {s.allowed()}")
    if len(out) > MAX_HIDDEN_LAYERS:
        raise SettingError(s.name, f"at most {MAX_HIDDEN_LAYERS} entries, got {len(out)}")
    return tuple(out) if any(out) else ()


def _check_text(s: Setting, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(value)}")
    return value


def _check_columns(s: Setting, value: Any) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, (list, tuple)):
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(value)}")
    cols = tuple(str(c).strip() for c in parts)
    if not cols or not all(cols):
        raise SettingError(s.name, f"{s.allowed()}, got {quoted(value)}")
    return cols


_CHECKERS: dict[str, Callable[[Setting, Any], Any]] = {
    "choice": _check_choice, "int": _check_int, "float": _check_float, "bool": _check_bool,
    "layers": _check_layers, "features": _check_features, "per_layer": _check_per_layer,
    "text": _check_text, "columns": _check_columns,
}


def _num(v: float) -> str:
    """A bound as people write it: 1000000, not 1e+06."""
    return f"{v:.0f}" if float(v).is_integer() else f"{v:g}"


def _range_words(s: Setting, noun: str) -> str:
    if s.lo is not None and s.hi is not None:
        lo = "more than" if s.lo_open else "from"
        hi = "below" if s.hi_open else "to"
        text = f"{noun} {lo} {_num(s.lo)} {hi} {_num(s.hi)}"
    elif s.lo is not None:
        text = f"{noun} {'>' if s.lo_open else '≥'} {_num(s.lo)}"
    else:
        text = f"a finite {noun}"
    return text + (f" (or {s.none_word})" if s.optional else "")


_ALLOWED: dict[str, Callable[[Setting], str]] = {
    "choice": lambda s: "choose one of: " + ", ".join(map(str, s.values)),
    "int": lambda s: _range_words(s, "a whole number"),
    "float": lambda s: _range_words(s, "a number"),
    "bool": lambda s: "on or off",
    "layers": lambda s: f"hidden-layer sizes like 8,8 (each 1 to {MAX_NEURONS}, at most {MAX_HIDDEN_LAYERS}; "
                        f"0 or 'none' for no hidden layer)",
    "features": lambda s: "input features, comma-separated, from: " + ", ".join(FEATURES),
    "per_layer": lambda s: "one activation per hidden layer, like relu,same (same = the global one; 'none': the "
                           "global one everywhere): " + ", ".join(HIDDEN_ACTIVATIONS),
    "text": lambda s: "a non-empty name",
    "columns": lambda s: "column names separated by commas",
}


def _percent(v: Any) -> str:
    return f"{v:g} %"


# --- the table ------------------------------------------------------------------------------

_ENTRIES = (
    # data
    Setting("dataset", label="Dataset", kind="choice", default="circle", help="the built-in data set", group="data",
            apply="data", flag="--dataset", code="ds", values=tuple(DATASETS)),
    Setting("points", label="Points", kind="int", default=None,
            help="number of points (auto: the data set's own; a CSV: all rows)", group="data", apply="data",
            flag="--points", code="n", values=(None, 100, 200, 500, 1000, 2000, 5000), lo=2, hi=MAX_POINTS,
            optional=True),
    Setting("noise", label="Noise %", kind="float", default=0.0,
            help="noise in percent (generated data only)", group="data", apply="data", flag="--noise",
            code="noise", values=tuple(float(v) for v in range(0, 51, 5)), lo=NOISE_RANGE[0], hi=NOISE_RANGE[1],
            data="noisy", labels=_percent),
    Setting("train_ratio", label="Train %", kind="float", default=50.0,
            help="percent of points used for training", group="data", apply="data", flag="--train-ratio",
            code="tr", values=tuple(float(v) for v in range(10, 91, 10)), lo=TRAIN_RATIO_RANGE[0],
            hi=TRAIN_RATIO_RANGE[1], data="split", labels=_percent),
    Setting("csv", label="CSV file", kind="text", default=None,
            help="train on this CSV file (header row) instead of a built-in set", group="data", apply="data",
            flag="--data", code="csv", optional=True, none_word="none", control=False),
    Setting("csv_x", label="CSV inputs", kind="columns", default=None,
            help="input columns of the CSV (auto: the first numeric ones)", group="data", apply="data", flag="--x",
            code="cx", optional=True, data="file", control=False),
    Setting("csv_y", label="CSV label", kind="text", default=None,
            help="label column of the CSV (auto: the last column)", group="data", apply="data", flag="--y", code="cy",
            optional=True, data="file", control=False),
    # features
    Setting("features", label="Features", kind="features", default=DEFAULT_FEATURES,
            help="input features for 2-D data, e.g. x1,x2,x1x2", group="features", apply="network", flag="--features",
            code="f", data="plane"),
    # network
    Setting("hidden", label="Layers", kind="layers", default=(4, 2),
            help="hidden layer sizes, e.g. 8,8 (0 or 'none' for no hidden layer)", group="network", apply="network",
            flag="--layers", code="h"),
    Setting("activation", label="Activation", kind="choice", default="tanh", help="the hidden layers' activation",
            group="network", apply="network", flag="--activation", code="a", values=HIDDEN_ACTIVATIONS),
    Setting("layer_activations", label="Per layer", kind="per_layer", default=(),
            help="an activation per hidden layer, e.g. relu,same", group="network", apply="network",
            flag="--layer-activations", code="la"),
    Setting("dtype", label="Precision", kind="choice", default="float64",
            help="floating-point precision of the network", group="network", apply="network", flag="--dtype",
            code="dt", values=("float32", "float64")),
    # training
    Setting("trainer", label="Trainer", kind="choice", default="backprop",
            help="backprop (gradient descent), or neuroevolution: ga (genetic) or es (CMA-ES)", group="training",
            apply="trainer", flag="--trainer", code="t", values=tuple(TRAINERS)),
    Setting("lr", label="Learn rate", kind="float", default=0.03, help="learning rate", group="training",
            apply="live", flag="--lr", code="lr", values=LEARNING_RATES, lo=0.0, lo_open=True, trainers=BACKPROP),
    Setting("batch_size", label="Batch", kind="int", default=10,
            help="mini-batch size (larger than the data: full batch)", group="training", apply="live",
            flag="--batch-size", code="bs", values=BATCH_SIZES, lo=1, trainers=BACKPROP),
    Setting("optimizer", label="Optimizer", kind="choice", default="sgd", help="the gradient-descent update rule",
            group="training", apply="live", flag="--optimizer", code="opt", values=tuple(OPTIMIZERS),
            trainers=BACKPROP),
    Setting("momentum", label="Momentum β", kind="float", default=0.9, help="momentum's β (velocity decay)",
            group="training", apply="live", flag="--momentum", code="mb", values=(0.5, 0.8, 0.9, 0.95, 0.99), lo=0.0,
            hi=1.0, hi_open=True, trainers=BACKPROP, requires=(("optimizer", ("momentum",)),)),
    Setting("nesterov", label="Nesterov", kind="bool", default=False, help="Nesterov's look-ahead momentum",
            group="training", apply="live", flag="--nesterov", code="nag", trainers=BACKPROP,
            requires=(("optimizer", ("momentum",)),)),
    Setting("beta1", label="Adam β₁", kind="float", default=0.9, help="Adam's β₁ (first-moment decay)",
            group="training", apply="live", flag="--beta1", code="b1", values=(0.5, 0.8, 0.9, 0.95, 0.99), lo=0.0,
            hi=1.0, hi_open=True, trainers=BACKPROP, requires=(("optimizer", ("adam",)),)),
    Setting("beta2", label="Adam β₂", kind="float", default=0.999, help="Adam's β₂ (second-moment decay)",
            group="training", apply="live", flag="--beta2", code="b2", values=(0.9, 0.99, 0.999, 0.9999), lo=0.0,
            hi=1.0, hi_open=True, trainers=BACKPROP, requires=(("optimizer", ("adam",)),)),
    Setting("eps", label="Adam ε", kind="float", default=1e-8, help="Adam's ε (added to √v̂, as in PyTorch)",
            group="training", apply="live", flag="--eps", code="eps", values=(1e-10, 1e-8, 1e-7, 1e-6, 1e-4), lo=0.0,
            lo_open=True, trainers=BACKPROP, requires=(("optimizer", ("adam",)),)),
    Setting("regularization", label="Regularize", kind="choice", default="none",
            help="weight penalty: none, l1 or l2", group="training", apply="live", flag="--regularization",
            code="reg", values=REGULARIZATIONS, trainers=BACKPROP),
    Setting("reg_rate", label="Reg. rate", kind="float", default=0.0, help="the weight penalty's rate",
            group="training", apply="live", flag="--reg-rate", code="rr", values=REG_RATES, lo=0.0, trainers=BACKPROP,
            requires=(("regularization", ("l1", "l2")),)),
    Setting("dropout", label="Dropout", kind="float", default=0.0,
            help="fraction of hidden units dropped in each training step", group="training", apply="live",
            flag="--dropout", code="do", values=(0.0, 0.1, 0.2, 0.3, 0.5), lo=0.0, hi=1.0, hi_open=True,
            trainers=BACKPROP),
    Setting("population", label="Population", kind="int", default=None,
            help="individuals per generation (auto: ga 50, es 4+3·ln N)", group="evolution", apply="live",
            flag="--population", code="pop", values=(None, *POPULATIONS), lo=4, hi=10_000, optional=True,
            trainers=EVOLUTION),
    Setting("sigma", label="Mutation σ", kind="float", default=None,
            help="mutation step size (auto: ga 0.1, es 0.25)", group="evolution", apply="live", flag="--sigma",
            code="sig", values=(None, *SIGMAS), lo=0.0, lo_open=True, optional=True, trainers=EVOLUTION),
    # run
    Setting("seed", label="Seed", kind="int", default=0, help="seed for data, weights and shuffling", group="run",
            apply="data", flag="--seed", code="seed", values=tuple(range(10)), lo=0, hi=MAX_SEED),
    Setting("tf_seed", label="TF seed", kind="text", default=None,
            help="TF Playground's seed text (like 0.12345), kept from a TF link and written back while the seed "
                 "matches it",
            group="run", apply="view", flag="--tf-seed", code="tfs", optional=True, control=False, commands=()),
    Setting("epochs", label="Stop after", kind="int", default=None,
            help="stop after this many epochs (generations for ga/es); auto: 1000 for train, no limit in the "
                 "playground",
            group="run", apply="view", flag="--epochs", code="ep", values=(None, 100, 300, 1000, 3000, 10000), lo=1,
            hi=10_000_000, optional=True, cli_default=1000),
    Setting("patience", label="Patience", kind="int", default=None,
            help="stop when the test loss has not improved for this many epochs (off: never)", group="run",
            apply="trainer", flag="--patience", code="pat", values=(None, 10, 30, 100, 300), lo=1, hi=10_000_000,
            optional=True, none_word="off", trainers=BACKPROP),
    Setting("target_loss", label="Goal loss", kind="float", default=None,
            help="stop when the test loss falls to this value (off: no goal)", group="run", apply="view",
            flag="--target-loss", code="tl", values=(None, 0.3, 0.1, 0.05, 0.02, 0.01, 0.001), lo=0.0, lo_open=True,
            optional=True, none_word="off"),
    Setting("target_acc", label="Goal acc %", kind="float", default=None,
            help="stop when the test accuracy reaches this percentage (off: no goal)", group="run", apply="view",
            flag="--target-acc", code="ta", values=(None, 80.0, 90.0, 95.0, 98.0, 99.0, 100.0), lo=0.0, hi=100.0,
            lo_open=True, optional=True, none_word="off", labels=lambda v: "off" if v is None else f"{v:g} %"),
    # view (the playground's display; part of a shared set-up, like TF Playground's)
    Setting("show_test", label="Test data", kind="bool", default=False, help="show the test points (◆) on the map",
            group="view", apply="view", flag="--show-test", code="st", commands=("play",)),
    Setting("show_points", label="Show dots", kind="bool", default=True, help="show the data points over the map",
            group="view", apply="view", flag="--show-points", code="sp", commands=("play",)),
    Setting("discretize", label="Discrete", kind="bool", default=False,
            help="hard class colours instead of confidence", group="view", apply="view", flag="--discretize",
            code="dz", commands=("play",)),
)

SETTINGS: dict[str, Setting] = {s.name: s for s in _ENTRIES}
GROUPS: tuple[str, ...] = get_args(Group)


def setting(name: str) -> Setting:
    """The table entry called ``name`` (KeyError names the known ones)."""
    try:
        return SETTINGS[name]
    except KeyError:
        raise KeyError(f"no setting {name!r}; known: {', '.join(SETTINGS)}") from None


def by_code(code: str) -> Setting | None:
    """The entry whose share-code key is ``code``."""
    return next((s for s in SETTINGS.values() if s.code == code), None)


def is_trainable(activation: str, trainer: str) -> bool:
    """True when ``trainer`` can train ``activation`` (back-propagation needs a useful gradient)."""
    return trainer != "backprop" or ACTIVATIONS[activation].trainable_by_backprop


def _check_table() -> None:
    """The table's own invariants: unique flags and codes, defaults that pass their own check."""
    for attr in ("flag", "code"):
        seen = [getattr(s, attr) for s in _ENTRIES]
        dupes = {v for v in seen if seen.count(v) > 1}
        assert not dupes, f"duplicate {attr}s in the settings table: {dupes}"
    for s in _ENTRIES:
        assert s.check(s.default) == s.default or s.default is None, s.name
        assert len(s.label) <= 11, s.name
        assert s.optional or s.none_word == "auto", f"{s.name}: none_word without optional"


_check_table()

__all__ = ["SETTINGS", "Setting", "SettingError", "GROUPS", "setting", "by_code", "is_trainable",
           "LEARNING_RATES", "REG_RATES", "BATCH_SIZES", "POPULATIONS", "SIGMAS", "REGULARIZATIONS",
           "MAX_HIDDEN_LAYERS", "MAX_NEURONS", "MAX_POINTS", "plain_float", "BACKPROP", "EVOLUTION", "ALL_TRAINERS"]
