"""Lessons: a set-up, a short text and a goal the playground checks, read from TOML files.

A lesson file is a set-up file (a ``[setup]`` table of settings from the table in
``engine/settings.py``) plus a ``[lesson]`` table: ``title``, ``text`` (at most 8 lines of at
most 40 columns, so it fits a 40×20 terminal), ``goal`` (machine-checkable conditions, see
:data:`GOAL_KEYS`), ``goal_text`` (one line for the student) and an optional ``solution``
(setting changes that reach the goal; the shipped lessons' tests train it).  A goal's ``max_epochs`` is
an epoch budget: the set-up's ``epochs`` ("Stop after") is set to it when the file leaves it out, and may
not exceed it; once it is spent short of the goal the status says "Missed".  The shipped lessons
live in ``annplay/lessons/``; a teacher's own file loads the same way.  No UI imports here.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from annplay.engine.diagnosis import CODES
from annplay.engine.safefile import open_regular
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.engine.trainer import Metrics

if sys.version_info >= (3, 11):
    import tomllib
else:                                   # pragma: no cover - Python 3.10
    import tomli as tomllib

TEXT_LINES = 8                          # a lesson's text fits 8 lines …
TEXT_COLUMNS = 40                       # … of 40 columns: the app's smallest screen
MAX_FILE_BYTES = 64 * 1024              # a lesson is a few hundred bytes; refuse anything absurd
MAX_MESSAGE = 300                       # characters of an error message after the file name
TOP_KEYS = ("format", "version", "setup", "lesson")
SETUP_FORMAT = "annplay-setup"          # the set-up file format (engine/setupfile.py) a lesson extends
SETUP_VERSION = 1
LESSON_KEYS = ("number", "title", "text", "goal", "goal_text", "solution", "doctor")

# Goal conditions on the metrics: key → (Metrics field, label, is a percentage, comparison).
METRIC_GOALS: dict[str, tuple[str, str, bool, str]] = {
    "test_loss_below": ("test_loss", "test loss", False, "<"),
    "train_loss_below": ("train_loss", "train loss", False, "<"),
    "test_accuracy_at_least": ("test_acc", "test acc.", True, "≥"),
    "train_accuracy_at_least": ("train_acc", "train acc.", True, "≥"),
}
# Goal conditions on counts: key → (what is counted, comparison).
COUNT_GOALS: dict[str, tuple[str, str]] = {
    "max_epochs": ("epochs", "≤"),
    "min_epochs": ("epochs", "≥"),
    "max_hidden_layers": ("hidden layers", "≤"),
    "min_hidden_layers": ("hidden layers", "≥"),
    "max_hidden_neurons": ("hidden neurons", "≤"),
}
# Any setting can be pinned with "<setting>_in = [values]" (e.g. trainer_in = ["ga", "es"]).
IN_SUFFIX = "_in"
GOAL_KEYS = (*METRIC_GOALS, *COUNT_GOALS, *(f"{name}{IN_SUFFIX}" for name in SETTINGS))


class LessonError(ValueError):
    """A lesson file that cannot be used: the message starts with the file (and line) and says what is wrong."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        where = f"{source}:{line}" if line is not None else source
        if len(message) > MAX_MESSAGE:                 # a hostile value is not echoed whole
            message = message[:MAX_MESSAGE - 1] + "…"
        super().__init__(f"{where}: {message}")
        self.source = source
        self.line = line


@dataclass(frozen=True)
class Lesson:
    """One lesson: its starting set-up, its text and the goal the playground checks."""

    number: int
    title: str
    text: tuple[str, ...]
    setup: Setup
    goal: Mapping[str, Any]
    goal_text: str
    solution: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    doctor: tuple[str, ...] = ()          # the doctor's warnings on the starting set-up (what the student reads)

    @property
    def summary(self) -> str:
        """One line for a list of lessons: number, title and goal."""
        return f"{self.number:>2}  {self.title}: {self.goal_text}"

    def solved_setup(self) -> Setup:
        """The starting set-up with the solution's changes: what reaches the goal."""
        return self.setup.with_(**self.solution).validate()


# --- text checks --------------------------------------------------------------------------------

def cell_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters count 2, combining marks 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _check_line(text: str, what: str) -> str | None:
    """None when ``text`` is one printable line of at most TEXT_COLUMNS columns, else what is wrong."""
    for ch in text:
        if unicodedata.category(ch) in ("Zl", "Zp") or unicodedata.category(ch).startswith("C"):
            return f"{what} holds the control character U+{ord(ch):04X}; use plain printable text"
    if cell_width(text) > TEXT_COLUMNS:
        return f"{what} is {cell_width(text)} columns wide; at most {TEXT_COLUMNS} fit the screen"
    return None


