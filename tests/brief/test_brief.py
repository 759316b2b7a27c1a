"""The evidence board (JSON round trip, refusals) and the policy brief (DOCX opened and read back, Markdown,
HTML escaping, references, checklist, length)."""
from __future__ import annotations

import base64
import json

import pytest
from docx import Document

import evidencekit as ek
from evidencekit import charts, compare, provenance
from evidencekit.brief import EvidenceBoard, PolicyBrief
from evidencekit.errors import InputError

EVIL = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def youth():
    return ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=["IDN", "PHL", "THA", "VNM"], sex="SEX_T",
                          classif1="AGE_YTHADULT_Y15-24", start=2015, offline=True, labels=True)


@pytest.fixture(scope="module")
def board(youth):
    b = EvidenceBoard()
    b.add_chart(charts.line(youth), "Youth unemployment, four ASEAN countries", dpi=40)
    b.add_table(compare.across(youth, benchmark="median"), "Latest year, ranked")
    est = ek.indicators.estimate(ek.microdata.synthetic.load_sample(), "unemployment_rate", by="ilo_sex")
    est.attrs["provenance"] = {"kind": "survey", "dataset": "SYNTHETIC-LFS-1.0", "synthetic": True,
                               "design": est.attrs["design"], "level": 0.95, "citation": "SYNTHETIC-LFS-1.0 (evidencekit)."}
    b.add_estimate(est, "Unemployment by sex (practice data)")
    phl = youth[youth["ref_area"] == "PHL"]
    rec = compare.reconcile(phl, national=[{"time": 2019, "value": 6.4, "source": "National office, LFS release",
                                            "definition": "national definition"}])
    b.add_reconcile(rec, "Two measures, one country")
    b.add_quote("We look for work every day.", "Focus group, young jobseekers, 2026 (participant's notes)",
                speaker="Man, 19")
    return b


def brief_on(board, **kw):
    args = dict(title="Youth employment in ASEAN", audience="Adviser to the Minister of Labour",
                problem="Youth unemployment stays high.", key_messages=["Act on youth unemployment."],
                policy_options=["Apprenticeships [E1]"], recommendations=["Fund apprenticeships [E1, E2]"],
                board=board)
    args.update(kw)
    return PolicyBrief(**args)


def test_a_column_of_counts_is_written_with_one_rule_in_the_docx(tmp_path):
    """The microdata workbench showed Observations "12,481" above "9437" (PSA's file by sex): a column with a
    count of 10,000 or more now writes all its counts of 1,000 or more with a separator, on the board and in the
    brief; a column of years keeps its years."""
    import pandas as pd

    from evidencekit.brief.render import cells

    est = pd.DataFrame({"indicator": ["unemployment_rate"] * 2, "label": ["Unemployment rate (LU1)"] * 2,
                        "ilo_sex": ["Male", "Female"], "estimate": [4.3, 4.1], "ci_low": [3.7, 3.4],
                        "ci_high": [4.9, 4.7], "n_obs": [12481, 9437], "unit": ["%", "%"]})
    est.attrs["provenance"] = {"kind": "survey", "dataset": "Own LFS", "citation": "Own LFS, 2026.", "level": 0.95}
    b = EvidenceBoard()
    b.add_estimate(est, "Unemployment by sex")
    doc = Document(str(brief_on(b, policy_options=["Apprenticeships [E1]"],
                                recommendations=["Fund apprenticeships [E1]"]).to_docx(tmp_path / "b.docx")))
    assert [r.cells[-1].text for r in doc.tables[0].rows] == ["Observations", "12,481", "9,437"]
    assert cells([[2019, 9437], [2022, 12481]]) == [["2019", "9,437"], ["2022", "12,481"]]


def test_an_estimate_and_its_interval_share_their_precision_and_a_note_for_every_group_is_said_once():
    """PSA's unemployment gap by sex read "-0.25, -1.0, 0.51" in its row, and the note that the figures use PSA's
    concept was repeated for each sex. Now the interval's ends have the estimate's decimals, on the board and in
    the brief, and a note every group has is said once, without the groups' names."""
    import pandas as pd

    from evidencekit.brief.render import _rows

    note = "national concept, not the ILO definition: ilo_lfs = PSA labour force status"
    est = pd.DataFrame({"indicator": ["unemployment_rate"] * 2, "label": ["Unemployment rate (LU1)"] * 2,
                        "ilo_sex": ["Male", "Female"], "estimate": [4.3, -0.25], "ci_low": [3.7, -1.0],
                        "ci_high": [4.9, 0.51], "n_obs": [12481, 9437], "unit": ["%", "%"], "flags": ["NC", "NC"],
                        "flags_detail": [note, note]})
    est.attrs["provenance"] = {"kind": "survey", "dataset": "Own LFS", "citation": "Own LFS, 2026.", "level": 0.95}
    item = EvidenceBoard().add_estimate(est, "Unemployment by sex")
    cols, rows = _rows(item)
    assert [r[cols.index("Estimate"):cols.index("CI high") + 1] for r in rows] == [["4.3", "3.7", "4.9"],
                                                                                     ["-0.25", "-1.00", "0.51"]]
    assert item.content["notes"] == [note]


