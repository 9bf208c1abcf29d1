"""Decision-boundary pictures: a network's outputs over the input plane as terminal characters.

Pure and shared by the CLI and the app's HeatMap widget: the caller supplies a prediction
function (or the grid of outputs); nothing here knows about networks.

Geometry: a picture is ``width`` terminal columns by ``height`` terminal rows.  Every cell holds
two square-ish "pixels" (top and bottom half, drawn as ``"▀"`` with foreground = top colour and
background = bottom colour), so the sampled grid is ``width`` columns by ``2*height`` pixel rows.
Pixel row 0 is at the TOP (largest x2); column 0 is on the LEFT (smallest x1).

Pipeline: ``grid_inputs`` → ``predict`` → ``outputs_to_field`` → ``quantize`` (integer colour
codes) → ``Palette`` (colours, styles, plain characters) → ``render_rows`` / ``plain_lines``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from annplay.core.fields import (  # noqa: F401  (re-exported: the numeric half of the pipeline lives in fields.py)
    DEFAULT_BOUNDS,
    DEFAULT_BOUNDS_LIMIT,
    DEFAULT_LEVELS,
    KINDS,
    MAX_LEVELS,
    MIN_LEVELS,
    Bounds,
    Points,
    _as_class_field,
    _as_scalar_field,
    _check_bounds,
    _kind,
    _levels,
    _n_classes,
    _overlay,
    _regression_mid,
    as_points,
    bounds_for,
    cell_to_point,
    fit_size,
    grid_inputs,
    outputs_to_field,
    point_to_cell,
    point_to_pixel,
    predict_field,
    quantize,
    value_range,
)

if TYPE_CHECKING:  # pragma: no cover
    from rich.text import Text

__all__ = ["KINDS", "DEFAULT_LEVELS", "DEFAULT_BOUNDS", "HALF_BLOCK", "TRAIN_GLYPH", "TEST_GLYPH", "Bounds",
           "Points", "Palette", "BoundaryRenderer", "bounds_for", "fit_size", "grid_inputs", "cell_to_point",
           "point_to_cell", "point_to_pixel", "outputs_to_field", "predict_field", "value_range", "quantize",
           "get_palette", "as_points", "render_rows", "plain_lines", "legend", "render_text"]


HALF_BLOCK = "▀"
TRAIN_GLYPH = "●"
TEST_GLYPH = "◆"

RGB = tuple[int, int, int]

# TensorFlow Playground's colours: class 0 / negative = orange, class 1 / positive = blue.
ORANGE: RGB = (0xF5, 0x93, 0x22)
BLUE: RGB = (0x08, 0x77, 0xBD)
NEUTRAL: RGB = (0xE8, 0xEA, 0xEB)
CLASS_RGB: tuple[RGB, ...] = (
    ORANGE,
    BLUE,
    (0x2C, 0xA0, 0x2C),  # green
    (0x94, 0x67, 0xBD),  # purple
    (0xD6, 0x27, 0x28),  # red
    (0x17, 0xBE, 0xCF),  # teal
    (0x8C, 0x56, 0x4B),  # brown
    (0xE3, 0x77, 0xC2),  # pink
    (0xBC, 0xBD, 0x22),  # olive
    (0x7F, 0x7F, 0x7F),  # grey
)

# Plain (ASCII) mode: region characters per class (binary/regression: '-' low/class 0, '+' high/class 1),
# '.' where the network is unsure, digits for training points, letters for test points.
REGION_CHARS = "-+~=*%&$/\\"
UNSURE_CHAR = "."
WEAK_STRENGTH = 0.25  # below this confidence a cell is drawn as UNSURE_CHAR in plain mode
TRAIN_CHARS = "0123456789"
TEST_CHARS = "abcdefghij"


# --------------------------------------------------------------------------- palettes


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear blend from colour a (t=0) to colour b (t=1)."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _luminance(rgb: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        v = c / 255.0
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours (1 = none, 21 = black on white)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def class_rgb(index: int) -> RGB:
    """Base colour of class index (orange, blue, green, purple, red, ...; cycles after ten)."""
    return CLASS_RGB[int(index) % len(CLASS_RGB)]


POINT_BG: RGB = (0x14, 0x14, 0x14)   # every dot sits on this: one colour per class, readable on every cell
POINT_CONTRAST = 4.5                 # each class's dot colour reaches this against POINT_BG


@cache
def point_rgb(index: int) -> RGB:
    """The one dot colour of class index: its own colour, lightened only as far as needed to read on POINT_BG."""
    base = class_rgb(index)
    return next((c for c in (_mix(base, (255, 255, 255), i / 20) for i in range(20))
                 if contrast_ratio(c, POINT_BG) >= POINT_CONTRAST), (255, 255, 255))


def set_scheme(classes: Sequence[RGB]) -> None:
    """Use another class colour scheme (colour-blind safe, high contrast): first two = low/high; caches cleared."""
    global ORANGE, BLUE, CLASS_RGB
    CLASS_RGB = tuple(classes)
    ORANGE, BLUE = CLASS_RGB[0], CLASS_RGB[1]
    point_rgb.cache_clear()
    get_palette.cache_clear()


def _color(rgb: RGB) -> Color:
    """A truecolor rich Color (Rich downgrades it for 256/16-colour terminals)."""
    return Color.from_rgb(*rgb)


class Palette:
    """Colours, cached styles and plain characters for every colour code of one (kind, classes, levels)."""

    def __init__(self, kind: str = "binary", n_classes: int = 2, levels: int = DEFAULT_LEVELS) -> None:
        """Build the colour table; styles are created on first use and kept."""
        self.kind = _kind(kind)
        self.levels = _levels(levels)
        self.n_classes = int(n_classes) if kind == "multiclass" else 2
        if self.n_classes < 2:
            raise ValueError("a multiclass palette needs at least 2 classes")
        top = self.levels - 1
        rgb: list[RGB] = []
        side: list[int] = []
        strength: list[float] = []
        if kind == "multiclass":
            for c in range(self.n_classes):
                for m in range(self.levels):
                    rgb.append(_mix(NEUTRAL, class_rgb(c), m / top))
                    side.append(c)
                    strength.append(m / top)
        else:
            for i in range(self.levels):
                t = i / top
                rgb.append(_mix(NEUTRAL, ORANGE, (0.5 - t) * 2) if t < 0.5 else _mix(NEUTRAL, BLUE, (t - 0.5) * 2))
                side.append(0 if t <= 0.5 else 1)
                strength.append(abs(2 * t - 1))
        self.rgb: tuple[RGB, ...] = tuple(rgb)
        self.colors: tuple[Color, ...] = tuple(_color(c) for c in rgb)
        self.side = np.array(side, dtype=np.int64)
        self.strength = np.array(strength, dtype=np.float64)
        self.chars: tuple[str, ...] = tuple(
            UNSURE_CHAR if s < WEAK_STRENGTH else REGION_CHARS[c % len(REGION_CHARS)]
            for c, s in zip(side, strength, strict=True)
        )
        self._heat: dict[int, Style] = {}
        self._points: dict[tuple[int, int], Style] = {}

    def __len__(self) -> int:
        """Number of colour codes."""
        return len(self.rgb)

    def heat_style(self, top: int, bottom: int) -> Style:
        """Style of a "▀" cell: foreground = top pixel colour, background = bottom pixel colour."""
        key = top * len(self.rgb) + bottom
        style = self._heat.get(key)
        if style is None:
            style = self._heat[key] = Style(color=self.colors[top], bgcolor=self.colors[bottom])
        return style

    def point_style(self, cls: int, background: int = 0) -> Style:
        """Style of a point glyph of class cls: the class's one dot colour on POINT_BG, whatever the cell."""
        key = (cls, 0)
        style = self._points.get(key)
        if style is None:
            style = self._points[key] = Style(color=_color(point_rgb(cls)), bgcolor=_color(POINT_BG), bold=True)
        return style

    def value_point_style(self, code: int) -> Style:
        """Style of a regression point glyph: the colour of its value (code on the map's scale) on POINT_BG, so a
        value near the middle is a pale dot and only a strong value a strong one."""
        key = (-1, code)
        style = self._points.get(key)
        if style is None:
            style = self._points[key] = Style(color=self.colors[code], bgcolor=_color(POINT_BG), bold=True)
        return style

    def class_style(self, cls: int) -> Style:
        """Style showing a class's full colour (for legends)."""
        return Style(color=_color(class_rgb(cls if self.kind == "multiclass" else min(cls, 1))))


