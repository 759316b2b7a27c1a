"""Check that an ILOSTAT table holds what its dataset id and its request imply, before it is used or kept.

A body cut at a row boundary, columns renamed or swapped, a dataset other than the one asked for, rows of
areas that were not asked for: each would pass for data. The rules (``docs/ilostat.md``, "Checks on every
answer"):

1. **Columns the id implies.** An indicator code is ``TOPIC_VARIABLE_<breakdowns>_UNIT``
   (``UNE_DEAP_SEX_AGE_RT``; ILOSTAT's bulk guidelines). ``SEX`` implies a ``sex`` column; each other
   breakdown, in order, a ``classif1`` then ``classif2`` column whose codes start with it (``AGE`` ->
   ``AGE_YTHADULT_Y15-24``); ``NOC`` means none. A column the id rules out must be empty, and
   ``ref_area``, ``indicator``, ``time`` and ``obs_value`` are always there. Columns ILOSTAT does not publish
   are refused (a renamed column). (A header without rows is ILOSTAT's "no data": it leaves out the columns
   that are empty, so only unknown columns are refused there.)
2. **Values of the right shape.** ``indicator`` is the one asked for; ``ref_area`` three letters or digits;
   ``sex`` ``SEX_?``; ``source`` ``BA:453``; notes ``R1:3513_T2:85``; ``obs_status`` one letter;
   ``time`` a period of the dataset's frequency (``2022``, ``2022Q1``, ``2022M01``); ``obs_value`` a number,
   or empty (or R's ``NA``: missing).
3. **The request.** Every code found in a filtered column is one that was asked for; every period is within
   the years asked (ILOSTAT filters by year; :func:`~evidencekit.ilostat.query.filter_frame` trims quarters
   and months).

(Rows with a wrong number of fields are refused before, by :func:`~evidencekit.ilostat.formats.read_csv`.)

>>> implied_columns("UNE_DEAP_SEX_AGE_RT_A"), implied_columns("EAR_4MTH_SEX_GEO_CUR_NB_A")
({'sex': True, 'classif1': 'AGE', 'classif2': None}, {'sex': True, 'classif1': 'GEO', 'classif2': 'CUR'})
>>> implied_columns("SDG_A821_NOC_RT_A")
{'sex': False, 'classif1': None, 'classif2': None}
>>> raw = pd.DataFrame({"ref_area": ["PHL"], "source": ["BA:1"], "indicator": ["SDG_0861_SEX_RT"],
...                     "time": ["2021"], "obs_value": ["12.5"]}, dtype="string")
>>> problems(raw, "SDG_0861_SEX_RT_A")
['the column sex is missing (the id SDG_0861_SEX_RT_A has _SEX_)']
"""
from __future__ import annotations

import re

import pandas as pd

from evidencekit.ilostat.formats import COLUMNS, EXTRA_COLUMNS

__all__ = ["implied_columns", "problems", "summary"]

_BREAKDOWN = re.compile(r"^[A-Z0-9]{3}$")
_SHAPES = {
    "ref_area": (r"[A-Z0-9]{3}", "an area code such as PHL"),
    "source": (r"[A-Z]{2}:\d+", "a source code such as BA:453"),
    "sex": (r"SEX_[A-Z]", "a sex code such as SEX_T"),
    "obs_status": (r"[A-Z]", "a status letter such as B"),
    "note_classif": (r"[A-Z0-9]+:\d+(?:_[A-Z0-9]+:\d+)*", "note codes such as C6:1058"),
    "note_indicator": (r"[A-Z0-9]+:\d+(?:_[A-Z0-9]+:\d+)*", "note codes such as I11:264"),
    "note_source": (r"[A-Z0-9]+:\d+(?:_[A-Z0-9]+:\d+)*", "note codes such as R1:3513_T2:85"),
    "best_source": (r"[01]", "1 or 0"),
}
_MISSING = ("NA", "NaN")   # R's spelling of a missing number (rplumber is an R service): missing, not text
_TIME = {"A": (r"\d{4}", "a year"), "Q": (r"\d{4}Q[1-4]", "a quarter such as 2022Q1"),
         "M": (r"\d{4}M(?:0[1-9]|1[0-2])", "a month such as 2022M01")}


def implied_columns(dataset: str) -> dict | None:
    """What a dataset id says about its columns: ``{"sex": bool, "classif1": TYPE|None, "classif2": TYPE|None}``,
    or None when the id does not have the usual shape (then only the generic checks apply)."""
    code = re.sub(r"_[AQM]$", "", str(dataset).upper())
    parts = code.split("_")
    if len(parts) < 4:
        return None
    breakdowns = parts[2:-1]
    if not all(_BREAKDOWN.match(b) for b in breakdowns):
        return None
    classifs = [b for b in breakdowns if b not in ("SEX", "NOC")]
    if len(classifs) > 2:
        return None
    classifs += [None] * (2 - len(classifs))
    return {"sex": "SEX" in breakdowns, "classif1": classifs[0], "classif2": classifs[1]}


def _examples(values: pd.Series, n: int = 3) -> str:
    return ", ".join(repr(str(v)) for v in pd.unique(values)[:n])


