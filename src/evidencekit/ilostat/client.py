"""The ILOSTAT client: live rplumber API -> local cache -> offline snapshot, and the answer says which.

Fallback order (``docs/design.md``, Data rules):

1. **live** — the rplumber API. The catalogue (ToC) is fetched at most once a day (requests-cache);
   a data answer already in the cache is reused while the ToC's ``last.update`` for the dataset is the
   one stored with it (``origin="cache"``), otherwise it is downloaded again (``origin="live"``).
2. **cache** — when ILOSTAT cannot be reached (no network, 5xx after retries, Cloudflare challenge),
   the cached copy answers, labelled ``origin="cache"`` and ``stale=True``.
3. **snapshot** — the embedded offline snapshot, labelled ``origin="snapshot"`` (``stale=True`` when it
   answers because the live request failed).

``offline=True`` (or ``EVIDENCEKIT_OFFLINE=1``) skips step 1 entirely: no connection is ever opened.
After a failed live attempt the client goes straight to steps 2–3 for ``down_for`` seconds (2 minutes),
so a trainer without network is not kept waiting.

A header-only answer (ILOSTAT's way of saying "no rows") never becomes an empty frame: each filter code
is checked against the dictionaries and the catalogue and :class:`NoMatchError` says which filter is to
blame and which codes exist — or that every code is valid but the combination has no data.

>>> import tempfile
>>> client = Client(cache_dir=tempfile.mkdtemp(), offline=True)
>>> client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", start="20x5")
Traceback (most recent call last):
...
evidencekit.ilostat.errors.QueryError: The start period '20x5': is not an ILOSTAT period. What to do: write a year (2015), a quarter (2022Q1) or a month (2022M01).
"""
from __future__ import annotations

import difflib
import gzip
import io
import json
import time
import warnings
import zlib
from datetime import datetime
from typing import Iterable

import pandas as pd

from evidencekit.errors import EvidenceKitError
from evidencekit.ilostat import cache as cache_mod
from evidencekit.ilostat.cache import CacheWarning, DataCache
from evidencekit.ilostat.catalogue import closest_codes, suggest
from evidencekit.ilostat.errors import (
    IlostatError, NetworkError, NoMatchError, NotAvailableOfflineError, QueryError, SnapshotError,
    UnknownIndicatorError,
)
from evidencekit.ilostat.http import Transport, build_url
from evidencekit.ilostat.query import FILTERS, LANGS, Query, filter_frame, period_after, period_start
from evidencekit.ilostat.settings import Settings
from evidencekit.ilostat.tidy import attach, now_utc, provenance, tidy

TOC_COLUMNS = ["id", "indicator", "label", "freq", "data_start", "data_end", "last_update", "n_records", "offline",
               "subject", "database", "with_region"]  # the same columns live, cached and offline (empty there)
TOC_PATH = "/metadata/toc/indicator/"
AREAS_PATH = "/metadata/toc/ref_area/"
DIC_PATH = "/metadata/dic/"
DATA_PATH = "/data/indicator/"
Codes = str | Iterable[str] | None
_FREQ_NAMES = {"A": "annual", "Q": "quarterly", "M": "monthly"}
DICTIONARIES = ("ref_area", "indicator", "sex", "classif1", "classif2", "obs_status", "note_classif",
                "note_indicator", "note_source", "source", "classif_type", "database", "subject")  # api.md §3.3


class SourceWarning(UserWarning):
    """The answer did not come from live ILOSTAT (and why): a stale cache copy or the offline snapshot."""


class NoDataWarning(UserWarning):
    """Some of the asked codes have no rows (the others do): said, never dropped silently."""


def warn_missing_codes(df: pd.DataFrame, q: Query, where: str) -> None:
    """Warn when a filter asked for several codes and some of them have no row in the answer.

    ILOSTAT ignores an unknown code among known ones (``ref_area=PHL+XYZ`` answers PHL only); the user
    must hear about XYZ. (When no code matches at all, :func:`filter_frame` raises instead.)
    """
    for name, codes in q.filters().items():
        if name not in df.columns or len(codes) < 2:
            continue
        have = set(df[name].dropna().astype(str).str.upper())
        missing = [c for c in codes if c not in have]
        if missing:
            warnings.warn(NoDataWarning(
                f"{q.id}: no rows for {name}={'+'.join(missing)} in {where} (the other {name} codes have data); "
                "check the code or drop it"), stacklevel=4)


