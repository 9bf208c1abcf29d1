"""``annplay lessons``: the shipped lessons, one line each (✓ when passed, number, title, goal); ``--json``."""

from __future__ import annotations

import argparse
import json

from annplay.cli.common import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Print every shipped lesson and how to open one."""
    from annplay.core.lessons import LESSONS
    from annplay.core.progress import lesson_key, load_passed
    from annplay.core.textsafe import plain

    passed = load_passed()
    if getattr(args, "json", False):
        rows = [{"number": lesson.number, "title": lesson.title, "goal": lesson.goal_text,
                 "text": list(lesson.text), "passed": lesson_key(lesson) in passed} for lesson in LESSONS]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for lesson in LESSONS:
        print(("✓ " if lesson_key(lesson) in passed else "  ") + plain(lesson.summary))
    done = sum(lesson_key(lesson) in passed for lesson in LESSONS)
    print(f"\n{done} of {len(LESSONS)} passed (✓). Open one with: annplay play --lesson N"
          "  (or --lesson FILE.toml for your own)")
    return EXIT_OK


__all__ = ["run"]
