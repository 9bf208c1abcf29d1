"""The training doctor in the playground: draws its report in the Doctor panel, marks dead and saturated units
in the network view, says in one line when a new warning appears, and applies a chosen fix (pinning the run
first, so that the Runs view compares before and after from the same seed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annplay.core.fields import Snapshot
from annplay.screens.feature import Feature, Host

if TYPE_CHECKING:                                # the doctor's modules come with the first snapshot, not at start
    from annplay.core.doctor import DoctorReport
    from annplay.widgets.doctor import DoctorView


class DoctorFlow(Feature):
    """Owns the last report shown (to tell a new warning from an old one); its key, D, is the Doctor panel's."""

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.report: DoctorReport | None = None
        self.state = "ready"                     # the run's state last shown: an ended run repeats the warning

    def show(self, snap: Snapshot) -> None:
        """Draw the snapshot's report: the open Doctor panel, the network view's marks, a new warning's line."""
        report = snap.doctor
        if report is None:
            return
        from annplay.widgets.doctor import warning_line

        built = self.host.panels.built                  # the panels opened so far (no DOM query per frame)
        view = built.get("doctor")
        if view is not None and view.display:
            view.show(report)
        network = built.get("network")
        if network is not None:
            network.view.set_marks(report.marks())
        ended = snap.state in ("stopped", "diverged") and snap.state != self.state
        line = warning_line(report, None if ended else self.report)
        self.report, self.state = report, snap.state
        if line:
            self.notify(line, severity="warning", markup=False)

    def apply(self, message: DoctorView.FixChosen) -> None:
        """Pin the run as it is, then load the set-up with the fix's changes (same seed: the Runs view compares
        the two).  The changes go onto the session's own set-up, so a CSV file, a drawing and a link's locked
        controls stay as they were; a fix that would touch a locked control is refused in one line."""
        from annplay.engine.settings import SettingError

        fix, session = message.fix, self.session
        try:
            setup = session.setup.with_(**dict(fix.changes)).validate()
            session.check_unlocked(*(name for name, _ in fix.changes if setup[name] != session.setup[name]))
        except (SettingError, ValueError) as error:
            self.notify(f"The fix does not apply: {error}", severity="error", markup=False)
            return
        self.host.setups.action_pin()
        if self.host.setups.adopt(setup, session.hidden, lesson=self.host.lessons.lesson, drawn=session.drawn):
            self.notify(f"Applied {fix.label}; the run before is pinned (u: Runs). ␣ trains.", markup=False)


__all__ = ["DoctorFlow"]
