"""The frame around every page: the participant's progress and where to continue, the evidence board's size,
where the figures come from (offline snapshot or live ILOSTAT), and where the participant's work is (all saved,
or waiting on this machine while the database is out of reach)."""
from __future__ import annotations

import streamlit as st

from evidencekit.store import DEMO
from ui import auth, context, render


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
    query = {"module": str(module.number), "step": step or "intro"}
    if "preset" in st.query_params:
        query["preset"] = "1"
    st.switch_page(page(f"module-{module.number}"), query_params=query)


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
    """The participant's part of the sidebar (nothing before a participant is signed in, in a hosted class)."""
    if not context.signed_in():
        with st.sidebar:
            st.caption(render.data_mode())
        return
    summary = progress()
    with st.sidebar:
        if auth.hosted():
            me = context.participant().id
            st.caption(f"Working as {me}, your demo participant (not counted in the class)"
                       if me.startswith(DEMO) else f"Signed in as {me}")
        total = sum(p.percent for p in summary) / max(len(summary), 1)
        st.progress(total / 100, text=f"**Your progress:** {total:.0f}% of the course")
        items = len(context.participant().board())
        st.caption(f"Evidence board: {items} item{'s' if items != 1 else ''}\n\n{render.data_mode()}")
        continue_link(summary)


WAITING = "ek_waiting"  # how many of the participant's changes were waiting for the database at the last run


SEND_PROBLEM = "ek-send-problem"  # sending the waiting changes failed: said where the page says they wait


@render.said_later(SEND_PROBLEM)
def _send_now() -> None:
    auth.store().flush(force=True)


def store_status() -> None:
    """Where the participant's work is: said when changes wait on this machine for the database (with a way
    to send them now), and said once when they have been sent."""
    if not context.signed_in():
        return
    render.said(SEND_PROBLEM)
    status = context.participant().status()
    was = st.session_state.get(WAITING, 0)
    st.session_state[WAITING] = status.pending
    if status.message:
        st.warning(status.message, icon=":material/cloud_off:")
        if status.pending:
            st.button("Try to send them now", key="ek-send-now", on_click=_send_now, icon=":material/cloud_upload:")
    elif was and not status.pending:
        noun = auth.store().noun
        st.success(f"The {noun} can be reached again: the {was} change{'s' if was != 1 else ''} you made "
                   f"meanwhile {'are' if was != 1 else 'is'} saved in it. Nothing was lost.",
                   icon=":material/cloud_done:")
