"""Countries side by side for one year or each country's latest year, ranked, against a benchmark.

Rules (``docs/compare.md`` §Across countries): one series per country (one sex, one age group, one source per
year — several are refused, never guessed between); rank 1 is the highest value unless ``ascending=True``;
ties share the lower rank; ILOSTAT aggregates (``X01`` World, ``X40`` Asia and the Pacific, …) are never ranked
among countries. The benchmark is a chosen area (a country or an ILOSTAT aggregate, which must be in the
figures) or the unweighted mean or median of the countries shown — said as such, since it is not a regional
figure.

>>> df = pd.DataFrame({"ref_area": ["A", "B", "C", "A"], "time": ["2020", "2020", "2019", "2019"],
...                    "obs_value": [5.0, 7.0, 3.0, 4.0]})
>>> df.attrs["provenance"] = {"kind": "user", "citation": "Typed."}
>>> out = across(df, benchmark="median")
>>> out[["ref_area", "time", "obs_value", "rank", "benchmark", "difference"]].values.tolist()
[['B', '2020', 7.0, 1, 5.0, 2.0], ['A', '2020', 5.0, 2, 5.0, 0.0], ['C', '2019', 3.0, 3, 5.0, -2.0]]
"""
from __future__ import annotations

import pandas as pd

from evidencekit import provenance
from evidencekit.compare import _frames as F
from evidencekit.errors import InputError

WHAT = "Comparing countries"


def across(df: pd.DataFrame, year: int | str = "latest", *, benchmark: str | None = None,
           ascending: bool = False, since: int | None = None) -> pd.DataFrame:
    """One row per area for ``year`` (or each area's latest year), with ``rank`` and a ``benchmark``.

    ``benchmark``: an area code in the figures (``"PHL"``, ``"X40"``), ``"mean"`` or ``"median"`` (unweighted,
    of the countries shown), or None. ``since``: with ``year="latest"``, leave out areas whose latest year is
    older (they are listed in ``attrs["left_out"]``). Adds ``rank`` (1 = highest; lowest with
    ``ascending=True``; aggregates not ranked), ``benchmark``, ``difference`` (value − benchmark, in the
    indicator's unit: percentage points for rates), ``flags`` (break, unreliable, projection …).
    ``attrs``: ``provenance`` (derived), ``benchmark`` (label, value, time), ``notes``, ``left_out``.
    """
    F.need(df, ("ref_area", "time", "obs_value"), WHAT)
    src = provenance.of(df, "The figures to compare")
    df = F.bare(df)
    F.one_value_each(df, ["ref_area"], WHAT)
    F.no_duplicates(df, ["ref_area"], WHAT)
    data = df.copy()
    data["_year"] = F.years(data)
    notes: list[str] = []
    left_out: dict[str, str] = {}
    empty = data["obs_value"].isna()
    for area in sorted(set(data.loc[empty, "ref_area"].astype(str))):
        if not data.loc[(data["ref_area"] == area) & ~empty].shape[0]:
            left_out[area] = "no value (ILOSTAT leaves the figure empty)"
    data = data[~empty]
    if isinstance(year, str) and year.strip().lower() == "latest":
        pick = data.sort_values("_year").groupby("ref_area", sort=False).tail(1)
        if since is not None:
            old = pick["_year"] < int(since)
            for _, r in pick[old].iterrows():
                left_out[str(r["ref_area"])] = f"latest year {r['time']} is before {since}"
            pick = pick[~old]
        how = "latest year per area"
    else:
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise InputError(WHAT, f"year={year!r} is neither a year nor 'latest'", "pass e.g. year=2019 or "
                             "year='latest'") from None
        if since is not None:
            raise InputError(WHAT, "since= only applies to year='latest'", "leave since= out for a fixed year")
        pick = data[data["_year"] == y]
        for area in sorted(set(data["ref_area"].astype(str)) - set(pick["ref_area"].astype(str))):
            have = data.loc[data["ref_area"] == area, "time"].astype(str)
            left_out[area] = f"no figure for {y} (has {have.min()}–{have.max()})"
        how = f"year {y}"
    if pick.empty:
        raise InputError(WHAT, f"no area has a figure for {how}", "choose another year, or year='latest'")
    pick = pick.copy()
    agg = F.is_aggregate(pick["ref_area"])
    bench = _benchmark(pick, data, benchmark, agg, year, src)
    if bench is not None and bench.get("row") is not None:  # the benchmark area shows the figure used
        pick = pd.concat([pick[pick["ref_area"].astype(str) != bench["ref_area"]], data.loc[[bench.pop("row")]]])
        agg = F.is_aggregate(pick["ref_area"])
    elif bench is not None:
        bench.pop("row", None)
    ranked = pick[~agg | (pick["ref_area"] == (bench or {}).get("ref_area"))]
    countries = ranked[~F.is_aggregate(ranked["ref_area"])]
    if countries.empty:
        raise InputError(WHAT, "only aggregates (X-codes) are in the figures, there are no countries to rank",
                         "add the countries' codes to ref_area")
    out = pick[~agg | (pick["ref_area"] == (bench or {}).get("ref_area"))].copy()
    is_country = ~F.is_aggregate(out["ref_area"])
    out["rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[is_country, "rank"] = (out.loc[is_country, "obs_value"]
                                   .rank(ascending=ascending, method="min").astype("Int64"))
    if bench is not None:
        out["benchmark"] = bench["value"]
        out["difference"] = out["obs_value"] - bench["value"]
        out["is_benchmark"] = out["ref_area"].astype(str) == str(bench.get("ref_area"))
    out["flags"] = F.flags_text(out, src)
    years_shown = sorted(set(out["time"].astype(str)))
    if len(years_shown) > 1:
        notes.append(f"Years differ between areas ({years_shown[0]} to {years_shown[-1]}): each area shows its "
                     "latest year; read the year column before comparing.")
    if bench is not None and bench.get("note"):
        notes.append(bench["note"])
    dropped = sorted(set(pick.loc[agg, "ref_area"].astype(str)) - {str((bench or {}).get("ref_area"))})
    if dropped:
        notes.append(f"Aggregates are not ranked among countries and are left out: {', '.join(dropped)} (choose one "
                     "as benchmark= to show it).")
    if left_out:
        notes.append("Left out: " + "; ".join(f"{k} ({v})" for k, v in left_out.items()) + ".")
    flagged = out[out["flags"].fillna("") != ""]
    for _, r in flagged.iterrows():
        notes.append(f"{r['ref_area']} {r['time']}: {r['flags']}.")
    out = out.sort_values(["rank", "obs_value"], ascending=[True, ascending], na_position="last")
    out = out.drop(columns=["_year"]).reset_index(drop=True)
    order = "1 = lowest value" if ascending else "1 = highest value"
    method = f"areas compared, {how}; rank {order}"
    if bench is not None:
        method += f"; benchmark: {bench['label']}"
    out.attrs["provenance"] = provenance.derived([src], method)
    out.attrs["benchmark"] = bench
    out.attrs["rank_order"] = order
    out.attrs["notes"] = notes
    out.attrs["left_out"] = left_out
    out.attrs["unit"] = F.unit_of(df, src)
    out.attrs["indicator"] = F.indicator_title(df, src)
    return out


