"""Load: simultaneous participants on one ``evidencekit app`` process, driven over Streamlit's own protocol.

Each simulated participant is one browser tab as Streamlit's frontend speaks to the server: a websocket at
``/_stcore/stream`` (subprotocol ``streamlit``) carrying protobuf messages that ship with Streamlit
(``streamlit.proto``). The tab sends a ``BackMsg`` ``rerun_script`` whose ``ClientState`` holds the URL's query
string, the page, the values of every widget on the page (as the 1.67 frontend sends them: options by their
shown label) and, for a widget inside a fragment, the fragment's id; the server answers with ``ForwardMsg``s —
``new_session`` (a run starts), ``delta`` (an element at a path), ``page_info_changed`` (the URL's query),
``script_finished``. Messages the server marks cacheable are kept, their hashes sent back and ``ref_hash``
answers read from the copy, as the frontend does. The encoding was first compared with the frames a headless
Chromium session sends (logged with Playwright); every run checks it again, since the chart, its table and the
feedback must show the choices and the answer the participant sent.

What one participant does, ``--rounds`` times (each round with other choices):

1. **open** ``/?module=1&step=2`` (a deep link to Home, which switches to module 1, step 2: two runs);
2. **chart**: choose its own countries in the step's multiselect (a fragment rerun: the chart is drawn again),
   then **chart** again: choose its own sex;
3. **page**: the Review part of the module (a full rerun);
4. **answer**: type its own answer to the numeric review question (``mys-rise``, computed from the data) and
   submit the form.

Latency is measured from sending the ``BackMsg`` to the ``script_finished`` of the run it caused (the
deep link: to the end of the second run), plus the chart image's HTTP GET (``image``), as a browser fetches it.
After every step the participant checks what it was sent: no exception element and no error message; the
chart's alt text names exactly its own countries and sex, the table under it holds exactly its countries;
the review's feedback quotes its own answer (``your answer 12.3``) or says ``Right.`` to the participant who
typed the right value — so a participant shown another's choices or answer is counted as a *leak*.

On a local install every browser tab is the same participant in the store (``ui/context.participant_id`` is
``local``); what is per tab is the Streamlit session: its widgets, its charts, its feedback. Those are what
is checked here.

Run (starts its own ``evidencekit app --offline --no-browser`` on a free loopback port with a throw-away
cache and SQLite store, samples the server's RSS from ``/proc``)::

    python bench/bench_load.py                          # 30 participants, 2 rounds, think time 1-3 s
    python bench/bench_load.py --participants 30 --think 0 --together     # every click at the same moment
    python bench/bench_load.py --url http://127.0.0.1:8501                # an app already running

``--distinct K``: the participants share K choices of countries and sex (a class following the trainer)
instead of each its own (every chart then new to the server).

Bounded: ``--time-limit`` (wall clock, default 300 s) and ``--max-interactions``; a participant that runs out
of either stops where it is. Exit status 1 when any error or leak was seen.

**A cached rerun in the browser's terms** (``--rerun-vs-bare``): one participant, no load, on the workbench and,
on a second server started by the same command line (``evidencekit.cli.app.command``: the same server, the same
settings), ``bench/bench_app.py``'s bare page. In the workbench: module 1 step 2, the step's countries switched
between two choices already drawn (the step's panel reruns alone: a fragment, the chart from the cache); the
review's numeric question checked again (its fragment; the attempt written); the module's introduction and Home
run again as they are (whole pages). After each, the bare page's radio switched between its two cached areas
(a whole-script rerun of a 4-element page). ``--reps`` interleaved repetitions, medians, timed from the
``BackMsg`` to the ``script_finished``::

    python bench/bench_load.py --rerun-vs-bare --reps 41
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from evidencekit.cli.app import command, stop, wait_until_ready

ROOT = Path(__file__).resolve().parents[1]

# Areas with figures for SDG_0852_SEX_AGE_RT_A (15+, both sexes) in the embedded snapshot: each participant
# chooses its own three of them.
POOL = ["Brunei Darussalam", "Cambodia", "Indonesia", "Malaysia", "Myanmar", "Philippines", "Singapore",
        "Thailand", "Timor-Leste", "Viet Nam"]
SEXES = ["Total", "Women", "Men"]
STEP = {"module": 1, "step": 2, "areas": "m1-shock-and-recovery-areas", "sex": "m1-shock-and-recovery-sex",
        "part": "m1-part", "question": "mys-rise"}
KINDS = ("open", "chart", "page", "answer", "image")
CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False,
           "color_scheme": "light"}


class ProtocolError(Exception):
    """The server said or did something a participant should never see (an exception, an error, no answer)."""


# -- one browser tab ----------------------------------------------------------------------------------------
@dataclass
class Node:
    element: object  # streamlit.proto.Element_pb2.Element, or a Block for containers
    kind: str        # the element's type ("multiselect", "imgs", "alert", …) or "block"
    run: str         # the run that sent it
    fragment: str    # the fragment it belongs to ("" outside any)


class Tab:
    """One browser tab speaking Streamlit's protocol: ``await tab.open(query)``, ``await tab.set(key, value)``,
    ``await tab.submit(form)``. Each returns the seconds from the ``BackMsg`` to the run's ``script_finished``."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.nodes: dict[tuple, Node] = {}
        self.values: dict[str, object] = {}      # widget id -> WidgetState (what the page holds)
        self.cache: dict[str, tuple[object, int]] = {}  # message hash -> (ForwardMsg, full run number)
        self.query_string = ""
        self.page_hash = ""
        self.page_name = ""  # the URL path opened, until the server says which page that is
        self.run_id = ""
        self.run_fragments: tuple[str, ...] = ()
        self.full_runs = 0
        self.max_cache_age = 2
        self.finished: asyncio.Queue = asyncio.Queue()
        self.session_id = ""
        self.bytes_in = 0

    # connection ----------------------------------------------------------------------------------------
    async def connect(self) -> None:
        import websockets

        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout)
        self.reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async for frame in self.ws:
                self.bytes_in += len(frame)
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                self._receive(msg)
        except Exception as err:  # the connection dropped: whoever waits is told
            await self.finished.put(("closed", repr(err)))
        else:
            await self.finished.put(("closed", "the server closed the connection"))

    def _receive(self, msg) -> None:
        if msg.WhichOneof("type") == "ref_hash":
            held = self.cache.get(msg.ref_hash)
            if held is None:
                self.finished.put_nowait(("error", f"the server referred to a message this tab never had "
                                                   f"({msg.ref_hash})"))
                return
            full = type(msg)()
            full.CopyFrom(held[0])
            full.metadata.CopyFrom(msg.metadata)
            self.cache[msg.ref_hash] = (held[0], self.full_runs)
            msg = full
        elif msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = (msg, self.full_runs)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.run_id = msg.metadata.run.script_run_id
            self.run_fragments = tuple(msg.metadata.run.fragment_ids)
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            if not self.run_fragments:
                self.full_runs += 1
        elif kind == "navigation":  # the page the browser is on, as Chromium takes it (a page named by URL)
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "delta":
            self._delta(msg)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            self._finished(msg.script_finished)
        elif kind in ("page_not_found", "parent_message", "auth_redirect"):
            self.finished.put_nowait(("error", f"the server sent {kind}"))

    def _delta(self, msg) -> None:
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        which = delta.WhichOneof("type")
        if which == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type") or ""
            self.nodes[path] = Node(element, kind, self.run_id, delta.fragment_id)
            widget = getattr(element, kind, None) if kind else None
            wid = getattr(widget, "id", "") if widget is not None else ""
            if wid and (getattr(widget, "set_value", False) or wid not in self.values):
                state = initial_state(kind, widget)
                if state is not None:
                    self.values[wid] = state
        elif which == "add_block":
            self.nodes[path] = Node(delta.add_block, "block", self.run_id, delta.fragment_id)

    def _finished(self, status: int) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return  # another run follows (a page switch, st.rerun, or a newer click)
        if self.run_fragments:  # a fragment run replaces that fragment's elements only
            stale = [p for p, n in self.nodes.items() if n.fragment in self.run_fragments and n.run != self.run_id]
        else:
            stale = [p for p, n in self.nodes.items() if n.run != self.run_id]
        for p in stale:
            del self.nodes[p]
        live = {getattr(getattr(n.element, n.kind), "id", "") for n in self.nodes.values() if n.kind != "block"}
        for wid in [w for w in self.values if w not in live]:
            del self.values[wid]
        for h in [h for h, (_, age) in self.cache.items() if self.full_runs - age > self.max_cache_age]:
            del self.cache[h]
        self.finished.put_nowait(("finished", status))

    # interactions -------------------------------------------------------------------------------------
    async def open(self, query: str, page: str = "") -> float:
        """Open the app's address ``/page?query`` (a new tab, or the same tab typing a new address; ``page``: a
        page's URL path, such as ``board``; none: the first page)."""
        if self.ws is None:
            await self.connect()
        self.query_string, self.page_hash, self.page_name = query, "", page
        return await self._rerun(widgets=False)

    async def again(self) -> float:
        """Run the page shown again, as it is (its page, its address, its widgets' values): a whole-page rerun."""
        return await self._rerun()

    async def set(self, key: str, value) -> float | None:
        """Set the widget whose key is ``key`` to ``value`` (a shown label, a list of them, text, a bool); a
        widget inside a form is only staged (returns None), any other reruns (its fragment only, when in one)."""
        node, widget = self.widget(key)
        self.values[widget.id] = state_of(node.kind, widget.id, value)
        if widget.form_id:
            return None
        return await self._rerun(fragment=node.fragment)

    async def submit(self, form_id: str) -> float:
        """Press the submit button of the form ``form_id``."""
        for node in self.nodes.values():
            if node.kind == "button" and node.element.button.is_form_submitter and \
                    node.element.button.form_id == form_id:
                return await self._rerun(trigger=node.element.button.id, fragment=node.fragment)
        raise ProtocolError(f"no submit button in the form {form_id!r}")

    async def _rerun(self, *, widgets: bool = True, trigger: str | None = None, fragment: str = "") -> float:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = self.page_hash
        if not self.page_hash:
            cs.page_name = self.page_name
        if widgets:
            for state in self.values.values():
                cs.widget_states.widgets.append(state)
        else:
            cs.widget_states.SetInParent()
        if trigger:
            t = WidgetState(id=trigger, trigger_value=True)
            cs.widget_states.widgets.append(t)
        if fragment:
            cs.fragment_id = fragment
        for k, v in CONTEXT.items():
            setattr(cs.context_info, k, v)
        cs.context_info.url = f"{self.base}/"
        cs.cached_message_hashes.extend(self.cache)
        while not self.finished.empty():  # nothing left over from an earlier run may end this one
            self.finished.get_nowait()
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            kind, detail = await asyncio.wait_for(self.finished.get(), self.timeout)
        except asyncio.TimeoutError:
            raise ProtocolError(f"no answer in {self.timeout:.0f} s") from None
        elapsed = time.perf_counter() - start
        if kind != "finished":
            raise ProtocolError(detail)
        if detail == 1:  # FINISHED_WITH_COMPILE_ERROR
            raise ProtocolError("the page did not compile")
        self.check_page()
        return elapsed

    # what the tab shows -------------------------------------------------------------------------------
    def elements(self, kind: str) -> list:
        """The elements of one type on the page, in page order."""
        return [getattr(n.element, kind) for p, n in sorted(self.nodes.items()) if n.kind == kind]

    def widget(self, key: str):
        for node in self.nodes.values():
            if node.kind in ("block", ""):
                continue
            wid = getattr(getattr(node.element, node.kind), "id", "")
            if wid.endswith("-" + key):
                return node, getattr(node.element, node.kind)
        raise ProtocolError(f"no widget {key!r} on the page")

    def alerts(self) -> list[tuple[str, str]]:
        from streamlit.proto.Alert_pb2 import Alert

        return [(Alert.Format.Name(a.format), a.body) for a in self.elements("alert")]

    def check_page(self) -> None:
        """No exception element, no error message (the app's plain errors and apologies are errors here)."""
        for e in self.elements("exception"):
            raise ProtocolError(f"exception on the page: {e.type}: {e.message[:200]}")
        for fmt, body in self.alerts():
            if fmt == "ERROR" and not body.startswith("Not quite"):
                raise ProtocolError(f"error on the page: {body[:200]}")

    def after_block(self, form_id: str) -> list:
        """The elements drawn right after the form ``form_id`` (its feedback), up to the next block."""
        paths = sorted(self.nodes)
        start = next((p for p in paths if self.nodes[p].kind == "block" and
                      self.nodes[p].element.WhichOneof("type") == "form" and
                      self.nodes[p].element.form.form_id == form_id), None)
        if start is None:
            raise ProtocolError(f"no form {form_id!r} on the page")
        out = []
        for p in paths:
            if len(p) == len(start) and p[:-1] == start[:-1] and p[-1] > start[-1]:
                if self.nodes[p].kind == "block":
                    break
                out.append(self.nodes[p])
        return out


