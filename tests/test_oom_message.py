"""An out-of-memory set-up says the same line in ``train`` (exit 2) and in a sweep row: one function makes it."""

from __future__ import annotations

import pytest

import annplay.core.session as session_module
import annplay.core.sweep as sweep_module
from annplay.cli import main
from annplay.core.oom import out_of_memory
from annplay.engine.setup import Setup

NUMPY_SAYS = "Unable to allocate 244. MiB for an array with shape (64, 500000) and data type float64"


def _no_memory(*_args: object, **_kwargs: object) -> None:
    raise MemoryError(NUMPY_SAYS + "\nsecond line")


def test_train_and_a_sweep_row_say_the_same_line(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(session_module.Session, "run_for", _no_memory)
    assert main(["train", "--dataset", "xor", "--epochs", "3"]) == 2
    cli_line = capsys.readouterr().err.strip().splitlines()[-1]
    monkeypatch.setattr(sweep_module, "_train", _no_memory)
    row = sweep_module.run_sweep([Setup(dataset="xor", epochs=2)], jobs=1).rows[0]
    assert cli_line == f"annplay train: error: {row['reason']}"
    assert row["reason"] == out_of_memory(MemoryError(NUMPY_SAYS))
    assert row["reason"].startswith(f"out of memory ({NUMPY_SAYS}); try fewer --points")


@pytest.mark.parametrize("exc", [MemoryError(), MemoryError(""), MemoryError("\n")])
def test_an_empty_memory_error_still_says_what_happened(exc: MemoryError) -> None:
    assert out_of_memory(exc).startswith("out of memory (MemoryError); try")
