"""Trainer mode as a trainer uses it before and during a demo: ``?mode=trainer`` or the sidebar switch; jump to any
step with its preset; the presentation view (``?view=present``: large fonts and charts, no sidebar); the
pre-demo checklist (is the snapshot loaded, can ILOSTAT be reached — the demo survives a dropped network); and
the class view, anonymised (gain per competence, completion, feedback; small counts not shown; CSV)."""
from __future__ import annotations

import os
import socket

import pytest
from .apphelp import new_app, no_problem, table_with, texts

from evidencekit import journey
from evidencekit.store import open_store


def _store():
    return open_store(os.environ["EVIDENCEKIT_DATABASE_URL"])


def _trainer_page(**query):
    at = new_app(mode="trainer", **query)
    at.run()
    at.switch_page("app_pages/trainer.py").run()
    no_problem(at)
    return at


def _checks(at) -> dict[str, str]:
    """The checklist on screen: check name -> the alert kind it is shown in, and its text."""
    out = {}
    for kind in ("success", "error", "info"):
        for e in getattr(at, kind):
            if e.value.startswith("**") and ".** " in e.value:
                name, text = e.value[2:].split(".** ", 1)
                out[name] = (kind, text)
    return out


def test_without_trainer_mode_the_trainers_pages_are_not_there():
    at = new_app()
    at.run()
    for page in ("app_pages/trainer.py", "app_pages/classview.py"):
        with pytest.raises(ValueError):
            at.switch_page(page)
    assert at.sidebar.toggle(key="ek_trainer_mode-switch").value is False


def test_the_sidebar_switch_turns_trainer_mode_on_and_keeps_it_in_the_address():
    at = new_app()
    at.run()
    at.sidebar.toggle(key="ek_trainer_mode-switch").set_value(True).run()
    no_problem(at)
    assert at.query_params["mode"] in ("trainer", ["trainer"])
    at.switch_page("app_pages/trainer.py").run()
    assert at.title[0].value == "For trainers"
    at.sidebar.toggle(key="ek_trainer_mode-switch").set_value(False).run()
    assert "mode" not in at.query_params


def test_the_checklist_offline_says_the_snapshot_is_loaded_and_the_demo_needs_no_network():
    at = _trainer_page()
    checks = _checks(at)
    assert checks["The embedded ILOSTAT snapshot"][0] == "success"
    assert checks["The embedded ILOSTAT snapshot"][1].startswith("Loaded: ")
    assert checks["Live ILOSTAT"] == ("info", "Not tried: the workbench is offline (EVIDENCEKIT_OFFLINE=1); the "
                                              "embedded snapshot answers.")
    assert checks["The participants' store"][0] == "success"
    assert checks["What works offline"][0] == "success"
    assert "**Ready.** Everything the demo needs is here; it survives a dropped network." in texts(at)


def test_the_checklist_says_when_ilostat_cannot_be_reached_and_that_the_demo_still_works(monkeypatch):
    with socket.socket() as s:  # a port on this machine where nothing listens: the network has dropped
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.delenv("EVIDENCEKIT_OFFLINE")
    monkeypatch.setenv("EVIDENCEKIT_ILOSTAT_URL", f"http://127.0.0.1:{port}/sdmx")
    at = new_app(mode="trainer")
    at.run()
    at.switch_page("app_pages/trainer.py").run()
    assert not at.exception and len(at.error) == 1                     # that one check, no other problem
    kind, text = _checks(at)["Live ILOSTAT"]
    assert kind == "error" and text.startswith("ILOSTAT did not answer:")
    assert "The demo still works: every chart comes from the local copy or the embedded snapshot" in text
    assert _checks(at)["The embedded ILOSTAT snapshot"][0] == "success"
    assert "**Ready to demo offline.**" in texts(at)


def test_a_preset_opens_a_step_with_the_courses_own_choices_not_the_last_ones(course):
    step = next(s for m in course.modules for s in m.steps if (s.params or {}).get("areas"))
    default = list(step.params["areas"])
    me = _store().participant("local")
    me.save_work(step.module, step.id, {"choices": {"areas": default[:1]}})
    key = f"m{step.module}-{step.id}-areas"
    at = new_app(mode="trainer", module=step.module, step=step.number)
    at.run()
    no_problem(at)
    assert at.multiselect(key=key).value == default[:1]                 # the participant's own choice
    at = new_app(mode="trainer", module=step.module, step=step.number, preset=1)
    at.run()
    no_problem(at)
    assert at.multiselect(key=key).value == default                     # the course's own
    assert "preset" not in at.query_params
    trainer_page = _trainer_page()
    links = {e.proto.label: e.proto.query_string for e in trainer_page.get("page_link")}
    assert f"module={step.module}&step={step.number}&preset=1" in links[f"Step {step.number}: {step.title}"]
    trainer_page.sidebar.selectbox(key="ek-jump-module").select(step.module).run()   # the sidebar's jump
    trainer_page.sidebar.selectbox(key=f"ek-jump-part-{step.module}").select(str(step.number)).run()
    jump = [e.proto.query_string for e in trainer_page.sidebar.get("page_link")
            if e.proto.label == "Open it with its preset"]
    assert jump == [f"module={step.module}&step={step.number}&preset=1"]


