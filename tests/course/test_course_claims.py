"""What the module texts say about the data holds in the embedded snapshot (a text must never state a figure
the data do not support). Answers are computed; these are the few statements written into texts and options."""
from __future__ import annotations

import tempfile

import pytest

from evidencekit.course import load_course, right_answer
from evidencekit.course.answers import evaluate, survey_of
from evidencekit.ilostat import Client, NoDataWarning

COURSE = load_course()


@pytest.fixture(scope="module")
def client():
    with tempfile.TemporaryDirectory() as tmp:
        yield Client(cache_dir=tmp, offline=True)


def value(client, indicator, area, year, **codes):
    return evaluate({"query": {"indicator": indicator, "ref_area": [area], "year": year,
                               **{k: [v] for k, v in codes.items()}}, "operation": "value"}, client=client).value


def areas_with_data(client, indicator, areas, **filters):
    with pytest.warns(NoDataWarning):  # the library says which asked areas have no rows
        return set(client.get(indicator, ref_area=areas, **filters)["ref_area"])


def test_module_6_one_young_woman_in_four_in_indonesia(client):
    assert value(client, "SDG_0861_SEX_RT_A", "IDN", 2022, sex="SEX_F") > 25


def test_module_5_nominal_earnings_higher_in_2021(client):
    codes = {"sex": "SEX_T", "classif1": "OCU_SKILL_TOTAL"}
    assert value(client, "SDG_0851_SEX_OCU_NB_A", "PHL", 2021, **codes) > value(client, "SDG_0851_SEX_OCU_NB_A", "PHL", 2019, **codes)


def test_module_5_viet_nam_union_density_sources(client):
    df = client.get("ILR_TUMT_NOC_RT_A", ref_area="VNM", labels=True).set_index("time")
    assert "Confederation of Labour" in df.loc["2012", "source.label"] and "Labour Force Survey" in df.loc["2018", "source.label"]
    q = COURSE.question("5/density-highest")
    assert right_answer(q, client=client)[1].value == "VNM"


def test_module_4_ilostat_much_lower_than_psa(client):
    assert value(client, "SDG_0852_SEX_AGE_RT_A", "PHL", 2021, sex="SEX_T", classif1="AGE_YTHADULT_YGE15") < 7.8 - 2


def test_missing_countries_named_in_hints(client):
    assert "LAO" not in areas_with_data(client, "SDG_0852_SEX_AGE_RT_A", ["LAO", "PHL"], start=2019, end=2019)
    assert not {"MYS", "PHL", "SGP"} & areas_with_data(client, "SDG_0831_SEX_ECO_RT_A", ["MYS", "PHL", "SGP", "IDN"])
    assert not {"BRN", "SGP"} & areas_with_data(client, "SDG_0111_SEX_AGE_RT_A", ["BRN", "SGP", "IDN"])
    assert not {"MYS", "SGP", "TLS"} & areas_with_data(client, "EAP_2WAP_SEX_AGE_RT_A", ["MYS", "SGP", "TLS", "PHL"])


def test_module_3_intervals_of_about_two_points():
    from evidencekit import indicators
    out = indicators.estimate(survey_of("synthetic"), "informal_employment_rate", by="ilo_sex")
    half = (out["ci_high"] - out["ci_low"]) / 2
    assert half.between(1.5, 2.5).all()
    assert (out["ci_low"].max() > out["ci_high"].min())  # the two intervals do not overlap


def test_areas_without_data_are_named_in_feedback(client):
    computed = right_answer(COURSE.question("2/phl-rank"), client=client)[1]
    assert computed.detail["missing"] == ["Lao People's Democratic Republic"]
    assert computed.detail["out_of"] == 9 and computed.value == 5
