"""Cached calls into the library. Every cache is keyed by plain values (a view's spec as JSON, the data
settings, the course files' stamp) and bounded (``ttl``, ``max_entries``); a participant's own survey is
cached per session only.

A *panel* is a view (:mod:`ui.views`) made ready to show and to save: the chart as the evidence-board item
the brief will use (PNG, title, alt text, source line), the table as the brief would print it, the figures
for the CSV/XLSX downloads, and the notes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from ui import context, views, workers

TTL = "1h"
DPI = 110  # charts on screen and on the board: 1100 x 619 pixels, sharp at a laptop's width and in a Word page
           # (the presentation view draws them at ui.trainer.DPI[True]: large and sharp on a shared screen)


@dataclass
class Panel:
    spec: dict
    frame: pd.DataFrame                       # the figures (with provenance): CSV/XLSX downloads
    table: dict                               # the board item of the table (table, estimate or reconcile)
    chart: dict | None = None                 # the board item of the chart (None: no chart; message says why)
    notes: list[str] = field(default_factory=list)
    message: str | None = None
    extra: dict = field(default_factory=dict)
    png: bytes | None = None                  # the chart's PNG (decoded once, with the panel)
    shown: Any = None                         # the table as the screen shows it, as Arrow (made once, with the
                                              # panel: st.dataframe sends an Arrow table as it is)

    @property
    def citation(self) -> str:
        return self.table["citation"]

    @property
    def source_line(self) -> str:
        return (self.chart or self.table)["source_line"]


def _items(view: views.View, dpi: int = DPI) -> tuple[dict, dict | None]:
    from evidencekit.brief import EvidenceBoard

    board = EvidenceBoard()
    rec = view.extra.get("reconciliation")
    if rec is not None:
        table = board.add_reconcile(rec)
    elif {"estimate", "ci_low", "ci_high"} <= set(view.frame.columns):
        table = board.add_estimate(view.frame)
    else:
        table = board.add_table(view.frame.head(500))
    chart = board.add_chart(view.figure, dpi=dpi) if view.figure is not None else None
    return table.to_dict(), (chart.to_dict() if chart is not None else None)


def make_panel(spec: dict, view: views.View, dpi: int = DPI) -> Panel:
    """A view made ready to show: board items for the table and the chart (drawn at ``dpi``), extras as plain
    items."""
    from evidencekit.brief import EvidenceBoard

    table, chart = _items(view, dpi)
    notes = list(view.notes)
    if len(view.frame) > 500:
        notes.append(f"The table shows the first 500 of {len(view.frame):,} rows; the CSV and Excel downloads hold "
                     "them all.")
    extra: dict[str, Any] = {}
    if "changes" in view.extra:
        extra["changes"] = EvidenceBoard().add_table(view.extra["changes"]).to_dict()
        extra["changes_shown"] = arrow(shown_table(extra["changes"]))
    if "distribution" in view.extra and view.extra["distribution"] is not view.frame:
        board = EvidenceBoard()
        dfig = view.extra.get("distribution_figure")
        dtable = board.add_estimate(view.extra["distribution"]).to_dict()
        dchart = board.add_chart(dfig, dpi=dpi).to_dict() if dfig is not None else None
        extra["distribution"] = Panel(spec={**spec, "part": "distribution"}, frame=view.extra["distribution"],
                                      table=dtable, chart=dchart, shown=arrow(shown_table(dtable)), png=_png(dchart))
    if "compare_with" in view.extra:
        c = view.extra["compare_with"]
        extra["compare_with"] = {"value": float(c.value), "citation": c.citation,
                                 "area": c.detail.get("area_name") or c.detail.get("area"), "year": c.detail.get("year"),
                                 "flags": list(c.detail.get("flags") or [])}
    if "differences" in view.extra:
        d = view.extra["differences"]
        extra["differences"] = d[d["aspect"] != "value"][["time", "aspect", "detail", "explanation"]].to_dict("records")
        extra["spread"] = d[d["aspect"] == "value"][["time", "detail", "explanation"]].to_dict("records")
        extra["text"] = view.extra["text"]
    return Panel(spec=spec, frame=view.frame, table=table, chart=chart, notes=notes, message=view.message,
                 extra=extra, shown=arrow(shown_table(table)), png=_png(chart))


def _png(chart: dict | None) -> bytes | None:
    from ui.board import png

    return png(chart) if chart is not None else None


def arrow(frame: pd.DataFrame, index: bool = False):
    """A table for ``st.dataframe`` or ``st.table`` as Arrow (``index``: the frame's index kept as its first
    columns), made once: it is sent as it is instead of a DataFrame converted on every rerun (about 0.5-1 ms
    less for a 30-row table). Give Streamlit ``hide_index`` with it: left to decide, Streamlit turns the Arrow
    table back into pandas to look at its index (1.6 ms for a step's notes table, measured)."""
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=index)


