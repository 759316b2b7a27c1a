"""For trainers: the pre-demo checklist (snapshot, ILOSTAT, cache, store, what works offline), the
presentation view, and every step of the course with its preset link."""
from __future__ import annotations

import streamlit as st

from ui import auth, context, module, render, trainer

DEMO_PROBLEM = "ek-demo-problem"  # opening the demo participant failed: said over the button
_open_demo = render.said_later(DEMO_PROBLEM)(auth.open_demo)  # a callback: outside the page's guard
ICON = {True: ":material/check_circle:", False: ":material/error:", None: ":material/info:"}


def checklist() -> None:
    st.subheader("Before the demo")
    refresh = st.button("Check again", key="checklist-again", icon=":material/refresh:")
    with st.spinner("Checking (ILOSTAT is given 5 seconds at most)…"):
        items = trainer.checklist(refresh=refresh)
    for item in items:
        shown = {True: st.success, False: st.error, None: st.info}[item["ok"]]
        shown(f"**{item['name']}.** {item['text']}", icon=ICON[item["ok"]])
    bad = [i for i in items if i["ok"] is False]
    if not bad:
        st.markdown("**Ready.** Everything the demo needs is here; it survives a dropped network.")
    elif all(i["name"] == "Live ILOSTAT" for i in bad):
        st.markdown("**Ready to demo offline.** Every chart comes from the embedded snapshot or the local copy, and "
                    "says so in its source line.")


def presets() -> None:
    st.subheader("Every step, with its preset")
    st.markdown("A preset opens the step with the choices the course sets (countries, years, breakdowns), "
                "whatever was chosen there before. The link beside it opens the same step for participants "
                "(each keeps their own choices).")
    if trainer.page_or_none("module-1") is None:  # a hosted class, a trainer signed in without a participant
        st.info("In a hosted class the module pages open for a participant. To demo them, open them as your demo "
                "participant: its work is kept, but never counted in the class's figures. The links below can "
                "be shared with participants.", icon=":material/info:")
        if auth.trainer_scope() is not None:
            render.said(DEMO_PROBLEM)
            st.button("Open the modules as my demo participant", key="demo-open", type="primary",
                      on_click=_open_demo, icon=":material/co_present:")
    for m in context.course().modules:
        page = trainer.page_or_none(f"module-{m.number}")
        with st.expander(f"Module {m.number} · {m.title}"):
            for part in module.parts(m):
                cols = st.columns([3, 2], vertical_alignment="center")
                if page is not None:
                    cols[0].page_link(page, label=trainer.part_label(m, part),
                                      query_params=trainer.preset_link(m.number, part), icon=":material/play_circle:")
                else:
                    cols[0].markdown(trainer.part_label(m, part))
                cols[1].code(f"/module-{m.number}?module={m.number}&step={part}", language=None)


@render.guarded
def body() -> None:
    st.title("For trainers")
    if not trainer.active():
        st.info("Turn on trainer mode in the sidebar (or add ?mode=trainer to the address) to use these tools.",
                icon=":material/school:")
        return
    if not trainer.presenting():
        st.button("Start the presentation view (large fonts and charts, no sidebar: for sharing your screen)",
                  key="present-start", on_click=trainer.start_presentation, icon=":material/present_to_all:")
    render.guarded(checklist)()
    render.guarded(presets)()


body()
