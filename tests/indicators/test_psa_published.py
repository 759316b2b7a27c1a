"""PSA's published November 2022 figures from the real public-use file, through estimate().

Read with B's reader and mapping='psa_lfs_puf' (strata = region, PSU nested in region; see the mapping notes).
Published (PSA release as quoted in ../shared/data/microdata/PROVENANCE.md; docs/indicators.md §7): LFPR 67.5, unemployment rate 4.2, employment
rate 95.8 (= 100 − UR), underemployment 14.4 (PSA concept, mapped to ilo_joball_tru).
"""
from __future__ import annotations

import numpy as np
import pytest

from evidencekit.indicators import estimate, gap
from evidencekit.indicators.definitions import CATALOGUE
from evidencekit.microdata import read

PUF = "microdata/phl_lfs_puf_2022/LFS_PUF_November_2022"


@pytest.fixture(scope="module")
def puf(shared_data):
    return read(shared_data / f"{PUF}.dcf", mapping="psa_lfs_puf")


@pytest.fixture(scope="module")
def headline(puf):
    names = ["labour_force_participation_rate", "unemployment_rate", "time_related_underemployment_rate"]
    return estimate(puf, names).set_index("indicator")


def test_published_rates(headline):
    assert round(headline.loc["labour_force_participation_rate", "estimate"], 1) == 67.5
    assert round(headline.loc["unemployment_rate", "estimate"], 1) == 4.2
    assert round(100 - headline.loc["unemployment_rate", "estimate"], 1) == 95.8
    assert round(headline.loc["time_related_underemployment_rate", "estimate"], 1) == 14.4


def test_standard_errors_with_the_puf_design(puf, headline):
    se = headline["se"].to_numpy()
    assert np.isfinite(se).all() and (se > 0).all()
    assert (se < 1).all()  # a 45 000-person national sample: well under one percentage point
    assert (headline["ci_low"] < headline["estimate"]).all() and (headline["estimate"] < headline["ci_high"]).all()
    # design given, no small cells, no lonely PSUs: the only flag says the figures use PSA's concepts
    assert headline["flags"].eq("NC").all()
    for detail in headline["flags_detail"]:
        assert detail and all(f.startswith("national concept, not the ILO definition: ilo_") and "PSA" in f
                              for f in detail.split("; "))
    assert estimate(puf, "unemployment_rate").attrs["design"]["n_strata"] == 17


def test_by_sex_with_labels(puf):
    out = estimate(puf, "unemployment_rate", by="ilo_sex")
    assert len(out) == 2 and set(out["ilo_sex_code"]) == {1, 2}
    assert out["n_obs"].sum() == estimate(puf, "unemployment_rate")["n_obs"].iloc[0]
    assert np.isfinite(out["se"]).all()


def test_missing_columns_named(puf):
    from evidencekit.errors import InputError
    with pytest.raises(InputError, match=r"lacks the ILO harmonised variable\(s\) ilo_job1_lri_ees \(monthly earnings.*"
                                         r"can give: labour_force_participation_rate.*copy of the mapping 'psa_lfs_puf'"):
        estimate(puf, "mean_monthly_earnings_employees")


def test_against_r_survey_on_the_puf(puf):
    """R svyratio/svyby on the same file and design (r/make_reference.R part "psa"), to 1e-9 relative.
    PSU numbers repeat across regions here, so this checks nest=TRUE against R."""
    from pathlib import Path

    import pandas as pd
    ref = pd.read_csv(Path(__file__).parent / "r" / "reference" / "psa.csv", keep_default_na=False,
                      dtype={"group": str})
    from evidencekit.indicators.estimation import design_of
    assert design_of(puf).df == int(ref.loc[ref.indicator == "degf", "estimate"].iloc[0])
    rows = ref[ref.indicator.isin([c.name for c in CATALOGUE])]
    total_ = estimate(puf, list(dict.fromkeys(rows.indicator))).set_index("indicator")
    by_sex = estimate(puf, list(dict.fromkeys(rows.indicator)), by="ilo_sex")
    for row in rows.itertuples(index=False):
        if row.by:
            out = by_sex[(by_sex.indicator == row.indicator) & (by_sex["ilo_sex_code"].astype(str) == row.group)]
            est, se = out["estimate"].iloc[0], out["se"].iloc[0]
        else:
            est, se = total_.loc[row.indicator, "estimate"], total_.loc[row.indicator, "se"]
        assert est == pytest.approx(float(row.estimate), rel=1e-9)
        assert se == pytest.approx(float(row.se), rel=1e-9)
    # the gap women - men (svyby covmat=TRUE + svycontrast) and the logit intervals (svyciprop) on the PUF
    gap_ref = ref[ref.indicator == "unemployment_rate_gap"].iloc[0]
    g = gap(puf, "unemployment_rate", by="ilo_sex", a=2, b=1)
    assert g["estimate"].iloc[0] == pytest.approx(float(gap_ref.estimate), rel=1e-9)
    assert g["se"].iloc[0] == pytest.approx(float(gap_ref.se), rel=1e-9)
    logit = estimate(puf, "unemployment_rate", by="ilo_sex", ci="logit").set_index("ilo_sex_code")
    for row in ref[ref.indicator.str.startswith("unemployment_rate_logit")].itertuples(index=False):
        col = "ci_low" if row.indicator.endswith("low") else "ci_high"
        assert logit.loc[int(row.group), col] == pytest.approx(float(row.estimate), rel=1e-9)
