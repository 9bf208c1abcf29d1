"""Training numbers: state, epoch, losses and accuracies, the legend and the whole run's loss chart."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
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


STATE_MARK = {"ready": "■", "paused": "‖", "running": "▶", "diverged": "✖", "stopped": "■", "no data": "✎"}

BIG_NUMBERS = (("epoch", "epoch"), ("train", "train loss"), ("test", "test loss"), ("acc", "test accuracy %"))
BIG_SCREEN = (100, 30)          # the projector layout starts at this terminal size …
BIG_MIN_WIDTH, BIG_MIN_HEIGHT = 20, 24   # … when the numbers' column has this much room


def fmt_loss(value: float | None) -> str:
    """A loss in at most 6 characters (7 negative), or a dash when missing or not finite: 0.0593, 2.5e-5, 1.490, 12345.

    Never wider than 0.0593: beside a phone's map the table has 17 columns for 'trn 0.0593 100.0%' (a 7-character
    2.5e-05 cut the accuracy to '100.…'); trailing zeros stay, so train and test line up ('1.490' under '1.483')."""
    if value is None or not math.isfinite(value):
        return "—"
    if abs(value) < 1e-12:
        value = 0.0                     # rounding noise: a loss of -1.5e-14 is a loss of 0
    if abs(value) >= 999_999.5:
        return ">1e6"
    if 0 < abs(value) < 1e-3:
        mantissa, exponent = f"{value:.1e}".split("e")
        if int(exponent) <= -10:
            mantissa, exponent = f"{value:.0e}".split("e")     # 3e-12: 9.9e-10 would take 7
        return f"{mantissa}e{int(exponent)}"        # 2.5e-5: 6 characters, like 0.0593
    if abs(value) < 1:
        return f"{value:.4f}"           # fixed decimals: train and test line up
    text = f"{value:#.4g}"              # '#': 1.490, not 1.49
    return f"{value:.0f}" if "e" in text else text.rstrip(".")      # 12345, not 1.234e+04; 1000, not 1000.


def big_loss(value: float | None) -> str:
    """A loss for the big digits, which draw 0-9 . - E but no lowercase: 0.0593, 3.2E-5, 1.2E6, or '-'."""
    text = fmt_loss(value)
    if text == "—":
        return "-"
    if "e" not in text:
        return text
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}E{int(exponent)}"


def fmt_speed(per_second: float) -> str:
    """Epochs (or generations) per second in at most 6 characters, short enough for a phone: 0.4/s, 850/s, 1.3k/s,
    12k/s, 1.2M/s (thresholds on the rounded value: 9,960/s is 10k/s, never 10.0k/s)."""
    if 0 < per_second < 0.95:
        return f"{per_second:.1f}/s"                     # a huge net's 0.4/s is not 0/s
    if per_second < 999.5:
        return f"{per_second:.0f}/s"
    for size, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "G")):
        value = per_second / size
        if value < 9.95:
            return f"{value:.1f}{suffix}/s"
        if value < 999.5:
            return f"{value:.0f}{suffix}/s"
    return ">1T/s"


def fmt_acc(value: float | None) -> str:
    """An accuracy as a percentage, or a dash (regression, not finite)."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{100 * value:.1f}%"


