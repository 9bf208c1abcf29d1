"""Model-based tuning with Optuna (the ``tune`` extra): TPE proposes points, a successive-halving pruner stops
the poor ones at the same rungs as the built-in method.

Optuna is driven through ask/tell, so trials still train in annplay's own pool (local or Dask): Optuna only
proposes and decides.  A study can live in storage (``--storage``): a journal file (``study.log``, Optuna's
``JournalFileBackend``: no database, file locks, fine for several processes on one machine or a shared disk)
or an RDB URL (``sqlite:///study.db``, ``postgresql://…``), so it can be resumed and shared by several
``annplay tune`` processes at once.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annplay.core.search import Dimension
from annplay.core.trial_liveness import BEAT_ATTR, OWNER_ATTR, Heartbeat, fail_stale, owner_id
from annplay.core.tune import Runner, Trial, make_trials
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.sharecode import baseline, decode, encode

if TYPE_CHECKING:
    from annplay.core.tune import OnUpdate, Tuner

HINT = 'needs the tune extra: pip install "annplay[tune]"'


class OptunaMissing(RuntimeError):
    """Optuna is not installed."""


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise OptunaMissing(f"--method tpe {HINT}") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


JOURNAL_HINT = ("give a new file name, an Optuna journal file (as 'annplay tune --storage' writes) "
                "or a database URL like sqlite:///study.db")
FIRST_LINE_BYTES = 1 << 20        # a journal's first line (creating the study) is well under this


def check_journal(path: str) -> None:
    """Refuse a --storage path that is not an Optuna journal file (or a new one), before Optuna opens it to
    append: a folder, a device, a CSV or any other file given by mistake is reported and never written to."""
    from annplay.engine.textcut import shown

    name = shown(path, 80)
    target = Path(path)
    if target.is_dir():
        raise ValueError(f"{name} is a folder; {JOURNAL_HINT}")
    if not target.exists():
        folder = target.absolute().parent
        if not folder.is_dir():
            raise ValueError(f"{name}: the folder {shown(str(folder), 80)} does not exist; {JOURNAL_HINT}")
        return
    if not target.is_file():
        raise ValueError(f"{name} is not a regular file; {JOURNAL_HINT}")
    try:
        with target.open("rb") as file:
            first = file.readline(FIRST_LINE_BYTES)
    except OSError as exc:
        raise ValueError(f"{name} cannot be read ({exc.strerror or exc}); {JOURNAL_HINT}") from None
    if not first.strip():
        return                                   # empty: Optuna starts a new journal in it
    try:
        entry = json.loads(first)
    except (ValueError, RecursionError):
        entry = None
    if not (isinstance(entry, dict) and "op_code" in entry and "worker_id" in entry):
        raise ValueError(f"{name} is not an Optuna journal file (its first line is not a journal entry); "
                         f"{JOURNAL_HINT}")


def check_storage(text: str | None) -> None:
    """A --storage value Optuna can use: a journal file (checked, not opened) or a database URL (opened now, so
    that a wrong one is one line before any training, not a traceback after it)."""
    if text is None:
        return
    if "://" not in text:
        check_journal(text)
        return
    optuna = _optuna()
    try:
        optuna.storages.RDBStorage(text)
    except Exception as exc:         # SQLAlchemy's and the drivers' errors have no common base but Exception
        from annplay.engine.textcut import shown

        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot open the database ({shown(first, 160)}); {JOURNAL_HINT}") from None


def storage_for(text: str | None) -> Any:
    """None (in memory), an RDB URL as given, or a journal file for any other text (a path)."""
    if text is None:
        return None
    optuna = _optuna()
    if "://" in text:
        return text
    check_journal(text)
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(os.fspath(text)))


def distribution(dim: Dimension) -> Any:
    """The Optuna distribution of a dimension (list values as their flag text, which Optuna can store)."""
    optuna = _optuna()
    if dim.is_range:
        if dim.integer:
            return optuna.distributions.IntDistribution(int(dim.lo or 0), int(dim.hi or 0), log=dim.log)
        return optuna.distributions.FloatDistribution(float(dim.lo or 0), float(dim.hi or 0), log=dim.log)
    return optuna.distributions.CategoricalDistribution([dim.entry.format(v) for v in dim.values])


def value_of(dim: Dimension, raw: Any) -> Any:
    """A proposed value back as the setting's value."""
    if dim.is_range:
        return int(raw) if dim.integer else float(f"{float(raw):.4g}")
    return dim.entry.parse(str(raw))


