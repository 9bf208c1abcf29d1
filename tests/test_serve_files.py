"""Where files go: the file policy (annplay.core.filepolicy) and, behind ``annplay serve``, the app's save and
open dialogs confined to the session's folder, every save handed to the browser (issue 16; issue 19: 3.2, 3.9)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from textual.widgets import Input
from ui.conftest import ready, record_notifications, wait_until

from annplay.app import PlaygroundApp
from annplay.core import filepolicy
from annplay.core.filepolicy import FilePolicy
from annplay.engine.setup import Setup
from annplay.engine.setupfile import parse_setup_text, read_setup_file, write_setup

HOSTILE_NAMES = ["/etc/passwd", "/tmp/annplay-escape.toml", "~/x.toml", "~nouser/x.toml", "../x.toml",
                 "a/../../x.toml", "..", "sub/../../x.toml", "//etc/x", "\\\\server\\share\\x"]


@pytest.fixture
def served(tmp_path: Path, monkeypatch):
    """The served policy for this test: (scratch folder, list of delivered files); back to local afterwards."""
    folder = tmp_path / "session" / "files"
    folder.mkdir(parents=True)
    delivered: list[Path] = []
    old = filepolicy.use(FilePolicy(folder=folder, deliver=delivered.append))
    monkeypatch.chdir(tmp_path)
    yield folder, delivered
    filepolicy.use(old)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_served_name_cannot_leave_the_session_folder(name: str, served) -> None:
    folder, _ = served
    with pytest.raises(ValueError) as info:
        filepolicy.policy().path(name)
    assert "\n" not in str(info.value)


def test_a_symlink_out_of_the_folder_is_refused(served, tmp_path: Path) -> None:
    folder, _ = served
    (folder / "out").symlink_to(tmp_path)
    (folder / "shadow").symlink_to("/etc/passwd")
    for name in ("out/x.toml", "shadow"):
        with pytest.raises(ValueError, match="outside its folder"):
            filepolicy.policy().path(name)
    inside = filepolicy.policy().path("sub/ok.toml")
    assert inside.parent.parent == folder.resolve()
    assert filepolicy.policy().shown(inside) == "sub/ok.toml"
    assert str(tmp_path) not in filepolicy.policy().clean(f"{folder.resolve()}/x: no such file")


def test_locally_an_unknown_user_is_one_line_not_a_crash() -> None:
    with pytest.raises(ValueError, match="no user"):
        FilePolicy().path("~nouser-annplay/x.toml")


def test_a_set_up_file_names_its_csv_and_model_inside_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b,y\n0,1,0\n1,0,1\n")
    good = parse_setup_text('[setup]\ncsv = "data.csv"\n[model]\nfile = "w.npz"\n', "run.toml", folder=tmp_path)
    assert good.setup.csv == str(tmp_path.resolve() / "data.csv") and good.model == tmp_path.resolve() / "w.npz"
    for csv in ("/etc/passwd", "../data.csv", "~/data.csv", "sub/../../x.csv"):
        with pytest.raises(ValueError) as info:
            parse_setup_text(f'[setup]\ncsv = "{csv}"\n', "run.toml", folder=tmp_path)
        assert "run.toml" in str(info.value) and "root" not in str(info.value)
    with pytest.raises(ValueError, match="cannot name a file"):
        parse_setup_text('[setup]\ncsv = "data.csv"\n', "pasted")
    with pytest.raises(ValueError):
        parse_setup_text('[setup]\ndataset = "xor"\n[model]\nfile = "/etc/passwd"\n', "run.toml", folder=tmp_path)
    (tmp_path / "link.csv").symlink_to("/etc/passwd")
    with pytest.raises(ValueError, match="outside its folder"):
        parse_setup_text('[setup]\ncsv = "link.csv"\n', "run.toml", folder=tmp_path)


def test_writing_a_set_up_names_its_files_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    setup = Setup(csv=str(tmp_path / "sub" / "d.csv"))
    path = write_setup(tmp_path / "run.toml", setup, model=tmp_path / "sub" / "w.npz")
    text = path.read_text()
    assert 'csv = "sub/d.csv"' in text and 'file = "sub/w.npz"' in text and str(tmp_path) not in text
    with pytest.raises(ValueError, match="not in the set-up file's folder"):
        write_setup(tmp_path / "sub" / "run.toml", Setup(csv=str(tmp_path / "d.csv")))
    assert read_setup_file(path).setup.csv == str((tmp_path / "sub" / "d.csv").resolve())


def test_the_cli_refuses_a_share_code_naming_a_file(capsys) -> None:
    from annplay.cli import main

    for command in (["train", "--setup", "ap1:csv=/etc/passwd;cx=root"], ["play", "ap1:csv=/etc/shadow"],
                    ["sweep", "--setup", "ap1:csv=/etc/passwd", "--vary", "lr=0.1,0.3"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "cannot name files" in err and "root:" not in err


def test_a_screenshot_on_a_full_disk_leaves_no_empty_file_and_names_it(tmp_path: Path, monkeypatch) -> None:
    import annplay.engine.safefile as safefile

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(safefile.os, "fsync", full)
    with pytest.raises(ValueError) as info:
        FilePolicy().new_file("annplay", ".svg", b"<svg/>", cwd=tmp_path)
    assert "annplay-1.svg" in str(info.value) and "No space left" in str(info.value)
    assert list(tmp_path.iterdir()) == []


async def _type_name(pilot, name: str) -> None:
    """Replace the open dialog's file name and press enter."""
    await wait_until(pilot, lambda: bool(pilot.app.screen.query(Input)), "a file-name dialog")
    pilot.app.screen.query_one(Input).value = name
    await pilot.press("enter")


