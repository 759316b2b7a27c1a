"""evidencekit.course: the course's exercise model — modules as data, validated, with answers checked.

The course content lives in ``exercises/`` (one YAML file per module, written by trainers; format in
``docs/course-authoring.md``). This package loads and validates it (errors name the file, the place and what
is expected), resolves deep links (``?module=2&step=3``), computes data-dependent answers from a query and a
named operation (never ``eval``), checks participants' answers with explained feedback and summarises
progress. It never imports Streamlit: the app renders what it returns.

>>> from evidencekit import course as ek_course
>>> course = ek_course.load_course()
>>> m = course.module(1)
>>> m.title, [s.kind for s in m.steps][:2]
('Evidence and the policy cycle', ['explore', 'change_over_time'])
>>> q = next(q for q in m.questions if q.computed)
>>> right, computed = ek_course.right_answer(q, offline=True)
>>> fb = ek_course.check_answer(q, right.pop() if q.kind == "single" else right, offline=True)
>>> fb.status, fb.citation.startswith("Computed by evidencekit")
('correct', True)
"""
from __future__ import annotations

from evidencekit.course.answers import OPERATIONS, Computed, evaluate, operate
from evidencekit.indicators import distribution, share  # the indicators' own (steps show them; kept here for the app)
from evidencekit.course.check import check_course, check_module
from evidencekit.course.checking import Feedback, check_answer, parse_number, right_answer
from evidencekit.course.coding import check_tags, quotation, theme_counts
from evidencekit.course.errors import AnswerError, ExerciseError, LocationError, Problem
from evidencekit.course.model import (
    Course, Introduction, Location, Module, Option, Question, Step, default_folder, load_course, load_module,
    read_course, read_module,
)
from evidencekit.course.progress import ModuleProgress, summarise
from evidencekit.course.schema import GROUPS
from evidencekit.course.spec import STEP_KINDS
from evidencekit.course.views import benchmark_query, estimate_query, ilostat_query

__all__ = [
    "load_course", "load_module", "read_course", "read_module", "default_folder", "check_course", "check_module",
    "Course", "Module", "Introduction", "Step", "Question", "Option", "Location",
    "evaluate", "operate", "Computed", "OPERATIONS", "STEP_KINDS", "GROUPS", "share", "distribution",
    "check_tags", "theme_counts", "quotation", "ilostat_query", "benchmark_query", "estimate_query",
    "check_answer", "right_answer", "parse_number", "Feedback", "summarise", "ModuleProgress",
    "ExerciseError", "LocationError", "AnswerError", "Problem",
]
