"""Live training speed: the app training at speed max (headless Textual, via run_test) against Trainer.step alone.

One process, interleaved windows: a bare trainer of the same set-up steps for ``--window`` seconds on the same
number of BLAS threads, then the app trains for as long, then the bare trainer again (the app paused); live ÷ the
mean of the two bare windows is one round. A machine whose speed drifts (a shared VM) hits a round's windows alike,
which two separate runs seconds apart did not. The two bare windows' own ratio is printed as the noise floor: a
round can't be read more precisely than that.

The live window starts once the run shows frames (the start's one-off redraw of the buttons and the key bar is left
out: it is latency, not throughput) and counts the epochs the app's worker trained, with its snapshots, boundary,
doctor and redraws. Also printed: the UI thread's CPU share (the steadier figure) and the frames shown.  Usage:
    python benchmarks/live.py [--size 120x40] [--rounds 6] [--window 1.5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from annplay.app import PlaygroundApp
from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.engine.threads import blas_threads, suggested_threads


def headless_window(session: Session, seconds: float) -> float:
    """Epochs per second of Trainer.step alone for about ``seconds`` (chunks of ~20 ms, as the worker's)."""
    trainer = session.trainer
    chunk, done = 16, 0
    with blas_threads(suggested_threads(session.net.layers, session.prep.X_train.shape[1])):
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            t0 = time.perf_counter()
            trainer.step(chunk, metrics=False)
            done += chunk
            chunk = max(1, min(chunk * 2, int(chunk * 0.02 / max(time.perf_counter() - t0, 1e-6))))
    return done / elapsed


async def measure(setup: Setup, size: tuple[int, int], rounds: int,
                  window: float) -> list[tuple[float, float, float, float]]:
    """Per round: (live epochs/s, headless epochs/s before and after, UI thread CPU share during the live window)."""
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
            await asyncio.sleep(window)                    # a light wait: pilot.pause would force extra redraws
            with screen.session.lock:
                live = (screen.epoch - first) / (time.perf_counter() - start)
                ui_share = (time.thread_time() - cpu_start) / (time.perf_counter() - start)
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
    ratios, floors, shares = [], [], []
    for i, (live, before, after, ui) in enumerate(results, 1):
        ratios.append(2 * live / (before + after))
        floors.append(after / before)
        shares.append(100 * ui)
        print(f"round {i}: headless {before:,.0f} then {after:,.0f} epochs/s (their ratio {floors[-1]:.2f}), "
              f"live {live:,.0f} epochs/s, ratio {ratios[-1]:.2f}, UI thread {shares[-1]:.1f}% CPU")
    print(f"{size[0]}x{size[1]}: live/headless {min(ratios):.2f}–{max(ratios):.2f} (median "
          f"{statistics.median(ratios):.2f}) over {len(ratios)} rounds of {args.window:g} s windows; noise floor "
          f"(headless/headless) {min(floors):.2f}–{max(floors):.2f}; UI thread {min(shares):.1f}–{max(shares):.1f}% "
          f"CPU; load {load:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
