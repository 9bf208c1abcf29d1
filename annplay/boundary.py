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

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

if TYPE_CHECKING:  # pragma: no cover
    from rich.text import Text

__all__ = [
    "KINDS",
    "DEFAULT_LEVELS",
    "DEFAULT_BOUNDS",
    "HALF_BLOCK",
    "TRAIN_GLYPH",
    "TEST_GLYPH",
    "Bounds",
    "Points",
    "Palette",
    "BoundaryRenderer",
    "bounds_for",
    "fit_size",
    "grid_inputs",
    "cell_to_point",
    "point_to_cell",
    "point_to_pixel",
    "outputs_to_field",
    "predict_field",
    "value_range",
    "quantize",
    "get_palette",
    "as_points",
    "render_rows",
    "plain_lines",
    "legend",
    "render_text",
]

KINDS = ("binary", "multiclass", "regression")
DEFAULT_LEVELS = 13  # odd, so the middle level is exactly neutral (P = 0.5)
MIN_LEVELS, MAX_LEVELS = 2, 32
DEFAULT_BOUNDS_LIMIT = 6.0

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
# Point glyphs use a dark or light version of their class colour, whichever contrasts more with the cell.
GLYPH_DARK_LUM = 0.05  # dark enough to read on orange (≥ 4.5:1), light enough to keep its hue (brown vs navy)
GLYPH_LIGHT_LUM = 0.6


# --------------------------------------------------------------------------- geometry


class Bounds(NamedTuple):
    """Rectangle of the input plane shown by a picture: x1 across, x2 up."""

    x_min: float = -DEFAULT_BOUNDS_LIMIT
    x_max: float = DEFAULT_BOUNDS_LIMIT
    y_min: float = -DEFAULT_BOUNDS_LIMIT
    y_max: float = DEFAULT_BOUNDS_LIMIT

    @property
    def x_span(self) -> float:
        """Width of the rectangle along x1."""
        return self.x_max - self.x_min

    @property
    def y_span(self) -> float:
        """Height of the rectangle along x2."""
        return self.y_max - self.y_min

    @property
    def aspect(self) -> float:
        """Width over height of the rectangle."""
        return self.x_span / self.y_span if self.y_span else 1.0


DEFAULT_BOUNDS = Bounds()


def _check_bounds(bounds: Bounds) -> Bounds:
    """Return bounds as a Bounds, refusing empty or inverted rectangles."""
    b = Bounds(*map(float, bounds))
    if not (b.x_max > b.x_min and b.y_max > b.y_min):
        raise ValueError(f"empty or inverted bounds: {b}")
    return b


def _check_size(width: int, height: int) -> None:
    """Refuse non-positive picture sizes."""
    if int(width) < 1 or int(height) < 1:
        raise ValueError(f"picture size must be at least 1x1, got {width}x{height}")


