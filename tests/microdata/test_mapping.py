"""Mappings: rules, YAML round trip, shipped mappings, design from the mapping, bad mappings."""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit.microdata import (
    ColumnError,
    Mapping,
    MappingError,
    Survey,
    apply_mapping,
    list_mappings,
    load_mapping,
    read,
    save_mapping,
)
from evidencekit.microdata.mapping import ILO_LABELS

DATA = pd.DataFrame({
    "wt": [1000, 2000, 1500, 500, 2500, 1200],
    "sex": [1, 2, 2, 1, 9, 2],
    "age": [10, 17, 30, 60, 70, 44],
    "status": [None, 1, 2, 3, 3, 1],
    "more": [None, 1, None, None, None, 2],
    "region": [1, 1, 2, 2, 3, 3],
    "urban": [1, 2, 1, 2, 1, 1],
    "ea": [11, 12, 21, 22, 31, 31],
    "cls": [None, 3, None, None, None, 0],
})

RULES = {
    "name": "toy",
    "survey": "Toy LFS", "country": "XXX", "period": "2024", "source": "unit test",
    "design": {"weight": "ilo_wgt", "strata": "stratum", "psu": "ea", "nest": True},
    "variables": {
        "ilo_wgt": {"copy": "wt", "scale": 0.1},
        "ilo_sex": {"from": "sex", "recode": {1: 1, 2: 2}},
        "ilo_age": "age",
        "ilo_age_aggregate": {"from": "ilo_age", "bands": {"0-14": 1, "15-24": 2, "25-54": 3, "55-64": 4, "65+": 5}},
        "ilo_wap": {"value": 1, "where": {"ilo_age": ">= 15"}},
        "ilo_lfs": {"from": "status", "recode": {1: 1, 2: 2, 3: 3}, "where": {"ilo_wap": 1}},
        "ilo_joball_tru": {"value": 1, "where": {"ilo_lfs": 1, "more": 1}},
        "ilo_job1_ste_aggregate": {"from": "cls", "recode": {0: 1, 3: 2}, "where": {"ilo_lfs": 1}},
        "ilo_olf_dlma": {"cases": [{"where": {"ilo_lfs": 3, "ilo_age": "< 65"}, "value": 4}, {"where": {"ilo_lfs": 3}, "value": 5}]},
        "youth": {"value": 1, "where": {"ilo_age": [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]}, "default": 0,
                  "labels": {0: "not youth", 1: "youth"}, "label": "Aged 15-24"},
        "stratum": {"combine": ["region", "urban"]},
        "no_more": {"value": 1, "where": {"more": "missing"}},
    },
}


@pytest.fixture
def survey():
    return Survey(DATA.copy(), source="toy.csv")


def test_rules(survey):
    s = apply_mapping(survey, RULES)
    d = s.data
    assert list(d.columns[: len(DATA.columns)]) == list(DATA.columns)  # originals kept, first
    assert d["ilo_wgt"].tolist() == [100.0, 200.0, 150.0, 50.0, 250.0, 120.0]
    assert d["ilo_sex"].tolist()[:4] == [1, 2, 2, 1] and pd.isna(d["ilo_sex"][4])
    assert d["ilo_age_aggregate"].tolist() == [1, 2, 3, 4, 5, 3]
    assert d["ilo_wap"].isna().tolist() == [True, False, False, False, False, False]
    assert d["ilo_lfs"].tolist()[1:] == [1, 2, 3, 3, 1] and pd.isna(d["ilo_lfs"][0])
    assert d["ilo_joball_tru"].fillna(0).tolist() == [0, 1, 0, 0, 0, 0]
    assert d["ilo_job1_ste_aggregate"].fillna(-1).tolist() == [-1, 2, -1, -1, -1, 1]
    assert d["ilo_olf_dlma"].fillna(-1).tolist() == [-1, -1, -1, 4, 5, -1]
    assert d["youth"].tolist() == [0, 1, 0, 0, 0, 0]
    assert d["stratum"].tolist() == ["1-1", "1-2", "2-1", "2-2", "3-1", "3-1"]
    assert d["no_more"].fillna(0).tolist() == [1, 0, 1, 1, 1, 0]
    for col in ("ilo_sex", "ilo_lfs", "ilo_age_aggregate", "youth", "ilo_olf_dlma"):
        assert str(d[col].dtype) == "Int64", col
    assert s.value_labels["ilo_lfs"] == ILO_LABELS["ilo_lfs"]
    assert s.value_labels["youth"] == {0: "not youth", 1: "youth"}
    assert s.variable_labels["youth"] == "Aged 15-24"
    assert (s.weight, s.strata, s.psu, s.nest, s.mapping) == ("ilo_wgt", "stratum", "ea", True, "toy")
    assert s.design_summary()["n_psu"] == 5


