"""The one shape every ILOSTAT answer takes, whichever source gave it, and the provenance it carries.

Columns are ILOSTAT's own, in ILOSTAT's order (absent ones left out, extras such as ``best_source``
after them), codes as strings, ``obs_value`` as float, ``time`` as ILOSTAT writes it and ``period``
(the first day of the period) for sorting and charts. ``df.attrs["provenance"]`` says where the
rows came from; :func:`citation` writes the line to quote.

>>> raw = pd.DataFrame({"\\ufeffref_area": ["PHL"], "indicator": ["X"], "time": [2021], "obs_value": ["2.5"]})
>>> df = tidy(raw)
>>> list(df.columns), df["obs_value"].dtype.name, str(df["period"].iloc[0].date())
(['ref_area', 'indicator', 'time', 'obs_value', 'period'], 'float64', '2021-01-01')
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

import pandas as pd

from evidencekit.ilostat.formats import COLUMNS, LICENCE, LICENCE_URL, PUBLISHER
from evidencekit.ilostat.query import Query, period_column, query_record

Origin = Literal["live", "cache", "snapshot"]


def tidy(raw: pd.DataFrame) -> pd.DataFrame:
    """Put a raw ILOSTAT table (any path, codes and/or labels) into the house shape."""
    df = raw.rename(columns=lambda c: str(c).lstrip("\ufeff").strip())
    known = [c for c in COLUMNS if c in df.columns]
    labels = [f"{c}.label" for c in COLUMNS if f"{c}.label" in df.columns]
    rest = [c for c in df.columns if c not in known and c not in labels and c != "period"]
    df = df[known + rest + labels].copy()
    for col in df.columns:
        if col == "obs_value":
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
        elif col in COLUMNS or col.endswith(".label"):
            s = df[col].astype("string").str.strip()
            df[col] = s.mask(s == "")
    if "time" in df.columns:
        df["period"] = period_column(df["time"])
    return df.reset_index(drop=True)


def now_utc() -> str:
    """ISO-8601 UTC timestamp to the second, as written into provenance."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def provenance(
    origin: Origin,
    dataset: str,
    *,
    url: str | None = None,
    snapshot_id: str | None = None,
    retrieved_at: str | None = None,
    vintage: str | None = None,
    last_update: str | None = None,
    label: str | None = None,
    stale: bool = False,
    query: Query | dict | None = None,
    labels: dict | None = None,
) -> dict:
    """The provenance record of an ILOSTAT answer, built in one place for every source (``docs/ilostat.md``,
    "Provenance"): ``kind`` (always ``"ilostat"``), ``origin`` (live/cache/snapshot), where (``url`` or
    ``snapshot_id``), when (``retrieved_at``), which release (``vintage``, ``last_update``), ``stale``, the
    ``query`` (filters, period, named groups), licence, publisher and the ready-to-quote ``citation``.

    >>> p = provenance("snapshot", "SDG_0852_SEX_AGE_RT_A", snapshot_id="ilostat-2026-11-23",
    ...                retrieved_at="2023-11-29", vintage="2023-11-29")
    >>> p["kind"], p["licence"], p["origin"]
    ('ilostat', 'CC BY 4.0', 'snapshot')
    >>> p["citation"]
    'ILOSTAT, International Labour Organization. SDG_0852_SEX_AGE_RT_A. Release 2023-11-29 (evidencekit offline snapshot ilostat-2026-11-23). Licence: CC BY 4.0.'
    """
    record = {
        "kind": "ilostat",
        "origin": origin,
        "dataset": dataset,
        "url": url,
        "snapshot_id": snapshot_id,
        "retrieved_at": retrieved_at or now_utc(),
        "vintage": vintage,
        "last_update": last_update,
        "stale": bool(stale),
        "query": query_record(query) if isinstance(query, Query) else query,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "publisher": PUBLISHER,
    }
    if labels is not None:
        record["labels"] = labels
    record["citation"] = citation(record, label)
    return record


def citation(record: dict, label: str | None = None) -> str:
    """The ready-to-quote citation line of a provenance record."""
    title = f"{label} [{record['dataset']}]" if label else record["dataset"]
    when = f"Release {record['vintage']}" if record.get("vintage") else f"Retrieved {record['retrieved_at'][:10]}"
    if record["origin"] == "snapshot":
        where = f" (evidencekit offline snapshot {record.get('snapshot_id')})"
    elif record["origin"] == "cache":
        where = f" (local cache of {record.get('url')}, retrieved {record['retrieved_at'][:10]})"
    else:
        where = f" ({record.get('url')}, retrieved {record['retrieved_at'][:10]})"
    return f"{PUBLISHER}. {title}. {when}{where}. Licence: {LICENCE}."


def attach(df: pd.DataFrame, record: dict) -> pd.DataFrame:
    """Store the provenance record on the frame (``df.attrs['provenance']``) and return it."""
    df.attrs["provenance"] = record
    return df
