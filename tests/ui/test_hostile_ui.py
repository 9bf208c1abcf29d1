"""Hostile input in the app: markup-like names, the palette's paging race, quitting from every screen."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest
import textual._wait
import textual.app
import textual.pilot

from annplay.app import PlaygroundApp
from annplay.screens.dialogs import FileNameDialog
from annplay.screens.help_view import HelpScreen
from tests.ui.conftest import ready, screen_text, wait_until


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


HOSTILE_NAMES = ["[", "[/]", "[bold", "[>x]", "\\[", "[-: no such file]"]


async def _through_dialog(pilot, key: str, name: str) -> None:
    """Open a file dialog with key, type name over the default, and press enter."""
    from textual.widgets import Input

    app = pilot.app
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, FileNameDialog), f"the dialog of {key}")
    app.screen.query_one(Input).value = ""
    await pilot.press(*[c if c.isalnum() else _key_name(c) for c in name], "enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, FileNameDialog), "the dialog to close")
    await pilot.pause()


def _key_name(char: str) -> str:
    from textual.keys import _character_to_key
    return _character_to_key(char)


@pytest.mark.parametrize("key", ["e", "s", "o"], ids=["export-json", "save-npz", "load-npz"])
async def test_markup_like_file_names_are_shown_as_typed(key: str, tmp_path, monkeypatch) -> None:
    """Names that look like Rich/Textual markup reach the toast and the editor's line as typed, never a crash."""
    from tests.ui.conftest import record_notifications, screen_text

    monkeypatch.chdir(tmp_path)
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        notes = record_notifications(app)
        await pilot.press("w")                           # the weight editor shows the result line too
        for name in HOSTILE_NAMES:
            await _through_dialog(pilot, key, name)
            assert app.is_running
            assert notes and name in notes[-1].message, (name, notes[-1].message if notes else None)
        assert HOSTILE_NAMES[-1] in "\n".join(screen_text(app))


@pytest.mark.parametrize("key", ["e", "o"], ids=["export", "import"])
async def test_unknown_user_and_fifo_give_one_line(key: str, tmp_path, monkeypatch) -> None:
    """~nosuchuser/x.json and a FIFO: one line in the app, never a crash or a frozen open()."""
    from tests.ui.conftest import record_notifications

    monkeypatch.chdir(tmp_path)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        notes = record_notifications(app)
        for name, says in [("~nosuchuser/x.json", "nosuchuser"), ("pipe.json", "FIFO")]:
            await _through_dialog(pilot, key, name)
            assert app.is_running
            assert notes[-1].severity == "error" and says in notes[-1].message and "\n" not in notes[-1].message
        assert fifo.exists() and stat.S_ISFIFO(fifo.stat().st_mode)   # never replaced by a regular file


async def test_markup_like_csv_column_and_class_names(tmp_path) -> None:
    """A CSV whose column and class names look like markup opens, draws and shows the names as written."""
    from annplay.engine.setup import Setup
    from tests.ui.conftest import screen_text

    path = tmp_path / "[bold.csv"
    rows = [f"{i % 7},{(i * 3) % 5},{HOSTILE_NAMES[i % 2 + 3]}" for i in range(40)]
    path.write_text("[,[/],[-: no such file]\n" + "\n".join(rows) + "\n")
    app = PlaygroundApp(Setup(csv=str(path), csv_y="[-: no such file]"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.session.prep.dataset.feature_names == ("[", "[/]")
        assert set(screen.session.prep.dataset.class_names) == {"[>x]", "\\["}
        await pilot.press("space", "question_mark", "escape", "v", "v", "w", "w", "space")
        await wait_until(pilot, lambda: screen.session.trainer.epoch > 0, "training")
        await pilot.pause()
        assert app.is_running
        shown = "\n".join(screen_text(app))
        for text in ("[bold.csv", "[>x]", "\\[", "↕ [/]", "↔ ["):       # file, class and column names as written
            assert text in shown, text


def test_a_deeply_nested_json_file_is_not_replaced(tmp_path) -> None:
    """An existing deeply nested JSON file is 'not annplay's' (was a RecursionError from json.loads)."""
    from annplay.core.weightfiles import export_json
    from annplay.engine.network import MLP

    path = tmp_path / "nested.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="not an annplay model"):
        export_json(MLP([2, 3, 1]), path)
    assert path.read_text().startswith("[[[")


def test_export_json_with_the_setup_reads_back(tmp_path) -> None:
    import json

    from annplay.core.weightfiles import export_json
    from annplay.engine.network import MLP
    from annplay.engine.setup import Setup

    path = export_json(MLP([2, 3, 1]), tmp_path / "w.json", Setup())
    assert json.loads(path.read_text())["setup"]["dataset"] == Setup().dataset
    assert MLP.load_json(path).layers == [2, 3, 1]
    export_json(MLP([2, 3, 1]), path)                    # an annplay export may be replaced


async def test_keys_typed_ahead_never_dismiss_the_playground(tmp_path, monkeypatch):
    """A QA probe typed 10,000 characters into the open dialog, then enter, escape, i, a name and enter before the
    app caught up: the dialog was dismissed twice and the second pop took the playground, leaving a blank screen.
    Here the same keys are queued at once (as a terminal delivers them)."""
    from textual import events

    monkeypatch.chdir(tmp_path)
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        await pilot.press("i")
        await pilot.pause()
        typed = [("left_square_bracket", "[") if c == "[" else (c, c) for c in "ab[" * 100]
        typed += [("enter", None), ("escape", None), ("i", "i")] + [(c, c) for c in "t6"] + [("enter", None)]
        for key, character in typed:
            app.post_message(events.Key(key, character))
        await wait_until(pilot, lambda: not app._message_queue.qsize() and app.screen is screen
                         and not screen._message_queue.qsize(), "the keys handled")
        await pilot.pause()
        assert app.screen is screen and screen in app.screen_stack
        assert any(line.strip() for line in screen_text(app))