def initial_state(kind: str, w):
    """The value a widget starts with on the page, as the frontend would send it back (None: no state)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    s = WidgetState(id=w.id)
    if kind == "multiselect":
        s.string_array_value.data.extend(list(w.raw_values) if w.set_value else [w.options[i] for i in w.default])
    elif kind in ("radio", "selectbox"):
        if w.set_value and w.HasField("raw_value"):
            s.string_value = w.raw_value
        elif w.HasField("default") and 0 <= w.default < len(w.options):
            s.string_value = w.options[w.default]
    elif kind == "button_group":
        s.string_array_value.data.extend(list(w.raw_values) if w.set_value
                                         else [w.options[i].content for i in w.default])
    elif kind in ("text_input", "text_area"):
        s.string_value = w.value if w.set_value else w.default
    elif kind == "checkbox":
        s.bool_value = w.value if w.set_value else w.default
    else:  # buttons, downloads, links: no state until clicked; other inputs are not driven here
        return None
    return s


def state_of(kind: str, wid: str, value):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    s = WidgetState(id=wid)
    if kind in ("multiselect", "button_group"):
        s.string_array_value.data.extend([str(v) for v in (value if isinstance(value, (list, tuple)) else [value])])
    elif kind == "checkbox":
        s.bool_value = bool(value)
    else:
        s.string_value = str(value)
    return s


def fetch(url: str, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return len(r.read())


# -- one participant ------------------------------------------------------------------------------------------
@dataclass
class Result:
    latencies: dict = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: list = field(default_factory=list)
    leaks: list = field(default_factory=list)
    interactions: int = 0
    rounds_done: int = 0
    bytes_in: int = 0


@dataclass
class Plan:
    participants: int = 30
    rounds: int = 2
    think: tuple = (1.0, 3.0)
    together: bool = False
    time_limit: float = 300.0
    max_interactions: int = 10_000
    timeout: float = 60.0
    seed: int = 2026
    distinct: int = 0   # 0: every participant chooses its own countries; k: they share k choices (a class)


COMBOS = list(itertools.combinations(POOL, 3))


def choices(i: int, r: int, n: int) -> tuple[list[str], str]:
    """Participant ``i``'s countries and sex in round ``r``: no two participants of a round share both."""
    combo = COMBOS[(i * 7 + r * n * 7) % len(COMBOS)]
    return list(combo), SEXES[(i + r) % len(SEXES)]