def shown_table(item: dict) -> pd.DataFrame:
    from ui.board import table_frame

    return table_frame(item["content"]["table"], int(item["content"].get("decimals", 1)))


def build_panel(spec_json: str, dpi: int = DPI) -> Panel:
    """The panel of a spec, built (in a worker process when the app has them: :mod:`ui.workers`)."""
    spec = json.loads(spec_json)
    return make_panel(spec, views.build(spec, context.course()), dpi)


@st.cache_resource(ttl=TTL, max_entries=300, show_spinner="Preparing the figures…")
def _panel(spec_json: str, settings: tuple, stamp: str, dpi: int = DPI) -> Panel:
    """Shared by every session as one object (``cache_resource``: a rerun reads it without copying it), so
    read-only: nothing that draws a panel changes it."""
    return workers.call(build_panel, spec_json, dpi, settings=dict(zip(context.SETTINGS, settings)))


@st.cache_data(ttl=TTL, max_entries=30, show_spinner="Estimating from your file…", scope="session")
def _own_panel(spec_json: str, token: str, _survey, dpi: int = DPI) -> Panel:
    spec = json.loads(spec_json)
    return make_panel(spec, views.build(spec, context.course(), survey=_survey), dpi)


KEPT = 64  # values kept per scope by kept()


def kept(scope: str, name, make):
    """``make()``, kept in this session under ``scope`` (a step, a page) and ``name`` (plain values) for the
    data settings and course files it was made under, and at most ten minutes (live figures may change): a
    click's rerun reads what a panel works out from the shared caches (area names, years, panels…) here,
    instead of hashing its way into the caches again. At most :data:`KEPT` values per scope. Shared: read-only."""
    import time

    stamp = (context.settings(), context.course_stamp(), int(time.monotonic() // 600))
    held = st.session_state.get(scope)
    if not (isinstance(held, tuple) and len(held) == 2 and held[0] == stamp):
        held = (stamp, {})
        st.session_state[scope] = held
    values = held[1]
    if name not in values:
        if len(values) >= KEPT:
            values.pop(next(iter(values)))
        values[name] = make()
    return values[name]


def spec_json(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, default=str)


def panel(spec: dict, *, own=None, keep: str | None = None) -> Panel:
    """The panel of ``spec`` (cached). ``own``: ``(token, survey)`` of the participant's uploaded survey, when
    the spec uses it (cached for this session only). ``keep``: a scope of :func:`kept` (a step, a page) that
    keeps the panel in the session too, for a click's rerun (an own survey's panel is kept per session already). Charts are drawn larger in the presentation view."""
    from ui import trainer

    dpi = trainer.dpi()
    if own is not None:
        return _own_panel(spec_json(spec), own[0], own[1], dpi)
    text = spec_json(spec)
    if keep is not None:
        return kept(keep, ("panel", text, dpi), lambda: _panel(text, context.settings(), context.course_stamp(), dpi))
    return _panel(text, context.settings(), context.course_stamp(), dpi)


def figure(spec: dict, *, own=None):
    """The chart of ``spec`` as a matplotlib figure, built again (for PNG/SVG downloads, on click); a spec with
    ``part: distribution`` names the second chart of an estimate step."""
    view = views.build(spec, context.course(), survey=own[1] if own else None)
    return view.extra.get("distribution_figure") if spec.get("part") == "distribution" else view.figure


# -- catalogue and code lists -------------------------------------------------------------------------------
@st.cache_resource(ttl=TTL, max_entries=100, show_spinner="Searching the ILOSTAT catalogue…")
def search(text: str, settings: tuple) -> dict:
    """What a search of the catalogue offers: ``labels`` (dataset id -> "label (id)", with "needs the network"
    on datasets the offline snapshot does not hold), ``left`` (matches that have no dataset id to read). Shared
    read-only, made once per search."""
    import evidencekit as ek

    found = ek.ilostat.search(text, limit=100)
    usable = found[found["id"].notna()]
    labels = {r.id: f"{r.label} ({r.id})" + ("" if r.offline else " — needs the network") for r in usable.itertuples()}
    return {"labels": labels, "left": len(found) - len(usable)}


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def areas(settings: tuple) -> pd.DataFrame:
    import evidencekit as ek

    return ek.ilostat.areas()


@st.cache_resource(ttl=TTL, max_entries=4, show_spinner=False)
def _area_names(settings: tuple) -> dict[str, str]:
    a = areas(settings)
    return dict(zip(a["ref_area"].astype(str), a["ref_area.label"].astype(str)))


def area_choices(first, names: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The areas to offer in a choice (``first`` first, then every area by name) and each one's name: a plain
    dict whose ``__getitem__`` Streamlit calls on each of some 250 options, several times a rerun (a lambda
    there was a tenth of a step's rerun). Keep the result (:func:`kept`)."""
    options = list(dict.fromkeys(list(first) + sorted(names, key=names.__getitem__)))
    return options, {c: names.get(c, c) for c in options}


def area_names() -> dict[str, str]:
    """Area code -> name (shared, read-only)."""
    return _area_names(context.settings())


@st.cache_resource(ttl=TTL, max_entries=100, show_spinner="Reading what the indicator holds…")
def breakdowns(dataset: str, ref_area: tuple, settings: tuple) -> dict:
    """What an indicator holds for some areas: its years and the codes (with labels) of sex and the
    classifications, to offer as choices (shared, read-only: ILOSTAT's code lists are the same for everyone)."""
    df, notes = views.fetch({"id": dataset, "ref_area": list(ref_area)})
    out: dict[str, Any] = {"notes": notes, "rows": len(df)}
    years = pd.to_numeric(df["time"].astype(str).str[:4], errors="coerce").dropna().astype(int)
    out["years"] = sorted(set(years.tolist()))
    for dim in ("sex", "classif1", "classif2"):
        if dim in df.columns and df[dim].notna().any():
            lab = f"{dim}.label"
            pairs = df[[dim, lab]].drop_duplicates(dim) if lab in df.columns else df[[dim]].drop_duplicates()
            out[dim] = [(str(r[0]), str(r[1]) if len(r) > 1 and pd.notna(r[1]) else str(r[0]))
                        for r in pairs.itertuples(index=False)]
    return out


@st.cache_data(ttl=TTL, max_entries=2, show_spinner=False)
def indicator_catalogue(settings: tuple) -> pd.DataFrame:
    from evidencekit import indicators

    return indicators.catalogue()


@st.cache_resource(show_spinner="Loading the SYNTHETIC training survey…", max_entries=2)
def synthetic_survey():
    """The SYNTHETIC training survey (read-only, shared: the same fictional data for everyone)."""
    return views.survey_of("synthetic")


# -- answers computed from data -------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, max_entries=200, show_spinner="Computing the right answer from the data…")
def _computed(question_key: str, settings: tuple, stamp: str):
    from evidencekit.course import evaluate

    q = context.course().question(question_key)
    return evaluate(q.answer)


def computed(question):
    """The right answer of a question computed from the data (cached per data settings, and kept in the
    session for the next check: read-only); None when it is not a computed question. Raises the library's
    error when it cannot be computed (and keeps nothing)."""
    if not question.computed:
        return None
    return kept("ek-computed", question.key,
                lambda: _computed(question.key, context.settings(), context.course_stamp()))


def clear() -> None:
    """Empty every data cache (tests; a trainer after changing the data settings)."""
    st.cache_data.clear()
    st.cache_resource.clear()
