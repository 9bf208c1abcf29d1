"""``annplay lessons``: the shipped lessons, one line each (number, title, goal); ``--json`` for tools."""

from __future__ import annotations

import argparse
import json

from annplay.cli.common import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Print every shipped lesson and how to open one."""
    from annplay.core.lessons import LESSONS
    from annplay.core.textsafe import plain

    if getattr(args, "json", False):
        rows = [{"number": lesson.number, "title": lesson.title, "goal": lesson.goal_text,
                 "text": list(lesson.text)} for lesson in LESSONS]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for lesson in LESSONS:
        print(plain(lesson.summary))
    print("\nOpen one with: annplay play --lesson N  (or --lesson FILE.toml for your own)")
    return EXIT_OK


__all__ = ["run"]
