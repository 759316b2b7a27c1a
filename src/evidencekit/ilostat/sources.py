"""The three places an ILOSTAT answer can come from, each giving a frame and its provenance record.

:class:`Live` (the rplumber API), :class:`Cached` (the local cache) and :class:`Offline` (the embedded
snapshot). :class:`~evidencekit.ilostat.client.Client` chains them — live -> cache -> snapshot — and says
which one answered (``docs/ilostat.md``, "Where answers come from"). A :class:`Request` is built once per
call: the checked :class:`~evidencekit.ilostat.query.Query`, the one URL (also the cache key), and the
named groups it was given as.

Every frame is finished by :func:`finish` (live and cache) or by
:meth:`~evidencekit.ilostat.snapshot.Snapshot.get` (snapshot): filters and period applied, codes without
rows said (:class:`NoDataWarning`), labels added when asked, and the provenance record made once by
:func:`~evidencekit.ilostat.tidy.provenance`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable, NamedTuple

import pandas as pd

from evidencekit.ilostat.cache import CacheWarning, DataCache, sweep
from evidencekit.ilostat.errors import DamagedAnswerError
from evidencekit.ilostat.formats import read_data_answer
from evidencekit.ilostat.http import Transport, build_url
from evidencekit.ilostat.query import FILTERS, Query, covers, filter_frame, query_record
from evidencekit.ilostat.tidy import attach, now_utc, provenance, tidy
from evidencekit.ilostat.validate import problems, summary

DATA_PATH = "/data/indicator/"


class NoDataWarning(UserWarning):
    """Some of the asked codes have no rows (the others do): said, never dropped silently."""


class Answer(NamedTuple):
    """A finished frame and its provenance record (also in ``frame.attrs["provenance"]``)."""

    frame: pd.DataFrame
    provenance: dict


@dataclass(frozen=True)
class Request:
    """One data request: the checked query and the one URL it is asked at (and cached under)."""

    query: Query
    url: str

    @classmethod
    def of(cls, query: Query, base_url: str) -> "Request":
        return cls(query, build_url(base_url, DATA_PATH, query.params()))

    @property
    def key(self) -> str:
        return DataCache.key(self.url)


def warn_missing_codes(df: pd.DataFrame, q: Query, where: str, stacklevel: int = 5) -> None:
    """Warn when a filter asked for several codes and some of them have no row in the answer.

    ILOSTAT ignores an unknown code among known ones (``ref_area=PHL+XYZ`` answers PHL only); the user
    must hear about XYZ. (When no code matches at all, :func:`filter_frame` raises instead.)
    """
    for name, codes in q.filters().items():
        if name not in df.columns or len(codes) < 2:
            continue
        have = set(df[name].dropna().astype(str).str.upper())
        missing = [c for c in codes if c not in have]
        if not missing:
            continue
        members = {m for g in q.groups.values() for m in g.get("members") or []} if name == "ref_area" else set()
        if members and set(missing) <= members:   # a group's member without data for this request: said, no typo
            warnings.warn(NoDataWarning(
                f"{q.id}: no rows for {'+'.join(missing)} (member{'s' if len(missing) > 1 else ''} of "
                f"{', '.join(q.groups)}) in {where} for this request; the other members have data"),
                stacklevel=stacklevel)
        else:
            warnings.warn(NoDataWarning(
                f"{q.id}: no rows for {name}={'+'.join(missing)} in {where} (the other {name} codes have "
                "data); check the code or drop it"), stacklevel=stacklevel)


def finish(df: pd.DataFrame, q: Query, origin: str, record: dict, stale: bool,
           labeller: Callable[[pd.DataFrame, str], tuple[pd.DataFrame, dict]]) -> Answer:
    """A live or cached frame, finished: filtered to the request, labelled if asked, with its provenance."""
    where = {"cache": "the local cache", "live": "ILOSTAT's answer"}[origin]
    out = filter_frame(df, q, where)
    warn_missing_codes(out, q, where)
    labels = None
    if q.labels:
        out, labels = labeller(out, q.lang)
    out = out.reset_index(drop=True)
    last_update = record.get("last_update")
    label = record.get("label")
    prov = provenance(origin, q.id, url=record.get("url"), retrieved_at=record.get("retrieved_at"),
                      vintage=last_update[:10] if last_update else None, last_update=last_update,
                      label=label if isinstance(label, str) else None, stale=stale, query=q, labels=labels)
    return Answer(attach(out, prov), prov)


class Live:
    """The rplumber API: download, read, check against the request, keep in the cache."""

    def __init__(self, transport: Transport, cache: "Cached") -> None:
        self.transport = transport
        self.cache = cache

    def fetch(self, req: Request, last_update: str | None, label: str | None) -> tuple[pd.DataFrame, dict]:
        """The checked, tidy answer to ``req`` and its record (kept in the cache when it can be written).

        Raises :class:`~evidencekit.ilostat.errors.NetworkError` (unreachable, too slow, not data) and
        :class:`~evidencekit.ilostat.errors.DamagedAnswerError` (cut or changed): the caller falls back to the
        cache or the snapshot.
        """
        q = req.query
        body = self.transport.get_data(req.url, label=q.id)
        raw = read_data_answer(body, req.url)
        found = problems(raw, q.id, q)
        if found:
            raise DamagedAnswerError(
                f"Asking ILOSTAT for {req.url}",
                f"ILOSTAT's answer for {q.id} was refused: {summary(found)} (cut or changed on the way)",
                "try again later; meanwhile the cache or the offline snapshot answers")
        df = tidy(raw).sort_values("ref_area", kind="stable").reset_index(drop=True)
        record = {"dataset": q.id, "url": req.url, "last_update": last_update, "retrieved_at": now_utc(),
                  "query": query_record(q), "label": label}
        if not df.empty:
            record = self.cache.keep(req, df, record)
        return df, record


_SWEPT: set[str] = set()   # cache folders swept in this process


class Cached:
    """The local disk cache: the exact request, or a wider cached request of the same dataset that covers it."""

    def __init__(self, cache: DataCache) -> None:
        self.cache = cache
        self._said_read_only = False

    def _sweep_once(self) -> None:
        """Remove what killed writers left (old temporary files), once per folder and process."""
        root = str(self.cache.root)
        if root not in _SWEPT:
            _SWEPT.add(root)
            sweep(root)

    def find(self, req: Request, last_update: str | None = None) -> tuple[pd.DataFrame, dict] | None:
        """The cached frame (code filters applied while reading) and its record; with ``last_update``, only a
        copy of that ILOSTAT release. None when the cache has nothing that covers ``req``."""
        q = req.query
        self._sweep_once()
        hit = self.cache.get(req.key, q)
        if hit is not None and (last_update is None or hit[1].get("last_update") == last_update):
            return hit
        want = query_record(q)
        for rec in self.cache.records():
            if rec.get("dataset") != q.id or rec.get("key") == req.key or not covers(rec.get("query") or {}, want):
                continue
            if last_update is not None and rec.get("last_update") != last_update:
                continue
            hit = self.cache.get(rec["key"], q)
            if hit is not None:
                return hit
        return None

    def keep(self, req: Request, df: pd.DataFrame, record: dict) -> dict:
        """Store a checked answer; a folder that cannot be written costs no answer (said once)."""
        try:
            return self.cache.put(req.key, df, record)
        except OSError as err:
            if not self._said_read_only:
                warnings.warn(CacheWarning(f"{req.query.id} could not be saved in the cache folder "
                                           f"{self.cache.root} ({err}); it will be downloaded again next time"),
                              stacklevel=5)
                self._said_read_only = True
            return record

    def held(self, dataset: str, n: int = 3) -> list[str]:
        """What the cache holds of ``dataset``, one short line per cached request (``ref_area=KEN+USA, 2015 to …``)."""
        out = []
        for rec in self.cache.records():
            if rec.get("dataset") != dataset:
                continue
            query = rec.get("query") or {}
            parts = [f"{name}={'+'.join(query[name])}" for name in FILTERS if query.get(name)]
            if query.get("start") or query.get("end"):
                parts.append(f"{query.get('start') or '…'} to {query.get('end') or '…'}")
            out.append(", ".join(parts) or "everything")
        return list(dict.fromkeys(out))[:n]


class Offline:
    """The embedded snapshot (opened when first needed; a missing or damaged one is remembered, with why)."""

    def __init__(self, snapshot=None) -> None:
        self._snapshot = snapshot
        self.error: Exception | None = None

    def snapshot(self):
        """The :class:`~evidencekit.ilostat.snapshot.Snapshot`, or None when it cannot be opened (``error`` says why)."""
        from evidencekit.ilostat.errors import SnapshotError
        from evidencekit.ilostat.snapshot import Snapshot

        if self._snapshot is None and self.error is None:
            try:
                self._snapshot = Snapshot()
            except (SnapshotError, OSError) as err:
                self.error = err
        elif isinstance(self._snapshot, (str, bytes)) or hasattr(self._snapshot, "__fspath__"):
            try:
                self._snapshot = Snapshot(self._snapshot)
            except (SnapshotError, OSError) as err:
                self._snapshot, self.error = None, err
        return self._snapshot

    def ids(self) -> set[str]:
        snap = self.snapshot()
        return set(snap.datasets()) if snap is not None else set()

    def find(self, req: Request, stale: bool) -> Answer | None:
        snap = self.snapshot()
        if snap is None or not snap.has(req.query.id):
            return None
        df = snap.get(req.query, stale=stale)
        warn_missing_codes(df, req.query, "the offline snapshot")
        return Answer(df, df.attrs["provenance"])
