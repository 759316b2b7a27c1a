"""The answer operations, on small frames worked by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit.course.answers import OPERATIONS, compare_numbers, operate
from evidencekit.course.errors import AnswerError

AREAS = pd.DataFrame({"ref_area": ["IDN", "PHL", "THA", "VNM"], "time": [2021] * 4,
                      "source": ["BA:1", "BA:2", "BA:3", "BA:4"], "value": [14.0, 8.5, 6.0, 8.5]})
SERIES = pd.DataFrame({"ref_area": ["PHL"] * 4, "time": [2018, 2019, 2020, 2021], "value": [2.0, 2.5, 4.0, 3.0]})
SEX = pd.DataFrame({"ref_area": ["PHL"] * 3, "sex": ["SEX_T", "SEX_F", "SEX_M"], "time": [2019] * 3,
                    "value": [6.8, 8.0, 6.0]})


def test_value_needs_exactly_one_row():
    one = AREAS[AREAS.ref_area == "THA"]
    assert operate(one, "value", {})[0] == 6.0
    with pytest.raises(AnswerError, match="leaves ref_area open"):
        operate(AREAS, "value", {})


def test_max_min_and_their_member():
    assert operate(AREAS, "max", {}, over="ref_area") == ("IDN", {"over": "ref_area", "member": "IDN", "of_value": 14.0})
    assert operate(AREAS, "min", {}, over="ref_area")[0] == "THA"


def test_a_tie_has_no_single_answer():
    tie = AREAS[AREAS.ref_area.isin(["PHL", "VNM"])]
    with pytest.raises(AnswerError, match="same value"):
        operate(tie, "max", {}, over="ref_area")


def test_rank_from_the_top_and_from_the_bottom():
    # 14.0 > 8.5 = 8.5 > 6.0: PHL shares second place with VNM; from the bottom THA is first
    assert operate(AREAS, "rank", {"of": "PHL"}, over="ref_area")[0] == 2
    assert operate(AREAS, "rank", {"of": "VNM"}, over="ref_area")[0] == 2
    assert operate(AREAS, "rank", {"of": "IDN"}, over="ref_area")[1]["out_of"] == 4
    assert operate(AREAS, "rank", {"of": "THA", "order": "ascending"}, over="ref_area")[0] == 1
    with pytest.raises(AnswerError, match="no value for ref_area MYS"):
        operate(AREAS, "rank", {"of": "MYS"}, over="ref_area")


def test_latest_change_and_percent_change():
    assert operate(SERIES, "latest", {}, over="time") == (3.0, {"year": 2021})
    value, detail = operate(SERIES, "change", {"from": 2019, "to": 2020}, over="time")
    assert value == pytest.approx(1.5) and detail["value_from"] == 2.5 and detail["value_to"] == 4.0
    assert operate(SERIES, "percent_change", {"from": 2018, "to": 2021}, over="time")[0] == pytest.approx(50.0)
    with pytest.raises(AnswerError, match="no value for time 2017"):
        operate(SERIES, "change", {"from": 2017, "to": 2021}, over="time")
    zero = SERIES.assign(value=[0.0, 1.0, 1.0, 1.0])
    with pytest.raises(AnswerError, match="value in 2018 is 0"):
        operate(zero, "percent_change", {"from": 2018, "to": 2021}, over="time")


def test_gap_is_first_minus_second():
    two = SEX[SEX.sex != "SEX_T"]
    value, detail = operate(two, "gap", {"between": {"sex": ["SEX_F", "SEX_M"]}}, over="sex")
    assert value == pytest.approx(2.0) and (detail["value_a"], detail["value_b"]) == (8.0, 6.0)
    assert operate(two, "gap", {"between": {"sex": ["SEX_M", "SEX_F"]}}, over="sex")[0] == pytest.approx(-2.0)


def test_two_sources_for_one_member_are_refused_not_picked():
    doubled = pd.concat([AREAS, AREAS[AREAS.ref_area == "PHL"].assign(source="HIES:9", value=9.9)])
    with pytest.raises(AnswerError, match=r"several sources for ref_area PHL \(BA:2, HIES:9\)"):
        operate(doubled, "max", {}, over="ref_area")


def test_missing_values_are_left_out_and_an_empty_query_is_said():
    holes = AREAS.assign(value=[None, 8.5, 6.0, None])
    assert operate(holes, "max", {}, over="ref_area")[0] == "PHL"
    with pytest.raises(AnswerError, match="gives no value"):
        operate(AREAS.assign(value=None), "max", {}, over="ref_area")


def test_unknown_operation():
    with pytest.raises(AnswerError, match="'mean' is not an operation"):
        operate(AREAS, "mean", {})
    assert set(OPERATIONS) == {"value", "latest", "max", "min", "rank", "change", "percent_change", "gap"}


def test_tolerance():
    assert compare_numbers(1.2, 1.28, 0.1) and not compare_numbers(1.1, 1.28, 0.1)
    assert compare_numbers(5.0, 5.0, 0.0) and not compare_numbers(float("nan"), 5.0, 1.0)
