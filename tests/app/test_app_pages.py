"""Every page of the workbench renders offline without an error; deep links open the step they name (and a
link that points nowhere is said plainly); a failing library call is shown in plain words, never as a
traceback; the figures a step shows are the library's."""
from __future__ import annotations

import tomllib

import pandas as pd
import pytest
from .apphelp import APP, new_app, no_problem, open_tables, texts

import evidencekit as ek
from evidencekit import compare
from evidencekit.brief.render import cell
from evidencekit.course import load_course

PAGES = ["app_pages/explorer.py", "app_pages/microdata.py", "app_pages/board.py", "app_pages/brief.py"]


def test_home_lists_the_modules_with_progress_and_where_to_continue():
    at = new_app()
    at.run()
    no_problem(at)
    course = load_course()
    page = texts(at)
    assert at.title[0].value == "Evidence-based policy making for decent work"
    assert all(f"Module {m.number} · {m.title}" in page for m in course.modules)
    assert at.sidebar.get("progress")[0].proto.text == "**Your progress:** 0% of the course"
    links = at.get("page_link")
    assert any(e.proto.label == "Continue: module 1 · Introduction" for e in links)


@pytest.mark.parametrize("page", PAGES)
def test_every_workbench_page_renders(page):
    at = new_app()
    at.run()
    at.switch_page(page).run()
    no_problem(at)
    assert at.title


@pytest.mark.parametrize("step, heading", [("3", "### Step 3 of 4 · Young women and young men"),
                                           ("youth-notes", "### Step 2 of 4 · Notes, flags and breaks in series"),
                                           ("intro", "### Introduction"), ("review", "### Review")])
def test_a_deep_link_opens_that_step(step, heading):
    at = new_app(module=2, step=step)
    at.run()
    no_problem(at)
    assert at.title[0].value == "Module 2 · Secondary data and metadata"
    assert heading in [m.value.split("\n")[0] for m in at.markdown]
    assert at.query_params["module"] == "2"
    assert at.query_params["step"] == {"youth-notes": "2"}.get(step, step)


@pytest.mark.parametrize("query, said", [({"module": "9"}, "there is no such module"),
                                         ({"module": "two"}, "there is no such module"),
                                         ({"step": "3"}, "a step needs a module")])
def test_a_link_to_no_module_is_said_plainly_on_home(query, said):
    at = new_app(**query)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Evidence-based policy making for decent work"
    assert any(said in e.value for e in at.error)
    assert any(i.value.startswith("What to do:") for i in at.info)


def test_a_link_to_no_step_opens_the_introduction_and_says_why():
    at = new_app(module=2, step="99")
    at.run()
    assert not at.exception
    assert any("there is no such step" in e.value and "steps 1–4" in e.value for e in at.error)
    assert "### Introduction" in [m.value.split("\n")[0] for m in at.markdown]
    assert at.query_params["step"] == "intro"


def test_the_parts_of_a_module_are_switched_in_the_url():
    at = new_app(module=1, step="2")
    at.run()
    at.segmented_control[0].set_value("4").run()
    assert at.query_params["step"] == "4"
    assert "### Step 4 of 4 · Who works and is still poor?" in [m.value for m in at.markdown]
    at.button(key="back-1/working-poverty").click().run()
    assert at.query_params["step"] == "3"


def test_a_step_shows_the_figures_the_library_computes():
    """Module 2, step 1: the ranked table on screen is compare.across of ILOSTAT's figures, read here directly."""
    at = new_app(module=2, step=1)
    at.run()
    no_problem(at)
    assert not at.dataframe  # the table is drawn when opened
    shown = open_tables(at).dataframe[0].value
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=list(load_course().module(2).step(1).params["areas"])
                        + ["X40"], sex="SEX_T", classif1="AGE_YTHADULT_Y15-24", start=2019, end=2019, labels=True)
    expected = compare.across(df, 2019, benchmark="X40")
    assert list(shown["Area"]) == list(expected["ref_area.label"])
    assert list(shown["Value"]) == [cell(v, 1) for v in expected["obs_value"]]  # as the brief prints them
    assert list(shown["Rank"]) == [cell(None if pd.isna(v) else int(v), 1) for v in expected["rank"]]
    assert shown["Value"].iloc[0] == f"{expected['obs_value'].iloc[0]:.1f}"
    assert "No figures for Lao People's Democratic Republic in the offline snapshot." in texts(at)


def test_a_participant_choice_changes_the_figures():
    at = new_app(module=2, step=1)
    at.run()
    at.selectbox(key="m2-youth-compare-year").set_value(2021).run()
    no_problem(at)
    shown = open_tables(at).dataframe[0].value
    assert set(shown["Year"].astype(str)) == {"2021"}
    at2 = new_app(module=2, step=1)  # a reload (new session) keeps the choice: it is in the store
    at2.run()
    assert at2.selectbox(key="m2-youth-compare-year").value == 2021


