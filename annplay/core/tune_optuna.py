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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annplay.core.search import Dimension
from annplay.core.tune import Runner, Trial, make_trials

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


def open_study(tuner: Tuner, storage: str | None, study: str | None) -> Any:
    """A minimising study with TPE (seeded by the base set-up's seed) and the halving pruner."""
    optuna = _optuna()
    sampler = optuna.samplers.TPESampler(seed=int(tuner.base.seed))
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=tuner.plan.rungs[0],
                                                    reduction_factor=tuner.plan.factor)
    return optuna.create_study(storage=storage_for(storage), study_name=study, load_if_exists=study is not None,
                               direction="minimize", sampler=sampler, pruner=pruner)


def run_tpe(tuner: Tuner, runner: Runner, on_update: OnUpdate | None, budget: int, storage: str | None,
            study_name: str | None) -> dict[str, Any]:
    """Ask, train rung by rung, report, prune or tell, until the budget of epochs is committed."""
    optuna = _optuna()
    study = open_study(tuner, storage, study_name)
    rungs, seeds = tuner.plan.rungs, tuner.plan.seeds
    dists = {d.name: distribution(d) for d in tuner.space.dims}
    live: dict[int, tuple[Any, int]] = {}
    committed = 0
    before = len(study.trials)
    while not tuner._cancel.is_set():
        while (len(live) * seeds < runner.pool.capacity and committed + rungs[0] * seeds <= budget
               and not tuner._cancel.is_set()):
            asked = study.ask(dists)
            point = {d.name: value_of(d, asked.params[d.name]) for d in tuner.space.dims}
            trial = make_trials(tuner.base, [point], seeds, rungs[-1], start=len(tuner.trials))[0]
            trial.number = asked.number
            tuner.trials.append(trial)
            live[trial.index] = (asked, 0)
            runner.add(trial, rungs[0])
            committed += rungs[0] * seeds
        if not runner.busy:
            break
        for trial, epochs, rows in runner.next_done():
            committed += _advance(optuna, study, tuner, runner, live, trial, epochs, rows, budget - committed)
            if on_update is not None:
                on_update(tuner)
    for asked, _ in live.values():               # cancelled: Optuna hears these trials failed
        study.tell(asked, state=optuna.trial.TrialState.FAIL)
    finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    return {"name": study.study_name, "trials_in_study": len(study.trials), "trials_before": before,
            "best_value": min((t.value for t in finished), default=None)}


def _advance(optuna: Any, study: Any, tuner: Tuner, runner: Runner, live: dict[int, tuple[Any, int]],
             trial: Trial, epochs: int, rows: list[Any], left: int) -> int:
    """Record one rung of a trial and decide: tell its value, prune it, or train it to the next rung.
    Returns the epochs newly committed."""
    state = optuna.trial.TrialState
    asked, k = live[trial.index]
    rungs, seeds = tuner.plan.rungs, tuner.plan.seeds
    trial.record(epochs, rows)
    if trial.loss is None:
        study.tell(asked, state=state.FAIL)
        del live[trial.index]
        return 0
    asked.report(trial.loss, epochs)
    if k + 1 == len(rungs) or trial.final:
        study.tell(asked, trial.loss)
        trial.state = "complete"
        del live[trial.index]
        return 0
    if asked.should_prune() or rungs[k + 1] * seeds > left:
        study.tell(asked, state=state.PRUNED)
        trial.state, trial.pruned = "pruned", True
        del live[trial.index]
        return 0
    live[trial.index] = (asked, k + 1)
    runner.add(trial, rungs[k + 1])
    return rungs[k + 1] * seeds


__all__ = ["run_tpe", "storage_for", "check_storage", "check_journal", "distribution",
           "value_of", "open_study", "OptunaMissing", "HINT"]
