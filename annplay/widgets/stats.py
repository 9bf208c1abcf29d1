"""Training numbers: state, epoch, losses and accuracies, the legend and the whole run's loss chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Digits, Static

from annplay.widgets.chart import LossChart

STATE_LOOK = {
    "ready": ("■ ready", "bold"),
    "paused": ("‖ paused", "bold yellow"),
    "running": ("▶ training", "bold green"),
    "diverged": ("✖ diverged", "bold red"),
    "stopped": ("■ stopped", "bold yellow"),
    "no data": ("✎ draw points", "bold yellow"),
}


BIG_NUMBERS = (("epoch", "epoch"), ("train", "train loss"), ("test", "test loss"), ("acc", "test accuracy %"))
BIG_SCREEN = (100, 30)          # the projector layout starts at this terminal size …
BIG_MIN_WIDTH, BIG_MIN_HEIGHT = 20, 24   # … when the numbers' column has this much room


def fmt_loss(value: float | None) -> str:
    """A loss as 4 significant digits, or a dash when missing or not finite."""
    if value is None or not math.isfinite(value):
        return "—"
    if abs(value) < 1e-12:
        value = 0.0                     # rounding noise: a loss of -1.5e-14 is a loss of 0
    if abs(value) >= 1e6:
        return ">1e6"
    if 0 < abs(value) < 1e-3:
        return f"{value:.1e}"           # 7 characters, like the others
    if abs(value) < 1:
        return f"{value:.4f}"           # fixed decimals: train and test line up
    return f"{value:.4g}"


def fmt_speed(per_second: float) -> str:
    """Epochs (or generations) per second, short enough for a phone: 850/s, 1.3k/s, 12k/s."""
    if per_second >= 10_000:
        return f"{per_second / 1000:.0f}k/s"
    if per_second >= 1000:
        return f"{per_second / 1000:.1f}k/s"
    return f"{per_second:.0f}/s"


def fmt_acc(value: float | None) -> str:
    """An accuracy as a percentage, or a dash (regression, not finite)."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{100 * value:.1f}%"


