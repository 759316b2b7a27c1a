"""Trainer mode: the trainer's sidebar (jump to any step with its preset, the presentation view, the checklist
and the class view), the presentation view itself, and the pre-demo checklist.

Trainer mode is asked for with ``?mode=trainer`` or the sidebar switch; the presentation view with
``?view=present`` or its switch. Both are kept in the session and written back to the URL, so a reload keeps
them. On a participant's own machine trainer mode needs no credentials; in a hosted class its tools appear
only once a trainer has signed in (:mod:`ui.auth`).
"""
from __future__ import annotations

import time

import streamlit as st

from ui import auth, context

MODE = "ek_trainer_mode"   # trainer mode asked for (?mode=trainer or the switch): a plain key, not a widget's
PRESENT = "ek_present"     # the presentation view (?view=present or its switch): a plain key too
# (a widget's own key is dropped when a page is switched before it is drawn again; these must survive that)
PRESET = "ek_preset"       # the step whose widgets start from the step's own choices (a preset link)
DPI = {False: 110, True: 170}  # charts: 1100 px wide on a participant's screen, 1700 px in the presentation view


# -- the state: URL <-> session ----------------------------------------------------------------------------
def read_url() -> None:
    """Take ``?mode=trainer`` and ``?view=present`` into the session (once per new session or change of
    URL), and write the session's state back to the URL (pages drop query parameters when they change)."""
    mode, view = st.query_params.get("mode"), st.query_params.get("view")
    if mode == "trainer" and not st.session_state.get(MODE):
        st.session_state[MODE] = True
    if view == "present":
        st.session_state[MODE] = True
        st.session_state[PRESENT] = True
    if not st.session_state.get(MODE):
        st.session_state[PRESENT] = False
    sync_url()


def sync_url() -> None:
    if st.session_state.get(MODE):
        if st.query_params.get("mode") != "trainer":
            st.query_params["mode"] = "trainer"
    elif "mode" in st.query_params:
        del st.query_params["mode"]
    if presenting():
        if st.query_params.get("view") != "present":
            st.query_params["view"] = "present"
    elif "view" in st.query_params:
        del st.query_params["view"]


def wanted() -> bool:
    """Trainer mode was asked for (the switch or the URL), whether or not it may open here."""
    return bool(st.session_state.get(MODE))


def active() -> bool:
    """Trainer mode is on and may be: on this machine always; in a hosted class once a trainer signed in."""
    if not wanted():
        return False
    try:
        return not auth.hosted() or auth.trainer_scope() is not None
    except Exception:  # noqa: BLE001 — a store that cannot be opened is said elsewhere
        return False


def presenting() -> bool:
    """The presentation view is on (only in active trainer mode)."""
    return bool(st.session_state.get(PRESENT)) and active()


def dpi() -> int:
    """The resolution of charts drawn now: higher in the presentation view (large and sharp on a shared screen)."""
    return DPI[presenting()]


def _mode_changed() -> None:
    if not st.session_state.get(MODE):
        st.session_state[PRESENT] = False
    sync_url()


def _switched(widget: str, truth: str, then) -> None:
    st.session_state[truth] = bool(st.session_state.get(widget))
    then()


def switch(label: str, truth: str, then, help: str) -> None:
    """A toggle that shows and sets the plain session value ``truth`` (then calls ``then``)."""
    widget = f"{truth}-switch"
    st.session_state[widget] = bool(st.session_state.get(truth))
    st.toggle(label, key=widget, on_change=_switched, args=(widget, truth, then), help=help)


def start_presentation() -> None:
    st.session_state[PRESENT] = True
    sync_url()


def leave_presentation() -> None:
    st.session_state[PRESENT] = False
    sync_url()


# -- the presentation view --------------------------------------------------------------------------------
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
html { font-size: 23px; }
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-left: 2.5rem; padding-right: 2.5rem;
                                       max-width: 100%; }
