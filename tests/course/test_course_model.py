"""Deep links, checking answers (odd responses, answers that cannot be computed), progress."""
from __future__ import annotations

import dataclasses

import pytest

from evidencekit.course import LocationError, Question, check_answer, load_course, parse_number, summarise
from evidencekit.course.model import Option

COURSE = load_course()


@pytest.mark.parametrize("module, step, part, number", [
    ("2", "3", "learning", 3), (2, 3, "learning", 3), ("module-2", "youth-sex-gap", "learning", 3),
    (" 2 ", None, "introduction", None), ("2", "intro", "introduction", None), ("2", "REVIEW", "review", None),
])
def test_deep_links_resolve(module, step, part, number):
    loc = COURSE.locate(module, step)
    assert loc.module.number == 2 and loc.part == part
    assert (loc.step.number if loc.step else None) == number


@pytest.mark.parametrize("module, step, message", [
    ("7", None, "there is no such module; the course has modules 1, 2, 3, 4, 5, 6"),
    ("two", "1", "there is no such module"),
    ("2", "9", "there is no such step; the module has steps 1–4 (youth-compare, youth-notes, youth-sex-gap, youth-neet)"),
    ("2", "0", "there is no such step"),
    ("2", "-1", "there is no such step"),
    (None, "3", "a step needs a module"),
    ("", None, "names no module"),
])
def test_bad_deep_links_are_refused_clearly(module, step, message):
    with pytest.raises(LocationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        COURSE.locate(module, step)


def test_question_lookup_by_key():
    assert COURSE.question("2/phl-rank").number == 2
    with pytest.raises(LocationError, match="no such question"):
        COURSE.question("2/nope")


@pytest.mark.parametrize("text, value", [("4.2", 4.2), ("4,2", 4.2), ("4.2%", 4.2), (" -1.5 pp", -1.5),
                                         ("−1.5", -1.5), ("1,234.5", 1234.5), (3, 3.0)])
def test_numbers_as_participants_type_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,234", "nan", "inf", None, True, "4.2.1"])
def test_not_numbers(text):
    assert parse_number(text) is None


def test_invalid_responses_count_for_nothing():
    single = COURSE.question("2/break-meaning")
    for response in (None, "", "z", ["a", "b"], 3):
        fb = check_answer(single, response)
        assert fb.status == "invalid" and "Nothing was counted" in fb.message
    numeric = COURSE.question("1/mys-rise")
    assert check_answer(numeric, "about one", offline=True).status == "invalid"
    multiple = COURSE.question("2/fair-comparison")
    assert check_answer(multiple, ["age", "nope"]).status == "invalid"


def test_multiple_choice_says_what_is_missing_and_what_is_wrong():
    q = COURSE.question("2/fair-comparison")
    fb = check_answer(q, ["age", "newest"])
    assert fb.status == "incorrect"
    assert fb.message == "Not quite: 2 right options not chosen and 1 chosen option not right."
    assert fb.option_feedback == ["Mixing 2019 with 2022 mixes before and after the pandemic."]


def test_answer_shown_only_when_right_or_no_retry():
    q = COURSE.question("2/break-meaning")
    assert check_answer(q, "b").reveal and not check_answer(q, "a").reveal
    assert check_answer(dataclasses.replace(q, allow_retry=False), "a").reveal


def test_an_answer_that_cannot_be_computed_is_not_marked_wrong():
    q = COURSE.question("1/mys-rise")
    answer = {**q.answer, "from": 2001, "to": 2021}  # Malaysia has no 2021 figure in the snapshot
    fb = check_answer(dataclasses.replace(q, answer=answer), 1.0, offline=True)
    assert fb.status == "unavailable" and "not marked" in fb.message and "no value for time 2021" in fb.explanation


def test_a_computed_choice_not_among_the_options_is_not_marked():
    q = COURSE.question("1/highest-2020")
    without_brunei = tuple(o for o in q.options if o.value != "BRN") + (Option("x", "Lao PDR", value="LAO"),)
    fb = check_answer(dataclasses.replace(q, options=without_brunei), "mys", offline=True)
    assert fb.status == "unavailable" and "Brunei Darussalam" in fb.message and "not one of the options" in fb.message


def test_feedback_record_is_json_ready():
    import json
    fb = check_answer(COURSE.question("1/mys-rise"), "1.3", offline=True)
    record = fb.to_record()
    assert json.loads(json.dumps(record))["status"] == "correct"
    assert record["citation"].startswith("Computed by evidencekit") and record["computed_value"] == pytest.approx(1.28)


def test_typed_in_numeric_answer():
    q = Question(9, 1, "typed", "numeric", "What was PSA's rate?", "It was {value}%.", answer={"value": 7.8}, unit="%")
    assert check_answer(q, "7.8").correct and check_answer(q, 7.84).correct and not check_answer(q, 7.9).correct
    assert check_answer(q, "7.8").explanation == "It was 7.8%."


def test_progress_summary_and_next_step():
    m2 = COURSE.module(2)
    marks = [{"module": 2, "item": "intro", "status": "done"},
             {"module": 2, "item": m2.steps[0].id, "status": "done"},
             {"module": 2, "item": m2.steps[1].id, "status": "seen"},
             {"module": 2, "item": "a-step-removed-from-the-file", "status": "done"}]
    answers = [{"module": 2, "question": "phl-rank", "status": "correct"},
               {"module": 2, "question": "lowest-neet", "status": "incorrect"},
               {"module": 2, "question": "break-meaning", "status": "invalid"}]
    p = {x.module: x for x in summarise(COURSE, marks, answers)}[2]
    assert (p.steps_done, p.steps_total, p.questions_answered, p.questions_correct) == (1, 4, 2, 1)
    assert p.next.step.id == m2.steps[1].id and p.unknown == 1 and not p.complete
    assert p.percent == round(100 * (1 + 1 + 2) / (1 + 4 + 5))
    every = [{"module": 2, "item": x, "status": "done"} for x in ["intro", *[s.id for s in m2.steps]]]
    done = summarise(COURSE, every, [{"module": 2, "question": q.id, "status": "correct"} for q in m2.questions])
    assert {x.module: x for x in done}[2].complete


def test_a_change_across_a_break_in_series_is_refused():
    q = COURSE.question("1/mys-rise")
    across = {**q.answer, "query": {**q.answer["query"], "ref_area": ["PHL"]}, "from": 2015, "to": 2017}
    fb = check_answer(dataclasses.replace(q, answer=across), 0.0, offline=True)
    assert fb.status == "unavailable" and "break in series between 2015 and 2017 (PHL 2016)" in fb.explanation
    after = {**across, "from": 2016, "to": 2017}  # the break year itself is the start: same side
    assert check_answer(dataclasses.replace(q, answer=after), -0.1, offline=True).status == "correct"
