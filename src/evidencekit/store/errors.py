"""Errors of the store: a database that cannot be opened or written, a file that cannot be imported, a sign-in
refused, the class database out of reach.

>>> str(StoreError("Importing 'work.json'", "it belongs to participant 'ana'", "sign in as 'ana' to import it"))
"Importing 'work.json': it belongs to participant 'ana'. What to do: sign in as 'ana' to import it."
>>> err = AccessDenied("Signing in as 'ana'", "too many wrong codes", "wait 8 seconds", wait=8.0)
>>> isinstance(err, StoreError), err.wait
(True, 8.0)
"""
from __future__ import annotations

from evidencekit.errors import EvidenceKitError


class StoreError(EvidenceKitError):
    """The participants' store could not do what was asked (nothing was changed)."""


class AccessDenied(StoreError):
    """A sign-in or a request outside one's own scope was refused. ``wait``: seconds before the next try."""

    def __init__(self, what: str, why: str = "", fix: str = "", *, wait: float = 0.0) -> None:
        self.wait = float(wait)
        super().__init__(what, why, fix)


class StoreUnavailable(StoreError):
    """The database cannot be reached just now (a server down, a file out of reach). Nothing was lost: writes
    are kept in the outbox and sent when it is back (``docs/store.md``)."""
