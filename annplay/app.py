"""The annplay Textual app: TensorFlow Playground in a terminal (the screens do the work)."""

from __future__ import annotations

from functools import partial
from typing import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen


class PlaygroundApp(App[None]):
    """Opens the playground on a working default: spiral data, 8-8 tanh network, learning rate 0.03."""

    TITLE = "annplay"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
    ]
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, experiment: object | None = None) -> None:
        super().__init__()
        self.experiment = experiment

    def on_mount(self) -> None:
        from annplay.screens.playground import PlaygroundScreen

        self.push_screen(PlaygroundScreen(self.experiment))  # type: ignore[arg-type]

    async def action_quit(self) -> None:
        """Stop training and leave (works while training: the worker stops within one chunk)."""
        for screen in self.screen_stack:
            if hasattr(screen, "running"):
                screen.running = False  # type: ignore[attr-defined]
        self.workers.cancel_all()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette lists every playground action (from its bindings) and every choice of every control."""
        yield from super().get_system_commands(screen)
        from annplay.screens.help import as_bindings
        from annplay.screens.playground import PlaygroundScreen

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
        for choice in screen.choices():
            if len(choice.values) > 16:
                continue
            label = choice.title
            for value, text in zip(choice.values, choice.labels):
                yield SystemCommand(f"{label}: {text}", f"set {label.lower()} to {text}",
                                    partial(choice.select, value, notify=True), discover=False)


def run(experiment: object | None = None) -> None:
    """Run the playground (the `annplay` command with no arguments), optionally on given settings."""
    PlaygroundApp(experiment).run()


if __name__ == "__main__":
    run()
