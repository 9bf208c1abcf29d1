"""The weight editor: one layer's W and b as a grid of numbers coloured by sign and size; nudge, type, export."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Static

from annplay import boundary as bd
from annplay.widgets.controls import Choice
from annplay.widgets.tap import Tap

STEPS = (0.01, 0.1, 1.0)          # nudge sizes; [ and ] cycle through them
DEFAULT_STEP = 0.1
CELL_DIM = (0x30, 0x30, 0x30)     # background of a weight near zero


def format_weight(value: float) -> str:
    """A weight in at most 6 characters, with its sign (the grid's columns are as wide as "+0.000": a wider text
    was cut into another number, 1e308 into "+1e+30")."""
    if not math.isfinite(value):
        return str(value)
    for decimals in (3, 2, 1):                            # as many decimals as fit once rounded (9.9996: +10.00)
        text = f"{value:+.{decimals}f}"
        if len(text) <= 6:
            return text
    mantissa, exponent = f"{value:+.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"                  # +1e4, -1e308


def weight_cell(value: float, scale: float) -> Text:
    """The number on a background: blue for positive, orange for negative, stronger for larger |w|."""
    t = min(1.0, abs(value) / scale) if scale > 0 and math.isfinite(value) else 0.0
    base = bd.BLUE if value >= 0 else bd.ORANGE
    rgb = tuple(round(d + (c - d) * t) for d, c in zip(CELL_DIM, base, strict=True))
    style = Style(color="white" if t < 0.75 or value >= 0 else "black", bgcolor=Color.from_rgb(*rgb))
    return Text(format_weight(value), style=style, justify="right")     # the table's padding keeps cells apart


def layer_names(layers: list[int]) -> list[str]:
    """'in', 'L1' … 'out' for a network's layers."""
    return ["in", *(f"L{i}" for i in range(1, len(layers) - 1)), "out"]


class WeightTable(DataTable):
    """The grid: arrows move, + / - nudge by the step, [ ] change the step, enter types a number."""

    DEFAULT_CSS = """
    WeightTable { height: 1fr; scrollbar-size: 1 1; }
    WeightTable.-narrow { scrollbar-size-horizontal: 0; }   /* a phone: the cursor scrolls it; every row counts */
    """

    PANEL_NAME = "weight editor"
    BINDINGS = [
        Binding("plus,equals_sign", "nudge(1)", "Nudge up", key_display="+", tooltip="add the step to the weight"),
        Binding("minus", "nudge(-1)", "Nudge down", key_display="-", tooltip="subtract the step from the weight"),
        Binding("enter", "type_value", "Type", key_display="⏎", tooltip="type a number for the weight"),
        Binding("right_square_bracket", "step_size(1)", "Step size", key_display="[ ]",
                tooltip="cycle the step: 0.01, 0.1, 1"),
        Binding("left_square_bracket", "step_size(-1)", "Smaller step", show=False),
        Binding("greater_than_sign,full_stop", "layer(1)", "Next layer", key_display="< >",
                tooltip="the next or previous layer's weights"),
        Binding("less_than_sign,comma", "layer(-1)", "Previous layer", show=False),
    ]

    def action_nudge(self, sign: int) -> None:
        """Ask the editor to nudge the weight under the cursor."""
        self._editor().nudge(sign)

    def action_type_value(self) -> None:
        """Open the number input for the weight under the cursor."""
        self._editor().start_typing()

    def action_step_size(self, step: int) -> None:
        """Cycle the nudge step."""
        self._editor().cycle_step(step)

    def action_layer(self, step: int) -> None:
        """Show the previous or next layer."""
        self._editor().change_layer(step)

    def _editor(self) -> WeightEditor:
        return self.query_ancestor(WeightEditor)


