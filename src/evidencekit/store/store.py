"""The store: participants' progress, answers, step work, evidence board and journey records, behind one
small interface — on a participant's own machine (a SQLite file) or for a hosted class (PostgreSQL).

``open_store(url)`` opens (and creates or migrates) the database: a SQLite file by default, under the
user's data directory; ``EVIDENCEKIT_DATABASE_URL`` or ``url=`` choose another (``sqlite:///path.db``, a plain
file path, or ``postgresql+psycopg://...`` for a hosted class). A :class:`ParticipantStore` is bound to one
participant: every read and write it does is scoped to that id, its id cannot be changed, and an import can
only write into it. It is had from :meth:`Store.participant` on a participant's own machine, and only from a
sign-in (:meth:`Store.sign_in`, :meth:`Store.sign_in_with_identity`) in a hosted class. Reads across
participants go through a :class:`ClassView`, which in a hosted class needs the trainer's credentials.

When the database cannot be reached, writes are kept in the outbox (memory and a local file) and sent when
it is back; reads give the last copy read, with those writes applied, and :meth:`ParticipantStore.status`
says so in plain words. See ``docs/store.md``.

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
>>> me.status().message
''
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import sqlalchemy as sa

from evidencekit.store import access as acc
from evidencekit.store import schema as t
from evidencekit.store.errors import AccessDenied, StoreError, StoreUnavailable
from evidencekit.store.outbox import Outbox, describe

EXPORT_FORMAT = "evidencekit-work"
EXPORT_VERSION = 1
RECORD_KINDS = ("goal", "assessment", "feedback", "followup", "brief_topic", "certificate")
BOARD_KINDS = ("chart", "table", "estimate", "quote", "note")
PROGRESS_STATUS = ("seen", "done")
ANSWER_STATUS = ("correct", "incorrect", "invalid", "unavailable")
KINDS = ("progress", "answers", "work", "board", "records")  # the parts of a participant's work
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+\-]{0,127}")
_ITEM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|intro|review")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
_GRANT = object()  # only this module makes participant scopes and class views
RETRY_MAX = 30.0   # seconds: the longest pause between two tries to reach a database that went away
DEMO = "demo."  # a trainer's demo participant: demo.<trainer> (ClassView.demo), never counted in the class
_PID = sa.bindparam("pid")  # statements are made once with parameters: SQLAlchemy then keeps their compiled form


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
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"The database address '{parsed.render_as_string(hide_password=True)}'",
                         f"uses {backend}, which evidencekit does not support", "use SQLite (a file) or PostgreSQL")
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, the driver evidencekit installs
    return parsed


def _check_id(pid: object) -> str:
    if not isinstance(pid, str) or not _ID.fullmatch(pid):
        raise StoreError(f"The participant id {pid!r}", "is not usable",
                         "use 1 to 128 letters, digits, dots, hyphens, underscores, @ or +, starting with a letter or digit")
    return pid


def _counted(pid_column):
    """The participants a class view counts: everyone but the trainers' demo participants."""
    return sa.not_(pid_column.startswith(DEMO, autoescape=True))


def _check_not_demo(pid: str, what: str) -> str:
    if pid.startswith(DEMO):
        raise StoreError(what, f"ids starting {DEMO!r} are kept for the trainers' demo participants",
                         "choose another id")
    return pid


def _check_module(module: object) -> int:
    if isinstance(module, bool) or not isinstance(module, int) or not 1 <= module <= 99:
        raise StoreError(f"The module {module!r}", "is not a module number", "a whole number such as 2")
    return module


def _check_item(item: object, what: str = "step") -> str:
    if not isinstance(item, str) or len(item) > 64 or not _ITEM.fullmatch(item):
        raise StoreError(f"The {what} {item!r}", "is not an id", "a step or question id such as youth-gap, or intro, review")
    return item


def _check_email(email: object) -> str:
    if not isinstance(email, str) or not _EMAIL.fullmatch(email.strip()):
        raise StoreError(f"The e-mail address {email!r}", "is not an e-mail address", "write it as name@example.org")
    return email.strip().lower()


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


def _unreachable(err: BaseException) -> bool:
    """True when ``err`` says the database cannot be reached (server down, connection dropped, file out of
    reach, locked past the timeout) rather than that the data were refused."""
    if isinstance(err, sa.exc.DBAPIError) and err.connection_invalidated:
        return True
    return isinstance(err, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError))


def _reason(err: BaseException) -> str:
    orig = getattr(err, "orig", None) or err
    return " ".join(str(orig).split())[:300]


@dataclass(frozen=True)
class StoreStatus:
    """What the app tells a participant about where their work is.

    ``connected``: the last contact with the database worked; ``pending``: writes kept on this machine,
    waiting for it; ``failed``: writes it refused (kept too, with the reason); ``behind``: the last read came
    from the copy on this machine, not from the database; ``in_file``: the waiting writes are in the local
    file (a restart loses none); ``message``: all that in a sentence or two ('' when all is well).
    """

    connected: bool
    pending: int
    failed: int
    behind: bool
    in_file: bool
    outbox: str | None
    message: str


