"""Tuning without a UI: sample set-ups from a search space and spend epochs on the promising ones.

The built-in method is **successive halving** (Jamieson & Talwalkar 2016; scikit-learn's
``HalvingRandomSearchCV`` uses the same rule):

* The plan has rungs at ``E/η^(K-1), …, E/η, E`` epochs, where E is the set-up's epoch limit
  (``--epochs``, default 1000), η the factor (``--factor``, default 3) and K the number of rungs
  (enough that the first rung is at least ``--min-epochs``, default E/η², so K = 3).
* n₀ points are sampled (quasi-random; every point of a small finite space), each trained ``--seeds``
  times to the first rung.  After each rung the best ⌈n/η⌉ by mean test loss over the seeds move up;
  the rest are **pruned**.  A diverged run ranks last.
* Each rung trains a trial again from its seed to the rung's epochs, so a row at the last rung is exactly
  the run ``annplay train --setup CODE`` gives, and nothing needs to travel between workers.  A trial that
  stopped early (a goal, patience, divergence) is not trained again: its rows stand for higher rungs.
* n₀ is the largest number whose plan fits ``--budget`` (total epochs); without a budget, η^K.

Same base seed, same space, same plan → same trials, whatever the pool or its timing.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annplay.core.executors import Pool, open_pool
from annplay.core.search import Space, describe
from annplay.core.sweep import DEFAULT_EPOCHS, HISTORY_POINTS, Row, _failed, _mean_history, _row_loss, run_one
from annplay.engine.safefile import atomic_write_bytes
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.engine.sharecode import encode

FORMAT = "annplay-tune"
VERSION = 1
FACTOR = 3
MAX_TRIALS = 10_000
METHODS = ("halving", "tpe")
# Settings a tune sets for each trial itself, so a search over them would mean nothing (and clash): why not.
TUNER_SETS = {
    "seed": "a trial runs --seeds N seeds counting up from --seed, so the seed is not searched",
    "epochs": "the rungs set a trial's epochs, up to --epochs; give --epochs N instead",
}


def check_space(space: Space) -> None:
    """SettingError when the space searches a setting the tuner sets itself (:data:`TUNER_SETS`)."""
    for dim in space.dims:
        if dim.name in TUNER_SETS:
            raise SettingError(dim.name, f"--search {dim.entry.flag.lstrip('-')}: {TUNER_SETS[dim.name]}")
        if "sweep" not in dim.entry.commands:
            raise SettingError(dim.name, f"--search {dim.entry.flag.lstrip('-')}: it changes only what the "
                                         f"playground shows, not training; every trial would be the same")
    trainers = next((d.all_values() for d in space.dims if d.name == "trainer"), [])
    for dim in space.dims:
        idle = [t for t in trainers if t not in dim.entry.trainers]
        if dim.name != "trainer" and idle:        # its values would only repeat those trainers' trials
            raise SettingError(dim.name, f"--search {dim.entry.flag.lstrip('-')} does not apply to trainer "
                                         f"{' or '.join(idle)}; search it only with trainer "
                                         f"{' or '.join(sorted(dim.entry.trainers))}")
FLAT = 0.05                # first-rung losses within 5 % of each other: the rung says little


# --- the plan ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """Successive halving's schedule: epochs of each rung and how many trials train there."""

    factor: int
    rungs: tuple[int, ...]
    counts: tuple[int, ...]
    seeds: int

    @property
    def cost(self) -> int:
        """Epochs the plan trains at most (early stops make it less)."""
        return self.seeds * sum(n * r for n, r in zip(self.counts, self.rungs, strict=True))

    def as_dict(self) -> dict[str, Any]:
        return {"factor": self.factor, "rungs": list(self.rungs), "counts": list(self.counts), "seeds": self.seeds,
                "epochs_planned": self.cost}