h1 { font-size: 2.3rem !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.05rem; }
</style>
"""


def presentation() -> None:
    """The presentation view's frame: large fonts, no sidebar, header or toolbar, and a way back."""
    st.html(CSS)
    with st.container(horizontal=True, horizontal_alignment="right"):
        st.button("Leave the presentation view", key="ek-leave-present", on_click=leave_presentation,
                  icon=":material/close_fullscreen:", type="tertiary")


# -- the sidebar ---------------------------------------------------------------------------------------------
def sidebar() -> None:
    """The trainer switch (on one's own machine, or when trainer mode was asked for) and, in trainer mode,
    the trainer's tools."""
    show_switch = not auth.hosted() or wanted() or auth.trainer_scope() is not None
    if not show_switch:
        return
    with st.sidebar:
        st.divider()
        switch("Trainer mode", MODE, _mode_changed,
               help="Jump to any step with its preset, the presentation view, the pre-demo checklist and the "
                    "class view. Also opened with ?mode=trainer in the address.")
        if not wanted():
            return
        if not active():
            st.caption("In a hosted class, trainer mode needs the trainer's sign-in.")
            st.page_link(page_or_none("signin") or "app_pages/signin.py", label="Sign in as a trainer",
                         icon=":material/key:")
            return
        switch("Presentation view", PRESENT, sync_url,
               help="Large fonts and charts, no sidebar: for sharing your screen. Also ?view=present.")
        jump()
        st.caption("The pre-demo checklist, every step's preset and the class view: the Trainer pages above.")


def page_or_none(url_path: str):
    return (st.session_state.get("ek_pages") or {}).get(url_path)


def part_label(module, part: str) -> str:
    if part == "intro":
        return "Introduction"
    if part == "review":
        return "Review"
    s = module.step(part)
    return f"Step {s.number}: {s.title}"


def preset_link(module_number: int, part: str) -> dict:
    """The query of a preset: the step's deep link, opened with the step's own choices."""
    return {"module": str(module_number), "step": part, "preset": "1"}


def jump() -> None:
    """Jump to any module step with its preset (the step's deep link, opened with its own default choices)."""
    from ui import module as module_ui

    course = context.course()
    numbers = [m.number for m in course.modules]
    st.markdown("**Jump to a step**")
    number = st.selectbox("Module", numbers, key="ek-jump-module",
                          format_func=lambda n: f"{n} · {course.module(n).title}")
    m = course.module(number)
    part = st.selectbox("Part", module_ui.parts(m), key=f"ek-jump-part-{number}",
                        format_func=lambda p: part_label(m, p))
    page = page_or_none(f"module-{number}")
    if page is not None:
        st.page_link(page, label="Open it with its preset", icon=":material/play_circle:",
                     query_params=preset_link(number, part))
    st.caption(f"Link to share: /module-{number}?module={number}&step={part}")


# -- presets ---------------------------------------------------------------------------------------------------
def apply_preset(module, loc) -> None:
    """``?preset=1`` on a module page: the step opens with the step's own choices (what the course file sets),
    not those the participant made last time; the parameter is then dropped from the URL."""
    here = loc.step.key if loc.step is not None else None
    if st.session_state.get(PRESET) not in (None, here):  # another step: its own saved choices again
        del st.session_state[PRESET]
    if "preset" not in st.query_params:
        return
    del st.query_params["preset"]
    if loc.step is None:
        return
    prefix = f"m{module.number}-{loc.step.id}-"
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]
    st.session_state[PRESET] = loc.step.key


def preset_for(step) -> bool:
    """True when ``step`` was just opened from a preset (its widgets start from the step's own choices)."""
    return st.session_state.get(PRESET) == step.key


# -- the pre-demo checklist ------------------------------------------------------------------------------------
CHECK = "ek-checklist"
KEEP_FOR = 60.0  # seconds a checklist is shown before it is made again by itself