async def test_served_saves_stay_in_the_session_folder_and_download(served, tmp_path: Path) -> None:
    folder, delivered = served
    app = PlaygroundApp(Setup(dataset="xor", hidden=(3,)))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        for name in HOSTILE_NAMES:
            assert screen.setups.save_setup(name, "w.npz" if name.endswith(".toml") else None) is None, name
            assert notes[-1].severity == "error" and str(tmp_path) not in notes[-1].message
        assert not (tmp_path / "x.toml").exists() and not Path("/tmp/annplay-escape.toml").exists()
        assert delivered == []
        assert screen.setups.save_setup("run.toml", "run.npz") == folder.resolve() / "run.toml"
        assert sorted(p.name for p in delivered) == ["run.npz", "run.toml"]
        assert "your browser downloads it" in notes[-1].message and str(folder) not in notes[-1].message
        assert "it))" not in notes[-1].message                  # no nested '(… (your browser downloads it))'
        for key, name in (("e", "/tmp/annplay-escape.json"), ("s", "../w.npz"), ("e", "weights.json"),
                          ("s", "w.npz")):
            await pilot.press(key)
            await _type_name(pilot, name)
        await wait_until(pilot, lambda: len(delivered) == 4, "the exports")
        assert [p.name for p in delivered[2:]] == ["weights.json", "w.npz"]
        assert all(p.parent == folder.resolve() for p in delivered)
        assert not Path("/tmp/annplay-escape.json").exists() and not (folder.parent / "w.npz").exists()
        await pilot.press("f")
        await wait_until(pilot, lambda: len(delivered) == 5, "the screenshot")
        assert delivered[-1].name == "annplay-1.svg" and delivered[-1].read_text().lstrip().startswith("<svg")
        assert not list(tmp_path.glob("*.svg"))


async def test_served_opens_read_only_the_session_folder_and_codes_name_no_file(served, tmp_path: Path) -> None:
    folder, _ = served
    secret = tmp_path / "secret.csv"
    secret.write_text("x1,x2,label\n1,2,hunter2\n")
    (folder / "mine.toml").write_text('[setup]\ndataset = "xor"\n')
    (folder / "bad.toml").write_text(f'[setup]\ncsv = "{secret}"\n')
    app = PlaygroundApp(Setup(dataset="circle"))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        for text in (f"ap1:csv={secret}", f"ap1:csv={secret};cy=label", str(secret), "../secret.csv",
                     "bad.toml", "~/.ssh/id_ed25519"):
            assert not screen.setups.open_setup(text), text
            assert notes[-1].severity == "error" and "hunter2" not in notes[-1].message
            assert str(folder) not in notes[-1].message, notes[-1].message      # the server's folder: never
            assert screen.session.setup.dataset == "circle"
        assert screen.setups.open_setup("mine.toml") and screen.session.setup.dataset == "xor"


async def test_a_refused_name_is_shown_as_typed_in_open_save_and_export(served) -> None:
    """QA probe: the open dialog said "'…' is not allowed here" for ../../../../../../tmp/probe/xor.toml (the
    file-content redaction hid the '..' the student typed)."""
    long = "d" * 50 + "/../" + "e" * 50 + ".toml"
    app = PlaygroundApp(Setup(dataset="circle"))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        markup: list[object] = []
        recorded = app.notify
        app.notify = lambda message, **kwargs: (markup.append(kwargs.get("markup", True)),  # type: ignore[method-assign]
                                                recorded(message, **kwargs))
        for name, why in (("../../../../../../tmp/probe/xor.toml", "'..' is not allowed"),
                          ("~/x.toml", "'~' is not allowed"), ("/etc/x.toml", "an absolute path"),
                          ("[b]x[/b]/'a'/../y.toml", "'..' is not allowed")):
            assert not screen.setups.open_setup(name), name
            assert notes[-1].message == f"set-up file {name}: {why} here; give a name inside the folder" \
                if why != "an absolute path" else notes[-1].message.startswith(f"set-up file {name}: {why}")
            assert markup[-1] is False                                   # [b] is shown, not drawn bold
        assert not screen.setups.open_setup(long)
        shown = notes[-1].message
        assert shown.startswith("set-up file " + "d" * 39 + "…") and ("e" * 15 + ".toml: '..'") in shown, shown
        assert screen.setups.save_setup("../up.toml", None) is None
        assert notes[-1].message.startswith("set-up file ../up.toml: '..' is not allowed"), notes[-1].message
        await pilot.press("e")
        await _type_name(pilot, "../w.json")
        await wait_until(pilot, lambda: "../w.json" in notes[-1].message, "the export's refusal")
        assert "'..' is not allowed" in notes[-1].message, notes[-1].message


