"""A browser session's folder under ``annplay serve``: kept under the user's data folder across server restarts,
tidied by an expiry and size caps, and the session's HOME and XDG folders inside it (issue 16)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from annplay.serve import keeping

DAY = 86400.0
NOW = 1_900_000_000.0                  # a fixed "now": the policy is tested without the clock


def _session(state: Path, sid: str, used: float, files: dict[str, tuple[int, float]] = {}) -> Path:  # noqa: B006
    """A session folder last used at ``used``, with files/NAME of (size, mtime)."""
    folder = state / sid
    (folder / "files").mkdir(parents=True)
    for name, (size, mtime) in files.items():
        path = folder / "files" / name
        path.write_bytes(b"x" * size)
        os.utime(path, (mtime, mtime))
    os.utime(folder, (used, used))
    return folder


def test_old_folders_expire_saved_files_are_trimmed_and_live_or_foreign_entries_stay(tmp_path: Path) -> None:
    state = tmp_path / "serve-sessions"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not a session")
    old = _session(state, "o" * 22, NOW - (keeping.KEEP_DAYS + 1) * DAY)
    live = _session(state, "l" * 22, NOW - (keeping.KEEP_DAYS + 1) * DAY)
    fresh = _session(state, "f" * 22, NOW - DAY, {"a.npz": (600, NOW - 30), "b.npz": (600, NOW - 20),
                                                   "c.svg": (600, NOW - 10)})
    (state / ("s" * 22)).symlink_to(outside)               # named like a session, but a symlink: never followed
    (state / "notes").mkdir()                               # not a session id: not the server's to remove
    done = keeping.tidy(state, {"l" * 22}, now=NOW, files_cap_mb=1300 / (1 << 20))
    assert not old.exists() and live.exists() and (state / "notes").is_dir()
    assert (outside / "keep.txt").read_text() == "not a session" and (state / ("s" * 22)).is_symlink()
    assert sorted(p.name for p in (fresh / "files").iterdir()) == ["b.npz", "c.svg"]      # the oldest went first
    assert done.expired == 1 and done.files == 1 and done.over_cap == 0
    assert keeping.last_used(fresh) == NOW - DAY                                          # trimming is no use


def test_over_the_total_cap_the_least_recently_used_go_first(tmp_path: Path) -> None:
    state = tmp_path / "serve-sessions"
    folders = [_session(state, f"{n}" * 22, NOW - (10 - n) * DAY, {"w.npz": (1000, NOW - DAY)}) for n in range(5)]
    live = _session(state, "l" * 22, NOW - 20 * DAY, {"w.npz": (1000, NOW)})
    done = keeping.tidy(state, {"l" * 22}, now=NOW, total_cap_mb=4500 / (1 << 20))
    assert [f.exists() for f in folders] == [False, False, True, True, True] and live.exists()
    assert done.over_cap == 2 and done.expired == 0


def test_nothing_to_tidy_is_no_error(tmp_path: Path) -> None:
    assert keeping.tidy(tmp_path / "missing") == keeping.Tidied()
    assert keeping.trim_files(tmp_path) == []
    assert keeping.default_state_dir().name == "serve-sessions"


textual_serve = pytest.importorskip("textual_serve", reason='needs the web extra: pip install -e ".[test,web]"')
aiohttp = pytest.importorskip("aiohttp")

from servekit import Deadline, Served  # noqa: E402
from test_serve_security import browser, children, cookie, origin, until_no_children, ws_url  # noqa: E402

SID = "h" * 22 + "-state-test"


def _environ(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as f:
        pairs = [item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item]
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in pairs}


async def _session_pid(served: Served, client: aiohttp.ClientSession) -> tuple[object, int]:
    ws = await client.ws_connect(ws_url(served, SID), headers={**cookie(served), **origin(served)})
    deadline = Deadline()
    while not children(served.proc.pid):
        deadline.check("no session started")
        await asyncio.sleep(0.2)
    return ws, children(served.proc.pid)[0]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads a session's environment from /proc")
async def test_a_sessions_home_is_its_own_and_its_folder_survives_a_restart(tmp_path: Path) -> None:
    server = Served(tmp_path)
    folder = keeping.default_state_dir()
    try:
        async with browser() as client:
            ws, pid = await _session_pid(server, client)
            env = _environ(pid)
            folder = Path(env["ANNPLAY_SESSION_FOLDER"])                          # the student's first tab's
            assert (folder.name, folder.parent.name, folder.parent.parent.name) == ("tab-1", SID, "serve-sessions")
            assert str(folder).startswith(str(tmp_path / ".local" / "share"))        # the server user's data folder
            for name in ("HOME", "TMPDIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
                assert Path(env[name]).parent == folder.parent and Path(env[name]).is_dir(), name   # the student's
            assert "XDG_RUNTIME_DIR" not in env and env.get("PYTHONNOUSERSITE") == "1"
            (folder / "files" / "mine.toml").write_text('[setup]\ndataset = "xor"\n')
            await ws.close()
            await until_no_children(server)
    finally:
        server.stop()
        print(server.output()[-2000:])
    assert (folder / "files" / "mine.toml").is_file()                       # kept when the server stops
    again = Served(tmp_path)
    try:
        async with browser() as client:
            ws, pid = await _session_pid(again, client)
            assert Path(_environ(pid)["ANNPLAY_SESSION_FOLDER"]) == folder
            assert (folder / "files" / "mine.toml").is_file()               # and found by the next server
            await ws.close()
            await until_no_children(again)
    finally:
        again.stop()