def test_uncovered_codes_are_reported_or_strict(survey):
    s = apply_mapping(survey, RULES)
    note = [n for n in s.notes if "does not cover" in n]
    assert note == ["Mapping 'toy': ilo_sex: 1 record(s) with codes of 'sex' the recode does not cover, set to NA: 9 (1)."]
    with pytest.raises(MappingError, match=r"'ilo_sex'.*1 record\(s\) have codes of 'sex'.*9 \(1\).*strict: false"):
        apply_mapping(survey, {**RULES, "strict": True})
    other = {**RULES, "variables": {**RULES["variables"], "sex3": {"from": "sex", "recode": {1: 1, 2: 2}, "other": 3}}}
    assert apply_mapping(survey, other).data["sex3"][4] == 3  # a national variable: any code


def test_uncovered_band(survey):
    rules = {"name": "b", "variables": {"grp": {"from": "age", "bands": {"0-14": 1, "15-64": 2}}}}
    s = apply_mapping(survey, rules)
    assert [n for n in s.notes if "bands does not cover" in n and "70 (1)" in n]
    assert pd.isna(s.data["grp"][4])


def test_codes_in_text_columns(survey):
    frame = DATA.assign(sex=["1", "2", "2", "1", "9", "2"])
    s = apply_mapping(frame, {"name": "t", "variables": {"ilo_sex": {"from": "sex", "recode": {1: 1, 2: 2}}}})
    assert s.data["ilo_sex"].tolist()[:4] == [1, 2, 2, 1]


def test_caller_design_wins_over_mapping(survey):
    s = apply_mapping(Survey(DATA.copy(), weight="wt", psu="ea"), RULES)
    assert (s.weight, s.psu, s.strata) == ("wt", "ea", "stratum")


def test_yaml_round_trip_and_save(tmp_path):
    m = Mapping.from_dict(RULES)
    text = m.to_yaml()
    back = Mapping.from_yaml(text)
    assert back.to_dict() == m.to_dict()
    path = save_mapping(m, tmp_path / "toy.yaml")
    assert load_mapping(path).to_dict() == m.to_dict()
    assert load_mapping(str(path)).name == "toy"
    frame_a = apply_mapping(DATA.copy(), m).data
    frame_b = apply_mapping(DATA.copy(), str(path)).data
    pd.testing.assert_frame_equal(frame_a, frame_b)


def test_read_with_mapping_file(tmp_path):
    p = tmp_path / "toy.csv"
    DATA.to_csv(p, index=False)
    y = tmp_path / "toy.yaml"
    Mapping.from_dict(RULES).to_yaml(y)
    s = read(p, mapping=y)
    assert (s.weight, s.strata, s.psu) == ("ilo_wgt", "stratum", "ea") and len(s.data) == 6
    s = read(p, mapping=Mapping.from_dict(RULES), columns=["sex"])
    assert "status" in s.data.columns and "ilo_lfs" in s.data.columns  # columns the mapping needs are kept
    s = read(p, mapping=RULES, weight="wt")
    assert s.weight == "wt" and s.strata == "stratum"
    s = read(p, mapping=RULES, columns=["sex"], weight="ilo_wgt")  # a design column the mapping makes
    assert s.weight == "ilo_wgt" and "wt" in s.data.columns


def test_shipped_mappings():
    table = list_mappings()
    assert {"name", "survey", "country", "period", "source"} <= set(table.columns)
    row = table.set_index("name").loc["psa_lfs_puf"]
    assert row["country"] == "PHL"
    m = load_mapping("psa_lfs_puf")
    assert m.design == {"weight": "ilo_wgt", "strata": "PUFREG", "psu": "PUFPSU", "nest": True}
    assert {"ilo_wgt", "ilo_sex", "ilo_age", "ilo_lfs", "ilo_joball_tru", "ilo_job1_ste_icse93"} <= set(m.variables)
    assert "PUFNEWEMPSTAT" in m.source_columns() and "ilo_lfs" not in m.source_columns()
    assert "not the ILO 19th ICLS" in m.notes or "NOT the ILO 19th ICLS" in m.notes
    with pytest.raises(MappingError, match="use 'psa_lfs_puf' instead"):
        load_mapping("psa_lfs")


def test_absent_column_is_a_clear_error(survey):
    bad = {"name": "bad", "variables": {"ilo_sex": {"from": "SEXE", "recode": {1: 1}}}}
    with pytest.raises(ColumnError, match=r"mapping 'bad' to 'toy.csv'.*no column 'SEXE'.*use 'sex' instead"):
        apply_mapping(survey, bad)
    bad = {"name": "bad", "variables": {"a": {"value": 1, "where": {"agee": ">= 15"}}}}
    with pytest.raises(ColumnError, match="'agee'.*use 'age' instead"):
        apply_mapping(survey, bad)


