"""Series over time: change in points and percent, average annual growth, index to a base year, real values.

Formulas (``docs/compare.md`` §Over time), for one series with values v at years t:

- change (points, in the indicator's unit) = v_t − v_s; change in percent = 100 · (v_t − v_s) / v_s;
- average annual growth (%) = 100 · ((v_t / v_s)^(1 / (t − s)) − 1), defined only when both values are > 0;
- index = 100 · v_t / v_base;
- real value = nominal · 100 / P_t, where P is the consumer price index chained from ILOSTAT's annual CPI
  inflation (``CPI_NCYR_COI_RT_A``, all items): P_base = 100, P_t = P_(t−1) · (1 + r_t / 100).

A change across a **break in series** (``obs_status`` B, a 'Break in series' note, or a change of source)
compares two methods, so it is not computed unless ``allow_breaks=True`` — the ``flags`` column says why.
Projections (``obs_status`` F, or ILO modelled estimates after their release year) are marked, not dropped.

>>> df = pd.DataFrame({"ref_area": ["A"] * 3, "time": ["2015", "2016", "2018"], "obs_value": [4.0, 5.0, 5.0],
...                    "obs_status": [None, None, "B"]})
>>> df.attrs["provenance"] = {"kind": "user", "citation": "Typed."}
>>> out = over_time(df, base=2015)
>>> out[["time", "change", "change_pct", "index", "break"]].values.tolist()
[['2015', nan, nan, 100.0, False], ['2016', 1.0, 25.0, 125.0, False], ['2018', nan, nan, nan, True]]
>>> change(df, 2015, 2016)[["start_value", "end_value", "change", "growth_pa"]].values.tolist()
[[4.0, 5.0, 1.0, 25.0]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evidencekit import provenance
from evidencekit.compare import _frames as F
from evidencekit.errors import InputError

ALL_ITEMS = "COI_COICOP_CP01T12"  # ILOSTAT's CPI code for all items (COICOP 2012 'General')


def _series(df: pd.DataFrame, what: str) -> tuple[pd.DataFrame, list[str], dict]:
    F.need(df, ("time", "obs_value"), what)
    src = provenance.of(df, f"The figures ({what.lower()})")
    df = F.bare(df)
    keys = F.series_keys(df)
    F.no_duplicates(df, keys, what)
    data = df.copy()
    data["_year"] = F.years(data)
    data["_break"] = F.break_mask(data)
    data["_projection"] = F.projection_mask(data, src)
    data["_key"] = "all"
    if keys:  # "PHL · SEX_T · AGE_…": joined column by column (a row-wise join took most of this function's time)
        key = data[keys[0]].astype(str)
        for k in keys[1:]:
            key = key + " · " + data[k].astype(str)
        data["_key"] = key
    data = data.sort_values(["_key", "_year"], kind="stable")
    prev_source = data.groupby("_key")["source"].shift(1) if "source" in data.columns else None
    data["_source_change"] = False
    data["_prev_source"] = prev_source if prev_source is not None else pd.NA
    if prev_source is not None:
        data["_source_change"] = (prev_source.notna() & data["source"].notna()
                                  & (prev_source.astype("string") != data["source"].astype("string"))).fillna(False)
    return data, keys, src


def _growth(v0: pd.Series | float, v1: pd.Series | float, years: pd.Series | float):
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 100 * (np.power(np.asarray(v1, float) / np.asarray(v0, float), 1 / np.asarray(years, float)) - 1)
        ok = (np.asarray(v0, float) > 0) & (np.asarray(v1, float) > 0) & (np.asarray(years, float) > 0)
    return np.where(ok, g, np.nan)


def _units(unit: str) -> dict:
    return {"change": "percentage points" if unit == "%" else (unit or "the indicator's unit"),
            "change_pct": "%", "growth_pa": "% a year", "index": "base year = 100"}


def over_time(df: pd.DataFrame, *, base: int | None = None, allow_breaks: bool = False) -> pd.DataFrame:
    """Each series (area × sex × classification) in time order, with the change from its previous figure.

    Adds ``years`` (since the previous figure), ``change`` (points), ``change_pct`` (%), ``growth_pa``
    (average annual growth since the previous figure, %), ``index`` (100 at ``base``, when given), ``break``,
    ``projection`` and ``flags``. A change or an index across a break is left empty (``NaN``) and said in
    ``flags`` unless ``allow_breaks=True``.
    """
    what = "Following figures over time"
    data, keys, src = _series(df, what)
    g = data.groupby("_key", sort=False)
    prev_v = g["obs_value"].shift(1)
    prev_t = g["_year"].shift(1)
    prev_time = g["time"].shift(1)
    brk = data["_break"] | data["_source_change"]
    data["years"] = data["_year"] - prev_t
    data["change"] = data["obs_value"] - prev_v
    with np.errstate(divide="ignore", invalid="ignore"):
        data["change_pct"] = 100 * (data["obs_value"] - prev_v) / prev_v.where(prev_v != 0)
    data["growth_pa"] = _growth(prev_v, data["obs_value"], data["years"])
    flags = [[] for _ in range(len(data))]
    source = data["source"] if "source" in data.columns else pd.Series(pd.NA, index=data.index)
    rows = zip(data["_break"].to_numpy(bool), data["_source_change"].to_numpy(bool), data["_projection"].to_numpy(bool),
               prev_time.to_numpy(object), data["_prev_source"].to_numpy(object), source.to_numpy(object),
               prev_v.to_numpy(float), data["obs_value"].to_numpy(float))
    for n, (is_break, changed, projected, before, was, now, v0, v1) in enumerate(rows):
        if is_break:
            flags[n].append(f"break in series: not comparable with {before if pd.notna(before) else 'earlier years'}")
        if changed:
            flags[n].append(f"source changed from {was} to {now}")
        if projected:
            flags[n].append("projection")
        if not np.isnan(v0) and (v0 <= 0 or v1 <= 0):
            flags[n].append("growth not defined for values of 0 or below")
    if not allow_breaks:
        data.loc[brk, ["change", "change_pct", "growth_pa"]] = np.nan
    if base is not None:
        # index = 100 * value / the series' value in the base year; not across a break between the two years:
        # with cum the running count of breaks in the series, a break lies between year y and the base year B
        # (in (min, max]) exactly when cum(y) != cum(B)
        key = data["_key"]
        cum = brk.astype(int).groupby(key).cumsum()
        at_base = data["_year"] == float(base)
        base_value = data["obs_value"].where(at_base).groupby(key).transform("first")
        base_cum = cum.where(at_base).groupby(key).transform("first")
        missing = (base_value.isna() | (base_value == 0)).to_numpy()
        crossed = ((cum != base_cum).to_numpy() & ~missing) & (not allow_breaks)
        ok = ~missing & ~crossed
        data["index"] = np.where(ok, 100 * data["obs_value"] / base_value.where(ok), np.nan)
        years = data["_year"].to_numpy()
        for n in np.flatnonzero(missing):
            flags[n].append(f"no figure for the base year {base}")
        for n in np.flatnonzero(crossed):
            lo, hi = sorted((float(base), float(years[n])))
            flags[n].append(f"break in series between {int(lo)} and {int(hi)}: no index")
    data["break"] = brk.astype(bool)
    data["projection"] = data["_projection"].astype(bool)
    data["flags"] = pd.array(["; ".join(f) for f in flags], dtype="string")
    out = data.drop(columns=[c for c in data.columns if c.startswith("_")]).reset_index(drop=True)
    method = "change over time" + (f", index {base} = 100" if base is not None else "")
    out.attrs["provenance"] = provenance.derived([src], method)
    unit = F.unit_of(df, src)
    out.attrs["unit"] = unit
    out.attrs["units"] = _units(unit)
    out.attrs["indicator"] = F.indicator_title(df, src)
    out.attrs["base"] = base
    return out


def change(df: pd.DataFrame, start: int, end: int, *, allow_breaks: bool = False) -> pd.DataFrame:
    """One row per series: the change from ``start`` to ``end`` (years), in points, percent and a year.

    Columns: the series' dimensions, ``start_value``, ``end_value``, ``years``, ``change`` (points),
    ``change_pct`` (%), ``growth_pa`` (average annual growth, %), ``breaks`` (years with a break between),
    ``flags``. A series without a figure in ``start`` or ``end`` keeps its row with empty values and says
    which years it has; across a break the change is empty unless ``allow_breaks=True``.
    """
    what = "Measuring a change over time"
    try:
        s, e = int(start), int(end)
    except (TypeError, ValueError):
        raise InputError(what, f"start={start!r} and end={end!r} must be years", "e.g. start=2015, end=2022") from None
    if e <= s:
        raise InputError(what, f"the end year {e} is not after the start year {s}", f"e.g. start={min(s, e)}, "
                         f"end={max(s, e)}")
    data, keys, src = _series(df, what)
    wanted = keys + [f"{k}.label" for k in keys] + ["time", "obs_value", "_key", "_year", "_break", "_source_change",
                                                    "_projection"]
    data = data[[c for c in dict.fromkeys(wanted) if c in data.columns]]  # the loop takes only what it reads
    rows = []
    for key, part in data.groupby("_key", sort=False):
        first = part.iloc[0]
        row = {k: first[k] for k in keys}
        for k in keys:
            if f"{k}.label" in part.columns:
                row[f"{k}.label"] = first[f"{k}.label"]
        a = part[part["_year"] == s]
        b = part[part["_year"] == e]
        flags = []
        va = float(a["obs_value"].iloc[0]) if not a.empty else np.nan
        vb = float(b["obs_value"].iloc[0]) if not b.empty else np.nan
        have = f"{part['time'].astype(str).min()}–{part['time'].astype(str).max()}"
        if a.empty:
            flags.append(f"no figure for {s} (has {have})")
        if b.empty:
            flags.append(f"no figure for {e} (has {have})")
        inside = part[(part["_year"] > s) & (part["_year"] <= e)]
        breaks = sorted(set(inside.loc[inside["_break"] | inside["_source_change"], "time"].astype(str)))
        proj = bool(part.loc[part["_year"].isin([s, e]), "_projection"].any())
        row.update(start=str(s), end=str(e), start_value=va, end_value=vb, years=e - s,
                   change=vb - va, change_pct=100 * (vb - va) / va if va else np.nan,
                   growth_pa=float(_growth(va, vb, e - s)), breaks=", ".join(breaks))
        if breaks:
            flags.append(f"break in series in {', '.join(breaks)}: {s} and {e} are measured differently"
                         + ("" if allow_breaks else "; change not computed (allow_breaks=True computes it)"))
            if not allow_breaks:
                row.update(change=np.nan, change_pct=np.nan, growth_pa=np.nan)
        if proj:
            flags.append("projection")
        if not (va > 0 and vb > 0) and not (np.isnan(va) or np.isnan(vb)):
            flags.append("growth not defined for values of 0 or below")
        row["flags"] = "; ".join(flags)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["flags"] = out["flags"].astype("string")
    out.attrs["provenance"] = provenance.derived([src], f"change {s} to {e}")
    unit = F.unit_of(df, src)
    out.attrs["unit"] = unit
    out.attrs["units"] = _units(unit)
    out.attrs["indicator"] = F.indicator_title(df, src)
    return out


def _price_index(cpi: pd.DataFrame, base: int) -> pd.DataFrame:
    """Chained CPI (base = 100) per area from annual inflation rates; years not linked to ``base`` are NaN."""
    out = []
    for area, part in cpi.groupby("ref_area"):
        r = part.set_index("_year")["obs_value"].sort_index()
        if float(base) not in r.index:
            continue
        idx = {float(base): 100.0}
        y = float(base)
        while y + 1 in r.index and pd.notna(r[y + 1]):  # forward: P_t = P_(t-1) * (1 + r_t/100)
            idx[y + 1] = idx[y] * (1 + r[y + 1] / 100)
            y += 1
        y = float(base)
        while y in r.index and pd.notna(r[y]):  # backward: P_(t-1) = P_t / (1 + r_t/100)
            idx[y - 1] = idx[y] / (1 + r[y] / 100)
            y -= 1
        out.append(pd.DataFrame({"ref_area": area, "_year": list(idx), "cpi_index": list(idx.values())}))
    if not out:
        return pd.DataFrame(columns=["ref_area", "_year", "cpi_index"])
    return pd.concat(out, ignore_index=True)


def real(df: pd.DataFrame, cpi: pd.DataFrame, *, base: int) -> pd.DataFrame:
    """Nominal values (local currency) at constant ``base``-year prices, deflated by ILOSTAT's CPI.

    ``cpi`` is ``ek.ilostat.get("CPI_NCYR_COI_RT_A", ref_area=...)`` (annual % change); its all-items row
    (``COI_COICOP_CP01T12``) is used. Adds ``cpi_index`` (base = 100) and ``real_value``; years the CPI does
    not link to ``base`` without a gap stay empty and are said in ``flags``. Rates and figures already in
    PPP or US dollars are refused: only local-currency amounts are deflated by a national CPI.
    """
    what = "Deflating to real values"
    F.need(df, ("ref_area", "time", "obs_value"), what)
    src = provenance.of(df, "The figures to deflate")
    cpi_src = provenance.of(cpi, "The consumer price index")
    df, cpi = F.bare(df), F.bare(cpi)
    F.need(cpi, ("ref_area", "time", "obs_value"), what + " (the CPI)")
    if F.unit_of(df, src) == "%":
        raise InputError(what, "the figures are rates (%), which are not deflated",
                         "deflate amounts of money in local currency, e.g. SDG_0851_SEX_OCU_NB_A earnings")
    for col in ("classif1", "classif2"):
        if col in df.columns:
            cur = df[col].astype("string").str.startswith("CUR_TYPE_") & ~df[col].astype("string").eq("CUR_TYPE_LCU")
            if cur.fillna(False).any():
                raise InputError(what, f"the figures are in {', '.join(sorted(set(df.loc[cur.fillna(False), col])))} "
                                 "(PPP or US dollars), not local currency",
                                 "keep the local-currency rows (CUR_TYPE_LCU); PPP figures are compared across "
                                 "countries, not deflated by a national CPI")
    c = cpi.copy()
    if "classif1" in c.columns:
        if (c["classif1"] == ALL_ITEMS).any():
            c = c[c["classif1"] == ALL_ITEMS]
        elif c["classif1"].nunique() > 1:
            raise InputError(what, f"the CPI has no all-items row ({ALL_ITEMS}) and several COICOP groups",
                             f"get CPI_NCYR_COI_RT_A with classif1='{ALL_ITEMS}'")
    F.no_duplicates(c, ["ref_area"], what + " (the CPI)")
    c["_year"] = F.years(c)
    idx = _price_index(c, base)
    data = df.copy()
    data["_year"] = F.years(data)
    data = data.merge(idx, on=["ref_area", "_year"], how="left")
    data["real_value"] = data["obs_value"] * 100 / data["cpi_index"]
    flags = pd.Series("", index=data.index, dtype="string")
    missing = data["cpi_index"].isna()
    no_base = set(data["ref_area"]) - set(idx["ref_area"])
    for i in data.index[missing]:
        area = data.at[i, "ref_area"]
        flags[i] = (f"the CPI has no figure for {area} in {base}" if area in no_base
                    else f"the CPI does not link {data.at[i, 'time']} to {base} without a gap: no real value")
    data["flags"] = flags
    out = data.drop(columns=["_year"])
    out.attrs["provenance"] = provenance.derived([src, cpi_src], f"deflated to {base} prices with the CPI, all items")
    out.attrs["unit"] = f"{base} prices"
    out.attrs["indicator"] = F.indicator_title(df, src)
    out.attrs["base"] = base
    return out