def rungs_for(max_epochs: int, factor: int = FACTOR, min_epochs: int | None = None) -> tuple[int, ...]:
    """Rung epochs E/η^(K-1) … E, with K the most rungs whose first is at least min_epochs (default E/η²)."""
    if min_epochs is None:
        min_epochs = max(1, max_epochs // factor ** 2)
    if not 1 <= min_epochs <= max_epochs:
        raise SettingError("epochs", f"--min-epochs must be 1 to the epoch limit {max_epochs}, got {min_epochs}")
    count = 1 + int(math.floor(math.log(max_epochs / min_epochs) / math.log(factor) + 1e-9))
    rungs = sorted({max(1, round(max_epochs / factor ** (count - 1 - k))) for k in range(count)})
    return tuple(rungs)


def counts_for(n0: int, rungs: int, factor: int) -> tuple[int, ...]:
    """Trials at each rung: n₀, then ⌈n/η⌉ each time."""
    counts = [n0]
    for _ in range(rungs - 1):
        counts.append(max(1, math.ceil(counts[-1] / factor)))
    return tuple(counts)


def make_plan(max_epochs: int, *, budget: int | None = None, factor: int = FACTOR, min_epochs: int | None = None,
              seeds: int = 1, space_size: int | None = None) -> Plan:
    """The plan that fits the budget with as many first-rung trials as possible (at most the space's size)."""
    if not 2 <= factor <= 100:
        raise SettingError("factor", f"--factor must be 2 to 100, got {factor}")
    rungs = rungs_for(max_epochs, factor, min_epochs)
    cap = min(space_size if space_size is not None else MAX_TRIALS, MAX_TRIALS)
    if budget is None:
        n0 = min(cap, factor ** len(rungs))
    else:
        one = Plan(factor, rungs, counts_for(1, len(rungs), factor), seeds)
        if one.cost > budget:
            raise SettingError("budget", f"--budget {budget} is less than one trial's {one.cost} epochs "
                                         f"(rungs {', '.join(map(str, rungs))} × {seeds} seed(s)); raise it or "
                                         f"lower --epochs")
        lo, hi = 1, cap
        while lo < hi:                               # cost grows with n₀: the largest that fits
            mid = (lo + hi + 1) // 2
            if Plan(factor, rungs, counts_for(mid, len(rungs), factor), seeds).cost <= budget:
                lo = mid
            else:
                hi = mid - 1
        n0 = lo
    return Plan(factor, rungs, counts_for(n0, len(rungs), factor), seeds)


# --- trials ------------------------------------------------------------------------------------------

@dataclass
class Trial:
    """One sampled point: its set-ups (one per seed), its loss at each rung reached, and its fate."""

    index: int
    point: dict[str, Any]
    setups: tuple[Setup, ...]
    group: str
    losses: list[tuple[int, float | None]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    epochs_spent: int = 0
    state: str = "waiting"          # waiting running pruned complete diverged failed interrupted
    pruned: bool = False
    final: bool = False             # every run stopped before its rung: higher rungs reuse these rows
    number: int | None = None       # the Optuna trial number, when Optuna drives

    @property
    def loss(self) -> float | None:
        """The mean test loss at the last rung reached (None: not finite, or none yet)."""
        return self.losses[-1][1] if self.losses else None

    @property
    def epochs(self) -> int:
        return max((int(r.get("epochs") or 0) for r in self.rows), default=0)

    @property
    def acc(self) -> float | None:
        accs = [r["test_acc"] for r in self.rows if r.get("test_acc") is not None]
        return statistics.fmean(accs) if accs and len(accs) == len(self.rows) else None

    @property
    def diverged(self) -> bool:
        return any(r.get("state") == "diverged" for r in self.rows)

    def record(self, epochs: int, rows: list[Row], spent: bool = True) -> None:
        """The rows of one rung: the mean loss over seeds (None when any is missing or diverged)."""
        self.rows = rows
        if spent:
            self.epochs_spent += sum(int(r.get("epochs") or 0) for r in rows)
        losses = [_row_loss(r) for r in rows if r.get("state") != "diverged"]
        good = [x for x in losses if x is not None]
        self.losses.append((epochs, statistics.fmean(good) if good and len(good) == len(rows) else None))
        self.final = all(r.get("state") in ("diverged", "stopped", "failed") or int(r.get("epochs") or 0) < epochs
                         for r in rows)
        if self.loss is None:
            self.state = "diverged" if self.diverged else "failed"

    def code(self, *, files: bool = True) -> str:
        """The share code of its first seed's run at the epochs trained: ``annplay train --setup`` repeats it
        (``files=False``: without its CSV file, which then goes with ``--data``, as codes for people do)."""
        first = self.setups[0]
        return encode(first.with_(epochs=self.losses[-1][0]) if self.losses else first, files=files)

    def as_dict(self, names: Sequence[str] = ()) -> dict[str, Any]:
        return {"index": self.index, "setup": self.code(), "group": self.group,
                "params": {SETTINGS[n].flag.lstrip("-"): SETTINGS[n].format(v) for n, v in self.point.items()},
                "epochs": self.epochs, "epochs_spent": self.epochs_spent,
                "losses": [{"epochs": e, "test_loss": x} for e, x in self.losses],
                "test_loss": self.loss, "test_acc": self.acc, "state": self.state, "pruned": self.pruned,
                "seeds": [s.seed for s in self.setups], "history": list(_mean_history(self.rows)),
                **({"optuna_number": self.number} if self.number is not None else {})}


def make_trials(base: Setup, points: Sequence[dict[str, Any]], seeds: int, max_epochs: int,
                start: int = 0) -> list[Trial]:
    """A trial per point, with ``seeds`` seeds counting up from the base set-up's (checked together)."""
    top = int(SETTINGS["seed"].hi or 0) + 1
    trials = []
    for i, point in enumerate(points):
        try:
            setups = tuple(base.with_(**point, seed=(base.seed + k) % top, epochs=max_epochs).validate()
                           for k in range(seeds))
        except SettingError as exc:
            raise SettingError(exc.setting, f"in the point {describe(point)}: {exc.message}") from None
        group = encode(setups[0].with_(seed=SETTINGS["seed"].default, epochs=base.epochs))
        trials.append(Trial(start + i, dict(point), setups, group))
    return trials


def ranked(trials: Sequence[Trial]) -> list[Trial]:
    """Best first: the furthest rung reached, then the lowest loss there; no loss last; ties by index."""
    def key(t: Trial) -> tuple[Any, ...]:
        epochs = t.losses[-1][0] if t.losses and t.loss is not None else -1
        return (t.loss is None, -epochs, t.loss if t.loss is not None else 0.0, t.index)
    return sorted(trials, key=key)


# --- running rungs on a pool ----------------------------------------------------------------------------

Job = tuple[Trial, int]           # a trial and the epochs to train it to (all its seeds)
OnUpdate = Callable[["Tuner"], object]


class Runner:
    """Sends each (trial, epochs) job's seed runs to the pool, at most ``capacity`` at once, and hands back
    a job when all its seeds are in.  Rows come back whole, whatever order the workers finish in."""

    def __init__(self, pool: Pool, history_points: int) -> None:
        self.pool = pool
        self.history_points = history_points
        self.queue: deque[tuple[Job, int]] = deque()
        self.flying: dict[Future[Row], tuple[Job, int, str]] = {}
        self.collected: dict[tuple[int, int], dict[int, Row]] = {}
        self.cancelled = threading.Event()

    def add(self, trial: Trial, epochs: int) -> None:
        trial.state = "running"
        self.collected[(trial.index, epochs)] = {}
        for k in range(len(trial.setups)):
            self.queue.append(((trial, epochs), k))

    def _pump(self) -> None:
        while self.queue and len(self.flying) < self.pool.capacity and not self.cancelled.is_set():
            (trial, epochs), k = self.queue.popleft()
            code = encode(trial.setups[k].with_(epochs=epochs))
            self.flying[self.pool.submit(run_one, code, epochs, self.history_points)] = ((trial, epochs), k, code)

    @property
    def busy(self) -> bool:
        return bool(self.queue or self.flying)

    def next_done(self) -> list[tuple[Trial, int, list[Row]]]:
        """Block until some job has all its rows (or the runner is cancelled); return the finished jobs."""
        out: list[tuple[Trial, int, list[Row]]] = []
        while not out and self.busy and not self.cancelled.is_set():
            self._pump()
            done, _ = wait(list(self.flying), timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                (trial, epochs), k, code = self.flying.pop(future)
                if future.cancelled():
                    continue
                error = future.exception()
                row = future.result() if error is None else _failed(code, error)
                key = (trial.index, epochs)
                self.collected[key][k] = row
                if len(self.collected[key]) == len(trial.setups):
                    got = self.collected.pop(key)
                    rows = [got[i] for i in range(len(trial.setups))]
                    out.append((trial, epochs, rows))
        return sorted(out, key=lambda job: job[0].index)


# --- the tuner ------------------------------------------------------------------------------------------

@dataclass
class Tuner:
    """Successive halving over a space; run() blocks until done or cancelled; cancel() from any thread."""

    base: Setup
    space: Space
    plan: Plan
    executor: str = "local"
    jobs: int | None = None
    scheduler: str | None = None
    history_points: int = HISTORY_POINTS
    trials: list[Trial] = field(default_factory=list)
    interrupted: bool = False
    method: str = "halving"
    budget: int | None = None                     # tpe: epochs to commit (default: the halving plan's)
    storage: str | None = None                    # tpe: Optuna storage (journal file or RDB URL)
    study: str | None = None                      # tpe: the study's name in the storage
    notes: list[str] = field(default_factory=list)
    study_info: dict[str, Any] | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _runner: Runner | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        check_space(self.space)

    @property
    def max_epochs(self) -> int:
        return self.plan.rungs[-1]

    def sample(self) -> list[Trial]:
        points = self.space.sample(self.plan.counts[0], int(self.base.seed))
        return make_trials(self.base, points, self.plan.seeds, self.max_epochs)

    def run(self, on_update: OnUpdate | None = None) -> list[Trial]:
        """Run every rung (or until cancelled); the trials, best first."""
        if self.method not in METHODS:
            raise SettingError("method", f"--method: choose one of {', '.join(METHODS)}, got {self.method!r}")
        self.trials = self.sample() if self.method == "halving" else []
        runs = len(self.trials) * self.plan.seeds if self.trials else None
        pool = open_pool(self.executor, self.jobs, self.scheduler, runs=runs)
        self._runner = Runner(pool, self.history_points)
        try:
            if self.method == "halving":
                self._halve(self._runner, on_update)
            else:
                from annplay.core.tune_optuna import run_tpe

                self.study_info = run_tpe(self, self._runner, on_update, self.budget or self.plan.cost,
                                          self.storage, self.study)
        except KeyboardInterrupt:
            self.cancel()
        finally:
            pool.close(cancel=self._cancel.is_set())
        self._finish()
        return ranked(self.trials)

    def _halve(self, runner: Runner, on_update: OnUpdate | None) -> None:
        cohort = list(self.trials)
        for k, epochs in enumerate(self.plan.rungs):
            last = k + 1 == len(self.plan.rungs)
            for trial in cohort:
                if trial.final:                       # stopped early before: the same rows at this rung
                    trial.record(epochs, trial.rows, spent=False)
                    if last and trial.loss is not None:
                        trial.state = "complete"
                else:
                    runner.add(trial, epochs)
            while runner.busy and not self._cancel.is_set():
                for trial, rung_epochs, rows in runner.next_done():
                    trial.record(rung_epochs, rows)
                    if last and trial.loss is not None:       # trained to the last rung: complete, even if
                        trial.state = "complete"              # the run is cancelled before the others end
                    if on_update is not None:
                        on_update(self)
            if self._cancel.is_set():
                return
            if k + 1 < len(self.plan.rungs):
                keep = ranked([t for t in cohort if t.loss is not None])[:self.plan.counts[k + 1]]
                for trial in cohort:
                    if trial not in keep and trial.loss is not None:
                        trial.state, trial.pruned = "pruned", True
                cohort = keep
                if on_update is not None:
                    on_update(self)
        for trial in cohort:
            if trial.loss is not None:
                trial.state = "complete"

    def _finish(self) -> None:
        for trial in self.trials:
            if trial.state in ("waiting", "running"):
                trial.state = "interrupted"
        self.interrupted = self.interrupted or self._cancel.is_set()

    def cancel(self) -> None:
        """Stop: queued runs are dropped and running ones ended; finished trials stay."""
        self.interrupted = True
        self._cancel.set()
        runner = self._runner
        if runner is not None:
            runner.cancelled.set()

    # --- results -------------------------------------------------------------------------------------

    @property
    def epochs_total(self) -> int:
        return sum(t.epochs_spent for t in self.trials)

    def best(self) -> Trial | None:
        """The best complete trial (trained to the last rung); None when none is: a trial pruned or interrupted
        at a lower rung is never the best, whatever its loss there."""
        return next((t for t in ranked(self.trials) if t.state == "complete" and t.loss is not None), None)

    def warnings(self) -> list[str]:
        """Edge warnings for the best trial (the space may be too narrow there), a first rung that hardly
        separates the trials (pruning there is close to chance), and the notes."""
        best = self.best()
        notes = [*self.notes, *(self.space.edges(best.point) if best is not None else [])]
        first = [t.losses[0][1] for t in self.trials if t.losses and t.losses[0][1] is not None]
        if len(first) >= 3 and max(first) - min(first) < FLAT * max(min(first), 1e-12):
            notes.append(f"the first rung ({self.plan.rungs[0]} epochs) hardly separates the trials (test losses "
                         f"{min(first):.3g} to {max(first):.3g}); pruning there is close to chance: raise "
                         f"--min-epochs or --epochs")
        return notes

    def result(self) -> dict[str, Any]:
        """The JSON object of ``annplay tune --json``."""
        best = self.best()
        names = [d.name for d in self.space.dims]
        size = self.space.size()
        doc: dict[str, Any] = {
            "format": FORMAT, "version": VERSION, "method": self.method, "interrupted": self.interrupted,
            "space": [str(d) for d in self.space.dims], "plan": self.plan.as_dict(),
            "best": None if best is None else {**best.as_dict(names), "trial": best.index},
            "trials": [t.as_dict(names) for t in ranked(self.trials)],
            "epochs_total": self.epochs_total,
            "grid_epochs": None if size is None else size * self.max_epochs * self.plan.seeds,
            "warnings": self.warnings()}
        if self.study_info is not None:
            doc["study"] = self.study_info
        return doc


def tune_json(tuner: Tuner) -> str:
    """The result as JSON text (non-finite numbers are null)."""
    return json.dumps(_finite(tuner.result()), indent=1, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def write_json(path: str | os.PathLike[str], tuner: Tuner) -> Path:
    """Write the result as JSON, atomically."""
    return atomic_write_bytes(path, tune_json(tuner).encode("utf-8"), what="--json")


def max_epochs_of(setup: Setup) -> int:
    """The epochs a trial trains to at the last rung: the set-up's limit, else the CLI's default."""
    return int(setup.epochs or DEFAULT_EPOCHS)


__all__ = ["Plan", "Trial", "Tuner", "Runner", "make_plan", "rungs_for", "counts_for", "make_trials", "ranked",
           "tune_json", "write_json", "max_epochs_of", "FACTOR", "METHODS", "FORMAT"]
