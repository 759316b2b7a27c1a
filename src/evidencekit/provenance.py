"""Provenance records: where a frame's figures come from, as one line for a chart and as references for a brief.

Every frame the library returns carries ``df.attrs["provenance"]``, a dict with at least ``kind`` and
``citation`` (the contract is written out in ``docs/compare.md``):

- ``kind="ilostat"``: ILOSTAT figures (``dataset``, ``vintage`` = release, ``origin`` live/cache/snapshot,
  ``stale``, ``licence`` CC BY 4.0, ``publisher``);
- ``kind="survey"``: estimates from microdata (``dataset`` or ``file``, ``mapping``, ``design``, ``synthetic``);
- ``kind="derived"``: a comparison built from other frames (``method``, and ``sources``: the complete records
  it was built from — always the original ILOSTAT/survey/user records, never a derived one);
- ``kind="user"``: figures a user typed in, with the ``source`` they gave.

This module reads those records (:func:`of`), writes the one-line source of a chart (:func:`source_line`),
merges records for a derived frame (:func:`derived`), makes a record for typed figures (:func:`user`) and lists
the deduplicated references of a brief (:func:`references`).

>>> ilo = {"kind": "ilostat", "dataset": "SDG_0852_SEX_AGE_RT_A", "vintage": "2023-11-29", "origin": "snapshot",
...        "licence": "CC BY 4.0", "citation": "ILOSTAT, International Labour Organization. SDG_0852_SEX_AGE_RT_A."}
>>> source_line(ilo)
'Source: ILOSTAT, ILO (CC BY 4.0), SDG_0852_SEX_AGE_RT_A, release 2023-11-29 (offline snapshot).'
>>> psa = user("Philippine Statistics Authority, Labor Force Survey annual estimates")
>>> both = derived([ilo, psa], "figures side by side")
>>> both["kind"], len(both["sources"]), references([both]) == [ilo["citation"], psa["citation"]]
('derived', 2, True)
"""
from __future__ import annotations

import copy
import re
from typing import Iterable

import pandas as pd

from evidencekit.errors import InputError

KINDS = ("ilostat", "survey", "derived", "user")
ILOSTAT_SHORT = "ILOSTAT, ILO"


def _kind_of(record: dict) -> str:
    """``kind`` of a record, inferred for records written before the field existed."""
    kind = record.get("kind")
    if kind in KINDS:
        return kind
    if record.get("sources") is not None:
        return "derived"
    if record.get("origin") in ("live", "cache", "snapshot") or "ILOSTAT" in str(record.get("publisher") or ""):
        return "ilostat"
    if record.get("origin") == "microdata" or record.get("design") is not None:
        return "survey"
    return "user"


def normalise(record: dict, what: str = "A provenance record") -> dict:
    """A copy of ``record`` with ``kind`` set and ``citation`` checked (the two fields every record needs)."""
    if not isinstance(record, dict):
        raise InputError(what, f"is a {type(record).__name__}, not a provenance record (a dict)",
                         "pass df.attrs['provenance'] of a frame evidencekit returned")
    out = copy.deepcopy(record)
    out["kind"] = _kind_of(out)
    if not str(out.get("citation") or "").strip():
        raise InputError(what, "has no citation", "every provenance record needs a 'citation': the line to quote")
    if out["kind"] == "derived":
        out["sources"] = [normalise(s, f"{what}, source {i + 1}") for i, s in enumerate(out.get("sources") or [])]
    return out


def _survey_from_attrs(attrs: dict) -> dict:
    """A survey record for an estimate frame that has ``design``/``ci`` attrs but no provenance yet."""
    design = attrs.get("design") or {}
    ci = attrs.get("ci") or {}
    parts = []
    if design.get("records"):
        parts.append(f"{design['records']:,} records")
    if design.get("n_strata"):
        parts.append(f"{design['n_strata']} strata")
    if design.get("n_psu"):
        parts.append(f"{design['n_psu']} PSUs")
    detail = f" ({', '.join(parts)})" if parts else ""
    return {"kind": "survey", "origin": "microdata", "dataset": None, "synthetic": None, "design": design,
            "ci_method": ci.get("method"), "level": ci.get("level"), "publisher": None, "licence": None,
            "vintage": None,
            "citation": f"Own estimates from survey microdata{detail}; the survey file was not recorded with "
                        "these figures."}


