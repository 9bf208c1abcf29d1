"""Live training speed: the app training at speed max (headless Textual, via run_test) against Trainer.step alone.

One process, interleaved windows: a bare trainer of the same set-up steps for ``--window`` seconds on the same
number of BLAS threads, then the app trains for as long, then the bare trainer again (the app paused); live ÷ the
mean of the two bare windows is one round. A machine whose speed drifts (a shared VM) hits a round's windows alike,
which two separate runs seconds apart did not. The two bare windows' own ratio is printed as the noise floor: a
round can't be read more precisely than that.

The live window starts once the run shows frames (the start's one-off redraw of the buttons and the key bar is left
out: it is latency, not throughput) and counts the epochs the app's worker trained, with its snapshots, boundary,
doctor and redraws. Also printed: the UI thread's CPU share and, as a steadier figure that the machine's load hardly
moves, epochs per CPU second of the training thread, live ÷ headless: the worker's own cost beyond training
(snapshots, pictures, the doctor). The wall-clock ratio is that times how much of the window the worker ran (its CPU
share, live ÷ headless), which the UI thread lowers by holding the GIL and the other processes by taking the cores.
Usage:
    python benchmarks/live.py [--size 120x40] [--rounds 6] [--window 1.5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import threading
import time

from annplay.app import PlaygroundApp
from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.engine.threads import blas_threads, suggested_threads


class Window:
    """Epochs trained in one window, its wall seconds and the training thread's CPU seconds."""

    def __init__(self, epochs: float, wall: float, cpu: float) -> None:
        self.epochs, self.wall, self.cpu = epochs, wall, cpu

    @property
    def speed(self) -> float:
        """Epochs per second."""
        return self.epochs / self.wall

    @property
    def per_cpu(self) -> float:
        """Epochs per CPU second of the training thread."""
        return self.epochs / max(self.cpu, 1e-9)

    @property
    def share(self) -> float:
        """How much of the window the training thread ran (its CPU seconds ÷ wall seconds)."""
        return self.cpu / self.wall


def headless_window(session: Session, seconds: float) -> Window:
    """Trainer.step alone for about ``seconds`` (chunks of ~20 ms, as the worker's)."""
    trainer = session.trainer
    chunk, done = 16, 0
    with blas_threads(suggested_threads(session.net.layers, session.prep.X_train.shape[1])):
        start, cpu = time.perf_counter(), time.thread_time()
        while (elapsed := time.perf_counter() - start) < seconds:
            t0 = time.perf_counter()
            trainer.step(chunk, metrics=False)
            done += chunk
            chunk = max(1, min(chunk * 2, int(chunk * 0.02 / max(time.perf_counter() - t0, 1e-6))))
        return Window(done, elapsed, time.thread_time() - cpu)


def worker_cpu() -> float:
    """CPU seconds used so far by the threads that run Textual's thread workers (asyncio's default executor: only
    the training worker is busy in them)."""
    total = 0.0
    for thread in threading.enumerate():
        if thread.name.startswith("asyncio_") and thread.ident is not None:
            with contextlib.suppress(OSError, AttributeError):
                total += time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    return total


async def measure(setup: Setup, size: tuple[int, int], rounds: int,
                  window: float) -> list[tuple[Window, Window, Window, float]]:
    """Per round: the live window, the headless windows before and after, the UI thread's CPU share while live."""
    headless = Session(setup)
    headless_window(headless, 0.3)                          # warm up (workspaces, caches)
    app = PlaygroundApp(setup)
    results = []
    async with app.run_test(size=size) as pilot:
        while not getattr(app.screen, "frames", 0) or not app.screen.picture[0]:
            await pilot.pause(0.01)
        screen = app.screen
        screen.run.set_speed(None)                         # max: the app's own pace (30/s) would measure the pacing
        await pilot.pause(0.2)
        for _ in range(rounds):
            before = headless_window(headless, window)
            await pilot.press("space")
            frames = screen.frames
            while screen.frames < frames + 2 and screen.running:   # the run is under way and drawing
                await asyncio.sleep(0.01)
            with screen.session.lock:
                first, start, cpu_start = screen.epoch, time.perf_counter(), time.thread_time()
                work_start = worker_cpu()
            await asyncio.sleep(window)                    # a light wait: pilot.pause would force extra redraws
            with screen.session.lock:
                wall = time.perf_counter() - start
                live = Window(screen.epoch - first, wall, worker_cpu() - work_start)
                ui_share = (time.thread_time() - cpu_start) / wall
            await pilot.press("space")
            await pilot.pause(0.1)
            results.append((live, before, headless_window(headless, window), ui_share))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--window", type=float, default=1.5, help="seconds per half of a round")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    setup = Setup()                                    # the playground's default set-up
    load = os.getloadavg()[0]
    results = asyncio.run(measure(setup, (size[0], size[1]), args.rounds, args.window))
    ratios, floors, shares, per_cpu, cpu_floors, ran = [], [], [], [], [], []
    for i, (live, before, after, ui) in enumerate(results, 1):
        ratios.append(2 * live.speed / (before.speed + after.speed))
        floors.append(after.speed / before.speed)
        per_cpu.append(2 * live.per_cpu / (before.per_cpu + after.per_cpu))
        cpu_floors.append(after.per_cpu / before.per_cpu)
        ran.append(2 * live.share / (before.share + after.share))
        shares.append(100 * ui)
        print(f"round {i}: headless {before.speed:,.0f} then {after.speed:,.0f} epochs/s (their ratio "
              f"{floors[-1]:.2f}), live {live.speed:,.0f} epochs/s, ratio {ratios[-1]:.2f}; per CPU second of the "
              f"training thread {per_cpu[-1]:.2f} (headless/headless {cpu_floors[-1]:.2f}), its CPU share live ÷ "
              f"headless {ran[-1]:.2f}; UI thread {shares[-1]:.1f}% CPU")

    def span(values: list[float]) -> str:
        return f"{min(values):.2f}–{max(values):.2f} (median {statistics.median(values):.2f})"

    print(f"{size[0]}x{size[1]}: live/headless {span(ratios)} over {len(ratios)} rounds of {args.window:g} s windows; "
          f"noise floor (headless/headless) {min(floors):.2f}–{max(floors):.2f}; UI thread "
          f"{min(shares):.1f}–{max(shares):.1f}% CPU; load {load:.1f} before, {os.getloadavg()[0]:.1f} after, "
          f"{os.cpu_count()} cores")
    print(f"  per CPU second of the training thread, live/headless {span(per_cpu)}, noise floor "
          f"{min(cpu_floors):.2f}–{max(cpu_floors):.2f}; the training thread's CPU share, live/headless {span(ran)}")


if __name__ == "__main__":
    main()
