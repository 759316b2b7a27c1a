"""The course journey on screen: learning goals, the topic of the brief, the pre- and post-course assessment,
the learning gain, the course feedback, the certificate, the follow-up plan, and the participant's file.

Every check, grade, gain and certificate comes from :mod:`evidencekit.journey`, and everything the participant
enters goes through the store (:mod:`evidencekit.store`); this module only draws and collects.
"""
from __future__ import annotations

import functools
import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from ui import board, context, files, frame, quiz, render, trainer, words

FLASH = "ek_flash"
DONE, TODO = ":material/check_circle:", ":material/radio_button_unchecked:"
OUTCOME_WORDS = {"done": "Done", "partly": "Partly done", "not-yet": "Not yet", "dropped": "Dropped"}
CERTIFICATE = "ek_certificate_pdf"


# -- a message that survives the rerun after a save (shown where the participant saved) ----------------------
def flash(text: str, where: str = "") -> None:
    st.session_state[FLASH] = (where, text)


def show_flash(where: str = "") -> None:
    held = st.session_state.get(FLASH)
    if held and held[0] == where:
        del st.session_state[FLASH]
        st.success(held[1], icon=":material/check:")


def _mark(done: bool, text: str) -> str:
    return f"{DONE if done else TODO} {text}"


def _day(stamp: str | None) -> str:
    """'2026-12-02T09:00:00+00:00' -> '2 December 2026'."""
    from datetime import date

    try:
        d = date.fromisoformat(str(stamp)[:10])
    except ValueError:
        return str(stamp or "")
    return f"{d.day} {d.strftime('%B')} {d.year}"


# -- where the participant is in the journey -----------------------------------------------------------------
def where(me, summary) -> dict:
    """What the participant has done of the journey (from the store's records and the modules' summary)."""
    from evidencekit import journey

    taken = journey.taken(me)
    return {"goals": bool(journey.goals(me)), "topic": bool(journey.brief_topic(me)), "pre": "pre" in taken,
            "post": "post" in taken, "feedback": journey.given(me) is not None,
            "certificate": any(r["key"] == "participation" for r in me.records("certificate")),
            "plan": bool(journey.plans(me.records("followup"))),
            "modules_done": sum(p.complete for p in summary), "modules": len(summary)}


def journey_strip(me, summary, page) -> None:
    """Home: before the course, the modules, after the course — what is done, with links (three bordered
    columns, one text each: a rerun of Home draws each element again)."""
    w = where(me, summary)
    before, modules, after = st.columns(3, border=True)
    with before:
        st.markdown("\n\n".join(["**Before the course**", _mark(w["goals"], "Your learning goals"),
                                 _mark(w["pre"], "The pre-course assessment"),
                                 _mark(w["topic"], "The topic of your brief")]))
        st.page_link(page("before"), label="Before the course", icon=":material/flag:")
    modules.markdown("\n\n".join(["**The six modules**",
                                  _mark(w["modules_done"] == w["modules"],
                                        f"{w['modules_done']} of {w['modules']} modules complete"),
                                  ":small[:gray[Each module: introduction, learning steps on real data, review.]]"]))
    with after:
        st.markdown("\n\n".join(["**After the course**", _mark(w["post"], "The post-course assessment"),
                                 _mark(w["feedback"], "Your feedback on the course"),
                                 _mark(w["certificate"], "Your certificate of participation"),
                                 _mark(w["plan"], "Your follow-up plan")]))
        st.page_link(page("after"), label="After the course", icon=":material/workspace_premium:")


# -- before the course -------------------------------------------------------------------------------------
def goals_section(me) -> None:
    from evidencekit import journey
    from evidencekit.journey.goals import MAX_GOALS

    current = journey.goals(me) or ""
    with st.form("goals-form"):
        text = st.text_area("My learning goals", value=current, height=140, max_chars=MAX_GOALS,
                            key="goals-text", placeholder="e.g. Read labour statistics critically, and write a brief "
                                                          "on youth employment that my minister will read.")
        saved = st.form_submit_button("Save my learning goals", type="primary", icon=":material/save:")
    if saved:
        journey.save_goals(me, text)
        flash("Your learning goals are saved. You will see them again at the end of the course.", "goals")
        st.rerun()
    show_flash("goals")
    earlier = journey.goals_history(me)
    if earlier:
        st.caption(f"Your earlier wording{'s are' if len(earlier) > 1 else ' is'} kept too ({len(earlier)}).")


