"""Benchmark the workbench's pages with AppTest, beside a bare one-chart page measured in the same run
(run by hand: ``python bench/bench_app.py``).

For every page (Home, each step of each module, the Data explorer, the Microdata workbench, the Evidence
board (with three items, and with twenty), the Brief builder):

- **cold**: the first render in a new session with every Streamlit cache emptied (the Python modules are
  already imported, as in a running server; the data are read and the charts drawn again);
- **rerun**: the rerun after the page's own interaction, data served from the cache: in a module step, one of
  the step's choices (countries, breakdown, years…) changed and changed back, so the second figure comes from
  the cache; in a step whose work is a form (reconcile, code passages, write), the form sent again (kept in the
  store); in a step with neither, a hint shown; in a review, an answer to the first question checked again (a
  computed right answer comes from the cache; the attempt is kept in the store, as a participant's is); in the
  explorer, back to a chart type seen before; on the board, an item moved (its new place written); in the brief
  builder, the brief saved again (written); on Home and the introductions, which have nothing to click but
  links to other pages, a rerun of the page (Home twice: as a participant part-way through the course has it,
  and with a follow-up plan come due). Each is timed :data:`TIMES` times in a row and its median kept.

A step's choices sit in the step's panel, and each review question in its own form, each a fragment
(``st.fragment``): in the browser, Streamlit's client asks the server to rerun that fragment only. AppTest 1.67
always reruns the whole script, so the bench replays the click as the browser sends it (the rerun request
carries the fragment's id) — the same request the load bench (``bench_load.py --rerun-vs-bare``) sends over
Streamlit's websocket.

Both run with the app's own settings (``app/.streamlit/config.toml``: magic off, usage statistics off, as
``evidencekit app`` runs it). The peer is a bare page in the same process: one ILOSTAT series read with
``evidencekit.ilostat.get``, drawn with ``evidencekit.charts.line``, shown with ``st.image`` from
``st.cache_data``, and a radio button; its cold render and its rerun after a click are timed the same way.
Ratios are page / bare. Medians of ``--reps`` interleaved repetitions (each repetition runs every case once, so
a load spike hits all alike). A rerun's ratio is paired: the bare page is clicked again after each of the
page's timed reruns, so both are timed in the same few tenths of a second (this machine's speed drifts by a
quarter over the minutes a repetition takes); the ratio of their medians, then the median over repetitions.

Aims (the issue): every page cold under 1.5 s; reruns within 1.3x the bare page's.

**x twin**: each page's rerun is also timed beside its twin (``bench/twin.py``): the elements that rerun drew
(recorded as Streamlit sent them), drawn again by a plain Streamlit script with no evidencekit code, timed the
same way, paired the same way. Page over twin is what the workbench's own code adds to Streamlit's cost of
drawing what the page shows; page over bare page is that and the difference between what the two pages show.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENTRY = REPO / "app" / "streamlit_app.py"

BARE = '''
import io
import streamlit as st
import evidencekit as ek
from evidencekit import charts

@st.cache_data(ttl="1h", max_entries=10)
def picture(area: str) -> bytes:
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area=[area, "THA"], sex="SEX_T",
                        classif1="AGE_YTHADULT_YGE15", start=2015, end=2022, labels=True)
    buf = io.BytesIO()
    charts.line(df).savefig(buf, format="png", dpi=110)
    return buf.getvalue()

st.title("A bare page")
area = st.radio("Area", ["PHL", "IDN"], key="area")
st.image(picture(area), width="stretch")
st.caption("Source: ILOSTAT")
'''


def one_script_cache() -> None:
    """Compile each page file once, as the server does: its runtime keeps one ``ScriptCache`` for every session
    and run (``Runtime._script_cache``), while AppTest 1.67 makes a new one for every run and so compiles every
    page file again on every click (1.3 ms of Home's 8). Applies to the bare page alike."""
    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as lsr
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    shared = ScriptCache()
    app_test.ScriptCache = lsr.ScriptCache = lambda: shared


def clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


RECORDING: dict = {}  # "rec": a twin.Recorder, on during the timed calls only


def timed(fn) -> float:
    rec = RECORDING.get("rec")
    if rec is not None:
        rec.on = True
    t = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t
    if rec is not None:
        rec.on = False
    return seconds


TIMES = 7  # each interaction is timed this many times in a row, and its median kept: one rerun takes a few
           # milliseconds, and AppTest waits for a run in steps of 1 ms


BESIDE: dict = {}  # while a page is timed: "click", the bare page's click, timed after each of the page's; "times"


def settle(fn, before=None) -> float:
    """The median seconds of ``fn`` over :data:`TIMES` calls (``before``, untimed, before each); each call
    followed by the bare page's click when :data:`BESIDE` holds one (its seconds kept there)."""
    out = []
    for _ in range(TIMES):
        if before is not None:
            before()
        out.append(timed(fn))
        if "click" in BESIDE:
            BESIDE["times"].append(BESIDE["click"]())
        if "twin" in BESIDE:
            BESIDE["twin_times"].append(BESIDE["twin"]())
    return statistics.median(out)


def bare_click(at) -> float:
    """One cached click on the bare page, timed: IDN, then PHL again (timed), both drawn before. Run between a
    page's reruns, it runs as a whole-script rerun whatever fragment the page's clicks are sent to."""
    import streamlit.testing.v1.local_script_runner as lsr

    held = lsr.RerunData
    lsr.RerunData = getattr(held, "func", held)  # as_browser's fragment id is the page's, not the bare page's
    try:
        at.radio(key="area").set_value("IDN").run()
        return timed(lambda: at.radio(key="area").set_value("PHL").run())
    finally:
        lsr.RerunData = held


def check(at, name: str) -> None:
    errors = [e for e in at.error if not str(e.value).startswith("Not quite")]  # a wrong answer's feedback is not
    if at.exception or errors:
        raise SystemExit(f"{name}: the page failed: {[e.value for e in (*at.exception, *errors)]}")


def cases(course):
    """(name, open, interact): ``open`` returns a run AppTest (cold); ``interact`` does a cached interaction
    on it and returns the seconds of that rerun."""
    from streamlit.testing.v1 import AppTest

    def app(**query):
        at = AppTest.from_file(str(ENTRY), default_timeout=120)
        for k, v in query.items():
            at.query_params[k] = str(v)
        return at

    def page(path):
        def open_():
            at = app()
            at.run()
            at.switch_page(path).run()
            return at
        return open_

    def rerun(at):
        return settle(at.run)

    out = [("Home", lambda: app().run(), rerun), (PLAN_DUE, lambda: app().run(), rerun)]
    for m in course.modules:
        out.append((f"module {m.number} introduction", lambda n=m.number: app(module=n, step="intro").run(), rerun))
        for s in m.steps:
            out.append((f"module {m.number} step {s.number} ({s.kind})",
                        lambda n=m.number, k=s.number: app(module=n, step=k).run(),
                        functools.partial(choice_again, prefix=f"m{m.number}-{s.id}-")))
        out.append((f"module {m.number} review", lambda n=m.number: app(module=n, step="review").run(),
                    functools.partial(answer_again, module=m)))

    def explorer_again(at):  # the chart type and the view are a fragment inside the explorer's
        with as_browser(fragment_of(at, "shown") or fragment_ids(at)[0]):  # (before 2026-12-02: the outer)
            return settle(lambda: at.segmented_control(key="ex-chart").set_value("line").run(),
                          before=lambda: at.segmented_control(key="ex-chart").set_value("table").run())

    out += [("Data explorer", page("app_pages/explorer.py"), explorer_again),
            ("Microdata workbench", page("app_pages/microdata.py"), functools.partial(choice_again, prefix="md-")),
            ("Evidence board (3 items)", page("app_pages/board.py"), move_again),
            (BOARD_20, page("app_pages/board.py"), move_again),
            ("Brief builder", page("app_pages/brief.py"), submit_again)]
    return out


WORK_BUTTONS = ("Compare with what the figures' metadata say",  # reconcile: the reasons ticked
                "Save my tags and count the themes",             # code passages: the tags
                "Save and check my brief")                       # write, and the brief builder


def submit_again(at, whole: bool = False) -> float:
    """Send the page's work form again (a reconciliation, the tags, the brief): kept in the store and checked,
    as a participant's is. The form is in a fragment (a step's panel, the brief's editor): the click reruns it."""
    buttons = [b for b in at.button if b.form_id and b.proto.label in WORK_BUTTONS]
    if not buttons:
        return hint_again(at, whole)
    key = buttons[0].form_id
    with as_browser(None if whole else (fragment_of(at, "_panel") or fragment_of(at, "editor"))):
        return settle(lambda: [b for b in at.button if b.form_id == key][0].click().run())


def hint_again(at, whole: bool = False) -> float:
    """Show the step's first hint (the hints are a fragment: the click reruns them; before each, untimed, no hint
    is shown again); a page without hints: a rerun of the page."""
    button = next((b for b in at.button if str(b.key or "").startswith("hint-")), None)
    if button is None:
        return settle(at.run)
    key = button.key

    def hidden():  # no hint shown again, and the button drawn again
        at.session_state["hints-" + key.removeprefix("hint-")] = 0
        at.run()
    with as_browser(None if whole else fragment_of(at, "hints")):
        return settle(lambda: at.button(key=key).click().run(), before=hidden)


def move_again(at, whole: bool = False) -> float:
    """Move the board's first item down, then up again (the seconds of moving it up): each move keeps the new
    order in the store, as a participant's does. The items are a fragment: the click reruns them."""
    first = next(b.key for b in at.button if str(b.key or "").startswith("down-"))
    item = first.removeprefix("down-")
    with as_browser(None if whole else fragment_of(at, "items")):
        return settle(lambda: at.button(key=f"up-{item}").click().run(),
                      before=lambda: at.button(key=f"down-{item}").click().run())


def twin_of(interact, at) -> tuple:
    """The page's twin (``bench/twin.py``): one more of the page's interactions, its timed rerun recorded; the
    twin's AppTest run once (cold). Returns (twin, its AppTest) for :func:`twin_click`."""
    import twin as twins

    global TIMES
    held, TIMES = TIMES, 1
    interact(at)  # once unrecorded: after a cold open, a figure the interaction goes back to may not be cached yet
    with twins.Recorder() as rec:
        RECORDING["rec"] = rec
        try:
            interact(at)
        finally:
            RECORDING.clear()
            TIMES = held
    twin = twins.Twin(rec.messages, rec.media)
    tat = twin.app_test()
    tat.run()
    if tat.exception:
        raise SystemExit(f"the twin failed: {[e.value for e in tat.exception]}")
    twin_click(twin, tat)  # its first rerun as the page's, untimed
    with twins.Recorder() as again:
        again.on = True
        twin_click(twin, tat)
    if twins.kinds(again.messages) != twins.kinds(rec.messages):
        raise SystemExit(f"the twin drew {dict(twins.kinds(again.messages))}, its page "
                         f"{dict(twins.kinds(rec.messages))}")
    return twin, tat


def twin_click(twin, tat) -> float:
    return twin.rerun(tat, as_browser)


CHOICES = ("areas", "by", "indicators", "years", "year")  # tried in this order: the first the page offers


def _other(widget):
    """Another value for a choice widget (made from its own values: AppTest shows options only as labels)."""
    value = widget.value
    if isinstance(value, list):  # countries, breakdowns, indicators: one fewer
        return value[:-1] if value else None
    if isinstance(value, tuple):  # a range of years: one year shorter
        return (value[0], value[1] - 1) if value[1] - 1 > value[0] else None
    if isinstance(value, int):  # a year: another year offered
        return next((int(o) for o in widget.options if str(o).isdigit() and int(o) != value), None)
    return None


def choice_again(at, prefix: str, whole: bool = False) -> float:
    """Change the step's first choice (``prefix``: its widgets' key prefix) to another value and back; the
    seconds of changing it back (the figures come from the cache). A step with no choice: a rerun."""
    widgets = {w.key: w for kind in ("radio", "selectbox", "multiselect", "select_slider")
               for w in getattr(at, kind) if str(w.key or "").startswith(prefix)}
    widget = next((widgets[prefix + c] for c in CHOICES if prefix + c in widgets), None)
    if widget is None:  # a step whose work is a form (reconcile, code passages, write), or nothing to change
        return submit_again(at, whole)
    other, back = _other(widget), widget.value
    if other is None:
        return settle(at.run)
    frag = None if whole else fragment_ids(at)[0]  # a step's panel, the workbench's estimates: drawn first
    key = widget.key
    with as_browser(frag):
        return settle(lambda: _set(at, key, back).run(), before=lambda: _set(at, key, other).run())


def answer_again(at, module, whole: bool = False) -> float:
    """Check an answer to the review's first question, again and again (the right answer of a computed question
    comes from the cache; each check is kept in the store, as a participant's is). Each question is a fragment:
    the click reruns that question only, as in the browser."""
    q = module.questions[0]
    key = f"q-{module.number}-{q.id}"
    if q.kind == "single":
        at.radio(key=key + "-answer").set_value(q.options[0].id)
    elif q.kind == "multiple":
        at.checkbox(key=f"{key}-answer-{q.options[0].id}").check()
    else:
        at.text_input(key=key + "-answer").input("1")
    frag = None if whole else fragment_of(at, "_question")  # the first question: drawn first

    def check():
        [b for b in at.button if b.form_id == key][0].click().run()
    with as_browser(frag):
        return settle(check)


def _set(at, key, value):
    for kind in ("radio", "selectbox", "multiselect", "select_slider"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return found[0].set_value(value)
    raise SystemExit(f"the choice {key} is no longer on the page")


def fresh_store(seeded: Path, target: Path) -> None:
    """Each case starts from the seeded participant (``EVIDENCEKIT_DATABASE_URL`` pointed at a copy): a
    review's checked answers, a step's choices are not carried into the next case (after 5 repetitions of
    6 reviews the one participant would hold 200 attempts, which a participant never does)."""
    import sqlite3

    with sqlite3.connect(seeded) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    os.environ["EVIDENCEKIT_DATABASE_URL"] = f"sqlite:///{target}"


def _help():
    sys.path.insert(0, str(REPO / "tests" / "app"))
    import apphelp

    return apphelp


def fragment_ids(at) -> list[str]:
    return _help().fragment_ids(at)


def fragment_of(at, name: str) -> str | None:
    return _help().fragment_of(at, name)


def as_browser(fragment_id: str | None):
    """Reruns inside this block as the browser asks for them (tests/app/apphelp.py)."""
    return _help().as_browser(fragment_id)


PLAN_DUE = "Home (a follow-up plan due)"  # the case that starts from the store with the plan still due
BOARD_20 = "Evidence board (20 items)"     # and the one that starts from a board of twenty items
STORES = {PLAN_DUE: "store-plan-due.db", BOARD_20: "store-board-20.db"}  # every other case: store.db


def seed() -> None:
    """Three items on the board and a brief draft, as a participant part-way through the course has; the
    screenshots' seed (tests/app/appbrowser.py) also makes a follow-up plan that has come due, which Home then
    asks about (a form of twelve elements). A participant part-way has none due: every case but
    :data:`PLAN_DUE` starts with the plan asked about again in 2100 (a copy with it due: ``store-plan-due.db``)."""
    import sqlite3
    from datetime import date

    sys.path.insert(0, str(REPO / "tests" / "app"))
    from appbrowser import seed as fill

    from evidencekit import journey
    from evidencekit.store import open_store

    folder = Path(os.environ["EVIDENCEKIT_BENCH_DIR"])
    fill(folder)
    with sqlite3.connect(folder / "store.db") as src, sqlite3.connect(folder / "store-plan-due.db") as dst:
        src.backup(dst)
    me = open_store().participant("local")
    for plan in journey.plans(me.records("followup")):
        journey.postpone(me, plan["id"], date(2100, 1, 1))
    with sqlite3.connect(folder / "store.db") as src, sqlite3.connect(folder / STORES[BOARD_20]) as dst:
        src.backup(dst)
    many = open_store(f"sqlite:///{folder / STORES[BOARD_20]}").participant("local")
    rows = many.board()
    for n in range(len(rows) + 1, 21):  # a participant at the end of the course: the three, again and again
        row = rows[n % len(rows)]
        evidence = {**row["payload"]["evidence"], "id": f"E{n}"}
        many.add_to_board({"kind": row["kind"], "title": f"{row['title']} ({n})", "citation": row["citation"],
                           "module": row.get("module"), "payload": {**row["payload"], "evidence": evidence}})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", default="", help="only pages whose name contains this text")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="evidencekit-bench-app-"))
    os.environ.update({"EVIDENCEKIT_OFFLINE": "1", "EVIDENCEKIT_CACHE_DIR": str(tmp / "cache"),
                       "EVIDENCEKIT_DATABASE_URL": f"sqlite:///{tmp / 'store.db'}", "EVIDENCEKIT_BENCH_DIR": str(tmp)})
    import tomllib

    import streamlit.config
    from streamlit.testing.v1 import AppTest

    from evidencekit.course import load_course

    # the app's own settings, as `evidencekit app` runs it (AppTest reads only ./.streamlit/config.toml)
    settings = tomllib.loads((ENTRY.parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    for section, values in settings.items():
        for key, value in values.items():
            if section in ("runner", "client", "browser"):
                streamlit.config.set_option(f"{section}.{key}", value)
    one_script_cache()
    seed()
    course = load_course()
    todo = [c for c in cases(course) if args.only.lower() in c[0].lower()]
    bare_file = tmp / "bare.py"
    bare_file.write_text(BARE, encoding="utf-8")

    def bare_open():
        at = AppTest.from_file(str(bare_file), default_timeout=120)
        at.run()
        return at

    def bare_rerun(at):  # IDN (drawn once, cold), then PHL again: from the cache
        return settle(lambda: at.radio(key="area").set_value("PHL").run(),
                      before=lambda: at.radio(key="area").set_value("IDN").run())

    # warm-up: imports, the snapshot's first reads, matplotlib's fonts
    clear()
    bare_rerun(bare_open())
    app_warm = AppTest.from_file(str(ENTRY), default_timeout=120)
    app_warm.run()
    results: dict[str, dict[str, list[float]]] = {}
    seeded = tmp / "store.db"
    for rep in range(args.reps):
        bare_at = None
        for i, (name, open_, interact) in enumerate([("bare one-chart page", bare_open, bare_rerun), *todo]):
            fresh_store(tmp / STORES[name] if name in STORES else seeded, tmp / f"store-{rep}-{i}.db")
            clear()
            holder = {}
            cold = timed(lambda: holder.setdefault("at", open_()))
            at = holder["at"]
            check(at, name)
            if bare_at is None:  # the bare page, first in each repetition: its AppTest clicks beside the others
                bare_at = at
                warm = beside = same = interact(at)
            else:
                bare_click(bare_at)  # its two figures drawn again (the caches were emptied for this page's cold)
                twin = twin_of(interact, at)
                BESIDE.update(click=functools.partial(bare_click, bare_at), times=[],
                              twin=functools.partial(twin_click, *twin), twin_times=[])
                try:
                    warm = interact(at)
                finally:
                    beside = statistics.median(BESIDE["times"]) if BESIDE.get("times") else float("nan")
                    same = statistics.median(BESIDE["twin_times"]) if BESIDE.get("twin_times") else float("nan")
                    BESIDE.clear()
            check(at, name)
            results.setdefault(name, {"cold": [], "rerun": [], "ratio": [], "twin": [], "twin_ms": []})
            results[name]["cold"].append(cold)
            results[name]["rerun"].append(warm)
            results[name]["ratio"].append(warm / beside)
            results[name]["twin"].append(warm / same)
            results[name]["twin_ms"].append(same)
        print(f"repetition {rep + 1} of {args.reps} done", file=sys.stderr, flush=True)
    med = {n: {k: statistics.median(v) for k, v in r.items()} for n, r in results.items()}
    bare = med["bare one-chart page"]
    print(f"{'page':44} {'cold s':>8} {'x bare':>7} {'rerun ms':>9} {'x bare':>7} {'twin ms':>8} {'x twin':>7}"
          f"  aims: cold < 1.5 s, rerun <= 1.3x")
    missed = []
    for name, m in med.items():
        rc, rr = m["cold"] / bare["cold"], m["ratio"]
        twin = f"{1000 * m['twin_ms']:8.1f} {m['twin']:7.2f}" if name != "bare one-chart page" else f"{'':8} {'':7}"
        flag = []
        if name != "bare one-chart page":
            if m["cold"] >= 1.5:
                flag.append("cold")
            if rr > 1.3:
                flag.append("rerun")
        if flag:
            missed.append(name)
        print(f"{name:44} {m['cold']:8.2f} {rc:7.1f} {1000 * m['rerun']:9.1f} {rr:7.2f} {twin}  {' '.join(flag)}")
    print(f"\n{len(med) - 1} pages; {len(missed)} miss an aim." + (f" ({', '.join(missed)})" if missed else ""))
    over = [n for n, m in med.items() if n != "bare one-chart page" and m["twin"] > 1.3]
    print(f"x twin: the page's rerun over its twin's (the same elements drawn by plain Streamlit, bench/twin.py); "
          f"{len(med) - 1 - len(over)} of {len(med) - 1} within 1.3x" + (f" (over: {', '.join(over)})" if over else ""))
    print(f"load average: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
