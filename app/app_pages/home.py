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
    course = context.course()
    for m, p in zip(course.modules, summary):
        with st.container(border=True):  # four elements a card: Home redraws quickly with six of them
            case = f"Case study: {m.case_study}" + (f" · {m.time}" if m.time else "")
            st.markdown(f"#### Module {m.number} · {m.title}\n:small[:gray[{case}]]")
            st.progress(p.percent / 100, text=f"{p.steps_done} of {p.steps_total} steps · "
                        f"{p.questions_answered} of {p.questions_total} questions answered "
                        f"({p.questions_correct} right)")
            label = "Review again" if p.complete else ("Continue" if p.percent else "Start")
            where = p.next.query_params if p.next is not None else {"module": str(m.number), "step": "review"}
            st.page_link(frame.page(f"module-{m.number}"), label=label, icon=":material/arrow_forward:",
                         query_params=where)
    st.markdown("#### The workbench")
    cols = st.columns(4)
    cols[0].page_link(frame.page("explorer"), label="Data explorer", icon=":material/travel_explore:")
    cols[1].page_link(frame.page("microdata"), label="Microdata workbench", icon=":material/table_chart:")
    cols[2].page_link(frame.page("board"), label="Evidence board", icon=":material/dashboard:")
    cols[3].page_link(frame.page("brief"), label="Brief builder", icon=":material/description:")
    st.caption("A trainer can open any step directly: add ?module=2&step=3 to the address (step may also be "
               "intro or review), or turn on trainer mode (?mode=trainer) for presets and the presentation view.")


body()
