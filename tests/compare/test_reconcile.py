"""compare.reconcile: real cases — PSA's national figures vs ILOSTAT's harmonised series and the PSA public-use
file; two ILOSTAT informality series of two releases; one ILOSTAT series that changes source."""
from __future__ import annotations

import pytest

import evidencekit as ek
from evidencekit import compare
from evidencekit.errors import InputError

PSA = "Philippine Statistics Authority (PSA), Labor Force Survey"
# PSA's published annual unemployment rates (national definition), as a participant types them from the release.
PSA_ANNUAL = [{"time": 2019, "value": 5.1, "source": PSA, "label": "PSA annual", "coverage": "household population 15+",
               "definition": "PSA national definition", "period": "average of the four quarterly rounds"},
              {"time": 2020, "value": 10.3, "source": PSA, "label": "PSA annual", "coverage": "household population 15+",
               "definition": "PSA national definition", "period": "average of the four quarterly rounds"}]


@pytest.fixture(scope="module")
def phl_ilostat():
    return ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="SEX_T", classif1="AGE_YTHADULT_YGE15",
                          start=2019, end=2021, offline=True, labels=True)


@pytest.fixture(scope="module")
def phl_estimate(shared_data):
    s = ek.microdata.read(shared_data / "microdata/phl_lfs_puf_2022/LFS_PUF_November_2022.dcf", mapping="psa_lfs_puf")
    return ek.indicators.estimate(s, "unemployment_rate")


def test_phl_ilostat_harmonised_vs_psa_national(phl_ilostat):
    rec = compare.reconcile(phl_ilostat, national=PSA_ANNUAL, rule="ilostat_best")
    t = rec.to_frame()
    ilo = t[t["kind"] == "ilostat"].set_index("time")["value"]
    assert round(ilo["2019"], 1) == 2.2 and round(ilo["2020"], 1) == 2.5   # the data, not typed in
    d = rec.differences
    val = d[(d["aspect"] == "value") & (d["time"] == "2020")]["detail"].item()
    assert f"{10.3 - ilo['2020']:.1f} percentage points apart" in val
    # why: derived from ILOSTAT's 'Repository: ILO-STATISTICS - Micro data processing' note and the typed definition
    assert set(d.loc[d["time"] == "2019", "aspect"]) >= {"value", "definition", "computed by"}
    assert "ILO harmonised definition" in d[(d["aspect"] == "definition") & (d["time"] == "2019")]["detail"].item()
    assert "the ILO, from the survey's microdata" in t.loc[t["kind"] == "ilostat", "computed_by"].iloc[0]
    # same period type (whole years) and same age band (15+): no period or coverage difference is claimed
    assert not d["aspect"].isin(["period", "coverage"]).any()
    over = d[d["aspect"] == "difference over time"]["detail"].item()
    assert f"+{5.1 - ilo['2019']:.1f} in 2019" in over and f"+{10.3 - ilo['2020']:.1f} in 2020" in over
    assert rec.choice.set_index("time")["figure"].to_dict() == {
        "2019": "ILOSTAT SDG_0852 · LFS", "2020": "ILOSTAT SDG_0852 · LFS", "2021": "ILOSTAT SDG_0852 · LFS"}
    text = rec.text()
    assert "A national definition can count people the international (ILO) definition leaves out" in text
    cites = [s["citation"] for s in rec.provenance["sources"]]
    assert phl_ilostat.attrs["provenance"]["citation"] in cites and any(c.startswith(PSA) for c in cites)