def bounds_for(X: Any, pad: float = 0.05) -> Bounds:
    """Bounds covering the data (X is m×n, one instance per column; rows 0, 1 are x1, x2), padded by a fraction of each span."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] == 0 or not np.isfinite(X[:2]).any():
        return DEFAULT_BOUNDS
    limits = []
    for row in X[:2]:
        lo, hi = float(np.nanmin(row)), float(np.nanmax(row))
        span = hi - lo
        margin = span * pad if span > 0 else max(1.0, abs(lo))
        limits += [lo - margin, hi + margin]
    return Bounds(*limits)


def fit_size(columns: int, lines: int, aspect: float = 1.0) -> tuple[int, int]:
    """Largest (width, height) in cells within columns×lines giving square pixels for a plane of this x/y aspect."""
    columns, lines = max(1, int(columns)), max(1, int(lines))
    # A terminal cell is about twice as tall as wide; with two pixels per cell, pixels are square.
    width = min(columns, max(1, round(2 * lines * aspect)))
    height = min(lines, max(1, round(width / (2 * aspect))))
    return width, height


def grid_inputs(bounds: Bounds, width: int, height: int) -> np.ndarray:
    """Pixel centres of a width × 2*height grid as a 2×N float32 array, row-major, row 0 at the top (largest x2)."""
    _check_size(width, height)
    b = _check_bounds(bounds)
    rows = 2 * int(height)
    x1 = b.x_min + (np.arange(width, dtype=np.float64) + 0.5) * (b.x_span / width)
    x2 = b.y_max - (np.arange(rows, dtype=np.float64) + 0.5) * (b.y_span / rows)
    grid = np.empty((2, rows, int(width)), dtype=np.float32)
    grid[0] = x1[None, :]
    grid[1] = x2[:, None]
    return grid.reshape(2, rows * int(width))


def cell_to_point(bounds: Bounds, width: int, height: int, col: float, row: float) -> tuple[float, float]:
    """Input-plane point (x1, x2) at the centre of terminal cell (col, row); row 0 is the top."""
    _check_size(width, height)
    b = _check_bounds(bounds)
    x1 = b.x_min + (col + 0.5) * b.x_span / width
    x2 = b.y_max - (row + 0.5) * b.y_span / height
    return float(x1), float(x2)


def _pixel_indices(b: Bounds, width: int, rows: int, x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns, rows and an inside-mask for points on a width × rows grid (rows counted from the top)."""
    x1 = np.asarray(x1, dtype=np.float64)
    x2 = np.asarray(x2, dtype=np.float64)
    inside = (x1 >= b.x_min) & (x1 <= b.x_max) & (x2 >= b.y_min) & (x2 <= b.y_max)
    with np.errstate(invalid="ignore"):
        fc = np.floor((np.nan_to_num(x1) - b.x_min) / b.x_span * width)
        fr = np.floor((b.y_max - np.nan_to_num(x2)) / b.y_span * rows)
    cols = np.clip(fc, 0, width - 1).astype(np.int64)
    rws = np.clip(fr, 0, rows - 1).astype(np.int64)
    return cols, rws, inside


def point_to_cell(bounds: Bounds, width: int, height: int, x1: float, x2: float) -> tuple[int, int] | None:
    """Terminal cell (col, row) containing point (x1, x2), or None when it lies outside the bounds."""
    _check_size(width, height)
    cols, rows, inside = _pixel_indices(_check_bounds(bounds), int(width), int(height), np.array([x1]), np.array([x2]))
    return (int(cols[0]), int(rows[0])) if inside[0] else None


def point_to_pixel(bounds: Bounds, width: int, height: int, x1: float, x2: float) -> tuple[int, int] | None:
    """Pixel (col, pixel_row) of a width × 2*height grid containing (x1, x2), or None outside the bounds."""
    _check_size(width, height)
    cols, rows, inside = _pixel_indices(_check_bounds(bounds), int(width), 2 * int(height), np.array([x1]), np.array([x2]))
    return (int(cols[0]), int(rows[0])) if inside[0] else None


# --------------------------------------------------------------------------- outputs → field


def outputs_to_field(outputs: Any, width: int, height: int) -> np.ndarray:
    """Reshape r×N outputs of a grid_inputs grid to a field: (2h, w) for one output row, (k, 2h, w) for k rows."""
    out = np.asarray(outputs)
    rows, width = 2 * int(height), int(width)
    if out.ndim == 1:
        out = out[None, :]
    if out.ndim != 2 or out.shape[1] != rows * width:
        raise ValueError(f"expected r×{rows * width} outputs for a {width}×{height} picture, got shape {out.shape}")
    field = out.reshape(out.shape[0], rows, width)
    return field[0] if field.shape[0] == 1 else field


def predict_field(predict: Callable[[np.ndarray], Any], bounds: Bounds, width: int, height: int) -> np.ndarray:
    """Evaluate predict (2×N inputs → r×N outputs) on the picture's grid and return the field."""
    return outputs_to_field(predict(grid_inputs(bounds, width, height)), width, height)


