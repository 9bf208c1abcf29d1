"""Sweeps without a UI: expand a grid of set-ups, train them in a process pool, rank and write the rows.

Each run is sent to a worker as its share code, so a row's ``setup`` repeats it exactly
(``annplay train --setup CODE``).  A diverged run is a row, not a crash; Ctrl-C keeps the finished
rows.  The CLI's live table and the app's Sweep view both drive :class:`Sweep`.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annplay.core.executors import InlinePool, Pool, default_jobs, open_pool
from annplay.core.oom import out_of_memory
from annplay.engine.build import build
from annplay.engine.diagnosis import diagnose
from annplay.engine.instruments import instruments_for, step_observed
from annplay.engine.safefile import atomic_write_bytes
from annplay.engine.settings import SETTINGS, Setting, SettingError
from annplay.engine.setup import Setup
from annplay.engine.sharecode import decode, encode
from annplay.engine.stopping import needs_every_epoch, stop_reason
from annplay.engine.textcut import quoted
from annplay.engine.trainers import TRAINERS

DEFAULT_EPOCHS = 1000           # what `annplay train` uses when no epoch limit is set
HISTORY_POINTS = 32             # loss values kept per row, for sparklines
MAX_RUNS = 10_000               # a grid larger than this is almost certainly a typo
FORMAT = "annplay-sweep"
VERSION = 1
CSV_COLUMNS = ("index", "setup", "group", "seed", "state", "reason", "epochs", "train_loss", "test_loss",
               "train_acc", "test_acc", "seconds", "history", "diagnosis")
LIST_KINDS = ("layers", "features", "per_layer", "columns")

Row = dict[str, Any]
OnRow = Callable[[Row, int, int], object]        # (row, finished so far, total); its result is ignored


# --- the grid -------------------------------------------------------------------------------

def find_setting(name: str) -> Setting:
    """The table entry a --vary name means: its name, its flag (``layers`` or ``--layers``) or its code."""
    key = name.strip().lstrip("-").lower()
    for entry in SETTINGS.values():
        if key in (entry.name, entry.flag.lstrip("-"), entry.flag.lstrip("-").replace("-", "_"), entry.code):
            return entry
    known = ", ".join(entry.flag.lstrip("-") for entry in SETTINGS.values())
    raise SettingError(key or name, f"no setting {quoted(name)} to vary; known (as flags, without --): {known}")


def typed_name(entry: Setting) -> str:
    """How messages of --vary and --search name a setting: its flag without '--' (``layers``, not ``hidden``)."""
    return entry.flag.lstrip("-")


def parse_vary(text: str) -> tuple[str, list[str]]:
    """``lr=0.01,0.1`` → ("lr", ["0.01", "0.1"]); in list settings '/' joins items: ``layers=4/8,16``."""
    name, eq, values = text.partition("=")
    if not eq or not name.strip():
        raise SettingError("vary", f"{quoted(text)}: write NAME=VALUE,VALUE…, like lr=0.01,0.1 or layers=4/8,16")
    entry = find_setting(name)
    if "sweep" not in entry.commands:
        raise SettingError(entry.name, f"--vary {typed_name(entry)}: it changes only what the playground shows, "
                                       f"not training; every run would be the same")
    parts = [v.strip() for v in values.split(",")]
    if not all(parts):                       # a setting's word for none (auto, off, none) says none, never ''
        what = "give at least one value" if not any(parts) else f"an empty value in {quoted(values)}"
        raise SettingError(entry.name, f"--vary {typed_name(entry)}: {what}; {entry.allowed()}")
    if entry.kind in LIST_KINDS:
        parts = [p.replace("/", ",") for p in parts]
    return entry.name, parts


def expand(base: Setup, vary: dict[str, list[str]], seeds: int = 1) -> list[Setup]:
    """Every combination of the varied values (in the order given), each with ``seeds`` seeds from base's."""
    if not 1 <= seeds <= 1000:
        raise SettingError("seed", f"--seeds must be 1 to 1000, got {seeds}")
    axes: list[tuple[str, list[Any]]] = []
    for name, texts in vary.items():
        entry = find_setting(name)
        if any(entry.name == done for done, _ in axes):
            raise SettingError(entry.name, "varied twice; give all its values in one --vary")
        values: list[Any] = []
        for text in texts:
            try:
                value = entry.parse(text) if isinstance(text, str) else entry.check(text)
            except SettingError as exc:
                raise SettingError(entry.name, f"--vary {typed_name(entry)}={text}: {exc.message}") from None
            if value in values:
                raise SettingError(entry.name, f"--vary {typed_name(entry)}: value {quoted(text)} given twice")
            values.append(value)
        axes.append((entry.name, values))
    count = seeds * math.prod(len(v) for _, v in axes)
    if count > MAX_RUNS:
        raise SettingError("vary", f"{count} runs is more than {MAX_RUNS}; vary fewer values")
    names = [name for name, _ in axes]
    setups: list[Setup] = []
    for combo in itertools.product(*(values for _, values in axes)):
        changed = dict(zip(names, combo, strict=True))
        first = changed.get("seed", base.seed)
        for k in range(seeds):
            run = {**changed, "seed": (first + k) % (int(SETTINGS["seed"].hi or 0) + 1)}
            try:
                setups.append(base.with_(**run).validate())
            except SettingError as exc:
                shown = ", ".join(f"{typed_name(SETTINGS[n])}={SETTINGS[n].format(v)}" for n, v in changed.items())
                raise SettingError(exc.setting, f"in the combination {shown}: {exc.message}") from None
    return setups


