"""The client against a real HTTP server on this machine (not a cassette): a moved host set by
``EVIDENCEKIT_ILOSTAT_URL``, gzip transfer (``Content-Encoding: gzip``), a ``.csv.gz`` body served as a file,
and 200 answers whose body is not what was asked for (``docs/ilostat.md``, "How evidencekit talks to ILOSTAT").

Bodies are the real specimens (``shared/data/ilostat-specimens``) with the BOM the live service adds.
"""
from __future__ import annotations

import gzip
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

import evidencekit.ilostat as ilostat
from evidencekit.ilostat import Client, NetworkError, SourceWarning
from evidencekit.ilostat.http import USER_AGENT

UNE = "UNE_DEAP_SEX_AGE_RT_A"
TOC = "/mirror/metadata/toc/indicator/?lang=en&format=.json"
DATA = f"/mirror/data/indicator/?id={UNE}&ref_area=KEN+USA+X01&type=code&format=.csv"


class Server:
    """Answers ``routes[path_with_query]`` = (status, headers, body), or a list of them played in turn
    (the last one repeats); records every request. ``delay`` (seconds) holds every answer back.

    Paths in ``silent`` get no answer at all (the connection stays open until the server closes); paths in
    ``drip`` get their headers, then the body one byte every ``drip_every`` seconds — ``sent[path]`` counts
    the bytes that went out before the client hung up. Both give up after ``give_up`` seconds (closing the
    connection), so that a client without a deadline fails its test quickly instead of hanging it."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict, bytes] | list[tuple[int, dict, bytes]]] = {}
        self.seen: list[tuple[str, dict]] = []
        self.delay = 0.0
        self.silent: set[str] = set()
        self.drip: set[str] = set()
        self.drip_every = 0.05
        self.give_up = 5.0
        self.sent: dict[str, int] = {}
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.seen.append((self.path, dict(self.headers)))
                if self.path in server.silent:
                    server.closing.wait(server.give_up)
                    return
                route = server.routes.get(self.path, (404, {}, b"not found"))
                if isinstance(route, list):
                    route = route.pop(0) if len(route) > 1 else route[0]
                status, headers, body = route
                if server.delay:
                    time.sleep(server.delay)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path not in server.drip:
                    self.wfile.write(body)
                    return
                server.sent[self.path] = 0
                until = time.monotonic() + server.give_up
                try:
                    for i in range(len(body)):
                        if server.closing.wait(server.drip_every) or time.monotonic() > until:
                            return
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        server.sent[self.path] += 1
                except OSError:   # the client hung up
                    return

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}/mirror"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def specimens(shared_data):
    folder = shared_data / "ilostat-specimens"
    return {"toc": (folder / "rplumber-toc-indicator.json").read_bytes(),
            "data": "\ufeff".encode() + (folder / "rplumber-data-indicator-UNE_DEAP_SEX_AGE_RT_A.csv").read_bytes()}


OCTET = {"Content-Type": "application/octet-stream"}


def test_a_moved_host_from_the_environment_is_used_with_gzip_transfer(server, specimens, monkeypatch, tmp_path):
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_URL", server.base + "/")
    monkeypatch.setenv("EVIDENCEKIT_CACHE_DIR", str(tmp_path / "c"))
    server.routes[TOC] = (200, {**OCTET, "Content-Disposition": "attachment; filename=response.json"}, specimens["toc"])
    server.routes[DATA] = (200, {**OCTET, "Content-Encoding": "gzip", "Content-Disposition":
                                 "attachment; filename=response.csv"}, gzip.compress(specimens["data"]))
    df = ilostat.get(UNE.lower(), ref_area=["ken", "usa", "x01"])
    assert [p for p, _ in server.seen] == [TOC, DATA]
    assert all(h.get("User-Agent") == USER_AGENT and "gzip" in h.get("Accept-Encoding", "") for _, h in server.seen)
    prov = df.attrs["provenance"]
    assert prov["origin"] == "live" and prov["url"] == f"{server.base}{DATA[len('/mirror'):]}"
    want = pd.read_csv(pd.io.common.BytesIO(specimens["data"]), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert len(df) == len(want) and df["obs_value"].sum() == pytest.approx(pd.to_numeric(want["obs_value"]).sum())


def test_a_csv_gz_file_served_as_is_is_read(server, specimens, tmp_path):
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.routes[DATA] = (200, {**OCTET, "Content-Disposition": "attachment; filename=response.csv.gz"},
                           gzip.compress(specimens["data"]))
    df = Client(base_url=server.base, cache_dir=tmp_path / "c").get(UNE, ref_area=["KEN", "USA", "X01"])
    assert len(df) == 52 and set(df["ref_area"]) == {"KEN", "USA", "X01"}


@pytest.mark.parametrize("body", [b"[]", b'{"error":"something went wrong"}', b"\x00\x01\x02garbage\xff"])
def test_a_200_answer_that_is_not_ilostat_csv_is_said_not_taken_for_no_data(server, specimens, tmp_path, body):
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.routes[DATA] = (200, OCTET, body)
    with pytest.raises(NetworkError) as err:
        Client(base_url=server.base, cache_dir=tmp_path / "c").get(UNE, ref_area=["KEN", "USA", "X01"])
    text = str(err.value)
    assert "not ILOSTAT data" in text and server.base in text


@pytest.mark.parametrize("body", [b"", b'{"error":"500 - Internal server error"}', b'[{"id": "X_A", "indic'])
def test_a_catalogue_answer_that_is_not_json_falls_back_and_is_not_kept(server, specimens, tmp_path, body):
    server.routes[TOC] = (200, OCTET, body)   # a dropped or cut-off body (docs/ilostat.md), an error
    client = Client(base_url=server.base, cache_dir=tmp_path / "c", down_for=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    assert df.attrs["provenance"]["origin"] == "snapshot" and df.attrs["provenance"]["stale"] is True
    assert any(issubclass(w.category, SourceWarning) and "catalogue" in str(w.message) for w in caught)
    server.routes[TOC] = (200, OCTET, specimens["toc"])   # the service recovers: the empty answer was not cached
    toc = Client(base_url=server.base, cache_dir=tmp_path / "c", down_for=0).toc()
    assert toc.attrs["provenance"]["origin"] == "live" and UNE in set(toc["id"])


def test_a_dictionary_answer_that_is_not_csv_gives_way_to_the_snapshot_copy(server, specimens, tmp_path):
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.routes[DATA] = (200, OCTET, specimens["data"])
    for var in ("ref_area", "source", "indicator", "sex", "classif1", "obs_status", "note_classif", "note_indicator",
                "note_source"):
        server.routes[f"/mirror/metadata/dic/?var={var}&lang=en&format=.csv"] = (200, OCTET, b"\x00\xffnot a csv\xfe")
    df = Client(base_url=server.base, cache_dir=tmp_path / "c").get(UNE, ref_area=["KEN", "USA", "X01"], labels=True)
    assert set(df.loc[df["ref_area"] == "KEN", "ref_area.label"]) == {"Kenya"}
    assert set(df.loc[df["sex"] == "SEX_T", "sex.label"]) == {"Sex: Total"}


@pytest.mark.parametrize("status, retry_after, slept", [(503, "2", [2.0]), (429, "600", [30.0])])
def test_retry_after_is_honoured_on_a_real_connection_up_to_the_cap(server, specimens, tmp_path, no_sleep,
                                                                    status, retry_after, slept):
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.routes[DATA] = [(status, {"Retry-After": retry_after, "Content-Type": "text/plain"}, b"busy"),
                           (200, OCTET, specimens["data"])]
    df = Client(base_url=server.base, cache_dir=tmp_path / "c", deadline=60).get(UNE, ref_area=["KEN", "USA", "X01"])
    assert len(df) == 52 and [p for p, _ in server.seen].count(DATA) == 2
    assert no_sleep == slept   # the server's wait, never more than max_retry_after (30 s)


def test_a_wait_longer_than_the_deadline_is_not_waited_for(server, specimens, tmp_path, no_sleep):
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.routes[DATA] = [(429, {"Retry-After": "600", "Content-Type": "text/plain"}, b"slow down"),
                           (200, OCTET, specimens["data"])]
    with pytest.raises(NetworkError, match=r"asked to wait 30 s before trying again, beyond the 15 s deadline"):
        Client(base_url=server.base, cache_dir=tmp_path / "c").get(UNE, ref_area=["KEN", "USA", "X01"])
    assert no_sleep == [] and [p for p, _ in server.seen].count(DATA) == 1   # gave up at once, no second try


PHL_DATA = "/mirror/data/indicator/?id=SDG_0852_SEX_AGE_RT_A&ref_area=PHL&type=code&format=.csv"


def test_a_server_that_sends_a_byte_at_a_time_is_cut_off_at_the_deadline(server, specimens, tmp_path):
    """A slow drip kept a download alive for hours: the deadline covers the whole body, then the snapshot
    answers, labelled. (The server counts the bytes it could send before the client hung up.)"""
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.routes[PHL_DATA] = (200, OCTET, specimens["data"])
    server.drip.add(PHL_DATA)
    client = Client(base_url=server.base, cache_dir=tmp_path / "c", deadline=0.5)
    client.toc()
    with pytest.warns(SourceWarning, match=r"did not answer in full within the 0.5 s deadline.*offline snapshot"):
        df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    assert df.attrs["provenance"]["origin"] == "snapshot" and df.attrs["provenance"]["stale"] is True
    assert 0 < server.sent[PHL_DATA] < len(specimens["data"])        # cut off mid-body, not read to the end
    assert [p for p, _ in server.seen].count(PHL_DATA) == 1          # and not tried again after the deadline
    assert not list((tmp_path / "c" / "data").glob("*.json"))        # nothing of it kept in the cache


def test_a_catalogue_sent_a_byte_at_a_time_is_cut_off_too(server, specimens, tmp_path):
    """The deadline covers the catalogue and dictionary requests (through requests-cache) as well."""
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.drip.add(TOC)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        client = Client(base_url=server.base, cache_dir=tmp_path / "c", deadline=0.5)
        toc = client.toc()
    assert toc.attrs["provenance"]["origin"] == "snapshot" and toc.attrs["provenance"]["stale"] is True
    assert "within the 0.5 s deadline" in client._remembered_failure().why
    for _ in range(100):
        if [p for p, _ in server.seen].count(TOC) == 1 and server.sent.get(TOC):
            break
        time.sleep(0.05)
    assert 0 < server.sent[TOC] < len(specimens["toc"])


def test_a_server_that_never_answers_costs_the_deadline_then_the_snapshot_answers(server, specimens, tmp_path):
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.silent.add(PHL_DATA)
    client = Client(base_url=server.base, cache_dir=tmp_path / "c", deadline=0.5)
    client.toc()
    with pytest.warns(SourceWarning, match=r"within the 0.5 s deadline"):
        df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    assert df.attrs["provenance"]["origin"] == "snapshot" and df.attrs["provenance"]["stale"] is True
    assert [p for p, _ in server.seen].count(PHL_DATA) == 1   # one attempt within the deadline, no retry after it
    with warnings.catch_warnings(record=True) as said:          # remembered: the next call does not wait again
        warnings.simplefilter("always")
        client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="T")
    assert [p for p, _ in server.seen].count(PHL_DATA) == 1 and any("deadline" in str(w.message) for w in said)


def test_the_deadline_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_DEADLINE", "7.5")
    assert Client(cache_dir=tmp_path / "c").settings.deadline == 7.5
    assert ilostat.default_client().settings.deadline == 7.5
    assert Client(cache_dir=tmp_path / "c", deadline=3).settings.deadline == 3.0   # the argument wins
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_DEADLINE", "0")
    with pytest.raises(ilostat.QueryError, match="EVIDENCEKIT_ILOSTAT_DEADLINE"):
        Client(cache_dir=tmp_path / "c")


def test_a_server_that_does_not_answer_in_time_is_said_and_the_snapshot_answers(server, specimens, tmp_path):
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    client = Client(base_url=server.base, cache_dir=tmp_path / "c", timeout=(2.0, 0.3))
    client.toc()                      # the catalogue arrives; then the service stalls
    server.delay = 1.0
    with pytest.warns(SourceWarning, match="did not answer in time"):
        df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    assert [p for p, _ in server.seen].count(PHL_DATA) == 2   # read timeout 0.3 s, one retry, then the snapshot
    assert df.attrs["provenance"]["origin"] == "snapshot" and df.attrs["provenance"]["stale"] is True


@pytest.mark.parametrize("dataset, kw, query, needle", [
    ("UNE_DEAP_SEX_AGE_RT_Q", {"ref_area": "x01"}, "ref_area=X01",
     "X01 is a regional aggregate and this dataset has none"),          # ToC: no with.region for _Q
    (UNE, {"start": 2030}, "timefrom=2030", "this dataset covers 1947 to 2027 only"),
])
def test_a_header_only_answer_is_explained_from_the_catalogue(server, specimens, shared_data, tmp_path,
                                                             dataset, kw, query, needle):
    header_only = (shared_data / "ilostat-specimens" / "rplumber-data-indicator-header-only.csv").read_bytes()
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.routes[f"/mirror/data/indicator/?id={dataset}&{query}&type=code&format=.csv"] = (
        200, OCTET, "\ufeff".encode() + header_only)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the dictionaries come from the snapshot: this server has none
        with pytest.raises(ilostat.NoMatchError, match=needle):
            Client(base_url=server.base, cache_dir=tmp_path / "c").get(dataset, **kw)


# -- answers cut or changed on the way: refused before use or caching (docs/ilostat.md, "Checks on every answer")
def phl_body(shared_data) -> bytes:
    """ILOSTAT's real rows of SDG_0852_SEX_AGE_RT_A for PHL (the bulk file's lines), as rplumber sends them."""
    lines = (shared_data / "ilostat" / "bulk" / "SDG_0852_SEX_AGE_RT_A.csv").read_bytes().splitlines(keepends=True)
    return lines[0] + b"".join(line for line in lines[1:] if line.startswith(b"PHL,"))


def _swap_header(body: bytes, a: bytes, b: bytes) -> bytes:
    head, _, rest = body.partition(b"\n")
    return head.replace(a, b"\0").replace(b, a).replace(b"\0", b) + b"\n" + rest


def _drop_column(body: bytes, name: str) -> bytes:
    rows = [line.split(b",") for line in body.splitlines()]
    i = [c.decode("utf-8-sig") for c in rows[0]].index(name)
    return b"".join(b",".join(r[:i] + r[i + 1:]) + b"\n" for r in rows)


CHANGES = {   # what reached us -> what the refusal says
    "cut inside a row": (lambda b: b[: b.index(b"\nPHL", 3000) + 40], "has 5 fields where the header has 11"),
    "cut after a value, no line break": (lambda b: b[:-1], "does not end with a line break"),
    "sex column missing": (lambda b: _drop_column(b, "sex"), "the column sex is missing"),
    "sex and classif1 swapped": (lambda b: _swap_header(b, b"sex", b"classif1"), "classif1 should hold AGE_ codes"),
    "column renamed": (lambda b: b.replace(b"note_source", b"notes", 1), "columns ILOSTAT does not publish (notes)"),
    "a value that is not a number": (lambda b: b.replace(b",3.398,", b",3,398,", 1), "has 12 fields"),
    "a value that is text": (lambda b: b.replace(b",3.398,", b",n/a,", 1), "obs_value should hold numbers"),
    "a period that is not one": (lambda b: b.replace(b",2021,", b",20x1,", 1), "time should hold a year"),
    "another area's rows": (lambda b: b.replace(b"\nPHL,", b"\nIDN,", 2), "ref_area 'IDN' where ref_area=PHL was asked"),
    "another indicator": (lambda b: b.replace(b"PHL,SDG_0852_SEX_AGE_RT,", b"PHL,UNE_DEAP_SEX_AGE_RT,", 1),
                          "rows of another indicator"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_an_answer_cut_or_changed_is_refused_never_used_nor_kept(server, specimens, shared_data, tmp_path, change):
    make, needle = CHANGES[change]
    body = phl_body(shared_data)   # with the BOM of the bulk file, as rplumber sends it
    server.routes[TOC] = (200, OCTET, specimens["toc"])
    server.routes[PHL_DATA] = (200, OCTET, make(body))   # Content-Length matches what is sent
    client = Client(base_url=server.base, cache_dir=tmp_path / "c", down_for=0)
    with pytest.warns(SourceWarning) as said:
        df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    text = " ".join(str(w.message) for w in said)
    assert needle in text and ("refused" in text or "not ILOSTAT data" in text) and "offline snapshot" in text
    prov = df.attrs["provenance"]
    assert prov["origin"] == "snapshot" and prov["stale"] is True        # the labelled fallback, not the answer
    want = Client(cache_dir=tmp_path / "o", offline=True).get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    pd.testing.assert_frame_equal(df, want)
    assert not list((tmp_path / "c" / "data").glob("*.json"))          # never kept as the truth
    server.routes[PHL_DATA] = (200, OCTET, body)                          # the service recovers: the real answer
    fresh = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")
    assert fresh.attrs["provenance"]["origin"] == "live" and len(fresh) == 183
    assert len(list((tmp_path / "c" / "data").glob("*.json"))) == 1


def test_the_whole_real_answer_passes_the_checks(shared_data):
    """Every row of the real files and specimens passes (no false refusal of a sound answer)."""
    from evidencekit.ilostat.formats import read_csv, read_data_answer
    from evidencekit.ilostat.query import Query
    from evidencekit.ilostat.validate import problems

    for path in sorted((shared_data / "ilostat" / "bulk").glob("*.csv")):
        assert problems(read_csv(path), path.stem) == [], path.name
    une = read_data_answer(specimens_body(shared_data), "u")
    assert problems(une, UNE, Query.build(UNE, ref_area=["KEN", "USA", "X01"])) == []
    assert problems(une, UNE, Query.build(UNE, ref_area="KEN")) != []   # rows of areas not asked for


def specimens_body(shared_data) -> bytes:
    return "\ufeff".encode() + (shared_data / "ilostat-specimens" /
                                 "rplumber-data-indicator-UNE_DEAP_SEX_AGE_RT_A.csv").read_bytes()


def test_a_changed_answer_gives_way_to_the_cached_copy_of_the_earlier_release(server, specimens, tmp_path):
    """ILOSTAT publishes a new release; its answer comes cut: the earlier release, cached, answers (stale)."""
    newer = specimens["toc"].replace(b"24/09/2026 07:10:19", b"21/11/2026 08:00:00")
    server.routes[TOC] = [(200, OCTET, specimens["toc"]), (200, OCTET, newer)]
    server.routes[DATA] = (200, OCTET, specimens["data"])
    client = Client(base_url=server.base, cache_dir=tmp_path / "c", toc_max_age=0, down_for=0)
    first = client.get(UNE, ref_area=["KEN", "USA", "X01"])
    assert first.attrs["provenance"]["origin"] == "live"
    server.routes[DATA] = (200, OCTET, specimens["data"][:-30])
    with pytest.warns(SourceWarning, match="refused.*comes from the local cache"):
        again = client.get(UNE, ref_area=["KEN", "USA", "X01"])
    prov = again.attrs["provenance"]
    assert prov["origin"] == "cache" and prov["stale"] is True and prov["last_update"] == "2026-09-24T07:10:19"
    pd.testing.assert_frame_equal(again, first.sort_values("ref_area", kind="stable").reset_index(drop=True))
