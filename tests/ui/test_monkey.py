"""A monkey test: random keys, typed file names, taps and resizes while training runs must never crash the app.

CI runs ``ANNPLAY_MONKEY_EVENTS`` (default 500) events per size with a fixed seed that it prints;
set ``ANNPLAY_MONKEY_SEED`` to replay a run, and a large event count for a long soak.
An event that takes over ``ANNPLAY_MONKEY_LIMIT`` seconds (default 10) fails the test: the app froze.
"""

from __future__ import annotations

import asyncio
import os
import random
import string
from pathlib import Path

import pytest
import textual._wait
import textual.app
import textual.pilot
from textual.errors import NoWidget
from textual.pilot import OutOfBounds

from annplay.app import PlaygroundApp

EVENTS = int(os.environ.get("ANNPLAY_MONKEY_EVENTS", "500"))
SEED = int(os.environ.get("ANNPLAY_MONKEY_SEED", "20261123"))
EVENT_LIMIT_SECONDS = float(os.environ.get("ANNPLAY_MONKEY_LIMIT", "10"))
PROGRESS_EVERY = 1000                 # a long soak prints how far it got
SIZES = [(40, 20), (120, 40)]

# Every key a person might press, except those that end the app (q, ctrl+c, ctrl+q: tested on their own).
KEYS = (
    [c for c in string.ascii_lowercase if c != "q"]
    + [c for c in string.digits]
    + ["space", "enter", "tab", "shift+tab", "escape", "up", "down", "left", "right", "home", "end",
       "pageup", "pagedown", "backspace", "delete", "ctrl+p", "question_mark", "plus", "minus", "full_stop",
       "comma", "equals_sign", "left_square_bracket", "right_square_bracket", "slash", "backslash",
       "greater_than_sign", "less_than_sign", "tilde", "ctrl+a", "ctrl+e", "ctrl+u"]
)
# Names a person might type into a file dialog: Rich markup, paths that do not exist, ~users, long names.
HOSTILE_TEXT = ["[", "[/]", "[bold", "[>x]", "\\[", "[-: no such file]", "~nosuchuser/x.json", "a" * 300,
                "/nonexistent/dir/x.npz", "..", "/", "x.npz"]


async def _fast_idle(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
    """Textual's wait_for_idle waits up to a second while the training thread keeps a core busy: cap it."""
    await asyncio.sleep(0.002)


@pytest.fixture
def capped_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (textual._wait, textual.app, textual.pilot):
        monkeypatch.setattr(module, "wait_for_idle", _fast_idle)


async def _one_event(pilot, rng: random.Random, size: list[int]) -> str:
    """Send one random event; return what it was (for the failure message)."""
    roll = rng.random()
    if roll < 0.70:
        key = rng.choice(KEYS)
        await pilot.press(key)
        return f"key {key}"
    if roll < 0.80:
        text = rng.choice(HOSTILE_TEXT)
        await pilot.press(*[c if c.isalnum() else _key_name(c) for c in text[:40]])
        return f"typed {text[:40]!r}"
    if roll < 0.95:
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        try:
            await pilot.click(offset=(x, y))
        except (NoWidget, OutOfBounds):          # the screen has not caught up with a resize yet: a tap on nothing
            return f"tap {x},{y} (nothing there)"
        return f"tap {x},{y}"
    size[:] = [rng.randint(30, 140), rng.randint(12, 50)]
    await pilot.resize_terminal(*size)
    return f"resize {size[0]}x{size[1]}"


def _key_name(char: str) -> str:
    """Textual's key name for a typed character."""
    from textual.keys import _character_to_key
    return _character_to_key(char)


@pytest.mark.parametrize("start", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_random_events_never_crash(start: tuple[int, int], capped_idle: None, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)                          # file dialogs write here, never in the project
    monkeypatch.setenv("HOME", str(tmp_path))
    rng = random.Random(SEED + start[0])
    print(f"monkey: seed {SEED + start[0]}, {EVENTS} events from {start[0]}x{start[1]}")
    size = list(start)
    history: list[str] = []
    quits = 0
    while len(history) < EVENTS:
        app = PlaygroundApp()
        size[:] = start
        try:
            async with app.run_test(size=start) as pilot:  # an exception in the app is raised here: the test fails
                await pilot.press("space")                 # train while the monkey plays
                while len(history) < EVENTS and app.is_running:
                    try:
                        event = await asyncio.wait_for(_one_event(pilot, rng, size), EVENT_LIMIT_SECONDS)
                    except asyncio.TimeoutError:
                        pytest.fail(f"event {len(history) + 1} took over {EVENT_LIMIT_SECONDS:.0f} s; "
                                    f"last events: {history[-10:]}")
                    history.append(event)
                    if len(history) % PROGRESS_EVERY == 0:
                        print(f"monkey: {len(history)} events, no exception", flush=True)
        except Exception:
            print(f"monkey: failed at event {len(history) + 1}, size {size}; last events: {history[-10:]}")
            raise
        if len(history) < EVENTS:                          # a clean quit (the palette's Quit): start again
            assert app.return_code == 0, f"the app stopped at event {len(history)}; last events: {history[-10:]}"
            quits += 1
            print(f"monkey: the app quit cleanly at event {len(history)} ({history[-1]}); a new one starts")
    print(f"monkey: {len(history)} events, {quits} clean quits, no exception")
    assert len(history) == EVENTS
