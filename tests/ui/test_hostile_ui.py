"""Hostile input in the app: markup-like names, the palette's paging race, quitting from every screen."""

from __future__ import annotations

import asyncio

import pytest
import textual._wait
import textual.app
import textual.pilot

from annplay.app import PlaygroundApp
from annplay.screens.dialogs import FileNameDialog
from annplay.screens.help import HelpScreen
from tests.ui.conftest import ready, wait_until


async def _no_idle_wait(*_args: object, **_kwargs: object) -> None:
    """Keys arrive as fast as a person mashing them: no wait for the screen to settle between presses."""
    await asyncio.sleep(0.002)


@pytest.fixture
def fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (textual._wait, textual.app, textual.pilot):
        monkeypatch.setattr(module, "wait_for_idle", _no_idle_wait)


@pytest.mark.parametrize("keys", [["pagedown"], ["pageup"], ["equals_sign", "pagedown"], ["equals_sign", "pageup"]])
async def test_palette_paging_at_once_does_not_crash(keys: list[str], fast_keys: None) -> None:
    """ctrl+p then pageup/pagedown at once: Textual 8.2.x raised KeyError: 0 in OptionList._move_page."""
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p", *keys)
        await pilot.press("pagedown", "pageup")
        await pilot.pause()
        assert app.is_running
        await pilot.press("escape")


async def test_q_quits_from_help() -> None:
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, "the app to quit")


async def test_escape_closes_help() -> None:
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen), "help to close")
        assert app.is_running


async def test_q_is_a_letter_in_a_file_dialog_and_escape_goes_back() -> None:
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, FileNameDialog), "the export dialog")
        await pilot.press("end", "q")
        assert app.is_running
        assert app.screen.query_one("Input").value.endswith("q")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, FileNameDialog), "the dialog to close")
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, "the app to quit")


@pytest.mark.parametrize("where", ["playground", "help", "dialog", "palette"])
async def test_ctrl_c_quits_from_every_screen(where: str) -> None:
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        opener = {"playground": [], "help": ["question_mark"], "dialog": ["e"], "palette": ["ctrl+p"]}[where]
        await pilot.press(*opener)
        await pilot.pause()
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running, "the app to quit")
