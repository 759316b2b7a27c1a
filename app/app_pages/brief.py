"""Brief builder: the policy brief on the evidence board — problem, key messages, evidence, options,
recommendations — checked against the brief checklist and downloaded as Word, Markdown or a web page."""
from __future__ import annotations

import streamlit as st

from ui import brief, render


@st.fragment
def editor() -> None:
    """The brief's form, checklist and downloads, a fragment: saving the brief redraws them, not the page."""
    render.guarded(brief.editor)()


@render.guarded
def body() -> None:
    st.title("Brief builder")
    st.markdown("Write your brief for a named reader. The evidence comes from your board with its sources; "
                "the references are added for you. Tie each recommendation to its evidence, e.g. "
                "*Fund apprenticeships where youth unemployment is highest [E1, E2]*.\n\n" + brief.SAVE_FIRST)
    editor()


body()
