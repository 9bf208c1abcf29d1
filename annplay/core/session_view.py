"""What a :class:`~annplay.core.session.Session` hands the screens to draw: points and immutable snapshots.

Split out of session.py so each module keeps one job; no Textual or Rich here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from annplay.core import fields
from annplay.core.fields import Snapshot, ViewRequest
from annplay.engine.trainer import Metrics

if TYPE_CHECKING:
    from annplay.core.session import Session


def points(session: Session) -> fields.Points:
    """The points to draw: training points, plus test points when shown."""
    s, prep = session.setup, session.prep
    pts = fields.Points.empty()
    if prep.plottable and s.show_points and prep.train.n:
        pts = fields.Points.from_xy(prep.train.X, prep.train.y)
        if s.show_test and prep.test.n:
            pts = pts + fields.Points.from_xy(prep.test.X, prep.test.y, test=True)
    return pts


def snapshot(session: Session, view: ViewRequest | None = None, *, metrics: Metrics | None = None,
             run: int | None = None, speed: float = 0.0, changed_only: bool = True,
             record_it: bool = True) -> Snapshot:
    """An immutable picture of now for ``view``: metrics, history, the field (if it changed) and maps.

    With ``changed_only`` the field is left out (None) when its colours equal the last snapshot's.
    """
    from annplay.core.doctor import doctor_report  # the doctor's rules: imported with the first snapshot

    view = session.view if view is None else view
    with session.lock:
        if metrics is None:
            metrics = session.frame_metrics()
        if record_it and session.has_data:
            session.record.add(metrics, session.family)
        prep = session.prep
        neuron = view.neuron if view.neuron is not None and session.has_neuron(view.neuron) else None
        view = replace(view, neuron=neuron)
        plane = session.bounds if prep.plottable else None
        got = fields.compute(session.net, prep.inputs, plane, view.width, view.height, kind=prep.kind,
                             neuron=neuron, maps=view.maps, input_labels=session.input_labels())
        discretize = bool(session.setup.discretize) and neuron is None
        field = got.field
        if field is not None:
            codes = fields.field_codes(field, got.kind, discretize)
            key = (view, got.kind, discretize, id(prep))
            last = session.record.last_codes
            if changed_only and last is not None and last[0] == key and np.array_equal(last[1], codes):
                field = None
            session.record.last_codes = (key, codes)
        pts = points(session) if neuron is None or prep.kind == "binary" else fields.Points.empty()
        history = (tuple(session.history[0]), tuple(session.history[1]))
        return Snapshot(session.run_id if run is None else run, metrics, session.state(), session.message(),
                        session.family, history, view, field, got.kind, discretize, pts, session.bounds, got.maps,
                        speed, doctor_report(session))
