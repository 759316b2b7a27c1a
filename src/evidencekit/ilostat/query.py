"""Canonical ILOSTAT requests: periods, filters and their validation (``docs/ilostat.md``, "The verbs").

One :class:`Query` describes a data request whatever answers it (live API, cache or snapshot):
codes are upper-cased, lists are sorted tuples, periods are checked. :func:`filter_frame` applies
the same request to a frame already in memory and says which filter matched nothing.

ILOSTAT writes periods as ``2022`` (annual), ``2022Q1`` (quarterly) and ``2022M01`` (monthly);
the sortable ``period`` column is the period's first day (Q2 -> April 1st), as Rilostat does.

>>> q = Query.build("sdg_0852_sex_age_rt_a", ref_area=["phl", "IDN"], sex="T", start=2015, end="2024")
>>> q.ref_area, q.sex, q.start, q.end
(('IDN', 'PHL'), ('SEX_T',), '2015', '2024')
>>> q.params()["ref_area"], q.params()["timefrom"]
('IDN+PHL', '2015')
>>> period_start("2022Q2"), period_start("2022M11"), period_start("2022")
(Timestamp('2022-04-01 00:00:00'), Timestamp('2022-11-01 00:00:00'), Timestamp('2022-01-01 00:00:00'))
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from evidencekit.ilostat.errors import NoMatchError, QueryError

LANGS = ("en", "fr", "es")
FILTERS = ("ref_area", "sex", "classif1", "classif2", "source")
_PERIOD = re.compile(r"^(\d{4})(?:-?([QM])(\d{1,2}))?$")   # 2022, 2022Q1, 2022M01; SDMX's 2022-Q1, 2022-M01
_DATASET_ID = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)*_[AQM]$")
_INDICATOR_CODE = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)+$")
_CODE_SEPARATORS = re.compile(r"[+,;\s]+")   # no ILOSTAT code holds one of these (all dictionaries checked)
_GROUP_PREFIX = re.compile(r"^ILO_GEO_(?:WB_INC_)?(?=X[0-9A-Z]{2}$)")
_SEX_SHORT = {"T": "SEX_T", "M": "SEX_M", "F": "SEX_F", "O": "SEX_O"}


def parse_period(value: object, what: str = "period") -> tuple[int, str, int]:
    """Return ``(year, freq, sub)`` for ``2022``, ``2022Q3`` or ``2022M07`` (sub = quarter or month, 0 for annual).

    A whole number given as a float (``2015.0``, as a year read from a spreadsheet) is that year.

    >>> parse_period("2022Q3"), parse_period(2015), parse_period("2022m7"), parse_period(2015.0), parse_period("2022-Q1")
    ((2022, 'Q', 3), (2015, 'A', 0), (2022, 'M', 7), (2015, 'A', 0), (2022, 'Q', 1))
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    m = _PERIOD.match(text)
    if not m or (m.group(2) == "Q" and not 1 <= int(m.group(3)) <= 4) or (
        m.group(2) == "M" and not 1 <= int(m.group(3)) <= 12
    ):
        raise QueryError(
            f"The {what} {value!r}",
            "is not an ILOSTAT period",
            "write a year (2015), a quarter (2022Q1) or a month (2022M01)",
        )
    year = int(m.group(1))
    if m.group(2) is None:
        return year, "A", 0
    return year, m.group(2), int(m.group(3))


def format_period(year: int, freq: str, sub: int) -> str:
    """ILOSTAT's spelling of a period: ``2022``, ``2022Q1``, ``2022M01``."""
    if freq == "A":
        return f"{year}"
    return f"{year}Q{sub}" if freq == "Q" else f"{year}M{sub:02d}"


def _start_month(freq: str, sub: int) -> int:
    return 1 if freq == "A" else (3 * (sub - 1) + 1 if freq == "Q" else sub)


def period_start(value: object) -> pd.Timestamp:
    """First day of an ILOSTAT period (``2022Q2`` -> 2022-04-01)."""
    year, freq, sub = parse_period(value)
    return pd.Timestamp(year=year, month=_start_month(freq, sub), day=1)


