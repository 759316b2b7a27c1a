"""Our estimates and SEs against R `survey` 4.1.1, to 1e-9 relative (references from r/make_reference.R)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evidencekit.indicators import estimate, mean, quantile, ratio, total
from evidencekit.indicators.definitions import CATALOGUE
from evidencekit.indicators.estimation import design_of
from evidencekit.microdata import Survey
from evidencekit.microdata.synthetic import load_sample

REF = Path(__file__).parent / "r" / "reference"
RTOL = 1e-9


def close(ours, theirs, rtol=RTOL):
    ours, theirs = float(ours), float(theirs)
    assert ours == pytest.approx(theirs, rel=rtol, abs=1e-12), (ours, theirs)


def api_frame(shared_data, name: str) -> pd.DataFrame:
    return pd.read_csv(shared_data / "microdata" / "r_survey_api" / f"{name}.csv")


@pytest.fixture(scope="module")
def api_surveys(shared_data):
    strat, clus1, clus2 = (api_frame(shared_data, n) for n in ("apistrat", "apiclus1", "apiclus2"))
    return {
        "dstrat_fpc": dict(data=strat, weight="pw", strata="stype", fpc="fpc"),
        "dstrat": dict(data=strat, weight="pw", strata="stype"),
        "dclus1_fpc": dict(data=clus1, weight="pw", psu="dnum", fpc="fpc"),
        "dclus1": dict(data=clus1, weight="pw", psu="dnum"),
        "dclus2": dict(data=clus2, weight="pw", psu="dnum"),
        "dcounty": dict(data=strat, weight="pw", strata="cname", psu="dnum"),
    }


API = pd.read_csv(REF / "api.csv", keep_default_na=False, dtype=str)


def _ours(s: Survey, row, lonely: str) -> tuple[float, float]:
    by = row.by or None
    kw = dict(by=by, lonely_psu=lonely)
    if row.statistic == "degf":
        return design_of(s).df, np.nan
    if row.statistic == "quantile":
        out = quantile(s, row.variable, float(row.group))
        return out["estimate"].iloc[0], out["se"].iloc[0]
    if row.statistic == "mean":
        out = mean(s, row.variable, **kw)
    elif row.statistic == "total":
        out = total(s, row.variable, **kw)
    elif row.statistic == "ratio":
        out = ratio(s, row.variable, row.denominator, **kw)
    else:
        out = ratio(s, row.variable, row.denominator, ci="t" if row.statistic.endswith("_t") else "normal", **kw)
        return out["ci_low"].iloc[0], out["ci_high"].iloc[0]
    if by:
        out = out[out[by].astype(str) == row.group]
        assert len(out) == 1, row
    return out["estimate"].iloc[0], out["se"].iloc[0]


@pytest.mark.parametrize("row", list(API.itertuples(index=False)),
                         ids=[f"{r.design}-{r.lonely}-{r.statistic}-{r.variable}-{r.by}{r.group}" for r in
                              API.itertuples(index=False)])
def test_api_against_r(api_surveys, row):
    s = Survey(**api_surveys[row.design])
    est, se = _ours(s, row, row.lonely)
    close(est, row.estimate)
    if row.se != "NA":
        close(se, row.se)


def test_api_reference_covers_the_doc_table():
    """The R `survey` documentation's printed digits (the research note's table, kept in ../shared/docs) agree with the committed R output (guards the reference itself)."""
    r = API.set_index(["design", "lonely", "statistic", "variable", "by", "group"])
    assert float(r.loc[("dclus1_fpc", "fail", "ratio", "api.stu", "", ""), "se"]) == pytest.approx(0.008386297169)
    assert float(r.loc[("dclus1", "fail", "ratio", "api.stu", "", ""), "se"]) == pytest.approx(0.008470640195)
    assert float(r.loc[("dstrat_fpc", "fail", "mean", "api00", "", ""), "se"]) == pytest.approx(9.40894, rel=1e-6)
    assert float(r.loc[("dclus2", "fail", "ratio", "api.stu", "", ""), "estimate"]) == pytest.approx(0.8197370421)


def test_lonely_psu_default_fails_and_names_the_strata(api_surveys):
    from evidencekit.errors import InputError
    s = Survey(**api_surveys["dcounty"])
    with pytest.raises(InputError, match="single PSU.*lonely_psu="):
        mean(s, "api00")


SYN = pd.read_csv(REF / "synthetic.csv", keep_default_na=False, dtype={"group": str})


@pytest.fixture(scope="module")
def synthetic():
    return load_sample()


@pytest.fixture(scope="module")
def ours_synthetic(synthetic):
    names = list(dict.fromkeys(SYN.indicator))
    rate_names = [n for n in names if n != "gender_pay_gap"]
    total_ = estimate(synthetic, rate_names)
    by_sex = estimate(synthetic, rate_names, by="ilo_sex")
    gap = estimate(synthetic, "gender_pay_gap")
    gap_geo = estimate(synthetic, "gender_pay_gap", by="ilo_geo")
    two = estimate(synthetic, list(dict.fromkeys(SYN.indicator[SYN.by == "ilo_sex+ilo_geo"])), by=["ilo_sex", "ilo_geo"])
    two["key"] = two["ilo_sex_code"].astype(str) + "|" + two["ilo_geo_code"].astype(str)
    return total_, by_sex, gap, gap_geo, two


def test_synthetic_reference_covers_the_catalogue():
    from evidencekit.indicators import catalogue
    wanted = set(catalogue().name) - {"gender_pay_gap_median"}  # medians: test_synthetic_medians_against_r
    assert wanted <= set(SYN.indicator)


@pytest.mark.parametrize("row", list(SYN.itertuples(index=False)),
                         ids=[f"{r.indicator}-{r.by}{r.group}" for r in SYN.itertuples(index=False)])
def test_synthetic_against_r(ours_synthetic, row):
    total_, by_sex, gap, gap_geo, two = ours_synthetic
    if row.by == "ilo_sex+ilo_geo":
        out = two[(two.indicator == row.indicator) & (two.key == row.group)]
    elif row.indicator == "gender_pay_gap":
        out = gap if not row.by else gap_geo[gap_geo["ilo_geo_code"].astype(str) == row.group]
    elif not row.by:
        out = total_[total_.indicator == row.indicator]
    else:
        out = by_sex[(by_sex.indicator == row.indicator) & (by_sex["ilo_sex_code"].astype(str) == row.group)]
    assert len(out) == 1
    close(out["estimate"].iloc[0], row.estimate)
    close(out["se"].iloc[0], row.se)
    assert int(out["n_obs"].iloc[0]) == int(row.n_obs)


def test_synthetic_universe_against_r(synthetic):
    """R (make_reference.R, its own definitions) on the sample with ilo_wap blanked for every 7th person while
    their ilo_lfs stays filled: both leave those persons out of every universe (to 1e-9)."""
    ref = pd.read_csv(REF / "synthetic_universe.csv")
    d = synthetic.data.copy()
    d.loc[(d["ilo_key"] % 7 == 0).to_numpy(), "ilo_wap"] = np.nan
    out = estimate(Survey(d, weight="ilo_wgt", strata="strata", psu="psu"), list(ref.indicator)).set_index("indicator")
    assert set(ref.indicator) == {n for n, k in ((c.name, c.kind) for c in CATALOGUE) if k in ("rate", "mean")}
    for row in ref.itertuples(index=False):
        close(out.loc[row.indicator, "estimate"], row.estimate)
        close(out.loc[row.indicator, "se"], row.se)
        assert int(out.loc[row.indicator, "n_obs"]) == int(row.n_obs)


def test_synthetic_medians_against_r(synthetic):
    ref = pd.read_csv(REF / "synthetic_quantiles.csv")
    d = synthetic.data
    hourly = d["ilo_job1_lri_ees"] / (d["ilo_job1_how_usual"] * 52 / 12)
    ees = (d["ilo_lfs"] == 1) & (d["ilo_job1_ste_aggregate"] == 1)
    s = Survey(d.assign(hourly=hourly.where(ees)), weight="ilo_wgt", strata="strata", psu="psu")
    ours = quantile(s, "hourly", 0.5, by="ilo_sex").set_index("ilo_sex")
    for row in ref.itertuples(index=False):
        close(ours.loc[row.ilo_sex, "estimate"], row.quantile)
        close(ours.loc[row.ilo_sex, "ci_low"], row.ci_low)
        close(ours.loc[row.ilo_sex, "ci_high"], row.ci_high)
        close(ours.loc[row.ilo_sex, "se"], row.se)
    gap = estimate(synthetic, "gender_pay_gap_median")
    m, f = (float(ref.loc[ref.ilo_sex == k, "quantile"].iloc[0]) for k in (1, 2))
    close(gap["estimate"].iloc[0], 100 * (m - f) / m)
    assert 0 < gap["se"].iloc[0] < 10


LOGIT = pd.read_csv(REF / "synthetic_logit.csv", keep_default_na=False, dtype={"group": str})


@pytest.fixture(scope="module")
def ours_logit(synthetic):
    out = {}
    for (name, by, level), _ in LOGIT.groupby(["indicator", "by", "level"], sort=False):
        res = estimate(synthetic, name, by=by or None, level=level, ci="logit")
        if by:
            res = res.assign(key=res[f"{by}_code"].astype(str) if f"{by}_code" in res else res[by].astype(str))
        out[(name, by, level)] = res
    return out


@pytest.mark.parametrize("row", list(LOGIT.itertuples(index=False)),
                         ids=[f"{r.indicator}-{r.by}{r.group}-{r.level}" for r in LOGIT.itertuples(index=False)])
def test_logit_intervals_against_r_svyciprop(ours_logit, synthetic, row):
    """estimate(ci="logit") = R svyciprop(~I(y == 1), subset(design, x == 1), method="logit") and its svyby, whose
    t quantile uses degf() of the domain's design (PSUs with records of the domain minus their strata): to 1e-9
    against svyciprop's own steps run with a converged glm, to 1e-7 against svyciprop as it stops (glm's default
    convergence, deviance change 1e-8; make_reference.R)."""
    out = ours_logit[(row.indicator, row.by, row.level)]
    if row.by:
        out = out[out.key == row.group]
    assert len(out) == 1
    close(out["estimate"].iloc[0], row.estimate)
    close(out["ci_low"].iloc[0], row.ci_low)
    close(out["ci_high"].iloc[0], row.ci_high)
    close(out["ci_low"].iloc[0], row.svyciprop_low, rtol=1e-7)
    close(out["ci_high"].iloc[0], row.svyciprop_high, rtol=1e-7)
    assert 0 < out["ci_low"].iloc[0] < out["estimate"].iloc[0] < out["ci_high"].iloc[0] < 100


def test_domain_degrees_of_freedom_are_rs(synthetic):
    """The df R's svyciprop uses in a domain: PSUs holding records of (universe & group) minus their strata."""
    from evidencekit.indicators.compute import _compute
    from evidencekit.indicators.definitions import INDICATORS
    from evidencekit.indicators.estimation import domains
    for (name, by), ref in LOGIT[LOGIT.level == 0.95].groupby(["indicator", "by"], sort=False):
        group, groups = domains(synthetic, by or None)
        parts = _compute(synthetic, INDICATORS[name], design_of(synthetic), group, groups, 0.95, "fail")
        df = parts.ratio.domain_df(design_of(synthetic))
        keys = groups[by].astype(str).tolist() if by else [""]
        assert dict(zip(keys, df.tolist())) == dict(zip(ref.group, ref.df.astype(int))), (name, by)


