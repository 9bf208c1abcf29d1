"""Fixtures for every test: lesson progress goes to a file of the test's own, never the person's."""

from __future__ import annotations

from pathlib import Path

import pytest

from annplay.core import progress


@pytest.fixture(autouse=True)
def private_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's lesson progress is remembered (passing a lesson in a test marks nothing real)."""
    path = tmp_path / "progress" / "progress.json"
    monkeypatch.setattr(progress, "progress_path", lambda: path)
    return path