def period_after(value: object) -> pd.Timestamp:
    """First day after an ILOSTAT period: ``end`` bounds are inclusive of the whole period, so ``end=2024``
    keeps 2024Q4 and 2024M12, and ``end="2024Q2"`` keeps 2024M06 but not 2024M07.

    >>> period_after("2024"), period_after("2024Q2"), period_after("2024M12")
    (Timestamp('2025-01-01 00:00:00'), Timestamp('2024-07-01 00:00:00'), Timestamp('2025-01-01 00:00:00'))
    """
    year, freq, sub = parse_period(value)
    months = {"A": 12, "Q": 3, "M": 1}[freq]
    return pd.Timestamp(year=year, month=_start_month(freq, sub), day=1) + pd.DateOffset(months=months)


def period_column(time: pd.Series) -> pd.Series:
    """Vectorised :func:`period_start` for a whole ``time`` column (missing or unparseable values -> NaT).

    >>> period_column(pd.Series(["2022Q2", None, "20x5", "2021M11"])).dt.strftime("%Y-%m").tolist()
    ['2022-04', nan, nan, '2021-11']
    """
    text = time.astype("string").str.strip().str.upper()
    parts = text.str.extract(r"^(\d{4})(?:([QM])(\d{1,2}))?$")
    year = pd.to_numeric(parts[0], errors="coerce").astype("float64")
    sub = pd.to_numeric(parts[2], errors="coerce").astype("float64").fillna(1.0)
    kind = parts[1].astype("object")
    month = np.where(kind == "Q", 3 * (sub - 1) + 1, np.where(kind == "M", sub, 1.0))
    valid = year.notna().to_numpy() & (month >= 1) & (month <= 12)
    months = np.where(valid, (np.nan_to_num(year.to_numpy()) - 1970) * 12 + month - 1, 0).astype("int64")
    stamps = pd.Series(months.astype("datetime64[M]").astype("datetime64[ns]"), index=time.index)
    return stamps.where(valid).rename("period")


