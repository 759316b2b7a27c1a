"""What a data step shows, with the participant's choices applied: the arguments the app passes to the library.

A step declares its starting view and which parts the participant may change (``choose``). The app sends
back what the participant chose; these functions check the choices again on the server (widget limits are
enforced in the browser only), refuse what the step does not open, and return the keyword arguments of
``evidencekit.ilostat.get`` (:func:`ilostat_query`, :func:`benchmark_query`) or of
``evidencekit.indicators.estimate`` (:func:`estimate_query`).

>>> from evidencekit.course.model import load_course
>>> step = load_course().locate("2", "youth-compare").step
>>> ilostat_query(step, {"areas": ["IDN", "PHL"], "year": 2021})
{'id': 'SDG_0852_SEX_AGE_RT_A', 'ref_area': ['IDN', 'PHL'], 'sex': ['SEX_T'], 'classif1': ['AGE_YTHADULT_Y15-24'], 'start': 2021, 'end': 2021}
>>> ilostat_query(step, {"indicator": "X_A"})
Traceback (most recent call last):
...
evidencekit.errors.InputError: Changing `indicator` in step 1 of module 2: this step does not let the participant change it. What to do: change only: year, areas, sex.
"""
from __future__ import annotations

from typing import Any

from evidencekit.course.model import Step
from evidencekit.course.schema import AreaCodes, Code, Column, OneOrMany, Reader, Years, YearOrLatest
from evidencekit.course.spec import SERIES_KINDS
from evidencekit.errors import InputError

_CHOICE_SPECS = {"areas": AreaCodes(), "benchmark": AreaCodes(), "years": Years(), "year": YearOrLatest(),
                 "sex": OneOrMany(Code("SEX_")), "classif1": OneOrMany(Code()), "by": OneOrMany(Column())}


def _choices(step: Step, choices: dict | None) -> dict[str, Any]:
    where = f"step {step.number} of module {step.module}"
    choices = dict(choices or {})
    allowed = step.params.get("choose", [])
    out = {}
    for key, value in choices.items():
        if key not in allowed:
            raise InputError(f"Changing `{key}` in {where}", "this step does not let the participant change it",
                             "change only: " + (", ".join(allowed) or "nothing"))
        spec = _CHOICE_SPECS.get(key)
        if spec is None:
            out[key] = value
            continue
        r = Reader.__new__(Reader)
        r.file, r.lines, r.problems, r.data = where, {}, [], None
        checked = spec.check(value, (), r)
        if r.problems:
            p = r.problems[0]
            raise InputError(f"The choice `{key}` in {where}", p.message, f"choose {p.expected}")
        out[key] = checked
    return out


def ilostat_query(step: Step, choices: dict | None = None) -> dict[str, Any]:
    """Keyword arguments of ``evidencekit.ilostat.get`` for a data step's view (``explore``,
    ``compare_countries``, ``change_over_time``, ``gap``, ``read_notes``). ``year: latest`` sets no period:
    the app keeps each area's latest year and labels it."""
    if step.kind not in SERIES_KINDS:
        raise InputError(f"Step {step.number} of module {step.module}", f"a `{step.kind}` step shows no ILOSTAT series",
                         "use estimate_query for an estimate step")
    p = {**step.params, **_choices(step, choices)}
    q: dict[str, Any] = {"id": p["indicator"], "ref_area": list(p["areas"])}
    for key in ("sex", "classif1", "classif2", "source"):
        if p.get(key):
            q[key] = list(p[key])
    if step.kind == "gap":
        (dim, pair), = p["between"].items()
        q[dim] = list(pair)
    if "year" in (choices or {}) or ("year" in p and "years" not in p):
        if isinstance(p.get("year"), int):
            q["start"] = q["end"] = p["year"]
    elif p.get("years"):
        q["start"], q["end"] = p["years"]
    return q


def benchmark_query(step: Step, choices: dict | None = None) -> dict[str, Any] | None:
    """The same view for the step's ``benchmark`` areas (None when it has none)."""
    p = {**step.params, **_choices(step, choices)}
    if not p.get("benchmark"):
        return None
    q = ilostat_query(step, {k: v for k, v in (choices or {}).items() if k != "benchmark"})
    q["ref_area"] = list(p["benchmark"])
    return q


def estimate_query(step: Step, choices: dict | None = None) -> dict[str, Any]:
    """What an ``estimate`` step computes: ``survey`` (synthetic/own), ``indicators``, ``distribution``, ``by``,
    ``level``, ``min_n`` — with the participant's choices of indicators, by and level checked against the
    indicator catalogue and ``choose``."""
    if step.kind != "estimate":
        raise InputError(f"Step {step.number} of module {step.module}", f"a `{step.kind}` step estimates nothing",
                         "use ilostat_query for a data step")
    chosen = _choices(step, choices)
    from evidencekit.course.schema import survey_indicator_names
    names = survey_indicator_names()
    p = {**step.params, **chosen}
    indicators = p.get("indicators") or []
    if isinstance(indicators, str):
        indicators = [indicators]
    bad = [i for i in indicators if i not in names]
    if bad:
        raise InputError(f"The indicator(s) {', '.join(map(repr, bad))}", "are not estimated from microdata",
                         "choose from evidencekit.indicators.catalogue()")
    by = p.get("by") or []
    by = [by] if isinstance(by, str) else list(by)
    level = p.get("level", 0.95)
    if not isinstance(level, (int, float)) or not 0.5 <= level <= 0.999:
        raise InputError(f"The confidence level {level!r}", "is out of range", "a level from 0.5 to 0.999, e.g. 0.95")
    out = {"survey": p.get("survey", "synthetic"), "indicators": list(indicators), "by": by, "level": float(level)}
    for key in ("distribution", "min_n"):
        if key in p:
            out[key] = p[key]
    return out
