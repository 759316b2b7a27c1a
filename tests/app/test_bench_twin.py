"""The AppTest bench's twin (``bench/twin.py``, the "x twin" column of ``bench/bench_app.py``): what a page's
rerun drew, drawn again by a plain Streamlit script. Its ratio means something only if the twin draws the same
elements as the page: checked here (no timing) on a step's panel (a fragment's rerun), a whole page with the
navigation and the sidebar (Home), a review question and the brief's editor (forms)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.setenv("EVIDENCEKIT_BENCH_DIR", str(tmp_path))
    import bench_app

    monkeypatch.setattr(bench_app, "TIMES", 1)
    bench_app.seed()
    yield bench_app
    sys.modules.pop("bench_app", None)
    sys.modules.pop("twin", None)


@pytest.mark.parametrize("name", ["module 1 step 2 (change_over_time)", "Home", "module 2 review", "Brief builder"])
def test_a_pages_twin_draws_what_the_page_drew(bench, course, name):
    import twin as twins

    found = [c for c in bench.cases(course) if c[0] == name]
    assert found, f"no bench case named {name!r}"
    _, open_, interact = found[0]
    at = open_()
    bench.check(at, name)
    with twins.Recorder() as page:  # what the page's rerun drew, as bench_app records it
        bench.RECORDING["rec"] = page
        try:
            interact(at)
        finally:
            bench.RECORDING.clear()
    twin, tat = bench.twin_of(interact, at)  # exits, naming both, when the twin draws other elements
    assert not tat.exception
    drawn = twins.kinds(page.messages)
    assert sum(drawn.values()) >= 5 and twin.count == sum(v for k, v in drawn.items() if k not in
                                                          ("navigation", "page_config_changed"))
    if name == "Home":  # a whole page: the navigation and the sidebar drawn again, no fragment
        assert not twin.fragment_run and drawn["navigation"] == 1 and twin.roots.get(1)
    else:                # a panel, a question, the editor: that fragment's rerun only
        assert twin.fragment_run and not twin.roots.get(1)
