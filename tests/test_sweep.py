"""Sweeps: the grid, one run = one headless run, the pool, ranking, CSV/JSON rows and Ctrl-C."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annplay.core.session import Session
from annplay.core.sweep import (
    Sweep,
    expand,
    find_setting,
    parse_vary,
    rank,
    read_json,
    run_one,
    run_sweep,
    sweep_csv,
    write_csv,
    write_json,
)
from annplay.engine.settings import SettingError
from annplay.engine.setup import Setup
from annplay.engine.sharecode import decode, encode
from annplay.engine.stopping import stop_reason

SMALL = Setup(dataset="xor", hidden=(3,), points=100)


# --- the grid ---------------------------------------------------------------------------------

def test_vary_names_flags_and_codes() -> None:
    assert find_setting("layers").name == "hidden" and find_setting("--lr").name == "lr"
    assert find_setting("batch-size").name == "batch_size" and find_setting("bs").name == "batch_size"
    assert parse_vary("layers=4/8,16") == ("hidden", ["4,8", "16"])
    assert parse_vary("features=x1/x2,x1/x1x2") == ("features", ["x1,x2", "x1,x1x2"])
    assert parse_vary("activation=relu,tanh") == ("activation", ["relu", "tanh"])


def test_expand_is_the_cross_product_with_seeds_innermost() -> None:
    grid = expand(SMALL.with_(seed=5), {"lr": ["0.01", "0.1"], "layers": ["4/8", "16"]}, seeds=3)
    assert len(grid) == 12
    assert [(s.lr, s.hidden, s.seed) for s in grid[:4]] == [(0.01, (4, 8), 5), (0.01, (4, 8), 6),
                                                            (0.01, (4, 8), 7), (0.01, (16,), 5)]
    assert all(s.dataset == "xor" and s.points == 100 for s in grid)
    assert expand(SMALL, {}, seeds=1) == [SMALL]


@pytest.mark.parametrize("vary, seeds, setting, words", [
    ({"colour": ["red"]}, 1, "colour", "no setting 'colour' to vary; known (as flags, without --): dataset, points"),
    ({"lr": ["fast"]}, 1, "lr", "--vary lr=fast: a number > 0"),
    ({"lr": ["0.1", "0.10"]}, 1, "lr", "given twice"),
    ({"lr": ["0.1"], "--lr": ["0.2"]}, 1, "lr", "varied twice"),
    ({"activation": ["step"]}, 1, "activation", "in the combination activation=step"),
    ({"lr": ["0.1"]}, 0, "seed", "--seeds must be 1 to 1000"),
    ({"lr": [str(i + 1) for i in range(101)], "seed": [str(i) for i in range(100)]}, 1, "vary", "more than"),
])
def test_bad_grids_give_one_error(vary: dict[str, list[str]], seeds: int, setting: str, words: str) -> None:
    with pytest.raises(SettingError) as info:
        expand(SMALL, vary, seeds)
    assert info.value.setting == setting and words in str(info.value)


@pytest.mark.parametrize("text", ["lr", "=1", "lr=", "nothing=1"])
def test_bad_vary_text(text: str) -> None:
    with pytest.raises(SettingError):
        parse_vary(text)


# --- one run = a headless run ----------------------------------------------------------------------

def _headless(setup: Setup) -> tuple[float, float | None, float | None, int]:
    """What `annplay train` does: a Session run to its epoch limit with the adaptive chunk loop."""
    session = Session(setup)
    while not session.done():
        session.run_for(0.05)
    m = session.metrics()
    return m.train_loss, m.test_loss, m.test_acc, m.epoch


@pytest.mark.parametrize("setup", [
    SMALL.with_(epochs=120, batch_size=7, seed=3),
    SMALL.with_(epochs=40, optimizer="adam", lr=0.01, dataset="plane"),
    SMALL.with_(epochs=6, trainer="ga", population=8),
    SMALL.with_(epochs=6, trainer="es", activation="step"),
])
def test_a_row_equals_a_headless_run_of_its_code(setup: Setup) -> None:
    row = run_one(encode(setup))
    assert decode(row["setup"]) == setup
    assert (row["train_loss"], row["test_loss"], row["test_acc"], row["epochs"]) == _headless(setup)
    assert row["state"] == "done" and row["reason"].startswith("reached")
    assert 1 <= len(row["history"]) <= 32 and row["history"][-1] == row["test_loss"]


def test_a_goal_stops_at_the_same_epoch_as_stepping_one_by_one() -> None:
    setup = SMALL.with_(epochs=400, lr=1.0, target_loss=0.3)
    row = run_one(encode(setup))
    session = Session(setup)
    m = session.step(0)
    while (reason := stop_reason(setup, m)) is None:
        m = session.step(1)
    assert row["state"] == "stopped" and row["reason"] == reason and row["epochs"] == m.epoch < 400
    assert row["test_loss"] == m.test_loss


def test_epochs_argument_sets_the_limit_in_the_code() -> None:
    row = run_one(encode(SMALL), epochs=5)
    assert row["epochs"] == 5 and decode(row["setup"]).epochs == 5
    assert run_one(encode(SMALL.with_(epochs=3)))["epochs"] == 3


def test_diverged_and_failed_runs_are_rows() -> None:
    diverged = run_one(encode(Setup(dataset="plane", activation="relu", lr=10.0, points=100, epochs=50)))
    assert diverged["state"] == "diverged" and diverged["reason"].startswith("diverged")
    failed = run_one(encode(Setup(csv="/no/such/file.csv", epochs=5)))
    assert failed["state"] == "failed" and "no such file" in failed["reason"]
    assert run_one("ap1:lr=-1")["state"] == "failed"


# --- the pool, ranking and files ----------------------------------------------------------------------

def test_pool_rows_equal_serial_rows() -> None:
    grid = expand(SMALL.with_(epochs=20), {"lr": ["0.03", "0.3"]}, seeds=2)
    seen: list[tuple[int, int]] = []
    pooled = run_sweep(grid, jobs=2, on_row=lambda row, done, total: seen.append((done, total)))
    serial = run_sweep(grid, jobs=1)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in pooled.rows]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in serial.rows]
    assert [r["index"] for r in pooled.rows] == [0, 1, 2, 3] and not pooled.interrupted
    assert sorted(seen) == [(1, 4), (2, 4), (3, 4), (4, 4)]


def _row(group: str, seed: int, loss: float | None, state: str = "done", acc: float | None = 0.9) -> dict[str, object]:
    return {"setup": f"{group};seed={seed}", "group": group, "seed": seed, "state": state, "epochs": 10,
            "train_loss": loss, "test_loss": loss, "test_acc": acc, "history": [loss, loss]}


def test_rank_by_mean_test_loss_with_sd() -> None:
    rows = [_row("ap1:lr=0.1", 0, 0.3), _row("ap1:lr=0.1", 1, 0.5), _row("ap1:lr=1", 0, 0.2),
            _row("ap1:lr=1", 1, 0.2), _row("ap1:lr=10", 0, None, "diverged"), _row("ap1:lr=10", 1, 0.1)]
    ranked = rank(rows)
    assert [g.group for g in ranked] == ["ap1:lr=1", "ap1:lr=0.1", "ap1:lr=10"]
    assert ranked[0].loss_mean == pytest.approx(0.2) and ranked[0].loss_sd == 0.0
    assert ranked[1].loss_mean == pytest.approx(0.4) and ranked[1].loss_sd == pytest.approx(0.1414213562)
    assert ranked[2].loss_mean is None and ranked[2].states == {"diverged": 1, "done": 1}
    assert ranked[1].history == pytest.approx((0.4, 0.4))


def test_rank_groups_rows_read_back_without_group() -> None:
    rows = [{**_row("x", s, 0.1 * (s + 1)), "setup": encode(SMALL.with_(seed=s)), "group": None} for s in range(2)]
    assert [len(g.rows) for g in rank(rows)] == [2]


def test_json_and_csv_files(tmp_path: Path) -> None:
    rows = run_sweep(expand(SMALL.with_(epochs=10), {"lr": ["0.03", "0.3"]}), jobs=1).rows
    json_path, csv_path = tmp_path / "s.json", tmp_path / "s.csv"
    write_json(json_path, rows)
    write_csv(csv_path, rows)
    assert read_json(json_path) == json.loads(json.dumps(rows))
    doc = json.loads(json_path.read_text())
    assert doc["format"] == "annplay-sweep" and [g["setup"] for g in doc["ranking"]] == [g.group for g in rank(rows)]
    table = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert [r["setup"] for r in table] == [r["setup"] for r in rows]
    assert float(table[0]["test_loss"]) == rows[0]["test_loss"] and table[0]["state"] == "done"
    assert sweep_csv([_row("g", 0, None)]).splitlines()[1].count(",,") >= 1     # missing numbers are empty
    (tmp_path / "other.json").write_text("[]")
    with pytest.raises(ValueError, match="not an annplay sweep file"):
        read_json(tmp_path / "other.json")


def test_cancel_keeps_the_finished_rows() -> None:
    grid = expand(SMALL.with_(epochs=200), {"lr": ["0.01", "0.03", "0.1", "0.3"]}, seeds=3)
    sweep = Sweep(grid, jobs=2)
    sweep.run(on_row=lambda row, done, total: sweep.cancel() if done == 1 else None)
    assert sweep.interrupted and 1 <= len(sweep.rows) < len(grid)
    assert all(r["state"] == "done" for r in sweep.rows)


_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from annplay.engine.setup import Setup
    from annplay.core.sweep import expand, run_sweep, write_json
    grid = expand(Setup(dataset="xor", hidden=(3,), points=100, epochs={epochs}), {{"lr": ["0.01", "0.1", "1"]}}, 3)
    def on_row(row, done, total):
        if {interrupt} and done == 2:
            os.kill(os.getpid(), signal.SIGINT)     # Ctrl-C
    sweep = run_sweep(grid, jobs=2, on_row=on_row)
    write_json(sys.argv[1], sweep.rows, interrupted=sweep.interrupted)
    sys.exit(130 if sweep.interrupted else 0)
""")