# --- locating keys in the file, for error messages ----------------------------------------------

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\-]+)\s*=""")


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """(table, key) → line number of its first assignment, for naming the line of a bad value."""
    lines: dict[tuple[str, str], int] = {}
    table = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header:
            table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            lines.setdefault((table.rsplit(".", 1)[0] if "." in table else "", table.rsplit(".", 1)[-1]), number)
            continue
        key = _KEY.match(raw)
        if key:
            name = key.group(1).strip("\"'")
            parts = name.split(".")
            owner = ".".join([table, *parts[:-1]]).strip(".")
            lines.setdefault((owner, parts[-1]), number)
    return lines


class _Reader:
    """Turns one file's parsed TOML into a Lesson, naming the file and line in every error."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines = _key_lines(text)

    def fail(self, message: str, table: str = "", key: str | None = None) -> LessonError:
        line = self.lines.get((table, key)) if key is not None else None
        if line is None and key is not None and table.startswith("lesson."):
            line = self.lines.get(("lesson", table.split(".", 1)[1]))
        return LessonError(self.source, message, line)

    def lesson(self, data: dict[str, Any], default_number: int) -> Lesson:
        for key in data:
            if key == "model":
                raise self.fail("a lesson starts from fresh weights; remove the [model] table", "", key)
            if key not in TOP_KEYS:
                raise self.fail(f"unknown table or key {key!r}; a lesson file has: [setup] and [lesson]", "", key)
        self.format(data)
        meta = self.table(data, "lesson", "")
        if "setup" not in data:
            raise self.fail("no [setup] table; give the lesson's starting settings there (it may be empty)")
        raw_setup = self.table(data, "setup", "")
        for key in meta:
            if key not in LESSON_KEYS:
                raise self.fail(f"unknown key {key!r}; [lesson] has: {', '.join(LESSON_KEYS)}", "lesson", key)
        setup = self.setup(raw_setup)
        goal = self.goal(self.table(meta, "goal", "lesson"))
        setup = self.budget(setup, goal)
        title = self.one_line(meta, "title")
        text = self.text(meta)
        goal_text = self.one_line(meta, "goal_text")
        solution = self.solution(meta.get("solution", {}), setup)
        number = self.number(meta, default_number)
        return Lesson(number, title, text, setup, goal, goal_text, solution, self.source, self.doctor(meta))

    def format(self, data: Mapping[str, Any]) -> None:
        fmt, version = data.get("format", SETUP_FORMAT), data.get("version", SETUP_VERSION)
        if fmt != SETUP_FORMAT:
            raise self.fail(f"format is {fmt!r}, not {SETUP_FORMAT!r}: not an annplay lesson", "", "format")
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= SETUP_VERSION:
            raise self.fail(f"version must be a whole number from 1 to {SETUP_VERSION}, got {version!r}",
                            "", "version")

    def table(self, data: Mapping[str, Any], key: str, owner: str) -> dict[str, Any]:
        where = f"{owner}.{key}" if owner else key
        if key not in data:
            raise self.fail(f"no [{where}] table; see annplay/lessons/ for an example")
        value = data[key]
        if not isinstance(value, dict):
            raise self.fail(f"{where} must be a table, got {type(value).__name__}", owner, key)
        return value

    def setup(self, raw: dict[str, Any]) -> Setup:
        try:
            return Setup(**_values(raw)).validate()
        except SettingError as exc:
            raise self.fail(f"setup.{exc.setting}: {exc.message}", "setup", exc.setting) from None

    def budget(self, setup: Setup, goal: Mapping[str, Any]) -> Setup:
        """The set-up stops at the goal's epoch budget (max_epochs): "Stop after" is set to it when not given."""
        budget = goal.get("max_epochs")
        if budget is None:
            return setup
        if setup.epochs is None:
            return setup.with_(epochs=max(1, budget)).validate()
        if setup.epochs > budget:
            raise self.fail(f"setup.epochs {setup.epochs} runs past the goal's max_epochs {budget}; "
                            f"give epochs = {budget} or leave it out", "setup", "epochs")
        return setup

    def number(self, meta: Mapping[str, Any], default: int) -> int:
        value = meta.get("number", default)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 999:
            raise self.fail(f"number must be a whole number from 0 to 999, got {value!r}", "lesson", "number")
        return value

    def one_line(self, meta: Mapping[str, Any], key: str) -> str:
        value = meta.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key} must be a non-empty string, got {value!r}", "lesson", key)
        problem = _check_line(value.strip(), key)
        if problem:
            raise self.fail(problem, "lesson", key)
        return value.strip()

    def text(self, meta: Mapping[str, Any]) -> tuple[str, ...]:
        value = meta.get("text")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"text must be a non-empty string, got {value!r}", "lesson", "text")
        lines = tuple(line.rstrip() for line in value.replace("\r\n", "\n").strip("\n").split("\n"))
        if len(lines) > TEXT_LINES:
            raise self.fail(f"text has {len(lines)} lines; at most {TEXT_LINES} fit the screen", "lesson", "text")
        for i, line in enumerate(lines, start=1):
            problem = _check_line(line, f"text line {i}")
            if problem:
                raise self.fail(problem, "lesson", "text")
        return lines

    def goal(self, raw: dict[str, Any]) -> dict[str, Any]:
        if not raw:
            raise self.fail("goal is empty; give at least one condition, e.g. test_loss_below = 0.1",
                            "lesson", "goal")
        goal: dict[str, Any] = {}
        for key, value in raw.items():
            goal[key] = self.condition(key, value)
        for low, high in (("min_epochs", "max_epochs"), ("min_hidden_layers", "max_hidden_layers")):
            if low in goal and high in goal and goal[low] > goal[high]:     # a goal no run can meet (a QA probe)
                raise self.fail(f"goal.{low} {goal[low]} is above goal.{high} {goal[high]}: no run can meet "
                                "both", "lesson.goal", low)
        return goal

    def condition(self, key: str, value: Any) -> Any:
        def bad(message: str) -> LessonError:
            return self.fail(f"goal.{key}: {message}", "lesson.goal", key)

        if key in METRIC_GOALS:
            percent = METRIC_GOALS[key][2]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value <= 0 or (percent and value > 100):
                allowed = "a percentage above 0 and at most 100" if percent else "a number above 0"
                raise bad(f"needs {allowed}, got {value!r}")
            return float(value)
        if key in COUNT_GOALS:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
                raise bad(f"needs a whole number from 0 to 10000000, got {value!r}")
            return value
        if key.endswith(IN_SUFFIX) and key[:-len(IN_SUFFIX)] in SETTINGS:
            entry = SETTINGS[key[:-len(IN_SUFFIX)]]
            values = value if isinstance(value, list) else [value]
            if not values:
                raise bad("needs at least one value")
            try:
                return tuple(entry.check(v) for v in values)
            except SettingError as exc:
                raise bad(exc.message) from None
        metric_keys = ", ".join((*METRIC_GOALS, *COUNT_GOALS))
        raise bad(f"unknown condition; use one of: {metric_keys}, or <setting>_in = [values] "
                  f"(e.g. trainer_in = [\"ga\", \"es\"])")

    def doctor(self, meta: Mapping[str, Any]) -> tuple[str, ...]:
        """The doctor's codes the starting set-up shows: a list of words from the doctor's vocabulary."""
        value = meta.get("doctor", [])
        values = value if isinstance(value, list) else [value]
        for code in values:
            if code not in CODES:
                raise self.fail(f"doctor: {code!r} is not a finding; use: {', '.join(CODES)}", "lesson", "doctor")
        return tuple(values)

    def solution(self, raw: Any, setup: Setup) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(f"solution must be a table of setting changes, got {type(raw).__name__}",
                            "lesson", "solution")
        try:
            values = _values(raw)
            setup.with_(**values).validate()
        except SettingError as exc:
            raise self.fail(f"solution.{exc.setting}: {exc.message}", "lesson.solution", exc.setting) from None
        return values


