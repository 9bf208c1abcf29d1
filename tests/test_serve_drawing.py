"""A reload of a served tab reopens the student's drawing, not only the set-up's code (a probe found the drawn
points lost: the status kept the share code without them); a hostile drawing file is never read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from annplay.engine.setupfile import resolve_text
from annplay.screens.playground import PlaygroundScreen
from annplay.serve.child import DRAWING, ENV_SETUP, STATUS, SessionApp, read_drawing, reload_drawing
from annplay.widgets.heatmap import HeatMap


async def test_a_reload_reopens_the_tabs_drawing(tmp_path: Path) -> None:
    app = SessionApp(tmp_path)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        for offset in ((3, 2), (6, 4)):
            await pilot.click(HeatMap, offset=offset)
        await pilot.pause()
        session = next(s for s in app.screen_stack if isinstance(s, PlaygroundScreen)).session
        drawn = session.drawn
        assert drawn is not None and len(drawn) > 2
        app.write_status()
    status = json.loads((tmp_path / STATUS).read_text())
    assert status["drawn"] == len(drawn) and (tmp_path / DRAWING).is_file()
    setup, _, _ = resolve_text(status["setup"])
    assert reload_drawing({}, tmp_path, setup) == drawn
    assert reload_drawing({ENV_SETUP: status["setup"]}, tmp_path, setup) is None    # a class link opens afresh
    again = SessionApp(tmp_path, setup, drawn=reload_drawing({}, tmp_path, setup))
    async with again.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        screen = next(s for s in again.screen_stack if isinstance(s, PlaygroundScreen))
        assert screen.session.drawn == drawn


async def test_back_to_a_data_set_forgets_the_kept_drawing(tmp_path: Path) -> None:
    app = SessionApp(tmp_path)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        await pilot.click(HeatMap, offset=(4, 3))
        await pilot.pause()
        app.write_status()
        assert (tmp_path / DRAWING).is_file()
        session = next(s for s in app.screen_stack if isinstance(s, PlaygroundScreen)).session
        session.set_drawn(None)
        app.write_status()
    assert not (tmp_path / DRAWING).exists() and json.loads((tmp_path / STATUS).read_text())["drawn"] == 0


@pytest.mark.parametrize("points", [
    np.array([[0.0, 0.0, 1.0], [np.nan, 0.0, 0.0]]),            # not finite
    np.array([[0.0, 0.0, 0.5]]),                                # a class that is not whole
    np.array([[0.0, 0.0, -1.0]]),                               # a negative class
    np.zeros((2, 4)),                                           # not x1, x2, class rows
    np.zeros((0, 3)),                                           # empty
    np.array([[1, 2, 0]], dtype=np.int64),                      # not doubles
])
def test_a_bad_drawing_file_is_not_read(tmp_path: Path, points: np.ndarray) -> None:
    np.save(tmp_path / DRAWING, points)
    assert read_drawing(tmp_path) is None


def test_a_pickled_or_damaged_drawing_file_is_not_read(tmp_path: Path) -> None:
    np.save(tmp_path / DRAWING, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    assert read_drawing(tmp_path) is None
    (tmp_path / DRAWING).write_bytes(b"\x93NUMPY garbage")
    assert read_drawing(tmp_path) is None
    (tmp_path / DRAWING).unlink()
    (tmp_path / DRAWING).symlink_to("/dev/zero")
    assert read_drawing(tmp_path) is None
    (tmp_path / DRAWING).unlink()
    os.mkfifo(tmp_path / DRAWING)                                # would block a reader forever
    assert read_drawing(tmp_path) is None
