"""The evidence board filled from the modules (a chart, a quotation, an estimate), kept across a reload,
reordered, captioned and trimmed; the brief written on it, checked, and produced as a Word document."""
from __future__ import annotations

import io
import json

from .apphelp import as_browser, fragment_ids, fragment_of, new_app, no_problem, submit, texts
from docx import Document

from evidencekit.store import open_store

OPEN = "board-open"  # the board's list: the item open (app_pages/board.py)


def _save(at, label: str = "Add to my evidence board"):
    button = next(b for b in at.button if b.label == label)
    return submit(at, button.form_id)


def _fill_board():
    at = new_app(module=1, step=2)
    at.run()
    _save(at)
    no_problem(at)
    assert any(s.value.startswith("Saved to your evidence board as E1.") for s in at.success)
    _save(at)  # the same chart saved twice is kept once
    assert any(s.value.startswith("Saved to your evidence board as E1.") for s in at.success)
    at = new_app(module=3, step=4)
    at.run()
    at.selectbox(key="m3-focus-groups-quote").set_value("p8")
    at.button(key="m3-focus-groups-quote-add").click().run()
    assert any(s.value == "Saved to your evidence board as E2." for s in at.success)
    at = new_app(module=3, step=1)
    at.run()
    _save(at)
    assert any(s.value.startswith("Saved to your evidence board as E3.") for s in at.success)
    return open_store().participant("local").board()


def listed(at) -> list[str]:
    """The board's list of items, in order: their evidence ids."""
    return [o.split(" ·")[0] for o in at.radio(key=OPEN).options]


def test_an_estimate_steps_forms_save_what_its_two_panels_show_after_a_choice():
    """Module 4 step 3 shows the estimates and the shares of each answer; their two forms sit below the panel,
    outside its fragment. After a breakdown changed in the panel alone (as the browser reruns it), each form
    saves the figures of that choice: the estimates, and the shares (their own part of the view)."""
    from ui import data
    from ui.steps import SHOWN

    at = new_app(module=4, step=3)
    at.run()
    headings = [m.value for m in at.markdown if "to your evidence board" in m.value]
    assert headings == ["**Save the estimates to your evidence board**",
                        "**Save the shares of each answer to your evidence board**"]
    key = "m4-why-outside-by"
    assert at.multiselect(key=key).value == ["ilo_sex"]
    with as_browser(fragment_of(at, "_panel")):
        at.multiselect(key=key).set_value(["ilo_sex", "ilo_geo"]).run()
    no_problem(at)
    spec = at.session_state[SHOWN]["4/why-outside"]
    assert spec["choices"]["by"] == ["ilo_sex", "ilo_geo"]
    at.run()  # the whole page in AppTest's tree again, as the browser holds it
    _save(at)  # the first form: the estimates
    buttons = [b for b in at.button if b.label == "Add to my evidence board"]
    submit(at, buttons[1].form_id)  # the second: the shares
    no_problem(at)
    rows = open_store().participant("local").board()
    panel = data.build_panel(json.dumps(spec))
    shares = panel.extra["distribution"]
    assert [r["payload"]["origin"]["spec"] for r in rows] == [panel.spec, shares.spec]
    expected = json.loads(json.dumps([panel.table["content"]["table"], shares.table["content"]["table"]]))
    assert [r["payload"]["evidence"]["content"]["table"] for r in rows] == expected
    assert rows[1]["title"] == "Main reason for being outside the labour force, by sex (SYNTHETIC training data)"


def test_the_board_holds_what_was_saved_with_citations_and_survives_a_reload():
    from ui import words

    rows = _fill_board()
    assert [r["payload"]["evidence"]["id"] for r in rows] == ["E1", "E2", "E3"]
    assert [r["kind"] for r in rows] == ["chart", "quote", "estimate"]
    assert rows[0]["citation"].startswith("ILOSTAT, International Labour Organization")
    assert rows[1]["citation"].startswith("Illustrative focus-group notes written for the course")
    assert "SYNTHETIC" in rows[2]["citation"]
    at = new_app()
    at.run()
    at.switch_page("app_pages/board.py").run()  # a new session: everything comes back from the store
    no_problem(at)
    listed = at.radio(key=OPEN)
    assert listed.options == ["**E1** · Chart · from module 1", "**E2** · Quotation · from module 3",
                              "**E3** · Estimate · from module 3"]
    assert list(listed.proto.captions) == [words.literal(r["title"]) for r in rows]  # as typed, never as markup
    # one item open at a time, the first to begin with: its chart, caption box and source
    assert len(at.image) == 1 and not at.dataframe and at.text_input(key=f"cap-{rows[0]['item_id']}")
    assert rows[0]["citation"] in texts(at)
    listed.set_value(rows[1]["item_id"]).run()
    assert "I bring my baby to the site because there is no one else." in texts(at) and not at.image
    at.radio(key=OPEN).set_value(rows[2]["item_id"]).run()
    assert at.dataframe and not at.image and rows[2]["citation"] in texts(at)
    no_problem(at)


