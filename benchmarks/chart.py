"""The loss chart: annplay's own braille chart against plotext (issue 17, part 2, item 4).

1. Import cost on top of what the app imports anyway (Textual's widget and Rich's text), each in a fresh
   interpreter: the baseline, + annplay.widgets.chart, + plotext. Interleaved rounds, min–max per contender.
2. Drawing one 80×16 chart of a 5,024-epoch run (train and test, log scale): annplay's chart_lines against
   plotext's plot + build, in this process, best of the rounds.

plotext is needed for the comparison only (``pip install plotext``; never a dependency of annplay).

    python benchmarks/chart.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time

BASE = "import textual.widget, rich.text"
IMPORTS = {"baseline": BASE, "annplay chart": BASE + "; import annplay.widgets.chart",
           "plotext": BASE + "; import plotext"}


def import_seconds(code: str) -> float:
    """Wall time of a fresh interpreter running ``code``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def history(n: int = 5024) -> tuple[list[int], list[float], list[float]]:
    """A run that learns, then overfits: the train loss falls, the test loss turns up."""
    epochs = list(range(n))
    train = [0.7 * math.exp(-e / 800) + 0.005 for e in epochs]
    test = [0.25 + 0.3 * e / n + 0.2 * math.exp(-e / 300) for e in epochs]
    return epochs, train, test


def draw_annplay(epochs: list[int], train: list[float], test: list[float]) -> float:
    from annplay.widgets.chart import LossRecord, chart_lines

    start = time.perf_counter()
    record = LossRecord()
    for e, a, b in zip(epochs, train, test, strict=True):
        record.add(e, a, b)
    chart_lines(record, 80, 16, log=True)
    return time.perf_counter() - start


def draw_plotext(epochs: list[int], train: list[float], test: list[float]) -> float:
    """plotext's braille line chart of both curves, log y (the 6.x figure API, else the 5.x one)."""
    import plotext as plt

    start = time.perf_counter()
    figure = getattr(plt, "figure", None)
    if figure is not None and hasattr(figure, "signal"):        # plotext 6
        figure.clear()
        figure.plot_size(80, 16)
        figure.draw(figure.signal(epochs, train, marker="braille"))
        figure.draw(figure.signal(epochs, test, marker="braille"))
        figure.build()
    else:                                                        # plotext 5 (what textual-plotext wraps)
        plt.clf()
        plt.plotsize(80, 16)
        plt.plot(epochs, train, marker="braille")
        plt.plot(epochs, test, marker="braille")
        plt.yscale("log")
        plt.build()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores, rounds {args.rounds}")
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(args.rounds):
        for name, code in IMPORTS.items():
            times[name].append(import_seconds(code))
    base = min(times["baseline"])
    print("1. import, fresh interpreter (min–max s; extra over the baseline's min)")
    for name, values in times.items():
        print(f"   {name:14} {min(values):.3f}–{max(values):.3f}   +{min(values) - base:.3f}")
    data = history()
    ours = min(draw_annplay(*data) for _ in range(args.rounds))
    try:
        theirs = min(draw_plotext(*data) for _ in range(args.rounds))
    except ImportError:
        print("2. plotext is not installed: drawing not compared")
        return
    print(f"2. one 80×16 chart of 5,024 epochs: annplay {ours * 1000:.1f} ms (record and draw), "
          f"plotext {theirs * 1000:.1f} ms (plot and build), ratio {theirs / ours:.2f}")


if __name__ == "__main__":
    main()
