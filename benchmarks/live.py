"""Live training speed: the app (headless, via run_test) against Trainer.step on the same Setup.

Prints epochs/s for both and their ratio (the target is ≥ 0.95), the app trained at speed max.  Usage:
    python benchmarks/live.py [--epochs 3000] [--size 120x40] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from annplay.app import PlaygroundApp
from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.engine.threads import blas_threads, suggested_threads


def headless_rate(setup: Setup, epochs: int) -> float:
    """Epochs per second of Trainer.step(epochs) alone, on as many BLAS threads as the app's worker uses (the
    same computation: with its default threads a tiny net trains slower, which flattered the live side)."""
    session = Session(setup)
    trainer = session.trainer
    with blas_threads(suggested_threads(session.net.layers, session.prep.X_train.shape[1])):
        trainer.step(5)                                # warm up (workspaces, caches)
        start = time.perf_counter()
        trainer.step(epochs)
        return epochs / (time.perf_counter() - start)


async def live_rate(setup: Setup, epochs: int, size: tuple[int, int]) -> tuple[float, int, float]:
    """Epochs/s of the running app (worker, snapshots, boundary, redraws), frames shown, the UI thread's CPU share."""
    app = PlaygroundApp(setup)
    async with app.run_test(size=size) as pilot:
        while not getattr(app.screen, "frames", 0) or not app.screen.picture[0]:
            await pilot.pause(0.01)
        screen = app.screen
        screen.run.set_speed(None)                     # max: the app's own pace (30/s) would measure the pacing
        lock = screen.session.lock
        await pilot.press("n")                         # warm up like the headless run
        with lock:
            first = screen.epoch
        start, cpu_start = time.perf_counter(), time.thread_time()
        await pilot.press("space")
        while screen.epoch < first + epochs and screen.running:
            await asyncio.sleep(0.05)                  # a light poll: pilot.pause would force extra redraws
        with lock:
            done = screen.epoch - first
            elapsed = time.perf_counter() - start
        ui_share = (time.thread_time() - cpu_start) / elapsed
        frames = screen.frames
        await pilot.press("space")
    return done / elapsed, frames, ui_share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10000)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    setup = Setup()                                    # the playground's default: circle, 4-2 tanh, lr 0.03, batch 10
    ratios = []
    for i in range(args.repeat):
        before = headless_rate(setup, args.epochs)   # headless runs on both sides of the live one:
        live, frames, ui_share = asyncio.run(live_rate(setup, args.epochs, size))
        headless = (before + headless_rate(setup, args.epochs)) / 2   # a load change hits both alike
        ratios.append(live / headless)
        print(f"run {i + 1}: headless {headless:,.0f} epochs/s, live {live:,.0f} epochs/s "
              f"({frames} frames at {size[0]}x{size[1]}, UI thread {100 * ui_share:.0f}% CPU), "
              f"ratio {live / headless:.2f}")
    print(f"live/headless ratio: median {statistics.median(ratios):.2f}, best {max(ratios):.2f}, "
          f"worst {min(ratios):.2f} (noisy on a loaded machine; the UI thread's CPU share is the steadier figure)")


if __name__ == "__main__":
    main()
