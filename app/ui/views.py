"""What each view of the workbench shows, built from the library alone (no Streamlit here).

A *view* is the figures, the chart and the notes behind one panel of the app: a data step of a module, a
query in the Data explorer, an estimate from microdata. It is described by a plain dict (a **spec**, which
is also the cache key) and built by :func:`build`: the library fetches (``evidencekit.ilostat.get``),
compares (``evidencekit.compare``), estimates (``evidencekit.indicators``, ``evidencekit.course``) and draws
(``evidencekit.charts``). Nothing here computes a statistic: it chooses which library call answers the
panel and keeps what the library says about the figures (warnings, flags, notes) so the page can show it.

>>> import tempfile, os
>>> os.environ.setdefault("EVIDENCEKIT_OFFLINE", "1")
'1'
>>> from evidencekit.course import load_course
>>> from evidencekit import charts
>>> v = build({"source": "step", "module": 2, "step": "youth-compare", "choices": {"year": 2019}}, load_course())
>>> int(v.frame["rank"].min()), charts.info(v.figure).source_line.startswith("Source: ILOSTAT, ILO (CC BY 4.0)")
(1, True)
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evidencekit.errors import EvidenceKitError, InputError

MAX_CHART_ROWS = 40  # an estimates chart with more groups than this is unreadable on a shared screen


@dataclass
class View:
    """What a panel shows. ``frame`` is what the table and the CSV/XLSX download hold (with its provenance);
    ``figure`` the chart (None when there is none; ``message`` then says why); ``notes`` what the library said
    about the figures (areas without data, breaks, aggregates left out); ``extra`` other frames a panel shows
    (``changes`` since a base year, a ``distribution``, a reconciliation's ``differences``)."""

    frame: pd.DataFrame
    figure: Any = None
    notes: list[str] = field(default_factory=list)
    message: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def provenance(self) -> dict:
        from evidencekit import provenance

        return provenance.of(self.frame)

    @property
    def citation(self) -> str:
        return self.provenance["citation"]


# -- ILOSTAT series ------------------------------------------------------------------------------------------
def fetch(query: dict) -> tuple[pd.DataFrame, list[str]]:
    """``evidencekit.ilostat.get(**query, labels=True)`` and the warnings it gave (areas without data …)."""
    import evidencekit as ek

    q = dict(query)
    dataset = q.pop("id")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = ek.ilostat.get(dataset, **q, labels=True)
    notes = list(dict.fromkeys(_plain(str(w.message)) for w in caught))
    return df, notes


def _plain(message: str) -> str:
    """A library warning in the app's words (the code names of arguments kept, they are the same on screen)."""
    return message.replace("; check the code or drop it", "").strip()


def _line_or_latest(df: pd.DataFrame, notes: list[str], *, value: str = "obs_value", frame=None):
    """A line chart; when there are too many lines to tell apart, each area's latest year as bars instead
    (said in a note: the participant is asked to choose fewer areas for the lines)."""
    from evidencekit import charts, compare

    try:
        return charts.line(frame if frame is not None else df, value=value), None
    except InputError as err:
        if "series" not in str(err):
            raise
        ranked = compare.across(df, "latest")
        notes.extend(ranked.attrs.get("notes") or [])
        return charts.bars(ranked), ("Too many lines to tell apart: the chart shows each area's latest year. "
                                     "Choose eight areas or fewer to see the lines over time.")


def series_view(step, choices: dict | None = None, options: dict | None = None) -> View:
    """The view of a data step on an ILOSTAT series (``explore``, ``compare_countries``, ``change_over_time``,
    ``gap``, ``read_notes``), the participant's ``choices`` checked by :func:`evidencekit.course.ilostat_query`.
    ``options`` are display settings that change no figure: ``show`` (``values`` or ``index`` for a change over
    time), ``to_year`` (the year compared with the base year)."""
    from evidencekit import charts, compare
    from evidencekit.course import benchmark_query, ilostat_query

    choices, options = dict(choices or {}), dict(options or {})
    query = ilostat_query(step, choices)
    bench = benchmark_query(step, choices)
    benchmark = None
    if bench is not None:
        benchmark = bench["ref_area"][0]
        query["ref_area"] = list(dict.fromkeys(query["ref_area"] + bench["ref_area"]))
    df, notes = fetch(query)
    if df.empty:
        raise InputError("These choices", "ILOSTAT has no figures for them", "choose other areas or years")
    p = {**step.params, **choices}
    kind, chart = step.kind, p.get("chart")
    message, extra = None, {}
    if kind == "compare_countries" or (kind == "explore" and chart in ("bar", "dot")):
        year = p.get("year", "latest") if kind == "compare_countries" else "latest"
        frame = compare.across(df, year, benchmark=benchmark)
        notes += frame.attrs.get("notes") or []
        fig = charts.bars(frame)
    elif kind == "gap":
        (dim, (a, b)), = p["between"].items()
        frame = compare.gap(df, dim, a, b)
        year = p.get("year") if "year" in p else "latest"
        notes += frame.attrs.get("notes") or []
        fig = charts.dumbbell(frame, year=year)
    elif kind == "change_over_time":
        base = p.get("base_year")
        if options.get("show") == "index" and base:
            frame = compare.over_time(df, base=base)
            notes += frame.attrs.get("notes") or []
            fig, message = _line_or_latest(df, notes, value="index", frame=frame)
        else:  # the figures as ILOSTAT gives them; the change from the base year is in `changes`
            frame = df
            fig, message = _line_or_latest(df, notes)
        years = sorted(int(t) for t in pd.to_numeric(df["time"], errors="coerce").dropna().unique())
        if base and years:
            to = int(options.get("to_year") or years[-1])
            if to != base:
                extra["changes"] = compare.change(df, min(base, to), max(base, to))
        for event in p.get("events") or []:
            notes.append(f"{event['year']}: {event['label']}")
    elif kind == "read_notes":
        frame = compare.over_time(df)
        notes += frame.attrs.get("notes") or []
        fig, message = _line_or_latest(df, notes)
    elif chart == "table":
        frame, fig, message = df, None, None
    else:  # explore as lines
        frame = df
        fig, message = _line_or_latest(df, notes)
    return View(frame=frame, figure=fig, notes=list(dict.fromkeys(notes)), message=message, extra=extra)


def explorer_view(query: dict, chart: str = "line", year: int | str = "latest") -> View:
    """The Data explorer's view: the figures of ``query`` (``ilostat.get`` arguments with ``id``) as lines over
    time, or ranked bars for one year (``year``: a year or ``latest``), or a table only."""
    from evidencekit import charts, compare

    df, notes = fetch(query)
    if df.empty:
        raise InputError("This selection", "ILOSTAT has no figures for it", "choose other areas, years or groups")
    if chart == "bars":
        frame = compare.across(df, year)
        notes += frame.attrs.get("notes") or []
        return View(frame=frame, figure=charts.bars(frame), notes=list(dict.fromkeys(notes)))
    if chart == "table":
        return View(frame=df, notes=notes)
    fig, message = _line_or_latest(df, notes)
    return View(frame=df, figure=fig, notes=list(dict.fromkeys(notes)), message=message)


# -- survey estimates ---------------------------------------------------------------------------------------
def survey_record(survey, est: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """``est`` with the provenance of the survey it came from. Estimates carry it themselves in newer
    evidencekit versions (kept as they are); otherwise the record is made from the survey: its name, design
    and CI level, and SYNTHETIC said when it is the training survey — never left unnamed on a chart."""
    from evidencekit import provenance

    if est.attrs.get("provenance"):
        return est
    own = getattr(survey, "provenance", None)
    own = own() if callable(own) else own
    if isinstance(own, dict) and own.get("citation"):
        return provenance.attach(est, {**own, "level": own.get("level") or level})
    name = survey.source or "survey file"
    synthetic = "SYNTHETIC" in name.upper()
    design = survey.design_summary()
    parts = [f"{design['records']:,} records"] + \
        [f"{design[k]} {w}" for k, w in (("n_strata", "strata"), ("n_psu", "PSUs")) if design.get(k)]
    record = {"kind": "survey", "origin": "microdata", "dataset": name, "file": name, "synthetic": synthetic,
              "mapping": survey.mapping, "design": design, "level": level,
              "ci_method": (est.attrs.get("ci") or {}).get("method"), "vintage": None, "licence": None,
              "publisher": "evidencekit (generated training data)" if synthetic else None,
              "citation": (f"{name} ({', '.join(parts)}) — SYNTHETIC data generated for teaching; it describes no "
                           "real country" if synthetic else f"Own estimates from {name} ({', '.join(parts)})")}
    return provenance.attach(est, record)


def _estimates_chart(est: pd.DataFrame, title: str | None):
    """Estimates with their intervals as a chart, or why there is none (too many groups, none estimated)."""
    from evidencekit import charts

    chartable = est[est["estimate"].notna()] if "estimate" in est else est
    if len(chartable) > MAX_CHART_ROWS:
        return None, (f"{len(chartable)} groups are too many to chart readably: the table shows them all. "
                      "Break the figures down by fewer columns to see a chart.")
    if not len(chartable):
        return None, "No group has an estimate: every group is empty."
    try:
        return charts.estimates(chartable, title=title), None
    except InputError as err:
        return None, f"No chart: {err}"


def estimate_view(survey, *, indicators: list[str], by: list[str] | None = None, level: float = 0.95,
                  min_n: int | None = None, distribution: str | None = None, lonely_psu: str | None = None) -> View:
    """Indicators estimated from ``survey`` with confidence intervals and small-cell flags
    (``evidencekit.indicators.estimate``), and the shares of a ``distribution`` column
    (``evidencekit.course.distribution``), each drawn with its intervals."""
    from evidencekit import indicators as ind
    from evidencekit.course import distribution as shares

    by = list(by or [])
    kwargs = {"min_n": int(min_n)} if min_n else {}
    if lonely_psu:
        kwargs["lonely_psu"] = lonely_psu
    notes: list[str] = []
    frames = []
    if indicators:
        est = survey_record(survey, ind.estimate(survey, list(indicators), by=by or None, level=level, **kwargs),
                            level)
        frames.append(est)
    extra = {}
    if distribution:
        dist = survey_record(survey, shares(survey, distribution, by=by or None, level=level), level)
        extra["distribution"] = dist
        frames.append(dist)
    if not frames:
        raise InputError("Estimating", "no indicator was chosen", "choose at least one indicator")
    main = frames[0]
    title = None
    if distribution:
        from ui import words

        title = f"{words.column(distribution, survey)}" + (
            f", by {', '.join(words.column(c, survey).lower() for c in by)}" if by else "") + \
            (" (SYNTHETIC training survey)" if "SYNTHETIC" in (survey.source or "").upper() else "")
    fig, message = _estimates_chart(main, title if main is extra.get("distribution") else None)
    if indicators and distribution:
        extra["distribution_figure"], _ = _estimates_chart(extra["distribution"], title)
    return View(frame=main, figure=fig, notes=notes, message=message, extra=extra)


def gap_view(survey, *, indicator: str, by: str, a: Any, b: Any, level: float = 0.95,
             lonely_psu: str | None = None) -> View:
    """The gap between two groups of one survey with its confidence interval
    (``evidencekit.indicators.gap``, which counts the covariance of the two groups). Refused with a plain
    message when this evidencekit has no ``gap`` (the app never computes it itself)."""
    from evidencekit import charts, indicators as ind

    gap = getattr(ind, "gap", None)
    if gap is None:
        raise InputError("The gap between two groups", "this version of evidencekit cannot compute it with its "
                         "confidence interval", "compare the two groups' estimates and intervals in the table "
                         "above, or update evidencekit")
    extra = {"lonely_psu": lonely_psu} if lonely_psu else {}
    est = survey_record(survey, gap(survey, indicator, by, a, b, level=level, **extra), level)
    fig = None
    try:
        fig = charts.estimates(est)
    except InputError:
        pass
    return View(frame=est, figure=fig)


def survey_of(name: str):
    """The survey an estimate step names: ``synthetic`` (the SYNTHETIC training survey)."""
    from evidencekit.course.answers import survey_of as named

    return named(name)


def step_estimate_view(step, choices: dict | None, survey) -> View:
    """The view of an ``estimate`` step: the participant's choices (indicators, by, level) checked by
    :func:`evidencekit.course.estimate_query`; a ``compare_with`` ILOSTAT figure set beside it."""
    from evidencekit.course import estimate_query, evaluate

    q = estimate_query(step, choices)
    view = estimate_view(survey, indicators=q["indicators"], by=q["by"], level=q["level"], min_n=q.get("min_n"),
                         distribution=q.get("distribution"))
    if "compare_with" in step.params:
        view.extra["compare_with"] = evaluate({"query": step.params["compare_with"], "operation": "value"})
    return view


# -- reconciling figures ------------------------------------------------------------------------------------
_YEAR = re.compile(r"^\s*((?:19|20)\d\d)\b")


def reconcile_view(step) -> View:
    """A ``reconcile`` step: every figure of the step side by side with what differs and why
    (``evidencekit.compare.reconcile``): ILOSTAT figures as ILOSTAT gives them, published figures as typed by
    the trainer with their citation, survey estimates from the SYNTHETIC survey."""
    from evidencekit import compare, indicators as ind

    frames, national, areas, notes = [], [], [], []
    years = [f["ilostat"]["year"] for f in step.params["figures"] if "ilostat" in f]
    for fig in step.params["figures"]:
        if "ilostat" in fig:
            q = dict(fig["ilostat"])
            year = q.pop("year")
            area = q.pop("ref_area")
            query = {"id": q.pop("indicator"), "ref_area": area, "start": year, "end": year, **q}
            df, found = fetch(query)
            notes += found
            if df.empty:
                raise InputError(f"The figure '{fig['label']}'", "ILOSTAT has no figure for it", "tell your trainer")
            frames.append(compare.figures(df, label=fig["label"]))
            areas += list(area)
        elif "published" in fig:
            pub = fig["published"]
            m = _YEAR.match(str(pub["period"]))
            if not m:
                raise InputError(f"The published figure '{fig['label']}'", f"its period {pub['period']!r} does not "
                                 "start with a year", "tell your trainer: the period must start with the year")
            national.append({"time": m.group(1), "value": pub["value"], "unit": pub["unit"], "source": pub["citation"],
                             "label": fig["label"], "definition": pub.get("definition"), "period": pub["period"],
                             "published": pub.get("publisher"), "note": pub.get("verified")})
        else:
            s = fig["survey"]
            survey = survey_of(s["survey"])
            est = survey_record(survey, ind.estimate(survey, s["indicator"], by=s.get("by")))
            for col, wanted in (s.get("select") or {}).items():
                est = est[est[col].astype(str) == str(wanted)]
            frames.append(compare.figures(est, time=str(years[0]) if years else None, label=fig["label"]))
    area = areas[0] if areas else None
    rec = compare.reconcile(*frames, national=national or None, ref_area=area)
    table = rec.to_frame()
    return View(frame=table, notes=list(dict.fromkeys(notes + list(rec.notes))),
                extra={"reconciliation": rec, "differences": rec.differences, "text": rec.text()})


# -- one entry point ----------------------------------------------------------------------------------------
def build(spec: dict, course=None, survey=None) -> View:
    """The view a ``spec`` describes (``source``: ``step``, ``explorer``, ``estimate``, ``gap``).

    ``course``: the loaded course (for ``step``); ``survey``: the participant's own survey when a spec names
    ``own`` (the app keeps it in the participant's session, never in a shared place)."""
    source = spec.get("source")
    if source == "step":
        step = course.module(spec["module"]).step(spec["step"])
        if step.kind == "estimate":
            name = step.params.get("survey", "synthetic")
            chosen = survey if name == "own" else survey_of(name)
            if chosen is None:
                raise InputError("This step", "uses your own survey file, which is not loaded",
                                 "open the Microdata workbench, upload your file, then come back")
            return step_estimate_view(step, spec.get("choices"), chosen)
        if step.kind == "reconcile":
            return reconcile_view(step)
        return series_view(step, spec.get("choices"), spec.get("options"))
    if source == "explorer":
        return explorer_view(spec["query"], spec.get("chart", "line"), spec.get("year", "latest"))
    if source in ("estimate", "gap"):
        chosen = survey if spec.get("survey") == "own" else survey_of(spec.get("survey", "synthetic"))
        if chosen is None:
            raise InputError("The estimate", "no survey file is loaded", "upload a file or choose the SYNTHETIC survey")
        if source == "gap":
            return gap_view(chosen, indicator=spec["indicator"], by=spec["by"], a=spec["a"], b=spec["b"],
                            level=spec.get("level", 0.95), lonely_psu=spec.get("lonely_psu"))
        return estimate_view(chosen, indicators=spec.get("indicators") or [], by=spec.get("by"),
                             level=spec.get("level", 0.95), min_n=spec.get("min_n"),
                             distribution=spec.get("distribution"), lonely_psu=spec.get("lonely_psu"))
    raise EvidenceKitError("Showing this panel", f"the view {source!r} is not known", "reload the page")


__all__ = ["View", "build", "fetch", "series_view", "explorer_view", "estimate_view", "gap_view",
           "reconcile_view", "survey_record"]
