"""Review questions: one form per question, checked by :func:`evidencekit.course.check_answer` with immediate,
explained feedback; every attempt kept in the store (a reload shows the last feedback again). Each question is a
fragment: checking an answer redraws that question (and the score under it), not the whole page."""
from __future__ import annotations

import streamlit as st

from ui import context, data, render

STATUS_ICON = {"correct": ":material/check_circle:", "incorrect": ":material/cancel:",
               "invalid": ":material/help:", "unavailable": ":material/warning:"}


def check(q, response):
    """The feedback on ``response``: a computed answer comes from the cached evaluation of the same data the
    pages show; when it cannot be computed, the library says so and the answer is not marked."""
    from evidencekit.course import check_answer
    from evidencekit.errors import EvidenceKitError

    try:
        computed = data.computed(q)
    except EvidenceKitError:
        computed = None  # check_answer computes again and returns "unavailable" with the reason
    return check_answer(q, response, computed=computed)


def feedback(fb: dict, q, after: str = "") -> None:
    """Show one feedback record (``Feedback.to_record()`` or as stored); ``after``: a line said last, with the
    notes (one small text: each element costs every check)."""
    status = fb.get("status")
    shown = {"correct": st.success, "incorrect": st.error}.get(status, st.warning)
    retry = status == "incorrect" and q.allow_retry and not fb.get("reveal")
    shown(fb.get("message", "") + ("\n\nYou can change your answer and check it again." if retry else ""),
          icon=STATUS_ICON.get(status))
    told = [f"- {line}" for line in fb.get("option_feedback") or []]  # one element: a check redraws it whole
    if fb.get("reveal") and fb.get("expected") and status != "correct":
        told.append(f"\n**The right answer:** {fb['expected']}")
    if told:
        st.markdown("\n".join(told))
    if retry and fb.get("explanation"):  # available after every try, but not spoiling the next one; its text is
        box = st.expander("Show the explanation (it gives the right answer)",  # drawn when it is opened
                          key=f"explain-{q.key}", on_change="rerun")
        if box.open:
            box.markdown(fb["explanation"])
    elif status in ("correct", "incorrect") and fb.get("explanation"):
        st.markdown(fb["explanation"])
    elif status == "unavailable" and fb.get("explanation"):
        st.caption(fb["explanation"])
    small = list(fb.get("notes") or [])
    if fb.get("citation") and not (fb.get("explanation") and fb["citation"] in fb["explanation"]):
        small.append(fb["citation"])
    if after:
        small.append(after)
    if small:
        st.caption("\n\n".join(small))


def _response_widget(q, key: str, previous):
    texts = {o.id: o.text for o in q.options}
    if q.kind == "single":
        ids = [o.id for o in q.options]
        if key not in st.session_state and previous in ids:
            st.session_state[key] = previous
        return st.radio("Your answer", ids, index=None, format_func=texts.get, key=key)
    if q.kind == "multiple":
        st.markdown("Choose all that apply:")
        before = set(previous or []) if isinstance(previous, list) else set()
        chosen = []
        for o in q.options:
            k = f"{key}-{o.id}"
            if k not in st.session_state:
                st.session_state[k] = o.id in before
            if st.checkbox(o.text, key=k):
                chosen.append(o.id)
        return chosen
    if key not in st.session_state and previous is not None:
        st.session_state[key] = str(previous)
    unit = f" (in {q.unit})" if q.unit else ""
    return st.text_input(f"Your answer{unit}", key=key, placeholder="Type a number, e.g. 4.2")


def question(module, q, latest: dict | None, score=None) -> tuple[str | None, bool]:
    """One question in its form; returns the status of the latest answer (None: not answered), and whether it
    was checked in this run. ``score``: when it is checked, the line said under its feedback, made from the
    status it gets."""
    key = f"q-{module.number}-{q.id}"
    with st.form(key, border=True):
        computed = "\n\n:small[:gray[The right answer is computed from the data when you check it.]]"
        st.markdown(f"**Question {q.number} of {len(module.questions)}**\n\n{q.prompt}"
                    + (computed if q.computed else ""))
        response = _response_widget(q, key + "-answer", (latest or {}).get("response"))
        submitted = st.form_submit_button("Check my answer", type="primary")
    if submitted:
        fb = check(q, response)
        record = fb.to_record()
        if fb.status in ("correct", "incorrect", "unavailable"):
            context.participant().save_answer(module.number, q.id, response, record, content=module.digest)
        status = fb.status if fb.status in ("correct", "incorrect") else (latest or {}).get("status")
        feedback(record, q, after=score(status) if score else "")
        return status, True
    if latest:
        if latest.get("content") and latest["content"] != module.digest:
            st.caption("This module was updated after you answered: check your answer again.")
        feedback(latest.get("feedback") or {}, q)
        return latest.get("status"), False
    return None, False


def _score(statuses: list[str | None]) -> tuple[int, int]:
    """(questions answered, answered right) of the latest statuses.

    >>> _score(["correct", "incorrect", None])
    (2, 1)
    """
    return sum(s in ("correct", "incorrect") for s in statuses), sum(s == "correct" for s in statuses)


def _latest(me, module) -> dict:
    """The latest attempt at each of the module's questions, by question id (read with the whole course's, as
    the sidebar's progress reads them: one read, kept current by each check)."""
    return {a["question"]: a for a in me.latest_answers() if a["module"] == module.number}


def _statuses(module) -> list[str | None]:
    latest = _latest(context.participant(), module)
    return [(latest.get(q.id) or {}).get("status") for q in module.questions]


@st.fragment
def _question(module, q) -> None:
    """A question as a fragment (with its own error guard, as a fragment shows its own errors)."""
    render.guarded(_checked_question)(module, q)


def _checked_question(module, q) -> None:
    """A question; when it is checked, the score so far is said under it, and the answer that completes the
    review marks the module's review done and redraws the page (its header shows it done)."""
    me = context.participant()
    latest = _latest(me, module)

    def statuses(status: str | None) -> list[str | None]:  # the others as read above, this one as just checked
        return [status if other.id == q.id else (latest.get(other.id) or {}).get("status")
                for other in module.questions]

    def score(status: str | None) -> str:
        answered, right = _score(statuses(status))
        return f"Your score so far: {answered} of {len(module.questions)} questions answered, {right} right."

    status, checked = question(module, q, latest.get(q.id), score=score)
    if not checked:
        return
    if _score(statuses(status))[0] == len(module.questions) and not _done(me, module):
        me.mark(module.number, "review", "done", content=module.digest)
        st.rerun(scope="app")


def _done(me, module) -> bool:
    return any(p["item"] == "review" and p["status"] == "done" for p in me.progress(module.number))


def review(module) -> None:
    """The module's review: every question with its feedback (each a fragment, with the score so far when it is
    checked), and the module marked done when every question is answered."""
    me = context.participant()
    st.markdown("Answer each question and check it: the feedback explains the answer. You can try again.")
    for q in module.questions:
        _question(module, q)
    statuses = _statuses(module)
    if _score(statuses)[0] == len(statuses):
        if not _done(me, module):
            me.mark(module.number, "review", "done", content=module.digest)
        st.success("You have answered every question of this module.", icon=":material/school:")