def _kind(kind: str) -> str:
    """Validate a problem kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    return kind


def _levels(levels: int) -> int:
    """Validate a level count."""
    levels = int(levels)
    if not MIN_LEVELS <= levels <= MAX_LEVELS:
        raise ValueError(f"levels must be in {MIN_LEVELS}..{MAX_LEVELS}, got {levels}")
    return levels


def _as_scalar_field(field: Any) -> np.ndarray:
    """A binary/regression field as a 2-D float array, accepting a leading axis of length 1."""
    f = np.asarray(field, dtype=np.float64)
    if f.ndim == 3 and f.shape[0] == 1:
        f = f[0]
    if f.ndim != 2:
        raise ValueError(f"expected a (2h, w) field, got shape {f.shape}")
    return f


def _as_class_field(field: Any) -> np.ndarray:
    """A multiclass field as a (k, rows, w) float array of probabilities."""
    f = np.asarray(field, dtype=np.float64)
    if f.ndim != 3 or f.shape[0] < 2:
        raise ValueError(f"expected a (k, 2h, w) multiclass field with k >= 2, got shape {f.shape}")
    return f


def value_range(field: Any, vmin: float | None = None, vmax: float | None = None) -> tuple[float, float]:
    """Regression colour range: the given limits, else symmetric around 0 from the field's largest magnitude."""
    f = np.asarray(field, dtype=np.float64)
    finite = f[np.isfinite(f)]
    if vmin is None and vmax is None:
        m = float(np.max(np.abs(finite))) if finite.size else 1.0
        m = m if m > 0 else 1.0
        return -m, m
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else -1.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if not hi > lo:
        mid = (lo + hi) / 2
        lo, hi = mid - 1.0, mid + 1.0
    return lo, hi


def quantize(
    field: Any,
    kind: str = "binary",
    levels: int = DEFAULT_LEVELS,
    *,
    vmin: float | None = None,
    vmax: float | None = None,
    discretize: bool = False,
) -> np.ndarray:
    """Colour codes for a field: 0..levels-1 (orange→blue) for binary/regression, class*levels+strength for multiclass."""
    _kind(kind)
    levels = _levels(levels)
    top = levels - 1
    if kind == "multiclass":
        p = np.nan_to_num(_as_class_field(field), nan=0.0, posinf=1.0, neginf=0.0)
        k = p.shape[0]
        cls = np.argmax(p, axis=0)
        if discretize:
            strength = np.full(cls.shape, top, dtype=np.int64)
        else:
            conf = (np.max(p, axis=0) - 1.0 / k) / (1.0 - 1.0 / k)
            strength = np.rint(np.clip(conf, 0.0, 1.0) * top).astype(np.int64)
        return cls.astype(np.int64) * levels + strength
    f = _as_scalar_field(field)
    if kind == "regression":
        lo, hi = value_range(f, vmin, vmax)
        t = (f - lo) / (hi - lo)
    else:
        t = f
    t = np.clip(np.nan_to_num(t, nan=0.5, posinf=1.0, neginf=0.0), 0.0, 1.0)
    if discretize:
        return np.where(t >= 0.5, top, 0).astype(np.int64)
    return np.rint(t * top).astype(np.int64)


# --------------------------------------------------------------------------- palettes


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear blend from colour a (t=0) to colour b (t=1)."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def _luminance(rgb: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        c = c / 255.0
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours (1 = none, 21 = black on white)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def class_rgb(index: int) -> RGB:
    """Base colour of class index (orange, blue, green, purple, red, ...; cycles after ten)."""
    return CLASS_RGB[int(index) % len(CLASS_RGB)]


@lru_cache(maxsize=None)
def glyph_variants(index: int) -> tuple[RGB, RGB]:
    """Dark and light versions of a class colour for point glyphs: as saturated as possible, yet far from mid-tones."""
    base = class_rgb(index)
    steps = [i / 20 for i in range(10, 19)]  # 0.50 .. 0.90
    darks = [_mix(base, (0, 0, 0), a) for a in steps]
    lights = [_mix(base, (255, 255, 255), a) for a in steps]
    dark = next((c for c in darks if _luminance(c) <= GLYPH_DARK_LUM), darks[-1])
    light = next((c for c in lights if _luminance(c) >= GLYPH_LIGHT_LUM), lights[-1])
    return dark, light


