"""Comparisons over ILOSTAT frames (and estimates): across countries, over time, gaps, and reconciling sources.

Pure functions: they take the frames ``ek.ilostat.get`` (or ``ek.indicators.estimate``) returns and give new
frames, each with ``attrs["provenance"]`` of ``kind="derived"`` listing every source it was built from, so a
chart or a brief can cite them. The rules (ranking, benchmarks, breaks, projections, deflating, the reconcile
rules) are in ``docs/compare.md``.

>>> import evidencekit as ek
>>> df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=["IDN", "PHL", "THA", "VNM"], sex="SEX_T",
...                     classif1="AGE_YTHADULT_Y15-24", offline=True)
>>> across(df, "latest", benchmark="median")[["ref_area", "time", "rank"]].values.tolist()
[['IDN', '2022', 1], ['PHL', '2021', 2], ['VNM', '2022', 3], ['THA', '2022', 4]]
"""
from __future__ import annotations

from evidencekit.compare._frames import break_mask
from evidencekit.compare.across import across
from evidencekit.compare.gaps import gap
from evidencekit.compare.overtime import change, over_time, real
from evidencekit.compare.reconcile import RULES, Reconciliation, figures, reconcile

__all__ = ["across", "over_time", "change", "real", "gap", "figures", "reconcile", "Reconciliation", "RULES",
           "break_mask"]
