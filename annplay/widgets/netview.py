"""The network view: columns of neurons, each hidden neuron's own output map, incoming weights as colour strips."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annplay import boundary as bd
from annplay.core.fields import LEVELS, NetMaps

THUMB_SIZES = ((6, 3), (4, 2))  # a neuron's map in cells (w, h): 6×6 or 4×4 half-block pixels, the larger if it fits
GAP = 2                          # cells between columns (selection brackets, spacing)
DIM_RGB = (0x3A, 0x3A, 0x3A)   # a weight near zero fades to this
SELECTED_STYLE = Style(bold=True, color=Color.from_rgb(0xFF, 0xD7, 0x00))   # the brackets of the neuron shown


# --- drawing -----------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def weight_style(left: int, right: int) -> Style:
    """Style of a '▌' cell showing two weights' shades (codes -4..4: sign × magnitude step)."""
    return Style(color=_weight_color(left), bgcolor=_weight_color(right))


def _weight_color(code: int) -> Color:
    """Blue for positive, orange for negative, fading to dim grey towards zero."""
    base = bd.BLUE if code > 0 else bd.ORANGE
    t = abs(code) / 4
    return Color.from_rgb(*(round(d + (c - d) * t) for d, c in zip(DIM_RGB, base, strict=True)))


def weight_codes(w: np.ndarray, scale: float) -> list[int]:
    """Weights as shade codes -4..4 (0: about zero), relative to scale."""
    if scale <= 0 or not np.isfinite(scale):
        scale = 1.0
    return [int(c) for c in np.rint(np.clip(np.nan_to_num(np.asarray(w, float)) / scale, -1, 1) * 4)]


def weight_strip(w: np.ndarray, scale: float, width: int) -> list[Segment]:
    """Incoming weights as a row of cells: one '█' per weight when they fit, else two per '▌' cell, then '…'."""
    codes = weight_codes(w, scale)
    if len(codes) <= width:
        return [Segment("█", Style(color=_weight_color(c))) for c in codes]
    more = (len(codes) + 1) // 2 > width
    if more:
        codes = codes[: 2 * (width - 1)]
    if len(codes) % 2:
        codes.append(0)
    segments = [Segment("▌", weight_style(codes[i], codes[i + 1])) for i in range(0, len(codes), 2)]
    if more:
        segments.append(Segment("…", Style(dim=True)))
    return segments


def columns_width(n_layers: int) -> int:
    """Cells the all-layers layout needs across with the larger thumbnails."""
    return 1 + n_layers * (THUMB_SIZES[0][0] + GAP)