def test_phl_puf_estimate_with_ci_vs_psa_published_and_national_rule(phl_ilostat, phl_estimate):
    nov = {"time": "2022-11", "value": 4.2, "source": PSA + ", November 2022 release", "label": "PSA Nov 2022",
           "definition": "PSA national definition"}
    rec = compare.reconcile(phl_ilostat, compare.figures(phl_estimate, time="2022-11", label="Own estimate (PUF)"),
                            national=PSA_ANNUAL + [nov], rule="national")
    t = rec.to_frame().set_index("figure")
    own = t.loc["Own estimate (PUF)"]
    assert own["time"] == "2022-11" and own["ci_low"] < 4.2 < own["ci_high"]
    # the mapping's national concept travels into the definition
    assert "PSA labour force status" in own["definition"] and own["definition"].startswith("national definition")
    d = rec.differences.set_index(["time", "aspect"])
    assert "is inside the confidence interval of Own estimate (PUF)" in d.loc[("2022", "value"), "explanation"]
    assert ("2022", "definition") not in d.index   # both national: no definition difference claimed
    choice = rec.choice.set_index("time")
    assert choice.loc["2019", "figure"] == "PSA annual" and choice.loc["2022", "figure"] == "PSA Nov 2022"
    assert choice.loc["2021", "figure"] == "none" and "national=" in choice.loc["2021", "reason"]


def test_period_difference_a_quarter_against_annual_figures(phl_ilostat):
    q2 = {"time": "2020Q2", "value": 17.6, "source": PSA + ", April 2020 round", "label": "PSA April 2020",
          "definition": "PSA national definition"}
    rec = compare.reconcile(phl_ilostat, national=PSA_ANNUAL + [q2], time=2020)
    d = rec.differences
    period = d[d["aspect"] == "period"]["detail"].item()
    assert "PSA April 2020: quarter 2 of 2020 (one quarter)" in period and "(whole year)" in period


def test_two_ilostat_releases_of_informality_same_source(shared_data):
    a = ek.ilostat.get("SDG_0831_SEX_ECO_RT_A", ref_area="VNM", sex="SEX_T", classif1="ECO_SECTOR_TOTAL",
                       start=2021, end=2022, offline=True, labels=True)
    b = ek.ilostat.get("EMP_NIFL_SEX_RT_A", ref_area="VNM", sex="SEX_T", start=2021, end=2022, offline=True,
                       labels=True)
    rec = compare.reconcile(a, b, rule="latest_release")
    d = rec.differences
    assert set(d[d["time"] == "2022"]["aspect"]) == {"value", "source", "release"}
    assert "same source (LFS - Labour Force Survey, BA:1788)" in d[(d["aspect"] == "source")]["detail"].iloc[0]
    newest = max(a.attrs["provenance"]["vintage"], b.attrs["provenance"]["vintage"])
    chosen = rec.choice.set_index("time")
    assert chosen.loc["2022", "value"] == (b if b.attrs["provenance"]["vintage"] == newest else a).set_index(
        "time").loc["2022", "obs_value"]
    assert any("different indicators" in n for n in rec.notes)


def test_series_that_changes_source_same_source_rule():
    k = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="KHM", sex="SEX_T", classif1="AGE_YTHADULT_YGE15",
                       offline=True, labels=True)
    rec = compare.reconcile(k, rule="same_source")
    counts = k["source"].value_counts()
    best = counts.index[0]
    chosen = rec.choice[rec.choice["figure"] != "none"]
    assert len(chosen) == counts.iloc[0]
    assert set(rec.to_frame().query("chosen")["source"]) == {best}
    assert any("changes source between years" in n for n in rec.notes)


def test_typed_figures_are_checked():
    with pytest.raises(InputError, match="has no source"):
        compare.reconcile(national=[{"time": 2020, "value": 1.0}])
    with pytest.raises(InputError, match="not a number"):
        compare.reconcile(national=[{"time": 2020, "value": "ten", "source": "X"}])
    with pytest.raises(InputError, match="not a year, quarter or month"):
        compare.reconcile(national=[{"time": "last year", "value": 1, "source": "X"}])
    with pytest.raises(InputError, match="rule="):
        compare.reconcile(national=[{"time": 2020, "value": 1, "source": "X"}], rule="best")


def test_estimate_without_period_is_refused(phl_estimate):
    with pytest.raises(InputError, match="which period"):
        compare.reconcile(phl_estimate)
