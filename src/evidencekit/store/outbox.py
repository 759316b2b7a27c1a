"""The outbox: writes that could not reach the database, kept until they can be sent.

When the class database goes away mid-session (a PostgreSQL server restarted, a SQLite file out of reach),
a participant's write is not lost: it is kept **in memory and in a local file** (a small SQLite file on the
machine that runs the app, written with a full sync before the call returns), and replayed in order when the
database is back — by the same process or, after a restart, by the next one that opens the store. Each write
carries an id; the store records the id of every write it applies in the same transaction
(``applied_ops``), so a write replayed twice — by two processes at once, or after a crash between applying
it and crossing it off here — is applied once and only once (``docs/store.md``).

A write the database refuses for another reason than being out of reach (e.g. the participant was deleted
meanwhile) is not dropped: it is kept in the file as *failed*, with the reason, and counted in the status.

>>> import tempfile, pathlib
>>> box = Outbox(pathlib.Path(tempfile.mkdtemp()) / "outbox.db", "sqlite:///ek.db")
>>> box.add({"id": "op1", "participant": "ana", "op": "work", "args": {"module": 1}, "at": "2026-12-02T09:00:00"})
True
>>> [op["id"] for op in Outbox(box.path, "sqlite:///ek.db").pending("ana")]   # a restart reads the file
['op1']
>>> box.done("op1"); len(box)
0
"""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

_DDL = """CREATE TABLE IF NOT EXISTS ops (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    store TEXT NOT NULL,
    participant TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    reason TEXT
)"""


class Outbox:
    """Pending writes of one store (``store_key``: its address without password), in order, in memory and in
    the SQLite file ``path`` (None: memory only)."""

    def __init__(self, path: Path | None, store_key: str) -> None:
        self.path = Path(path) if path is not None else None
        self.store_key = store_key
        self._pending: dict[str, dict] = {}   # op id -> op, in the order they were kept
        self._failed: dict[str, dict] = {}
        self._unsaved: set[str] = set()       # kept in memory only (the file could not be written)
        self.file_problem: str | None = None
        self._lock = threading.RLock()
        if self.path is not None and self.path.exists():
            self.reload()

    def __len__(self) -> int:
        return len(self._pending)

    # -- the file -------------------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(_DDL)
        return conn

    def _write(self, sql: str, params: tuple) -> bool:
        if self.path is None:
            self.file_problem = "no local file was given for the outbox"
            return False
        try:
            with closing(self._connect()) as conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(sql, params)
                conn.execute("COMMIT")
            return True
        except (OSError, sqlite3.Error) as err:
            self.file_problem = f"{self.path}: {err}"
            return False

    def reload(self) -> None:
        """Read the file again: writes kept by an earlier run (or another process) of the same store."""
        if self.path is None:
            return
        try:
            with closing(self._connect()) as conn:
                rows = conn.execute("SELECT op_id, body, state, reason FROM ops WHERE store = ? ORDER BY seq",
                                    (self.store_key,)).fetchall()
        except (OSError, sqlite3.Error) as err:
            self.file_problem = f"{self.path}: {err}"
            return
        with self._lock:
            for op_id, body, state, reason in rows:
                op = json.loads(body)
                if state == "failed":
                    self._failed.setdefault(op_id, {**op, "reason": reason})
                    self._pending.pop(op_id, None)
                elif op_id not in self._failed:
                    self._pending.setdefault(op_id, op)

    # -- keeping and crossing off -----------------------------------------------------------------------------
    def add(self, op: dict) -> bool:
        """Keep ``op`` (in memory, then in the file). True when it is in the file, False when in memory only."""
        with self._lock:
            self._pending[op["id"]] = op
            self._unsaved.add(op["id"])
            for op_id in [i for i in self._pending if i in self._unsaved]:
                kept = self._pending[op_id]
                if not self._write("INSERT OR IGNORE INTO ops (op_id, store, participant, body) VALUES (?, ?, ?, ?)",
                                   (op_id, self.store_key, kept["participant"], json.dumps(kept, ensure_ascii=False))):
                    return False
                self._unsaved.discard(op_id)
            self.file_problem = None
            return True

    def pending(self, participant: str | None = None) -> list[dict]:
        """Writes still to send, oldest first (of one participant, or all)."""
        with self._lock:
            return [op for op in self._pending.values() if participant is None or op["participant"] == participant]

    def failed(self, participant: str | None = None) -> list[dict]:
        """Writes the database refused for another reason than being out of reach, each with its ``reason``."""
        with self._lock:
            return [op for op in self._failed.values() if participant is None or op["participant"] == participant]

    def done(self, op_id: str) -> None:
        """Cross off a write the database has applied."""
        with self._lock:
            self._pending.pop(op_id, None)
            self._unsaved.discard(op_id)
            if self.path is not None:
                self._write("DELETE FROM ops WHERE op_id = ?", (op_id,))

    def fail(self, op_id: str, reason: str) -> None:
        """Keep a write the database refused, with the reason (never dropped)."""
        with self._lock:
            op = self._pending.pop(op_id, None)
            if op is None:
                return
            self._failed[op_id] = {**op, "reason": reason}
            if self.path is not None:
                self._write("UPDATE ops SET state = 'failed', reason = ? WHERE op_id = ?", (reason, op_id))

    @property
    def in_file(self) -> bool:
        """True when every pending write is in the local file (a restart loses none of them)."""
        return self.path is not None and not self._unsaved


def describe(ops: list[dict[str, Any]]) -> str:
    """'3 changes' / '1 change' (for the status message)."""
    return f"{len(ops)} change{'s' if len(ops) != 1 else ''}"
