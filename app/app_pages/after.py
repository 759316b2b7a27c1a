"""After the course: the post-course assessment and the learning gain, the course feedback, the certificate
of participation and the follow-up plan."""
from __future__ import annotations

import streamlit as st

from ui import context, frame, journey, render


@render.guarded
def body() -> None:
    st.title("After the course")
    me = context.participant()
    summary = frame.progress()
    done = sum(p.complete for p in summary)
    st.markdown(f"You have completed **{done} of {len(summary)}** modules. At the end of the course: the "
                "assessment again (to see what you have learnt), your feedback, your certificate of "
                "participation, and a plan for what you will change at work.")
    st.subheader("1 · The post-course assessment")
    render.guarded(journey.post_assessment)(me, summary)
    st.subheader("2 · Your learning gain")
    render.guarded(journey.gain_section)(me)
    st.subheader("3 · Your feedback on the course")
    render.guarded(journey.feedback_section)(me)
    st.subheader("4 · Your certificate of participation")
    render.guarded(journey.certificate_section)(me)
    st.subheader("5 · Your follow-up plan")
    st.markdown("What will you change at work? Give each change a date to look back: the workbench asks you on "
                "Home, on that date, what happened.")
    render.guarded(journey.plan_section)(me)


body()
