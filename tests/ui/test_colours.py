"""Honest colours: one dot colour per class, a legend that explains pale and the marks, axis names, a colour-free
mode (NO_COLOR, 16 colours, or the person's choice), schemes remembered with platformdirs, and thinned dots."""

from __future__ import annotations

import numpy as np
import pytest

from annplay import boundary as bd
from annplay.app import PlaygroundApp
from annplay.core import prefs
from annplay.engine.setup import Setup
from annplay.widgets.heatmap import HeatMap, axis_caption
from annplay.widgets.stats import Legend

from .conftest import SIZES, ready, screen_text

pytestmark = pytest.mark.usefixtures("private_prefs")   # never the person's own preferences


def test_prefs_round_trip_and_damaged_files(private_prefs):
    assert prefs.load() == prefs.Prefs()                           # no file: the defaults
    chosen = prefs.Prefs().with_(scheme="colour-blind", colour="plain")
    prefs.save(chosen)
    assert prefs.load() == chosen
    private_prefs.write_text("{not json")
    assert prefs.load() == prefs.Prefs()
    private_prefs.write_text('{"scheme": "neon"}')
    assert prefs.load() == prefs.Prefs()
    with pytest.raises(ValueError, match="scheme: 'neon' is not one of standard"):
        prefs.Prefs().with_(scheme="neon")


def test_when_the_map_uses_colour():
    auto = prefs.Prefs()
    assert prefs.use_colour(auto, {}, 1 << 24) and prefs.use_colour(auto, {}, 256)
    assert not prefs.use_colour(auto, {"NO_COLOR": "1"}, 1 << 24)
    assert not prefs.use_colour(auto, {}, 16)
    assert not prefs.use_colour(auto.with_(colour="plain"), {}, 1 << 24)
    assert prefs.use_colour(auto.with_(colour="colour"), {"NO_COLOR": "1"}, 16)


def test_schemes_change_the_class_colours_and_stay_readable():
    standard = [bd.point_rgb(c) for c in range(4)]
    prefs.apply_scheme(prefs.Prefs(scheme="colour-blind"))
    safe = [bd.point_rgb(c) for c in range(4)]
    assert safe != standard and len(set(safe)) == 4
    assert all(bd.contrast_ratio(c, bd.POINT_BG) >= 4.5 for c in safe)
    assert prefs.SCHEMES["colour-blind"][0] == bd.ORANGE


def test_dots_never_cover_more_than_a_third_of_the_map():
    rng = np.random.default_rng(1)
    X = rng.uniform(-6, 6, (2, 2000))
    pts = bd.Points.from_xy(X, (X[0] > 0).astype(int))
    for width, height in ((20, 10), (40, 18), (120, 40)):
        rows = bd.render_rows(np.full((2 * height, width), 0.5), pts, bounds=bd.DEFAULT_BOUNDS)
        dots = sum(seg.text.count(bd.TRAIN_GLYPH) for row in rows for seg in row)
        assert 0 < dots <= width * height / 3
    few = bd.Points.from_xy(X[:, :10], np.zeros(10, dtype=int))          # few points: every one is drawn
    rows = bd.render_rows(np.full((80, 120), 0.5), few, bounds=bd.DEFAULT_BOUNDS)
    assert sum(seg.text.count(bd.TRAIN_GLYPH) for row in rows for seg in row) == 10


def test_thinning_ends_on_the_smallest_map():
    """A one-cell map with many points: one dot is drawn (the thinning loop always ends)."""
    pts = bd.Points.from_xy(np.zeros((2, 50)), np.zeros(50, dtype=int))
    rows = bd.render_rows(np.full((2, 1), 0.5), pts, bounds=bd.DEFAULT_BOUNDS)
    assert [seg.text for row in rows for seg in row] == [bd.TRAIN_GLYPH]


def test_axis_caption_in_real_units():
    assert axis_caption(bd.DEFAULT_BOUNDS) == "↔ x1 −6…6  ↕ x2 −6…6"
    b = bd.Bounds(-1.0, 1.0, -2.0, 2.0)
    text = axis_caption(b, ("petal length (cm)", "width"), np.array([[4.0], [1.0]]), np.array([[2.0], [0.5]]))
    assert text == "↔ petal length (cm) 2…6  ↕ width 0…2"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_colour_legend_explains_pale_and_the_marks(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        legend = " ".join(e.plain for e in screen.query_one(Legend).entries)
        assert "pale: less sure" in legend
        await pilot.press("t")                                     # train and test dots: the marks are explained
        legend = " ".join(e.plain for e in screen.query_one(Legend).entries)
        assert f"{bd.TRAIN_GLYPH} train" in legend and f"{bd.TEST_GLYPH} test" in legend
        assert "↔ x1 −6…6" in "\n".join(screen_text(app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_no_color_draws_a_plain_map(size, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = PlaygroundApp(Setup(dataset="iris"))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        heatmap = screen.query_one(HeatMap)
        assert not heatmap.color
        picture = "".join(seg.text for row in heatmap.rows for seg in row)
        assert bd.HALF_BLOCK not in picture and set(picture) & set(bd.REGION_CHARS)
        legend = [e.plain for e in screen.query_one(Legend).entries]
        assert any("setosa" in e for e in legend) and any("versicolor" in e for e in legend)
        assert any("unsure" in e for e in legend)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_choice_is_remembered(size, private_prefs):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        said = screen.look.set_look(scheme="high-contrast", colour="plain")
        assert "high-contrast" in said and str(private_prefs) in said
        assert not screen.query_one(HeatMap).color
    assert prefs.load() == prefs.Prefs(scheme="high-contrast", colour="plain")
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        assert screen.look.prefs.scheme == "high-contrast" and not screen.query_one(HeatMap).color


def test_terminal_colours_from_the_environment():
    from annplay.screens.look import terminal_colours

    assert terminal_colours({"COLORTERM": "truecolor", "TERM": "xterm"}) == 1 << 24
    assert terminal_colours({"TERM": "tmux-256color"}) == 256
    assert terminal_colours({"TERM": "linux"}) == 16 and terminal_colours({"TERM": "dumb"}) == 0
