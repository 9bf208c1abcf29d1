"""The decision-boundary heat map: a line-API widget drawing boundary.render_rows, tap to add a point."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from annplay import boundary as bd
from annplay.core.fields import LEVELS  # noqa: E402  (the colour levels every picture uses)
from annplay.core.textsafe import plain


def target_range(y: Any) -> tuple[float, float] | None:
    """The fixed regression colour scale: the target's real minimum and maximum, in its own units (None: no data).

    A stated, fixed scale: outputs beyond it are drawn at its ends, so colours mean the same at every epoch.
    """
    values = np.asarray(y, dtype=np.float64).reshape(-1)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None
    lo, hi = float(finite.min()), float(finite.max())
    return (lo - 1.0, hi + 1.0) if not hi > lo else (lo, hi)


PLAIN_STYLE = Style()


def axis_parts(bounds: bd.Bounds, names: Sequence[str] = ("x1", "x2"), mean: Any = None,
               std: Any = None) -> tuple[tuple[str, ...], ...]:
    """Each axis in words, longest wording first: '↔ bill_length_mm 30.7…60.2', '… 31…60', '↔ bill_length_mm'.

    In the data's real units when it was standardised. A narrow map takes the first wording that fits, so a long
    CSV column name loses its range rather than being cut ('↕ flipper_length_mm 1…' read as a range from 1)."""
    parts = []
    real = mean is not None and std is not None
    mu, sd = (np.ravel(mean), np.ravel(std)) if real else (np.zeros(2), np.ones(2))
    for i, (arrow, lo, hi) in enumerate((("↔", bounds.x_min, bounds.x_max), ("↕", bounds.y_min, bounds.y_max))):
        lo, hi = lo * float(sd[i]) + float(mu[i]), hi * float(sd[i]) + float(mu[i])
        name = plain(str(names[i])) if i < len(names) else f"x{i + 1}"
        head = f"{arrow} {name}"
        whole = max(abs(lo), abs(hi)) >= 10
        ranges = dict.fromkeys((f"{lo:.3g}…{hi:.3g}", f"{lo:.0f}…{hi:.0f}" if whole else f"{lo:.2g}…{hi:.2g}"))
        parts.append(tuple(f"{head} {r}".replace("-", "−") for r in ranges) + (head,))
    return tuple(parts)


def axis_caption(bounds: bd.Bounds, names: Sequence[str] = ("x1", "x2"), mean: Any = None, std: Any = None) -> str:
    """The map's axes in words: '↔ x1 −6…6  ↕ x2 −6…6', in the data's real units when it was standardised."""
    return longest_caption(axis_parts(bounds, names, mean, std))


def longest_caption(parts: Sequence[Sequence[str]]) -> str:
    """Every axis in its longest wording, on one line."""
    return "  ".join(variants[0] for variants in parts)


def picture_rows(field: np.ndarray, points: Any, bounds: bd.Bounds, kind: str, discretize: bool,
                 scale: tuple[float, float] | None = None, color: bool = True) -> list[list[Segment]]:
    """A field (and points) as rows of Rich segments: pure, so the worker thread can call it.

    ``scale`` is the regression colour range (the target's real min and max); None stretches to the field.
    """
    vmin, vmax = scale if scale is not None and kind == "regression" else (None, None)
    rows = bd.render_rows(field, points, bounds=bounds, kind=kind, levels=LEVELS, discretize=discretize,
                          vmin=vmin, vmax=vmax, color=color)
    if not color:                               # a terminal's filters need a style on every segment
        rows = [[Segment(segment.text, PLAIN_STYLE) for segment in row] for row in rows]
    return rows


def regression_legend(scale: tuple[float, float], show_test: bool, color: bool = True) -> list[Any]:
    """The regression legend on its fixed scale: low value, the colour ramp, high value, and the point marks."""
    return legend_entries("regression", (), 2, show_test, scale=scale, color=color)


class HeatMap(Widget, can_focus=True):
    """Network output over the data's plane in half blocks (two pixels per cell), points on top.

    Taps add points; with focus (Tab, or the playground's P) a cursor does the same from the keyboard:
    arrows or h/j/k/l move it, enter draws a point of the Draw class under it."""

    BINDINGS = [
        Binding("left,h", "move(-1, 0)", "Cursor left", show=False),
        Binding("right,l", "move(1, 0)", "Cursor right", show=False),
        Binding("up,k", "move(0, -1)", "Cursor up", show=False),
        Binding("down,j", "move(0, 1)", "Cursor down", show=False),
        Binding("enter", "draw", "Draw a point here", show=False),
    ]

    DEFAULT_CSS = """
    HeatMap {
        width: 1fr;
        height: 1fr;
        min-width: 10;
        min-height: 4;
    }
    """

    class Tapped(Message):
        """A tap (click) on the picture at input-plane point (x1, x2)."""

        def __init__(self, x1: float, x2: float) -> None:
            super().__init__()
            self.x1 = x1
            self.x2 = x2

    class PictureResized(Message):
        """The picture's size in cells changed: a new field is needed."""

        def __init__(self, width: int, height: int) -> None:
            super().__init__()
            self.width = width
            self.height = height

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.bounds: bd.Bounds = bd.DEFAULT_BOUNDS
        self.kind = "binary"
        self.discretize = False
        self.field: np.ndarray | None = None
        self.points: Any = ()
        self.scale: tuple[float, float] | None = None     # the regression colour range (target min, max)
        self.color = True                                  # False: glyph density and digits, no colour
        self.caption = ""                                  # the axes in words, on the last row
        self.caption_parts: tuple[tuple[str, ...], ...] = ()   # per axis, its wordings longest first
        self._rows: list[list[Segment]] = []
        self._strips: list[Strip] = []
        self._blank = Strip.blank(0)
        self._picture = (0, 0)
        self.cursor: tuple[int, int] | None = None         # (column, row) in the picture while the map has focus

    # --- geometry -------------------------------------------------------------------

    @property
    def rows(self) -> list[list[Segment]]:
        """The picture's rows of segments as last drawn."""
        return self._rows

    def picture_size(self) -> tuple[int, int]:
        """(width, height) in cells of the largest picture with square pixels that fits (never stretched)."""
        w, h = self.size
        h -= len(self.caption_lines())
        if w < 1 or h < 1:
            return (0, 0)
        return bd.fit_size(w, h, self.bounds.aspect)

    def _captioned(self) -> bool:
        """The last row names the axes when there is a caption and room for it."""
        return bool(self.caption) and self.size.height >= 5

    def caption_lines(self) -> list[str]:
        """The caption's rows under the picture: one, or (too long for the width) one per axis; none without room.

        Each axis takes its longest wording that fits (a range with fewer digits, then its name alone)."""
        if not self._captioned():
            return []
        width, parts = max(1, self.size.width), self.caption_parts
        depth = max(len(variants) for variants in parts)
        joined = ["  ".join(variants[min(i, len(variants) - 1)] for variants in parts) for i in range(depth)]
        if len(joined[0]) <= width or len(parts) < 2 or self.size.height < 8:
            return [next((line for line in joined if len(line) <= width), joined[-1])]
        return [next((line for line in variants if len(line) <= width), variants[-1]) for variants in parts]

    def show_caption(self, parts: Sequence[Sequence[str]]) -> None:
        """Name the axes: per axis its wordings, longest first (``axis_parts``); none gives the row back to the
        picture."""
        wordings = tuple(tuple(variants) for variants in parts if variants)
        if wordings != self.caption_parts:
            self.caption_parts = wordings
            self.caption = longest_caption(wordings)
            self.on_resize(events.Resize(self.size, self.size))

    def origin(self) -> tuple[int, int]:
        """Top-left cell of the picture inside the widget (the picture is centred)."""
        pw, ph = self._picture
        h = self.size.height - len(self.caption_lines())
        return max(0, (self.size.width - pw) // 2), max(0, (h - ph) // 2)

    def on_resize(self, event: events.Resize) -> None:
        """Tell the screen when the picture size changes."""
        size = self.picture_size()
        if size != self._picture:
            self._picture = size
            if self.cursor is not None:                     # keep the cursor inside the new picture
                self.cursor = (min(self.cursor[0], max(0, size[0] - 1)), min(self.cursor[1], max(0, size[1] - 1)))
            self.post_message(self.PictureResized(*size))
        self._build_strips()
        self.refresh()

    # --- content --------------------------------------------------------------------

    def rows_for(self, field: np.ndarray) -> list[list[Segment]]:
        """Rows of segments for a field with this widget's settings."""
        return picture_rows(field, self.points, self.bounds, self.kind, self.discretize, self.scale, self.color)

    def show(self, *, field: np.ndarray | None = None, points: Any = None, kind: str | None = None,
             discretize: bool | None = None, bounds: bd.Bounds | None = None,
             rows: list[list[Segment]] | None = None) -> None:
        """Update any of field, points, kind, discretize and bounds; redraw once if anything changed.

        ``rows`` are the field's rows already rendered (by the worker) with the current settings.
        """
        if kind is not None:
            self.kind = kind
        if discretize is not None:
            self.discretize = discretize
        if points is not None:
            self.points = points
        if bounds is not None and bounds != self.bounds:
            self.bounds = bounds
            self._picture = (0, 0)
            self.on_resize(events.Resize(self.size, self.size))
        if field is not None:
            self.field = field
        self._render_rows(rows)

    def bounds_changed(self, bounds: bd.Bounds) -> None:
        """New bounds (a new picture size follows); the old field is not redrawn on them."""
        if bounds != self.bounds:
            self.bounds = bounds
            self._picture = (0, 0)
            self.on_resize(events.Resize(self.size, self.size))

    def _render_rows(self, rows: list[list[Segment]] | None = None) -> None:
        """Turn the field and points into rows of segments; refresh only the rows that differ."""
        if rows is None:
            try:
                rows = [] if self.field is None else self.rows_for(self.field)
            except ValueError:  # a field of the previous problem kind, between a change and its redraw
                return
        if rows == self._rows:
            return
        old, self._rows = self._rows, rows
        if len(old) != len(rows) or len(self._strips) != self.size.height:
            self._build_strips()
            self.refresh()
            return
        _left, top = self.origin()
        for i, (before, after) in enumerate(zip(old, rows, strict=True)):
            if before != after and 0 <= top + i < len(self._strips):   # only changed rows are redrawn
                self._strips[top + i] = self._strip(after)
                self.refresh(Region(0, top + i, self.size.width, 1))

    def _strip(self, row: list[Segment]) -> Strip:
        """One picture row as a full-width strip with the centring margin."""
        width = self.size.width
        base = self.rich_style
        left, _top = self.origin()
        cells = left + sum(len(segment.text) for segment in row)     # every picture character is one cell wide
        strip = Strip([Segment(" " * left, base), *row], cells)
        return (strip.crop(0, width) if cells > width else strip).extend_cell_length(width, base)

    def _build_strips(self) -> None:
        """Full-width strips for every row (render_line then only looks them up)."""
        width, height = self.size
        _left, top = self.origin()
        self._blank = Strip.blank(width, self.rich_style)
        self._strips = [self._blank] * height
        for i, row in enumerate(self._rows):
            if 0 <= top + i < height:
                self._strips[top + i] = self._strip(row)
        lines = self.caption_lines()
        dim = self.rich_style + Style(dim=True)
        for i, line in enumerate(lines if height >= len(lines) else []):
            caption = line if len(line) <= width else line[: max(0, width - 1)].rstrip("…") + "…"   # never "……"
            margin = Segment(" " * max(0, (width - len(caption)) // 2), self.rich_style)
            strip = Strip([margin, Segment(caption, dim)])
            self._strips[height - len(lines) + i] = strip.extend_cell_length(width, self.rich_style)

    def render_line(self, y: int) -> Strip:
        """One terminal row: blank margins around the centred picture (and the keyboard cursor, in reverse)."""
        if len(self._strips) != self.size.height or self._blank.cell_length != self.size.width:
            self._build_strips()
        strip = self._strips[y] if 0 <= y < len(self._strips) else self._blank
        if self.cursor is None or not self.has_focus:            # every row of every frame: nothing more to do
            return strip
        cursor = self._inside(self.cursor)
        left, top = self.origin()
        if cursor is not None and y == top + cursor[1] and left + cursor[0] < strip.cell_length:
            x = left + cursor[0]
            before, cell, after = strip.divide([x, x + 1, strip.cell_length])[:3]
            style = next((seg.style for seg in cell if seg.style is not None), None) or Style()
            strip = Strip.join([before, Strip([Segment("+", style + Style(reverse=True, bold=True))], 1), after])
        return strip

    def _inside(self, cursor: tuple[int, int] | None) -> tuple[int, int] | None:
        """The cursor moved inside the picture as it is now (a resize may shrink it first), None without one."""
        pw, ph = self._picture
        if cursor is None or pw < 1 or ph < 1:
            return None
        return min(cursor[0], pw - 1), min(cursor[1], ph - 1)

    # --- the keyboard cursor --------------------------------------------------------

    def _cursor_row(self) -> None:
        """Redraw the cursor's row (after it moved, appeared or went)."""
        cursor = self._inside(self.cursor)
        if cursor is not None:
            self.refresh(Region(0, self.origin()[1] + cursor[1], self.size.width, 1))

    def on_focus(self) -> None:
        pw, ph = self._picture
        if self.cursor is None and pw > 0 and ph > 0:
            self.cursor = (pw // 2, ph // 2)
        self._cursor_row()

    def on_blur(self) -> None:
        self._cursor_row()

    def action_move(self, dx: int, dy: int) -> None:
        """Move the cursor a cell, within the picture."""
        pw, ph = self._picture
        if pw < 1 or ph < 1:
            return
        col, row = self._inside(self.cursor) or (pw // 2, ph // 2)
        self._cursor_row()
        self.cursor = (min(pw - 1, max(0, col + dx)), min(ph - 1, max(0, row + dy)))
        self._cursor_row()

    def action_draw(self) -> None:
        """Draw a point under the cursor, as a tap there would."""
        if self.cursor is None:
            self.on_focus()
        cursor = self._inside(self.cursor)
        if cursor is None:
            return
        left, top = self.origin()
        point = self.point_at(left + cursor[0], top + cursor[1])
        if point is not None:
            self.post_message(self.Tapped(*point))

    # --- taps -----------------------------------------------------------------------

    def point_at(self, x: int, y: int) -> tuple[float, float] | None:
        """Input-plane point under widget cell (x, y), or None outside the picture."""
        pw, ph = self._picture
        left, top = self.origin()
        col, row = x - left, y - top
        if pw < 1 or ph < 1 or not (0 <= col < pw and 0 <= row < ph):
            return None
        return bd.cell_to_point(self.bounds, pw, ph, col, row)

    def on_click(self, event: events.Click) -> None:
        """A tap on the picture asks to add a point there."""
        point = self.point_at(event.x, event.y)
        if point is not None:
            event.stop()
            left, top = self.origin()
            self._cursor_row()
            self.cursor = (event.x - left, event.y - top)   # the keyboard goes on from the last tap
            self._cursor_row()
            self.post_message(self.Tapped(*point))


def legend_entries(kind: str, class_names: Sequence[str], n_classes: int, show_test: bool,
                   scale: tuple[float, float] | None = None, color: bool = True) -> list[Any]:
    """The legend as Rich Text entries ("█ setosa", "● train"): class colours, and the point marks when test
    points are shown (they matter only when both kinds are drawn). A legend wraps between entries, never inside."""
    from rich.text import Text

    vmin, vmax = scale if scale is not None else (None, None)
    parts = bd.legend(kind, class_names, n_classes=n_classes if kind == "multiclass" else None, levels=LEVELS,
                      vmin=vmin, vmax=vmax, color=color)
    entries: list[Text] = []
    current = Text()
    if not color:                              # plain parts carry their separators inside: split them there
        parts = [(piece + "  ", None) for chunk, _style in parts for piece in chunk.split("  ") if piece.strip()]
        parts = [(c, s) for c, s in parts if show_test or not c.strip().startswith("points:")] + (
            [] if show_test else [(f"points: {' '.join(bd.TRAIN_CHARS[:max(2, n_classes)])} train", None)])
    for chunk, style in parts:
        if not show_test and chunk.strip() in (bd.TRAIN_GLYPH, "train", bd.TEST_GLYPH, "test"):
            continue
        if chunk.strip():
            current.append(chunk.rstrip() if chunk.endswith("  ") else chunk, style)
        if (not chunk.strip() or chunk.endswith("  ")) and current.plain:
            entries.append(current)                # a blank chunk or a double space ends an entry
            current = Text()
    if current.plain:
        entries.append(current)
    return entries
