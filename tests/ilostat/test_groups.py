"""Named groups (ASEAN, ASEAN10) and ILOSTAT's own aggregates, kept apart in get, areas and the command."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from evidencekit.cli import main
from evidencekit.ilostat import Client, NoMatchError, groups
from evidencekit.ilostat.catalogue import closest_codes
from evidencekit.ilostat.groups import GROUPS, members, resolve
from evidencekit.ilostat.snapshot import Snapshot

ASEAN10 = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"}   # as the course states them
UNE = "SDG_0852_SEX_AGE_RT_A"


@pytest.fixture
def offline(tmp_path) -> Client:
    return Client(cache_dir=tmp_path / "c", offline=True)


def test_the_memberships_are_the_ones_the_course_states():
    assert set(GROUPS["ASEAN10"].members) == ASEAN10
    assert set(GROUPS["ASEAN"].members) == ASEAN10 | {"TLS"}      # Timor-Leste, admitted October 2025
    assert "ASEAN-11" in GROUPS["ASEAN"].membership and "October 2025" in GROUPS["ASEAN"].membership
    assert "ASEAN-10" in GROUPS["ASEAN10"].membership
    codes = set(Snapshot().areas()["ref_area"])
    assert set(GROUPS["ASEAN"].members) <= codes                  # every member is an ILOSTAT area code


@pytest.mark.parametrize("given, want", [
    ("ASEAN", ASEAN10 | {"TLS"}), ("asean", ASEAN10 | {"TLS"}), ("ASEAN-11", ASEAN10 | {"TLS"}),
    ("ASEAN10", ASEAN10), ("ASEAN-10", ASEAN10), (["ASEAN10", "CHN"], ASEAN10 | {"CHN"}),
    ("ASEAN10+CHN, IND", ASEAN10 | {"CHN", "IND"}),
])
def test_a_named_group_is_its_members(given, want):
    codes, used = resolve(given)
    assert set(codes) == want and len(codes) == len(want)
    assert all(g["kind"] == "named group" for g in used.values())


def test_names_are_resolved_to_codes_and_aggregates_are_said_to_be_aggregates():
    areas = Snapshot().areas()
    codes, used = resolve(["South-Eastern Asia", "Viet Nam", "asia and the pacific"], areas)
    assert codes == ["X54", "VNM", "X40"]
    assert used["South-Eastern Asia"]["kind"] == "ILOSTAT aggregate" and used["South-Eastern Asia"]["code"] == "X54"
    assert "Viet Nam" not in used                                 # a country is just its code
    assert resolve("PHL+IDN") == (["PHL", "IDN"], {})             # codes stay codes (areas never read)


def test_get_asean_gives_each_members_own_rows_and_records_the_group(offline):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = offline.get(UNE, ref_area="ASEAN", sex="T", classif1="AGE_YTHADULT_YGE15")
        old = offline.get(UNE, ref_area="ASEAN10", sex="T", classif1="AGE_YTHADULT_YGE15")
    assert set(df["ref_area"]) == ASEAN10 | {"TLS"} and set(old["ref_area"]) == ASEAN10
    assert not df["ref_area"].str.startswith("X").any()           # members' rows, never an aggregate's
    query = df.attrs["provenance"]["query"]
    assert sorted(query["ref_area"]) == sorted(ASEAN10 | {"TLS"})
    assert query["groups"]["ASEAN"]["members"] == sorted(ASEAN10 | {"TLS"})
    assert "ASEAN-11" in query["groups"]["ASEAN"]["membership"]
    assert "ASEAN-10" in old.attrs["provenance"]["query"]["groups"]["ASEAN10"]["membership"]
    by_code = offline.get(UNE, ref_area=sorted(ASEAN10 | {"TLS"}), sex="T", classif1="AGE_YTHADULT_YGE15")
    pd.testing.assert_frame_equal(df, by_code)                    # the same rows as the codes typed out


def test_a_member_without_data_is_said_as_a_member_not_as_a_typo(offline):
    with pytest.warns(UserWarning, match=r"no rows for LAO\+TLS \(members of ASEAN\).*other members have data"):
        offline.get("SDG_0861_SEX_RT_A", ref_area="ASEAN", sex="T", start=2019, end=2019)


def test_an_ilostat_aggregate_is_its_own_figure_not_the_group(offline):
    df = offline.get(UNE, ref_area="Asia and the Pacific", sex="T", classif1="AGE_YTHADULT_YGE15")
    assert set(df["ref_area"]) == {"X40"} and set(df["source"].str[:2]) == {"XA"}   # ILO's modelled figure
    g = df.attrs["provenance"]["query"]["groups"]["Asia and the Pacific"]
    assert g["kind"] == "ILOSTAT aggregate" and g["code"] == "X40"


def test_areas_of_a_group_and_of_an_aggregate(offline):
    asean = offline.areas(group="ASEAN")
    assert set(asean["ref_area"]) == ASEAN10 | {"TLS"}
    assert asean.attrs["provenance"]["query"]["groups"]["ASEAN"]["members"] == sorted(ASEAN10 | {"TLS"})
    region = offline.areas(group="Asia and the Pacific")
    assert ASEAN10 | {"TLS", "CHN", "IND"} <= set(region["ref_area"]) and (region["ilo_region"] == "X40").all()
    low = offline.areas(group="X41")   # Asia and the Pacific: Low income = the region's low-income countries
    assert set(low["ref_area"]) == set(region.loc[region["income_group"] == "X02", "ref_area"])
    with pytest.raises(NoMatchError, match="sub-regions are not known"):   # offline, X54 cannot be listed
        offline.areas(group="South-Eastern Asia")
    with pytest.raises(NoMatchError, match=r"did you mean ASEAN \(named group\)"):
        offline.areas(group="ASEANN")


def test_subregions_from_ilostats_live_list(tmp_path, cassette):
    with cassette("areas"):
        client = Client(cache_dir=tmp_path / "c")
        live = client.areas()
    ken = live.set_index("ref_area").loc["KEN"]
    assert ken["ilo_subregion_broad"] == "X13" and ken["ilo_subregion_detailed"] == "X18"
    assert ken["ilo_subregion_detailed.label"] == "Eastern Africa"
    assert pd.isna(live.set_index("ref_area").loc["X06", "ilo_subregion_detailed.label"])   # "Regions": not a region
    assert members("X18", live) == ["KEN"] and members("X36", live) == ["JOR"]


def test_the_groups_table_lists_named_groups_and_aggregates_apart(offline):
    table = groups(offline=True)
    row = table.set_index("group")
    assert row.loc["ASEAN", "kind"] == "named group" and row.loc["ASEAN", "n_members"] == 11
    assert row.loc["X54", "kind"] == "ILOSTAT aggregate" and pd.isna(row.loc["X54", "members"])
    assert "X84" in row.index and "ref_area='ASEAN'" in row.loc["X84", "note"]
    assert row.loc["X40", "n_members"] == len(offline.areas(group="X40"))


def test_did_you_mean_only_for_close_matches():
    dic = Snapshot().dictionary("ref_area")[["ref_area", "ref_area.label"]]
    assert closest_codes("ASEANX", dic) == ["X84 (ASEAN)"]            # close by name; never SEN (Senegal)
    assert closest_codes("ASEAN", dic) == ["X84 (ASEAN)"]          # the aggregate of that name, not Senegal
    assert closest_codes("PHX", dic)[0].startswith("PHL")
    assert closest_codes("Philipines", dic) == ["PHL (Philippines)"]
    assert closest_codes("Narnia", dic) == []


def test_an_unknown_code_offline_never_offers_an_unrelated_one(offline):
    with pytest.raises(NoMatchError) as err:
        offline.get(UNE, ref_area="ASEANX")
    assert "SEN" not in str(err.value) and "did you mean" not in str(err.value)


def test_the_command_shows_groups_and_members(tmp_path, monkeypatch, capsys, no_network):
    monkeypatch.setenv("EVIDENCEKIT_OFFLINE", "1")
    monkeypatch.setenv("EVIDENCEKIT_CACHE_DIR", str(tmp_path / "c"))
    assert main(["get", UNE, "--ref-area", "ASEAN", "--sex", "T", "--classif1", "AGE_YTHADULT_YGE15"]) == 0
    out = capsys.readouterr().out
    assert "Group ASEAN (ASEAN-11" in out and "TLS" in out and "each member's own rows" in out
    assert main(["areas", "--group", "ASEAN10"]) == 0
    out = capsys.readouterr().out
    assert "10 members" in out and " TLS " not in out and "Viet Nam" in out and "Timor-Leste's admission" in out
    assert main(["areas", "--groups"]) == 0
    out = capsys.readouterr().out
    assert "named group" in out and "ILOSTAT aggregate" in out and "South-Eastern Asia" in out
    assert main(["get", UNE, "--ref-area", "South-Eastern Asia"]) == 2   # X54 is not in this offline copy
    assert "X54 (South-Eastern Asia) is an ILOSTAT code" in capsys.readouterr().err
