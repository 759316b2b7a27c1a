"""The ILOSTAT client: live rplumber API -> local cache -> offline snapshot, and the answer says which.

Fallback order (``docs/ilostat.md``, "Where answers come from"; the three sources are in
:mod:`evidencekit.ilostat.sources`):

1. **live** — the rplumber API. The catalogue (ToC) is fetched at most once a day (requests-cache);
   a data answer already in the cache is reused while the ToC's ``last.update`` for the dataset is the
   one stored with it (``origin="cache"``), otherwise it is downloaded again (``origin="live"``). A
   downloaded answer is checked against its dataset id and the request before it is used or kept
   (:mod:`evidencekit.ilostat.validate`).
2. **cache** — when ILOSTAT cannot be reached (no network, 5xx after retries, Cloudflare challenge, no
   complete answer within the deadline) or its answer was cut or changed, the cached copy answers, labelled
   ``origin="cache"`` and ``stale=True``.
3. **snapshot** — the embedded offline snapshot, labelled ``origin="snapshot"`` (``stale=True`` when it
   answers because the live request failed).

``offline=True`` (or ``EVIDENCEKIT_OFFLINE=1``) skips step 1 entirely: no connection is ever opened.
After a failed live attempt the client goes straight to steps 2–3 for ``down_for`` seconds (2 minutes),
so a trainer without network is not kept waiting.

A header-only answer (ILOSTAT's way of saying "no rows") never becomes an empty frame: each filter code
is checked against the dictionaries and the catalogue and :class:`NoMatchError` says which filter is to
blame and which codes exist — or that every code is valid but the combination has no data.

``ref_area`` also takes named groups (``"ASEAN"``, ``"ASEAN10"``) and area names (``"South-Eastern Asia"``);
see :mod:`evidencekit.ilostat.groups`.

>>> import tempfile
>>> client = Client(cache_dir=tempfile.mkdtemp(), offline=True)
>>> client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", start="20x5")
Traceback (most recent call last):
...
evidencekit.ilostat.errors.QueryError: The start period '20x5': is not an ILOSTAT period. What to do: write a year (2015), a quarter (2022Q1) or a month (2022M01).
>>> df = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="ASEAN", sex="T", classif1="AGE_YTHADULT_YGE15")
>>> sorted(set(df["ref_area"])), df.attrs["provenance"]["query"]["groups"]["ASEAN"]["membership"]
(['BRN', 'IDN', 'KHM', 'LAO', 'MMR', 'MYS', 'PHL', 'SGP', 'THA', 'TLS', 'VNM'], 'ASEAN-11: the ten members and Timor-Leste, admitted in October 2025')
"""
from __future__ import annotations

import difflib
import json
import time
import warnings
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from evidencekit.errors import EvidenceKitError
from evidencekit.ilostat import cache as cache_mod
from evidencekit.ilostat import groups as groups_mod
from evidencekit.ilostat.cache import DataCache
from evidencekit.ilostat.catalogue import closest_codes, suggest
from evidencekit.ilostat.errors import (
    IlostatError, NetworkError, NoMatchError, NotAvailableOfflineError, QueryError, UnknownIndicatorError,
)
from evidencekit.ilostat.formats import (
    DICTIONARIES, TOC_COLUMNS, FormatError, areas_from_records, iso_last_update, read_csv,
    read_records, toc_from_records,
)
from evidencekit.ilostat.http import Transport
from evidencekit.ilostat.query import LANGS, Query, period_start
from evidencekit.ilostat.settings import Settings
from evidencekit.ilostat.sources import DATA_PATH, Answer, Cached, Live, NoDataWarning, Offline, Request, finish
from evidencekit.ilostat.tidy import provenance

__all__ = ["Client", "Codes", "LiveCheck", "SourceWarning", "NoDataWarning", "TOC_COLUMNS", "DATA_PATH"]

TOC_PATH = "/metadata/toc/indicator/"
AREAS_PATH = "/metadata/toc/ref_area/"
DIC_PATH = "/metadata/dic/"
Codes = str | Iterable[str] | None
_FREQ_NAMES = {"A": "annual", "Q": "quarterly", "M": "monthly"}


class SourceWarning(UserWarning):
    """The answer did not come from live ILOSTAT (and why): a stale cache copy or the offline snapshot."""


@dataclass(frozen=True)
class LiveCheck:
    """Whether live ILOSTAT answered a small request just now (:meth:`Client.check_live`): ``tried`` (False
    when the client is offline), ``ok``, ``seconds`` it took, the ``url`` asked and ``message`` in words."""

    tried: bool
    ok: bool
    seconds: float
    url: str
    message: str