def _values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Setting values from TOML data, as set-up files write them: text is parsed like a flag ("auto",
    "8,8", "same"), other data is checked; SettingError names the setting."""
    values = {}
    for key, value in raw.items():
        entry = SETTINGS.get(key)
        if entry is None:
            raise SettingError(key, f"no such setting; known: {', '.join(SETTINGS)}")
        if isinstance(value, dict):
            raise SettingError(key, f"{entry.allowed()}, got a table")
        values[key] = entry.parse(value) if isinstance(value, str) else entry.check(value)
    return values


# --- loading --------------------------------------------------------------------------------------

def _number_from_name(name: str) -> int:
    """The lesson number a file name starts with ("03-spiral.toml" → 3), else 0."""
    match = re.match(r"(\d{1,3})(?!\d)", name)
    return int(match.group(1)) if match else 0


def parse_lesson(text: str, source: str = "<lesson>", default_number: int = 0) -> Lesson:
    """A lesson from TOML text; LessonError names ``source``, the line when known, and the problem."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise LessonError(source, "not valid TOML: arrays or tables nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"at line (\d+)", message)
        line = int(found.group(1)) if found else (len(text.splitlines()) if "end of document" in message else None)
        detail = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise LessonError(source, f"not valid TOML: {detail}", line) from None
    return _Reader(source, text).lesson(data, default_number)


