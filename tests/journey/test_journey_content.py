"""The journey's content files load and validate like the module files: every module of the course has its
competences with at least two questions, right answers and explanations; a broken copy says file, line, place."""
from __future__ import annotations

import re
import shutil

import pytest

from evidencekit.course import check_answer, load_course
from evidencekit.course.errors import ExerciseError
from evidencekit.journey.content import SECTIONS, journey_folder, load_assessment, load_feedback_form, read_assessment, \
    read_feedback_form


def test_the_assessment_covers_every_module_with_answers_and_explanations():
    a = load_assessment()
    course = load_course()
    assert [m.number for m in a.modules] == [m.number for m in course.modules]
    for m in a.modules:
        assert len(m.questions) >= 2 and all(c.questions for c in m.competences)
    assert len({q.id for q in a.questions}) == len(a.questions)
    for q in a.questions:
        assert q.explanation and not q.computed
        right = {o.id for o in q.options if o.correct} if q.kind != "numeric" else {q.answer["value"]}
        response = sorted(right)[0] if q.kind == "single" else sorted(right) if q.kind == "multiple" else right.pop()
        assert check_answer(q, response).status == "correct", q.id   # the right answer is accepted ...
        wrong = next((o.id for o in q.options if not o.correct), None) if q.kind != "numeric" else q.answer["value"] + 5
        if q.kind == "multiple":
            wrong = [wrong]
        assert check_answer(q, wrong).status == "incorrect", q.id    # ... and a wrong one refused


def test_the_feedback_form_asks_about_content_method_tools_and_trainers():
    form = load_feedback_form()
    assert set(SECTIONS) <= {s.id for s in form.sections} and len(form.scale) == 5
    assert all(any(i.kind == "likert" for i in s.items) for s in form.sections)


def _copy(tmp_path, name: str, old: str, new: str):
    text = (journey_folder() / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,message", [
    ("            answer: 0.5\n", "            answer:\n              query: {indicator: UNE_DEAP_SEX_AGE_RT_A, ref_area: PHL, year: 2019}\n"
     "              operation: value\n", "cannot be computed from data"),
    ("  - module: 6\n", "  - module: 7\n", "module 6 has no competences"),
    ("          - id: m1-sdg\n", "          - id: m1-suffix\n", "`m1-suffix` is used twice"),
    ("              - {id: b, text: SDG 8.6.1}\n", "              - {id: b, text: SDG 8.6.1, correct: true}\n",
     "2 options are marked correct"),
    ("    competences:\n      - id: shared-evidence", "    competences:\n      - id: shared-evidence\n        txt: x",
     "unknown field `txt`"),
])
def test_a_broken_assessment_says_where(tmp_path, old, new, message):
    a, problems = read_assessment(_copy(tmp_path, "assessment.yaml", old, new))
    assert a is None and any(message in str(p) for p in problems), [str(p) for p in problems]
    assert all(str(p).startswith(str(tmp_path)) for p in problems)
    assert any(re.search(r", line \d+", str(p)) for p in problems) or "has no competences" in message


SMALL = """title: A small assessment
instructions: Two modules.
modules:
  - module: 1
    competences:
      - id: one
        text: One thing
        questions:
          - {id: q1, kind: numeric, prompt: How much, answer: 2, explanation: Two.}
          - {id: q2, kind: numeric, prompt: How many, answer: 3, explanation: Three.}
  - module: 2
    competences:
      - id: two
        text: Another thing
        questions:
          - {id: q3, kind: numeric, prompt: How far, answer: 4, explanation: Four.}
"""


def test_a_module_with_fewer_than_two_questions_is_refused(tmp_path):
    path = tmp_path / "assessment.yaml"
    path.write_text(SMALL, encoding="utf-8")
    a, problems = read_assessment(path, modules=(1, 2))
    assert a is None and [str(p) for p in problems] == [
        f"{path}, line 12, field `modules` item 2 → `competences`: the module's competences have 1 question; "
        "expected at least 2 questions per module"]
    path.write_text(SMALL.replace("answer: 4, explanation: Four.}", "answer: 4, explanation: Four.}\n"
                                  "          - {id: q4, kind: numeric, prompt: How old, answer: 5, explanation: Five.}"),
                    encoding="utf-8")
    a, problems = read_assessment(path, modules=(1, 2))
    assert problems == [] and [len(m.questions) for m in a.modules] == [2, 2]


def test_a_broken_feedback_form_says_where(tmp_path):
    form, problems = read_feedback_form(_copy(tmp_path, "feedback.yaml", "  - id: tools\n", "  - id: software\n"))
    assert form is None and any("there is no section `tools`" in str(p) for p in problems)
    form, problems = read_feedback_form(_copy(tmp_path, "feedback.yaml", "kind: likert, text: The trainers explained",
                                              "kind: stars, text: The trainers explained"))
    assert form is None and any("'stars' is not a known choice" in str(p) and "line" in str(p) for p in problems)


def test_the_module_files_are_not_confused_with_the_journey_files(tmp_path):
    folder = tmp_path / "exercises"
    shutil.copytree(journey_folder().parent, folder)
    assert len(load_course(folder).modules) == 6   # exercises/journey/*.yaml are not read as modules
    with pytest.raises(ExerciseError):
        load_assessment(folder / "module-1.yaml")