def _benchmark(pick: pd.DataFrame, data: pd.DataFrame, benchmark: str | None, agg: pd.Series,
               year: int | str, src: dict) -> dict | None:
    """The benchmark value and its label (see :func:`across`)."""
    if benchmark is None:
        return None
    if not isinstance(benchmark, str) or not benchmark.strip():
        raise InputError(WHAT, f"benchmark={benchmark!r} is not understood",
                         "pass an area code in the figures ('PHL', 'X40'), 'mean' or 'median'")
    key = benchmark.strip()
    countries = pick[~agg]
    if key.lower() in ("mean", "median"):
        if len(countries) < 2:
            raise InputError(WHAT, f"a {key.lower()} needs at least two countries (there is {len(countries)})",
                             "add countries, or choose a country or an aggregate as benchmark")
        value = float(countries["obs_value"].mean() if key.lower() == "mean" else countries["obs_value"].median())
        kind = key.lower()
        label = (f"{'Mean' if kind == 'mean' else 'Median'} of the {len(countries)} countries shown "
                 "(unweighted)")
        note = (f"The benchmark is the unweighted {kind} of the {len(countries)} countries shown, not a regional "
                "figure: every country counts the same whatever its size.")
        return {"kind": kind, "ref_area": None, "value": value, "label": label, "time": None, "note": note,
                "row": None}
    code = key.upper()
    rows = data[data["ref_area"].astype(str) == code]
    if rows.empty:
        raise InputError(WHAT, f"the benchmark {code!r} is not in the figures",
                         f"get it together with the countries, e.g. ek.ilostat.get(id, ref_area=[..., '{code}'])")
    if isinstance(year, str):  # latest: the countries' most common year, never a projection when avoidable
        counts = pick.loc[~agg, "_year"].value_counts()
        target = max(counts[counts == counts.max()].index) if len(counts) else rows["_year"].max()
        proj = F.projection_mask(rows, src) if len(rows) else pd.Series(dtype=bool)
        usable = rows[(rows["_year"] <= target) & ~proj.reindex(rows.index, fill_value=False)]
        row = (usable if len(usable) else rows).sort_values("_year").iloc[-1]
    else:
        hit = rows[rows["_year"] == int(year)]
        if hit.empty:
            raise InputError(WHAT, f"the benchmark {code!r} has no figure for {year}",
                             f"it has {rows['time'].astype(str).min()}–{rows['time'].astype(str).max()}; choose "
                             "another year or benchmark")
        row = hit.iloc[0]
    name = str(row.get("ref_area.label")) if isinstance(row.get("ref_area.label"), str) else code
    kind = "aggregate" if bool(F.is_aggregate(pd.Series([code])).iloc[0]) else "area"
    note = None
    shown = set(pick.loc[~agg, "time"].astype(str))
    if isinstance(year, str) and shown and {str(row["time"])} != shown:
        note = (f"The benchmark {name} is for {row['time']}; the countries' years are "
                f"{', '.join(sorted(shown))}.")
    return {"kind": kind, "ref_area": code, "value": float(row["obs_value"]), "label": f"{name} ({row['time']})",
            "time": str(row["time"]), "note": note, "row": row.name}
