"""Does the doctor's first fix cure? For every sick set-up of ``doctor_cases.py``: train it, take its first
warning's first fix, train the fixed set-up, and say whether that warning is gone (and the losses before and
after, since a silenced warning is not always a better run).

    python benchmarks/doctor_cures.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doctor_cases import CALIBRATION_BASE, SICK  # noqa: E402

from annplay.core.session import Session  # noqa: E402
from annplay.engine.setup import Setup  # noqa: E402
from annplay.engine.sharecode import decode  # noqa: E402


def trained(setup: Setup) -> Session:
    session = Session(setup)
    while not session.done():
        session.run_for(1.0, metrics=False)
    return session


def main() -> None:
    cured = 0
    for settings, _expected in SICK:
        sick = trained(Setup(**{**CALIBRATION_BASE, **settings}))
        warnings = [f for f in sick.diagnosis() if f.severity == "warning"]
        if not warnings or not warnings[0].fixes:
            print(f"no warning or no fix  {settings}")
            continue
        finding, fix = warnings[0], warnings[0].fixes[0]
        healed = trained(decode(fix.code))
        left = [f.code for f in healed.diagnosis() if f.severity == "warning"]
        before, after = sick.trainer.metrics(), healed.trainer.metrics()
        ok = finding.code not in left
        cured += ok
        print(f"{'cured' if ok else 'NOT  '}  {settings}  {finding.code} -> {fix.label}  "
              f"train/test {before.train_loss:.3g}/{before.test_loss or 0:.3g} -> "
              f"{after.train_loss:.3g}/{after.test_loss or 0:.3g}  warnings left {left}")
    print(f"{cured} of {len(SICK)} first fixes removed their warning")


if __name__ == "__main__":
    main()
