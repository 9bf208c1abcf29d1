"""The doctor's picture of a run, for the app: findings and per-layer instruments, computed in the worker.

:func:`doctor_report` turns a Session's instruments into an immutable :class:`DoctorReport` that a
Snapshot carries, so the UI draws the Doctor view without running NumPy.  No Textual or Rich here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annplay.engine.diagnosis import Finding

if TYPE_CHECKING:
    from annplay.core.session import Session

# The update-to-weight ratio's healthy band per update (CS231n: "somewhere around 1e-3"; the band around it
# is where our healthy runs sat, see benchmarks/doctor_cases.py).
HEALTHY_UPDATE = (1e-5, 1e-2)


@dataclass(frozen=True)
class LayerStatus:
    """One layer's instruments (hidden layers and the output layer)."""

    name: str                              # "1", "2", …, "out"
    activation: str
    units: int
    grads: tuple[float, ...]               # gradient norm at each sample, oldest first
    update_ratio: float | None             # ‖ΔW‖/‖W‖ per update at the last sample
    dead_units: tuple[int, ...] = ()       # indices of dead units (ReLU)
    saturated_units: tuple[int, ...] = ()  # indices of saturated units (tanh, logistic)

    @property
    def dead(self) -> int:
        return len(self.dead_units)

    @property
    def saturated(self) -> int:
        return len(self.saturated_units)


@dataclass(frozen=True)
class DoctorReport:
    """What the Doctor view shows: the findings (warnings first) and each layer's instruments."""

    epoch: int
    family: str
    findings: tuple[Finding, ...]
    layers: tuple[LayerStatus, ...]
    samples: int

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    def marks(self) -> dict[tuple[int, int], str]:
        """(layer, unit) → 'dead' | 'saturated' for the network view (layer 1 is the first hidden layer)."""
        out: dict[tuple[int, int], str] = {}
        for i, layer in enumerate(self.layers[:-1]):
            for j in layer.dead_units:
                out[(i + 1, j)] = "dead"
            for j in layer.saturated_units:
                out[(i + 1, j)] = "saturated"
        return out


EMPTY = DoctorReport(0, "backprop", (), (), 0)


def doctor_report(session: Session) -> DoctorReport:
    """The report for the session now (the session caches it until a new sample arrives)."""
    inst = session.instruments
    samples = inst.samples
    key = (id(inst), len(samples), samples[-1].epoch if samples else -1, session.trainer.state)
    cached = getattr(session, "_doctor_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    findings = tuple(session.diagnosis()) if samples else ()
    layers: list[LayerStatus] = []
    acts = [a.name for a in session.net.activations]
    if samples:
        last = samples[-1]
        moved = next((x.update_ratios for x in reversed(samples) if x.update_ratios), None)   # the latest measured
        n = len(last.grad_norms)
        for i in range(n):
            hidden = i < n - 1
            ratio = moved[i] if moved else None
            layers.append(LayerStatus(
                str(i + 1) if hidden else "out", acts[i], session.net.layers[i + 1],
                tuple(s.grad_norms[i] for s in samples if math.isfinite(s.grad_norms[i])), ratio,
                last.which[i][0] if hidden and last.which else (), last.which[i][1] if hidden and last.which else ()))
    report = DoctorReport(session.epoch, session.family, findings, tuple(layers), len(samples))
    session._doctor_cache = (key, report)
    return report


__all__ = ["DoctorReport", "LayerStatus", "doctor_report", "EMPTY", "HEALTHY_UPDATE"]
