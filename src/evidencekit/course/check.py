"""The deep check of a course: every step's data and every computed answer, offline.

Loading validates the *form* of a module file. :func:`check_course` goes further, with no network (the
embedded snapshot and the SYNTHETIC survey answer): each data step's starting view returns rows, each
reconciled figure and each computed answer can be computed, and a computed choice answer is one of the
question's options. ``evidencekit course check exercises/`` runs it.

>>> from evidencekit.course import load_course
>>> check_module(load_course().module(1))
[]
"""
from __future__ import annotations

import tempfile
import warnings
from contextlib import contextmanager

from evidencekit.course.answers import evaluate, survey_of
from evidencekit.course.errors import Problem
from evidencekit.course.model import Course, Module, place_of
from evidencekit.course.spec import SERIES_KINDS
from evidencekit.course.views import benchmark_query, estimate_query, ilostat_query
from evidencekit.errors import EvidenceKitError


@contextmanager
def offline_client():
    """An ILOSTAT client that never touches the network and uses a throw-away cache (the snapshot answers)."""
    from evidencekit.ilostat import Client
    with tempfile.TemporaryDirectory(prefix="evidencekit-course-check-") as tmp:
        yield Client(cache_dir=tmp, offline=True)


def _problem(module: Module, path: tuple, message: str, expected: str = "") -> Problem:
    place, line = place_of(module, path)
    return Problem(module.file, place, message, expected, line=line)


def _series_problems(client, module: Module, i: int) -> list[Problem]:
    """The step's starting view (and its benchmark) read offline, as the app will ask for it."""
    step = module.steps[i]
    out = []
    for field, query in (("areas", ilostat_query(step)), ("benchmark", benchmark_query(step))):
        if query is None:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = client.get(query.pop("id"), **query)
        except EvidenceKitError as err:
            out.append(_problem(module, ("learning", i, field), f"the data cannot be read offline: {err}",
                                "codes and years the embedded snapshot holds (see `evidencekit get ... --offline`)"))
            continue
        if df.empty:
            out.append(_problem(module, ("learning", i, field), "the starting view has no data offline",
                                "codes and years with data in the embedded snapshot"))
        if step.kind == "gap" and field == "areas":
            (dim, pair), = step.params["between"].items()
            have = set(df[dim].astype(str)) if dim in df else set()
            for code in pair:
                if str(code) not in have:
                    out.append(_problem(module, ("learning", i, "between"), f"no data for {dim} {code}",
                                        f"codes of {dim} the indicator has: {', '.join(sorted(have))}"))
    return out


def _estimate_problems(module: Module, i: int) -> list[Problem]:
    from evidencekit import indicators
    from evidencekit.indicators import distribution
    q = estimate_query(module.steps[i])
    if q["survey"] != "synthetic":
        return []
    s = survey_of("synthetic")
    for col in q["by"] + ([q["distribution"]] if "distribution" in q else []):
        if col not in s.data.columns:
            return [_problem(module, ("learning", i, "by" if col in q["by"] else "distribution"),
                             f"the SYNTHETIC survey has no column `{col}`",
                             "a column such as ilo_sex, ilo_geo, region, ilo_age_aggregate")]
    try:
        if q["indicators"]:
            indicators.estimate(s, q["indicators"], by=q["by"] or None, level=q["level"])
        if "distribution" in q:
            distribution(s, q["distribution"], by=q["by"] or None, level=q["level"])
    except EvidenceKitError as err:
        return [_problem(module, ("learning", i, "indicators"), f"cannot be estimated: {err}")]
    return []


def _figure_problems(client, module: Module, i: int, p: dict) -> list[Problem]:
    out = []
    for j, fig in enumerate(p["figures"]):
        spec = None
        if "ilostat" in fig:
            q = dict(fig["ilostat"])
            spec = {"query": q, "operation": "value"}
        elif "survey" in fig:
            spec = {"query": dict(fig["survey"]), "operation": "value"}
        if spec is None:
            continue
        try:
            evaluate(spec, offline=True, client=client)
        except EvidenceKitError as err:
            out.append(_problem(module, ("learning", i, "figures", j), f"the figure cannot be computed offline: {err}",
                                "one value (fix area, year, sex, classification and, if needed, source)"))
    return out


def _question_problems(client, module: Module, k: int) -> list[Problem]:
    q = module.questions[k]
    if not q.computed:
        return []
    try:
        computed = evaluate(q.answer, offline=True, client=client)
    except EvidenceKitError as err:
        return [_problem(module, ("review", k, "answer"), f"the answer cannot be computed offline: {err}",
                         "a query and operation that give one answer from the embedded snapshot")]
    if q.kind == "single" and not any(str(o.value) == str(computed.value) for o in q.options):
        return [_problem(module, ("review", k, "options"),
                         f"the data give {computed.value}, which no option stands for",
                         "an option with `value: " + str(computed.value) + "`")]
    return []


def check_module(module: Module) -> list[Problem]:
    """Every problem a module's data raise offline (empty when all is well). Never touches the network: an
    offline client with a throw-away cache reads the embedded snapshot."""
    with offline_client() as client:
        out: list[Problem] = []
        for i, step in enumerate(module.steps):
            if step.kind in SERIES_KINDS:
                out += _series_problems(client, module, i)
            elif step.kind == "estimate":
                out += _estimate_problems(module, i)
                if "compare_with" in step.params:
                    try:
                        evaluate({"query": step.params["compare_with"], "operation": "value"}, offline=True,
                                 client=client)
                    except EvidenceKitError as err:
                        out.append(_problem(module, ("learning", i, "compare_with"), str(err)))
            elif step.kind == "reconcile":
                out += _figure_problems(client, module, i, step.params)
        for k in range(len(module.questions)):
            out += _question_problems(client, module, k)
        return out


def check_course(course: Course) -> list[Problem]:
    """Every problem the course's data raise offline, module by module."""
    return [p for m in course.modules for p in check_module(m)]