def test_the_presentation_view_hides_the_sidebar_enlarges_and_is_left_with_one_click():
    at = new_app(view="present")
    at.run()
    no_problem(at)
    css = " ".join(str(h.proto.body) for h in at.get("html"))
    assert '[data-testid="stSidebar"]' in css and "font-size: 23px" in css
    assert at.query_params["mode"] in ("trainer", ["trainer"])
    at.button(key="ek-leave-present").click().run()
    assert not at.get("html") and "view" not in at.query_params
    assert at.query_params["mode"] in ("trainer", ["trainer"])            # still in trainer mode


def test_charts_in_the_presentation_view_are_drawn_larger(monkeypatch):
    import streamlit as st

    drawn = []
    real = st.image

    def image(data, *args, **kwargs):  # the PNG's own width (its IHDR header), and how wide it is shown
        drawn.append((int.from_bytes(data[16:20], "big"), kwargs.get("width")))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(st, "image", image)
    for query in ({"mode": "trainer"}, {"view": "present"}):
        at = new_app(module=2, step=3, **query)
        at.run()
        no_problem(at)
        assert len(at.image) == 1
    (usual, usual_width), (large, large_width) = drawn
    assert usual == usual_width == 1100                     # a participant's screen: at its own width
    assert large > 1.5 * usual and large_width == "stretch"  # shared screen: sharper, the whole width


def _class_of(n: int):
    """``n`` participants who took both assessments (the first question right only after), one module done."""
    a = journey.load_assessment()
    form = journey.load_feedback_form()
    store = _store()
    q = a.questions[0]
    right = [o.id for o in q.options if o.correct][0]
    wrong = next(o.id for o in q.options if not o.correct)
    for i in range(n):
        me = store.participant(f"p{i}")
        journey.submit_assessment(me, a, "pre", {q.id: wrong})
        journey.submit_assessment(me, a, "post", {q.id: right})
        comment = next(i.id for i in form.items if i.kind != "likert")
        journey.submit_feedback(me, form, {**{i.id: 4 for i in form.items if i.kind == "likert"},
                                           comment: f"![x](http://example.org/{i}.png) **more** time {i}"})
    return a, q


def test_the_class_view_shows_anonymised_gains_completion_and_feedback_with_csv():
    a, q = _class_of(3)
    at = new_app(mode="trainer")
    at.run()
    at.switch_page("app_pages/classview.py").run()
    no_problem(at)
    assert at.title[0].value == "Class view"
    page = texts(at)
    everyone = _store().participants()                                  # the three and this machine's own
    assert f"**{len(everyone)} participants**" in page and "No one is named here" in page
    assert not any(pid in page for pid in everyone)
    gains = table_with(at, "Gain (points)")
    competence = a.competence_of(q.id)
    row = gains[gains["Competence"] == competence.text].iloc[0]
    share = round(100 / len(competence.questions), 1)
    assert row["Took both"] == 3 and float(row["Gain (points)"]) == pytest.approx(share, abs=0.05)
    assert len(at.image) == 1                                             # the gain chart
    feedback = table_with(at, "Mean rating")
    assert set(feedback["Mean rating"].dropna()) == {4.0}
    comments = table_with(at, "Comment")                                  # data, never markup
    assert sorted(comments["Comment"]) == [f"![x](http://example.org/{i}.png) **more** time {i}" for i in range(3)]
    assert not any("example.org" in m.value for m in at.markdown)
    labels = [b.label for b in at.get("download_button")]
    assert {"learning gain (CSV)", "completion (CSV)", "feedback (CSV)"} <= set(labels)


def test_the_class_view_does_not_show_figures_resting_on_fewer_than_three():
    _class_of(2)
    at = new_app(mode="trainer")
    at.run()
    at.switch_page("app_pages/classview.py").run()
    no_problem(at)
    assert "No competence can be shown yet: fewer than 3 participants have taken both assessments." in texts(at)
    gains = table_with(at, "Gain (points)")
    assert set(gains["Gain (points)"]) == {"–"}
    assert not at.image