def topic_section(me) -> None:
    from evidencekit import journey
    from evidencekit.journey.goals import MAX_TOPIC

    current = journey.brief_topic(me) or ""
    with st.form("topic-form"):
        text = st.text_input("The topic of my policy brief", value=current, max_chars=MAX_TOPIC, key="topic-text",
                             placeholder="e.g. Apprenticeships for young women in the Philippines")
        saved = st.form_submit_button("Save my topic", type="primary", icon=":material/save:")
    if saved:
        journey.save_brief_topic(me, text)
        flash("The topic of your brief is saved. You will write the brief in module 6.", "topic")
        st.rerun()
    show_flash("topic")


# -- the assessments ---------------------------------------------------------------------------------------
def _question_widget(q, key: str):
    label = f"Your answer to question {q.module}.{q.number}"
    if q.kind == "single":
        texts = {o.id: o.text for o in q.options}
        return st.radio(label, [o.id for o in q.options], index=None, format_func=texts.get, key=key,
                        label_visibility="collapsed")
    if q.kind == "multiple":
        if "all that apply" not in q.prompt.lower():
            st.caption("Choose all that apply.")
        return [o.id for o in q.options if st.checkbox(o.text, key=f"{key}-{o.id}")]
    unit = f" (in {q.unit})" if q.unit else ""
    return st.text_input(f"Your answer{unit}", key=key, placeholder="A number, e.g. 4.2 — or leave it empty")


def assessment_form(me, form: str) -> None:
    """All the questions in one form; graded and kept by :func:`evidencekit.journey.submit_assessment`."""
    from evidencekit import journey

    a = context.assessment()
    course = context.course()
    titles = {m.number: m.title for m in course.modules}
    responses: dict = {}
    with st.form(f"assessment-{form}"):
        st.markdown(a.instructions)
        for m in a.modules:
            st.markdown(f"#### Module {m.number} · {titles.get(m.number, '')}")
            for c in m.competences:
                st.caption(f"Competence: {c.text}")
                for q in c.questions:
                    st.markdown(f"**{q.module}.{q.number}** {q.prompt}")
                    responses[q.id] = _question_widget(q, f"as-{form}-{q.id}")
        st.divider()
        st.caption("You take this assessment once, so check your answers before you send them. Leave a question "
                   "empty if you do not know: that is an honest answer, and it counts as not right.")
        sent = st.form_submit_button("Send my answers" if form == "pre" else "Send my answers and see the "
                                     "explanations", type="primary", icon=":material/send:")
    if sent:
        result = journey.submit_assessment(me, a, form, responses)
        answered = sum(s != "skipped" for s in result.statuses.values())
        if form == "pre":
            flash(f"Your pre-course answers are kept ({answered} of {len(result.statuses)} answered). The right "
                  "answers are shown after the post-course assessment, at the end of the course.", "pre")
        else:
            flash(f"Your post-course answers are kept: {sum(s == 'correct' for s in result.statuses.values())} of "
                  f"{len(result.statuses)} right. Each answer is explained below, and your learning gain is shown.",
                  "post")
        st.rerun()


def pre_assessment(me) -> None:
    from evidencekit import journey

    show_flash("pre")
    taken = journey.taken(me)
    if "pre" in taken:
        statuses = taken["pre"].get("statuses", {})
        answered = sum(s != "skipped" for s in statuses.values())
        st.success(f"You took it on {_day(taken['pre'].get('taken_at'))}: {answered} of {len(statuses)} questions "
                   "answered. Your answers are kept; the right answers are shown after the post-course assessment, "
                   "at the end of the course.", icon=":material/task_alt:")
        return
    if "post" in taken:
        st.info("You have taken the post-course assessment, so the pre-course one can no longer be taken.",
                icon=":material/info:")
        return
    assessment_form(me, "pre")