def test_a_choice_is_saved_a_moment_later_and_before_any_other_write(monkeypatch):
    """A click on a choice waits for no database write: the choice is written by a thread a moment later, or at
    once before any other write of the participant (here: the step marked done), and is in an export."""
    import json

    from ui import context

    from evidencekit.store import open_store

    monkeypatch.setattr(context.LATER, "DELAY", 60.0)  # the thread waits: only the next write can save it
    at = new_app(module=2, step=1)
    at.run()
    at.selectbox(key="m2-youth-compare-year").set_value(2021).run()
    stored = open_store().participant("local").work(2, "youth-compare")
    assert (stored or {}).get("choices", {}).get("year") != 2021  # not written yet
    assert new_app(module=2, step=1).run().selectbox(key="m2-youth-compare-year").value == 2021  # a reload sees it
    at.button(key="done-2/youth-compare").click().run()
    assert open_store().participant("local").work(2, "youth-compare")["choices"]["year"] == 2021
    monkeypatch.setattr(context.LATER, "DELAY", 0.05)
    at2 = new_app(module=2, step=1)
    at2.run()
    at2.selectbox(key="m2-youth-compare-year").set_value(2020).run()
    import time

    deadline = time.monotonic() + 10
    while open_store().participant("local").work(2, "youth-compare")["choices"]["year"] != 2020:
        assert time.monotonic() < deadline, "the choice was not written within 10 s"
        time.sleep(0.05)
    monkeypatch.setattr(context.LATER, "DELAY", 60.0)
    at2.selectbox(key="m2-youth-compare-year").set_value(2019).run()
    from ui import journey

    exported = json.loads(journey.export_bytes(open_store().participant("local")))  # "Download all my work"
    assert [w["state"]["choices"]["year"] for w in exported["work"] if w["item"] == "youth-compare"] == [2019]


def test_a_failing_library_call_is_said_in_plain_words(monkeypatch):
    from evidencekit.ilostat import NetworkError

    def down(*args, **kwargs):
        raise NetworkError("Reading ILOSTAT", "it could not be reached and there is no copy of these figures",
                           "try again when the network is back, or choose figures of the offline snapshot")

    monkeypatch.setattr(ek.ilostat, "get", down)
    at = new_app(module=1, step=1)
    at.run()
    assert not at.exception
    assert any(e.value.startswith("Reading ILOSTAT: it could not be reached") for e in at.error)
    assert any(i.value.startswith("What to do: try again when the network is back") for i in at.info)
    assert at.title[0].value.startswith("Module 1")  # the page itself is still there


def test_an_unexpected_failure_is_an_apology_with_no_traceback(monkeypatch):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero deep inside")

    monkeypatch.setattr(compare, "across", bug)
    at = new_app(module=2, step=1)
    at.run()
    assert not at.exception
    assert any(e.value.startswith("Sorry — something went wrong on this page (ZeroDivisionError)")
               for e in at.error)
    assert "division by zero deep inside" not in texts(at)
    assert "Traceback" not in texts(at)


def test_the_app_config_hides_tracebacks_and_stays_offline_friendly():
    config = tomllib.loads((APP / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["headless"] is True
    assert config["server"]["fileWatcherType"] == "none"
    assert 50 <= config["server"]["maxUploadSize"] <= 1000


def test_nothing_about_the_participant_goes_into_the_url():
    at = new_app(module=3, step=4)
    at.run()
    form = [f for f in at.get("form")][0]
    del form
    at.pills(key="m3-focus-groups-tag-p1").set_value(["care-duties"])
    [b for b in at.button if b.label == "Save my tags and count the themes"][0].click().run()
    no_problem(at)
    assert set(at.query_params) == {"module", "step"}
    table = at.dataframe[-1].value
    assert isinstance(table, pd.DataFrame) and int(table.loc[table["Theme"] == "Care duties shape the work",
                                                             "Passages"].iloc[0]) == 1


def test_reconciling_two_figures_keeps_the_note_and_shows_what_differs():
    at = new_app(module=4, step=2)
    at.run()
    no_problem(at)
    table = at.dataframe[0].value
    assert list(table.columns[:1]) == ["Year"] and len(table) == 1
    # the figures' downloads are drawn with the page (a menu outside the step's fragment that reran as it closed
    # would take a participant who clicks another page back here: tests/app/test_load.py)
    assert {b.label for b in at.get("download_button")} >= {"Data (CSV)", "Data (Excel)"}
    at.pills(key="m4-phl-two-figures-why").set_value(["definition"])
    at.text_area(key="m4-phl-two-figures-note").input("ILOSTAT for comparing countries; PSA for the national debate.")
    [b for b in at.button if b.label == "Compare with what the figures' metadata say"][0].click().run()
    no_problem(at)
    page = texts(at)
    assert "**Definition**" in page and "You chose: Definition (who is counted)." in page
    from evidencekit.store import open_store

    work = open_store().participant("local").work(4, "phl-two-figures")
    assert work["reasons"] == ["definition"] and work["note"].startswith("ILOSTAT for comparing countries")
    [b for b in at.button if b.label == "Add to my evidence board"][0].click().run()
    rows = open_store().participant("local").board()
    assert rows[0]["payload"]["evidence"]["type"] == "reconcile"
    assert rows[0]["title"] == "ILOSTAT for comparing countries; PSA for the national debate."
