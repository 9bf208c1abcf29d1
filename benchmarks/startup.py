"""Time to first frame of the playground: a fresh interpreter, headless, measured from process spawn.

Prints the time until the first frame is painted, until the network is built and the boundary drawn,
and whether any heavy module (pandas, scipy, matplotlib) was imported.  Usage:
    python benchmarks/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CHILD = r"""
import sys, time
from annplay.app import PlaygroundApp

class Timed(PlaygroundApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self.first_frame)

    def first_frame(self):
        print("FIRST_FRAME", time.perf_counter(), flush=True)
        self.set_interval(0.005, self.check_built)

    def check_built(self):
        screen = self.screen
        if getattr(screen, "frames", 0) and screen.picture[0]:
            heavy = [m for m in ("pandas", "scipy", "matplotlib", "sklearn") if m in sys.modules]
            print("BUILT", time.perf_counter(), ",".join(heavy) or "-", flush=True)
            self.exit()

Timed().run(headless=True, size=(120, 40))
"""


def one_run() -> tuple[float, float, str]:
    """Seconds from spawn to first frame and to a built playground, and heavy modules seen."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    # perf_counter is system-wide monotonic on Linux, so child stamps compare with ours
    stamps = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in ("FIRST_FRAME", "BUILT"):
            stamps[parts[0]] = (float(parts[1]), parts[2] if len(parts) > 2 else "")
    if "FIRST_FRAME" not in stamps or "BUILT" not in stamps:
        raise SystemExit(f"the app did not report its frames:\n{proc.stdout}\n{proc.stderr}")
    return stamps["FIRST_FRAME"][0] - start, stamps["BUILT"][0] - start, stamps["BUILT"][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.repeat)]
    first = statistics.median(r[0] for r in runs)
    built = statistics.median(r[1] for r in runs)
    fastest = 1000 * min(r[0] for r in runs)
    print(f"time to first frame: {1000 * first:.0f} ms (median of {args.repeat}; min {fastest:.0f} ms)")
    print(f"time to trained-ready playground: {1000 * built:.0f} ms")
    print(f"heavy modules imported: {runs[-1][2]}")


if __name__ == "__main__":
    main()