def glyph_rgb(index: int, background: RGB) -> RGB:
    """Point colour for class index on a given background: its dark or light version, whichever contrasts more."""
    dark, light = glyph_variants(index)
    return dark if contrast_ratio(dark, background) >= contrast_ratio(light, background) else light


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
            UNSURE_CHAR if s < WEAK_STRENGTH else REGION_CHARS[c % len(REGION_CHARS)] for c, s in zip(side, strength)
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

    def point_style(self, cls: int, background: int) -> Style:
        """Style of a point glyph of class cls on the pixel of colour code background."""
        key = (cls, background)
        style = self._points.get(key)
        if style is None:
            fg = glyph_rgb(cls, self.rgb[background])
            style = self._points[key] = Style(color=_color(fg), bgcolor=self.colors[background], bold=True)
        return style

    def class_style(self, cls: int) -> Style:
        """Style showing a class's full colour (for legends)."""
        return Style(color=_color(class_rgb(cls if self.kind == "multiclass" else min(cls, 1))))


@lru_cache(maxsize=32)
def get_palette(kind: str = "binary", n_classes: int = 2, levels: int = DEFAULT_LEVELS) -> Palette:
    """The shared Palette for (kind, n_classes, levels), built once."""
    return Palette(kind, n_classes if kind == "multiclass" else 2, levels)


# --------------------------------------------------------------------------- points


