"""My data: all the participant's work in one file (download), and a file taken in again (import); where the
work is kept; signing out of a hosted class."""
from __future__ import annotations

import functools
from datetime import date

import streamlit as st

from ui import auth, context, journey, render

IMPORTED = "ek-import"


def _import(me, data: dict, adopt: bool = False) -> None:
    if adopt:  # on one's own machine only: the person at it takes in their own work from elsewhere
        data = {**data, "participant": me.id}
    counts = me.import_work(data)
    journey.flash(f"Imported: {journey.counts_in_words(counts)}.")
    st.rerun()


@render.guarded
def body() -> None:
    st.title("My data")
    journey.show_flash()
    me = context.participant()
    hosted = auth.hosted()
    where = ("the class database of this hosted course" if hosted else
             "a file on this computer (nothing is sent anywhere)")
    st.markdown(f"Your progress, answers, evidence board, brief and course journey are kept in {where}.")
    # (when the database cannot be reached, the frame says so above every page, this one included)

    st.subheader("Download all my work")
    st.markdown("One file with everything you have done in the course: keep it, or take it to another computer "
                "and import it there.")
    st.download_button("Download all my work (one file)", functools.partial(journey.export_bytes, me.store),
                        file_name=f"evidencekit-my-work-{date.today().isoformat()}.json", mime="application/json",
                        on_click="ignore", key="export-work", type="primary", icon=":material/download:")

    st.subheader("Import my work")
    st.markdown("A file you downloaded with *Download all my work*. What is newer in the file is taken in; "
                "nothing you have here is lost, and importing the same file twice changes nothing.")
    up = st.file_uploader("A file exported by evidencekit (.json)", type=["json"], key="import-file")
    if up is None:
        return
    data = journey.read_upload(up.getvalue(), up.name)
    owner = data.get("participant")
    if owner == me.id or hosted or owner is None:
        if st.button("Import this file", key="import-go", type="primary", icon=":material/upload:"):
            _import(me, data)
        return
    # someone else's id: refused as it is; on one's own machine the person may say it is their own work
    try:
        me.import_work(data)
    except Exception as err:  # the store's own refusal, in plain words
        render.problem(err)
    st.markdown("On your own computer you may take in **your own** work from another computer or from a hosted "
                "class (where you had another participant id).")
    mine = st.checkbox(f"This file is my own work (participant '{owner}'): take it in as mine on this computer",
                       key="import-adopt")
    if st.button("Import it as my work", key="import-adopt-go", disabled=not mine, icon=":material/upload:"):
        _import(me, data, adopt=True)


@render.guarded
def sign_out_part() -> None:
    if not auth.hosted():
        return
    st.subheader("Sign out")
    st.markdown(f"You are signed in as **{context.participant().id}**. Sign out on a shared computer.")
    if st.button("Sign out", key="sign-out", icon=":material/logout:"):
        auth.sign_out()
        if auth.oidc_configured():
            st.logout()
        st.rerun()


body()
sign_out_part()
