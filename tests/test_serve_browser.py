"""``annplay serve`` in a real browser: headless Chromium opens the class link, the playground appears, the first
key works without a click, pins stay in their own browser session and files download to the browser.

Needs the ``web`` extra (textual-serve, which brings aiohttp: the test talks to Chromium over its DevTools protocol,
see ``servekit``) and Chromium (Debian's ``chromium``; ``.ci/run`` installs it when it can). Skipped, with the
reason, only when one of them is missing.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason='the browser test needs the web extra: pip install -e ".[test,web]"')
aiohttp = pytest.importorskip("aiohttp", reason="the browser test needs aiohttp (textual-serve brings it)")

from servekit import (  # noqa: E402
    DEADLINE,
    POLL,
    Chromium,
    Deadline,
    Page,
    Served,
    chromium_path,
    commonest_background,
    has,
    open_tab,
)

from annplay.widgets.stats import STATE_LOOK  # noqa: E402


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``annplay serve`` running in tmp_path (its cwd and HOME)."""
    if not hasattr(os, "killpg"):
        pytest.skip("the browser test starts process groups (POSIX only)")
    if chromium_path() is None:
        pytest.skip("the browser test needs Chromium (Debian: apt-get install chromium); .ci/run installs it")
    server = Served(tmp_path)
    try:
        yield server
    finally:
        server.stop()
        print(f"annplay serve's output (shown when the test fails):\n{server.output()[-3000:]}")


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[int]:
    """Headless Chromium with a fresh profile in tmp_path: its DevTools port."""
    browser = Chromium(tmp_path)
    try:
        yield browser.port
    finally:
        browser.stop()


async def _open(page: Page, url: str) -> None:
    """Open the class link and wait for the playground's screen (a first start once never showed it: reload)."""
    await page.call("Page.navigate", url=url)
    screen = has("Dataset") + " && " + has(STATE_LOOK["ready"][0])
    try:
        await page.until(screen, "the playground's screen never reached the page", DEADLINE / 2)
    except AssertionError:
        await page.call("Page.reload", ignoreCache=True)
        await page.until(screen, "the playground's screen never reached the page, even after a reload")
    await page.until("document.body.classList.contains('-first-byte')",
                     "the page never wrote the app's output into its terminal")


async def test_the_playground_opens_answers_keys_keeps_pins_apart_and_downloads(served: Served, chromium: int,
                                                                               tmp_path: Path) -> None:
    training = STATE_LOOK["running"][0]
    async with aiohttp.ClientSession() as client:
        a_files, b_files = tmp_path / "a-downloads", tmp_path / "b-downloads"
        a = await open_tab(client, chromium, downloads=a_files)
        b = await open_tab(client, chromium, downloads=b_files)
        await _open(a, served.url)
        assert await a.evaluate("document.querySelectorAll('#terminal canvas, #terminal .xterm-rows').length")
        background = commonest_background(await a.terminal_text())
        deadline = Deadline()
        while True:                                     # the app's own background fills much of the page
            (painted,), total = await a.pixels([background])
            if painted > total // 10:
                break
            deadline.check(f"the app's background {background} covers only {painted} of {total} pixels")
            await asyncio.sleep(POLL)

        # the first key works without a click: the page focuses the terminal itself
        await a.until("document.activeElement && document.activeElement.classList.contains('xterm-helper-textarea')",
                      "the page never focused its terminal")
        await a.forget()
        await a.press(" ", "Space", 32)
        await a.until(has(training), f"space never showed {training!r}")

        # a click that only focuses the page never reaches the app (on the map it would add a point)
        await a.evaluate("document.activeElement.blur()")
        await a.forget()
        for kind in ("mousePressed", "mouseReleased"):
            await a.call("Input.dispatchMouseEvent", type=kind, x=650, y=300, button="left", clickCount=1)
        assert await a.evaluate("document.activeElement.classList.contains('xterm-helper-textarea')")
        await a.press("y", "KeyY", 89)
        await a.until(has("Loss chart: "), "the key after the focus click never arrived")   # log or linear
        seen = await a.terminal_text()
        found = re.search(r"(?<!Clear )drawn", seen)                 # the data set's name (not the button)
        at = found.start() if found else -1
        assert at < 0, f"the focus click added a point: {seen[max(0, at - 300):at + 100]!r}"

        # b pins in session A; session B (another browser profile: another student) has no pins
        await a.forget()
        await a.press("b", "KeyB", 66)
        await a.until(has("Run pinned (1 pinned)"), "b never pinned the run")
        await _open(b, served.url)
        await b.forget()
        await b.press("u", "KeyU", 85)
        await b.until(has("No pinned runs yet"), "another session's Runs view shows session A's pin")
        assert "Pin 1" not in await b.terminal_text()

        # f: the screenshot downloads to A's browser, and nothing lands in the server's folder
        await a.forget()
        await a.press("f", "KeyF", 70)
        await a.until(has("your browser downloads it"), "f never said the screenshot downloads")
        deadline = Deadline()
        while not [p for p in a_files.glob("annplay-*.svg") if "</svg>" in p.read_text(errors="replace")]:
            deadline.check(f"the screenshot never arrived in A's downloads: {list(a_files.iterdir())}")
            await asyncio.sleep(POLL)
        assert not list(served.folder.glob("*.svg")), "a screenshot was written in the server's folder"
        assert not list(b_files.glob("*")), "session A's download went to session B"

        # a reload keeps A's pins (the session id lives in the page's local storage)
        await a.call("Page.reload", ignoreCache=True)
        await a.until(has(STATE_LOOK["ready"][0]), "the reloaded page never showed the playground")
        await a.forget()
        await a.press("u", "KeyU", 85)
        await a.until(has("Pin 1"), "the reload lost session A's pin (its Runs view lists no 'Pin 1')")
        assert "No pinned runs yet" not in await a.terminal_text()


async def test_two_tabs_of_one_browser_are_one_student_with_a_row_each(served: Served, chromium: int) -> None:
    """QA probe: all tabs of one browser shared one status (the teacher's rows all read the same numbers)."""
    async with aiohttp.ClientSession() as client:
        first = await open_tab(client, chromium)
        second = await open_tab(client, chromium, beside=first)            # the same student's second tab
        await _open(first, served.url)
        await _open(second, served.url)
        student = "window.localStorage.getItem('annplay-session')"
        tab = "window.sessionStorage.getItem('annplay-tab')"
        assert await first.evaluate(student) == await second.evaluate(student)
        assert await first.evaluate(tab) != await second.evaluate(tab)
        await first.forget()
        await first.press("b", "KeyB", 66)
        await first.until(has("Run pinned (1 pinned)"), "b never pinned the run")
        await second.forget()
        await second.press("u", "KeyU", 85)
        await second.until(has("Pin 1"), "the student's second tab does not list the first tab's pin")
        await first.forget()
        await first.press(" ", "Space", 32)
        await first.until(has(STATE_LOOK["running"][0]), "space never started the first tab's training")
        deadline = Deadline()
        while True:
            page = await (await client.get(served.teacher)).text()
            rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr><td>#.*?</tr>", page, re.S)]
            if sorted(row[3] for row in rows) == ["ready", "running"]:
                break
            deadline.check(f"the teacher's page has no row per tab with its own state: {rows}")
            await asyncio.sleep(POLL)
        assert sum(", tab 2" in row[0] for row in rows) == 1, rows
