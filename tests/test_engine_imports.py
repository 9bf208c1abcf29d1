"""annplay.engine imports NumPy and the standard library only: never Textual or Rich."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import sys
import annplay.engine
import annplay.engine.{module}
ui = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))
assert not ui, ui
print('ok')
"""


def run(module: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-c", CHECK.format(module=module)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_engine_package_does_not_import_textual_or_rich() -> None:
    result = run("network")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_every_engine_module_is_ui_free() -> None:
    modules = sorted(p.stem for p in (ROOT / "annplay" / "engine").glob("*.py") if p.stem != "__init__")
    assert {"activations", "losses", "init", "optimizers", "network", "trainer", "compat"} <= set(modules)
    code = CHECK.replace("import annplay.engine.{module}\n", "".join(
        f"import annplay.engine.{m}\n" for m in modules))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_check_itself_would_notice_rich() -> None:
    """Guard against a vacuous test: importing rich in the child does show up."""
    code = CHECK.replace("import annplay.engine\n", "import annplay.engine\nimport rich\n")
    result = subprocess.run([sys.executable, "-c", code.format(module="network")], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "rich" in result.stderr