# -- parsing ILOSTAT answers -------------------------------------------------------------------------
def parse_csv(body: bytes, url: str = "ILOSTAT's answer") -> pd.DataFrame:
    """rplumber CSV -> DataFrame of strings (BOM stripped; 'NA' is Namibia, not a missing value).

    A gzip body (a ``.csv.gz`` file served as it is, without ``Content-Encoding``) is unpacked first;
    a body that is not CSV text is an :class:`IlostatError` naming ``url``.

    >>> import gzip
    >>> body = b'\\xef\\xbb\\xbf"ref_area","obs_value"\\n"NA",1.5\\n'    # BOM, quoted codes, bare numbers
    >>> parse_csv(gzip.compress(body)).values.tolist()
    [['NA', '1.5']]
    """
    body = parse_gzip(body, url)
    try:
        df = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise IlostatError(f"Reading {url}", f"the answer is not CSV text ({str(err)[:120]})", "try again later") from None
    return df.rename(columns=lambda c: str(c).lstrip("\ufeff").strip())


def read_data(body: bytes, url: str) -> pd.DataFrame:
    """An rplumber data answer -> tidy frame; an answer that is not ILOSTAT data CSV is a :class:`NetworkError`.

    The service answers 200 whatever happens (``docs/ilostat-api.md`` §3.1, §3.7): a JSON body, an error
    text or bytes cut off must be said as such — never read as "no rows" (an empty frame) or a traceback.
    As with a web page instead of data, the cache or the snapshot may then answer.

    >>> read_data(b"[]", "https://rplumber.ilo.org/data/indicator/?id=X_A")
    Traceback (most recent call last):
    ...
    evidencekit.ilostat.errors.NetworkError: Asking ILOSTAT for https://rplumber.ilo.org/data/indicator/?id=X_A: the answer is not ILOSTAT data (it starts with '[]'). What to do: try again later, or set EVIDENCEKIT_ILOSTAT_URL if ILOSTAT has moved.
    """
    def not_data(why: str) -> NetworkError:
        return NetworkError(f"Asking ILOSTAT for {url}", f"the answer is not ILOSTAT data ({why})",
                            "try again later, or set EVIDENCEKIT_ILOSTAT_URL if ILOSTAT has moved")

    start = body[:60].decode("utf-8", "replace").lstrip("\ufeff").strip().replace("\n", " ")
    try:
        raw = parse_csv(body, url)
    except IlostatError as err:
        raise not_data(err.why) from None
    if not {"time", "obs_value"} <= set(raw.columns):
        raise not_data(f"it starts with {start!r}")
    return tidy(raw)


def parse_gzip(body: bytes, url: str) -> bytes:
    """``body``, unpacked when it is gzip (a file served as it is, without ``Content-Encoding``)."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        return gzip.decompress(body)
    except (OSError, EOFError, zlib.error) as err:
        raise IlostatError(f"Reading {url}", f"the gzip answer is cut off or damaged ({err})", "try again") from None


def iso_last_update(value: object) -> str | None:
    """ILOSTAT's ``dd/mm/YYYY HH:MM:SS`` -> ISO ``YYYY-MM-DDTHH:MM:SS`` (None when absent or unreadable).

    >>> iso_last_update("24/09/2026 07:10:19"), iso_last_update(""), iso_last_update("2026-09-24")
    ('2026-09-24T07:10:19', None, '2026-09-24T00:00:00')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).isoformat()
        except ValueError:
            continue
    return None


def normalise_toc(records: list[dict], offline_ids: Iterable[str] = ()) -> pd.DataFrame:
    """The live indicator ToC (JSON records) in the snapshot's ToC columns, so one ``search`` serves both.

    ``id, indicator, label, freq, data_start, data_end, last_update (ISO), n_records, offline`` then
    ``subject, database, with_region`` (``offline``: the snapshot holds the dataset too).
    """
    raw = pd.DataFrame.from_records(records)
    if raw.empty or "id" not in raw.columns:
        raise IlostatError("Reading the ILOSTAT catalogue", "the answer holds no indicators", "try again later")

    def col(name: str) -> pd.Series:
        return raw[name] if name in raw.columns else pd.Series([None] * len(raw), index=raw.index)

    have = set(offline_ids)
    out = pd.DataFrame({
        "id": col("id").astype("string"),
        "indicator": col("indicator").astype("string"),
        "label": col("indicator.label").astype("string"),
        "freq": col("freq").astype("string"),
        "data_start": _period_text(col("data.start")),
        "data_end": _period_text(col("data.end")),
        "last_update": col("last.update").map(iso_last_update).astype("string"),
        "n_records": pd.to_numeric(col("n.records"), errors="coerce").astype("float64"),
        "offline": col("id").isin(have).astype(bool),
        "subject": col("subject").astype("string"),
        "database": col("database").astype("string"),
        "with_region": col("with.region").astype("string"),
    })
    return out[TOC_COLUMNS].reset_index(drop=True)


def _period_text(s: pd.Series) -> pd.Series:
    """ToC periods as text (``1947``, ``2022Q1``), as the snapshot's ToC has them."""
    text = s.astype("string").str.replace(r"\.0$", "", regex=True)
    return text.mask(text.str.strip() == "")


