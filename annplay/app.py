"""The annplay Textual app: TensorFlow Playground in a terminal (the screens do the work)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from annplay.engine.setup import Setup


class PlaygroundApp(App[None]):
    """Opens the playground on a set-up (default: spiral data, 8-8 tanh network, learning rate 0.03)."""

    TITLE = "annplay"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
    ]
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, setup: Setup | None = None) -> None:
        super().__init__()
        self.setup = setup if setup is not None else Setup()

    def on_mount(self) -> None:
        from annplay.screens.playground import PlaygroundScreen

        self.push_screen(PlaygroundScreen(self.setup))

    async def action_quit(self) -> None:
        """Stop training and leave (works while training: the worker stops within one chunk)."""
        from annplay.screens.playground import PlaygroundScreen

        for screen in self.screen_stack:
            if isinstance(screen, PlaygroundScreen):
                screen.session.stop()
        self.workers.cancel_all()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette: every playground action (from its bindings) and every value of every setting that applies
        (from the settings table)."""
        yield from super().get_system_commands(screen)
        from annplay.screens.help import as_bindings
        from annplay.screens.playground import PlaygroundScreen
        from annplay.widgets.control_panel import palette_entries
        from annplay.widgets.weights import WeightEditor

        if not isinstance(screen, PlaygroundScreen):
            return
        for binding in as_bindings(screen.BINDINGS):
            if binding.description:
                key = self.get_key_display(binding)
                yield SystemCommand(binding.description, f"key {key}", partial(screen.run_action, binding.action))
        for widget in screen.panel_widgets():
            for binding in as_bindings(widget.BINDINGS):
                if binding.description and binding.show:
                    key = self.get_key_display(binding)
                    yield SystemCommand(f"{binding.description} ({widget.PANEL_NAME})", f"key {key}",
                                        partial(widget.run_action, binding.action))
        for entry in palette_entries(screen.session):
            action = partial(screen.choose_data, entry.data) if entry.data is not None \
                else partial(screen.change_settings, entry.changes)
            yield SystemCommand(entry.title, entry.help, action, discover=False)
        if screen.panel == "weights":                       # the editor's own choices while it is open
            for choice in screen.query_one(WeightEditor).choices():
                for value, text in zip(choice.values, choice.labels, strict=True):
                    yield SystemCommand(f"{choice.title}: {text}", f"set {choice.title.lower()} to {text}",
                                        partial(choice.select, value, notify=True), discover=False)


def run(setup: Setup | None = None) -> None:
    """Run the playground on a set-up (the `annplay` and `annplay play` commands)."""
    PlaygroundApp(setup).run()


if __name__ == "__main__":
    run()