def test_the_board_is_reordered_captioned_and_trimmed_without_changing_ids():
    _fill_board()
    at = new_app()
    at.run()
    at.switch_page("app_pages/board.py").run()
    first = open_store().participant("local").board()[0]["item_id"]
    at.button(key=f"down-{first}").click().run()
    rows = open_store().participant("local").board()
    assert [r["payload"]["evidence"]["id"] for r in rows] == ["E2", "E1", "E3"]
    at.text_input(key=f"cap-{first}").input("Unemployment jumped in 2020").run()
    rows = open_store().participant("local").board()
    assert rows[1]["title"] == "Unemployment jumped in 2020"
    assert at.radio(key=OPEN).proto.captions[1] == "Unemployment jumped in 2020"
    at.text_input(key=f"cap-{first}").input("Youth *not* in work: $3.4 vs $5").run()  # shown as typed
    assert at.radio(key=OPEN).proto.captions[1] == r"Youth \*not\* in work\: \$3.4 vs \$5"
    at.text_input(key=f"cap-{first}").input("Unemployment jumped in 2020").run()
    assert rows[1]["payload"]["evidence"]["caption"] == "Unemployment jumped in 2020"
    assert at.radio(key=OPEN).value == first  # the item moved stays open
    at.radio(key=OPEN).set_value(rows[2]["item_id"]).run()
    at.button(key=f"rm-{rows[2]['item_id']}").click().run()
    no_problem(at)
    assert [r["payload"]["evidence"]["id"] for r in open_store().participant("local").board()] == ["E2", "E1"]
    assert at.radio(key=OPEN).value == rows[0]["item_id"]  # the item removed was open: the first is now


def test_a_move_refused_because_an_item_went_in_another_tab_is_said_and_the_board_shown_as_it_is():
    _fill_board()
    at = new_app()
    at.run()
    at.switch_page("app_pages/board.py").run()
    rows = open_store().participant("local").board()
    open_store().participant("local").remove_from_board(rows[1]["item_id"])  # removed in another tab
    with as_browser(fragment_ids(at)[-1]):
        at.button(key=f"down-{rows[0]['item_id']}").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Reordering your board: an item in the new order is no longer on your board."]
    assert [i.value for i in at.info] == ["What to do: reload the board."]
    assert listed(at) == ["**E1**", "**E3**"]  # read again: the order kept, the item gone
    assert [r["item_id"] for r in open_store().participant("local").board()] == [rows[0]["item_id"],
                                                                                  rows[2]["item_id"]]


def test_the_boards_clicks_redraw_the_items_and_a_removal_the_sidebar_too():
    """In the browser a click on the board reruns its items only (a fragment): the new order is drawn; a
    removal redraws the whole page, whose sidebar counts the items."""
    _fill_board()
    at = new_app()
    at.run()
    at.switch_page("app_pages/board.py").run()
    assert "Evidence board: 3 items" in texts(at)
    rows = open_store().participant("local").board()
    with as_browser(fragment_ids(at)[-1]):
        at.button(key=f"down-{rows[0]['item_id']}").click().run()
        assert listed(at) == ["**E2**", "**E1**", "**E3**"]
        at.radio(key=OPEN).set_value(rows[2]["item_id"]).run()
        assert [t.label for t in at.text_input] == ["Caption of **E3** · Estimate · from module 3"]
        at.button(key=f"rm-{rows[2]['item_id']}").click().run()
    no_problem(at)
    assert "Evidence board: 2 items" in texts(at)
    assert listed(at) == ["**E2**", "**E1**"]


