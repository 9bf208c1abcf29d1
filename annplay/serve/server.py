"""The class server: textual-serve's ``Server`` and ``AppService``, with what a class needs and they lack.

textual-serve runs one app process per websocket and streams it to xterm.js; that part is used as it is (its
page script, its download manager, its process protocol). Added here:

- a token on every bind (a cookie once the link with ``?token=`` was opened), checked on the page, the websocket
  and downloads; the websocket's ``Origin`` must be the page's own, and on loopback ``Host`` must be loopback too
  (DNS rebinding); a separate teacher key for ``/teacher``;
- every client message checked and bounded (:mod:`annplay.serve.limits`);
- a folder per student (a browser session id, kept in the browser's local storage: every tab of one browser is
  one student) with the student's pins, preferences, HOME and XDG folders (nothing of the server user's home is
  read or written), and in it a place per tab open at once (``tab-1``, ``tab-2``, …: its own status and saved
  files, so a second tab never writes over the first one's; a reload keeps its tab's place), kept across server
  restarts under the user's data folder (:mod:`annplay.serve.keeping`: expiry and size caps); one process per
  tab (websocket), a cap on sessions, a lower frame rate, children at lower
  priority with an address-space and a file-size limit, and each child ended (quit, then SIGTERM, then SIGKILL to
  its process group) however its websocket ends;
- URLs in the page relative to the address the browser used;
- start-up problems (busy port, bad address) as one-line errors, and a clean stop on SIGINT, SIGTERM, SIGHUP.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import errno
import hmac
import logging
import os
import secrets
import signal
import socket
import sys
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from textual_serve import download_manager
from textual_serve.app_service import AppService
from textual_serve.server import Server

from annplay.serve import StartError, keeping, limits
from annplay.serve.child import ENV_FOLDER, ENV_FRAMES, ENV_LESSON, ENV_SETUP, ENV_SHARE, read_status
from annplay.serve.limits import Config
from annplay.serve.pages import message_page, playground_page, teacher_page

log = logging.getLogger("annplay.serve")
download_manager.DOWNLOAD_TIMEOUT = limits.DOWNLOAD_WAIT    # read at each chunk: a busy session gets the time
COOKIE = "annplay-token-{port}"     # per port: two servers on one machine keep their own tokens
MAX_LAUNCHES = 2000                 # remembered class links (?lesson=, ?setup=) between page and websocket
MAX_TABS = 4000                     # remembered tabs (a tab's id → its place in its student's folder)
SESSION_ENV_DROP = ("ANNPLAY_SETUP", "ANNPLAY_LESSON", "ANNPLAY_SESSION_FOLDER", "ANNPLAY_FRAMES",
                    "ANNPLAY_TRAIN_SHARE", "TEXTUAL", "TEXTUAL_LOG", "XDG_RUNTIME_DIR", "PYTHONSTARTUP",
                    "PYTHONUSERBASE")
SESSION_DIRS = {"HOME": "home", "TMPDIR": "tmp", "XDG_DATA_HOME": "data", "XDG_CONFIG_HOME": "config",
                "XDG_CACHE_HOME": "cache", "XDG_STATE_HOME": "state"}     # pins: data; preferences: config
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def child_limits(memory_mb: int) -> Callable[[], None]:
    """What runs in each session's process before it starts: lower priority, an address-space limit and a
    largest file (a bigger write fails with EFBIG: Python ignores SIGXFSZ)."""
    def apply() -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.nice(limits.SESSION_NICE)
        # Linux's autogroups: each session (setsid) is its own scheduling group, where a process's nice value
        # counts only inside the group; the group's own nice is what ranks it against the server.
        with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(str(limits.SESSION_NICE))
        with contextlib.suppress(ImportError, OSError, ValueError):
            import resource

            size = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
            largest = keeping.FILE_MB * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_FSIZE, (largest, largest))
    return apply


RUNNING: contextvars.ContextVar[SessionService | None] = contextvars.ContextVar("annplay_session", default=None)


class SessionService(AppService):
    """One tab's process (textual-serve's AppService): its student's folder (HOME, XDG: pins, preferences), its
    tab's own folder (status, saved files; its working directory), limits and a sure end."""

    def __init__(self, *, config: Config, sid: str, student: Path, slot: int, launch: dict[str, str],
                 **kwargs: Any) -> None:
        super().__init__("annplay session", **kwargs)
        self.config = config
        self.sid = sid
        self.student = student
        self.slot = slot
        self.folder = keeping.tab_folder(student, slot)
        self.launch = launch
        self.ending = False              # its websocket has ended: its tab's place is free for the tab's reload

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width, height)
        for name in SESSION_ENV_DROP:
            env.pop(name, None)
        env["TEXTUAL_FPS"] = str(self.config.fps)
        env[ENV_FRAMES] = str(self.config.frames)
        env[ENV_SHARE] = str(limits.TRAIN_SHARE)
        for name in ONE_THREAD:                        # one BLAS thread each: 30 sessions share the cores fairly
            env[name] = "1"
        env[ENV_FOLDER] = str(self.folder)
        for name, sub in SESSION_DIRS.items():
            env[name] = str(self.student / sub)
        env["PYTHONNOUSERSITE"] = "1"                  # nothing imported from the server user's ~/.local
        if self.launch.get("lesson"):
            env[ENV_LESSON] = self.launch["lesson"]
        if self.launch.get("setup"):
            env[ENV_SETUP] = self.launch["setup"]
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "annplay.serve.child",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=environment, cwd=str(self.folder), preexec_fn=child_limits(self.config.memory_mb),
            start_new_session=True)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """textual-serve's loop over the session's output; when the session ends by itself (q, a crash, its
        memory limit), the page is told at once: the websocket closes and the page offers a restart."""
        RUNNING.set(self)                               # (this task's own context: see EndedBeforeStart)
        await super().run()
        with contextlib.suppress(Exception):
            await self.remote_close()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the session to quit; if it has not left within QUIT_GRACE s, SIGTERM then SIGKILL its group."""
        process = self._process
        if self._task is None or process is None:
            return
        task, self._task = self._task, None
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.send_meta({"type": "quit"}), 1.0)
        for sig, grace in ((None, limits.QUIT_GRACE), (signal.SIGTERM, limits.KILL_GRACE), (signal.SIGKILL, 5.0)):
            if sig is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)
            try:
                await asyncio.wait_for(process.wait(), grace)
                break
            except asyncio.TimeoutError:
                continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)        # anything the session itself started
        with contextlib.suppress(asyncio.TimeoutError, Exception):
            await asyncio.wait_for(task, 5.0)


def same_secret(given: str, secret: str) -> bool:
    """``given`` is the secret, compared in constant time.  A header's bytes that are not UTF-8 arrive as lone
    surrogates (a cookie of bytes 0xff 0xfe made ``str.encode`` raise: a 500 and a traceback in the server's
    terminal); they are encoded as they are, and so never match."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), secret.encode("utf-8", "surrogatepass"))


