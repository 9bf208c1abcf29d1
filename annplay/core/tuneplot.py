"""Text plots of a tuning run, like the Deep Learning Tuning Playbook's: test loss against each searched setting.

Plain strings (no Rich, no Textual) so that the CLI prints them and the app's Tune mode shows them.
Marks: ``●`` a trial that reached the last rung, ``★`` the best, ``·`` a pruned trial (its loss at the rung
where it stopped), ``×`` a diverged or failed trial (drawn on the top row: it has no loss).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from annplay.core.search import Dimension
from annplay.core.tune import Trial

MARKS = {"best": "★", "complete": "●", "pruned": "·", "diverged": "×"}
LEGEND = "★ best ● last rung · pruned × diverged"   # legend(width) at full width
LABEL = 7                       # width of the y-axis labels


def _mark(trial: Trial, best: Trial | None) -> str:
    if best is not None and trial is best:
        return MARKS["best"]
    if trial.loss is None:
        return MARKS["diverged"]
    return MARKS["pruned"] if trial.pruned or trial.state != "complete" else MARKS["complete"]


def _num(value: float) -> str:
    """A y-axis label in at most LABEL characters (0.000295 took 8 and bent the axis): 0.693, 3.0e-04."""
    text = f"{value:.3g}"
    return text if len(text) <= LABEL else f"{value:.1e}"


def scatter(trials: Sequence[Trial], dim: Dimension, *, width: int = 40, height: int = 8,
            best: Trial | None = None, app_words: bool = False) -> list[str]:
    """Lines of one plot: title, ``height`` rows of marks with loss labels, an axis, and the range's ends.
    The title names the setting as the CLI does (``lr``), or as the app's controls do with ``app_words``."""
    cols = max(8, width - LABEL - 1)
    height = max(3, height)
    entry = dim.entry
    name = entry.label.strip() if app_words else entry.flag.lstrip("-")
    title = f"test loss vs {name}" + (" (log)" if dim.log else "")
    placed: list[tuple[Trial, float]] = []
    for t in trials:
        x = dim.position(t.point.get(dim.name)) if t.losses else None
        if x is not None:
            placed.append((t, x))
    losses = [t.loss for t, _ in placed if t.loss is not None]
    if not placed:
        return [title, "(no trials yet)"]
    lo, hi = (min(losses), max(losses)) if losses else (0.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5 * abs(lo or 1) * 0.01, hi + 0.5 * abs(hi or 1) * 0.01
    logy = lo > 0 and hi / lo > 10                    # losses spread over decades: a log scale shows the best
    top, bottom = (math.log(hi), math.log(lo)) if logy else (hi, lo)
    if logy:
        title = title.replace("test loss", "test loss (log)", 1)
    grid = [[" "] * cols for _ in range(height)]
    rank = {MARKS["diverged"]: 0, MARKS["pruned"]: 1, MARKS["complete"]: 2, MARKS["best"]: 3}
    for trial, x in placed:
        col = min(cols - 1, int(round(x * (cols - 1))))
        loss = trial.loss
        y = None if loss is None else math.log(loss) if logy else loss
        row = 0 if y is None else min(height - 1, int(round((top - y) / (top - bottom) * (height - 1))))
        mark = _mark(trial, best)
        if rank[mark] >= rank.get(grid[row][col], -1):
            grid[row][col] = mark
    lines = [title]
    for r, cells in enumerate(grid):
        label = _num(hi) if r == 0 else _num(lo) if r == height - 1 else ""
        lines.append(f"{label:>{LABEL}}│" + "".join(cells).rstrip())
    lines.append(" " * LABEL + "└" + "─" * cols)
    lines.append(" " * (LABEL + 1) + _axis(dim, cols))
    return lines


def _axis(dim: Dimension, cols: int) -> str:
    """The x axis's labels: a range's ends, or a list's values where they fit."""
    entry = dim.entry
    if dim.is_range:
        left, right = entry.format(dim.lo), entry.format(dim.hi)
        return left + " " * max(1, cols - len(left) - len(right)) + right
    cells = [" "] * cols
    n = len(dim.values)
    for i, value in enumerate(dim.values):
        text = entry.format(value)
        start = min(cols - len(text), int(round(i / max(1, n - 1) * (cols - 1))) - (len(text) // 2 if i > 0 else 0))
        start = max(0, start)
        if all(c == " " for c in cells[max(0, start - 1):start + len(text) + 1]):
            cells[start:start + len(text)] = list(text)
    return "".join(cells).rstrip()


def plots(trials: Sequence[Trial], dims: Sequence[Dimension], *, width: int = 40, height: int = 8,
          best: Trial | None = None, app_words: bool = False) -> list[str]:
    """One plot per searched setting, a blank line between them, then the legend."""
    lines: list[str] = []
    for dim in dims:
        if lines:
            lines.append("")
        lines.extend(scatter(trials, dim, width=width, height=height, best=best, app_words=app_words))
    lines.extend(legend(width))
    return lines


def legend(width: int) -> list[str]:
    """The legend in lines of at most ``width`` characters, broken between entries (never '★' alone)."""
    entries = [f"{MARKS[kind]} {word}" for kind, word in
               (("best", "best"), ("complete", "last rung"), ("pruned", "pruned"), ("diverged", "diverged"))]
    lines = [entries[0]]
    for entry in entries[1:]:
        if len(lines[-1]) + 1 + len(entry) <= width:
            lines[-1] += " " + entry
        else:
            lines.append(entry)
    return lines


__all__ = ["scatter", "plots", "legend", "MARKS", "LEGEND"]
