"""Named groups of areas (ASEAN) and ILOSTAT's regional aggregates, kept apart (``docs/ilostat.md``, "Groups").

Two different things answer to "South-East Asia":

- a **named group** is a list of member states; ``get(ref_area="ASEAN")`` returns each member's own rows
  (ILOSTAT's figures for BRN, KHM, …). The groups are data (:data:`GROUPS`), and the provenance of every
  answer records which group was asked for, its members and its membership (``query["groups"]``);
- an **ILOSTAT aggregate** (``X..`` codes: ``X54`` South-Eastern Asia, ``X40`` Asia and the Pacific, ``X84``
  ASEAN) is one figure the ILO computes for a region, mostly modelled; its membership is ILO's. A name
  typed for it (``"South-Eastern Asia"``) is turned into its code; its member countries are read from the
  areas table's region columns where it has them.

ASEAN's membership changed when Timor-Leste was admitted in October 2025: ``ASEAN`` is the current
membership (ASEAN-11), ``ASEAN10`` the ten members before (for older series and comparisons made then).

>>> resolve(["ASEAN10"])[0]
['BRN', 'IDN', 'KHM', 'LAO', 'MMR', 'MYS', 'PHL', 'SGP', 'THA', 'VNM']
>>> codes, groups = resolve("asean+CHN")
>>> len(codes), "TLS" in codes, groups["ASEAN"]["membership"]
(12, True, 'ASEAN-11: the ten members and Timor-Leste, admitted in October 2025')
>>> areas = pd.DataFrame({"ref_area": ["X54", "PHL"], "ref_area.label": ["South-Eastern Asia", "Philippines"]})
>>> resolve(["South-Eastern Asia", "philippines"], areas)
(['X54', 'PHL'], {'South-Eastern Asia': {'kind': 'ILOSTAT aggregate', 'code': 'X54', 'note': "X54 is ILOSTAT's own aggregate (one figure computed by the ILO), not its members' rows"}})
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

import pandas as pd

from evidencekit.ilostat.catalogue import normalise

__all__ = ["Group", "GROUPS", "resolve", "group_of", "members", "table"]


@dataclass(frozen=True)
class Group:
    """A named group: its code (what ``ref_area`` takes), name, members (ILOSTAT area codes) and membership."""

    code: str
    name: str
    members: tuple[str, ...]
    membership: str
    note: str = ""

    def record(self) -> dict:
        """What the provenance keeps of it (``query["groups"][code]``)."""
        return {"kind": "named group", "name": self.name, "members": list(self.members),
                "membership": self.membership, "note": self.note}


_ASEAN10 = ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM")
GROUPS: dict[str, Group] = {g.code: g for g in (
    Group("ASEAN", "ASEAN member states (ASEAN-11)", tuple(sorted(_ASEAN10 + ("TLS",))),
          "ASEAN-11: the ten members and Timor-Leste, admitted in October 2025",
          "each member's own ILOSTAT rows; ILOSTAT's aggregate figure for ASEAN is X84. For figures before 2025 "
          "compared as ASEAN was then, use ASEAN10"),
    Group("ASEAN10", "ASEAN member states before October 2025 (ASEAN-10)", _ASEAN10,
          "ASEAN-10: Brunei Darussalam, Cambodia, Indonesia, Lao PDR, Malaysia, Myanmar, Philippines, Singapore, "
          "Thailand and Viet Nam (before Timor-Leste's admission in October 2025)",
          "each member's own ILOSTAT rows; for older series and comparisons"),
)}
ALIASES = {"ASEAN11": "ASEAN", "ASEAN-11": "ASEAN", "ASEAN-10": "ASEAN10"}
_SEPARATORS = re.compile(r"[+,;\s]+")
_CODE = re.compile(r"^(?:ILO_GEO_(?:WB_INC_)?)?[A-Z0-9]{3}$")


def group_of(text: str) -> Group | None:
    """The named group ``text`` names (case-insensitive; ``ASEAN-11`` is ``ASEAN``), or None.

    >>> group_of("asean").code, group_of("ASEAN-10").code, group_of("SEN")
    ('ASEAN', 'ASEAN10', None)
    """
    key = str(text).strip().upper()
    return GROUPS.get(ALIASES.get(key, key))


def _by_name(areas: pd.DataFrame | None) -> dict[str, str]:
    if areas is None or areas.empty:
        return {}
    out: dict[str, str] = {}
    for code, label in zip(areas["ref_area"], areas["ref_area.label"]):
        if isinstance(label, str) and isinstance(code, str):
            out.setdefault(normalise(label), code)
    return out


def resolve(values: str | Iterable[str] | None, areas: pd.DataFrame | Callable[[], pd.DataFrame | None] | None = None
            ) -> tuple[list[str] | None, dict]:
    """``ref_area`` as given -> (area codes, the groups and names it used).

    Each item may be a named group (its members), an area's name (its code: ``"South-Eastern Asia"`` ->
    ``X54``, ``"Philippines"`` -> ``PHL``; exact names from ``areas``, accents and case aside) or codes joined
    by ``+``, commas or spaces (left as they are, for :class:`~evidencekit.ilostat.query.Query` to check).
    ``areas`` (the areas table, or a function giving it) is only read when a name is typed.
    """
    if values is None:
        return None, {}
    items = [values] if isinstance(values, (str, int)) else list(values)
    names = None
    codes: list[str] = []
    used: dict = {}
    for item in items:
        text = str(item).strip()
        group = group_of(text)
        if group is not None:
            codes += group.members
            used[group.code] = group.record()
            continue
        if text and not all(_CODE.match(p) or group_of(p) for p in _SEPARATORS.split(text.upper()) if p):
            names = _by_name(areas() if callable(areas) else areas) if names is None else names
            code = names.get(normalise(text))
            if code is not None:
                codes.append(code)
                if code.startswith("X"):
                    used[text] = {"kind": "ILOSTAT aggregate", "code": code,
                                  "note": f"{code} is ILOSTAT's own aggregate (one figure computed by the ILO), "
                                          "not its members' rows"}
                continue
        for part in _SEPARATORS.split(text):
            group = group_of(part) if part else None
            if group is not None:
                codes += group.members
                used[group.code] = group.record()
            elif part:
                codes.append(part)
    return list(dict.fromkeys(codes)), used


# ---------------------------------------------------------------------------------- aggregates' members
_INCOME = {"Low income": "X02", "Lower-middle income": "X03", "Upper-middle income": "X04", "High income": "X05"}


def _regions(areas: pd.DataFrame) -> dict:
    """``{"by_column": {code: [countries]}, "labels": {code: label}, "income": {group: countries}}`` (read once)."""
    countries = areas[~areas["is_aggregate"].fillna(False).astype(bool)]
    by: dict[str, list[str]] = {}
    for col in ("ilo_region", "ilo_subregion_broad", "ilo_subregion_detailed", "income_group"):
        if col in countries.columns:
            for code, rows in countries.groupby(countries[col].astype("string"), dropna=True)["ref_area"]:
                by.setdefault(str(code), sorted(rows.astype(str)))
    income = {str(k): set(v.astype(str)) for k, v in countries.groupby(
        countries["income_group"].astype("string"), dropna=True)["ref_area"]} if "income_group" in countries else {}
    labels = {str(c): str(lab) for c, lab in zip(areas["ref_area"], areas["ref_area.label"]) if isinstance(lab, str)}
    return {"by_column": by, "labels": labels, "by_label": {v: k for k, v in labels.items()}, "income": income}


def members(code: str, areas: pd.DataFrame, _index: dict | None = None) -> list[str] | None:
    """The member countries of an ILOSTAT aggregate, from the areas table's region columns (``ilo_region``,
    ``ilo_subregion_broad``, ``ilo_subregion_detailed``, ``income_group``), or None when the table cannot tell
    (sub-regions offline; groupings such as G20, BRICS or ILOSTAT's ASEAN aggregate X84).

    A region by income group (``X41`` "Asia and the Pacific: Low income") is the countries in both.
    """
    index = _index if _index is not None else _regions(areas)
    code = str(code).strip().upper()
    if code in index["by_column"]:
        return index["by_column"][code]
    label = index["labels"].get(code, "")
    if ": " in label:
        region_name, income = label.split(": ", 1)
        region = index["by_label"].get(region_name)
        if region is not None and income in _INCOME and region in index["by_column"]:
            return sorted(set(index["by_column"][region]) & index["income"].get(_INCOME[income], set()))
    return None


def table(areas: pd.DataFrame) -> pd.DataFrame:
    """Named groups and ILOSTAT's aggregates, one row each: ``group, name, kind, n_members, members, note``
    (``members`` ``+``-joined; empty when the areas table cannot tell)."""
    rows = [{"group": g.code, "name": g.name, "kind": "named group", "n_members": len(g.members),
             "members": "+".join(g.members), "note": f"{g.membership}; {g.note}"} for g in GROUPS.values()]
    aggregates = areas[areas["is_aggregate"].fillna(False).astype(bool)]
    index = _regions(areas)
    for code, label in zip(aggregates["ref_area"], aggregates["ref_area.label"]):
        inside = members(code, areas, index)
        note = "ILOSTAT's own aggregate: one figure computed by the ILO, not its members' rows"
        if inside is not None and "income" in str(label).lower():
            note += "; members by the areas table's income groups (ILO's figure uses those of its year)"
        if code == "X84":
            note += "; ILO's ASEAN aggregate (ref_area='ASEAN' gives the member states' own rows)"
        if inside is None:
            note += "; members not listed in this areas table"
        rows.append({"group": code, "name": label, "kind": "ILOSTAT aggregate",
                     "n_members": len(inside) if inside is not None else pd.NA,
                     "members": "+".join(inside) if inside is not None else pd.NA, "note": note})
    out = pd.DataFrame(rows, columns=["group", "name", "kind", "n_members", "members", "note"])
    return out.astype({"n_members": "Int64", "members": "string", "name": "string"})
