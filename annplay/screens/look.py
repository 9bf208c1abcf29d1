"""The look: colour scheme and plain map (K, remembered), the chart in the map's place (C), its log scale (y),
and screenshots (f)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from annplay.core import prefs as look
from annplay.screens.feature import Feature, Host
from annplay.widgets.keybar import BarBinding

SIXTEEN_COLOUR_TERMS = ("linux", "vt100", "vt220", "ansi", "cons25", "xterm-16color", "screen-16color")


def screenshot_path(folder: Path, stem: str = "annplay") -> Path:
    """A new file name for a screenshot in folder: annplay-1.svg, annplay-2.svg, … (never an existing one)."""
    n = 1
    while (folder / f"{stem}-{n}.svg").exists():
        n += 1
    return folder / f"{stem}-{n}.svg"


def terminal_colours(env: Mapping[str, str] | None = None) -> int:
    """How many colours the terminal shows, from COLORTERM and TERM (Textual itself always writes true colour)."""
    env = os.environ if env is None else env
    term, colorterm = env.get("TERM", ""), env.get("COLORTERM", "")
    if colorterm in ("truecolor", "24bit") or "direct" in term:
        return 1 << 24
    if "256" in term:
        return 256
    if term == "dumb":
        return 0
    return 16 if term in SIXTEEN_COLOUR_TERMS else 256


class Look(Feature):
    """Owns the remembered preferences and whether the map is drawn in colour."""

    BINDINGS = [
        BarBinding("C", "toggle_chart", "Chart", show=True, rank=9,
                   tooltip="the loss chart, full size, in place of the map (C again: the map)"),
        BarBinding("M", "map_only", "Map only", show=False,
                   tooltip="the map on the whole screen with one status line (M, esc or a tap on it: back)"),
        BarBinding("y", "chart_log", "Chart scale", show=False,
                   tooltip="the loss chart on a linear scale, or on the log scale again (log to start with)"),
        BarBinding("K", "look", "Colours", show=False, menu=True,
                   tooltip="next colour scheme: standard, colour-blind, high-contrast, plain map (remembered)"),
        BarBinding("f", "screenshot", "Screenshot", show=False, menu=True,
                   tooltip="save the screen as an SVG file (never overwrites)"),
    ]

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.prefs = look.load()                 # colour scheme and colour/plain map, remembered between runs
        look.apply_scheme(self.prefs)
        self.colour = look.use_colour(self.prefs, colours=terminal_colours())   # NO_COLOR and the terminal too

    def label(self, action: str) -> str | None:
        return ("Map" if self.chart_shown else "Chart") if action == "toggle_chart" else None

    @property
    def chart_shown(self) -> bool:
        """C: the loss chart is in the map's place."""
        return self.host.has_class("-chart")

    def action_toggle_chart(self) -> None:
        """The loss chart, full size, in place of the map; again: the map."""
        self.host.set_class(not self.chart_shown, "-chart")
        self.host.remove_class("-map-only")
        self.host.apply_layout()

    def action_map_only(self) -> None:
        """The map on the whole screen, one status line under it; again (or esc, or a tap on it): all back."""
        self.host.toggle_class("-map-only")
        self.host.remove_class("-chart")
        self.host.apply_layout()

    def action_chart_log(self) -> None:
        """The loss chart on a log scale, or back to linear (y)."""
        from annplay.widgets.chart import LossChart

        on = self.host.query_one(LossChart).toggle_log()
        self.notify(f"Loss chart: {'log' if on else 'linear'} scale", timeout=2)

    def set_look(self, *, scheme: str | None = None, colour: str | None = None) -> str:
        """Change and remember the colour scheme or colour mode; redraw; the words to tell the person."""
        changes = {k: v for k, v in (("scheme", scheme), ("colour", colour)) if v is not None}
        self.prefs = self.prefs.with_(**changes)
        look.apply_scheme(self.prefs)
        self.colour = look.use_colour(self.prefs, colours=terminal_colours())
        where = ""
        try:
            where = f" (remembered in {look.save(self.prefs)})"
        except (OSError, ValueError):
            where = " (could not be remembered)"
        self.host.painter.show_now(record=False)
        return f"Colours: {self.prefs.scheme}, map {'in colour' if self.colour else 'plain'}{where}"

    def action_look(self) -> None:
        """Cycle the look: standard → colour-blind → high-contrast → plain map → standard (remembered)."""
        order = [(s, "auto") for s in look.SCHEMES] + [("standard", "plain")]
        now = (self.prefs.scheme, self.prefs.colour)
        scheme, colour = order[(order.index(now) + 1) % len(order)] if now in order else order[0]
        self.notify(self.set_look(scheme=scheme, colour=colour), timeout=4, markup=False)

    def action_screenshot(self) -> None:
        """Save the screen as SVG (Textual's own screenshot) under a new name, atomically; say where (served: the
        browser downloads it, see :mod:`annplay.core.filepolicy`)."""
        from annplay.core.filepolicy import policy

        files = policy()
        try:
            written = files.saved(files.new_file("annplay", ".svg", self.host.app.export_screenshot().encode("utf-8")))
        except (OSError, ValueError) as exc:
            self.notify(f"Could not save the screenshot: {files.clean(str(getattr(exc, 'strerror', None) or exc))}",
                        severity="error", markup=False)
            return
        self.notify(f"Screenshot saved: {written}", title="Screenshot", timeout=6, markup=False)