def of(obj: pd.DataFrame | dict, what: str = "These figures") -> dict:
    """The provenance record of a frame (``df.attrs["provenance"]``) or a record itself, normalised.

    An estimate frame from :func:`evidencekit.indicators.estimate` made before estimates carried their own
    provenance gets a survey record built from its ``design`` and ``ci`` attrs (the survey is then unnamed).
    A frame with neither is refused: figures without a source cannot go on a chart or into a brief.

    >>> of(pd.DataFrame({"x": [1]}))
    Traceback (most recent call last):
    ...
    evidencekit.errors.InputError: These figures: carry no provenance (df.attrs['provenance'] is missing). What to do: use frames evidencekit returns (ek.ilostat.get, ek.indicators.estimate, evidencekit.compare), or attach a record made with evidencekit.provenance.user('where the figures come from').
    """
    if isinstance(obj, dict):
        return normalise(obj, what)
    if not isinstance(obj, pd.DataFrame):
        raise InputError(what, f"are a {type(obj).__name__}, not a DataFrame", "pass a frame evidencekit returned")
    attrs = obj.attrs or {}
    record = attrs.get("provenance")
    if record is None and ("design" in attrs or "ci" in attrs):
        record = _survey_from_attrs(attrs)
    if record is None:
        raise InputError(what, "carry no provenance (df.attrs['provenance'] is missing)",
                         "use frames evidencekit returns (ek.ilostat.get, ek.indicators.estimate, "
                         "evidencekit.compare), or attach a record made with "
                         "evidencekit.provenance.user('where the figures come from')")
    return normalise(record, what)


def attach(df: pd.DataFrame, record: dict) -> pd.DataFrame:
    """Store ``record`` (normalised) as ``df.attrs["provenance"]`` and return ``df``."""
    df.attrs["provenance"] = normalise(record)
    return df


def is_synthetic(record: dict) -> bool:
    """True when a record (or any source of a derived one) is the SYNTHETIC training survey."""
    rec = normalise(record)
    return any(r.get("synthetic") is True or "SYNTHETIC" in str(r.get("dataset") or "").upper()
               for r in leaves(rec))


def leaves(record: dict) -> list[dict]:
    """The original records behind ``record``: itself, or (derived) every source, flattened, in order."""
    rec = record if record.get("kind") in KINDS else normalise(record)
    if rec.get("kind") != "derived":
        return [rec]
    out: list[dict] = []
    for s in rec.get("sources") or []:
        out.extend(leaves(s))
    return out


def _key(record: dict) -> str:
    return " ".join(str(record.get("citation") or "").split())


def unique(records: Iterable[dict]) -> list[dict]:
    """``records`` flattened to their originals with each citation once (first kept), order kept."""
    seen: set[str] = set()
    out: list[dict] = []
    for r in records:
        for leaf in leaves(normalise(r)):
            k = _key(leaf)
            if k not in seen:
                seen.add(k)
                out.append(leaf)
    return out


def derived(sources: Iterable[dict | pd.DataFrame], method: str) -> dict:
    """The record of a frame computed from others: ``kind="derived"``, the ``method`` in words, every source.

    ``sources`` are records or frames; derived sources are flattened so ``sources`` always holds the original
    ILOSTAT, survey and user records (each citation once).

    >>> a = {"kind": "user", "citation": "PSA, press release 2021-03-09."}
    >>> d = derived([a, derived([a], "ranked")], "change over time")
    >>> d["citation"]
    'Own calculation (change over time) from: PSA, press release 2021-03-09.'
    """
    records = [of(s, f"Source {i + 1}") for i, s in enumerate(sources)]
    flat = unique(records)
    if not flat:
        raise InputError(f"Recording where a {method} comes from", "no source was given",
                         "pass the frames (or their provenance records) it was computed from")
    cites = "; ".join(_key(r).rstrip(".") for r in flat)
    return {"kind": "derived", "method": method, "sources": flat,
            "citation": f"Own calculation ({method}) from: {cites}.",
            "publisher": None, "licence": None, "vintage": None, "retrieved_at": None,
            "synthetic": any(r.get("synthetic") is True for r in flat)}


def user(source: str, *, title: str | None = None, published: str | None = None, url: str | None = None,
         licence: str | None = None, note: str | None = None) -> dict:
    """The record of figures a user typed in: ``source`` is who published them (required, in the user's words).

    >>> user("Philippine Statistics Authority", title="Labor Force Survey, annual estimates", published="2021")["citation"]
    'Philippine Statistics Authority. Labor Force Survey, annual estimates. Published 2021. Typed in by the user.'
    >>> user("  ")
    Traceback (most recent call last):
    ...
    evidencekit.errors.InputError: Figures typed in by hand: have no source. What to do: say who published them, e.g. source='Philippine Statistics Authority, LFS press release, 2021-03-09'.
    """
    source = " ".join(str(source or "").split())
    if not source:
        raise InputError("Figures typed in by hand", "have no source",
                         "say who published them, e.g. source='Philippine Statistics Authority, LFS press release, "
                         "2021-03-09'")
    parts = [source.rstrip(".")]
    if title:
        parts.append(str(title).strip().rstrip("."))
    if published:
        parts.append(f"Published {str(published).strip()}")
    if url:
        parts.append(str(url).strip())
    parts.append("Typed in by the user")
    return {"kind": "user", "source": source, "title": title, "published": published, "url": url,
            "licence": licence, "note": note, "publisher": source, "dataset": title, "vintage": published,
            "citation": ". ".join(parts) + "."}