def problems(raw: pd.DataFrame, dataset: str, query=None) -> list[str]:
    """Everything wrong with ``raw`` (text columns, one ILOSTAT dataset) for ``dataset`` and ``query``
    (a :class:`~evidencekit.ilostat.query.Query`, or None for a whole file); empty when it is sound."""
    out: list[str] = []
    cols = list(raw.columns)
    known = set(COLUMNS) | set(EXTRA_COLUMNS)
    codes = [c for c in cols if not c.endswith(".label")]
    unknown = [c for c in codes if c not in known]
    if unknown:
        out.append(f"it has columns ILOSTAT does not publish ({', '.join(unknown)}): renamed or another table")
    if raw.empty:  # a header only: ILOSTAT's "no rows" (it leaves out the columns that are empty)
        return out
    for must in ("ref_area", "indicator", "time", "obs_value"):
        if must not in cols:
            out.append(f"the column {must} is missing")
    implied = implied_columns(dataset)
    if implied is not None:
        short = re.sub(r"_[AQM]$", "", dataset)
        if implied["sex"] and "sex" not in cols:
            out.append(f"the column sex is missing (the id {dataset} has _SEX_)")
        for name in ("classif1", "classif2"):
            kind = implied[name]
            if kind and name not in cols:
                out.append(f"the column {name} is missing (the id {dataset} has _{kind}_)")
            elif kind and name in cols:
                bad = raw[name].notna() & ~raw[name].str.startswith(f"{kind}_").fillna(False)
                if bad.any():
                    out.append(f"{name} should hold {kind}_ codes (the id {dataset} has _{kind}_), "
                               f"found {_examples(raw[name][bad])}")
        ruled_out = ([] if implied["sex"] else ["sex"]) + [n for n in ("classif1", "classif2") if not implied[n]]
        for name in ruled_out:
            if name in cols and raw[name].notna().any():
                out.append(f"the column {name} has values ({_examples(raw[name].dropna())}) but the id "
                           f"{short} has no such breakdown: columns are swapped or it is another dataset")
    freq = dataset[-1] if re.search(r"_[AQM]$", dataset) else None
    if "indicator" in cols:
        if raw["indicator"].isna().any():
            out.append(f"{int(raw['indicator'].isna().sum())} rows have no indicator code")
        elif freq and (raw["indicator"] != dataset[:-2]).any():
            other = raw["indicator"] != dataset[:-2]
            out.append(f"it holds rows of another indicator ({_examples(raw['indicator'][other])}), "
                       f"not {dataset[:-2]}")
    for name, (pattern, what) in _SHAPES.items():
        if name in cols:
            bad = raw[name].notna() & ~raw[name].str.fullmatch(pattern).fillna(False)
            if bad.any():
                out.append(f"{name} should hold {what}, found {_examples(raw[name][bad])} "
                           f"on {int(bad.sum())} row{'s' if bad.sum() != 1 else ''}")
    for name in ("ref_area", "time"):
        if name in cols and raw[name].isna().any():
            out.append(f"{int(raw[name].isna().sum())} rows have no {name}")
    if "time" in cols and freq:
        pattern, what = _TIME[freq]
        bad = raw["time"].notna() & ~raw["time"].str.fullmatch(pattern).fillna(False)
        if bad.any():
            out.append(f"time should hold {what} (the id ends in _{freq}), found {_examples(raw['time'][bad])}")
    if "obs_value" in cols:
        value = pd.to_numeric(raw["obs_value"], errors="coerce")
        bad = raw["obs_value"].notna() & value.isna() & ~raw["obs_value"].isin(_MISSING)
        if bad.any():
            out.append(f"obs_value should hold numbers, found {_examples(raw['obs_value'][bad])} "
                       f"on {int(bad.sum())} row{'s' if bad.sum() != 1 else ''}")
    if query is not None:
        out += _against_query(raw, query)
    return out


def _against_query(raw: pd.DataFrame, query) -> list[str]:
    out = []
    for name, asked in query.filters().items():
        if name not in raw.columns:
            continue
        values = raw[name].str.upper()
        bad = ~values.isin(asked).fillna(False)
        if bad.any():
            found = _examples(raw[name][bad].fillna("(empty)"))
            out.append(f"it holds {name} {found} where {name}={'+'.join(asked)} was asked")
    if (query.start or query.end) and "time" in raw.columns:
        year = pd.to_numeric(raw["time"].str[:4], errors="coerce")
        bad = pd.Series(False, index=raw.index)
        if query.start:
            bad |= year < int(query.start[:4])
        if query.end:
            bad |= year > int(query.end[:4])
        if bad.fillna(False).any():
            out.append(f"it holds periods {_examples(raw['time'][bad.fillna(False)])} outside "
                       f"{query.start or '…'} to {query.end or '…'}, the period asked")
    return out


def summary(found: list[str], n: int = 3) -> str:
    """The first ``n`` problems as one sentence part (``a; b; and 2 more``)."""
    text = "; ".join(found[:n])
    return text + (f"; and {len(found) - n} more" if len(found) > n else "")
