"""The Sweep view (z): pick settings to vary and their values from the table's steps, train the grid, rank it;
t switches to Tune mode (successive halving over the same values, with a live leaderboard and plots)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from annplay.core.filepolicy import policy
from annplay.core.sweep import MAX_RUNS, Sweep, rank
from annplay.core.textsafe import plain
from annplay.core.tune import TUNER_SETS
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.engine.sharecode import decode
from annplay.screens.safe_screen import SafeScreen
from annplay.widgets.keybar import BarBinding, KeyBar, screen_keys
from annplay.widgets.safe_list import SafeOptionList, one_row
from annplay.widgets.tune_panel import TunePanel

CANDIDATES = ("lr", "hidden", "activation", "batch_size", "optimizer", "regularization", "reg_rate", "dropout",
              "trainer", "noise", "seed")
# Settings whose table entry has no steps to cycle through (a list of layer sizes): the shapes a sweep offers.
SHAPES: dict[str, tuple[Any, ...]] = {"hidden": ((), (4,), (8,), (4, 4), (8, 8), (16, 16), (8, 8, 8), (16, 16, 16))}
SWEEP_EPOCHS = 200           # each run's epoch limit when the set-up has none
MAX_GRID = 64                # the app's grids stay small


def choices(name: str) -> list[Any]:
    """The values a sweep offers for ``name``: the table's steps, or the shapes for layer sizes."""
    return list(SETTINGS[name].steps()) or list(SHAPES.get(name, ()))


