"""``annplay serve`` in a real browser: headless Chromium opens the page, the playground's screen appears, keys work.

Needs the ``web`` extra (textual-serve, which brings aiohttp: this test talks to Chromium over its DevTools
protocol with aiohttp's websocket client, so no browser driver is downloaded) and Chromium (Debian's ``chromium``
package; ``.ci/run`` installs it when it can). Skipped, with the reason, only when one of them is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("textual_serve", reason='the browser test needs the web extra: pip install -e ".[test,web]"')
aiohttp = pytest.importorskip("aiohttp", reason="the browser test needs aiohttp (textual-serve brings it)")

from annplay.widgets.stats import STATE_LOOK  # noqa: E402

DEADLINE = 90.0                     # seconds for anything to happen: generous, for a slow 2-core machine
POLL = 0.2
WINDOW = (1000, 700)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                  "--disable-extensions",
                  "--remote-debugging-port=0", f"--window-size={WINDOW[0]},{WINDOW[1]}")

# Installed before the page's own scripts: keeps, as text, what the page's terminal websocket receives.
RECORD_TERMINAL = r"""
(() => {
  window.__annplay = {text: ""};
  const decoder = new TextDecoder();
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data !== "string") {
          window.__annplay.text += decoder.decode(new Uint8Array(event.data), {stream: true});
        }
      });
    }
  };
})();
"""

# What the page shows, for failure messages: its body's classes and the end of what its terminal received.
SEEN = ("JSON.stringify({body: document.body.className, "
        "received: window.__annplay ? window.__annplay.text.slice(-1500) : 'nothing recorded'})")

# How many pixels of a screenshot (a PNG data URL) are within 2 of each of the given colours.
COUNT_PIXELS = r"""
(async (url, colours) => {
  const image = new Image();
  image.src = url;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const counts = colours.map(() => 0);
  for (let i = 0; i < data.length; i += 4) {
    colours.forEach(([r, g, b], k) => {
      if (Math.abs(data[i] - r) <= 2 && Math.abs(data[i + 1] - g) <= 2 && Math.abs(data[i + 2] - b) <= 2) {
        counts[k] += 1;
      }
    });
  }
  return {counts: counts, total: canvas.width * canvas.height};
})
"""


def _chromium() -> str:
    """The Chromium to drive (skip, saying how to get one, when there is none)."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("the browser test needs Chromium (Debian: apt-get install chromium); .ci/run installs it when it can")


def _free_port() -> int:
    """A TCP port free on loopback just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(proc: subprocess.Popen) -> None:
    """End a process started in its own session, and everything it started (its process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)             # what it started may outlive it
    proc.wait(timeout=15)


def _home_env(home: Path) -> dict[str, str]:
    """This environment with HOME (and so the app's preference files) in the test's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"                       # its first line reaches the log at once
    return env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``annplay serve --port P`` running in tmp_path (its cwd and HOME): (its URL, its folder)."""
    if not hasattr(os, "killpg"):
        pytest.skip("the browser test starts process groups (POSIX only)")
    _chromium()                             # skip before starting anything when there is no browser
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "annplay", "serve", "--port", str(port)], cwd=tmp_path,
                                env=_home_env(tmp_path), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True)
    try:
        _wait_for_port(proc, port, log)
        deadline = _Deadline()
        while f"http://127.0.0.1:{port}/" not in log.read_text(errors="replace"):   # loopback by default
            deadline.check(f"annplay serve never said it serves on 127.0.0.1:\n{log.read_text(errors='replace')}")
            deadline.pause()
        yield f"http://127.0.0.1:{port}/", tmp_path
    finally:
        _stop(proc)
        print(f"annplay serve's output (shown when the test fails):\n{log.read_text(errors='replace')[-3000:]}")


def _wait_for_port(proc: subprocess.Popen, port: int, log: Path) -> None:
    """Poll until the server accepts connections on 127.0.0.1:port (fail, with its output, if it ends first)."""
    loop_deadline = _Deadline()
    while True:
        assert proc.poll() is None, f"annplay serve exited {proc.returncode}:\n{log.read_text(errors='replace')}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return
        except OSError:
            pass
        loop_deadline.check(f"annplay serve never listened on 127.0.0.1:{port}:\n{log.read_text(errors='replace')}")
        loop_deadline.pause()


