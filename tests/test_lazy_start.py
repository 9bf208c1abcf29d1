"""The start imports only what the first frame needs: the engine's re-exports are lazy, and the playground's
modules leave the panels, the doctor and the other views to be imported when first used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_after(code: str) -> set[str]:
    """The annplay modules a fresh interpreter has imported after running ``code``."""
    probe = code + "\nimport sys\nprint(' '.join(m for m in sys.modules if m.startswith('annplay')))\n"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_importing_the_engine_package_imports_none_of_its_modules() -> None:
    assert not {m for m in imported_after("import annplay.engine") if m.startswith("annplay.engine.")}


def test_a_re_export_imports_its_module_on_first_use() -> None:
    modules = imported_after("from annplay.engine import OPTIMIZERS\nassert 'sgd' in OPTIMIZERS")
    assert "annplay.engine.optimizers" in modules and "annplay.engine.compat" not in modules


def test_every_re_export_resolves_to_its_module_s_object() -> None:
    import importlib

    import annplay.engine as engine

    for name, module in engine._EXPORTS.items():
        assert getattr(engine, name) is getattr(importlib.import_module(f"annplay.engine.{module}"), name)
    assert sorted(engine.__all__) == sorted(engine._EXPORTS) and set(engine.__all__) <= set(dir(engine))


def test_an_unknown_name_is_an_attribute_error_and_submodules_still_import() -> None:
    import annplay.engine as engine

    with pytest.raises(AttributeError, match="no_such_name"):
        _ = engine.no_such_name
    from annplay.engine import kernels  # a submodule, not a re-export
    assert kernels.__name__ == "annplay.engine.kernels"


def test_the_playground_s_modules_leave_panels_doctor_and_views_for_later() -> None:
    modules = imported_after("import annplay.app\nimport annplay.screens.playground")
    later = {"annplay.widgets.netview", "annplay.widgets.weights", "annplay.widgets.doctor", "annplay.core.doctor",
             "annplay.engine.diagnosis", "annplay.engine.fixes", "annplay.engine.compat", "annplay.screens.runs_view",
             "annplay.screens.sweep_view", "annplay.screens.explain_view", "annplay.core.sweep"}
    assert "annplay.screens.playground" in modules and not modules & later, modules & later
