"""The loss chart: train and test loss over the whole run on one shared scale, x-axis in epochs, log scale on y.

The widget keeps its own record of (epoch, train, test) from every snapshot shown; when it grows past
``MAX_POINTS`` neighbouring pairs are merged (epochs and losses averaged), so old epochs are down-sampled,
never dropped. A run that starts again (the epoch goes back) starts a new record.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

MAX_POINTS = 512                 # the record is halved (pairs merged) beyond this
TRAIN_MARK, TEST_MARK, BOTH_MARK = "•", "∘", "◉"
SPARKS = "▁▂▃▄▅▆▇█"              # a sparkline's eight levels (compact charts of at most SPARK_ROWS rows)
SPARK_ROWS = 4


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
        """Merge neighbouring pairs (the newest point stays as it is): half as many points, the same span."""
        def pairs(values: list[float]) -> list[float]:
            body, last = values[:-1], values[-1]
            merged = [(body[i] + body[i + 1]) / 2 if i + 1 < len(body) else body[i] for i in range(0, len(body), 2)]
            return [*merged, last]

        self.epochs, self.train, self.test = pairs(self.epochs), pairs(self.train), pairs(self.test)

    def clear(self) -> None:
        """Forget the run."""
        self.epochs, self.train, self.test = [], [], []


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
    head = Text(no_wrap=True, overflow="ellipsis")
    first_name, second_name = names
    head.append(f"{TRAIN_MARK} {first_name} ", "bold yellow")
    head.append(f"{fmt(record.train[0])}→{fmt(record.train[-1])}")
    if test_seen:
        first_test = next(v for v in record.test if math.isfinite(v))
        head.append(f"  {TEST_MARK} {second_name} ", "bold cyan")
        head.append(f"{fmt(first_test)}→{fmt(record.test[-1])}")
    head.append("  log" if log else "", "dim")
    return head


def epoch_axis(record: LossRecord, left: str, width: int) -> Text:
    """The epoch axis under a chart: ``left``, the first epoch, and 'epoch N' at the right (a space between)."""
    first, right = int(record.epochs[0]), f"epoch {int(record.epochs[-1]):,}"
    room = max(len(str(first)) + 1, width - len(left) - len(right))
    return Text(f"{left}{first:<{room}}{right}"[:width], "dim")


def spark_lines(record: LossRecord, width: int, height: int, log: bool = False,
                names: tuple[str, str] = ("trn", "tst")) -> list[Text]:
    """A chart of 1–4 rows: one sparkline per curve on their shared scale (side by side on one row), each with its
    latest value; a third row is the epoch axis, a fourth (on top) the header of the full chart."""
    if height >= 4:
        return [header(record, log, names), *spark_lines(record, width, height - 1, log, names)]
    scale = shared_scale([record.train, record.test], log)
    curves = [(record.train, TRAIN_MARK, names[0], "yellow")]
    if any(math.isfinite(v) for v in record.test):
        curves.append((record.test, TEST_MARK, names[1], "cyan"))
    label_width = 2 + max(len(n) for n in names) + 1
    lasts = [next((v for v in reversed(values) if math.isfinite(v)), math.nan) for values, *_ in curves]
    value_width = 1 + max(len(fmt(v)) for v in lasts)
    plot_width = max(1, width - label_width - value_width - (4 if log else 0))     # the same for every curve
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
        line.append(" log" if log and not one_row else "", "dim")
        lines.append(line)
    if one_row:
        lines = [Text(" ", no_wrap=True, overflow="crop").join(lines)]
    if height >= 3:
        lines.append(epoch_axis(record, " " * label_width, width))
    return lines[:height]


def chart_lines(record: LossRecord, width: int, height: int, log: bool = False,
                names: tuple[str, str] = ("trn", "tst")) -> list[Text]:
    """The chart as lines: a header (start → now), the plot with its top and bottom values, the epoch axis
    (at most SPARK_ROWS rows: sparklines)."""
    lines: list[Text] = []
    if not record.epochs:
        return [Text("loss chart: press space to train", "dim")][:height]
    if height <= SPARK_ROWS:
        return spark_lines(record, width, height, log, names)
    head = header(record, log, names)
    split = head.plain.find(f"  {TEST_MARK}")
    if head.cell_len > width and split > 0:       # a narrow column: one curve per line (a mark stays with its name)
        train_part, test_part = header(record, False, names).divide([split])
        train_part.append("  log" if log else "", "dim")
        lines += [train_part, test_part[2:]]
    else:
        lines.append(head)
    rows = height - 1 - len(lines)
    scale = shared_scale([record.train, record.test], log)
    if rows < 1 or scale is None:
        return lines[:height]
    lo, hi = scale
    top, bottom = (10 ** hi, 10 ** lo) if log else (hi, lo)
    label_width = max(6, 1 + len(fmt(top)), 1 + len(fmt(bottom)))     # the axis stays straight: 0.0665│
    plot_width = max(1, width - label_width)
    grid = [[" "] * plot_width for _ in range(rows)]
    styles = [[""] * plot_width for _ in range(rows)]
    for values, mark, style in ((record.train, TRAIN_MARK, "yellow"), (record.test, TEST_MARK, "cyan")):
        for col, v in enumerate(column_values(record.epochs, values, plot_width)):
            if not math.isfinite(v) or (log and v <= 0):
                continue
            y = math.log10(v) if log else v
            row = rows - 1 - min(rows - 1, max(0, int(round((y - lo) / (hi - lo) * (rows - 1)))))
            both = grid[row][col] not in (" ", mark)
            grid[row][col] = BOTH_MARK if both else mark
            styles[row][col] = "bold" if both else style
    for r in range(rows):
        label = fmt(top) if r == 0 else fmt(bottom) if r == rows - 1 else ""
        line = Text(f"{label:>{label_width - 1}}│", "dim", no_wrap=True, overflow="crop")
        for c in range(plot_width):
            line.append(grid[r][c], styles[r][c] or None)
        lines.append(line)
    lines.append(epoch_axis(record, f"{'':>{label_width - 1}}└", width))
    return lines[:height]


class LossChart(Widget):
    """Train and test loss over the whole run, on one shared scale (``y`` toggles a log scale)."""

    DEFAULT_CSS = """
    LossChart { height: 1fr; min-height: 3; }
    """

    log_scale: reactive[bool] = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.record = LossRecord()
        self.names = ("trn", "tst")          # neuroevolution: ("best", "mean") loss of the population

    def add(self, epoch: int, train: float | None, test: float | None) -> None:
        """One snapshot's losses; redraw."""
        self.record.add(epoch, train, test)
        self.refresh()

    def set_names(self, names: tuple[str, str]) -> None:
        """What the two curves are; another pair starts a new record."""
        if names != self.names:
            self.names = names
            self.clear()

    def clear(self) -> None:
        """A new run (reset, new data, an empty drawing)."""
        self.record.clear()
        self.refresh()

    def toggle_log(self) -> bool:
        """Flip the log scale; returns whether it is now on."""
        self.log_scale = not self.log_scale
        return self.log_scale

    def watch_log_scale(self) -> None:
        self.refresh()

    def render(self) -> Text:
        width, height = self.size
        text = Text("\n").join(chart_lines(self.record, max(1, width), max(1, height), self.log_scale,
                                           self.names))
        text.no_wrap, text.overflow = True, "crop"            # a line never wraps into the next one's row
        return text
