"""The course journey as a participant uses it: learning goals, the topic of the brief and the pre-course
assessment (Before); the post-course assessment, the learning gain, feedback, the certificate (refused until
every module is complete, saying what is missing) and the follow-up plan (After), brought back on Home when its
date comes; all their work exported to one file and imported elsewhere (My data); and the database going
away mid-session (told in plain words, nothing lost, saved when back)."""
from __future__ import annotations

import io
import json
import os
from datetime import date, timedelta

import pytest
from .apphelp import new_app, no_problem, submit, table_with, texts

from evidencekit import journey
from evidencekit.store import open_store


def _store():
    return open_store(os.environ["EVIDENCEKIT_DATABASE_URL"])


def _me():
    return _store().participant("local")


def _me_export() -> dict:
    """An export of the local participant's (empty) work, as the store writes it."""
    from evidencekit.store.store import EXPORT_FORMAT, EXPORT_VERSION

    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "participant": "local", "progress": [],
            "answers": [], "work": [], "board": [], "records": []}


def _right(q):
    if q.kind == "numeric":
        return str(q.answer["value"])
    right = [o.id for o in q.options if o.correct]
    return right[0] if q.kind == "single" else right


def _wrong(q):
    if q.kind == "numeric":
        return str(q.answer["value"] + 10)
    wrong = next(o.id for o in q.options if not o.correct)
    return wrong if q.kind == "single" else [wrong]


def _answer(at, form: str, q, value) -> None:
    """Answer question ``q`` of the ``form`` assessment on screen, as a participant would."""
    key = f"as-{form}-{q.id}"
    if q.kind == "single":
        at.radio(key=key).set_value(value)
    elif q.kind == "multiple":
        for option in value:
            at.checkbox(key=f"{key}-{option}").check()
    else:
        at.text_input(key=key).input(value)


def _complete_modules(me, course) -> None:
    for m in course.modules:
        me.mark(m.number, "intro")
        for s in m.steps:
            me.mark(m.number, s.id)
        for q in m.questions:
            me.save_answer(m.number, q.id, "a", {"status": "incorrect"})


def _page(path: str):
    at = new_app()
    at.run()
    at.switch_page(path).run()
    no_problem(at)
    return at


def test_before_keeps_goals_topic_and_the_pre_course_answers_without_showing_the_right_ones():
    a = journey.load_assessment()
    at = _page("app_pages/before.py")
    assert at.title[0].value == "Before the course"
    at.text_area(key="goals-text").input("Read ILOSTAT notes before quoting a figure")
    submit(at, "goals-form")
    assert "Your learning goals are saved." in texts(at)
    at.text_input(key="topic-text").input("Young women outside the labour force in Mindanao")
    submit(at, "topic-form")
    first, second = a.questions[0], a.questions[1]
    _answer(at, "pre", first, _right(first))
    _answer(at, "pre", second, _wrong(second))
    submit(at, "assessment-pre")
    no_problem(at)
    n = len(a.questions)
    assert f"Your pre-course answers are kept (2 of {n} answered)" in texts(at)
    assert not at.get("expander") or all("explained" not in e.proto.label for e in at.get("expander"))
    assert first.explanation.strip() not in texts(at)          # the right answers wait for the end
    again = _page("app_pages/before.py")                          # another tab, another day: all kept
    assert again.text_area(key="goals-text").value == "Read ILOSTAT notes before quoting a figure"
    assert again.text_input(key="topic-text").value == "Young women outside the labour force in Mindanao"
    assert f"2 of {n} questions answered" in texts(again)
    assert not [f for f in again.button if f.form_id == "assessment-pre"]  # taken once
    taken = journey.taken(_me())["pre"]
    assert taken["statuses"][first.id] == "correct" and taken["statuses"][second.id] == "incorrect"


def test_an_answer_that_is_not_a_number_is_refused_and_nothing_is_kept():
    a = journey.load_assessment()
    numeric = next(q for q in a.questions if q.kind == "numeric")
    at = _page("app_pages/before.py")
    _answer(at, "pre", numeric, "about a half")
    submit(at, "assessment-pre")
    assert not at.exception
    assert any(f"question {numeric.module}.{numeric.number}" in e.value for e in at.error)
    assert journey.taken(_me()) == {}