def _codes(value: str | Iterable[str] | None, name: str) -> tuple[str, ...]:
    """Normalised codes of one filter: upper case, sorted, unique.

    A string may hold several codes joined as ILOSTAT's API writes them (``"PHL+IDN"``) or by commas or
    spaces; ``sex`` takes ``T/M/F/O``; the ref_area ToC's group codes ``ILO_GEO_X06`` are the area code ``X06``.

    >>> _codes("phl+idn", "ref_area"), _codes(["f", "M"], "sex"), _codes("ILO_GEO_WB_INC_X03", "ref_area")
    (('IDN', 'PHL'), ('SEX_F', 'SEX_M'), ('X03',))
    """
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, int)) else list(value)
    out = []
    for item in items:
        text = str(item).strip().upper()
        if not text:
            raise QueryError(f"The {name} filter", "contains an empty code", f"remove it, or leave out {name}=… to get all")
        for code in _CODE_SEPARATORS.split(text):
            if not code:
                continue
            if name == "sex":
                code = _SEX_SHORT.get(code, code)
            elif name == "ref_area":
                code = _GROUP_PREFIX.sub("", code)
            out.append(code)
    if not out:
        raise QueryError(f"The {name} filter {value!r}", "holds no code", f"give codes, or leave out {name}=… to get all")
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class Query:
    """A validated data request. Build it with :meth:`Query.build`."""

    id: str
    ref_area: tuple[str, ...] = ()
    sex: tuple[str, ...] = ()
    classif1: tuple[str, ...] = ()
    classif2: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    lang: str = "en"
    labels: bool = False
    groups: dict = field(default_factory=dict, compare=False)   # named groups asked for: name -> description

    @classmethod
    def build(
        cls,
        id: str,
        ref_area: str | Iterable[str] | None = None,
        sex: str | Iterable[str] | None = None,
        classif1: str | Iterable[str] | None = None,
        classif2: str | Iterable[str] | None = None,
        source: str | Iterable[str] | None = None,
        start: object = None,
        end: object = None,
        lang: str = "en",
        labels: bool = False,
        groups: dict | None = None,
    ) -> "Query":
        """Normalise and check every part of a request; raise :class:`QueryError` with what to do.

        ``groups``: the named groups ``ref_area`` was given as (:func:`evidencekit.ilostat.groups.resolve`
        expands them into their member codes first); kept for the provenance.
        """
        if not isinstance(id, str) and isinstance(id, Iterable):
            ids = [str(i) for i in id]
            raise QueryError(
                f"The indicator ids {', '.join(ids) or '(none)'}", "get takes one dataset id at a time",
                "ask for each id in turn (in Python, join the frames with pandas.concat)",
            )
        ds = str(id or "").strip().upper()
        if _INDICATOR_CODE.match(ds) and not _DATASET_ID.match(ds):
            raise QueryError(
                f"The indicator id {id!r}",
                "is an indicator code without its frequency suffix (ILOSTAT dataset ids end in _A annual, "
                "_Q quarterly or _M monthly)",
                f"add the frequency, e.g. '{ds}_A' for annual data or '{ds}_Q' for quarterly "
                f"(evidencekit search {ds} lists the ones ILOSTAT has)",
            )
        if not _DATASET_ID.match(ds):
            raise QueryError(
                f"The indicator id {id!r}",
                "is not an ILOSTAT dataset id",
                "use an id with its frequency suffix, such as 'SDG_0852_SEX_AGE_RT_A' "
                "(evidencekit search <words> lists them)",
            )
        lang_n = str(lang or "").strip().lower()
        if lang_n not in LANGS:
            raise QueryError(f"The language {lang!r}", "is not offered by ILOSTAT", "use 'en', 'fr' or 'es'")
        s = e = None
        if start is not None and str(start).strip() != "":
            s = format_period(*parse_period(start, "start period"))
        if end is not None and str(end).strip() != "":
            e = format_period(*parse_period(end, "end period"))
        if s and e and period_after(e) <= period_start(s):
            raise QueryError(f"The period {s} to {e}", "ends before it starts", f"swap them: start={e}, end={s}")
        return cls(
            id=ds,
            ref_area=_codes(ref_area, "ref_area"),
            sex=_codes(sex, "sex"),
            classif1=_codes(classif1, "classif1"),
            classif2=_codes(classif2, "classif2"),
            source=_codes(source, "source"),
            start=s,
            end=e,
            lang=lang_n,
            labels=bool(labels),
            groups=dict(groups or {}),
        )

    @property
    def freq(self) -> str:
        """The dataset's frequency letter: ``A``, ``Q`` or ``M``."""
        return self.id[-1]

    @property
    def indicator(self) -> str:
        """The indicator code without the frequency suffix (ILOSTAT's ``indicator`` column)."""
        return self.id[:-2]

    def filters(self) -> dict[str, tuple[str, ...]]:
        """The non-empty code filters, in ILOSTAT's column order."""
        return {name: getattr(self, name) for name in FILTERS if getattr(self, name)}

    def params(self) -> dict[str, str]:
        """Query-string parameters for rplumber ``/data/indicator/`` (lists ``+``-joined; no blanks).

        ``timefrom``/``timeto`` take the year only; :func:`filter_frame` then trims sub-annual bounds.
        """
        p = {"id": self.id}
        for name, codes in self.filters().items():
            p[name] = "+".join(codes)
        if self.start:
            p["timefrom"] = self.start[:4]
        if self.end:
            p["timeto"] = self.end[:4]
        p["type"] = "code"
        p["format"] = ".csv"
        return p


def query_record(q: Query) -> dict:
    """The request as written into provenance and cache records: the filters (lists), ``start``, ``end``, and
    ``groups`` (the named groups given as ``ref_area``, with their members) when there are any.

    >>> query_record(Query.build("X_A", ref_area="PHL", start=2015))
    {'ref_area': ['PHL'], 'sex': [], 'classif1': [], 'classif2': [], 'source': [], 'start': '2015', 'end': None}
    """
    rec: dict = {name: list(getattr(q, name)) for name in FILTERS}
    rec.update(start=q.start, end=q.end)
    if q.groups:
        rec["groups"] = q.groups
    return rec


