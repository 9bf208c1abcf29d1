"""``annplay serve`` for a class, measured in one run (issue 16): headless Chromium tabs, each its own student.

1. **Alone**: one session training; key-to-frame latency (``y`` toggles the chart's scale; the time until the page
   receives the message line saying so), its epochs/s (from the teacher's page) and its memory.
2. **Class**: N sessions (default 30) all training; the same latency for one of them, epochs/s of each, total and
   per-session memory (PSS of the session processes; Chromium's own memory is not counted).
3. **Start-up**: a new tab's time from navigation to the playground on its page, with the server already running
   (alone, and with the class training).
4. **Orphans**: K terminals killed at random moments (start-up and training, with and without SIGHUP); processes
   still alive 5 s later, for this tree and for ``--before TREE`` (another checkout, e.g. the commit before).

Anchor: the lone session's figures, measured in the same run. Load (``uptime``) is printed with each part.
Usage: ``python benchmarks/serve.py [--sessions 30] [--rounds 2] [--kills 12] [--before /path/to/old/checkout]``.
Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import aiohttp  # noqa: E402
from killkit import app_argv, end_all, kill_terminal, reap  # noqa: E402
from servekit import Chromium, Page, Served, children, has, key_to_frame, open_tab, proc_stat  # noqa: E402

READY = "Dataset"
FOCUSED = "document.activeElement && document.activeElement.classList.contains('xterm-helper-textarea')"
CLASS_TAB = (480, 360)              # CSS pixels of each other student's tab
TOGGLES = (("Loss chart: linear", "y"), ("Loss chart: log", "y"))   # the chart starts on a log scale


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1]


def pss_mb(pid: int) -> float:
    """Proportional set size of a process in MB (shared pages split between their users)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds the processes have used so far."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def group(pgid: int) -> list[int]:
    """The live processes of a process group (Chromium and its helpers)."""
    return [pid for pid, fields in proc_stat() if int(fields[2]) == pgid]


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def epochs(client: aiohttp.ClientSession, served: Served) -> dict[str, int]:
    """Each session's epoch from the teacher's page (sessions named #n (abcd…))."""
    text = await (await client.get(served.teacher)).text()
    rows = re.findall(r"<tr><td>(#\d+ \([^<]*\))</td>(.*?)</tr>", text)
    out = {}
    for name, rest in rows:
        cells = re.findall(r"<td>(.*?)</td>", rest)
        if len(cells) >= 4 and cells[3].isdigit():
            out[name] = int(cells[3])
    return out


async def rates(client: aiohttp.ClientSession, served: Served, seconds: float) -> list[float]:
    """Epochs per second of each session over ``seconds`` (the status is written every 2 s)."""
    first, t0 = await epochs(client, served), time.monotonic()
    await asyncio.sleep(seconds)
    last, t1 = await epochs(client, served), time.monotonic()
    return [(last[k] - first[k]) / (t1 - t0) for k in last if k in first]


async def open_playground(page: Page, url: str) -> float:
    """Seconds from navigation to the playground's screen on the page."""
    start = time.monotonic()
    await page.call("Page.navigate", url=url)
    await page.until(has(READY) + " && document.body.classList.contains('-first-byte') && " + FOCUSED,
                     "the playground never reached the page", 180)
    return time.monotonic() - start


