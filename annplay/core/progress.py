"""Lesson progress: which lessons a person has passed, remembered between runs (no Textual here).

A small JSON file in the platform's data folder (``platformdirs.user_data_dir("annplay")``, beside the pins),
written atomically. A lesson is known by its number and title, so a teacher's own file counts on its own.
A missing or damaged file means nothing passed yet; it never stops a lesson.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT = "annplay-progress"
VERSION = 1
MAX_ENTRIES = 500                # a damaged or hostile file is not read past this
MAX_FILE_BYTES = 64 << 10


def progress_path() -> Path:
    """Where the progress lives: the platform's data folder for annplay."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("annplay", appauthor=False)) / "progress.json"


def lesson_key(lesson: Any) -> str:
    """What identifies a lesson in the file: '3 Spiral' (a teacher's own file without a number: '0 Title')."""
    return f"{int(lesson.number)} {lesson.title}"


def load_passed(path: Path | None = None) -> set[str]:
    """The keys of the lessons passed so far (empty when the file is missing, too big or damaged)."""
    path = path or progress_path()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return set()
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    passed = data.get("passed") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(passed, list):
        return set()
    return {item for item in passed[:MAX_ENTRIES] if isinstance(item, str)}


def is_passed(lesson: Any, passed: set[str] | None = None) -> bool:
    """True when ``lesson`` was passed (``passed``: keys already loaded)."""
    return lesson_key(lesson) in (load_passed() if passed is None else passed)


def mark_passed(lesson: Any, path: Path | None = None) -> Path:
    """Remember that ``lesson`` was passed (atomic write); OSError/ValueError say why not."""
    from annplay.engine.safefile import atomic_write_bytes

    path = path or progress_path()
    passed = load_passed(path)
    key = lesson_key(lesson)
    if key in passed and path.exists():
        return path
    passed.add(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "version": VERSION, "passed": sorted(passed)[-MAX_ENTRIES:]}
    return atomic_write_bytes(path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"),
                              what="lesson progress")


__all__ = ["progress_path", "lesson_key", "load_passed", "is_passed", "mark_passed"]
