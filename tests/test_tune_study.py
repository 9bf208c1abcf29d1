"""``annplay tune``: a TPE study remembers what it was made with and refuses other settings (probe F7), a point
of a finite space is trained once per study and the run stops when every point was tried (F8), and the best is
always a trial trained to the last rung, for both methods (F7)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from annplay.cli import main
from annplay.cli.tune import summary
from annplay.core import tune as tune_module
from annplay.core.executors import InlinePool
from annplay.core.search import Space
from annplay.core.tune import Tuner, make_plan, make_trials
from annplay.engine.setup import Setup

optuna = pytest.importorskip("optuna", reason="the tune extra (optuna) is not installed")

from annplay.core import tune_optuna  # noqa: E402  (needs optuna)
from annplay.core.tune_optuna import StudyMismatch, storage_for  # noqa: E402

XOR9 = Setup(dataset="xor", hidden=(3,), points=100, epochs=9)


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """main(argv)'s exit code, stdout and stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err.strip()


def tune_args(storage: Path | str | None = None, *, dataset: str = "xor", epochs: str = "9",
              search: tuple[str, ...] = ("lr=0.01..1,log",), budget: str = "40", extra: tuple[str, ...] = ()
              ) -> list[str]:
    argv = ["tune", "--dataset", dataset, "--epochs", epochs, "--method", "tpe", "--budget", budget, "--no-plot",
            "--jobs", "1", *extra]
    for text in search:
        argv += ["--search", text]
    return argv + (["--storage", str(storage), "--study", "a"] if storage is not None else [])


def tpe(space: list[str], budget: int = 400, **kw: Any) -> Tuner:
    return Tuner(XOR9, Space.parse(space), make_plan(9, budget=budget, space_size=None), jobs=1, method="tpe",
                 budget=budget, **kw)


# --- F7: a study remembers what it was made with ------------------------------------------------------------

@pytest.mark.parametrize("change, words", [
    ({"search": ("activation=relu|tanh",)}, "--search lr=0.01..1,log (now activation=relu|tanh)"),
    ({"dataset": "spiral", "epochs": "27"}, "--dataset xor (now spiral); rungs at 1, 3, 9 epochs (now 3, 9, 27"),
    ({"extra": ("--layers", "3")}, "--layers 4,2 (now 3)"),
    ({"extra": ("--seeds", "2")}, "--seeds 1 (now 2)"),
    ({"extra": ("--seed", "5")}, "--seed 0 (now 5)"),
    ({"extra": ("--factor", "2")}, "--factor 3 (now 2)"),
])
def test_a_study_made_with_other_settings_is_refused_before_any_training(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, change: dict[str, Any], words: str) -> None:
    journal = tmp_path / "st.log"
    code, _out, err = run(capsys, tune_args(journal))
    assert code == 0, err
    before = journal.read_bytes()
    code, out, err = run(capsys, tune_args(journal, **change))
    assert code == 2 and err.count("\n") == 0 and "Traceback" not in err, err
    assert f"--study a in {journal}" in err and "was made with other settings" in err and words in err, err
    assert "new --study name" in err and out == ""
    assert journal.read_bytes() == before                 # refused before anything was asked or trained