def test_the_brief_is_written_checked_and_produced_as_word():
    from ui import board, brief  # the app's own helpers: the bytes the download button sends

    _fill_board()
    at = new_app()
    at.run()
    at.switch_page("app_pages/brief.py").run()
    no_problem(at)
    assert "**Save before you leave the page:**" in texts(at)  # a form's text is lost on leaving unsaved
    at.text_input(key="brief-title").input("Informal work after COVID-19")
    at.text_input(key="brief-aud").input("Adviser to the Minister of Labour")
    at.text_area(key="brief-problem").input("Unemployment rose in 2020, and many women work informally.")
    at.text_area(key="brief-msg").input("Look at women and men separately.\nCompare with 2019.")
    at.text_area(key="brief-opt").input("Extend social protection to informal workers [E3]")
    at.text_area(key="brief-rec").input("Register home-based workers [E2, E3]\nKeep wage subsidies [E1]")
    submit(at, "brief-form")
    no_problem(at)
    page = texts(at)
    assert "Your brief is saved." in page
    assert "Each recommendation names the evidence it rests on." in page
    assert "Problem, key messages, options and recommendations are all there." in page
    assert [b.label for b in at.get("download_button")] == ["Download the brief (Word)"]
    at.session_state["brief-formats"] = True  # the other formats' menu opened (drawn only then)
    at.run()
    assert [b.label for b in at.get("download_button")] == ["Download the brief (Word)", "Markdown", "Web page (HTML)"]
    rows = open_store().participant("local").board()
    draft = brief.draft()
    assert draft["title"] == "Informal work after COVID-19"
    doc = Document(io.BytesIO(brief._bytes(draft, board.evidence_rows(rows), ".docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Informal work after COVID-19" in text and "For: Adviser to the Minister of Labour" in text
    assert len(doc.inline_shapes) == 1 and len(doc.tables) == 1  # the chart, and the estimate with its CIs
    assert "I bring my baby to the site" in text
    assert "ILOSTAT, International Labour Organization" in text and "SYNTHETIC" in text
    assert "Register home-based workers (evidence: Quotation 1, Table 1)" in text
    for suffix in (".md", ".html"):
        other = brief._bytes(draft, board.evidence_rows(rows), suffix).decode("utf-8")
        assert "Informal work after COVID-19" in other and "Register home-based workers" in other


def test_the_participants_words_in_the_checklist_are_shown_as_typed():
    """A recommendation tied to evidence not on the board is named under its check, cut at 60 characters: its
    $ (a formula), * (emphasis) and the [ left open by the cut are shown as typed, not read as markup."""
    _fill_board()
    at = new_app()
    at.run()
    at.switch_page("app_pages/brief.py").run()
    at.text_input(key="brief-aud").input("Adviser: *labour* minister")
    at.text_area(key="brief-rec").input("Pay $5 a day more to *all* young workers in garment work [E9] from May")
    submit(at, "brief-form")
    no_problem(at)
    checklist = next(m.value for m in at.markdown if m.value.startswith("**Checklist**"))
    assert r":material/check_circle: Audience\: Adviser\: \*labour\* minister." in checklist
    assert r":small[:gray[— recommendation 1\: Pay \$5 a day more to \*all\* young workers in garment work \[E9]]" \
        in checklist


def test_an_empty_board_says_where_evidence_comes_from():
    at = new_app()
    at.run()
    at.switch_page("app_pages/board.py").run()
    no_problem(at)
    assert any("Your board is empty" in i.value for i in at.info)


def test_a_chart_kept_before_the_axis_fix_is_said_on_the_board_and_in_the_checklist():
    """A line chart saved before drawing rules 2 whose figures reach 100 showed wrong value ticks (100 as "1"):
    the board says so under it, and the brief's checklist names it, until it is added again."""
    import evidencekit as ek
    from evidencekit import charts
    from evidencekit.brief import EvidenceBoard

    gdp = ek.ilostat.get("GDP_211P_NOC_NB_A", ref_area=["PHL", "THA"], start=2015, end=2022, offline=True,
                         labels=True)
    item = EvidenceBoard().add_chart(charts.line(gdp), "Output per worker", dpi=40).to_dict()
    del item["content"]["style"]  # as kept before 2026-12-03
    open_store().participant("local").add_to_board(
        {"kind": "chart", "title": "Output per worker", "citation": item["citation"],
         "payload": {"evidence": item, "origin": {"spec": {}, "what": "chart"}}, "module": 5})
    at = new_app()
    at.run()
    at.switch_page("app_pages/board.py").run()
    no_problem(at)
    said = [w.value for w in at.warning]
    assert any(w.startswith("E1 was drawn by an earlier evidencekit") and "100 as '1'" in w for w in said), said
    at.switch_page("app_pages/brief.py").run()
    at.text_input(key="brief-title").input("Productivity")
    submit(at, next(b for b in at.button if b.label == "Save and check my brief").form_id)
    no_problem(at)
    assert "chart(s) were drawn by an earlier evidencekit" in texts(at)
