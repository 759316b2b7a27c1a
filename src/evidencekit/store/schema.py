"""The store's tables and their migrations, in SQLAlchemy Core (one code path for SQLite and PostgreSQL).

Schema version 2. Every table of a participant's work has ``participant_id`` as the first column of its
primary key or index, with a foreign key to ``participants`` (deleting a participant deletes their work).
Times are ISO 8601 UTC strings; structured values are JSON. ``meta`` holds ``schema_version``;
:func:`migrate` brings any older database up to :data:`SCHEMA_VERSION` inside one write transaction (on
PostgreSQL under an advisory lock, so several processes starting at once migrate it once), and refuses a
newer one.

Version 2 (hosted classes) adds ``participants.email`` (unique; how a sign-in with an identity provider finds
an enrolled participant), ``access_codes`` (one hashed code per participant), ``identities`` (an identity
provider's subject bound to a participant), ``trainers`` (hashed trainer credentials), ``throttle`` (wrong
sign-in attempts per participant, trainer and client) and ``applied_ops`` (the id of every write applied, so
a write replayed from the outbox is applied once and only once).

>>> sorted(METADATA.tables)  # doctest: +NORMALIZE_WHITESPACE
['access_codes', 'answers', 'applied_ops', 'board', 'identities', 'meta', 'participants', 'progress',
 'records', 'throttle', 'trainers', 'work']
"""
from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 2
METADATA = sa.MetaData()


def _pid() -> sa.Column:
    return sa.Column("participant_id", sa.String(128), sa.ForeignKey("participants.id", ondelete="CASCADE"),
                     nullable=False)


meta = sa.Table("meta", METADATA, sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.Text))

participants = sa.Table(
    "participants", METADATA,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("email", sa.String(320)),  # version 2: lower-case; unique (index participants_email)
)

# one mark per participant, module and part: a step id, "intro" or "review"
progress = sa.Table(
    "progress", METADATA, _pid(),
    sa.Column("module", sa.Integer, nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("content", sa.String(32)),  # the module file's digest when the mark was made
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("participant_id", "module", "item"),
)

# every attempt at a question is kept (the latest one counts)
answers = sa.Table(
    "answers", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True), _pid(),
    sa.Column("module", sa.Integer, nullable=False),
    sa.Column("question", sa.String(64), nullable=False),
    sa.Column("response", sa.JSON),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("feedback", sa.JSON),
    sa.Column("content", sa.String(32)),
    sa.Column("answered_at", sa.String(32), nullable=False),
    sa.Index("answers_by_participant", "participant_id", "module", "question"),
)

# what a participant did in a step: the countries chosen, passages tagged, the brief's sections
work = sa.Table(
    "work", METADATA, _pid(),
    sa.Column("module", sa.Integer, nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("participant_id", "module", "item"),
)

# the evidence board: charts, tables, estimates, quotations, notes, each with its citation
board = sa.Table(
    "board", METADATA, _pid(),
    sa.Column("item_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("citation", sa.Text),
    sa.Column("module", sa.Integer),
    sa.Column("step", sa.String(64)),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("participant_id", "item_id"),
)

# the journey around the modules: learning goals, pre/post assessments, course feedback, follow-up plan,
# brief topic, certificate — one JSON record per (kind, key)
records = sa.Table(
    "records", METADATA, _pid(),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("participant_id", "kind", "key"),
)

# -- version 2: hosted classes ----------------------------------------------------------------------------
# one access code per participant, stored as a slow hash (scrypt; evidencekit.store.access)
access_codes = sa.Table(
    "access_codes", METADATA,
    sa.Column("participant_id", sa.String(128), sa.ForeignKey("participants.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("code_hash", sa.Text, nullable=False),
    sa.Column("issued_at", sa.String(32), nullable=False),
    sa.Column("issued_by", sa.String(64)),
)

# an identity provider's account (issuer + subject, as in the OIDC ID token) bound to one participant
identities = sa.Table(
    "identities", METADATA,
    sa.Column("issuer", sa.String(255), nullable=False),
    sa.Column("subject", sa.String(255), nullable=False),
    _pid(),
    sa.Column("email", sa.String(320)),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("issuer", "subject"),
)

trainers = sa.Table(
    "trainers", METADATA,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("secret_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

# wrong sign-in attempts: key "participant:<id>", "trainer:<name>" or "client:<address>"; times in epoch seconds
throttle = sa.Table(
    "throttle", METADATA,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.Float, nullable=False),
    sa.Column("blocked_until", sa.Float, nullable=False),
)

# the id of every write applied: a write replayed from the outbox is applied once and only once
applied_ops = sa.Table(
    "applied_ops", METADATA,
    sa.Column("op_id", sa.String(64), primary_key=True), _pid(),
    sa.Column("applied_at", sa.String(32), nullable=False),
)

V1_TABLES = [meta, participants, progress, answers, work, board, records]
V2_TABLES = [access_codes, identities, trainers, throttle, applied_ops]


def _v1(conn: sa.Connection) -> None:
    METADATA.create_all(conn, tables=V1_TABLES, checkfirst=True)


def _v2(conn: sa.Connection) -> None:
    """participants.email (added when a version-1 database is migrated) and the tables of hosted classes."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("participants")}
    if "email" not in columns:
        conn.execute(sa.text("ALTER TABLE participants ADD COLUMN email VARCHAR(320)"))
    indexes = {i["name"] for i in sa.inspect(conn).get_indexes("participants")}
    if "participants_email" not in indexes:
        conn.execute(sa.text("CREATE UNIQUE INDEX participants_email ON participants (email)"))
    METADATA.create_all(conn, tables=V2_TABLES, checkfirst=True)


# version -> the step that brings the previous version to it; steps are safe to run on a database created by
# the current code (version 1 creates today's tables, version 2 adds only what is missing)
MIGRATIONS = [(1, _v1), (2, _v2)]
MIGRATION_LOCK = 0x65766964  # "evid": PostgreSQL advisory lock key held while migrating (pg_advisory_xact_lock)


def version_of(conn: sa.Connection) -> int:
    """The schema version of the database behind ``conn`` (0: empty)."""
    if not sa.inspect(conn).has_table("meta"):
        return 0
    row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0


def migrate(conn: sa.Connection) -> tuple[int, int]:
    """Bring the database to :data:`SCHEMA_VERSION` (inside the caller's write transaction) -> (from, to)."""
    from evidencekit.store.errors import StoreError

    if conn.dialect.name == "postgresql":
        # several app processes starting at once: one migrates, the others wait here and find it done
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    found = version_of(conn)
    if found > SCHEMA_VERSION:
        raise StoreError("Opening the progress database",
                         f"it was written by a newer evidencekit (schema {found}; this one knows up to {SCHEMA_VERSION})",
                         "update evidencekit, or point EVIDENCEKIT_DATABASE_URL at another database")
    for version, step in MIGRATIONS:
        if version > found:
            step(conn)
            conn.execute(sa.delete(meta).where(meta.c.key == "schema_version"))
            conn.execute(sa.insert(meta).values(key="schema_version", value=str(version)))
    return found, SCHEMA_VERSION