def test_citations_in_the_text_are_written_as_the_brief_names_its_evidence(board, tmp_path):
    """A participant cites the board's items as [E1] anywhere in their text. Only a recommendation's or an
    option's trailing citation became "(evidence: Figure 1)": "[E3]" in the problem reached the minister's
    adviser as typed, naming nothing the brief shows. Every citation of an item in the brief is now written as
    the brief names it; an id not in the brief is left as typed."""
    brief = brief_on(board, problem="Unemployment rose in 2020 [E1]; informality is high [E3, E5].",
                     key_messages=["Compare with 2019 first [E1].", "See also [E9]."],
                     policy_options=["Extend wage subsidies where [E2] ranks high [E1]"])
    text = brief.to_markdown()
    assert "Unemployment rose in 2020 (Figure 1); informality is high (Table 2, Quotation 1)." in text
    assert "Compare with 2019 first (Figure 1)." in text and "See also [E9]." in text
    assert "Extend wage subsidies where (Table 1) ranks high (evidence: Figure 1)" in text
    doc = Document(str(brief.to_docx(tmp_path / "b.docx")))
    words = "\n".join(p.text for p in doc.paragraphs)
    assert "[E1]" not in words and "[E3, E5]" not in words and "(Table 2, Quotation 1)" in words
    unknown = {c.name: c for c in brief.check()}["citations_found"]
    assert not unknown.ok and unknown.details == ["key message 2: [E9]"]
    assert "citations_found" not in {c.name for c in brief_on(board).check()}  # listed only when it fails


def test_board_json_round_trip_keeps_everything(board):
    text = board.to_json()
    back = EvidenceBoard.from_json(text)
    assert [i.type for i in back] == ["chart", "table", "estimate", "reconcile", "quote"]
    assert [i.id for i in back] == ["E1", "E2", "E3", "E4", "E5"]
    for a, b in zip(board, back):
        assert (a.caption, a.citation, a.source_line, a.content) == (b.caption, b.citation, b.source_line, b.content)
    assert back.get("E1").png.startswith(b"\x89PNG") and back.get("E1").content["alt_text"].startswith("Line chart")
    assert json.loads(text)["schema"] == "evidencekit.board"


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(schema="other"), "not an evidencekit evidence board"),
    (lambda d: d.update(version=99), "version 99"),
    (lambda d: d["items"][0].update(type="video"), "unknown type 'video'"),
    (lambda d: d["items"][0]["content"].update(png=base64.b64encode(b"GIF89a").decode()), "not a PNG"),
    (lambda d: d["items"][0]["content"].update(png="***"), "damaged"),
    (lambda d: d["items"][1]["content"]["table"]["rows"].append([1]), "rows do not match"),
    (lambda d: d["items"][1]["provenance"].pop("citation"), "no citation"),
    (lambda d: d["items"][1]["content"]["table"]["rows"][0].__setitem__(0, {"x": 1}), "not text or a number"),
])
def test_board_json_refuses_damaged_files(board, damage, message):
    data = json.loads(board.to_json())
    damage(data)
    with pytest.raises(InputError, match=message):
        EvidenceBoard.from_dict(data)
    with pytest.raises(InputError, match="not valid JSON"):
        EvidenceBoard.from_json("{nope")


def test_docx_headings_pictures_tables_and_references(board, tmp_path):
    brief = brief_on(board)
    path = brief.to_docx(tmp_path / "brief.docx")
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert headings == ["Youth employment in ASEAN", "The problem", "Key messages", "The evidence",
                        "Policy options", "Recommendations", "References"]
    assert len(doc.inline_shapes) == 1
    descr = doc.inline_shapes[0]._inline.docPr.get("descr")
    assert descr == board.get("E1").content["alt_text"]
    assert len(doc.tables) == 3  # the ranked table, the estimates, the reconciliation
    assert doc.tables[2].rows[0].cells[0].text == "Year"
    text = "\n".join(p.text for p in doc.paragraphs)
    refs = text.split("References", 1)[1]
    every = provenance.references(i.provenance for i in board)
    assert every and all(c in " ".join(refs.split()) for c in every)
    assert len(every) == len(set(every)) == 4  # ILOSTAT once (chart, table, reconcile), survey, national office, quote
    assert "SYNTHETIC training survey" in text and "Note: Practice brief" in text
    assert "Fund apprenticeships (evidence: Figure 1, Table 1)" in text


