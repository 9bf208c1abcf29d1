"""The Doctor view: the training doctor's findings in words with one-key fixes, and each layer's instruments.

It draws a :class:`~annplay.core.doctor.DoctorReport` (computed in the worker; no NumPy here): per layer a
gradient-norm sparkline on a log scale, the last update-to-weight ratio against its healthy band, dead and
saturated units; above them each finding with a button (and the key 1, 2, …) that applies its best fix.
Choosing a fix posts :class:`DoctorView.FixChosen`; the screen pins the run and loads the fixed set-up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static

from annplay.core.doctor import EMPTY, HEALTHY_UPDATE, DoctorReport, LayerStatus
from annplay.engine.fixes import Fix

BARS = "▁▂▃▄▅▆▇█"
SPARK = 8                       # samples per sparkline (the latest ones)
MAX_FIXES = 9                   # keys 1..9


ENOUGH_SAMPLES = 4     # samples before a quiet report says "no problems" rather than "train a little"


def sparkline(values: Sequence[float], low: float, high: float, width: int = SPARK) -> str:
    """The last ``width`` values as bars on a log scale from ``low`` to ``high`` (0 and non-finite: a blank)."""
    out = []
    span = math.log10(high) - math.log10(low) if high > low > 0 else 0.0
    for v in list(values)[-width:]:
        if not (v > 0 and math.isfinite(v)):
            out.append(" ")
        elif span <= 0:
            out.append(BARS[len(BARS) // 2])
        else:
            share = (math.log10(v) - math.log10(low)) / span
            out.append(BARS[min(len(BARS) - 1, max(0, int(share * len(BARS))))])
    return "".join(out).ljust(width)


def short(v: float | None) -> str:
    """A number in 5 cells: 2e-03, 0.012, –."""
    if v is None or not math.isfinite(v):
        return "  –  "
    if v == 0:
        return "    0"
    return f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e") .rjust(5)


def layer_line(layer: LayerStatus, low: float, high: float) -> Text:
    """One layer in at most 40 cells: name, activation, sparkline, gradient norm, update ratio, units."""
    text = Text()
    text.append(f"{layer.name:>3} {layer.activation[:5]:<5} ")
    text.append(sparkline(layer.grads, low, high), style="cyan")
    text.append(f" {short(layer.grads[-1] if layer.grads else None)} ")
    ratio = layer.update_ratio
    lo, hi = HEALTHY_UPDATE
    in_band = ratio is not None and lo <= ratio <= hi
    mark = "" if ratio is None else "✓" if in_band else "↓" if ratio < lo else "↑"
    text.append(short(ratio) + mark, style="green" if in_band else "yellow" if ratio is not None else "")
    if layer.dead:
        text.append(f" {layer.dead}/{layer.units}dead", style="bold red")
    elif layer.saturated:
        text.append(f" {layer.saturated}/{layer.units}sat", style="bold yellow")
    return text


@dataclass(frozen=True)
class Offer:
    """A fix offered on screen: the finding it cures and the fix."""

    code: str
    fix: Fix


def offers(report: DoctorReport) -> list[Offer]:
    """The fixes shown, keyed 1, 2, …: the best fix of each warning, then of each info (at most MAX_FIXES)."""
    out = [Offer(f.code, f.fixes[0]) for f in report.findings if f.fixes]
    return out[:MAX_FIXES]


def keep_keys(before: Sequence[Offer | None], now: Sequence[Offer]) -> list[Offer | None]:
    """The fixes of a new report on keys 1, 2, …, each fix that was offered before on its old key: a live run
    re-ranks its findings, and a key read a minute ago must not apply another fix (a QA find). A fix no longer
    offered leaves its key empty; a new one takes the first empty key, or the next."""
    def same(offer: Offer) -> tuple[str, str]:
        return offer.code, offer.fix.label

    waiting = {same(o): o for o in now}
    slots: list[Offer | None] = [None if o is None else waiting.pop(same(o), None) for o in before]
    for offer in now:
        if same(offer) not in waiting:
            continue                                    # kept on its key above
        del waiting[same(offer)]
        free = next((i for i, slot in enumerate(slots) if slot is None), len(slots))
        if free >= MAX_FIXES:
            break
        slots[free:free + 1] = [offer]
    while slots and slots[-1] is None:
        slots.pop()
    return slots


class DoctorView(Vertical, can_focus=True):
    """The training doctor's view of the live run (owns its keys, CSS and the FixChosen message)."""

    DEFAULT_CSS = """
    DoctorView { height: 1fr; }
    DoctorView > #doctor-scroll { height: 1fr; scrollbar-size-vertical: 1; }   /* 39 columns left at 40 */
    DoctorView #doctor-findings { height: auto; }
    DoctorView .doctor-finding { height: auto; }
    DoctorView .doctor-finding.-warning { color: $text-error; text-style: bold; }   /* bold: plain screens too */
    DoctorView .doctor-finding.-info { color: $text-muted; }
    DoctorView .doctor-fix { height: 1; min-width: 10; margin: 0 0 0 2; }
    DoctorView #doctor-layers { height: auto; }
    DoctorView #doctor-head { height: 1; color: $text-muted; }
    """

    BINDINGS = [Binding(str(i), f"fix({i - 1})", f"Fix {i}", show=False) for i in range(1, MAX_FIXES + 1)]

    @dataclass
    class FixChosen(Message):
        """The user chose a fix: pin the run, then load ``fix.code``."""

        code: str
        fix: Fix

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report: DoctorReport = EMPTY
        self._shown: tuple[object, ...] | None = None
        self._offers: list[Offer | None] = []         # by key: 1 is _offers[0]; None: a key left empty

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="doctor-scroll"):
            yield Vertical(id="doctor-findings")
            yield Static("", id="doctor-head")
            yield Static("", id="doctor-layers")

    def show(self, report: DoctorReport | None) -> None:
        """Draw a new report (findings are re-mounted only when they changed)."""
        report = report or EMPTY
        self.report = report
        key = (min(report.samples, ENOUGH_SAMPLES),
               tuple((f.code, f.severity, f.message, tuple(x.code for x in f.fixes)) for f in report.findings))
        if key != self._shown:
            self._shown = key
            self._mount_findings(report)
        self._draw_layers(report)

    def _mount_findings(self, report: DoctorReport) -> None:
        box = self.query_one("#doctor-findings", Vertical)
        box.remove_children()
        self._offers = keep_keys(self._offers, offers(report)) if report.findings else []
        widgets: list[Static | Button] = []
        if not report.findings:
            words = ("No problems found so far." if report.samples >= ENOUGH_SAMPLES else
                     f"No problems yet ({report.samples} of {ENOUGH_SAMPLES} looks before a verdict)."
                     if report.samples else "Train a little: the doctor looks every few epochs.")
            widgets.append(Static(words, classes="doctor-finding -info"))
        numbered = {id(o.fix): i for i, o in enumerate(self._offers) if o is not None}
        for finding in report.findings:
            widgets.append(Static(Text(finding.message), classes=f"doctor-finding -{finding.severity}"))
            if finding.fixes and id(finding.fixes[0]) in numbered:
                i = numbered[id(finding.fixes[0])]
                # named, not given an id: the old buttons are still leaving when a new report mounts its own
                # (an id taken twice crashed the app when a fix was applied and training went on: a QA probe)
                widgets.append(Button(f"{i + 1} try {finding.fixes[0].label}", name=f"doctor-fix-{i}",
                                      classes=f"doctor-fix doctor-fix-{i}", compact=True))
        box.mount_all(widgets)

    def _draw_layers(self, report: DoctorReport) -> None:
        if report.family != "backprop" or not report.layers:
            self.query_one("#doctor-head", Static).update(
                "" if not report.layers else "Neuroevolution: no gradients to show.")
            self.query_one("#doctor-layers", Static).update("")
            return
        grads = [g for layer in report.layers for g in layer.grads[-SPARK:] if g > 0 and math.isfinite(g)]
        low, high = (min(grads), max(grads)) if grads else (1.0, 1.0)
        self.query_one("#doctor-head", Static).update(
            Text("lay act   ‖grad‖ (log) now  ΔW/W", no_wrap=True, overflow="ellipsis"))
        lines = Text("\n").join(layer_line(layer, low, high) for layer in report.layers)
        lines.no_wrap = True
        lines.overflow = "ellipsis"
        self.query_one("#doctor-layers", Static).update(lines)

    def action_fix(self, index: int) -> None:
        """Apply fix number ``index`` (0-based) of those shown."""
        offer = self._offers[index] if 0 <= index < len(self._offers) else None
        if offer is not None:
            self.post_message(self.FixChosen(offer.code, offer.fix))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.name and event.button.name.startswith("doctor-fix-"):
            event.stop()
            self.action_fix(int(event.button.name.rsplit("-", 1)[1]))


def warning_line(report: DoctorReport | None, before: DoctorReport | None) -> str:
    """One line for the message line when a new warning appears ('' when none is new)."""
    if report is None:
        return ""
    old = {f.code for f in before.warnings} if before is not None else set()
    new = [f for f in report.warnings if f.code not in old]
    if not new:
        return ""
    return f"Doctor: {new[0].code.replace('_', ' ')} (D: Doctor view)"


__all__ = ["DoctorView", "sparkline", "layer_line", "offers", "keep_keys", "warning_line", "short"]
