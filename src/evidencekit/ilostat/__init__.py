"""ILOSTAT from Python: ``search``, ``get``, ``areas`` — live when possible, cached, and offline from a snapshot.

>>> import evidencekit as ek
>>> ek.ilostat.search("youth unemployment")                             # doctest: +SKIP
>>> df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")         # doctest: +SKIP
>>> df.attrs["provenance"]["origin"], df.attrs["provenance"]["citation"]  # doctest: +SKIP

Offline (the embedded snapshot answers; the values are ILOSTAT's, with their release and citation):

>>> import tempfile
>>> client = Client(cache_dir=tempfile.mkdtemp(), offline=True)
>>> df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="T", classif1="AGE_YTHADULT_Y15-24",
...                 start=2019, end=2021)
>>> df[["time", "obs_value"]].values.tolist(), df.attrs["provenance"]["origin"]
([['2021', 8.488], ['2020', 7.032], ['2019', 6.769]], 'snapshot')

Named groups: ``ref_area="ASEAN"`` is the member states (ASEAN-11; ``"ASEAN10"`` before October 2025), each
with its own rows; ILOSTAT's aggregates (``X54`` South-Eastern Asia, ``X84`` its ASEAN figure) are kept apart:

>>> sorted(areas(group="ASEAN10", offline=True)["ref_area"])
['BRN', 'IDN', 'KHM', 'LAO', 'MMR', 'MYS', 'PHL', 'SGP', 'THA', 'VNM']

The module-level functions use one default :class:`Client`, built from the environment
(``EVIDENCEKIT_OFFLINE``, ``EVIDENCEKIT_ILOSTAT_URL``, ``EVIDENCEKIT_CACHE_DIR``,
``EVIDENCEKIT_ILOSTAT_DEADLINE``) and rebuilt when those change. Build your own
``Client(base_url=..., cache_dir=..., offline=..., deadline=...)`` for other settings. The reference page is
``docs/ilostat.md``.

Bad input is refused before anything is fetched:

>>> get("SDG_0852_SEX_AGE_RT_A", start=2024, end=2015)
Traceback (most recent call last):
...
evidencekit.ilostat.errors.QueryError: The period 2024 to 2015: ends before it starts. What to do: swap them: start=2015, end=2024.
"""
from __future__ import annotations

import threading

import pandas as pd

from evidencekit.ilostat.cache import CacheWarning
from evidencekit.ilostat.client import Client, Codes, LiveCheck, SourceWarning
from evidencekit.ilostat.groups import GROUPS
from evidencekit.ilostat.sources import NoDataWarning
from evidencekit.ilostat.errors import (
    CacheError, ChallengeError, DamagedAnswerError, EvidenceKitError, IlostatError, NetworkError, NoMatchError,
    NotAvailableOfflineError, QueryError, SnapshotError, UnknownIndicatorError,
)
from evidencekit.ilostat.settings import Settings

__all__ = [
    "search", "get", "areas", "groups", "clear_cache", "default_client", "Client", "LiveCheck", "Settings", "GROUPS",
    "DamagedAnswerError",
    "EvidenceKitError", "IlostatError", "QueryError", "UnknownIndicatorError", "NoMatchError", "NetworkError",
    "ChallengeError", "CacheError", "SnapshotError", "NotAvailableOfflineError", "SourceWarning", "CacheWarning", "NoDataWarning",
]

_lock = threading.Lock()
_default: Client | None = None


def default_client() -> Client:
    """The shared client behind the module functions (rebuilt when the environment settings change)."""
    global _default
    with _lock:
        wanted = Settings.resolve()
        if _default is None or _default.settings != wanted:
            _default = Client()
        return _default


def search(text: str, limit: int = 20, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
    """Indicators matching ``text`` (labels and ids; case- and accent-insensitive; best first)."""
    return default_client().search(text, limit=limit, lang=lang, offline=offline)


def get(id: str, ref_area: Codes = None, sex: Codes = None, classif1: Codes = None, classif2: Codes = None,
        source: Codes = None, start: object = None, end: object = None, labels: bool = False, lang: str = "en",
        offline: bool | None = None) -> pd.DataFrame:
    """One ILOSTAT dataset, filtered, with ``attrs["provenance"]`` (see :meth:`Client.get`)."""
    return default_client().get(id, ref_area=ref_area, sex=sex, classif1=classif1, classif2=classif2,
                                source=source, start=start, end=end, labels=labels, lang=lang, offline=offline)


def areas(lang: str = "en", offline: bool | None = None, group: str | None = None) -> pd.DataFrame:
    """Reference areas with names, ILO regions and income groups; ``group`` gives a group's members
    (see :meth:`Client.areas`)."""
    return default_client().areas(lang=lang, offline=offline, group=group)


def groups(lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
    """Named groups (ASEAN, ASEAN10) and ILOSTAT's aggregates with their members (see :meth:`Client.groups`)."""
    return default_client().groups(lang=lang, offline=offline)


def clear_cache() -> int:
    """Delete the default client's cached ILOSTAT files; return how many were removed."""
    return default_client().clear_cache()
