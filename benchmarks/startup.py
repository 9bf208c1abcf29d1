"""Start-up against a bare Textual app: time to the first frame and idle memory, on two cores and on one.

Each round starts a fresh interpreter for a bare Textual app (one ``Static``) and one for annplay, side by side,
headless at 120×40, on all cores and pinned to one (``taskset -c 0``, a phone's proxy). The ratios of the two
(annplay ÷ bare) are the figures that count: the machine's load hits both alike. Also prints the time until the
playground has its first trained-ready picture, the heavy modules imported (none expected), the load, and a floor:
the bare app importing NumPy and numpy.random before it starts (what any NumPy picture needs by its idle moment),
which shows how much of each ratio NumPy alone takes.

annplay's bytecode is compiled first (into ``__pycache__``, as ``pip install`` does): with PYTHONDONTWRITEBYTECODE
set, annplay would otherwise compile its ~75 modules on every start while Textual's installed bytecode is cached.
    python benchmarks/startup.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPORT = r"""
import sys, time, resource

def on_first_paint(screen, then):      # then() right after the screen's first paint (its compositor's first render)
    paint = screen._compositor_refresh

    def first():
        screen._compositor_refresh = paint
        paint()
        if not hasattr(screen, "_first_painted"):
            screen._first_painted = True
            then()

    screen._compositor_refresh = first

def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

BARE_APP = r"""
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("Hello")

    def on_mount(self):
        on_first_paint(self.screen, self.first_frame)

    def first_frame(self):
        print("FIRST_FRAME", time.perf_counter(), flush=True)
        print("CPU", time.process_time(), flush=True)
        self.set_timer(1.0, self.idle)

    def idle(self):
        print("IDLE_RSS", rss_mib(), flush=True)
        self.exit()

Bare().run(headless=True, size=(120, 40))
"""
BARE = REPORT + BARE_APP
# The floor: the bare app with NumPy and its random module imported first, as any app that draws a NumPy picture
# needs them before its idle moment. Not a goal figure: it shows how much of each ratio NumPy alone takes.
FLOOR = REPORT + "import numpy, numpy.random\n" + BARE_APP

ANNPLAY = REPORT + r"""
from annplay.app import PlaygroundApp

class Timed(PlaygroundApp):
    def on_mount(self):     # Textual calls PlaygroundApp.on_mount too (every class's handler): no super() here,
        self.call_next(self.hook)                           # or the app pushes two playgrounds

    def hook(self):
        assert type(self.screen).__name__ == "PlaygroundScreen", self.screen_stack
        on_first_paint(self.screen, self.first_frame)       # the playground screen's first paint

    def first_frame(self):
        print("FIRST_FRAME", time.perf_counter(), flush=True)
        print("CPU", time.process_time(), flush=True)
        self.poll = self.set_interval(0.005, self.check_built)

    def check_built(self):
        screen = self.screen
        if getattr(screen, "frames", 0) and screen.picture[0]:
            self.poll.stop()
            heavy = [m for m in ("pandas", "scipy", "matplotlib", "sklearn", "optuna", "dask") if m in sys.modules]
            print("BUILT", time.perf_counter(), ",".join(heavy) or "-", flush=True)
            self.set_timer(1.0, self.idle)

    def idle(self):
        print("IDLE_RSS", rss_mib(), flush=True)
        self.exit()

Timed().run(headless=True, size=(120, 40))
"""


def one_run(code: str, pin: bool) -> dict[str, float | str]:
    """Seconds from spawn to the first frame (and to a built playground), idle RSS in MiB."""
    command = [sys.executable, "-c", code]
    if pin:
        command = ["taskset", "-c", "0", *command]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": ""})
    out: dict[str, float | str] = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in ("FIRST_FRAME", "BUILT"):   # perf_counter is system-wide monotonic on Linux
            out[parts[0]] = float(parts[1]) - start
            if len(parts) > 2:
                out["heavy"] = parts[2]
        elif parts and parts[0] == "CPU":
            out["cpu"] = float(parts[1])
        elif parts and parts[0] == "IDLE_RSS":
            out["rss"] = float(parts[1])
    if "FIRST_FRAME" not in out or "rss" not in out:
        raise SystemExit(f"no frame reported:\n{proc.stdout}\n{proc.stderr}")
    return out


def span(values: list[float], fmt: str = "{:.2f}") -> str:
    """min–max (median)."""
    return f"{fmt.format(min(values))}–{fmt.format(max(values))} (median {fmt.format(statistics.median(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "annplay"), quiet=1)   # see the docstring
    pins = [False] + ([True] if shutil.which("taskset") else [])
    load_before = os.getloadavg()[0]
    for pin in pins:
        ratios, rss_ratios, bare_ff, app_ff, built, bare_rss, app_rss = [], [], [], [], [], [], []
        floor_ratios: list[float] = []
        floor_rss_ratios: list[float] = []
        floor_cpu_ratios: list[float] = []
        cpu_ratios: list[float] = []
        heavy = "-"
        for _ in range(args.rounds):
            bare, app, floor = one_run(BARE, pin), one_run(ANNPLAY, pin), one_run(FLOOR, pin)
            bare_ff.append(float(bare["FIRST_FRAME"]))
            app_ff.append(float(app["FIRST_FRAME"]))
            built.append(float(app["BUILT"]))
            bare_rss.append(float(bare["rss"]))
            app_rss.append(float(app["rss"]))
            ratios.append(app_ff[-1] / bare_ff[-1])
            cpu_ratios.append(float(app["cpu"]) / float(bare["cpu"]))
            rss_ratios.append(app_rss[-1] / bare_rss[-1])
            floor_ratios.append(float(floor["FIRST_FRAME"]) / bare_ff[-1])
            floor_rss_ratios.append(float(floor["rss"]) / bare_rss[-1])
            floor_cpu_ratios.append(float(floor["cpu"]) / float(bare["cpu"]))
            heavy = str(app.get("heavy", "-"))
        where = "one core (taskset -c 0)" if pin else "all cores"
        print(f"{where}, {args.rounds} rounds:")
        print(f"  first frame: annplay {span(app_ff)} s, bare Textual {span(bare_ff)} s, "
              f"ratio {span(ratios)}")
        print(f"  CPU time to the first frame, ratio {span(cpu_ratios)} (steadier under load)")
        print(f"  trained-ready picture: {span(built)} s")
        print(f"  idle memory: annplay {span(app_rss, '{:.0f}')} MiB, bare {span(bare_rss, '{:.0f}')} MiB, "
              f"ratio {span(rss_ratios)}")
        print(f"  heavy modules imported: {heavy}")
        print(f"  floor (the bare app importing NumPy and numpy.random first) ÷ bare: first frame "
              f"{span(floor_ratios)} (CPU {span(floor_cpu_ratios)}), idle memory {span(floor_rss_ratios)}")
    print(f"load average (1 min): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
