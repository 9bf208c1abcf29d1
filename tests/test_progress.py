"""Issue 17.2.7: lesson progress is remembered (atomic JSON in the data folder) and shown in `annplay lessons`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annplay.cli import main
from annplay.core.lessons import LESSONS
from annplay.core.progress import is_passed, lesson_key, load_passed, mark_passed


def test_a_passed_lesson_is_remembered_and_listed_with_a_tick(private_progress: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert load_passed() == set()
    mark_passed(LESSONS[1])
    mark_passed(LESSONS[1])                              # twice: still one entry
    assert is_passed(LESSONS[1]) and not is_passed(LESSONS[0])
    assert json.loads(private_progress.read_text())["passed"] == [lesson_key(LESSONS[1])]
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("✓") and out[0].startswith("  ") and f"1 of {len(LESSONS)} passed" in out[-1]
    assert main(["lessons", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["passed"] for row in rows[:3]] == [False, True, False]


@pytest.mark.parametrize("damage", [b"{not json", b'{"format": "other", "passed": ["2 XOR"]}', b'[1, 2]',
                                    b'{"format": "annplay-progress", "passed": [1, null, "x"]}'])
def test_a_damaged_progress_file_means_nothing_passed_and_is_replaced(private_progress: Path, damage: bytes) -> None:
    private_progress.parent.mkdir(parents=True)
    private_progress.write_bytes(damage)
    assert load_passed() <= {"x"}
    mark_passed(LESSONS[0])
    assert is_passed(LESSONS[0])