def plan(layers: Sequence[int], shown_layer: int, width: int, height: int) -> tuple[bool, tuple[int, int],
                                                                                 list[Box], Size]:
    """(flow, thumbnail size, boxes, virtual size) for a network in a width × height region: every layer in
    columns with the largest thumbnails that fit, else one hidden layer at a time, its neurons wrapping."""
    hidden = len(layers) - 2
    for thumb in THUMB_SIZES:
        pitch, rows = thumb[0] + GAP, thumb[1] + 1
        size = Size(1 + len(layers) * pitch, 1 + max(layers) * rows)
        if size.width <= width and size.height <= height or hidden == 0:
            boxes = [Box(layer, i, 1 + layer * pitch, 1 + i * rows) for layer, n in enumerate(layers) for i in range(n)]
            return False, thumb, boxes, size
    usable = max(pitch + 1, width - 1)              # leave the scrollbar its column
    per_line = max(1, (usable - 1) // pitch)
    n = layers[shown_layer]
    boxes = [Box(shown_layer, i, 1 + (i % per_line) * pitch, 1 + (i // per_line) * rows) for i in range(n)]
    lines = (n + per_line - 1) // per_line
    return True, thumb, boxes, Size(usable, 1 + lines * rows)


@dataclass
class Box:
    """Where one neuron is drawn: layer (0 = inputs), index, top-left cell."""

    layer: int
    index: int
    x: int
    y: int


class NetView(ScrollView, can_focus=True):
    """Neurons in columns (or, when narrow, one hidden layer at a time); arrows or taps select a neuron."""

    DEFAULT_CSS = """
    NetView {
        height: 1fr;
        width: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    NetView:focus { background-tint: $accent 8%; }
    """

    PANEL_NAME = "network view"
    BINDINGS = [
        Binding("up,k", "move(0, -1)", "Previous neuron", show=False),
        Binding("down,j", "move(0, 1)", "Next neuron", show=False),
        Binding("left,h", "move(-1, 0)", "Left", show=False),
        Binding("right,l", "move(1, 0)", "Right", show=False),
        Binding("less_than_sign,comma", "layer(-1)", "Previous layer", show=False),
        Binding("greater_than_sign,full_stop", "layer(1)", "Next layer", show=False),
        Binding("enter", "show_neuron", "Show neuron", key_display="⏎", tooltip="show its map in the big map"),
        Binding("enter", "hide_neuron", "Hide neuron", key_display="⏎", tooltip="the network's output map again"),
        Binding("escape", "deselect", "Output map", key_display="esc", tooltip="back to the network's output"),
    ]

    class NeuronSelected(Message):
        """A hidden neuron was selected (layer, index), or none (both None): show its map, or the output."""

        def __init__(self, layer: int | None, index: int | None) -> None:
            super().__init__()
            self.layer = layer
            self.index = index

        @property
        def neuron(self) -> tuple[int, int] | None:
            return None if self.layer is None or self.index is None else (self.layer, self.index)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: NetMaps | None = None
        self.selected: tuple[int, int] | None = None
        self.cursor: tuple[int, int] = (1, 0)          # where enter selects (the last selection)
        self.shown_layer = 1                                  # the hidden layer shown when one layer at a time
        self.flow = False                               # True: one layer at a time, neurons wrapping
        self.thumb = THUMB_SIZES[-1]                    # the thumbnail size in use (w, h) in cells
        self.boxes: list[Box] = []
        self._strips: list[Strip] = []
        self._arrows: tuple[int, int] = (-1, -1)        # header x of ◀ and ▶ (one-layer mode)
        self.marks: dict[tuple[int, int], str] = {}     # the doctor's (layer, index) → "dead" | "saturated"

    # --- data ----------------------------------------------------------------------------

    @property
    def hidden_layers(self) -> int:
        """Number of hidden layers of the network shown."""
        return 0 if self.data is None else len(self.data.layers) - 2

    def show_maps(self, data: NetMaps) -> None:
        """New maps and weights (same or new network): keep the selection if it still exists."""
        self.data = data
        if self.selected is not None and not self._exists(self.selected):
            self.selected = None
        if not self._exists(self.cursor):
            self.cursor = (1, 0)
        self.shown_layer = max(1, min(self.shown_layer, max(1, self.hidden_layers)))
        self._rebuild()

    def set_marks(self, marks: dict[tuple[int, int], str]) -> None:
        """Mark the units the training doctor found dead (✕) or saturated (≈); redraws only on a change."""
        if marks != self.marks:
            self.marks = dict(marks)
            if self.data is not None:
                self._rebuild()

    def _exists(self, neuron: tuple[int, int]) -> bool:
        """True when (layer, index) is a hidden neuron of the network shown."""
        layer, index = neuron
        return self.data is not None and 1 <= layer <= self.hidden_layers and 0 <= index < self.data.layers[layer]

    def select(self, neuron: tuple[int, int] | None, *, notify: bool = True) -> None:
        """Select a hidden neuron (None: none); tell the screen."""
        if neuron is not None and not self._exists(neuron):
            return
        changed = neuron != self.selected
        self.selected = neuron
        if neuron is not None:
            self.cursor = neuron
            self.shown_layer = neuron[0]
        self._rebuild()
        self.refresh_bindings()
        if neuron is not None:
            self._scroll_to_neuron(neuron)
        if notify and changed:
            self.post_message(self.NeuronSelected(*(neuron or (None, None))))

    # --- layout --------------------------------------------------------------------------

    @property
    def pitch(self) -> int:
        """Cells from one column of neurons to the next."""
        return self.thumb[0] + GAP

    @property
    def neuron_rows(self) -> int:
        """Rows per neuron: its map and its incoming-weight strip."""
        return self.thumb[1] + 1

    def _layout(self) -> tuple[list[Box], Size]:
        """Boxes and the virtual size: all layers in columns if they fit (larger maps first), else one hidden layer."""
        if self.data is None:
            return [], Size(0, 0)
        self.flow, self.thumb, boxes, size = plan(self.data.layers, self.shown_layer, *self.region.size)
        return boxes, size

    def rows_for(self, width: int, height: int) -> int:
        """Rows the view draws in a width × height region (fewer when the network is small): the layout's need."""
        if self.data is None:
            return 0
        return plan(self.data.layers, self.shown_layer, width, height)[3].height

    def on_resize(self, event: events.Resize) -> None:
        self._rebuild()

    # --- drawing -------------------------------------------------------------------------

    def _rebuild(self) -> None:
        """Lay out and draw every line once (render_line only crops)."""
        self.boxes, size = self._layout()
        width, height = size
        base = self.rich_style
        rows: list[list[Segment]] = [[] for _ in range(height)]
        cells: list[list[Segment | None]] = [[None] * width for _ in range(height)]
        data = self.data
        if data is not None:
            self._draw_header(cells, width)
            palette = bd.get_palette("binary", 2, LEVELS)
            for box in self.boxes:
                self._draw_neuron(cells, box, palette)
        for y in range(height):
            for x in range(width):
                rows[y].append(cells[y][x] or Segment(" ", base))
        self._strips = [Strip(row).simplify() for row in rows]
        self.virtual_size = size
        self.refresh()

    def _put(self, cells: list[list[Segment | None]], x: int, y: int, text: str, style: Style) -> None:
        """Write text at (x, y), clipped to the canvas."""
        if not 0 <= y < len(cells):
            return
        style = self.rich_style + style                 # on the widget's own background
        for i, ch in enumerate(text):
            if 0 <= x + i < len(cells[y]):
                cells[y][x + i] = Segment(ch, style)

    def _draw_header(self, cells: list[list[Segment | None]], width: int) -> None:
        """Layer names over the columns, or '◀ layer k/n act ▶' in one-layer mode."""
        data = self.data
        assert data is not None
        bold, dim = Style(bold=True), Style(dim=True)
        if self.flow:
            n = self.hidden_layers
            act = data.activations[self.shown_layer - 1]
            title = f" layer {self.shown_layer}/{n} · {data.layers[self.shown_layer]} {act} "
            self._put(cells, 0, 0, "◀", bold if self.shown_layer > 1 else dim)
            self._put(cells, 1, 0, title[: max(0, width - 2)], bold)
            right = min(width - 1, 1 + len(title))
            self._put(cells, right, 0, "▶", bold if self.shown_layer < n else dim)
            self._arrows = (0, right)
            return
        last = len(data.layers) - 1
        for layer in range(len(data.layers)):
            name = "in" if layer == 0 else "out" if layer == last else f"L{layer}"
            self._put(cells, 1 + layer * self.pitch, 0, name, bold if layer == self.cursor[0] else dim)

    def _draw_neuron(self, cells: list[list[Segment | None]], box: Box, palette: bd.Palette) -> None:
        """The neuron's map (or a grey box), selection brackets, and its incoming weights (or its input label)."""
        data = self.data
        assert data is not None
        maps = data.maps
        tw, th = self.thumb
        codes = None if maps is None else maps[box.layer][box.index]
        for row in range(th):
            for col in range(tw):
                if codes is None:
                    self._put(cells, box.x + col, box.y + row, "░", Style(dim=True))
                    continue
                source_col = col * codes.shape[1] // tw           # sample the computed grid
                top = int(codes[(2 * row) * codes.shape[0] // (2 * th), source_col])
                bottom = int(codes[(2 * row + 1) * codes.shape[0] // (2 * th), source_col])
                self._put(cells, box.x + col, box.y + row, bd.HALF_BLOCK, palette.heat_style(top, bottom))
        neuron = (box.layer, box.index)
        found = self.marks.get(neuron)
        if found is not None:                             # the doctor's finding, in the map's top-left cell
            self._put(cells, box.x, box.y, "✕" if found == "dead" else "≈",
                      Style(bold=True, color="red" if found == "dead" else "yellow"))
        if neuron == self.selected or (neuron == self.cursor and self.has_focus):
            mark = SELECTED_STYLE if neuron == self.selected else Style(bold=True)
            for row in range(th):
                self._put(cells, box.x - 1, box.y + row, "▐" if neuron == self.selected else "[", mark)
                self._put(cells, box.x + tw, box.y + row, "▌" if neuron == self.selected else "]", mark)
        y = box.y + th
        if box.layer == 0:
            label = data.input_labels[box.index] if box.index < len(data.input_labels) else f"x{box.index + 1}"
            self._put(cells, box.x, y, label[: tw + 1], Style(dim=True))
            return
        W = data.weights[box.layer - 1]
        scale = float(np.max(np.abs(W))) if W.size else 1.0
        x = box.x
        for segment in weight_strip(W[box.index], max(scale, 1e-9), tw):
            self._put(cells, x, y, segment.text, segment.style or Style())
            x += 1

    def render_line(self, y: int) -> Strip:
        """One visible line: the virtual line under the scroll offset, cropped to the width."""
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.size.width
        if 0 <= index < len(self._strips):
            return self._strips[index].crop(scroll_x, scroll_x + width).extend_cell_length(width, self.rich_style)
        return Strip.blank(width, self.rich_style)

    def _scroll_to_neuron(self, neuron: tuple[int, int]) -> None:
        """Scroll the neuron into view."""
        for box in self.boxes:
            if (box.layer, box.index) == neuron:
                self.scroll_to_region(Region(box.x - 1, max(0, box.y - 1), self.pitch, self.neuron_rows + 1),
                                      animate=False, immediate=True)
                return

    # --- keys and taps -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape deselects only when a neuron is shown (else it goes on to the screen: close the view)."""
        if action in ("deselect", "hide_neuron"):
            return self.selected is not None
        if action == "show_neuron":                # ⏎ says what it does: Show, or Hide when a neuron is shown
            return self.selected is None
        return True

    def action_move(self, dx: int, dy: int) -> None:
        """Arrows follow the picture: ↑↓ along a column, ←→ across layers; along the rows when one layer."""
        if self.hidden_layers == 0 or self.data is None:
            self.app.bell()
            return
        layer, index = self.selected or self.cursor            # from the highlighted neuron: the first ↓ moves
        if self.flow:
            per_line = max(1, sum(1 for b in self.boxes if b.y == self.boxes[0].y)) if self.boxes else 1
            if dy and not 0 <= index + dy * per_line < self.data.layers[layer]:
                per_line = 1                              # no line above or below: ↑↓ step to the neighbour
            index += dx + dy * per_line
            if index < 0 and dx and layer > 1:
                layer -= 1
                index = self.data.layers[layer] - 1
            elif index >= self.data.layers[layer] and dx and layer < self.hidden_layers:
                layer, index = layer + 1, 0
        else:
            index += dy
            if dx:
                layer = max(1, min(self.hidden_layers, layer + dx))
        index = max(0, min(self.data.layers[layer] - 1, index))
        self.select((layer, index))

    def action_layer(self, step: int) -> None:
        """Show (and select in) the previous or next hidden layer."""
        if self.hidden_layers == 0 or self.data is None:
            return
        layer = max(1, min(self.hidden_layers, (self.selected or self.cursor)[0] + step))
        index = min((self.selected or self.cursor)[1], self.data.layers[layer] - 1)
        self.select((layer, index))

    def action_show_neuron(self) -> None:
        """Show the highlighted neuron's map in the big map."""
        self.select(self.cursor)

    def action_hide_neuron(self) -> None:
        """Back to the network's output map (the neuron stays highlighted)."""
        self.select(None)

    def action_deselect(self) -> None:
        """Back to the network's output in the heat map."""
        self.select(None)

    def on_click(self, event: events.Click) -> None:
        """Tap a hidden neuron to select it, tap it again to deselect; tap ◀ ▶ to change layer."""
        event.stop()
        self.focus()
        x, y = event.x + int(self.scroll_x), event.y + int(self.scroll_y)
        if self.flow and y == 0:
            if x == self._arrows[0]:
                self.action_layer(-1)
            elif x >= self._arrows[1] - 1:
                self.action_layer(1)
            return
        for box in self.boxes:
            if box.layer >= 1 and box.x - 1 <= x <= box.x + self.thumb[0] and box.y <= y < box.y + self.neuron_rows:
                neuron = (box.layer, box.index)
                if box.layer > self.hidden_layers:
                    return
                self.select(None if neuron == self.selected else neuron)
                return

    def on_focus(self) -> None:
        self._rebuild()

    def on_blur(self) -> None:
        self._rebuild()
