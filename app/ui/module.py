"""A course module page, drawn from the course model: Introduction, the learning steps, Review.

Where the participant is sits in the URL (``?module=2&step=3``; ``step`` may be ``intro``, ``review``, a
number or a step id), so a trainer can open any step and a participant can share where they are. Nothing
else about the participant goes into the URL.
"""
from __future__ import annotations

import streamlit as st

from ui import context, quiz, render, steps, trainer


def parts(module) -> list[str]:
    """The parts of a module as they appear in its links: ``intro``, ``1`` … ``n``, ``review``."""
    return ["intro"] + [str(s.number) for s in module.steps] + ["review"]


def location(module):
    """Where the URL points inside ``module``; a bad ``step`` is said in plain words and the introduction
    opened instead."""
    from evidencekit.course import LocationError

    step = st.query_params.get("step")
    try:
        return context.course().locate(module.number, step)
    except LocationError as err:
        render.problem(err)
        return context.course().locate(module.number, "intro")


def go(module, part: str) -> None:
    """Open a part of the module (a callback: the URL changes, the page follows). Only a changed parameter is
    written: each write sends the browser a message, on every run of the page."""
    for key, value in (("module", str(module.number)), ("step", part)):
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def _picked(module) -> None:
    go(module, st.session_state[f"m{module.number}-part"])


def _label(module, part: str, done: set[str]) -> str:
    if part == "intro":
        return "Introduction" + (" ✓" if "intro" in done else "")
    if part == "review":
        return "Review" + (" ✓" if "review" in done else "")
    s = module.step(part)
    return f"Step {part}" + (" ✓" if s.id in done else "")


PROBLEM = "ek-module-problem"  # a click the store refused, said at the top of the module page (render.said_later)


@render.said_later(PROBLEM)
def _mark_and_go(module, item: str, nxt: str) -> None:
    context.participant().mark(module.number, item, "done", content=module.digest)
    go(module, nxt)


def introduction(module) -> None:
    """The purpose, the policy question, then what the participant will learn, use, produce and work on: two
    text elements around the question (one element each costs a rerun its time)."""
    intro = module.introduction
    st.markdown(f"### Introduction\n\n{intro.purpose}")
    if intro.policy_question:
        st.info(f"**The policy question:** {intro.policy_question}", icon=":material/help:")
    parts = ["**By the end of this module you will be able to:**\n" + "\n".join(f"- {o}" for o in intro.objectives),
             f"**How you will use it at work**\n\n{intro.at_work}"]
    if intro.produce:
        parts.append(f"**What you will produce:** {intro.produce}")
    if intro.data:
        parts.append("**The data**\n" + "\n".join(f"- {d}" for d in intro.data))
    parts.append("**The steps**\n" + "\n".join(f"{s.number}. {s.title}" for s in module.steps))
    st.markdown("\n\n".join(parts))
    st.button("Start the learning steps", type="primary", icon=":material/arrow_forward:",
              on_click=_mark_and_go, args=(module, "intro", "1"), key=f"m{module.number}-start")


def _one_more_hint(key: str) -> None:
    st.session_state[f"hints-{key}"] = st.session_state.get(f"hints-{key}", 0) + 1


@st.fragment
def hints(step) -> None:
    """The hints shown so far and a button for the next one, a fragment: a hint redraws the hints only."""
    shown = st.session_state.setdefault(f"hints-{step.key}", 0)
    for i, hint in enumerate(step.hints[:shown], start=1):
        st.markdown(f"**Hint {i}.** {hint}")
    if shown < len(step.hints):  # counted in the click's callback: one run, not a run and a rerun
        st.button(f"Show a hint ({shown + 1} of {len(step.hints)})", key=f"hint-{step.key}",
                  icon=":material/lightbulb:", on_click=_one_more_hint, args=(step.key,))


def learning(module, step, done: set[str]) -> None:
    st.markdown(f"### Step {step.number} of {len(module.steps)} · {step.title}")
    st.caption(f"What you do: {step.action}")
    st.markdown(step.text)
    st.info(f"**Your task.** {step.task}", icon=":material/edit_note:")
    steps.learning_step(step)
    if step.hints:
        hints(step)
    if step.key_points:
        st.success("**Key points to keep**\n" + "\n".join(f"- {k}" for k in step.key_points),
                   icon=":material/bookmark:")
    nxt = str(step.number + 1) if step.number < len(module.steps) else "review"
    label = "Done — next step" if nxt != "review" else "Done — go to the review"
    cols = st.columns(2)
    prev = str(step.number - 1) if step.number > 1 else "intro"
    cols[0].button("Back", icon=":material/arrow_back:", on_click=go, args=(module, prev), key=f"back-{step.key}")
    cols[1].button(label, type="primary", icon=":material/check:", on_click=_mark_and_go,
                   args=(module, step.id, nxt), key=f"done-{step.key}")


def review(module) -> None:
    st.markdown("### Review")
    quiz.review(module)
    if module.key_points:
        st.success("**Key points of this module**\n" + "\n".join(f"- {k}" for k in module.key_points),
                   icon=":material/bookmark:")
    if module.next:
        st.markdown(f"**What comes next.** {module.next}")


def page(number: int) -> None:
    """The whole module page (a page of the navigation, one per module of the course)."""
    module = context.course().module(number)
    st.title(f"Module {module.number} · {module.title}")
    st.caption(f"Case study: {module.case_study}" + (f" · {module.time}" if module.time else ""))
    render.said(PROBLEM)
    loc = location(module)
    trainer.apply_preset(module, loc)
    part = {"introduction": "intro", "review": "review"}.get(loc.part) or str(loc.step.number)
    go(module, part)
    me = context.participant()
    done = {p["item"] for p in me.progress(module.number) if p["status"] == "done"}
    seen = st.session_state.setdefault("seen", set())
    if (module.number, part) not in seen:
        seen.add((module.number, part))
        me.mark(module.number, loc.step.id if loc.step else ("intro" if part == "intro" else "review"), "seen",
                content=module.digest)
    key = f"m{module.number}-part"
    st.session_state[key] = part
    st.segmented_control("Part of the module", parts(module), key=key, on_change=_picked, args=(module,),
                         format_func=lambda x: _label(module, x, done), required=True,
                         label_visibility="collapsed", width="stretch")
    if loc.part == "introduction":
        render.guarded(introduction)(module)
    elif loc.part == "review":
        render.guarded(review)(module)
    else:
        learning(module, loc.step, done)