@dataclass(frozen=True)
class Points:
    """Data points to overlay: coordinates, labels (class index, or value for regression), test flags."""

    x1: np.ndarray
    x2: np.ndarray
    label: np.ndarray
    test: np.ndarray

    @classmethod
    def empty(cls) -> Points:
        """No points."""
        z = np.zeros(0)
        return cls(z, z, z, np.zeros(0, dtype=bool))

    @classmethod
    def from_xy(cls, X: Any, y: Any, test: bool = False) -> Points:
        """Points from X (m×n, one instance per column; rows 0, 1 are x1, x2) and labels y (n,) or 1×n."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] != y.size:
            raise ValueError(f"expected X of shape 2×n and n labels, got {X.shape} and {y.size}")
        return cls(X[0].copy(), X[1].copy(), y, np.full(y.size, bool(test)))

    def __len__(self) -> int:
        """Number of points."""
        return int(self.x1.size)

    def __add__(self, other: Points) -> Points:
        """Concatenation; later points are drawn over earlier ones."""
        return Points(*(np.concatenate([a, b]) for a, b in zip(self._arrays(), other._arrays())))

    def _arrays(self) -> tuple[np.ndarray, ...]:
        """The four arrays in field order."""
        return self.x1, self.x2, self.label, self.test


def as_points(points: Any) -> Points:
    """Normalise None, a Points, a list of Points, or rows of (x1, x2, label[, is_test]) to Points."""
    if points is None:
        return Points.empty()
    if isinstance(points, Points):
        return points
    if isinstance(points, (list, tuple)) and points and all(isinstance(p, Points) for p in points):
        out = Points.empty()
        for p in points:
            out = out + p
        return out
    if isinstance(points, (list, tuple)):
        if not points:
            return Points.empty()
        # rows may mix (x1, x2, label) and (x1, x2, label, is_test)
        points = [tuple(row) + (0,) if len(row) == 3 else row for row in points]
    arr = np.asarray(points, dtype=np.float64)
    if arr.size == 0:
        return Points.empty()
    if arr.ndim != 2 or arr.shape[1] not in (3, 4):
        raise ValueError(f"points must be rows of (x1, x2, label[, is_test]), got shape {arr.shape}")
    test = arr[:, 3] != 0 if arr.shape[1] == 4 else np.zeros(arr.shape[0], dtype=bool)
    return Points(arr[:, 0], arr[:, 1], arr[:, 2], test)


def _point_classes(points: Points, kind: str, n_classes: int, mid: float) -> np.ndarray:
    """Colour class of each point: its label, or low (0) / high (1) around mid for regression."""
    label = np.asarray(points.label, dtype=np.float64)
    if kind == "regression":
        return (np.nan_to_num(label, nan=mid) >= mid).astype(np.int64)
    return np.rint(np.nan_to_num(label)).astype(np.int64) % n_classes


# --------------------------------------------------------------------------- rendering


def _runs(keys: np.ndarray) -> Iterable[tuple[int, int, int]]:
    """(key, start, length) for each run of equal values in a 1-D array."""
    n = keys.size
    cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [n]))
    return zip(keys[starts].tolist(), starts.tolist(), (ends - starts).tolist())


def _overlay(
    points: Any, bounds: Bounds | None, width: int, rows: int, kind: str, n_classes: int, mid: float
) -> list[tuple[int, int, int, bool]]:
    """(col, pixel_row, class, is_test) for each point inside the bounds, in drawing order."""
    pts = as_points(points)
    if not len(pts):
        return []
    if bounds is None:
        raise ValueError("bounds are needed to place points")
    cols, prow, inside = _pixel_indices(_check_bounds(bounds), width, rows, pts.x1, pts.x2)
    cls = _point_classes(pts, kind, n_classes, mid)
    test = np.asarray(pts.test, dtype=bool)
    idx = np.flatnonzero(inside)
    return list(zip(cols[idx].tolist(), prow[idx].tolist(), cls[idx].tolist(), test[idx].tolist()))


def _regression_mid(field: np.ndarray, kind: str, vmin: float | None, vmax: float | None) -> float:
    """Middle of the regression colour range (0.5 for classification)."""
    if kind != "regression":
        return 0.5
    lo, hi = value_range(field, vmin, vmax)
    return (lo + hi) / 2


def _n_classes(field: np.ndarray, kind: str) -> int:
    """Number of classes a field carries."""
    return int(field.shape[0]) if kind == "multiclass" else 2


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
        lines = plain_lines(f, points, bounds=bounds, kind=kind, levels=levels, vmin=vmin, vmax=vmax, discretize=discretize)
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
    for col, prow, cls, test in _overlay(points, bounds, width, pixel_rows, kind, n_classes, mid):
        item = (TEST_GLYPH if test else TRAIN_GLYPH, palette.point_style(cls, int(codes[prow, col])))
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
    """ASCII picture, one string of width characters per terminal row; points as class digits (train) or letters (test)."""
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
    for col, prow, cls, test in _overlay(points, bounds, width, 2 * height, kind, n_classes, mid):
        chars[prow // 2, col] = (TEST_CHARS if test else TRAIN_CHARS)[cls % 10]
    return ["".join(row) for row in chars]


def _class_names(kind: str, n_classes: int, class_names: Sequence[str]) -> list[str]:
    """Display names per class, falling back to indices (or low/high for regression)."""
    if kind == "regression":
        return ["low", "high"]
    names = [str(n) for n in class_names][:n_classes]
    return names + [str(i) for i in range(len(names), n_classes)]


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
        lo, hi = (vmin, vmax) if vmin is not None and vmax is not None else (-1.0, 1.0)
        parts.append((f"{lo:.3g} ", None))
        if color:
            parts += [("█", Style(color=c)) for c in palette.colors]
        else:
            parts.append((f"{REGION_CHARS[0]}{REGION_CHARS[0]}{UNSURE_CHAR}{REGION_CHARS[1]}{REGION_CHARS[1]}", None))
        parts.append((f" {hi:.3g}", None))
    else:
        for i, name in enumerate(names):
            sep = "  " if i else ""
            if color:
                parts += [(sep, None), ("█", palette.class_style(i)), (f" {name}", None)]
            else:
                parts.append((f"{sep}{REGION_CHARS[i % len(REGION_CHARS)]} {name}", None))
        if not color:
            parts.append((f"  {UNSURE_CHAR} unsure", None))
    if color:
        mark = Style(bold=True)
        parts += [("   ", None), (TRAIN_GLYPH, mark), (" train  ", None), (TEST_GLYPH, mark), (" test", None)]
    else:
        shown = min(k, 10)
        parts.append((f"   points: {' '.join(TRAIN_CHARS[:shown])} train, {' '.join(TEST_CHARS[:shown])} test", None))
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
        return legend(self.kind, self.class_names, n_classes=k, levels=self.levels, vmin=vmin, vmax=vmax, color=self.color)

    def text(self, field: Any, points: Any = (), bounds: Bounds | None = None, *, with_legend: bool = True) -> Text | str:
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
    """CLI one-call: picture of predict (or a ready field) over bounds: rich Text (color) or str (plain), plus a legend."""
    renderer = BoundaryRenderer(
        kind, class_names=class_names, levels=levels, discretize=discretize, vmin=vmin, vmax=vmax, color=color
    )
    field = np.asarray(predict) if not callable(predict) else renderer.field(predict, bounds, width, height)
    return renderer.text(field, points, bounds, with_legend=with_legend)