def post_assessment(me, summary) -> None:
    from evidencekit import journey

    a = context.assessment()
    show_flash("post")
    taken = journey.taken(me)
    if "post" not in taken:
        left = [p.module for p in summary if not p.complete]
        if "pre" not in taken:
            st.warning("You have not taken the pre-course assessment: without it your learning gain cannot be shown. "
                       "Take it first on the page Before the course — once you take this one, that one is closed.",
                       icon=":material/warning:")
            st.page_link(frame.page("before"), label="Before the course: the pre-course assessment",
                         icon=":material/flag:")
        if left:
            st.info(f"It is best taken at the end: module{'s' if len(left) > 1 else ''} "
                    f"{', '.join(map(str, left))} {'are' if len(left) > 1 else 'is'} not complete yet.",
                    icon=":material/info:")
        st.markdown(f"The same {len(a.questions)} questions as before the course. It is taken once.")
        ready = not left and "pre" in taken
        if not ready and not st.toggle("I want to take it now", key="post-now"):
            return
        assessment_form(me, "post")
        return
    result = journey.results(me, a)["post"]
    right = sum(s == "correct" for s in result.statuses.values())
    st.success(f"You took it on {_day(result.taken_at)}: {right} of {len(result.statuses)} right.",
               icon=":material/task_alt:")
    by_question = {fb.question: fb for fb in result.feedback}
    with st.expander("Your answers, explained", expanded=False):
        for q in a.questions:
            st.markdown(f"**{q.module}.{q.number}** {q.prompt}")
            fb = by_question.get(q.id) or by_question.get(q.key)
            if fb is None:
                st.warning("You left it empty.", icon=":material/help:")
                if q.explanation:
                    st.markdown(q.explanation)
            else:
                quiz.feedback(fb.to_record(), q)


def gain_section(me) -> None:
    from evidencekit import charts, journey

    taken = journey.taken(me)
    if not {"pre", "post"} <= set(taken):
        st.info("Your learning gain per competence is shown here once you have taken both the pre- and the "
                "post-course assessment.", icon=":material/trending_up:")
        return
    gains = journey.learning_gain(context.assessment(), taken["pre"], taken["post"])
    figure(charts.learning_gain(gains), "my learning gain")
    if gains.attrs.get("note"):
        st.caption(gains.attrs["note"])
    shown = gains.rename(columns={"module": "Module", "text": "Competence", "questions": "Questions",
                                  "pre": "Before (%)", "post": "After (%)", "gain": "Gain (points)"})
    whole_table(shown[["Module", "Competence", "Questions", "Before (%)", "After (%)", "Gain (points)"]],
                key="my-gains", column_config=GAIN_COLUMNS)


ROW_PX = 38  # the height of a table row on screen (35 px in Streamlit's default theme; 37 with this app's font)
GAIN_COLUMNS = {"Module": st.column_config.NumberColumn(width="small"),
                "Competence": st.column_config.TextColumn(width="large"),
                "Questions": st.column_config.NumberColumn(width="small"),
                "Took both": st.column_config.NumberColumn(width="small")}


def whole_table(df: pd.DataFrame, *, key: str, column_config: dict | None = None) -> None:
    """A table with every row on screen (no scrolling inside it) and the page's width: the competences, modules
    and statements of the journey are few, and a reader should see them all at once."""
    st.dataframe(df, hide_index=True, width="stretch", height=ROW_PX * (len(df) + 1) + 3, key=key,
                 column_config={k: v for k, v in (column_config or {}).items() if k in df.columns})


def figure(fig, name: str) -> None:
    """A chart made by :mod:`evidencekit.charts`, drawn as the board draws charts, with its source line and a
    PNG download (written by :func:`evidencekit.charts.save`)."""
    from evidencekit.brief import EvidenceBoard

    item = EvidenceBoard().add_chart(fig, dpi=trainer.dpi()).to_dict()
    board.picture(item)
    st.caption(item["source_line"])
    st.download_button("Chart (PNG)", functools.partial(files.figure_bytes, fig, ".png"),
                       file_name=files.safe_name(name, ".png"), mime=files.MIME[".png"], on_click="ignore",
                       key=render.key_for("fig", name), icon=":material/image:")