class StudyMismatch(ValueError):
    """--study names a study made with other settings, or one that does not say what it was made with."""


STAMP = "annplay"                 # the study's user attribute that records what it was made with
STAMP_LABELS = {"setup": "the set-up", "search": "--search", "rungs": "rungs at", "factor": "--factor",
                "seeds": "--seeds", "seed": "--seed"}


def stamp_of(tuner: Tuner) -> dict[str, Any]:
    """What a study's trials depend on, so that a resumed study only ever mixes comparable trials: the fixed
    set-up (the searched settings, the seed and the epochs left out: each has its own entry), the search space,
    the rungs and halving factor, the seeds."""
    fixed = {name: baseline(name) for name in ("seed", "epochs", *(d.name for d in tuner.space.dims))}
    return {"version": 1, "setup": encode(tuner.base.with_(**fixed)),
            "search": " ".join(sorted(str(d) for d in tuner.space.dims)), "rungs": list(tuner.plan.rungs),
            "factor": tuner.plan.factor, "seeds": tuner.plan.seeds, "seed": int(tuner.base.seed)}


def _setup_differences(old: Any, new: str) -> str:
    """The settings two fixed set-ups' codes differ in, as ``--flag old (now new)``."""
    try:
        before, after = decode(str(old), files=True), decode(new, files=True)
    except SettingError:
        return f"the set-up {old} (now {new})"
    names = [n for n in SETTINGS if before.get(n) != after.get(n)]
    return "; ".join(f"{SETTINGS[n].flag} {SETTINGS[n].format(before.get(n))} "
                     f"(now {SETTINGS[n].format(after.get(n))})" for n in names) or f"the set-up {old} (now {new})"