class ClassServer(Server):
    """textual-serve's Server for a class: see the module docstring."""

    def __init__(self, config: Config) -> None:
        super().__init__("annplay session", host=config.host, port=config.port, title=config.title)
        self.config = config
        self.services: dict[str, SessionService] = {}          # app_service_id → live session
        self.launches: OrderedDict[str, dict[str, str]] = OrderedDict()
        self.tabs: OrderedDict[tuple[str, str], int] = OrderedDict()   # (student, tab id) → its place (tab-N)
        self.state_dir = Path(config.state_dir or keeping.default_state_dir())
        self.cookie = COOKIE.format(port=config.port)

    # --- checks ---------------------------------------------------------------------------

    def token_ok(self, request: web.Request) -> bool:
        """The class token, from ``?token=`` or the cookie (always true with --no-token)."""
        if self.config.token is None:
            return True
        given = request.query.get("token") or request.cookies.get(self.cookie) or ""
        return same_secret(given, self.config.token)

    def host_ok(self, request: web.Request) -> bool:
        """On a loopback bind, the Host header must name loopback too (a DNS-rebinding page cannot)."""
        from annplay.serve import is_loopback

        if not is_loopback(self.config.host):
            return True
        host = urlsplit(f"//{request.host}").hostname or ""
        return is_loopback(host)

    def origin_ok(self, request: web.Request) -> bool:
        """The websocket's Origin is the page's own (scheme, host and port of this request)."""
        origin = request.headers.get("Origin")
        if not origin:
            return False
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()

    def refuse(self, status: int, title: str, message: str) -> web.Response:
        return web.Response(status=status, text=message_page(title, message), content_type="text/html")

    # --- the app ------------------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws/{launch}/{sid}", self.handle_websocket, name="websocket"),
            web.get("/ws/{launch}/{sid}/{tab}", self.handle_websocket, name="websocket-tab"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.get("/teacher", self.handle_teacher, name="teacher"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The playground page (a class link's ?lesson= / ?setup= remembered for its websocket)."""
        if not self.host_ok(request):
            return self.refuse(403, "Wrong address", "Open this playground through the address it was started on.")
        if not self.token_ok(request):
            return self.refuse(403, "annplay: a link with its token is needed",
                               "Open the link your teacher gave you (it ends in ?token=…); this address alone "
                               "does not open the playground.")
        if self.config.token is not None and "token" in request.query:
            query = {k: v for k, v in request.query.items() if k != "token"}
            response = web.HTTPFound(request.rel_url.with_query(query))
            response.set_cookie(self.cookie, self.config.token, httponly=True, samesite="Strict", path="/")
            raise response
        if len(self.services) >= self.config.max_sessions:
            return self.refuse(503, "The class is full",
                               f"All {self.config.max_sessions} places are taken. Try again in a minute, or ask "
                               "your teacher (annplay serve --max-sessions).")
        launch = self._launch_of(request)
        if isinstance(launch, str):
            return self.refuse(400, "This link does not open", launch)
        key = secrets.token_urlsafe(12)
        self.launches[key] = launch
        while len(self.launches) > MAX_LAUNCHES:
            self.launches.popitem(last=False)
        font = limits.clamp_size(request.query.get("fontsize", "16"), 20)
        page = playground_page(self.config.title, key, secrets.token_urlsafe(16), font[0] if font else 16)
        return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})

    def default_launch(self) -> dict[str, str]:
        """What every session opens on: the server's --lesson and --setup."""
        launch: dict[str, str] = {}
        if self.config.lesson:
            launch["lesson"] = self.config.lesson
        if self.config.setup:
            launch["setup"] = self.config.setup
        return launch

    def _launch_of(self, request: web.Request) -> dict[str, str] | str:
        """What a class link asks for: a shipped lesson's number, a share code or TF link (never a file); the
        server's --lesson / --setup otherwise. A str is why the link does not open."""
        launch = self.default_launch()
        lesson = request.query.get("lesson")
        setup = request.query.get("setup")
        if lesson is not None:
            from annplay.core.lessons import LESSONS

            numbers = [str(item.number) for item in LESSONS]
            if lesson.strip() not in numbers:
                return f"?lesson= takes a lesson number: {', '.join(numbers)}."
            launch = {"lesson": lesson.strip()}
        if setup is not None:
            from annplay.engine.setupfile import resolve_text

            try:
                resolve_text(setup)
            except ValueError as error:
                return f"?setup=: {error}"
            launch = {**({"lesson": launch["lesson"]} if lesson is not None else {}), "setup": setup}
        return launch

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's download, behind the token."""
        if not (self.host_ok(request) and self.token_ok(request)):
            return self.refuse(403, "Not allowed", "This download needs the class link's token.")
        return await super().handle_download(request)

    async def handle_teacher(self, request: web.Request) -> web.Response:
        """One row per connected session (the teacher's key: ``/teacher?key=…``)."""
        given = request.query.get("key", "")
        if not (self.host_ok(request) and same_secret(given, self.config.teacher_key)):
            return self.refuse(403, "The teacher's page needs its key",
                               "Open the teacher's link that annplay serve printed when it started.")
        return web.Response(text=teacher_page(self.rows(), sessions=len(self.services),
                                              limit=self.config.max_sessions), content_type="text/html",
                            headers={"Cache-Control": "no-store"})

    def rows(self) -> list[dict[str, Any]]:
        """The teacher's rows: each live tab's own last status (student ids shortened, never shown whole; a
        student's second tab says so)."""
        rows = []
        for number, service in enumerate(self.services.values(), start=1):
            status = read_status(service.folder)
            tab = f", tab {service.slot}" if service.slot > 1 else ""
            rows.append({**status, "name": f"#{number} ({service.sid[:4]}…{tab})"})
        return rows

    def place_of(self, sid: str, tab: str | None) -> int:
        """The place (``tab-N``) of a student's tab: the one it had (a reload) unless another live tab holds it
        now (a duplicated tab), else the lowest one no live tab of the student holds (so a student with one tab
        at a time always finds tab 1, last week's work included)."""
        held = {service.slot for service in self.services.values() if service.sid == sid and not service.ending}
        slot = self.tabs.get((sid, tab)) if tab is not None else None
        if slot is None or slot in held:
            slot = next(n for n in range(1, len(held) + 2) if n not in held)
        if tab is not None:
            self.tabs[(sid, tab)] = slot
            self.tabs.move_to_end((sid, tab))
            while len(self.tabs) > MAX_TABS:
                self.tabs.popitem(last=False)
        return slot

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Check the request, then run one session for this websocket and end it when the socket ends."""
        sid = request.match_info["sid"]
        tab = request.match_info.get("tab")
        launch = self.launches.get(request.match_info["launch"]) or self.default_launch()
        if not (self.host_ok(request) and self.origin_ok(request) and self.token_ok(request)):
            raise web.HTTPForbidden(text="annplay: this websocket needs the page's origin and the class token")
        if not limits.SESSION_ID.match(sid) or (tab is not None and not limits.TAB_ID.match(tab)):
            raise web.HTTPBadRequest(text="annplay: not a session id")
        websocket = web.WebSocketResponse(heartbeat=limits.HEARTBEAT, max_msg_size=limits.MAX_MESSAGE_BYTES)
        try:
            await websocket.prepare(request)
        except ConnectionResetError:       # the tab closed during the handshake: nothing to run, nothing to report
            # (aiohttp logged a traceback for each such tab: a probe closing 12 at once). A plain answer, as the
            # half-prepared websocket would fail again in aiohttp's finish ('Call .prepare() first', logged)
            raise web.HTTPBadRequest(text="annplay: the connection closed during its handshake") from None
        connection = request.transport.get_extra_info("socket") if request.transport is not None else None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, limits.SEND_BUFFER)
        if len(self.services) >= self.config.max_sessions:
            await websocket.send_bytes(b"\r\n  The class is full: every place is taken. Try again in a minute.\r\n")
            await websocket.close()
            return websocket
        student = self.state_dir / sid
        slot = self.place_of(sid, tab)
        try:
            self.prepare_folder(student, slot)
        except OSError as error:
            log.warning("session folder %s…: %s", sid[:4], error.strerror or error)
            await websocket.send_bytes(b"\r\n  This session cannot start: the server cannot write its folder.\r\n")
            await websocket.close()
            return websocket
        width, height = limits.size_from_query(request.query.get("width"), request.query.get("height"))
        service = SessionService(config=self.config, sid=sid, student=student, slot=slot, launch=launch,
                                 write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                 close=websocket.close, download_manager=self.download_manager)
        self.services[service.app_service_id] = service
        try:
            await service.start(width, height)
            await self._pump(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception as error:                               # a broken pipe to the child, and the like
            log.debug("session %s…: %r", sid[:4], error)
        finally:
            service.ending = True
            process = service._process
            log.info("session %s… ended: socket close code %s (%r), session exit code %s", sid[:4],
                     websocket.close_code, websocket.exception(), None if process is None else process.returncode)
            with contextlib.suppress(Exception):
                await asyncio.shield(service.stop())
            self.services.pop(service.app_service_id, None)
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    def prepare_folder(self, folder: Path, slot: int = 1) -> None:
        """A student's folder, its HOME/XDG folders and its tab ``slot``'s folder (a symlink in their place is
        refused), marked as used now, with its saved files trimmed to the cap (:mod:`annplay.serve.keeping`)."""
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.is_symlink():
            raise OSError(errno.ELOOP, "a symlink where a session folder belongs")
        folder.mkdir(mode=0o700, exist_ok=True)
        for sub in SESSION_DIRS.values():
            path = folder / sub
            if path.is_symlink():
                raise OSError(errno.ELOOP, "a symlink where a session's own folder belongs")
            path.mkdir(mode=0o700, exist_ok=True)
        keeping.prepare_tab(folder, slot)
        keeping.trim_files(folder)
        os.utime(folder)

    def tidy(self) -> keeping.Tidied:
        """The keeping policy on every session folder but the live ones (blocking: run it in a thread)."""
        done = keeping.tidy(self.state_dir, {service.sid for service in self.services.values()})
        if done.expired or done.over_cap or done.files:
            log.info("tidied session folders: %d expired, %d over the total cap, %d old files", done.expired,
                     done.over_cap, done.files)
        return done

    async def tidy_now_and_then(self) -> None:
        """Tidy the session folders every TIDY_EVERY seconds while serving."""
        while True:
            await asyncio.sleep(keeping.TIDY_EVERY)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.tidy)

    async def _pump(self, websocket: web.WebSocketResponse, service: SessionService) -> None:
        """Client messages to the session, each checked (:func:`annplay.serve.limits.parse_message`)."""
        async for frame in websocket:
            if frame.type != WSMsgType.TEXT:
                if frame.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
                continue
            message = limits.parse_message(frame.data)
            if message is None:
                continue
            if message.kind == "stdin":
                if not await service.send_bytes(message.text.encode("utf-8", "replace")):
                    break
            elif message.kind == "resize":
                await service.set_terminal_size(message.width, message.height)
            elif message.kind == "ping":
                await websocket.send_json(["pong", message.text])
            elif message.kind == "focus":
                await service.focus()
            elif message.kind == "blur":
                await service.blur()

    async def on_shutdown(self, app: web.Application) -> None:
        """End every session (in parallel); their folders stay for the next start (see :mod:`keeping`)."""
        await asyncio.gather(*(service.stop() for service in list(self.services.values())),
                             return_exceptions=True)

    # --- running --------------------------------------------------------------------------------

    async def run(self, announce: Callable[[], None]) -> None:
        """Listen (StartError, one line, when that fails), announce, then serve until SIGINT/SIGTERM/SIGHUP."""
        app = await self._make_app()
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.config.host, self.config.port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            if error.errno == errno.EADDRINUSE:
                raise StartError(f"--port {self.config.port}: the port is in use on {self.config.host} (another "
                                 "program, or another annplay serve); choose another --port") from None
            if isinstance(error, socket.gaierror):
                raise StartError(f"--host {self.config.host}: no such address or host name here") from None
            reason = os.strerror(error.errno) if error.errno and error.errno > 0 else str(error)
            raise StartError(f"cannot listen on {self.config.host} port {self.config.port}: {reason}") from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, stop.set)
        with contextlib.suppress(OSError):
            await asyncio.to_thread(self.tidy)
        tidying = asyncio.create_task(self.tidy_now_and_then())
        announce()
        try:
            await stop.wait()
        finally:
            tidying.cancel()
            await runner.cleanup()

    def serve(self, debug: bool = False, announce: Callable[[], None] = lambda: None) -> None:
        """Serve until stopped; the event loop is closed only once everything on it has ended."""
        level = logging.INFO if os.environ.get("ANNPLAY_SERVE_LOG") == "info" else logging.WARNING
        logging.basicConfig(level=level, format="annplay serve: %(message)s")
        quiet_logs()
        asyncio.run(self.run(announce))


class BadRequestLine(logging.Filter):
    """A request aiohttp cannot parse (a 9 KB link, a garbled header) is answered 400 and logged in one line at
    info level: aiohttp logged each with a traceback, so one student's long links filled the teacher's terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg, record.args, record.exc_info, record.exc_text = (
                "bad request refused (%s): %s", (error.code, str(error.message)[:80]), None, None)
            record.levelno, record.levelname = logging.INFO, "INFO"
            return logging.getLogger(record.name).isEnabledFor(logging.INFO)
        return True


class EndedBeforeStart(logging.Filter):
    """textual-serve's 'Application failed to start' for a session whose tab closed (or reloaded) before the app
    was up: the server ended it, nothing failed (a class opening and closing tabs fast printed one line each)."""

    def filter(self, record: logging.LogRecord) -> bool:
        service = RUNNING.get()
        return not (service is not None and service.ending and record.getMessage() == "Application failed to start")


def quiet_logs() -> None:
    """Put :class:`BadRequestLine` on aiohttp's server logger and :class:`EndedBeforeStart` on textual-serve's
    (once each)."""
    for name, kind in (("aiohttp.server", BadRequestLine), ("textual-serve", EndedBeforeStart)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())


__all__ = ["ClassServer", "same_secret", "SessionService", "Config", "child_limits", "quiet_logs"]
