"""compare.over_time, change and real: hand-worked frames and the real snapshot (breaks, projections, CPI)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

import evidencekit as ek
from evidencekit import compare
from evidencekit.errors import InputError


def series(values, status=None, source=None, area="A"):
    df = pd.DataFrame({"ref_area": area, "time": [str(t) for t in values], "obs_value": list(values.values())})
    if status:
        df["obs_status"] = [status.get(int(t)) for t in df["time"]]
    if source:
        df["source"] = [source.get(int(t), "BA:1") for t in df["time"]]
    df.attrs["provenance"] = {"kind": "user", "citation": "Typed."}
    return df


def test_changes_growth_and_index_worked_by_hand():
    # 2010 50, 2012 72: 2 years, change 22 points, +44 %, growth (72/50)^(1/2) - 1 = 20 % a year.
    out = compare.over_time(series({2010: 50.0, 2012: 72.0, 2013: 36.0}), base=2012)
    r = out.set_index("time")
    assert r.loc["2012", "years"] == 2 and r.loc["2012", "change"] == 22.0
    assert r.loc["2012", "change_pct"] == pytest.approx(44.0)
    assert r.loc["2012", "growth_pa"] == pytest.approx(20.0)
    assert r.loc["2013", "change_pct"] == pytest.approx(-50.0) and r.loc["2013", "index"] == pytest.approx(50.0)
    assert r.loc["2010", "index"] == pytest.approx(100 * 50 / 72)
    assert out.attrs["units"]["growth_pa"] == "% a year"


def test_break_blocks_change_and_index_unless_allowed():
    df = series({2014: 4.0, 2015: 5.0, 2016: 6.0}, status={2016: "B"})
    out = compare.over_time(df, base=2014).set_index("time")
    assert math.isnan(out.loc["2016", "change"]) and out.loc["2016", "break"]
    assert math.isnan(out.loc["2016", "index"]) and "break in series between 2014 and 2016" in out.loc["2016", "flags"]
    assert out.loc["2015", "index"] == 125.0
    ok = compare.over_time(df, base=2014, allow_breaks=True).set_index("time")
    assert ok.loc["2016", "change"] == 1.0 and ok.loc["2016", "index"] == 150.0
    assert "break in series" in ok.loc["2016", "flags"]


def test_source_change_is_a_break():
    df = series({2014: 4.0, 2015: 5.0}, source={2015: "AA:9"})
    out = compare.over_time(df).set_index("time")
    assert out.loc["2015", "break"] and "source changed from BA:1 to AA:9" in out.loc["2015", "flags"]


def test_change_between_two_years():
    df = series({2015: 8.0, 2016: 9.0, 2020: 4.0})
    out = compare.change(df, 2015, 2020)
    row = out.iloc[0]
    assert (row["start_value"], row["end_value"], row["change"], row["years"]) == (8.0, 4.0, -4.0, 5)
    assert row["change_pct"] == -50.0
    assert row["growth_pa"] == pytest.approx(100 * (0.5 ** 0.2 - 1))
    missing = compare.change(df, 2015, 2019).iloc[0]
    assert math.isnan(missing["change"]) and "no figure for 2019 (has 2015–2020)" in missing["flags"]
    with pytest.raises(InputError, match="not after"):
        compare.change(df, 2020, 2015)


def test_growth_is_not_defined_for_negative_values():
    out = compare.over_time(series({2019: 2.0, 2020: -1.0})).set_index("time")
    assert math.isnan(out.loc["2020", "growth_pa"]) and "0 or below" in out.loc["2020", "flags"]


def test_real_values_worked_by_hand():
    wage = series({2018: 100.0, 2019: 110.0, 2020: 121.0, 2021: 130.0})
    cpi = pd.DataFrame({"ref_area": "A", "time": ["2019", "2020", "2018"], "obs_value": [10.0, 0.0, 5.0]})
    cpi.attrs["provenance"] = {"kind": "user", "citation": "CPI typed."}
    out = compare.real(wage, cpi, base=2018).set_index("time")
    # P2018 = 100, P2019 = 110, P2020 = 110 (0 % inflation); 2021 has no CPI -> no real value
    assert out.loc["2019", "real_value"] == pytest.approx(100.0)
    assert out.loc["2020", "real_value"] == pytest.approx(110.0)
    assert math.isnan(out.loc["2021", "real_value"]) and "does not link" in out.loc["2021", "flags"]
    assert [s["citation"] for s in out.attrs["provenance"]["sources"]] == ["Typed.", "CPI typed."]


def test_real_refuses_rates_and_ppp():
    rate = series({2018: 5.0})
    rate["indicator"] = "UNE_DEAP_SEX_AGE_RT"
    with pytest.raises(InputError, match="rates"):
        compare.real(rate, series({2018: 1.0}), base=2018)
    ppp = series({2018: 5.0})
    ppp["classif2"] = "CUR_TYPE_PPP"
    with pytest.raises(InputError, match="PPP"):
        compare.real(ppp, series({2018: 1.0}), base=2018)


def test_real_snapshot_phl_break_2016_and_lfpr_projections():
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="SEX_T", classif1="AGE_YTHADULT_YGE15",
                        start=2014, end=2021, offline=True)
    out = compare.over_time(df).set_index("time")
    assert df.set_index("time").loc["2016", "obs_status"] == "B"
    assert out["break"].tolist() == [t == "2016" for t in out.index]
    assert math.isnan(out.loc["2016", "change"])
    assert out.loc["2021", "change"] == pytest.approx(3.398 - 2.522)
    ch = compare.change(df, 2015, 2021).iloc[0]
    assert ch["breaks"] == "2016" and math.isnan(ch["change"])
    lfpr = ek.ilostat.get("EAP_2WAP_SEX_AGE_RT_A", ref_area="PHL", sex="SEX_F", classif1="AGE_YTHADULT_YGE15",
                          start=2021, offline=True)
    proj = compare.over_time(lfpr).set_index("time")["projection"]
    # the label says 'ILO modelled estimates, Nov. 2023': later years are projections
    assert proj.to_dict() == {str(y): y >= 2024 for y in range(2021, 2028)}


def test_real_snapshot_phl_earnings_deflated_with_ilostat_cpi():
    wages = ek.ilostat.get("SDG_0851_SEX_OCU_NB_A", ref_area="PHL", sex="SEX_T", classif1="OCU_SKILL_TOTAL",
                           offline=True)
    cpi = ek.ilostat.get("CPI_NCYR_COI_RT_A", ref_area="PHL", offline=True)
    out = compare.real(wages, cpi, base=2018).set_index("time")
    inflation = cpi.set_index("time")["obs_value"]
    assert out.loc["2018", "cpi_index"] == 100.0
    assert out.loc["2019", "cpi_index"] == pytest.approx(100 * (1 + inflation["2019"] / 100))
    assert out.loc["2017", "cpi_index"] == pytest.approx(100 / (1 + inflation["2018"] / 100))
    assert out.loc["2021", "real_value"] == pytest.approx(out.loc["2021", "obs_value"] * 100
                                                          / out.loc["2021", "cpi_index"])
    first_cpi = int(cpi["time"].min())
    assert out.loc[str(first_cpi - 1), "cpi_index"] > 0            # one year before the first rate links back
    assert math.isnan(out.loc[str(first_cpi - 2), "real_value"])    # two years before does not