class Store:
    """The database behind the participants' work. Thread-safe: one instance serves every Streamlit session.

    ``hosted`` (default: True on PostgreSQL, else ``EVIDENCEKIT_HOSTED``): a participant's work is reached
    only by signing in, and the class view needs a trainer's credentials. ``outbox``: the local file where
    writes wait while the database is out of reach (default: ``EVIDENCEKIT_OUTBOX``, else a file named after
    the database in the user's data directory). ``clock``: seconds since the epoch (tests pass their own).
    """

    def __init__(self, url: str | os.PathLike | None = None, *, hosted: bool | None = None,
                 outbox: str | os.PathLike | None = None, clock: Callable[[], float] = time.time) -> None:
        self.url = _url(url)
        self.backend = self.url.get_backend_name()
        self.clock = clock
        if hosted is None:
            env = os.environ.get("EVIDENCEKIT_HOSTED", "").strip().lower()
            hosted = env in ("1", "true", "yes") if env else self.backend == "postgresql"
        self.hosted = bool(hosted)
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
            if db and db != ":memory:":
                # a pooled handle would go on writing into a file that was moved or deleted (and that no one
                # will read again): each checkout checks the file is still the one the handle opened
                sa.event.listen(self.engine, "checkout", _sqlite_same_file(db))
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                                           pool_timeout=10, connect_args={"connect_timeout": 5})
        self._lock = threading.RLock()
        self._flush_lock = threading.Lock()
        self._mirror: dict[str, dict[str, list[dict]]] = {}   # participant -> kind -> last rows read
        self._made: dict[tuple | str, Any] = {}  # write statements made once for this backend (see _PID)
        self._behind: set[str] = set()                          # participants whose last read was the copy
        self._sent = threading.local()                          # .op: the last write this thread sent
        self._fails = 0
        self._retry_at = 0.0
        self.connected = True
        self.outbox = Outbox(self._outbox_path(outbox), self.where)
        try:
            with self.write(force=True) as conn:
                self.migrated = t.migrate(conn)
        except StoreUnavailable as err:
            raise StoreUnavailable(f"Opening the {self.noun} {self.where}", err.why,
                                   "check that the database server is running and the address in "
                                   "EVIDENCEKIT_DATABASE_URL; nothing kept on this machine is lost") from None
        if len(self.outbox):
            self.flush()

    # -- where, and how to reach it ---------------------------------------------------------------------------
    @property
    def where(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @property
    def noun(self) -> str:
        return "class database" if self.hosted else "progress database"

    def _outbox_path(self, given) -> Path | None:
        if given is not None:
            return Path(given)
        env = os.environ.get("EVIDENCEKIT_OUTBOX", "").strip()
        if env:
            return Path(env)
        from platformdirs import user_data_dir
        tag = hashlib.sha256(self.where.encode("utf-8")).hexdigest()[:12]
        return Path(user_data_dir("evidencekit")) / "outbox" / f"outbox-{tag}.db"

    def _gate(self, force: bool) -> None:
        """Refuse at once (StoreUnavailable) while pausing between tries to reach a database that went away."""
        if not force and not self.connected and self.clock() < self._retry_at:
            raise StoreUnavailable(f"The {self.noun}", "cannot be reached just now", "try again in a moment")

    def _contact(self, ok: bool, err: BaseException | None = None) -> None:
        with self._lock:
            if ok:
                self.connected, self._fails, self._retry_at = True, 0, 0.0
                self._behind.clear()  # the next read comes from the database again
            else:
                self.connected = False
                self._fails += 1
                self._retry_at = self.clock() + min(2.0 ** (self._fails - 1), RETRY_MAX)

    @contextmanager
    def _transaction(self, write: bool, force: bool = False) -> Iterator[sa.Connection]:
        self._gate(force)
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(ek_write=True)
                with conn.begin():
                    yield conn
        except (sa.exc.DBAPIError, sa.exc.TimeoutError) as err:
            if not _unreachable(err):
                self._contact(True)
                raise
            self._contact(False, err)
            raise StoreUnavailable(f"The {self.noun} {self.where}", f"cannot be reached ({_reason(err)})",
                                   "nothing is lost: writes wait on this machine until it is back") from None
        self._contact(True)

    @contextmanager
    def write(self, force: bool = False) -> Iterator[sa.Connection]:
        """A write transaction (SQLite: ``BEGIN IMMEDIATE``, so concurrent writers queue instead of failing).
        Raises :class:`StoreUnavailable` when the database cannot be reached."""
        with self._transaction(True, force) as conn:
            yield conn

    @contextmanager
    def read(self, force: bool = False) -> Iterator[sa.Connection]:
        """A read transaction: one consistent view of the database."""
        with self._transaction(False, force) as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    @property
    def schema_version(self) -> int:
        with self.read(force=True) as conn:
            return t.version_of(conn)

    # -- participants -------------------------------------------------------------------------------------
    def participant(self, pid: str, *, name: str | None = None, create: bool = True) -> "ParticipantStore":
        """The store of one participant on their own machine (created on first use unless ``create=False``).
        In a hosted class this is refused: a participant's work is reached only by signing in."""
        pid = _check_id(pid)
        if self.hosted:
            raise AccessDenied(f"Opening the work of '{pid}'",
                               "in a hosted class a participant's work is reached only after signing in",
                               "sign in with your access code or your organisation's account")
        try:
            with self.write() as conn:
                if not self._exists(conn, pid):
                    if not create:
                        raise StoreError(f"The participant '{pid}'", "is not in this database",
                                         "check the id, or create the participant")
                    conn.execute(sa.insert(t.participants).values(id=pid, name=name, created_at=now()))
                elif name is not None:
                    conn.execute(sa.update(t.participants).where(t.participants.c.id == pid).values(name=name))
        except StoreUnavailable:
            if pid not in self._mirror:  # never read in this process: there is nothing to show
                raise
            if name is not None:
                self._send(self._op(pid, "participant", {"name": name}))
        return ParticipantStore(self, pid, _grant=_GRANT)

    @staticmethod
    def _exists(conn, pid: str) -> bool:
        return conn.execute(_EXISTS, {"pid": pid}).first() is not None

    def participants(self) -> list[str]:
        """Participant ids (the local class view; in a hosted class sign in as a trainer)."""
        return self.class_view().participants()

    def class_summary(self, module: int) -> list[dict]:
        """See :meth:`ClassView.class_summary` (the local class view)."""
        return self.class_view().class_summary(module)

    # -- signing in --------------------------------------------------------------------------------------
    def class_view(self) -> "ClassView":
        """The trainer's view of the class on this machine; in a hosted class use :meth:`sign_in_trainer`."""
        if self.hosted:
            raise AccessDenied("Opening the class view", "in a hosted class it needs the trainer's credentials",
                               "sign in as a trainer")
        return ClassView(self, None, _grant=_GRANT)

    def add_trainer(self, name: str, secret: str | None = None) -> str:
        """Create (or reset) a trainer's credential; returns the secret — a new random one unless given
        (at least 12 characters). For the host (``evidencekit class add-trainer``): shown once, kept hashed."""
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}", name):
            raise StoreError(f"The trainer name {name!r}", "is not usable", "1 to 64 letters, digits, dots, hyphens")
        if secret is None:
            secret = acc.new_code(20)
        elif not isinstance(secret, str) or len(secret) < 12:
            raise StoreError("The trainer's passphrase", "is shorter than 12 characters", "choose a longer one")
        values = {"name": name, "secret_hash": acc.hash_secret(secret), "created_at": now()}
        with self.write() as conn:
            self._upsert(conn, t.trainers, values, ["name"])
            self._clear(conn, f"trainer:{name}")
        return secret

    def sign_in(self, pid: str, code: str, *, client: str | None = None) -> "ParticipantStore":
        """Sign a participant in with the access code their trainer issued -> their :class:`ParticipantStore`.

        Refused (:class:`AccessDenied`) for a wrong code or an unknown id — the same message, after the same
        work, so ids cannot be guessed — and, after a few wrong attempts, until the wait has passed (the
        error's ``wait``: seconds). ``client``: the address or session the attempt comes from (also counted).
        """
        pid_text = pid if isinstance(pid, str) else ""
        keys = [f"participant:{pid_text[:200]}"] + ([f"client:{str(client)[:200]}"] if client else [])
        what = f"Signing in as '{pid_text[:60]}'"
        self._wait_if_blocked(keys, what)
        with self.read() as conn:
            row = conn.execute(sa.select(t.access_codes.c.code_hash)
                               .where(t.access_codes.c.participant_id == pid_text)).first() if _ID.fullmatch(pid_text) else None
        if not acc.verify_secret(code, row[0] if row else None):
            self._failed(keys, what, "the participant id or the access code is not right",
                         "check both with your trainer (the code is on the slip you were given)")
        with self.write() as conn:
            self._clear(conn, keys[0])
        return ParticipantStore(self, pid_text, _grant=_GRANT)

    def sign_in_with_identity(self, claims: Mapping[str, Any]) -> "ParticipantStore":
        """Sign in with an identity provider's account (Streamlit's ``st.user.to_dict()`` after ``st.login``:
        ``iss``, ``sub``, ``email``, ``email_verified``) -> the :class:`ParticipantStore` it is bound to.

        The first sign-in binds the account (issuer + subject) to the participant the trainer enrolled with
        that e-mail address (a verified one); later sign-ins follow the binding, whatever the e-mail says then.
        """
        claims = dict(claims or {})
        if claims.get("is_logged_in") is False:
            raise AccessDenied("Signing in", "you are not signed in with your organisation's account", "sign in first")
        iss, sub = str(claims.get("iss") or "").strip(), str(claims.get("sub") or "").strip()
        if not iss or not sub or len(iss) > 255 or len(sub) > 255:
            raise AccessDenied("Signing in", "the identity provider gave no account id (iss and sub)",
                               "ask the host to check the provider's settings (docs/hosting.md)")
        ident = t.identities
        with self.write() as conn:
            row = conn.execute(sa.select(ident.c.participant_id).where(ident.c.issuer == iss, ident.c.subject == sub)).first()
            if row:
                return ParticipantStore(self, row[0], _grant=_GRANT)
            email = claims.get("email")
            if not email or claims.get("email_verified") is False:
                raise AccessDenied("Signing in", "your account gives no verified e-mail address",
                                   "ask your trainer for an access code")
            email = _check_email(email)
            found = conn.execute(sa.select(t.participants.c.id).where(t.participants.c.email == email)).first()
            if not found:
                raise AccessDenied("Signing in", f"{email} is not on this class's list",
                                   "ask your trainer to enrol this address, or for an access code")
            taken = conn.execute(sa.select(ident.c.issuer).where(ident.c.participant_id == found[0],
                                                                 ident.c.issuer == iss)).first()
            if taken:
                raise AccessDenied("Signing in", f"the work of {email} is already bound to another account",
                                   "sign in with the account you used before, or ask your trainer")
            conn.execute(sa.insert(ident).values(issuer=iss, subject=sub, participant_id=found[0], email=email,
                                                 created_at=now()))
        return ParticipantStore(self, found[0], _grant=_GRANT)

    def sign_in_trainer(self, name: str, secret: str, *, client: str | None = None) -> "ClassView":
        """The trainer's class view, after checking their credential (wrong attempts slowed as for codes)."""
        name_text = name if isinstance(name, str) else ""
        keys = [f"trainer:{name_text[:200]}"] + ([f"client:{str(client)[:200]}"] if client else [])
        what = f"Signing in as trainer '{name_text[:60]}'"
        self._wait_if_blocked(keys, what)
        with self.read() as conn:
            row = conn.execute(sa.select(t.trainers.c.secret_hash).where(t.trainers.c.name == name_text)).first()
        if not acc.verify_secret(secret, row[0] if row else None):
            self._failed(keys, what, "the trainer name or passphrase is not right",
                         "check them with the person who hosts the class")
        with self.write() as conn:
            self._clear(conn, keys[0])
        return ClassView(self, name_text, _grant=_GRANT)

    def _wait_if_blocked(self, keys: list[str], what: str) -> None:
        th = t.throttle
        with self.read() as conn:
            rows = conn.execute(sa.select(th.c.blocked_until).where(th.c.key.in_(keys))).all()
        wait = max([r[0] for r in rows] + [0.0]) - self.clock()
        if wait > 0:
            raise AccessDenied(what, "there were too many wrong attempts",
                               f"wait {acc.in_words(wait)} before trying again", wait=wait)

    def _failed(self, keys: list[str], what: str, why: str, fix: str) -> None:
        th = t.throttle
        clock = self.clock()
        wait = 0.0
        with self.write() as conn:
            for key in keys:
                q = sa.select(th.c.failures, th.c.last_failure).where(th.c.key == key)
                row = conn.execute(q.with_for_update() if self.backend == "postgresql" else q).first()
                failures = 1 if not row or clock - row[1] > acc.FORGET_AFTER else row[0] + 1
                free = acc.CLIENT_FREE if key.startswith("client:") else acc.PARTICIPANT_FREE
                w = acc.wait_after(failures, free=free)
                wait = max(wait, w)
                self._upsert(conn, th, {"key": key, "failures": failures, "last_failure": clock,
                                        "blocked_until": clock + w}, ["key"])
        raise AccessDenied(what, why, fix + (f"; wait {acc.in_words(wait)} before trying again" if wait else ""),
                           wait=wait)

    def _clear(self, conn, key: str) -> None:
        conn.execute(sa.delete(t.throttle).where(t.throttle.c.key == key))

    # -- writes, the outbox and replay ----------------------------------------------------------------------
    @staticmethod
    def _op(pid: str, kind: str, args: dict) -> dict:
        return {"id": uuid.uuid4().hex, "participant": pid, "op": kind, "args": args, "at": now()}

    def _send(self, op: dict) -> Any:
        """Apply one write now, or keep it in the outbox when the database cannot be reached (after the writes
        of the same participant already waiting, so their order is kept)."""
        self._sent.op = None  # until this one is applied or kept (kept_current)
        if self.outbox.pending(op["participant"]):
            self.flush(force=False)
        if not self.outbox.pending(op["participant"]):
            try:
                with self.write() as conn:
                    out = self._apply(conn, op)
                self._sent.op = op
                return out
            except StoreUnavailable:
                pass
        self.outbox.add(op)
        self._sent.op = op
        return None

    def flush(self, force: bool = True) -> int:
        """Send the writes waiting in the outbox (this process's and any kept in the local file), oldest
        first -> how many were applied now. Stops at the first that cannot reach the database; a write the
        database refuses otherwise is kept as failed, with the reason. Safe from several threads and
        processes at once: each write is applied once and only once."""
        if not self._flush_lock.acquire(blocking=False):
            return 0
        applied = 0
        try:
            self.outbox.reload()
            for op in self.outbox.pending():
                try:
                    with self.write(force=force) as conn:
                        if self._apply(conn, op, replay=True) is not _ALREADY:
                            applied += 1
                except StoreUnavailable:
                    break
                except (StoreError, sa.exc.DBAPIError) as err:
                    why = err.why if isinstance(err, StoreError) else _reason(err)
                    self.outbox.fail(op["id"], why)
                    continue
                self.outbox.done(op["id"])
                force = False
        finally:
            self._flush_lock.release()
        return applied

    def _apply(self, conn, op: dict, replay: bool = False) -> Any:
        """Apply one write inside ``conn``'s transaction, recording its id; a write whose id is already
        recorded is not applied again (returns ``_ALREADY``)."""
        pid, args, at, kind = op["participant"], op["args"], op["at"], op["op"]
        if kind == "participant":
            if not self._exists(conn, pid):
                conn.execute(sa.insert(t.participants).values(id=pid, name=args.get("name"), created_at=at))
            elif args.get("name") is not None:
                conn.execute(sa.update(t.participants).where(t.participants.c.id == pid).values(name=args["name"]))
        try:  # the write's id is kept with the participant's: refused (foreign key) when they are gone
            if not self._record_op(conn, op["id"], pid):
                return _ALREADY
        except sa.exc.IntegrityError:
            raise StoreError(f"Saving the work of '{pid}'", "this participant is no longer in the database",
                             "tell your trainer") from None
        return _APPLY[kind](self, conn, pid, args, at)

    def _record_op(self, conn, op_id: str, pid: str) -> bool:
        stmt = self._made.get("record_op")
        if stmt is None:
            stmt = self._insert(t.applied_ops).values(_params(("op_id", "participant_id", "applied_at")))
            stmt = self._made["record_op"] = stmt.on_conflict_do_nothing(index_elements=["op_id"]) \
                .returning(t.applied_ops.c.op_id)
        return conn.execute(stmt, {"op_id": op_id, "participant_id": pid, "applied_at": now()}).first() is not None

    def _insert(self, table: sa.Table):
        if self.backend == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert(table)

    def _upsert(self, conn, table: sa.Table, values: dict, keys: list[str], newer_only: bool = False,
                kept: tuple[str, ...] = ()) -> None:
        """Insert, or update the row with the same keys (when ``newer_only``: only if ``updated_at`` is newer),
        leaving the columns ``kept`` as the row has them (e.g. ``created_at``)."""
        made = ("upsert", table.name, tuple(values), tuple(keys), newer_only, kept)
        stmt = self._made.get(made)
        if stmt is None:
            stmt = self._insert(table).values(_params(values))
            update = {k: stmt.excluded[k] for k in values if k not in keys and k not in kept}
            where = (table.c.updated_at < stmt.excluded.updated_at) if newer_only else None
            stmt = self._made[made] = stmt.on_conflict_do_update(index_elements=keys, set_=update, where=where)
        conn.execute(stmt, values)

    # -- reads (with the copy kept for when the database goes away) ------------------------------------------
    def _rows(self, pid: str, kind: str) -> list[dict]:
        """All of ``pid``'s rows of one part of their work: from the database (and kept as the last copy);
        when it cannot be reached, the last copy with the writes waiting in the outbox applied."""
        if self.outbox.pending(pid) and (self.connected or self.clock() >= self._retry_at):
            self.flush(force=False)
        try:
            with self.read() as conn:
                rows = [dict(r._mapping) for r in conn.execute(_QUERIES[kind], {"pid": pid})]
        except StoreUnavailable:
            with self._lock:
                copy = self._mirror.get(pid, {}).get(kind)
                self._behind.add(pid)
            if copy is None:
                raise StoreUnavailable(f"Showing your saved work ({kind})",
                                       f"the {self.noun} cannot be reached just now",
                                       "try again in a minute; nothing you entered is lost") from None
            return _overlay(kind, copy, self.outbox.pending(pid))
        with self._lock:
            self._mirror.setdefault(pid, {})[kind] = rows
            self._behind.discard(pid)
        return [dict(r) for r in rows]

    def status(self, pid: str | None = None) -> StoreStatus:
        """Where the work is (of one participant, or of everyone in this process), in plain words."""
        pending = self.outbox.pending(pid)
        failed = self.outbox.failed(pid)
        behind = pid in self._behind if pid is not None else bool(self._behind)
        parts = []
        if pending:
            if self.outbox.in_file:
                parts.append(f"Saved on this machine: the {self.noun} cannot be reached just now. "
                             f"{'Your ' if pid else ''}{describe(pending)} will be sent when it is back; "
                             "nothing you entered is lost.")
            else:
                parts.append(f"Kept in this app's memory only: the {self.noun} cannot be reached and the local "
                             f"file could not be written ({self.outbox.file_problem}). Keep this page open: "
                             f"{describe(pending)} will be sent when the database is back.")
        if behind:
            parts.append(f"What you see may be behind: the {self.noun} cannot be reached, so this is the last "
                         "copy read on this machine, with your changes since.")
        if failed:
            parts.append(f"{describe(failed).capitalize()} could not be saved in the {self.noun} "
                         f"({failed[0].get('reason')}). They are kept on this machine: tell your trainer.")
        return StoreStatus(connected=self.connected, pending=len(pending), failed=len(failed), behind=behind,
                           in_file=self.outbox.in_file, outbox=str(self.outbox.path) if self.outbox.path else None,
                           message=" ".join(parts))


