"""The help screen: every key, generated from the bindings, and how drawing works."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annplay.engine.settings import ALL_TRAINERS, SETTINGS
from annplay.screens.safe_screen import SafeScreen
from annplay.widgets.control_panel import SECTIONS

DRAWING_HELP = (
    "Drawing: tap (click) the heat map to add a point of the selected class. The first tap turns the "
    "current training points into a 'drawn' data set (pick dataset 'drawn' to start from your last "
    "drawing); x clears it for an empty canvas; c switches the class. Drawn points all train, and the "
    "network keeps its weights while you draw.\n"
    "Controls: tab / shift+tab or ↑/↓ move between controls; ←/→ or -/+ change the focused one, enter "
    "cycles it; tap ◀ / ▶ to step. Learning rate, batch size, optimizer and regularisation change live; "
    "data, features and network changes start again from new weights.\n"
    "Network view (v, or the Network tab): every neuron's output over the input plane (orange negative, "
    "blue positive), and under each its incoming weights (blue +, orange −, brighter = larger). Arrows or "
    "a tap select a hidden neuron and show its map in the big heat map; esc (or tapping it again) goes "
    "back to the output. Narrow screens show one layer at a time: < > or tap ◀ ▶.\n"
    "Weight editor (w, or the Weights tab): pauses training; arrows move, + / - nudge by the step "
    "([ ] cycle 0.01, 0.1, 1), enter types a number, < > change layer. e exports JSON, s saves .npz, "
    "o loads an .npz of the same architecture (file names are asked, in the current directory).\n"
    "Trainer: backprop, ga (genetic algorithm) or es (CMA-ES). GA/ES count generations and plot the "
    "best and mean fitness (−loss); population and mutation σ change live; only they can train the "
    "step activation. Switching the trainer keeps the weights."
)


def colours_help() -> str:
    """Where the colour choice (K) is remembered: the prefs file in the user's config folder (platformdirs)."""
    from annplay.core.prefs import prefs_path

    try:
        where = str(prefs_path())
    except Exception:                      # noqa: BLE001  (no config folder: say so rather than fail the help)
        where = "the user config folder (none found here)"
    return (f"Colours: K cycles standard, colour-blind, high-contrast and a plain map; the choice is "
            f"remembered in {where}.")


def as_bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    """Binding objects from a BINDINGS list (which may hold tuples)."""
    return [b if isinstance(b, Binding) else Binding(*b) for b in bindings]


APPLY_WORDS = {"live": "changes live", "trainer": "new trainer, weights kept", "network": "new weights",
               "data": "new data", "view": "at once, nothing reset"}


def settings_table() -> Group:
    """Every setting of the table with a control: label, help, what a change does and when it applies."""
    parts: list[Any] = []
    for group in SECTIONS:
        entries = [s for s in SETTINGS.values() if s.group == group and s.control]
        if not entries:
            continue
        table = Table(box=None, show_header=False, padding=(0, 1, 0, 0), expand=True)
        table.add_column("setting", style="bold", no_wrap=True, max_width=14)
        table.add_column("does", ratio=1)
        for entry in entries:
            does = Text(entry.help)
            when = [f"{APPLY_WORDS[entry.apply]}"]
            if entry.trainers != ALL_TRAINERS:
                when.append(" or ".join(sorted(entry.trainers)) + " only")
            when += [f"with {other} {' or '.join(map(str, allowed))}" for other, allowed in entry.requires]
            does.append(f" — {'; '.join(when)}; {entry.flag}", style="dim")
            table.add_row(entry.label, does)
        parts += [Text(f"\n{group.title()}", style="bold underline"), table]
    return Group(*parts)


def keys_table(groups: Sequence[tuple[str, Iterable[BindingType]]], key_display: Callable[[Binding], str]) -> Group:
    """Per group of bindings, a title and key → description rows whose text wraps under itself."""
    parts: list[Any] = []
    for title, bindings in groups:
        table = Table(box=None, show_header=False, padding=(0, 1, 0, 0), expand=True)
        table.add_column("keys", style="bold", no_wrap=True, max_width=14)
        table.add_column("does", ratio=1)
        seen: set[str] = set()
        for binding in as_bindings(bindings):
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            keys = ", ".join(key_display(Binding(k.strip(), binding.action, key_display=binding.key_display
                                                 if "," not in binding.key else None))
                             for k in binding.key.split(","))
            does = Text(binding.description)
            if binding.tooltip:
                does.append(f" — {binding.tooltip}", style="dim")
            table.add_row(keys, does)
        parts += [Text(f"\n{title}", style="bold underline"), table]
    return Group(*parts)


class HelpScreen(SafeScreen, ModalScreen[None]):
    """Every key of the playground (from the bindings) and how to draw."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 80; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = [Binding("escape,question_mark", "dismiss", "Close help", tooltip="q quits annplay")]

    def __init__(self, groups: Sequence[tuple[str, Iterable[BindingType]]] = ()) -> None:
        """``groups``: (title, bindings) per part of the calling screen (the playground passes its own), so this
        view imports no screen."""
        super().__init__()
        self.groups = list(groups)

    def compose(self) -> ComposeResult:
        app = self.app
        groups = [*self.groups, ("This help", self.BINDINGS)]
        self.table = keys_table(groups, app.get_key_display)
        with VerticalScroll():
            yield Static(Text("annplay keys", style="bold"))
            yield Static(self.table)
            yield Static("")
            yield Static(DRAWING_HELP)
            yield Static(Text(colours_help()), id="help-colours")
            yield Static(Text("\nSettings (the controls; the same names as the command line's flags)", style="bold"))
            yield Static(settings_table())

    def on_click(self) -> None:
        self.dismiss()
