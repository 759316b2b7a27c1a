"""A participant's journey, kept through the store: goals and brief topic, the assessments (taken once each,
answers graded, right answers shown only afterwards), the learning gain, feedback, the certificate (refused
until every module is complete; its PDF read back), the follow-up plan brought back when due."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from evidencekit import charts
from evidencekit.course import load_course
from evidencekit.journey import (
    JourneyError, add_plan, brief_topic, check_feedback, due_plans, eligibility, given, goals, goals_history, grade,
    issue_certificate, learning_gain, load_assessment, load_feedback_form, plans, postpone, record_outcome, results,
    save_brief_topic, save_goals, submit_assessment, submit_feedback,
)
from evidencekit.store import Store


@pytest.fixture
def me(tmp_path):
    return Store(tmp_path / "ek.db", outbox=tmp_path / "outbox.db").participant("ana", name="Ana Reyes")


@pytest.fixture(scope="module")
def assessment():
    return load_assessment()


def _right(q):
    if q.kind == "numeric":
        return str(q.answer["value"])
    right = [o.id for o in q.options if o.correct]
    return right[0] if q.kind == "single" else right


def _wrong(q):
    if q.kind == "numeric":
        return str(q.answer["value"] + 10)
    return next(o.id for o in q.options if not o.correct) if q.kind == "single" else \
        [next(o.id for o in q.options if not o.correct)]


def test_goals_and_brief_topic_are_kept_with_earlier_wordings(me):
    save_goals(me, "Learn to read ILOSTAT notes")
    save_goals(me, "Learn to read ILOSTAT notes\nand brief my minister\u202e")
    assert goals(me) == "Learn to read ILOSTAT notes\nand brief my minister"
    assert goals_history(me) == ["Learn to read ILOSTAT notes"]
    save_brief_topic(me, "Young women outside the labour force in Mindanao")
    assert brief_topic(me) == "Young women outside the labour force in Mindanao"
    with pytest.raises(JourneyError, match="the text is empty"):
        save_goals(me, " \u200b ")


def test_the_assessment_is_graded_per_competence(assessment):
    responses = {q.id: _right(q) for q in assessment.modules[0].questions}
    responses["m1-cause"] = _wrong(assessment.question("m1-cause"))
    r = grade(assessment, responses, "post")
    assert r.scores["1/kinds-of-evidence"] == {"module": 1, "competence": "kinds-of-evidence",
                                               "text": "Say what kind of evidence answers which policy question",
                                               "questions": 2, "correct": 1, "score": 50.0}
    assert r.scores["1/find-indicators"]["score"] == 100.0 and r.scores["2/read-notes"]["score"] == 0.0
    assert r.statuses["m2-break"] == "skipped"
    explained = {fb.question: fb for fb in r.feedback}
    assert explained["1/m1-cause"].status == "incorrect" and explained["1/m1-cause"].reveal
    assert "impact evaluation" in explained["1/m1-cause"].expected


def test_a_response_that_is_not_an_answer_is_refused_by_name(assessment):
    with pytest.raises(JourneyError, match=r"question 3\.1 \(Type a number.*nothing was saved"):
        grade(assessment, {"m3-rate": "about half"}, "pre")
    with pytest.raises(JourneyError, match="question 1.5 \\(Choose one option\\)"):
        grade(assessment, {"m1-suffix": "z"}, "pre")
    with pytest.raises(JourneyError, match="m9-nothing is not a question"):
        grade(assessment, {"m9-nothing": "a"}, "pre")


def test_each_assessment_is_taken_once_and_answers_shown_only_after(me, assessment):
    with pytest.raises(JourneyError):
        submit_assessment(me, assessment, "post-ish", {})
    pre = submit_assessment(me, assessment, "pre", {"m1-sdg": "b", "m1-suffix": "a"})
    assert pre.feedback == []                                       # no right answers before the course
    with pytest.raises(JourneyError, match="you took it on .* kept as it was"):
        submit_assessment(me, assessment, "pre", {"m1-sdg": "a"})
    post = submit_assessment(me, assessment, "post", {q.id: _right(q) for q in assessment.questions})
    assert post.score == 100.0 and len(post.feedback) == len(assessment.questions)
    kept = results(me, assessment)
    assert kept["pre"].statuses["m1-sdg"] == "incorrect" and kept["post"].feedback[0].explanation
    gain = learning_gain(assessment, *(r["payload"] for r in sorted(me.records("assessment"),
                                                                   key=lambda r: r["key"] != "pre")))
    row = gain.set_index("competence").loc["find-indicators"]
    assert (row["pre"], row["post"], row["gain"], row["normalised_gain"]) == (50.0, 100.0, 50.0, 1.0)
    assert gain.attrs["provenance"]["kind"] == "user" and "one participant's answers" in gain.attrs["provenance"]["citation"]
    fig = charts.learning_gain(gain)
    info = charts.info(fig)
    assert info.kind == "learning_gain" and len(info.data) == len(assessment.competences)
    assert info.source_line.startswith("Source: Pre- and post-course assessment, evidencekit course journey")


def test_the_gain_compares_only_questions_asked_both_times(assessment):
    pre = grade(assessment, {"m1-suffix": "b", "m1-sdg": "a"}, "pre").to_record()
    post = grade(assessment, {"m1-suffix": "a", "m1-sdg": "a"}, "post").to_record()
    del pre["statuses"]["m1-sdg"]                 # asked only after (the file changed in between)
    row = learning_gain(assessment, pre, post).set_index("competence").loc["find-indicators"]
    assert (row["questions"], row["pre"], row["post"]) == (1, 0.0, 100.0)
    assert "left out" in learning_gain(assessment, pre, post).attrs["note"]


def test_feedback_is_checked_and_kept(me):
    form = load_feedback_form()
    ratings = {i.id: 4 for i in form.items if i.kind == "likert"}
    missing = dict(ratings)
    missing.pop("trainers-clear")
    with pytest.raises(JourneyError, match="'The trainers explained clearly.' has no rating"):
        check_feedback(form, missing)
    with pytest.raises(JourneyError, match="is rated 6, not 1 to 5"):
        check_feedback(form, {**ratings, "tools-easy": 6})
    with pytest.raises(JourneyError, match="not on the form"):
        check_feedback(form, {**ratings, "colour": 3})
    kept = submit_feedback(me, form, {**ratings, "tools-easy": "Strongly disagree",
                                      "tools-comment": "=HYPERLINK(\"x\")\u202e slow on my laptop"})
    assert given(me)["ratings"]["tools-easy"] == 1 == kept["ratings"]["tools-easy"]
    assert given(me)["comments"]["tools-comment"] == "=HYPERLINK(\"x\") slow on my laptop"


def _complete(me, course, modules):
    for m in course.modules:
        if m.number not in modules:
            continue
        me.mark(m.number, "intro")
        for s in m.steps:
            me.mark(m.number, s.id)
        for q in m.questions:
            me.save_answer(m.number, q.id, "a", {"status": "incorrect"})


def test_the_certificate_is_refused_until_every_module_is_complete(me):
    course = load_course()
    _complete(me, course, {1, 2, 3, 4, 5})
    m6 = course.module(6)
    me.mark(6, "intro")
    me.mark(6, m6.steps[0].id)
    check = eligibility(course, me.progress(), me.latest_answers())
    assert check.complete == (1, 2, 3, 4, 5) and not check.ok
    left = f"{len(m6.steps) - 1} learning step{'s' if len(m6.steps) != 2 else ''}, {len(m6.questions)} review questions"
    assert check.left == {6: left}
    with pytest.raises(JourneyError, match=f"Issuing your certificate of participation: Still to do: module 6 \\({left}\\)"):
        issue_certificate(me, course)
    assert me.records("certificate") == []


def test_the_certificate_names_the_participant_course_dates_and_modules(me):
    course = load_course()
    _complete(me, course, {1, 2, 3, 4, 5, 6})
    pdf = issue_certificate(me, course, name="  Nguyễn Thị\u202e Ánh  ", dates=(date(2026, 3, 2), date(2026, 4, 10)),
                            organiser="ILO International Training Centre", today=date(2026, 4, 11))
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    for expected in ("Certificate of participation", "Nguyễn Thị Ánh", "Evidence-based policy making for decent work",
                     "from 2 March 2026 to 10 April 2026, organised by ILO International Training Centre",
                     "Issued on 11 April 2026", *[f"{m.number}. {m.title}" for m in course.modules]):
        assert expected in text, expected
    assert "\u202e" not in text and reader.metadata.title == "Certificate of participation — Nguyễn Thị Ánh"
    number = me.records("certificate")[0]["payload"]["number"]
    again = issue_certificate(me, course, today=date(2026, 5, 1))   # the participant's own name and dates
    text = PdfReader(io.BytesIO(again)).pages[0].extract_text()
    assert "Ana Reyes" in text and f"Certificate {number}" in text
    assert me.records("certificate")[0]["payload"]["first_issued_on"] == "2026-04-11"


@pytest.mark.parametrize("name,message", [
    ("สมชาย ใจดี", "Thai letters"), ("محمد", "Hebrew or Arabic"), ("王小明", "characters the certificate cannot print"),
    ("x" * 121, "121 characters long"), ("\u200b\u202e", "it is empty"),
])
def test_a_name_the_certificate_cannot_print_is_refused_plainly(me, name, message):
    course = load_course()
    _complete(me, course, {1, 2, 3, 4, 5, 6})
    with pytest.raises(JourneyError, match=message):
        issue_certificate(me, course, name=name)


def test_odd_names_are_printed_as_typed(me):
    course = load_course()
    _complete(me, course, {1, 2, 3, 4, 5, 6})
    for name in ("Zoë O'Brien-Łukasiewicz", "<script>alert(1)</script> ); DROP TABLE", "Αλέξης Παπαδόπουλος",
                 "Наталья Иванова", "Tuấn (Anh) Phạm & Co. %s {name}"):
        text = PdfReader(io.BytesIO(issue_certificate(me, course, name=name))).pages[0].extract_text()
        assert name in text, name


def test_the_follow_up_plan_comes_back_when_it_is_due(me):
    start = date(2026, 4, 10)
    with pytest.raises(JourneyError, match="is not in the future"):
        add_plan(me, "Cite ILOSTAT releases", date(2026, 4, 1), today=start)
    a = add_plan(me, "Cite the release of every ILOSTAT figure in our notes", today=start)       # a year later
    b = add_plan(me, "Propose a NEET indicator for the youth plan", "2026-10-01", today=start)
    assert [p["due"] for p in plans(me.records("followup"))] == ["2026-10-01", "2027-04-10"]
    assert due_plans(me.records("followup"), date(2026, 9, 30)) == []
    assert [p["id"] for p in due_plans(me.records("followup"), date(2026, 10, 1))] == [b]
    postpone(me, b, date(2027, 1, 15), today=date(2026, 10, 1))
    assert due_plans(me.records("followup"), date(2026, 10, 2)) == []
    assert [p["id"] for p in due_plans(me.records("followup"), date(2027, 4, 10))] == [b, a]
    record_outcome(me, b, "partly", "Accepted for 2028", today=date(2027, 4, 10))
    assert [p["id"] for p in due_plans(me.records("followup"), date(2027, 4, 10))] == [a]
    with pytest.raises(JourneyError, match="not one of your plans"):
        record_outcome(me, "plan-00000000", "done")
