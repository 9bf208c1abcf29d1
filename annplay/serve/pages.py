"""The HTML ``annplay serve`` sends: the playground page, the refusals (no token, class full) and the teacher's page.

Plain strings (no template engine): every value put in is escaped with :func:`html.escape` or is JSON.
URLs in the page are relative to the address the browser used, so ``--host 0.0.0.0`` works from other machines
(textual-serve writes ``http://0.0.0.0:PORT`` into its page, which browsers block).
"""

from __future__ import annotations

import html
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from typing import Any

STYLE = """
body { background: #0c181f; margin: 0; color: rgba(255,255,255,0.95); font-family: menlo, monospace; }
.dialog-container { position: absolute; width: 100vw; height: 100vh; display: flex; align-items: center;
  justify-content: center; z-index: 10; }
.intro { width: 640px; max-width: 90vw; padding: 24px; font-size: 16px; text-align: center;
  background-color: #12232d; }
body.-first-byte .intro-dialog { display: none; }
body .textual-terminal { opacity: 0; }
body.-first-byte .textual-terminal { opacity: 1; transition: opacity 0.3s ease-out; }
.closed-dialog { display: none; }
body.-closed .closed-dialog { display: flex; }
button { padding: 12px 24px; background-color: #5e0ba7; color: white; border: none; margin: 16px; }
#terminal { position: absolute; inset: 0; }
table { border-collapse: collapse; margin: 16px; }
td, th { border-bottom: 1px solid #345; padding: 4px 10px; text-align: left; vertical-align: top; }
"""

# The student's id kept in the browser (local storage: every tab of one browser is one student), so a reload reopens
# this student's own folder, and the tab's id in its session storage (which a reload keeps and a new tab has not), so
# each tab has its own place in that folder and a reload reopens the tab's own; the websocket URL is built from the
# address the browser used; the first key works without a click, and the click that only focuses the page never
# reaches the app (where it would add a point to the map).
SCRIPT = """
(() => {
  const KEY = "annplay-session";
  const fresh = %(sid)s;
  let sid = null;
  try { sid = window.localStorage.getItem(KEY); } catch (e) {}
  if (!sid || !/^[A-Za-z0-9_-]{22,64}$/.test(sid)) {
    sid = fresh;
    try { window.localStorage.setItem(KEY, sid); } catch (e) {}
  }
  const TAB = "annplay-tab";
  let tab = null;
  try { tab = window.sessionStorage.getItem(TAB); } catch (e) {}
  if (!tab || !/^[A-Za-z0-9_-]{16,64}$/.test(tab)) {
    tab = %(tab)s;
    try { window.sessionStorage.setItem(TAB, tab); } catch (e) {}
  }
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const terminal = document.getElementById("terminal");
  terminal.dataset.sessionWebsocketUrl = scheme + window.location.host + "/ws/" + %(launch)s + "/" + sid + "/" + tab;
  const box = () => document.querySelector("#terminal .xterm-helper-textarea");
  const focused = () => document.hasFocus() && document.activeElement === box();
  let swallow = false;
  terminal.addEventListener("mousedown", (event) => {
    if (!focused() && box()) {
      swallow = true;
      event.preventDefault();
      event.stopImmediatePropagation();
      box().focus();
    }
  }, true);
  for (const name of ["mouseup", "click"]) {
    terminal.addEventListener(name, (event) => {
      if (swallow) {
        event.preventDefault();
        event.stopImmediatePropagation();
        if (name === "click") { swallow = false; }
      }
    }, true);
  }
  const focusSoon = () => {
    if (box()) { box().focus(); } else { window.setTimeout(focusSoon, 50); }
  };
  window.addEventListener("load", focusSoon);
  // textual-serve opens each download in a new tab (window.open), which popup blockers stop when no click
  // started it; a link with the download attribute is never blocked.
  const openWindow = window.open.bind(window);
  window.open = (url, target, features) => {
    const address = new URL(String(url), window.location.href);
    if (address.origin === window.location.origin && address.pathname.startsWith("/download/")) {
      const link = document.createElement("a");
      link.href = address.href;
      link.download = "";
      document.body.appendChild(link);
      link.click();
      link.remove();
      return null;
    }
    return openWindow(url, target, features);
  };
})();
"""


def playground_page(title: str, launch: str, sid: str, font_size: int = 16, tab: str | None = None) -> str:
    """The page a student opens: textual-serve's terminal (its script and style), wired to this student's session
    (``sid`` and ``tab``: fresh ids, used where the browser keeps none)."""
    tab = secrets.token_urlsafe(12) if tab is None else tab
    script = SCRIPT % {"sid": json.dumps(sid), "launch": json.dumps(launch), "tab": json.dumps(tab)}
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<script src="/static/js/textual.js"></script>
<style>{STYLE}</style>
</head>
<body>
<div class="dialog-container intro-dialog"><div class="intro">{html.escape(title)}: starting…</div></div>
<div class="dialog-container closed-dialog"><div class="intro"><div class="message">Session ended.</div>
<button type="button" onclick="window.location.reload()">Restart</button></div></div>
<div id="terminal" class="textual-terminal" data-font-size="{int(font_size)}"></div>
<script>{script}</script>
</body>
</html>
"""


def message_page(title: str, message: str) -> str:
    """A one-message page (no token, class full, bad link)."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{STYLE}</style></head>
<body><div class="dialog-container"><div class="intro"><p><b>{html.escape(title)}</b></p>
<p>{html.escape(message)}</p></div></div></body></html>
"""


def _cell(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "<br>".join(html.escape(str(v)) for v in value)
    return html.escape(str(value))


def teacher_page(rows: Iterable[Mapping[str, Any]], *, sessions: int, limit: int, now: float | None = None) -> str:
    """One row per connected session: lesson, goal, epoch, test loss, the doctor's findings (refreshes itself)."""
    now = time.time() if now is None else now
    body = []
    for row in rows:
        age = now - float(row.get("time") or now)
        lesson = row.get("lesson")
        title = row.get("lesson_title") or ""
        # a teacher's own lesson has no number (0): its title alone, not "0: …"
        lesson_text = (f"{lesson}: {title}" if lesson else title or None) if lesson is not None else None
        body.append("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in (
            row.get("name"), lesson_text, row.get("goal"), row.get("state"), row.get("epoch"),
            row.get("test_loss"), row.get("findings"), f"{age:.0f} s ago" if row.get("time") else None)) + "</tr>")
    table = "".join(body) or '<tr><td colspan="8">No session is connected.</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>annplay: the class</title><style>{STYLE} body {{ overflow: auto; }}</style></head>
<body><h2 style="margin: 16px">The class: {sessions} of at most {limit} sessions</h2>
<table><tr><th>session</th><th>lesson</th><th>goal</th><th>state</th><th>epoch</th><th>test loss</th>
<th>doctor's findings</th><th>updated</th></tr>{table}</table></body></html>
"""


__all__ = ["playground_page", "message_page", "teacher_page"]
