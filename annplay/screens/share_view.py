"""The share panel (k): the set-up's share code, selectable and wrapped, and the TF Playground link if there is one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from annplay.engine.settings import SettingError
from annplay.engine.setup import Setup
from annplay.engine.sharecode import encode
from annplay.engine.tflink import to_tf_link, why_not_tf
from annplay.screens.safe_screen import SafeScreen


def share_texts(setup: Setup, hidden: frozenset[str] = frozenset(),
                drawn: tuple[tuple[float, float, float], ...] | None = None) -> tuple[str, str | None, str]:
    """The share code (with the drawn points, if any), the TF Playground link (None when there is none) and why
    there is none ('' if there is).  A drawing too large for a code gives a code of '' and the reason."""
    if drawn is not None:
        try:
            code = encode(setup, drawn)
        except SettingError as error:
            return "", None, f"no share code: {error.message}"
        return code, None, "TF Playground has no drawn data"
    link = to_tf_link(setup, hidden)
    why = "" if link else (why_not_tf(setup) or "no TF Playground link for this set-up")
    return encode(setup, files=False), link, why           # the code to hand on never names a file


class ShareScreen(SafeScreen, ModalScreen[None]):
    """Shows the code (copied to the clipboard by OSC 52 where the terminal allows) and the TF link or why not."""

    DEFAULT_CSS = """
    ShareScreen { align: center middle; }
    ShareScreen > VerticalScroll { width: 100%; max-width: 100; height: auto; max-height: 100%;
                                   border: round $primary; background: $surface; padding: 0 1; }
    ShareScreen .title { text-style: bold; }
    ShareScreen .hint { color: $text-muted; }
    ShareScreen TextArea { height: auto; max-height: 12; }
    ShareScreen #share-link { max-height: 4; }
    ShareScreen Button { width: auto; min-width: 0; margin: 0 0; }
    """

    BINDINGS = [Binding("escape", "close", "Close"), Binding("k", "close", "Close", show=False),
                Binding("l", "copy_link", "Copy link", tooltip="copy the TF Playground link to the clipboard"),
                Binding("c", "copy_code", "Copy code", show=False, tooltip="copy the share code again")]

    def __init__(self, setup: Setup, hidden: frozenset[str] = frozenset(),
                 drawn: tuple[tuple[float, float, float], ...] | None = None) -> None:
        super().__init__()
        self.code, self.link, self.why_no_link = share_texts(setup, hidden, drawn)
        # a code never names a file: a CSV run's code opens with its data given again (i with this code trains on
        # the code's built-in data set, whatever CSV is loaded: 'i (on the same CSV)' said otherwise)
        self.open_hint = ("The code carries no CSV file: open it with annplay play CODE --data FILE"
                          if setup.csv is not None else "Open it with i, or: annplay play CODE")

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            if self.code:
                yield Static("Share code (copied to the clipboard if the terminal allows)", classes="title")
                yield TextArea(self.code, id="share-code", read_only=True, soft_wrap=True, compact=True,
                               show_line_numbers=False)
                yield Static(self.open_hint, classes="hint", markup=False)
            else:
                yield Static(self.why_no_link, id="share-code-why", markup=False)
            if self.link:
                yield Static("TF Playground link", classes="title")
                yield TextArea(self.link, id="share-link", read_only=True, soft_wrap=True, compact=True,
                               show_line_numbers=False)
                yield Button("Copy link (l)", id="copy-link", compact=True)
            else:
                yield Static(f"No TF Playground link: {self.why_no_link}", id="share-link-why", markup=False)
            yield Static("escape: close", classes="hint")

    def on_mount(self) -> None:
        if not self.code:
            return
        self.app.copy_to_clipboard(self.code)
        area = self.query_one("#share-code", TextArea)
        area.focus()
        area.select_all()

    def action_copy_link(self) -> None:
        """Put the TF Playground link on the clipboard (a phone cannot select 15 wrapped lines by hand)."""
        if self.link:
            self.app.copy_to_clipboard(self.link)
            self.notify("TF Playground link copied (where the terminal allows)", timeout=3)

    def action_copy_code(self) -> None:
        if self.code:
            self.app.copy_to_clipboard(self.code)
            self.notify("share code copied (where the terminal allows)", timeout=3)

    @on(Button.Pressed, "#copy-link")
    def _copy_link_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy_link()

    def action_close(self) -> None:
        """Back to the playground."""
        self.dismiss(None)
