"""The annplay Textual app: TensorFlow Playground in a terminal (the screens do the work)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import re
import select
import signal
import sys
import threading
import time
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, Hit, Hits
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider

from annplay.engine.settings import SettingError
from annplay.engine.setup import Setup
from annplay.widgets.keybar import BarBinding

if TYPE_CHECKING:
    from annplay.core.lessons import Lesson

QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name))
EXIT_GRACE = 3.0       # seconds a signalled app has to leave cleanly before the process ends itself


def exit_soon(code: int, grace: float = EXIT_GRACE) -> None:
    """End the process with ``code`` after ``grace`` seconds unless it has ended by then (a daemon thread).

    A terminal that is gone (a closed pty, a dropped browser) can block Textual's shutdown for ever in its writer
    thread (``App._shutdown → WriterThread.write → Queue.put``): a signalled app must still be gone in seconds."""
    def end() -> None:
        time.sleep(grace)
        os._exit(code)

    threading.Thread(target=end, name="annplay-exit-soon", daemon=True).start()


def watch_terminal(app: PlaygroundApp, fd: int | None = None) -> None:
    """A daemon thread that notices the terminal (or textual-serve's pipe) going away, without reading from it:
    the app then leaves like q, and the process ends within EXIT_GRACE seconds whatever happens.

    A closed terminal window whose pty was not the app's controlling terminal sends no SIGHUP; before this, such
    apps ran on (or hung in Textual's shutdown) with nobody to see them."""
    if not hasattr(select, "poll"):
        return
    if fd is None:
        stdin = sys.__stdin__
        if stdin is None:
            return
        try:
            fd = stdin.fileno()
        except (OSError, ValueError):
            return
    poller = select.poll()
    poller.register(fd, 0)                              # no events asked: POLLHUP, POLLERR, POLLNVAL still come

    def watch() -> None:
        while True:
            try:
                events = poller.poll(500)
            except (OSError, ValueError):
                return
            if any(event & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _fd, event in events):
                break
        exit_soon(129)
        with contextlib.suppress(Exception):
            app.call_from_thread(app.leave)

    threading.Thread(target=watch, name="annplay-terminal-watch", daemon=True).start()


def _wrap_at_least_one_cell() -> None:
    """Textual 8.2 wraps a label to width 0 in a grid cell narrower than its padding (a terminal 6–8 columns wide,
    a window dragged narrow), and Rich's chop_cells then steps range() by 0 and ends the app (a probe's find):
    wrap to at least one cell instead. Idempotent; touches only Rich's word wrapper."""
    import rich._wrap

    chop = rich._wrap.chop_cells
    if getattr(chop, "annplay_guard", False):
        return

    def chop_cells(text: str, width: int, *args: Any, **kwargs: Any) -> list[str]:
        return chop(text, max(1, width), *args, **kwargs)

    chop_cells.annplay_guard = True  # type: ignore[attr-defined]
    rich._wrap.chop_cells = chop_cells


_wrap_at_least_one_cell()


class SafeCommandPalette(CommandPalette):
    """Textual's command palette, minus two crashes: paging before the command list has its lines, and a search
    that ends after the palette closed (NoMatches for CommandList in its worker: a probe's monkey, seed 8503)."""

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        """Textual's own search (undecorated), quietly dropped when the palette is gone."""
        with contextlib.suppress(NoMatches):
            await CommandPalette._gather_commands.__wrapped__(self, search_value)  # type: ignore[attr-defined]

    def _action_command_list(self, action: str) -> None:
        """Pass the action on, except paging while the list is not laid out yet.

        Textual 8.2.x (seen on 8.2.8): `ctrl+p` then `pageup`/`pagedown` at once (optionally after typing) runs
        `OptionList._move_page`, which looks up `_index_to_line[highlighted]` before the lines exist:
        `KeyError: 0`. Ignoring the page key then is what a person would expect anyway.
        """
        if action in ("page_up", "page_down"):
            commands = self.query_one(CommandList)
            highlighted = commands.highlighted
            if highlighted is not None and (not commands._lines or highlighted not in commands._index_to_line):
                return
        # a probe's monkey (40×20, seed 16) still met KeyError: 0 there, the list rebuilt between the check and the
        # page: whatever the list's state, a page key never ends the app
        with contextlib.suppress(KeyError, IndexError):
            super()._action_command_list(action)


WORD_SPLIT = re.compile(r"[\s:;,()\[\]—–]+")
HELP_HIT_SCORE = 1.0          # below Textual's fuzzy scores on a title (5–20): title matches come first


def words_of(text: str) -> set[str]:
    """The lower-case words of a palette command's title and help ('Learn rate: 0.1' + 'learning rate')."""
    return {word for word in WORD_SPLIT.split(text.lower()) if word}


class SettingCommands(SystemCommandsProvider):
    """Textual's system commands, also found by the words of their help: Textual matches a query against the title
    only, so 'learning' found nothing ('Learn rate: 0.1', help 'learning rate'), nor 'momentum' a β."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        wanted = [word for word in WORD_SPLIT.split(query.lower()) if word]
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
            elif wanted:
                words = words_of(f"{name} {help_text or ''}")
                if all(any(word.startswith(part) for word in words) for part in wanted):
                    yield Hit(HELP_HIT_SCORE, name, callback, help=help_text)


class PlaygroundApp(App[None]):
    """Opens the playground on a set-up (default: circle data, 4-2 tanh network, lr 0.03, 30 epochs a second)."""

    TITLE = "annplay"
    BINDINGS = [
        # priority: also over help and dialogs (modal screens hide the app's other bindings); a focused text box
        # still gets q as a letter (Textual leaves keys an Input consumes to it), ctrl+c quits even there
        BarBinding("q", "quit", "Quit", priority=True, rank=1,
                   tooltip="from every screen, as does ctrl+c; in a text box q is a letter (escape first)"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, tooltip="also in a text box"),
        BarBinding("ctrl+p", "command_palette", "Commands", key_display="^p", rank=8,
                   tooltip="every action and every setting value, searchable"),
    ]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {SettingCommands}        # the system commands, found by their help's words too

    def __init__(self, setup: Setup | None = None, *, hidden: Iterable[str] = (), model: str | None = None,
                 lesson: Lesson | None = None, drawn: tuple[tuple[float, float, float], ...] | None = None) -> None:
        super().__init__()
        self.drawn = drawn                       # drawn points a share code carried: the data to train on
        self.setup = setup if setup is not None else Setup()
        self.hidden = frozenset(hidden)          # settings a TF link hid (the control panel leaves them out)
        self.model = model                       # weights a set-up file names, loaded once the network is built
        self.lesson = lesson                     # a lesson to open with (--lesson): its card shows first
        self._collecting: bool | None = None     # the collector's state before the start (None: not held)

    async def on_event(self, event: events.Event) -> None:
        """Once the app is closing (q), input that arrives after it does nothing: keys typed in the same burst
        pushed screens that never composed ('question_mark' typed at once ended in NoMatches on the share view)."""
        if self._exit and isinstance(event, (events.Key, events.MouseEvent, events.Paste)):
            return
        await super().on_event(event)

    def on_load(self) -> None:
        """The start makes ~100,000 objects that live as long as the app (modules, parsed CSS, widgets): the
        collector's passes over them free nothing and cost about a twentieth of the time to the first picture.
        None runs until the playground has drawn its first picture (``PlaygroundScreen.Built``) or the app ends."""
        self._collecting = gc.isenabled()
        gc.disable()

    def _collect_again(self) -> None:
        """The collector as it was before the start (once)."""
        if self._collecting:
            gc.enable()
        self._collecting = None

    def on_playground_screen_built(self) -> None:
        self._collect_again()

    def on_mount(self) -> None:
        from annplay.screens.playground import PlaygroundScreen

        try:
            screen = PlaygroundScreen(self.setup)
        except (ValueError, SettingError) as error:  # valid settings that cannot build together (a class link's)
            screen = PlaygroundScreen(Setup())
            self.drawn, self.model = None, None
            screen.call_after_refresh(screen.notify, f"Set-up not opened: {error}", title="Not possible",
                                      severity="error", markup=False, timeout=15)     # on the message line
        screen.session.hidden = self.hidden
        if self.drawn is not None:
            screen.session.set_drawn(self.drawn)
        self.push_screen(screen)
        if self.model is not None:
            screen.call_after_refresh(screen.setups.load_weights, self.model)
        if self.lesson is not None:
            screen.lessons.lesson = self.lesson          # its goal is checked from the first frame
            screen.call_after_refresh(screen.lessons.show_lessons, self.lesson)
        self._handle_quit_signals(install=True)

    def on_resize(self, event: events.Resize) -> None:
        """Below MIN_COLUMNS one line covers every screen (their grids cannot be laid out that narrow)."""
        from annplay.screens.too_small import MIN_COLUMNS, TooSmallScreen

        covered = isinstance(self.screen, TooSmallScreen)
        if event.size.width < MIN_COLUMNS and not covered:
            self.push_screen(TooSmallScreen())
        elif event.size.width >= MIN_COLUMNS and covered:
            self.pop_screen()

    def on_unmount(self) -> None:
        self._collect_again()                           # an app that ends before its first picture
        self._handle_quit_signals(install=False)

    def _handle_quit_signals(self, *, install: bool) -> None:
        """SIGTERM, SIGHUP and SIGQUIT leave like q, so Textual restores the terminal (alternate screen, raw mode,
        mouse); if leaving hangs (the terminal is gone), the process ends itself within EXIT_GRACE seconds."""
        if self.is_headless:                              # tests: leave the test runner's handlers alone
            return
        loop = asyncio.get_running_loop()
        for number in QUIT_SIGNALS:
            try:
                if install:
                    loop.add_signal_handler(number, self._signalled, number)
                else:
                    loop.remove_signal_handler(number)
            except (NotImplementedError, RuntimeError, ValueError):   # no signals here (Windows, not main thread)
                pass

    def _signalled(self, number: int) -> None:
        """A quit signal: leave, and make sure the process ends even if leaving cannot finish."""
        exit_soon(128 + number)
        self.leave()

    def leave(self) -> None:
        """Stop training and exit (the worker stops within one chunk); q, ctrl+c, SIGTERM and SIGHUP."""
        from annplay.screens.playground import PlaygroundScreen

        for screen in self.screen_stack:
            if isinstance(screen, PlaygroundScreen):
                screen.session.stop()
        self.workers.cancel_all()
        self.exit()

    async def action_quit(self) -> None:
        """Stop training and leave (works while training and from every screen)."""
        self.leave()

    def action_command_palette(self) -> None:
        """Open the command palette (annplay's guarded one: see SafeCommandPalette), unless one is open already,
        on top or under the too-narrow line (ctrl+p there pushed a second palette of the same id: DuplicateIds
        ended the app, a probe's monkey at 40×20, seed 7003)."""
        from annplay.screens.too_small import TooSmallScreen

        if not self.use_command_palette or isinstance(self.screen, TooSmallScreen):
            return
        if not any(isinstance(screen, CommandPalette) for screen in self.screen_stack):
            self.push_screen(SafeCommandPalette(id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette: every playground action (from its bindings) and every value of every setting that applies
        (from the settings table)."""
        yield from super().get_system_commands(screen)
        from annplay.screens.playground import PlaygroundScreen
        from annplay.widgets.control_panel import palette_entries

        if not isinstance(screen, PlaygroundScreen):
            return
        seen: set[str] = set()
        for binding, owner in screen.key_bindings():
            if not binding.description or owner is self or binding.action in seen or (owner and not binding.show):
                continue
            seen.add(binding.action)
            key, target = self.get_key_display(binding), owner if owner is not None else screen
            where = f" ({owner.PANEL_NAME})" if owner is not None and hasattr(owner, "PANEL_NAME") else ""
            yield SystemCommand(f"{binding.description}{where}", f"key {key}",
                                partial(target.run_action, binding.action))
        for entry in palette_entries(screen.session):
            action = partial(screen.changes.choose_data, entry.data) if entry.data is not None \
                else partial(screen.changes.from_palette, entry.title, entry.changes)
            yield SystemCommand(entry.title, entry.help, action, discover=False)
        if screen.panel == "weights":                       # the editor's own choices while it is open
            from annplay.widgets.weights import WeightEditor

            for choice in screen.query_one(WeightEditor).choices():
                for value, text in zip(choice.values, choice.labels, strict=True):
                    yield SystemCommand(f"{choice.title}: {text}", f"set {choice.title.lower()} to {text}",
                                        partial(choice.select, value, notify=True), discover=False)


def run(setup: Setup | None = None, hidden: Iterable[str] = (), *, model: str | None = None,
        lesson: Lesson | None = None, drawn: tuple[tuple[float, float, float], ...] | None = None) -> int:
    """Run the playground on a set-up (`annplay`, `annplay play`); ``hidden``: the settings a TF link hid;
    ``model``: weights to load (a set-up file's [model]); ``lesson``: the lesson to open with (its card first);
    ``drawn``: drawn points to train on (a share code's). Returns the app's exit code: an error that ended the
    app is not 0 (a crash had ended `annplay play` with 0)."""
    app = PlaygroundApp(setup, hidden=hidden, model=model, lesson=lesson, drawn=drawn)
    watch_terminal(app)
    app.run()
    return int(app.return_code or 0)


if __name__ == "__main__":
    run()
