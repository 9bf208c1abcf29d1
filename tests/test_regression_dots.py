"""Issue 17.2.11: regression dots are shaded by their value on the map's scale (as TF does), not solid by sign;
the legend shows both ends of the scale in a phone's column."""

from __future__ import annotations

import numpy as np

from annplay.boundary import TRAIN_GLYPH, Points, get_palette, legend, render_rows
from annplay.core.fields import DEFAULT_BOUNDS, quantize


def dot_colours(values: list[float]) -> list[tuple[int, int, int]]:
    """The colour of each dot drawn for points of these values, left to right along the middle row."""
    field = np.zeros((8, 16))
    xs = np.linspace(-5, 5, len(values))
    points = Points(xs, np.zeros(len(values)), np.array(values, dtype=float), np.zeros(len(values), dtype=bool))
    rows = render_rows(field, points, bounds=DEFAULT_BOUNDS, kind="regression", vmin=-1.0, vmax=1.0)
    found = [seg.style.color.triplet for row in rows for seg in row if seg.text.startswith(TRAIN_GLYPH)
             for _ in seg.text]
    return [(c.red, c.green, c.blue) for c in found]


def test_a_near_zero_target_is_a_pale_dot_and_a_strong_one_a_strong_dot():
    colours = dot_colours([-1.0, -0.05, 0.05, 1.0])
    palette = get_palette("regression")
    codes = quantize(np.array([[-1.0, -0.05, 0.05, 1.0]]), "regression", vmin=-1.0, vmax=1.0)[0].tolist()
    assert colours == [palette.rgb[c] for c in codes]
    assert colours[0] != colours[1] and colours[2] != colours[3]          # by value, not two colours by sign
    strength = palette.strength
    assert strength[codes[1]] < 0.2 and strength[codes[0]] == 1.0


def test_the_regression_legend_names_min_and_max_in_a_narrow_column():
    text = "".join(t for t, _ in legend("regression", vmin=-0.945, vmax=1.23)).split("   ")[0]
    assert text.startswith("-0.945 ") and text.endswith(" 1.23") and len(text) <= 18
