"""Decode ILOSTAT codes into labels: ``<col>.label`` columns, as ILOSTAT's own label exports write them
(``docs/ilostat.md``, "Formats").

Rule (ILOSTAT ``type=both`` exports; Rilostat ``label_ilostat``): each code column ``ref_area``, ``source``,
``indicator``, ``sex``, ``classif1``, ``classif2``, ``obs_status`` gets a ``<col>.label`` column from the
dictionary of that variable. Note columns (``note_classif``, ``note_indicator``, ``note_source``) hold several
codes joined by ``_`` (``R1:3513_T2:85``): each part is decoded and the labels joined with `` | ``. A code the
dictionary does not know keeps the code itself (never a crash, never an empty label for a present code).

>>> dic = {"sex": pd.DataFrame({"sex": ["SEX_T"], "sex.label": ["Total"]}),
...        "note_source": pd.DataFrame({"note_source": ["R1:3513"], "note_source.label": ["Repository: ILO"]})}
>>> df = pd.DataFrame({"sex": ["SEX_T", "SEX_X", None], "note_source": ["R1:3513_S3:8", None, "R1:3513"]})
>>> out = add_labels(df, lambda var: dic.get(var, pd.DataFrame()))
>>> out["sex.label"].tolist()
['Total', 'SEX_X', <NA>]
>>> out["note_source.label"].tolist()
['Repository: ILO | S3:8', <NA>, 'Repository: ILO']
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import pandas as pd

CODE_COLUMNS = ("ref_area", "source", "indicator", "sex", "classif1", "classif2", "obs_status")
NOTE_COLUMNS = ("note_classif", "note_indicator", "note_source")
LABELLED = CODE_COLUMNS + NOTE_COLUMNS
NOTE_JOIN = " | "


def _mapping(dictionary: Callable[[str], pd.DataFrame], var: str, needed: list[str]) -> dict[str, str]:
    """code -> label for the ``needed`` codes only (dictionaries have thousands of rows, a frame a few codes)."""
    dic = dictionary(var)
    if dic is None or len(dic) == 0 or var not in dic.columns or f"{var}.label" not in dic.columns:
        return {}
    want = set(needed)
    return {str(c): str(lab) for c, lab in zip(dic[var].tolist(), dic[f"{var}.label"].tolist())
            if c in want and isinstance(lab, str)}


def _decode(values: pd.Series, dictionary: Callable[[str], pd.DataFrame], var: str, note: bool) -> pd.Series:
    """Decode the distinct values once (columns are highly repetitive), then spread back by position."""
    codes, uniq = pd.factorize(values.astype("string"))
    uniq = [str(v) for v in uniq]
    if note:
        parts = [[p for p in v.split("_") if p] for v in uniq]
        mapping = _mapping(dictionary, var, sorted({p for ps in parts for p in ps}))
        decoded = [NOTE_JOIN.join(mapping.get(p, p) for p in ps) for ps in parts]
    else:
        mapping = _mapping(dictionary, var, uniq)
        decoded = [mapping.get(v, v) for v in uniq]
    table = np.array(decoded + [None], dtype=object)  # factorize marks missing values -1: the last slot
    return pd.Series(pd.array(table[codes], dtype="string"), index=values.index)


def add_labels(
    df: pd.DataFrame,
    dictionary: Callable[[str], pd.DataFrame],
    *,
    prefer_existing: bool = True,
) -> pd.DataFrame:
    """Return a copy of ``df`` with a ``<col>.label`` column after the codes, for every labelled column present.

    ``dictionary(var)`` gives a frame with columns ``[var, f"{var}.label"]``. When ``df`` already has a
    ``<col>.label`` column (an explorer export carries ILOSTAT's own labels of its release), its non-empty
    values are kept if ``prefer_existing`` (else dictionary labels replace them where the dictionary knows the
    code); empty ones are filled from the dictionary; a code nobody knows keeps the code.
    """
    out = df.copy()
    for col in LABELLED:
        if col not in out.columns:
            continue
        decoded = _decode(out[col], dictionary, col, note=col in NOTE_COLUMNS)
        name = f"{col}.label"
        if name in out.columns:
            existing = out[name].astype("string")
            existing = existing.mask(existing.str.strip() == "")
            if prefer_existing:
                decoded = existing.fillna(decoded)
            else:
                known = decoded.ne(out[col].astype("string")).fillna(False)
                decoded = decoded.where(known | existing.isna(), existing)
        out[name] = decoded
    codes = [c for c in out.columns if not c.endswith(".label")]
    labels = [f"{c}.label" for c in LABELLED if f"{c}.label" in out.columns]
    other_labels = [c for c in out.columns if c.endswith(".label") and c not in labels]
    return out[codes + labels + other_labels]


def english_fallback(df: pd.DataFrame, in_lang: dict[str, set], lang: str, stacklevel: int = 2) -> dict[str, str]:
    """Per code column, how many of ``df``'s codes have no label in ``lang`` (``in_lang``: column -> the codes
    that have one) and so are labelled in English; a note code counts each ``_``-joined part. Warns once.

    >>> with warnings.catch_warnings(record=True) as said:
    ...     english_fallback(pd.DataFrame({"sex": ["SEX_T", "SEX_O"]}), {"sex": {"SEX_T"}}, "fr")
    {'sex.label': '1 of 2 codes labelled in English'}
    >>> str(said[0].message)[:46]
    "The offline snapshot has no 'fr' labels for so"
    """
    fallback = {}
    for col, have in in_lang.items():
        codes = set(df[col].dropna().astype(str))
        if col in NOTE_COLUMNS:
            codes = {part for c in codes for part in c.split("_") if part}
        n_en = len(codes - {str(c) for c in have})
        if n_en:
            fallback[f"{col}.label"] = f"{n_en} of {len(codes)} codes labelled in English"
    if fallback:
        warnings.warn(UserWarning(f"The offline snapshot has no {lang!r} labels for some codes; they are in English: "
                                  + "; ".join(f"{k}: {v}" for k, v in fallback.items())), stacklevel=stacklevel + 1)
    return fallback
