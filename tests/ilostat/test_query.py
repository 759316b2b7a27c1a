"""Periods and filters of a request, applied to a frame in memory (the snapshot and cache paths)."""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit.ilostat.errors import NoMatchError, QueryError
from evidencekit.ilostat.query import Query, filter_frame
from evidencekit.ilostat.tidy import tidy


def frame(times: list[str]) -> pd.DataFrame:
    n = len(times)
    return tidy(pd.DataFrame({"ref_area": ["PHL"] * n, "indicator": ["X"] * n, "sex": ["SEX_T"] * n,
                              "time": times, "obs_value": [float(i) for i in range(n)]}))


QUARTERS = [f"{y}Q{q}" for y in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
MONTHS = [f"2024M{m:02d}" for m in range(1, 13)] + ["2025M01"]


@pytest.mark.parametrize("times, start, end, want", [
    (QUARTERS, "2024", "2024", [f"2024Q{q}" for q in (1, 2, 3, 4)]),      # a year bound covers its quarters
    (QUARTERS, "2024Q2", "2024Q3", ["2024Q2", "2024Q3"]),
    (QUARTERS, "2024Q3", "2024", ["2024Q3", "2024Q4"]),                   # start inside the end year
    (MONTHS, None, "2024Q2", [f"2024M{m:02d}" for m in range(1, 7)]),    # a quarter bound covers its months
    (MONTHS, "2024M12", None, ["2024M12", "2025M01"]),
    (["2022", "2023", "2024", "2025"], "2023", "2024", ["2023", "2024"]),
])
def test_end_bound_includes_the_whole_period(times, start, end, want):
    got = filter_frame(frame(times), Query.build("X_Q", start=start, end=end))
    assert got["time"].tolist() == want


def test_end_before_start_is_refused_but_a_year_containing_the_start_is_not():
    with pytest.raises(QueryError, match="ends before it starts"):
        Query.build("X_Q", start="2024Q3", end="2024Q2")
    with pytest.raises(QueryError, match="swap them"):
        Query.build("X_A", start=2024, end=2015)
    Query.build("X_Q", start="2024Q3", end="2024")  # 2024 ends after 2024Q3 begins


def test_no_rows_in_the_period_names_the_span_held():
    with pytest.raises(NoMatchError, match="choose periods within 2023Q1 to 2025Q4"):
        filter_frame(frame(QUARTERS), Query.build("X_Q", start="2026Q1"))


@pytest.mark.parametrize("have_end, want_end, covered", [
    ("2024Q4", "2024", True),
    ("2024Q1", "2024", False),   # the year asks for Q2-Q4 too
    ("2024", "2024Q3", True),
    ("2024", "2025Q1", False),
    (None, "2030", True),
])
def test_a_cached_request_covers_another_only_with_all_its_periods(have_end, want_end, covered):
    from evidencekit.ilostat.query import covers

    assert covers({"end": have_end}, {"end": want_end}) is covered


# -- odd but valid inputs an analyst writes ----------------------------------------------------------
@pytest.mark.parametrize("given, want", [
    ("PHL+IDN", ("IDN", "PHL")),          # the API's own list syntax
    ("phl, idn", ("IDN", "PHL")),         # comma-separated, as the CLI accepts
    ("PHL IDN", ("IDN", "PHL")),
    (["PHL", "idn+tha"], ("IDN", "PHL", "THA")),
    ("ILO_GEO_X06", ("X06",)),            # the ref_area ToC's group code is the X code (docs/ilostat.md, "Identifiers")
    ("ILO_GEO_WB_INC_X03", ("X03",)),
])
def test_codes_given_in_one_string_are_split(given, want):
    assert Query.build("X_A", ref_area=given).ref_area == want


def test_a_year_given_as_a_whole_float_is_a_year():
    import numpy as np

    q = Query.build("X_A", start=2015.0, end=np.float64(2016))
    assert (q.start, q.end) == ("2015", "2016")
    with pytest.raises(QueryError, match="is not an ILOSTAT period"):
        Query.build("X_A", start=2015.5)


def test_an_indicator_code_without_frequency_says_which_suffix_to_add():
    with pytest.raises(QueryError) as err:
        Query.build("sdg_0852_sex_age_rt")
    text = str(err.value)
    assert "frequency" in text and "SDG_0852_SEX_AGE_RT_A" in text and "_Q" in text


def test_several_ids_are_refused_with_the_way_to_get_them():
    with pytest.raises(QueryError) as err:
        Query.build(["SDG_0852_SEX_AGE_RT_A", "SDG_0861_SEX_RT_A"])
    assert "one dataset id at a time" in str(err.value) and "pandas.concat" in str(err.value)


@pytest.mark.parametrize("given", [[], "+", " , "])
def test_a_filter_given_without_any_code_is_refused_not_widened(given):
    with pytest.raises(QueryError):   # an empty list from a computation must not turn into "every area"
        Query.build("X_A", ref_area=given)
