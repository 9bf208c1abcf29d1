"""Sizes of the playground's parts on narrow screens (below WIDE_COLUMNS), as a pure function of the terminal size."""

from __future__ import annotations

from dataclasses import dataclass

WIDE_COLUMNS = 100              # side by side from here on
KEYBAR_ROWS = 1
NUMBER_ROWS = 2                 # the two compact lines of numbers
SIDE_MIN, SIDE_SHARE = 6, 0.3   # the lower area (tabs, run buttons, controls) at least …
PANEL_MIN, PANEL_SHARE = 9, 0.45   # … and with the network view or the weight editor open
VIEW_MIN = 7                    # the upper area (map, numbers) never gets less
MAP_ROWS = 9                    # the map keeps this many rows before the chart gets more than one
MAP_ROWS_SMALL = 8              # … and this many before it gets one
CHART_MAX = 4                   # rows of loss chart under the numbers (more: C shows the chart instead of the map)


@dataclass(frozen=True)
class Narrow:
    """Rows of a narrow layout: the upper area, its map (with the axis caption row), its chart; the lower area."""

    view: int
    map: int
    chart: int
    side: int


def narrow_layout(height: int, *, panel: str = "controls", goal_rows: int = 0, legend_rows: int = 1,
                  captioned: bool = True, panel_rows: int | None = None) -> Narrow:
    """Stacked layout: the map (full width) with numbers, legend and chart under it, the lower area below.

    panel_rows: what the open panel fills (a small network, a short layer); the lower area takes no more."""
    rows = max(1, height - KEYBAR_ROWS)
    small, share = (SIDE_MIN, SIDE_SHARE) if panel == "controls" else (PANEL_MIN, PANEL_SHARE)
    side = max(small, round(rows * share))
    if panel_rows is not None:
        side = min(side, max(SIDE_MIN, panel_rows))
    view = max(min(VIEW_MIN, rows), rows - side)
    side = max(0, rows - view)
    left = max(1, view - NUMBER_ROWS - goal_rows - legend_rows)      # the map, its caption and the chart
    caption = 1 if captioned else 0
    chart = max(0, min(CHART_MAX, left - caption - MAP_ROWS))
    if not chart and left - caption > MAP_ROWS_SMALL:       # a phone: one row of sparklines for one map row
        chart = 1
    return Narrow(view=view, map=left - chart, chart=chart, side=side)