def test_the_same_settings_resume_whatever_the_budget_and_a_database_url_is_not_echoed(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    assert run(capsys, tune_args(url))[0] == 0
    code, out, err = run(capsys, tune_args(url, budget="20"))
    assert code == 0, err
    assert "study a: " in out and " from earlier runs; its best (test loss " in out
    code, _out, err = run(capsys, tune_args(url, search=("lr=0.01..2,log",)))
    assert code == 2 and "--study a in the database was made with other settings" in err and "sqlite" not in err


def test_a_study_without_annplays_record_is_refused_if_it_has_trials(capsys: pytest.CaptureFixture[str],
                                                                     tmp_path: Path) -> None:
    journal = tmp_path / "old.log"
    old = optuna.create_study(storage=storage_for(str(journal)), study_name="a")
    old.tell(old.ask({"lr": optuna.distributions.FloatDistribution(0.01, 1, log=True)}), 0.5)
    code, _out, err = run(capsys, tune_args(journal))
    assert code == 2 and err.count("\n") == 0, err
    assert "has 1 trial but does not record the settings they were made with" in err and "new --study" in err
    empty = tmp_path / "empty.log"
    optuna.create_study(storage=storage_for(str(empty)), study_name="a")
    code, _out, err = run(capsys, tune_args(empty))                # no trials yet: taken, and stamped
    assert code == 0, err
    study = optuna.load_study(study_name="a", storage=storage_for(str(empty)))
    assert study.user_attrs[tune_optuna.STAMP]["search"] == "lr=0.01..1,log"


def test_a_study_made_meanwhile_with_other_settings_stops_the_run(tmp_path: Path) -> None:
    """The check when the study opens, for another process that made it after the command line was checked."""
    storage = str(tmp_path / "st.log")
    tpe(["lr=0.01..1,log"], budget=40, storage=storage, study="a").run()
    other = tpe(["activation=relu|tanh"], budget=40, storage=storage, study="a")
    with pytest.raises(StudyMismatch, match="--search lr=0.01..1,log"):
        other.run()
    assert other.trials == []


# --- F7: the best is a complete trial --------------------------------------------------------------------

def _summary(tuner: Tuner) -> str:
    buffer = io.StringIO()
    summary(tuner, Console(file=buffer, width=200), plot=False)
    return buffer.getvalue()


def test_the_best_is_never_a_trial_pruned_or_interrupted_below_the_last_rung() -> None:
    tuner = Tuner(XOR9, Space.parse(["lr=0.01..1,log"]), make_plan(9, budget=None, space_size=None))
    pruned, cut = make_trials(XOR9, [{"lr": 0.1}, {"lr": 0.5}], 1, 9)
    pruned.losses, pruned.state, pruned.pruned = [(1, 0.4), (3, 0.1)], "pruned", True
    cut.losses, cut.state = [(1, 0.3), (3, 0.05)], "interrupted"
    tuner.trials = [pruned, cut]
    assert tuner.best() is None and tuner.result()["best"] is None
    text = _summary(tuner)
    assert "repeat it with" not in text and "best:" not in text
    assert "no trial was trained to the last rung (9 epochs)" in text and "no best set-up to repeat" in text
    done = make_trials(XOR9, [{"lr": 0.9}], 1, 9, start=2)[0]
    done.losses, done.state = [(1, 0.5), (3, 0.4), (9, 0.3)], "complete"
    tuner.trials.append(done)
    assert tuner.best() is done and "repeat it with: annplay train --setup 'ap1:" in _summary(tuner)


def test_halving_cancelled_in_its_last_rung_keeps_the_finished_trials_complete() -> None:
    tuner = Tuner(XOR9, Space.parse(["lr=0.01..1,log"]), make_plan(9, budget=None, space_size=None), jobs=1)
    last = tuner.plan.rungs[-1]
    tuner.run(lambda t: t.cancel() if any(x.losses and x.losses[-1][0] == last for x in t.trials) else None)
    assert tuner.interrupted
    best = tuner.best()
    assert best is not None and best.state == "complete" and best.losses[-1][0] == last
    assert all(t.state != "complete" for t in tuner.trials if not t.losses or t.losses[-1][0] < last)


def test_a_tpe_trial_that_stopped_early_is_complete_at_the_last_rung() -> None:
    """A run that met its goal before the first rung stands for the last rung: its code carries the full epochs."""
    tuner = Tuner(XOR9.with_(target_loss=100.0), Space.parse(["lr=0.01..1,log"]),
                  make_plan(9, budget=40, space_size=None), jobs=1, method="tpe", budget=40)
    tuner.run()
    best = tuner.best()
    assert best is not None and best.final and best.losses[-1][0] == 9 and "ep=9" in best.code().split(";")


# --- F8: a point is trained once -----------------------------------------------------------------------------

def _keys(tuner: Tuner) -> list[tuple[Any, ...]]:
    return [tuple(sorted(t.point.items())) for t in tuner.trials]


@pytest.mark.parametrize("space", [["activation=relu|tanh"], ["batch-size=8..10"],
                                   ["activation=relu|tanh", "layers=2|4"]])
def test_tpe_trains_each_point_of_a_finite_space_once_then_stops(space: list[str]) -> None:
    tuner = tpe(space, budget=2000)
    tuner.run()
    size = tuner.space.size()
    assert size is not None and len(tuner.trials) == size == len(set(_keys(tuner)))
    assert tuner.epochs_total <= size * sum(tuner.plan.rungs)
    assert f"the search space has {size} points; each was tried" in tuner.notes
    assert tuner.study_info is not None and tuner.study_info["points_tried"] == size


def test_a_point_proposed_while_it_trains_is_told_its_outcome(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With room for several trials at once, TPE proposes a point still training: told how that one ended."""
    def wide(*_args: Any, **_kw: Any) -> InlinePool:
        pool = InlinePool()
        pool.capacity = 4
        return pool

    monkeypatch.setattr(tune_module, "open_pool", wide)
    storage = str(tmp_path / "st.log")
    tuner = tpe(["activation=relu|tanh|logistic"], budget=2000, storage=storage, study="a")
    tuner.run()
    assert len(tuner.trials) == 3 == len(set(_keys(tuner)))
    study = optuna.load_study(study_name="a", storage=storage_for(storage))
    repeats = [t for t in study.trials if "annplay_repeat_of" in t.user_attrs]
    assert repeats and len(study.trials) == 3 + len(repeats)           # proposed again, never trained again
    states = optuna.trial.TrialState
    assert all(t.state in (states.COMPLETE, states.PRUNED, states.FAIL) for t in study.trials)   # all told


def test_tpe_stops_asking_when_it_only_proposes_points_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tune_optuna, "LISTED", 0)              # no untried point is handed to TPE
    monkeypatch.setattr(tune_optuna, "MAX_REPEATS", 4)
    tuner = tpe(["activation=relu|tanh|logistic|elu"], budget=5000)
    tuner.run()
    assert len(tuner.trials) == len(set(_keys(tuner))) <= 4
    assert len(tuner.trials) == 4 or "TPE proposed points already tried 4 times; stopped asking" in tuner.notes


def test_a_resumed_study_does_not_train_the_points_it_tried(tmp_path: Path) -> None:
    storage = str(tmp_path / "st.log")
    first = tpe(["activation=relu|tanh"], budget=200, storage=storage, study="a")
    first.run()
    best = first.best()
    assert len(first.trials) == 2 and best is not None
    second = tpe(["activation=relu|tanh"], budget=200, storage=storage, study="a")
    second.run()
    assert second.trials == [] and second.epochs_total == 0
    assert "the search space has 2 points; each was tried (2 in earlier runs of this study)" in second.notes
    assert second.study_info is not None and second.study_info["best_setup"] == best.code()


def test_tune_command_says_the_space_was_tried(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, tune_args(search=("activation=relu|tanh",), budget="200", extra=("--seed", "3")))
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.split()[:1] in (["1"], ["2"], ["3"])]
    assert [r.split()[1] for r in rows] in (["tanh", "relu"], ["relu", "tanh"])
    assert "in 2 trials" in out and "note: the search space has 2 points; each was tried" in out
