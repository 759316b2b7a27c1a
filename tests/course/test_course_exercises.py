"""Every module file of exercises/: it loads, it validates, every data step and every data-dependent answer
computes offline, the right answer is accepted and a wrong one refused with its explanation."""
from __future__ import annotations

import pytest

import evidencekit as ek
from evidencekit.course import check_answer, check_module, load_course, right_answer

COURSE = load_course()  # raises ExerciseError, naming file, place and line, if any file is invalid
QUESTIONS = [q for m in COURSE.modules for q in m.questions]


def test_six_modules_with_the_course_structure():
    assert [m.number for m in COURSE.modules] == [1, 2, 3, 4, 5, 6]
    for m in COURSE.modules:
        assert m.introduction.purpose and len(m.introduction.objectives) >= 2 and m.introduction.at_work
        assert len([s for s in m.steps if s.kind != "write"]) >= 3, m.file
        assert len(m.questions) >= 4 and any(q.computed for q in m.questions), m.file
        assert all(s.hints and s.key_points for s in m.steps), m.file
        assert all(q.explanation for q in m.questions) and m.key_points


def test_module_3_has_the_qualitative_step_labelled_illustrative():
    step = next(s for s in COURSE.module(3).steps if s.kind == "code_passages")
    assert step.params["illustrative"] is True and "illustrative" in step.params["context"].lower()
    assert len(step.params["codebook"]) >= 3 and len(step.params["passages"]) >= 6
    assert step.board["item"] == "quote"


@pytest.mark.parametrize("module", COURSE.modules, ids=lambda m: m.file)
def test_every_data_step_and_computed_answer_works_offline(module):
    assert check_module(module) == []


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.key)
def test_right_answer_accepted_wrong_one_refused_with_explanation(q):
    expected, computed = right_answer(q, offline=True)
    if q.kind == "numeric":
        right, wrong = expected, expected + q.margin + max(1.0, abs(expected) * 0.1)
    elif q.kind == "single":
        (right,) = expected
        wrong = next(o.id for o in q.options if o.id not in expected)
    else:
        right = sorted(expected)
        wrong = sorted(expected)[:-1] or [next(o.id for o in q.options if o.id not in expected)]
    ok = check_answer(q, right, offline=True)
    assert ok.status == "correct" and ok.correct and ok.reveal and ok.explanation
    bad = check_answer(q, wrong, offline=True)
    assert bad.status == "incorrect" and bad.message.startswith("Not quite") and bad.explanation
    assert "{" not in ok.explanation  # every placeholder filled
    if q.computed:
        assert computed is not None and ok.citation.startswith("Computed by evidencekit")
        sources = computed.provenance["sources"]
        assert sources and sources[0]["citation"] and computed.provenance["kind"] == "derived"
        origin = sources[0].get("origin")
        assert origin in ("snapshot", "microdata")  # offline: the snapshot or the SYNTHETIC survey answered


def test_a_computed_answer_follows_the_data_it_is_checked_on(monkeypatch):
    """The right answer is computed when checked, never a constant: change the data and it changes."""
    q = COURSE.module(1).question("highest-2020")
    assert right_answer(q, offline=True)[1].value == "BRN"
    real_get = ek.ilostat.get

    def brunei_halved(*args, **kwargs):
        df = real_get(*args, **kwargs)
        df.loc[df["ref_area"] == "BRN", "obs_value"] = df.loc[df["ref_area"] == "BRN", "obs_value"] / 2
        return df

    monkeypatch.setattr(ek.ilostat, "get", brunei_halved)
    assert right_answer(q, offline=True)[1].value == "MYS"  # 4.5% is now the highest
    assert check_answer(q, "mys", offline=True).correct
    assert not check_answer(q, "brn", offline=True).correct


def test_every_step_has_a_stable_id_and_number_and_a_deep_link():
    for m in COURSE.modules:
        for s in m.steps:
            loc = COURSE.locate(str(m.number), str(s.number))
            assert loc.step == s and COURSE.locate(m.id, s.id).step == s
            assert loc.query_params == {"module": str(m.number), "step": str(s.number)}
