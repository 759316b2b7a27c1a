"""The database going away mid-session: writes kept on this machine (memory and a local file), the participant
told in plain words, reads from the last copy said to be behind, everything sent when the database is back —
once and only once. Against a real PostgreSQL server stopped and started again, and a SQLite file moved out
of reach."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import pytest

from evidencekit.store import StoreError, StoreUnavailable
from evidencekit.store.outbox import Outbox

CHART = {"kind": "chart", "title": "Youth unemployment, ASEAN, 2019", "module": 2, "step": "youth-compare",
         "payload": {"indicator": "SDG_0852_SEX_AGE_RT_A"}, "citation": "ILOSTAT, International Labour Organization."}
NOTE = {"kind": "note", "title": "Ask PSA about the 2021 break", "payload": {"text": "call on Monday"}}


def _read_everything(me) -> None:
    me.progress(), me.answers(), me.latest_answers(), me.board(), me.records(), me.work(1, "intro")


def _offline_writes(me) -> str:
    me.save_work(3, "focus-groups", {"tags": {"p1": ["care-duties"]}})
    item = me.add_to_board(NOTE)
    me.put_record("goal", "main", {"text": "Brief my minister on youth NEET"})
    me.save_answer(2, "break-meaning", "b", {"status": "correct"})
    return item


def _check_all_there_once(me, first: str, item: str) -> None:
    assert [b["item_id"] for b in me.board()] == [first, item]
    assert [b["position"] for b in me.board()] == [1, 2]
    assert me.work(3, "focus-groups") == {"tags": {"p1": ["care-duties"]}}
    assert [r["payload"]["text"] for r in me.records("goal")] == ["Brief my minister on youth NEET"]
    assert [a["question"] for a in me.answers()] == ["break-meaning"]


def test_postgres_going_away_mid_session(pg_places, pg_server, tmp_path):
    url = pg_places.new()
    outbox = tmp_path / "outbox.db"
    store = pg_places.open(url, outbox=outbox)
    me = store.participant("ana")
    me.mark(1, "intro")
    first = me.add_to_board(CHART)
    _read_everything(me)
    assert me.status().message == ""

    pg_server.stop()
    item = _offline_writes(me)            # no error: the participant goes on working
    status = me.status()
    assert (status.connected, status.pending, status.in_file) == (False, 4, True)
    assert status.message.startswith("Saved on this machine: the progress database cannot be reached just now. "
                                     "Your 4 changes will be sent when it is back; nothing you entered is lost.")
    board = me.board()                    # read from the last copy, with the waiting writes applied
    assert [b["item_id"] for b in board] == [first, item]
    assert me.status().behind and "What you see may be behind" in me.status().message
    assert me.work(3, "focus-groups") == {"tags": {"p1": ["care-duties"]}}
    assert [(a["question"], a["status"]) for a in me.latest_answers(2)] == [("break-meaning", "correct")]
    assert len(Outbox(outbox, store.where).pending("ana")) == 4   # on disk: a restart would lose none

    pg_server.start()
    assert store.flush() == 4
    assert me.status().pending == 0 and me.status().message == ""
    _check_all_there_once(me, first, item)
    assert store.flush() == 0             # nothing is sent twice
    fresh = pg_places.open(url, outbox=tmp_path / "another.db").participant("ana")
    _check_all_there_once(fresh, first, item)


def test_first_read_while_the_database_is_away_is_refused_plainly(pg_places, pg_server, tmp_path):
    store = pg_places.open(pg_places.new())
    me = store.participant("ana")
    pg_server.stop()
    me.mark(1, "intro")  # kept
    with pytest.raises(StoreUnavailable, match="Showing your saved work .*cannot be reached just now.*nothing you "
                                              "entered is lost"):
        me.board()       # never read in this process: there is no copy to show, and it is not shown as empty
    pg_server.start()
    assert store.flush() == 1 and [p["item"] for p in me.progress()] == ["intro"]


def _writer_killed_later(url: str, outbox: str, ready, stopped, wrote) -> None:
    from evidencekit.store import Store
    store = Store(url, hosted=False, outbox=outbox)
    me = store.participant("ana")
    me.mark(1, "intro")
    me.board()
    ready.set()
    stopped.wait(60)
    _offline_writes(me)
    wrote.set()
    threading.Event().wait(120)  # killed here


def test_a_process_killed_while_writes_wait_loses_nothing(pg_places, pg_server, tmp_path):
    url, outbox = pg_places.new(), str(tmp_path / "outbox.db")
    pg_places.open(url)
    ctx = multiprocessing.get_context("spawn")
    ready, stopped, wrote = ctx.Event(), ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_writer_killed_later, args=(url, outbox, ready, stopped, wrote))
    proc.start()
    try:
        assert ready.wait(90)
        pg_server.stop()
        stopped.set()
        assert wrote.wait(60)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    pg_server.start()
    restarted = pg_places.open(url, outbox=outbox)   # the next run of the app replays the file when opening
    me = restarted.participant("ana")
    assert me.status().pending == 0
    assert len(me.board()) == 1 and me.work(3, "focus-groups") and len(me.answers()) == 1
    assert [p["item"] for p in me.progress()] == ["intro"]


def test_sqlite_file_out_of_reach(tmp_path):
    from evidencekit.store import Store
    folder = tmp_path / "usb-drive"
    store = Store(folder / "progress.db", outbox=tmp_path / "outbox.db")
    me = store.participant("ana")
    first = me.add_to_board(CHART)
    _read_everything(me)
    folder.rename(tmp_path / "usb-drive-away")     # the drive is unplugged
    item = _offline_writes(me)
    assert me.status().pending == 4 and "Saved on this machine" in me.status().message
    with pytest.raises(StoreError, match="there is no such item on your board"):  # refused now, not at replay
        me.update_board_item("no-such-item", position=1)
    me.update_board_item(item, position=2)        # one added while away: known from the last copy read
    with pytest.raises(StoreError, match="no longer on your board"):
        me.order_board([item, "no-such-item", first])
    me.order_board([item, first])                 # a move while away: shown at once, in the new order
    assert me.status().pending == 6
    assert [b["item_id"] for b in me.board()] == [item, first] and me.status().behind
    me.order_board([first, item])                 # and back
    (tmp_path / "usb-drive-away").rename(folder)   # and plugged in again
    assert store.flush() == 7 and me.status().message == ""
    _check_all_there_once(me, first, item)


def test_replayed_once_and_only_once(places, db, tmp_path):
    """A crash between applying a write and crossing it off; two processes replaying the same file at once."""
    outbox = tmp_path / "shared-outbox.db"
    a = places.open(db, outbox=outbox)
    b = places.open(db, outbox=outbox)
    a.participant("ana")
    crashed = a._op("ana", "answer", {"module": 1, "question": "q0", "response": 0, "status": "correct",
                                      "feedback": {}, "content": None})
    a.outbox.add(crashed)
    with a.write() as conn:      # applied by a first replay that died before crossing it off
        a._apply(conn, crashed, replay=True)
    for i in range(1, 25):
        a.outbox.add(a._op("ana", "answer", {"module": 1, "question": f"q{i}", "response": i, "status": "correct",
                                            "feedback": {}, "content": None}))
    applied = []
    threads = [threading.Thread(target=lambda s=s: applied.append(s.flush())) for s in (a, b)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(applied) == 24                       # the crashed one is not applied again
    answers = a.participant("ana").answers()
    assert sorted(x["response"] for x in answers) == list(range(25))
    assert len(Outbox(outbox, a.where).pending()) == 0 and a.flush() == b.flush() == 0


def test_a_write_refused_later_is_kept_with_its_reason(places, db, tmp_path):
    store = places.open(db)
    me = store.participant("ana")
    op = store._op("ana", "work", {"module": 1, "item": "intro", "state": {"x": 1}})
    store.outbox.add(op)          # waiting, when the participant is deleted meanwhile
    me.delete_all()
    assert store.flush() == 0
    failed = Outbox(store.outbox.path, store.where).failed("ana")
    assert [f["id"] for f in failed] == [op["id"]] and "no longer in the database" in failed[0]["reason"]
    assert "could not be saved" in store.status("ana").message and store.status("ana").pending == 0