class _Deadline:
    """Polling with one generous deadline (no fixed waits: each loop ends as soon as its condition holds)."""

    def __init__(self, seconds: float = DEADLINE) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self, what: str) -> None:
        """Fail with ``what`` once the deadline has passed."""
        assert time.monotonic() < self.end, f"after {self.seconds:.0f} s: {what}"

    def pause(self) -> None:
        """One short poll interval (blocking: for code outside the event loop)."""
        time.sleep(POLL)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[int]:
    """Headless Chromium with a fresh profile in tmp_path: its DevTools port."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    log = tmp_path / "chromium.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
    try:
        active = profile / "DevToolsActivePort"
        deadline = _Deadline()
        while not (active.is_file() and len(active.read_text().split()) >= 2):
            assert proc.poll() is None, (f"Chromium exited {proc.returncode} before it opened its DevTools port:\n"
                                         f"{log.read_text(errors='replace')[-3000:]}")
            deadline.check("Chromium never wrote DevToolsActivePort")
            deadline.pause()
        yield int(active.read_text().split()[0])
    finally:
        _stop(proc)


class Page:
    """One Chromium tab, over the DevTools protocol (commands and their answers; events are skipped)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.last_id = 0

    async def call(self, method: str, **params: Any) -> dict:
        """Send one command and return its result (an AssertionError for a protocol error)."""
        self.last_id += 1
        ident = self.last_id
        await self.ws.send_json({"id": ident, "method": method, "params": params})
        while True:
            message = await asyncio.wait_for(self.ws.receive_json(), DEADLINE)
            if message.get("id") == ident:
                assert "error" not in message, f"{method}: {message['error']}"
                return message["result"]

    async def evaluate(self, expression: str, *, await_promise: bool = False) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                                 awaitPromise=await_promise)
        assert "exceptionDetails" not in result, f"{expression[:80]}: {result['exceptionDetails']}"
        return result["result"].get("value")

    async def until(self, expression: str, what: str, seconds: float = DEADLINE) -> Any:
        """Poll a JavaScript expression until it is truthy (fail, saying ``what``, after ``seconds``)."""
        deadline = _Deadline(seconds)
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() >= deadline.end:
                seen = await self.evaluate(SEEN)
                deadline.check(f"{what}\npage: {seen}")
            await asyncio.sleep(POLL)

    async def press(self, key: str, code: str, key_code: int) -> None:
        """Type one key into the focused element, as a user's keyboard would."""
        await self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, text=key,
                        windowsVirtualKeyCode=key_code)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=key_code)

    async def terminal_text(self) -> str:
        """Everything the page's terminal websocket received since the last ``forget``."""
        return str(await self.evaluate("window.__annplay.text"))

    async def forget(self) -> None:
        """Start recording the terminal's input afresh."""
        await self.evaluate("window.__annplay.text = ''")

    async def pixels(self, colours: list[tuple[int, int, int]]) -> tuple[list[int], int]:
        """How many pixels of a screenshot of the page have each colour, and how many pixels it has."""
        shot = await self.call("Page.captureScreenshot", format="png")
        url = "data:image/png;base64," + shot["data"]
        found = await self.evaluate(f"{COUNT_PIXELS}({json.dumps(url)}, {json.dumps(colours)})", await_promise=True)
        return list(found["counts"]), int(found["total"])


def _has(text: str) -> str:
    """A JavaScript test: the terminal has received ``text`` since the last ``forget``."""
    return f"window.__annplay.text.includes({json.dumps(text)})"


def _commonest_background(stream: str) -> tuple[int, int, int]:
    """The background colour the app's output sets most often (24-bit SGR 48;2;r;g;b)."""
    colours = Counter(re.findall(r"48;2;(\d+);(\d+);(\d+)", stream))
    assert colours, f"no 24-bit background colours in the app's output: {stream[:300]!r}"
    r, g, b = colours.most_common(1)[0][0]
    return int(r), int(g), int(b)


async def test_the_playground_opens_in_chromium_and_answers_keys(served: tuple[str, Path], chromium: int) -> None:
    url, folder = served
    ready, training = STATE_LOOK["ready"][0], STATE_LOOK["running"][0]
    async with aiohttp.ClientSession() as client:
        targets = await (await client.get(f"http://127.0.0.1:{chromium}/json/list")).json()
        tab = next(t for t in targets if t["type"] == "page")
        async with client.ws_connect(tab["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            page = Page(ws)
            await page.call("Page.enable")
            await page.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_TERMINAL)
            await page.call("Page.navigate", url=url)

            # the playground's screen reaches the page's terminal, and the page draws it.  A first start on a
            # fresh machine (fonts, bytecode) once never showed the screen: a person would reload, so does this.
            screen = _has("Dataset") + " && " + _has(ready)
            try:
                await page.until(screen, "the playground's screen never reached the page", DEADLINE / 2)
            except AssertionError:
                await page.call("Page.reload", ignoreCache=True)
                await page.until(screen, "the playground's screen never reached the page, even after a reload")
            await page.until("document.body.classList.contains('-first-byte')",
                             "the page never wrote the app's output into its terminal")
            assert await page.evaluate("document.querySelectorAll('#terminal canvas, #terminal .xterm-rows').length")
            background = _commonest_background(await page.terminal_text())
            deadline = _Deadline()
            while True:                                     # the app's own background fills much of the page
                (painted,), total = await page.pixels([background])
                if painted > total // 10:
                    break
                deadline.check(f"the app's background {background} covers only {painted} of {total} pixels")
                await asyncio.sleep(POLL)

            # space starts training: the state line says so
            await page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
            assert await page.evaluate("document.activeElement.classList.contains('xterm-helper-textarea')")
            await page.forget()
            await page.press(" ", "Space", 32)
            await page.until(_has(training), f"space never showed {training!r}")

            # f saves a screenshot of the playground in the server's folder
            assert not list(folder.glob("*.svg"))
            await page.press("f", "KeyF", 70)
            deadline = _Deadline()
            while not list(folder.glob("annplay-*.svg")):
                deadline.check("f never saved annplay-*.svg in the server's folder")
                await asyncio.sleep(POLL)
            shot = next(folder.glob("annplay-*.svg"))
            deadline = _Deadline()
            while "</svg>" not in shot.read_text(encoding="utf-8", errors="replace"):
                deadline.check(f"{shot.name} was never finished")
                await asyncio.sleep(POLL)
            assert shot.read_text(encoding="utf-8").lstrip().startswith("<svg")
