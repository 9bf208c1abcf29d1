"""Tuning: the search-space parser (hypothesis), the halving plan, same seed → same trials, the JSON, plots,
edge warnings, Optuna's TPE with a journal-file study that resumes, and the ``annplay tune`` command."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annplay.core.search import Dimension, Space, halton, parse_search
from annplay.core.sweep import run_one
from annplay.core.tune import Trial, Tuner, counts_for, make_plan, make_trials, ranked, rungs_for, tune_json
from annplay.core.tuneplot import MARKS, plots
from annplay.engine.settings import MAX_NEURONS, SETTINGS, SettingError
from annplay.engine.setup import Setup

XOR = Setup(dataset="xor", hidden=(3,), points=100, epochs=27)
TIMEOUT = 120

# --- the search-space parser ----------------------------------------------------------------------------

LR_LO, LR_HI = float(SETTINGS["lr"].lo or 0), float(SETTINGS["lr"].hi or 10)
lr_values = st.floats(min_value=1e-5, max_value=min(LR_HI, 10.0), allow_nan=False).map(lambda x: float(f"{x:.6g}"))


@given(lr_values, lr_values, st.booleans(), st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=20))
def test_a_float_range_round_trips_and_samples_inside(a: float, b: float, log: bool, us: list[float]) -> None:
    lo, hi = sorted((a, b))
    if not lo < hi:
        return
    dim = parse_search(f"lr={lo}..{hi}" + (",log" if log else ""))
    assert (dim.lo, dim.hi, dim.log, dim.integer) == (lo, hi, log, False)
    assert parse_search(str(dim)) == dim                      # the text it shows reads back the same
    values = [dim.at(u) for u in sorted(us)]
    assert all(lo <= v <= hi for v in values)
    assert values == sorted(values)                           # monotone on its scale
    assert all(SETTINGS["lr"].check(v) == v for v in values)  # every sample is a value the setting takes


@given(st.integers(1, 300), st.integers(1, 300), st.booleans())
def test_an_integer_range_gives_whole_numbers_and_reaches_both_ends(a: int, b: int, log: bool) -> None:
    lo, hi = sorted((a, b))
    if lo == hi:
        return
    dim = parse_search(f"batch-size={lo}..{hi}" + (",log" if log else ""))
    assert dim.integer and dim.size() == hi - lo + 1
    values = [dim.at(u) for u in (0.0, 0.25, 0.5, 0.75, 0.999999999)]
    assert all(isinstance(v, int) and lo <= v <= hi for v in values)
    assert dim.at(0.0) == lo and dim.at(math.nextafter(1.0, 0.0)) == hi


layer = st.lists(st.integers(1, MAX_NEURONS), min_size=1, max_size=3).map(tuple)


@given(st.lists(layer, min_size=1, max_size=6, unique=True))
def test_a_list_of_layer_shapes_round_trips(shapes: list[tuple[int, ...]]) -> None:
    text = "layers=" + "|".join(",".join(map(str, s)) for s in shapes)
    dim = parse_search(text)
    assert dim.name == "hidden" and dim.values == tuple(shapes) and not dim.is_range
    assert parse_search(str(dim)) == dim
    assert [dim.at(i / len(shapes)) for i in range(len(shapes))] == shapes   # each value gets an equal share


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_any_text_parses_or_names_its_setting(text: str) -> None:
    try:
        dim = parse_search(text)
    except SettingError as exc:
        assert exc.message and "\n" not in exc.message
    else:
        assert dim.name in SETTINGS


@pytest.mark.parametrize("text, words", [
    ("lr=1..0.1", "low end must be below"), ("dropout=0..0.5,log", "above 0"), ("lr=0..1", "> 0"),
    ("activation=1..2", "needs a number"),
    ("lr=", "give a list"), ("nosuch=1", "no setting"), ("lr=0.1..1,lug", "',log'"), ("layers=4|4", "twice"),
    ("lr=0.1..nan", "lr"), ("lr", "NAME=SPEC"), ("batch-size=0..5", "batch"), ("layers=4..8", "needs a number"),
])
def test_bad_specs_say_what_is_allowed(text: str, words: str) -> None:
    with pytest.raises(SettingError, match=words.replace("(", r"\(")):
        parse_search(text)


def test_space_sampling_is_seeded_distinct_and_covers_small_spaces() -> None:
    space = Space.parse(["lr=0.001..1,log", "layers=4|8|8,8"])
    a, b, c = space.sample(30, 7), space.sample(30, 7), space.sample(30, 8)
    assert a == b and a != c
    assert len({tuple(p.values()) for p in a}) == 30
    small = Space.parse(["layers=2|4", "activation=tanh|relu|logistic"])
    assert sorted(map(str, small.sample(100, 0))) == sorted(map(str, small.grid())) and len(small.grid()) == 6
    assert len(small.sample(4, 0)) == 4
    with pytest.raises(SettingError, match="twice"):
        Space.parse(["lr=0.1|1", "lr=0.01..1"])
    assert 0 < halton(1, 3)[0] < 1 and halton(2, 1)[0] == 0.25


def test_edges_are_found_on_ordered_dimensions_only() -> None:
    dim = parse_search("lr=0.001..1,log")
    assert dim.edge(0.001) == "low" and dim.edge(1.0) == "high" and dim.edge(0.03) is None
    layers = parse_search("layers=4|8|8,8")
    assert layers.edge((4,)) == "low" and layers.edge((8, 8)) == "high" and layers.edge((8,)) is None
    assert parse_search("activation=tanh|relu|logistic").edge("tanh") is None


# --- the plan -----------------------------------------------------------------------------------------------

def test_rungs_follow_the_factor_down_from_the_epoch_limit() -> None:
    assert rungs_for(90) == (10, 30, 90)
    assert rungs_for(300, 3, 10) == (11, 33, 100, 300)
    assert rungs_for(1000, 2, 250) == (250, 500, 1000)
    assert counts_for(10, 3, 3) == (10, 4, 2)
    with pytest.raises(SettingError, match="min-epochs"):
        rungs_for(90, 3, 91)


def test_the_plan_is_the_largest_that_fits_the_budget() -> None:
    plan = make_plan(90, budget=3000, seeds=2)
    assert plan.cost <= 3000
    bigger = make_plan(90, budget=10**9, seeds=2, space_size=plan.counts[0] + 1)
    assert bigger.cost > 3000 and bigger.counts[0] == plan.counts[0] + 1
    assert make_plan(90, space_size=5).counts[0] == 5 and make_plan(90).counts[0] == 27
    with pytest.raises(SettingError, match="less than one trial"):
        make_plan(90, budget=100)


# --- running ------------------------------------------------------------------------------------------------

def _tuner(jobs: int = 1, **kw: object) -> Tuner:
    space = Space.parse(["lr=0.001..3,log", "layers=2|4"])
    plan = make_plan(27, budget=int(kw.pop("budget", 600)), seeds=2, space_size=None)  # type: ignore[call-overload]
    return Tuner(XOR, space, plan, jobs=jobs, **kw)  # type: ignore[arg-type]


def _without_time(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "seconds"}


def test_same_seed_same_trials_serial_or_pool() -> None:
    one, two = _tuner(1), _tuner(2)
    one.run()
    two.run()
    assert tune_json(one) == tune_json(two)
    assert one.epochs_total == sum(t.epochs_spent for t in one.trials) <= one.plan.cost


def test_halving_prunes_at_rungs_and_the_best_repeats_as_a_run() -> None:
    tuner = _tuner(1)
    trials = tuner.run()
    counts = tuner.plan.counts
    assert len(trials) == counts[0]
    assert sum(t.state == "complete" for t in trials) == counts[-1]
    assert all(len(t.losses) < len(tuner.plan.rungs) for t in trials if t.pruned)
    best = tuner.best()
    assert best is not None and best is trials[0] and best.state == "complete"
    for t in trials:                       # a promoted trial was never worse than one pruned at the same rung
        if t.pruned:
            rung = len(t.losses) - 1
            survivors = [u for u in trials if len(u.losses) > rung + 1]
            assert all(u.losses[rung][1] <= (t.loss if t.loss is not None else math.inf) for u in survivors)
    row = run_one(best.code())
    assert row["test_loss"] == best.rows[0]["test_loss"]     # `annplay train --setup CODE` gives the same run


def test_result_json_has_best_trials_and_epochs_total() -> None:
    tuner = _tuner(1)
    tuner.run()
    doc = json.loads(tune_json(tuner))
    assert {"setup", "test_loss", "test_acc"} <= set(doc["best"])
    assert doc["best"]["test_loss"] == min(t["test_loss"] for t in doc["trials"] if t["state"] == "complete")
    assert doc["epochs_total"] == sum(t["epochs_spent"] for t in doc["trials"])
    for t in doc["trials"]:
        assert {"setup", "epochs", "losses", "state", "pruned"} <= set(t)
        assert t["pruned"] == (t["state"] == "pruned")


def test_cancel_keeps_the_finished_trials() -> None:
    tuner = _tuner(2, budget=2000)
    tuner.run(lambda t: t.cancel() if sum(bool(x.losses) for x in t.trials) >= 2 else None)
    assert tuner.interrupted
    done = [t for t in tuner.trials if t.losses]
    assert len(done) >= 2 and any(t.state == "interrupted" for t in tuner.trials)
    assert json.loads(tune_json(tuner))["interrupted"] is True


def test_edge_warning_when_the_best_sits_at_the_end_of_a_range() -> None:
    space = Space.parse(["lr=0.0001..0.001,log"])
    tuner = Tuner(XOR, space, make_plan(27, budget=500, space_size=None), jobs=1)
    tuner.run()
    assert any("high edge" in w and "lr=" in w for w in tuner.warnings())


def test_plots_mark_best_pruned_and_diverged() -> None:
    dim = parse_search("lr=0.01..10,log")
    trials = make_trials(XOR, [{"lr": 0.01}, {"lr": 0.1}, {"lr": 1.0}, {"lr": 10.0}], 1, 27)
    for t, loss in zip(trials, (0.5, 0.2, 0.3, None)):
        t.losses = [(27, loss)]
        t.state = "complete" if loss is not None else "diverged"
    trials[2].state, trials[2].pruned = "pruned", True
    lines = plots(trials, [dim], width=40, best=trials[1])
    text = "\n".join(lines)
    for mark in (MARKS["best"], MARKS["pruned"], MARKS["diverged"], MARKS["complete"]):
        assert mark in text
    assert all(len(line) <= 40 for line in lines)
    top = lines[1]
    assert top.rstrip().endswith(MARKS["diverged"])           # no loss: the top row, at the right (lr=10)
    assert ranked(trials)[0] is trials[1]


# --- Optuna -------------------------------------------------------------------------------------------------

def test_tpe_study_in_a_journal_file_resumes(tmp_path: Path) -> None:
    pytest.importorskip("optuna", reason="the tune extra (optuna) is not installed")
    storage = str(tmp_path / "study.log")
    first = _tuner(1, method="tpe", budget=400, storage=storage, study="s")
    first.run()
    assert first.trials and first.study_info is not None and first.study_info["trials_before"] == 0
    assert first.epochs_total <= 400 and any(t.number is not None for t in first.trials)
    second = _tuner(1, method="tpe", budget=400, storage=storage, study="s")
    second.run()
    assert second.study_info is not None
    assert second.study_info["trials_before"] == first.study_info["trials_in_study"] > 0
    doc = json.loads(tune_json(second))
    assert doc["method"] == "tpe" and doc["best"]["setup"].startswith("ap1:")


@pytest.mark.parametrize("name, values", [("seed", (1, 2, 3)), ("epochs", (10, 20))])
def test_a_tuner_refuses_to_search_what_it_sets_itself(name: str, values: tuple[int, ...]) -> None:
    """Each trial gets its seeds and epochs from the tuner: searching them crashed in make_trials (a TypeError)."""
    space = Space((Dimension("lr", (0.1, 1.0)), Dimension(name, values)))
    with pytest.raises(SettingError, match=f"--search {name}:"):
        Tuner(Setup(dataset="xor", epochs=27), space, make_plan(27, budget=None, space_size=2))


# --- the command ----------------------------------------------------------------------------------------------

def _annplay(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "annplay", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=TIMEOUT)


def test_tune_command_json(tmp_path: Path) -> None:
    proc = _annplay("tune", "--dataset", "xor", "--layers", "3", "--points", "100", "--epochs", "27",
                    "--search", "lr=0.001..3,log", "--search", "activation=tanh|relu", "--budget", "500",
                    "--jobs", "1", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["best"]["setup"].startswith("ap1:") and doc["epochs_total"] <= 500
    assert doc["space"] == ["lr=0.001..3,log", "activation=tanh|relu"]


def test_tune_command_table_code_and_plots(tmp_path: Path) -> None:
    proc = _annplay("tune", "--dataset", "xor", "--layers", "3", "--points", "100", "--epochs", "27",
                    "--search", "lr=0.01..1,log", "--budget", "300", "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "best: ap1:" in proc.stdout and "test loss vs lr (log)" in proc.stdout and MARKS["best"] in proc.stdout


@pytest.mark.parametrize("args, words", [
    ([], "at least one --search"),
    (["--search", "lr=1..0.1"], "low end"),
    (["--search", "lr=0.1|1", "--lr", "0.1"], "--lr is given too"),
    (["--search", "lr=0.1|1", "--budget", "5"], "less than one trial"),
    (["--search", "lr=0.1|1", "--storage", "x.log"], "--method tpe"),
    (["--search", "lr=0.1|1", "--executor", "dask"], "--scheduler"),
    (["--search", "population=4|8"], "does not apply"),
    (["--search", "lr=0.1|1", "--factor", "1"], "--factor"),
    (["--search", "seed=1..5"], "--search seed: a trial runs --seeds N seeds"),      # a tune sets these itself
    (["--search", "epochs=10|20"], "--search epochs: the rungs set a trial's epochs"),
])
def test_tune_command_misuse_is_one_line_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    proc = _annplay("tune", "--dataset", "xor", "--epochs", "27", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert words in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_trial_record_marks_diverged_rows() -> None:
    trial = Trial(0, {}, (XOR,), "ap1:")
    trial.record(27, [{"state": "diverged", "epochs": 5, "test_loss": None, "train_loss": None}])
    assert trial.loss is None and trial.state == "diverged" and trial.final and trial.epochs_spent == 5


def test_dimension_of_a_one_value_list() -> None:
    dim = Dimension("lr", (0.1,))
    assert dim.size() == 1 and dim.at(0.7) == 0.1 and dim.edge(0.1) is None


def test_tune_takes_the_same_setting_flags_as_sweep() -> None:
    from annplay.cli import build_parser

    parsers = {name: p for a in build_parser()._subparsers._group_actions  # type: ignore[union-attr]
               for name, p in a.choices.items()}
    options = {name: {o for act in parsers[name]._actions for o in act.option_strings} for name in ("sweep", "tune")}
    own = {"--search", "--budget", "--seeds", "--factor", "--min-epochs", "--method", "--storage", "--study",
           "--jobs", "--executor", "--scheduler", "--json", "--no-plot"}
    assert options["tune"] - own == options["sweep"] - {"--vary", "--csv", "--seeds", "--jobs", "--json",
                                                         "--executor", "--scheduler"}


def test_tpe_study_in_an_rdb_url(tmp_path: Path) -> None:
    pytest.importorskip("optuna", reason="the tune extra (optuna) is not installed")
    url = f"sqlite:///{tmp_path / 'study.db'}"
    tuner = _tuner(1, method="tpe", budget=200, storage=url, study="rdb")
    tuner.run()
    assert tuner.study_info is not None and tuner.study_info["trials_in_study"] == len(tuner.trials) > 0
    import optuna

    assert len(optuna.load_study(study_name="rdb", storage=url).trials) == len(tuner.trials)