_ALREADY = object()


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA foreign_keys = ON")
    try:
        cur.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer, nor the writer them
    except Exception:  # noqa: BLE001 - a file system without shared memory: keep the default journal
        pass
    else:
        # a commit is written to the WAL file without waiting for the disk (fsync at each checkpoint): it
        # survives the app or the process dying at any moment; only a power cut or an OS crash can undo the
        # last commits (never corrupt the file). SQLite's advice for WAL; the fsync of each commit cost 0.45 ms
        # on the development machine (docs/store.md). https://sqlite.org/pragma.html#pragma_synchronous
        cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_same_file(path: str):
    def check(dbapi_connection, record, _proxy) -> None:
        try:
            st = os.stat(path)
            here = (st.st_dev, st.st_ino)
        except OSError:
            here = None
        first = record.info.setdefault("ek_file", here)
        if here is None or here != first:
            raise sa.exc.DisconnectionError(f"the file {path} was moved or deleted")  # the pool opens it again
    return check


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("ek_write") else "BEGIN")


# -- what each write does (the same code online and when replayed from the outbox) -----------------------------
def _apply_participant(store, conn, pid, args, at):
    return None


def _apply_mark(store, conn, pid, args, at):
    p = t.progress
    row = conn.execute(sa.select(p.c.status, p.c.updated_at).where(
        p.c.participant_id == pid, p.c.module == args["module"], p.c.item == args["item"])).first()
    if row and row[0] == "done" and args["status"] == "seen":
        return None
    store._upsert(conn, p, {"participant_id": pid, "module": args["module"], "item": args["item"],
                            "status": args["status"], "content": args.get("content"),
                            "updated_at": max(at, row[1]) if row else at}, ["participant_id", "module", "item"])
    return None


