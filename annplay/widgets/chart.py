"""The loss chart: train and test loss over the whole run on one shared scale, x-axis in epochs, log scale on y.

Drawn as braille lines (2×4 dots a cell) with y ticks (decades on the log scale) and x ticks; our own ~150
lines rather than plotext, whose import alone costs about 0.5 s of start-up on this machine (see the report in
docs/benchmarks.md). Four rows or fewer: sparklines.

The widget keeps its own record of (epoch, train, test) from every snapshot shown; when it grows past
``MAX_POINTS`` neighbouring pairs are merged (epochs and losses averaged), so old epochs are down-sampled,
never dropped. A run that starts again (the epoch goes back) starts a new record.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

MAX_POINTS = 512                 # the record is halved (pairs merged) beyond this
TRAIN_MARK, TEST_MARK, BOTH_MARK = "•", "∘", "◉"
SPARKS = "▁▂▃▄▅▆▇█"              # a sparkline's eight levels (compact charts of at most SPARK_ROWS rows)
SPARK_ROWS = 4
BRAILLE_MIN_ROWS = 3             # a line chart needs this many rows of plot, else sparklines
SPARK_MIN = 6                    # a sparkline keeps at least this many columns (the 'log' word goes first)


@dataclass
class LossRecord:
    """The whole run's losses, down-sampled by merging neighbours when long."""

    epochs: list[float] = field(default_factory=list)
    train: list[float] = field(default_factory=list)
    test: list[float] = field(default_factory=list)        # NaN where there is no test loss

    def add(self, epoch: int, train: float | None, test: float | None) -> None:
        """Record one snapshot's losses (a repeated epoch is replaced; an earlier one starts a new run)."""
        if train is None or not math.isfinite(train):
            return
        if self.epochs and epoch < self.epochs[-1]:
            self.clear()
        value = float("nan") if test is None or not math.isfinite(test) else float(test)
        if self.epochs and epoch == self.epochs[-1]:
            self.train[-1], self.test[-1] = float(train), value
            return
        self.epochs.append(float(epoch))
        self.train.append(float(train))
        self.test.append(value)
        if len(self.epochs) > MAX_POINTS:
            self._halve()

    def _halve(self) -> None:
        """Merge neighbouring pairs (the first and newest points stay as they are): half as many, the same span."""
        def pairs(values: list[float]) -> list[float]:
            first, body, last = values[0], values[1:-1], values[-1]      # the run's start and end stay exact
            merged = [mean_of(body[i: i + 2]) for i in range(0, len(body), 2)]
            return [first, *merged, last]

        self.epochs, self.train, self.test = pairs(self.epochs), pairs(self.train), pairs(self.test)

    def clear(self) -> None:
        """Forget the run."""
        self.epochs, self.train, self.test = [], [], []


def mean_of(values: Sequence[float]) -> float:
    """The mean of the finite values (NaN if none): a missing value never blots out its neighbour when merged."""
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


def shared_scale(curves: Sequence[Sequence[float]], log: bool) -> tuple[float, float] | None:
    """(low, high) over every finite value of every curve (positive values only on a log scale)."""
    values = [v for c in curves for v in c if math.isfinite(v) and (v > 0 or not log)]
    if not values:
        return None
    lo, hi = min(values), max(values)
    if log:
        lo, hi = math.log10(lo), math.log10(hi)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def column_values(epochs: Sequence[float], values: Sequence[float], width: int) -> list[float]:
    """One value per column: the mean of the points that fall in it (NaN where none), epochs spread evenly."""
    if not epochs or width < 1:
        return [math.nan] * max(0, width)
    first, last = epochs[0], epochs[-1]
    span = max(last - first, 1e-9)
    sums, counts = [0.0] * width, [0] * width
    for e, v in zip(epochs, values, strict=True):
        if math.isfinite(v):
            col = min(width - 1, int((e - first) / span * (width - 1) + 0.5)) if last > first else width - 1
            sums[col] += v
            counts[col] += 1
    return [s / c if c else math.nan for s, c in zip(sums, counts, strict=True)]