def distinct(base: Setup, setups: Sequence[Setup], varied: Sequence[str]) -> tuple[list[Setup], dict[str, str]]:
    """The set-ups that train differently, and why the others were left out (varied setting → the reason).

    A varied setting that does not apply to a combination (lr with trainer ga) would only repeat a run: each
    combination counts with such a setting at the base's value, and the first of equal ones is kept."""
    kept: list[Setup] = []
    seen: set[str] = set()
    why: dict[str, str] = {}
    for setup in setups:
        reasons = {name: setup.why_not(SETTINGS[name]) for name in varied}
        idle = {name: reason for name, reason in reasons.items() if reason is not None}
        key = encode(setup.with_(**{name: base[name] for name in idle}) if idle else setup)
        if key in seen:
            why.update((name, reason) for name, reason in idle.items() if name not in why)
            continue
        seen.add(key)
        kept.append(setup)
    return kept, why


# --- one run ----------------------------------------------------------------------------------

def _failed(code: str, error: BaseException | None = None) -> Row:
    """The row of a run that could not train (a bad file, a worker that died): its state is failed."""
    reason = None if error is None else (str(error).splitlines() or [type(error).__name__])[0]
    return {"setup": code, "group": code, "seed": None, "state": "failed", "reason": reason, "epochs": 0,
            "train_loss": None, "test_loss": None, "train_acc": None, "test_acc": None,
            "seconds": 0.0, "history": [], "diagnosis": []}


