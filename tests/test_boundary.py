"""Tests for annplay.boundary: geometry, quantisation, palettes, colour and plain rendering."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from rich.segment import Segment

from annplay import boundary as bd
from annplay.boundary import (
    BLUE,
    DEFAULT_LEVELS,
    HALF_BLOCK,
    NEUTRAL,
    ORANGE,
    TEST_GLYPH,
    TRAIN_GLYPH,
    BoundaryRenderer,
    Bounds,
    Points,
    as_points,
    bounds_for,
    cell_to_point,
    fit_size,
    get_palette,
    grid_inputs,
    legend,
    outputs_to_field,
    plain_lines,
    point_to_cell,
    point_to_pixel,
    predict_field,
    quantize,
    render_rows,
    render_text,
    value_range,
)

B = Bounds(-6.0, 6.0, -6.0, 6.0)
TOP = DEFAULT_LEVELS - 1
MID = TOP // 2


def rgb(color) -> tuple[int, int, int]:
    """The (r, g, b) of a rich Color."""
    return tuple(color.triplet)


# --------------------------------------------------------------------------- geometry


def test_grid_inputs_shape_dtype_and_order():
    g = grid_inputs(B, 3, 2)
    assert g.shape == (2, 3 * 2 * 2)
    assert g.dtype == np.float32
    grid = g.reshape(2, 4, 3)
    # column centres: -4, 0, 4; pixel-row centres from the top: 4.5, 1.5, -1.5, -4.5
    np.testing.assert_allclose(grid[0, 0], [-4.0, 0.0, 4.0])
    np.testing.assert_allclose(grid[1, :, 0], [4.5, 1.5, -1.5, -4.5])
    assert g[1, 0] == g[1].max()  # first sample: top row (largest x2)
    assert g[0, 0] == g[0].min()  # ... and left column (smallest x1)
    assert (g[0, 1], g[1, 1]) == (0.0, 4.5)  # row-major: the second sample is the next column


def test_grid_inputs_rejects_bad_sizes_and_bounds():
    with pytest.raises(ValueError):
        grid_inputs(B, 0, 3)
    with pytest.raises(ValueError):
        grid_inputs(Bounds(1, 1, 0, 1), 3, 3)


def test_cell_point_round_trip():
    w, h = 7, 5
    for col in range(w):
        for row in range(h):
            x1, x2 = cell_to_point(B, w, h, col, row)
            assert B.x_min < x1 < B.x_max and B.y_min < x2 < B.y_max
            assert point_to_cell(B, w, h, x1, x2) == (col, row)
    assert cell_to_point(B, w, h, 0, 0)[1] > cell_to_point(B, w, h, 0, h - 1)[1]  # row 0 is the top


def test_point_to_cell_edges_and_outside():
    assert point_to_cell(B, 4, 3, -6.0, 6.0) == (0, 0)
    assert point_to_cell(B, 4, 3, 6.0, -6.0) == (3, 2)  # max edges belong to the last cell
    assert point_to_cell(B, 4, 3, 6.01, 0.0) is None
    assert point_to_cell(B, 4, 3, 0.0, -7.0) is None
    assert point_to_pixel(B, 4, 3, 0.1, -5.9) == (2, 5)


def test_bounds_for_covers_data():
    X = np.array([[-1.0, 2.0, 0.5], [10.0, -3.0, 4.0]])  # 2×n, one instance per column
    b = bounds_for(X, pad=0.1)
    assert b.x_min < -1.0 and b.x_max > 2.0 and b.y_min < -3.0 and b.y_max > 10.0
    assert b.x_min == pytest.approx(-1.3) and b.y_max == pytest.approx(11.3)
    assert bounds_for(np.zeros((2, 0))) == Bounds(-6, 6, -6, 6)
    flat = bounds_for(np.array([[1.0, 1.0], [0.0, 2.0]]))
    assert flat.x_min < 1.0 < flat.x_max


def test_fit_size_fits_and_keeps_square_pixels():
    w, h = fit_size(80, 24)
    assert w <= 80 and h <= 24
    assert w == pytest.approx(2 * h, abs=1)
    w, h = fit_size(30, 40)
    assert (w, h) == (30, 15)


def test_predict_field_orients_the_picture():
    seen = {}

    def predict(X):
        seen["X"] = X
        return (X[1] > 0).astype(float)[None, :]  # class 1 (blue) above the x1 axis

    f = predict_field(predict, B, 4, 2)
    assert seen["X"].shape == (2, 16) and seen["X"].dtype == np.float32
    assert f.shape == (4, 4)
    assert (f[:2] == 1).all() and (f[2:] == 0).all()
    with pytest.raises(ValueError):
        outputs_to_field(np.zeros((1, 15)), 4, 2)
    assert outputs_to_field(np.zeros((3, 16)), 4, 2).shape == (3, 4, 4)


# --------------------------------------------------------------------------- quantisation and palettes


def test_level_count_in_range():
    assert 8 <= DEFAULT_LEVELS <= 16
    codes = quantize(np.linspace(0, 1, 1001)[None, :])
    assert len(np.unique(codes)) == DEFAULT_LEVELS
    assert len(get_palette("binary")) == DEFAULT_LEVELS
    for bad in (1, 100):
        with pytest.raises(ValueError):
            quantize(np.zeros((2, 2)), levels=bad)


def test_binary_extremes_and_neutral():
    codes = quantize(np.array([[0.0, 1.0, 0.5, np.nan]]))
    assert codes.tolist() == [[0, TOP, MID, MID]]
    pal = get_palette("binary")
    assert pal.rgb[0] == ORANGE
    assert pal.rgb[TOP] == BLUE
    assert pal.rgb[MID] == NEUTRAL


@pytest.mark.parametrize("levels", [8, 9, 12, 13, 16])
def test_binary_quantisation_monotone(levels):
    v = np.linspace(0, 1, 200)[None, :]
    codes = quantize(v, levels=levels)[0]
    assert codes[0] == 0 and codes[-1] == levels - 1
    assert (np.diff(codes) >= 0).all()
    pal = get_palette("binary", levels=levels)
    # colours move monotonically from orange towards blue: red falls, and the class side never goes back
    reds = [c[0] for c in pal.rgb]
    assert all(a >= b for a, b in zip(reds, reds[1:], strict=False))
    assert (np.diff(pal.side) >= 0).all()
    # confidence grows towards both ends
    s = pal.strength
    assert s[0] == s[-1] == 1.0 and s.min() < 0.2


def test_discretize_snaps_to_the_decision():
    v = np.array([[0.0, 0.2, 0.49, 0.5, 0.51, 1.0]])
    assert quantize(v, discretize=True).tolist() == [[0, 0, 0, TOP, TOP, TOP]]
    p = np.array([[0.4, 0.1], [0.35, 0.5], [0.25, 0.4]])[:, None, :]  # k=3, 1×2 grid
    codes = quantize(p, "multiclass", discretize=True)
    assert codes.tolist() == [[0 * DEFAULT_LEVELS + TOP, 1 * DEFAULT_LEVELS + TOP]]
    r = np.array([[-3.0, -0.1, 0.1, 2.0]])
    assert quantize(r, "regression", discretize=True).tolist() == [[0, 0, TOP, TOP]]


def test_multiclass_hues_and_intensity():
    k = 5
    pal = get_palette("multiclass", k)
    full = [pal.rgb[c * DEFAULT_LEVELS + TOP] for c in range(k)]
    assert full[0] == ORANGE and full[1] == BLUE
    assert len(set(full)) == k  # one distinct hue per class
    assert all(pal.rgb[c * DEFAULT_LEVELS] == NEUTRAL for c in range(k))  # no confidence = neutral
    # class 2 wins with growing confidence: same class, rising strength
    pmax = np.linspace(0.25, 1.0, 9)
    rest = (1 - pmax) / 4
    p = np.stack([rest, rest, pmax, rest, rest])[:, None, :]
    codes = quantize(p, "multiclass")[0]
    assert (codes // DEFAULT_LEVELS == 2).all()
    strength = codes % DEFAULT_LEVELS
    assert strength[0] <= 1 and strength[-1] == TOP and (np.diff(strength) >= 0).all()


def test_regression_scale():
    f = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0]])
    assert value_range(f) == (-2.0, 2.0)
    codes = quantize(f, "regression")[0]
    assert codes.tolist()[0] == 0 and codes.tolist()[2] == MID and codes.tolist()[-1] == TOP
    assert (np.diff(codes) > 0).all()
    # a given range clips outside values and moves the neutral point
    codes = quantize(f, "regression", vmin=0.0, vmax=1.0)[0]
    assert codes.tolist() == [0, 0, 0, TOP, TOP]
    assert value_range(np.zeros((2, 2))) == (-1.0, 1.0)


def test_styles_are_cached():
    pal = get_palette("binary")
    assert get_palette("binary") is pal
    assert pal.heat_style(0, TOP) is pal.heat_style(0, TOP)
    field = np.array([[0.0, 1.0], [1.0, 0.0]])
    a = render_rows(field)
    b = render_rows(field)
    assert a[0][0].style is b[0][0].style


# --------------------------------------------------------------------------- colour rendering

# 3 columns × 2 terminal rows = 4 pixel rows
TINY = np.array(
    [
        [0.0, 0.5, 1.0],
        [1.0, 1.0, 0.0],
        [0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0],
    ]
)


def cells(row: list[Segment]) -> list[Segment]:
    """Expand merged segments into one (char, style) per terminal cell."""
    return [Segment(ch, seg.style) for seg in row for ch in seg.text]


def test_render_rows_half_blocks_and_colours():
    rows = render_rows(TINY)
    assert len(rows) == 2
    assert all(sum(len(s.text) for s in row) == 3 for row in rows)
    top = cells(rows[0])
    assert [c.text for c in top] == [HALF_BLOCK] * 3
    assert (rgb(top[0].style.color), rgb(top[0].style.bgcolor)) == (ORANGE, BLUE)
    assert (rgb(top[1].style.color), rgb(top[1].style.bgcolor)) == (NEUTRAL, BLUE)
    assert (rgb(top[2].style.color), rgb(top[2].style.bgcolor)) == (BLUE, ORANGE)
    # identical cells are merged into one segment
    assert rows[1] == [Segment(HALF_BLOCK * 3, rows[1][0].style)]
    assert (rgb(rows[1][0].style.color), rgb(rows[1][0].style.bgcolor)) == (ORANGE, ORANGE)


def test_render_rows_point_glyph_colour_and_background():
    # (4, -1.5) lies in column 2, pixel row 2 (top half of terminal row 1): an orange pixel
    rows = render_rows(TINY, [(4.0, -1.5, 1)], bounds=B)
    row = cells(rows[1])
    assert [c.text for c in row] == [HALF_BLOCK, HALF_BLOCK, TRAIN_GLYPH]
    style = row[2].style
    fg, bg = rgb(style.color), rgb(style.bgcolor)
    assert bg == bd.POINT_BG  # every dot sits on the same dark ground ...
    assert fg[2] > fg[0]  # ... still reads as blue (class 1) ...
    assert bd.contrast_ratio(fg, bg) >= 4.5  # ... and clearly readable
    assert rows[0] == render_rows(TINY)[0]  # the other row is untouched


@pytest.mark.parametrize("n_classes", [2, 3, 4, 10])
def test_one_dot_colour_per_class_on_every_cell(n_classes):
    """Issue 10: one colour per class whatever the cell under it (was brown on pale cells, peach on orange ones)."""
    kind = "binary" if n_classes == 2 else "multiclass"
    field = np.zeros((2, 1)) if kind == "binary" else np.eye(n_classes)[:, :1].reshape(n_classes, 1, 1).repeat(2, 1)
    seen: dict[int, set] = {}
    for level in (0.0, 0.3, 0.5, 0.8, 1.0):
        f = np.full((2, 1), level) if kind == "binary" else np.roll(field, int(level * 3), axis=0) * level
        for cls in range(n_classes):
            seg = render_rows(f, [(0.0, 0.0, cls)], bounds=B, kind=kind)[0][0]
            seen.setdefault(cls, set()).add(rgb(seg.style.color))
            assert bd.contrast_ratio(rgb(seg.style.color), rgb(seg.style.bgcolor)) >= 4.5
    assert all(len(colours) == 1 for colours in seen.values())
    assert len({next(iter(c)) for c in seen.values()}) == n_classes


def test_multiclass_dots_are_distinct_in_256_colours():
    """rings3's dots were olive, teal and dark green; in 256 colours each class keeps a colour of its own."""
    from rich.color import ColorSystem

    for k in (3, 4):
        downgraded = {bd._color(bd.point_rgb(c)).downgrade(ColorSystem.EIGHT_BIT).number for c in range(k)}
        assert len(downgraded) == k


