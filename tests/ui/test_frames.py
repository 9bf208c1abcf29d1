"""Frozen frames (no worker running): layout checks at every size and text snapshots at 40×20 and 100×30.

Snapshots live in tests/ui/snapshots/; after an intended change of the look, rewrite them with
``ANNPLAY_UPDATE_SNAPSHOTS=1 pytest tests/ui/test_frames.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annplay.app import PlaygroundApp
from annplay.boundary import HALF_BLOCK, TRAIN_GLYPH
from annplay.widgets.heatmap import HeatMap

from .conftest import ALL_SIZES, ready, screen_text

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("size", ALL_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_layout_fits(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        width, height = size
        heat = screen.query_one(HeatMap).region
        stats = screen.query_one("#stats").region
        controls = screen.query_one("#controls").region
        footer = screen.query_one("KeyBar").region
        for region in (heat, stats, controls, footer):
            assert region.right <= width and region.bottom <= height and region.x >= 0 and region.y >= 0
        assert not heat.overlaps(stats) and not heat.overlaps(controls) and not stats.overlaps(controls)
        assert not heat.overlaps(footer) and not controls.overlaps(footer)
        pw, ph = screen.picture
        assert 0 < pw <= heat.width and 0 < ph <= heat.height     # the whole picture is visible
        assert heat.height >= 7
        lines = screen_text(app)
        assert len(lines) == height and all(len(line) <= width for line in lines)
        text = "\n".join(lines)
        assert HALF_BLOCK in text and TRAIN_GLYPH in text
        assert "epoch 0" in text and "Play" in text
        assert (width >= 100) == screen.has_class("-wide")


@pytest.mark.parametrize("size", [(40, 20), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_frame_snapshot(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.pause()
        text = "\n".join(line.rstrip() for line in screen_text(app)) + "\n"
    path = SNAPSHOTS / f"playground_{size[0]}x{size[1]}.txt"
    if os.environ.get("ANNPLAY_UPDATE_SNAPSHOTS") or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


async def test_help_frame_at_phone_size():
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = screen_text(app)
        text = "\n".join(lines)
        assert "annplay keys" in text and "Play" in text
        assert all(len(line) <= 40 for line in lines)
