"""Pilot tests: the share panel (k), opening a set-up (i) and saving one (a), at phone and projector sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.engine.setupfile import read_setup_file
from annplay.engine.sharecode import decode, encode
from annplay.screens.share_view import ShareScreen

from .conftest import SIZES, ready, record_notifications, screen_text, wait_until

pytestmark = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


async def test_k_shows_and_copies_the_code_and_the_tf_link(size):
    app = PlaygroundApp(Setup(dataset="xor", lr=0.1))
    copied: list[str] = []
    app.copy_to_clipboard = copied.append                    # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ShareScreen), "the share panel")
        code = app.screen.query_one("#share-code", TextArea).text
        assert decode(code) == Setup(dataset="xor", lr=0.1) and copied == [code]
        assert app.screen.query_one("#share-link", TextArea).text.startswith("https://playground.tensorflow.org/#")
        text = "".join(line.strip() for line in screen_text(app))
        assert code[:20] in text                                 # wrapped, but all there to copy by hand
        assert all(len(line) <= size[0] for line in screen_text(app))
        await pilot.press("escape")
        assert not isinstance(app.screen, ShareScreen)


async def test_k_says_why_there_is_no_tf_link(size):
    app = PlaygroundApp(Setup(dataset="iris"))
    app.copy_to_clipboard = lambda text: None                # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ShareScreen), "the share panel")
        assert not app.screen.query("#share-link") and app.screen.why_no_link


async def open_text(pilot, text: str) -> None:
    await pilot.press("i")
    await wait_until(pilot, lambda: bool(pilot.app.screen.query(Input)), "the open dialog")
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")


async def test_i_opens_a_code_and_a_bad_code_changes_nothing(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        wanted = Setup(dataset="circle", hidden=(3,), lr=0.3)
        await open_text(pilot, encode(wanted))
        await wait_until(pilot, lambda: screen.session.setup == wanted, "the code adopted")
        assert screen.epoch == 0
        await open_text(pilot, "ap1:lr=banana")
        await wait_until(pilot, lambda: any(n.severity == "error" for n in notes), "an error")
        error = next(n for n in notes if n.severity == "error")
        assert "lr" in error.message and "\n" not in error.message
        assert screen.session.setup == wanted


async def test_i_opens_a_tf_link_with_hidden_fields(size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await open_text(pilot, "https://playground.tensorflow.org/#dataset=xor&learningRate=0.1&networkShape=4,2"
                               "&activation=relu&noise_hide=true")
        await wait_until(pilot, lambda: screen.session.setup.dataset == "xor", "the link adopted")
        assert screen.session.setup.hidden == (4, 2) and "noise" in screen.session.hidden


async def test_a_saves_the_setup_and_the_weights_and_i_reads_them_back(size, tmp_path: Path):
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,)))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("n", "n")
        toml, npz = tmp_path / "run.toml", tmp_path / "run.npz"
        assert screen.setups.save_setup(str(toml), str(npz)) == toml
        loaded = read_setup_file(toml)
        assert loaded.setup == screen.session.setup and loaded.model == npz and npz.exists()
        weights = screen.session.net.weights[0].copy()
        await pilot.press("r")                                # new weights
        assert not (screen.session.net.weights[0] == weights).all()
        assert screen.setups.open_setup(str(toml))
        assert (screen.session.net.weights[0] == weights).all()
        (tmp_path / "foreign.toml").write_text("not mine\n")
        notes = record_notifications(app)
        assert screen.setups.save_setup(str(tmp_path / "foreign.toml")) is None
        assert notes and notes[-1].severity == "error" and (tmp_path / "foreign.toml").read_text() == "not mine\n"


def test_the_weights_json_carries_the_setup(size, tmp_path: Path):
    import json

    from annplay.core.session import Session
    from annplay.engine.setupfile import setup_from_section

    session = Session(Setup(dataset="xor", hidden=(3,), lr=0.3))
    path = session.export_json(str(tmp_path / "w.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert setup_from_section(data["setup"], str(path)) == session.setup and "layers" in json.dumps(data)


async def test_the_app_passes_a_links_hidden_settings_to_the_session(size):
    app = PlaygroundApp(Setup(dataset="xor"), hidden={"noise"})
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        assert screen.session.hidden == frozenset({"noise"})


async def type_name(pilot, name: str) -> None:
    """Replace the open file dialog's name with ``name`` and press enter."""
    from annplay.screens.dialogs import FileNameDialog

    await wait_until(pilot, lambda: isinstance(pilot.app.screen, FileNameDialog), "the file name dialog")
    pilot.app.screen.query_one(Input).value = name
    await pilot.press("enter")
    await pilot.pause()


async def test_a_refused_setup_name_writes_nothing_and_one_name_never_takes_both_files(size, tmp_path: Path,
                                                                                       monkeypatch):
    """A probe's finds: a refused set-up name still wrote the weights first; the same name for both files left a
    TOML that named itself as the model; a .toml name for the weights took a zip."""
    from annplay.screens.dialogs import FileNameDialog

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("x,y,label\n0,0,a\n")
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,)))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        await pilot.press("a")
        await type_name(pilot, "data.csv")                 # not an annplay set-up: refused before the weights
        assert not isinstance(app.screen, FileNameDialog) and app.screen is screen
        assert notes[-1].severity == "error" and "data.csv" in str(notes[-1].message)
        assert (tmp_path / "data.csv").read_text() == "x,y,label\n0,0,a\n" and not (tmp_path / "data.npz").exists()
        for weights in ("same.toml", "other.toml"):
            await pilot.press("a")
            await type_name(pilot, "same.toml")
            await type_name(pilot, weights)
            assert notes[-1].severity == "error", notes[-1].message
            assert not (tmp_path / "same.toml").exists() and not (tmp_path / "other.toml").exists()
        await pilot.press("a")
        await type_name(pilot, "good.toml")
        await type_name(pilot, "good.npz")
        assert notes[-1].severity == "information" and (tmp_path / "good.npz").exists()
        assert read_setup_file(tmp_path / "good.toml").model == tmp_path / "good.npz"


async def test_a_links_locks_outlast_a_code_opened_with_i(size):
    """A class link's *_hide locks ended as soon as a student pasted any share code (a probe's find)."""
    link = ("https://playground.tensorflow.org/#learningRate=0.03&learningRate_hide=true&activation=tanh"
            "&activation_hide=true&networkShape=4,2")
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await open_text(pilot, link)
        await wait_until(pilot, lambda: screen.session.hidden >= {"lr", "activation"}, "the link's locks")
        await open_text(pilot, "ap1:ds=xor;h=8,8;a=relu;lr=3")
        await wait_until(pilot, lambda: screen.session.setup.dataset == "xor", "the code adopted")
        setup = screen.session.setup
        assert (setup.lr, setup.activation, setup.hidden) == (0.03, "tanh", (8, 8))
        assert screen.session.hidden >= {"lr", "activation"}