def _apply_answer(store, conn, pid, args, at):
    values = {"response": None, "feedback": None, "content": None, "participant_id": pid, **args, "answered_at": at}
    conn.execute(_ADD_ANSWER, values)
    values.pop("participant_id")
    return values


def _apply_work(store, conn, pid, args, at):
    store._upsert(conn, t.work, {"participant_id": pid, "module": args["module"], "item": args["item"],
                                 "state": args["state"], "updated_at": at},
                  ["participant_id", "module", "item"], newer_only=True)


def _apply_board_add(store, conn, pid, args, at):
    b = t.board
    top = conn.execute(sa.select(sa.func.max(b.c.position)).where(b.c.participant_id == pid)).scalar()
    conn.execute(sa.insert(b).values(participant_id=pid, **args, position=(top or 0) + 1, created_at=at, updated_at=at))
    return args["item_id"]


def _apply_board_update(store, conn, pid, args, at):
    b, fields = t.board, args["fields"]
    made = ("board_update", tuple(fields))
    stmt = store._made.get(made)
    if stmt is None:
        stmt = store._made[made] = sa.update(b).where(b.c.participant_id == sa.bindparam("w_pid"),
                                                      b.c.item_id == sa.bindparam("w_item")) \
            .values({k: sa.bindparam(f"v_{k}") for k in (*fields, "updated_at")})
    done = conn.execute(stmt, {"w_pid": pid, "w_item": args["item_id"], "v_updated_at": at,
                               **{f"v_{k}": v for k, v in fields.items()}}).rowcount
    if not done:
        raise StoreError(f"Changing board item {args['item_id']}", "there is no such item on your board", "reload the board")


def _apply_board_order(store, conn, pid, args, at):
    b = t.board
    stmt = store._made.get("board_order")
    if stmt is None:
        stmt = store._made["board_order"] = sa.update(b).where(
            b.c.participant_id == sa.bindparam("w_pid"), b.c.item_id == sa.bindparam("w_item")) \
            .values(position=sa.bindparam("v_position"), updated_at=sa.bindparam("v_updated_at"))
    ids = args["item_ids"]
    done = conn.execute(stmt, [{"w_pid": pid, "w_item": i, "v_position": n, "v_updated_at": at}
                               for n, i in enumerate(ids, start=1)]).rowcount
    if done != len(ids):  # an item gone (removed in another tab): nothing of the new order is kept
        raise StoreError(*_ORDER_GONE)


_ORDER_GONE = ("Reordering your board", "an item in the new order is no longer on your board", "reload the board")


def _apply_board_remove(store, conn, pid, args, at):
    b = t.board
    conn.execute(sa.delete(b).where(b.c.participant_id == pid, b.c.item_id == args["item_id"]))


def _apply_record(store, conn, pid, args, at):
    store._upsert(conn, t.records, {"participant_id": pid, "kind": args["kind"], "key": args["key"],
                                    "payload": args["payload"], "created_at": at, "updated_at": at},
                  ["participant_id", "kind", "key"], newer_only=True, kept=("created_at",))


_APPLY = {"participant": _apply_participant, "mark": _apply_mark, "answer": _apply_answer, "work": _apply_work,
          "board_add": _apply_board_add, "board_update": _apply_board_update, "board_remove": _apply_board_remove,
          "board_order": _apply_board_order,
          "record": _apply_record}

