"""The store: participants' progress, answers, step work, evidence board and journey records, behind one
small interface.

``open_store(url)`` opens (and creates or migrates) the database: a SQLite file by default, under the
user's data directory; ``EVIDENCEKIT_DATABASE_URL`` or ``url=`` choose another (``sqlite:///path.db``, a plain
file path, or ``postgresql+psycopg://...`` for a hosted class). ``store.participant(id)`` gives a
:class:`ParticipantStore` bound to one participant: every read and write it does is scoped to that id, and
an import can only write into it. Only :meth:`Store.class_summary` reads across participants, and it returns
counts, never anyone's answers. See ``docs/store.md``.

>>> import tempfile, os
>>> store = open_store(os.path.join(tempfile.mkdtemp(), "ek.db"))
>>> me = store.participant("ana")
>>> me.mark(2, "youth-compare")
>>> [p["item"] for p in me.progress(2)]
['youth-compare']
>>> item = me.add_to_board({"kind": "chart", "title": "Youth unemployment", "payload": {"indicator": "SDG_0852_SEX_AGE_RT_A"},
...                         "citation": "ILOSTAT, International Labour Organization"})
>>> [b["title"] for b in me.board()]
['Youth unemployment']
>>> store.participant("ben").board()
[]
"""
from __future__ import annotations

import json
import os
import re
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlalchemy as sa

from evidencekit.store import schema as t
from evidencekit.store.errors import StoreError

EXPORT_FORMAT = "evidencekit-work"
EXPORT_VERSION = 1
RECORD_KINDS = ("goal", "assessment", "feedback", "followup", "brief_topic", "certificate")
BOARD_KINDS = ("chart", "table", "estimate", "quote", "note")
PROGRESS_STATUS = ("seen", "done")
ANSWER_STATUS = ("correct", "incorrect", "invalid", "unavailable")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+\-]{0,127}")
_ITEM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|intro|review")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def default_url() -> str:
    """``EVIDENCEKIT_DATABASE_URL`` when set, else a SQLite file in the user's data directory."""
    env = os.environ.get("EVIDENCEKIT_DATABASE_URL", "").strip()
    if env:
        return env
    from platformdirs import user_data_dir
    return f"sqlite:///{Path(user_data_dir('evidencekit')) / 'evidencekit.db'}"


def _url(url: str | os.PathLike | None) -> sa.URL:
    text = str(url) if url is not None else default_url()
    if "://" not in text:  # a plain file path
        text = f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        parsed = sa.make_url(text)
    except sa.exc.ArgumentError:
        raise StoreError(f"The database address '{text}'", "is not a database URL",
                         "write sqlite:///path/to/file.db, a file path, or postgresql+psycopg://user@host/db") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"The database address '{parsed.render_as_string(hide_password=True)}'",
                         f"uses {parsed.get_backend_name()}, which evidencekit does not support",
                         "use SQLite (a file) or PostgreSQL")
    return parsed


def _check_id(pid: object) -> str:
    if not isinstance(pid, str) or not _ID.fullmatch(pid):
        raise StoreError(f"The participant id {pid!r}", "is not usable",
                         "use 1 to 128 letters, digits, dots, hyphens, underscores, @ or +, starting with a letter or digit")
    return pid


def _check_module(module: object) -> int:
    if isinstance(module, bool) or not isinstance(module, int) or not 1 <= module <= 99:
        raise StoreError(f"The module {module!r}", "is not a module number", "a whole number such as 2")
    return module


def _check_item(item: object, what: str = "step") -> str:
    if not isinstance(item, str) or len(item) > 64 or not _ITEM.fullmatch(item):
        raise StoreError(f"The {what} {item!r}", "is not an id", "a step or question id such as youth-gap, or intro, review")
    return item


def _json(value: Any, what: str) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False, default=_default))
    except (TypeError, ValueError) as err:
        raise StoreError(f"Saving {what}", f"it cannot be stored as JSON ({err})",
                         "save plain values: text, numbers, lists and dicts") from None


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


