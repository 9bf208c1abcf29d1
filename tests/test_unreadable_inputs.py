"""An input that is a regular file by stat yet fails to read (Linux's /proc/self/mem: EIO) is a bad argument naming
its flag (exit 2), not "cannot write the output" (exit 74, as --setup said) or a bare "[Errno 5]" (predict)."""

from __future__ import annotations

import os

import pytest

from annplay.cli import main

MEM = "/proc/self/mem"
pytestmark = pytest.mark.skipif(not os.path.isfile(MEM), reason="needs Linux's /proc/self/mem")


@pytest.mark.parametrize("argv, said", [
    (["train", "--setup", MEM, "--epochs", "2"], f"annplay train: error: --setup: set-up file {MEM}: cannot read ("),
    (["sweep", "--setup", MEM, "--vary", "lr=0.1,0.2"], f"annplay sweep: error: --setup: set-up file {MEM}: cannot "),
    (["predict", MEM, "--point", "1,2"], f"annplay predict: error: model {MEM}: cannot read ("),
])
def test_an_input_that_fails_to_read_is_a_bad_argument(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                       said: str) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(said) and err.count("\n") == 1 and "Errno" not in err, err