class Legend(Widget):
    """Legend entries ("█ setosa") side by side, wrapping onto more lines between entries, never inside one."""

    DEFAULT_CSS = """
    Legend { height: auto; max-height: 4; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[Text] = []

    def show(self, entries: Sequence[Text]) -> bool:
        """New entries (a relayout only when the text changed); whether it changed."""
        entries = list(entries)
        if [(e.plain, e.spans) for e in entries] == [(e.plain, e.spans) for e in self.entries]:
            return False
        self.entries = entries
        self.refresh(layout=True)
        return True

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


class SteadyDigits(Digits):
    """Big digits as wide as their column: a new value repaints them (an unchanged one does nothing) and never asks
    for a new layout of the screen, which Textual's Digits does whenever the text's width changes."""

    def update(self, value: str) -> None:
        if value != self.value:
            self._value = value
            self.refresh()


def without_orphan(text: str, width: int) -> str:
    """``text`` with its own line breaks when a greedy wrap at ``width`` would leave one word alone on the last row
    (the goal line 'Goal ✗ hidden / layers 1 (≤ 0) +1 / more' at 40×20): the word before it goes down too.
    Unchanged when no break is needed, a word is wider than the row, or moving it would not fit."""
    words = text.split(" ")
    if not text or "\n" in text or "" in words or any(cell_len(word) > width for word in words):
        return text
    lines = [[words[0]]]
    for word in words[1:]:
        if cell_len(" ".join([*lines[-1], word])) <= width:
            lines[-1].append(word)
        else:
            lines.append([word])
    if len(lines) < 2 or len(lines[-1]) > 1 or len(lines[-2]) < 2 \
            or cell_len(" ".join([lines[-2][-1], *lines[-1]])) > width:
        return text
    lines[-1].insert(0, lines[-2].pop())
    return "\n".join(" ".join(line) for line in lines)


def architecture(layers: Sequence[int]) -> str:
    """The network's layer sizes, inputs to outputs: '2→8→8→1'; three or more equal layers in a row as one
    '8×6' ('2→8×6→1': at 40 columns '2→8→8→8→8→8→…' hid the output and how many layers there were)."""
    if len(layers) < 3:
        return "→".join(map(str, layers))
    hidden = [f"{size}×{n}" if n >= 3 else "→".join([str(size)] * n)
              for size, n in ((size, len(list(run))) for size, run in itertools.groupby(layers[1:-1]))]
    return "→".join([str(layers[0]), *hidden, str(layers[-1])])


class CompactNumbers(Widget):
    """The numbers in two lines for narrow screens: state, epoch, speed and architecture; losses, accuracies, pace.

    Each line drops words (never numbers) until it fits; the architecture stays, at the right of line 1.
    """

    DEFAULT_CSS = """
    CompactNumbers { height: 2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state, self.epoch, self.speed, self.pace = "ready", 0, 0.0, "max"
        self.evolution = False
        self.network: tuple[int, ...] = ()
        self.metrics: Any = None
        self.note = ""
        self.flash = Text()             # the map-only view: the message line's text, shown instead of the numbers
        self.one_line = False           # the map-only view: everything on one line

    def update(self, **values: Any) -> None:
        """Change any of state, epoch, speed, pace, evolution, layers, metrics, note and flash; redraw."""
        for name, value in values.items():
            setattr(self, name, value)
        if self.display:                 # hidden: no refresh (a dirty hidden widget costs Textual a full re-map);
            self.refresh()               # the panel refreshes it when it shows it (StatsPanel._reshow)

    def first_line(self, width: int) -> Text:
        """State, epoch (or generation), speed while training, and the architecture on the right."""
        label, style = STATE_LOOK.get(self.state, (self.state, "bold"))
        mark = STATE_MARK.get(self.state, label)
        running = self.state == "running"
        speed = fmt_speed(self.speed) if running and self.speed > 0 else "" if running else f"speed {self.pace}"
        word, short = ("generation", "gen") if self.evolution else ("epoch", "ep")
        count = f"{self.epoch:,}"
        net = architecture(self.network)
        variants = [(label, f"{word} {count}", speed, " "), (label, f"{short} {count}", speed, " "),   # one gap
                    (mark, f"{short} {count}", speed, " "), (mark, f"{short} {count}", "", " "),    # in every state
                    (mark, count, "", " ")]
        for state, counter, rate, gap in variants:
            left = Text(no_wrap=True, overflow="ellipsis")
            left.append(state, style)
            left.append(f"{gap}{counter}")
            if rate:
                left.append(f"{gap}{rate}", "dim")
            if left.cell_len + len(gap) + len(net) <= width or (state, counter, rate) == variants[-1][:3]:
                break
        if net:
            left.append(" " * max(1, width - left.cell_len - len(net)))
            left.append(net, "bold")
        return left

    def second_line(self, width: int) -> Text:
        """Train and test loss and accuracy, and the chosen pace when there is room (or the note instead)."""
        if self.note:
            return Text(self.note, "yellow", no_wrap=True, overflow="ellipsis")
        m = self.metrics
        losses = (fmt_loss(getattr(m, "train_loss", None)), fmt_loss(getattr(m, "test_loss", None)))
        accs = (fmt_acc(getattr(m, "train_acc", None)), fmt_acc(getattr(m, "test_acc", None)))
        with_acc = any(a != "—" for a in accs)
        pace = f"speed {self.pace}"
        paces = (True, False) if self.state == "running" else (False,)     # else line 1 shows it
        for gap, show_pace in [("  ", p) for p in paces] + [(" ", False)]:
            text = Text(no_wrap=True, overflow="ellipsis")
            for i, name in enumerate(("trn", "tst")):
                if i:
                    text.append(gap)
                text.append(f"{name} ", "dim")
                text.append(losses[i] + (f" {accs[i]:>5}" if with_acc else ""))
            if show_pace:
                text.append(f"{gap}{pace}", "dim")
            if text.cell_len <= width:
                break
        return text

    def single_line(self, width: int) -> Text:
        """State, count and both losses on one line (the map-only view), shortest words first to go; a message
        (the message line's, hidden in this view) takes the line while it lasts: nothing moves for it."""
        if self.flash.plain:
            text = self.flash.copy()
            text.no_wrap, text.overflow = True, "ellipsis"
            return text
        m = self.metrics
        losses = (fmt_loss(getattr(m, "train_loss", None)), fmt_loss(getattr(m, "test_loss", None)))
        label, style = STATE_LOOK.get(self.state, (self.state, "bold"))
        short = "gen" if self.evolution else "ep"
        for state, names, tail in ((label, ("trn ", "tst "), "  tap: back"), (label, ("trn ", "tst "), ""),
                                   (STATE_MARK.get(self.state, label), ("trn ", "tst "), ""),
                                   (STATE_MARK.get(self.state, label), ("", "/"), "")):
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(state, style)
            text.append(f" {short} {self.epoch:,}  ")
            text.append(names[0], "dim")
            text.append(losses[0] + ("  " if names[0] else ""))
            text.append(names[1], "dim")
            text.append(losses[1])
            text.append(tail, "dim")
            if text.cell_len <= width:
                break
        return text

    def render(self) -> Text:
        width = max(1, self.size.width)
        if self.one_line:
            return self.single_line(width)
        return Text("\n").join([self.first_line(width), self.second_line(width)])


class StatsPanel(Vertical):
    """Status line, a small loss/accuracy table, the legend, the loss chart and any message."""

    DEFAULT_CSS = """
    StatsPanel {
        height: 1fr;
        padding: 0 0 0 1;
        overflow: hidden hidden;
    }
    StatsPanel > Static { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    StatsPanel > #stats-status { height: auto; max-height: 4; }
    StatsPanel > #stats-numbers { height: 3; }
    StatsPanel > #stats-message { height: auto; text-wrap: wrap; }
    StatsPanel > #stats-big { height: auto; }
    StatsPanel > #stats-goal { height: auto; text-wrap: wrap; display: none; }
    StatsPanel > #stats-goal.-shown { display: block; }
    StatsPanel > #stats-goal.-reached { color: $text-success; text-style: bold; }
    StatsPanel > CompactNumbers { display: none; }
    StatsPanel .big-label { color: $text-muted; height: 1; }
    StatsPanel SteadyDigits { width: 1fr; text-style: bold; }
    StatsPanel.-big > #stats-numbers { display: none; }
    StatsPanel #stats-message { color: $warning; }
    StatsPanel.-compact { padding: 0; }
    StatsPanel.-compact > #stats-status, StatsPanel.-compact > #stats-numbers { display: none; }
    StatsPanel.-compact > CompactNumbers { display: block; }
    StatsPanel.-compact > Legend { max-height: 2; }
    StatsPanel.-compact > #stats-goal { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    StatsPanel.-compact > LossChart { min-height: 0; }
    StatsPanel.-one-line > * { display: none; }
    StatsPanel.-one-line > CompactNumbers { display: block; height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())
        self.epoch = 0
        self.state = "ready"
        self.evolution = False          # neuroevolution: generations, best and mean fitness
        self.pace = "max"               # the chosen speed: epochs per second, or max
        self.network: tuple[int, ...] = ()   # the network's layer sizes (shown as 2→8→8→1)
        self.message = ""
        self.goal: tuple[tuple[str, ...], bool] = ((), False)   # a lesson's goal line (wordings) and if reached
        self.chart_full = False         # C: the chart in the map's place
        self.speed = 0.0                # the training speed last shown, and the numbers
        self.metrics: Any = None
        self._texts: dict[str, Text] = {}    # what each Static was last given (unchanged: no redraw)

    def compose(self) -> ComposeResult:
        yield Static(id="stats-status")
        yield Static(id="stats-numbers")
        with Vertical(id="stats-big"):              # the projector layout: numbers readable from the back
            for key, label in BIG_NUMBERS:
                yield Static(label, classes="big-label", id=f"big-label-{key}")
                yield SteadyDigits("—", id=f"big-{key}")
        yield Legend(id="stats-legend")
        yield CompactNumbers(id="stats-compact")
        yield Static(id="stats-goal")
        yield LossChart(id="stats-chart")
        yield Static(id="stats-message")

    def on_mount(self) -> None:
        self.show_state("ready", 0)
        self.query_one("#stats-big").display = False

    def on_resize(self) -> None:
        """Large numbers when the screen is a projector's (≥ 100×30) and this panel has room for them."""
        screen_w, screen_h = self.app.size
        big = (screen_w >= BIG_SCREEN[0] and screen_h >= BIG_SCREEN[1] and self.size.width >= BIG_MIN_WIDTH
               and self.size.height >= BIG_MIN_HEIGHT and not self.compact and not self.chart_full)
        if big != self.big:
            self.set_class(big, "-big")
            self.query_one("#stats-big").display = big
            self._reshow()
        self._show_goal()

    def set_chart_full(self, full: bool) -> None:
        """The chart in the map's place (C): it takes the room, so no big digits beside it."""
        if full != self.chart_full:
            self.chart_full = full
            self.on_resize()

    @property
    def compact(self) -> bool:
        """True when the numbers are folded into two lines under the map (narrow screens)."""
        return self.has_class("-compact")

    class Tapped(Message):
        """A tap on the numbers (the map-only view goes back on it: a phone has no keys)."""

    def on_click(self) -> None:
        self.post_message(self.Tapped())

    def set_one_line(self, one_line: bool) -> None:
        """Everything on one status line (the map-only view), or the usual numbers."""
        numbers = self.query_one(CompactNumbers)
        if one_line != numbers.one_line:
            self.set_class(one_line, "-one-line")
            numbers.update(one_line=one_line)
            self._reshow()

    def show_flash(self, text: Text) -> None:
        """The message line's text for the one status line of the map-only view (empty: the numbers again)."""
        self.query_one(CompactNumbers).update(flash=text)

    def set_compact(self, compact: bool) -> None:
        """Two compact lines (narrow screens) or the column of numbers beside the map (wide ones)."""
        if compact != self.compact:
            self.set_class(compact, "-compact")
            self.show_message(self.message)
            self._reshow()
            self.on_resize()

    def show_network(self, layers: Sequence[int]) -> None:
        """The architecture (layer sizes, inputs to outputs), on the status line."""
        layers = tuple(int(n) for n in layers)
        if layers != self.network:
            self.network = layers
            self.query_one(CompactNumbers).update(network=layers)
            self.show_state(self.state, self.epoch)

    def show_goal(self, texts: Sequence[str], reached: bool = False) -> None:
        """A lesson's goal line (✓ when reached), longest wording first; empty hides it."""
        texts = tuple(texts)
        if (texts, reached) != self.goal:
            self.goal = (texts, reached)
            self._show_goal()

    def _show_goal(self) -> None:
        """The goal's longest wording that fits one line when compact (else its shortest); wrapped when wide."""
        texts, reached = self.goal
        width = max(1, self.size.width)
        one_line = self.compact or width < 30                # a phone's column beside the map: one line too
        text = next((t for t in texts if len(t) <= width), texts[-1]) if texts and one_line else \
            (texts[0] if texts else "")
        if not self.compact:                                 # it wraps here: never one word alone on the last row
            text = without_orphan(text, max(1, self.content_region.width))
        goal = self.query_one("#stats-goal", Static)
        goal.update(Text(text))
        goal.set_class(bool(text), "-shown")
        goal.set_class(reached, "-reached")

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
        self.query_one(LossChart).set_names(("best", "mean") if evolution else ("trn", "tst"),
                                            "generation" if evolution else "epoch")
        self.query_one(CompactNumbers).update(evolution=evolution)
        self.query_one("#big-label-epoch", Static).update("generation" if evolution else "epoch")
        self.show_state(self.state, self.epoch)

    def show_state(self, state: str, epoch: int, speed: float = 0.0) -> None:
        """The status line: state and epoch (or generation) counter, and the speed while training."""
        if state == "no data" and self.state != state:
            self.query_one(LossChart).clear()            # an empty drawing: no curve of the old run
        self.state, self.epoch = state, epoch
        label, style = STATE_LOOK.get(state, (state, "bold"))
        room = self.size.width - 1                        # the padding's column
        rate = fmt_speed(speed) if state == "running" and speed > 0 else ""
        gap = "  "
        if rate and 0 < room < len(label) + len(gap) + len(rate):     # '▶ training  7.7k…' beside a phone's map
            gap = " "
            if len(label) + len(gap) + len(rate) > room:
                label = STATE_MARK.get(state, label)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(label, style)
        if rate:
            text.append(f"{gap}{rate}", "dim")
        counter = f"{'generation' if self.evolution else 'epoch'} {epoch:,}"
        pace = f"speed {self.pace}"
        if self.big:                                      # the big digits show the epoch under their own label
            text.append(f"\n{pace}", "dim")
        elif room <= 0 or len(counter) + 2 + len(pace) <= room:
            text.append(f"\n{counter}")
            text.append(f"  {pace}", "dim")
        else:                                             # a narrow column: the pace beside the state (three lines)
            if not (state == "running" and speed > 0) and len(label) + 2 + len(self.pace) <= room:
                text.append(f"  {self.pace}", "dim")      # (while training the rate there says it; never cut)
            text.append(f"\n{counter}")
        if self.network:
            text.append("\nnet ", "dim")
            text.append(architecture(self.network))
        self.speed = speed
        if not self.compact:                             # each form of the numbers is drawn only while shown
            self._set_text("stats-status", text)
        self.query_one(CompactNumbers).update(state=state, epoch=epoch, speed=speed, pace=self.pace)
        if self.big:
            self.query_one("#big-epoch", SteadyDigits).update(f"{epoch:,}".replace(",", " "))

    def _set_text(self, id: str, text: Text) -> None:
        """Give the Static ``#id`` new text (a redraw only when the text differs)."""
        if self._texts.get(id) != text:
            self._texts[id] = text
            self.query_one(f"#{id}", Static).update(text, layout=False)

    def _reshow(self) -> None:
        """Draw the form of the numbers now shown (big digits, the table, the compact lines) from the last values:
        hidden forms are not kept up to date while training."""
        self.show_state(self.state, self.epoch, self.speed)
        if self.metrics is not None:
            self._show_numbers(self.metrics)
        self.query_one(CompactNumbers).refresh()

    def set_pace(self, speed: int | None) -> None:
        """Show the chosen speed (epochs per second, None: max) on the status line."""
        self.pace = "max" if speed is None else f"{speed}/s"
        self.show_state(self.state, self.epoch)

    def show_metrics(self, metrics: Any, *, draw: bool = True) -> None:
        """Numbers for train and test, and a new point of the loss chart (draw=False: the point is only recorded;
        the numbers and the chart are drawn with a later frame)."""
        if draw:
            self.metrics = metrics
            self._show_numbers(metrics)
        chart = self.query_one(LossChart)
        if self.evolution:                  # best and mean loss (−fitness) of the population per generation
            best, mean = metrics.best_fitness, metrics.mean_fitness
            if metrics.epoch == 0 and (mean is None or not math.isfinite(mean)):
                mean = best                 # generation 0 is the one starting network: its mean is its best
            chart.add(metrics.epoch, None if best is None else -best, None if mean is None else -mean, draw=draw)
        else:
            chart.add(metrics.epoch, metrics.train_loss, metrics.test_loss, draw=draw)

    def _show_numbers(self, metrics: Any) -> None:
        """The numbers in the form shown now: the table, the compact lines or the big digits."""
        self.query_one(CompactNumbers).update(metrics=metrics)
        if self.big:
            acc = metrics.test_acc if metrics.test_acc is not None else metrics.train_acc
            for key, text in (("train", big_loss(metrics.train_loss)), ("test", big_loss(metrics.test_loss)),
                              ("acc", fmt_acc(acc).removesuffix("%").replace("—", "-"))):
                self.query_one(f"#big-{key}", SteadyDigits).update(text)
            return
        if self.compact:
            return
        table = Text(no_wrap=True, overflow="ellipsis")
        losses = (fmt_loss(metrics.train_loss), fmt_loss(metrics.test_loss))
        accs = (fmt_acc(metrics.train_acc), fmt_acc(metrics.test_acc))
        room = max(len(v) for v in losses)               # as narrow as the numbers: 17 columns beside a phone's map
        table.append(f"    {'loss':<{room}} {'acc':>6}\n", "dim")
        for i, name in enumerate(("trn", "tst")):
            table.append(f"{name} ", "dim")
            table.append(f"{losses[i]:<{room}} {accs[i]:>6}" + ("\n" if not i else ""))
        self._set_text("stats-numbers", table)

    class LegendResized(Message):
        """The legend now takes another number of lines (a narrow layout gives the map's rows again)."""

    def show_legend(self, entries: Sequence[Text]) -> None:
        """The colour legend under the numbers: entries that wrap between each other on narrow screens."""
        legend = self.query_one(Legend)
        width = max(1, self.content_region.width)
        before = len(legend.lines(width))
        if legend.show(entries) and len(legend.lines(width)) != before:
            self.post_message(self.LegendResized())

    def show_message(self, message: str) -> None:
        """A note (divergence, hints); empty hides it."""
        self.message = message
        widget = self.query_one("#stats-message", Static)
        if str(widget.content) != message:
            widget.update(message)
        widget.display = bool(message) and not self.compact
        self.query_one(CompactNumbers).update(note=message if self.compact and self.state != "stopped" else "")
