"""Driving the workbench in a real browser: `evidencekit app` on a free loopback port, and Debian's headless
Chromium through Playwright (never Playwright's own browser download). Used by the browser test and by
``python tests/app/appbrowser.py OUT`` (screenshots of every page at a laptop's width and at full HD, for people
to look at).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from evidencekit.cli.app import stop, wait_until_ready

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def chromium() -> str | None:
    """Debian's chromium (``/usr/bin/chromium``), or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _running(cli: list[str], port: int, log: Path, what: str, **popen):
    """``cli`` started with its output in ``log``; yields (url, process) once ``/_stcore/health`` answers on
    ``port``, and stops it afterwards. Its log is in the error if it does not start."""
    out = open(log, "wb")
    proc = subprocess.Popen(cli, stdout=out, stderr=subprocess.STDOUT, **popen)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_ready(url, proc, timeout=120):
            out.flush()
            raise RuntimeError(f"{what} did not start: " + log.read_text(errors="replace"))
        yield url, proc
    finally:
        stop(proc, timeout=20)
        out.close()


@contextlib.contextmanager
def workbench(folder: Path, env: dict | None = None):
    """`evidencekit app --offline` on a free loopback port, with its own store and cache under ``folder``;
    yields (url, process). The server's log is printed if it does not start."""
    port = free_port()
    environment = {**os.environ, "EVIDENCEKIT_OFFLINE": "1", "EVIDENCEKIT_CACHE_DIR": str(folder / "cache"),
                   "EVIDENCEKIT_DATABASE_URL": f"sqlite:///{folder / 'store.db'}", "XDG_STATE_HOME": str(folder),
                   "EVIDENCEKIT_OUTBOX": str(folder / "outbox.db"),
                   **(env or {})}
    environment.pop("EVIDENCEKIT_ILOSTAT_URL", None)
    cli = [sys.executable, "-m", "evidencekit", "app", "--offline", "--no-browser", "--port", str(port)]
    with _running(cli, port, folder / "launcher.log", "the workbench", env=environment) as running:
        yield running


@contextlib.contextmanager
def served(entry: Path, folder: Path):
    """Any Streamlit entry file served as the workbench is (``python -m evidencekit.cli.server run``) on a free
    loopback port, its log in ``folder / "server.log"``; yields its url. For tests of the server itself on a page
    made to show one behaviour."""
    port = free_port()
    cli = [sys.executable, "-m", "evidencekit.cli.server", "run", str(entry), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with _running(cli, port, folder / "server.log", "the server", cwd=folder) as (url, _):
        yield url


@contextlib.contextmanager
def browser_page(folder: Path, width: int = 1366, height: int = 768):
    """A page of a fresh headless Chromium (new profile under ``folder``), downloads accepted."""
    from playwright.sync_api import sync_playwright

    path = chromium()
    if path is None:
        raise RuntimeError("chromium is not installed (Debian: apt-get install chromium chromium-driver)")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(folder / "profile"), executable_path=path, headless=True,
                                                       args=CHROMIUM_FLAGS, viewport={"width": width, "height": height},
                                                       accept_downloads=True)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            context.close()


def wait_for_app(page) -> None:
    """Connected, and the script finished its run."""
    from playwright.sync_api import expect

    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=90_000)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=90_000)


def settle(page) -> None:
    """Wait until the run a click started has finished (the state attribute may still show the previous run
    for a moment, as Streamlit's own test helpers note: give it that moment, then wait on the attribute)."""
    page.wait_for_timeout(300)
    wait_for_app(page)


PAGES = [("home", ""), ("module-1-intro", "module-1?module=1&step=intro"), ("module-1-step-1", "module-1?module=1&step=1"),
         ("module-1-step-2", "module-1?module=1&step=2"), ("module-1-step-3", "module-1?module=1&step=3"),
         ("module-1-step-4", "module-1?module=1&step=4"), ("module-1-review", "module-1?module=1&step=review"),
         ("module-2-step-2", "module-2?module=2&step=2"), ("module-2-step-3", "module-2?module=2&step=3"),
         ("module-3-step-1", "module-3?module=3&step=1"), ("module-3-step-2", "module-3?module=3&step=2"),
         ("module-3-step-4", "module-3?module=3&step=4"), ("module-4-step-2", "module-4?module=4&step=2"),
         ("module-4-step-3", "module-4?module=4&step=3"), ("module-6-step-4", "module-6?module=6&step=4"),
         ("explorer", "explorer"), ("microdata", "microdata"), ("board", "board"), ("brief", "brief"),
         ("before", "before"), ("after", "after"), ("my-data", "my-data"),
         ("trainer", "trainer?mode=trainer"), ("class", "class?mode=trainer"),
         ("present-module-1-step-1", "module-1?module=1&step=1&mode=trainer&view=present"),
         ("present-module-2-step-3", "module-2?module=2&step=3&mode=trainer&view=present")]
HOSTED_PAGES = [("hosted-signin", ""), ("hosted-signin-trainer", "?mode=trainer")]