def covers(have: dict, want: dict) -> bool:
    """True when a request recorded as ``have`` (:func:`query_record`) holds every row of ``want`` (same dataset):
    each of its filters includes the wanted codes, and its period the wanted one."""
    for name in FILTERS:
        h, w = have.get(name) or [], want.get(name) or []
        if h and (not w or not set(w) <= set(h)):
            return False
    if have.get("start") and (not want.get("start") or period_start(want["start"]) < period_start(have["start"])):
        return False
    if have.get("end") and (not want.get("end") or period_after(want["end"]) > period_after(have["end"])):
        return False
    return True


def _choose_among(asked: tuple[str, ...], have: list[str]) -> str:
    """Advice for a code that matched nothing: the closest existing codes first, then the list.

    >>> _choose_among(("PHX",), ["IDN", "PHL", "THA"])
    'did you mean PHL? The codes that exist: IDN, PHL, THA'
    >>> _choose_among(("ASEANX",), ["IDN", "SEN"])
    'choose among the codes that exist: IDN, SEN'
    """
    close: list[str] = []
    for code in asked:   # only codes of about the same length: ASEAN is not SEN
        alike = [c for c in have if abs(len(c) - len(code)) <= 1]
        close += [c for c in difflib.get_close_matches(code, alike, n=3, cutoff=0.6) if c not in close]
    shown = ", ".join(have[:25]) + (f", … ({len(have)} in all)" if len(have) > 25 else "")
    lead = f"did you mean {' or '.join(close)}? The codes that exist: " if close else "choose among the codes that exist: "
    return lead + shown


def filter_frame(df: pd.DataFrame, query: Query, where: str = "",
                 explain: Callable[[str, tuple[str, ...], list[str]], tuple[str, str] | None] | None = None,
                 ) -> pd.DataFrame:
    """Apply the query's filters and period bounds to a tidy frame; say which filter matched nothing.

    A filter on a column the dataset does not have is an error (ILOSTAT itself would ignore it silently).
    ``where`` names the origin in messages (e.g. ``"the offline snapshot"``); ``explain(name, codes, have)``
    may give a better ``(why, fix)`` for codes that match no row (``have``: the codes that do exist).
    """
    out = df
    origin = f" in {where}" if where else ""
    for name, codes in query.filters().items():
        if name not in out.columns:
            raise NoMatchError(
                f"The filter {name}={'+'.join(codes)} on {query.id}",
                f"this indicator has no {name} column{origin}",
                f"leave out {name}=…",
            )
        col = out[name].astype("string").str.upper()
        kept = out[col.isin(codes).fillna(False).to_numpy()]
        if kept.empty:
            have = sorted(str(c) for c in out[name].dropna().unique())
            why, fix = (explain(name, codes, have) if explain and have else None) or (
                f"matches no rows{origin}", _choose_among(codes, have) if have else f"leave out {name}=…")
            raise NoMatchError(f"The filter {name}={'+'.join(codes)} on {query.id}", why, fix)
        out = kept
    if query.start or query.end:
        per = out["period"] if "period" in out.columns else period_column(out["time"])
        mask = pd.Series(True, index=out.index)
        if query.start:
            mask &= per >= period_start(query.start)
        if query.end:
            mask &= per < period_after(query.end)
        kept = out[mask.fillna(False).to_numpy()]
        if kept.empty:
            years = per.dropna()
            span = f"{out['time'].loc[years.idxmin()]} to {out['time'].loc[years.idxmax()]}" if len(years) else "none"
            raise NoMatchError(
                f"The period {query.start or '…'} to {query.end or '…'} on {query.id}",
                f"has no data{origin} for the other filters",
                f"choose periods within {span}",
            )
        out = kept
    return out