class Legend(Widget):
    """Legend entries ("█ setosa") side by side, wrapping onto more lines between entries, never inside one."""

    DEFAULT_CSS = """
    Legend { height: auto; max-height: 3; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[Text] = []

    def show(self, entries: Sequence[Text]) -> None:
        """New entries (a relayout only when the text changed)."""
        entries = list(entries)
        if [(e.plain, e.spans) for e in entries] != [(e.plain, e.spans) for e in self.entries]:
            self.entries = entries
            self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        """The entries flowed into lines of at most width cells (an entry wider than that gets a line of its own)."""
        lines = [Text()]
        for entry in self.entries:
            line = lines[-1]
            if line.cell_len and line.cell_len + 1 + entry.cell_len > width:
                line = Text()
                lines.append(line)
            if line.cell_len:
                line.append(" ")
            line.append_text(entry)
        return lines

    def render(self) -> Text:
        text = Text("\n").join(self.lines(max(1, self.size.width)))
        text.no_wrap, text.overflow = True, "ellipsis"
        return text

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(self.lines(max(1, width)))


class StatsPanel(Vertical):
    """Status line, a small loss/accuracy table, the legend, the loss chart and any message."""

    DEFAULT_CSS = """
    StatsPanel {
        height: 1fr;
        padding: 0 0 0 1;
        overflow: hidden hidden;
    }
    StatsPanel > Static { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    StatsPanel > #stats-status { height: 2; }
    StatsPanel > #stats-numbers { height: 3; }
    StatsPanel > #stats-message { height: auto; text-wrap: wrap; }
    StatsPanel > #stats-big { height: auto; }
    StatsPanel .big-label { color: $text-muted; height: 1; }
    StatsPanel Digits { width: auto; text-style: bold; }
    StatsPanel.-big > #stats-numbers { display: none; }
    StatsPanel #stats-message { color: $warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())
        self.epoch = 0
        self.state = "ready"
        self.evolution = False          # neuroevolution: generations, best and mean fitness
        self.pace = "max"               # the chosen speed: epochs per second, or max

    def compose(self) -> ComposeResult:
        yield Static(id="stats-status")
        yield Static(id="stats-numbers")
        with Vertical(id="stats-big"):              # the projector layout: numbers readable from the back
            for key, label in BIG_NUMBERS:
                yield Static(label, classes="big-label")
                yield Digits("—", id=f"big-{key}")
        yield Legend(id="stats-legend")
        yield LossChart(id="stats-chart")
        yield Static(id="stats-message")

    def on_mount(self) -> None:
        self.show_state("ready", 0)
        self.query_one("#stats-big").display = False

    def on_resize(self) -> None:
        """Large numbers when the screen is a projector's (≥ 100×30) and this panel has room for them."""
        screen_w, screen_h = self.app.size
        big = (screen_w >= BIG_SCREEN[0] and screen_h >= BIG_SCREEN[1] and self.size.width >= BIG_MIN_WIDTH
               and self.size.height >= BIG_MIN_HEIGHT)
        self.set_class(big, "-big")
        self.query_one("#stats-big").display = big

    @property
    def big(self) -> bool:
        """True when the projector layout (large numbers) is shown."""
        return self.has_class("-big")

    def show_history(self, history: tuple[tuple[float, ...], tuple[float, ...]]) -> None:
        """The session's recent curves (kept for tests); the chart keeps the whole run itself."""
        self.history = history
        if history == ((), ()) and self.state == "no data":
            self.query_one(LossChart).clear()

    def set_evolution(self, evolution: bool) -> None:
        """Back-propagation (epochs, loss curves) or neuroevolution (generations, best and mean fitness curves)."""
        if evolution == self.evolution:
            return
        self.evolution = evolution
        self.set_class(evolution, "-evolution")
        self.query_one(LossChart).set_names(("best", "mean") if evolution else ("trn", "tst"))
        self.show_state(self.state, self.epoch)

    def show_state(self, state: str, epoch: int, speed: float = 0.0) -> None:
        """The status line: state and epoch (or generation) counter, and the speed while training."""
        self.state, self.epoch = state, epoch
        label, style = STATE_LOOK.get(state, (state, "bold"))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(label, style)
        if state == "running" and speed > 0:
            text.append(f" {fmt_speed(speed)}", "dim")
        counter = f"{'generation' if self.evolution else 'epoch'} {epoch:,}"
        text.append(f"\n{counter}")
        text.append(f"  speed {self.pace}", "dim")
        self.query_one("#stats-status", Static).update(text, layout=False)
        self.query_one("#big-epoch", Digits).update(f"{epoch:,}".replace(",", " "))

    def set_pace(self, speed: int | None) -> None:
        """Show the chosen speed (epochs per second, None: max) on the status line."""
        self.pace = "max" if speed is None else f"{speed}/s"
        self.show_state(self.state, self.epoch)

    def show_metrics(self, metrics: Any) -> None:
        """Numbers for train and test."""
        table = Text(no_wrap=True, overflow="ellipsis")
        table.append("    loss    acc\n", "dim")
        table.append("trn ", "dim")
        table.append(f"{fmt_loss(metrics.train_loss):<7} {fmt_acc(metrics.train_acc):>6}\n")
        table.append("tst ", "dim")
        table.append(f"{fmt_loss(metrics.test_loss):<7} {fmt_acc(metrics.test_acc):>6}")
        self.query_one("#stats-numbers", Static).update(table, layout=False)
        chart = self.query_one(LossChart)
        if self.evolution:                  # best and mean loss (−fitness) of the population per generation
            best, mean = metrics.best_fitness, metrics.mean_fitness
            chart.add(metrics.epoch, None if best is None else -best, None if mean is None else -mean)
        else:
            chart.add(metrics.epoch, metrics.train_loss, metrics.test_loss)
        acc = metrics.test_acc if metrics.test_acc is not None else metrics.train_acc
        for key, text in (("train", fmt_loss(metrics.train_loss)), ("test", fmt_loss(metrics.test_loss)),
                          ("acc", fmt_acc(acc).removesuffix("%"))):
            self.query_one(f"#big-{key}", Digits).update(text.replace("—", "-"))

    def show_legend(self, entries: Sequence[Text]) -> None:
        """The colour legend under the numbers: entries that wrap between each other on narrow screens."""
        self.query_one(Legend).show(entries)

    def show_message(self, message: str) -> None:
        """A note (divergence, hints); empty hides it."""
        widget = self.query_one("#stats-message", Static)
        if str(widget.content) != message:
            widget.update(message)
        widget.display = bool(message)
