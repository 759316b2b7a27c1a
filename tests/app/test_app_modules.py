"""Every module of the course, walked as a participant would in one session: the introduction, each learning step
(its figures, source line, hints, key points, moving on), and the review — each question answered wrongly and
then rightly, with the feedback shown. Parametrised over the course model, so a new module or step is tested
as soon as it is written."""
from __future__ import annotations

import pytest
from .apphelp import new_app, no_problem, submit, texts

from evidencekit.course import load_course, right_answer
from evidencekit.store import open_store

COURSE = load_course()
SERIES = ("explore", "compare_countries", "change_over_time", "gap", "read_notes")


def _answer(at, module, q, response) -> None:
    key = f"q-{module.number}-{q.id}-answer"
    if q.kind == "single":
        at.radio(key=key).set_value(response)
    elif q.kind == "multiple":
        for o in q.options:
            at.checkbox(key=f"{key}-{o.id}").set_value(o.id in response)
    else:
        at.text_input(key=key).input(response)
    submit(at, f"q-{module.number}-{q.id}")
    no_problem_but_feedback(at)


def no_problem_but_feedback(at) -> None:
    """No exception; an error element is allowed only as the 'Not quite' feedback of a wrong answer."""
    assert not at.exception, [e.value for e in at.exception]
    assert all(str(e.value).startswith("Not quite") for e in at.error), [e.value for e in at.error]


def _wrong(q, right):
    if q.kind == "numeric":
        return f"{right + max(1.0, 20 * q.margin):.{q.decimals}f}"
    ids = [o.id for o in q.options]
    if q.kind == "single":
        return next(i for i in ids if i not in right)
    wrong = [i for i in ids if i not in right]
    return sorted(right)[:1] + wrong[:1] if wrong else sorted(right)[:1]


def _right(q, right):
    if q.kind == "numeric":
        return f"{right:.{max(q.decimals, 2)}f}"
    return next(iter(right)) if q.kind == "single" else sorted(right)


def _step_checks(at, step) -> None:
    page = texts(at)
    assert f"Step {step.number} of" in page and step.title in page
    if step.kind in SERIES:
        assert at.image, "a data step shows its chart"
        assert any(str(c.value).startswith("Source: ILOSTAT") for c in at.caption), "the source line is under it"
        assert [f for f in at.get("form") if "to your evidence board" in texts_of(f)], "the chart can be saved to the board"
        if step.kind == "read_notes":
            _notes_checks(at, step)
    elif step.kind == "estimate":
        assert "SYNTHETIC" in page
        assert at.dataframe, "the estimates are shown as a table"
    elif step.kind == "reconcile":
        assert at.dataframe and any("Which reasons could explain the difference?" in p.label for p in at.pills)
    elif step.kind == "code_passages":
        from ui import words

        tagged = [w for w in at.pills if str(w.key or "").startswith(f"m{step.module}-{step.id}-tag-")]
        assert "ILLUSTRATIVE" in page and len(tagged) == len(step.params["passages"])
        assert all(words.literal(x["text"]) in w.label for x, w in zip(step.params["passages"], tagged))
    elif step.kind == "write":
        assert "Save and check my brief" in [b.label for b in at.button]


def _notes_checks(at, step) -> None:
    """A read-notes step's table: one row per figure the chart shows, by area and year, with its value, source,
    flag and notes as the library gives them."""
    import json

    from ui import data

    from ui.steps import SHOWN

    panel = data.build_panel(json.dumps(at.session_state[SHOWN][step.key]))
    table = at.table[0].value
    assert list(table.index.names) == ["Area", "Year"]
    frame = panel.frame
    assert len(table) == len(frame)
    shown = {(a, str(y)): v for (a, y), v in table["Value"].items()}
    assert all(shown[(r["ref_area.label"], str(r["time"]))] == str(r["obs_value"]) for _, r in frame.iterrows())
    assert set(table["Source"]) == set(frame["source.label"].astype(str))
    if "note_source.label" in frame and frame["note_source.label"].notna().any():
        assert set(frame["note_source.label"].dropna()) <= set(table["Note on the source"])


def texts_of(block) -> str:
    return " ".join(str(getattr(e, "value", "")) for e in block)


@pytest.mark.parametrize("number", [m.number for m in COURSE.modules])
def test_a_participant_works_through_the_module(number):
    module = COURSE.module(number)
    at = new_app(module=number, step="intro")
    at.run()
    no_problem(at)
    assert at.title[0].value == f"Module {number} · {module.title}"
    assert all(o in texts(at) for o in module.introduction.objectives)
    at.button(key=f"m{number}-start").click().run()
    for step in module.steps:
        assert at.query_params["step"] == str(step.number)
        no_problem(at)
        _step_checks(at, step)
        if step.hints:
            at.button(key=f"hint-{step.key}").click().run()
            assert step.hints[0] in texts(at)
        assert all(k in texts(at) for k in step.key_points)
        at.button(key=f"done-{step.key}").click().run()
    assert at.query_params["step"] == "review"
    no_problem(at)
    for q in module.questions:
        right, computed = right_answer(q, offline=True)
        _answer(at, module, q, _wrong(q, right))
        assert any(str(e.value).startswith("Not quite") for e in at.error), q.key
        if q.allow_retry:  # the explanation (which gives the answer) waits behind a click while one may retry
            assert "Show the explanation (it gives the right answer)" in [e.label for e in at.expander], q.key
            told = open_store().participant("local").answers(number, q.id)[-1]["feedback"]["explanation"]
            assert told and told not in texts(at), q.key  # drawn only when opened
            at.session_state[f"explain-{q.key}"] = True
            at.run()
            assert told in texts(at), q.key
        _answer(at, module, q, _right(q, right))
        assert any(str(s.value) == "Right." for s in at.success), q.key
        n = module.questions.index(q) + 1  # the score under the feedback (the last answer redraws the page)
        if n < len(module.questions):
            assert f"Your score so far: {n} of {len(module.questions)} questions answered, {n} right." in texts(at)
        if computed is not None:  # the app's right answer is the one the library computes from the data
            saved = open_store().participant("local").answers(number, q.id)[-1]
            assert saved["status"] == "correct"
            assert str(saved["feedback"]["computed_value"]) == str(computed.value)
            assert computed.citation in texts(at)
    assert "You have answered every question of this module." in [s.value for s in at.success]
    me = open_store().participant("local")
    done = {p["item"] for p in me.progress(number) if p["status"] == "done"}
    assert done >= {"intro", "review", *(s.id for s in module.steps)}