async def latencies(page: Page, presses: int) -> list[float]:
    out = []
    for n in range(presses):
        text, key = TOGGLES[n % 2]
        out.append(await key_to_frame(page, key, "KeyY", 89, text))
        await asyncio.sleep(0.3)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def one_round(sessions: int, presses: int, folder: Path) -> dict[str, object]:
    served = Served(folder, "--max-sessions", str(sessions + 5))
    browser = Chromium(folder)
    result: dict[str, object] = {}
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            await client.get(served.url)
            probe = await open_tab(client, browser.port)
            result["startup_alone_s"] = await open_playground(probe, served.url)
            await probe.press(" ", "Space", 32)
            await asyncio.sleep(3)
            alone = await latencies(probe, presses)
            result["alone_p50_ms"], result["alone_p95_ms"] = pct(alone, 0.5), pct(alone, 0.95)
            result["alone_epochs_s"] = (await rates(client, served, 10.0) or [0.0])[0]
            kids = children(served.proc.pid)
            result["alone_pss_mb"] = sum(pss_mb(k) for k in kids)
            result["load_alone"] = uptime()
            tabs = []
            for _ in range(sessions - 1):
                tab = await open_tab(client, browser.port)
                # the other students' tabs are small, so one 2-core machine can draw 30 of them (their browsers
                # are on their own machines in a class); the measured tab keeps its full size
                await tab.call("Emulation.setDeviceMetricsOverride", width=CLASS_TAB[0], height=CLASS_TAB[1],
                               deviceScaleFactor=1, mobile=False)
                await tab.call("Page.navigate", url=served.url)
                tabs.append(tab)
            for tab in tabs:
                await tab.until(has(READY) + " && " + FOCUSED, "a class tab never showed the playground", 300)
                await tab.press(" ", "Space", 32)
            await asyncio.sleep(5)
            late = await open_tab(client, browser.port)
            result["startup_class_s"] = await open_playground(late, served.url)
            await late.call("Page.close")
            kids, browser_pids = children(served.proc.pid), group(browser.proc.pid)
            used, used_browser, t0 = cpu_seconds(kids), cpu_seconds(browser_pids), time.monotonic()
            crowd = await latencies(probe, presses)
            result["class_p50_ms"], result["class_p95_ms"] = pct(crowd, 0.5), pct(crowd, 0.95)
            each = await rates(client, served, 20.0)
            wall = time.monotonic() - t0
            result["class_sessions_cores"] = (cpu_seconds(kids) - used) / wall        # cores the sessions used
            result["class_chromium_cores"] = (cpu_seconds(browser_pids) - used_browser) / wall
            result["class_epochs_s_min"] = min(each) if each else 0.0
            result["class_epochs_s_median"] = statistics.median(each) if each else 0.0
            result["class_epochs_s_max"] = max(each) if each else 0.0
            result["class_sessions_seen"] = len(each)
            kids = children(served.proc.pid)
            result["class_processes"] = len(kids)
            result["class_pss_total_mb"] = sum(pss_mb(k) for k in kids)
            result["class_rss_per_session_mb"] = statistics.median(rss_mb(k) for k in kids) if kids else 0.0
            result["server_rss_mb"] = rss_mb(served.proc.pid)
            result["load_class"] = uptime()
    finally:
        ended = [line for line in served.output().splitlines() if " ended: " in line]
        result["sessions_ended_early"] = len(ended)
        for line in ended[:10]:
            print(f"  {line}", flush=True)
        browser.stop()
        served.stop()
    return result


def orphans(kills: int, tree: Path, folder: Path, seed: int = 16) -> int:
    """Processes still alive 5 s after K random terminal kills, running ``tree``'s annplay."""
    rng = random.Random(seed)
    env = dict(os.environ, TERM="xterm-256color", PYTHONPATH=str(tree))
    env.pop("TEXTUAL", None)
    pids = []
    try:
        for n in range(kills):
            delay = rng.uniform(0.6, 1.0) if n % 3 else rng.uniform(1.5, 3.0)
            pids.append(kill_terminal(app_argv(), env, folder, delay, train=n % 3 == 0, controlling=n % 2 == 0))
        return len(reap(pids, 5.0))
    finally:
        end_all(pids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--before", type=Path, help="a checkout of annplay before the change, for the orphan test")
    args = parser.parse_args()
    os.environ.setdefault("ANNPLAY_SERVE_LOG", "info")      # the server logs each session's end and why
    print(f"cores: {os.cpu_count()}, load at start:{uptime()}", flush=True)
    rounds = []
    for n in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="annplay-bench-serve-") as tmp:
            found = asyncio.run(one_round(args.sessions, args.presses, Path(tmp)))
        rounds.append(found)
        print(f"round {n + 1}: " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                                              for k, v in found.items()), flush=True)
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        if all(isinstance(v, (int, float)) for v in values):
            print(f"{key}: {min(values):.3g}–{max(values):.3g}")  # type: ignore[type-var]
    with tempfile.TemporaryDirectory(prefix="annplay-bench-orphans-") as tmp:
        after = orphans(args.kills, HERE.parent, Path(tmp))
        print(f"orphans after {args.kills} random terminal kills (alive 5 s later): this tree {after}", flush=True)
        if args.before is not None:
            before = orphans(args.kills, args.before, Path(tmp))
            print(f"orphans, before ({args.before}): {before}", flush=True)
    print(f"load at end:{uptime()}")


if __name__ == "__main__":
    main()
