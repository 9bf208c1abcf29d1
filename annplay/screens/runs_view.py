"""The Runs view (u): pinned runs beside the live one, loss curves on one shared scale; enter restores a set-up."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annplay.core.pins import Pin, clear_pins, differences, load_pins, pin_of
from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.screens.safe_screen import SafeScreen
from annplay.widgets.keybar import BarBinding, KeyBar, screen_keys
from annplay.widgets.messageline import MessageLine
from annplay.widgets.safe_list import SafeOptionList

BARS = "▁▂▃▄▅▆▇█"
CURVE_WIDTH = 32


def shared_scale(curves: Sequence[Sequence[float]]) -> tuple[float, float] | None:
    """The lowest and highest finite value over every curve (one scale for all), None when there are none."""
    values = [v for c in curves for v in c if math.isfinite(v)]
    return (min(values), max(values)) if values else None


def sparkline(curve: Sequence[float], scale: tuple[float, float] | None, width: int = CURVE_WIDTH) -> str:
    """The curve as bar characters on the shared scale, resampled to at most ``width`` columns."""
    if not curve or scale is None:
        return "(no curve yet)"
    step = max(1.0, len(curve) / width)
    picked = [curve[min(len(curve) - 1, int(i * step))] for i in range(min(width, len(curve)))]
    lo, hi = scale
    span = hi - lo or 1.0
    return "".join(" " if not math.isfinite(v) else BARS[min(7, int((v - lo) / span * 8))] for v in picked)


def _number(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f}%" if percent else f"{value:.4g}"


LIVE = "Live"                   # the live run's title in the list


def run_text(title: str, pin: Pin, live: Setup, scale: tuple[float, float] | None) -> Text:
    """One run's lines: what and how far, final and best test metrics, its curve, how it differs from live."""
    s = pin.setup
    layers = ",".join(map(str, s.hidden)) or "none"
    took = f"{pin.seconds:.2g}" if pin.seconds < 10 else f"{pin.seconds:.0f}"   # 180 paced epochs: 0.04 s, not 0.0
    data = Path(s.csv).name if s.csv is not None else s.dataset          # a CSV run is not its code's circle
    head = f"{title}  {data} {layers} {s.trainer} · {pin.epochs} ep · {took} s · {pin.state}"
    final, best = pin.final, pin.best
    numbers = (f" test loss {_number(final.get('test_loss'))} (best {_number(best.get('test_loss'))})"
               f"  acc {_number(final.get('test_acc'), True)} (best {_number(best.get('test_acc'), True)})")
    curve = pin.curves[1] or pin.curves[0]
    diff = differences(s, live)
    same = "the playground's run now" if title == LIVE else "same set-up as live"
    lines = [head, numbers, " " + sparkline(curve, scale), " " + ("; ".join(diff) if diff else same)]
    return Text("\n".join(lines), no_wrap=False)


class RunsScreen(SafeScreen, Screen[Setup | None]):
    """Pinned runs and the live run; enter restores the highlighted pin's set-up, c forgets every pin."""

    DEFAULT_CSS = """
    RunsScreen #runs-title { height: auto; text-style: bold; }
    RunsScreen #runs-note { height: auto; color: $text-muted; }
    RunsScreen OptionList { height: 1fr; }
    RunsScreen Toast { display: none; }        /* notifications show on the message line, never over the runs */
    """

    BINDINGS = [
        BarBinding("escape", "close", "Back", rank=0),
        BarBinding("u", "close", "Back", show=False),
        BarBinding("c", "clear", "Clear pins", rank=2),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.pins, self.problem = load_pins()

    def compose(self) -> ComposeResult:
        yield Static("Runs: ⏎ restores a pinned set-up", id="runs-title")
        yield Static(self.problem, id="runs-note", markup=False)
        yield MessageLine(id="runs-message")
        yield SafeOptionList(id="runs-list")
        yield KeyBar(screen_keys(self))        # whole keys only, generated from the bindings

    def on_mount(self) -> None:
        self.fill()

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """A notification on the message line over the list (the app still records it)."""
        self.query_one(MessageLine).show(str(message), title=title, severity=severity, timeout=timeout, markup=markup)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def fill(self) -> None:
        """List the live run first, then the pins newest first, all curves on one scale."""
        live_pin, live = pin_of(self.session), self.session.setup
        runs = [(LIVE, live_pin), *((f"Pin {i + 1}", p) for i, p in reversed(list(enumerate(self.pins))))]
        scale = shared_scale([p.curves[1] or p.curves[0] for _title, p in runs])
        options = self.query_one(OptionList)
        options.clear_options()
        for i, (title, pin) in enumerate(runs):
            options.add_option(Option(run_text(title, pin, live, scale), id=f"run-{i}"))
        if not self.pins:
            self.query_one("#runs-note", Static).update(self.problem or "No pinned runs yet: b pins the live run.")
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        index = event.option_index
        if index == 0:
            self.dismiss(None)                      # the live run is already the set-up
        else:
            self.dismiss(self.pins[len(self.pins) - index].setup)

    def action_clear(self) -> None:
        """Forget every pinned run."""
        try:
            clear_pins()
        except OSError as error:
            self.notify(f"Could not clear the pins: {error.strerror or error}", severity="error", markup=False)
            return
        self.pins, self.problem = [], ""
        self.fill()
        self.notify("Pinned runs cleared", timeout=2)

    def action_close(self) -> None:
        """Back to the playground."""
        self.dismiss(None)