class WeightEditor(Vertical):
    """A layer switcher, the weight grid, a number input (on demand), a message line and buttons."""

    DEFAULT_CSS = """
    WeightEditor { height: 1fr; }
    WeightEditor > #editor-top { height: 1; }
    WeightEditor > #editor-top > #choice-edit_layer { width: auto; margin-right: 1; }
    WeightEditor > #editor-top > #choice-edit_step { width: auto; }
    WeightEditor > #weight-input { display: none; height: 1; border: none; padding: 0 1; }
    WeightEditor.-typing > #weight-input { display: block; }
    WeightEditor > #editor-message { height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    WeightEditor > #editor-message.-error { height: auto; max-height: 3; text-wrap: wrap; }
    WeightEditor > #editor-message.-error { color: $error; }
    WeightEditor > #editor-buttons { height: 1; }
    WeightEditor > #editor-buttons > Tap { margin: 0 1 0 0; min-width: 3; }
    """

    class Edit(Message):
        """Change W(layer)[row, col] (col == its width: the bias) by delta, or to a typed text."""

        def __init__(self, layer: int, row: int, col: int, delta: float = 0.0, text: str | None = None) -> None:
            super().__init__()
            self.layer, self.row, self.col, self.delta, self.text = layer, row, col, delta, text

    class LayerChanged(Message):
        """Another layer is shown (it may have another number of rows)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown_layer = 0
        self.step = DEFAULT_STEP
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.net_layers: list[int] = []
        self.input_labels: list[str] = []
        self._shape: tuple[int, ...] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="editor-top"):
            yield Choice("edit_layer", "Layer", [0], 0, labels=["1"], label_width=6, title="Editor layer")
            yield Choice("edit_step", "Step", list(STEPS), DEFAULT_STEP, label_width=5, wrap=True, title="Nudge step")
        yield WeightTable(id="weight-table", cursor_type="cell", zebra_stripes=False)
        yield Input(id="weight-input", placeholder="a number, e.g. -0.5 or 1e-2", compact=True)
        yield Static(id="editor-message")
        with Horizontal(id="editor-buttons"):
            for label, name, tip in (("-", "nudge-down", "subtract the step"), ("+", "nudge-up", "add the step"),
                                     ("Type", "type", "type a number"),
                                     ("JSON", "export-json", "export the weights as JSON (e)"),
                                     ("npz", "export-npz", "save the network as .npz (s)"),
                                     ("Load", "import-npz", "load weights from an .npz (o)")):
                button = Tap(label, id=f"btn-{name}", tooltip=tip)
                button.can_focus = False         # taps only: the grid keeps the focus (keys: + - ⏎ e s o)
                yield button

    # --- content -------------------------------------------------------------------------

    def show_weights(self, layers: Sequence[int], weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                     input_labels: Sequence[str]) -> None:
        """Show these weights (copies); the layer and the cursor stay where they were when they still exist."""
        self.net_layers, self.input_labels = list(layers), list(input_labels)
        self.weights, self.biases = list(weights), list(biases)
        self.shown_layer = max(0, min(self.shown_layer, len(weights) - 1))
        names = layer_names(self.net_layers)
        switcher = self.query_one("#choice-edit_layer", Choice)
        values = list(range(len(weights)))
        labels = [f"{i + 1} {names[i]}→{names[i + 1]}" for i in values]
        if switcher.values != values or switcher.labels != labels:
            switcher.set_values(values, self.shown_layer, labels)
        else:
            switcher.select(self.shown_layer)
        self._fill_table()

    def _fill_table(self) -> None:
        """Rebuild the grid when the layer's shape changed; otherwise update the cells in place."""
        table = self.query_one(WeightTable)
        if not self.weights:
            table.clear(columns=True)
            return
        W, b = self.weights[self.shown_layer], self.biases[self.shown_layer]
        r, s = W.shape
        scale = max(1.0, float(np.max(np.abs(W))) if W.size else 1.0, float(np.max(np.abs(b))) if b.size else 1.0)
        names = layer_names(self.net_layers)
        shape = (self.shown_layer, r, s)
        if shape != self._shape:
            cursor = table.cursor_coordinate
            table.clear(columns=True)
            before = names[self.shown_layer]
            sources = self.input_labels if self.shown_layer == 0 else [f"{before}.{j + 1}" for j in range(s)]
            for j in range(s):
                table.add_column(sources[j] if j < len(sources) else f"x{j + 1}", key=f"c{j}")
            table.add_column("bias", key="bias")
            target = names[self.shown_layer + 1]
            for i in range(r):
                table.add_row(*self._row_cells(W[i], float(b[i, 0]), scale), key=f"r{i}", label=f"{target}.{i + 1}")
            self._shape = shape
            table.move_cursor(row=min(cursor.row, r - 1), column=min(cursor.column, s), animate=False)
            return
        for i in range(r):
            for j, cell in enumerate(self._row_cells(W[i], float(b[i, 0]), scale)):
                table.update_cell_at(Coordinate(i, j), cell)

    @staticmethod
    def _row_cells(w: np.ndarray, bias: float, scale: float) -> list[Text]:
        """One neuron's incoming weights and its bias as coloured cells."""
        return [weight_cell(float(v), scale) for v in w] + [weight_cell(bias, scale)]

    def current(self) -> tuple[int, int, int]:
        """(layer, row, col) under the cursor; col == the layer's input count means the bias."""
        c = self.query_one(WeightTable).cursor_coordinate
        return self.shown_layer, c.row, c.column

    def value_at(self, layer: int, row: int, col: int) -> float:
        """The shown value at (layer, row, col)."""
        W = self.weights[layer]
        return float(self.biases[layer][row, 0] if col == W.shape[1] else W[row, col])

    def rows_needed(self, neurons: int) -> int:
        """Rows the editor fills with the shown layer (of this many neurons) whole: its switchers, header, one row
        a neuron, the horizontal scrollbar (when shown), message and buttons."""
        table = self.query_one(WeightTable)
        scrollbar = 0 if table.has_class("-narrow") else 1
        message = self.query_one("#editor-message")
        return 1 + 1 + neurons + scrollbar + max(1, message.size.height) + 1 + int(self.has_class("-typing"))

    def set_narrow(self, narrow: bool) -> None:
        """No horizontal scrollbar on a narrow screen (the cursor scrolls the grid)."""
        self.query_one(WeightTable).set_class(narrow, "-narrow")

    PAUSED = "Paused. + - nudge, ⏎ type a number"
    RUNNING = "Training: the weights move as it learns; ␣ pauses"

    def show_running(self, running: bool) -> None:
        """Say whether training runs (␣ on the key bar starts it with the editor open), never 'Paused.' while it
        does; a message of the person's last edit stays until the state changes."""
        self.show_message(self.RUNNING if running else self.PAUSED)

    def show_message(self, message: str, *, error: bool = False) -> None:
        """A line under the grid (red when something was refused)."""
        widget = self.query_one("#editor-message", Static)
        widget.update(Text(message))                 # plain text: file names may hold '[' 
        widget.set_class(error, "-error")

    def choices(self) -> list[Choice]:
        """The editor's own choices (layer, nudge step), for the command palette."""
        return list(self.query(Choice))

    # --- editing -------------------------------------------------------------------------

    def nudge(self, sign: int) -> None:
        """Ask the screen to add sign × step to the weight under the cursor."""
        if self.weights:
            self.post_message(self.Edit(*self.current(), delta=sign * self.step))

    def start_typing(self) -> None:
        """Show the number input, filled with the current value."""
        if not self.weights:
            return
        layer, row, col = self.current()
        field = self.query_one("#weight-input", Input)
        field.value = repr(self.value_at(layer, row, col))
        self.add_class("-typing")
        field.focus()
        field.select_all() if hasattr(field, "select_all") else None
        self.show_message("Type a number, ⏎ to apply, esc to cancel")

    def stop_typing(self) -> None:
        """Hide the input and give the grid the focus back."""
        self.remove_class("-typing")
        self.query_one(WeightTable).focus()

    def cycle_step(self, step: int) -> None:
        """Next or previous step size (wrapping)."""
        i = (STEPS.index(self.step) + step) % len(STEPS) if self.step in STEPS else 0
        self.step = STEPS[i]
        self.query_one("#choice-edit_step", Choice).select(self.step)
        self.show_message(f"Step {self.step:g}: + and - nudge by {self.step:g}")   # fits 40 columns whole

    def change_layer(self, step: int) -> None:
        """Show the previous or next layer."""
        if self.weights:
            self._set_layer(max(0, min(len(self.weights) - 1, self.shown_layer + step)))

    def _set_layer(self, layer: int) -> None:
        if layer != self.shown_layer:
            self.show_message(f"Layer {layer + 1}: + - nudge, ⏎ type a number")   # the last edit was another layer's
            self.post_message(self.LayerChanged())
        self.shown_layer = layer
        self.query_one("#choice-edit_layer", Choice).select(layer)
        self._fill_table()

    @on(Choice.Changed)
    def _choice_changed(self, event: Choice.Changed) -> None:
        """The layer switcher and the step choice are the editor's own: keep them from the screen."""
        if event.choice.setting == "edit_layer":
            event.stop()
            self._set_layer(int(event.value))
        elif event.choice.setting == "edit_step":
            event.stop()
            self.step = float(event.value)

    @on(Input.Submitted, "#weight-input")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        layer, row, col = self.current()
        self.post_message(self.Edit(layer, row, col, text=event.value))

    def on_key(self, event: Any) -> None:
        """Escape in the number input cancels it."""
        if event.key == "escape" and self.has_class("-typing"):
            event.stop()
            event.prevent_default()
            self.stop_typing()
            self.show_message("Cancelled: nothing changed")

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button == "btn-nudge-up":
            event.stop()
            self.nudge(1)
        elif button == "btn-nudge-down":
            event.stop()
            self.nudge(-1)
        elif button == "btn-type":
            event.stop()
            self.start_typing()
