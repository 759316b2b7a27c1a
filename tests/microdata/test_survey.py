"""Survey: design validation, summary, labels."""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit.errors import InputError
from evidencekit.microdata import ColumnError, Survey

FRAME = pd.DataFrame({"w": [1.5, 2.0, 3.0, 1.0], "st": [1, 1, 2, 2], "ea": [1, 2, 1, 1], "sex": [1, 2, 2, 9]})


def test_design_summary_nested_and_not():
    s = Survey(FRAME, weight="w", strata="st", psu="ea")
    assert s.design_summary() == {"records": 4, "weight": "w", "strata": "st", "psu": "ea", "nest": True,
                                  "n_strata": 2, "n_psu": 3}
    assert Survey(FRAME, weight="w", strata="st", psu="ea", nest=False).design_summary()["n_psu"] == 2
    assert s.has_design and not Survey(FRAME, weight="w").has_design
    assert Survey(FRAME).design_summary()["n_psu"] == 4


def test_misnamed_columns_suggest():
    with pytest.raises(ColumnError, match=r"psu column 'EA' of the survey 'x.csv'.*use 'ea' instead.*psu=<column name>"):
        Survey(FRAME, psu="EA", source="x.csv")
    with pytest.raises(ColumnError, match="fpc column 'N'.*choose one of: w, st, ea, sex"):
        Survey(FRAME, fpc="N")


@pytest.mark.parametrize(("values", "said"), [
    ([1.0, 0.0, 0.0, 2.0], r"2 zero value\(s\) out of 4 records \(first rows: \[1, 2\]\)"),
    ([1.0, -1.0, None, 2.0], r"1 missing, 1 negative"),
    (["1", "x", "2", "3"], r"1 non-numeric"),
])
def test_bad_weights(values, said):
    with pytest.raises(InputError, match=said):
        Survey(FRAME.assign(w=values), weight="w")


def test_text_weights_that_are_numbers_are_accepted():
    assert Survey(FRAME.assign(w=["1.5", "2", "3", "1"]), weight="w").weight == "w"


def test_not_a_dataframe():
    with pytest.raises(InputError, match="not a pandas DataFrame"):
        Survey([1, 2, 3])


def test_labels_and_repr():
    s = Survey(FRAME, weight="w", value_labels={"sex": {1: "Male", 2: "Female"}}, source="x.csv")
    assert s.labels("sex").tolist() == ["Male", "Female", "Female", 9]
    assert s.labels("st").tolist() == [1, 1, 2, 2]
    assert repr(s) == "<Survey from 'x.csv': 4 records, 4 columns; weight='w'>"
    with pytest.raises(ColumnError, match="use 'sex' instead"):
        s.labels("sexe")


@pytest.mark.parametrize(("w", "said"), [
    (pd.array([1, None, 2, 3], dtype="Int64"), r"1 missing"),                    # Parquet/nullable ints
    ([1.0, float("inf"), 2.0, 3.0], r"1 infinite value\(s\)"),
    (["1,5", "2,5", "1", "2"], r"2 non-numeric.*'1,5', '2,5'.*decimal comma"),
    ([True, True, False, True], "yes/no"),
])
def test_more_bad_weights(w, said):
    with pytest.raises(InputError, match=said):
        Survey(FRAME.assign(w=w), weight="w")


@pytest.mark.parametrize("role", ["strata", "psu"])
def test_missing_strata_or_psu_is_an_error_naming_rows(role):
    frame = FRAME.assign(st=[1, None, 2, 2], ea=[1, None, 1, 1])
    with pytest.raises(InputError, match=rf"{role} column '(st|ea)'.*1 missing value\(s\) out of 4 records \(first rows: \[1\]\)"):
        Survey(frame, weight="w", **{role: "st" if role == "strata" else "ea"})


def test_repeated_column_names_and_lists_for_roles():
    with pytest.raises(ColumnError, match=r"\['w'\] appear more than once"):
        Survey(pd.DataFrame([[1.0, 2.0]], columns=["w", "w"]), weight="w")
    with pytest.raises(InputError, match="weight= is a list, not one column name.*weight='w'"):
        Survey(FRAME, weight=["w"])


def test_the_ilo_weight_is_used_when_no_weight_is_named():
    frame = FRAME.rename(columns={"w": "ilo_wgt"})
    s = Survey(frame, source="lfs.csv")
    assert s.weight == "ilo_wgt" and s.evident_weight
    assert any("'ilo_wgt' (not named" in n and "weight=False" in n for n in s.notes)
    assert "not named" in s.provenance["design"]["weight_rule"]
    named = Survey(frame, weight="ilo_wgt")
    assert not named.evident_weight and not any("not named" in n for n in named.notes)
    off = Survey(frame, weight=False)
    assert off.weight is None and "on purpose" in off.provenance["design"]["weight_rule"]
    with pytest.raises(InputError, match=r"weight column 'ilo_wgt' \(taken because no weight was named\).*1 zero"):
        Survey(frame.assign(ilo_wgt=[1.0, 0.0, 2.0, 1.0]))
    with pytest.raises(InputError, match="strata=True is not a column name"):
        Survey(frame, strata=True)
