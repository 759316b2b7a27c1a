"""The trainer's class view: pre/post gain per competence, completion per module and feedback, anonymised,
small counts suppressed, exported to CSV with the citation, charted."""
from __future__ import annotations

import pytest

from evidencekit import charts
from evidencekit.course import load_course
from evidencekit.export import read_csv
from evidencekit.journey import (
    JourneyError, class_report, export_report, load_assessment, load_feedback_form, submit_assessment, submit_feedback,
)
from evidencekit.store import Store


@pytest.fixture(scope="module")
def content():
    return load_course(), load_assessment(), load_feedback_form()


def _answers(assessment, right: set[str]):
    out = {}
    for q in assessment.questions:
        if q.id not in right:
            continue
        out[q.id] = str(q.answer["value"]) if q.kind == "numeric" else \
            next(o.id for o in q.options if o.correct) if q.kind == "single" else [o.id for o in q.options if o.correct]
    return out


@pytest.fixture
def klass(tmp_path, content):
    """Five participants took both assessments on module 1's 'find-indicators' (pre 0/1/2 right of 2, post 2/2);
    two gave feedback; three completed module 1."""
    course, assessment, form = content
    store = Store(tmp_path / "ek.db", outbox=tmp_path / "ob.db")
    pre_right = [set(), {"m1-suffix"}, {"m1-suffix", "m1-sdg"}, set(), {"m1-sdg"}]
    for k, right in enumerate(pre_right):
        me = store.participant(f"person{k}", name=f"Person {k}")
        submit_assessment(me, assessment, "pre", _answers(assessment, right))
        submit_assessment(me, assessment, "post", _answers(assessment, {"m1-suffix", "m1-sdg"}))
        if k < 3:
            m = course.module(1)
            me.mark(1, "intro")
            for s in m.steps:
                me.mark(1, s.id)
            for q in m.questions:
                me.save_answer(1, q.id, "x", {"status": "correct"})
    ratings = {i.id: 4 for i in form.items if i.kind == "likert"}
    for k in range(2):
        submit_feedback(store.participant(f"person{k}"), form, {**ratings, "content-comment": f"comment by person{k}"})
    store.participant("person5")   # enrolled, nothing done
    return store


def test_gains_are_class_means_over_those_who_took_both(klass, content):
    course, assessment, form = content
    report = class_report(klass.class_view(), course, assessment, form)
    assert report.participants == 6
    row = report.gains.set_index("competence").loc["find-indicators"]
    # pre: 0, 50, 100, 0, 50 -> mean 40; post 100 each
    assert (row["participants"], row["pre"], row["post"], row["gain"], bool(row["shown"])) == (5, 40.0, 100.0, 60.0, True)
    fig = charts.learning_gain(report.gains)
    assert charts.info(fig).title == "Learning gain per competence, class of 5: before and after the course"


def test_small_counts_are_suppressed(klass, content):
    course, assessment, form = content
    report = class_report(klass.class_view(), course, assessment, form)
    completion = report.completion.set_index("module")
    assert (completion.loc[1, "completed"], completion.loc[1, "percent"]) == (3, 50.0)
    assert completion.loc[2, "completed"] == 0 and completion.loc[2, "note"] == ""
    strict = class_report(klass.class_view(), course, assessment, form, min_count=4)
    one = strict.completion.set_index("module").loc[1]
    assert one["completed"] is None or one["completed"] != one["completed"]      # not shown
    assert not one["shown"] and one["note"] == "fewer than 4 participants: not shown"
    fb = report.feedback.set_index("item").loc["content-relevant"]
    assert fb["answered"] == 2 and not fb["shown"] and (fb["mean"] is None or fb["mean"] != fb["mean"])
    assert report.comments == {}                     # two people: their comments could be told apart
    strict_gain = class_report(klass.class_view(), course, assessment, form, min_count=6).gains
    assert not strict_gain["shown"].any()
    with pytest.raises(JourneyError, match="would show single participants"):
        class_report(klass.class_view(), course, assessment, form, min_count=1)


def test_feedback_means_and_comments_once_enough_answered(klass, content):
    course, assessment, form = content
    ratings = {i.id: 2 for i in form.items if i.kind == "likert"}
    submit_feedback(klass.participant("person2"), form, {**ratings, "content-comment": "=1+1 more cases"})
    report = class_report(klass.class_view(), course, assessment, form)
    fb = report.feedback.set_index("item").loc["content-relevant"]
    assert (fb["answered"], fb["mean"], bool(fb["shown"])) == (3, round((4 + 4 + 2) / 3, 2), True)
    assert report.comments["content-comment"] == sorted(["comment by person0", "comment by person1", "=1+1 more cases"])


def test_the_report_names_no_one_and_exports_with_its_citation(klass, content, tmp_path):
    course, assessment, form = content
    report = class_report(klass.class_view(), course, assessment, form)
    paths = export_report(report, tmp_path / "out")
    assert sorted(p.name for p in paths) == ["class-comments.csv", "class-completion.csv", "class-feedback.csv",
                                             "class-learning-gain.csv"]
    for p in paths:
        text = p.read_text(encoding="utf-8")
        assert text.startswith("# Citation: ") and "anonymised" in text
        assert "person" not in text.lower()          # no id, no name
    gains = read_csv(tmp_path / "out" / "class-learning-gain.csv")
    assert set(gains.columns) >= {"module", "competence", "participants", "pre", "post", "gain", "shown", "note"}
