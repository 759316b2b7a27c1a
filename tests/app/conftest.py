"""Workbench tests: every test runs the app offline (EVIDENCEKIT_OFFLINE=1, a throw-away ILOSTAT cache), on a
throw-away store (EVIDENCEKIT_DATABASE_URL), with Streamlit's caches emptied, and any network connection other
than to this machine is an error."""
from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
ENTRY = APP / "streamlit_app.py"
if str(APP) not in sys.path:  # the app's ui package, for tests that call it directly
    sys.path.insert(0, str(APP))


def _local(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host in ("localhost", "::1") or host.startswith("127.") or host.startswith("/"))


@pytest.fixture(autouse=True)
def offline_app(monkeypatch, tmp_path):
    """Offline data, a fresh store and empty caches for each test; no connection leaves the machine."""
    import evidencekit.ilostat as ilostat

    monkeypatch.setenv("EVIDENCEKIT_OFFLINE", "1")
    monkeypatch.setenv("EVIDENCEKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("EVIDENCEKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("EVIDENCEKIT_ILOSTAT_URL", raising=False)
    monkeypatch.delenv("EVIDENCEKIT_EXERCISES", raising=False)
    ilostat._default = None
    real_connect = socket.socket.connect

    def connect(self, address):
        if not _local(address):
            raise AssertionError(f"an app test tried to reach {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    clear_caches()
    logging.getLogger("evidencekit.app").setLevel(logging.CRITICAL)  # expected failures are logged, not printed
    yield
    clear_caches()
    ilostat._default = None


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def course():
    from evidencekit.course import load_course

    return load_course()


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
