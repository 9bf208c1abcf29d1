"""The README names every entry of every registry: lists are read from the code, and a test keeps the prose honest."""

from __future__ import annotations

from pathlib import Path

import pytest

from annplay.engine.activations import ACTIVATIONS
from annplay.engine.datasets import DATASETS
from annplay.engine.features import FEATURES
from annplay.engine.optimizers import OPTIMIZERS
from annplay.engine.settings import SETTINGS
from annplay.engine.trainers import TRAINERS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
REGISTRIES = {"activation": ACTIVATIONS, "dataset": DATASETS, "feature": FEATURES, "optimizer": OPTIMIZERS,
              "trainer": TRAINERS, "setting flag": {s.flag: s for s in SETTINGS.values() if s.commands}}


@pytest.mark.parametrize("kind", list(REGISTRIES))
def test_readme_names_every_entry(kind: str) -> None:
    missing = [name for name in REGISTRIES[kind] if f"`{name}`" not in README and name not in README]
    assert not missing, f"README does not mention these {kind}s: {missing}"
