"""The course feedback form: statements rated on a scale (content, method, tools, trainers) and answers in the
participant's own words, checked and kept through the store (record ``feedback/course``).

A rating is a number from 1 (the first label of the scale, e.g. *Strongly disagree*) to the number of labels,
or the label itself. Required ratings must be given; text is optional, cleaned (:func:`clean_text`) and at most
2,000 characters. The feedback may be changed until the trainer closes the course: the latest counts.

>>> from evidencekit.journey.content import load_feedback_form
>>> form = load_feedback_form()
>>> answers = {i.id: 4 for i in form.items if i.kind == "likert"}
>>> answers["tools-easy"] = "Strongly agree"
>>> answers["content-comment"] = "More on informality, please."
>>> checked = check_feedback(form, answers)
>>> checked["ratings"]["tools-easy"], checked["comments"]["content-comment"]
(5, 'More on informality, please.')
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from evidencekit.journey.content import FeedbackForm
from evidencekit.journey.errors import JourneyError
from evidencekit.journey.text import clean_text

MAX_COMMENT = 2000


def check_feedback(form: FeedbackForm, answers: Mapping[str, Any]) -> dict:
    """``{"ratings": {item: 1..n}, "comments": {item: text}}`` from ``answers`` (item id -> rating or text);
    :class:`JourneyError` naming every item that is missing or not usable (nothing is kept then)."""
    if not isinstance(answers, Mapping):
        raise JourneyError("Checking your feedback", "the answers are not a mapping of item ids", "pass {item id: answer}")
    items = {i.id: i for i in form.items}
    unknown = sorted(str(k) for k in answers if k not in items)
    if unknown:
        raise JourneyError("Checking your feedback", f"{', '.join(unknown[:5])} not on the form",
                           "reload the page: the form may have changed")
    ratings: dict[str, int] = {}
    comments: dict[str, str] = {}
    problems: list[str] = []
    n = len(form.scale)
    for item in form.items:
        value = answers.get(item.id)
        empty = value is None or (isinstance(value, str) and not value.strip())
        if item.kind == "likert":
            if empty:
                if item.required:
                    problems.append(f"'{item.text}' has no rating")
                continue
            if isinstance(value, str) and value.strip() in form.scale:
                value = form.scale.index(value.strip()) + 1
            elif isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= n:
                problems.append(f"'{item.text}' is rated {value!r}, not 1 to {n}")
                continue
            ratings[item.id] = value
        else:
            if empty:
                if item.required:
                    problems.append(f"'{item.text}' has no answer")
                continue
            comments[item.id] = clean_text(value, limit=MAX_COMMENT, what="comment")
    if problems:
        raise JourneyError("Checking your feedback", "; ".join(problems), "complete those items; nothing was saved")
    return {"ratings": ratings, "comments": comments}


def submit_feedback(me, form: FeedbackForm, answers: Mapping[str, Any]) -> dict:
    """Check and keep the participant's feedback (the latest counts). Returns what was kept."""
    payload = {**check_feedback(form, answers), "content": form.digest,
               "given_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    me.put_record("feedback", "course", payload)
    return payload


def given(me) -> dict | None:
    """The participant's feedback as kept, or None."""
    return next((r["payload"] for r in me.records("feedback") if r["key"] == "course"), None)
