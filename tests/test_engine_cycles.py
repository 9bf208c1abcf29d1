"""The engine's modules import each other without cycles, late imports inside functions included
(issue 19: csvdata ↔ datasets and network ↔ trainer/modelio/kernels were hidden behind late imports)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "annplay" / "engine"


def _imports(path: Path) -> set[str]:
    """Engine modules ``path`` imports at run time, anywhere in the file (not under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 1 and node.module:
            found.add(node.module.split(".")[0])
        elif node.level == 1:
            found.update(alias.name for alias in node.names)
        elif node.module and node.module.startswith("annplay.engine."):
            found.add(node.module.split(".")[2])
    return found


def test_no_import_cycles_in_the_engine() -> None:
    graph = {p.stem: _imports(p) for p in ENGINE.glob("*.py") if p.stem != "__init__"}
    assert "datasets" in graph["settings"] and "csvdata" in graph["datasets"]      # the walk sees imports

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return [*path, start]
                if nxt not in path:
                    stack.append((nxt, [*path, nxt]))
        return None
    cycles = {" → ".join(c) for m in graph if (c := cycle_from(m))}
    assert not cycles, cycles