# -- feedback -------------------------------------------------------------------------------------------------
def feedback_section(me) -> None:
    from evidencekit import journey

    form = context.feedback_form()
    old = journey.given(me) or {}
    show_flash("feedback")
    if old:
        st.success(f"Thank you: your feedback of {_day(old.get('given_at'))} is kept. You can change it; the "
                   "latest counts.", icon=":material/task_alt:")
    with st.expander("Change my feedback" if old else "The feedback form", expanded=not old):
        _feedback_form(me, form, old)


def _feedback_form(me, form, old: dict) -> None:
    from evidencekit import journey

    st.markdown(form.intro)
    n = len(form.scale)
    answers: dict = {}
    with st.form("course-feedback"):
        for section in form.sections:
            st.markdown(f"#### {section.title}")
            for item in section.items:
                key = f"fb-{item.id}"
                if item.kind == "likert":
                    before = (old.get("ratings") or {}).get(item.id)
                    answers[item.id] = st.radio(item.text, list(range(1, n + 1)), key=key, horizontal=True,
                                                index=before - 1 if isinstance(before, int) and 1 <= before <= n
                                                else None, format_func=lambda v: form.scale[v - 1])
                else:
                    answers[item.id] = st.text_area(item.text + ("" if item.required else " (optional)"),
                                                    value=(old.get("comments") or {}).get(item.id, ""), key=key,
                                                    max_chars=2000, height=90)
        sent = st.form_submit_button("Send my feedback", type="primary", icon=":material/send:")
    if sent:
        journey.submit_feedback(me, form, answers)
        flash("Thank you: your feedback is kept. Your trainer sees only class totals and comments without names.",
              "feedback")
        st.rerun()


# -- the certificate ----------------------------------------------------------------------------------------
def certificate_section(me) -> None:
    from evidencekit import journey

    course = context.course()
    check = journey.eligibility(course, me.progress(), me.latest_answers())
    if not check.ok:
        st.info("The certificate of participation is issued when every module is complete. Still to do:",
                icon=":material/lock:")
        titles = {m.number: m.title for m in course.modules}
        st.markdown("\n".join(f"- **Module {n} · {titles.get(n, '')}**: {what}"
                               for n, what in sorted(check.left.items())))
        for n in sorted(check.left):
            st.page_link(frame.page(f"module-{n}"), label=f"Open module {n}", icon=":material/arrow_forward:")
            break
        return
    old = next((r["payload"] for r in me.records("certificate") if r["key"] == "participation"), None)
    if old:
        st.caption(f"Certificate {old.get('number')} was issued to {words.literal(old.get('name'))} on "
                   f"{_day(old.get('issued_on'))}. Making it again prints the same number.")
    name = (old or {}).get("name") or me.profile().get("name") or ""
    with st.form("certificate-form"):
        st.markdown("Every module is complete: your certificate of participation can be issued.")
        typed = st.text_input("Your name as it should appear on the certificate", value=name, max_chars=120,
                              key="certificate-name")
        made = st.form_submit_button("Make my certificate (PDF)", type="primary", icon=":material/workspace_premium:")
    if made:
        st.session_state[CERTIFICATE] = journey.issue_certificate(me, course, name=typed, today=context.today())
    pdf = st.session_state.get(CERTIFICATE)
    if pdf:
        st.download_button("Download my certificate (PDF)", pdf, file_name="certificate-of-participation.pdf",
                           mime="application/pdf", on_click="ignore", key="certificate-download", type="primary",
                           icon=":material/download:")


# -- the follow-up plan ------------------------------------------------------------------------------------
def plan_section(me) -> None:
    from evidencekit import journey

    today = context.today()
    plans = journey.plans(me.records("followup"))
    for p in plans:
        outcome = p.get("outcome") or {}
        said = ""
        if outcome:
            told = f": {words.literal(outcome['text'])}" if outcome.get("text") else ""
            said = (f" — **{OUTCOME_WORDS.get(outcome.get('status'), outcome.get('status'))}** "
                    f"({_day(outcome.get('on'))})" + told)
        due = "" if outcome or p["due"] > today.isoformat() else " (due: Home asks what happened)"
        st.markdown(f"- {words.literal(p['change'])} · look back on {_day(p['due'])}{due}{said}")
    with st.form("plan-form"):
        change = st.text_area("What will you change at work after this course?", key="plan-change", max_chars=1000,
                              height=90, placeholder="e.g. Check the notes and breaks in series before quoting a "
                                                     "figure in a note to the minister.")
        due = st.date_input("When should the workbench ask you what happened?", key="plan-due",
                            value=journey.suggested_due(today), min_value=today + timedelta(days=1),
                            format="DD/MM/YYYY")
        added = st.form_submit_button("Add to my follow-up plan", type="primary", icon=":material/event:")
    if added:
        journey.add_plan(me, change, due, today=today)
        for key in ("plan-change", "plan-due"):
            st.session_state.pop(key, None)
        flash(f"Added to your follow-up plan. On {_day(due.isoformat())} the workbench will ask you, on Home, what "
              "happened.", "plan")
        st.rerun()
    show_flash("plan")