@pytest.mark.parametrize("interrupt", [False, True])
def test_sweep_in_a_subprocess(tmp_path: Path, interrupt: bool) -> None:
    out = tmp_path / "sweep.json"
    script = _SCRIPT.format(epochs=30 if not interrupt else 400, interrupt=interrupt)
    proc = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == (130 if interrupt else 0), proc.stderr
    rows = read_json(out)
    ranked = rank(rows)
    if interrupt:
        assert 2 <= len(rows) < 9 and json.loads(out.read_text())["interrupted"]
    else:
        assert len(rows) == 9 and [len(g.rows) for g in ranked] == [3, 3, 3]
        means = [g.loss_mean for g in ranked if g.loss_mean is not None]
        assert len(means) == 3 and means == sorted(means)


def _dies(code: str, epochs: int | None, points: int) -> None:
    raise RuntimeError("worker died")


def test_a_worker_that_dies_gives_a_failed_row(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    import annplay.core.sweep as sweep_module

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("workers are not forked here")
    monkeypatch.setattr(sweep_module, "run_one", _dies)     # forked workers find it by name
    rows = run_sweep([SMALL, SMALL.with_(seed=1)], jobs=2).rows
    assert [r["state"] for r in rows] == ["failed", "failed"] and rows[0]["reason"] == "worker died"


@pytest.mark.parametrize("jobs, epochs, words", [(0, None, "--jobs"), (-1, None, "--jobs"), (1, 0, "epochs")])
def test_bad_jobs_or_epochs_fail_before_any_run(jobs: int, epochs: int | None, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        run_sweep([SMALL], epochs=epochs, jobs=jobs)


def test_the_app_sweep_can_vary_the_network_shape():
    """The Sweep view offers layer shapes (the table entry has no steps of its own), centred on the current one."""
    from annplay.screens.sweep_view import CANDIDATES, around
    assert "hidden" in CANDIDATES
    assert around("hidden", (8, 8), 3) == [(4, 4), (8, 8), (16, 16)]
    assert around("hidden", (3, 5), 2) == [(), (4,)]          # not one of the shapes: from the start


# --- SIGTERM, SIGHUP and SIGKILL (reliability 19.3.7) ----------------------------------------------------------

def _wait_for(check, what: str, deadline: float = 60.0) -> None:
    """Poll a condition (bounded: a guard against hanging, not a timing assertion)."""
    import time

    end = time.monotonic() + deadline
    while not check():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


def _start_sweep(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, list[int]]:
    """A long `annplay sweep --json` on two workers, started and past its first row; its workers' pids."""
    import os

    psutil = pytest.importorskip("psutil", reason="psutil lists the sweep's worker processes")
    ready, out = tmp_path / "ready", tmp_path / "rows.json"
    env = dict(os.environ, ANNPLAY_READY_FILE=str(ready))
    proc = subprocess.Popen([sys.executable, "-m", "annplay", "sweep", "--dataset", "xor", "--layers", "3",
                             "--points", "100", "--epochs", "400", "--vary", "lr=0.01,0.03,0.1,0.3,1",
                             "--seeds", "12", "--jobs", "2", "--json", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)
    _wait_for(lambda: ready.exists() or proc.poll() is not None, "the first row")
    assert proc.poll() is None, proc.communicate()[1]
    workers = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    assert workers
    return proc, out, workers


def _gone(pids: list[int]) -> bool:
    import psutil

    return not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_term_or_hup_writes_the_finished_rows_and_ends_the_workers(tmp_path: Path, name: str) -> None:
    import signal

    number = getattr(signal, name)
    proc, out, workers = _start_sweep(tmp_path)
    proc.send_signal(number)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + number, err
    doc = json.loads(out.read_text())
    assert doc["interrupted"] and 1 <= len(doc["rows"]) < 60
    assert all(r["state"] == "done" for r in doc["rows"])
    _wait_for(lambda: _gone(workers), "the workers to end")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_workers_exit_when_the_sweep_is_killed(tmp_path: Path) -> None:
    import signal

    proc, _out, workers = _start_sweep(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    _wait_for(lambda: _gone(workers), "orphaned workers to notice their parent is gone")


def test_a_varied_seed_shows_the_seeds_its_row_averages(capsys: pytest.CaptureFixture[str]) -> None:
    """--vary seed=1,2,3: the runs are one set-up's replicates (one row, mean ± sd); its seed column names them,
    not the group's placeholder seed 0, which no run used."""
    from annplay.cli.sweep import leaderboard

    group = encode(Setup(epochs=10))
    rows = [_row(group, seed, 0.5 + seed / 100) for seed in (3, 1, 2)]
    leaderboard(rows, ["seed"])
    line = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("1 "))
    assert "1,2,3" in line and " 0 " not in line


def test_a_run_out_of_memory_is_a_failed_row_inline_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """With --jobs 1 a MemoryError ended the sweep in a traceback (a pool's worker made it a failed row)."""
    import annplay.core.sweep as sweep_module

    def no_memory(*_args: object) -> None:
        raise MemoryError("Unable to allocate 244. MiB")

    monkeypatch.setattr(sweep_module, "_train", no_memory)
    rows = run_sweep([SMALL, SMALL.with_(seed=1)], jobs=1).rows
    assert [r["state"] for r in rows] == ["failed", "failed"]
    assert rows[0]["reason"] == ("out of memory (Unable to allocate 244. MiB); try fewer --points, smaller --layers "
                                 "or a smaller --population"), "the CLI's own line (one function says both)"
