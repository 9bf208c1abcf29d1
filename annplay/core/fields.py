"""The numbers behind every picture: the input-plane grid, and the boundary, neuron and network maps.

UI-free (NumPy only, no Rich or Textual): the session calls it from the training worker, the CLI
report and the app's widgets draw what it returns.  One forward pass, :meth:`MLP.layer_outputs`
on the picture's grid, gives the boundary field, any hidden neuron's field and every neuron's
thumbnail map (sampled from the same grid).

Geometry: a picture is ``width`` terminal columns by ``height`` rows; each cell holds two square-ish
pixels (top and bottom half), so the sampled grid is ``width`` × ``2*height``, row 0 at the TOP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

KINDS = ("binary", "multiclass", "regression")
DEFAULT_LEVELS = 13  # odd, so the middle level is exactly neutral (P = 0.5)
MIN_LEVELS, MAX_LEVELS = 2, 32
DEFAULT_BOUNDS_LIMIT = 6.0
LEVELS = DEFAULT_LEVELS          # colour levels per side used by the app (TF Playground-like)
MAP_W, MAP_H = 6, 3              # a neuron's thumbnail in cells: 6 × 6 half-block pixels
PROBABILITY_OUTPUTS = ("logistic", "softmax")


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
    """Bounds covering the data (X is m×n; rows 0, 1 are x1, x2), padded by a fraction of each span."""
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


def _pixel_indices(b: Bounds, width: int, rows: int, x1: np.ndarray,
                   x2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    cols, rows, inside = _pixel_indices(_check_bounds(bounds), int(width), 2 * int(height), np.array([x1]),
                                        np.array([x2]))
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
    """Colour codes: 0..levels-1 (orange→blue) for binary/regression, class*levels+strength for multiclass."""
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
        return Points(*(np.concatenate([a, b]) for a, b in zip(self._arrays(), other._arrays(), strict=True)))

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


MAX_POINT_SHARE = 1 / 3        # dots may hide at most about this share of the map's cells


def _distinct(values: np.ndarray) -> int:
    """How many different values there are (np.unique would import numpy.ma, 1.2 MiB, for the first picture)."""
    ordered = np.sort(values)
    return int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1 if ordered.size else 0


def _overlay(
    points: Any, bounds: Bounds | None, width: int, rows: int, kind: str, n_classes: int, mid: float
) -> list[tuple[int, int, int, bool, float]]:
    """(col, pixel_row, class, is_test, label) for each point inside the bounds, in drawing order (the label is
    a regression point's value, which shades its dot)."""
    pts = as_points(points)
    if not len(pts):
        return []
    if bounds is None:
        raise ValueError("bounds are needed to place points")
    cols, prow, inside = _pixel_indices(_check_bounds(bounds), width, rows, pts.x1, pts.x2)
    cls = _point_classes(pts, kind, n_classes, mid)
    test = np.asarray(pts.test, dtype=bool)
    idx = np.flatnonzero(inside)
    limit, keep = max(1.0, MAX_POINT_SHARE * width * (rows // 2)), idx
    while _distinct(cols[keep] * rows + prow[keep] // 2) > limit:    # thin the dots: the map stays readable
        keep = idx[:: int(np.ceil(idx.size / max(1, keep.size - 1)))]
    idx = keep
    label = np.asarray(pts.label, dtype=np.float64)
    return list(zip(cols[idx].tolist(), prow[idx].tolist(), cls[idx].tolist(), test[idx].tolist(),
                    label[idx].tolist(), strict=True))


def _regression_mid(field: np.ndarray, kind: str, vmin: float | None, vmax: float | None) -> float:
    """Middle of the regression colour range (0.5 for classification)."""
    if kind != "regression":
        return 0.5
    lo, hi = value_range(field, vmin, vmax)
    return (lo + hi) / 2


def _n_classes(field: np.ndarray, kind: str) -> int:
    """Number of classes a field carries."""
    return int(field.shape[0]) if kind == "multiclass" else 2


# --------------------------------------------------------------------------- network → fields


@dataclass(frozen=True)
class NetMaps:
    """Everything the network view and the weight editor draw: sizes, thumbnails, weights (copies)."""

    layers: tuple[int, ...]                # sizes, input to output
    activations: tuple[str, ...]           # one name per non-input layer
    input_labels: tuple[str, ...]          # one short label per input
    maps: tuple[np.ndarray, ...] | None    # per layer (input first): (n, 2*MAP_H, MAP_W) codes; None: no plane
    weights: tuple[np.ndarray, ...]        # W(ℓ) copies, r×s
    biases: tuple[np.ndarray, ...]         # b(ℓ) copies, r×1


@dataclass(frozen=True)
class Fields:
    """What one forward pass over the picture's grid gives: the map to draw and (if asked) the network maps."""

    field: np.ndarray | None               # the output's field, or the selected neuron's (None: no plane)
    kind: str                              # how to colour it: the problem's kind, or binary for a neuron
    maps: NetMaps | None


@dataclass(frozen=True)
class ViewRequest:
    """What the UI wants drawn: the picture's size in cells, the neuron shown (None: the output), maps or not."""

    width: int = 0
    height: int = 0
    neuron: tuple[int, int] | None = None
    maps: bool = False               # the network view or the weight editor is open


@dataclass(frozen=True)
class Snapshot:
    """Everything the UI draws after a chunk of training, copied out of the session (never shared)."""

    run: int                         # the session's run counter when it was taken (older ones are stale)
    metrics: Any                     # the trainer's Metrics
    state: str                       # ready | paused | running | diverged | stopped | no data
    message: str                     # the trainer's own words for diverged/stopped
    family: str                      # backprop | evolution
    history: tuple[tuple[float, ...], tuple[float, ...]]   # train/test loss, or best/mean fitness
    view: ViewRequest
    field: np.ndarray | None         # None: the picture did not change since the last snapshot
    kind: str                        # how to colour the field
    discretize: bool
    points: Points
    bounds: Bounds
    maps: NetMaps | None
    speed: float = 0.0               # epochs (generations) per second while running
    doctor: Any = None               # the training doctor's DoctorReport (annplay.core.doctor)


def grid_outputs(net: Any, inputs: Callable[[np.ndarray], Any], bounds: Bounds, width: int,
                 height: int) -> list[np.ndarray]:
    """[A(0), A(1), …, A(L)] over the picture's grid in float32: one ``MLP.layer_outputs`` pass."""
    X = np.asarray(inputs(grid_inputs(bounds, width, height)), dtype=np.float32)
    with np.errstate(all="ignore"):
        return [X, *net.layer_outputs(X, np.float32)]


def colour_share(A: np.ndarray, activation: str | None, output: bool) -> np.ndarray:
    """Rows of activations as 0..1 (0.5 = zero): probabilities as they are, others scaled by max(1, max|a|)."""
    A = np.nan_to_num(np.asarray(A, dtype=np.float32), nan=0.0, posinf=1e6, neginf=-1e6)
    if output and activation in PROBABILITY_OUTPUTS:
        return np.clip(A, 0.0, 1.0)
    scale = np.maximum(1.0, np.max(np.abs(A), axis=1, keepdims=True)) if A.size else 1.0
    return 0.5 + 0.5 * A / scale


def output_field(outs: Sequence[np.ndarray], width: int, height: int) -> np.ndarray:
    """The network's output over the grid (non-finite outputs shown as undecided)."""
    return outputs_to_field(np.nan_to_num(outs[-1], nan=0.5, posinf=1.0, neginf=0.0), width, height)


def hidden_field(net: Any, outs: Sequence[np.ndarray], width: int, height: int, layer: int,
                 index: int) -> np.ndarray:
    """Hidden neuron (layer, index)'s output as a binary field in 0..1 (orange < 0.5 = negative < blue)."""
    share = colour_share(outs[layer][index: index + 1], net.activations[layer - 1].name,
                         layer == len(net.layers) - 1)
    return outputs_to_field(share, width, height)


def boundary_field(net: Any, inputs: Callable[[np.ndarray], Any], bounds: Bounds, width: int,
                   height: int) -> np.ndarray:
    """Field of network outputs over the picture's grid; ``inputs`` maps raw 2-D points to network inputs."""
    return output_field(grid_outputs(net, inputs, bounds, width, height), width, height)


def neuron_field(net: Any, inputs: Callable[[np.ndarray], Any], bounds: Bounds, width: int, height: int,
                 layer: int, index: int) -> np.ndarray:
    """One hidden neuron's output over the picture's grid (see :func:`hidden_field`)."""
    return hidden_field(net, grid_outputs(net, inputs, bounds, width, height), width, height, layer, index)


def thumbnails(net: Any, outs: Sequence[np.ndarray], width: int, height: int,
               levels: int = LEVELS) -> tuple[np.ndarray, ...]:
    """Every neuron's MAP_W × 2·MAP_H map, sampled from the picture grid's layer outputs, as colour codes."""
    rows = 2 * height
    pick_r = np.minimum(rows - 1, ((np.arange(2 * MAP_H) + 0.5) * rows / (2 * MAP_H)).astype(np.int64))
    pick_c = np.minimum(width - 1, ((np.arange(MAP_W) + 0.5) * width / MAP_W).astype(np.int64))
    flat = (pick_r[:, None] * width + pick_c[None, :]).reshape(-1)
    last = len(outs) - 1
    maps = []
    for i, A in enumerate(outs):
        sample = np.asarray(A)[:, flat]
        share = colour_share(sample, None if i == 0 else net.activations[i - 1].name, i == last)
        codes = np.rint(np.clip(np.nan_to_num(share, nan=0.5), 0, 1) * (levels - 1)).astype(np.int16)
        maps.append(codes.reshape(A.shape[0], 2 * MAP_H, MAP_W))
    return tuple(maps)


def net_maps(net: Any, input_labels: Sequence[str], outs: Sequence[np.ndarray] | None = None,
             size: tuple[int, int] = (MAP_W, MAP_H)) -> NetMaps:
    """Sizes, thumbnails (from ``outs`` over a ``size`` grid; None: no plane) and copies of the weights."""
    maps = None if outs is None else thumbnails(net, outs, *size)
    return NetMaps(tuple(net.layers), tuple(a.name for a in net.activations), tuple(input_labels), maps,
                   tuple(np.array(w) for w in net.weights), tuple(np.array(b) for b in net.biases))


def compute(net: Any, inputs: Callable[[np.ndarray], Any], bounds: Bounds | None, width: int, height: int, *,
            kind: str, neuron: tuple[int, int] | None = None, maps: bool = False,
            input_labels: Sequence[str] = ()) -> Fields:
    """The picture's field (output or ``neuron``) and, when ``maps``, the network maps: one forward pass.

    ``bounds`` None means the data has no 2-D plane: no field and no thumbnails, only the weights.
    """
    if bounds is None or width < 1 or height < 1:
        return Fields(None, kind, net_maps(net, input_labels) if maps else None)
    outs = grid_outputs(net, inputs, bounds, width, height)
    if neuron is None:
        field, shown = output_field(outs, width, height), kind
    else:
        field, shown = hidden_field(net, outs, width, height, *neuron), "binary"
    return Fields(field, shown, net_maps(net, input_labels, outs, (width, height)) if maps else None)


def field_codes(field: np.ndarray, kind: str, discretize: bool = False) -> np.ndarray:
    """Quantised colour codes of a field: two fields look the same exactly when their codes are equal."""
    return quantize(field, kind, LEVELS, discretize=discretize)
