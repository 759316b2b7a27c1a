"""Before the course: the participant's learning goals, the pre-course assessment and the topic of their brief."""
from __future__ import annotations

import streamlit as st

from ui import context, journey, render


@render.guarded
def body() -> None:
    st.title("Before the course")
    st.markdown("Three things before module 1: what **you** want to learn, the **topic** of the policy brief you "
                "will write, and a short **assessment** of what you know now (the same questions come back at the "
                "end, so you can see what you have learnt). Everything is kept; you can change your goals and "
                "topic at any time.")
    me = context.participant()
    st.subheader("1 · Your learning goals")
    st.markdown("What do you want to be able to do at work after this course? Write it in your own words.")
    render.guarded(journey.goals_section)(me)
    st.subheader("2 · The topic of your policy brief")
    st.markdown("A policy question from your own work that evidence could help answer. In module 6 you write a "
                "short brief on it with the evidence you collect on your board.")
    render.guarded(journey.topic_section)(me)
    st.subheader("3 · The pre-course assessment")
    render.guarded(journey.pre_assessment)(me)


body()
