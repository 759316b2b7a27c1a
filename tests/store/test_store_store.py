"""The participants' store, on SQLite and on a real PostgreSQL server (the ``places`` fixture): everything read
back after a reload, every call scoped to one participant, concurrent writers from threads and processes,
export/import (another participant's file refused), schema created and migrated by the code itself."""
from __future__ import annotations

import json
import multiprocessing
import threading

import pytest
import sqlalchemy as sa

from evidencekit.course import check_answer, load_course
from evidencekit.store import Store, StoreError, default_url, open_store
from evidencekit.store import schema as t

CHART = {"kind": "chart", "title": "Youth unemployment, ASEAN, 2019", "module": 2, "step": "youth-compare",
         "payload": {"indicator": "SDG_0852_SEX_AGE_RT_A", "areas": ["IDN", "PHL"], "year": 2019},
         "citation": "ILOSTAT, International Labour Organization. SDG indicator 8.5.2 [SDG_0852_SEX_AGE_RT_A]."}


def fill(me):
    course = load_course()
    q = course.question("2/break-meaning")
    me.mark(2, "intro")
    me.mark(2, "youth-compare", "done", content=course.module(2).digest)
    me.mark(2, "youth-notes", "seen")
    me.save_answer(2, q.id, "a", check_answer(q, "a"))
    me.save_answer(2, q.id, "b", check_answer(q, "b"))
    me.save_work(3, "focus-groups", {"tags": {"p1": ["care-duties"], "p8": ["care-duties", "income-insecurity"]}})
    item = me.add_to_board(CHART)
    me.add_to_board({"kind": "quote", "title": "V1 on care", "payload": {"passage": "p1"},
                     "citation": "Illustrative focus group (course material, Synthetica)"})
    me.put_record("goal", "main", {"text": "Brief my minister on youth NEET"})
    me.put_record("assessment", "pre", {"scores": {"m1": 2, "m2": 3}})
    return item


def test_a_reload_reads_back_everything(places, db):
    first = places.open(db)
    item = fill(first.participant("ana"))
    first.close()
    again = places.open(db).participant("ana")  # a restart: a new engine on the same file
    assert {(p["item"], p["status"]) for p in again.progress(2)} == {("intro", "done"), ("youth-compare", "done"),
                                                                    ("youth-notes", "seen")}
    attempts = again.answers(2, "break-meaning")
    assert [a["status"] for a in attempts] == ["incorrect", "correct"]
    assert attempts[1]["feedback"]["explanation"].startswith("B means a break in series")
    assert [a["status"] for a in again.latest_answers(2)] == ["correct"]
    assert again.work(3, "focus-groups")["tags"]["p8"] == ["care-duties", "income-insecurity"]
    board = again.board()
    assert [b["item_id"] for b in board][0] == item and board[0]["payload"]["areas"] == ["IDN", "PHL"]
    assert [b["position"] for b in board] == [1, 2]
    assert again.records("goal")[0]["payload"]["text"] == "Brief my minister on youth NEET"


def test_the_latest_answer_of_each_question_however_many_attempts(places, db):
    store = places.open(db)
    me, other = store.participant("ana"), store.participant("ben")
    course = load_course()
    questions = [q for q in course.module(2).questions if q.kind == "single"][:2]
    for round_ in range(6):  # attempts at two questions, interleaved; ben's never reach ana
        for q in questions:
            answer = q.options[round_ % len(q.options)].id
            me.save_answer(2, q.id, answer, check_answer(q, answer))
            other.save_answer(2, q.id, "zzz", {"status": "invalid"})
    me.save_answer(1, "some-question", "x", {"status": "incorrect"})
    by_hand = {}
    for a in me.answers():  # every attempt, oldest first: the last one of each question counts
        by_hand[(a["module"], a["question"])] = a
    latest = me.latest_answers()
    assert sorted((a["module"], a["question"], a["response"]) for a in latest) == \
        sorted((m, q, a["response"]) for (m, q), a in by_hand.items())
    assert [a["question"] for a in me.latest_answers(2)] == [q.id for q in questions] and len(latest) == 3
    assert all(a["status"] != "invalid" for a in latest)


def test_done_is_not_undone_by_seen(places, db):
    me = places.open(db).participant("ana")
    me.mark(1, "unemployment-asean", "done")
    me.mark(1, "unemployment-asean", "seen")
    assert me.progress(1)[0]["status"] == "done"


