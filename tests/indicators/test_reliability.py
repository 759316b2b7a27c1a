"""What a reader sees next to a number: CV, flags short in the table and explained once, intervals kept in 0-100,
provenance for citing it, gaps between groups."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evidencekit import export
from evidencekit.errors import InputError
from evidencekit.indicators import estimate, gap
from evidencekit.microdata import Survey
from evidencekit.microdata.synthetic import load_sample


@pytest.fixture(scope="module")
def s():
    return load_sample()


def codes(flags: str) -> list[str]:
    return [c.strip() for c in flags.split(",") if c.strip()]


def test_cv_is_se_over_the_estimate_and_thresholds_are_arguments(s):
    out = estimate(s, ["unemployment_rate", "mean_monthly_earnings_employees"], by="ilo_sex")
    np.testing.assert_allclose(out["cv"], 100 * out["se"] / out["estimate"], rtol=1e-12)
    assert not out["flags"].str.contains("CV").any()
    strict = estimate(s, "unemployment_rate", by="ilo_sex", cv_caution=1, cv_unreliable=2)
    assert all("CV>2%" in codes(f) for f in strict["flags"])
    assert "above 2%: too unreliable" in strict.attrs["legend"]["CV>2%"] and "ABS" in strict.attrs["legend"]["CV>2%"]
    assert strict.attrs["thresholds"] == {"min_n": 15, "cv_caution": 1, "cv_unreliable": 2}
    mid = estimate(s, "unemployment_rate", by="ilo_sex", cv_caution=5, cv_unreliable=50)
    assert all(codes(f) == ["CV>5%"] for f in mid["flags"])   # only the highest threshold passed is said
    for bad, said in (({"cv_caution": 60}, "cv_caution=60 is above cv_unreliable=50"),
                      ({"cv_unreliable": "50"}, "is not a percentage"), ({"min_n": 2.5}, "min_n=2.5")):
        with pytest.raises(InputError, match=said):
            estimate(s, "unemployment_rate", **bad)
    gap_row = estimate(s, "gender_pay_gap")
    assert np.isnan(gap_row["cv"].iloc[0])     # a difference: no CV


def test_intervals_below_zero_are_flagged_and_logit_stays_inside(s):
    name, by = "share_members_producers_cooperatives", ["region", "ilo_sex"]
    normal = estimate(s, name, by=by)
    below = normal["ci_low"] < 0
    assert below.any(), "the fixture should have a rate whose normal interval dips below 0"
    for flags, neg in zip(normal["flags"], below):
        assert ("CI<0" in codes(flags)) == neg
    assert "cannot be negative" in normal.attrs["legend"]["CI<0"]
    logit = estimate(s, name, by=by, ci="logit")
    ok = logit["estimate"] > 0
    assert ((logit.loc[ok, "ci_low"] > 0) & (logit.loc[ok, "ci_high"] < 100)).all()
    assert not logit["flags"].str.contains("CI<0").any()
    zero = logit[logit["estimate"] == 0]
    assert zero["flags"].map(lambda f: "NOCI" in codes(f)).all() and zero["ci_low"].isna().all()
    np.testing.assert_allclose(logit["estimate"], normal["estimate"], rtol=1e-12)   # same point estimates
    assert logit.attrs["ci"]["method"] == "logit" and logit.attrs["provenance"]["ci_method"] == "logit"


def test_legend_explains_each_code_once_and_flags_detail_keeps_the_rest(s):
    out = estimate(s, ["unemployment_rate", "youth_unemployment_rate"], by=["region", "ilo_sex"], min_n=200)
    present = {c for f in out["flags"] for c in codes(f)}
    assert present and set(out.attrs["legend"]) == present
    assert "fewer than 200 unweighted records" in out.attrs["legend"]["n<200"]
    small = out[out["n_obs"] < 200]
    assert small["flags_detail"].str.contains("small cell: n=").all()


def test_group_codes_outside_the_ilo_codelist_are_flagged_on_their_row(s):
    d = s.data.assign(ilo_sex=s.data["ilo_sex"].astype(float))
    d.loc[d.index[:40], "ilo_sex"] = 9
    out = estimate(Survey(d, weight="ilo_wgt", strata="strata", psu="psu", value_labels=s.value_labels),
                   "labour_force_participation_rate", by="ilo_sex").set_index("ilo_sex_code")
    assert "OCG" in codes(out.loc[9, "flags"]) and "ilo_sex code 9" in out.loc[9, "flags_detail"]
    assert "OCG" not in codes(out.loc[1, "flags"]) and "OCG" not in codes(out.loc[2, "flags"])
    assert "outside the ILO codelist" in out.attrs["legend"]["OCG"]


def test_provenance_travels_with_the_estimate_and_into_exports(s, tmp_path):
    out = estimate(s, "unemployment_rate", by="ilo_sex", level=0.9, ci="t")
    prov = out.attrs["provenance"]
    for key in ("kind", "origin", "dataset", "file", "mapping", "concepts", "design", "level", "ci_method",
                "synthetic", "publisher", "licence", "retrieved_at", "citation"):
        assert key in prov, key
    assert (prov["kind"], prov["origin"], prov["synthetic"], prov["level"], prov["ci_method"]) == \
        ("survey", "microdata", True, 0.9, "t")
    assert prov["design"]["n_psu"] == 288 and prov["design"]["weight"] == "ilo_wgt" and prov["design"]["df"] == 276
    assert prov["citation"].startswith("SYNTHETIC DATA") and "fictional" in prov["citation"]
    path = export.write(out, tmp_path / "u.csv")
    head = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert head[0].startswith("# Citation: SYNTHETIC DATA")
    assert any(line.startswith("# level: 0.9") for line in head)
    assert any(line.startswith("# design.strata: strata") for line in head)
    back = export.read_csv(path)
    np.testing.assert_allclose(back["estimate"], out["estimate"], rtol=1e-12)


def test_a_survey_without_file_or_publisher_says_what_to_add():
    df = pd.DataFrame({"ilo_wap": [1.0] * 4, "ilo_lfs": [1.0, 2, 1, 3], "w": [1.0, 2, 1, 1]})
    prov = estimate(Survey(df, weight="w"), "unemployment_rate").attrs["provenance"]
    assert prov["synthetic"] is False and prov["publisher"] is None and prov["file"] is None
    assert "Publisher and licence not recorded" in prov["citation"]


# ---------------------------------------------------------------------------------------------------- gaps

def test_gap_is_the_difference_with_its_own_uncertainty(s):
    g = gap(s, "unemployment_rate", by="ilo_sex", a="Female", b="Male")      # labels work as well as codes
    row = g.iloc[0]
    assert (row["a"], row["b"], row["unit"]) == (2, 1, "percentage points")
    assert row["estimate"] == pytest.approx(row["estimate_a"] - row["estimate_b"], abs=1e-12)
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    z = row["estimate"] / row["se"]
    assert row["p_value"] == pytest.approx(2 * (1 - __import__("statistics").NormalDist().cdf(abs(z))), rel=1e-9)
    assert "minus" in g.attrs["provenance"]["contrast"] and g.attrs["provenance"]["synthetic"]
    mean = gap(s, "mean_monthly_earnings_employees", by="ilo_sex", a=1, b=2)
    assert mean["unit"].iloc[0].startswith("local currency") and mean["estimate"].iloc[0] > 0
    t = gap(s, "unemployment_rate", ci="t")
    assert t["ci_high"].iloc[0] - t["ci_low"].iloc[0] > row["ci_high"] - row["ci_low"]


def test_gap_flags_name_the_group_they_come_from(s):
    g = gap(s, "youth_unemployment_rate", by="region", a=6, b=1, min_n=285)   # a: 287 records, b: 283
    detail = g["flags_detail"].iloc[0]
    assert codes(g["flags"].iloc[0]) == ["n<285"]
    assert detail == "b (Capital Bay (SYNTHETIC)): small cell: n=283 < 285"


@pytest.mark.parametrize(("kwargs", "said"), [
    ({"a": 3}, r"a=3.*ilo_sex has no such code or label.*choose among: 1 \(Male\), 2 \(Female\)"),
    ({"a": 1, "b": 1}, "a and b are the same group"),
    ({"name": "gender_pay_gap"}, "is itself a gap"),
    ({"ci": "logit"}, "ci='logit' is for a rate"),
    ({"by": ["ilo_sex"]}, "is not one column name"),
    ({"name": ["unemployment_rate"]}, "is not one indicator name"),
])
def test_gap_bad_arguments(s, kwargs, said):
    args = {"name": "unemployment_rate", "by": "ilo_sex", "a": 2, "b": 1, **kwargs}
    with pytest.raises(InputError, match=said):
        gap(s, args.pop("name"), **args)


def test_xlsx_export_carries_survey_design_level_and_legend(s, tmp_path):
    out = estimate(s, "youth_unemployment_rate", by="region", min_n=250, ci="t", level=0.9)
    path = export.write(out, tmp_path / "yu.xlsx")
    about = pd.read_excel(path, sheet_name="about").set_index("field")["value"]
    about = about[~about.index.duplicated()]    # attrs["design"] repeats the provenance's design
    assert about.index[0] == "citation" and about.iloc[0].startswith("SYNTHETIC DATA")
    assert float(about["level"]) == 0.9 and about["ci_method"] == "t" and about["design.psu"] == "psu"
    assert "fewer than 250 unweighted records" in about["legend.n<250"]
    data = pd.read_excel(path, sheet_name="data")
    assert data["flags"].fillna("").str.contains("n<250").any()
