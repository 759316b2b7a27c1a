"""The frame around every page: the participant's progress and where to continue, the evidence board's size
and where the figures come from (offline snapshot or live ILOSTAT)."""
from __future__ import annotations

import streamlit as st

from ui import context, render


def progress():
    """Per module: the library's summary of the participant's marks and answers (``course.summarise``)."""
    from evidencekit.course import summarise

    me = context.participant()
    return summarise(context.course(), me.progress(), me.latest_answers())


def page(url_path: str):
    """A page of this run's navigation by its URL path (``module-2``, ``board``), for links and buttons."""
    return st.session_state["ek_pages"][url_path]


def follow_link() -> None:
    """A deep link to Home (``/?module=2&step=3``) opens the module's page at that step; a link that points
    nowhere is said in plain words (the module page itself says when only the step is wrong)."""
    from evidencekit.course import LocationError

    wanted, step = st.query_params.get("module"), st.query_params.get("step")
    if wanted is None and step is None:
        return
    try:
        module = context.course().locate(wanted, None if wanted is not None else step).module
    except LocationError as err:
        render.problem(err)
        return
    st.switch_page(page(f"module-{module.number}"), query_params={"module": str(module.number),
                                                                  "step": step or "intro"})


def where(nxt) -> str:
    """A location in words: 'module 2 · Step 3: Young women and young men'."""
    what = "Introduction" if nxt.part == "introduction" else "Review" if nxt.part == "review" else \
        f"Step {nxt.step.number}: {nxt.step.title}"
    return f"module {nxt.module.number} · {what}"


def continue_link(summary) -> None:
    """A link to the first part not done yet, in the first module not complete."""
    nxt = next((p.next for p in summary if p.next is not None), None)
    if nxt is None:
        st.success("You have completed every module.", icon=":material/workspace_premium:")
        return
    st.page_link(page(f"module-{nxt.module.number}"), label=f"Continue: {where(nxt)}", icon=":material/play_circle:",
                 query_params=nxt.query_params)


def sidebar() -> None:
    summary = progress()
    with st.sidebar:
        total = sum(p.percent for p in summary) / max(len(summary), 1)
        st.markdown("**Your progress**")
        st.progress(total / 100, text=f"{total:.0f}% of the course")
        items = len(context.participant().board())
        st.caption(f"Evidence board: {items} item{'s' if items != 1 else ''}")
        st.caption(render.data_mode())
        continue_link(summary)