def around(name: str, value: Any, width: int) -> list[Any]:
    """``width`` values of the table's steps for ``name``, centred on ``value`` where it is a step."""
    steps = choices(name)
    if not steps:
        return [value]
    at = steps.index(value) if value in steps else 0
    lo = max(0, min(at - width // 2, len(steps) - width))
    return steps[lo:lo + width]


def row_width(options: OptionList) -> int:
    """The cells an option of ``options`` has in a row (its padding and a scroll bar's column taken off)."""
    width = options.content_region.width or options.app.size.width - 4      # inside the border and padding
    return max(12, width - options.styles.scrollbar_size_vertical)   # a scroll bar may come with more rows


class SweepScreen(SafeScreen, Screen[Setup | None]):
    """Space picks a setting to vary, + and - widen or narrow its values, g runs, ⏎ on a result opens it."""

    DEFAULT_CSS = """
    SweepScreen #sweep-help { height: auto; color: $text-muted; }
    SweepScreen #sweep-settings { height: 2fr; }
    SweepScreen #sweep-status { height: auto; text-style: bold; }
    SweepScreen #sweep-board { height: 3fr; }
    """

    BINDINGS = [
        BarBinding("escape", "close", "Back", rank=1),
        BarBinding("space", "vary", "Vary", key_display="␣", rank=2),
        BarBinding("plus,equals_sign", "widen", "More", key_display="+", rank=3),
        BarBinding("minus", "narrow", "Fewer", key_display="-", rank=4),
        BarBinding("g", "go", "Run", rank=0),
        BarBinding("t", "tune_mode", "Tune", rank=1),
        BarBinding("tab", "switch", "Results", show=False),
    ]

    class RowDone(Message):
        """A finished sweep row (posted from the worker thread)."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    def __init__(self, base: Setup) -> None:
        super().__init__()
        self.base = base
        self.widths: dict[str, int] = {}     # varied settings and how many values each takes
        self.sweep: Sweep | None = None
        self.codes: list[str] = []           # the leaderboard's set-ups, best first

    def compose(self) -> ComposeResult:
        yield Static("Sweep: ␣ vary a setting, + - values, g run, t tune, ⏎ on a result opens it", id="sweep-help")
        yield SafeOptionList(id="sweep-settings")
        yield Static("Nothing run yet", id="sweep-status")
        yield SafeOptionList(id="sweep-board")
        yield TunePanel(id="tune-panel")
        yield KeyBar(screen_keys(self))        # whole keys only, generated from the bindings

    def on_mount(self) -> None:
        self.query_one(TunePanel).display = False
        self.show_settings()
        self.query_one("#sweep-settings", OptionList).focus()

    def on_resize(self) -> None:
        """Rows fitted to the new width (each stays one line); the status line keeps what it says."""
        self.show_settings(status=False)
        if self.sweep is not None:
            self.show_board(self.sweep.rows)

    def on_unmount(self) -> None:
        if self.sweep is not None:
            self.sweep.cancel()

    # --- choosing ---------------------------------------------------------------------

    def grid(self) -> dict[str, list[Any]]:
        """The chosen values of every varied setting."""
        return {n: around(n, self.base[n], w) for n, w in self.widths.items()}

    def run_count(self) -> int:
        """How many runs the grid has."""
        total = 1
        for values in self.grid().values():
            total *= len(values)
        return total

    def show_settings(self, *, status: bool = True) -> None:
        """The settings list (and, unless ``status`` is False, the status line that counts the runs)."""
        settings = self.query_one("#sweep-settings", OptionList)
        keep = settings.highlighted or 0
        width = row_width(settings)
        settings.clear_options()
        for name in CANDIDATES:
            if name not in SETTINGS or not self.base.applies(name, self.base.data_traits()):
                continue
            entry = SETTINGS[name]
            if name in self.widths:
                values = [entry.show(v) for v in around(name, self.base[name], self.widths[name])]
                shown = " ".join(values)
                if len(shown) + len(entry.label) + 4 > width and len(values) > 2:   # first … last: whole values
                    shown = f"{values[0]} … {values[-1]} ({len(values)})"
                label = Text(f"■ {entry.label}: {shown}")
            else:
                label = Text(f"□ {entry.label} ({entry.show(self.base[name])})", style="dim")
            settings.add_option(Option(label, id=name))
        settings.highlighted = min(keep, settings.option_count - 1)
        if not status:
            return
        runs = self.run_count()
        plural = "s" if runs != 1 else ""
        if self.tuning:
            self.query_one("#sweep-status", Static).update(self._tune_status(runs))
            return
        self.query_one("#sweep-status", Static).update(f"{runs} run{plural} × {self.epochs()} epochs; g runs them")

    def _set_by_tuner(self) -> list[str]:
        """The varied settings a tune sets for each trial itself (the seed): a tune can't vary them."""
        return [name for name in self.widths if name in TUNER_SETS]

    def _tune_status(self, runs: int) -> str:
        """What g will tune, in the numbers the tuner then reports: trials sampled of the set-ups, and epochs."""
        grid_epochs = runs * self.epochs()
        if not self.widths:
            return "Tune: vary a setting (␣), then g"
        fixed = self._set_by_tuner()
        if fixed:
            return f"A tune sets the {fixed[0]} itself: ␣ on {fixed[0]} to stop varying it"
        try:
            plan = self.query_one(TunePanel).plan_for(self.base, self.grid(), self.epochs()).plan
        except SettingError as error:
            return f"Tune: {error}"
        return f"Tune {plan.counts[0]} of {runs} set-ups in ≤{plan.cost} epochs (grid: {grid_epochs}): g"

    def epochs(self) -> int:
        return self.base.epochs or SWEEP_EPOCHS

    def _current(self) -> str | None:
        settings = self.query_one("#sweep-settings", OptionList)
        if settings.highlighted is None:
            return None
        return settings.get_option_at_index(settings.highlighted).id

    def action_vary(self) -> None:
        """Vary the highlighted setting (three values around the current one), or stop varying it."""
        name = self._current()
        if name is None:
            return
        if name in self.widths:
            del self.widths[name]
        else:
            self.widths[name] = min(3, len(choices(name)) or 1)
        self.show_settings()

    @on(OptionList.OptionSelected, "#sweep-settings")
    def _setting_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_vary()

    def action_widen(self) -> None:
        """One more value for the highlighted varied setting."""
        name = self._current()
        if name in self.widths:
            self.widths[name] = min(len(choices(name)) or 1, self.widths[name] + 1)
            self.show_settings()

    def action_narrow(self) -> None:
        """One fewer value (at least one)."""
        name = self._current()
        if name in self.widths:
            self.widths[name] = max(1, self.widths[name] - 1)
            self.show_settings()

    def action_switch(self) -> None:
        """Move between the settings and the results."""
        board = self.query_one("#tune-board" if self.tuning else "#sweep-board", OptionList)
        (self.query_one("#sweep-settings", OptionList) if board.has_focus else board).focus()

    # --- running ----------------------------------------------------------------------

    def setups(self) -> list[Setup]:
        """Every combination of the chosen values, checked (SettingError names a bad one)."""
        grid = self.grid()
        names = list(grid)
        return [self.base.with_(**dict(zip(names, combo, strict=True))).validate()
                for combo in itertools.product(*grid.values())]

    @property
    def tuning(self) -> bool:
        """True in Tune mode: g tunes the chosen values instead of running the whole grid."""
        return bool(self.query_one(TunePanel).display)

    def action_tune_mode(self) -> None:
        """Switch between the grid (every combination) and Tune (successive halving, a third of the epochs)."""
        panel = self.query_one(TunePanel)
        panel.display = not panel.display
        self.query_one("#sweep-board").display = not panel.display
        self.show_settings()

    def action_go(self) -> None:
        """Run the grid, or tune it in Tune mode, in the background (a running one is cancelled first)."""
        if self.tuning:
            if not self.widths:
                self.notify("vary a setting first (␣)", severity="warning")
                return
            fixed = self._set_by_tuner()
            if fixed:
                self.notify(f"a tune sets the {fixed[0]} of each trial itself: ␣ on {fixed[0]} to stop varying it",
                            title="Not possible", severity="warning", markup=False)
                return
            try:
                self.setups()
                self.query_one(TunePanel).start(self.base, self.grid(), self.epochs())
            except SettingError as error:
                self.notify(str(error), title="Not possible", severity="error", markup=False)
            return
        if self.run_count() > min(MAX_GRID, MAX_RUNS):
            self.notify(f"{self.run_count()} runs: at most {MAX_GRID} here (use annplay sweep for more)",
                        severity="warning")
            return
        try:
            setups = self.setups()
        except SettingError as error:
            self.notify(str(error), title="Not possible", severity="error", markup=False)
            return
        if self.sweep is not None:
            self.sweep.cancel()
        self.sweep = Sweep(setups, self.epochs(), jobs=1)
        self.query_one("#sweep-status", Static).update(f"0/{len(setups)} runs done…")
        self._run(self.sweep)

    @work(thread=True, exclusive=True, group="sweep")
    def _run(self, sweep: Sweep) -> None:
        worker = get_current_worker()

        def on_row(_row: dict[str, Any], done: int, total: int) -> None:
            if worker.is_cancelled:
                sweep.cancel()
            self.post_message(self.RowDone(done, total))

        sweep.run(on_row)

    def on_sweep_screen_row_done(self, message: RowDone) -> None:
        """A row finished: rank what is done so far."""
        if self.sweep is None:
            return
        self.show_board(self.sweep.rows)
        self.query_one("#sweep-status", Static).update(
            f"{message.done}/{message.total} runs done" + (" (⏎ opens one)" if message.done == message.total else "…"))

    def show_board(self, rows: list[dict[str, Any]]) -> None:
        """The leaderboard: best mean test loss first, with the settings that vary."""
        board = self.query_one("#sweep-board", OptionList)
        keep = board.highlighted
        board.clear_options()
        self.codes = []
        varied = [n for n in CANDIDATES if n in self.widths and n != "seed"]      # the settings list's order
        width = row_width(board)
        rows_shown = []
        for place, ranked in enumerate(rank(list(rows)), start=1):
            setup = decode(ranked.group, files=True)
            loss = "–" if ranked.loss_mean is None else f"{ranked.loss_mean:.4g}"
            acc = "" if ranked.acc_mean is None else f"{ranked.acc_mean * 100:.1f}%"
            words = f"{place}. test loss {loss}" + (f" acc {acc}" if acc else "")
            labelled = [SETTINGS[n].labelled(setup[n]) for n in varied]
            rows_shown.append((words, f"{place}. {loss}" + (f" {acc}" if acc else ""), labelled,
                               [SETTINGS[n].show(setup[n]) for n in varied], ranked))
        # Every row in words when every row fits; else numbers and values only, named once in the border's title.
        fits = all(len(one_row(words, labelled, 10_000)) <= width for words, _, labelled, _, _ in rows_shown)
        board.border_title = None if fits or not rows_shown else \
            one_row("loss" + (" acc" if rows_shown[0][4].acc_mean is not None else ""),
                    [SETTINGS[n].label for n in varied], width - 2, join=" · ")
        for place, (words, short, labelled, values, ranked) in enumerate(rows_shown, start=1):
            text = one_row(words, labelled, width) if fits else one_row(short, values, width, join=" ")
            board.add_option(Option(text, id=f"row-{place}"))
            self.codes.append(str(ranked.rows[0]["setup"]))
        if board.option_count:
            board.highlighted = min(keep or 0, board.option_count - 1)

    @on(OptionList.OptionSelected, "#sweep-board")
    def _result_selected(self, event: OptionList.OptionSelected) -> None:
        """Open this row's set-up in the playground (the epoch limit as the base had it)."""
        self.open(decode(self.codes[event.option_index], files=True))

    @on(TunePanel.Chosen)
    def _trial_chosen(self, message: TunePanel.Chosen) -> None:
        """Open a tuned trial's set-up in the playground (the epoch limit as the base had it)."""
        self.open(message.setup, tuned=True)

    def open(self, setup: Setup, *, tuned: bool = False) -> None:
        """Back to the playground with ``setup`` (the epoch limit as the base had it); when its CSV file has gone
        since the runs read it, one line says so and the view stays, results and all (nothing is lost)."""
        if setup.csv is not None and not Path(setup.csv).expanduser().is_file():
            self.notify(f"the CSV file {plain(policy().clean(setup.csv))} is no longer there (moved or deleted); "
                        "put it back to open this run", title="Not opened", severity="error", markup=False)
            return
        if tuned:
            self.query_one(TunePanel).stop()
        self.dismiss(setup.with_(epochs=self.base.epochs).validate())

    def action_close(self) -> None:
        """Back to the playground (a running sweep or tuning is cancelled)."""
        self.query_one(TunePanel).stop()
        if self.sweep is not None:
            self.sweep.cancel()
        self.dismiss(None)
