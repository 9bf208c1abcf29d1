"""Explain mode: the selected layer's equations for one real mini-batch, with real shapes and numbers.

Pushed by one key from the playground; the numbers are :func:`annplay.explain.explain_step`'s (tested equal to
the engine's gradient and SGD step). It shows the step the network would take and does not change the weights.
At 40 columns or less one equation at a time: ←/→ page through them.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annplay import explain
from annplay.screens.tapsafe import TapSafe

KEYS = "←/→ equation · ↑/↓ layer · n next batch · esc back"


def explanation_for(session: Any, layer: int, batch: int) -> explain.Explanation:
    """The explanation of ``layer`` (1 = first hidden) on mini-batch ``batch`` of the session's training data."""
    setup = session.setup
    options = explain.options_for(setup)
    with session.lock:
        prep = session.prep
        X, Y = explain.batch_columns(prep.X_train, prep.Y_train, setup.batch_size or prep.X_train.shape[1], batch)
        return explain.explain_step(session.net, X, Y, layer, options["lr"], l1=options["l1"], l2=options["l2"])


class ExplainScreen(TapSafe, ModalScreen[None]):
    """One layer, one mini-batch: Z = W·A + b … W ← W − lr·dW with the numbers the engine uses."""

    DEFAULT_CSS = """
    ExplainScreen { align: center middle; }
    ExplainScreen > VerticalScroll { width: 100%; max-width: 100; height: 100%; background: $surface; padding: 0; }
    ExplainScreen #explain-keys { color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape,j,q", "dismiss", "Back"),
        Binding("left,h", "page(-1)", "Previous equation", show=False),
        Binding("right,l", "page(1)", "Next equation", show=False),
        Binding("up,k", "layer(-1)", "Previous layer", show=False),
        Binding("down", "layer(1)", "Next layer", show=False),
        Binding("n", "batch", "Next batch", show=False),
    ]

    def __init__(self, session: Any, layer: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.depth = len(session.net.layers) - 1
        self.explained = self.depth if layer is None else max(1, min(self.depth, layer))
        self.page_index = 0
        self.batch_index = 0
        self.error = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="explain-body")
            yield Static(Text(KEYS), id="explain-keys")

    def on_mount(self) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def text_lines(self) -> list[str]:
        """What the screen shows now (for tests too)."""
        try:
            e = explanation_for(self.session, self.explained, self.batch_index)
        except ValueError as exc:
            return [str(exc)]
        width = max(20, min(self.size.width, 100) - 1) if self.size.width else explain.NARROW
        return explain.lines(e, width, self.page_index)

    def redraw(self) -> None:
        self.query_one("#explain-body", Static).update(Text("\n".join(self.text_lines())))

    def action_page(self, step: int) -> None:
        self.page_index += step
        self.redraw()

    def action_layer(self, step: int) -> None:
        self.explained = max(1, min(self.depth, self.explained + step))
        self.redraw()

    def action_batch(self) -> None:
        self.batch_index += 1
        self.redraw()

    async def action_dismiss(self, result: Any = None) -> None:
        self.dismiss(None)


__all__ = ["ExplainScreen", "explanation_for"]
