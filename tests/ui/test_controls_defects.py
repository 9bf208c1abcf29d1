"""Issue 10's defects 1, 2, 3, 5, 6 and 7, each driven as a person would (keys and taps), phone and projector."""

from __future__ import annotations

import numpy as np
import pytest

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.controls import FOCUS_MARK, Choice
from annplay.widgets.heatmap import HeatMap, picture_rows, target_range
from annplay.widgets.stats import Legend, StatsPanel

from .conftest import SIZES, ready, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


async def test_arrows_walk_every_control_both_ways(size):
    """Defect 1: ↓ from the first control reaches the last one (buttons included); ↑ walks back the same path."""
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        panel = screen.query_one(ControlPanel)
        assert not panel.can_focus and screen.focused is not panel        # the scroll is no Tab stop
        await pilot.press("m")
        order = panel.walkable()
        assert any(getattr(w, "id", "") == "btn-clear_points" for w in order)
        down = [screen.focused]
        for _ in range(len(order) + 2):
            await pilot.press("down")
            down.append(screen.focused)
        assert down[-1] is order[-1]                                     # reached the end, stays there
        seen = {id(w) for w in down}
        for wanted in ("chips-features", "choice-layers", "choice-lr"):
            assert id(screen.query_one(f"#{wanted}")) in seen, wanted
        assert panel.scroll_offset.y > 0 or panel.max_scroll_y == 0      # the focused control is scrolled into view
        up = [screen.focused]
        for _ in range(len(order) + 2):
            await pilot.press("up")
            up.append(screen.focused)
        assert up[-1] is order[0]
        walked_down = [w for i, w in enumerate(down) if i == 0 or w is not down[i - 1]]
        walked_up = [w for i, w in enumerate(up) if i == 0 or w is not up[i - 1]]
        assert walked_up[: len(walked_down)] == walked_down[::-1]


async def test_regression_scale_is_the_targets_own(size):
    """Defect 2: the map's colours and the legend use the target's real min and max, not ±(largest output)."""
    app = PlaygroundApp(Setup(dataset="plane"))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        y = screen.session.prep.dataset.y
        lo, hi = target_range(y)
        assert (lo, hi) == (float(y.min()), float(y.max()))
        assert screen.query_one(HeatMap).scale == (lo, hi)
        legend = " ".join(e.plain for e in screen.query_one(Legend).entries)
        assert f"{lo:.3g}" in legend and f"{hi:.3g}" in legend and "-1 " not in legend


def test_a_fixed_scale_keeps_mid_values_in_the_middle(size):
    """Defect 2: ages 1–15, outputs near 8 are the middle colour, not the full blue of a stretched scale."""
    field = np.full((4, 6), 8.0)
    stretched = picture_rows(field, (), None, "regression", False)        # old behaviour: ±8 → 8 is the top
    fixed = picture_rows(field, (), None, "regression", False, (1.0, 15.0))
    assert stretched != fixed
    top = picture_rows(np.full((4, 6), 15.0), (), None, "regression", False, (1.0, 15.0))
    assert fixed != top


async def test_an_empty_drawing_shows_no_old_numbers(size):
    """Defect 3: after training, x (clear: an empty drawing) shows epoch 0 and dashes, not the spiral's figures."""
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("n", "n", "n")
        assert "epoch 3" in "\n".join(screen_text(app))
        await pilot.press("x")
        await wait_until(pilot, lambda: not screen.session.has_data, "the empty drawing")
        stats = screen.query_one(StatsPanel)
        await wait_until(pilot, lambda: stats.epoch == 0, "epoch 0 shown")
        await pilot.pause()
        text = "\n".join(screen_text(app))
        big = stats.big                          # the projector: the epoch in big digits under its label
        assert "epoch 3" not in text and ("epoch 0" in text or big and screen.query_one("#big-epoch").value == "0")
        assert stats.history == ((), ())
        assert "%" not in str(screen.query_one("#stats-numbers").content)


async def test_taps_stop_at_the_ends_and_layer_sizes_come_back(size):
    """Defect 5: tapping ▶ on the last value stays there; fewer layers then more gives the old sizes back."""
    app = PlaygroundApp(Setup(hidden=(8, 16, 4, 4, 4, 4)))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        layers = screen.query_one("#choice-layers", Choice)
        assert layers.value == 6
        layers.scroll_visible(animate=False)
        await wait_until(pilot, lambda: screen.region.contains_region(layers.region) and layers.region.height > 0,
                         "the Layers control scrolled into view")      # under load a pause was not always enough
        await pilot.click(layers, offset=(layers.size.width - 1, 0))     # ▶ on the last value
        await pilot.pause()
        assert layers.value == 6 and screen.session.setup.hidden == (8, 16, 4, 4, 4, 4)
        layers.focus()
        for _ in range(6):
            await pilot.press("left")
        await wait_until(pilot, lambda: screen.session.setup.hidden == (), "no hidden layer")
        await pilot.click(layers, offset=(layers.label_width, 0))        # ◀ on the first value
        await pilot.pause()
        assert screen.session.setup.hidden == ()
        for n in range(1, 3):
            await pilot.click(layers, offset=(layers.size.width - 1, 0))
            await wait_until(pilot, lambda n=n: len(screen.session.setup.hidden) == n, f"{n} layers")
        assert screen.session.setup.hidden == (8, 16)


async def test_draw_control_names_the_classes(size):
    """Defect 6: on iris the Draw control says the class names, not 'class 1'."""
    app = PlaygroundApp(Setup(dataset="iris"))
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        draw = app.screen.query_one("#choice-draw_class", Choice)
        assert draw.labels[:3] == ["setosa", "versicolor", "virginica"]


async def test_focus_is_unmistakable(size):
    """Defect 7: the focused control has a mark of its own and a solid (not 30 %) accent background."""
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("m")
        focused = screen.focused
        assert isinstance(focused, Choice)
        assert focused.render().plain.startswith(FOCUS_MARK)
        assert focused.styles.background.a == 1.0
        other = screen.query_one("#choice-lr", Choice)
        assert not other.render().plain.startswith(FOCUS_MARK)
