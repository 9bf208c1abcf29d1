"""The session's weight edits and model files (a mixin of :class:`annplay.core.session.Session`; UI-free)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from annplay.core.run_record import RunRecord
from annplay.core.weightfiles import Edit, export_json, export_npz, file_path, import_npz, set_weight
from annplay.engine.network import MLP
from annplay.engine.setup import Setup
from annplay.engine.trainers import TrainerProtocol


class ModelFiles:
    """Weights by hand and .json/.npz files, each under the session's lock."""

    _lock: threading.RLock
    _setup: Setup
    net: MLP
    trainer: TrainerProtocol
    record: RunRecord
    tampered: set[str]
    _diverged_at: dict[str, Any] | None

    def edit_weight(self, layer: int, row: int, col: int, *, delta: float = 0.0, text: str | None = None) -> Edit:
        """Nudge W(layer)[row, col] by delta, or set it to a typed number (col == its width: the bias).

        ValueError (nothing changed) for a place the network does not have, or a value that is not finite.
        """
        with self._lock:
            edit = set_weight(self.net, layer, row, col, delta=delta, text=text)
            self.tampered.add("weights")
            self.trainer.reset_optimizer()             # judged afresh: a divergence before the edit is forgotten
            self._diverged_at = None
            self.record.forget_field()
        return edit

    def export_json(self, name: str) -> Path:
        """Write the weights and the set-up as JSON (:mod:`annplay.core.weightfiles`); ValueError/OSError say why."""
        with self._lock:
            return export_json(self.net, name, self._setup)

    def export_npz(self, name: str) -> Path:
        """Write the network as an .npz model file."""
        with self._lock:
            return export_npz(self.net, name)

    def import_npz(self, name: str) -> Path:
        """Load the weights of an .npz of the same architecture into the network (the trainer starts afresh)."""
        with self._lock:
            import_npz(self.net, name)
            self.tampered.add("weights")
            self.trainer.reset_optimizer()
            self._diverged_at = None
            self.record.forget_field()
            return file_path(name)
