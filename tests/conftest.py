"""Fixtures for every test: lesson progress goes to a file of the test's own, never the person's.

Hypothesis has no deadline here: its default 200 ms per example is a timing assertion, and a loaded machine
(CI on two shared cores) tripped it on an example's first, importing run. Speed belongs in benchmarks/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from annplay.core import progress

settings.register_profile("annplay", deadline=None)
settings.load_profile("annplay")


@pytest.fixture(autouse=True)
def private_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's lesson progress is remembered (passing a lesson in a test marks nothing real)."""
    path = tmp_path / "progress" / "progress.json"
    monkeypatch.setattr(progress, "progress_path", lambda: path)
    return path
