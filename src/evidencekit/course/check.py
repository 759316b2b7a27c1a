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
from evidencekit.errors import EvidenceKitError

SERIES_STEPS = ("explore", "compare_countries", "change_over_time", "gap", "read_notes")


@contextmanager
def offline_client():
    """An ILOSTAT client that never touches the network and uses a throw-away cache (the snapshot answers)."""
    from evidencekit.ilostat import Client
    with tempfile.TemporaryDirectory(prefix="evidencekit-course-check-") as tmp:
        yield Client(cache_dir=tmp, offline=True)


def _problem(module: Module, path: tuple, message: str, expected: str = "") -> Problem:
    place, line = place_of(module, path)
    return Problem(module.file, place, message, expected, line=line)


def _series_problems(client, module: Module, i: int, p: dict) -> list[Problem]:
    step = module.steps[i]
    years = p.get("years") or ([p["year"], p["year"]] if isinstance(p.get("year"), int) else [None, None])
    filters = {k: p.get(k) for k in ("sex", "classif1", "classif2", "source")}
    if step.kind == "gap":
        (dim, pair), = p["between"].items()
        filters[dim] = pair
    out = []
    for field, areas in (("areas", p["areas"]), ("benchmark", p.get("benchmark"))):
        if not areas:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = client.get(p["indicator"], ref_area=areas, **filters, start=years[0], end=years[1])
        except EvidenceKitError as err:
            out.append(_problem(module, ("learning", i, field), f"the data cannot be read offline: {err}",
                                "codes and years the embedded snapshot holds (see `evidencekit get ... --offline`)"))
            continue
        if df.empty:
            out.append(_problem(module, ("learning", i, field), "the starting view has no data offline",
                                "codes and years with data in the embedded snapshot"))
        if step.kind == "gap":
            (dim, pair), = p["between"].items()
            have = set(df[dim].astype(str)) if dim in df else set()
            for code in pair:
                if str(code) not in have:
                    out.append(_problem(module, ("learning", i, "between"), f"no data for {dim} {code}",
                                        f"codes of {dim} the indicator has: {', '.join(sorted(have))}"))
    return out


def _estimate_problems(module: Module, i: int, p: dict) -> list[Problem]:
    from evidencekit import indicators
    if p.get("survey", "synthetic") != "synthetic":
        return []
    s = survey_of("synthetic")
    by = p.get("by") or []
    for col in by:
        if col not in s.data.columns:
            return [_problem(module, ("learning", i, "by"), f"the SYNTHETIC survey has no column `{col}`",
                             "a column such as ilo_sex, ilo_geo, region, ilo_age_aggregate")]
    try:
        indicators.estimate(s, p["indicators"], by=by or None, level=p.get("level", 0.95))
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
            if step.kind in SERIES_STEPS:
                out += _series_problems(client, module, i, step.params)
            elif step.kind == "estimate":
                out += _estimate_problems(module, i, step.params)
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