def normalise_areas(records: list[dict]) -> pd.DataFrame:
    """The live ref_area ToC -> one row per area, in the snapshot's ``areas()`` columns.

    ``ref_area, ref_area.label, is_aggregate, ilo_region(.label), income_group(.label)``; group codes lose
    their ``ILO_GEO_`` / ``ILO_GEO_WB_INC_`` prefix (``ILO_GEO_X06`` -> ``X06``, the ``ref_area`` code).
    """
    raw = pd.DataFrame.from_records(records)

    def col(name: str) -> pd.Series:
        s = raw[name] if name in raw.columns else pd.Series([None] * len(raw), index=raw.index)
        return s.astype("string").str.replace(r"^ILO_GEO_(?:WB_INC_)?", "", regex=True)

    out = pd.DataFrame({"ref_area": col("ref_area"), "ref_area.label": col("ref_area.label")})
    out["is_aggregate"] = out["ref_area"].str.match(r"^X[0-9A-Z]{2}$").fillna(False).astype(bool)
    out["ilo_region"], out["ilo_region.label"] = col("ilo_region"), col("ilo_region.label")
    out["income_group"], out["income_group.label"] = col("wb_income_group"), col("wb_income_group.label")
    return out.drop_duplicates("ref_area").sort_values("ref_area").reset_index(drop=True)


