"""The store's tables and their migrations, in SQLAlchemy Core (one code path for SQLite and PostgreSQL).

Schema version 1. Every table but ``meta`` has ``participant_id`` as the first column of its primary key or
index, with a foreign key to ``participants`` (deleting a participant deletes their work). Times are ISO 8601
UTC strings; structured values are JSON. ``meta`` holds ``schema_version``; :func:`migrate` brings any older
database up to :data:`SCHEMA_VERSION` inside one write transaction, and refuses a newer one.

>>> sorted(METADATA.tables)
['answers', 'board', 'meta', 'participants', 'progress', 'records', 'work']
"""
from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 1
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

V1_TABLES = [meta, participants, progress, answers, work, board, records]


def _v1(conn: sa.Connection) -> None:
    METADATA.create_all(conn, tables=V1_TABLES, checkfirst=True)


# version -> the step that brings version-1 to it; a later version appends (2, _v2) with ALTER statements
MIGRATIONS = [(1, _v1)]


def version_of(conn: sa.Connection) -> int:
    """The schema version of the database behind ``conn`` (0: empty)."""
    if not sa.inspect(conn).has_table("meta"):
        return 0
    row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0


def migrate(conn: sa.Connection) -> tuple[int, int]:
    """Bring the database to :data:`SCHEMA_VERSION` (inside the caller's write transaction) -> (from, to)."""
    from evidencekit.store.errors import StoreError

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
