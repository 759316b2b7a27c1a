"""Learning gain per competence, from the pre- and post-course assessments (a pure function).

For each competence: ``pre`` and ``post`` are the shares of its questions answered right (%), ``gain`` is
``post - pre`` in percentage points, and ``normalised_gain`` is Hake's (1998) normalised gain
``g = (post - pre) / (100 - pre)`` — the share of what there was left to learn that was learnt — left empty when
``pre`` is already 100. Only questions asked in **both** assessments are compared: if the assessment file was
changed in between, the frame says so (``attrs["note"]``) and counts the questions asked both times
(reference: ``docs/journey.md``).

>>> from evidencekit.journey.content import load_assessment
>>> from evidencekit.journey.assessment import grade
>>> a = load_assessment()
>>> pre = grade(a, {"m1-suffix": "b", "m1-sdg": "a"}, "pre").to_record()
>>> post = grade(a, {"m1-suffix": "a", "m1-sdg": "a"}, "post").to_record()
>>> g = learning_gain(a, pre, post).set_index("competence").loc["find-indicators"]
>>> [float(g[k]) for k in ("pre", "post", "gain", "normalised_gain")]
[50.0, 100.0, 50.0, 1.0]
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from evidencekit.journey.content import Assessment
from evidencekit.journey.errors import JourneyError

COLUMNS = ["module", "competence", "text", "questions", "pre", "post", "gain", "normalised_gain"]


def normalised_gain(pre: float, post: float) -> float | None:
    """Hake's normalised gain (post - pre) / (100 - pre); None when pre is 100 (nothing left to learn).

    >>> normalised_gain(40, 70), normalised_gain(100, 100), normalised_gain(50, 25)
    (0.5, None, -0.5)
    """
    if pre >= 100:
        return None
    return round((post - pre) / (100 - pre), 3)


def _statuses(record) -> dict[str, str]:
    if hasattr(record, "statuses"):
        return dict(record.statuses)
    if isinstance(record, Mapping) and isinstance(record.get("statuses"), Mapping):
        return dict(record["statuses"])
    raise JourneyError("Computing the learning gain", "an assessment record has no graded answers",
                       "pass the records the store keeps (participant.records('assessment')) or grade() results")


def learning_gain(assessment: Assessment, pre, post) -> pd.DataFrame:
    """One row per competence: module, competence, text, questions (compared), pre, post, gain (percentage
    points), normalised_gain. ``pre`` and ``post``: assessment records (as the store keeps them) or
    :class:`~evidencekit.journey.assessment.AssessmentResult`. The frame carries its provenance."""
    a, b = _statuses(pre), _statuses(post)
    rows = []
    dropped = 0
    for c in assessment.competences:
        both = [q.id for q in c.questions if q.id in a and q.id in b]
        dropped += len(c.questions) - len(both)
        if not both:
            continue
        p = round(100 * sum(a[q] == "correct" for q in both) / len(both), 1)
        s = round(100 * sum(b[q] == "correct" for q in both) / len(both), 1)
        rows.append({"module": c.module, "competence": c.id, "text": c.text, "questions": len(both), "pre": p,
                     "post": s, "gain": round(s - p, 1), "normalised_gain": normalised_gain(p, s)})
    if not rows:
        raise JourneyError("Computing the learning gain", "no question was asked in both assessments",
                           "take the pre- and the post-course assessment of the same course")
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs["provenance"] = provenance(assessment, participants=1,
                                        dates=[str(getattr(r, "taken_at", None) or r.get("taken_at", ""))[:10]
                                               for r in (pre, post)])
    df.attrs["unit"] = "% of questions right"
    if dropped:
        df.attrs["note"] = (f"The assessment changed between the two: {dropped} question(s) asked only once are "
                            "left out; each competence is compared on the questions asked both times.")
    return df


def provenance(assessment: Assessment, *, participants: int, dates: list[str] | None = None,
               suppressed_below: int | None = None) -> dict:
    """The provenance record of figures computed from assessment answers (``kind="user"``: participants' own)."""
    who = "one participant's answers" if participants == 1 else f"answers of {participants} participants, anonymised"
    when = f", taken {' and '.join(d for d in dates if d)}" if dates and any(dates) else ""
    rule = (f"; groups of fewer than {suppressed_below} participants not shown" if suppressed_below else "")
    source = f"{assessment.title}, evidencekit course journey ({who}{when}{rule})"
    return {"kind": "user", "source": source, "publisher": None, "licence": None, "dataset": assessment.title,
            "vintage": None, "retrieved_at": None, "title": assessment.title,
            "citation": f"{source}. Assessment file {assessment.file} ({assessment.digest})."}
