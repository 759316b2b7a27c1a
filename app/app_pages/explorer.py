"""Data explorer: search the ILOSTAT catalogue, choose an indicator, countries, breakdowns and years; chart
and table with the source line, notes and flags; downloads; save to the evidence board."""
from __future__ import annotations

import streamlit as st

from ui import context, data, render, words

START = ["IDN", "PHL", "THA", "VNM"]
MEMO = "ex-memo"  # what the explorer keeps in the session (data.kept)
CHARTS = {"line": "Lines over time", "bars": "Ranked bars (one year)", "table": "Table only"}


def choose_indicator() -> str | None:
    text = st.text_input("Search the ILOSTAT catalogue", key="ex-search", value="unemployment",
                         placeholder="e.g. youth unemployment, informal employment, NEET")
    if not text.strip():
        st.info("Type a few words to search the catalogue, e.g. *youth unemployment*.", icon=":material/search:")
        return None
    found = data.search(text.strip(), context.settings())
    labels, left = found["labels"], found["left"]
    if not labels:
        st.warning(f"No indicator matching “{words.literal(text)}” can be read here. "
                   + ("With the network off, only the indicators of the offline snapshot can be shown: try "
                      "*unemployment*, *NEET*, *informal* or *earnings*." if context.offline() else
                      "Try other words."), icon=":material/search_off:")
        return None
    if left:
        st.caption(f"{left} more matching indicator{'s' if left > 1 else ''} cannot be read offline and "
                   f"{'are' if left > 1 else 'is'} not listed.")
    # a new search shows its best match first (the choice is kept per search)
    return st.selectbox("Indicator", list(labels), key=f"ex-indicator-{text.strip().lower()}", format_func=labels.get)


@render.guarded
def body() -> None:
    st.title("Data explorer")
    st.caption(render.data_mode())
    explorer()


@st.fragment
def explorer() -> None:
    """Everything below the title, as a fragment: a search, a choice or a chart type redraws it, not the page
    (with its own error guard, as a fragment shows its own errors)."""
    render.guarded(view)()


def view() -> None:
    dataset = choose_indicator()
    if dataset is None:
        return
    names = data.kept(MEMO, "names", data.area_names)
    if "ex-areas" not in st.session_state:
        st.session_state["ex-areas"] = [c for c in START if c in names]
    options, labels = data.kept(MEMO, "areas", lambda: data.area_choices((), names))
    areas = st.multiselect("Countries and regions", options, key="ex-areas", format_func=labels.__getitem__)
    if not areas:
        st.warning("Choose at least one country or region.", icon=":material/warning:")
        return
    info = data.kept(MEMO, ("breakdowns", dataset, tuple(areas)),
                     lambda: data.breakdowns(dataset, tuple(areas), context.settings()))
    if not info["rows"]:
        st.warning("ILOSTAT has no figures for these areas on this indicator. Choose other areas.",
                   icon=":material/search_off:")
        render.notes(info["notes"])
        return
    query: dict = {"id": dataset, "ref_area": areas}
    dims = (("sex", "Sex"), ("classif1", "Breakdown"), ("classif2", "Second breakdown"))
    row = render.row(sum(len(info.get(dim) or []) > 1 for dim, _ in dims))
    for dim, label in dims:
        options = info.get(dim) or []
        if len(options) > 1:
            codes = [c for c, _ in options]
            words = dict(options)
            key = f"ex-{dim}-{dataset}"
            total = next((c for c in codes if c.endswith(("_T", "_TOTAL")) or "TOTAL" in c), codes[0])
            query[dim] = [row.selectbox(label, codes, index=codes.index(total), key=key, width=render.SMALL,
                                        format_func=lambda c, w=words: w.get(c, c).split(": ", 1)[-1])]
        elif options:
            query[dim] = [options[0][0]]
    years = info["years"]
    if len(years) > 1:
        lo, hi = st.select_slider("Years", options=list(range(years[0], years[-1] + 1)),
                                  value=(max(years[0], years[-1] - 10), years[-1]), key=f"ex-years-{dataset}")
        query["start"], query["end"] = int(lo), int(hi)
    shown(dataset, query, years)
    with st.expander("The evidencekit call behind this view"):
        args = ", ".join(f"{k}={v!r}" for k, v in query.items() if k != "id")
        st.code(f"import evidencekit as ek\ndf = ek.ilostat.get({dataset!r}, {args}, labels=True)\n"
                f"print(df.attrs['provenance']['citation'])", language="python")


@st.fragment
def shown(dataset: str, query: dict, years: list[int]) -> None:
    """The chart type and the view of the figures chosen above (chart or table, notes, downloads, saving), a
    fragment inside the explorer's: another chart type redraws the view, not the choices above it."""
    render.guarded(_shown)(dataset, query, years)


def _shown(dataset: str, query: dict, years: list[int]) -> None:
    chart = st.segmented_control("Show", list(CHARTS), format_func=CHARTS.get, default="line", key="ex-chart",
                                 required=True)
    spec = {"source": "explorer", "query": query, "chart": chart}
    if chart == "bars":
        span = [y for y in years if query.get("start", years[0]) <= y <= query.get("end", years[-1])]
        year = st.selectbox("Year", ["latest", *reversed(span)], key=f"ex-year-{dataset}",
                            format_func=lambda y: "Each area's latest year" if y == "latest" else str(y))
        spec["year"] = year
    p = data.panel(spec, keep=MEMO)
    render.panel(p, board_item="table" if chart == "table" else "chart")

body()
