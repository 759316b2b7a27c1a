"""The Philippine LFS public-use file (PSA, November 2022) read with mapping='psa_lfs_puf'.

PSA's published November 2022 figures (PROVENANCE.md §1): LFPR 67.5, employment rate 95.8,
unemployment rate 4.2, underemployment rate 14.4, universe = PUFNEWEMPSTAT in {1,2,3}, weight PUFPWGTPRV.
"""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit.microdata import read

PUF = "microdata/phl_lfs_puf_2022/LFS_PUF_November_2022"


@pytest.fixture(scope="module")
def puf(shared_data):
    return read(shared_data / f"{PUF}.dcf", mapping="psa_lfs_puf")


def test_record_count_and_design(puf):
    assert len(puf.data) == 45561  # every line of the .F2 is a record
    summary = puf.design_summary()
    assert (summary["weight"], summary["strata"], summary["psu"]) == ("ilo_wgt", "PUFREG", "PUFPSU")
    assert summary["n_strata"] == 17
    assert 700 <= summary["n_psu"] <= 720
    assert puf.mapping == "psa_lfs_puf"


def test_published_headline_rates(puf):
    d = puf.data
    w = d["ilo_wgt"]
    lfs = d["ilo_lfs"]
    wap = w[(d["ilo_wap"] == 1).fillna(False)].sum()
    employed = w[(lfs == 1).fillna(False)].sum()
    unemployed = w[(lfs == 2).fillna(False)].sum()
    labour_force = employed + unemployed
    underemployed = w[((lfs == 1) & (d["ilo_joball_tru"] == 1)).fillna(False)].sum()
    assert round(100 * labour_force / wap, 1) == 67.5
    assert round(100 * employed / labour_force, 1) == 95.8
    assert round(100 * unemployed / labour_force, 1) == 4.2
    assert round(100 * underemployed / employed, 1) == 14.4
    # levels in thousands, within 5k of PSA's (E 49.71 M, U 2.18 M)
    assert abs(employed / 1e3 - 49_710) <= 10  # published to 10k precision (49.71 M)
    assert abs(unemployed / 1e3 - 2_180) <= 10  # 2.18 M


def test_universe_is_psa_household_population_15_plus(puf):
    d = puf.data
    in_universe = d["ilo_wap"] == 1
    assert (in_universe.fillna(False) == d["PUFNEWEMPSTAT"].isin([1, 2, 3]).fillna(False)).all()
    assert (d.loc[in_universe.fillna(False), "ilo_age"] >= 15).all()
    assert d["ilo_lfs"].notna().sum() == in_universe.fillna(False).sum()
    # overseas workers (PUFC08_CONWR 1-3) are outside PSA's universe
    ofw = d["PUFC08_CONWR"].isin([1, 2, 3]).fillna(False)
    assert ofw.sum() > 0 and d.loc[ofw, "ilo_lfs"].isna().all()


def test_value_labels_from_value_sets(puf):
    labels = puf.value_labels
    assert labels["PUFC04_SEX"] == {1: "Male", 2: "Female"}
    assert labels["PUFNEWEMPSTAT"] == {1: "Employed", 2: "Unemployed", 3: "Not in the Labor Force"}
    assert labels["PUFREG"][13] == "National Capital Region  (NCR)"
    assert labels["PUFC21_PCLASS"][6] == "Without Pay (Family owned Business)"
    assert "PUFC05_AGE" not in labels or 30 not in labels["PUFC05_AGE"]  # age ranges are not expanded
    assert puf.variable_labels["PUFPWGTPRV"] == "Final Weight Based on Projection"
    assert labels["ilo_lfs"][3] == "Outside the labour force"
    assert puf.labels("ilo_sex").iloc[0] in ("Male", "Female")


def test_mapped_variables_are_consistent(puf):
    d = puf.data
    assert d["ilo_wgt"].equals(d["PUFPWGTPRV"].rename("ilo_wgt"))
    assert abs(d["ilo_wgt"].iloc[0] - 1073.8892) < 1e-9  # 4 implied decimals
    assert set(d["ilo_sex"].dropna().unique()) == {1, 2}
    employed = (d["ilo_lfs"] == 1).fillna(False)
    # job variables only in the employed universe, and complete there
    for col in ("ilo_job1_ste_icse93", "ilo_job1_ste_aggregate", "ilo_job1_ocu_isco08", "ilo_job1_eco_isic4"):
        assert d.loc[~employed, col].isna().all(), col
        assert d.loc[employed, col].notna().all(), col
    # class of worker -> ICSE-93: own-account = PSA self-employed without paid employee (code 3)
    assert ((d.loc[employed, "ilo_job1_ste_icse93"] == 3) == (d.loc[employed, "PUFC21_PCLASS"] == 3)).all()
    # underemployment only among the employed
    assert d.loc[(d["ilo_joball_tru"] == 1).fillna(False), "ilo_lfs"].eq(1).all()
    assert pd.api.types.is_integer_dtype(d["ilo_lfs"])
    # no uncovered-code note: the recodes cover every code present in the file
    assert not [n for n in puf.notes if "does not cover" in n]


def test_psa_concepts_are_flagged_on_the_estimates(puf):
    from evidencekit.indicators import estimate

    assert set(puf.concepts) == {"ilo_lfs", "ilo_joball_tru", "ilo_job1_ste_icse93", "ilo_olf_dlma"}
    lu3 = estimate(puf, "lu3_rate")
    assert "potential labour force (LU3, LU4) is understated" in lu3["flags_detail"].iloc[0]
    out = estimate(puf, ["time_related_underemployment_rate", "vulnerable_employment_rate"]).set_index("indicator")
    assert "ilo_joball_tru = PSA underemployment" in out.loc["time_related_underemployment_rate", "flags_detail"]
    assert "ilo_job1_ste_icse93 = PSA class-of-worker grouping" in out.loc["vulnerable_employment_rate", "flags_detail"]
    assert out["flags"].str.contains("NC").all() and "national concept" in out.attrs["legend"]["NC"]
    prov = out.attrs["provenance"]
    assert (prov["ref_area"], prov["publisher"], prov["mapping"], prov["file"]) == \
        ("PHL", "Philippine Statistics Authority (PSA)", "psa_lfs_puf", "LFS_PUF_November_2022.dcf")
    assert prov["citation"].startswith("Philippine Statistics Authority (PSA). Philippines Labor Force Survey")
