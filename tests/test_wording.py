"""Issue 17.2.13: wording. GA/ES count generations everywhere (goal line, chart axis), flag help says each range
once."""

from __future__ import annotations

from annplay.core.lessons import load_lesson
from annplay.engine.trainer import Metrics
from annplay.screens.describe import goal_line
from annplay.widgets.chart import LossRecord, chart_lines


def test_a_missed_ga_goal_is_missed_at_a_generation():
    lesson = load_lesson(8)                                  # neuroevolution of a step net, 200 generations
    setup = lesson.setup.with_(trainer="ga", activation="step")
    texts, reached = goal_line(lesson, setup, Metrics(200, 0.6, 0.6, 0.5, 0.5, "stopped"))
    assert not reached and any("missed at generation 200" in t for t in texts)
    assert not any("epoch" in t for t in texts)


def test_the_chart_of_a_ga_run_counts_generations():
    record = LossRecord()
    for generation in range(0, 300, 10):
        record.add(generation, 1 / (generation + 1), 2 / (generation + 1))
    for height in (3, 12):
        text = "\n".join(line.plain for line in chart_lines(record, 50, height, names=("best", "mean"),
                                                             unit="generation"))
        assert "generation" in text and "epoch" not in text


def test_flag_help_says_each_range_once() -> None:
    """Issue 17.2.13: '0 to 50 … a number from 0 to 50' said the range twice."""
    from annplay.cli.flags import help_text
    from annplay.engine.settings import SETTINGS

    for setting in SETTINGS.values():
        text = help_text(setting, True)
        if setting.kind in ("int", "float") and setting.lo is not None and setting.hi is not None:
            assert text.count(f"{setting.lo:g} to {setting.hi:g}") <= 1, text
    assert help_text(SETTINGS["noise"], True).count("50") == 1
