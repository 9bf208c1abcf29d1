"""The README's export-to-PyTorch snippet runs and gives annplay's outputs (skipped without torch)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from annplay.engine import MLP

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _snippet() -> str:
    found = re.findall(r"^```python torch[ \t]*\n(.*?)^```", README, re.S | re.M)
    assert len(found) == 1, f"expected one ```python torch block in README.md, found {len(found)}"
    return found[0]


def test_the_readme_has_the_snippet_even_without_torch() -> None:
    code = _snippet()
    assert "load_npz" in code and "to_torch" in code and "to_dict" in code
    compile(code, "README.md", "exec")


@pytest.fixture(scope="module")
def snippet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The snippet run once (it saves model.npz and model.json in a temporary directory)."""
    pytest.importorskip("torch")
    namespace: dict[str, object] = {"__name__": "readme_torch"}
    cwd = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("torch_export"))
    try:
        exec(compile(_snippet(), "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    return namespace


def test_the_snippet_runs_and_checks_itself(snippet: dict[str, object]) -> None:
    assert callable(snippet["to_torch"]) and callable(snippet["load_npz"])     # its own assert compared outputs


@pytest.mark.parametrize("layers, acts, dtype", [
    ([2, 5, 1], ["leaky_relu", "logistic"], np.float64),
    ([3, 4, 4, 1], ["elu", "linear", "linear"], np.float64),
    ([2, 6, 3], ["tanh", "softmax"], np.float32),
    ([2, 1], ["logistic"], np.float32),
])
def test_every_exportable_activation_and_both_dtypes_match(snippet, tmp_path, layers, acts, dtype) -> None:
    import torch
    net = MLP(layers, acts, seed=3, dtype=dtype)
    net.set_flat(np.random.default_rng(1).normal(0, 1.5, net.n_params))
    net.save(tmp_path / "m.npz")
    X = np.random.default_rng(2).normal(0, 3, (layers[0], 7)).astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for model in (snippet["load_npz"](tmp_path / "m.npz"), net.to_dict()):     # type: ignore[operator]
        seq = snippet["to_torch"](model)                                         # type: ignore[operator]
        out = seq(torch.as_tensor(X.T)).detach().numpy().T
        assert out.dtype == dtype
        np.testing.assert_allclose(out, net.forward(X), rtol=tol, atol=tol)
