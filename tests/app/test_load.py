"""A few participants at once on one real ``evidencekit app`` process, driven over Streamlit's own websocket
protocol by ``bench/bench_load.py`` (the load benchmark, here small and without timing): every participant
works through module 1 step 2 (its own countries and sex on the chart) and answers the review question, and
none sees an error, a traceback or another participant's choices or answer."""
from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest

from .conftest import SENT_ON_BLUR

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_load.py"


def _driver():
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


load = _driver()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One app process for this file (offline, its own cache and store): (url, server pid)."""
    with load.workbench(tmp_path_factory.mktemp("load")) as (url, pid):
        yield url, pid


def test_four_participants_at_once_see_only_their_own_work(server):
    url, pid = server
    plan = load.Plan(participants=4, rounds=1, think=(0.0, 0.0), together=True, time_limit=180, timeout=90)
    report = load.run(url, plan, pid)
    assert report.errors == []
    assert report.leaks == []
    assert [r.rounds_done for r in report.results] == [1, 1, 1, 1]
    for kind in ("open", "chart", "page", "answer", "image"):  # every step was measured, for everyone
        assert len(report.latencies(kind)) == 4 * (2 if kind == "chart" else 1), kind
    assert report.rss_peak and report.rss_peak > 0  # the server's memory was sampled
    # the participants chose different things: a leak would have been visible
    assert len({tuple(load.choices(i, 0, 4)[0]) for i in range(4)}) == 4
    assert "errors 0, leaks 0" in report.table()


def test_the_driver_sees_a_chart_that_is_not_the_participants_own(server):
    """The leak check is not blind: the chart a tab was really sent, checked against other choices, is a leak;
    against its own, it is not."""
    url, _ = server

    async def one() -> tuple[list, list]:
        tab = load.Tab(url, timeout=90)
        try:
            await tab.open("module=1&step=2")
            mine, other = ["Cambodia", "Malaysia", "Viet Nam"], ["Indonesia", "Myanmar", "Thailand"]
            await tab.set(load.STEP["areas"], mine)
            await tab.set(load.STEP["sex"], "Women")
            own, wrong = load.Result(), load.Result()
            load.check_chart(tab, mine, "Women", own, 0)
            load.check_chart(tab, other, "Men", wrong, 1)
            return own.leaks, wrong.leaks
        finally:
            await tab.close()

    own, wrong = asyncio.run(one())
    assert own == []
    assert any("its chart names ['Cambodia', 'Malaysia', 'Viet Nam']" in w for w in wrong)
    assert any("its table shows" in w for w in wrong)
    assert any("chose Men" in w for w in wrong)


def test_the_driver_reports_a_page_error_as_an_error():
    """An error message on the page ends a participant's run with an error (not a pass)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    tab = load.Tab("http://127.0.0.1:1")
    msg = ForwardMsg()
    msg.metadata.delta_path.extend([0, 0])
    msg.delta.new_element.alert.body = "Sorry — something went wrong on this page (KeyError)."
    msg.delta.new_element.alert.format = 1  # ERROR
    tab._receive(msg)
    with pytest.raises(load.ProtocolError, match="error on the page: Sorry"):
        tab.check_page()


def test_every_field_sent_on_losing_focus_is_in_a_form_or_a_fragment_on_every_page(server):
    """A text, number or date field sends its change when it loses focus, and a menu that reruns when it closes
    sends it when the participant clicks elsewhere: if that click is on another page, the change comes after the
    page switch. Inside a fragment the server drops it (evidencekit.cli.server.stay_on_the_page); inside a form
    nothing is sent. Anywhere else, Streamlit would run the page left again and take the participant back to it
    (docs/app.md). Every page of the workbench, as a participant opens it."""
    from evidencekit.course import load_course

    url, _ = server
    course = load_course()
    pages = [("", "")] + [("", f"module={m.number}&step={s}") for m in course.modules
                          for s in ["intro", *range(1, len(m.steps) + 1), "review"]]
    pages += [(p, "") for p in ("explorer", "microdata", "board", "brief", "before", "after", "my-data")]
    pages += [("trainer", "mode=trainer"), ("class", "mode=trainer")]

    async def outside() -> tuple[list[str], int, set]:
        found, fields, reached = [], 0, set()
        tab = load.Tab(url, timeout=90)
        try:
            for page, query in pages:
                await tab.open(query, page)
                reached.add(tab.page_hash)  # the page the server sent the tab to
                for _, node in sorted(tab.nodes.items()):
                    if node.kind in SENT_ON_BLUR:
                        fields += 1
                        if not node.fragment and not getattr(node.element, node.kind).form_id:
                            found.append(f"{page or 'home'}?{query}: {getattr(node.element, node.kind).label!r}")
                    elif node.kind == "block" and node.element.WhichOneof("type") == "popover":
                        if node.element.popover.id and not node.fragment:  # it reruns when it closes
                            found.append(f"{page or 'home'}?{query}: menu {node.element.popover.label!r}")
        finally:
            await tab.close()
        return found, fields, reached

    found, fields, reached = asyncio.run(outside())
    # every page was reached: Home, the six modules, seven workbench and journey pages, two trainer pages
    assert len(reached - {""}) == 1 + len(course.modules) + 7 + 2
    assert fields > 10  # and drawn, with their fields
    assert found == []