@lru_cache(maxsize=32)
def get_palette(kind: str = "binary", n_classes: int = 2, levels: int = DEFAULT_LEVELS) -> Palette:
    """The shared Palette for (kind, n_classes, levels), built once."""
    return Palette(kind, n_classes if kind == "multiclass" else 2, levels)


# --------------------------------------------------------------------------- rendering


def _runs(keys: np.ndarray) -> Iterable[tuple[int, int, int]]:
    """(key, start, length) for each run of equal values in a 1-D array."""
    n = keys.size
    cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [n]))
    return zip(keys[starts].tolist(), starts.tolist(), (ends - starts).tolist(), strict=True)



def render_rows(
    field: Any,
    points: Any = (),
    *,
    bounds: Bounds | None = None,
    kind: str = "binary",
    levels: int = DEFAULT_LEVELS,
    vmin: float | None = None,
    vmax: float | None = None,
    discretize: bool = False,
    color: bool = True,
) -> list[list[Segment]]:
    """One list of Segments per terminal row: merged "▀" runs (colour) or one plain ASCII segment (color=False)."""
    f = np.asarray(field, dtype=np.float64)
    if not color:
        lines = plain_lines(f, points, bounds=bounds, kind=kind, levels=levels, vmin=vmin, vmax=vmax,
                            discretize=discretize)
        return [[Segment(line)] for line in lines]
    codes = quantize(f, kind, levels, vmin=vmin, vmax=vmax, discretize=discretize)
    pixel_rows, width = codes.shape
    if pixel_rows % 2:
        raise ValueError(f"a field needs an even number of pixel rows, got {pixel_rows}")
    n_classes = _n_classes(f, kind)
    palette = get_palette(kind, n_classes, levels)
    n_codes = len(palette)
    keys = codes[0::2] * n_codes + codes[1::2]  # (height, width) heat keys
    overlay_base = n_codes * n_codes
    glyphs: list[tuple[str, Style]] = []
    glyph_keys: dict[tuple[str, Style], int] = {}
    mid = _regression_mid(f, kind, vmin, vmax)
    overlay = _overlay(points, bounds, width, pixel_rows, kind, n_classes, mid)
    shades: list[int] = []
    if kind == "regression" and overlay:       # a dot's colour is its value on the map's scale, as in TF
        lo, hi = value_range(f, vmin, vmax)
        shades = quantize(np.array([[o[4] for o in overlay]]), kind, levels, vmin=lo, vmax=hi)[0].tolist()
    for i, (col, prow, cls, test, _value) in enumerate(overlay):
        style = palette.value_point_style(shades[i]) if shades else palette.point_style(cls, int(codes[prow, col]))
        item = (TEST_GLYPH if test else TRAIN_GLYPH, style)
        key = glyph_keys.get(item)
        if key is None:
            key = glyph_keys[item] = overlay_base + len(glyphs)
            glyphs.append(item)
        keys[prow // 2, col] = key
    rows: list[list[Segment]] = []
    for row in keys:
        segments = []
        for key, _start, length in _runs(row):
            if key < overlay_base:
                top, bottom = divmod(key, n_codes)
                segments.append(Segment(HALF_BLOCK * length, palette.heat_style(top, bottom)))
            else:
                glyph, style = glyphs[key - overlay_base]
                segments.append(Segment(glyph * length, style))
        rows.append(segments)
    return rows


def _cell_field(field: np.ndarray, kind: str) -> np.ndarray:
    """Average each cell's two pixels: a field with one value (or probability vector) per terminal cell."""
    if kind == "multiclass":
        f = _as_class_field(field)
        return (f[:, 0::2] + f[:, 1::2]) / 2
    f = _as_scalar_field(field)
    return (f[0::2] + f[1::2]) / 2


def plain_lines(
    field: Any,
    points: Any = (),
    *,
    bounds: Bounds | None = None,
    kind: str = "binary",
    levels: int = DEFAULT_LEVELS,
    vmin: float | None = None,
    vmax: float | None = None,
    discretize: bool = False,
) -> list[str]:
    """ASCII picture, one string of width characters per row; points as class digits (train) or letters (test)."""
    f = np.asarray(field, dtype=np.float64)
    _kind(kind)
    if kind == "regression":
        vmin, vmax = value_range(f, vmin, vmax)  # fix the range from the full-resolution field
    cells = _cell_field(f, kind)
    codes = quantize(cells, kind, levels, vmin=vmin, vmax=vmax, discretize=discretize)
    height, width = codes.shape
    n_classes = _n_classes(f, kind)
    palette = get_palette(kind, n_classes, levels)
    chars = np.array(palette.chars, dtype="<U1")[codes]
    mid = _regression_mid(f, kind, vmin, vmax)
    for col, prow, cls, test, _value in _overlay(points, bounds, width, 2 * height, kind, n_classes, mid):
        chars[prow // 2, col] = (TEST_CHARS if test else TRAIN_CHARS)[cls % 10]
    return ["".join(row) for row in chars]


def _class_names(kind: str, n_classes: int, class_names: Sequence[str]) -> list[str]:
    """Display names per class, falling back to indices (or low/high for regression)."""
    if kind == "regression":
        return ["low", "high"]
    names = [str(n) for n in class_names][:n_classes]
    return names + [str(i) for i in range(len(names), n_classes)]


RAMP_SWATCHES = 5          # the regression legend's colour ramp


def legend(
    kind: str = "binary",
    class_names: Sequence[str] = (),
    *,
    n_classes: int | None = None,
    levels: int = DEFAULT_LEVELS,
    vmin: float | None = None,
    vmax: float | None = None,
    color: bool = True,
) -> list[tuple[str, Style | None]]:
    """One legend line as (text, style) pairs: class colours/characters and the train/test point marks."""
    _kind(kind)
    k = n_classes if n_classes is not None else (max(len(class_names), 2) if kind == "multiclass" else 2)
    names = _class_names(kind, k, class_names)
    palette = get_palette(kind, k, levels)
    parts: list[tuple[str, Style | None]] = []
    if kind == "regression":
        known = vmin is not None and vmax is not None     # no range given: say low/high, never invent numbers
        lo, hi = (f"{vmin:.3g}", f"{vmax:.3g}") if known else ("low", "high")
        parts.append((f"{lo} ", None))
        if color:                                  # five swatches: min and max fit a phone's column beside the map
            top = len(palette.colors) - 1
            parts += [("█", Style(color=palette.colors[round(i * top / (RAMP_SWATCHES - 1))]))
                      for i in range(RAMP_SWATCHES)]
        else:
            parts.append((f"{REGION_CHARS[0]}{REGION_CHARS[0]}{UNSURE_CHAR}{REGION_CHARS[1]}{REGION_CHARS[1]}", None))
        parts.append((f" {hi}", None))
    else:
        for i, name in enumerate(names):
            sep = "  " if i else ""
            if color:
                parts += [(sep, None), ("█", palette.class_style(i)), (f" {name}", None)]
            else:
                parts.append((f"{sep}{REGION_CHARS[i % len(REGION_CHARS)]} {name}", None))
        parts += [(f"  {UNSURE_CHAR} unsure", None)] if not color else [("  ", None), ("pale: less sure", None)]
    if color:
        mark = Style(color=_color((0xFF, 0xFF, 0xFF)), bgcolor=_color(POINT_BG), bold=True)
        parts += [("   ", None), (TRAIN_GLYPH, mark), (" train  ", None), (TEST_GLYPH, mark), (" test", None)]
    else:
        shown = min(k, 10)
        if kind == "regression":                   # a point's mark says which half of the range its target is in
            parts.append((f"   points: train {TRAIN_CHARS[0]} low {TRAIN_CHARS[1]} high, test {TEST_CHARS[0]} "
                          f"{TEST_CHARS[1]}", None))
        else:
            parts.append((f"   points: train {' '.join(TRAIN_CHARS[:shown])}, test {' '.join(TEST_CHARS[:shown])}",
                          None))
    return parts


class BoundaryRenderer:
    """Settings for drawing one problem's decision boundary, reused frame after frame."""

    def __init__(
        self,
        kind: str = "binary",
        *,
        class_names: Sequence[str] = (),
        levels: int = DEFAULT_LEVELS,
        discretize: bool = False,
        vmin: float | None = None,
        vmax: float | None = None,
        color: bool = True,
    ) -> None:
        """Store and validate the drawing settings."""
        self.kind = _kind(kind)
        self.class_names = tuple(class_names)
        self.levels = _levels(levels)
        self.discretize = discretize
        self.vmin, self.vmax = vmin, vmax
        self.color = color

    def _options(self) -> dict[str, Any]:
        """Keyword arguments shared by the rendering functions."""
        return dict(kind=self.kind, levels=self.levels, vmin=self.vmin, vmax=self.vmax, discretize=self.discretize)

    def field(self, predict: Callable[[np.ndarray], Any], bounds: Bounds, width: int, height: int) -> np.ndarray:
        """Evaluate predict on the picture's grid."""
        return predict_field(predict, bounds, width, height)

    def rows(self, field: Any, points: Any = (), bounds: Bounds | None = None) -> list[list[Segment]]:
        """Segments per terminal row (for a line-API widget: Strip(rows[y]))."""
        return render_rows(field, points, bounds=bounds, color=self.color, **self._options())

    def lines(self, field: Any, points: Any = (), bounds: Bounds | None = None) -> list[str]:
        """Plain ASCII lines."""
        return plain_lines(field, points, bounds=bounds, **self._options())

    def legend(self, field: Any | None = None) -> list[tuple[str, Style | None]]:
        """Legend pairs; the field (if given) supplies the class count and regression range."""
        k = None
        vmin, vmax = self.vmin, self.vmax
        if field is not None:
            f = np.asarray(field, dtype=np.float64)
            k = _n_classes(f, self.kind) if self.kind == "multiclass" else None
            if self.kind == "regression":
                vmin, vmax = value_range(f, vmin, vmax)
        return legend(self.kind, self.class_names, n_classes=k, levels=self.levels, vmin=vmin, vmax=vmax,
                      color=self.color)

    def text(self, field: Any, points: Any = (), bounds: Bounds | None = None, *,
             with_legend: bool = True) -> Text | str:
        """The whole picture: a rich Text in colour mode, a plain str otherwise; legend on the last line."""
        if not self.color:
            lines = self.lines(field, points, bounds)
            if with_legend:
                lines.append("".join(t for t, _ in self.legend(field)))
            return "\n".join(lines)
        from rich.text import Text  # deferred: keeps importing this module light

        out = Text(no_wrap=True, overflow="crop", end="\n")
        for i, row in enumerate(self.rows(field, points, bounds)):
            if i:
                out.append("\n")
            for seg in row:
                out.append(seg.text, seg.style)
        if with_legend:
            out.append("\n")
            for t, style in self.legend(field):
                out.append(t, style)
        return out

    def render(
        self,
        predict: Callable[[np.ndarray], Any],
        bounds: Bounds,
        width: int,
        height: int,
        points: Any = (),
        *,
        with_legend: bool = True,
    ) -> Text | str:
        """Evaluate predict on the grid and return the whole picture (see text)."""
        return self.text(self.field(predict, bounds, width, height), points, bounds, with_legend=with_legend)


def render_text(
    predict: Callable[[np.ndarray], Any] | np.ndarray,
    bounds: Bounds,
    width: int,
    height: int,
    points: Any = (),
    *,
    kind: str = "binary",
    class_names: Sequence[str] = (),
    color: bool = True,
    with_legend: bool = True,
    levels: int = DEFAULT_LEVELS,
    discretize: bool = False,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Text | str:
    """CLI one-call: picture of predict (or a field) over bounds: rich Text (color) or str (plain), plus a legend."""
    renderer = BoundaryRenderer(
        kind, class_names=class_names, levels=levels, discretize=discretize, vmin=vmin, vmax=vmax, color=color
    )
    field = np.asarray(predict) if not callable(predict) else renderer.field(predict, bounds, width, height)
    return renderer.text(field, points, bounds, with_legend=with_legend)