def test_restored_board_still_exports(board, tmp_path):
    brief = brief_on(board)
    brief.save(tmp_path / "b.json")
    again = PolicyBrief.load(tmp_path / "b.json")
    doc = Document(str(again.to_docx(tmp_path / "again.docx")))
    assert len(doc.inline_shapes) == 1 and again.references() == brief.references()


def test_html_and_markdown_escape_labels(board, tmp_path):
    b = EvidenceBoard(list(board.items))
    b.add_quote(EVIL, EVIL, caption=EVIL)
    brief = brief_on(b, title=EVIL)
    page = brief.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<img src=\"data:image/png;base64,") == 1
    md = brief.to_markdown(tmp_path / "img")
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert (tmp_path / "img" / "figure-1.png").read_bytes().startswith(b"\x89PNG")
    assert "![Line chart:" in md


def test_checklist_finds_what_is_missing(board):
    ok = brief_on(board, key_messages=["The youth unemployment median was "
                                       f"{board.get('E2').content['table']['rows'][0][4]:.1f} in the latest year."])
    checks = {c.name: c for c in ok.check()}
    assert checks["numbers_sourced"].ok and checks["recommendations_tied"].ok and checks["audience"].ok
    bad = brief_on(board, audience="TBD", key_messages=["Unemployment is 47.3% among youth.",
                                                        "Women's unemployment is 7.4 in the survey."],
                   recommendations=["Do something", "Fund it [E9]"])
    checks = {c.name: c for c in bad.check()}
    assert not checks["audience"].ok
    assert checks["numbers_sourced"].details == ["key message 1: 47.3"]
    est = board.get("E3").content["table"]
    women = [r for r in est["rows"] if r[1] == "Female"][0][2]
    bad2 = brief_on(board, key_messages=[f"Women's unemployment is {women:.1f}% in the survey."])
    assert not {c.name: c for c in bad2.check()}["uncertainty"].ok
    good2 = brief_on(board, key_messages=[f"Women's unemployment is {women:.1f}% (95% CI "
                                          f"{[r for r in est['rows'] if r[1] == 'Female'][0][3]:.1f}–"
                                          f"{[r for r in est['rows'] if r[1] == 'Female'][0][4]:.1f})."])
    assert {c.name: c for c in good2.check()}["uncertainty"].ok
    assert checks["recommendations_tied"].details == ["recommendation 1: Do something", "recommendation 2: Fund it"]


def test_length_estimate_grows_with_text(board):
    short = brief_on(board)
    long = brief_on(board, problem=" ".join(["word"] * 2000))
    assert short.pages() < long.pages()
    assert {c.name: c for c in long.check()}["length"].ok is False
    assert "Shorten it" in {c.name: c for c in long.check()}["length"].message


def test_write_by_extension(board, tmp_path):
    brief = brief_on(board)
    assert brief.write(tmp_path / "b.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "b_files" / "figure-1.png").exists() is False
    brief.write(tmp_path / "b.md")
    assert (tmp_path / "b_files" / "figure-1.png").exists()
    with pytest.raises(InputError, match=".docx, .md or .html"):
        brief.write(tmp_path / "b.pdf")


def test_a_line_chart_kept_before_the_axis_fix_is_said_to_be_added_again(youth):
    """A line chart kept before drawing rules 2 whose figures reach 100 showed wrong value ticks (100 as "1"):
    the brief's checklist names it, and a chart drawn now, or one whose figures stay under 90, is not named."""
    gdp = ek.ilostat.get("GDP_211P_NOC_NB_A", ref_area=["PHL", "THA"], start=2015, end=2022, offline=True,
                         labels=True)
    b = EvidenceBoard()
    b.add_chart(charts.line(gdp), "Output per worker", dpi=40)
    b.add_chart(charts.line(youth), "Youth unemployment", dpi=40)
    assert all(it.content["style"] == charts.STYLE for it in b.items)
    assert "charts_drawn_right" not in [c.name for c in brief_on(b).check()]
    data = b.to_dict()
    for item in data["items"]:
        del item["content"]["style"]  # as kept before 2026-12-03
    old = EvidenceBoard.from_dict(data)
    check = {c.name: c for c in brief_on(old).check()}["charts_drawn_right"]
    assert not check.ok and [w.split(" ")[0] for w in check.details] == ["E1"]  # output per worker, not E2
    assert "100 as '1'" in check.details[0]
