"""Pilot tests: the network view (neuron maps, selection), the weight editor (nudge, type, validate, export,
import) and the trainer choice (GA/ES generations, fitness, population and σ), at phone and projector sizes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from annplay import boundary as bd
from annplay.app import PlaygroundApp
from annplay.core.fields import LEVELS, boundary_field, neuron_field
from annplay.engine.network import MLP
from annplay.screens.dialogs import FileNameDialog
from annplay.widgets.controls import Choice
from annplay.widgets.heatmap import HeatMap
from annplay.widgets.netview import NetView
from annplay.widgets.stats import StatsPanel
from annplay.widgets.weights import WeightEditor, WeightTable

from .conftest import SIZES, ready, record_notifications, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")

PALETTE = bd.get_palette("binary", 2, LEVELS)


def visible_colours(widget) -> set[tuple[int, int, int]]:
    """Foreground and background colours of the half blocks the widget renders now."""
    colours = set()
    for y in range(widget.size.height):
        for segment in widget.render_line(y):
            if segment.text.strip("▀") == "" and "▀" in segment.text and segment.style:
                for color in (segment.style.color, segment.style.bgcolor):
                    if color is not None:
                        colours.add(tuple(color.get_truecolor()))
    return colours


def hand_forward(weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """The default network (tanh hidden layers, logistic output) written out by hand."""
    A = X
    for i, (W, b) in enumerate(zip(weights, biases)):
        Z = W @ A + b
        A = np.tanh(Z) if i < len(weights) - 1 else 1 / (1 + np.exp(-Z))
    return A


def text_of(app) -> str:
    return "\n".join(screen_text(app))


async def test_network_view_shows_every_neuron_map(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("v")
        view = screen.query_one(NetView)
        assert screen.panel == "network" and view.display and app.focused is view
        await wait_until(pilot, lambda: view.data is not None and view.size.height > 0, "maps")
        assert view.flow == (size == (40, 20))           # one layer at a time on a phone, columns when wide
        colours = visible_colours(view)
        orange, blue = tuple(bd.ORANGE), tuple(bd.BLUE)
        near = lambda target: any(sum(abs(a - b) for a, b in zip(c, target)) < 60 for c in colours)
        assert near(orange) and near(blue)               # thumbnails in the heat map's colours
        maps = view.data.maps
        assert maps is not None and [m.shape[0] for m in maps] == screen.session.net.layers
        text = text_of(app)
        assert "▀" in text and ("layer 1/2" in text if view.flow else "L2" in text and "out" in text)
        # the maps follow training (the worker computes them with each snapshot)
        before = [m.copy() for m in view.data.maps]
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.epoch > 50 and screen.frames > 3, "training")
        await pilot.press("space")
        await wait_until(pilot, lambda: any(not np.array_equal(a, b) for a, b in zip(before, view.data.maps)),
                         "maps that changed")
        await pilot.press("v")
        assert screen.panel == "controls" and not screen.query_one("#network-panel").display


async def test_selecting_a_neuron_shows_its_map(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        heatmap = screen.query_one(HeatMap)
        await pilot.press("v")                           # on a phone the network view takes rows from the map
        await wait_until(pilot, lambda: len(heatmap.rows) == screen.picture[1], "the map at its new size")
        output_rows = list(heatmap.rows)
        view = screen.query_one(NetView)
        await pilot.press("right" if view.flow else "down")   # the first arrow moves on from the highlighted neuron
        assert screen.neuron == (1, 1)                         # (issue 17.2.8: it used to select (1, 0) first)
        labels = [key.label for key in screen.bar_keys()]
        assert "Hide neuron" in labels and "Show neuron" not in labels      # ⏎ says what it does
        await pilot.press("enter")                             # ⏎ Hide neuron
        assert screen.neuron is None and view.cursor == (1, 1)
        labels = [key.label for key in screen.bar_keys()]
        assert "Show neuron" in labels and "Hide neuron" not in labels
        await pilot.press("enter")                             # ⏎ Show neuron: the highlighted one, shown again
        assert screen.neuron == (1, 1)
        w, h = screen.picture
        expected = neuron_field(screen.session.net, screen.session.prep.inputs, screen.session.bounds, w, h, 1, 1)
        assert np.allclose(heatmap.field, expected) and heatmap.rows != output_rows
        assert heatmap.kind == "binary"
        assert "neuron L1.2" in text_of(app)
        # to the next layer and back by keys
        await pilot.press("greater_than_sign")
        assert screen.neuron[0] == 2
        await pilot.press("escape")                      # deselect: the output again
        assert screen.neuron is None and screen.panel == "network"
        session = screen.session
        assert np.allclose(heatmap.field, boundary_field(session.net, session.prep.inputs, session.bounds, w, h))
        assert heatmap.rows == output_rows
        assert "neuron L" not in text_of(app) and "█ 1" in text_of(app)
        # tap a neuron to select it, tap it again to deselect
        box = next(b for b in view.boxes if b.layer >= 1)
        offset = (box.x + 1 - int(view.scroll_x), box.y - int(view.scroll_y))
        await pilot.click(NetView, offset=offset)
        assert screen.neuron == (box.layer, box.index)
        await pilot.click(NetView, offset=offset)
        assert screen.neuron is None
        await pilot.press("escape")                      # nothing shown: escape closes the view
        assert screen.panel == "controls"


async def test_editor_nudges_exactly_by_the_step(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.epoch > 0, "training")
        await pilot.press("w")                           # opening the editor pauses training
        assert not screen.running and screen.panel == "weights"
        assert isinstance(app.focused, WeightTable)
        net = screen.session.net
        X = np.random.default_rng(1).normal(size=(2, 7))
        await pilot.press("down", "right")               # W1 row 2, column 2
        W = net.weights[0]
        before, out_before = float(W[1, 1]), net.forward(X).copy()
        Ws, bs = [np.array(w) for w in net.weights], [np.array(b) for b in net.biases]
        field_before = screen.query_one(HeatMap).field.copy()
        await pilot.press("plus")
        assert W[1, 1] == before + 0.1
        Ws[0][1, 1] += 0.1                               # the same edit, by hand
        assert np.allclose(net.forward(X), hand_forward(Ws, bs, X), rtol=1e-12, atol=1e-12)
        assert not np.allclose(net.forward(X), out_before)
        assert not np.array_equal(screen.query_one(HeatMap).field, field_before)   # the boundary redrew at once
        await pilot.press("right_square_bracket")        # step 0.1 -> 1
        assert screen.query_one(WeightEditor).step == 1.0
        await pilot.press("minus")
        assert W[1, 1] == before + 0.1 - 1.0
        bias = float(net.biases[0][1, 0])
        await pilot.press("right", "plus")               # the bias column
        assert net.biases[0][1, 0] == bias + 1.0 and screen.epoch > 0
        Ws[0][1, 1] -= 1.0
        bs[0][1, 0] += 1.0
        assert np.allclose(net.forward(X), hand_forward(Ws, bs, X), rtol=1e-12, atol=1e-12)
        assert "b1[2] = " in text_of(app)


async def test_editor_typed_number_and_invalid_entries(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("w", "greater_than_sign", "down")   # layer 2 (8×8), row 2, column 1
        editor = screen.query_one(WeightEditor)
        field = editor.query_one("#weight-input")
        W = screen.session.net.weights[1]
        notes = record_notifications(app)

        async def type_value(text: str) -> None:
            await pilot.press("enter")
            assert editor.has_class("-typing") and app.focused is field
            field.value = ""
            await pilot.press(*text)
            await pilot.press("enter")

        await type_value("0.75")
        assert W[1, 0] == 0.75 and not editor.has_class("-typing")
        flat = screen.session.net.get_flat()
        for bad, words in (("abc", "Not a number"), ("nan", "finite"), ("inf", "finite")):
            await type_value(bad)
            assert np.array_equal(screen.session.net.get_flat(), flat)
            message = str(editor.query_one("#editor-message").render())
            assert words in message and "nothing changed" in message
            assert editor.query_one("#editor-message").has_class("-error")
            assert not notes                # no toast over the grid: the red line says it
            await pilot.press("escape")                  # cancel the input
            assert not editor.has_class("-typing")
        assert W[1, 0] == 0.75


async def test_export_json_npz_and_import(size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        await pilot.press("w", "plus")
        saved = screen.session.net.get_flat()
        await pilot.press("e")
        assert isinstance(app.screen, FileNameDialog)
        await pilot.press("enter")
        data = json.loads((tmp_path / "annplay-weights.json").read_text())
        assert np.allclose(np.array(data["weights"][0]), screen.session.net.weights[0])
        assert data["layers"] == screen.session.net.layers
        await pilot.click("#btn-export-npz")             # the button does the same as s
        assert isinstance(app.screen, FileNameDialog)
        await pilot.press("enter")
        assert (tmp_path / "annplay-weights.npz").exists()
        await pilot.press("plus", "plus")
        assert not np.array_equal(screen.session.net.get_flat(), saved)
        await pilot.press("o", "enter")
        assert np.array_equal(screen.session.net.get_flat(), saved)
        assert "loaded" in text_of(app)
        # another architecture: a clear message, nothing changed
        MLP([2, 3, 1], "tanh", seed=1).save(tmp_path / "other.npz")
        await pilot.press("plus")
        changed = screen.session.net.get_flat()
        await pilot.press("o")
        app.screen.query_one("#dialog-input").value = "other.npz"
        await pilot.press("enter")
        assert np.array_equal(screen.session.net.get_flat(), changed)
        assert any("does not fit" in n.message for n in notes)
        # a missing file and escape in the dialog: messages, never a crash
        await pilot.press("o")
        app.screen.query_one("#dialog-input").value = "missing.npz"
        await pilot.press("enter")
        assert any("no such file" in n.message for n in notes)
        await pilot.press("e", "escape")
        assert app.screen is screen


async def test_switching_to_es_shows_generations_and_fitness(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("n", "n")
        net, weights = screen.session.net, screen.session.net.get_flat()
        screen.query_one("#choice-trainer", Choice).select("es", notify=True)
        await pilot.pause()
        assert screen.session.family == "evolution" and screen.session.trainer.method == "es"
        assert screen.session.net is net and np.array_equal(net.get_flat(), weights)      # the weights are kept
        assert screen.query_one("#choice-population").display and not screen.query_one("#choice-lr").display
        await pilot.press("n")
        big = screen.query_one(StatsPanel).big                 # the projector: "generation" over big digits
        assert screen.epoch == 1 and ("generation" if big else "generation 1") in text_of(app)
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.epoch > 5 and screen.frames > 2, "generations")
        await pilot.press("space")
        stats = screen.query_one(StatsPanel)
        history = screen.session.history[0]
        await wait_until(pilot, lambda: len(history) > 1, "fitness history")
        assert "best" in text_of(app) and "mean" in text_of(app)
        assert max(history) <= 0 and history[-1] == screen.session.trainer.best_fitness
        assert stats.history[0] == tuple(history)
        population = screen.query_one("#choice-population", Choice)
        population.select(32, notify=True)
        screen.query_one("#choice-sigma", Choice).select(0.1, notify=True)
        await pilot.pause()
        assert screen.session.trainer.population == 32 and screen.session.trainer.sigma == 0.1
        await pilot.press("n")                           # a generation with the new settings
        assert screen.session.trainer.evaluations > 0


async def test_step_activation_needs_neuroevolution(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        activation = screen.query_one("#choice-activation", Choice)
        assert "step" not in activation.values                      # back-propagation cannot train it
        assert "step" not in screen.query_one("#choice-layer_act-0", Choice).values
        notes = record_notifications(app)
        screen.changes.change_settings({"activation": "step"})   # e.g. from a script: refused, with the way out
        assert screen.session.setup.activation == "tanh" and activation.value == "tanh"
        assert any("ga or es" in n.message for n in notes)
        screen.query_one("#choice-trainer", Choice).select("ga", notify=True)
        await pilot.pause()
        assert "step" in activation.values
        screen.query_one("#choice-activation", Choice).select("step", notify=True)
        await pilot.pause()
        assert [a.name for a in screen.session.net.activations] == ["step", "step", "logistic"]
        assert screen.session.trainer.method == "ga"
        await pilot.press("n")
        assert screen.epoch == 1


async def test_the_weight_editor_never_says_paused_while_training_runs(size):
    """Issue 17.2.9: a tap on the key bar's ␣ with the editor open trains; the editor says so, and Paused. after."""
    from annplay.widgets.keybar import KeyBar

    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: screen.panel == "weights" and screen.query(WeightEditor), "the editor")
        message = screen.query_one("#editor-message")
        await wait_until(pilot, lambda: str(message.render()).startswith("Paused."), "Paused. when paused")
        bar = screen.query_one(KeyBar)
        play = next(start for start, _end, key in bar.spans if key.action == "play")
        await pilot.click(KeyBar, offset=(play, 0))
        await wait_until(pilot, lambda: screen.running, "a tap on ␣ trains")
        await pilot.pause()
        assert "Paused" not in str(message.render()) and "Training" in str(message.render())
        await pilot.click(KeyBar, offset=(play, 0))
        await wait_until(pilot, lambda: not screen.running, "a tap pauses")
        await wait_until(pilot, lambda: str(message.render()).startswith("Paused."), "Paused. again")
