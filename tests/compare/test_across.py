"""compare.across: hand-worked small frames, and the real snapshot."""
from __future__ import annotations

import pandas as pd
import pytest

import evidencekit as ek
from evidencekit import compare
from evidencekit.errors import InputError


def frame(rows, **attrs):
    df = pd.DataFrame(rows, columns=["ref_area", "time", "obs_value", "obs_status"][: len(rows[0])])
    df.attrs["provenance"] = {"kind": "user", "citation": "Typed for the test."}
    return df


def test_latest_year_rank_and_median_worked_by_hand():
    # A: 2019 4, 2020 5 -> latest 5 (2020); B: 2020 7; C: 2019 3 (latest). Median of 5, 7, 3 = 5.
    df = frame([["A", "2019", 4.0], ["A", "2020", 5.0], ["B", "2020", 7.0], ["C", "2019", 3.0]])
    out = compare.across(df, benchmark="median")
    assert out[["ref_area", "time", "obs_value", "rank"]].values.tolist() == [
        ["B", "2020", 7.0, 1], ["A", "2020", 5.0, 2], ["C", "2019", 3.0, 3]]
    assert out["benchmark"].eq(5.0).all() and out["difference"].tolist() == [2.0, 0.0, -2.0]
    assert out.attrs["benchmark"]["label"] == "Median of the 3 countries shown (unweighted)"
    assert any("Years differ" in n for n in out.attrs["notes"])
    prov = out.attrs["provenance"]
    assert prov["kind"] == "derived" and prov["sources"][0]["citation"] == "Typed for the test."


def test_fixed_year_mean_ascending_ties_and_left_out():
    # 2020: A 5, B 7, D 5 (tie) ; C has no 2020. Mean (5+7+5)/3 = 17/3. Ascending: A and D share rank 1, B 3.
    df = frame([["A", "2020", 5.0], ["B", "2020", 7.0], ["D", "2020", 5.0], ["C", "2019", 3.0]])
    out = compare.across(df, 2020, benchmark="mean", ascending=True)
    assert dict(zip(out["ref_area"], out["rank"])) == {"A": 1, "D": 1, "B": 3}
    assert out["benchmark"].iloc[0] == pytest.approx(17 / 3)
    assert "C" in out.attrs["left_out"] and "2019" in out.attrs["left_out"]["C"]
    assert out.attrs["rank_order"] == "1 = lowest value"


def test_country_benchmark_and_since():
    df = frame([["A", "2020", 5.0], ["B", "2020", 7.0], ["C", "2012", 3.0]])
    out = compare.across(df, benchmark="B", since=2015)
    assert set(out["ref_area"]) == {"A", "B"}
    assert out.loc[out["ref_area"] == "A", "difference"].item() == -2.0
    assert out.loc[out["ref_area"] == "B", "is_benchmark"].item()
    assert "before 2015" in out.attrs["left_out"]["C"]


def test_refuses_mixed_series_duplicates_and_missing_benchmark():
    df = frame([["A", "2020", 5.0], ["B", "2020", 7.0]])
    df["sex"] = ["SEX_T", "SEX_F"]
    with pytest.raises(InputError, match="several sex values"):
        compare.across(df)
    dup = frame([["A", "2020", 5.0], ["A", "2020", 6.0]])
    dup["source"] = ["BA:1", "BB:2"]
    with pytest.raises(InputError, match="reconcile"):
        compare.across(dup)
    with pytest.raises(InputError, match="not in the figures"):
        compare.across(frame([["A", "2020", 5.0], ["B", "2020", 7.0]]), benchmark="X40")
    with pytest.raises(InputError, match="at least two countries"):
        compare.across(frame([["A", "2020", 5.0]]), benchmark="median")
    with pytest.raises(InputError, match="no provenance"):
        compare.across(pd.DataFrame({"ref_area": ["A"], "time": ["2020"], "obs_value": [1.0]}))


def test_real_snapshot_youth_unemployment_asean_with_regional_aggregate():
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=["IDN", "PHL", "THA", "VNM", "X40"], sex="SEX_T",
                        classif1="AGE_YTHADULT_Y15-24", offline=True, labels=True)
    out = compare.across(df, benchmark="X40")
    countries = out[out["ref_area"] != "X40"]
    # ranks follow the values (worked from the rows themselves, highest first)
    expect = countries.sort_values("obs_value", ascending=False)["ref_area"].tolist()
    assert countries.sort_values("rank")["ref_area"].tolist() == expect
    # the aggregate is not ranked; it is taken at the countries' most common year, not its 2024 projection
    bench = out.attrs["benchmark"]
    latest = countries["time"].mode().max()
    assert bench["time"] == latest and out.loc[out["ref_area"] == "X40", "rank"].isna().all()
    x40 = df[(df["ref_area"] == "X40") & (df["time"] == latest)]["obs_value"].item()
    assert bench["value"] == x40
    assert (countries["difference"] == countries["obs_value"] - x40).all()
    assert df[df["ref_area"] == "X40"]["time"].max() == "2024"  # the projection exists, and was not used
    cites = [s["citation"] for s in out.attrs["provenance"]["sources"]]
    assert cites == [df.attrs["provenance"]["citation"]]


def test_comparisons_export_with_every_source(tmp_path):
    from evidencekit import export

    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=["PHL", "THA"], sex="SEX_T", classif1="AGE_YTHADULT_YGE15",
                        start=2019, offline=True, labels=True)
    df.loc[0, "ref_area.label"] = "=HYPERLINK(\"http://x\")"  # a label a spreadsheet would run
    out = compare.across(df)
    path = export.write(out, tmp_path / "ranked.csv")
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# Citation: Own calculation (areas compared, latest year per area")
    assert df.attrs["provenance"]["citation"].rstrip(".") in lines[0]
    back = export.read_csv(path)
    assert back["ref_area.label"].astype(str).str.startswith("'=").any()
    xlsx = export.write(compare.over_time(df), tmp_path / "t.xlsx")
    about = pd.read_excel(xlsx, sheet_name="about")
    assert about["field"].iloc[0] == "citation" and "sources" in set(about["field"])