def test_test_point_differs_from_train_point():
    train = cells(render_rows(TINY, [(-4.0, 4.5, 0, 0)], bounds=B)[0])[0]
    test = cells(render_rows(TINY, [(-4.0, 4.5, 0, 1)], bounds=B)[0])[0]
    assert train.text == TRAIN_GLYPH and test.text == TEST_GLYPH and TRAIN_GLYPH != TEST_GLYPH
    assert rgb(train.style.bgcolor) == rgb(test.style.bgcolor) == bd.POINT_BG


def test_points_api_and_outside_points():
    X = np.array([[4.0, 100.0], [-1.5, 0.0]])
    pts = Points.from_xy(X, [1, 0]) + Points.from_xy(np.array([[-4.0], [4.5]]), [0], test=True)
    assert len(pts) == 3 and pts.test.tolist() == [False, False, True]
    rows = render_rows(TINY, pts, bounds=B)
    glyphs = "".join(s.text for row in rows for s in row)
    assert glyphs.count(TRAIN_GLYPH) == 1 and glyphs.count(TEST_GLYPH) == 1  # the far point is dropped
    assert len(as_points(None)) == 0 and len(as_points([])) == 0
    with pytest.raises(ValueError):
        render_rows(TINY, [(0.0, 0.0, 1)])  # points need bounds
    with pytest.raises(ValueError):
        as_points([(1.0, 2.0)])