def answer(i: int, r: int, right: float) -> str:
    """Every fifth participant types the right value; the others a wrong one of their own (quoted back)."""
    if (i + r) % 5 == 0:
        return f"{right:.1f}"
    return f"{10 + i + r / 10:.1f}"


async def participant(i: int, base: str, plan: Plan, right: float, out: Result, stop_at: float,
                      gate: asyncio.Barrier | None) -> None:
    rng = random.Random(plan.seed * 1000 + i)
    tab = Tab(base, plan.timeout)

    async def act(kind: str, coro):
        if out.interactions >= plan.max_interactions or time.monotonic() >= stop_at:
            coro.close()
            raise TimeoutError
        if gate is not None:
            await gate.wait()
        elif plan.think[1] > 0:
            await asyncio.sleep(rng.uniform(*plan.think))
        out.interactions += 1
        elapsed = await coro
        if elapsed is not None:
            out.latencies[kind].append(elapsed)
        return elapsed

    try:
        for r in range(plan.rounds):
            areas, sex = choices(i % plan.distinct if plan.distinct else i, r, plan.participants)
            await act("open", tab.open(f"module={STEP['module']}&step={STEP['step']}"))
            if tab.page_hash == "" or "step=2" not in tab.query_string:
                raise ProtocolError(f"the deep link did not open the step (URL query {tab.query_string!r})")
            await act("chart", tab.set(STEP["areas"], areas))
            check_chart(tab, areas, None, out, i)  # the sex is still the one the tab started with
            await act("chart", tab.set(STEP["sex"], sex))
            check_chart(tab, areas, sex, out, i)
            for img in tab.elements("imgs"):
                for one in img.imgs:
                    t0 = time.perf_counter()
                    await asyncio.to_thread(fetch, base + "/" + one.url.lstrip("/"), plan.timeout)
                    out.latencies["image"].append(time.perf_counter() - t0)
            await act("page", tab.set(STEP["part"], "Review"))
            if "step=review" not in tab.query_string:
                raise ProtocolError(f"the review did not open (URL query {tab.query_string!r})")
            typed = answer(i, r, right)
            await tab.set(f"q-{STEP['module']}-{STEP['question']}-answer", typed)
            await act("answer", tab.submit(f"q-{STEP['module']}-{STEP['question']}"))
            check_feedback(tab, typed, right, out, i)
            out.rounds_done += 1
    except TimeoutError:
        pass
    except ProtocolError as err:
        out.errors.append(f"participant {i}: {err}")
    except Exception as err:  # noqa: BLE001 — a broken connection is an error of the run, not of the driver
        out.errors.append(f"participant {i}: {type(err).__name__}: {err}")
    finally:
        out.bytes_in += tab.bytes_in
        await tab.close()


