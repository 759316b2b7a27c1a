"""What an ILOSTAT table must hold given its dataset id and its request (docs/ilostat.md, "Checks on every answer")."""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit.ilostat.formats import read_csv
from evidencekit.ilostat.query import Query
from evidencekit.ilostat.validate import implied_columns, problems


def table(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols, dtype="string")


EAR = dict(ref_area=["PHL"], source=["BA:1"], indicator=["EAR_4MTH_SEX_GEO_CUR_NB"], sex=["SEX_F"],
           classif1=["GEO_COV_URB"], classif2=["CUR_TYPE_PPP"], time=["2021"], obs_value=["512.3"])


def test_the_id_says_which_columns_there_are(shared_data):
    ids = read_csv(shared_data / "ilostat" / "dictionaries" / "indicator_en.csv")["indicator"]
    shapes = {code: implied_columns(code + "_A") for code in ids}
    assert None not in shapes.values()   # every indicator of ILOSTAT's dictionary has the usual shape
    assert shapes["CPI_NCYR_COI_RT"] == {"sex": False, "classif1": "COI", "classif2": None}
    assert implied_columns("X_A") is None


def test_a_sound_row_passes_and_each_change_is_named():
    assert problems(table(**EAR), "EAR_4MTH_SEX_GEO_CUR_NB_A") == []
    swapped = {**EAR, "classif1": ["CUR_TYPE_PPP"], "classif2": ["GEO_COV_URB"]}
    found = problems(table(**swapped), "EAR_4MTH_SEX_GEO_CUR_NB_A")
    assert any("classif1 should hold GEO_ codes" in p for p in found)
    assert any("classif2 should hold CUR_ codes" in p for p in found)
    no_sex = {k: v for k, v in EAR.items() if k != "sex"}
    assert problems(table(**no_sex), "EAR_4MTH_SEX_GEO_CUR_NB_A") == [
        "the column sex is missing (the id EAR_4MTH_SEX_GEO_CUR_NB_A has _SEX_)"]
    ruled_out = problems(table(**EAR), "EAR_4MTH_NOC_NB_A")
    assert any("has values ('SEX_F') but the id" in p for p in ruled_out)


@pytest.mark.parametrize("column, value, needle", [
    ("obs_value", "12,5", "obs_value should hold numbers"),
    ("time", "2021Q1", "time should hold a year"),
    ("ref_area", "Philippines", "ref_area should hold an area code"),
    ("sex", "Female", "sex should hold a sex code"),
    ("source", "LFS", "source should hold a source code"),
])
def test_values_of_the_wrong_shape_are_named(column, value, needle):
    assert any(needle in p for p in problems(table(**{**EAR, column: [value]}), "EAR_4MTH_SEX_GEO_CUR_NB_A"))


def test_a_missing_number_is_empty_or_r_s_na_and_a_header_only_is_no_data():
    assert problems(table(**{**EAR, "obs_value": [None]}), "EAR_4MTH_SEX_GEO_CUR_NB_A") == []
    assert problems(table(**{**EAR, "obs_value": ["NA"]}), "EAR_4MTH_SEX_GEO_CUR_NB_A") == []
    header_only = table(ref_area=[], source=[], indicator=[], time=[], obs_value=[], obs_status=[])
    assert problems(header_only, "EAR_4MTH_SEX_GEO_CUR_NB_A") == []   # ILOSTAT leaves out empty columns
    assert problems(table(**{**EAR, "value": ["1"]}).iloc[0:0], "EAR_4MTH_SEX_GEO_CUR_NB_A") != []


def test_the_answer_holds_only_what_was_asked():
    q = Query.build("EAR_4MTH_SEX_GEO_CUR_NB_A", ref_area="IDN", sex="F", start=2022, end="2023Q2")
    found = problems(table(**EAR), "EAR_4MTH_SEX_GEO_CUR_NB_A", q)
    assert "it holds ref_area 'PHL' where ref_area=IDN was asked" in found
    assert any("periods '2021' outside 2022 to 2023Q2" in p for p in found)
    ok = Query.build("EAR_4MTH_SEX_GEO_CUR_NB_A", ref_area=["PHL", "IDN"], sex="F", start=2021, end=2021)
    assert problems(table(**EAR), "EAR_4MTH_SEX_GEO_CUR_NB_A", ok) == []   # a code without rows is not a problem