async def test_locally_a_set_up_saved_to_an_unknown_users_home_is_one_line(tmp_path: Path, monkeypatch) -> None:
    """Issue 19, 3.2: a, '~nouser/x.toml', enter, enter exited the app (RuntimeError from expanduser)."""
    monkeypatch.chdir(tmp_path)
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        await pilot.press("a")
        await _type_name(pilot, "~nouser-annplay/x.toml")       # refused at once, before the weights question
        await wait_until(pilot, lambda: bool(notes), "a line")
        assert notes[-1].severity == "error" and "no user" in notes[-1].message
        assert app.is_running and screen.is_current


async def test_a_set_up_save_on_a_full_disk_names_the_file(tmp_path: Path, monkeypatch) -> None:
    """Issue 19, 3.9: the set-up save's 'No space left on device' named no file."""
    import annplay.engine.setupfile as setupfile

    def full(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(setupfile, "write_setup", full)
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        assert screen.setups.save_setup("class.toml") is None
        assert notes[-1].severity == "error" and "class.toml" in notes[-1].message
        assert "No space left" in notes[-1].message


async def test_served_error_lines_quote_no_file_content(served, tmp_path: Path) -> None:
    """Issue 16: an error line never quotes a file's content in serve mode (a cell, a header); locally it may."""
    from annplay.core.filepolicy import redact

    folder, _ = served
    (folder / "cells.csv").write_text("x1,x2,label\n1,hunter2,0\n2,3,1\n3,4,0\n4,5,1\n")
    (folder / "header.csv").write_text("root:*:20228,label\nabc,0\ndef,1\n")
    for name in ("cells", "header"):
        (folder / f"{name}.toml").write_text(f'[setup]\ncsv = "{name}.csv"\n')
    (folder / "keys.toml").write_text('[setup]\ndataset = "xor"\nhunter2 = 1\n')
    app = PlaygroundApp(Setup(dataset="circle"))
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        notes = record_notifications(app)
        for name in ("cells.toml", "header.toml", "keys.toml"):
            assert not screen.setups.open_setup(name), name
            assert notes[-1].severity == "error" and name.split(".")[0] in notes[-1].message, notes[-1].message
            for secret in ("hunter2", "root:*", "20228"):
                assert secret not in notes[-1].message, notes[-1].message
        assert screen.session.setup.dataset == "circle"
    local = "cells.csv line 2, column 'x2': 'hunter2' is not a number; available columns: x1, x2, label"
    assert redact(local) == "cells.csv line 2, column '…': '…' is not a number; available columns: …"
    assert redact("can't open the session's file") == "can't open the session's file"       # apostrophes stay
    assert filepolicy.FilePolicy().clean(local) == local                                    # locally: as it is


@pytest.mark.parametrize("serve", [True, False])
async def test_a_set_ups_pasted_text_opens_in_the_open_dialog(serve: bool, tmp_path: Path, monkeypatch) -> None:
    """Issue 16: opening reads what the student pastes: a share code, a TF link, or a set-up file's TOML text."""
    from textual import events

    from annplay.engine.setupfile import toml_text

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "files"
    folder.mkdir()
    old = filepolicy.use(FilePolicy(folder=folder, deliver=lambda path: None) if serve else FilePolicy())
    try:
        app = PlaygroundApp(Setup(dataset="circle"))
        async with app.run_test(size=(40, 20)) as pilot:
            screen = await ready(pilot)
            notes = record_notifications(app)
            for text, dataset in (("[setup]\r\ncsv = \"/etc/passwd\"\r\n", "circle"),
                                  (toml_text(Setup(dataset="xor", hidden=(5,), lr=0.1)), "xor")):
                await pilot.press("i")
                await wait_until(pilot, lambda: bool(pilot.app.screen.query(Input)), "the open dialog")
                pilot.app.screen.query_one(Input).post_message(events.Paste(text))
                await wait_until(pilot, lambda: bool(notes), "a line saying what happened")
                assert screen.is_current and screen.session.setup.dataset == dataset, notes[-1].message
                notes.clear()
            assert screen.session.setup.hidden == (5,) and screen.session.setup.lr == 0.1
    finally:
        filepolicy.use(old)