def check_chart(tab: Tab, areas: list[str], sex: str | None, out: Result, i: int) -> None:
    """The chart's alt text names exactly this participant's countries (and its sex); the table under it holds
    exactly its countries."""
    import pyarrow as pa

    imgs = [one for img in tab.elements("imgs") for one in img.imgs]
    if not imgs:
        raise ProtocolError("no chart on the page")
    alt = imgs[0].alt
    named = {a for a in POOL if a in alt}
    if named != set(areas):
        out.leaks.append(f"participant {i} chose {sorted(areas)} but its chart names {sorted(named)}")
    if sex in ("Women", "Men") and f", {sex.lower()} (" not in alt:
        out.leaks.append(f"participant {i} chose {sex} but its chart says: {alt[:90]}")
    if sex == "Total" and (", women (" in alt or ", men (" in alt):
        out.leaks.append(f"participant {i} chose both sexes but its chart says: {alt[:90]}")
    tables = tab.elements("dataframe")
    if not tables:
        raise ProtocolError("no table under the chart")
    with pa.ipc.open_stream(tables[0].arrow_data.data) as reader:
        table = reader.read_all()
    if "Area" not in table.column_names:
        raise ProtocolError(f"the table under the chart has no Area column ({table.column_names})")
    shown = set(table.column("Area").to_pylist())
    if shown != set(areas):
        out.leaks.append(f"participant {i} chose {sorted(areas)} but its table shows {sorted(shown)}")


