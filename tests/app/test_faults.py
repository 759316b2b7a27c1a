"""Faults in the middle of a participant's session, and what the workbench does about them.

- **ILOSTAT** (a real HTTP server on this machine standing in for ILOSTAT's API, set by
  ``EVIDENCEKIT_ILOSTAT_URL``, answering from the embedded snapshot): the participant works online, saves a
  chart to the board; then the API becomes unreachable, slow beyond the deadline
  (``EVIDENCEKIT_ILOSTAT_DEADLINE``), answers 500 or 429, or cuts its body short. Their next choice still
  shows a chart from the local copy, says in plain words what happened and that the figures are the offline
  snapshot's, shows no traceback, and their board and progress are still there. (The client's own handling
  of each fault is tested in ``tests/ilostat``; here it is the page.)
- **The ILOSTAT cache** damaged under a running app, and a process killed (SIGKILL) in the middle of writing
  a cache entry: the app still answers, from the snapshot or from the entry written before.
- **Uploads** to the Microdata workbench that are too large for the memory check, or hostile (a formula or
  HTML in a column name or a value label): a plain message, nothing rendered as HTML, exports formula-safe.
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

import evidencekit.ilostat as ilostat
from evidencekit.ilostat import http as ek_http
from evidencekit.store import open_store

from .apphelp import new_app, no_problem, submit, texts

AREAS = "m1-shock-and-recovery-areas"


# -- a stand-in for ILOSTAT ------------------------------------------------------------------------------------
class FakeIlostat:
    """ILOSTAT's rplumber API (catalogue and data answers, as the live service writes them) on a loopback port,
    answering from the embedded snapshot. ``mode`` breaks it: ``ok``, ``slow`` (every answer held back
    ``slow_for`` seconds), ``500``, ``429`` (with ``Retry-After: 600``), ``truncated`` (data answers cut in the
    middle of a row, the connection then closed); :meth:`close` makes it unreachable. ``seen``: the paths asked."""

    def __init__(self) -> None:
        from evidencekit.ilostat import Client

        self.local = Client(offline=True)
        self.mode = "ok"
        self.slow_for = 4.0
        self.seen: list[str] = []
        self.stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                fake.seen.append(self.path)
                fake.answer(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def body(self, path: str) -> tuple[int, str, bytes]:
        url = urllib.parse.urlsplit(path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/metadata/toc/indicator/":
            toc = self.local.toc()
            records = [{"id": r.id, "indicator": r.indicator, "indicator.label": r.label, "freq": r.freq,
                        "data.start": int(r.data_start), "data.end": int(r.data_end),
                        "last.update": "/".join(reversed(str(r.last_update)[:10].split("-"))) + " 00:00:00",
                        "n.records": int(r.n_records) if r.n_records == r.n_records else 0}
                       for r in toc.itertuples() if str(r.last_update)[:2] in ("19", "20")]
            return 200, "application/json", json.dumps(records).encode()
        if url.path == "/data/indicator/":
            filters = {k: q[k].split("+") for k in ("ref_area", "sex", "classif1", "classif2", "source") if k in q}
            df = self.local.get(q["id"], start=q.get("timefrom"), end=q.get("timeto"), **filters)
            df = df.drop(columns=[c for c in df.columns if c == "period"])
            return 200, "application/octet-stream", ("\ufeff" + df.to_csv(index=False)).encode()
        if url.path == "/metadata/toc/ref_area/":
            areas = self.local.areas()
            records = [{"id": f"{r['ref_area']}_A", "ref_area": r["ref_area"], "ref_area.label": r["ref_area.label"],
                        "freq": "A", **{k: f"ILO_GEO_{r[k]}" for k in ("ilo_region", "ilo_subregion_broad",
                                                                      "ilo_subregion_detailed") if pd.notna(r[k])},
                        **{f"{k}.label": r[f"{k}.label"] for k in ("ilo_region", "ilo_subregion_broad",
                                                                   "ilo_subregion_detailed") if pd.notna(r[k])}}
                       for r in areas.to_dict("records") if not r["is_aggregate"]]
            return 200, "application/json", json.dumps(records).encode()
        if url.path == "/metadata/dic/":
            df = self.local.dictionary(q["var"])
            return 200, "application/octet-stream", ("\ufeff" + df.to_csv(index=False)).encode()
        return 404, "text/plain", b"not found"

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        if self.mode == "slow":
            self.stop.wait(self.slow_for)
        if self.mode == "500":
            return self._send(h, 500, "text/plain", b"Internal Server Error")
        if self.mode == "429":
            return self._send(h, 429, "text/plain", b"Too Many Requests", {"Retry-After": "600"})
        status, ctype, body = self.body(h.path)
        if self.mode == "truncated" and h.path.startswith("/data/"):
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])   # half of it, cut in the middle of a row
            h.wfile.flush()
            h.close_connection = True
            return None
        return self._send(h, status, ctype, body)

    @staticmethod
    def _send(h, status: int, ctype: str, body: bytes, headers: dict | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def online(monkeypatch):
    """The app online, against a :class:`FakeIlostat` (a short deadline, no remembered failures)."""
    monkeypatch.setenv("EVIDENCEKIT_OFFLINE", "1")  # the stand-in reads the snapshot with the network off …
    fake = FakeIlostat()
    monkeypatch.delenv("EVIDENCEKIT_OFFLINE")      # … and the app goes online, to it
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_URL", fake.base)
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_DEADLINE", "2")
    ek_http._DOWN_UNTIL.clear()
    ilostat._default = None
    yield fake
    fake.close()
    ek_http._DOWN_UNTIL.clear()
    ilostat._default = None


def _source_line(at) -> str:
    lines = [str(c.value) for c in at.caption if str(c.value).startswith("Source: ILOSTAT")]
    assert lines, "the chart's source line is shown"
    return lines[0]


def _board_ids() -> list[str]:
    return [r["payload"]["evidence"]["id"] for r in open_store().participant("local").board()]


# What the page says about each fault (the library's words, shown as a note under the chart).
SAID = {"unreachable": "could not be reached",
        "slow": "did not answer in full within the 2 s deadline",
        "500": "500",
        "429": "asked to wait 30 s before trying again",
        "truncated": "broke off its answer before the end"}


@pytest.mark.parametrize("fault", list(SAID))
def test_ilostat_failing_mid_session_leaves_the_page_working_on_the_snapshot_and_the_work_in_place(online, fault,
                                                                                                    monkeypatch):
    # 2 s: slow answers are cut off quickly; 6 s: room for the client's retries (1 s, then 2 s) of a 500
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_DEADLINE", "2" if fault == "slow" else "6")
    at = new_app(module=1, step=2)
    at.run()
    no_problem(at)
    assert "offline snapshot" not in _source_line(at), (online.seen, texts(at)[-1500:])  # online: live figures
    assert any("/data/indicator/" in p for p in online.seen)
    button = next(b for b in at.button if b.label == "Add to my evidence board")
    submit(at, button.form_id)
    assert any(s.value.startswith("Saved to your evidence board as E1.") for s in at.success)
    progress = open_store().participant("local").progress(1)
    assert progress

    if fault == "unreachable":
        online.close()
    else:
        online.mode = fault
    asked = len(online.seen)
    at.multiselect(key=AREAS).set_value(["KHM", "IDN", "MYS"]).run()

    no_problem(at)
    page = texts(at)
    assert "Traceback" not in page
    assert at.image, "a chart is still drawn"
    line = _source_line(at)
    assert "offline snapshot" in line and "STALE" in line, line
    assert SAID[fault] in page, page
    shown = at.dataframe[0].value
    assert set(shown["Area"]) == {"Cambodia", "Indonesia", "Malaysia"}   # the new choice, from the snapshot
    if fault != "unreachable":
        assert len(online.seen) > asked                     # the fault was met, not skipped
    assert _board_ids() == ["E1"]                           # nothing of the participant's is lost
    assert open_store().participant("local").progress(1) == progress
    at.switch_page("app_pages/board.py").run()
    no_problem(at)
    assert "**E1** · Chart · from module 1" in texts(at)