def test_multiclass_and_regression_render():
    p = np.zeros((3, 2, 2))
    p[2] = 1.0  # class 2 everywhere, fully confident
    seg = render_rows(p, kind="multiclass")[0][0]
    green = bd.class_rgb(2)
    assert (rgb(seg.style.color), rgb(seg.style.bgcolor)) == (green, green)
    r = np.array([[-1.0], [1.0]])
    seg = render_rows(r, kind="regression")[0][0]
    assert (rgb(seg.style.color), rgb(seg.style.bgcolor)) == (ORANGE, BLUE)


# --------------------------------------------------------------------------- plain mode


def test_plain_mode_ascii_dimensions_and_points():
    w, h = 20, 6
    f = predict_field(lambda X: 1 / (1 + np.exp(-X[0])), B, w, h)  # orange left, blue right
    lines = plain_lines(f, [(-5.9, 5.9, 1, 0), (5.9, -5.9, 0, 1), (-5.9, -5.9, 0, 0)], bounds=B)
    assert len(lines) == h and all(len(line) == w for line in lines)
    assert all(line.isascii() for line in lines)
    assert lines[0][0] == "1"  # train point of class 1, top left
    assert lines[-1][-1] == "a"  # test point of class 0, bottom right
    assert lines[-1][0] == "0"
    assert lines[2][1] == "-" and lines[2][-2] == "+"  # class regions
    assert "." in lines[2]  # the unsure band at the boundary
    rows = render_rows(f, color=False)
    assert [r[0].text for r in rows] == plain_lines(f) and all(len(r) == 1 and r[0].style is None for r in rows)


