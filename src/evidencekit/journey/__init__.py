"""evidencekit.journey: the course around the modules — learning goals and the topic of the brief before the
course, the pre- and post-course assessment on each module's competences, the learning gain per competence,
the course feedback form, the certificate of participation, the follow-up plan, and the trainer's anonymised
class view. Content lives in ``exercises/journey/`` (``docs/journey.md``); everything a participant enters is
kept through :mod:`evidencekit.store`. No Streamlit here: the app renders what these functions return.

>>> import tempfile, os
>>> from evidencekit.store import Store
>>> from evidencekit import journey
>>> me = Store(os.path.join(tempfile.mkdtemp(), "ek.db"), outbox=os.path.join(tempfile.mkdtemp(), "ob.db")).participant("ana")
>>> a = journey.load_assessment()
>>> pre = journey.submit_assessment(me, a, "pre", {"m1-sdg": "a"})
>>> post = journey.submit_assessment(me, a, "post", {"m1-sdg": "a", "m1-suffix": "a"})
>>> gain = journey.learning_gain(a, *[r.to_record() for r in (pre, post)])
>>> gain.set_index("competence").loc["find-indicators", ["pre", "post", "gain"]].tolist()
[50.0, 100.0, 50.0]
"""
from __future__ import annotations

from evidencekit.journey.assessment import AssessmentResult, grade, results, submit_assessment, taken
from evidencekit.journey.certificate import Eligibility, certificate_pdf, eligibility, issue_certificate, printable_name
from evidencekit.journey.classview import ClassReport, class_report, export_report
from evidencekit.journey.content import (
    Assessment, Competence, FeedbackForm, FeedbackItem, journey_folder, load_assessment, load_feedback_form,
    read_assessment, read_feedback_form,
)
from evidencekit.journey.errors import JourneyError
from evidencekit.journey.feedback import check_feedback, given, submit_feedback
from evidencekit.journey.followup import add_plan, due_plans, plans, postpone, record_outcome, suggested_due
from evidencekit.journey.gain import learning_gain, normalised_gain
from evidencekit.journey.goals import brief_topic, goals, goals_history, save_brief_topic, save_goals

__all__ = [
    "load_assessment", "read_assessment", "load_feedback_form", "read_feedback_form", "journey_folder",
    "Assessment", "Competence", "FeedbackForm", "FeedbackItem",
    "save_goals", "goals", "goals_history", "save_brief_topic", "brief_topic",
    "grade", "submit_assessment", "taken", "results", "AssessmentResult", "learning_gain", "normalised_gain",
    "check_feedback", "submit_feedback", "given",
    "eligibility", "Eligibility", "issue_certificate", "certificate_pdf", "printable_name",
    "add_plan", "plans", "due_plans", "record_outcome", "postpone", "suggested_due",
    "class_report", "ClassReport", "export_report", "JourneyError",
]