class Store:
    """The database behind the participants' work. Thread-safe: one instance serves every Streamlit session."""

    def __init__(self, url: str | os.PathLike | None = None) -> None:
        self.url = _url(url)
        self.backend = self.url.get_backend_name()
        if self.backend == "sqlite":
            db = self.url.database
            if db and db != ":memory:":
                try:
                    Path(db).parent.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise StoreError(f"Creating the folder of the progress database {db}", str(err),
                                     "set EVIDENCEKIT_DATABASE_URL to a place you can write, e.g. sqlite:///progress.db") from None
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True)
        self._lock = threading.Lock()
        try:
            with self.write() as conn:
                self.migrated = t.migrate(conn)
        except sa.exc.OperationalError as err:
            raise StoreError(f"Opening the progress database {self.where}", f"it cannot be used ({err.orig})",
                             "check the file or the address in EVIDENCEKIT_DATABASE_URL") from None

    @property
    def where(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction (SQLite: ``BEGIN IMMEDIATE``, so concurrent writers queue instead of failing)."""
        with self.engine.connect() as conn:
            conn.execution_options(ek_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction: one consistent view of the database."""
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def close(self) -> None:
        self.engine.dispose()

    @property
    def schema_version(self) -> int:
        with self.read() as conn:
            return t.version_of(conn)

    # -- participants -----------------------------------------------------------------------------------
    def participant(self, pid: str, *, name: str | None = None, create: bool = True) -> "ParticipantStore":
        """The store of one participant (created on first use unless ``create=False``)."""
        pid = _check_id(pid)
        with self.write() as conn:
            exists = conn.execute(sa.select(t.participants.c.id).where(t.participants.c.id == pid)).first()
            if not exists:
                if not create:
                    raise StoreError(f"The participant '{pid}'", "is not in this database",
                                     "check the id, or create the participant")
                conn.execute(sa.insert(t.participants).values(id=pid, name=name, created_at=now()))
            elif name is not None:
                conn.execute(sa.update(t.participants).where(t.participants.c.id == pid).values(name=name))
        return ParticipantStore(self, pid)

    def participants(self) -> list[str]:
        """Participant ids (for the trainer's class view)."""
        with self.read() as conn:
            return [r[0] for r in conn.execute(sa.select(t.participants.c.id).order_by(t.participants.c.id))]

    def class_summary(self, module: int) -> list[dict]:
        """Per question of ``module``: how many participants answered, and how many are right in their latest
        answer. Counts only — no participant's response is returned."""
        module = _check_module(module)
        a = t.answers
        latest = (sa.select(a.c.participant_id, a.c.question, sa.func.max(a.c.id).label("last"))
                  .where(a.c.module == module, a.c.status.in_(("correct", "incorrect")))
                  .group_by(a.c.participant_id, a.c.question).subquery())
        q = (sa.select(a.c.question, sa.func.count().label("answered"),
                       sa.func.sum(sa.case((a.c.status == "correct", 1), else_=0)).label("correct"))
             .join(latest, a.c.id == latest.c.last).group_by(a.c.question).order_by(a.c.question))
        with self.read() as conn:
            return [{"question": r.question, "answered": int(r.answered), "correct": int(r.correct or 0)}
                    for r in conn.execute(q)]

    def _upsert(self, conn, table: sa.Table, values: dict, keys: list[str], newer_only: bool = False) -> None:
        """Insert, or update the row with the same keys (when ``newer_only``: only if ``updated_at`` is newer)."""
        if self.backend == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        stmt = insert(table).values(**values)
        update = {k: stmt.excluded[k] for k in values if k not in keys}
        where = (table.c.updated_at < stmt.excluded.updated_at) if newer_only else None
        conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update, where=where))


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA foreign_keys = ON")
    try:
        cur.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer, nor the writer them
    except Exception:  # noqa: BLE001 - a file system without shared memory: keep the default journal
        pass
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("ek_write") else "BEGIN")


