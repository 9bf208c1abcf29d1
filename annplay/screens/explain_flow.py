"""Explain mode (E): the selected layer's equations with real numbers; where it was in the pass is remembered."""

from __future__ import annotations

from typing import Any

from annplay.screens.feature import Feature, Host
from annplay.widgets.keybar import BarBinding


class ExplainFlow(Feature):
    """Owns the place in the pass (pass key, next batch, skipped one) while nothing else trains this network."""

    BINDINGS = [
        BarBinding("E", "explain", "Explain", show=False, menu=True,
                   tooltip="the selected layer's equations with real numbers; s there takes that step (one "
                           "mini-batch)"),
    ]

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.place: tuple[Any, int, bool] = (None, 0, False)

    def action_explain(self) -> None:
        """Explain mode for the selected neuron's layer (else the output layer); pauses training first.

        Its s key steps the session's network one mini-batch; on closing, the epoch, numbers and map are redrawn.
        """
        from annplay.core.explain import pass_key
        from annplay.screens.explain_view import ExplainScreen

        host = self.host
        if host.run.running:
            host.run.stop()
            host.painter.show_now()
        key, batch, skipped = self.place
        if key != pass_key(self.session):
            batch, skipped = 0, False
        neuron = self.session.view.neuron
        screen = ExplainScreen(self.session, neuron[0] if neuron else None, batch, skipped=skipped)

        def closed(steps: int | None) -> None:
            self.place = (pass_key(self.session), screen.batch_index % max(1, screen.batches), screen.skipped)
            if steps:
                host.painter.show_now()
                done = screen.batch_index % max(1, screen.batches)
                into = "" if not done else f", next batch {done + 1} of {screen.batches}" if screen.skipped \
                    else f" + {done} of {screen.batches} batches"
                self.notify(f"{steps} mini-batch step{'s' if steps > 1 else ''} taken: epoch {self.session.epoch}"
                            f"{into}", title="Explain mode", timeout=4, markup=False)

        host.app.push_screen(screen, closed)
