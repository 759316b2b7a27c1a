"""Behaviour of estimate(): flags, edge cases, errors, labels (the numbers themselves: test_r_reference.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evidencekit.errors import EvidenceKitError, InputError
from evidencekit.indicators import catalogue, estimate, mean, ratio
from evidencekit.indicators.definitions import INDICATORS
from evidencekit.microdata import Survey
from evidencekit.microdata.synthetic import load_sample


@pytest.fixture(scope="module")
def s():
    return load_sample()


def test_catalogue_states_every_field():
    cat = catalogue()
    assert len(cat) >= 21 and cat.name.is_unique
    for col in ("label", "unit", "numerator", "denominator", "formula", "universe", "icls", "icls_basis"):
        assert cat[col].astype(str).str.len().gt(0).all(), col
    needed = {"labour_force_participation_rate", "employment_to_population_ratio", "unemployment_rate",
              "youth_unemployment_rate", "time_related_underemployment_rate", "lu2_rate", "lu3_rate", "lu4_rate",
              "youth_neet_rate", "informal_employment_rate", "vulnerable_employment_rate", "share_employees",
              "share_own_account_workers", "share_contributing_family_workers", "share_employers",
              "mean_monthly_earnings_employees", "mean_hourly_earnings_employees", "gender_pay_gap",
              "gender_pay_gap_median", "long_term_unemployment_rate"}
    assert needed <= set(cat.name)
    assert cat.set_index("name").loc["youth_neet_rate", "sdg"] == "8.6.1"


def test_every_indicator_runs_on_the_synthetic_sample(s):
    out = estimate(s, list(INDICATORS))
    assert len(out) == len(INDICATORS)
    assert np.isfinite(out[["estimate", "se", "ci_low", "ci_high"]].to_numpy()).all()
    assert (out["se"] > 0).all() and (out["n_obs"] > 0).all()


def test_close_to_the_synthetic_population_truth(s):
    """The sample estimates sit within 4 SEs of the known population values (manifest.json)."""
    import json
    from importlib.resources import files
    manifest = json.loads(files("evidencekit").joinpath("data/synthetic/manifest.json").read_text())
    truth = {r["indicator"]: r["value"] for r in manifest["population_values"] if r["by"] is None}
    out = estimate(s, [n for n in truth if n in INDICATORS]).set_index("indicator")
    z = (out["estimate"] - pd.Series(truth)).abs() / out["se"]
    assert (z.dropna() < 4).all(), z


def test_by_labels_and_codes_and_ci(s):
    out = estimate(s, "unemployment_rate", by=["ilo_sex", "ilo_geo"])
    assert len(out) == 4
    assert set(out["ilo_sex"]) == {s.value_labels["ilo_sex"][1], s.value_labels["ilo_sex"][2]}
    assert set(out["ilo_geo_code"]) == {1, 2}
    t = estimate(s, "unemployment_rate", ci="t")
    n = estimate(s, "unemployment_rate")
    assert (t["ci_high"] - t["ci_low"]).iloc[0] > (n["ci_high"] - n["ci_low"]).iloc[0]
    wide = estimate(s, "unemployment_rate", level=0.99)
    assert (wide["ci_high"] - wide["ci_low"]).iloc[0] > (n["ci_high"] - n["ci_low"]).iloc[0]


def test_domain_keeps_all_psus(s):
    """A domain's point estimate equals the subset's, but its SE comes from all PSUs (not the subset's)."""
    by = estimate(s, "unemployment_rate", by="ilo_geo").set_index("ilo_geo_code")
    urban = s.data[s.data.ilo_geo == 1]
    sub = estimate(Survey(urban, weight="ilo_wgt", strata="strata", psu="psu"), "unemployment_rate")
    assert by.loc[1, "estimate"] == pytest.approx(sub["estimate"].iloc[0], rel=1e-12)
    assert by.loc[1, "n_obs"] == sub["n_obs"].iloc[0]


def test_empty_domain_and_small_cells(s):
    d = s.data.assign(group=np.where(s.data.ilo_age < 15, "children", np.where(s.data.ilo_age > 90, "old", "rest")))
    sv = Survey(d, weight="ilo_wgt", strata="strata", psu="psu")
    out = estimate(sv, "unemployment_rate", by="group", min_n=50).set_index("group")
    assert np.isnan(out.loc["children", "estimate"]) and out.loc["children", "n_obs"] == 0
    assert out.loc["children", "flags"] == "n=0" and "empty group" in out.loc["children", "flags_detail"]
    assert out.loc["old", "n_obs"] < 50 and "n<50" in out.loc["old", "flags"]
    assert "small cell: n=" in out.loc["old", "flags_detail"]
    assert out.loc["rest", "flags"] == ""
    assert "fewer than 50 unweighted records" in out.attrs["legend"]["n<50"]
    custom = estimate(s, "youth_unemployment_rate", by="ilo_sex", min_n=10_000)
    assert custom["flags"].str.contains("n<10000").all() and custom["flags_detail"].str.contains("small cell: n=").all()


def test_missing_by_values_form_their_own_group(s):
    d = s.data.copy()
    d["region_gap"] = d["region"].astype(float)
    d.loc[d.index[:500], "region_gap"] = np.nan
    sv = Survey(d, weight="ilo_wgt", strata="strata", psu="psu")
    out = estimate(sv, "labour_force_participation_rate", by="region_gap")
    assert out["region_gap"].isna().sum() == 1
    assert out["n_obs"].sum() == estimate(sv, "labour_force_participation_rate")["n_obs"].iloc[0]


def test_no_design_and_no_weights_are_flagged():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"ilo_wap": 1.0, "ilo_lfs": rng.choice([1.0, 2.0, 3.0], 400), "w": rng.uniform(1, 3, 400)})
    out = estimate(Survey(df, weight="w"), "unemployment_rate")
    assert out["flags"].iloc[0] == "ND" and "no design" in out["flags_detail"].iloc[0]
    # weights only = each record its own PSU in one stratum: var = n/(n-1) Σ (w_i z_i − mean)²
    lf = df.ilo_lfs.isin([1, 2]).to_numpy()
    y, x, w = (df.ilo_lfs == 2).to_numpy() & lf, lf.astype(float), df.w.to_numpy()
    R = (w * y).sum() / (w * x).sum()
    z = w * (y - R * x) / (w * x).sum()
    n = len(z)
    assert out["se"].iloc[0] == pytest.approx(100 * np.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum()), rel=1e-12)
    unweighted = estimate(Survey(df), "unemployment_rate")
    assert unweighted["flags"].iloc[0] == "NW, ND" and "no weights" in unweighted["flags_detail"].iloc[0]


