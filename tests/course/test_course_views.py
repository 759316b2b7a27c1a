"""A data step's view with the participant's choices: checked again on the server, only what `choose` opens."""
from __future__ import annotations

import pytest

from evidencekit.course import benchmark_query, estimate_query, ilostat_query, load_course
from evidencekit.errors import InputError

COURSE = load_course()


def test_starting_views():
    compare = COURSE.locate(2, "youth-compare").step
    assert ilostat_query(compare) == {"id": "SDG_0852_SEX_AGE_RT_A", "ref_area": list(COURSE.module(2).steps[0].params["areas"]),
                                      "sex": ["SEX_T"], "classif1": ["AGE_YTHADULT_Y15-24"], "start": 2019, "end": 2019}
    assert benchmark_query(compare)["ref_area"] == ["X40"]
    gap = COURSE.locate(4, "lfpr-gap").step
    assert ilostat_query(gap)["sex"] == ["SEX_F", "SEX_M"] and ilostat_query(gap)["start"] == 2022
    latest = COURSE.locate(3, "informality-published").step
    assert "start" not in ilostat_query(latest)  # latest: every year, the app keeps each area's latest
    trend = COURSE.locate(1, "shock-and-recovery").step
    assert (ilostat_query(trend)["start"], ilostat_query(trend)["end"]) == (2015, 2022)
    assert benchmark_query(trend) is None


def test_choices_applied_and_groups_expanded():
    step = COURSE.locate(1, "unemployment-asean").step
    q = ilostat_query(step, {"areas": ["PHL", "ASEAN-10"], "years": [2018, 2021], "sex": "SEX_F"})
    assert q["ref_area"][0] == "PHL" and len(q["ref_area"]) == 10 and q["sex"] == ["SEX_F"]
    assert (q["start"], q["end"]) == (2018, 2021)


@pytest.mark.parametrize("choices, message", [
    ({"indicator": "UNE_DEAP_SEX_AGE_RT_A"}, "does not let the participant change it"),
    ({"classif1": "AGE_YTHADULT_Y15-24"}, "change only: areas, years, sex"),
    ({"areas": ["Philippines"]}, "is not a reference-area code"),
    ({"years": [2022, 2015]}, "ends before it starts"),
    ({"sex": "F"}, "is not allowed here"),
])
def test_choices_refused(choices, message):
    with pytest.raises(InputError, match=message):
        ilostat_query(COURSE.locate(1, "unemployment-asean").step, choices)


def test_estimate_views():
    step = COURSE.locate(3, "informality-estimate").step
    assert estimate_query(step) == {"survey": "synthetic", "indicators": ["informal_employment_rate"],
                                    "by": ["ilo_sex"], "level": 0.95}
    assert estimate_query(step, {"by": ["region", "ilo_sex"], "level": 0.9})["by"] == ["region", "ilo_sex"]
    with pytest.raises(InputError, match="is out of range"):
        estimate_query(step, {"level": 5})
    with pytest.raises(InputError, match="is not allowed here"):
        estimate_query(step, {"by": "ilo_sex; drop table"})
    care = COURSE.locate(4, "why-outside").step
    assert estimate_query(care)["distribution"] == "olf_reason_detail"
    with pytest.raises(InputError, match="estimates nothing"):
        estimate_query(COURSE.locate(1, 1).step)
    with pytest.raises(InputError, match="shows no ILOSTAT series"):
        ilostat_query(step)
