"""Decode ILOSTAT codes into labels: ``<col>.label`` columns, as ILOSTAT's own label exports write them.

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

from typing import Callable

import pandas as pd

CODE_COLUMNS = ("ref_area", "source", "indicator", "sex", "classif1", "classif2", "obs_status")
NOTE_COLUMNS = ("note_classif", "note_indicator", "note_source")
LABELLED = CODE_COLUMNS + NOTE_COLUMNS
NOTE_JOIN = " | "


def _mapping(dictionary: Callable[[str], pd.DataFrame], var: str) -> dict[str, str]:
    dic = dictionary(var)
    if dic is None or len(dic) == 0 or var not in dic.columns or f"{var}.label" not in dic.columns:
        return {}
    codes = dic[var].astype("string")
    labels = dic[f"{var}.label"].astype("string")
    keep = codes.notna() & labels.notna()
    return dict(zip(codes[keep].tolist(), labels[keep].tolist()))


def _decode(values: pd.Series, mapping: dict[str, str], note: bool) -> pd.Series:
    """Decode the distinct values once (columns are highly repetitive), then map back."""
    text = values.astype("string")
    uniq = text.dropna().unique()
    if note:
        decoded = {v: NOTE_JOIN.join(mapping.get(p, p) for p in v.split("_") if p) for v in uniq}
    else:
        decoded = {v: mapping.get(v, v) for v in uniq}
    return text.map(decoded).astype("string")


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
        decoded = _decode(out[col], _mapping(dictionary, col), note=col in NOTE_COLUMNS)
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
