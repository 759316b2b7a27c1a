"""The Microdata workbench: the SYNTHETIC training survey estimated with CIs and small-cell flags; a participant's
own file read with its design (the same figures as the library gives); bad uploads (empty, binary, wrong
extension) answered with a plain message and a way forward; the data explorer's search and choices."""
from __future__ import annotations

import io

import pytest
from .apphelp import as_browser, fragment_of, new_app, no_problem, texts

import evidencekit as ek
from evidencekit.brief.render import cell
from evidencekit.microdata.synthetic import load_sample


def _workbench():
    at = new_app()
    at.run()
    at.switch_page("app_pages/microdata.py").run()
    no_problem(at)
    return at


def test_the_synthetic_survey_is_estimated_with_intervals_and_named_synthetic():
    at = _workbench()
    page = texts(at)
    assert "SYNTHETIC training data generated for this course: it describes no real country." in page
    assert any(c.value.startswith("Source: SYNTHETIC training survey") for c in at.caption)
    table = at.dataframe[0].value
    expected = ek.indicators.estimate(load_sample(), "informal_employment_rate", by="ilo_sex")
    assert list(table["Estimate"]) == [cell(v, 1) for v in expected["estimate"]]
    assert list(table["CI low"]) == [cell(v, 1) for v in expected["ci_low"]]


def test_small_cells_are_flagged_when_the_breakdown_is_fine():
    at = _workbench()
    at.multiselect(key="md-by").set_value(["region", "ilo_age_aggregate", "ilo_sex"]).run()
    no_problem(at)
    assert any("too many to chart" in i.value for i in at.info)
    assert any("small cell" in c.value or "n<" in c.value for c in at.caption)


def _own(at, name: str, content: bytes):
    at.radio(key="md-source").set_value("own").run()
    at.file_uploader(key="md-upload").set_value((name, content, "application/octet-stream")).run()
    return at


@pytest.mark.parametrize("name, content, said", [
    ("empty.csv", b"", "the file is empty"),
    ("junk.csv", bytes(range(256)) * 4, "its content is binary data"),
    ("report.pdf", b"%PDF-1.4 not a survey", "is not a survey format evidencekit reads"),
    ("header-only.csv", b"ilo_sex,ilo_wgt\n", "the file holds no records"),
])
def test_a_bad_upload_gets_a_plain_message_and_a_way_forward(name, content, said):
    at = _own(_workbench(), name, content)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(said in e and name in e for e in errors), errors
    assert not any("evidencekit-upload-" in e for e in errors), "the private upload folder is not shown"
    assert any(i.value.startswith("What to do:") for i in at.info)
    assert "Traceback" not in texts(at)


def test_an_own_file_is_read_with_its_design_and_estimated_like_the_library_does():
    sample = load_sample()
    data = sample.data[sample.data["strata"].isin(sorted(sample.data["strata"].unique())[:3])]
    buf = io.BytesIO()
    data.to_csv(buf, index=False)
    at = _own(_workbench(), "my-lfs.csv", buf.getvalue())
    no_problem(at)
    assert f"my-lfs.csv: {len(data):,} records" in texts(at)
    at.button(key="md-read").click().run()
    no_problem(at)
    assert any(s.value.startswith(f"Read my-lfs.csv: {len(data):,} people; design: weight ilo\\_wgt, 3 strata")
               for s in at.success)
    at.multiselect(key="md-indicators").set_value(["unemployment_rate"]).run()
    no_problem(at)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "my-lfs.csv"
        path.write_bytes(buf.getvalue())
        survey = ek.microdata.read(path, weight="ilo_wgt", strata="strata", psu="psu")
        expected = ek.indicators.estimate(survey, "unemployment_rate", by="ilo_sex")
    table = at.dataframe[0].value
    assert list(table["Estimate"]) == [cell(v, 1) for v in expected["estimate"]]
    assert any("Own estimates from my-lfs.csv" in c.value or "my-lfs.csv" in c.value for c in at.caption)


def test_a_stratum_with_one_psu_is_said_and_a_rule_can_be_chosen():
    sample = load_sample()
    data = sample.data.head(6000)  # the last stratum is cut: it keeps a single PSU
    buf = io.BytesIO()
    data.to_csv(buf, index=False)
    at = _own(_workbench(), "cut.csv", buf.getvalue())
    at.button(key="md-read").click().run()
    assert not at.exception
    assert any("have a single PSU" in e.value for e in at.error)
    at.radio(key="md-lonely").set_value("adjust").run()
    no_problem(at)
    assert at.dataframe


