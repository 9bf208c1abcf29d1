"""The playground's set-up keys: share (k), open (i), save (a), pin (b), Runs view (u), Sweep view (z)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from annplay.core.pins import add_pin, pin_of
from annplay.core.textsafe import plain
from annplay.engine.settings import SettingError
from annplay.engine.setup import Setup
from annplay.engine.setupfile import read_setup_file, resolve_setup, write_setup
from annplay.engine.sharecode import decode_drawing, looks_like_code
from annplay.engine.tflink import looks_like_tf_link
from annplay.screens.panels import PanelScreen

DEFAULT_SETUP = "setup.toml"
OPEN_HINT = "A share code (ap1:…), a TF Playground link or a set-up file (.toml)"


class SetupActions(PanelScreen):
    """Set-ups as text and files, pinned runs and sweeps, on top of the panels' keys."""

    lesson: Any = None                 # the open lesson (the playground's property); another set-up closes it
    lesson_passed: Any = None          # the open lesson once its passing was announced

    def _apply_layout(self) -> None:
        raise NotImplementedError                # the playground's own

    def _refresh_everything(self) -> None:
        raise NotImplementedError                # the playground's own

    # --- share and open -------------------------------------------------------------

    def action_share(self) -> None:
        """Show the share code (copied to the clipboard where allowed) and the TF Playground link."""
        from annplay.screens.share import ShareScreen

        self.app.push_screen(ShareScreen(self.session.setup, self.session.hidden, self.session.drawn))

    def action_open_setup(self) -> None:
        """Ask for a share code, TF link or set-up file, and adopt it."""
        from annplay.screens.dialogs import FileNameDialog

        def chosen(text: str | None) -> None:
            if text:
                self.open_setup(text)

        self.app.push_screen(FileNameDialog("Open a set-up", "", OPEN_HINT), chosen)

    def load_weights(self, path: str) -> None:
        """Load weights of this architecture from an .npz (a set-up file's [model]); a problem is one note."""
        try:
            self.session.import_npz(path)
        except (ValueError, OSError) as error:
            self.notify(plain(f"weights not loaded: {error}"), title="Note", severity="warning", markup=False)
        self._show_now(record=False)

    def open_setup(self, text: str) -> bool:
        """Adopt a set-up from text (a bad one: one line naming what is wrong, nothing changes); True if adopted."""
        text = text.strip()
        model: Path | None = None
        drawn = None
        warnings: list[str] = []
        hidden: set[str] = set()
        try:
            if looks_like_code(text):
                setup, drawn = decode_drawing(text)
            elif looks_like_tf_link(text):
                setup, warnings, hidden = resolve_setup(text)
            else:
                loaded = read_setup_file(text)
                setup, model = loaded.setup, loaded.model
        except (SettingError, ValueError, OSError) as error:
            self.notify(plain(str(error)), title="Not opened", severity="error", markup=False)
            return False
        if not self.adopt(setup, hidden):
            return False
        if drawn is not None:                       # the code's drawing is the data
            self.session.set_drawn(drawn)
            self._refresh_everything()
        if model is not None:
            self.load_weights(str(model))
        for warning in warnings:
            self.notify(plain(warning), title="Note", severity="warning", markup=False)
        return True

    def adopt(self, setup: Setup, hidden: set[str] | frozenset[str] = frozenset(), lesson: Any = None) -> bool:
        """Make ``setup`` the session's (paused, new weights from its seed); True when the engine took it.

        ``lesson``: the lesson this set-up starts (announced); any other set-up closes the open lesson."""
        self._stop()
        try:
            self.session.load_setup(setup, hidden)
        except (SettingError, ValueError) as error:
            self.notify(plain(str(error)), title="Not opened", severity="error", markup=False)
            return False
        closed = self.lesson if self.lesson is not None and self.lesson is not lesson else None
        if self.lesson is not lesson:
            self.lesson = lesson
        self.lesson_passed = None
        self._refresh_everything()
        if lesson is not None:
            self.announce_lesson(lesson)
        else:
            self.notify(f"Set-up opened: {plain(self.session.data_name)}, layers "
                        f"{','.join(map(str, setup.hidden)) or 'none'}, {setup.trainer}"
                        + (f" · Lesson {closed.number} closed" if closed is not None else ""),
                        timeout=4 if closed is not None else 3, markup=False)
        return True

    def announce_lesson(self, lesson: Any) -> None:
        """The message line names the open lesson and its goal (the goal line under the numbers stays)."""
        self.notify(f"Goal: {plain(lesson.goal_text)}", title=f"Lesson {lesson.number}: {plain(lesson.title)}",
                    timeout=6, markup=False)

    # --- save -----------------------------------------------------------------------

    def action_save_setup(self) -> None:
        """Ask for a TOML file name, write the set-up, then offer to save the weights beside it."""
        from annplay.screens.dialogs import FileNameDialog

        def weights_chosen(toml: str, npz: str | None) -> None:
            self.save_setup(toml, npz or None)

        def toml_chosen(name: str | None) -> None:
            if not name:
                return
            npz = str(Path(name).with_suffix(".npz"))
            self.app.push_screen(FileNameDialog("Also save the weights? (escape: no)", npz,
                                                "The set-up file then names this .npz"),
                                 lambda got: weights_chosen(name, got))

        self.app.push_screen(FileNameDialog("Save the set-up as TOML", DEFAULT_SETUP,
                                            "In the current directory unless you give a path"), toml_chosen)

    def save_setup(self, toml: str, npz: str | None = None) -> Path | None:
        """Write the set-up (and the weights .npz, named in the file); one line says what was written or why not."""
        try:
            model = None
            if npz is not None:
                model = self.session.export_npz(npz)
                with contextlib.suppress(ValueError):      # beside the set-up file: name it relatively
                    model = model.relative_to(Path(toml).expanduser().resolve().parent)
            path = write_setup(Path(toml).expanduser(), self.session.setup, model=model, what="set-up file")
        except (SettingError, ValueError, OSError) as error:
            self.notify(plain(str(getattr(error, "strerror", None) or error)), title="Not saved",
                        severity="error", markup=False)
            return None
        self.notify(plain(f"Set-up written to {path}" + (f" (weights: {model})" if model else "")), title="Saved",
                    markup=False)
        return path

    # --- pins, runs, sweeps ---------------------------------------------------------

    def action_pin(self) -> None:
        """Pin the current run (set-up, curves, results) to compare in the Runs view (u)."""
        try:
            pins = add_pin(pin_of(self.session))
        except (ValueError, OSError) as error:
            self.notify(plain(str(error)), title="Not pinned", severity="error", markup=False)
            return
        self.notify(f"Run pinned ({len(pins)} pinned); u shows them", title="Pinned", timeout=3)

    def action_runs(self) -> None:
        """The Runs view: pinned runs beside the live one."""
        from annplay.screens.runs import RunsScreen

        def restored(setup: Setup | None) -> None:
            if setup is not None:
                self.adopt(setup)

        self.app.push_screen(RunsScreen(self.session), restored)

    def action_sweep(self) -> None:
        """The Sweep view: vary a few settings, train a small grid in the background, rank it."""
        from annplay.screens.sweep_view import SweepScreen

        def chosen(setup: Setup | None) -> None:
            if setup is not None:
                self.adopt(setup)

        self._stop()
        self.app.push_screen(SweepScreen(self.session.setup), chosen)
