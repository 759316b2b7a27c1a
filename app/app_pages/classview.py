"""The class view (trainers only): anonymised aggregates of the class's journey from
:func:`evidencekit.journey.class_report` — learning gain per competence, completion per module, feedback —
with charts and CSV downloads; in a hosted class also the class list and the access codes."""
from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from ui import auth, context, files, journey, render, trainer

PROBLEM = "ek-class-problem"  # an access-code click the store refused, said over the class list
ISSUED = "ek_issued_code"
REVOKED = "ek_revoked_code"


def _cells(df: pd.DataFrame, columns: list[str], decimals: int = 1) -> pd.DataFrame:
    """Figures written as the brief prints them (a figure not shown: '–'; the Note says why)."""
    from evidencekit.brief.render import cell

    out = df.copy()
    for c in columns:
        out[c] = [cell(None if pd.isna(v) else v, decimals) for v in df[c]]
    return out


def _csv(df: pd.DataFrame, name: str, key: str) -> None:
    st.download_button(f"{name} (CSV)", functools.partial(files.frame_bytes, df, ".csv"),
                       file_name=files.safe_name(f"class {name}", ".csv"), mime=files.MIME[".csv"], on_click="ignore",
                       key=key, icon=":material/download:")


def gains(report) -> None:
    from evidencekit import charts

    st.subheader("Learning gain per competence")
    st.caption("Mean share of questions right before and after the course, over the participants who took both "
               "assessments; the gain is in percentage points.")
    g = report.gains
    if g["shown"].any():
        journey.figure(charts.learning_gain(g), "class learning gain")
    else:
        st.info(f"No competence can be shown yet: fewer than {report.min_count} participants have taken both "
                "assessments.", icon=":material/visibility_off:")
    table = _cells(journey.frame_table(g), ["pre", "post", "gain"])[
        ["module", "text", "participants", "pre", "post", "gain", "note"]].rename(columns={
            "module": "Module", "text": "Competence", "participants": "Took both", "pre": "Before (%)",
            "post": "After (%)", "gain": "Gain (points)", "note": "Note"})
    journey.whole_table(table, key="class-gains", column_config=journey.GAIN_COLUMNS)
    _csv(g, "learning gain", "dl-gains")


def completion(report) -> None:
    st.subheader("Completion per module")
    st.caption("A module is complete when its introduction, every learning step and every review question are done.")
    c = report.completion
    frame = journey.frame_table(c)
    table = _cells(frame, ["completed"], 0)[["module", "title", "participants", "completed", "percent", "note"]].rename(
        columns={"module": "Module", "title": "Title", "participants": "Participants", "completed": "Completed",
                 "percent": "Completed (%)", "note": "Note"})
    journey.whole_table(table, key="class-completion", column_config={
        "Module": st.column_config.NumberColumn(width="small"), "Title": st.column_config.TextColumn(width="medium"),
        "Completed (%)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f%%",
                                                         width="medium")})
    _csv(c, "completion", "dl-completion")


def feedback(report) -> None:
    st.subheader("Course feedback")
    f = report.feedback
    scale = int(f["scale"].max()) if len(f) else 5
    st.caption(f"Mean rating from 1 (strongly disagree) to {scale} (strongly agree); the bar spans 1 to {scale}.")
    frame = journey.frame_table(f)
    sections = {sec.id: sec.title for sec in context.feedback_form().sections}
    table = frame.assign(section=frame["section"].map(lambda x: sections.get(x, x)))[
        ["section", "text", "answered", "mean", "note"]].rename(columns={
            "section": "Section", "text": "Statement", "answered": "Answered", "mean": "Mean rating", "note": "Note"})
    journey.whole_table(table, key="class-feedback", column_config={
        "Section": st.column_config.TextColumn(width="small"), "Statement": st.column_config.TextColumn(width="large"),
        "Answered": st.column_config.NumberColumn(width="small"),
        "Mean rating": st.column_config.ProgressColumn(min_value=1, max_value=scale, format="%.2f", width="medium")})
    _csv(f, "feedback", "dl-feedback")
    frames = report.frames()
    if report.comments:
        st.markdown("**Comments** (sorted, without names; shown as typed, as plain text)")
        texts = {i.id: i.text for i in context.feedback_form().items}
        rows = [{"Question": texts.get(item, item), "Comment": c} for item, comments in report.comments.items()
                for c in comments]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="class-comments",
                     column_config={"Question": st.column_config.TextColumn(width="medium"),
                                    "Comment": st.column_config.TextColumn(width="large")})
        _csv(frames["comments"], "comments", "dl-comments")
    else:
        st.caption(f"Comments are shown once at least {report.min_count} participants have given feedback.")