def checklist(refresh: bool = False) -> list[dict]:
    """The checks before a live demo, each ``{"name", "ok" (True/False/None: not tried), "text"}``. Kept in
    this session for a minute (ILOSTAT is asked within 5 seconds, never longer)."""
    held = st.session_state.get(CHECK)
    if held and not refresh and time.monotonic() - held[0] < KEEP_FOR:
        return held[1]
    items = [_snapshot_check(), _ilostat_check(), _cache_check(), _store_check(), _course_check()]
    st.session_state[CHECK] = (time.monotonic(), items)
    return items


def _snapshot_check() -> dict:
    import evidencekit as ek

    client = ek.ilostat.default_client()
    snap = client.snapshot()
    if snap is None:
        why = getattr(client, "_snapshot_error", None)
        return {"name": "The embedded ILOSTAT snapshot", "ok": False,
                "text": f"It could not be opened ({why}). Without it, nothing works offline: reinstall evidencekit."}
    import re

    info = snap.info()
    dated = sorted(str(v)[:10] for v in info["vintage"].dropna() if re.match(r"\d{4}-\d{2}-\d{2}", str(v)))
    unknown = len(info) - len(dated)
    span = (f"ILOSTAT releases of {dated[0]} to {dated[-1]}" if dated else "releases not recorded") + \
        (f"; {unknown} without a recorded release" if unknown else "")
    return {"name": "The embedded ILOSTAT snapshot", "ok": True,
            "text": f"Loaded: {snap.snapshot_id}, {len(snap.datasets())} datasets ({span}), "
                    f"{snap.manifest.get('licence', '')}."}


def _ilostat_check() -> dict:
    import evidencekit as ek

    check = ek.ilostat.default_client().check_live(deadline=5)
    if not check.tried:
        return {"name": "Live ILOSTAT", "ok": None, "text": check.message}
    if check.ok:
        return {"name": "Live ILOSTAT", "ok": True, "text": check.message}
    return {"name": "Live ILOSTAT", "ok": False,
            "text": f"{check.message} The demo still works: every chart comes from the local copy or the embedded "
                    "snapshot (and says so). To never wait for the network, start the workbench with "
                    "`evidencekit app --offline`."}


def _cache_check() -> dict:
    import evidencekit as ek
    from evidencekit.ilostat.cache import writable

    folder = ek.ilostat.default_client().settings.cache_dir
    ok, why = writable(folder)
    return {"name": "The ILOSTAT cache folder", "ok": ok,
            "text": f"{folder} can be written." if ok else
            f"{folder} cannot be written ({why}): figures fetched live are not kept for next time (set "
            "EVIDENCEKIT_CACHE_DIR to a folder you can write)."}


def _store_check() -> dict:
    from evidencekit.store import StoreError

    try:
        s = auth.store()
        version = s.schema_version
    except StoreError as err:
        return {"name": "The participants' store", "ok": False, "text": f"{err}"}
    status = s.status()
    kind = "class database (hosted: sign-in needed)" if s.hosted else "progress file on this machine"
    text = f"Reachable: the {kind} {s.where} (schema version {version})."
    if status.message:
        text += " " + status.message
    return {"name": "The participants' store", "ok": not status.pending and not status.failed, "text": text}


def _course_check() -> dict:
    problems = course_problems(context.course_stamp())
    n = len(context.course().modules)
    if not problems:
        return {"name": "What works offline", "ok": True,
                "text": f"All {n} modules: every step's figures and every computed answer come from the embedded "
                        "snapshot and the SYNTHETIC training survey; the evidence board and the brief are kept "
                        + ("in the class database" if auth.hosted() else "on this machine")
                        + ". The Data explorer offline shows the snapshot's indicators only."}
    listed = "; ".join(str(p) for p in problems[:5])
    return {"name": "What works offline", "ok": False,
            "text": f"{len(problems)} part(s) of the course cannot be shown offline: {listed}."}


@st.cache_data(ttl="1h", max_entries=4, show_spinner="Checking every module offline…")
def course_problems(stamp: str) -> list[str]:
    """The course's deep check offline (:func:`evidencekit.course.check.check_course`), once per course files."""
    from evidencekit.course.check import check_course

    return [str(p) for p in check_course(context.course())]