def _latest(*where):
    """The latest attempt of each participant at each question (the last by time, then by id, as "answers"
    orders them) among the attempts ``where`` keeps: a join onto ``answers`` keeps those rows only."""
    a = t.answers.c
    ranked = sa.select(a.id, sa.func.row_number().over(partition_by=(a.participant_id, a.module, a.question),
                                                       order_by=(a.answered_at.desc(), a.id.desc())).label("rank")) \
        .where(*where).subquery()
    return ranked, sa.and_(a.id == ranked.c.id, ranked.c.rank == 1)


def _latest_answers():
    """A participant's latest attempt at each question, oldest first."""
    a = t.answers.c
    ranked, latest = _latest(a.participant_id == _PID)
    return sa.select(a.module, a.question, a.response, a.status, a.feedback, a.content, a.answered_at) \
        .join(ranked, latest).order_by(a.answered_at, a.id)


def _params(names) -> dict:
    """Each column given by a parameter of its name (a statement made once, executed with the values)."""
    return {n: sa.bindparam(n) for n in names}


_EXISTS = sa.select(t.participants.c.id).where(t.participants.c.id == _PID)
_ADD_ANSWER = sa.insert(t.answers).values(_params(("participant_id", "module", "question", "response", "status",
                                                   "feedback", "content", "answered_at")))
_QUERIES = {  # made once (see _PID)
    "progress": sa.select(t.progress.c.module, t.progress.c.item, t.progress.c.status, t.progress.c.content,
              t.progress.c.updated_at).where(t.progress.c.participant_id == _PID)
    .order_by(t.progress.c.module, t.progress.c.updated_at),
    "answers": sa.select(t.answers.c.module, t.answers.c.question, t.answers.c.response, t.answers.c.status,
              t.answers.c.feedback, t.answers.c.content, t.answers.c.answered_at)
    .where(t.answers.c.participant_id == _PID).order_by(t.answers.c.answered_at, t.answers.c.id),
    "latest": _latest_answers(),
    "work": sa.select(t.work.c.module, t.work.c.item, t.work.c.state, t.work.c.updated_at)
    .where(t.work.c.participant_id == _PID).order_by(t.work.c.module, t.work.c.item),
    "board": sa.select(t.board.c.item_id, t.board.c.kind, t.board.c.title, t.board.c.payload,
              t.board.c.citation, t.board.c.module, t.board.c.step, t.board.c.position,
              t.board.c.created_at, t.board.c.updated_at)
    .where(t.board.c.participant_id == _PID).order_by(t.board.c.position, t.board.c.created_at),
    "records": sa.select(t.records.c.kind, t.records.c.key, t.records.c.payload, t.records.c.created_at,
              t.records.c.updated_at).where(t.records.c.participant_id == _PID)
    .order_by(t.records.c.kind, t.records.c.key),
}


def _overlay(kind: str, rows: list[dict], ops: list[dict]) -> list[dict]:
    """The last rows read of one part of the work with the writes still waiting applied (for reads while the
    database cannot be reached, and :meth:`ParticipantStore.kept_current`; the same rules as the writes
    themselves)."""
    out = [dict(r) for r in rows]
    for op in ops:
        a, at, name = op["args"], op["at"], op["op"]
        if kind == "progress" and name == "mark":
            old = next((r for r in out if r["module"] == a["module"] and r["item"] == a["item"]), None)
            if old is None:
                out.append({"module": a["module"], "item": a["item"], "status": a["status"],
                            "content": a.get("content"), "updated_at": at})
            elif not (old["status"] == "done" and a["status"] == "seen"):
                old.update(status=a["status"], content=a.get("content"), updated_at=max(at, old["updated_at"]))
        elif kind == "answers" and name == "answer":
            out.append({**a, "answered_at": at})
        elif kind == "latest" and name == "answer":
            out = [r for r in out if (r["module"], r["question"]) != (a["module"], a["question"])]
            out.append({**a, "answered_at": at})
        elif kind == "work" and name == "work":
            out = with_step_work(out, a["module"], a["item"], a["state"], at)
        elif kind == "board" and name == "board_add":
            top = max([r["position"] for r in out] + [0])
            out.append({**a, "position": top + 1, "created_at": at, "updated_at": at})
        elif kind == "board" and name == "board_update":
            for r in out:
                if r["item_id"] == a["item_id"]:
                    r.update(a["fields"], updated_at=at)
        elif kind == "board" and name == "board_order":
            place = {item: n for n, item in enumerate(a["item_ids"], start=1)}
            for r in out:
                if r["item_id"] in place:
                    r.update(position=place[r["item_id"]], updated_at=at)
        elif kind == "board" and name == "board_remove":
            out = [r for r in out if r["item_id"] != a["item_id"]]
        elif kind == "records" and name == "record":
            old = next((r for r in out if r["kind"] == a["kind"] and r["key"] == a["key"]), None)
            out = [r for r in out if r is not old]
            out.append({"kind": a["kind"], "key": a["key"], "payload": a["payload"],
                        "created_at": old["created_at"] if old else at, "updated_at": at})
    order = {"progress": lambda r: (r["module"], r["updated_at"]), "answers": lambda r: r["answered_at"],
             "latest": lambda r: r["answered_at"],
             "work": lambda r: (r["module"], r["item"]), "board": lambda r: (r["position"], r["created_at"]),
             "records": lambda r: (r["kind"], r["key"])}[kind]
    return sorted(out, key=order)


def with_step_work(rows: list[dict], module: int, item: str, state: dict, at: str | None = None) -> list[dict]:
    """The rows of :meth:`ParticipantStore.all_work` with one step's state put in (``at``: when it was saved;
    None for a state not written yet), in their order.

    >>> [r["item"] for r in with_step_work([{"module": 2, "item": "a", "state": {}, "updated_at": "t"}], 1, "b", {})]
    ['b', 'a']
    """
    out = [r for r in rows if (r["module"], r["item"]) != (module, item)]
    out.append({"module": module, "item": item, "state": state, "updated_at": at})
    return sorted(out, key=lambda r: (r["module"], r["item"]))


def step_work(rows: list[dict], module: int, item: str) -> dict | None:
    """The state of one step in the rows of :meth:`ParticipantStore.all_work`, or None.

    >>> step_work([{"module": 1, "item": "s1", "state": {"x": 1}, "updated_at": ""}], 1, "s1")
    {'x': 1}
    """
    module, item = _check_module(module), _check_item(item)
    return next((r["state"] for r in rows if r["module"] == module and r["item"] == item), None)


