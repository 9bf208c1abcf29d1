"""The teacher's page (/teacher, its own key): one row per connected session with its lesson, goal, epoch and
test loss, live; the class link's token does not open it."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason='needs the web extra: pip install -e ".[test,web]"')
aiohttp = pytest.importorskip("aiohttp")

from servekit import Deadline, Served  # noqa: E402

from annplay.serve.pages import playground_page, teacher_page  # noqa: E402


def test_the_page_uses_the_address_the_browser_used() -> None:
    """--host 0.0.0.0 served a blank page: textual-serve wrote http://0.0.0.0:PORT into its script and style URLs."""
    page = playground_page("annplay", "launch", "s" * 22)
    assert 'src="/static/js/textual.js"' in page and 'href="/static/css/xterm.css"' in page
    assert "0.0.0.0" not in page and "http://" not in page and "window.location.host" in page


def test_the_page_escapes_what_sessions_report() -> None:
    page = teacher_page([{"name": "#1", "lesson": 3, "lesson_title": "<script>x</script>", "goal": "a & b",
                          "epoch": 12, "test_loss": 0.123456, "findings": ["<b>dead units</b>"], "time": 1.0}],
                        sessions=1, limit=40, now=3.0)
    assert "<script>x" not in page and "&lt;script&gt;" in page and "&lt;b&gt;dead" in page
    assert "0.1235" in page and "2 s ago" in page and "1 of at most 40" in page
    assert "No session is connected" in teacher_page([], sessions=0, limit=40)


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX only")
async def test_the_teacher_sees_each_session_live(tmp_path: Path) -> None:
    served = Served(tmp_path, "--lesson", "3")
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            assert (await client.get(served.teacher.split("?")[0] + "?key=" + served.token)).status == 403
            page = await client.get(served.url)
            assert page.status == 200
            headers = {"Origin": f"http://127.0.0.1:{served.port}"}
            ws = await client.ws_connect(f"ws://127.0.0.1:{served.port}/ws/x/{'t' * 24}?width=100&height=30",
                                         headers=headers)
            await ws.send_str(json.dumps(["stdin", " "]))                # start training
            deadline = Deadline()
            while True:
                text = await (await client.get(served.teacher)).text()
                if "<td>3: " in text and "1 of at most" in text:
                    break
                deadline.check(f"the teacher's page never showed the session on lesson 3:\n{text[-1500:]}")
                await asyncio.sleep(0.5)
            await ws.close()
            deadline = Deadline()
            while "No session is connected" not in (await (await client.get(served.teacher)).text()):
                deadline.check("the closed session stayed on the teacher's page")
                await asyncio.sleep(0.5)
    finally:
        served.stop()


def test_a_teachers_own_lesson_is_listed_by_its_title() -> None:
    """The teacher page listed a teacher's own lesson (number 0) as '0: <title>' (a QA probe)."""
    from annplay.serve.pages import teacher_page

    page = teacher_page([{"name": "#1", "lesson": 0, "lesson_title": "Our spiral"},
                         {"name": "#2", "lesson": 3, "lesson_title": "The spiral"}], sessions=2, limit=30, now=0.0)
    assert "<td>Our spiral</td>" in page and "0: Our spiral" not in page and "<td>3: The spiral</td>" in page