def due_plans(me) -> None:
    """Home: each action of the follow-up plan that has come due, asking what happened (or when to ask again)."""
    from evidencekit import journey

    today = context.today()
    for p in journey.due_plans(me.records("followup"), today):
        with st.container(border=True, key=f"due-{p['id']}"):
            st.markdown("#### Your follow-up plan: what happened?\n\n"
                        f"On {_day(p.get('created_on'))} you planned to change this at work:\n\n"
                        f"> {words.literal(p['change'])}\n\n"
                        f"You asked to look back on {_day(p['due'])}.")
            with st.form(f"outcome-{p['id']}"):
                status = st.radio("What happened?", list(OUTCOME_WORDS), format_func=OUTCOME_WORDS.get, index=None,
                                  horizontal=True, key=f"outcome-status-{p['id']}")
                text = st.text_area("In a few words: what changed, what helped, what got in the way?",
                                    key=f"outcome-text-{p['id']}", max_chars=1000, height=80)
                said = st.form_submit_button("Save what happened", type="primary")
            if said:
                if status is None:
                    st.warning("Choose what happened (done, partly done, not yet or dropped), then save.",
                               icon=":material/warning:")
                else:
                    journey.record_outcome(me, p["id"], status, text, today=today)
                    flash("Thank you: what happened is kept with your plan.")
                    st.rerun()
            with st.form(f"later-{p['id']}", border=False):
                cols = st.columns([2, 1], vertical_alignment="bottom")
                when = cols[0].date_input("Too early to say? Ask me again on", key=f"later-date-{p['id']}",
                                          value=today + timedelta(days=90), min_value=today + timedelta(days=1),
                                          format="DD/MM/YYYY")
                later = cols[1].form_submit_button("Ask me again then")
            if later:
                journey.postpone(me, p["id"], when, today=today)
                flash(f"The workbench will ask you again on {_day(when.isoformat())}.")
                st.rerun()


# -- the participant's file ------------------------------------------------------------------------------------
def export_bytes(scope) -> bytes:
    """All of a participant's work as the store exports it (``ParticipantStore.export``), as JSON bytes; choices
    still waiting to be written (:data:`ui.context.LATER`) are written first."""
    from ui import context

    context.LATER.flush(scope)
    return json.dumps(scope.export(), ensure_ascii=False, indent=1).encode("utf-8")


def read_upload(data: bytes, name: str) -> dict:
    """An uploaded file read as JSON (refused in plain words when it is not)."""
    from evidencekit.store import StoreError

    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise StoreError(f"Importing '{name}'", f"it cannot be read as JSON ({str(err)[:120]})",
                         "choose a file exported by evidencekit (Download all my work)") from None
    if not isinstance(value, dict):
        raise StoreError(f"Importing '{name}'", "it is not an evidencekit export of a participant's work",
                         "choose a file exported by evidencekit (Download all my work)")
    return value


def counts_in_words(counts: dict) -> str:
    words = {"progress": "progress marks", "answers": "answers", "work": "steps' work", "board": "board items",
             "records": "journey records"}
    got = [f"{n} {words.get(k, k)}" for k, n in counts.items() if n]
    return ", ".join(got) if got else "nothing new (everything in the file was here already)"


def frame_table(df: pd.DataFrame) -> pd.DataFrame:
    """A library frame for the screen without its attrs (pandas copies them at every step)."""
    out = df.copy(deep=False)
    out.attrs = {}
    return out
