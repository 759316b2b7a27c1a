"""The schema is created and migrated by the code itself: a version-1 database is brought to version 2 with
its work kept, and several app processes opening a new database at once migrate it once."""
from __future__ import annotations

import multiprocessing

import sqlalchemy as sa

from evidencekit.store import schema as t

V1_DDL = [
    "CREATE TABLE meta (key VARCHAR(64) PRIMARY KEY, value TEXT)",
    "CREATE TABLE participants (id VARCHAR(128) PRIMARY KEY, name TEXT, created_at VARCHAR(32) NOT NULL)",
    "CREATE TABLE progress (participant_id VARCHAR(128) NOT NULL REFERENCES participants(id) ON DELETE CASCADE, "
    "module INTEGER NOT NULL, item VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, content VARCHAR(32), "
    "updated_at VARCHAR(32) NOT NULL, PRIMARY KEY (participant_id, module, item))",
    "INSERT INTO meta VALUES ('schema_version', '1')",
    "INSERT INTO participants VALUES ('ana', 'Ana', '2026-10-01T09:00:00+00:00')",
    "INSERT INTO progress VALUES ('ana', 1, 'intro', 'done', NULL, '2026-10-01T09:05:00+00:00')",
]


def test_a_version_1_database_is_migrated_with_its_work(places, db):
    engine = sa.create_engine(db if "://" in db else f"sqlite:///{db}")
    with engine.begin() as conn:   # as evidencekit 0.1 left it (only the tables it had, for brevity)
        for stmt in V1_DDL:
            conn.exec_driver_sql(stmt)
        for table in (t.answers, t.work, t.board, t.records):
            table.create(conn)
    engine.dispose()
    store = places.open(db, hosted=False)
    assert store.migrated == (1, 2) and store.schema_version == 2
    me = store.participant("ana")
    assert [(p["item"], p["status"]) for p in me.progress()] == [("intro", "done")]
    store.class_view().enrol("ana", email="ana@example.org")
    assert me.profile()["email"] == "ana@example.org"
    with store.read() as conn:
        assert {"access_codes", "identities", "trainers", "throttle", "applied_ops"} <= set(sa.inspect(conn).get_table_names())


def _open(url: str, outbox: str, start) -> None:
    from evidencekit.store import Store
    start.wait(60)
    Store(url, hosted=True, outbox=outbox)


def test_several_processes_opening_a_new_database_at_once(places, db, tmp_path):
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_open, args=(db, str(tmp_path / f"ob{k}.db"), start)) for k in range(4)]
    for p in procs:
        p.start()
    start.set()   # all at once, once every process has imported evidencekit
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    store = places.open(db)
    assert store.migrated == (2, 2)
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.meta)).scalar() == 1
