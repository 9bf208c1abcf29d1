"""Messages: once, on the message line, with a title only when it adds words; never over the Runs list; file names
that cannot or must not be written are refused in one line."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from annplay.app import PlaygroundApp
from annplay.engine.network import MLP
from annplay.screens.dialogs import FileNameDialog
from annplay.screens.runs_view import RunsScreen
from annplay.widgets.messageline import MessageLine, worth_a_title
from annplay.widgets.weights import WeightEditor

from .conftest import SIZES, ready, record_notifications, screen_text, wait_until

ids = lambda s: f"{s[0]}x{s[1]}"     # noqa: E731


async def open_editor(pilot, screen) -> None:
    """w: the weight editor, open and drawn."""
    await pilot.press("w")
    await wait_until(pilot, lambda: screen.query(WeightEditor) and screen.panel == "weights", "the editor")


sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def test_a_title_shows_only_when_it_adds_something():
    assert not worth_a_title("Screenshot", "Screenshot saved: /tmp/a.svg")
    assert not worth_a_title("Pinned", "Run pinned (1 pinned); u shows them")
    assert not worth_a_title("Done", "Weights loaded from circle.npz")
    assert worth_a_title("Training diverged", "The loss became NaN at epoch 12")


async def test_messages_show_once_without_repeated_words(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        seen = record_notifications(app)
        line = screen.query_one(MessageLine)
        screen.notify("Run pinned (1 pinned); u shows them", title="Pinned")
        await wait_until(pilot, lambda: line.message != "", "the message line")
        assert line.message == "Run pinned (1 pinned); u shows them"
        await open_editor(pilot, screen)
        line.clear()
        screen.files.report("Weights loaded from circle.npz")
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert text.count("Weights loaded from circle.npz") == 1 and "Done" not in text
        assert any(n.message == "Weights loaded from circle.npz" for n in seen)     # still recorded by the app


async def test_toasts_never_cover_the_runs_list(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    app = PlaygroundApp()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await ready(pilot)
        screen.notify("Run pinned (1 pinned); u shows them", title="Pinned")
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen), "the Runs view")
        runs = app.screen
        runs.notify("Pinned runs cleared")
        await pilot.pause()
        listing = runs.query_one("#runs-list").region
        for toast in runs.query(Toast):
            assert toast.region.area == 0 or not toast.region.overlaps(listing)
        line = runs.query_one(MessageLine)
        assert line.message == "Pinned runs cleared" and not line.region.overlaps(listing)


@sizes
async def test_file_names_that_cannot_or_must_not_be_written(size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "data.csv").write_text("a,b,label\n1,2,0\n")
    (tmp_path / "folder").mkdir()
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("w")
        editor = screen.query_one(WeightEditor)

        async def give(key: str, name: str) -> str:
            app.clear_notifications()
            await pilot.press(key)
            assert isinstance(app.screen, FileNameDialog)
            app.screen.query_one("#dialog-input").value = name
            await pilot.press("enter")
            assert app.screen is screen
            return str(editor.query_one("#editor-message").render())

        for key in ("s", "e"):                            # somebody's data is never replaced
            message = await give(key, "data.csv")
            assert "not an annplay model" in message and "nothing written" in message
            assert (tmp_path / "data.csv").read_text() == "a,b,label\n1,2,0\n"
        for name in ("folder", "folder/", "."):
            message = await give("s", name)
            assert "is a folder" in message and ".tmp" not in message
        message = await give("e", "missing/x.json")
        assert "no folder missing" in message and ".tmp" not in message
        message = await give("e", "  ")
        assert "No file name" in message and editor.query_one("#editor-message").has_class("-error")
        message = await give("s", "~/mine.npz")              # ~ is the home folder, as in a shell
        assert MLP.load(tmp_path / "home" / "mine.npz").layers == screen.session.net.layers
        message = await give("s", "~/mine.npz")              # an annplay model may be replaced
        assert "saved" in message
        message = await give("o", "~/mine.npz")
        assert "loaded" in message
        assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


