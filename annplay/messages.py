"""Small messages passed between the training worker, the widgets and the playground screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from annplay.engine.trainer import Metrics


@dataclass
class Snapshot:
    """What the worker saw after a chunk of epochs: metrics and (when it changed) the boundary field."""

    generation: int
    metrics: "Metrics"
    field: "np.ndarray | None"          # None: the picture did not change
    rows: Any                           # the field rendered as rows of Rich segments (with field)
    size: tuple[int, int]               # (width, height) in cells the field was computed for
    running: bool                       # False on the last snapshot of a run (paused, diverged)
    epochs_per_second: float = 0.0
    neuron: tuple[int, int] | None = None   # the neuron whose map the field shows (None: the output)
    maps: Any = None                    # NetMaps for the network view and the weight editor (when open)


@dataclass
class Progress(Message):
    """Wake-up call: a new snapshot is waiting in the screen's slot (at most one is ever in flight)."""

    def can_replace(self, message: Message) -> bool:
        """A newer Progress supersedes an older one still in the queue."""
        return isinstance(message, Progress)


@dataclass
class Tapped(Message):
    """A tap (click) on the heat map at input-plane point (x1, x2)."""

    x1: float
    x2: float


@dataclass
class SettingChanged(Message):
    """A control changed one setting of the experiment (or a display option)."""

    setting: str
    value: Any


@dataclass
class NeuronSelected(Message):
    """The network view selected hidden neuron ``index`` of layer ``layer`` (both None: deselected)."""

    layer: int | None
    index: int | None


@dataclass
class WeightEdit(Message):
    """The weight editor asks to change net.weights[layer][row, col] (col == its width: the bias) by delta, or to a typed text."""

    layer: int
    row: int
    col: int
    delta: float = 0.0
    text: str | None = None


__all__ = ["Snapshot", "Progress", "Tapped", "SettingChanged", "NeuronSelected", "WeightEdit"]