def test_errors_are_clear(s):
    with pytest.raises(InputError, match="unemployment_rate"):
        estimate(s, "unemployment_rat")
    df = pd.DataFrame({"ilo_lfs": [1, 2, 3], "w": [1.0, 1.0, 1.0]})
    with pytest.raises(InputError, match=r"lacks the ILO harmonised variable\(s\) ilo_wap.*mapping init"):
        estimate(Survey(df, weight="w"), "labour_force_participation_rate")
    with pytest.raises(InputError, match=r"ilo_wap \(working-age population.*ilo_age: '>= 15'"):
        estimate(Survey(df, weight="w"), "unemployment_rate")   # every universe is within ilo_wap == 1
    # several indicators: one message naming each missing variable with the indicators that need it
    with pytest.raises(InputError, match=r"ilo_wap \(.*needed by unemployment_rate, lu3_rate\); ilo_olf_dlma \(.*"
                                         r"needed by lu3_rate\)"):
        estimate(Survey(df, weight="w"), ["unemployment_rate", "lu3_rate"])
    bad = pd.DataFrame({"ilo_wap": [1, 1, 1], "ilo_lfs": ["employed", "2", "3"]})
    with pytest.raises(InputError, match="'ilo_lfs' holds text that is not a number"):
        estimate(Survey(bad), "unemployment_rate")
    with pytest.raises(EvidenceKitError, match="nosuch"):
        estimate(s, "unemployment_rate", by="nosuch")
    with pytest.raises(InputError, match="lonely_psu"):
        estimate(s, "unemployment_rate", lonely_psu="drop")
    with pytest.raises(InputError, match="ci='wald' is not known"):
        estimate(s, "unemployment_rate", ci="wald")
    with pytest.raises(InputError, match="ci='logit' keeps a rate's interval within 0-100.*not a rate"):
        estimate(s, "mean_monthly_earnings_employees", ci="logit")
    with pytest.raises(InputError, match="cannot be split by ilo_sex"):
        estimate(s, "gender_pay_gap", by="ilo_sex")
    with pytest.raises(InputError, match="not a Survey"):
        estimate(s.data, "unemployment_rate")


def test_missing_codes_in_the_numerator_are_flagged(s):
    d = s.data.copy()
    unemployed = np.flatnonzero((d.ilo_lfs == 2).to_numpy())
    d.loc[d.index[unemployed[:25]], "ilo_dur_aggregate"] = np.nan
    out = estimate(Survey(d, weight="ilo_wgt", strata="strata", psu="psu"), "long_term_unemployment_rate")
    assert "25 records have no ilo_dur_aggregate" in out["flags_detail"].iloc[0] and out["flags"].iloc[0] == "MV"
    assert estimate(s, "time_related_underemployment_rate")["flags"].iloc[0] == ""  # 1/missing dummy: no flag


