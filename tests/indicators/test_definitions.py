"""The catalogue's universes and codes against docs/indicators.md §1-§3 and ILO's tabulation rules.

The universe rule: ILO's tabulation programs count every labour force status within the working-age population
only (``iloMicro`` ``C.4.1 DRY.do``: ``ilo_lfs==2 & ilo_wap==1``; ``D.7 NEET share.do``: NEET over
``POP_XWAP`` aged 15-24), and docs/indicators.md §1.2 says to filter by universe, not by non-missingness. A file can
carry ``ilo_lfs`` outside its ``ilo_wap`` (a national 10+ survey; overseas workers kept with a status, as a
mapping whose working-age population is PSA's may): those persons must count in no indicator.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evidencekit.indicators import estimate
from evidencekit.indicators.definitions import CATALOGUE, INDICATORS
from evidencekit.microdata import Survey
from evidencekit.microdata.synthetic import load_sample

LABOUR = ("ilo_lfs", "ilo_olf_", "ilo_job1_", "ilo_joball_", "ilo_dur_", "ilo_cat_une", "ilo_dis", "ilo_neet",
          "ilo_edu_attendance")


@pytest.fixture(scope="module")
def outside_wap():
    """The SYNTHETIC sample with ilo_wap blanked for every 7th person (labour variables kept), and the same
    records with their labour variables blanked too (what an ILO do-file would have written)."""
    d = load_sample().data.copy()
    off = (d["ilo_key"] % 7 == 0).to_numpy() & d["ilo_wap"].eq(1).to_numpy()
    kept = d.copy()
    kept.loc[off, "ilo_wap"] = np.nan
    blank = kept.copy()
    cols = [c for c in d.columns if c.startswith(LABOUR)]
    blank.loc[off, cols] = np.nan
    def survey(x):
        return Survey(x, weight="ilo_wgt", strata="strata", psu="psu")
    return survey(kept), survey(blank), off


def test_every_universe_is_within_the_working_age_population():
    for d in CATALOGUE:
        for cond in (*d.universe, *d.numerator):
            assert cond.get("ilo_wap") == [1], (d.name, cond)


def test_a_status_outside_ilo_wap_counts_nowhere(outside_wap):
    kept, blank, off = outside_wap
    assert off.sum() > 3000 and kept.data.loc[off, "ilo_lfs"].notna().all()
    names = list(INDICATORS)
    a = estimate(kept, names).set_index("indicator")
    b = estimate(blank, names).set_index("indicator")
    for name in names:
        assert a.loc[name, "estimate"] == pytest.approx(b.loc[name, "estimate"], rel=1e-12), name
        assert a.loc[name, "se"] == pytest.approx(b.loc[name, "se"], rel=1e-12), name
        assert a.loc[name, "n_obs"] == b.loc[name, "n_obs"], name


def test_unemployment_and_neet_by_hand(outside_wap):
    kept, _, off = outside_wap
    d = kept.data
    w = d["ilo_wgt"].to_numpy()
    wap = d["ilo_wap"].eq(1).to_numpy()
    lfs = d["ilo_lfs"].to_numpy()
    youth = wap & d["ilo_age_aggregate"].eq(2).to_numpy()
    lf = wap & np.isin(lfs, [1, 2])
    ur = 100 * w[lf & (lfs == 2)].sum() / w[lf].sum()
    neet = youth & np.isin(lfs, [2, 3]) & d["ilo_edu_attendance"].eq(2).to_numpy()
    neet_rate = 100 * w[neet].sum() / w[youth].sum()
    out = estimate(kept, ["unemployment_rate", "youth_neet_rate"]).set_index("indicator")
    assert out.loc["unemployment_rate", "estimate"] == pytest.approx(ur, rel=1e-12)
    assert out.loc["youth_neet_rate", "estimate"] == pytest.approx(neet_rate, rel=1e-12)
    assert out.loc["youth_neet_rate", "n_obs"] == youth.sum()
    # the persons left out were 15-24-year-olds with a status too: the rule changes the figures here
    assert (off & d["ilo_age_aggregate"].eq(2).to_numpy()).sum() > 500
    everyone = np.isin(lfs, [1, 2])
    assert abs(ur - 100 * w[everyone & (lfs == 2)].sum() / w[everyone].sum()) > 1e-6


def test_codes_follow_indicators_md():
    """§1.5/§2.3 codes: PLF = ilo_olf_dlma 1-2 outside the labour force; LU3/LU4 over the extended labour force;
    NEET = not employed and not attending; vulnerable = ICSE-93 3 and 5; long-term = ilo_dur_aggregate 3."""
    def codes(cond, col):
        return sorted({c for part in cond for c in part.get(col, [])})
    lu3, lu4 = INDICATORS["lu3_rate"], INDICATORS["lu4_rate"]
    assert lu3.universe == lu4.universe and codes(lu3.universe, "ilo_lfs") == [1, 2, 3]
    assert [p for p in lu3.universe if p.get("ilo_lfs") == [3]] == [{"ilo_wap": [1], "ilo_lfs": [3],
                                                                      "ilo_olf_dlma": [1, 2]}]
    assert codes(INDICATORS["lu2_rate"].universe, "ilo_lfs") == [1, 2]
    assert codes(INDICATORS["time_related_underemployment_rate"].universe, "ilo_lfs") == [1]
    neet = INDICATORS["youth_neet_rate"]
    assert neet.numerator == [{"ilo_wap": [1], "ilo_age_aggregate": [2], "ilo_lfs": [2, 3], "ilo_edu_attendance": [2]}]
    assert INDICATORS["vulnerable_employment_rate"].numerator[0]["ilo_job1_ste_icse93"] == [3, 5]
    ltu = INDICATORS["long_term_unemployment_rate"]
    assert ltu.numerator == [{"ilo_wap": [1], "ilo_lfs": [2], "ilo_dur_aggregate": [3]}]
    assert codes(ltu.universe, "ilo_lfs") == [1, 2]
    for name, code in (("share_employees", 1), ("share_employers", 2), ("share_own_account_workers", 3),
                       ("share_members_producers_cooperatives", 4), ("share_contributing_family_workers", 5)):
        assert INDICATORS[name].numerator[0]["ilo_job1_ste_icse93"] == [code]


def test_pay_gap_sign_is_men_minus_women_over_men():
    """§1.9: GPG = (AHE_men − AHE_women) / AHE_men × 100, positive when women earn less."""
    df = pd.DataFrame({"ilo_wap": 1, "ilo_lfs": 1, "ilo_job1_ste_aggregate": 1, "ilo_sex": [1, 1, 2, 2],
                       "ilo_job1_lri_ees": [5200.0, 2600.0, 2600.0, 1300.0], "ilo_job1_how_usual": [40.0, 20, 40, 20]})
    out = estimate(Survey(df), ["mean_hourly_earnings_employees", "gender_pay_gap"]).set_index("indicator")
    assert out.loc["mean_hourly_earnings_employees", "estimate"] == pytest.approx(
        np.mean([5200 / (40 * 52 / 12), 2600 / (20 * 52 / 12), 2600 / (40 * 52 / 12), 1300 / (20 * 52 / 12)]))
    men, women = 5200 / (40 * 52 / 12), 2600 / (40 * 52 / 12)
    assert out.loc["gender_pay_gap", "estimate"] == pytest.approx(100 * (men - women) / men)
    assert out.loc["gender_pay_gap", "estimate"] == pytest.approx(50.0)


def test_not_elsewhere_classified_codes_in_a_numerator_are_flagged():
    """§1.6: youth with unknown attendance (ilo_edu_attendance 3) silently drop out of the NEET numerator unless
    said; likewise unemployed with unknown duration (ilo_dur_aggregate 4) in the long-term unemployment rate."""
    s = load_sample()
    d = s.data.copy()
    youth_out = np.flatnonzero((d.ilo_age_aggregate.eq(2) & d.ilo_lfs.isin([2, 3]) & d.ilo_wap.eq(1)).to_numpy())
    d.loc[d.index[youth_out[:40]], "ilo_edu_attendance"] = 3
    unemployed = np.flatnonzero(d.ilo_lfs.eq(2).to_numpy())
    d.loc[d.index[unemployed[:12]], "ilo_dur_aggregate"] = 4
    out = estimate(Survey(d, weight="ilo_wgt", strata="strata", psu="psu"),
                   ["youth_neet_rate", "long_term_unemployment_rate"]).set_index("indicator")
    assert "40 records have ilo_edu_attendance 3 (Not elsewhere classified): counted as not in the numerator" \
        in out.loc["youth_neet_rate", "flags_detail"]
    assert "12 records have ilo_dur_aggregate 4 (Not elsewhere classified)" in out.loc["long_term_unemployment_rate",
                                                                                         "flags_detail"]
    assert out.loc["youth_neet_rate", "flags"] == "MV" and "MV" in out.attrs["legend"]
    clean = estimate(s, ["youth_neet_rate", "long_term_unemployment_rate"])
    assert clean["flags"].eq("").all() and clean["flags_detail"].eq("").all() and clean.attrs["legend"] == {}


def test_the_reference_page_covers_every_indicator_and_flag():
    """docs/indicators.md is what docstrings point to: every indicator and every flag code is explained there."""
    from pathlib import Path

    from evidencekit.indicators.reliability import FIXED, Thresholds
    page = (Path(__file__).resolve().parents[2] / "docs" / "indicators.md").read_text(encoding="utf-8")
    for d in CATALOGUE:
        assert f"`{d.name}`" in page, d.name
    t = Thresholds()
    for code in [*FIXED, t.small, t.caution, t.unreliable, "DUP"]:
        assert f"`{code}`" in page, code