def test_after_the_post_course_assessment_shows_the_gain_per_competence_and_explains_every_answer():
    a = journey.load_assessment()
    me = _me()
    journey.submit_assessment(me, a, "pre", {q.id: _wrong(q) for q in a.questions[:4]})
    at = _page("app_pages/after.py")
    assert "Your learning gain per competence is shown here once you have taken both" in texts(at)
    assert at.toggle(key="post-now").value is False                # modules not complete: asked first
    at.toggle(key="post-now").set_value(True).run()
    for q in a.questions[:4]:
        _answer(at, "post", q, _right(q))
    submit(at, "assessment-post")
    no_problem(at)
    assert f"Your post-course answers are kept: 4 of {len(a.questions)} right." in texts(at)
    gains = table_with(at, "Gain (points)")
    expected = journey.learning_gain(a, *[journey.taken(me)[f] for f in ("pre", "post")])
    assert list(gains["Gain (points)"]) == list(expected["gain"])
    assert gains["Gain (points)"].max() > 0
    assert len(at.image) == 1                                          # the chart, drawn by evidencekit.charts
    assert any(c.value.startswith("Source:") and "assessment" in c.value.lower() for c in at.caption)
    assert a.questions[0].explanation.strip().split("\n")[0] in texts(at)   # every answer explained now


def test_feedback_is_kept_and_can_be_changed():
    form = journey.load_feedback_form()
    at = _page("app_pages/after.py")
    likert = [i for i in form.items if i.kind == "likert"]
    for item in likert:
        at.radio(key=f"fb-{item.id}").set_value(4)
    comment = next(i for i in form.items if i.kind != "likert")
    at.text_area(key=f"fb-{comment.id}").input("More time on the microdata, please")
    submit(at, "course-feedback")
    no_problem(at)
    assert "Thank you: your feedback is kept." in texts(at)
    kept = journey.given(_me())
    assert kept["ratings"] == {i.id: 4 for i in likert}
    assert kept["comments"][comment.id] == "More time on the microdata, please"


def test_the_certificate_says_what_is_missing_until_every_module_is_complete(course):
    me = _me()
    at = _page("app_pages/after.py")
    page = texts(at)
    assert "The certificate of participation is issued when every module is complete. Still to do:" in page
    assert all(f"**Module {m.number} · {m.title}**" in page for m in course.modules)
    assert not [f for f in at.button if f.form_id == "certificate-form"]
    _complete_modules(me, course)
    at = _page("app_pages/after.py")
    assert "Every module is complete: your certificate of participation can be issued." in texts(at)
    at.text_input(key="certificate-name").input("Ana Reyes")
    submit(at, "certificate-form")
    no_problem(at)
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(at.session_state["ek_certificate_pdf"])).pages[0].extract_text()
    assert "Certificate of participation" in text and "Ana Reyes" in text
    assert all(m.title.split()[0] in text for m in course.modules)
    assert [r["payload"]["name"] for r in me.records("certificate")] == ["Ana Reyes"]
    assert [b.label for b in at.get("download_button") if b.proto.label.endswith("(PDF)")] == \
        ["Download my certificate (PDF)"]


def test_a_follow_up_plan_comes_back_on_home_when_its_date_comes():
    at = _page("app_pages/after.py")
    at.text_area(key="plan-change").input("Check breaks in series before quoting a figure")
    assert at.date_input(key="plan-due").value == journey.suggested_due(date.today())
    submit(at, "plan-form")
    no_problem(at)
    assert "Added to your follow-up plan." in texts(at)
    home = new_app()
    home.run()
    assert "Your follow-up plan: what happened?" not in texts(home)     # not due yet
    me = _me()
    journey.add_plan(me, "Cite the source line in every note, *never* the $ figure alone", date.today() -
                     timedelta(days=1), today=date.today() - timedelta(days=200))  # made months ago, due yesterday
    home = new_app()
    home.run()
    no_problem(home)
    assert "Your follow-up plan: what happened?" in texts(home)
    assert r"> Cite the source line in every note, \*never\* the \$ figure alone" in texts(home)  # as typed
    due = journey.due_plans(me.records("followup"), date.today())[0]
    submit(home, f"outcome-{due['id']}")                               # nothing chosen: asked, nothing kept
    assert "Choose what happened" in texts(home)
    home.radio(key=f"outcome-status-{due['id']}").set_value("partly")
    home.text_area(key=f"outcome-text-{due['id']}").input("Done in two notes of three")
    submit(home, f"outcome-{due['id']}")
    no_problem(home)
    assert "what happened is kept with your plan" in texts(home)
    assert "Your follow-up plan: what happened?" not in texts(home)
    outcome = next(p for p in journey.plans(me.records("followup")) if p["id"] == due["id"])["outcome"]
    assert outcome["status"] == "partly" and outcome["text"] == "Done in two notes of three"
    later = journey.add_plan(me, "Use NEET beside unemployment", date.today(), today=date.today() - timedelta(days=9))
    home = new_app()                                                  # too early to say: asked again later
    home.run()
    assert home.date_input(key=f"later-date-{later}").value == date.today() + timedelta(days=90)
    submit(home, f"later-{later}")
    no_problem(home)
    assert "Use NEET beside unemployment" not in texts(home)
    moved = next(p for p in journey.plans(me.records("followup")) if p["id"] == later)
    assert moved["due"] == (date.today() + timedelta(days=90)).isoformat() and not moved["outcome"]