def test_participants_never_see_each_other(places, db):
    store = places.open(db)
    fill(store.participant("ana"))
    ben = store.participant("ben")
    assert ben.progress() == [] and ben.answers() == [] and ben.board() == [] and ben.records() == []
    assert ben.work(3, "focus-groups") is None
    ana_item = store.participant("ana").board()[0]["item_id"]
    with pytest.raises(StoreError, match="no such item on your board"):
        ben.update_board_item(ana_item, title="taken over")
    with pytest.raises(StoreError, match="no longer on your board"):
        ben.order_board([ana_item])
    ben.remove_from_board(ana_item)  # removes nothing of ana's
    assert len(store.participant("ana").board()) == 2
    assert store.participants() == ["ana", "ben"]


def test_class_summary_counts_only(places, db):
    store = places.open(db)
    q = load_course().question("2/break-meaning")
    for pid, answer in (("ana", "b"), ("ben", "a"), ("cao", "a")):
        store.participant(pid).save_answer(2, q.id, answer, check_answer(q, answer))
    store.participant("cao").save_answer(2, q.id, "b", check_answer(q, "b"))  # the latest counts
    store.participant("dia").save_answer(2, q.id, "", check_answer(q, ""))  # invalid: not counted
    assert store.class_summary(2) == [{"question": "break-meaning", "answered": 3, "correct": 2}]


def test_bad_input_is_refused_before_writing(places, db):
    store = places.open(db)
    me = store.participant("ana")
    with pytest.raises(StoreError, match="not usable"):
        store.participant("../etc")
    with pytest.raises(StoreError, match="not a module number"):
        me.mark("2", "intro")
    with pytest.raises(StoreError, match="is not an id"):
        me.mark(2, "Step 3")
    with pytest.raises(StoreError, match="has no citation"):
        me.add_to_board({"kind": "chart", "title": "x", "payload": {}})
    with pytest.raises(StoreError, match="kind 'poster' is not known"):
        me.add_to_board({**CHART, "kind": "poster"})
    with pytest.raises(StoreError, match="cannot be stored as JSON"):
        me.save_work(1, "shock-and-recovery", {"x": float("nan")})
    with pytest.raises(StoreError, match="record kind 'diary'"):
        me.put_record("diary", "d1", {})
    assert me.progress() == [] and me.board() == []


def _writer(url: str, pid: str, n: int, outbox: str | None = None) -> None:
    me = (open_store(url) if outbox is None else Store(url, hosted=False, outbox=outbox)).participant(pid)
    for i in range(n):
        me.mark(1, f"s{i}", "done")
        me.add_to_board({"kind": "note", "title": f"{pid} note {i}", "payload": {"i": i}})
        me.save_answer(1, f"q{i % 3}", i, {"status": "correct"})


def _thread_writer(store, pid: str, n: int) -> None:
    me = store.participant(pid)
    for i in range(n):
        me.mark(1, f"s{i}", "done")
        me.add_to_board({"kind": "note", "title": f"{pid} note {i}", "payload": {"i": i}})
        me.save_answer(1, f"q{i % 3}", i, {"status": "correct"})