def fmt(value: float) -> str:
    """A loss short enough for a label."""
    if not math.isfinite(value):
        return "—"
    return f"{value:.2g}" if abs(value) < 0.01 else f"{value:.3g}"


def filled(values: list[float]) -> list[float]:
    """Columns without a point take the straight line between their neighbours (none before the first one)."""
    known = [i for i, v in enumerate(values) if math.isfinite(v)]
    out = list(values)
    for a, b in zip(known, known[1:], strict=False):
        for i in range(a + 1, b):
            out[i] = values[a] + (values[b] - values[a]) * (i - a) / (b - a)
    return out


def header(record: LossRecord, log: bool = False, names: tuple[str, str] = ("trn", "tst")) -> Text:
    """The chart's first line: each curve's first and latest value ('• trn 0.73→0.05  ∘ tst 0.69→0.31')."""
    test_seen = any(math.isfinite(v) for v in record.test)
    start = next((i for i, v in enumerate(record.test) if math.isfinite(v)), 0)   # both curves from one epoch:
    head = Text(no_wrap=True, overflow="ellipsis")                                 # never a later start for one
    first_name, second_name = names
    head.append(f"{TRAIN_MARK} {first_name} ", "bold yellow")
    head.append(f"{fmt(record.train[start])}→{fmt(record.train[-1])}")
    if test_seen:
        last_test = next(v for v in reversed(record.test) if math.isfinite(v))
        head.append(f"  {TEST_MARK} {second_name} ", "bold cyan")
        head.append(f"{fmt(record.test[start])}→{fmt(last_test)}")
    head.append("  log" if log else "", "dim")
    return head


def epoch_axis(record: LossRecord, left: str, width: int, unit: str = "epoch") -> Text:
    """The epoch axis under a chart: ``left``, the first epoch, and 'epoch N' at the right (a space between)."""
    first, last = int(record.epochs[0]), int(record.epochs[-1])
    space = width - len(left) - len(str(first)) - 1          # what the right label may take
    # never cut a number: 'epoch 12,' read as 12 and 'epoch 4,1' as 4.1 at 40×20 (a probe's find)
    right = next((text for text in (f"{unit} {last:,}", f"{last:,}", _short(last)) if len(text) <= space), "")
    room = max(len(str(first)) + 1, width - len(left) - len(right))
    return Text(f"{left}{first:<{room}}{right}"[:width], "dim")


def _short(n: int) -> str:
    """A count in at most 4 characters: 950, 12k, 1.2M."""
    text = str(n)
    if n < 1000:
        return text
    for size, suffix in ((1_000, "k"), (1_000_000, "M"), (1_000_000_000, "G")):
        value = n / size
        text = f"{value:.1f}{suffix}" if value < 9.95 else f"{value:.0f}{suffix}"
        if value < 999.5:                         # 999,999 is 1.0M, not 1000k
            break
    return text