def _read_text(data: bytes, source: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise LessonError(source, f"is over {MAX_FILE_BYTES} bytes; a lesson file is a few hundred")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LessonError(source, f"is not UTF-8 text (byte {exc.start}); a lesson is a TOML text file") from None


def load_lesson_file(path: str | Path) -> Lesson:
    """A lesson from a file (a teacher's own, or a shipped one)."""
    source = str(path)
    try:
        with open_regular(path, "lesson") as f:          # FIFOs, devices and folders are refused unread
            data = f.read(MAX_FILE_BYTES + 1)
    except ValueError as exc:
        message = str(exc)
        prefix = f"lesson {source}: "
        raise LessonError(source, message[len(prefix):] if message.startswith(prefix) else message) from None
    except OSError as exc:
        raise LessonError(source, f"cannot be read ({exc.strerror or exc})") from None
    return parse_lesson(_read_text(data, source), source, _number_from_name(Path(path).name))


def _shipped() -> tuple[Lesson, ...]:
    """The lessons shipped in ``annplay/lessons/``, sorted by number."""
    folder = resources.files("annplay").joinpath("lessons")
    lessons = []
    for entry in folder.iterdir():
        if entry.name.endswith(".toml") and entry.is_file():
            source = f"annplay/lessons/{entry.name}"
            text = _read_text(entry.read_bytes(), source)
            lessons.append(parse_lesson(text, source, _number_from_name(entry.name)))
    return tuple(sorted(lessons, key=lambda lesson: (lesson.number, lesson.source)))


LESSONS: tuple[Lesson, ...] = _shipped()


def load_lesson(path_or_number: int | str | Path) -> Lesson:
    """A shipped lesson by number (``3`` or ``"3"``), or a lesson file by path."""
    key = path_or_number
    if isinstance(key, bool) or (isinstance(key, str) and not key.strip()):
        raise LessonError(repr(key), "give a lesson number ('annplay lessons' lists them) or a lesson file's path")
    if isinstance(key, str) and key.strip().isdigit() and not Path(key).exists():
        key = int(key.strip())
    if isinstance(key, int):
        for lesson in LESSONS:
            if lesson.number == key:
                return lesson
        numbers = ", ".join(str(lesson.number) for lesson in LESSONS)
        raise LessonError(f"lesson {key}", f"no such lesson; the shipped lessons are {numbers} "
                                           f"(or give a lesson file's path)")
    return load_lesson_file(key)


# --- checking a goal ----------------------------------------------------------------------------

def _count(name: str, setup: Setup, metrics: Metrics | None) -> int:
    if name == "epochs":
        return metrics.epoch if metrics is not None else 0
    if name == "hidden layers":
        return len(setup.hidden)
    return sum(setup.hidden)


def _compare(value: float, op: str, limit: float) -> bool:
    return {"<": value < limit, "≥": value >= limit, "≤": value <= limit}[op]


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _goal_settings(lesson: Lesson) -> dict[str, Any]:
    """The settings a goal's ``NAME_in`` keys hold, each to its allowed values: lr_in = [1.0] → {"lr": [1.0]}."""
    return {key[:-len(IN_SUFFIX)]: values for key, values in lesson.goal.items()
            if key.endswith(IN_SUFFIX) and key not in METRIC_GOALS}


def _setup_problems(lesson: Lesson, setup: Setup, metrics: Metrics | None) -> list[str]:
    """What the set-up or the epoch count does wrong for the goal (empty: nothing)."""
    problems = []
    for key, limit in lesson.goal.items():
        if key in COUNT_GOALS:
            what, op = COUNT_GOALS[key]
            count = _count(what, setup, metrics)
            if not _compare(count, op, limit):
                problems.append(f"{what} {count:,} (goal {op} {limit:,})")
    for name, limit in _goal_settings(lesson).items():
        have: str
        if name == "activation":
            have_all = setup.hidden_activations()
            ok = bool(have_all) and all(a in limit for a in have_all)
            have = ",".join(have_all) or "no hidden layer"
        else:
            ok = setup[name] in limit
            have = _show(setup[name])
        if not ok:
            wanted = " or ".join(_show(v) for v in limit)
            problems.append(f"{SETTINGS[name].label.lower()} {have} (goal {wanted})")
    return problems


def pinned_settings(lesson: Lesson | None) -> dict[str, tuple[Any, ...]]:
    """The settings a lesson's goal holds (``lr_in`` → lr: its values; a ``min_epochs`` goal holds patience off,
    since early stopping would end the run short of it): the doctor's fixes keep them (Session.pins)."""
    if lesson is None:
        return {}
    pins = {name: tuple(values) for name, values in _goal_settings(lesson).items()}
    if "min_epochs" in lesson.goal:
        pins["patience"] = (None,)
    return pins


def _tamper_problems(lesson: Lesson, tampered: Collection[str]) -> list[str]:
    """What makes this run's numbers not the goal's: weights it did not train from the start, or a pinned
    setting changed while it trained (each says to press r, which draws new weights)."""
    problems = ["weights loaded, edited or kept from another run: press r"] if "weights" in tampered else []
    problems += [f"{SETTINGS[name].label.lower()} changed during the run: press r"
                 for name in _goal_settings(lesson) if name in tampered]
    return problems


def _metric_problems(lesson: Lesson, metrics: Metrics | None) -> tuple[list[str], list[str]]:
    """(unmet metric conditions, met ones), each as short text."""
    unmet: list[str] = []
    met: list[str] = []
    for key, limit in lesson.goal.items():
        if key not in METRIC_GOALS:
            continue
        attr, label, percent, op = METRIC_GOALS[key]
        value = getattr(metrics, attr, None) if metrics is not None else None
        unit = " %" if percent else ""
        goal = f"{op} {limit:g}{unit}"
        if value is None or not math.isfinite(value):
            unmet.append(f"{label} not measured yet (goal {goal})")
            continue
        shown = value * 100 if percent else value
        text = f"{label} {shown:.1f}{unit}" if percent else f"{label} {shown:.3g}"
        if _compare(shown, op, limit):
            met.append(text)
        else:
            unmet.append(f"{text} (goal {goal})")
    return unmet, met


def without_goals(text: str) -> str:
    """A status without its '(goal …)' parts: 'test acc. 70.8 % (goal ≥ 95 %)' → 'test acc. 70.8 %'."""
    return re.sub(r" \(goal [^)]*\)", "", text)


def _missed(budget: int, epoch: int, problems: list[str], unmet: list[str], unit: str = "epoch") -> str:
    """The epoch budget is spent without the goal: what fell short, when (in the trainer's unit), how to retry."""
    over = [p for p in problems if not p.startswith("epochs ")]
    short = "; ".join([*over, *(without_goals(u) for u in unmet)] or ["goal met too late"])
    when = f"at {unit} {epoch:,}" if epoch <= budget else f"at {unit} {epoch:,}, past the {budget:,} allowed"
    return f"Missed: {short} {when} — press r to try again"


def goal_status(lesson: Lesson, setup: Setup, metrics: Metrics | None,
                tampered: Collection[str] = ()) -> tuple[bool, str]:
    """(reached, one line for the student): does this set-up's run, at these metrics, meet the goal?

    The set-up conditions (layers, pinned settings) and epoch limits are checked first, then the
    metrics; a diverged run never meets a goal; once a max_epochs budget is spent short of the goal the
    line says "Missed: … — press r to try again".  ``tampered`` (``Session.tampered``): settings changed
    while the run's weights were kept, and "weights" for weights loaded, edited or carried over; a pinned
    setting among them, or such weights, keep the goal unmet until new weights.  Pure: the app may keep
    "reached" once it was.
    """
    if metrics is not None and metrics.state == "diverged":
        return False, "Diverged: lower the learning rate and reset"
    problems = _setup_problems(lesson, setup, metrics) + _tamper_problems(lesson, tampered)
    unmet, met = _metric_problems(lesson, metrics)
    budget = lesson.goal.get("max_epochs")
    if budget is not None and metrics is not None and metrics.epoch >= budget and (problems or unmet):
        unit = "epoch" if setup.trainer == "backprop" else "generation"
        return False, _missed(budget, metrics.epoch, problems, unmet, unit)
    if problems or unmet:
        return False, "Not yet: " + "; ".join(problems + unmet)
    return True, "Goal reached: " + "; ".join(met or [lesson.goal_text])


__all__ = ["Lesson", "LessonError", "LESSONS", "GOAL_KEYS", "TEXT_LINES", "TEXT_COLUMNS", "load_lesson",
           "pinned_settings",
           "load_lesson_file", "parse_lesson", "goal_status", "without_goals", "cell_width"]