def seed(folder: Path) -> None:
    """A participant part-way through the course (for screenshots of a filled board and brief): a chart, an
    estimate and a quotation on the board, made by the app's own views, and a brief draft."""
    os.environ.update({"EVIDENCEKIT_OFFLINE": "1", "EVIDENCEKIT_CACHE_DIR": str(folder / "cache"),
                       "EVIDENCEKIT_DATABASE_URL": f"sqlite:///{folder / 'store.db'}",
                       "EVIDENCEKIT_OUTBOX": str(folder / "outbox.db")})
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "app"))
    from ui import board, brief, views

    from evidencekit.brief import EvidenceBoard
    from evidencekit.course import load_course, quotation
    from evidencekit.store import open_store

    course = load_course()
    made = EvidenceBoard()
    chart = made.add_chart(views.build({"source": "step", "module": 1, "step": "shock-and-recovery"}, course).figure,
                           dpi=110)  # as the app saves charts
    board.add(chart.to_dict(), "Unemployment rate since 2015: the 2020 shock", origin={"seed": 1}, module=1,
              step="shock-and-recovery")
    est = made.add_estimate(views.build({"source": "step", "module": 3, "step": "informality-estimate"}, course).frame)
    board.add(est.to_dict(), "Informal employment by sex (SYNTHETIC training data)", origin={"seed": 2}, module=3)
    q = quotation(course.module(3).step("focus-groups"), "p1")
    quote = made.add_quote(q["payload"]["text"], q["citation"], speaker=q["payload"]["speaker"])
    board.add(quote.to_dict(), "Care duties decide where women work", origin={"seed": 3}, module=3)
    from datetime import date

    from evidencekit import journey

    me = open_store().participant("local")
    journey.save_goals(me, "Read labour statistics critically and brief my minister on youth employment.")
    journey.save_brief_topic(me, "Apprenticeships for young women in the Philippines")
    a = journey.load_assessment()
    journey.submit_assessment(me, a, "pre", {"m1-cause": "a", "m1-above-2019": "0.5", "m2-break": "a"})
    journey.submit_assessment(me, a, "post", {q.id: _right(q) for q in a.questions if q.kind == "single"})
    journey.add_plan(me, "Check the notes and breaks in series before quoting a figure to the minister.",
                     date(2021, 1, 1), today=date(2020, 1, 1))   # due long ago: Home asks what happened
    form = journey.load_feedback_form()
    journey.submit_feedback(me, form, {i.id: 4 for i in form.items if i.kind == "likert"})
    for n, (pid, right) in enumerate((("class-1", 0.3), ("class-2", 0.6), ("class-3", 0.8))):  # for the class view
        other = open_store().participant(pid)
        known = int(len(a.questions) * right)
        journey.submit_assessment(other, a, "pre", {q.id: _right(q) for q in a.questions[: known // 2]})
        journey.submit_assessment(other, a, "post", {q.id: _right(q) for q in a.questions[:known]})
        ratings = {i.id: 2 + (n * k) % 4 for k, i in enumerate(form.items) if i.kind == "likert"}
        comments = {i.id: f"Comment {n + 1} on {i.id}" for i in form.items if i.kind != "likert"}
        journey.submit_feedback(other, form, ratings | comments)
        for m in course.modules[: 2 + n]:
            other.mark(m.number, "intro")
    open_store().participant("local").put_record(*brief.DRAFT, {
        "title": "Jobs after COVID-19", "audience": "Adviser to the Minister of Labour",
        "problem": "Unemployment rose in 2020 in all four countries.", "key_messages": "Compare with 2019 first.",
        "policy_options": "Extend wage subsidies [E1]", "recommendations": "Keep the wage subsidy for youth [E1]",
        "evidence": ["E1", "E2", "E3"]})


def _right(q):
    if q.kind == "numeric":
        return str(q.answer["value"])
    right = [o.id for o in q.options if o.correct]
    return right[0] if q.kind == "single" else right


def screenshots(out: Path, only: str = "", widths=((1366, 768), (1920, 1080))) -> list[Path]:
    """Screenshots of every page at 1366x768 (a laptop) and 1920x1080, with a tall window so the whole page
    shows (the main area scrolls in its own container); the board and the brief with a few items, the journey
    part-way (goals, both assessments, a follow-up plan that has come due); trainer mode, the presentation
    view, and the sign-in page of a hosted class (EVIDENCEKIT_HOSTED=1)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    wanted = [w for w in only.split(",") if w]
    for hosted, pages in ((False, PAGES), (True, HOSTED_PAGES)):
        pages = [(n, p) for n, p in pages if not wanted or any(w in n for w in wanted)]
        if not pages:
            continue
        with tempfile.TemporaryDirectory(prefix="evidencekit-shots-") as tmp:
            if not hosted:
                seed(Path(tmp))
            written += _shots(Path(tmp), out, pages, widths, {"EVIDENCEKIT_HOSTED": "1"} if hosted else None)
    return written


def _shots(tmp: Path, out: Path, pages, widths, env) -> list[Path]:
    written = []
    with workbench(tmp, env) as (url, _):
        for width, height in widths:
            with browser_page(tmp / f"w{width}", width, height) as page:
                for name, path in pages:
                    page.goto(f"{url}/{path}")
                    wait_for_app(page)
                    page.wait_for_timeout(800)
                    first = out / f"{name}-{width}.png"
                    page.screenshot(path=str(first))
                    page.set_viewport_size({"width": width, "height": 4000})
                    page.wait_for_timeout(1500)  # images below the first screen load now
                    wait_for_app(page)
                    full = out / f"{name}-{width}-full.png"
                    page.screenshot(path=str(full))
                    page.set_viewport_size({"width": width, "height": height})
                    written += [first, full]
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    sizes = ((1366, 768),) if "--laptop" in sys.argv else ((1366, 768), (1920, 1080))
    args = [a for a in sys.argv[1:] if a != "--laptop"]
    only = args[1] if len(args) > 1 else ""  # NAME: parts of page names, a,b
    for p in screenshots(Path(args[0]) if args else target, only, sizes):
        print(p)
