"""Sizes of the playground's parts on narrow screens (below WIDE_COLUMNS), as a pure function of the terminal size.

The map is never stretched: its pixels stay square (terminal cells are about twice as tall as wide, so a square
plane takes two columns per row). Where the screen is short the map takes the upper area's rows and the numbers
go beside it; only a tall, narrow screen stacks them under the map.
"""

from __future__ import annotations

from dataclasses import dataclass

from annplay.core.fields import fit_size

WIDE_COLUMNS = 100              # side by side from here on
KEYBAR_ROWS = 1
NUMBER_ROWS = 2                 # the two compact lines of numbers
SIDE_MIN, SIDE_SHARE = 6, 0.3   # the lower area (tabs, run buttons, controls) at least …
PANEL_MIN, PANEL_SHARE = 9, 0.45   # … and with the network view or the weight editor open
VIEW_MIN = 7                    # the upper area (map, numbers) never gets less
CHART_MAX = 4                   # rows of loss chart under the numbers when stacked
BESIDE_MIN = 18                 # the numbers' column beside the map needs this many columns
MAP_MIN_WIDTH = 16              # … and the map beside it at least this many
MAX_ASPECT = 1.25               # the picture's width:height (as seen) stays within this, either way
STATS_MIN_WIDTH = 20            # wide: the numbers beside the heat map keep at least this many columns


@dataclass(frozen=True)
class Narrow:
    """Rows of a narrow layout: the upper area, its map (with the axis caption rows), its chart; the lower area.

    beside: the numbers stand in a column right of the map, which is map_width columns wide (stacked: 0, the
    map takes the terminal's width and centres its picture)."""

    view: int
    map: int
    chart: int
    side: int
    beside: bool = False
    map_width: int = 0


def picture_aspect(columns: int, rows: int) -> float:
    """How wide a picture of columns × rows half-block cells looks against its height (1.0: square)."""
    return columns / max(1, 2 * rows)


def narrow_layout(height: int, *, panel: str = "controls", goal_rows: int = 0, legend_rows: int = 1,
                  captioned: bool = True, panel_rows: int | None = None, width: int = 0,
                  aspect: float = 1.0) -> Narrow:
    """The map with the numbers beside it (or, on a tall narrow screen, stacked under it), the lower area below.

    panel_rows: what the open panel fills (a small network, a short layer); the lower area takes no more.
    width 0: the map's width is not known (stacked, as tall as the rows allow)."""
    rows = max(1, height - KEYBAR_ROWS)
    small, share = (SIDE_MIN, SIDE_SHARE) if panel == "controls" else (PANEL_MIN, PANEL_SHARE)
    side = max(small, round(rows * share))
    if panel_rows is not None:
        side = min(side, max(SIDE_MIN, panel_rows))
    view = max(min(VIEW_MIN, rows), rows - side)
    side = max(0, rows - view)
    caption = 1 if captioned else 0
    left = max(1, view - NUMBER_ROWS - goal_rows - legend_rows)      # stacked: the map, its caption and the chart
    map_rows = left
    if width:
        stacked_w, picture_h = fit_size(width, max(1, left - caption), aspect)
        beside_w, _h = fit_size(max(1, width - BESIDE_MIN), max(1, view - caption), aspect)
        if beside_w >= max(MAP_MIN_WIDTH, stacked_w):       # the bigger picture wins
            return Narrow(view=view, map=view, chart=0, side=side, beside=True, map_width=beside_w)
        map_rows = picture_h + caption            # a tall narrow screen: the map as tall as its width allows
    chart = max(0, min(CHART_MAX, left - map_rows))
    spare = left - map_rows - chart
    if spare > 0:                                # rows the square map cannot use go to the lower area
        view, side = view - spare, side + spare
    return Narrow(view=view, map=map_rows, chart=chart, side=side)


def wide_map_width(room: int, rows: int, aspect: float = 1.0) -> int:
    """Wide layouts: the map's columns in ``room`` columns beside the side panel, as big as the rows allow while the
    numbers keep STATS_MIN_WIDTH beside it (they and the loss chart take what the map leaves; C shows the chart
    in the map's place)."""
    return fit_size(max(1, room - STATS_MIN_WIDTH), rows, aspect)[0]


def full_map(width: int, height: int, aspect: float = 1.0) -> tuple[int, int]:
    """The picture (columns, rows) of the map-only view: every row but one status line, pixels square."""
    return fit_size(width, max(1, height - 1), aspect)
