"""The training worker's hand-over to the UI: a one-snapshot mailbox and the Progress wake-up call.

Widgets' own messages are nested in the widgets that post them (``ControlPanel.Changed``,
``HeatMap.Tapped``, ``NetView.NeuronSelected``, ``WeightEditor.Edit``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any

from textual.message import Message

from annplay.core.fields import Snapshot


@dataclass
class Progress(Message):
    """Wake-up call: a new snapshot is waiting in the screen's mailbox (at most one is ever in flight)."""

    def can_replace(self, message: Message) -> bool:
        """A newer Progress supersedes an older one still in the queue."""
        return isinstance(message, Progress)


class Mailbox:
    """The latest snapshot (and its rendered rows) from the worker; older unshown ones are overwritten."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: tuple[Snapshot, Any] | None = None
        self._in_flight = False

    def put(self, snapshot: Snapshot, rows: Any = None) -> bool:
        """(Worker) leave a snapshot; True when the UI must be woken (no Progress is in flight)."""
        with self._lock:
            old = self._item
            if snapshot.field is None and old is not None and old[0].field is not None \
                    and old[0].run == snapshot.run and old[0].view == snapshot.view:
                snapshot, rows = replace(snapshot, field=old[0].field), old[1]   # never lose an unshown picture
            self._item = (snapshot, rows)
            if self._in_flight:
                return False
            self._in_flight = True
            return True

    def take(self) -> tuple[Snapshot, Any] | None:
        """(UI) the waiting snapshot and rows, if any; the next put wakes the UI again."""
        with self._lock:
            item, self._item = self._item, None
            self._in_flight = False
            return item


__all__ = ["Progress", "Mailbox"]
