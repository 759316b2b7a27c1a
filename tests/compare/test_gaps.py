"""compare.gap: hand-worked frames and the real snapshot."""
from __future__ import annotations

import math

import pandas as pd
import pytest

import evidencekit as ek
from evidencekit import compare
from evidencekit.errors import InputError


def test_gap_points_and_ratio_worked_by_hand_with_a_missing_group():
    df = pd.DataFrame({"ref_area": ["A", "A", "A", "B"], "time": ["2019", "2019", "2020", "2019"],
                       "sex": ["SEX_F", "SEX_M", "SEX_F", "SEX_F"], "obs_value": [6.0, 4.0, 9.0, 2.0],
                       "source": ["BA:1", "BA:1", "BA:1", "BA:2"]})
    df.attrs["provenance"] = {"kind": "user", "citation": "Typed."}
    out = compare.gap(df, "sex", "SEX_F", "SEX_M")
    a19 = out[(out["ref_area"] == "A") & (out["time"] == "2019")].iloc[0]
    assert (a19["gap"], a19["ratio"]) == (2.0, 1.5)
    a20 = out[(out["ref_area"] == "A") & (out["time"] == "2020")].iloc[0]
    assert math.isnan(a20["gap"]) and a20["flags"] == "no figure for Men"
    assert out.attrs["groups"]["label_a"] == "Women" and out.attrs["gap_unit"] == ""


def test_gap_refuses_unknown_groups_and_survey_estimates():
    df = pd.DataFrame({"ref_area": ["A"], "time": ["2019"], "sex": ["SEX_F"], "obs_value": [1.0]})
    df.attrs["provenance"] = {"kind": "user", "citation": "Typed."}
    with pytest.raises(InputError, match="not among the sex values"):
        compare.gap(df, "sex", "SEX_F", "SEX_M")
    est = ek.indicators.estimate(ek.microdata.synthetic.load_sample(), "unemployment_rate", by="ilo_sex")
    with pytest.raises(InputError, match="ek.indicators.gap"):
        compare.gap(est, "ilo_sex", "Female", "Male")


def test_real_snapshot_youth_unemployment_women_minus_men():
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=["PHL", "THA"], classif1="AGE_YTHADULT_Y15-24",
                        start=2019, offline=True, labels=True)
    out = compare.gap(df, "sex", "SEX_F", "SEX_M")
    f = df[(df["ref_area"] == "THA") & (df["time"] == "2022") & (df["sex"] == "SEX_F")]["obs_value"].item()
    m = df[(df["ref_area"] == "THA") & (df["time"] == "2022") & (df["sex"] == "SEX_M")]["obs_value"].item()
    row = out[(out["ref_area"] == "THA") & (out["time"] == "2022")].iloc[0]
    assert row["gap"] == pytest.approx(f - m) and row["ratio"] == pytest.approx(f / m)
    assert out.attrs["gap_unit"] == "percentage points"
    assert len(out) == len(df) // 3  # one row per area-year (three sexes each)