@pytest.mark.parametrize(("rules", "said"), [
    ({"name": "x", "variables": {}}, "has no variables"),
    ({"name": "x"}, "no 'variables:' section"),
    ({"name": "x", "variabels": {"a": "b"}}, "unknown key.*variabels.*use 'variables' instead"),
    ({"name": "x", "variables": {"a": {"from": "sex", "recod": {1: 1}}}}, "unknown key.*recod.*use 'recode' instead"),
    ({"name": "x", "variables": {"a": {"copy": "sex", "value": 1}}}, "has 2 of"),
    ({"name": "x", "variables": {"a": {"recode": {1: 1}}}}, "has 0 of"),
    ({"name": "x", "variables": {"a": {"from": "age", "bands": {"young": 1}}}}, "band 'young'"),
    ({"name": "x", "variables": {"a": {"from": "sex", "recode": [1, 2]}}}, "not a code: new-code table"),
    ({"name": "x", "variables": {"a": {"cases": [{"where": {"sex": 1}}]}}}, "cases of 'a'"),
    ({"name": "x", "design": {"weights": "w"}, "variables": {"a": "b"}}, "design has unknown key"),
    ("just text", "not a set of key: value lines"),
    ({"name": "x", "variables": ["ilo_sex"]}, "'variables:' section is a list"),
    ({"name": "x", "design": "w", "variables": {"a": "b"}}, "'design:' section is a str"),
    ({"name": "x", "strict": "yes", "variables": {"a": "b"}}, "strict is 'yes', not true or false"),
    ({"name": "x", "design": {"nest": "no"}, "variables": {"a": "b"}}, "nest is 'no', not true or false"),
    ({"name": "x", "variables": {"a": {"copy": ["sex"]}}}, r"copy: of 'a' is \['sex'\], not one column name"),
    ({"name": "x", "variables": {"a": {"combine": "sex"}}}, "combine: of 'a' is not a list"),
    ({"name": "x", "variables": {"a": {"copy": "wt", "scale": "abc"}}}, "scale: of 'a' is 'abc', not a number"),
    ({"name": "x", "variables": {"a": {"from": "sex", "recode": {1: 1}, "labels": ["M"]}}}, "labels: of 'a' is not"),
    ({"name": "x", "variables": {"a": {"value": 1, "where": "age >= 15"}}}, "a where: of 'a' is 'age >= 15'"),
    ({"name": "x", "variables": {"a": {"value": 1, "where": {"age": ">= fifteen"}}}}, "'>= fifteen'.*not a number"),
    ({"name": "x", "variables": {"a": {"from": "age", "bands": {"0-30": 1, "20-40": 2}}}}, "'0-30' and '20-40'.*overlap"),
    ({"name": "x", "variables": {"a": {"from": "age", "bands": {"30-0": 1}}}}, "'30-0'.*runs backwards.*'0-30'"),
])
def test_malformed_mappings(rules, said):
    with pytest.raises(MappingError, match=said):
        Mapping.from_dict(rules) if isinstance(rules, dict) else Mapping.from_yaml(rules)


def test_bad_yaml_and_wrong_types(tmp_path):
    with pytest.raises(MappingError, match="not valid YAML"):
        Mapping.from_yaml("name: x\nvariables: [unclosed\n")
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping(tmp_path / "none.yaml")
    with pytest.raises(MappingError, match="a int is not a mapping"):
        apply_mapping(DATA, 42)


def test_no_code_is_evaluated(survey):
    rules = {"name": "x", "variables": {"a": {"value": 1, "where": {"age": "__import__('os').system('echo hi')"}}}}
    s = apply_mapping(survey, rules)  # an unknown condition is compared as a plain value: nothing matches
    assert s.data["a"].isna().all()


def test_copy_with_universe_on_plain_numpy_columns():
    frame = pd.DataFrame({"hours": [40, 20, 35], "emp": [1, 2, 1], "wage": [1.5, 2.5, 3.5], "ok": [True, False, True]})
    rules = {"name": "x", "variables": {
        "h": {"copy": "hours", "where": {"emp": 1}},
        "w": {"copy": "wage", "where": {"emp": 1}},
        "b": {"copy": "ok", "where": {"emp": 1}},
        "d": {"copy": "hours", "where": {"emp": 1}, "default": 0},
    }}
    d = apply_mapping(frame, rules).data
    assert d["h"].tolist()[::2] == [40, 35] and pd.isna(d["h"][1]) and str(d["h"].dtype) == "Int64"
    assert d["w"].tolist()[::2] == [1.5, 3.5] and pd.isna(d["w"][1])
    assert pd.isna(d["b"][1]) and bool(d["b"][0])
    assert d["d"].tolist() == [40, 0, 35]


