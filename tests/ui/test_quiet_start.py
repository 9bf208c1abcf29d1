"""The start runs no garbage collection until the first picture, then the collector is as the process had it."""

from __future__ import annotations

import gc

from annplay.app import PlaygroundApp

from .conftest import ready, wait_until


class Watched(PlaygroundApp):
    """Records whether the collector ran automatically while the screen was being built."""

    def on_mount(self) -> None:             # Textual calls PlaygroundApp.on_mount too
        self.collecting_at_mount = gc.isenabled()


async def test_no_collection_while_starting_then_collecting_again():
    assert gc.isenabled()
    app = Watched()
    async with app.run_test(size=(40, 20)) as pilot:
        await ready(pilot)
        assert app.collecting_at_mount is False
        await wait_until(pilot, gc.isenabled, "the collector after the first picture")
    assert gc.isenabled()


class EndsAtOnce(PlaygroundApp):
    """Leaves as soon as it runs (a signal at start), before the playground draws anything."""

    def on_load(self) -> None:              # then PlaygroundApp.on_load turns the collector off
        self.exit()


async def test_an_app_that_ends_before_its_first_picture_leaves_the_collector_on():
    app = EndsAtOnce()
    async with app.run_test(size=(40, 20)):
        pass
    assert gc.isenabled()


async def test_a_collector_the_process_turned_off_stays_off():
    gc.disable()
    try:
        app = Watched()
        async with app.run_test(size=(40, 20)) as pilot:
            await ready(pilot)
            await pilot.pause(0.05)
        assert not gc.isenabled()
    finally:
        gc.enable()
