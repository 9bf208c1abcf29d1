"""The model files: export JSON (e), save .npz (s), load .npz (o); each asks a file name, the session writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annplay.core.filepolicy import policy
from annplay.core.textsafe import plain
from annplay.core.weightfiles import DEFAULT_JSON, DEFAULT_NPZ
from annplay.engine.textcut import shown
from annplay.screens.feature import Feature
from annplay.widgets.keybar import BarBinding


class FileFlows(Feature):
    """Results go to the weight editor's own line when it is open, else to the message line."""

    BINDINGS = [
        BarBinding("e", "export_json", "Export JSON", show=False,
                   tooltip="write the weights as JSON (asks a file name)"),
        BarBinding("s", "export_npz", "Save .npz", show=False, tooltip="write the network as .npz (asks a file name)"),
        BarBinding("o", "import_npz", "Load .npz", show=False,
                   tooltip="read weights of the same architecture from .npz"),
    ]

    def action_export_json(self) -> None:
        """Ask for a file name and write the weights as JSON."""
        self.ask_file("Export the weights as JSON", DEFAULT_JSON, self.session.export_json, "Weights written to")

    def action_export_npz(self) -> None:
        """Ask for a file name and write the network as .npz."""
        self.ask_file("Save the network as .npz", DEFAULT_NPZ, self.session.export_npz, "Network saved to")

    def action_import_npz(self) -> None:
        """Ask for a file name and load weights of this architecture from .npz."""
        self.ask_file("Load weights from .npz (same layers and activations)", DEFAULT_NPZ,
                      self._import, "Weights loaded from", saving=False)

    def _import(self, name: str) -> Path:
        self.host.run.stop()
        return self.session.import_npz(name)

    def ask_file(self, title: str, default: str, do: Callable[[str], Path], done_text: str, *,
                 saving: bool = True) -> None:
        """The file-name dialog; then do(the file the name means), reporting the result in one line (never a
        traceback). Where names lead and where a saved file goes: :mod:`annplay.core.filepolicy`."""
        from annplay.screens.dialogs import FileNameDialog

        files = policy()

        def chosen(name: str | None) -> None:
            if name is None:                              # cancelled
                return
            if not name:
                self.report("No file name given; nothing done", error=True)
                return
            try:
                path = do(str(files.path(name)))
                where = files.saved(path) if saving else files.shown(path)
            except ValueError as error:
                self.report(files.clean(error), error=True)
                return
            except (OSError, TypeError, RuntimeError) as error:
                reason = files.clean(str(getattr(error, "strerror", None) or error))
                self.report(f"Could not use {shown(name)}: {reason}", error=True)    # a long name hid the reason
                return
            self.report(f"{done_text} {where}")
            self.host.painter.show_now(record=False)

        self.host.app.push_screen(FileNameDialog(title, default, files.save_hint if saving else files.open_hint),
                                  chosen)

    def report(self, message: str, *, error: bool = False) -> None:
        """A file operation's result, once on the screen: under the weights when the editor is open, else on the
        message line (file names shown as plain text; the app records it either way)."""
        from annplay.widgets.weights import WeightEditor

        message = plain(message)
        editors = list(self.host.query(WeightEditor))       # the editor exists once it has been opened
        for editor in editors:
            editor.show_message(message, error=error)
        self.notify(message, severity="error" if error else "information", markup=False,
                    line=not any(editor.display for editor in editors))