def test_concurrent_writers_on_threads(places, db, tmp_path):
    store = places.open(db)
    threads = [threading.Thread(target=_thread_writer, args=(store, f"p{k}", 15)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    store = places.open(db)
    for k in range(8):
        me = store.participant(f"p{k}")
        assert len(me.progress(1)) == 15 and len(me.answers(1)) == 15
        board = me.board()
        assert sorted(b["position"] for b in board) == list(range(1, 16))  # no two items took the same place
        assert all(b["title"].startswith(f"p{k} ") for b in board)


def test_concurrent_writers_in_processes(places, db, tmp_path):
    places.open(db)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(db, f"proc{k}", 10, str(tmp_path / f"ob{k}.db"))) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    store = places.open(db)
    assert all(len(store.participant(f"proc{k}").board()) == 10 for k in range(3))


def _write_then_wait(url: str, outbox: str, wrote) -> None:
    from evidencekit.store import Store
    fill(Store(url, hosted=False, outbox=outbox).participant("ana"))  # every kind of write, nothing closed
    wrote.set()
    threading.Event().wait(120)  # killed here


def test_work_written_survives_the_process_killed_at_once(places, db, tmp_path):
    """Each write is committed when the call returns: a participant's app (or a hosted worker) killed straight
    after, with nothing closed or flushed, loses none of it. On SQLite the commit reaches the WAL file without
    an fsync (``synchronous = NORMAL``), which a dying process cannot undo."""
    import os
    import signal

    ctx = multiprocessing.get_context("spawn")
    wrote = ctx.Event()
    proc = ctx.Process(target=_write_then_wait, args=(db, str(tmp_path / "outbox.db"), wrote))
    proc.start()
    try:
        assert wrote.wait(120), "the writer did not finish its writes"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    store = places.open(db)
    me = store.participant("ana", create=False)
    assert {(p["module"], p["item"], p["status"]) for p in me.progress()} == {
        (2, "intro", "done"), (2, "youth-compare", "done"), (2, "youth-notes", "seen")}
    assert [a["response"] for a in me.answers(2)] == ["a", "b"]
    assert me.work(3, "focus-groups")["tags"]["p8"] == ["care-duties", "income-insecurity"]
    assert [b["title"] for b in me.board()] == [CHART["title"], "V1 on care"]
    assert [r["payload"] for r in me.records("goal")] == [{"text": "Brief my minister on youth NEET"}]
    assert store.status().pending == 0  # written to the database itself, not left waiting in the outbox
    if store.engine.dialect.name == "sqlite":  # what docs/store.md says of SQLite's journal
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_export_then_import_elsewhere(places, db, tmp_path):
    ana = places.open(db).participant("ana")
    fill(ana)
    path = ana.export_to(tmp_path / "ana-work.json")
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["format"] == "evidencekit-work" and exported["participant"] == "ana"
    elsewhere = places.open(places.new()).participant("ana")
    counts = elsewhere.import_work(path)
    assert counts == {"progress": 3, "answers": 2, "work": 1, "board": 2, "records": 2}
    strip = lambda d: {k: v for k, v in d.items() if k != "exported_at"}  # noqa: E731
    assert strip(elsewhere.export()) == strip(ana.export())
    assert elsewhere.import_work(path) == dict.fromkeys(counts, 0)  # twice: nothing changes


def test_import_keeps_the_newer_version(places, db, tmp_path):
    store = places.open(db)
    ana = store.participant("ana")
    ana.save_work(6, "write-brief", {"problem": "old draft"})
    old = ana.export()
    ana.save_work(6, "write-brief", {"problem": "new draft"})
    ana.import_work(old)
    assert ana.work(6, "write-brief") == {"problem": "new draft"}


def test_import_into_another_participant_is_refused(places, db, tmp_path):
    store = places.open(db)
    fill(store.participant("ana"))
    path = store.participant("ana").export_to(tmp_path / "ana.json")
    ben = store.participant("ben")
    with pytest.raises(StoreError, match="holds the work of participant 'ana', not yours \\('ben'\\)"):
        ben.import_work(path)
    forged = json.loads(path.read_text(encoding="utf-8"))
    forged["participant"] = "ben"
    forged["board"][0]["participant_id"] = "ana"  # a row that names someone else
    with pytest.raises(StoreError, match="nothing was imported"):
        ben.import_work(forged)
    assert ben.board() == [] and ben.progress() == []


def test_a_malformed_import_writes_nothing(places, db):
    ana = places.open(db).participant("ana")
    good = {"format": "evidencekit-work", "version": 1, "participant": "ana",
            "progress": [{"module": 1, "item": "intro", "status": "done", "updated_at": "2026-12-01T10:00:00+00:00"}],
            "board": [{"item_id": "x1", "kind": "chart", "title": "t", "payload": {}, "position": 1,
                       "created_at": "2026-12-01T10:00:00+00:00", "updated_at": "nonsense"}]}
    with pytest.raises(StoreError, match="malformed"):
        ana.import_work(good)
    assert ana.progress() == []  # the good first part was rolled back with the bad one
    with pytest.raises(StoreError, match="not an evidencekit export"):
        ana.import_work({"participant": "ana"})


def test_schema_version_and_a_newer_database(places, db):
    store = places.open(db)
    assert store.schema_version == t.SCHEMA_VERSION == 2 and store.migrated == (0, 2)
    assert places.open(db).migrated == (2, 2)  # opening again migrates nothing
    with store.engine.begin() as conn:
        conn.execute(sa.update(t.meta).where(t.meta.c.key == "schema_version").values(value="99"))
    with pytest.raises(StoreError, match="written by a newer evidencekit"):
        places.open(db)


def test_default_location_and_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("EVIDENCEKIT_DATABASE_URL", raising=False)
    assert default_url().startswith("sqlite:///") and default_url().endswith("evidencekit.db")
    monkeypatch.setenv("EVIDENCEKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    store = open_store()
    assert store is open_store() and store.where.endswith("env.db")
    with pytest.raises(StoreError, match="does not support"):
        Store("mysql://u@h/db")
    assert Store(tmp_path / "x.db", outbox=tmp_path / "ob.db").hosted is False  # a participant's own machine
    monkeypatch.setenv("EVIDENCEKIT_HOSTED", "1")
    assert Store(tmp_path / "x.db", outbox=tmp_path / "ob.db").hosted is True


def test_delete_all(places, db):
    store = places.open(db)
    fill(store.participant("ana"))
    store.participant("ana").delete_all()
    assert store.participants() == []
    with pytest.raises(StoreError, match="not in this database"):
        store.participant("ana", create=False)


def test_rows_kept_current_after_each_write_equal_the_rows_read_again(places, db):
    """A session that keeps what it read (the app reads a participant's work once per change) brings it up to
    date after its own write by the write's own rules, without reading again: for every kind of write, and
    every read of rows, what it keeps equals what the database then returns."""
    me = places.open(db).participant("ana")
    q = load_course().question("2/break-meaning")
    first = {}

    def writes():
        yield lambda: me.mark(2, "intro", "seen")
        yield lambda: me.mark(2, "intro")                       # seen -> done
        yield lambda: me.mark(2, "intro", "seen")               # a done mark is not turned back
        yield lambda: me.save_answer(2, q.id, "a", check_answer(q, "a"))
        yield lambda: me.save_answer(2, q.id, "b", check_answer(q, "b"), content="v2")  # the latest replaced
        yield lambda: first.setdefault("item", me.add_to_board(CHART))
        yield lambda: first.setdefault("other", me.add_to_board({**CHART, "title": "Second"}))
        yield lambda: me.update_board_item(first["item"], position=2)
        yield lambda: me.update_board_item(first["other"], position=1)   # a move: the order changes
        yield lambda: me.order_board([first["item"], first["other"]])     # and back, in one write
        yield lambda: me.update_board_item(first["item"], title="Youth unemployment, 2019",
                                           payload={"indicator": "X", "areas": ["PHL"]})
        yield lambda: me.remove_from_board(first["other"])
        yield lambda: me.put_record("goal", "main", {"text": "first"})
        yield lambda: me.put_record("goal", "main", {"text": "second"})  # the same key: kept once, newer
        yield lambda: me.save_work(2, "youth", {"choices": {"areas": ("PHL", "IDN")}})  # a tuple: kept as read
        yield lambda: me.save_work(1, "explore", {"note": "first step"})
        yield lambda: me.save_work(2, "youth", {"choices": {"areas": ["PHL"]}, "note": "again"})  # replaced

    for write in writes():
        before = {read: getattr(me, read)() for read in me.CURRENT}
        write()
        for read in me.CURRENT:
            assert me.kept_current(read, before[read]) == getattr(me, read)(), (read, write)
    with pytest.raises(StoreError):
        me.update_board_item("no-such-item", title="x")
    assert me.kept_current("board", []) is None  # a refused write keeps nothing current
    me.mark(2, "intro")
    other = places.open(db).participant("bea")
    assert other.kept_current("board", []) is None  # this thread's last write was ana's
    with pytest.raises(StoreError, match="not a read of rows"):
        me.kept_current("work", [])


def test_a_board_is_reordered_in_one_write_and_an_item_gone_leaves_it_as_it_was(places, db):
    me = places.open(db).participant("ana")
    ids = [me.add_to_board({**CHART, "title": title}) for title in ("A", "B", "C")]
    me.order_board([ids[2], ids[0], ids[1]])
    assert [(b["title"], b["position"]) for b in me.board()] == [("C", 1), ("A", 2), ("B", 3)]
    me.remove_from_board(ids[1])
    with pytest.raises(StoreError, match="no longer on your board"):
        me.order_board([ids[0], ids[1], ids[2]])
    assert [b["title"] for b in me.board()] == ["C", "A"]  # nothing of the refused order was kept
    with pytest.raises(StoreError, match="named twice"):
        me.order_board([ids[0], ids[0]])
