"""The painter: draws the session's snapshots into the map, the numbers and the open panel (no keys of its own)."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

from annplay.core.fields import Snapshot
from annplay.core.session import Session
from annplay.engine.trainer import Metrics
from annplay.screens import describe
from annplay.screens.feature import Feature, Host
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.heatmap import HeatMap, axis_parts, picture_rows, target_range
from annplay.widgets.stats import StatsPanel

NUMBERS_SECONDS = 0.2           # training: the map at the worker's frame rate, numbers and chart ≤ 5 a second


def session_scale(session: Session) -> tuple[float, float] | None:
    """The regression map's fixed colour scale: the target's real min and max (None for classification)."""
    prep = session.prep
    return target_range(prep.dataset.y) if prep.kind == "regression" else None


def picture_rows_for(session: Session, snap: Snapshot, colour: bool) -> Any:
    """(Worker thread) the snapshot's picture as rows of segments, drawn off the UI thread (None: no new field)."""
    if snap.field is None:
        return None
    scale = session_scale(session) if snap.view.neuron is None else None
    return picture_rows(snap.field, snap.points, snap.bounds, snap.kind, snap.discretize, scale, colour)


class Painter(Feature):
    """Owns the view request the worker reads, the frame count and the last state shown."""

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.frames = 0                          # snapshots shown (tests wait on this)
        self._last_state = "ready"               # the state last shown (a new diverged/stopped is announced)
        self._running_shown = False              # the run button and the key bar say Pause
        self._drawn: dict[str, object] = {}      # what the legend and the caption were last drawn from
        self._numbers_at = -math.inf             # when the numbers and the chart were last drawn (monotonic)

    @property
    def colour(self) -> bool:
        return self.host.look.colour

    def request(self, **changes: Any) -> None:
        """A new frozen view request for the session (the worker reads it; nobody changes it)."""
        self.session.view = replace(self.session.view, **changes)

    def show_now(self, *, record: bool = True) -> None:
        """(Training paused, or a forced frame) show the session's numbers and picture at once."""
        self.request(maps=self.host.panels.wants_maps)
        self.show(self.session.snapshot(changed_only=False, record=record))

    def show_running(self, running: bool) -> None:
        """The run button and the key bar say Play or Pause; the status says running."""
        from annplay.widgets.weights import WeightEditor

        self._running_shown = running
        self.host.query_one(ControlPanel).show_running(running)
        for editor in self.host.query(WeightEditor):    # never 'Paused.' while ␣ (or a tap on it) trains
            editor.show_running(running)
        if running:
            self.host.query_one(StatsPanel).show_state("running", self.session.epoch)
        self.host.show_keys()

    def show_pace(self, speed: int | None) -> None:
        self.host.query_one(StatsPanel).set_pace(speed)

    def _changed(self, part: str, key: object) -> bool:
        """Whether ``part`` must be drawn again: its inputs differ from the last time (then remembered)."""
        if self._drawn.get(part) == key:
            return False
        self._drawn[part] = key
        return True

    def forget(self) -> None:
        """Draw every part again on the next frame (after a change the keys do not capture)."""
        self._drawn.clear()

    def show(self, snap: Snapshot, rows: Any = None) -> None:
        """Draw one snapshot: the picture (if it changed), numbers, curves, state, and the open panel."""
        session, host = self.session, self.host
        stats = host.query_one(StatsPanel)
        stats.set_evolution(snap.family == "evolution")
        if snap.state == "no data":                      # an empty drawing: none of the old run's numbers
            snap = replace(snap, metrics=Metrics(0, float("nan")), history=((), ()))
        heatmap = host.query_one(HeatMap)
        scale = session_scale(session) if snap.view.neuron is None else None
        if scale != heatmap.scale:
            heatmap.scale = scale
            rows = None                                  # drawn on another scale: draw again on this one
        if heatmap.color != self.colour:
            heatmap.color, rows = self.colour, None
        prep = session.prep
        ds = prep.dataset
        legend_key = (id(prep), snap.view.neuron, self.colour, session.setup.show_test, self.host.look.prefs.scheme)
        if self._changed("legend", legend_key):                               # follows K, the data, the neuron
            stats.show_legend(describe.legend(session, snap.view.neuron, color=self.colour))
        if self._changed("caption", (id(prep), snap.bounds)):
            heatmap.show_caption(axis_parts(snap.bounds, ds.feature_names, ds.x_mean, ds.x_std)
                                 if prep.plottable else ())
        if snap.field is not None and snap.view.neuron == session.view.neuron:
            heatmap.show(field=snap.field, rows=rows, kind=snap.kind, discretize=snap.discretize,
                         points=snap.points, bounds=snap.bounds)
        now = time.monotonic()
        numbers = (snap.state != "running" or self._last_state != "running"   # a start shows at once
                   or now - self._numbers_at >= NUMBERS_SECONDS)
        stats.show_metrics(snap.metrics, draw=numbers)        # the chart records every frame's point
        if numbers:                                           # while training, the numbers at a readable pace
            self._numbers_at = now
            stats.show_history(snap.history)
            stats.show_network(session.net.layers)
            stats.show_state(snap.state, snap.metrics.epoch, snap.speed)
            stats.show_message((snap.message if snap.state == "stopped" else "") or describe.note(snap.state))
        if snap.maps is not None:
            host.panels.show_maps(snap)
        host.lessons.show_goal(snap.metrics, draw=numbers)     # the goal's numbers with the table's
        self.frames += 1
        if self.frames == 1:
            host.post_message(host.Built())
        if snap.state in ("diverged", "stopped") and snap.state != self._last_state:
            title = "Training diverged" if snap.state == "diverged" else "Stopped"
            self.notify(snap.message, title=title, severity="warning" if snap.state == "diverged" else "information",
                        timeout=8, markup=False)
        if snap.state != "running" and self._running_shown:
            self.show_running(False)
        self._last_state = snap.state
        host.doctor.show(snap)                           # after "Stopped": a new warning is the line to read