def test_plain_multiclass_and_regression():
    p = np.zeros((3, 2, 3))
    p[0, :, 0] = p[1, :, 1] = p[2, :, 2] = 1.0
    line = plain_lines(p, kind="multiclass")[0]
    assert len(set(line)) == 3 and line.isascii()
    r = np.array([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]])
    assert plain_lines(r, kind="regression") == ["-.+"]


# --------------------------------------------------------------------------- legend and CLI helpers


def test_legend_pairs():
    parts = legend("binary", ("circle", "ring"))
    text = "".join(t for t, _ in parts)
    assert "circle" in text and "ring" in text and TRAIN_GLYPH in text and TEST_GLYPH in text
    swatches = [s for t, s in parts if t == "█"]
    assert [rgb(s.color) for s in swatches] == [ORANGE, BLUE]
    plain = "".join(t for t, _ in legend("multiclass", ("a", "b", "c"), color=False))
    assert plain.isascii() and "2" in plain
    reg = "".join(t for t, _ in legend("regression", vmin=-2, vmax=2))
    assert "-2" in reg and "2" in reg


def test_render_text_colour_and_plain():
    def predict(X):
        return 1 / (1 + np.exp(-X[0]))[None, :]

    pts = [(-3.0, 0.0, 0), (3.0, 0.0, 1, 1)]
    text = render_text(predict, B, 10, 4, pts, class_names=("neg", "pos"))
    lines = text.plain.split("\n")
    assert len(lines) == 5 and all(len(line) == 10 for line in lines[:4])
    assert "neg" in lines[4] and TRAIN_GLYPH in text.plain and TEST_GLYPH in text.plain
    s = render_text(predict, B, 10, 4, pts, class_names=("neg", "pos"), color=False)
    assert isinstance(s, str) and s.isascii()
    assert len(s.split("\n")) == 5 and "0" in s and "b" in s
    renderer = BoundaryRenderer("binary", color=False)
    expected = "\n".join(renderer.lines(renderer.field(predict, B, 10, 4)))
    assert renderer.render(predict, B, 10, 4, with_legend=False) == expected


def test_import_stays_lean():
    code = "import sys, annplay.boundary; print(sorted(m for m in ('textual', 'rich.console') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_regression_text_legend_says_what_its_point_marks_mean() -> None:
    """'points: train 0 1' read as classes on a regression map (a probe's find): the marks are low and high halves."""
    text = "".join(part for part, _ in bd.legend("regression", vmin=-1.0, vmax=1.0, color=False))
    assert "train 0 low 1 high" in text
    assert "train 0 1" in "".join(part for part, _ in bd.legend("binary", color=False))