# -- one line for a chart --------------------------------------------------------------------------------------

def _ilostat_part(rec: dict) -> str:
    release = rec.get("vintage")
    release = f"release {release}" if release and release != "unknown" else "release unknown"
    origin = rec.get("origin")
    where = {"snapshot": "offline snapshot", "cache": "local cache", "live": "live"}.get(origin, origin or "")
    if origin in ("cache", "live") and rec.get("retrieved_at"):
        where += f", retrieved {str(rec['retrieved_at'])[:10]}"
    stale = "; STALE: ILOSTAT could not be reached, may not be the latest release" if rec.get("stale") else ""
    return f"{rec.get('dataset') or '?'}, {release}{f' ({where}{stale})' if where or stale else ''}"


def _survey_part(rec: dict) -> str:
    name = rec.get("dataset") or rec.get("file") or "survey microdata (file not recorded)"
    synthetic = rec.get("synthetic") is True or "SYNTHETIC" in str(name).upper()
    text = f"SYNTHETIC training survey (fictional country): {name}" if synthetic else str(name)
    if rec.get("mapping"):
        text += f", mapping {rec['mapping']}"
    design = rec.get("design") or {}
    bits = []
    if design.get("n_strata"):
        bits.append(f"{design['n_strata']} strata")
    if design.get("n_psu"):
        bits.append(f"{design['n_psu']} PSUs")
    level = rec.get("level") or (rec.get("ci") or {}).get("level")
    ci = f"{round(100 * float(level))}% CI" if level else "CI"
    text += f"; own weighted estimates, {ci}"
    if bits:
        text += f" ({', '.join(bits)})"
    elif rec.get("design") is not None:
        text += " (no sampling design given: weights only)"
    return text


def _part(rec: dict) -> str:
    kind = rec["kind"]
    if kind == "ilostat":
        return _ilostat_part(rec)
    if kind == "survey":
        return _survey_part(rec)
    return str(rec.get("source") or rec.get("citation")).rstrip(".")


def source_line(record: dict | pd.DataFrame) -> str:
    """The source line printed under a chart, built from a provenance record (or a frame's).

    ILOSTAT: publisher, licence, dataset id, release and origin (STALE said when ILOSTAT could not be reached);
    survey: its name (SYNTHETIC where it is), mapping, design; typed figures: the source the user gave;
    derived: each original source once, ILOSTAT datasets grouped.

    >>> source_line({"kind": "survey", "dataset": "SYNTHETIC-LFS-1.0", "synthetic": True, "level": 0.95,
    ...              "design": {"n_strata": 12, "n_psu": 288}, "citation": "x"})
    'Source: SYNTHETIC training survey (fictional country): SYNTHETIC-LFS-1.0; own weighted estimates, 95% CI (12 strata, 288 PSUs).'
    """
    rec = of(record, "The chart's figures")
    items = unique([rec])
    ilo = [r for r in items if r["kind"] == "ilostat"]
    other = [r for r in items if r["kind"] != "ilostat"]
    parts = []
    if ilo:
        licences = sorted({str(r.get("licence") or "CC BY 4.0") for r in ilo})
        parts.append(f"{ILOSTAT_SHORT} ({', '.join(licences)}), " + "; ".join(_ilostat_part(r) for r in ilo))
    parts.extend(_part(r) for r in other)
    label = "Sources" if len(parts) > 1 else "Source"
    line = f"{label}: " + "; ".join(parts)
    return line if line.endswith(".") else line + "."


def references(records: Iterable[dict | pd.DataFrame]) -> list[str]:
    """The citations behind ``records`` (frames or records), each once, in first-seen order.

    >>> a = {"kind": "user", "citation": "A."}
    >>> references([a, {"kind": "derived", "citation": "D.", "sources": [a, {"kind": "user", "citation": "B."}]}])
    ['A.', 'B.']
    """
    return [_key(r) for r in unique(of(r) for r in records)]


_CITATION_LABEL = re.compile(r"^[^.]*\.\s+(?P<label>.+?)\s+\[(?P<id>[A-Z0-9_]+)\]")


def title_of(record: dict | pd.DataFrame) -> str | None:
    """The dataset's title as its citation gives it (ILOSTAT citations hold ``label [ID]``), else None.

    >>> title_of({"kind": "ilostat", "citation": "ILOSTAT, International Labour Organization. Unemployment rate (%) [UNE_A]. Release x."})
    'Unemployment rate (%)'
    """
    rec = of(record)
    if rec.get("label"):
        return str(rec["label"])
    m = _CITATION_LABEL.match(str(rec.get("citation") or ""))
    return m.group("label") if m else None