def spark_lines(record: LossRecord, width: int, height: int, log: bool = False,
                names: tuple[str, str] = ("trn", "tst"), unit: str = "epoch") -> list[Text]:
    """A chart of 1–4 rows: one sparkline per curve on their shared scale (side by side on one row), each with its
    latest value; a third row is the epoch axis, a fourth (on top) the header of the full chart."""
    if height >= 4:
        head = header(record, log, names)
        if head.cell_len > width:                 # a narrow column: the sparklines say it, each with its value
            return spark_lines(record, width, 3, log, names, unit)
        return [head, *spark_lines(record, width, height - 1, log, names, unit)]
    scale = shared_scale([record.train, record.test], log)
    curves = [(record.train, TRAIN_MARK, names[0], "yellow")]
    if any(math.isfinite(v) for v in record.test):
        curves.append((record.test, TEST_MARK, names[1], "cyan"))
    label_width = 2 + max(len(n) for n in names) + 1
    lasts = [next((v for v in reversed(values) if math.isfinite(v)), math.nan) for values, *_ in curves]
    value_width = 1 + max(len(fmt(v)) for v in lasts)
    say_log = log and width - label_width - value_width - 4 >= SPARK_MIN   # a narrow column: no room for 'log'
    plot_width = max(1, width - label_width - value_width - (4 if say_log else 0))   # the same for every curve
    one_row = height == 1 and len(curves) == 2         # both curves side by side, each half as wide
    if one_row:
        plot_width = max(1, (width - 1) // 2 - label_width - value_width)
    lines: list[Text] = []
    for (values, mark, name, style), last in zip(curves, lasts, strict=True):
        value = f" {fmt(last)}"
        line = Text(f"{mark} {name:<{label_width - 3}} ", style, no_wrap=True, overflow="crop")
        for v in filled(column_values(record.epochs, values, plot_width)):
            if scale is None or not math.isfinite(v) or (log and v <= 0):
                line.append(" ")
                continue
            lo, hi = scale
            y = math.log10(v) if log else v
            level = min(len(SPARKS) - 1, max(0, int(round((y - lo) / (hi - lo) * (len(SPARKS) - 1)))))
            line.append(SPARKS[level], style)
        line.append(f"{value:<{value_width}}" if one_row else value)
        line.append(" log" if say_log and not one_row else "", "dim")
        lines.append(line)
    if one_row:
        lines = [Text(" ", no_wrap=True, overflow="crop").join(lines)]
    if height >= 3:
        lines.append(epoch_axis(record, " " * label_width, width, unit))
    return lines[:height]


BRAILLE = 0x2800                 # braille cells: 2 dots wide, 4 high; a dot's bit by (column, row) below
DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
CURVE_STYLES = ("yellow", "cyan")


def nice_step(span: float, most: int) -> float:
    """A 1, 2 or 5 × 10^k step that cuts span into at most ``most`` pieces."""
    if span <= 0 or most < 1:
        return 1.0
    raw = span / most
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def y_ticks(lo: float, hi: float, log: bool, most: int) -> list[float]:
    """Tick values (in the plotted unit: log10 of the loss on a log scale) inside [lo, hi], at most ``most``."""
    if log and hi - lo >= 1:                       # whole decades: 1, 0.1, 0.01
        every = max(1, math.ceil((math.floor(hi) - math.ceil(lo) + 1) / max(1, most)))
        return [float(k) for k in range(math.ceil(lo), math.floor(hi) + 1, every)]
    if log:
        return [hi, lo]
    step = nice_step(hi - lo, max(1, most - 1))
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def tick_label(value: float, log: bool) -> str:
    """A y tick's label: the loss itself (10^value on a log scale), short."""
    loss = 10 ** value if log else value
    if log and abs(value - round(value)) < 1e-9 and not -3 <= round(value) <= 2:
        return f"1e{round(value)}"
    return fmt(loss)


def x_axis(first: float, last: float, plot_width: int, left: str, width: int, unit: str) -> list[Text]:
    """Two lines under the plot: the axis with ┬ at each tick, and the ticks' epochs with the unit at the right."""
    span = max(last - first, 1e-9)
    most = max(1, plot_width // 10)
    step = max(1.0, nice_step(span, most))
    ticks = [first] + ([] if last <= first else
                       [math.ceil(first / step) * step + i * step for i in range(int(span / step) + 2)])
    ticks = [t for t in ticks if first <= t <= last]
    axis = ["─"] * plot_width
    labels = [" "] * plot_width
    # at the right the latest epoch with its unit, else the epoch alone (short as 12k if need be): never cut, and
    # clear of the first epoch's label ('0       epoch' had dropped the number 216 at 60×30); other ticks keep clear
    space = plot_width - len(f"{int(first):,}") - 1
    right = next((text for text in (f"{unit} {int(last):,}", f"{int(last):,}", _short(int(last)))
                  if len(text) <= space), "")
    if right:
        labels[plot_width - len(right):] = list(right)
    for t in ticks:
        col = 0 if last <= first else min(plot_width - 1, round((t - first) / span * (plot_width - 1)))
        label = f"{int(t):,}"
        at = max(0, min(plot_width - len(label), col - len(label) // 2))
        if all(c == " " for c in labels[max(0, at - 1): at + len(label) + 1]) and at + len(label) <= plot_width:
            axis[col] = "┬"
            labels[at: at + len(label)] = list(label)
    text = "".join(labels).rstrip()
    lines = [Text(f"{left[:-1]}└{''.join(axis)}"[:width], "dim"),
             Text(f"{' ' * len(left)}{text}"[:width], "dim")]
    return lines


def braille_plot(curves: Sequence[Sequence[float]], rows: int, columns: int, lo: float, hi: float,
                 log: bool) -> list[Text]:
    """Curves (one value per dot column, NaN where none) as lines of braille cells, each curve joined dot to dot.

    A cell takes the colour of the curve with most dots in it; cells of both curves, where they meet, are bold."""
    dots_high = 4 * rows
    cells = [[[0, 0, 0] for _ in range(columns)] for _ in range(rows)]     # bits, train dots, test dots
    for index, values in enumerate(curves):
        previous = None
        for x, v in enumerate(values[: 2 * columns]):
            if not math.isfinite(v) or (log and v <= 0):
                previous = None
                continue
            y = math.log10(v) if log else v
            dot = round((hi - y) / (hi - lo) * (dots_high - 1)) if hi > lo else dots_high // 2
            dot = min(dots_high - 1, max(0, dot))
            span = range(min(dot, previous), max(dot, previous) + 1) if previous is not None else (dot,)
            for d in span:                          # a steep step is drawn as a vertical run: one line, no gaps
                cell = cells[d // 4][x // 2]
                cell[0] |= DOT_BITS[x % 2][d % 4]
                cell[1 + index] += 1
            previous = dot
    lines = []
    for row in cells:
        line = Text(no_wrap=True, overflow="crop")
        for bits, first, second in row:
            style = "bold" if first and second else CURVE_STYLES[0] if first else CURVE_STYLES[1] if second else None
            line.append(chr(BRAILLE + bits) if bits else " ", style)
        lines.append(line)
    return lines


def chart_lines(record: LossRecord, width: int, height: int, log: bool = False,
                names: tuple[str, str] = ("trn", "tst"), unit: str = "epoch") -> list[Text]:
    """The chart as lines: a header (start → now), a braille line chart of both curves with y ticks, and the x
    axis with ticks and the unit (at most SPARK_ROWS rows: sparklines). The whole record is resampled to the width."""
    lines: list[Text] = []
    if not record.epochs:
        words = textwrap.wrap("loss chart: press space to train", max(1, width))   # whole words on a narrow panel
        return [Text(line, "dim") for line in words][:height]
    if height <= SPARK_ROWS:
        return spark_lines(record, width, height, log, names, unit)
    head = header(record, log, names)
    split = head.plain.find(f"  {TEST_MARK}")
    if head.cell_len > width and split > 0:       # a narrow column: one curve per line (a mark stays with its name)
        train_part, test_part = header(record, False, names).divide([split])
        test_part = test_part[2:]
        for part in (train_part, test_part) if log else ():     # 'log' where it fits, else left out
            if part.cell_len + 5 <= width:
                part.append("  log", "dim")
                break
        lines += [train_part, test_part]
    else:
        lines.append(head)
    rows = height - 2 - len(lines)
    scale = shared_scale([record.train, record.test], log)
    if rows < BRAILLE_MIN_ROWS:                    # too short for lines with ticks: sparklines say more
        return spark_lines(record, width, min(height, SPARK_ROWS), log, names, unit)
    if scale is None:
        return lines[:height]
    lo, hi = scale
    ticks = y_ticks(lo, hi, log, max(2, rows // 2 + 1))
    labels = {0: fmt(10 ** hi if log else hi), rows - 1: fmt(10 ** lo if log else lo)}   # the range's ends …
    for t in ticks:                                  # … and round ticks between them, a row apart at least
        row = min(rows - 1, max(0, round((hi - t) / (hi - lo) * (rows - 1))))
        if all(abs(row - r) >= 2 for r in labels):
            labels[row] = tick_label(t, log)
    label_width = max(5, *(len(v) + 1 for v in labels.values()))
    plot_width = max(1, width - label_width - 1)
    curves = [filled(column_values(record.epochs, values, 2 * plot_width)) for values in (record.train, record.test)]
    plot = braille_plot(curves, rows, plot_width, lo, hi, log)
    for r, cells in enumerate(plot):
        label = labels.get(r, "")
        line = Text(f"{label:>{label_width}}{'┤' if label else '│'}", "dim", no_wrap=True, overflow="crop")
        lines.append(line + cells)
    lines += x_axis(record.epochs[0], record.epochs[-1], plot_width, " " * (label_width + 1), width, unit)
    return lines[:height]


class LossChart(Widget):
    """Train and test loss over the whole run, on one shared scale (``y`` toggles a log scale)."""

    DEFAULT_CSS = """
    LossChart { height: 1fr; min-height: 3; text-wrap: nowrap; text-overflow: clip; }
    """

    log_scale: reactive[bool] = reactive(True)     # losses fall over decades: log first, y for linear

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.record = LossRecord()
        self.names = ("trn", "tst")          # neuroevolution: ("best", "mean") loss of the population
        self.unit = "epoch"                  # neuroevolution: generation
        self._lines: list[Text] = []         # the chart's lines as last drawn, and their strips (render_line)
        self._strips: list[Strip] = []
        self._drawn_size = Size(-1, -1)       # the size the strips were built for (-1: none yet)

    def add(self, epoch: int, train: float | None, test: float | None, *, draw: bool = True) -> None:
        """One snapshot's losses; redraw the rows that changed (draw=False: recorded, drawn with a later one)."""
        self.record.add(epoch, train, test)
        if draw:
            self.redraw()

    def set_names(self, names: tuple[str, str], unit: str = "epoch") -> None:
        """What the two curves are and the trainer's unit of time; another pair starts a new record."""
        self.unit = unit
        if names != self.names:
            self.names = names
            self.clear()

    def clear(self) -> None:
        """A new run (reset, new data, an empty drawing)."""
        self.record.clear()
        self.redraw()

    def toggle_log(self) -> bool:
        """Flip the log scale; returns whether it is now on."""
        self.log_scale = not self.log_scale
        return self.log_scale

    def watch_log_scale(self) -> None:
        self.redraw()

    def lines(self) -> list[Text]:
        """The chart as it is drawn now (one Text per row; tests read it)."""
        if self._drawn_size != self.size:
            self._build()
        return list(self._lines)

    def redraw(self) -> None:
        """Lay the chart out again and refresh only the rows whose text changed (every frame: the numbers and the
        newest columns change, the rest of the chart mostly does not). Hidden or unsized: on its next render."""
        if self._drawn_size != self.size or not self.size.area or not self.display or not self.is_mounted:
            self._drawn_size = Size(-1, -1)      # built again by the next render_line
            self.refresh()
            return
        for y in self._build():
            self.refresh(Region(0, y, self.size.width, 1))

    def _build(self) -> list[int]:
        """The chart's lines for this size and their strips; returns the rows whose text changed (a strip is
        rendered again only for those)."""
        width, height = self.size
        lines = chart_lines(self.record, max(1, width), max(1, height), self.log_scale, self.names, self.unit)
        lines = (lines + [Text()] * height)[:height]
        base, console = self.rich_style, self.app.console
        kept = self._lines if self._drawn_size == self.size else []
        strips, changed = [], []
        for y, line in enumerate(lines):
            if y < len(kept) and kept[y] == line:
                strips.append(self._strips[y])
                continue
            changed.append(y)
            strip = Strip(list(Segment.apply_style(line.render(console), base)))
            strips.append(strip.crop(0, width).extend_cell_length(width, base))
        self._lines, self._strips, self._drawn_size = lines, strips, self.size
        return changed

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn_size = Size(-1, -1)            # new colours (a theme): build the strips again

    def render_line(self, y: int) -> Strip:
        """One row of the chart (built once per change, not once per frame)."""
        if self._drawn_size != self.size:
            self._build()
        return self._strips[y] if 0 <= y < len(self._strips) else Strip.blank(self.size.width, self.rich_style)
