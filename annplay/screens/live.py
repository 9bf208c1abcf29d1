"""The live half of the playground: the training worker, snapshots from the session, and drawing them."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual import work
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from annplay.core import prefs as look
from annplay.core.fields import Snapshot
from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.engine.threads import blas_threads, suggested_threads
from annplay.engine.trainer import Metrics
from annplay.messages import Mailbox, Progress
from annplay.screens import describe
from annplay.screens.tapsafe import TapSafe
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.heatmap import HeatMap, axis_caption, picture_rows, target_range
from annplay.widgets.keybar import Key, KeyBar
from annplay.widgets.messageline import MessageLine
from annplay.widgets.netview import NetView
from annplay.widgets.stats import StatsPanel
from annplay.widgets.weights import WeightEditor

SPEEDS: tuple[int | None, ...] = (1, 3, 10, 30, 100, 300, None)   # epochs per second; None: as fast as it goes
MAX_FRAMES_PER_SECOND = 10      # paced training shows at most this many frames a second
PACE_SLICE = 0.05               # a paced worker checks for cancellation at least this often (seconds)
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


def session_scale(session: Session) -> tuple[float, float] | None:
    """The regression map's fixed colour scale: the target's real min and max (None for classification)."""
    prep = session.prep
    return target_range(prep.dataset.y) if prep.kind == "regression" else None


class LiveScreen(TapSafe, Screen[None]):
    """Owns the session; trains it in a thread worker and draws its snapshots (the worker never reads this screen)."""

    def __init__(self, setup: Setup | None = None, *, session: Session | None = None) -> None:
        super().__init__()
        self.session = session or Session(setup)
        self.mailbox = Mailbox()
        self.panel = "controls"                  # what the side/lower area shows: controls | network | weights
        self.frames = 0                          # snapshots shown (tests wait on this)
        self._last_state = "ready"               # the state last shown (a new diverged/stopped is announced)
        self.prefs = look.load()                 # colour scheme and colour/plain map, remembered between runs
        look.apply_scheme(self.prefs)
        self.colour = True                       # decided on mount, from prefs, NO_COLOR and the terminal
        self.speed: int | None = None            # epochs per second (None: max); , and . change it

    def on_mount(self) -> None:
        self.colour = look.use_colour(self.prefs, colours=terminal_colours())

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
        self._show_now(record=False)
        return f"Colours: {self.prefs.scheme}, map {'in colour' if self.colour else 'plain'}{where}"

    # --- notifications and keys ------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True, line: bool = True) -> None:
        """A notification on the screen's message line (a toast would cover the map or the weights); thread-safe.

        The app still records it (and shows it as a toast on any screen without a message line). line=False: the
        screen shows it elsewhere already (the weight editor's own line), so not twice."""
        if line:
            self.post_message(MessageLine.Show(str(message), title, severity, timeout, markup))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_message_line_show(self, note: MessageLine.Show) -> None:
        for line in self.query(MessageLine):
            line.show(note.message, title=note.title, severity=note.severity, timeout=note.timeout,
                      markup=note.markup)

    def bar_keys(self) -> list[Key]:
        """The key bar's keys (the playground's)."""
        return []

    def _show_keys(self) -> None:
        """The key bar again ('␣ Play' or '␣ Pause', as the state is now)."""
        for bar in self.query(KeyBar):
            bar.set_keys(self.bar_keys())

    # --- reading (for tests and the palette) ---------------------------------------

    @property
    def running(self) -> bool:
        return self.session.running

    @property
    def epoch(self) -> int:
        """Epochs (or generations) trained by the current network."""
        return self.session.epoch

    @property
    def picture(self) -> tuple[int, int]:
        return self.session.view.width, self.session.view.height

    @property
    def neuron(self) -> tuple[int, int] | None:
        return self.session.view.neuron

    def panel_widgets(self) -> list[Any]:
        """The focusable widget of the open panel (the palette lists its keys too)."""
        if self.panel == "network":
            return [self.query_one(NetView)]
        if self.panel == "weights":
            return [self.query_one("#weight-table")]
        return []

    def _request(self, **changes: Any) -> None:
        """A new frozen view request for the session (the worker reads it; nobody changes it)."""
        self.session.view = replace(self.session.view, **changes)


    def _show_now(self, *, record: bool = True) -> None:
        """(Training paused, or a forced frame) show the session's numbers and picture at once."""
        self._request(maps=self.panel != "controls")
        self._show(self.session.snapshot(changed_only=False, record=record))

    def _show(self, snap: Snapshot, rows: Any = None) -> None:
        """Draw one snapshot: the picture (if it changed), numbers, curves, state, and the open panel's maps."""
        stats = self.query_one(StatsPanel)
        stats.set_evolution(snap.family == "evolution")
        if snap.state == "no data":                      # an empty drawing: none of the old run's numbers
            snap = replace(snap, metrics=Metrics(0, float("nan")), history=((), ()))
        heatmap = self.query_one(HeatMap)
        scale = session_scale(self.session) if snap.view.neuron is None else None
        if scale != heatmap.scale:
            heatmap.scale = scale
            rows = None                                  # drawn on another scale: draw again on this one
        if heatmap.color != self.colour:
            heatmap.color, rows = self.colour, None
        prep = self.session.prep
        stats.show_legend(describe.legend(self.session, snap.view.neuron, color=self.colour))   # follows K
        ds = prep.dataset
        heatmap.show_caption(axis_caption(snap.bounds, ds.feature_names, ds.x_mean, ds.x_std)
                             if prep.plottable else "")
        if snap.field is not None and snap.view.neuron == self.neuron:
            heatmap.show(field=snap.field, rows=rows, kind=snap.kind, discretize=snap.discretize,
                         points=snap.points, bounds=snap.bounds)
        stats.show_metrics(snap.metrics)
        stats.show_history(snap.history)
        stats.show_network(self.session.net.layers)
        stats.show_state(snap.state, snap.metrics.epoch, snap.speed)
        stats.show_message((snap.message if snap.state == "stopped" else "") or describe.note(snap.state))
        if snap.maps is not None:
            if self.panel == "network":
                self.query_one(NetView).show_maps(snap.maps)
                self.query_one("#network-info", Static).update(describe.network_info(self.session, self.neuron))
            elif self.panel == "weights" and not self.query_one(WeightEditor).has_class("-typing"):
                m = snap.maps
                self.query_one(WeightEditor).show_weights(m.layers, m.weights, m.biases, m.input_labels)
        self.frames += 1
        if snap.state in ("diverged", "stopped") and snap.state != self._last_state:
            title = "Training diverged" if snap.state == "diverged" else "Stopped"
            self.notify(snap.message, title=title, severity="warning" if snap.state == "diverged" else "information",
                        timeout=8, markup=False)
        self._last_state = snap.state
        if snap.state != "running":
            self.query_one(ControlPanel).show_running(False)
        self._show_keys()

    # --- speed ------------------------------------------------------------------------

    def action_slower(self) -> None:
        """Fewer epochs per second (down to 1): watch the boundary move frame by frame."""
        self.set_speed(SPEEDS[max(0, SPEEDS.index(self.speed) - 1)])

    def action_faster(self) -> None:
        """More epochs per second (up to max)."""
        self.set_speed(SPEEDS[min(len(SPEEDS) - 1, SPEEDS.index(self.speed) + 1)])

    def set_speed(self, speed: int | None) -> None:
        """Train at ``speed`` epochs per second (None: max); a running worker is restarted at the new pace."""
        if speed not in SPEEDS:
            raise ValueError(f"speed: {speed!r} is not one of {', '.join(str(v or 'max') for v in SPEEDS)}")
        self.speed = speed
        self.query_one(StatsPanel).set_pace(speed)
        if self.running:
            self._stop()
            self._start()

    def action_screenshot(self) -> None:
        """Save the screen as SVG (Textual's own screenshot) under a new name, atomically; say where (served: the
        browser downloads it, see :mod:`annplay.core.filepolicy`)."""
        from annplay.core.filepolicy import policy

        files = policy()
        try:
            written = files.saved(files.new_file("annplay", ".svg", self.app.export_screenshot().encode("utf-8")))
        except (OSError, ValueError) as exc:
            self.notify(f"Could not save the screenshot: {files.clean(str(getattr(exc, 'strerror', None) or exc))}",
                        severity="error", markup=False)
            return
        self.notify(f"Screenshot saved: {written}", title="Screenshot", timeout=6, markup=False)

    def action_chart_log(self) -> None:
        """The loss chart on a log scale, or back to linear (y)."""
        from annplay.widgets.chart import LossChart

        on = self.query_one(LossChart).toggle_log()
        self.notify(f"Loss chart: {'log' if on else 'linear'} scale", timeout=2)

    # --- the training worker --------------------------------------------------------

    def _start(self) -> None:
        """Start a training run in a thread worker."""
        self._request(maps=self.panel != "controls")
        self._train(self.session.start(), self.session, self.mailbox, self.colour, self.speed)
        self.query_one(ControlPanel).show_running(True)
        self.query_one(StatsPanel).show_state("running", self.epoch)
        self._show_keys()

    def _stop(self) -> None:
        """Stop training; snapshots of the old run are ignored from now on."""
        self.session.stop()
        self.workers.cancel_group(self, "training")
        self.query_one(ControlPanel).show_running(False)
        self._show_keys()

    @work(thread=True, exclusive=True, group="training", exit_on_error=True)
    def _train(self, run: int, session: Session, mailbox: Mailbox, colour: bool = True,
               speed: int | None = None) -> None:
        """(Worker thread) train through the session: it reads only the session and its frozen view request."""
        worker, post = get_current_worker(), self.post_message       # post_message is thread-safe

        def deliver(snap: Snapshot) -> None:
            rows = None
            if snap.field is not None:
                scale = session_scale(session) if snap.view.neuron is None else None
                rows = picture_rows(snap.field, snap.points, snap.bounds, snap.kind, snap.discretize, scale, colour)
            if mailbox.put(snap, rows):
                post(Progress())

        # Small matrices train fastest on one BLAS thread, whose spinning then leaves the UI's core alone.
        with blas_threads(suggested_threads(session.net.layers, session.prep.X_train.shape[1])):
            if speed is None:
                session.train(run, deliver, lambda: worker.is_cancelled)
            else:
                self._paced(run, session, deliver, lambda: worker.is_cancelled, speed)

    def _paced(self, run: int, session: Session, deliver: Any, cancelled: Any, speed: int) -> None:
        """(Worker thread) train ``speed`` epochs a second in frames of whole epochs, one snapshot per frame."""
        frame = 1 / min(speed, MAX_FRAMES_PER_SECOND)
        epochs = max(1, round(speed * frame))
        stop = lambda: cancelled() or not session.is_current(run)   # noqa: E731
        next_frame = time.perf_counter()
        while True:
            with session.lock:                           # once stopped, not one more frame (the lock re-enters)
                if stop():
                    return
                metrics = session.step(epochs)
            goal = session.goal_reached(metrics)
            finished = session.done() or bool(goal)
            if finished:
                session.stop()
                deliver(session.snapshot(session.view, metrics=metrics, speed=float(speed)))
                if goal:
                    self.app.call_from_thread(self.notify, goal, title="Goal reached", markup=False)
                return
            deliver(session.snapshot(session.view, metrics=metrics, run=run, speed=float(speed)))
            next_frame += frame
            while not stop() and time.perf_counter() < next_frame:       # pacing, not synchronisation
                time.sleep(min(PACE_SLICE, max(0.0, next_frame - time.perf_counter())))
            next_frame = max(next_frame, time.perf_counter() - frame)   # a slow frame does not cause a burst

    def on_progress(self, message: Progress) -> None:
        """Show the latest snapshot of the live run (older ones were simply overwritten)."""
        item = self.mailbox.take()
        if item is not None and item[0].run == self.session.run_id:
            self._show(*item)
