"""The Sweep view's Tune mode: successive halving over the chosen values, a live leaderboard and the plots.

The panel owns its tuner and the thread it runs in: ``start(base, grid, epochs)`` spends a third of the grid's
epochs (rungs at E/9, E/3 and E), each update redraws the leaderboard (best first, pruned and diverged trials
marked) and the plots of test loss against each chosen setting; ⏎ on a trial posts :class:`TunePanel.Chosen`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annplay.core.search import Dimension, Space
from annplay.core.tune import Tuner, make_plan, ranked
from annplay.core.tuneplot import plots
from annplay.engine.settings import SETTINGS, SettingError
from annplay.engine.setup import Setup
from annplay.widgets.safe_list import SafeOptionList, one_row

SHARE = 3                       # the tuner spends 1/SHARE of the grid's epochs
PLOT_WIDTH = 80                 # wider plots only spread the marks
NARROW = 60                     # below this width the leaderboard shows values without their names
STATE_MARK = {"complete": "●", "pruned": "·", "diverged": "×", "failed": "×", "running": "…", "waiting": " ",
              "interrupted": "–"}


@dataclass(frozen=True)
class Board:
    """What one update shows (built in the tuner's thread, drawn in the UI's)."""

    labels: tuple[str, ...]
    codes: tuple[str, ...]
    setups: tuple[Setup, ...]       # what ⏎ opens: the trial's own set-up, never its code read back
    plot_lines: tuple[str, ...]
    status: str


class TunePanel(Vertical):
    """Status line, leaderboard and plots of a tuning run over the Sweep view's chosen values."""

    DEFAULT_CSS = """
    TunePanel { height: 3fr; }
    TunePanel #tune-status { height: auto; text-style: bold; }
    TunePanel #tune-board { height: 1fr; min-height: 3; }
    TunePanel #tune-plots { height: 1fr; min-height: 4; }
    """

    class Chosen(Message):
        """A trial picked with ⏎: its set-up (at the epochs it trained to)."""

        def __init__(self, setup: Setup) -> None:
            super().__init__()
            self.setup = setup

    class Updated(Message):
        """The tuner moved on (posted from its thread)."""

        def __init__(self, board: Board) -> None:
            super().__init__()
            self.board = board

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tuner: Tuner | None = None
        self.codes: tuple[str, ...] = ()
        self.setups: tuple[Setup, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("", id="tune-status")
        yield SafeOptionList(id="tune-board")
        with VerticalScroll(id="tune-plots"):
            yield Static("", id="tune-plot-text", markup=False)

    def on_unmount(self) -> None:
        self.stop()

    # --- running ------------------------------------------------------------------------

    def plan_for(self, base: Setup, grid: dict[str, list[Any]], epochs: int) -> Tuner:
        """The tuner for the chosen values (every value a list point), with a third of the grid's epochs."""
        dims = tuple(Dimension(name, tuple(values)) for name, values in grid.items())
        space = Space(dims)
        size = space.size() or 1
        budget = size * epochs // SHARE
        try:
            plan = make_plan(epochs, budget=budget, space_size=size)
        except SettingError:                       # a tiny grid: every value at the first rung (one trial was
            plan = make_plan(epochs, budget=None, space_size=size)     # a pick and advice from a single run)
        return Tuner(base.with_(epochs=epochs), space, plan, jobs=1)

    def start(self, base: Setup, grid: dict[str, list[Any]], epochs: int) -> Tuner:
        """Tune in the background (a running tuner is stopped first)."""
        self.stop()
        tuner = self.plan_for(base, grid, epochs)
        self.tuner = tuner
        self.query_one("#tune-status", Static).update(
            f"{tuner.plan.counts[0]} trials, rungs {'/'.join(map(str, tuner.plan.rungs))} epochs…")
        self._run(tuner)
        return tuner

    def stop(self) -> None:
        if self.tuner is not None:
            self.tuner.cancel()

    @work(thread=True, exclusive=True, group="tune")
    def _run(self, tuner: Tuner) -> None:
        def update(t: Tuner) -> None:
            if t is self.tuner:
                self.post_message(self.Updated(self.board(t)))

        tuner.run(update)
        update(tuner)

    def board(self, tuner: Tuner) -> Board:
        """Leaderboard lines, their codes, the plots and the status, from the tuner's current trials."""
        names = [d.name for d in tuner.space.dims]
        labels, codes, setups = [], [], []
        trials = ranked([t for t in tuner.trials if t.losses])
        width = max(30, (self.size.width or 40) - 2)
        narrow = width < NARROW                    # a phone: values only, in the order the settings are listed
        for place, trial in enumerate(trials, start=1):
            what = [SETTINGS[n].show(trial.point[n]) if narrow else SETTINGS[n].labelled(trial.point[n])
                    for n in names]                # the controls' words
            loss = "–" if trial.loss is None else f"{trial.loss:.3g}"
            labels.append(one_row(f"{place}{STATE_MARK.get(trial.state, ' ')} {loss} @{trial.epochs}", what,
                                  width - 3, sep=" ", join=" " if narrow else ", "))
            codes.append(trial.code())
            setups.append(trial.setups[0].with_(epochs=trial.losses[-1][0]))
        best = tuner.best()
        lines = plots(tuner.trials, tuner.space.dims, width=min(width, PLOT_WIDTH), height=6, best=best,
                      app_words=True) if trials else []
        lines += [f"! {w}" for w in tuner.warnings()] if trials else []
        done = sum(t.state in ("complete", "pruned", "diverged", "failed") for t in tuner.trials)
        finished = not any(t.state in ("running", "waiting") for t in tuner.trials)
        status = (f"{done}/{len(tuner.trials)} trials, {tuner.epochs_total} epochs"
                  + (" (⏎ opens one)" if finished and trials else "…"))
        return Board(tuple(labels), tuple(codes), tuple(setups), tuple(lines), status)

    @on(Updated)
    def _show(self, message: Updated) -> None:
        board = self.query_one("#tune-board", OptionList)
        keep = board.highlighted
        board.clear_options()
        for i, label in enumerate(message.board.labels):
            board.add_option(Option(Text(label), id=f"trial-{i}"))
        self.codes, self.setups = message.board.codes, message.board.setups
        if board.option_count:
            board.highlighted = min(keep or 0, board.option_count - 1)
        self.query_one("#tune-plot-text", Static).update(Text("\n".join(message.board.plot_lines)))
        self.query_one("#tune-status", Static).update(message.board.status)
        message.stop()

    @on(OptionList.OptionSelected, "#tune-board")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.setups):     # (a code naming a CSV file is refused by decode: a crash)
            self.post_message(self.Chosen(self.setups[event.option_index]))


__all__ = ["TunePanel", "Board"]
