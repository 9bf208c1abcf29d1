"""Several tabs of one browser under ``annplay serve``: one student (one folder: pins, preferences, HOME), but each
tab its own place in it (``tab-N``: status and saved files), so the teacher's page has a row per tab with that
tab's own numbers and lesson, and a second tab never writes over the first one's status or saves (QA probe)."""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from annplay.serve import keeping

NOW = 1_900_000_000.0


def test_a_students_tabs_have_their_own_folders_and_count_for_its_use_and_its_files(tmp_path: Path) -> None:
    student = tmp_path / ("s" * 22)
    student.mkdir()
    (student / "status.json").write_text('{"lesson": 2}')              # what an older annplay kept for the student
    (student / "files").mkdir()
    (student / "files" / "old.npz").write_bytes(b"x" * 100)
    one, two = keeping.prepare_tab(student, 1), keeping.prepare_tab(student, 2)
    assert one == student / "tab-1" and two == student / "tab-2" and (two / "files").is_dir()
    assert (one / "status.json").read_text() == '{"lesson": 2}' and (one / "files" / "old.npz").is_file()
    assert not (student / "status.json").exists()                       # tab 1 took over the student's place
    (two / "files" / "new.npz").write_bytes(b"x" * 100)
    os.utime(one / "files" / "old.npz", (NOW - 100, NOW - 100))
    os.utime(two / "files" / "new.npz", (NOW - 10, NOW - 10))
    assert keeping.trim_files(student, 150) == [one / "files" / "old.npz"]    # the student's oldest save first
    os.utime(student, (NOW - 20 * 86400, NOW - 20 * 86400))
    os.utime(one, (NOW - 20 * 86400, NOW - 20 * 86400))
    os.utime(two, (NOW - 86400, NOW - 86400))                            # a live tab renews its own folder
    assert keeping.last_used(student) == NOW - 86400
    assert keeping.tidy(tmp_path, now=NOW).expired == 0 and two.is_dir()
    (tmp_path / "elsewhere").mkdir()
    (student / "tab-3").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError):
        keeping.prepare_tab(student, 3)
    assert keeping.tab_folders(student) == [one, two]                  # a symlink is never a tab's folder


textual_serve = pytest.importorskip("textual_serve", reason='needs the web extra: pip install -e ".[test,web]"')
aiohttp = pytest.importorskip("aiohttp")

from servekit import Deadline, Served, children  # noqa: E402
from test_serve_security import browser, cookie, origin, until_no_children  # noqa: E402

from annplay.serve.limits import Config  # noqa: E402
from annplay.serve.server import ClassServer  # noqa: E402

SID = "m" * 22 + "-tabs-test"


def test_a_reload_keeps_its_tabs_place_and_a_duplicated_or_new_tab_gets_a_free_one(tmp_path: Path) -> None:
    server = ClassServer(Config(state_dir=tmp_path))

    def live(slot: int, sid: str = SID) -> None:
        server.services[f"{sid}{slot}"] = SimpleNamespace(sid=sid, slot=slot, ending=False)  # type: ignore[assignment]

    assert server.place_of(SID, "a" * 16) == 1
    live(1)
    assert server.place_of(SID, "b" * 16) == 2                         # a second tab
    live(2)
    assert server.place_of(SID, None) == 3                             # an old page's websocket: a free place too
    assert server.place_of("o" * 22, "b" * 16) == 1                    # another student
    server.services[f"{SID}2"].ending = True                             # type: ignore[attr-defined]
    assert server.place_of(SID, "b" * 16) == 2                         # tab b's reload: its own place again
    live(2)
    assert server.place_of(SID, "a" * 16) == 3                         # a duplicate of tab a (same id, a is live)
    del server.services[f"{SID}1"], server.services[f"{SID}2"]
    assert server.place_of(SID, "c" * 16) == 1                         # one tab at a time: always tab 1


def _environ(pid: int) -> dict[str, str]:
    """A process's environment ({} once it has gone)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            pairs = [item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item]
    except OSError:
        return {}
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in pairs}


async def _until_sessions(served: Served, count: int) -> list[dict[str, str]]:
    """The environments of the server's sessions once there are ``count``, each past its exec."""
    deadline = Deadline()
    while True:
        envs = [_environ(pid) for pid in children(served.proc.pid)]
        if len(envs) == count and all("ANNPLAY_SESSION_FOLDER" in env for env in envs):
            return envs
        deadline.check(f"{count} tabs, {len(envs)} sessions")
        await asyncio.sleep(0.2)


