"""The playground's file actions: ask a file name, then let the session export or import the model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annplay.core.filepolicy import policy
from annplay.core.textsafe import plain
from annplay.core.weightfiles import DEFAULT_JSON, DEFAULT_NPZ
from annplay.screens.live import LiveScreen


class FileActions(LiveScreen):
    """Export (e), save (s) and load (o) the network; results go to a toast and the weight editor's line."""

    def action_export_json(self) -> None:
        """Ask for a file name and write the weights as JSON."""
        self._ask_file("Export the weights as JSON", DEFAULT_JSON, self.session.export_json, "Weights written to")

    def action_export_npz(self) -> None:
        """Ask for a file name and write the network as .npz."""
        self._ask_file("Save the network as .npz", DEFAULT_NPZ, self.session.export_npz, "Network saved to")

    def action_import_npz(self) -> None:
        """Ask for a file name and load weights of this architecture from .npz."""
        self._ask_file("Load weights from .npz (same layers and activations)", DEFAULT_NPZ,
                       self._import, "Weights loaded from", saving=False)

    def _import(self, name: str) -> Path:
        self._stop()
        return self.session.import_npz(name)

    def _ask_file(self, title: str, default: str, do: Callable[[str], Path], done_text: str, *,
                  saving: bool = True) -> None:
        """The file-name dialog; then do(the file the name means), reporting the result in one line (never a
        traceback). Where names lead and where a saved file goes: :mod:`annplay.core.filepolicy`."""
        files = policy()
        from annplay.screens.dialogs import FileNameDialog

        def chosen(name: str | None) -> None:
            if name is None:                              # cancelled
                return
            if not name:
                self._report("No file name given; nothing done", error=True)
                return
            try:
                path = do(str(files.path(name)))
                where = files.saved(path) if saving else files.shown(path)
            except ValueError as error:
                self._report(files.clean(str(error)), error=True)
                return
            except (OSError, TypeError, RuntimeError) as error:
                self._report(f"Could not use {name}: {files.clean(str(getattr(error, 'strerror', None) or error))}",
                             error=True)
                return
            self._report(f"{done_text} {where}")
            self._show_now(record=False)

        self.app.push_screen(FileNameDialog(title, default, files.save_hint if saving else files.open_hint), chosen)

    def _report(self, message: str, *, error: bool = False) -> None:
        """A file operation's result, once on the screen: under the weights when the editor is open, else on the
        message line (file names shown as plain text; the app records it either way)."""
        from annplay.widgets.weights import WeightEditor

        message = plain(message)
        editors = list(self.query(WeightEditor))       # the editor exists once it has been opened
        for editor in editors:
            editor.show_message(message, error=error)
        self.notify(message, severity="error" if error else "information", markup=False,
                    line=not any(editor.display for editor in editors))
