"""evidencekit.store: participants' progress, answers, step work, evidence board and journey records, behind
one small interface — a SQLite file on a participant's own machine, PostgreSQL for a hosted class
(``EVIDENCEKIT_DATABASE_URL``), with sign-in by access code or identity provider, a trainer's class view, and an
outbox that keeps writes while the database is out of reach (``docs/store.md``, ``docs/hosting.md``).

>>> import tempfile, os
>>> from evidencekit.store import open_store
>>> me = open_store(os.path.join(tempfile.mkdtemp(), "ek.db")).participant("ana")
>>> me.put_record("goal", "main", {"text": "Write a brief on youth NEET for my minister"})
>>> me.records("goal")[0]["payload"]["text"]
'Write a brief on youth NEET for my minister'
"""
from __future__ import annotations

from evidencekit.store.access import new_code, normalise_code
from evidencekit.store.errors import AccessDenied, StoreError, StoreUnavailable
from evidencekit.store.schema import SCHEMA_VERSION
from evidencekit.store.store import (
    BOARD_KINDS, DEMO, EXPORT_FORMAT, EXPORT_VERSION, RECORD_KINDS, ClassView, ParticipantStore, Store, StoreStatus,
    default_url, open_store, step_work, with_step_work,
)

__all__ = ["open_store", "Store", "ParticipantStore", "ClassView", "StoreStatus", "StoreError", "AccessDenied",
           "StoreUnavailable", "default_url", "new_code", "normalise_code", "SCHEMA_VERSION", "EXPORT_FORMAT",
           "EXPORT_VERSION", "RECORD_KINDS", "BOARD_KINDS", "DEMO", "step_work", "with_step_work"]