def check_feedback(tab: Tab, typed: str, right: float, out: Result, i: int) -> None:
    """The feedback right after the question's form answers this participant's own answer."""
    from streamlit.proto.Alert_pb2 import Alert

    form = f"q-{STEP['module']}-{STEP['question']}"
    alerts = [n.element.alert for n in tab.after_block(form) if n.kind == "alert"]
    if not alerts:
        raise ProtocolError("no feedback after the answer")
    fmt, body = Alert.Format.Name(alerts[0].format), alerts[0].body
    is_right = abs(float(typed) - right) <= 0.1 + 1e-9
    if is_right and not (fmt == "SUCCESS" and body.startswith("Right.")):
        out.leaks.append(f"participant {i} typed the right {typed} but was told: {body[:80]}")
    if not is_right and f"your answer {typed} " not in body:
        out.leaks.append(f"participant {i} typed {typed} but was told: {body[:80]}")


# -- the server ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def workbench(folder: Path):
    """``evidencekit app --offline --no-browser`` on a free loopback port, its own cache and SQLite store under
    ``folder``; yields (url, pid of the Streamlit server process)."""
    port = free_port()
    env = {**os.environ, "EVIDENCEKIT_OFFLINE": "1", "EVIDENCEKIT_CACHE_DIR": str(folder / "cache"),
           "EVIDENCEKIT_DATABASE_URL": f"sqlite:///{folder / 'store.db'}", "XDG_STATE_HOME": str(folder)}
    env.pop("EVIDENCEKIT_ILOSTAT_URL", None)
    log = open(folder / "launcher.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "evidencekit", "app", "--offline", "--no-browser", "--port",
                             str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_ready(url, proc, timeout=120):
            log.flush()
            raise RuntimeError("the workbench did not start: "
                               + (folder / "launcher.log").read_text(errors="replace")[-2000:])
        yield url, server_pid(proc.pid)
    finally:
        stop(proc, timeout=20)
        log.close()


def server_pid(launcher: int) -> int:
    """The Streamlit process the launcher started (its child), else the launcher itself."""
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{launcher}/task/{launcher}/children").read_text().split()
        if children:
            return int(children[0])
    return launcher


def pid_listening(port: int) -> int | None:
    """The process listening on a loopback port (for ``--url``), from /proc (Linux); None when not found."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                f = line.split()
                if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "0A":
                    inodes.add(f[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(proc.name)
    return None


class Sampler:
    """The server's resident memory (``VmRSS``) and CPU time, sampled from /proc every ``every`` seconds."""

    def __init__(self, pid: int | None, every: float = 0.2) -> None:
        self.pid, self.every = pid, every
        self.rss: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.cpu_start = self.cpu()

    def rss_now(self) -> int | None:
        if self.pid is None:
            return None
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return None

    def cpu(self) -> float | None:
        if self.pid is None:
            return None
        with contextlib.suppress(OSError):
            f = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            v = self.rss_now()
            if v is not None:
                self.rss.append(v)
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# -- a run ---------------------------------------------------------------------------------------------------
@dataclass
class Report:
    plan: Plan
    results: list
    wall: float
    rss_before: int | None
    rss_peak: int | None
    rss_after: int | None
    server_cpu: float | None
    driver_cpu: float
    load_before: tuple
    load_after: tuple

    @property
    def errors(self) -> list[str]:
        return [e for r in self.results for e in r.errors]

    @property
    def leaks(self) -> list[str]:
        return [e for r in self.results for e in r.leaks]

    def latencies(self, kind: str) -> list[float]:
        return [x for r in self.results for x in r.latencies[kind]]

    @property
    def interactions(self) -> int:
        return sum(r.interactions for r in self.results)

    def table(self) -> str:
        mb = lambda b: "?" if b is None else f"{b / 2**20:.0f} MB"  # noqa: E731
        p = self.plan
        lines = [f"{p.participants} participants x {p.rounds} rounds, think {p.think[0]:g}-{p.think[1]:g} s"
                 f"{f', {p.distinct} distinct choices' if p.distinct else ', each its own choices'}"
                 f"{', all together' if p.together else ''}; {self.interactions} interactions in {self.wall:.1f} s; "
                 f"rounds completed {sum(r.rounds_done for r in self.results)} of {p.participants * p.rounds}",
                 "", f"{'interaction':<10}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}"]
        every = []
        for kind in KINDS:
            xs = sorted(self.latencies(kind))
            if kind != "image":
                every += xs
            if xs:
                lines.append(f"{kind:<10}{len(xs):>6}{pct(xs, 50) * 1e3:>10.0f}{pct(xs, 95) * 1e3:>10.0f}"
                             f"{xs[-1] * 1e3:>10.0f}")
        every.sort()
        if every:
            lines.append(f"{'all clicks':<10}{len(every):>6}{pct(every, 50) * 1e3:>10.0f}"
                         f"{pct(every, 95) * 1e3:>10.0f}{every[-1] * 1e3:>10.0f}")
        lines += ["", f"errors {len(self.errors)}, leaks {len(self.leaks)}",
                  f"server RSS: before {mb(self.rss_before)}, peak {mb(self.rss_peak)}, after {mb(self.rss_after)}; "
                  f"server CPU {self.server_cpu:.1f} s" if self.server_cpu is not None else "server CPU ?",
                  f"driver CPU {self.driver_cpu:.1f} s; load average before {self.load_before[0]:.2f}, "
                  f"after {self.load_after[0]:.2f}"]
        for e in (self.errors + self.leaks)[:20]:
            lines.append("  " + e)
        return "\n".join(lines)


def pct(xs: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of sorted ``xs``.

    >>> pct([0.1, 0.2, 0.3, 0.4], 50), pct([0.1, 0.2, 0.3, 0.4], 95)
    (0.2, 0.4)
    """
    import math

    return xs[max(0, math.ceil(q / 100 * len(xs)) - 1)]


def right_value() -> float:
    """The right answer of the question the participants answer, computed as the app does (offline)."""
    from evidencekit.course import load_course, right_answer

    value, _ = right_answer(load_course().module(STEP["module"]).question(STEP["question"]), offline=True)
    return float(value)


async def drive(base: str, plan: Plan, right: float) -> tuple[list[Result], float]:
    results = [Result() for _ in range(plan.participants)]
    start = time.monotonic()
    stop_at = start + plan.time_limit
    gate = asyncio.Barrier(plan.participants) if plan.together and hasattr(asyncio, "Barrier") else None
    await asyncio.gather(*(participant(i, base, plan, right, results[i], stop_at, gate)
                           for i in range(plan.participants)))
    return results, time.monotonic() - start


def run(base: str, plan: Plan, pid: int | None = None) -> Report:
    """Drive ``plan.participants`` tabs against the app at ``base``; ``pid``: the server process to sample."""
    right = right_value()
    load_before = os.getloadavg()
    cpu0 = time.process_time()
    with Sampler(pid) as sampler:
        before = sampler.rss_now()
        results, wall = asyncio.run(drive(base, plan, right))
        after = sampler.rss_now()
    cpu1 = sampler.cpu()
    return Report(plan, results, wall, before, max(sampler.rss, default=None), after,
                  None if cpu1 is None or sampler.cpu_start is None else cpu1 - sampler.cpu_start,
                  time.process_time() - cpu0, load_before, os.getloadavg())


def warm(base: str) -> None:
    """One participant through the step once, so that the run measures a server that has served a page (a
    webinar's trainer opens the step before the class does)."""
    asyncio.run(drive(base, Plan(participants=1, rounds=1, think=(0, 0)), right_value()))


# -- a cached rerun against the bare page ----------------------------------------------------------------------
@contextlib.contextmanager
def bare_page(folder: Path):
    """The bare one-chart page of ``bench/bench_app.py`` served as ``evidencekit app`` serves the workbench (the
    same command line: :func:`evidencekit.cli.app.command`, and the app's settings), offline, on a free loopback
    port; yields (url, pid)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_app import BARE

    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    (folder / ".streamlit" / "config.toml").write_text(
        (ROOT / "app" / ".streamlit" / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "bare.py").write_text(BARE, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "EVIDENCEKIT_OFFLINE": "1", "EVIDENCEKIT_CACHE_DIR": str(folder / "cache")}
    log = open(folder / "bare.log", "wb")
    proc = subprocess.Popen(command(folder / "bare.py", "127.0.0.1", port), cwd=folder, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_ready(url, proc, timeout=120):
            raise RuntimeError("the bare page did not start: " + (folder / "bare.log").read_text()[-2000:])
        yield url, proc.pid
    finally:
        stop(proc, timeout=20)
        log.close()


async def rerun_vs_bare(app: str, bare: str, reps: int) -> dict[str, list[float]]:
    """Seconds of each cached interaction, ``reps`` interleaved repetitions after each was made once, each
    followed by the bare page's radio switched between its two cached areas (a whole-script rerun):

    - the step's countries switched between two choices drawn before (the step's panel: a fragment rerun; the
      chart checked to name the chosen countries);
    - the review's first numeric question checked again with the same answer (the question: a fragment rerun
      that writes the attempt to the store);
    - the module's introduction and Home run again as they are (whole pages: the navigation, the sidebar and the
      page; what AppTest's ``run()`` does in ``bench_app.py``)."""
    choices = (["Malaysia", "Philippines", "Thailand"], ["Cambodia", "Indonesia", "Viet Nam"])
    form = f"q-{STEP['module']}-{STEP['question']}"
    out: dict[str, list[float]] = {"step panel (fragment)": [], "review: an answer checked (fragment, a write)": [],
                                   "module introduction (whole page)": [], "Home (whole page)": [],
                                   "bare page": []}
    a, r, i_, h, b = Tab(app), Tab(app), Tab(app), Tab(app), Tab(bare)
    try:
        await a.open(f"module={STEP['module']}&step={STEP['step']}")
        await r.open(f"module={STEP['module']}&step=review")
        await r.set(form + "-answer", "12.5")
        await i_.open(f"module={STEP['module']}&step=intro")
        await h.open("")
        await b.open("")
        for tab in (i_, h):
            await tab.again()
        for c in choices * 2:                                   # both choices drawn and cached
            await a.set(STEP["areas"], c)
        for v in ("IDN", "PHL") * 2:
            await b.set("area", v)
        await r.submit(form)
        for n in range(reps):
            chosen = choices[n % 2]
            t = await a.set(STEP["areas"], chosen)
            if not a.run_fragments:
                raise ProtocolError("the switch reran the whole page, not the step's panel")
            named = {x for x in POOL if x in a.elements("imgs")[0].imgs[0].alt}
            if named != set(chosen):
                raise ProtocolError(f"the chart shows {sorted(named)}, not {chosen}")
            out["step panel (fragment)"].append(t)
            t = await r.submit(form)
            if not r.run_fragments or not any(n_.kind == "alert" for n_ in r.after_block(form)):
                raise ProtocolError("the answer was not checked in its question's fragment")
            out["review: an answer checked (fragment, a write)"].append(t)
            out["module introduction (whole page)"].append(await i_.again())
            out["Home (whole page)"].append(await h.again())
            out["bare page"].append(await b.set("area", ("IDN", "PHL")[n % 2]))
    finally:
        for tab in (a, r, i_, h, b):
            await tab.close()
    return out


def main_rerun(reps: int) -> int:
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="evidencekit-rerun-")))
        (folder / "app").mkdir()
        app, _ = stack.enter_context(workbench(folder / "app"))
        bare, _ = stack.enter_context(bare_page(folder / "bare"))
        load_before = os.getloadavg()
        times = asyncio.run(rerun_vs_bare(app, bare, reps))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"cached switch, one participant, {reps} interleaved repetitions; medians (p25-p75) in ms; load average "
          f"{load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}")
    for k, v in times.items():
        q = statistics.quantiles(v, n=4)
        print(f"  {k:<46}{med[k] * 1e3:>8.1f}  ({q[0] * 1e3:.1f}-{q[2] * 1e3:.1f})")
    for k in med:
        if k != "bare page":
            print(f"  ratio {k} / bare page: {med[k] / med['bare page']:.2f}x")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--think", default="1-3", help="seconds between a participant's clicks, MIN-MAX (0: none)")
    ap.add_argument("--together", action="store_true", help="every participant clicks at the same moment")
    ap.add_argument("--time-limit", type=float, default=300.0, help="wall-clock limit in seconds")
    ap.add_argument("--max-interactions", type=int, default=10_000, help="per participant")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds a click may wait for its answer")
    ap.add_argument("--distinct", type=int, default=0,
                    help="participants share this many choices of countries and sex (default: each its own)")
    ap.add_argument("--no-warm", action="store_true", help="measure from a server no one has used yet")
    ap.add_argument("--url", help="an app already running (default: start one offline on a free port)")
    ap.add_argument("--rerun-vs-bare", action="store_true",
                    help="instead: one participant's cached switch in a step's panel against the bare page's")
    ap.add_argument("--reps", type=int, default=41, help="with --rerun-vs-bare: interleaved repetitions")
    args = ap.parse_args(argv)
    if args.rerun_vs_bare:
        return main_rerun(args.reps)
    lo, _, hi = args.think.partition("-")
    plan = Plan(participants=args.participants, rounds=args.rounds, think=(float(lo), float(hi or lo)),
                together=args.together, time_limit=args.time_limit, max_interactions=args.max_interactions,
                distinct=args.distinct,
                timeout=args.timeout)
    with contextlib.ExitStack() as stack:
        if args.url:
            base = args.url.rstrip("/")
            pid = pid_listening(int(re.search(r":(\d+)", base.split("//", 1)[1]).group(1)))
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="evidencekit-load-")))
            base, pid = stack.enter_context(workbench(folder))
        if not args.no_warm:
            warm(base)
        report = run(base, plan, pid)
    print(report.table())
    return 1 if report.errors or report.leaks else 0


if __name__ == "__main__":
    sys.exit(main())