class ParticipantStore:
    """Everything of one participant. Every method reads and writes only ``self.id``'s rows."""

    def __init__(self, store: Store, pid: str) -> None:
        self.store, self.id = store, pid

    def __repr__(self) -> str:
        return f"ParticipantStore({self.id!r} in {self.store.where})"

    # -- progress -------------------------------------------------------------------------------------------
    def mark(self, module: int, item: str, status: str = "done", *, content: str | None = None) -> None:
        """Mark a part of a module (a step id, ``intro`` or ``review``) as ``seen`` or ``done``.
        A ``done`` mark is not turned back into ``seen``."""
        module, item = _check_module(module), _check_item(item)
        if status not in PROGRESS_STATUS:
            raise StoreError(f"The progress status {status!r}", "is not known", "seen or done")
        p = t.progress
        with self.store.write() as conn:
            row = conn.execute(sa.select(p.c.status).where(p.c.participant_id == self.id, p.c.module == module,
                                                           p.c.item == item)).first()
            if row and row[0] == "done" and status == "seen":
                return
            self.store._upsert(conn, p, {"participant_id": self.id, "module": module, "item": item, "status": status,
                                         "content": content, "updated_at": now()},
                               ["participant_id", "module", "item"])

    def progress(self, module: int | None = None) -> list[dict]:
        p = t.progress
        q = sa.select(p.c.module, p.c.item, p.c.status, p.c.content, p.c.updated_at).where(p.c.participant_id == self.id)
        if module is not None:
            q = q.where(p.c.module == _check_module(module))
        with self.store.read() as conn:
            return [dict(r._mapping) for r in conn.execute(q.order_by(p.c.module, p.c.updated_at))]

    # -- answers --------------------------------------------------------------------------------------------
    def save_answer(self, module: int, question: str, response: Any, feedback: Any, *,
                    content: str | None = None) -> dict:
        """Keep one attempt: the response, its feedback (a :class:`evidencekit.course.Feedback` or its
        ``to_record()`` dict) and the time. Returns the saved record."""
        module, question = _check_module(module), _check_item(question, "question")
        record = feedback.to_record() if hasattr(feedback, "to_record") else dict(feedback or {})
        status = record.get("status")
        if status not in ANSWER_STATUS:
            raise StoreError(f"Saving the answer to {question}", f"its status {status!r} is not known",
                             "pass the Feedback that check_answer returned")
        values = {"participant_id": self.id, "module": module, "question": question,
                  "response": _json(response, "the response"), "status": status,
                  "feedback": _json(record, "the feedback"), "content": content, "answered_at": now()}
        with self.store.write() as conn:
            conn.execute(sa.insert(t.answers).values(**values))
        values.pop("participant_id")
        return values

    def answers(self, module: int | None = None, question: str | None = None) -> list[dict]:
        """Every attempt, oldest first."""
        a = t.answers
        q = sa.select(a.c.module, a.c.question, a.c.response, a.c.status, a.c.feedback, a.c.content,
                      a.c.answered_at).where(a.c.participant_id == self.id)
        if module is not None:
            q = q.where(a.c.module == _check_module(module))
        if question is not None:
            q = q.where(a.c.question == question)
        with self.store.read() as conn:
            return [dict(r._mapping) for r in conn.execute(q.order_by(a.c.id))]

    def latest_answers(self, module: int | None = None) -> list[dict]:
        """The latest attempt at each question (what progress counts)."""
        latest: dict[tuple, dict] = {}
        for rec in self.answers(module):
            latest[(rec["module"], rec["question"])] = rec
        return list(latest.values())

    # -- work in a step -------------------------------------------------------------------------------------
    def save_work(self, module: int, item: str, state: dict) -> None:
        """Keep what the participant did in a step (choices, tags, text) so a reload loses nothing."""
        module, item = _check_module(module), _check_item(item)
        if not isinstance(state, dict):
            raise StoreError(f"Saving the work of step {item}", "the state is not a dict", "pass a dict")
        with self.store.write() as conn:
            self.store._upsert(conn, t.work, {"participant_id": self.id, "module": module, "item": item,
                                              "state": _json(state, "the step's work"), "updated_at": now()},
                               ["participant_id", "module", "item"])

    def work(self, module: int, item: str) -> dict | None:
        w = t.work
        with self.store.read() as conn:
            row = conn.execute(sa.select(w.c.state).where(w.c.participant_id == self.id, w.c.module == _check_module(module),
                                                          w.c.item == _check_item(item))).first()
        return row[0] if row else None

    # -- evidence board -------------------------------------------------------------------------------------
    def add_to_board(self, item: dict) -> str:
        """Save an item to the board: ``kind`` (chart, table, estimate, quote, note), ``title``, ``payload``
        (what the app needs to draw it again: the query, the estimate, the quotation), ``citation``; optional
        ``module``, ``step``. Returns its id."""
        values = self._board_values(item, new=True)
        b = t.board
        with self.store.write() as conn:
            top = conn.execute(sa.select(sa.func.max(b.c.position)).where(b.c.participant_id == self.id)).scalar()
            values["position"] = (top or 0) + 1
            conn.execute(sa.insert(b).values(**values))
        return values["item_id"]

    def update_board_item(self, item_id: str, **fields: Any) -> None:
        """Change an item's title, payload, citation or position."""
        allowed = {"title", "payload", "citation", "position"}
        bad = set(fields) - allowed
        if bad:
            raise StoreError(f"Changing board item {item_id}", f"{', '.join(sorted(bad))} cannot be changed",
                             "change " + ", ".join(sorted(allowed)))
        if "payload" in fields:
            fields["payload"] = _json(fields["payload"], "the board item")
        b = t.board
        with self.store.write() as conn:
            done = conn.execute(sa.update(b).where(b.c.participant_id == self.id, b.c.item_id == item_id)
                                .values(**fields, updated_at=now())).rowcount
        if not done:
            raise StoreError(f"Changing board item {item_id}", "there is no such item on your board", "reload the board")

    def remove_from_board(self, item_id: str) -> None:
        b = t.board
        with self.store.write() as conn:
            conn.execute(sa.delete(b).where(b.c.participant_id == self.id, b.c.item_id == item_id))

    def board(self) -> list[dict]:
        b = t.board
        q = (sa.select(b.c.item_id, b.c.kind, b.c.title, b.c.payload, b.c.citation, b.c.module, b.c.step,
                       b.c.position, b.c.created_at, b.c.updated_at)
             .where(b.c.participant_id == self.id).order_by(b.c.position, b.c.created_at))
        with self.store.read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def _board_values(self, item: dict, new: bool) -> dict:
        if not isinstance(item, dict):
            raise StoreError("Saving to the evidence board", "the item is not a dict", "pass kind, title, payload, citation")
        kind, title = item.get("kind"), item.get("title")
        if kind not in BOARD_KINDS:
            raise StoreError("Saving to the evidence board", f"the kind {kind!r} is not known", "one of " + ", ".join(BOARD_KINDS))
        if not isinstance(title, str) or not title.strip():
            raise StoreError("Saving to the evidence board", "the item has no title", "give it a title")
        if kind != "note" and not item.get("citation"):
            raise StoreError("Saving to the evidence board", f"the {kind} has no citation",
                             "pass the citation of the data (df.attrs['provenance']['citation'])")
        stamp = now()
        return {"participant_id": self.id, "item_id": str(item.get("item_id") or uuid.uuid4().hex), "kind": kind,
                "title": title.strip(), "payload": _json(item.get("payload") or {}, "the board item"),
                "citation": item.get("citation"), "module": item.get("module"), "step": item.get("step"),
                "position": item.get("position", 0), "created_at": item.get("created_at") or stamp,
                "updated_at": item.get("updated_at") or stamp}

    # -- journey records (goals, assessments, feedback, follow-up...) ---------------------------------------
    def put_record(self, kind: str, key: str, payload: dict) -> None:
        """Keep one record of the course journey: ``kind`` is one of goal, assessment, feedback, followup,
        brief_topic, certificate; ``key`` names it within the kind (e.g. ``pre``/``post`` for assessments)."""
        if kind not in RECORD_KINDS:
            raise StoreError(f"The record kind {kind!r}", "is not known", "one of " + ", ".join(RECORD_KINDS))
        key = _check_item(key, "record key")
        stamp = now()
        with self.store.write() as conn:
            old = conn.execute(sa.select(t.records.c.created_at).where(
                t.records.c.participant_id == self.id, t.records.c.kind == kind, t.records.c.key == key)).first()
            self.store._upsert(conn, t.records, {"participant_id": self.id, "kind": kind, "key": key,
                                                 "payload": _json(payload, f"the {kind}"),
                                                 "created_at": old[0] if old else stamp, "updated_at": stamp},
                               ["participant_id", "kind", "key"])

    def records(self, kind: str | None = None) -> list[dict]:
        r = t.records
        q = sa.select(r.c.kind, r.c.key, r.c.payload, r.c.created_at, r.c.updated_at).where(r.c.participant_id == self.id)
        if kind is not None:
            q = q.where(r.c.kind == kind)
        with self.store.read() as conn:
            return [dict(x._mapping) for x in conn.execute(q.order_by(r.c.kind, r.c.key))]

    # -- export / import ------------------------------------------------------------------------------------
    def export(self) -> dict:
        """All of this participant's work as one JSON-ready dict (see ``docs/store.md`` for the format)."""
        w = t.work
        with self.store.read() as conn:
            work = [dict(r._mapping) for r in conn.execute(
                sa.select(w.c.module, w.c.item, w.c.state, w.c.updated_at).where(w.c.participant_id == self.id)
                .order_by(w.c.module, w.c.item))]
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "participant": self.id, "exported_at": now(),
                "progress": self.progress(), "answers": self.answers(), "work": work, "board": self.board(),
                "records": self.records()}

    def export_to(self, path: str | os.PathLike) -> Path:
        """Write :meth:`export` to a JSON file (written beside and renamed into place)."""
        target = Path(path)
        tmp = target.with_name(target.name + ".part")
        try:
            tmp.write_text(json.dumps(self.export(), ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, target)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"Writing {target}", str(err), "choose a folder you can write to") from None
        return target

    def import_work(self, data: dict | str | os.PathLike) -> dict[str, int]:
        """Merge an export of **this** participant's work (a dict or a JSON file) into the store.

        Refused — nothing written — when the file belongs to another participant, is not an evidencekit
        export, or any part of it is malformed. Merging keeps the newer of two versions of a mark, a step's
        work, a board item or a record, and adds attempts not yet stored; importing the same file twice
        changes nothing. Returns how many rows were added or updated per part.
        """
        name = "the file"
        if not isinstance(data, dict):
            name = f"'{data}'"
            try:
                data = json.loads(Path(data).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
                raise StoreError(f"Importing {name}", f"it cannot be read as JSON ({err})",
                                 "choose a file exported by evidencekit (Download my work)") from None
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise StoreError(f"Importing {name}", "it is not an evidencekit export of a participant's work",
                             "choose a file exported by evidencekit (Download my work)")
        if data.get("version") != EXPORT_VERSION:
            raise StoreError(f"Importing {name}", f"its format version {data.get('version')!r} is not known",
                             f"export it again with this evidencekit (version {EXPORT_VERSION})")
        owner = data.get("participant")
        if owner != self.id:
            raise StoreError(f"Importing {name}", f"it holds the work of participant {owner!r}, not yours ({self.id!r})",
                             "import only your own work; each participant imports their own file")
        parts = {k: data.get(k, []) for k in ("progress", "answers", "work", "board", "records")}
        for k, rows in parts.items():
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise StoreError(f"Importing {name}", f"its part '{k}' is not a list of records", "export it again")
        counts = dict.fromkeys(parts, 0)
        try:
            with self.store.write() as conn:
                counts["progress"] = self._merge(conn, t.progress, parts["progress"], ["module", "item"],
                                                 {"module": _check_module, "item": _check_item,
                                                  "status": _in(PROGRESS_STATUS), "updated_at": _stamp})
                counts["work"] = self._merge(conn, t.work, parts["work"], ["module", "item"],
                                             {"module": _check_module, "item": _check_item,
                                              "state": _is(dict), "updated_at": _stamp})
                counts["board"] = self._merge(conn, t.board, parts["board"], ["item_id"],
                                              {"item_id": _is(str), "kind": _in(BOARD_KINDS), "title": _is(str),
                                               "payload": _is(dict), "position": _is(int), "created_at": _stamp,
                                               "updated_at": _stamp})
                counts["records"] = self._merge(conn, t.records, parts["records"], ["kind", "key"],
                                                {"kind": _in(RECORD_KINDS), "key": _check_item, "payload": _is(dict),
                                                 "created_at": _stamp, "updated_at": _stamp})
                counts["answers"] = self._merge_answers(conn, parts["answers"])
        except (KeyError, ValueError, TypeError, StoreError) as err:
            why = err.why if isinstance(err, StoreError) else str(err)
            raise StoreError(f"Importing {name}", f"a record is malformed ({why}); nothing was imported",
                             "export it again from evidencekit") from None
        return counts

    def _merge(self, conn, table: sa.Table, rows: list[dict], keys: list[str], checks: dict) -> int:
        allowed = {c.name for c in table.columns} - {"participant_id"}
        n = 0
        for row in rows:
            if "participant_id" in row and row["participant_id"] != self.id:
                raise StoreError("Importing", f"a record belongs to {row['participant_id']!r}")
            values = {k: v for k, v in row.items() if k in allowed}
            for col, check in checks.items():
                check(values[col])
            values["participant_id"] = self.id
            where = [table.c.participant_id == self.id] + [table.c[k] == values[k] for k in keys]
            old = conn.execute(sa.select(table.c.updated_at).where(*where)).first()
            if old is None or old[0] < values["updated_at"]:
                self.store._upsert(conn, table, values, ["participant_id", *keys], newer_only=True)
                n += 1
        return n

    def _merge_answers(self, conn, rows: list[dict]) -> int:
        a = t.answers
        n = 0
        for row in rows:
            values = {k: row.get(k) for k in ("module", "question", "response", "status", "feedback", "content",
                                              "answered_at")}
            _check_module(values["module"]); _check_item(values["question"], "question")  # noqa: E702
            _in(ANSWER_STATUS)(values["status"]); _stamp(values["answered_at"])  # noqa: E702
            seen = conn.execute(sa.select(a.c.id, a.c.response).where(
                a.c.participant_id == self.id, a.c.module == values["module"], a.c.question == values["question"],
                a.c.answered_at == values["answered_at"])).all()
            if any(r.response == values["response"] for r in seen):
                continue
            conn.execute(sa.insert(a).values(participant_id=self.id, **values))
            n += 1
        return n

    def delete_all(self) -> None:
        """Delete this participant and all their work (the participant's right to erase)."""
        with self.store.write() as conn:
            for table in (t.answers, t.progress, t.work, t.board, t.records):
                conn.execute(sa.delete(table).where(table.c.participant_id == self.id))
            conn.execute(sa.delete(t.participants).where(t.participants.c.id == self.id))


def _in(choices: Iterable[str]):
    choices = tuple(choices)

    def check(v):
        if v not in choices:
            raise ValueError(f"{v!r} is not one of {', '.join(choices)}")
    return check


def _is(kind: type):
    def check(v):
        if not isinstance(v, kind) or isinstance(v, bool):
            raise ValueError(f"{v!r} is not a {kind.__name__}")
    return check


def _stamp(v):
    if not isinstance(v, str):
        raise ValueError(f"{v!r} is not a time")
    datetime.fromisoformat(v)


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(url: str | os.PathLike | None = None) -> Store:
    """The store at ``url`` (default: ``EVIDENCEKIT_DATABASE_URL``, else a SQLite file in the user's data
    directory). One :class:`Store` per address and process, shared by every thread that asks for it."""
    key = _url(url).render_as_string(hide_password=False)
    with _stores_lock:
        if key not in _stores:
            _stores[key] = Store(key)
        return _stores[key]
