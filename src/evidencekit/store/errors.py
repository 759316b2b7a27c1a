"""Errors of the store: a database that cannot be opened or written, a file that cannot be imported.

>>> str(StoreError("Importing 'work.json'", "it belongs to participant 'ana'", "sign in as 'ana' to import it"))
"Importing 'work.json': it belongs to participant 'ana'. What to do: sign in as 'ana' to import it."
"""
from __future__ import annotations

from evidencekit.errors import EvidenceKitError


class StoreError(EvidenceKitError):
    """The participants' store could not do what was asked (nothing was changed)."""