GAPS = pd.read_csv(REF / "synthetic_gap.csv", dtype={"a": str, "b": str})


@pytest.mark.parametrize("row", list(GAPS.itertuples(index=False)),
                         ids=[f"{r.indicator}-{r.by}-{r.a}-{r.b}" for r in GAPS.itertuples(index=False)])
def test_gaps_against_r_svycontrast(synthetic, row):
    """gap() = R svyby(..., svyratio, covmat=TRUE) + svycontrast of the two groups, to 1e-9."""
    from evidencekit.indicators import gap
    out = gap(synthetic, row.indicator, by=row.by, a=int(row.a), b=int(row.b))
    close(out["estimate"].iloc[0], row.estimate)
    close(out["se"].iloc[0], row.se)
    # groups sharing PSUs (sex, age) are correlated: the SE is not that of two independent estimates; groups in
    # different strata (area, region: the strata are region x area) are not, and the two SEs agree
    both = estimate(synthetic, row.indicator, by=row.by)
    both = both.set_index(f"{row.by}_code" if f"{row.by}_code" in both else row.by)
    independent = np.hypot(both.loc[int(row.a), "se"], both.loc[int(row.b), "se"])
    if row.by in ("ilo_geo", "region"):
        close(out["se"].iloc[0], independent, rtol=1e-12)
    else:
        assert abs(out["se"].iloc[0] - independent) > 1e-3 * independent