@render.said_later(PROBLEM)
def _issue(view) -> None:
    pid = st.session_state.get("code-for")  # the choice as it is at the click (not as it was drawn)
    if pid:
        st.session_state[ISSUED] = (pid, view.issue_code(pid))


@render.said_later(PROBLEM)
def _revoke(view) -> None:
    pid = st.session_state.get("code-for")
    if pid:
        view.revoke_code(pid)
        st.session_state[REVOKED] = pid


def roster(view) -> None:
    st.subheader("Class list and access codes")
    render.said(PROBLEM)
    issued = st.session_state.pop(ISSUED, None)
    if issued:
        st.success(f"The access code of **{issued[0]}** is **{issued[1]}** — give it to them privately (a "
                   "printed slip or a direct message). It is shown only now; a new code replaces the old one.",
                   icon=":material/key:")
    stopped = st.session_state.pop(REVOKED, None)
    if stopped:
        st.success(f"The access code of **{stopped}** no longer signs in. Issue a new one when they need it.",
                   icon=":material/key_off:")
    people = view.roster()
    if people:
        names = {"id": "Participant id", "name": "Name", "email": "E-mail", "has_code": "Has a code",
                 "accounts": "Accounts bound"}
        st.dataframe(pd.DataFrame(people).fillna("").rename(columns=names),
                     hide_index=True, width="stretch", key="class-roster")
    with st.form("enrol-form", clear_on_submit=True):
        st.markdown("**Enrol a participant**")
        cols = st.columns(3)
        pid = cols[0].text_input("Participant id", key="enrol-id", placeholder="e.g. ana.reyes")
        name = cols[1].text_input("Name", key="enrol-name")
        email = cols[2].text_input("E-mail (for sign-in with your organisation's accounts)", key="enrol-email")
        if st.form_submit_button("Enrol", icon=":material/person_add:"):
            view.enrol(pid.strip(), name=name.strip() or None, email=email.strip() or None)
            st.rerun()
    ids = [p["id"] for p in people]
    if ids:
        cols = st.columns([2, 1, 1], vertical_alignment="bottom")
        cols[0].selectbox("Participant", ids, key="code-for")
        cols[1].button("Issue a new access code", key="code-issue", on_click=_issue, args=(view,),
                       icon=":material/key:")
        cols[2].button("Stop their code", key="code-revoke", on_click=_revoke, args=(view,),
                       icon=":material/key_off:")


@render.guarded
def body() -> None:
    from evidencekit import journey as ek_journey

    st.title("Class view")
    view = auth.class_view() if trainer.active() else None
    if view is None:
        st.info("The class view is for trainers: turn on trainer mode in the sidebar"
                + (" and sign in as a trainer." if auth.hosted() else "."), icon=":material/lock:")
        return
    report = ek_journey.class_report(view, context.course(), context.assessment(), context.feedback_form())
    st.markdown(f"**{report.participants} participant{'s' if report.participants != 1 else ''}** in this "
                f"{'class database' if auth.hosted() else 'progress file'}. No one is named here, and a figure "
                f"that rests on fewer than {report.min_count} participants is not shown, so that no one can be "
                "recognised.")
    render.guarded(gains)(report)
    render.guarded(completion)(report)
    render.guarded(feedback)(report)
    if auth.hosted():
        render.guarded(roster)(view)


body()
