"""Driving ``annplay serve`` from tests and benchmarks: the server with its token, headless Chromium over its
DevTools protocol (aiohttp's websocket client: no browser driver is downloaded), and one tab as a :class:`Page`.

Only loopback addresses are ever used.
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
  window.__annplay = {text: "", watch: null, seen: null};
  const decoder = new TextDecoder();
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data !== "string") {
          window.__annplay.text += decoder.decode(new Uint8Array(event.data), {stream: true});
          const watch = window.__annplay.watch;           // benchmarks: when a text first arrives
          if (watch && window.__annplay.seen === null && window.__annplay.text.includes(watch)) {
            window.__annplay.seen = performance.now();
          }
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


def proc_stat() -> Iterator[tuple[int, list[str]]]:
    """(pid, the fields of ``/proc/PID/stat`` after the command name) of every live process (Linux)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            yield int(entry), fields


def children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is ``pid``."""
    return [child for child, fields in proc_stat() if int(fields[1]) == pid and fields[0] != "Z"]


def chromium_path() -> str | None:
    """The Chromium to drive, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    """A TCP port free on loopback just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(proc: subprocess.Popen) -> None:
    """End a process started in its own session, and everything it started (its process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)             # what it started may outlive it
    proc.wait(timeout=15)


def home_env(home: Path) -> dict[str, str]:
    """This environment with HOME (and so the app's preference files) in the test's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"                       # its first line reaches the log at once
    return env


class Deadline:
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


class Served:
    """``annplay serve`` running in a folder (its cwd and HOME): its process, URLs (with the token) and log."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.log = folder / "serve.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "annplay", "serve", "--port", str(self.port), *args],
                                         cwd=folder, env=home_env(folder), stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=out, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}/"
        deadline = Deadline()
        while "teacher?key=" not in self.output():
            assert self.proc.poll() is None, f"annplay serve exited {self.proc.returncode}:\n{self.output()}"
            deadline.check(f"annplay serve never said where it serves:\n{self.output()}")
            deadline.pause()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/\S*)", self.output())
        assert found, self.output()
        self.url = found.group(1)                                       # with ?token=… unless --no-token
        teacher = re.search(r"(http://127\.0\.0\.1:\d+/teacher\?key=\S+)", self.output())
        assert teacher, self.output()
        self.teacher = teacher.group(1)
        self.token = self.url.split("token=", 1)[1] if "token=" in self.url else ""

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        stop(self.proc)


class Chromium:
    """Headless Chromium with a fresh profile: its DevTools port."""

    def __init__(self, folder: Path) -> None:
        path = chromium_path()
        assert path, "no Chromium"
        profile = folder / "chromium-profile"
        profile.mkdir(exist_ok=True)
        self.log = folder / "chromium.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([path, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        active = profile / "DevToolsActivePort"
        deadline = Deadline()
        while not (active.is_file() and len(active.read_text().split()) >= 2):
            assert self.proc.poll() is None, (f"Chromium exited {self.proc.returncode}:\n"
                                              f"{self.log.read_text(errors='replace')[-3000:]}")
            deadline.check("Chromium never wrote DevToolsActivePort")
            deadline.pause()
        self.port = int(active.read_text().split()[0])

    def stop(self) -> None:
        stop(self.proc)


class Page:
    """One Chromium tab, over the DevTools protocol (commands and their answers; events are skipped)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.last_id = 0
        self.browser: Page | None = None          # the browser's own connection (open_tab), kept open with the tab
        self.context = ""                         # its browser context (open_tab): cookies and storage

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
        deadline = Deadline(seconds)
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


def has(text: str) -> str:
    """A JavaScript test: the terminal has received ``text`` since the last ``forget``."""
    return f"window.__annplay.text.includes({json.dumps(text)})"


def commonest_background(stream: str) -> tuple[int, int, int]:
    """The background colour the app's output sets most often (24-bit SGR 48;2;r;g;b)."""
    colours = Counter(re.findall(r"48;2;(\d+);(\d+);(\d+)", stream))
    assert colours, f"no 24-bit background colours in the app's output: {stream[:300]!r}"
    r, g, b = colours.most_common(1)[0][0]
    return int(r), int(g), int(b)




async def open_tab(client: Any, devtools: int, *, downloads: Path | None = None, beside: Page | None = None) -> Page:
    """A new tab in its own browser context (its own cookies and local storage: another student), or in the context
    of the tab ``beside`` (the same student's second tab), recording what its terminal receives; ``downloads``:
    where its downloads go."""
    version = await (await client.get(f"http://127.0.0.1:{devtools}/json/version")).json()
    browser = Page(await client.ws_connect(version["webSocketDebuggerUrl"], max_msg_size=0))
    if beside is not None:
        context = beside.context
    else:
        context = (await browser.call("Target.createBrowserContext"))["browserContextId"]
    if downloads is not None:
        downloads.mkdir(parents=True, exist_ok=True)
        await browser.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads),
                           browserContextId=context)
    target = await browser.call("Target.createTarget", url="about:blank", browserContextId=context)
    ws = await client.ws_connect(f"ws://127.0.0.1:{devtools}/devtools/page/{target['targetId']}", max_msg_size=0)
    page = Page(ws)
    page.browser = browser
    page.context = context
    await page.call("Page.enable")
    await page.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_TERMINAL)
    return page


async def key_to_frame(page: Page, key: str, code: str, key_code: int, text: str) -> float:
    """Milliseconds from pressing ``key`` to the page's terminal receiving ``text`` (measured in the page)."""
    await page.evaluate(f"window.__annplay.text = ''; window.__annplay.seen = null; "
                        f"window.__annplay.watch = {json.dumps(text)}; window.__annplay.t0 = performance.now()")
    await page.press(key, code, key_code)
    await page.until("window.__annplay.seen !== null", f"{text!r} never arrived after {key!r}")
    return float(await page.evaluate("window.__annplay.seen - window.__annplay.t0"))
