"""Small dialogs: a file name to export to or import from."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from annplay.screens.safe_screen import SafeScreen

KEYS_HINT = "enter: OK · escape: cancel · ctrl+c: quit annplay (q is a letter here)"


class WholePasteInput(Input):
    """An Input that takes a pasted text of several lines (a set-up's TOML) whole, as the answer, instead of keeping
    its first line (Textual's Input)."""

    def _on_paste(self, event: events.Paste) -> None:
        text = event.text.replace("\r\n", "\n").replace("\r", "\n").strip()
        if "\n" in text:
            event.stop()
            self.post_message(self.Submitted(self, text))
            return
        super()._on_paste(event)


class FileNameDialog(SafeScreen, ModalScreen[str | None]):
    """Ask for a file name (pre-filled with a default); enter or OK returns it, escape or Cancel returns None."""

    DEFAULT_CSS = """
    FileNameDialog { align: center middle; }
    FileNameDialog > Vertical {
        width: 90%; max-width: 60; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    FileNameDialog #dialog-title { text-style: bold; }
    FileNameDialog #dialog-hint, FileNameDialog #dialog-keys { color: $text-muted; }
    FileNameDialog Input { margin: 1 0 0 0; }
    FileNameDialog #dialog-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    FileNameDialog #dialog-buttons > Button { margin-left: 1; }
    FileNameDialog Toast { display: none; }      /* the last note never covers the name or OK (it shows on the
                                                    playground's message line) */
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: str, hint: str = "", *, whole_paste: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.default = default
        self.hint = hint
        self.whole_paste = whole_paste          # a pasted text of several lines is the answer (a set-up's TOML)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="dialog-title")       # Text: never parsed as markup
            if self.hint:
                yield Static(Text(self.hint), id="dialog-hint")
            yield Static(Text(KEYS_HINT), id="dialog-keys")
            yield (WholePasteInput if self.whole_paste else Input)(self.default, id="dialog-input", compact=True)
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="dialog-cancel", compact=True)
                yield Button("OK", id="dialog-ok", compact=True, variant="primary")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "dialog-ok":
            self.dismiss(self.query_one(Input).value.strip())
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without a file name."""
        self.dismiss(None)
