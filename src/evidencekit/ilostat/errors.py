"""Errors of the ILOSTAT client: one small hierarchy under :class:`evidencekit.EvidenceKitError`.

>>> issubclass(UnknownIndicatorError, IlostatError) and issubclass(IlostatError, EvidenceKitError)
True
"""
from __future__ import annotations

from evidencekit.errors import DataSourceError, EvidenceKitError, InputError

__all__ = [
    "EvidenceKitError", "IlostatError", "QueryError", "UnknownIndicatorError", "NoMatchError",
    "NetworkError", "ChallengeError", "DamagedAnswerError", "CacheError", "SnapshotError", "NotAvailableOfflineError",
]


class IlostatError(DataSourceError):
    """Anything that went wrong while answering an ILOSTAT request."""


class QueryError(IlostatError, InputError):
    """The request itself is wrong: a period like ``20x5``, ``end`` before ``start``, an unsupported ``lang``."""


class UnknownIndicatorError(QueryError):
    """The dataset id is not in the ILOSTAT catalogue (the message suggests close matches)."""


class NoMatchError(QueryError):
    """A filter code matches nothing (the message says which filter and which codes exist)."""


class NetworkError(IlostatError):
    """ILOSTAT could not be reached or kept failing (after retries)."""


class ChallengeError(NetworkError):
    """ILOSTAT's Cloudflare front answered 403 with a bot challenge instead of data."""


class DamagedAnswerError(NetworkError):
    """ILOSTAT's answer was cut or changed on the way: rows with a wrong number of fields, columns its dataset id
    rules out or requires, values of the wrong shape, rows that were not asked for. Refused before it is used or
    cached; the cache or the snapshot answers instead (``docs/ilostat.md``, "Checks on every answer")."""


class CacheError(IlostatError):
    """A cached file is unreadable (corrupt or from an incompatible version)."""


class SnapshotError(IlostatError):
    """The embedded snapshot is missing, damaged, or cannot be built from the given files."""


class NotAvailableOfflineError(IlostatError):
    """Offline mode was asked for and neither the cache nor the snapshot holds the answer."""