@pytest.mark.parametrize(("rule", "said"), [
    ({"from": "sex", "recode": {1: 1, 2: 3}}, r"recode: of 'ilo_sex' gives 3.*ILO codelist for ilo_sex \(1 Male, 2 Female\)"),
    ({"from": "sex", "recode": {1: "Male", 2: "Female"}}, "gives 'Male'"),
    ({"from": "sex", "recode": {1: 1}, "other": 9}, "other: of 'ilo_sex' gives 9"),
    ({"value": 3, "where": {"sex": 1}}, "value: of 'ilo_sex' gives 3"),
    ({"cases": [{"where": {"sex": 1}, "value": 1}, {"where": {"sex": 2}, "value": 0}]}, "cases: of 'ilo_sex' gives 0"),
])
def test_codes_outside_the_ilo_codelist_are_refused(rule, said):
    with pytest.raises(MappingError, match=said):
        Mapping.from_dict({"name": "x", "variables": {"ilo_sex": rule}})


def test_bands_outside_the_codelist_and_zero_in_dummies():
    bands = {"name": "x", "variables": {"ilo_age_aggregate": {"from": "age", "bands": {"0-14": 0, "15+": 2}}}}
    with pytest.raises(MappingError, match="bands: of 'ilo_age_aggregate' gives 0"):
        Mapping.from_dict(bands)
    dummy = {"name": "x", "variables": {"ilo_wap": {"value": 1, "where": {"age": ">= 15"}, "default": 0}}}
    assert Mapping.from_dict(dummy).variables["ilo_wap"]["default"] == 0   # 0 = 'no' in a 1/missing dummy


def test_scaled_text_is_reported_not_lost_silently(survey):
    frame = DATA.assign(wt=["1000", ".", "1500", "x", "2500", "1200"])
    rules = {"name": "t", "variables": {"w": {"copy": "wt", "scale": 0.1}}}
    s = apply_mapping(frame, rules)
    assert s.data["w"].isna().sum() == 2
    assert [n for n in s.notes if "2 record(s) with text in 'wt' that is not a number" in n and "'.' (1)" in n]
    with pytest.raises(MappingError, match="2 record.*not a number in 'wt'"):
        apply_mapping(frame, {**rules, "strict": True})


def test_a_rule_that_replaces_a_column_of_the_file_says_so(survey):
    s = apply_mapping(survey, {"name": "t", "variables": {"sex": {"from": "sex", "recode": {1: 2, 2: 1}}}})
    assert any("own column(s) ['sex'] were replaced" in n for n in s.notes)


def test_mapping_files_in_latin1_and_folders(tmp_path):
    p = tmp_path / "fr.yaml"
    p.write_bytes("name: enquête\nvariables:\n  ilo_sex: {from: sexe, recode: {1: 1, 2: 2}}\n".encode("cp1252"))
    assert load_mapping(p).name == "enquête"
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(MappingError, match="folder, not a file"):
        load_mapping(tmp_path / "dir.yaml")


def test_a_national_concept_travels_to_the_estimates_that_use_it():
    from evidencekit.indicators import estimate

    frame = pd.DataFrame({"w": [1.0, 2.0, 1.5, 1.0], "age": [30, 40, 25, 50], "st": [1, 2, 1, 1],
                          "more": [1, 2, 2, 1]})
    m = Mapping.from_dict({"name": "n", "design": {"weight": "w"}, "variables": {
        "ilo_wap": {"value": 1, "where": {"age": ">= 15"}},
        "ilo_lfs": {"value": 1},
        "ilo_joball_tru": {"value": 1, "where": {"more": 1}, "concept": "wants more hours (national)"}}})
    s = apply_mapping(Survey(frame), m)
    assert s.concepts == {"ilo_joball_tru": "wants more hours (national)"}
    out = estimate(s, ["time_related_underemployment_rate", "employment_to_population_ratio"])
    flags = dict(zip(out["indicator"], out["flags_detail"]))
    codes = [f.split(", ") for f in out["flags"]]
    assert "NC" in codes[0] and "NC" not in codes[1]
    assert "national concept, not the ILO definition: ilo_joball_tru = wants more hours (national)" in \
        flags["time_related_underemployment_rate"]
    assert "national concept" not in flags["employment_to_population_ratio"]
    again = apply_mapping(s, {"name": "ilo", "variables": {"ilo_joball_tru": {"value": 1, "where": {"more": 1}}}})
    assert again.concepts == {}  # a rule without concept replaces the variable and its concept
