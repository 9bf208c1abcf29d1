"""fields.py: the picture grid, one forward pass for the boundary, neuron and network maps; widgets only draw."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from annplay.core import fields
from annplay.engine.network import MLP

WIDGETS = Path(fields.__file__).parents[1] / "widgets"


def by_hand(net: MLP, X: np.ndarray) -> list[np.ndarray]:
    """A(1) … A(L) in float64, written out layer by layer."""
    outs, A = [], X.astype(np.float64)
    for W, b, g in zip(net.weights, net.biases, net.activations, strict=True):
        A = g(W @ A + b)
        outs.append(A)
    return outs


def test_the_boundary_field_is_the_network_over_the_grid():
    net = MLP([2, 5, 3, 1], ["tanh", "relu", "logistic"], seed=3)
    bounds, w, h = fields.Bounds(-2, 4, -1, 3), 9, 5
    field = fields.boundary_field(net, lambda X: X, bounds, w, h)
    expected = by_hand(net, fields.grid_inputs(bounds, w, h))[-1].reshape(2 * h, w)
    assert field.shape == (2 * h, w) and np.allclose(field, expected, atol=1e-5)


def test_a_neuron_field_and_the_thumbnails_come_from_the_same_pass():
    net = MLP([2, 4, 2], ["tanh", "softmax"], seed=1)
    bounds, w, h = fields.DEFAULT_BOUNDS, 12, 6
    got = fields.compute(net, lambda X: X, bounds, w, h, kind="multiclass", neuron=(1, 2), maps=True,
                         input_labels=("x1", "x2"))
    A1 = by_hand(net, fields.grid_inputs(bounds, w, h))[0][2]
    share = 0.5 + 0.5 * A1 / max(1.0, float(np.max(np.abs(A1))))
    assert got.kind == "binary" and np.allclose(got.field, share.reshape(2 * h, w), atol=1e-5)
    maps = got.maps
    assert maps is not None and [m.shape for m in maps.maps] == [(2, 6, 6), (4, 6, 6), (2, 6, 6)]
    assert maps.layers == (2, 4, 2) and maps.input_labels == ("x1", "x2")
    assert all(m.min() >= 0 and m.max() <= fields.LEVELS - 1 for m in maps.maps)
    assert np.array_equal(maps.weights[0], net.weights[0]) and maps.weights[0] is not net.weights[0]
    no_plane = fields.compute(net, lambda X: X, None, w, h, kind="binary", maps=True)
    assert no_plane.field is None and no_plane.maps is not None and no_plane.maps.maps is None


def test_non_finite_outputs_draw_as_undecided():
    net = MLP([2, 1], ["logistic"], seed=0)
    net.weights[0][...] = np.nan
    field = fields.boundary_field(net, lambda X: X, fields.DEFAULT_BOUNDS, 4, 2)
    assert np.all(field == 0.5)


@given(st.integers(1, 120), st.integers(1, 60), st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_cell_and_its_centre_point_agree(width, height, a, b):
    bounds = fields.Bounds(-3.0, 5.0, -2.0, 7.0)
    col, row = a % width, b % height
    x1, x2 = fields.cell_to_point(bounds, width, height, col, row)
    assert fields.point_to_cell(bounds, width, height, x1, x2) == (col, row)


@given(st.integers(1, 300), st.integers(1, 100), st.floats(0.2, 5.0))
def test_fit_size_fits_and_keeps_pixels_square(columns, lines, aspect):
    w, h = fields.fit_size(columns, lines, aspect)
    assert 1 <= w <= columns and 1 <= h <= lines
    assert w == columns or h == lines or abs(w / (2 * h) - aspect) <= 1.0


def _loops_over_network(tree: ast.AST) -> list[str]:
    """Places where a module computes with a network: linalg, matrix products, loops over weights, forward passes."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            found += [f"imports {n}" for n in names if "linalg" in n]
        elif isinstance(node, ast.Attribute) and node.attr in ("linalg", "layer_outputs", "forward", "predict"):
            found.append(f"uses .{node.attr}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.append("a matrix product (@)")
        elif isinstance(node, (ast.For, ast.comprehension)):
            for sub in ast.walk(node.iter):
                if isinstance(sub, ast.Attribute) and sub.attr in ("weights", "biases", "activations"):
                    found.append(f"loops over .{sub.attr}")
    return found


def test_widgets_only_draw():
    modules = sorted(WIDGETS.glob("*.py"))
    assert len(modules) >= 6
    for path in modules:
        assert _loops_over_network(ast.parse(path.read_text())) == [], path.name


def test_the_draw_only_check_can_fail():
    bad = ast.parse("import numpy.linalg\nfor W, b in zip(net.weights, net.biases):\n    A = W @ A\n")
    assert set(_loops_over_network(bad)) == {"imports numpy.linalg", "loops over .weights", "loops over .biases",
                                             "a matrix product (@)"}
