"""Panels drawn in worker processes, so that a class's charts use every core of the machine.

Streamlit runs every participant's script as a thread of one Python process, and a chart nobody has drawn yet
(figures read, compared, drawn with matplotlib, its PNG encoded: about 0.4 s of CPU) holds Python's global lock
for all of it: with 30 participants choosing their own countries, their charts queue on one core. With
``EVIDENCEKIT_APP_WORKERS=N`` (``evidencekit app`` sets it to the machine's cores, at most 4) a panel that is not
in the cache is built in one of N worker processes (``spawn``: each imports the library once, at the first
panel); the server's thread waits without the lock, so other participants' reruns go on and N charts are drawn
at once. Unset or 0 (tests with AppTest, a notebook): built in the server's process, as before.

A worker gets the data settings of the request (``ui.context.SETTINGS``), so it answers exactly what the
server would. If the pool cannot answer (a worker killed, an answer that cannot travel back), the panel is built
in the server's process instead and the log says why: a participant sees the panel either way, and the library's
own errors (no data for that choice, say) reach the page unchanged. bench/README.md ("Load") has the figures.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import sys
import threading
import types
from typing import Any, Callable

ENV = "EVIDENCEKIT_APP_WORKERS"
MAX = 4
log = logging.getLogger("evidencekit.app")

_pool: cf.ProcessPoolExecutor | None = None
_lock = threading.Lock()


def count() -> int:
    """How many worker processes (``EVIDENCEKIT_APP_WORKERS``; 0 = none, at most 4).

    >>> os.environ[ENV] = "2"; count()
    2
    >>> os.environ[ENV] = "many"; count()
    0
    >>> del os.environ[ENV]
    """
    try:
        n = int(os.environ.get(ENV, "0") or 0)
    except ValueError:
        return 0
    return max(0, min(n, MAX))


def _start() -> None:
    """In each worker: the library, matplotlib and the app's views imported once, before the first panel;
    Streamlit's warnings about running outside a page (a worker has no page) kept out of the log."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import evidencekit.charts  # noqa: F401
    import evidencekit.compare  # noqa: F401
    import streamlit  # noqa: F401
    from ui import data  # noqa: F401

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _ready() -> bool:
    return True


def pool() -> cf.ProcessPoolExecutor | None:
    """The shared pool (made at the first call), or None when workers are off."""
    global _pool
    n = count()
    if n == 0:
        return None
    with _lock:
        if _pool is None:
            # Streamlit runs the page as the module __main__, and a spawned worker would run __main__ again
            # (the whole page, which starts workers in turn); the workers start under a plain __main__ instead.
            page_main = sys.modules.get("__main__")
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                _pool = cf.ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                               initializer=_start)
                for _ in range(n):                # every worker started now, not at a participant's chart
                    _pool.submit(_ready)
            finally:
                if page_main is not None:
                    sys.modules["__main__"] = page_main
        return _pool


def _drop(broken: cf.ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def _in_worker(fn: Callable[..., Any], settings: dict[str, str], args: tuple) -> Any:
    """Run ``fn(*args)`` under the request's data settings (an empty value: the variable unset)."""
    for key, value in settings.items():
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)
    return fn(*args)


def call(fn: Callable[..., Any], *args: Any, settings: dict[str, str]) -> Any:
    """``fn(*args)`` in a worker process when workers are on, else here. ``fn`` must be a module-level function
    whose arguments and answer can be pickled; ``settings``: the environment the answer depends on."""
    from evidencekit.errors import EvidenceKitError

    p = pool()
    if p is None:
        return fn(*args)
    try:
        return p.submit(_in_worker, fn, settings, args).result()
    except EvidenceKitError:
        raise                                     # the library's own message, for the page to show
    except Exception as err:                      # the pool failed, not the panel: build it here instead
        log.warning("worker pool could not build a panel (%s: %s); building it in the server", type(err).__name__,
                    err)
        if isinstance(err, cf.process.BrokenProcessPool):
            _drop(p)
        return fn(*args)
