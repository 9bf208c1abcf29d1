"""The set-up flows: share (k), open (i), save (a), pin (b), the Runs view (u) and the Sweep view (z)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from annplay.core.filepolicy import policy
from annplay.core.textsafe import plain
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.screens.feature import Feature
from annplay.screens.lesson_flow import lesson_name
from annplay.widgets.keybar import BarBinding

if TYPE_CHECKING:
    from annplay.engine.build import Point

DEFAULT_SETUP = "setup.toml"
OPEN_HINT = "A share code (ap1:…), a TF Playground link, a set-up file (.toml) or its pasted text"


class SetupFlows(Feature):
    """Set-ups as text and files, pinned runs and sweeps; a set-up from any of them is adopted here."""

    BINDINGS = [
        BarBinding("k", "share", "Share", show=False, menu=True,
                   priority=True,       # priority: the controls use k as up
                   tooltip="the share code (copied) and the TF Playground link"),
        BarBinding("i", "open_setup", "Open set-up", show=False, menu=True,
                   tooltip="open a share code, TF Playground link or set-up file (.toml)"),
        BarBinding("a", "save_setup", "Save set-up", show=False, menu=True,
                   tooltip="write the set-up as a TOML file, optionally with the weights .npz"),
        BarBinding("b", "pin", "Pin run", show=False, menu=True, tooltip="pin this run to compare it in the Runs view"),
        BarBinding("u", "runs", "Runs", show=False, menu=True,
                   tooltip="pinned runs beside the live one; enter restores one"),
        BarBinding("z", "sweep", "Sweep", show=False, menu=True, tooltip="vary settings, train a small grid, rank it"),
    ]

    # --- share and open -------------------------------------------------------------

    def action_share(self) -> None:
        """Show the share code (copied to the clipboard where allowed) and the TF Playground link."""
        from annplay.screens.share_view import ShareScreen

        self.host.app.push_screen(ShareScreen(self.session.setup, self.session.hidden, self.session.drawn))

    def action_open_setup(self) -> None:
        """Ask for a share code, TF link or set-up file, and adopt it."""
        from annplay.screens.dialogs import FileNameDialog

        def chosen(text: str | None) -> None:
            if text:
                self.open_setup(text)

        self.host.app.push_screen(FileNameDialog("Open a set-up", "", OPEN_HINT, whole_paste=True), chosen)

    def load_weights(self, path: str) -> None:
        """Load weights of this architecture from an .npz (a set-up file's [model]); a problem is one note."""
        try:
            self.session.import_npz(path)
        except (ValueError, OSError) as error:
            self.notify(plain(policy().clean(f"weights not loaded: {error}")), title="Note", severity="warning",
                        markup=False)
        self.host.painter.show_now(record=False)

    def open_setup(self, text: str) -> bool:
        """Adopt a set-up from text: a share code, a TF link, a set-up file's name or a set-up file's pasted text
        (several lines; naming no file). A bad one: one line naming what is wrong, nothing changes; True if adopted."""
        from annplay.engine.setupfile import MAX_FILE_BYTES, parse_setup_text, read_setup_file, resolve_setup
        from annplay.engine.sharecode import decode_drawing, looks_like_code
        from annplay.engine.tflink import looks_like_tf_link

        text = text.strip()
        model: Path | None = None
        drawn = None
        warnings: list[str] = []
        hidden: set[str] = set()
        try:
            if "\n" in text:                    # a set-up file's text, pasted (its comments may hold a code)
                if len(text) > MAX_FILE_BYTES:
                    raise ValueError(f"pasted set-up: over {MAX_FILE_BYTES // 1024} KiB; a set-up is a few lines")
                setup = parse_setup_text(text, "pasted set-up").setup
            elif looks_like_code(text):
                setup, drawn = decode_drawing(text)
            elif looks_like_tf_link(text):
                setup, warnings, hidden = resolve_setup(text)
            else:
                loaded = read_setup_file(policy().path(text, "set-up file"))
                setup, model = loaded.setup, loaded.model
        except (SettingError, ValueError, OSError) as error:
            self.notify(plain(policy().clean(error)), title="Not opened", severity="error", markup=False)
            return False
        closed_csv = self.session.setup.csv if setup.csv is None and drawn is None else None
        if not self.adopt(setup, hidden, drawn=drawn):      # a code's drawing is the data
            return False
        if closed_csv is not None:                           # a code names no file: say the CSV is no longer used
            self.notify(plain(f"{self.session.data_name} instead of {Path(closed_csv).name}: a share code names no "
                              "file (annplay play CODE --data FILE keeps a CSV)"), title="Note", severity="warning",
                        markup=False)
        if model is not None:
            self.load_weights(str(model))
        for warning in warnings:
            self.notify(plain(warning), title="Note", severity="warning", markup=False)
        return True

    def adopt(self, setup: Setup, hidden: set[str] | frozenset[str] = frozenset(), lesson: Any = None,
              drawn: tuple[Point, ...] | None = None) -> bool:
        """Make ``setup`` the session's (paused, new weights from its seed); True when the engine took it.

        ``lesson``: the lesson this set-up starts (announced); any other set-up closes the open lesson.
        ``drawn``: hand-drawn points that replace the set-up's data."""
        self.host.run.stop()
        locked = self.session.hidden           # a TF link's *_hide: the teacher's locks outlast any set-up opened
        kept = {name: self.session.setup[name] for name in locked if setup[name] != self.session.setup[name]}
        try:
            setup = setup.with_(**kept).validate() if kept else setup
            self.session.load_setup(setup, frozenset(hidden) | locked)
        except (SettingError, ValueError) as error:
            self.notify(plain(policy().clean(str(error))), title="Not opened", severity="error", markup=False)
            return False
        if drawn is not None:
            self.session.set_drawn(drawn)
        closed = self.host.lessons.switch_to(lesson)
        self.host.refresh_everything()
        if lesson is not None:
            self.host.lessons.announce(lesson)
        else:
            self.notify(f"Set-up opened: {plain(self.session.data_name)}, layers "
                        f"{','.join(map(str, setup.hidden)) or 'none'}, {setup.trainer}"
                        + (f" · {lesson_name(closed)} closed" if closed is not None else "")
                        + (f" · locked by the link: {', '.join(SETTINGS[n].label for n in kept)}" if kept else ""),
                        timeout=4 if closed is not None or kept else 3, markup=False)
        return True

    # --- save -----------------------------------------------------------------------

    def action_save_setup(self) -> None:
        """Ask for a TOML file name, write the set-up, then offer to save the weights beside it."""
        from annplay.screens.dialogs import FileNameDialog

        def weights_chosen(toml: str, npz: str | None) -> None:
            self.save_setup(toml, npz or None)

        def toml_chosen(name: str | None) -> None:
            if not name:
                return
            try:
                self._setup_target(name)                 # a refused name is said now, before the weights question
            except (ValueError, OSError) as error:
                self._not_saved(name, error)
                return
            npz = str(Path(name).with_suffix(".npz"))
            self.host.app.push_screen(FileNameDialog("Also save the weights? (escape: no)", npz,
                                                     "The set-up file then names this .npz"),
                                      lambda got: weights_chosen(name, got))

        self.host.app.push_screen(FileNameDialog("Save the set-up as TOML", DEFAULT_SETUP, policy().save_hint),
                                  toml_chosen)

    def save_setup(self, toml: str, npz: str | None = None) -> Path | None:
        """Write the set-up (and the weights .npz, named in the file); one line says what was written or why not.

        Names go through the file policy (:mod:`annplay.core.filepolicy`): ``~nouser`` is one line, and behind
        ``annplay serve`` both files stay in the session's folder and the browser downloads them."""
        from annplay.engine.setupfile import write_setup

        files = policy()
        try:
            target = self._setup_target(toml)      # both names are checked before anything is written: a refused
            model = None                           # set-up must not leave weights behind
            if npz is not None:
                weights = files.path(npz, "weights file")
                if weights.suffix.lower() != ".npz":
                    raise ValueError(f"weights file {npz}: give a name ending in .npz (the set-up file is {toml})")
                if weights.absolute() == target.absolute():
                    raise ValueError(f"weights file {npz}: the set-up file has this name; give the weights their own")
                model = Path(self.session.export_npz(str(weights))).absolute()
            path = write_setup(target, self.session.setup, model=model, what="set-up file")
            shown = files.saved(path) + (f"; weights: {files.saved(model)}" if model else "")   # no (…(…)) nests
        except (SettingError, ValueError, OSError) as error:
            self._not_saved(toml, error)
            return None
        self.notify(plain(f"Set-up written to {shown}"), title="Saved", markup=False)
        return path

    @staticmethod
    def _setup_target(toml: str) -> Path:
        """The file a typed set-up name means, if a set-up may be written there (else a one-line ValueError)."""
        from annplay.engine.safefile import check_save_target
        from annplay.engine.setupfile import check_replaceable

        target = policy().path(toml, "set-up file")
        check_save_target(target, what="set-up file")
        check_replaceable(target, what="set-up file")
        return target

    def _not_saved(self, toml: str, error: Exception) -> None:
        reason = getattr(error, "strerror", None)
        text = f"{toml}: {reason}" if reason else error               # a full disk names the file too
        self.notify(plain(policy().clean(text)), title="Not saved", severity="error", markup=False)

    # --- pins, runs, sweeps ---------------------------------------------------------

    def action_pin(self) -> None:
        """Pin the current run (set-up, curves, results) to compare in the Runs view (u)."""
        from annplay.core.pins import pin_of, pin_run

        try:
            pins, note = pin_run(pin_of(self.session))
        except (ValueError, OSError) as error:
            self.notify(plain(str(error)), title="Not pinned", severity="error", markup=False)
            return
        self.notify(f"Run pinned ({len(pins)} pinned); u shows them", title="Pinned", timeout=3)
        if note:                                           # a pin or file kept aside: said, never dropped
            self.notify(plain(note), title="Note", severity="warning", markup=False)

    def _adopt_chosen(self, setup: Setup | None) -> None:
        if setup is not None:
            self.adopt(setup)

    def action_runs(self) -> None:
        """The Runs view: pinned runs beside the live one."""
        from annplay.screens.runs_view import RunsScreen

        self.host.app.push_screen(RunsScreen(self.session), self._adopt_chosen)

    def action_sweep(self) -> None:
        """The Sweep view: vary a few settings, train a small grid in the background, rank it."""
        from annplay.screens.sweep_view import SweepScreen

        self.host.run.stop()
        self.host.app.push_screen(SweepScreen(self.session.setup), self._adopt_chosen)