class Client:
    """ILOSTAT client with the three verbs (``search``, ``get``, ``areas``), the named groups and the cache.

    Settings: arguments first, then ``EVIDENCEKIT_OFFLINE``, ``EVIDENCEKIT_ILOSTAT_URL``,
    ``EVIDENCEKIT_CACHE_DIR``, ``EVIDENCEKIT_ILOSTAT_DEADLINE`` (see :mod:`evidencekit.ilostat.settings`).
    ``snapshot`` is a :class:`~evidencekit.ilostat.snapshot.Snapshot` or its folder (default: the embedded
    one, opened when first needed).

    >>> import tempfile
    >>> c = Client(base_url="https://example.org/", cache_dir=tempfile.mkdtemp(), offline=True, timeout=(2, 30),
    ...            deadline=8)
    >>> c.settings.base_url, c.settings.offline, c.settings.connect_timeout, c.settings.deadline
    ('https://example.org', True, 2.0, 8.0)
    """

    def __init__(self, base_url: str | None = None, cache_dir=None, offline: bool | None = None,
                 timeout: float | tuple[float, float] | None = None, progress: bool | None = None,
                 snapshot=None, **settings) -> None:
        self.settings = Settings.resolve(base_url, cache_dir, offline, timeout, progress=progress, **settings)
        self.transport = Transport(self.settings)
        self.cache = DataCache(self.settings.cache_dir)
        self.cached = Cached(self.cache)
        self.live = Live(self.transport, self.cached)
        self.offline_source = Offline(snapshot)
        self._memo: dict[tuple, tuple[float, object]] = {}
        self._last_failure: tuple[float, NetworkError] | None = None

    def __repr__(self) -> str:
        s = self.settings
        return f"Client(base_url={s.base_url!r}, cache_dir={str(s.cache_dir)!r}, offline={s.offline})"

    def snapshot(self):
        """The offline snapshot, or None when it is missing or damaged (the reason is kept for messages)."""
        return self.offline_source.snapshot()

    @property
    def _snapshot_error(self) -> Exception | None:
        return self.offline_source.error

    # -- offline / network state ------------------------------------------------------------------
    def _is_offline(self, offline: bool | None) -> bool:
        return self.settings.offline if offline is None else bool(offline)

    def _failed(self, err: NetworkError) -> NetworkError:
        self._last_failure = (time.monotonic(), err)
        return err

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
            f"it is tried again {self.settings.down_for:.0f} s after the failure; or work offline (offline=True)",
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
        """The indicator catalogue in :data:`~evidencekit.ilostat.formats.TOC_COLUMNS`: live -> cached -> snapshot.

        ``df.attrs["provenance"]`` says which (``origin``, ``url``, ``retrieved_at``, ``stale``).
        """
        lang = _lang(lang)
        memo_key = ("toc", lang, self._is_offline(offline))
        hit = self._memo_get(memo_key)
        if hit is not None:
            return hit.copy()
        df = self._listing(TOC_PATH, lang, offline, "The ILOSTAT catalogue",
                           lambda records: toc_from_records(records, self.offline_source.ids()),
                           lambda snap: snap.toc())
        if df.attrs["provenance"]["origin"] != "snapshot" and not df.attrs["provenance"]["stale"]:
            self._memo[memo_key] = (time.monotonic(), df.copy())
        return df

    def search(self, text: str, limit: int = 20, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
        """Indicators whose label or id match ``text``, best first (``docs/ilostat.md``, "Search").

        Case, accents and word endings do not matter, and the words participants use work: acronyms
        (``NEET``, ``LFPR``), everyday words (``wages``, ``productivity``, ``union``), SDG numbers (``8.5.2``).
        Datasets the offline snapshot holds are ranked higher and marked (``offline`` true); without network
        they come first, as only they can be fetched. Every row's ``id`` is the full dataset id ``get`` takes:
        where the offline catalogue knows an indicator only by its code, the annual id (``<code>_A``) is shown,
        with ``freq`` left empty (ILOSTAT may publish it quarterly or monthly only). Offline, labels exist in
        English only.

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
        no_id = out["id"].isna() & out["indicator"].notna()
        out["id"] = out["id"].astype("string").mask(no_id, out["indicator"].astype("string") + "_A")
        if limit is not None:
            out = out.head(limit)
        out.attrs["provenance"] = prov
        return out

    def areas(self, lang: str = "en", offline: bool | None = None, group: str | None = None) -> pd.DataFrame:
        """Reference areas: code, name, ILO region and sub-regions, income group; live -> cached -> snapshot.

        ``group``: only the members of a named group (``"ASEAN"``, ``"ASEAN10"``) or of an ILOSTAT aggregate
        (code or name: ``"X40"``, ``"Asia and the Pacific"``), from the region columns; the provenance
        records the group (``query["groups"]``).
        """
        lang = _lang(lang)
        df = self._listing(AREAS_PATH, lang, offline, "The list of ILOSTAT areas", areas_from_records,
                           lambda snap: _areas_in(snap, lang))
        if group is None:
            return df
        return self._members_of(df, group)

    def _members_of(self, df: pd.DataFrame, group: str) -> pd.DataFrame:
        prov = dict(df.attrs.get("provenance") or {})
        named = groups_mod.group_of(group)
        if named is not None:
            codes, record = list(named.members), named.record()
        else:
            resolved, _ = groups_mod.resolve([group], df)
            code = resolved[0].upper() if resolved else str(group)
            if code not in set(df["ref_area"].astype(str)):
                near = difflib.get_close_matches(str(group).upper(), list(groups_mod.GROUPS), n=1, cutoff=0.75)
                near = [f"{g} (named group)" for g in near] + closest_codes(str(group), df[["ref_area", "ref_area.label"]], 3)
                raise NoMatchError(f"The group {group!r}", "is neither a named group (ASEAN, ASEAN10) nor an area",
                                   (f"did you mean {' or '.join(near)}? " if near else "")
                                   + "evidencekit areas --groups lists the groups")
            codes = groups_mod.members(code, df)
            if codes is None:
                raise NoMatchError(
                    f"The members of {code} ({df.loc[df['ref_area'] == code, 'ref_area.label'].iloc[0]})",
                    "this areas table does not list them (no region column names them"
                    + ("; offline, sub-regions are not known" if prov.get("origin") == "snapshot" else "") + ")",
                    "ask online, where ILOSTAT's areas list gives sub-regions; ILOSTAT's aggregate figure itself "
                    f"is ref_area={code}")
            record = {"kind": "ILOSTAT aggregate", "code": code, "members": codes,
                      "note": f"{code} is ILOSTAT's own aggregate (one figure computed by the ILO), not its "
                              "members' rows; members from the areas table's region columns"}
        out = df[df["ref_area"].isin(codes)].reset_index(drop=True)
        prov["query"] = {"group": group, "groups": {named.code if named else group: record}}
        out.attrs["provenance"] = prov
        return out

    def groups(self, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
        """Named groups (ASEAN, ASEAN10) and ILOSTAT's aggregates with their members, one row each:
        ``group, name, kind, n_members, members, note`` (see :func:`evidencekit.ilostat.groups.table`)."""
        df = self.areas(lang=lang, offline=offline)
        out = groups_mod.table(df)
        out.attrs["provenance"] = dict(df.attrs.get("provenance") or {})
        return out

    def _listing(self, path: str, lang: str, offline: bool | None, what: str, normalise, from_snapshot) -> pd.DataFrame:
        """A JSON ToC (indicators or areas): live or cached through requests-cache, else the snapshot's table."""
        got = self._meta(path, {"lang": lang, "format": ".json"}, offline)
        df = None
        if got is not None:
            body, info = got
            try:
                df = normalise(read_records(body, info["url"], f"{what[0].lower()}{what[1:]}"))
            except (FormatError, IlostatError, ValueError) as err:  # a cut-off body, an error text: not the catalogue
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
        df.attrs["provenance"] = provenance("snapshot", title, snapshot_id=snap.snapshot_id,
                                            retrieved_at=(getattr(snap, "manifest", None) or {}).get("built_at"),
                                            stale=not self._is_offline(offline), labels=labels)
        return df

    def dictionary(self, var: str, lang: str = "en", offline: bool | None = None) -> pd.DataFrame:
        """ILOSTAT code list ``var`` (``sex``, ``classif1``, ``ref_area``, …): columns ``<var>``, ``<var>.label``.

        ``var`` is one of :data:`~evidencekit.ilostat.formats.DICTIONARIES` (the ``var`` values of rplumber
        ``/metadata/dic/``).
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
                df = read_csv(got[0], got[1]["url"])
                df = df[[c for c in df.columns if "description" not in c]]
            except FormatError:  # not a code list: the snapshot's copy answers (or the error below)
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
        (``sex="T"`` means ``SEX_T``); ``ref_area`` also takes named groups (``"ASEAN"``: the member states)
        and area names (``"South-Eastern Asia"`` -> ``X54``); ``labels=True`` adds ``<col>.label`` columns
        in ``lang``.

        >>> import evidencekit as ek
        >>> df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", offline=True)   # doctest: +SKIP
        """
        req = self._request(id, ref_area, sex, classif1, classif2, source, start, end, labels, lang, offline)
        return self._answer(req, offline).frame

    def _request(self, id, ref_area, sex, classif1, classif2, source, start, end, labels, lang, offline) -> Request:
        """The checked request (named groups and area names resolved first), with its one URL."""
        def areas() -> pd.DataFrame | None:
            snap = self.snapshot()
            try:
                return snap.areas() if snap is not None else self.areas(offline=offline)
            except EvidenceKitError:
                return None

        codes, used = groups_mod.resolve(ref_area, areas) if ref_area is not None else (None, {})
        try:
            q = Query.build(id, ref_area=codes, sex=sex, classif1=classif1, classif2=classif2, source=source,
                            start=start, end=end, lang=lang, labels=labels, groups=used)
        except QueryError as err:
            raise self._without_frequency(id, err, offline) from None
        return Request.of(q, self.settings.base_url)

    def _answer(self, req: Request, offline: bool | None) -> Answer:
        q = req.query
        if self._is_offline(offline):
            return self._from_local(req, reason=None)
        remembered = self._remembered_failure()
        if remembered is not None:
            return self._from_local(req, reason=remembered)
        try:
            toc = self.toc("en")
        except NetworkError as err:  # no live ToC, no cached ToC, no snapshot
            return self._from_local(req, reason=err)
        toc_prov = toc.attrs.get("provenance", {})
        remembered = self._remembered_failure()
        if remembered is not None or toc_prov.get("origin") == "snapshot":  # the catalogue could not be fetched
            return self._from_local(req, reason=remembered or NetworkError(
                f"Reaching ILOSTAT at {self.settings.base_url}", "its catalogue could not be downloaded", ""))
        row = _toc_row(toc, q.id)
        last_update = row.get("last_update") if row else None
        label = row.get("label") if row and isinstance(row.get("label"), str) else None
        hit = self.cached.find(req, last_update) if last_update else None  # this request, or a wider one, unchanged
        if hit is not None:
            return finish(hit[0], q, "cache", hit[1], bool(toc_prov.get("stale")), self._labels)
        try:
            df, record = self.live.fetch(req, last_update, label)
        except UnknownIndicatorError as err:
            raise self._unknown(q.id, toc, err) from None
        except NetworkError as err:  # unreachable, too slow, not data, cut or changed
            return self._from_local(req, reason=self._failed(err))
        if df.empty:
            self._diagnose_empty(q, row)
        return finish(df, q, "live", record, False, self._labels)

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
                warnings.warn(SourceWarning(f"{var} is not labelled: {err}"), stacklevel=5)
                used[var] = pd.DataFrame()
            return used[var]

        out = add_labels(df, dictionary)
        in_lang = {var: set(dic.loc[dic["label_lang"] == lang, var]) for var, dic in used.items()
                   if lang != "en" and "label_lang" in dic.columns}
        return out, {"lang": lang, "fallback_to_en": english_fallback(out, in_lang, lang, stacklevel=5)}

    def _from_local(self, req: Request, reason: NetworkError | None) -> Answer:
        """Answer from the cache, else the snapshot; ``reason`` is the live failure (None: offline mode)."""
        q = req.query
        offline_mode = reason is None
        found = self.cached.find(req)
        if found is not None:
            df, record = found
            toc_last = self._cached_last_update(q.id)
            stale = True if not offline_mode else bool(toc_last and record.get("last_update") != toc_last)
            if reason is not None:
                warnings.warn(SourceWarning(
                    f"{reason.why}; {q.id} comes from the local cache (retrieved {record.get('retrieved_at', '?')[:10]})"
                ), stacklevel=4)
            return finish(df, q, "cache", record, stale, self._labels)
        snap = self.snapshot()
        if snap is not None and snap.has(q.id) and reason is not None:
            vintage = (snap.manifest.get("datasets", {}).get(q.id) or {}).get("vintage", "?")
            warnings.warn(SourceWarning(f"{reason.why}; {q.id} comes from the offline snapshot "
                                        f"(release {vintage})"), stacklevel=4)
        answer = self.offline_source.find(req, stale=reason is not None)
        if answer is not None:
            return answer
        near = self._offline_suggestions(q.id)
        hint = (f"datasets that work offline and look alike: {', '.join(near)}; " if near else "") + \
            "`evidencekit search WORDS` marks the ones available offline"
        held = self.cached.held(q.id)
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

    def _offline_suggestions(self, dataset: str) -> list[str]:
        snap = self.snapshot()
        if snap is None:
            return []
        try:
            toc = snap.toc()
            return suggest(dataset, toc[toc["offline"].fillna(False).astype(bool)], 3)
        except Exception:  # suggestions are a courtesy: never let them hide the real message
            return []

    def _cached_last_update(self, dataset: str) -> str | None:
        """The ``last.update`` the cached catalogue gives for ``dataset`` (read once, then kept in memory)."""
        memo = self._memo_get(("last_update",))
        if memo is None:
            memo = {}
            try:
                body, _ = self.transport.get_meta(TOC_PATH, {"lang": "en", "format": ".json"}, cached_only=True)
                memo = {r.get("id"): iso_last_update(r.get("last.update")) for r in json.loads(body.decode("utf-8-sig"))
                        if isinstance(r, dict)}
            except (EvidenceKitError, ValueError, AttributeError):
                pass
            self._memo[("last_update",)] = (time.monotonic(), memo)
        return memo.get(dataset)

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
                    f"did you mean {' or '.join(hints)}?" if hints else
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

    # -- is ILOSTAT there? -------------------------------------------------------------------------
    def check_live(self, deadline: float | None = None) -> LiveCheck:
        """Whether live ILOSTAT answers now: one small request (the ``sex`` code list, never cached) within
        ``deadline`` seconds (default 5, never more than the client's own deadline). Never raises for a
        network problem and never waits longer; an offline client is not tried. A failure is remembered as
        any live failure is, so the next requests go straight to the cache and the snapshot for a while
        (``down_for``) instead of each waiting for the network — what a trainer wants before a live demo.

        >>> import tempfile
        >>> c = Client(cache_dir=tempfile.mkdtemp(), offline=True).check_live()
        >>> c.tried, c.ok, c.message
        (False, False, 'Not tried: the workbench is offline (EVIDENCEKIT_OFFLINE=1); the embedded snapshot answers.')
        """
        limit = min(float(deadline) if deadline else 5.0, self.settings.deadline)
        url = f"{self.settings.base_url}{DIC_PATH}?var=sex&lang=en&format=.csv"
        if self.settings.offline:
            return LiveCheck(False, False, 0.0, url, "Not tried: the workbench is offline (EVIDENCEKIT_OFFLINE=1); "
                             "the embedded snapshot answers.")
        start = time.monotonic()
        try:
            body = self.transport.probe(url, limit)
            df = read_csv(body, url)
            if "sex" not in df.columns or df.empty:
                raise FormatError(f"Reading {url}", "the answer is not ILOSTAT's list of sex codes", "")
        except EvidenceKitError as err:
            took = time.monotonic() - start
            why = err.why if getattr(err, "why", "") else str(err)
            return LiveCheck(True, False, round(took, 2), url, f"ILOSTAT did not answer: {why}.")
        took = time.monotonic() - start
        return LiveCheck(True, True, round(took, 2), url, f"ILOSTAT answered in {took:.1f} s ({self.settings.base_url}).")

    # -- cache ------------------------------------------------------------------------------------
    def clear_cache(self) -> int:
        """Delete this client's cached ILOSTAT files (data, catalogue, dictionaries); return how many."""
        self.transport.close()
        self._memo.clear()
        return cache_mod.clear(self.settings.cache_dir)


# -- helpers ---------------------------------------------------------------------------------------
def _areas_in(snap, lang: str) -> pd.DataFrame:
    """The snapshot's areas with names in ``lang`` where its ``ref_area`` dictionary has them (the region and
    income-group columns are area codes too); the names left in English are counted, said and recorded."""
    df = snap.areas()
    if lang == "en":
        return df
    dic = snap.dictionary("ref_area", lang)
    names = dic[dic["label_lang"] == lang].drop_duplicates("ref_area").set_index("ref_area")["ref_area.label"]
    fallback = {}
    for code in ("ref_area", "ilo_region", "ilo_subregion_broad", "ilo_subregion_detailed", "income_group"):
        label = f"{code}.label"
        translated = df[code].map(names)
        n_en = int((df[code].notna() & translated.isna()).sum())
        df[label] = translated.fillna(df[label]).astype(df[label].dtype)
        if n_en:
            fallback[label] = f"{n_en} of {int(df[code].notna().sum())} names in English"
    if fallback:
        warnings.warn(UserWarning(f"The offline snapshot has no {lang!r} names for some areas; they are in English: "
                                  + "; ".join(f"{k}: {v}" for k, v in fallback.items())), stacklevel=6)
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