def _rows(page: str) -> list[list[str]]:
    """The teacher page's session rows, as the text of their cells."""
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr><td>#.*?</tr>", page, re.S)]


@pytest.mark.skipif(not (hasattr(os, "killpg") and os.path.isdir("/proc/self")), reason="POSIX, /proc")
async def test_each_tab_of_one_browser_is_its_own_row_with_its_own_numbers_and_folder(tmp_path: Path) -> None:
    served = Served(tmp_path)
    try:
        async with browser() as client:
            page = await (await client.get(served.url + "&lesson=3")).text()
            found = re.search(r'"/ws/" \+ "([^"]+)"', page)
            assert found, page[-800:]
            lesson_link = found.group(1)
            headers = {**cookie(served), **origin(served)}
            base = f"ws://127.0.0.1:{served.port}/ws"
            sockets = []
            # two tabs as an older page connects (no tab id), one as today's page does (its tab id in the path)
            for path in (f"none/{SID}", f"{lesson_link}/{SID}", f"none/{SID}/{'u' * 16}"):
                envs = await _until_sessions(served, len(sockets))
                folders = [env["ANNPLAY_SESSION_FOLDER"] for env in envs]
                assert len(set(folders)) == len(folders), f"the tabs share a folder: {folders}"
                sockets.append(await client.ws_connect(f"{base}/{path}?width=100&height=30", headers=headers))
            envs = await _until_sessions(served, 3)
            folders = {env["ANNPLAY_SESSION_FOLDER"] for env in envs}
            assert len(folders) == 3, f"the tabs share a folder: {folders}"
            assert len({env["HOME"] for env in envs}) == 1                  # one student: one HOME (pins, preferences)
            assert {Path(folder).parent for folder in folders} == {Path(envs[0]["HOME"]).parent}
            await sockets[0].send_str(json.dumps(["stdin", " "]))          # the first tab trains
            deadline = Deadline()
            while True:
                rows = _rows(await (await client.get(served.teacher)).text())
                lessons = sorted(row[1].startswith("3: ") for row in rows)
                states = sorted(row[3] for row in rows)
                if len(rows) == 3 and lessons == [False, False, True] and states.count("running") == 1 \
                        and states.count("ready") == 2:
                    break
                deadline.check(f"the teacher's rows are not each tab's own: {rows}")
                await asyncio.sleep(0.5)
            assert len({row[0] for row in rows}) == 3, rows
            for ws in sockets:
                await ws.close()
            await until_no_children(served)
    finally:
        served.stop()
        print(served.output()[-2000:])


async def test_a_tab_that_closes_during_its_handshake_starts_nothing_and_raises_nothing(tmp_path: Path,
                                                                                      monkeypatch) -> None:
    """A probe closing 12 tabs at once: aiohttp logged 'Error handling request' with a traceback for a websocket
    whose tab closed while it was prepared (ClientConnectionResetError)."""
    from aiohttp import web
    from aiohttp.client_exceptions import ClientConnectionResetError
    from aiohttp.test_utils import make_mocked_request

    async def closing(self, request):                                     # what aiohttp raises then
        raise ClientConnectionResetError("Cannot write to closing transport")

    monkeypatch.setattr(web.WebSocketResponse, "prepare", closing)
    server = ClassServer(Config(state_dir=tmp_path, token=None))
    tab = "t" * 16
    request = make_mocked_request("GET", f"/ws/none/{SID}/{tab}?width=80&height=24",
                                  headers={"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"},
                                  match_info={"launch": "none", "sid": SID, "tab": tab})
    # a plain answer (an HTTP error aiohttp sends, or drops quietly on a closed connection): the half-prepared
    # websocket, returned, failed again in aiohttp's finish ('Call .prepare() first', logged as unhandled)
    with pytest.raises(web.HTTPBadRequest):
        await server.handle_websocket(request)
    assert not server.services and not (tmp_path / SID).exists()       # no session, no folder for it
