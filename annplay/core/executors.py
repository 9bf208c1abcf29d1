"""Where sweep and tune runs execute: in this process, a local process pool, or a Dask cluster.

All three give ``concurrent.futures`` futures, so :class:`~annplay.core.sweep.Sweep` and the tuner drive them
the same way.  Runs are plain functions of a share code (the seed inside it), so a run gives the same row
wherever it executes.  Dask is optional (the ``cluster`` extra); its futures are submitted with
``pure=False`` so that two identical runs are never merged into one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

EXECUTORS = ("local", "dask")
DASK_HINT = 'needs the cluster extra: pip install "annplay[cluster]"'
CONNECT_TIMEOUT = 20.0          # seconds to reach a Dask scheduler before giving up (ANNPLAY_DASK_TIMEOUT overrides)
PARENT_POLL = 1.0               # seconds between a worker's checks that its parent is still alive


class ExecutorError(RuntimeError):
    """An executor that cannot start (no distributed, scheduler unreachable): one line for the user."""


# --- the local pool's workers ----------------------------------------------------------------------

def _worker_init(parent: int | None = None) -> None:
    """Each local worker: leave Ctrl-C, TERM and HUP to the parent (which ends the workers itself),
    exit when the parent dies (even by SIGKILL), and keep NumPy's BLAS single-threaded."""
    for number in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if number is not None:
            with contextlib.suppress(OSError, ValueError):
                signal.signal(number, signal.SIG_IGN)
    if parent is not None:
        threading.Thread(target=_watch_parent, args=(parent,), name="annplay-parent-watch", daemon=True).start()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:                              # pragma: no cover - a base dependency
        return
    global _LIMITS
    _LIMITS = threadpool_limits(limits=1)


_LIMITS: Any = None


def _watch_parent(parent: int) -> None:
    """End this worker once its parent is gone (re-parented: getppid changes), so no orphan trains on."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                           # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# --- pools -------------------------------------------------------------------------------------------

class Pool:
    """A concurrent.futures executor plus how to end it: ``close(cancel=True)`` drops queued runs and ends
    running ones; ``capacity`` is how many runs are worth having in flight at once."""

    kind = "local"

    def __init__(self, executor: Executor, capacity: int) -> None:
        self.executor = executor
        self.capacity = max(1, capacity)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self.executor.submit(fn, *args)

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=not cancel, cancel_futures=cancel)

    def describe(self) -> str:
        return f"{self.capacity} local process(es)"


class InlinePool(Pool):
    """Runs each call at submit time, in this process (jobs=1): no pickling, Ctrl-C stops it directly."""

    kind = "inline"

    def __init__(self) -> None:
        self.capacity = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:                     # a run's error is its row's business
            future.set_exception(exc)
        return future

    def close(self, cancel: bool = False) -> None:
        return None

    def describe(self) -> str:
        return "this process"


class LocalPool(Pool):
    """A ProcessPoolExecutor whose workers ignore INT/TERM/HUP and watch their parent; cancel kills them."""

    def __init__(self, jobs: int) -> None:
        super().__init__(ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(os.getpid(),)),
                         jobs)

    def close(self, cancel: bool = False) -> None:
        pool = self.executor
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=not cancel, cancel_futures=cancel)
        if cancel:
            for process in processes:
                if process.is_alive():
                    process.kill()               # workers ignore TERM: the parent decides when they end
            for process in processes:
                process.join(timeout=5)


class DaskPool(Pool):
    """A Dask distributed Client's executor (``Client.get_executor(pure=False)``)."""

    kind = "dask"

    def __init__(self, scheduler: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ExecutorError(f"--executor dask {DASK_HINT}") from None
        try:
            timeout = float(os.environ.get("ANNPLAY_DASK_TIMEOUT") or CONNECT_TIMEOUT)
            self.client = Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorError(f"--scheduler {scheduler}: cannot reach a Dask scheduler ({exc})") from None
        threads = sum(self.client.nthreads().values()) or 1
        super().__init__(self.client.get_executor(pure=False), 2 * threads)
        self.scheduler = scheduler

    def close(self, cancel: bool = False) -> None:
        with _quiet(CLOSING_LOGGERS):                # a result in flight when the client closes is not news
            with contextlib.suppress(Exception):     # a scheduler that went away must not hide the rows
                self.executor.shutdown(wait=False)
            with contextlib.suppress(Exception):
                self.client.close(timeout=5)

    def describe(self) -> str:
        return f"Dask at {self.scheduler}"


# Closing a Client while it fetches a result (Ctrl-C, TERM or HUP mid-sweep) makes its event loop log the fetch's
# CommClosedError with a traceback ("tornado.application - ERROR - Exception in callback …", 2 of 16 signals in a
# probe), above the run's own "interrupted" line; the rows are kept either way.
CLOSING_LOGGERS = ("tornado.application", "distributed.client", "distributed.core", "distributed.comm",
                   "distributed.utils")


@contextlib.contextmanager
def _quiet(names: tuple[str, ...]) -> Iterator[None]:
    """These loggers say nothing while the block runs; their levels are restored after it."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def open_pool(executor: str = "local", jobs: int | None = None, scheduler: str | None = None,
              runs: int | None = None) -> Pool:
    """The pool to run on: ``local`` (jobs processes; 1 runs inline) or ``dask`` (at ``scheduler``)."""
    if executor == "dask":
        if not scheduler:
            raise ExecutorError("--executor dask needs --scheduler tcp://HOST:PORT (a running dask scheduler)")
        return DaskPool(scheduler)
    if executor != "local":
        raise ExecutorError(f"--executor: choose one of {', '.join(EXECUTORS)}, got {executor!r}")
    if scheduler:
        raise ExecutorError("--scheduler goes with --executor dask")
    count = min(jobs or default_jobs(), max(1, runs if runs is not None else 1 << 30))
    return InlinePool() if count == 1 else LocalPool(count)


__all__ = ["EXECUTORS", "Pool", "InlinePool", "LocalPool", "DaskPool", "ExecutorError", "open_pool",
           "default_jobs"]
