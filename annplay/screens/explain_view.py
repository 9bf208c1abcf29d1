"""Explain mode: the selected layer's equations for one real mini-batch, with real shapes and numbers; s takes the step.

Pushed by one key from the playground (which pauses training first); the numbers are
:func:`annplay.core.explain.explain_step`'s (tested equal to the engine's gradient and SGD step). ``s`` (or enter) takes
exactly the step shown on the session's network, under its lock (:func:`annplay.core.explain.step_session`), then shows
the next mini-batch; ``n`` looks at the next mini-batch without stepping. The pass's last batch adds one to the
epoch count. At 40 columns or less one equation at a time: ←/→ page through them. The screen is dismissed with the
number of steps taken, so the playground redraws its epoch, numbers and map.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annplay.core import explain
from annplay.screens.safe_screen import SafeScreen
from annplay.widgets.keybar import BarBinding, KeyBar, keys_of

FRAMED_WIDTH = 110              # from here on a framed box that uses the room: more rows and numbers
MAX_NUMBERS = 10                # numbers of a matrix row shown at most


def explanation_for(session: Any, layer: int, batch: int) -> explain.Explanation:
    """The explanation of ``layer`` (1 = first hidden) on mini-batch ``batch`` of the session's pass."""
    return explain.explain_session(session, layer, batch)[0]


class ExplainScreen(SafeScreen, ModalScreen[int]):
    """One layer, one mini-batch: Z = W·A + b … W ← W − lr·dW with the numbers the engine uses; s steps it."""

    DEFAULT_CSS = """
    ExplainScreen { align: center middle; }
    ExplainScreen Toast { display: none; }   /* notes wait on the playground message line, never over the card */
    ExplainScreen > VerticalScroll { width: 100%; max-width: 100; height: 100%; background: $surface; padding: 0; }
    ExplainScreen.-framed > VerticalScroll { max-width: 118; border: round $accent; border-title-align: left;
                                             padding: 0 1; height: auto; max-height: 100%; }
    """

    # The card's own key bar is generated from these (the playground's bar under it ran keys the card ignores).
    BINDINGS = [
        BarBinding("escape,j,q", "dismiss", "Back", key_display="esc", rank=0),
        BarBinding("s,enter", "step", "Step", key_display="s", rank=0, tooltip="take this mini-batch's step"),
        BarBinding("n", "batch", "Skip", rank=2, tooltip="the next mini-batch, without stepping"),
        BarBinding("up,k", "layer(-1)", "Layer", key_display="↑", rank=3, tooltip="the previous layer"),
        BarBinding("down", "layer(1)", "Layer", key_display="↓", rank=3, tooltip="the next layer"),
        BarBinding("left,h", "page(-1)", "Eq.", key_display="←", rank=1, tooltip="the previous equation"),
        BarBinding("right,l", "page(1)", "Eq.", key_display="→", rank=1, tooltip="the next equation"),
    ]

    def __init__(self, session: Any, layer: int | None = None, batch: int = 0, *, skipped: bool = False) -> None:
        super().__init__()
        self.session = session
        self.depth = len(session.net.layers) - 1
        self.explained = self.depth if layer is None else max(1, min(self.depth, layer))
        self.page_index = 0
        self.batch_index = batch          # the next mini-batch of the pass (0 = first)
        self.batches = 1                  # mini-batches in one pass
        self.skipped = skipped            # a batch of this pass was skipped (n): its end counts no epoch
        self.steps = 0                    # steps taken (the screen is dismissed with this)
        self.shown: explain.Explanation | None = None
        self.error = ""                   # why there is nothing to explain (no data, neuroevolution)
        self.message = ""                 # what the last s did, or why it did nothing

    def compose(self) -> ComposeResult:
        with VerticalScroll() as frame:
            frame.border_title = "Explain mode"
            yield Static(id="explain-body")
        yield KeyBar(keys_of(self, self.BINDINGS))      # whole keys only; q here is Back, not the app's Quit

    def on_mount(self) -> None:
        self.compute()
        self.redraw()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= FRAMED_WIDTH, "-framed")
        self.redraw()

    def compute(self) -> None:
        """Explain the current layer on the current mini-batch (the weights are not touched)."""
        try:
            self.shown, self.batch_index, self.batches = explain.explain_session(
                self.session, self.explained, self.batch_index)
            self.error = ""
        except ValueError as exc:
            self.shown, self.error = None, str(exc)

    def text_lines(self) -> list[str]:
        """What the screen shows now (for tests too): as many rows of each matrix as the height holds (a phone's
        40×20 showed one row and left half the screen empty), and on a projector, framed, more numbers a row."""
        framed = self.size.width >= FRAMED_WIDTH
        width = (min(self.size.width, 118) - 4 if framed else max(20, min(self.size.width, 100) - 1)) \
            if self.size.width else explain.NARROW
        if self.shown is None:
            return explain.wrap(self.error, width)
        where = (f"Epoch {self.session.epoch} · batch {self.batch_index + 1} of {self.batches} "
                 f"· s steps it")
        out = explain.wrap(where, width)
        if self.message:
            out += explain.wrap(self.message, width)
        for note in explain.notes(self.session.setup):
            out += explain.wrap(note, width)
        few = max(explain.FEW, min(MAX_NUMBERS, (width - 16) // 9)) if framed else explain.FEW
        room = self.size.height - (3 if framed else 1) - len(out)     # the frame and the key bar
        body = explain.lines(self.shown, width, self.page_index, 1, few)
        most = max(self.shown.W.shape[0], self.shown.dA_prev.shape[0])
        for rows in range(2, most + 1):                    # more rows of each matrix while they fit
            more = explain.lines(self.shown, width, self.page_index, rows, few)
            if len(more) > room:
                break
            body = more
        return out + body

    def redraw(self) -> None:
        self.query_one("#explain-body", Static).update(Text("\n".join(self.text_lines())))

    def action_step(self) -> None:
        """Take the step shown (plain SGD on this mini-batch), then explain the next mini-batch."""
        try:
            stepped = explain.step_session(self.session, self.explained, self.batch_index, self.shown,
                                           count_epoch=not self.skipped)
        except explain.StaleExplanation as exc:
            self.message = str(exc)
        except ValueError as exc:
            self.message = f"Not stepped: {exc}"
        else:
            self.steps += 1
            self.message = stepped.summary()
            if stepped.pass_ended:
                self.skipped = False
            self.batch_index = stepped.batch + 1
        self.compute()
        self.redraw()

    def action_page(self, step: int) -> None:
        self.page_index += step
        self.redraw()

    def action_layer(self, step: int) -> None:
        self.explained = max(1, min(self.depth, self.explained + step))
        self.compute()
        self.redraw()

    def action_batch(self) -> None:
        """Look at the next mini-batch without stepping (a pass with a skipped batch counts no epoch)."""
        if self.batch_index + 1 >= self.batches:
            self.skipped = False                 # a new pass begins
        else:
            self.skipped = True
        self.batch_index += 1
        self.message = ""
        self.compute()
        self.redraw()

    async def action_dismiss(self, result: Any = None) -> None:
        self.dismiss(self.steps)


__all__ = ["ExplainScreen", "explanation_for"]
