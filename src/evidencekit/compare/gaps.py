"""Gaps between two groups of one indicator (women vs men, youth vs adults, rural vs urban), per area and year.

gap = value_a − value_b (in the indicator's unit: percentage points for rates); ratio = value_a / value_b.
Published figures only: for two groups estimated from one survey, use ``ek.indicators.gap``, which accounts
for the two estimates sharing the same sample (their covariance) in the standard error.

>>> df = pd.DataFrame({"ref_area": ["A"] * 4, "time": ["2019", "2019", "2020", "2020"],
...                    "sex": ["SEX_F", "SEX_M"] * 2, "obs_value": [6.0, 4.0, 9.0, 6.0]})
>>> df.attrs["provenance"] = {"kind": "user", "citation": "Typed."}
>>> gap(df, "sex", "SEX_F", "SEX_M")[["time", "value_a", "value_b", "gap", "ratio"]].values.tolist()
[['2019', 6.0, 4.0, 2.0, 1.5], ['2020', 9.0, 6.0, 3.0, 1.5]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evidencekit import provenance
from evidencekit.compare import _frames as F
from evidencekit.errors import InputError

WHAT = "Measuring a gap between groups"


def gap(df: pd.DataFrame, by: str, a: str, b: str) -> pd.DataFrame:
    """Group ``a`` minus group ``b`` of column ``by`` (``"sex"``, ``"classif1"``, ``"classif2"``), per series.

    Columns: the other dimensions, ``time``, ``value_a``, ``value_b``, ``gap`` (a − b), ``ratio`` (a / b),
    ``label_a``/``label_b``, ``flags`` (a group missing that year, different sources for a and b, weak
    statuses). ``attrs``: provenance (derived), ``groups`` (codes and labels), ``unit``.
    """
    if isinstance(df, pd.DataFrame) and ("design" in df.attrs or "ci" in df.attrs) and "obs_value" not in df.columns:
        raise InputError(WHAT, "these are estimates from one survey: two groups of one sample are not independent",
                         "use ek.indicators.gap(survey, name, by, a, b), which gives the gap with its standard "
                         "error (the covariance of the two estimates counted)")
    F.need(df, ("time", "obs_value", by) if isinstance(by, str) else ("time", "obs_value"), WHAT)
    if by not in ("sex", "classif1", "classif2"):
        raise InputError(WHAT, f"by={by!r} is not a column that holds groups",
                         "use by='sex', 'classif1' (age, area type, …) or 'classif2'")
    src = provenance.of(df, "The figures")
    df = F.bare(df)
    codes = set(df[by].dropna().astype(str))
    for name, code in (("a", a), ("b", b)):
        if str(code) not in codes:
            raise InputError(WHAT, f"{name}={code!r} is not among the {by} values "
                             f"({', '.join(sorted(codes)[:8])})", f"choose {name}= among them")
    if str(a) == str(b):
        raise InputError(WHAT, f"a and b are both {a!r}", "choose two different groups")
    data = df[df[by].astype(str).isin([str(a), str(b)])].copy()
    keys = [k for k in F.series_keys(data) if k != by]
    F.no_duplicates(data, keys + [by], WHAT)
    data["_flags"] = F.flags_text(data, src)
    data["_label"] = F.label(data, by)
    side = {}
    for name, code in (("a", a), ("b", b)):
        part = data[data[by].astype(str) == str(code)]
        cols = {"obs_value": f"value_{name}", "_flags": f"_flags_{name}", "_label": f"label_{name}"}
        if "source" in part.columns:
            cols["source"] = f"source_{name}"
        side[name] = part[keys + ["time"] + list(cols)].rename(columns=cols)
    out = side["a"].merge(side["b"], on=keys + ["time"], how="outer")
    extra = [c for c in data.columns if c.endswith(".label") and c.split(".")[0] in keys]
    if extra:
        out = out.merge(data[keys + ["time"] + extra].drop_duplicates(keys + ["time"]), on=keys + ["time"],
                        how="left")
    out["gap"] = out["value_a"] - out["value_b"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["value_a"] / out["value_b"].where(out["value_b"] != 0)
    la = str(data.loc[data[by].astype(str) == str(a), "_label"].iloc[0])
    lb = str(data.loc[data[by].astype(str) == str(b), "_label"].iloc[0])
    flags = []
    for _, r in out.iterrows():
        f = []
        if pd.isna(r["value_a"]):
            f.append(f"no figure for {la}")
        if pd.isna(r["value_b"]):
            f.append(f"no figure for {lb}")
        if "source_a" in out.columns and pd.notna(r.get("source_a")) and pd.notna(r.get("source_b")) \
                and r["source_a"] != r["source_b"]:
            f.append(f"{la} and {lb} come from different sources ({r['source_a']}, {r['source_b']})")
        for name, lab in (("a", la), ("b", lb)):
            text = r.get(f"_flags_{name}")
            if isinstance(text, str) and text:
                f.append(f"{lab}: {text}")
        flags.append("; ".join(f))
    out["label_a"], out["label_b"] = la, lb
    out["flags"] = pd.array(flags, dtype="string")
    out["_y"] = F.years(out)
    out = out.sort_values(keys + ["_y"]).drop(columns=["_y", "_flags_a", "_flags_b"]).reset_index(drop=True)
    out.attrs["provenance"] = provenance.derived([src], f"gap {la} minus {lb}")
    unit = F.unit_of(df, src)
    out.attrs["unit"] = unit
    out.attrs["gap_unit"] = "percentage points" if unit == "%" else unit
    out.attrs["groups"] = {"by": by, "a": str(a), "b": str(b), "label_a": la, "label_b": lb}
    out.attrs["indicator"] = F.indicator_title(df, src)
    return out
