"""evidencekit.store: participants' progress, answers, step work, evidence board and journey records, behind
one small interface — a SQLite file by default, PostgreSQL for a hosted class (``EVIDENCEKIT_DATABASE_URL``).

>>> import tempfile, os
>>> from evidencekit.store import open_store
>>> me = open_store(os.path.join(tempfile.mkdtemp(), "ek.db")).participant("ana")
>>> me.put_record("goal", "main", {"text": "Write a brief on youth NEET for my minister"})
>>> me.records("goal")[0]["payload"]["text"]
'Write a brief on youth NEET for my minister'
"""
from __future__ import annotations

from evidencekit.store.errors import StoreError
from evidencekit.store.schema import SCHEMA_VERSION
from evidencekit.store.store import (
    BOARD_KINDS, EXPORT_FORMAT, EXPORT_VERSION, RECORD_KINDS, ParticipantStore, Store, default_url, open_store,
)

__all__ = ["open_store", "Store", "ParticipantStore", "StoreError", "default_url", "SCHEMA_VERSION",
           "EXPORT_FORMAT", "EXPORT_VERSION", "RECORD_KINDS", "BOARD_KINDS"]