class ParticipantStore:
    """Everything of one participant. Every method reads and writes only this participant's rows; the id is
    fixed when the scope is made (by :meth:`Store.participant` locally, by a sign-in in a hosted class)."""

    __slots__ = ("_store", "_id")

    def __init__(self, store: Store, pid: str, *, _grant: object = None) -> None:
        if _grant is not _GRANT:
            raise AccessDenied(f"Opening the work of {pid!r}", "a participant's scope comes only from the store",
                               "use store.participant(id) on your own machine, or store.sign_in(...) in a hosted class")
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_id", pid)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a participant's scope cannot be changed ({name!r} is fixed when signing in)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a participant's scope cannot be changed")

    def __reduce__(self):
        raise TypeError("a participant's scope cannot be copied or pickled; keep it in the session")

    @property
    def id(self) -> str:
        return self._id

    @property
    def store(self) -> Store:
        return self._store

    def __repr__(self) -> str:
        return f"ParticipantStore({self._id!r} in {self._store.where})"

    def status(self) -> StoreStatus:
        """Where this participant's work is: all saved, or waiting on this machine (see :class:`StoreStatus`)."""
        return self._store.status(self._id)

    def profile(self) -> dict:
        """``id``, ``name``, ``email``, ``created_at`` of this participant."""
        p = t.participants
        with self._store.read() as conn:
            row = conn.execute(sa.select(p.c.id, p.c.name, p.c.email, p.c.created_at).where(p.c.id == self._id)).first()
        return dict(row._mapping) if row else {"id": self._id, "name": None, "email": None, "created_at": None}

    def set_name(self, name: str) -> None:
        """The participant's name as it should appear on their certificate (1 to 200 characters)."""
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise StoreError("Saving your name", "it is empty or longer than 200 characters", "type your name")
        self._store._send(self._store._op(self._id, "participant", {"name": name.strip()}))

    # -- progress -------------------------------------------------------------------------------------------
    def mark(self, module: int, item: str, status: str = "done", *, content: str | None = None) -> None:
        """Mark a part of a module (a step id, ``intro`` or ``review``) as ``seen`` or ``done``.
        A ``done`` mark is not turned back into ``seen``."""
        module, item = _check_module(module), _check_item(item)
        if status not in PROGRESS_STATUS:
            raise StoreError(f"The progress status {status!r}", "is not known", "seen or done")
        self._store._send(self._store._op(self._id, "mark", {"module": module, "item": item, "status": status,
                                                             "content": content}))

    def progress(self, module: int | None = None) -> list[dict]:
        rows = self._store._rows(self._id, "progress")
        return rows if module is None else [r for r in rows if r["module"] == _check_module(module)]

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
        op = self._store._op(self._id, "answer", {"module": module, "question": question,
                                                  "response": _json(response, "the response"), "status": status,
                                                  "feedback": _json(record, "the feedback"), "content": content})
        self._store._send(op)
        return {**op["args"], "answered_at": op["at"]}

    def answers(self, module: int | None = None, question: str | None = None) -> list[dict]:
        """Every attempt, oldest first."""
        rows = self._store._rows(self._id, "answers")
        if module is not None:
            rows = [r for r in rows if r["module"] == _check_module(module)]
        return rows if question is None else [r for r in rows if r["question"] == question]

    def latest_answers(self, module: int | None = None) -> list[dict]:
        """The latest attempt at each question (what progress counts), oldest first: one row per question read
        from the database (``row_number()`` over each question's attempts), however many attempts were kept."""
        rows = self._store._rows(self._id, "latest")
        return rows if module is None else [r for r in rows if r["module"] == _check_module(module)]

    # -- work in a step -------------------------------------------------------------------------------------
    def save_work(self, module: int, item: str, state: dict) -> None:
        """Keep what the participant did in a step (choices, tags, text) so a reload loses nothing."""
        module, item = _check_module(module), _check_item(item)
        if not isinstance(state, dict):
            raise StoreError(f"Saving the work of step {item}", "the state is not a dict", "pass a dict")
        self._store._send(self._store._op(self._id, "work", {"module": module, "item": item,
                                                             "state": _json(state, "the step's work")}))

    def work(self, module: int, item: str) -> dict | None:
        """What the participant did in one step (the state last saved), or None."""
        return step_work(self.all_work(), module, item)

    def all_work(self) -> list[dict]:
        """Every step's work: rows of ``module``, ``item``, ``state``, ``updated_at`` (one read for all steps,
        which :meth:`kept_current` keeps current after a :meth:`save_work`)."""
        return self._store._rows(self._id, "work")

    # -- evidence board -------------------------------------------------------------------------------------
    def add_to_board(self, item: dict) -> str:
        """Save an item to the board: ``kind`` (chart, table, estimate, quote, note), ``title``, ``payload``
        (what the app needs to draw it again: the query, the estimate, the quotation), ``citation``; optional
        ``module``, ``step``. Returns its id."""
        values = self._board_values(item)
        self._store._send(self._store._op(self._id, "board_add", values))
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
        if "position" in fields and (isinstance(fields["position"], bool) or not isinstance(fields["position"], int)):
            raise StoreError(f"Changing board item {item_id}", "the position is not a whole number", "a number such as 2")
        if not self._store.connected or self._store.outbox.pending(self._id):  # it may wait in the outbox: check
            if not any(b["item_id"] == item_id for b in self.board()):     # now, against the last copy read
                raise StoreError(f"Changing board item {item_id}", "there is no such item on your board",
                                 "reload the board")
        # (otherwise the write itself refuses an item that is not there, with the same words)
        self._store._send(self._store._op(self._id, "board_update", {"item_id": str(item_id), "fields": fields}))

    def order_board(self, item_ids: list[str]) -> None:
        """Give the board's items (``item_ids``: every item, as read) the positions 1, 2, … in that order, in one
        write: a move on the board changes two positions at once. Refused, with nothing changed, when one of
        them is no longer on the board (``StoreError``)."""
        ids = [str(i) for i in item_ids]
        if len(set(ids)) != len(ids):
            raise StoreError("Reordering your board", "an item is named twice", "name each item once")
        if not self._store.connected or self._store.outbox.pending(self._id):  # it may wait in the outbox: check
            missing = set(ids) - {b["item_id"] for b in self.board()}            # now, against the last copy read
            if missing:
                raise StoreError(*_ORDER_GONE)
        self._store._send(self._store._op(self._id, "board_order", {"item_ids": ids}))

    def remove_from_board(self, item_id: str) -> None:
        self._store._send(self._store._op(self._id, "board_remove", {"item_id": str(item_id)}))

    def board(self) -> list[dict]:
        return self._store._rows(self._id, "board")

    #: the reads :meth:`kept_current` brings up to date (called without arguments), and the rows each returns
    CURRENT = {"progress": "progress", "answers": "answers", "latest_answers": "latest", "board": "board",
               "records": "records", "all_work": "work"}

    def kept_current(self, read: str, rows: list[dict]) -> list[dict] | None:
        """What ``read`` (a name in :data:`CURRENT`, called without arguments) returns now, made from ``rows``
        it returned before and the last write this thread made for this participant (applied, or waiting in
        the outbox), by the same rules as the write itself; a copy, and no database read. None when this thread
        has made no write for this participant, or its last write was refused. (Writes made elsewhere since are
        not in it: a caller keeping rows this way reads them again now and then.)

        >>> import tempfile, pathlib
        >>> me = Store(pathlib.Path(tempfile.mkdtemp()) / "w.db", hosted=False).participant("ana")
        >>> before = me.latest_answers()
        >>> _ = me.save_answer(1, "q1", "b", {"status": "correct"})
        >>> me.kept_current("latest_answers", before) == me.latest_answers()
        True
        """
        op = getattr(self._store._sent, "op", None)
        if read not in self.CURRENT:
            raise StoreError(f"Keeping {read!r} current", "it is not a read of rows", "one of " + ", ".join(self.CURRENT))
        if op is None or op["participant"] != self._id:
            return None
        return _overlay(self.CURRENT[read], rows, [op])

    def _board_values(self, item: dict) -> dict:
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
        module = item.get("module")
        return {"item_id": uuid.uuid4().hex, "kind": kind, "title": title.strip(),
                "payload": _json(item.get("payload") or {}, "the board item"), "citation": item.get("citation"),
                "module": _check_module(module) if module is not None else None,
                "step": _check_item(item["step"]) if item.get("step") is not None else None}

    # -- journey records (goals, assessments, feedback, follow-up...) ---------------------------------------
    def put_record(self, kind: str, key: str, payload: dict) -> None:
        """Keep one record of the course journey: ``kind`` is one of goal, assessment, feedback, followup,
        brief_topic, certificate; ``key`` names it within the kind (e.g. ``pre``/``post`` for assessments)."""
        if kind not in RECORD_KINDS:
            raise StoreError(f"The record kind {kind!r}", "is not known", "one of " + ", ".join(RECORD_KINDS))
        key = _check_item(key, "record key")
        if not isinstance(payload, dict):
            raise StoreError(f"Saving the {kind}", "the record is not a dict", "pass a dict")
        self._store._send(self._store._op(self._id, "record", {"kind": kind, "key": key,
                                                               "payload": _json(payload, f"the {kind}")}))

    def records(self, kind: str | None = None) -> list[dict]:
        rows = self._store._rows(self._id, "records")
        return rows if kind is None else [r for r in rows if r["kind"] == kind]

    # -- export / import ------------------------------------------------------------------------------------
    def export(self) -> dict:
        """All of this participant's work as one JSON-ready dict (see ``docs/store.md`` for the format)."""
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "participant": self._id, "exported_at": now(),
                "progress": self.progress(), "answers": self.answers(), "work": self.all_work(),
                "board": self.board(), "records": self.records()}

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
        changes nothing. Returns how many rows were added or updated per part. Needs the database (an import
        is not kept in the outbox: the file stays where it is).
        """
        name = "the file"
        if not isinstance(data, dict):
            name = f"'{data}'"
            try:
                data = json.loads(Path(data).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
                raise StoreError(f"Importing {name}", f"it cannot be read as JSON ({str(err)[:200]})",
                                 "choose a file exported by evidencekit (Download my work)") from None
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise StoreError(f"Importing {name}", "it is not an evidencekit export of a participant's work",
                             "choose a file exported by evidencekit (Download my work)")
        if data.get("version") != EXPORT_VERSION:
            raise StoreError(f"Importing {name}", f"its format version {data.get('version')!r} is not known",
                             f"export it again with this evidencekit (version {EXPORT_VERSION})")
        owner = data.get("participant")
        if owner != self._id:
            raise StoreError(f"Importing {name}", f"it holds the work of participant {owner!r}, not yours ({self._id!r})",
                             "import only your own work; each participant imports their own file")
        try:
            parts = _checked_import(data, self._id)
        except (KeyError, ValueError, TypeError, StoreError) as err:
            why = err.why if isinstance(err, StoreError) else str(err)
            raise StoreError(f"Importing {name}", f"a record is malformed ({why}); nothing was imported",
                             "export it again from evidencekit") from None
        counts = dict.fromkeys(("progress", "answers", "work", "board", "records"), 0)
        store = self._store
        with store.write() as conn:
            counts["progress"] = self._merge(conn, t.progress, parts["progress"], ["module", "item"])
            counts["work"] = self._merge(conn, t.work, parts["work"], ["module", "item"])
            counts["board"] = self._merge(conn, t.board, parts["board"], ["item_id"])
            counts["records"] = self._merge(conn, t.records, parts["records"], ["kind", "key"])
            counts["answers"] = self._merge_answers(conn, parts["answers"])
        return counts

    def _merge(self, conn, table: sa.Table, rows: list[dict], keys: list[str]) -> int:
        n = 0
        for values in rows:
            values = {**values, "participant_id": self._id}
            where = [table.c.participant_id == self._id] + [table.c[k] == values[k] for k in keys]
            old = conn.execute(sa.select(table.c.updated_at).where(*where)).first()
            if old is None or old[0] < values["updated_at"]:
                self._store._upsert(conn, table, values, ["participant_id", *keys], newer_only=True)
                n += 1
        return n

    def _merge_answers(self, conn, rows: list[dict]) -> int:
        a = t.answers
        n = 0
        for values in rows:
            seen = conn.execute(sa.select(a.c.id, a.c.response).where(
                a.c.participant_id == self._id, a.c.module == values["module"], a.c.question == values["question"],
                a.c.answered_at == values["answered_at"])).all()
            if any(r.response == values["response"] for r in seen):
                continue
            conn.execute(sa.insert(a).values(participant_id=self._id, **values))
            n += 1
        return n

    def delete_all(self) -> None:
        """Delete this participant and all their work (the participant's right to erase). Needs the database."""
        with self._store.write() as conn:
            for table in (t.answers, t.progress, t.work, t.board, t.records, t.applied_ops, t.access_codes,
                          t.identities):
                conn.execute(sa.delete(table).where(table.c.participant_id == self._id))
            conn.execute(sa.delete(t.participants).where(t.participants.c.id == self._id))
        with self._store._lock:
            self._store._mirror.pop(self._id, None)


def _checked_import(data: dict, pid: str) -> dict[str, list[dict]]:
    """The parts of an export, every row checked and reduced to its columns (before anything is written)."""
    checks = {
        "progress": (t.progress, {"module": _check_module, "item": _check_item, "status": _in(PROGRESS_STATUS),
                                  "updated_at": _stamp}),
        "work": (t.work, {"module": _check_module, "item": _check_item, "state": _is(dict), "updated_at": _stamp}),
        "board": (t.board, {"item_id": _is(str), "kind": _in(BOARD_KINDS), "title": _is(str), "payload": _is(dict),
                            "position": _is(int), "created_at": _stamp, "updated_at": _stamp}),
        "records": (t.records, {"kind": _in(RECORD_KINDS), "key": _check_item, "payload": _is(dict),
                                "created_at": _stamp, "updated_at": _stamp}),
    }
    out: dict[str, list[dict]] = {}
    for part in ("progress", "answers", "work", "board", "records"):
        rows = data.get(part, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError(f"its part '{part}' is not a list of records")
        for row in rows:
            if "participant_id" in row and row["participant_id"] != pid:
                raise ValueError(f"a record belongs to {row['participant_id']!r}")
        if part == "answers":
            kept = []
            for row in rows:
                values = {k: row.get(k) for k in ("module", "question", "response", "status", "feedback", "content",
                                                  "answered_at")}
                _check_module(values["module"]); _check_item(values["question"], "question")  # noqa: E702
                _in(ANSWER_STATUS)(values["status"]); _stamp(values["answered_at"])  # noqa: E702
                kept.append(values)
            out[part] = kept
            continue
        table, cols = checks[part]
        allowed = {c.name for c in table.columns} - {"participant_id"}
        kept = []
        for row in rows:
            values = {k: v for k, v in row.items() if k in allowed}
            for col, check in cols.items():
                check(values[col])
            kept.append(values)
        out[part] = kept
    return out


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


class ClassView:
    """The trainer's view of the class: the roster and access codes, and the class's work **without names**
    (counts per question; each participant's records as an anonymous bundle, in random order, for the
    aggregates of :mod:`evidencekit.journey.classview`). Made by :meth:`Store.class_view` on the trainer's
    own machine, or :meth:`Store.sign_in_trainer` in a hosted class."""

    __slots__ = ("_store", "_trainer")

    def __init__(self, store: Store, trainer: str | None, *, _grant: object = None) -> None:
        if _grant is not _GRANT:
            raise AccessDenied("Opening the class view", "it comes only from the store",
                               "use store.sign_in_trainer(...) or, on your own machine, store.class_view()")
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_trainer", trainer)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the class view cannot be changed")

    def __reduce__(self):
        raise TypeError("the class view cannot be copied or pickled; keep it in the session")

    @property
    def trainer(self) -> str | None:
        return self._trainer

    def participants(self) -> list[str]:
        """Participant ids, sorted."""
        with self._store.read() as conn:
            return [r[0] for r in conn.execute(sa.select(t.participants.c.id).where(_counted(t.participants.c.id))
                                               .order_by(t.participants.c.id))]

    def roster(self) -> list[dict]:
        """``id``, ``name``, ``email``, ``has_code`` (an access code was issued), ``accounts`` (identity-provider
        accounts bound) for each participant: what a trainer needs to hand out codes. No one's work."""
        p, c, i = t.participants, t.access_codes, t.identities
        with self._store.read() as conn:
            coded = {r[0] for r in conn.execute(sa.select(c.c.participant_id))}
            accounts: dict[str, int] = {}
            for r in conn.execute(sa.select(i.c.participant_id)):
                accounts[r[0]] = accounts.get(r[0], 0) + 1
            rows = conn.execute(sa.select(p.c.id, p.c.name, p.c.email).where(_counted(p.c.id)).order_by(p.c.id)).all()
        return [{"id": r.id, "name": r.name, "email": r.email, "has_code": r.id in coded,
                 "accounts": accounts.get(r.id, 0)} for r in rows]

    def enrol(self, pid: str, *, name: str | None = None, email: str | None = None) -> None:
        """Put a participant on the class list (or update their name and e-mail address, which an identity
        provider's sign-in is matched with). Ids starting ``demo.`` are the trainers' demo participants'."""
        pid = _check_not_demo(_check_id(pid), f"Enrolling '{pid}'")
        email = _check_email(email) if email is not None else None
        p = t.participants
        with self._store.write() as conn:
            if email is not None:
                other = conn.execute(sa.select(p.c.id).where(p.c.email == email, p.c.id != pid)).first()
                if other:
                    raise StoreError(f"Enrolling '{pid}'", f"{email} is already the address of '{other[0]}'",
                                     "one address per participant")
            if not self._store._exists(conn, pid):
                conn.execute(sa.insert(p).values(id=pid, name=name, email=email, created_at=now()))
            else:
                changes = {k: v for k, v in (("name", name), ("email", email)) if v is not None}
                if changes:
                    conn.execute(sa.update(p).where(p.c.id == pid).values(**changes))

    def issue_code(self, pid: str) -> str:
        """A new access code for an enrolled participant (any earlier code stops working). Returned once —
        hand it to the participant; the store keeps only its hash. Clears their wrong-attempt count."""
        pid = _check_not_demo(_check_id(pid), f"Issuing a code for '{pid}'")
        code = acc.new_code()
        with self._store.write() as conn:
            if not self._store._exists(conn, pid):
                raise StoreError(f"Issuing a code for '{pid}'", "this participant is not enrolled", "enrol them first")
            self._store._upsert(conn, t.access_codes, {"participant_id": pid, "code_hash": acc.hash_secret(code),
                                                       "issued_at": now(), "issued_by": self._trainer},
                                ["participant_id"])
            self._store._clear(conn, f"participant:{pid}")
        return code

    def demo(self) -> "ParticipantStore":
        """The trainer's own demo participant, ``demo.<trainer>`` (made on first use): to open the module
        pages in a live demo of a hosted class. Its work is kept like anyone's, but it is never counted in the
        class's figures, no access code is issued for it, and only this trainer's sign-in reaches it."""
        pid = DEMO + (self._trainer or "local")
        with self._store.write() as conn:
            if not self._store._exists(conn, pid):
                conn.execute(sa.insert(t.participants).values(id=pid, name=f"Demo of {self._trainer or 'the trainer'}",
                                                              created_at=now()))
        return ParticipantStore(self._store, pid, _grant=_GRANT)

    def revoke_code(self, pid: str) -> None:
        """The participant's access code stops working."""
        with self._store.write() as conn:
            conn.execute(sa.delete(t.access_codes).where(t.access_codes.c.participant_id == _check_id(pid)))

    def class_summary(self, module: int) -> list[dict]:
        """Per question of ``module``: how many participants answered, and how many are right in their latest
        answer. Counts only — no participant's response is returned."""
        module = _check_module(module)
        a = t.answers
        ranked, latest = _latest(a.c.module == module, a.c.status.in_(("correct", "incorrect")),
                                 _counted(a.c.participant_id))
        q = (sa.select(a.c.question, sa.func.count().label("answered"),
                       sa.func.sum(sa.case((a.c.status == "correct", 1), else_=0)).label("correct"))
             .join(ranked, latest).group_by(a.c.question).order_by(a.c.question))
        with self._store.read() as conn:
            return [{"question": r.question, "answered": int(r.answered), "correct": int(r.correct or 0)}
                    for r in conn.execute(q)]

    def anonymous_progress(self) -> list[dict]:
        """One ``{"progress": [...], "answers": [...latest...]}`` per participant, without ids, in random
        order — for completion per module (:func:`evidencekit.course.summarise`)."""
        p, a = t.progress, t.answers
        with self._store.read() as conn:
            marks: dict[str, list] = {pid: [] for pid in (r[0] for r in conn.execute(
                sa.select(t.participants.c.id).where(_counted(t.participants.c.id))))}
            for r in conn.execute(sa.select(p.c.participant_id, p.c.module, p.c.item, p.c.status)
                                  .where(_counted(p.c.participant_id))):
                marks.setdefault(r.participant_id, []).append({"module": r.module, "item": r.item, "status": r.status})
            latest: dict[str, list] = {}
            ranked, last = _latest(_counted(a.c.participant_id))
            for r in conn.execute(sa.select(a.c.participant_id, a.c.module, a.c.question, a.c.status)
                                  .join(ranked, last).order_by(a.c.answered_at, a.c.id)):
                latest.setdefault(r.participant_id, []).append({"module": r.module, "question": r.question,
                                                                "status": r.status})
        out = [{"progress": marks[pid], "answers": latest.get(pid, [])} for pid in marks]
        random.SystemRandom().shuffle(out)
        return out

    def anonymous_records(self, kind: str) -> list[dict[str, dict]]:
        """For each participant who has records of ``kind``: ``{key: payload}``, without ids, in random order
        (e.g. ``{"pre": {...}, "post": {...}}`` for assessments) — for the aggregates of the class view."""
        if kind not in RECORD_KINDS:
            raise StoreError(f"The record kind {kind!r}", "is not known", "one of " + ", ".join(RECORD_KINDS))
        r = t.records
        with self._store.read() as conn:
            by: dict[str, dict] = {}
            for row in conn.execute(sa.select(r.c.participant_id, r.c.key, r.c.payload)
                                    .where(r.c.kind == kind, _counted(r.c.participant_id))):
                by.setdefault(row.participant_id, {})[row.key] = row.payload
        out = list(by.values())
        random.SystemRandom().shuffle(out)
        return out


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


_keys: dict[str, str] = {}  # a database address as given -> as open_store keys it


def open_store(url: str | os.PathLike | None = None) -> Store:
    """The store at ``url`` (default: ``EVIDENCEKIT_DATABASE_URL``, else a SQLite file in the user's data
    directory). One :class:`Store` per address and process, shared by every thread that asks for it. Raises
    :class:`StoreUnavailable` when the database cannot be reached (call again later: nothing is kept open)."""
    text = str(url) if url is not None else default_url()
    key = _keys.get(text)
    if key is None:  # parsed once per address (a page asks for its store several times on every click)
        key = _url(text).render_as_string(hide_password=False)
        if "://" in text:  # a plain file path depends on the working folder: parsed each time
            _keys[text] = key
    with _stores_lock:
        if key not in _stores:
            _stores[key] = Store(key)
        return _stores[key]
