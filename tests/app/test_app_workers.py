"""Panels drawn in worker processes (``ui.workers``, on when ``EVIDENCEKIT_APP_WORKERS`` is set, as
``evidencekit app`` does): the same panel as one built in the server, the library's errors unchanged, and a
worker killed mid-class costs nothing but the time to build the panel in the server instead."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

from evidencekit.errors import EvidenceKitError

STEP = {"source": "step", "module": 1, "step": "shock-and-recovery", "choices": {"areas": ["MYS", "THA"]}}


@pytest.fixture
def pool(monkeypatch):
    from ui import workers

    monkeypatch.setenv(workers.ENV, "1")
    monkeypatch.setattr(workers, "_pool", None)
    yield workers
    if workers._pool is not None:
        workers._pool.shutdown(wait=True, cancel_futures=True)


def settings() -> dict:
    from ui import context

    return dict(zip(context.SETTINGS, context.settings()))


def test_a_panel_from_a_worker_is_the_panel_built_here(pool):
    from ui import data

    spec = json.dumps(STEP, sort_keys=True)
    there = pool.call(data.build_panel, spec, settings=settings())
    worker_pids = set(pool._pool._processes)
    assert worker_pids and os.getpid() not in worker_pids          # it did run in another process
    here = data.build_panel(spec)
    assert there.frame.equals(here.frame)
    assert there.frame.attrs["provenance"]["citation"] == here.frame.attrs["provenance"]["citation"]
    for key in ("title", "alt_text"):
        assert there.chart["content"][key] == here.chart["content"][key]
    assert there.chart["source_line"] == here.chart["source_line"]
    assert "Malaysia" in there.chart["content"]["alt_text"] and "Thailand" in there.chart["content"]["alt_text"]
    assert there.table["content"] == here.table["content"]


def test_the_library_error_reaches_the_page_unchanged(pool):
    import evidencekit as ek

    with pytest.raises(EvidenceKitError) as here:
        ek.ilostat.get("NOT_AN_INDICATOR_A", offline=True)
    with pytest.raises(EvidenceKitError) as there:
        pool.call(ek.ilostat.get, "NOT_AN_INDICATOR_A", settings={**settings(), "EVIDENCEKIT_OFFLINE": "1"})
    assert type(there.value) is type(here.value)
    assert (there.value.what, there.value.why, there.value.fix) == (here.value.what, here.value.why, here.value.fix)


def test_a_killed_worker_costs_only_a_panel_built_here(pool, caplog):
    from ui import data

    caplog.set_level("WARNING", logger="evidencekit.app")

    spec = json.dumps(STEP, sort_keys=True)
    first = pool.call(data.build_panel, spec, settings=settings())
    old = pool._pool
    for pid in list(old._processes):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not old._broken and time.monotonic() < deadline:  # the executor notices its dead worker
        time.sleep(0.05)
    again = pool.call(data.build_panel, spec, settings=settings())
    assert again.frame.equals(first.frame)
    assert "worker pool could not build a panel" in caplog.text
    assert pool._pool is None or pool._pool is not old                    # the broken pool is dropped
    third = pool.call(data.build_panel, spec, settings=settings())        # and a new one answers
    assert third.frame.equals(first.frame) and pool._pool is not old
