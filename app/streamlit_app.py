"""evidencekit workbench — the entry file: the page frame and the navigation (``st.navigation``).

Run it with ``evidencekit app`` (or ``streamlit run app/streamlit_app.py``). Pages are the files in
``app_pages/`` and one page per course module, drawn from ``exercises/`` by generic code (``ui/module.py``).
A deep link ``?module=2&step=3`` (on any address of the app) opens that step: Home passes it on to the
module's page (``ui/frame.follow_link``). The app only draws what the ``evidencekit`` library returns.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the ui package beside this file (streamlit run adds it; AppTest may not)
    sys.path.insert(0, str(HERE))

from ui import context, frame, module, render  # noqa: E402

st.set_page_config(page_title="evidencekit · Evidence-based policy making for decent work",
                   page_icon=":material/insights:", layout="wide")


def module_page(number: int) -> None:
    render.guarded(module.page)(number)


def navigation():
    """The pages: Home, one per course module, and the workbench."""
    course = context.course()
    home = st.Page("app_pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True)
    modules = [st.Page(functools.partial(module_page, m.number), title=f"{m.number} · {m.title}",
                       icon=":material/school:", url_path=f"module-{m.number}") for m in course.modules]
    tools = [st.Page("app_pages/explorer.py", title="Data explorer", icon=":material/travel_explore:",
                     url_path="explorer"),
             st.Page("app_pages/microdata.py", title="Microdata workbench", icon=":material/table_chart:",
                     url_path="microdata"),
             st.Page("app_pages/board.py", title="Evidence board", icon=":material/dashboard:", url_path="board"),
             st.Page("app_pages/brief.py", title="Brief builder", icon=":material/description:", url_path="brief")]
    paths = ["home", *(f"module-{m.number}" for m in course.modules), "explorer", "microdata", "board", "brief"]
    st.session_state["ek_pages"] = dict(zip(paths, [home, *modules, *tools]))
    return st.navigation({"": [home], "Course modules": modules, "Workbench": tools}, expanded=True)


def main() -> None:
    try:
        nav = navigation()
    except Exception as err:  # the course files could not be read: say so, never a traceback
        from evidencekit.errors import EvidenceKitError

        (render.problem if isinstance(err, EvidenceKitError) else render.sorry)(err)
        st.stop()
    render.guarded(frame.sidebar)()
    nav.run()


main()
