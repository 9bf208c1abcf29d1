"""Every key can be reached on a phone: whole keys on every key bar, the rest as MORE buttons in the controls, and
the message line comes and goes without moving a control under the finger."""

from __future__ import annotations

from annplay.app import PlaygroundApp
from annplay.screens.lessons_view import LessonsScreen
from annplay.screens.playground import PlaygroundScreen
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.keybar import KeyBar
from annplay.widgets.messageline import MessageLine

from .conftest import ready, wait_until

MENU_KEYS = {"L", "E", "K", "z", "u", "b", "i", "a"}      # keys that once showed only in ? and the palette


async def test_the_keys_the_bar_has_no_room_for_are_buttons_that_work():
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await wait_until(pilot, lambda: screen.query("#more-keys Tap"), "the MORE buttons")
        labels = {str(b.label).split()[0] for b in screen.query("#more-keys Tap")}
        assert labels >= MENU_KEYS
        lessons = next(b for b in screen.query("#more-keys Tap") if str(b.label).startswith("L "))
        lessons.press()
        await wait_until(pilot, lambda: isinstance(app.screen, LessonsScreen) and app.screen.query("#lesson-list")
                         and app.focused is app.screen.query_one("#lesson-list"), "the Lessons view from its button")


async def test_the_message_line_moves_no_control():
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        play = screen.query_one("#btn-play")
        dataset = screen.query_one("#choice-dataset")
        before = (play.region, dataset.region)
        screen.notify("A message long enough to wrap onto a second line at forty columns, maybe a third")
        line = screen.query_one(MessageLine)
        await wait_until(pilot, lambda: line.display and line.region.height >= 2, "the message shown")
        assert (play.region, dataset.region) == before                     # nothing above it moved
        line.clear()
        await pilot.pause()
        assert (play.region, dataset.region) == before


async def test_sweep_and_runs_bars_show_whole_keys_with_run_at_40_columns():
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        for key, must in (("z", "g Run"), ("u", "esc Back")):
            await pilot.press(key)
            await wait_until(pilot, lambda: not isinstance(app.screen, PlaygroundScreen)
                             and app.screen.query(KeyBar) and app.screen.is_mounted, f"the view of {key}")
            bar = app.screen.query_one(KeyBar)
            shown = [f"{k.key} {k.label}" for k in bar.shown()]
            assert must in shown and sum(len(s) + 1 for s in shown) - 1 <= 40, shown
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen, "back on the playground")
        assert screen.query_one(ControlPanel)
