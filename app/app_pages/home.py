"""Home: where the participant is in the course journey (before, the modules, after), a follow-up plan that
has come due, the six modules with their progress, and where to continue."""
from __future__ import annotations

import streamlit as st

from ui import context, frame, journey, render


@render.guarded
def body() -> None:
    frame.follow_link()
    st.title("Evidence-based policy making for decent work")
    st.markdown("Six modules of guided practice on real data: ILOSTAT figures for ASEAN countries, a training "
                "labour force survey and focus-group notes. Each module has an **introduction**, **learning steps** "
                "worked on the data, and a **review** with explained feedback. Charts, tables, estimates and "
                "quotations you save go to your **evidence board**, with their sources, for your policy brief.")
    journey.show_flash()
    me = context.participant()
    summary = frame.progress()
    render.guarded(journey.due_plans)(me)
    render.guarded(journey.journey_strip)(me, summary, frame.page)
    frame.continue_link(summary)
    modules(context.course(), summary)
    st.caption("The Data explorer, the Microdata workbench, the Evidence board and the Brief builder are in the "
               "sidebar. A trainer can open any step directly: add ?module=2&step=3 to the address (step may also "
               "be intro or review), or turn on trainer mode (?mode=trainer) for presets and the presentation view.")


CARD = 420  # px: two cards a row at a laptop's width, three on a full-HD screen


def modules(course, summary) -> None:
    """The modules as cards that wrap to the window's width, each with its case study, what is done and a link
    to where to go on (two elements a card: a rerun of Home draws each element again)."""
    with st.container(horizontal=True):
        for m, p in zip(course.modules, summary):
            with st.container(border=True, width=CARD):
                case = f"Case study: {m.case_study}" + (f" · {m.time}" if m.time else "")
                done = ":material/check_circle: " if p.complete else ""
                st.markdown(f"#### Module {m.number} · {m.title}\n:small[:gray[{case}]]\n\n"
                            f"{done}{p.steps_done} of {p.steps_total} steps · {p.questions_answered} of "
                            f"{p.questions_total} questions answered ({p.questions_correct} right)")
                label = "Review again" if p.complete else ("Continue" if p.percent else "Start")
                where = p.next.query_params if p.next is not None else {"module": str(m.number), "step": "review"}
                st.page_link(frame.page(f"module-{m.number}"), label=label, icon=":material/arrow_forward:",
                             query_params=where)


body()
