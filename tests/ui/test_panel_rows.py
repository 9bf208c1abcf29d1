"""The lower area on a phone: the weight editor and the network view take the rows they fill, the rest goes to the
map; a layer change clears an edit; no hidden layers is said whole."""

from __future__ import annotations

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.screens.layout import narrow_layout
from annplay.widgets.netview import plan
from annplay.widgets.weights import WeightEditor

from .conftest import ready, screen_text, wait_until


async def open_editor(pilot, screen) -> None:
    """w: the weight editor, open and drawn."""
    await pilot.press("w")
    await wait_until(pilot, lambda: screen.query(WeightEditor) and screen.panel == "weights", "the editor")


async def test_the_weight_editor_uses_a_phones_rows():
    app = PlaygroundApp(Setup(hidden=(8, 8)))                            # a layer of 8 neurons
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await open_editor(pilot, screen)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        table = screen.query_one("#weight-table")
        assert table.region.height >= 4                                  # the header and at least 3 neurons
        assert table.scrollbar_size_horizontal == 0 or not table.show_horizontal_scrollbar
        assert "L2.3" in "\n".join(screen_text(app))


async def test_a_short_layer_gives_its_rows_back_to_the_map():
    app = PlaygroundApp()
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await ready(pilot)
        await open_editor(pilot, screen)
        side_before = screen.query_one("#side").region.height
        await pilot.press("greater_than_sign", "greater_than_sign")          # the output layer: one neuron
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#side").region.height < side_before
        table = screen.query_one("#weight-table").region
        assert table.height <= 3                                           # its header and its one neuron


def test_the_lower_area_takes_no_more_than_the_panel_fills():
    full = narrow_layout(30, panel="network", width=60)
    small = narrow_layout(30, panel="network", panel_rows=8, width=60)
    assert small.side == 8 and small.view == full.view + full.side - 8
    assert plan((2, 3, 1), 1, 60, 100)[3].height == 1 + 3 * 4          # 3 neurons of 6×3 maps and a strip


async def test_editing_then_changing_layer_clears_the_old_edit():
    app = PlaygroundApp()
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await ready(pilot)
        await open_editor(pilot, screen)
        await pilot.press("plus")
        message = screen.query_one("#editor-message")
        await wait_until(pilot, lambda: "(was" in str(message.render()), "the edit's message")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert "W1" not in str(message.render()) and "(was" not in str(message.render())


async def test_no_hidden_layers_is_said_whole():
    app = PlaygroundApp(Setup(hidden=()))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("v")
        await pilot.pause()
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "No hidden layers" in text and "NETWORK" in text and "…" not in text.split("No hidden")[1][:45]

