"""The tuning plot's text: y labels that never bend the axis, a legend broken between entries, and the app's
words for the setting in the app (the CLI keeps its flag names)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from annplay.core.search import parse_search
from annplay.core.tune import Trial
from annplay.core.tuneplot import LABEL, LEGEND, MARKS, _num, legend, scatter
from annplay.engine.setup import Setup


@given(st.floats(min_value=1e-12, max_value=1e6, allow_nan=False))
@example(0.000295).via("'0.000295' took 8 characters and bent the axis")
def test_a_y_label_fits_its_column(value: float) -> None:
    assert len(_num(value)) <= LABEL


@given(st.integers(min_value=11, max_value=80))    # 11: the longest entry, "● last rung"
def test_the_legend_breaks_between_entries(width: int) -> None:
    lines = legend(width)
    assert " ".join(lines) == LEGEND
    assert all(len(line) <= width for line in lines)
    assert all(line not in MARKS.values() for line in lines), lines     # never a mark alone on its line


def _trials() -> list[Trial]:
    out = []
    for i, (lr, loss) in enumerate([(0.01, 0.693), (0.1, 0.000295), (1.0, 0.2)]):
        trial = Trial(i, {"lr": lr}, (Setup(dataset="xor", lr=lr),), "ap1:")
        trial.losses.append((27, loss))
        trial.state = "complete"
        out.append(trial)
    return out


def test_the_plot_names_the_setting_in_the_readers_words() -> None:
    dim = parse_search("lr=0.01..1,log")
    cli, app = scatter(_trials(), dim), scatter(_trials(), dim, app_words=True)
    assert cli[0].startswith("test loss") and "vs lr" in cli[0]
    assert f"vs {dim.entry.label.strip()}" in app[0] and "vs lr" not in app[0]
    axis_at = {line.index("│") for line in cli[1:-2]}
    assert axis_at == {LABEL}, cli                                        # one straight y axis