def test_my_work_goes_to_one_file_and_comes_back_on_another_computer(tmp_path, monkeypatch, course):
    me = _me()
    journey.save_goals(me, "Brief my minister on youth NEET")
    me.mark(1, "intro")
    me.add_to_board({"kind": "note", "title": "Ask PSA about the 2021 break", "payload": {"text": "Monday"}})
    from ui import journey as on_screen

    exported = json.loads(on_screen.export_bytes(me))                  # the bytes the download button gives
    at = _page("app_pages/mydata.py")
    assert [b.label for b in at.get("download_button")] == ["Download all my work (one file)"]
    # another computer: another progress file
    monkeypatch.setenv("EVIDENCEKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    there = _page("app_pages/mydata.py")
    there.file_uploader(key="import-file").upload("my-work.json", json.dumps(exported).encode(),
                                                  "application/json").run()
    there.button(key="import-go").click().run()
    no_problem(there)
    assert "Imported: 1 progress marks, 1 board items, 1 journey records." in texts(there)
    other = _store().participant("local")
    assert journey.goals(other) == "Brief my minister on youth NEET"
    assert [b["title"] for b in other.board()] == ["Ask PSA about the 2021 break"]
    there.button(key="import-go").click().run()                        # the same file twice: nothing new
    assert "nothing new" in texts(there) and len(other.board()) == 1


def test_a_file_of_another_participant_is_refused_unless_the_person_says_it_is_their_own(tmp_path):
    store = _store()
    hers = store.participant("ana.reyes")
    journey.save_goals(hers, "Ana's goals, from the hosted class")
    data = json.dumps(hers.export()).encode()
    at = _page("app_pages/mydata.py")
    at.file_uploader(key="import-file").upload("ana.json", data, "application/json").run()
    assert any("it holds the work of participant 'ana.reyes', not yours ('local')" in e.value for e in at.error)
    assert journey.goals(_me()) is None
    at.checkbox(key="import-adopt").check().run()
    at.button(key="import-adopt-go").click().run()
    assert journey.goals(_me()) == "Ana's goals, from the hosted class"
    assert journey.goals_history(store.participant("ana.reyes")) == []   # hers untouched
    assert [r["payload"]["text"] for r in store.participant("ana.reyes").records("goal")] == \
        ["Ana's goals, from the hosted class"]


@pytest.mark.parametrize("text", [b"not json at all", b"[1, 2, 3]"])
def test_a_file_that_is_not_an_export_is_refused_plainly(text):
    at = _page("app_pages/mydata.py")
    at.file_uploader(key="import-file").upload("notes.json", text, "application/json").run()
    assert not at.exception
    assert any("Importing 'notes.json'" in e.value for e in at.error)


def test_the_progress_file_going_away_mid_session_loses_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "usb-drive"
    monkeypatch.setenv("EVIDENCEKIT_DATABASE_URL", f"sqlite:///{folder / 'progress.db'}")
    at = _page("app_pages/before.py")
    folder.rename(tmp_path / "usb-drive-away")                       # the drive is unplugged
    at.text_area(key="goals-text").input("Written while the drive was away")
    submit(at, "goals-form")
    assert not at.exception
    warned = [w.value for w in at.warning]
    assert any(w.startswith("Saved on this machine:") and "nothing you entered is lost" in w for w in warned)
    assert at.text_area(key="goals-text").value == "Written while the drive was away"
    at.switch_page("app_pages/mydata.py").run()                      # an import needs the file itself: said
    at.file_uploader(key="import-file").upload("mine.json", json.dumps(_me_export()).encode(),
                                               "application/json").run()
    at.button(key="import-go").click().run()
    assert not at.exception and any("cannot be reached" in e.value for e in at.error)
    assert sum("Saved on this machine:" in w.value for w in at.warning) == 1   # said once, not twice
    (tmp_path / "usb-drive-away").rename(folder)                      # plugged in again
    at.button(key="ek-send-now").click().run()
    no_problem(at)
    assert any("can be reached again" in s.value and "Nothing was lost" in s.value for s in at.success)
    assert journey.goals(_store().participant("local")) == "Written while the drive was away"
