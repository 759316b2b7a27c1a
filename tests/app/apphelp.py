"""Helpers of the workbench tests: a new session of the app, and what a page says."""
from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
ENTRY = APP / "streamlit_app.py"
if str(APP) not in sys.path:  # the app's ui package, for tests that call it directly
    sys.path.insert(0, str(APP))


def new_app(**query):
    """A fresh session of the app (a new browser tab), opened at ``?key=value`` when given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = str(value)
    return at


def texts(at) -> str:
    """Every text the page shows (markdown, captions, alerts, titles), joined: for 'the page says …' checks."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "error", "warning", "info"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def no_problem(at) -> None:
    """No exception element and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def submit(at, form_key: str):
    """Click the submit button of the form ``form_key`` and run."""
    buttons = [b for b in at.button if b.form_id == form_key]
    assert buttons, f"no submit button in form {form_key}"
    return buttons[0].click().run()


def table_with(at, column: str):
    """The first table (``st.dataframe``) on the page with a column named ``column``, as a DataFrame."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with a column {column!r} on the page")


def open_tables(at):
    """Open every "The figures as a table" of the page (a chart's table is drawn only when opened) and run."""
    for key in [k for k in at.session_state.keys() if str(k).startswith("table-")]:
        at.session_state[key] = True
    return at.run()


def fragment_ids(at) -> list[str]:
    """The ids of the fragments (``st.fragment``) the session has drawn, first drawn first."""
    return list(at._fragment_storage._fragments)  # noqa: SLF001 — AppTest keeps the session's fragments here


def fragment_of(at, name: str) -> str | None:
    """The id of the first fragment drawn whose function is named ``name`` (``_panel``, ``hints``, ``items``)."""
    for fid, wrapped in at._fragment_storage._fragments.items():  # noqa: SLF001
        inner = [c.cell_contents for c in (getattr(wrapped, "__closure__", None) or ())
                 if callable(getattr(c, "cell_contents", None))]
        if any(getattr(f, "__name__", "") == name for f in inner):
            return fid
    return None


@contextlib.contextmanager
def as_browser(fragment_id: str | None):
    """Reruns requested inside this block carry ``fragment_id`` as Streamlit's client sends it for a widget
    inside a fragment (the server then reruns that fragment only; AppTest 1.67 otherwise reruns the whole
    script); None: the whole script."""
    import streamlit.testing.v1.local_script_runner as lsr

    real = lsr.RerunData
    if fragment_id is not None:
        lsr.RerunData = functools.partial(real, fragment_id_queue=[fragment_id])
    try:
        yield
    finally:
        lsr.RerunData = real
