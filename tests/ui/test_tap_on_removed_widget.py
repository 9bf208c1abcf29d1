"""A tap on a widget that left the screen between two frames is a tap on nothing (the monkey found a crash)."""

from __future__ import annotations

import pytest
from textual.geometry import Offset
from textual.screen import Screen
from textual.widgets import Static

from annplay.app import PlaygroundApp


@pytest.mark.parametrize("size", [(40, 20), (120, 40)], ids=["40x20", "120x40"])
async def test_a_tap_on_a_just_removed_widget_does_not_crash(size: tuple[int, int],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        gone = Static("gone")                                  # never mounted: no parent, like a removed widget
        monkeypatch.setattr(Screen, "get_widget_and_offset_at", lambda self, x, y: (gone, Offset(0, 0)))
        assert app.screen.get_widget_and_offset_at(5, 5) == (None, None)
        await pilot.click(offset=(5, 5))                      # Textual's selection code read gone.parent.region
        await pilot.pause()
        assert app.is_running