def test_the_explorers_chart_type_redraws_the_view_alone_and_a_choice_above_it_the_view_too():
    """As the browser asks: the chart type reruns the view's fragment only (the choices above are not drawn
    again), and a country taken away reruns the explorer's, whose view then shows the countries left."""
    at = new_app()
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    assert at.multiselect(key="ex-areas").value == ["IDN", "PHL", "THA", "VNM"]
    with as_browser(fragment_of(at, "shown")):  # (AppTest's tree then holds what that run drew, no more)
        at.segmented_control(key="ex-chart").set_value("table").run()
    no_problem(at)
    assert not at.image and at.dataframe and not at.multiselect  # the view drawn again, the choices not
    with as_browser(fragment_of(at, "shown")):
        at.segmented_control(key="ex-chart").set_value("line").run()
    assert at.image
    at.run()  # the whole page in AppTest's tree again, as the browser holds it
    with as_browser(fragment_of(at, "explorer")):
        at.multiselect(key="ex-areas").set_value(["IDN", "PHL"]).run()
    no_problem(at)
    caption = next(t.value for t in at.text_input if t.label == "Caption (say what it shows)")
    assert "Indonesia and Philippines" in caption and "Thailand" not in caption


def test_the_explorer_searches_chooses_and_refuses_an_empty_selection():
    at = new_app()
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    no_problem(at)
    assert at.image and any(c.value.startswith("Source: ILOSTAT") for c in at.caption)
    at.text_input(key="ex-search").input("not in education").run()
    no_problem(at)
    assert next(b for b in at.selectbox if b.label == "Indicator").value == "SDG_0861_SEX_RT_A"
    at.segmented_control(key="ex-chart").set_value("bars").run()
    no_problem(at)
    assert at.image
    at.multiselect(key="ex-areas").set_value([]).run()
    assert not at.exception
    assert any("Choose at least one country or region." in w.value for w in at.warning)
    at.text_input(key="ex-search").input("zzzz nothing like this").run()
    assert not at.exception
    assert any("can be read here" in w.value for w in at.warning)


def test_the_psa_file_with_its_saved_mapping_offers_only_what_it_can_give_and_says_the_mappings_design(shared_data):
    """Walking the workbench with PSA's public-use file (CSPro) in a browser: after "Read", the estimates opened on
    informal employment, which the file cannot give, so the first thing shown was an error; and the design boxes
    read "(none)" while the mapping's weight, strata and PSU were used. Now the indicators are those the file
    gives (unemployment first), the others are named with what they lack, and the mapping's design is said under
    the design boxes left empty. The figure is PSA's published unemployment rate, November 2022: 4.2%."""
    puf = shared_data / "microdata" / "phl_lfs_puf_2022" / "LFS_PUF_November_2022"
    at = _workbench()
    at.radio(key="md-source").set_value("own").run()
    at.file_uploader(key="md-upload").set_value(
        [(puf.with_suffix(".dcf").name, puf.with_suffix(".dcf").read_bytes(), "application/octet-stream"),
         (puf.with_suffix(".F2").name, puf.with_suffix(".F2").read_bytes(), "application/octet-stream")]).run()
    no_problem(at)
    at.radio(key="md-how").set_value("saved").run()
    at.selectbox(key="md-mapping").set_value("psa_lfs_puf").run()
    no_problem(at)
    assert {at.selectbox(key=f"md-{role}").value for role in ("weight", "strata", "psu")} == {"(none)"}
    assert ("Left at (none), the mapping's design is used: weight ilo\\_wgt, strata PUFREG, PSU PUFPSU."
            in [c.value for c in at.caption])
    at.button(key="md-read").click().run()
    no_problem(at)
    assert not at.error, [e.value for e in at.error]
    indicators = at.multiselect(key="md-indicators")
    assert indicators.value == ["unemployment_rate"]
    assert "informal_employment_rate" not in indicators.options and "Unemployment rate (LU1)" in indicators.options
    lacking = "Informal employment rate (needs ilo\\_job1\\_ife\\_nature)"
    assert any(c.value.startswith("Not from this survey") and lacking in c.value for c in at.caption)
    at.multiselect(key="md-by").set_value([]).run()
    no_problem(at)
    assert list(at.dataframe[0].value["Estimate"]) == ["4.2"]
    # the caption offered for the board names the survey as the chart does, not by its file
    offered = [t.value for t in at.text_input if t.label == "Caption (say what it shows)"]
    assert offered[0] == "Unemployment rate (LU1) — Philippines Labor Force Survey (LFS), public-use file"
    at.selectbox(key="md-gap-indicator").set_value("unemployment_rate").run()  # women − men: under one point
    no_problem(at)
    row = at.dataframe[1].value.iloc[0]
    decimals = {len(str(row[c]).split(".")[1]) for c in ("Gap (A − B)", "CI low", "CI high")}
    assert abs(float(row["Gap (A − B)"])) < 1 and decimals == {2}, row.to_dict()  # the ends as precise as the gap