class Client:
    """ILOSTAT client with the three verbs (``search``, ``get``, ``areas``) and its cache.

    Settings: arguments first, then ``EVIDENCEKIT_OFFLINE``, ``EVIDENCEKIT_ILOSTAT_URL``,
    ``EVIDENCEKIT_CACHE_DIR`` (see :mod:`evidencekit.ilostat.settings`). ``snapshot`` is a
    :class:`~evidencekit.ilostat.snapshot.Snapshot` (default: the embedded one, opened when first needed).

    >>> import tempfile
    >>> c = Client(base_url="https://example.org/", cache_dir=tempfile.mkdtemp(), offline=True, timeout=(2, 30))
    >>> c.settings.base_url, c.settings.offline, c.settings.connect_timeout
    ('https://example.org', True, 2.0)
    """

    def __init__(self, base_url: str | None = None, cache_dir=None, offline: bool | None = None,
                 timeout: float | tuple[float, float] | None = None, progress: bool | None = None,
                 snapshot=None, **settings) -> None:
        self.settings = Settings.resolve(base_url, cache_dir, offline, timeout, progress=progress, **settings)
        self.transport = Transport(self.settings)
        self.cache = DataCache(self.settings.cache_dir)
        self._snapshot = snapshot
        self._snapshot_error: Exception | None = None
        self._memo: dict[tuple, tuple[float, object]] = {}
        self._last_failure: tuple[float, NetworkError] | None = None

    def _failed(self, err: NetworkError) -> NetworkError:
        self._last_failure = (time.monotonic(), err)
        return err

    def __repr__(self) -> str:
        s = self.settings
        return f"Client(base_url={s.base_url!r}, cache_dir={str(s.cache_dir)!r}, offline={s.offline})"

    # -- snapshot ---------------------------------------------------------------------------------
    def snapshot(self):
        """The offline snapshot, or None when it is missing or damaged (the reason is kept for messages)."""
        if self._snapshot is None and self._snapshot_error is None:
            try:
                from evidencekit.ilostat.snapshot import Snapshot

                self._snapshot = Snapshot()
            except (SnapshotError, ImportError, OSError) as err:
                self._snapshot_error = err
        elif isinstance(self._snapshot, (str, bytes)) or hasattr(self._snapshot, "__fspath__"):
            from evidencekit.ilostat.snapshot import Snapshot

            try:
                self._snapshot = Snapshot(self._snapshot)
            except (SnapshotError, OSError) as err:
                self._snapshot, self._snapshot_error = None, err
        return self._snapshot

    def _snapshot_ids(self) -> set[str]:
        snap = self.snapshot()
        if snap is None:
            return set()
        return set(snap.datasets())

    # -- offline / network state ------------------------------------------------------------------
    def _is_offline(self, offline: bool | None) -> bool:
        return self.settings.offline if offline is None else bool(offline)

    def _remembered_failure(self) -> NetworkError | None:
        down = self.transport.recently_down()
        if down is None:
            return None
        if self._last_failure is not None and time.monotonic() - self._last_failure[0] < self.settings.down_for:
            return self._last_failure[1]
        age, why = down
        return NetworkError(
            f"Reaching ILOSTAT at {self.settings.base_url}",
            f"{why} ({age:.0f} s ago; not tried again yet)",
            f"it is tried again {self.settings.down_for:.0f} s after the failure; or set offline=True",
        )

    def _memo_get(self, key: tuple):
        hit = self._memo.get(key)
        if hit and time.monotonic() - hit[0] < self.settings.toc_max_age:
            return hit[1]
        return None

    # -- metadata: ToC, areas, dictionaries ---------------------------------------------------------
    def _meta(self, path: str, params: dict, offline: bool | None) -> tuple[bytes, dict] | None:
        """A catalogue/dictionary answer: live (or fresh cache), else the cached copy, else None."""
        if self._is_offline(offline) or self._remembered_failure() is not None:
            try:
                return self.transport.get_meta(path, params, cached_only=True)
            except NetworkError:
                return None
        try:
            return self.transport.get_meta(path, params)
        except NetworkError as err:
            self._failed(err)
            return None

    def toc(self, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
        """The indicator catalogue in the snapshot's ToC columns: live -> cached -> snapshot.

        ``df.attrs["provenance"]`` says which (``origin``, ``url``, ``retrieved_at``, ``stale``).
        """
        lang = _lang(lang)
        memo_key = ("toc", lang, self._is_offline(offline))
        hit = self._memo_get(memo_key)
        if hit is not None:
            return hit.copy()
        df = self._listing(TOC_PATH, lang, offline, "The ILOSTAT catalogue",
                           lambda records: normalise_toc(records, self._snapshot_ids()),
                           lambda snap: snap.toc().reindex(columns=TOC_COLUMNS).astype(
                               {c: "string" for c in ("subject", "database", "with_region")}))
        if df.attrs["provenance"]["origin"] != "snapshot" and not df.attrs["provenance"]["stale"]:
            self._memo[memo_key] = (time.monotonic(), df.copy())
        return df

    def search(self, text: str, limit: int = 20, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
        """Indicators whose label or id match ``text`` (case- and accent-insensitive, best first).

        From the offline snapshot, the datasets it holds (``offline`` true) come first: only they can be
        fetched without network. Offline, indicator labels exist in English only.

        >>> import evidencekit as ek
        >>> ek.ilostat.search("youth unemployment", limit=5)   # doctest: +SKIP
        """
        from evidencekit.ilostat.catalogue import search as rank

        if isinstance(text, (list, tuple)) and all(isinstance(w, str) for w in text):
            text = " ".join(text)
        if not isinstance(text, str):
            raise QueryError(f"The search text {text!r}", "is not words", "give words, e.g. 'youth unemployment'")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise QueryError(f"limit={limit!r}", "is not a number of results", "give a whole number such as 20, "
                             "or limit=None for all")
        toc = self.toc(lang, offline)
        prov = dict(toc.attrs.get("provenance", {}))
        if prov.get("origin") == "snapshot" and _lang(lang) != "en":
            warnings.warn(SourceWarning(
                f"The offline catalogue has indicator labels in English only (asked: {lang!r}); words in another "
                "language may find nothing: try English words (e.g. 'unemployment')"), stacklevel=2)
        out = rank(toc, text, None)
        if prov.get("origin") == "snapshot" and "offline" in out.columns:
            # without network only the snapshot's datasets can be fetched: they come first (stable, by relevance)
            held = out["offline"].fillna(False).astype(bool)
            out = pd.concat([out[held], out[~held]], ignore_index=True)
        if limit is not None:
            out = out.head(limit)
        out.attrs["provenance"] = prov
        return out

    def areas(self, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
        """Reference areas: code, name, ILO region and sub-region, income group; live -> cached -> snapshot."""
        lang = _lang(lang)
        return self._listing(AREAS_PATH, lang, offline, "The list of ILOSTAT areas", normalise_areas,
                             lambda snap: _areas_in(snap, lang))

    def _listing(self, path: str, lang: str, offline: bool | None, what: str, normalise, from_snapshot) -> pd.DataFrame:
        """A JSON ToC (indicators or areas): live or cached through requests-cache, else the snapshot's table."""
        got = self._meta(path, {"lang": lang, "format": ".json"}, offline)
        df = None
        if got is not None:
            body, info = got
            try:
                records = json.loads(parse_gzip(body, info["url"]).decode("utf-8-sig"))
                if not isinstance(records, list) or not records or not isinstance(records[0], dict):
                    raise ValueError(f"it starts with {body[:40].decode('utf-8', 'replace')!r}")
                df = normalise(records)
            except (ValueError, IlostatError) as err:  # a cut-off body, an error text: not the catalogue
                why = f"ILOSTAT's answer to {info['url']} is not {what[0].lower()}{what[1:]} ({getattr(err, 'why', err)})"
                self.transport.forget(info["url"])  # never keep it as the catalogue
                if not self._is_offline(offline):
                    self.transport.mark_down(why)
                    self._failed(NetworkError(f"Reaching ILOSTAT at {self.settings.base_url}", why, ""))
                df = None
        title = {TOC_PATH: "Table of contents (indicators)", AREAS_PATH: "Table of contents (reference areas)"}.get(
            path, what)
        if df is not None:
            stale = info["stale"] or (info["from_cache"] and self._remembered_failure() is not None)
            df.attrs["provenance"] = provenance("cache" if info["from_cache"] else "live", title, url=info["url"],
                                                retrieved_at=info["retrieved_at"], stale=bool(stale))
            return df
        snap = self.snapshot()
        if snap is None:
            raise self._nothing_offline(what, offline)
        df = from_snapshot(snap).copy()
        labels = df.attrs.pop("labels", None)
        df.attrs["provenance"] = provenance("snapshot", title, snapshot_id=_snapshot_id(snap),
                                            retrieved_at=(getattr(snap, "manifest", None) or {}).get("built_at"),
                                            stale=not self._is_offline(offline))
        if labels is not None:
            df.attrs["provenance"]["labels"] = labels
        return df

    def dictionary(self, var: str, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
        """ILOSTAT code list ``var`` (``sex``, ``classif1``, ``ref_area``, …): columns ``<var>``, ``<var>.label``.

        ``var`` is one of :data:`DICTIONARIES` (the ``var`` values of rplumber ``/metadata/dic/``).
        """
        lang = _lang(lang)
        name = str(var or "").strip().lower()
        if name not in DICTIONARIES:
            close = difflib.get_close_matches(name, DICTIONARIES, n=2, cutoff=0.5)
            raise QueryError(f"The dictionary {var!r}", "is not an ILOSTAT dictionary",
                             (f"did you mean {' or '.join(close)}? " if close else "")
                             + f"ILOSTAT publishes: {', '.join(DICTIONARIES)}")
        var = name
        memo_key = ("dic", var, lang, self._is_offline(offline))
        hit = self._memo_get(memo_key)
        if hit is not None:
            return hit
        got = self._meta(DIC_PATH, {"var": var, "lang": lang, "format": ".csv"}, offline)
        df = None
        if got is not None:
            try:
                df = parse_csv(got[0], got[1]["url"])
                df = df[[c for c in df.columns if "description" not in c]]
            except IlostatError:  # not a code list: the snapshot's copy answers (or the error below)
                self.transport.forget(got[1]["url"])
                df = None
        if df is None or df.empty or var not in df.columns:  # unreachable, or an empty/odd answer
            snap = self.snapshot()
            try:
                df = snap.dictionary(var, lang=lang) if snap is not None else None
            except EvidenceKitError:
                df = None
        if df is None or df.empty:
            if got is not None:
                raise IlostatError(f"The ILOSTAT {var} dictionary ({lang})", "ILOSTAT sent it empty and the offline "
                                   "snapshot does not have it", "check the dictionary name")
            raise self._nothing_offline(f"The ILOSTAT {var} dictionary ({lang})", offline)
        self._memo[memo_key] = (time.monotonic(), df)
        return df

    def _nothing_offline(self, what: str, offline: bool | None) -> IlostatError:
        why = "it is neither in the local cache nor in the offline snapshot"
        if self._snapshot_error is not None:
            why += f" (the snapshot could not be opened: {self._snapshot_error})"
        if self._is_offline(offline):
            return NotAvailableOfflineError(what, why + " and offline mode is on",
                                            "go online once (answers are then cached), or turn offline mode off")
        return NetworkError(what, f"ILOSTAT could not be reached and {why}", "check the connection and try again")

    # -- data -------------------------------------------------------------------------------------
    def get(self, id: str, ref_area: Codes = None, sex: Codes = None, classif1: Codes = None,
            classif2: Codes = None, source: Codes = None, start: object = None, end: object = None,
            labels: bool = False, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
        """One ILOSTAT dataset, filtered, in ILOSTAT's columns, with ``attrs["provenance"]``.

        ``start``/``end``: ``2015``, ``2022Q1`` or ``2022M01``; codes as strings or lists
        (``sex="T"`` means ``SEX_T``); ``labels=True`` adds ``<col>.label`` columns in ``lang``.

        >>> import evidencekit as ek
        >>> df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", offline=True)   # doctest: +SKIP
        """
        try:
            q = Query.build(id, ref_area=ref_area, sex=sex, classif1=classif1, classif2=classif2, source=source,
                            start=start, end=end, lang=lang, labels=labels)
        except QueryError as err:
            raise self._without_frequency(id, err, offline) from None
        if self._is_offline(offline):
            return self._from_local(q, reason=None)
        remembered = self._remembered_failure()
        if remembered is not None:
            return self._from_local(q, reason=remembered)
        try:
            toc = self.toc("en")
        except NetworkError as err:  # no live ToC, no cached ToC, no snapshot
            return self._from_local(q, reason=err)
        toc_prov = toc.attrs.get("provenance", {})
        remembered = self._remembered_failure()
        if remembered is not None or toc_prov.get("origin") == "snapshot":  # the catalogue could not be fetched
            return self._from_local(q, reason=remembered or NetworkError(
                f"Reaching ILOSTAT at {self.settings.base_url}", "its catalogue could not be downloaded", ""))
        row = _toc_row(toc, q.id)
        last_update = row.get("last_update") if row else None
        url = build_url(self.settings.base_url, DATA_PATH, q.params())
        key = self.cache.key(url)
        hit = self._cached_for(q, last_update) if last_update else None  # this request, or a wider one, unchanged
        if hit is not None:
            df, record = hit
            return self._finish(df, q, "cache", record, row, stale=bool(toc_prov.get("stale")))
        try:
            body, url = self.transport.get_data(DATA_PATH, q.params(), label=q.id)
        except UnknownIndicatorError as err:
            raise self._unknown(q.id, toc, err) from None
        except NetworkError as err:
            return self._from_local(q, reason=self._failed(err))
        try:
            df = read_data(body, url)
        except NetworkError as err:
            return self._from_local(q, reason=self._failed(err))
        if df.empty:
            self._diagnose_empty(q, row)
        record = {"dataset": q.id, "url": url, "last_update": last_update, "retrieved_at": now_utc(),
                  "query": _query_record(q), "label": row.get("label") if row else None}
        try:
            record = self.cache.put(key, df, record)
        except OSError as err:  # a cache that cannot be written must not cost the answer
            warnings.warn(CacheWarning(f"{q.id} could not be saved in the cache folder "
                                       f"{self.settings.cache_dir} ({err}); it will be downloaded again next time"),
                          stacklevel=2)
        return self._finish(df, q, "live", record, row, stale=False)

    def _without_frequency(self, id: object, err: QueryError, offline: bool | None) -> QueryError:
        """``err``, or for an indicator code without ``_A/_Q/_M`` the datasets of it that the catalogue lists."""
        code = str(id).strip().upper() if isinstance(id, str) else ""
        if not code or "frequency suffix" not in err.why:
            return err
        try:
            toc = self.toc("en", offline)
        except EvidenceKitError:
            return err
        rows = toc[(toc["indicator"].astype("string").str.upper() == code) & toc["id"].notna()]
        if rows.empty:
            return err
        offline_ids = set(rows.loc[rows["offline"].fillna(False).astype(bool), "id"]) if \
            toc.attrs.get("provenance", {}).get("origin") == "snapshot" else set()
        named = [f"{i} ({_FREQ_NAMES.get(str(i)[-1], str(i)[-1])}{'; available offline' if i in offline_ids else ''})"
                 for i in sorted(rows["id"].astype(str), key=lambda i: "AQM".find(i[-1]))]
        return QueryError(err.what, err.why, f"use {' or '.join(named)}")

    def _finish(self, df: pd.DataFrame, q: Query, origin: str, record: dict, row: dict | None,
                stale: bool) -> pd.DataFrame:
        where = {"cache": "the local cache", "live": "ILOSTAT's answer"}.get(origin, "")
        out = filter_frame(df, q, where)
        warn_missing_codes(out, q, where)
        labels = None
        if q.labels:
            out, labels = self._labels(out, q.lang)
        out = out.reset_index(drop=True)
        last_update = record.get("last_update")
        label = row.get("label") if row else None
        prov = provenance(origin, q.id, url=record.get("url"), retrieved_at=record.get("retrieved_at"),
                          vintage=last_update[:10] if last_update else None,
                          label=label if isinstance(label, str) else None, stale=stale)
        prov["last_update"] = last_update
        prov["query"] = _query_record(q)
        if labels is not None:
            prov["labels"] = labels
        return attach(out, prov)

    def _labels(self, df: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict]:
        """``<col>.label`` columns in ``lang``, and ``{"lang", "fallback_to_en"}`` for the provenance.

        ILOSTAT's own dictionaries are in ``lang``; the offline snapshot's have English labels where it has no
        translation (its ``label_lang`` column): those are counted per column and said in a warning, as
        :meth:`Snapshot.get <evidencekit.ilostat.snapshot.Snapshot.get>` does.
        """
        from evidencekit.ilostat.labels import add_labels, english_fallback

        used: dict[str, pd.DataFrame] = {}

        def dictionary(var: str) -> pd.DataFrame:
            try:
                used[var] = self.dictionary(var, lang)
            except EvidenceKitError as err:  # one missing code list must not cost the data: codes stay codes
                warnings.warn(SourceWarning(f"{var} is not labelled: {err}"), stacklevel=4)
                used[var] = pd.DataFrame()
            return used[var]

        out = add_labels(df, dictionary)
        in_lang = {var: set(dic.loc[dic["label_lang"] == lang, var]) for var, dic in used.items()
                   if lang != "en" and "label_lang" in dic.columns}
        return out, {"lang": lang, "fallback_to_en": english_fallback(out, in_lang, lang, stacklevel=4)}

    def _from_local(self, q: Query, reason: NetworkError | None) -> pd.DataFrame:
        """Answer from the cache, else the snapshot; ``reason`` is the live failure (None: offline mode)."""
        offline_mode = reason is None
        found = self._cached_for(q)
        if found is not None:
            df, record = found
            toc_last = self._cached_last_update(q.id)
            stale = True if not offline_mode else bool(toc_last and record.get("last_update") != toc_last)
            if reason is not None:
                warnings.warn(SourceWarning(
                    f"{reason.why}; {q.id} comes from the local cache (retrieved {record.get('retrieved_at', '?')[:10]})"
                ), stacklevel=3)
            row = {"label": record.get("label")} if record.get("label") else None
            return self._finish(df, q, "cache", record, row, stale=stale)
        snap = self.snapshot()
        if snap is not None and snap.has(q.id):
            if reason is not None:
                vintage = (snap.manifest.get("datasets", {}).get(q.id) or {}).get("vintage", "?")
                warnings.warn(SourceWarning(f"{reason.why}; {q.id} comes from the offline snapshot "
                                            f"(release {vintage})"), stacklevel=3)
            df = snap.get(q)
            warn_missing_codes(df, q, "the offline snapshot")
            prov = dict(df.attrs.get("provenance") or {})
            prov["stale"] = reason is not None
            prov.setdefault("origin", "snapshot")
            prov["query"] = _query_record(q)
            return attach(df, prov)
        near = self._offline_suggestions(q.id)
        hint = (f"datasets that work offline and look alike: {', '.join(near)}; " if near else "") + \
            "`evidencekit search WORDS` marks the ones available offline"
        held = self._cached_requests(q.id)
        where = (f"the local cache holds {q.id} for {'; '.join(held)} only (not all of this request), and it is "
                 "not in the offline snapshot") if held else f"{q.id} is neither in the local cache nor in the offline snapshot"
        if held:
            hint = "ask within what the cache holds; " + hint
        if offline_mode:
            raise NotAvailableOfflineError(
                f"Getting {q.id} offline", where
                + (f" (the snapshot could not be opened: {self._snapshot_error})" if self._snapshot_error else ""),
                f"go online once (the answer is then cached); {hint}",
            )
        raise type(reason)(reason.what, f"{reason.why}; and {where}", f"try again when ILOSTAT can be reached; {hint}")

    def _cached_requests(self, dataset: str, n: int = 3) -> list[str]:
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

    def _offline_suggestions(self, dataset: str) -> list[str]:
        snap = self.snapshot()
        if snap is None:
            return []
        try:
            toc = snap.toc()
            return suggest(dataset, toc[toc["offline"].fillna(False).astype(bool)], 3)
        except Exception:  # suggestions are a courtesy: never let them hide the real message
            return []

    def _cached_for(self, q: Query, last_update: str | None = None) -> tuple[pd.DataFrame, dict] | None:
        """The exact cached request, else a cached request of the same dataset that covers this one
        (with ``last_update``: only a copy of that ILOSTAT release)."""
        url = build_url(self.settings.base_url, DATA_PATH, q.params())
        hit = self.cache.get(self.cache.key(url))
        if hit is not None and (last_update is None or hit[1].get("last_update") == last_update):
            return hit
        want = _query_record(q)
        for rec in self.cache.records():
            if rec.get("dataset") != q.id or not _covers(rec.get("query") or {}, want):
                continue
            if last_update is not None and rec.get("last_update") != last_update:
                continue
            hit = self.cache.get(rec["key"])
            if hit is not None:
                return hit
        return None

    def _cached_last_update(self, dataset: str) -> str | None:
        try:
            body, _ = self.transport.get_meta(TOC_PATH, {"lang": "en", "format": ".json"}, cached_only=True)
            for r in json.loads(body.decode("utf-8-sig")):
                if r.get("id") == dataset:
                    return iso_last_update(r.get("last.update"))
        except (EvidenceKitError, ValueError):
            pass
        return None

    def _unknown(self, dataset: str, toc: pd.DataFrame, err: Exception) -> UnknownIndicatorError:
        names = suggest(dataset, toc)
        fix = (f"did you mean {', '.join(names)}? " if names else "") + "`evidencekit search WORDS` lists indicators"
        return UnknownIndicatorError(f"The indicator id {dataset!r}",
                                     f"is not in the ILOSTAT catalogue ({getattr(err, 'why', err)})", fix)

    def _diagnose_empty(self, q: Query, row: dict | None) -> None:
        """ILOSTAT answered with a header only: find the filter to blame and raise :class:`NoMatchError`."""
        for name, codes in q.filters().items():
            try:
                dic = self.dictionary(name, "en")
            except EvidenceKitError:
                continue
            known = set(dic.iloc[:, 0].astype(str).str.upper())
            bad = [c for c in codes if c not in known]
            if bad:
                hints = list(dict.fromkeys(h for b in bad for h in closest_codes(b, dic, 5)))
                where = " (evidencekit areas lists them)" if name == "ref_area" else ""
                raise NoMatchError(
                    f"The filter {name}={'+'.join(codes)} on {q.id}",
                    f"{', '.join(bad)} {'is not an ILOSTAT code' if len(bad) == 1 else 'are not ILOSTAT codes'} "
                    f"for {name}",
                    f"use codes that exist, such as {', '.join(hints)}" if hints else
                    f"none of the {len(known)} {name} codes ILOSTAT knows is close: pick one of them{where}",
                )
        if row:
            aggregates = [c for c in q.ref_area if c.startswith("X") and len(c) == 3]
            if aggregates and str(row.get("with_region") or "") != "Y":
                raise NoMatchError(
                    f"The filter ref_area={'+'.join(q.ref_area)} on {q.id}",
                    f"{', '.join(aggregates)} {'is a regional aggregate' if len(aggregates) == 1 else 'are regional aggregates'}"
                    " and this dataset has none", "choose countries (evidencekit areas lists the codes)")
            first, last = _year(row.get("data_start")), _year(row.get("data_end"))
            if first is not None and last is not None:
                if (q.start and period_start(q.start).year > last) or (q.end and period_start(q.end).year < first):
                    raise NoMatchError(f"The period {q.start or '…'} to {q.end or '…'} on {q.id}",
                                       f"this dataset covers {first} to {last} only",
                                       "choose periods in that range")
        asked = ", ".join(f"{k}={'+'.join(v)}" for k, v in q.filters().items())
        if q.start or q.end:
            asked += f"{', ' if asked else ''}period {q.start or '…'} to {q.end or '…'}"
        span = f" ({q.id} covers {row['data_start']} to {row['data_end']})" if row and pd.notna(row.get("data_start")) else ""
        raise NoMatchError(
            f"The request {q.id} with {asked or 'no filters'}",
            "every code exists in ILOSTAT, but this combination has no data",
            f"drop or change one filter at a time, or widen the period{span}",
        )

    # -- cache ------------------------------------------------------------------------------------
    def clear_cache(self) -> int:
        """Delete this client's cached ILOSTAT files (data, catalogue, dictionaries); return how many."""
        self.transport.close()
        self._memo.clear()
        return cache_mod.clear(self.settings.cache_dir)


# -- helpers ---------------------------------------------------------------------------------------
def _snapshot_id(snap) -> str | None:
    return getattr(snap, "snapshot_id", None)


def _areas_in(snap, lang: str) -> pd.DataFrame:
    """The snapshot's areas with names in ``lang`` where its ``ref_area`` dictionary has them (the region and
    income-group columns are area codes too); the names left in English are counted, said and recorded."""
    df = snap.areas()
    if lang == "en":
        return df
    dic = snap.dictionary("ref_area", lang)
    names = dic[dic["label_lang"] == lang].drop_duplicates("ref_area").set_index("ref_area")["ref_area.label"]
    fallback = {}
    for code, label in (("ref_area", "ref_area.label"), ("ilo_region", "ilo_region.label"),
                        ("income_group", "income_group.label")):
        translated = df[code].map(names)
        n_en = int((df[code].notna() & translated.isna()).sum())
        df[label] = translated.fillna(df[label]).astype(df[label].dtype)
        if n_en:
            fallback[label] = f"{n_en} of {int(df[code].notna().sum())} names in English"
    if fallback:
        warnings.warn(UserWarning(f"The offline snapshot has no {lang!r} names for some areas; they are in English: "
                                  + "; ".join(f"{k}: {v}" for k, v in fallback.items())), stacklevel=5)
    df.attrs["labels"] = {"lang": lang, "fallback_to_en": fallback}
    return df


def _lang(lang: str) -> str:
    """``en``/``fr``/``es`` or :class:`QueryError` (the same rule as :meth:`Query.build`)."""
    text = str(lang or "").strip().lower()
    if text not in LANGS:
        raise QueryError(f"The language {lang!r}", "is not offered by ILOSTAT", "use 'en', 'fr' or 'es'")
    return text


def _year(value: object) -> int | None:
    text = str(value or "")[:4]
    return int(text) if text.isdigit() else None


def _toc_row(toc: pd.DataFrame, dataset: str) -> dict | None:
    rows = toc[toc["id"].astype(str).str.upper() == dataset]
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    return {k: (None if (not isinstance(v, (list, tuple)) and pd.isna(v)) else v) for k, v in row.items()}


def _query_record(q: Query) -> dict:
    rec: dict = {name: list(getattr(q, name)) for name in FILTERS}
    rec.update(start=q.start, end=q.end)
    return rec


def _covers(have: dict, want: dict) -> bool:
    """True when a cached request ``have`` holds every row of request ``want`` (same dataset)."""
    for name in FILTERS:
        h, w = have.get(name) or [], want.get(name) or []
        if h and (not w or not set(w) <= set(h)):
            return False
    if have.get("start") and (not want.get("start") or period_start(want["start"]) < period_start(have["start"])):
        return False
    if have.get("end") and (not want.get("end") or period_after(want["end"]) > period_after(have["end"])):
        return False
    return True
