"""``--jobs`` of sweep and tune: refused outside 1..256 or in other than ASCII digits; capped at two workers per
core with one note (``--jobs 256`` had started 256 worker processes on a 2-core machine)."""

from __future__ import annotations

import argparse

import pytest

import annplay.core.executors as executors
import annplay.core.sweep as sweep_module
from annplay.cli import main
from annplay.cli.sweep import jobs_option


def _args(jobs: str | None, executor: str = "local") -> argparse.Namespace:
    return argparse.Namespace(jobs=jobs, executor=executor)


@pytest.mark.parametrize("cores, given, used", [(2, "256", 4), (2, "5", 4), (2, "4", 4), (2, "3", 3), (1, "2", 2),
                                                (1, "3", 2), (8, "16", 16), (8, "17", 16)])
def test_jobs_beyond_two_per_core_are_capped_with_a_note(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str],
                                                         cores: int, given: str, used: int) -> None:
    monkeypatch.setattr(executors, "default_jobs", lambda: cores)
    assert jobs_option(_args(given)) == used
    err = capsys.readouterr().err
    if used < int(given):
        assert err == (f"note: --jobs {given} is more than 2 per core ({cores} here); "
                       f"using {used} worker processes\n")
    else:
        assert err == ""


@pytest.mark.parametrize("text", ["0", "-1", "257", "１２", "1_0", "2.0", "nan", "", " ", "9" * 10_000, "0x10",
                                  "\x1b[31m2", "[bold]2[/]"])
def test_jobs_outside_the_range_or_not_ascii_digits_are_refused(capsys: pytest.CaptureFixture[str],
                                                                text: str) -> None:
    code = main(["sweep", "--epochs", "2", "--vary", "lr=0.1,0.2", "--jobs", text])
    err = capsys.readouterr().err
    assert code == 2, err
    said = "empty value" if not text.strip() else "a whole number from 1 to 256"
    assert err.count("\n") == 1 and err.startswith(f"annplay sweep: error: --jobs: {said}")
    assert "\x1b" not in err and len(err) < 700


def test_a_capped_sweep_opens_the_capped_pool(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(executors, "default_jobs", lambda: 1)
    opened: list[int | None] = []

    def inline(executor: str = "local", jobs: int | None = None, scheduler: str | None = None,
               runs: int | None = None) -> executors.Pool:
        opened.append(jobs)
        return executors.InlinePool()

    monkeypatch.setattr(sweep_module, "open_pool", inline)
    code = main(["sweep", "--dataset", "xor", "--points", "20", "--epochs", "2", "--vary", "lr=0.1,0.2",
                 "--jobs", "256", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert opened == [2]
    assert "note: --jobs 256 is more than 2 per core (1 here); using 2 worker processes" in captured.err


def test_jobs_with_dask_says_the_cluster_runs_the_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert jobs_option(_args("3", executor="dask")) == 3
    assert "with --executor dask the cluster's workers run the runs" in capsys.readouterr().err
