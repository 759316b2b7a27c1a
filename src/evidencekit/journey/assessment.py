"""The pre- and post-course assessment: answers graded per question and per competence, kept through the store.

The same questions are asked before (``pre``) and after (``post``) the course. A question not answered is
*skipped* (it counts as not right: "I don't know" is an honest answer before a course); a response that is
not an answer (text where a number is asked, an option that does not exist) is refused with the question
named, so the participant can correct it. Each assessment is taken once: a second pre-course assessment, or a
pre-course one after the post-course one, would make the learning gain meaningless and is refused. The right
answers and their explanations are shown only after the post-course assessment.

A competence's score is the share of its questions answered right, in % (``docs/journey.md``).

>>> from evidencekit.journey.content import load_assessment
>>> a = load_assessment()
>>> r = grade(a, {"m1-above-2019": "0,5", "m1-sdg": "a", "m3-rate": "4.2"}, "pre")
>>> r.statuses["m1-above-2019"], r.statuses["m3-rate"], r.statuses["m2-break"]
('correct', 'incorrect', 'skipped')
>>> r.scores["1/find-indicators"]["score"], r.feedback
(50.0, [])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from evidencekit.course.checking import Feedback, check_answer
from evidencekit.journey.content import FORMS, Assessment
from evidencekit.journey.errors import JourneyError

WORDS = {"pre": "pre-course assessment", "post": "post-course assessment"}


@dataclass
class AssessmentResult:
    """One assessment graded: ``statuses`` per question (correct, incorrect, skipped), ``scores`` per competence
    key (``"2/read-notes"``: module, competence, text, questions, correct, score in %), ``feedback`` (the
    explained feedback per question — after the post-course assessment only)."""

    form: str
    responses: dict[str, Any]
    statuses: dict[str, str]
    scores: dict[str, dict]
    content: str
    taken_at: str
    feedback: list[Feedback] = field(default_factory=list)

    @property
    def score(self) -> float:
        """The share of all questions answered right, in %."""
        n = len(self.statuses)
        return round(100 * sum(s == "correct" for s in self.statuses.values()) / n, 1) if n else 0.0

    def to_record(self) -> dict:
        """What the store keeps (record ``assessment/<form>``)."""
        return {"form": self.form, "responses": self.responses, "statuses": self.statuses, "scores": self.scores,
                "content": self.content, "taken_at": self.taken_at}


def _answered(value: Any) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip())
                or (isinstance(value, (list, tuple, set)) and not value))


def grade(assessment: Assessment, responses: Mapping[str, Any], form: str) -> AssessmentResult:
    """Grade ``responses`` (question id -> option id, list of option ids, or a number typed as text) as the
    ``form`` (``pre`` or ``post``) assessment. Raises :class:`JourneyError` naming every question whose
    response is not an answer, and for ids that are not questions of the assessment."""
    if form not in FORMS:
        raise JourneyError(f"The assessment {form!r}", "is not known", "pre or post")
    if not isinstance(responses, Mapping):
        raise JourneyError(f"Grading the {WORDS[form]}", "the answers are not a mapping of question ids",
                           "pass {question id: answer}")
    known = {q.id for q in assessment.questions}
    unknown = sorted(str(k) for k in responses if k not in known)
    if unknown:
        raise JourneyError(f"Grading the {WORDS[form]}", f"{', '.join(unknown[:5])} {'is' if len(unknown) == 1 else 'are'} "
                           "not a question of this assessment", "reload the page: the questions may have changed")
    statuses: dict[str, str] = {}
    kept: dict[str, Any] = {}
    feedback: list[Feedback] = []
    bad: list[str] = []
    for q in assessment.questions:
        value = responses.get(q.id)
        if not _answered(value):
            statuses[q.id] = "skipped"
            kept[q.id] = None
            continue
        fb = check_answer(q, value)
        if fb.status not in ("correct", "incorrect"):
            bad.append(f"question {q.module}.{q.number} ({fb.message.replace(' Nothing was counted.', '').rstrip('.')})")
            continue
        statuses[q.id] = fb.status
        kept[q.id] = list(value) if isinstance(value, (list, tuple, set)) else value
        feedback.append(fb)
    if bad:
        raise JourneyError(f"Checking your {WORDS[form]}", "; ".join(bad), "correct those answers, or leave them empty if "
                           "you do not know; nothing was saved")
    scores: dict[str, dict] = {}
    for c in assessment.competences:
        n = len(c.questions)
        right = sum(statuses[q.id] == "correct" for q in c.questions)
        scores[c.key] = {"module": c.module, "competence": c.id, "text": c.text, "questions": n, "correct": right,
                         "score": round(100 * right / n, 1)}
    return AssessmentResult(form, kept, statuses, scores, assessment.digest,
                            datetime.now(timezone.utc).isoformat(timespec="seconds"),
                            feedback if form == "post" else [])


def taken(me) -> dict[str, dict]:
    """The assessments a participant has taken: ``{"pre": record payload, "post": ...}``."""
    return {r["key"]: r["payload"] for r in me.records("assessment") if r["key"] in FORMS}


def submit_assessment(me, assessment: Assessment, form: str, responses: Mapping[str, Any]) -> AssessmentResult:
    """Grade and keep the participant's ``form`` assessment (once). Returns the result; after the post-course
    assessment its ``feedback`` explains every answer."""
    done = taken(me)
    if form in done:
        when = str(done[form].get("taken_at", ""))[:10]
        raise JourneyError(f"Taking the {WORDS.get(form, form)}", f"you took it on {when}, and it is kept as it was",
                           "each assessment is taken once, so that the learning gain is fair")
    if form == "pre" and "post" in done:
        raise JourneyError("Taking the pre-course assessment", "you have taken the post-course assessment already",
                           "the pre-course assessment comes before the course")
    result = grade(assessment, responses, form)
    me.put_record("assessment", form, result.to_record())
    return result


def results(me, assessment: Assessment) -> dict[str, AssessmentResult]:
    """The participant's assessments as results (``feedback`` of the post-course one filled again)."""
    out = {}
    for form, payload in taken(me).items():
        out[form] = AssessmentResult(form, payload.get("responses", {}), payload.get("statuses", {}),
                                     payload.get("scores", {}), payload.get("content", ""), payload.get("taken_at", ""))
        if form == "post":
            for q in assessment.questions:
                value = out[form].responses.get(q.id)
                if _answered(value):
                    out[form].feedback.append(check_answer(q, value))
    return out
