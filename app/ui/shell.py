"""The page frame and the navigation (``st.navigation``) of the workbench, run by the entry file
(``app/streamlit_app.py``) on every run.

Pages are the files in ``app_pages/`` and one page per course module, drawn from ``exercises/`` by generic code
(``ui/module.py``). In a hosted class only the sign-in page opens until someone has signed in (``ui/auth.py``);
trainer mode (``?mode=trainer``) adds the trainer's pages (``ui/trainer.py``).
A deep link ``?module=2&step=3`` (on any address of the app) opens that step: Home passes it on to the
module's page (``ui/frame.follow_link``).
"""
from __future__ import annotations

import functools

import streamlit as st

from ui import auth, context, frame, module, render, trainer, workers


def module_page(number: int) -> None:
    render.guarded(module.page)(number)


def navigation():
    """The pages this session may open: on one's own machine everything; in a hosted class only the sign-in
    page until a participant (or a trainer) has signed in. Trainer mode adds the trainer's pages."""
    course = context.course()
    trainer.read_url()
    hosted = auth.hosted()
    participant = context.signed_in()
    coach = trainer.active()
    signin_needed = hosted and (not participant or (trainer.wanted() and not coach))
    default = "home" if participant else ("trainer" if coach else "signin")
    home, journey, modules, tools, coaching, signin = _pages(course, default)
    sections: dict[str, list] = {}
    stand_ins = []
    if signin_needed and not participant and not coach:
        # every address of the app opens the sign-in page before signing in — a trainer's link to a step too —
        # never Streamlit's "Page not found"; the step's query is kept, and Home follows it after signing in
        stand_ins = [st.Page(functools.partial(to_signin, signin), title=title, url_path=path)
                     for path, title in [("home", "Home"), ("before", "Before the course"),
                                         ("after", "After the course"), ("my-data", "My data"),
                                         ("explorer", "Data explorer"), ("microdata", "Microdata workbench"),
                                         ("board", "Evidence board"), ("brief", "Brief builder"),
                                         ("trainer", "For trainers"), ("class", "Class view"),
                                         *((f"module-{m.number}", f"Module {m.number}") for m in course.modules)]]
    if participant:
        sections[""] = [home, *journey]
        sections["Course modules"] = modules
        sections["Workbench"] = tools
    if coach:
        sections["Trainer"] = coaching
    if signin_needed:
        sections.setdefault("", []).append(signin)
    names = {id(p): name for name, p in (("home", home), ("before", journey[0]), ("after", journey[1]),
                                           ("my-data", journey[2]), *((f"module-{m.number}", page) for m, page in
                                                                      zip(course.modules, modules)),
                                           ("explorer", tools[0]), ("microdata", tools[1]), ("board", tools[2]),
                                           ("brief", tools[3]), ("trainer", coaching[0]), ("class", coaching[1]),
                                           ("signin", signin))}
    st.session_state["ek_pages"] = {names[id(p)]: p for group in sections.values() for p in group}
    if stand_ins:
        return st.navigation([signin, *stand_ins], position="hidden")
    return st.navigation(sections, expanded=True)


def _pages(course, default: str) -> tuple:
    """The app's pages (``st.Page``), made once per session for a course and a default page: made again on
    every run they cost a file-path lookup each (a session runs one script at a time, so its pages are its own).
    """
    key = (default, id(course), context.course_stamp())
    held = st.session_state.get("ek_page_objects")
    if isinstance(held, tuple) and len(held) == 2 and held[0] == key:
        return held[1]
    home = st.Page("app_pages/home.py", title="Home", icon=":material/home:", url_path="home",
                   default=default == "home")
    journey = [st.Page("app_pages/before.py", title="Before the course", icon=":material/flag:", url_path="before"),
               st.Page("app_pages/after.py", title="After the course", icon=":material/workspace_premium:",
                       url_path="after"),
               st.Page("app_pages/mydata.py", title="My data", icon=":material/save:", url_path="my-data")]
    modules = [st.Page(functools.partial(module_page, m.number), title=f"{m.number} · {m.title}",
                       icon=":material/school:", url_path=f"module-{m.number}") for m in course.modules]
    tools = [st.Page("app_pages/explorer.py", title="Data explorer", icon=":material/travel_explore:",
                     url_path="explorer"),
             st.Page("app_pages/microdata.py", title="Microdata workbench", icon=":material/table_chart:",
                     url_path="microdata"),
             st.Page("app_pages/board.py", title="Evidence board", icon=":material/dashboard:", url_path="board"),
             st.Page("app_pages/brief.py", title="Brief builder", icon=":material/description:", url_path="brief")]
    coaching = [st.Page("app_pages/trainer.py", title="For trainers", icon=":material/checklist:", url_path="trainer",
                        default=default == "trainer"),
                st.Page("app_pages/classview.py", title="Class view", icon=":material/groups:", url_path="class")]
    signin = st.Page("app_pages/signin.py", title="Sign in", icon=":material/login:", url_path="signin",
                     default=default == "signin")
    made = (home, journey, modules, tools, coaching, signin)
    st.session_state["ek_page_objects"] = (key, made)
    return made


def to_signin(signin) -> None:
    """A page opened before signing in (in a hosted class): the sign-in page, with the address's query kept."""
    st.switch_page(signin, query_params=st.query_params.to_dict())


def main() -> None:
    """One run of the app: the page config, the navigation, the sidebar, the page."""
    workers.pool()  # with EVIDENCEKIT_APP_WORKERS (evidencekit app sets it): the chart workers start with the app
    st.set_page_config(page_title="evidencekit · Evidence-based policy making for decent work",
                       page_icon=":material/insights:", layout="wide")
    try:
        nav = navigation()
    except Exception as err:  # the course files or the store could not be read: say so, never a traceback
        from evidencekit.errors import EvidenceKitError

        (render.problem if isinstance(err, EvidenceKitError) else render.sorry)(err)
        st.stop()
    just = st.session_state.pop("ek_signin_done", None)  # a sign-in just now: open the page it gives
    target = st.session_state["ek_pages"].get({"participant": "home", "trainer": "trainer"}.get(just or "", ""))
    if target is not None:  # a link to a step followed before signing in is followed now (Home passes it on)
        st.switch_page(target, query_params={k: v for k, v in st.query_params.to_dict().items()
                                             if k in ("module", "step", "mode", "view")})
    render.guarded(frame.sidebar)()
    render.guarded(trainer.sidebar)()
    if trainer.presenting():
        trainer.presentation()
    status = st.container()
    nav.run()
    with status:
        render.guarded(frame.store_status)()