def _shown_value(value: Any) -> str:
    return ", ".join(map(str, value)) + " epochs" if isinstance(value, list) else str(value)


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between a study's stamp and this run's, in the words of the command line."""
    out = []
    for key, label in STAMP_LABELS.items():
        if old.get(key) == new[key]:
            continue
        if key == "setup":
            out.append(_setup_differences(old.get(key), new[key]))
        else:
            out.append(f"{label} {_shown_value(old.get(key))} (now {_shown_value(new[key])})")
    return out


def _where(storage: str | None) -> str:
    from annplay.engine.textcut import shown

    if storage is None:
        return "memory"
    return "the database" if "://" in storage else shown(storage, 80)   # a URL may carry a password


def check_stamp(study: Any, tuner: Tuner, *, stamp: bool = True) -> None:
    """Refuse a study made with other settings (StudyMismatch, one line); stamp a new one (``stamp``).

    A study without the stamp and without trials is taken (and stamped); one with trials but no stamp (an
    older annplay's, or another program's) is refused: nothing says its trials compare with these."""
    from annplay.engine.textcut import shown

    new = stamp_of(tuner)
    old = study.user_attrs.get(STAMP)
    label = f"--study {shown(study.study_name, 60)} in {_where(tuner.storage)}"
    if old is None:
        count = len(study.get_trials(deepcopy=False))
        if count:
            trials = "1 trial" if count == 1 else f"{count} trials"
            raise StudyMismatch(f"{label} has {trials} but does not record the settings they were made "
                                f"with (an older annplay or another program made it); give a new --study name")
        if stamp:
            study.set_user_attr(STAMP, new)
        return
    diffs = differences(old, new) if isinstance(old, dict) else ["settings annplay cannot read"]
    if diffs:
        raise StudyMismatch(f"{label} was made with other settings: {'; '.join(diffs)}; resume it with its "
                            f"settings, or give a new --study name")


def check_study(tuner: Tuner) -> None:
    """Before any training: a --study that already exists in --storage must have been made with these settings
    (StudyMismatch).  Nothing is created or written here."""
    if tuner.storage is None or tuner.study is None:
        return
    if "://" not in tuner.storage:
        path = Path(tuner.storage)
        if not path.is_file() or path.stat().st_size == 0:
            return                                   # a new journal: no study in it yet
    optuna = _optuna()
    try:
        study = optuna.load_study(study_name=tuner.study, storage=storage_for(tuner.storage))
    except KeyError:
        return                                       # not in the storage yet: it will be made
    check_stamp(study, tuner, stamp=False)


def open_study(tuner: Tuner, storage: str | None, study: str | None) -> Any:
    """A minimising study with TPE (seeded by the base set-up's seed) and the halving pruner, stamped with
    what it is made with (an existing one made with other settings: StudyMismatch)."""
    optuna = _optuna()
    sampler = optuna.samplers.TPESampler(seed=int(tuner.base.seed))
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=tuner.plan.rungs[0],
                                                    reduction_factor=tuner.plan.factor)
    opened = optuna.create_study(storage=storage_for(storage), study_name=study, load_if_exists=study is not None,
                                 direction="minimize", sampler=sampler, pruner=pruner)
    check_stamp(opened, tuner)
    return opened


# --- the ask/tell loop --------------------------------------------------------------------------------------

Key = tuple[str, ...]
REPEATS = 3                     # TPE proposed points already tried this many times in a row: ask for an untried one
MAX_REPEATS = 200               # proposals of tried points in one run at most (a space too big to list them)
LISTED = 100_000                # finite spaces up to this many points are listed to find an untried one
STATE_ATTR = "annplay_state"    # a failed Optuna trial's reason: diverged, failed (tried), interrupted or elsewhere
                                # (not tried: another process trained the point)


@dataclass(frozen=True)
class Outcome:
    """How a point ended in the study: complete (with its value), pruned, diverged or failed."""

    state: str
    value: float | None
    number: int


def _outcome(optuna: Any, frozen: Any) -> Outcome | None:
    """A finished Optuna trial as an Outcome; None when the point was not really tried (interrupted, running)."""
    states = optuna.trial.TrialState
    if frozen.state == states.COMPLETE:
        return Outcome("complete", frozen.value, frozen.number)
    if frozen.state == states.PRUNED:
        return Outcome("pruned", None, frozen.number)
    if frozen.state == states.FAIL and frozen.user_attrs.get(STATE_ATTR) in ("diverged", "failed"):
        return Outcome(str(frozen.user_attrs[STATE_ATTR]), None, frozen.number)
    return None


class TpeRun:
    """One run's ask/tell loop: Optuna proposes, annplay's pool trains rung by rung, the pruner decides.

    A point is trained once per study: a point proposed again is told its earlier outcome (or, while it still
    trains, told it when that ends) without training; a finite space stops once every point was tried."""

    def __init__(self, optuna: Any, study: Any, tuner: Tuner, runner: Runner, budget: int) -> None:
        self.optuna, self.study, self.tuner, self.runner, self.budget = optuna, study, tuner, runner, budget
        self.dims = tuner.space.dims
        self.dists = {d.name: distribution(d) for d in self.dims}
        self.size = tuner.space.size()
        self.live: dict[int, tuple[Any, int]] = {}          # trial index → its Optuna trial and rung index
        self.training: dict[Key, Trial] = {}                # point → the trial training it
        self.twins: dict[Key, list[Any]] = {}               # Optuna trials that proposed a point in training
        self.done: dict[Key, Outcome] = {}                  # points tried in this study, earlier runs too
        self.elsewhere: set[Key] = set()                    # points another process is training now
        self.owner = owner_id()
        earlier = fail_stale(optuna, study, study.get_trials(deepcopy=False), STATE_ATTR)
        self.before = len(earlier)
        for frozen in earlier:
            outcome = _outcome(optuna, frozen)
            point = self.point_of(frozen.params)
            if outcome is not None and point is not None:
                self.done.setdefault(self.key(point), outcome)
        self.earlier = len(self.done)
        self.committed = 0
        self.repeats = 0                                    # in a row
        self.repeated = 0                                   # in all
        self.untried: list[dict[str, Any]] | None = None

    def key(self, point: dict[str, Any]) -> Key:
        return tuple(d.entry.format(point[d.name]) for d in self.dims)

    def point_of(self, params: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return {d.name: value_of(d, params[d.name]) for d in self.dims}
        except (KeyError, ValueError, TypeError, SettingError):
            return None

    @property
    def exhausted(self) -> bool:
        """Every point of a finite space was tried or is training."""
        busy = self.training.keys() | self.elsewhere
        return self.size is not None and len(self.done) + len(busy - self.done.keys()) >= self.size

    def run(self, on_update: OnUpdate | None) -> None:
        """Ask, train rung by rung, report, prune or tell, until the budget is committed or the space tried."""
        cancel = self.tuner._cancel
        with Heartbeat(self.held):
            while not cancel.is_set():
                self.fill()
                if not self.runner.busy:
                    break
                for trial, epochs, rows in self.runner.next_done():
                    self.advance(trial, epochs, rows)
                    if on_update is not None:
                        on_update(self.tuner)
        for asked, _ in self.live.values():          # cancelled: Optuna hears these trials were interrupted
            self.fail(asked, "interrupted")
        for twins in self.twins.values():
            for asked in twins:
                self.fail(asked, "interrupted")
        self.note()

    def held(self) -> list[Any]:
        """The Optuna trials this run holds RUNNING: those training and those waiting for a twin's outcome."""
        return [asked for asked, _ in list(self.live.values())] + [a for twins in list(self.twins.values())
                                                                    for a in twins]

    def refresh(self, asked: Any, key: Key) -> bool:
        """Read what other processes did meanwhile (their finished points join ``done``; trials they left
        RUNNING when killed are failed); True when another live process trains ``key`` under an earlier trial
        number (it keeps the point: of two runs asking at once, exactly one trains it)."""
        trials = fail_stale(self.optuna, self.study, self.study.get_trials(deepcopy=False), STATE_ATTR)
        running = self.optuna.trial.TrialState.RUNNING
        self.elsewhere = set()
        first = False
        mine = {held.number for held in self.held()}
        for frozen in trials:
            point = self.point_of(frozen.params)
            if point is None or frozen.number == asked.number:
                continue
            other = self.key(point)
            outcome = _outcome(self.optuna, frozen)
            if outcome is not None:
                self.done.setdefault(other, outcome)
            elif frozen.state == running and frozen.number not in mine:
                self.elsewhere.add(other)
                first = first or (other == key and frozen.number < asked.number)
        return first

    def fill(self) -> None:
        """Ask for points while the pool has room and the budget allows one more first rung."""
        rungs, seeds, cancel = self.tuner.plan.rungs, self.tuner.plan.seeds, self.tuner._cancel
        while (len(self.live) * seeds < self.runner.pool.capacity and self.committed + rungs[0] * seeds <= self.budget
               and not cancel.is_set() and not self.exhausted and self.repeated < MAX_REPEATS):
            asked = self.study.ask(self.dists)
            asked.set_user_attr(OWNER_ATTR, self.owner)
            asked.set_user_attr(BEAT_ATTR, time.time())
            point = {d.name: value_of(d, asked.params[d.name]) for d in self.dims}
            key = self.key(point)
            shared = self.tuner.storage is not None and key not in self.done and key not in self.training
            if shared and self.refresh(asked, key):      # another process trains it: not trained twice
                self.repeated += 1
                self.repeats += 1
                self.fail(asked, "elsewhere")
                if self.repeats >= REPEATS and self.repeated < MAX_REPEATS:
                    self.ask_untried()
                continue
            if key in self.done or key in self.training:
                self.repeated += 1
                self.repeats += 1
                if key in self.done:
                    self.tell(asked, self.done[key])
                else:
                    self.twins.setdefault(key, []).append(asked)
                if self.repeats >= REPEATS and self.repeated < MAX_REPEATS:
                    self.ask_untried()
                continue
            self.repeats = 0
            trial = make_trials(self.tuner.base, [point], seeds, rungs[-1], start=len(self.tuner.trials))[0]
            trial.number = asked.number
            self.tuner.trials.append(trial)
            self.live[trial.index] = (asked, 0)
            self.training[key] = trial
            self.runner.add(trial, rungs[0])
            self.committed += rungs[0] * seeds

    def ask_untried(self) -> None:
        """Queue a point not tried yet (in a seeded order) as Optuna's next proposal: TPE keeps proposing
        points it knows, which would only repeat them."""
        self.repeats = 0
        if self.size is None or self.size > LISTED:
            return
        if self.untried is None:
            self.untried = self.tuner.space.sample(self.size, int(self.tuner.base.seed))
        for point in self.untried:
            key = self.key(point)
            if key not in self.done and key not in self.training and key not in self.elsewhere:
                self.study.enqueue_trial({d.name: point[d.name] if d.is_range else d.entry.format(point[d.name])
                                          for d in self.dims})
                return

    def tell(self, asked: Any, outcome: Outcome) -> None:
        """Tell a repeated point the outcome it had (no training)."""
        state = self.optuna.trial.TrialState
        asked.set_user_attr("annplay_repeat_of", outcome.number)
        if outcome.state == "complete":
            self.study.tell(asked, outcome.value)
        elif outcome.state == "pruned":
            self.study.tell(asked, state=state.PRUNED)
        else:
            self.fail(asked, outcome.state)

    def fail(self, asked: Any, why: str) -> None:
        asked.set_user_attr(STATE_ATTR, why)
        self.study.tell(asked, state=self.optuna.trial.TrialState.FAIL)

    def end(self, trial: Trial, outcome: Outcome) -> None:
        """A trial is done: its point is tried, and Optuna trials that proposed it meanwhile hear how it ended."""
        key = self.key(trial.point)
        del self.live[trial.index]
        self.training.pop(key, None)
        self.done[key] = outcome
        for asked in self.twins.pop(key, []):
            self.tell(asked, outcome)

    def advance(self, trial: Trial, epochs: int, rows: list[Any]) -> None:
        """Record one rung of a trial and decide: tell its value, prune it, or train it to the next rung."""
        state = self.optuna.trial.TrialState
        asked, k = self.live[trial.index]
        rungs, seeds = self.tuner.plan.rungs, self.tuner.plan.seeds
        trial.record(epochs, rows)
        if trial.loss is None:
            self.fail(asked, trial.state)
            self.end(trial, Outcome(trial.state, None, asked.number))
            return
        asked.report(trial.loss, epochs)
        if k + 1 == len(rungs) or trial.final:
            if k + 1 < len(rungs):                   # stopped early: its rows stand for the last rung (as halving)
                trial.record(rungs[-1], trial.rows, spent=False)
            self.study.tell(asked, trial.loss)
            trial.state = "complete"
            self.end(trial, Outcome("complete", trial.loss, asked.number))
            return
        if asked.should_prune() or self.committed + rungs[k + 1] * seeds > self.budget:
            self.study.tell(asked, state=state.PRUNED)
            trial.state, trial.pruned = "pruned", True
            self.end(trial, Outcome("pruned", None, asked.number))
            return
        self.live[trial.index] = (asked, k + 1)
        self.runner.add(trial, rungs[k + 1])
        self.committed += rungs[k + 1] * seeds

    def note(self) -> None:
        """Say why the run stopped before its budget: the space was tried, or TPE only repeated itself."""
        if self.tuner._cancel.is_set():
            return
        if self.size is not None and len(self.done) >= self.size:
            points = "1 point; it was" if self.size == 1 else f"{self.size} points; each was"
            earlier = f" ({self.earlier} in earlier runs of this study)" if self.earlier else ""
            self.tuner.notes.append(f"the search space has {points} tried{earlier}")
        elif self.repeated >= MAX_REPEATS:
            self.tuner.notes.append(f"TPE proposed points already tried {self.repeated} times; stopped asking")

    def info(self) -> dict[str, Any]:
        """The study's name, its trials (before this run too) and its best complete trial's set-up."""
        states = self.optuna.trial.TrialState
        trials = self.study.get_trials(deepcopy=False)
        finished = [t for t in trials if t.state == states.COMPLETE and t.value is not None]
        best = min(finished, key=lambda t: (t.value, t.number), default=None)
        code = None
        point = self.point_of(best.params) if best is not None else None
        if point is not None:
            try:
                code = encode(make_trials(self.tuner.base, [point], 1, self.tuner.max_epochs)[0].setups[0])
            except SettingError:
                code = None
        return {"name": self.study.study_name, "trials_in_study": len(trials), "trials_before": self.before,
                "best_value": None if best is None else best.value, "best_setup": code,
                "points": self.size, "points_tried": len(self.done)}


def run_tpe(tuner: Tuner, runner: Runner, on_update: OnUpdate | None, budget: int, storage: str | None,
            study_name: str | None) -> dict[str, Any]:
    """Ask, train rung by rung, report, prune or tell, until the budget of epochs is committed (or every point
    of a finite space was tried); the study's summary."""
    optuna = _optuna()
    study = open_study(tuner, storage, study_name)
    loop = TpeRun(optuna, study, tuner, runner, budget)
    loop.run(on_update)
    return loop.info()


__all__ = ["run_tpe", "storage_for", "check_storage", "check_journal", "check_study", "check_stamp", "stamp_of",
           "distribution", "value_of", "open_study", "StudyMismatch", "TpeRun", "OptunaMissing", "HINT"]
