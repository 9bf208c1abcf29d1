"""A class shares the server's cores: fewer training frames a second per session, and a training worker that rests
to stay within its share of a core at any pace, "max" too (issue 16). Clocks are faked: nothing here is timed."""

from __future__ import annotations

import pytest

from annplay.core import session
from annplay.screens import run_controls
from annplay.serve import limits
from annplay.serve.child import ENV_FRAMES, ENV_SHARE, pace_for_class


@pytest.fixture
def app_pace(monkeypatch):
    """The app's own pace back after each test."""
    monkeypatch.setattr(run_controls, "MAX_FRAMES_PER_SECOND", run_controls.MAX_FRAMES_PER_SECOND)
    monkeypatch.setattr(run_controls, "MAX_BUSY", run_controls.MAX_BUSY)
    monkeypatch.setattr(session, "FRAME_SECONDS", session.FRAME_SECONDS)


def test_a_served_session_draws_fewer_frames_and_its_worker_keeps_to_its_share(app_pace) -> None:
    assert pace_for_class({}) == (10, 1.0)                                   # what the server did not set: the app's
    assert pace_for_class({ENV_FRAMES: "0", ENV_SHARE: "nonsense"}) == (10, 1.0)         # bad values too
    frames, share = pace_for_class({ENV_FRAMES: str(limits.DEFAULT_FRAMES), ENV_SHARE: str(limits.TRAIN_SHARE)})
    assert (frames, share) == (limits.DEFAULT_FRAMES, limits.TRAIN_SHARE) and frames < 10 and share < 1
    assert pytest.approx(1 / limits.DEFAULT_FRAMES) == session.FRAME_SECONDS   # "max" hands out as few frames


class Clock:
    """Fake clocks for run_controls: the worker's CPU time, wall time, and sleeps that advance the wall."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0
        self.slept = 0.0

    def work(self, seconds: float) -> None:
        self.cpu += seconds
        self.wall += seconds

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.wall += seconds


@pytest.mark.parametrize("share", [0.25, 0.5, 1.0])
def test_a_worker_rests_so_its_busy_time_is_its_share(share: float, monkeypatch) -> None:
    clock = Clock()
    monkeypatch.setattr(run_controls.time, "thread_time", lambda: clock.cpu)
    monkeypatch.setattr(run_controls.time, "perf_counter", lambda: clock.wall)
    monkeypatch.setattr(run_controls.time, "sleep", clock.sleep)
    rest = run_controls.Rest(share)
    for _ in range(20):
        clock.work(0.1)                                  # a frame's training and drawing
        rest(lambda: False)
    assert clock.cpu / clock.wall == pytest.approx(share, rel=0.02)
    stopped = run_controls.Rest(0.1)
    clock.work(0.1)
    before = clock.slept
    stopped(lambda: True)                                # a stopped run never rests
    assert clock.slept == before


def test_a_busy_sessions_download_gets_time_to_send_its_chunks() -> None:
    """textual-serve gives a download 4 s per chunk; a session of a busy class (nice 10) missed that, and the
    student's screenshot never arrived."""
    download_manager = pytest.importorskip("textual_serve.download_manager", reason="the web extra is not installed")
    from annplay.serve import server

    assert server.download_manager.DOWNLOAD_TIMEOUT == download_manager.DOWNLOAD_TIMEOUT == limits.DOWNLOAD_WAIT
    assert limits.DOWNLOAD_WAIT >= 30