def test_mean_na_rm_and_ratio(s):
    d = s.data.copy()
    ees = np.flatnonzero(((d.ilo_lfs == 1) & (d.ilo_job1_ste_aggregate == 1)).to_numpy())
    d.loc[d.index[ees[:40]], "ilo_job1_lri_ees"] = np.nan
    sv = Survey(d, weight="ilo_wgt", strata="strata", psu="psu")
    out = estimate(sv, "mean_monthly_earnings_employees")
    assert out["n_obs"].iloc[0] == len(ees) - 40
    assert "40 records of the universe have no valid value" in out["flags_detail"].iloc[0] and out["flags"].iloc[0] == "MV"
    m = mean(Survey(d[d.ilo_lfs.eq(1) & d.ilo_job1_ste_aggregate.eq(1)], weight="ilo_wgt"), "ilo_job1_lri_ees")
    assert m["estimate"].iloc[0] == pytest.approx(out["estimate"].iloc[0], rel=1e-12)
    r = ratio(sv, "ilo_job1_lri_ees", "ilo_wgt")
    assert r["n_obs"].iloc[0] == d["ilo_job1_lri_ees"].notna().sum()


def test_gap_with_a_group_without_women(s):
    d = s.data.assign(part=np.where(s.data.ilo_sex.eq(1) & s.data.ilo_geo.eq(2), "rural men",
                                    np.where(s.data.ilo_geo.eq(1), "urban", "rural women")))
    sv = Survey(d, weight="ilo_wgt", strata="strata", psu="psu")
    for name in ("gender_pay_gap", "gender_pay_gap_median"):
        out = estimate(sv, name, by="part").set_index("part")
        assert np.isnan(out.loc["rural men", "estimate"]) and "no gap" in out.loc["rural men", "flags_detail"]
        assert "NOEST" in out.loc["rural men", "flags"]
        assert np.isfinite(out.loc["urban", ["estimate", "se"]].astype(float)).all()


def test_lonely_psu_rules_run_on_indicators(s):
    d = s.data.copy()
    d.loc[d.strata == 1, "psu"] = d.loc[d.strata == 1, "psu"].min()   # stratum 1 now has one PSU
    sv = Survey(d, weight="ilo_wgt", strata="strata", psu="psu")
    with pytest.raises(InputError, match="single PSU"):
        estimate(sv, "unemployment_rate")
    ses = {rule: estimate(sv, "unemployment_rate", lonely_psu=rule)["se"].iloc[0]
           for rule in ("remove", "certainty", "adjust", "average")}
    assert ses["remove"] == ses["certainty"] < ses["average"]
    removed = estimate(sv, "unemployment_rate", lonely_psu="remove")
    assert removed["flags"].iloc[0] == "LP" and "lonely PSU" in removed["flags_detail"].iloc[0]


def test_invariant_to_row_order_psu_labels_and_weight_scale(s):
    base = estimate(s, ["unemployment_rate", "mean_hourly_earnings_employees"], by="ilo_sex")
    d = s.data.sample(frac=1.0, random_state=3).reset_index(drop=True)
    d["psu"] = d["psu"] * 7 + 1000          # other PSU codes, same partition
    d["ilo_wgt"] = d["ilo_wgt"] * 2.5       # rates and means do not depend on the weights' scale
    moved = estimate(Survey(d, weight="ilo_wgt", strata="strata", psu="psu", value_labels=s.value_labels),
                     ["unemployment_rate", "mean_hourly_earnings_employees"], by="ilo_sex")
    for col in ("estimate", "se"):
        np.testing.assert_allclose(moved[col], base[col], rtol=1e-10)
    assert moved["n_obs"].tolist() == base["n_obs"].tolist()


def test_attrs_carry_design_ci_and_icls_basis(s):
    out = estimate(s, ["unemployment_rate", "lu3_rate"], ci="t")
    assert out.attrs["design"]["n_psu"] == 288 and out.attrs["design"]["n_strata"] == 12
    assert out.attrs["ci"] == {"method": "t", "level": 0.95, "df": 276}
    assert "19th ICLS" in out.attrs["icls_basis"]["lu3_rate"]