def run_one(code: str, epochs: int | None = None, history_points: int = HISTORY_POINTS) -> Row:
    """Train the set-up of a share code headless and return its row (a failure is a row too)."""
    start = time.perf_counter()
    row = _failed(code)
    try:
        setup = decode(code, files=True)
        row["seed"] = setup.seed
        setup = with_limit(setup, epochs)
        row["setup"] = encode(setup)
        row["group"] = encode(setup.with_(seed=SETTINGS["seed"].default))
        _train(setup, row, history_points)
    except (ValueError, ArithmeticError, OSError) as exc:      # bad file, bad data: a row that says why
        row["reason"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    except MemoryError as exc:          # a run too big for this machine is a failed row, in a pool or inline
        row["reason"] = out_of_memory(exc)
    row["seconds"] = round(time.perf_counter() - start, 4)
    return row


def with_limit(setup: Setup, epochs: int | None) -> Setup:
    """The set-up with its epoch limit: ``epochs`` if given, else its own, else DEFAULT_EPOCHS."""
    limit = epochs if epochs is not None else (setup.epochs or DEFAULT_EPOCHS)
    return setup if setup.epochs == limit else setup.with_(epochs=limit)


def _train(setup: Setup, row: Row, history_points: int) -> None:
    """Step the trainer to the limit or a stop rule, keeping a down-sampled test-loss history."""
    prep, net, trainer = build(setup)
    doctor = instruments_for(setup, net, prep, TRAINERS[setup.trainer].family)
    limit = int(setup.epochs)
    marks = sorted({max(1, round(limit * (i + 1) / history_points)) for i in range(history_points)})
    every_epoch = needs_every_epoch(setup)
    history: list[float | None] = []
    metrics = trainer.metrics()
    reason = stop_reason(setup, metrics)
    for mark in marks:
        while reason is None and trainer.epoch < mark:
            k = 1 if every_epoch else mark - trainer.epoch
            step_observed(doctor, trainer, k)
            if every_epoch or trainer.epoch >= mark or trainer.state in ("diverged", "stopped"):
                metrics = trainer.metrics()
                reason = stop_reason(setup, metrics)
            if trainer.state in ("diverged", "stopped"):
                break
        history.append(_finite(metrics.test_loss if metrics.test_loss is not None else metrics.train_loss))
        if reason is not None:
            break
    row.update(state=_state(trainer.state, reason), reason=reason, epochs=int(trainer.epoch),
               train_loss=_finite(metrics.train_loss), test_loss=_finite(metrics.test_loss),
               train_acc=_finite(metrics.train_acc), test_acc=_finite(metrics.test_acc), history=history)
    doctor.finish(int(trainer.epoch), trainer.state)
    row["diagnosis"] = [f.code for f in diagnose(doctor.report(), setup) if f.severity == "warning"]


def _state(trainer_state: str, reason: str | None) -> str:
    """A row's state: diverged, stopped (early stop or a goal reached) or done (the epoch limit)."""
    if trainer_state == "diverged":
        return "diverged"
    if trainer_state == "stopped" or (reason is not None and not reason.startswith("reached")):
        return "stopped"
    return "done"


def _finite(value: float | None) -> float | None:
    """JSON- and CSV-safe: None for a missing or non-finite number."""
    return float(value) if value is not None and math.isfinite(value) else None


# --- the pool ---------------------------------------------------------------------------------

@dataclass
class Sweep:
    """A sweep in progress: run() blocks until done or cancelled; cancel() may come from any thread.

    ``executor`` is ``local`` (``jobs`` processes; one runs in this process) or ``dask`` (the cluster whose
    scheduler is at ``scheduler``); the rows are the same either way.
    """

    setups: Sequence[Setup]
    epochs: int | None = None
    jobs: int | None = None
    history_points: int = HISTORY_POINTS
    rows: list[Row] = field(default_factory=list)
    interrupted: bool = False
    executor: str = "local"
    scheduler: str | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _pool: Pool | None = field(default=None, repr=False)

    def run(self, on_row: OnRow | None = None) -> list[Row]:
        """Train every set-up (in a pool when jobs > 1) and return the finished rows in grid order."""
        if self.jobs is not None and (isinstance(self.jobs, bool) or not isinstance(self.jobs, int) or self.jobs < 1):
            raise ValueError(f"--jobs must be a whole number ≥ 1, got {self.jobs!r}")
        if self.epochs is not None:
            self.epochs = SETTINGS["epochs"].check(self.epochs)
        codes = [encode(s) for s in self.setups]
        total = len(codes)
        pool = open_pool(self.executor, self.jobs, self.scheduler, runs=total)
        try:
            if isinstance(pool, InlinePool):
                for i, code in enumerate(codes):
                    if self._cancel.is_set():
                        break
                    self._finish(i, run_one(code, self.epochs, self.history_points), total, on_row)
            else:
                self._pool = pool
                self._run_pool(codes, on_row)
        except KeyboardInterrupt:
            self.cancel()
        self.interrupted = self.interrupted or len(self.rows) < total
        self.rows.sort(key=lambda r: r["index"])
        return self.rows

    def _run_pool(self, codes: list[str], on_row: OnRow | None) -> None:
        assert self._pool is not None
        try:
            pending: dict[Future[Row], int] = {
                self._pool.submit(run_one, code, self.epochs, self.history_points): i for i, code in enumerate(codes)}
            while pending and not self._cancel.is_set():
                done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in done:
                    i = pending.pop(future)
                    if self._cancel.is_set() or future.cancelled():
                        continue
                    error = future.exception()
                    row = future.result() if error is None else _failed(codes[i], error)
                    self._finish(i, row, len(codes), on_row)
        except BaseException:                         # Ctrl-C (or a failing callback): end the workers too
            self._cancel.set()
            raise
        finally:
            self._shutdown()

    def _finish(self, index: int, row: Row, total: int, on_row: OnRow | None) -> None:
        row = {"index": index, **row}
        self.rows.append(row)
        if on_row is not None:
            on_row(row, len(self.rows), total)

    def cancel(self) -> list[Row]:
        """Stop: cancel the runs not started, end the running ones; return the finished rows."""
        self.interrupted = True
        self._cancel.set()
        self._shutdown()
        return sorted(self.rows, key=lambda r: r["index"])

    def _shutdown(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close(cancel=self._cancel.is_set())


def run_sweep(setups: Sequence[Setup], epochs: int | None = None, jobs: int | None = None,
              on_row: OnRow | None = None, *, history_points: int = HISTORY_POINTS, executor: str = "local",
              scheduler: str | None = None) -> Sweep:
    """Run a sweep to the end (or Ctrl-C): the returned Sweep has ``rows`` and ``interrupted``."""
    sweep = Sweep(setups, epochs, jobs, history_points, executor=executor, scheduler=scheduler)
    sweep.run(on_row)
    return sweep


# --- ranking and output -------------------------------------------------------------------------

@dataclass(frozen=True)
class Ranked:
    """One set-up of the grid over its seeds: mean ± sd of the test loss, and its rows."""

    group: str
    rows: tuple[Row, ...]
    loss_mean: float | None
    loss_sd: float | None
    acc_mean: float | None
    epochs_mean: float
    states: dict[str, int]
    history: tuple[float | None, ...]

    @property
    def diagnosis(self) -> tuple[str, ...]:
        """The doctor's warning codes of any of the group's runs, in the order first seen."""
        return tuple(dict.fromkeys(code for r in self.rows for code in r.get("diagnosis") or ()))

    def as_dict(self) -> dict[str, Any]:
        return {"setup": self.group, "runs": len(self.rows), "test_loss_mean": self.loss_mean,
                "test_loss_sd": self.loss_sd, "test_acc_mean": self.acc_mean, "epochs_mean": self.epochs_mean,
                "states": self.states, "history": list(self.history), "seeds": [r["seed"] for r in self.rows],
                "diagnosis": list(self.diagnosis)}


def _row_loss(row: Row) -> float | None:
    loss = row.get("test_loss")
    return loss if loss is not None else row.get("train_loss")


def rank(rows: Iterable[Row]) -> list[Ranked]:
    """Set-ups ranked by mean test loss over their seeds (runs without a finite loss last)."""
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(str(row.get("group") or _group_of(row["setup"])), []).append(row)
    ranked = []
    for group, members in grouped.items():
        losses = [x for r in members if r.get("state") != "diverged" and (x := _row_loss(r)) is not None]
        accs = [r["test_acc"] for r in members if r.get("test_acc") is not None]
        complete = len(losses) == len(members)
        mean = statistics.fmean(losses) if losses and complete else None
        sd = statistics.stdev(losses) if len(losses) > 1 and complete else (0.0 if mean is not None else None)
        states: dict[str, int] = {}
        for r in members:
            states[r.get("state", "?")] = states.get(r.get("state", "?"), 0) + 1
        ranked.append(Ranked(group, tuple(members), mean, sd, statistics.fmean(accs) if accs else None,
                             statistics.fmean(r.get("epochs") or 0 for r in members), states,
                             _mean_history(members)))
    ranked.sort(key=lambda g: (g.loss_mean is None, g.loss_mean if g.loss_mean is not None else 0.0))
    return ranked


def _group_of(code: str) -> str:
    """The share code of a row's set-up without its seed (rows read back from a file)."""
    try:
        return encode(decode(code, files=True).with_(seed=SETTINGS["seed"].default))
    except SettingError:
        return code


def _mean_history(rows: Sequence[Row]) -> tuple[float | None, ...]:
    """The seeds' loss histories averaged point by point (None where a seed has no finite value)."""
    histories = [r.get("history") or [] for r in rows]
    length = max((len(h) for h in histories), default=0)
    out: list[float | None] = []
    for i in range(length):
        values = [h[i] for h in histories if i < len(h)]
        out.append(statistics.fmean(values) if values and all(v is not None for v in values) else None)
    return tuple(out)


def sweep_json(rows: Sequence[Row], *, interrupted: bool = False) -> str:
    """Every row and the ranking as JSON (non-finite numbers are null)."""
    doc = {"format": FORMAT, "version": VERSION, "interrupted": interrupted, "rows": list(rows),
           "ranking": [g.as_dict() for g in rank(rows)]}
    return json.dumps(doc, indent=1, allow_nan=False) + "\n"


def sweep_csv(rows: Sequence[Row]) -> str:
    """Every row as CSV, one per run (history as space-separated numbers)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = {**row, "history": " ".join("" if v is None else f"{v:.6g}" for v in row.get("history") or []),
                  "diagnosis": " ".join(row.get("diagnosis") or [])}
        writer.writerow(["" if values.get(c) is None else values.get(c) for c in CSV_COLUMNS])
    return buf.getvalue()


def write_json(path: str | os.PathLike[str], rows: Sequence[Row], *, interrupted: bool = False) -> Path:
    """Write the rows and ranking as JSON, atomically."""
    return atomic_write_bytes(path, sweep_json(rows, interrupted=interrupted).encode("utf-8"), what="--json")


def write_csv(path: str | os.PathLike[str], rows: Sequence[Row]) -> Path:
    """Write the rows as CSV, atomically."""
    return atomic_write_bytes(path, sweep_csv(rows).encode("utf-8"), what="--csv")


def read_json(path: str | os.PathLike[str]) -> list[Row]:
    """The rows of a sweep JSON file (ValueError naming the file when it is not one)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable sweep file ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("rows"), list):
        raise ValueError(f"{path}: not an annplay sweep file (no format {FORMAT!r})")
    return list(doc["rows"])


__all__ = ["Sweep", "Ranked", "Row", "find_setting", "parse_vary", "expand", "run_one", "with_limit",
           "run_sweep", "default_jobs", "rank", "sweep_json", "sweep_csv", "write_json", "write_csv", "read_json"]
