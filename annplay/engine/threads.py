"""BLAS thread limits around the engine's hot loops, set through threadpoolctl and never os.environ.

annplay's matrices are mostly small: there a multi-threaded BLAS only adds overhead, and its
spinning threads fight the app's UI thread.  The app's training worker and sweep workers wrap
their loops in ``with blas_threads(1):``; a user's own process and environment are left alone.
Big workloads (wide layers, many columns) may ask for more with :func:`suggested_threads`.
Without threadpoolctl installed, :func:`blas_threads` does nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_controller: Any = None          # one threadpoolctl.ThreadpoolController, built on first use (it scans libraries)
WIDE, MANY = 128, 10_000         # layers at least this wide over at least this many columns use the cores


def _get_controller() -> Any:
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _controller = False
        else:
            _controller = ThreadpoolController()
    return _controller


@contextmanager
def blas_threads(n: int | None = 1) -> Iterator[None]:
    """Limit BLAS to ``n`` threads inside the block (None: no limit); a no-op without threadpoolctl."""
    controller = _get_controller()
    if not controller or n is None:
        yield
        return
    with controller.limit(limits=int(n), user_api="blas"):
        yield


def suggested_threads(layers: Sequence[int], columns: int) -> int:
    """1 for annplay's usual small matrices; every core for wide layers over many columns."""
    if max(layers) >= WIDE and columns >= MANY:
        return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))
    return 1


__all__ = ["blas_threads", "suggested_threads"]