def test_median_gap_without_a_woodruff_interval_says_so(s):
    d = s.data.copy()
    ees = ((d.ilo_lfs == 1) & (d.ilo_job1_ste_aggregate == 1)).to_numpy()
    d["tiny"] = np.where(ees & d.psu.isin([1, 2, 3, 30, 31]).to_numpy(), "few", "many")  # 24 employees, one stratum
    out = estimate(Survey(d, weight="ilo_wgt", strata="strata", psu="psu"), "gender_pay_gap_median", by="tiny")
    few = out.set_index("tiny").loc["few"]
    assert np.isfinite(few["estimate"]) and np.isnan(few["se"])
    assert "no standard error" in few["flags_detail"] and "NOSE" in few["flags"]
    assert np.isfinite(out.set_index("tiny").loc["many", "se"])


@pytest.mark.parametrize(("kwargs", "said"), [
    ({"name": None}, "None is not an indicator name"),
    ({"name": 5}, "5 is not an indicator name"),
    ({"name": []}, r"\[\] is not an indicator name"),
    ({"level": 95}, r"level=95 is not between 0 and 1.*use level=0\.95 \(a share, not a percent\)"),
    ({"level": "0.95"}, "level='0.95' is not a number"),
    ({"level": None}, "level=None is not a number"),
    ({"min_n": "15"}, "min_n='15' is not a whole number"),
    ({"min_n": -1}, "min_n=-1 is not a whole number"),
    ({"by": 3}, "Estimating by 3: there is no such column"),
])
def test_bad_arguments_are_input_errors(s, kwargs, said):
    args = {"name": "unemployment_rate", **kwargs}
    with pytest.raises(InputError, match=said):
        estimate(s, args.pop("name"), **args)


def test_by_column_all_missing_and_empty_survey_are_errors(s):
    sv = Survey(s.data.assign(blank=np.nan), weight="ilo_wgt", strata="strata", psu="psu")
    with pytest.raises(InputError, match=r"by 'blank': the column is missing for all 35061 records"):
        estimate(sv, "unemployment_rate", by="blank")
    with pytest.raises(InputError, match="by 'blank'"):
        ratio(sv, "ilo_wgt", "ilo_wgt", by="blank")
    with pytest.raises(InputError, match="has no records"):
        estimate(Survey(s.data.iloc[:0], weight="ilo_wgt", strata="strata", psu="psu", source="lfs.csv"),
                 "unemployment_rate", by="ilo_sex")


def test_codes_outside_the_ilo_codelist_are_flagged(s):
    d = s.data.copy()
    d["ilo_lfs"] = d["ilo_lfs"].astype(float)
    d.loc[d.index[:3], "ilo_lfs"] = 7
    d.loc[d.index[3:5], "ilo_lfs"] = 9
    out = estimate(Survey(d, weight="ilo_wgt", strata="strata", psu="psu"), "labour_force_participation_rate")
    assert "5 records have ilo_lfs codes outside the ILO codelist (7, 9)" in out["flags_detail"].iloc[0]
    assert out["flags"].iloc[0] == "OC"
    d = s.data.assign(ilo_wap=s.data["ilo_wap"].fillna(0))   # 0 for 'no' in a 1/missing dummy is not flagged
    assert estimate(Survey(d, weight="ilo_wgt", strata="strata", psu="psu"),
                    "labour_force_participation_rate")["flags"].iloc[0] == ""


def test_negative_earnings_and_impossible_hours_are_flagged(s):
    d = s.data.copy()
    ees = np.flatnonzero(((d.ilo_lfs == 1) & (d.ilo_job1_ste_aggregate == 1)).to_numpy())
    d.loc[d.index[ees[:5]], "ilo_job1_lri_ees"] = -100.0
    d.loc[d.index[ees[5:7]], "ilo_job1_how_usual"] = 999
    sv = Survey(d, weight="ilo_wgt", strata="strata", psu="psu")
    out = estimate(sv, ["mean_monthly_earnings_employees", "mean_hourly_earnings_employees"])
    assert out["flags"].tolist() == ["VAL", "VAL"]
    flags = out["flags_detail"].tolist()
    assert "5 records have a negative ilo_job1_lri_ees" in flags[0] and "168" not in flags[0]
    assert "2 records have ilo_job1_how_usual above 168 hours a week (max 999" in flags[1]


def test_text_with_decimal_commas_says_how_to_fix(s):
    d = s.data.assign(ilo_job1_lri_ees=s.data["ilo_job1_lri_ees"].map(lambda v: f"{v:.1f}".replace(".", ","),
                                                                       na_action="ignore"))
    with pytest.raises(InputError, match=r"ilo_job1_lri_ees.*holds text.*decimal comma"):
        estimate(Survey(d, weight="ilo_wgt"), "mean_monthly_earnings_employees")
