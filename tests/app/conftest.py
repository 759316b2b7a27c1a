"""Workbench tests: every test runs the app offline (EVIDENCEKIT_OFFLINE=1, a throw-away ILOSTAT cache), on a
throw-away store (EVIDENCEKIT_DATABASE_URL, its outbox in the test's folder), with Streamlit's caches emptied, and
any network connection other than to this machine is an error.

Hosted-class tests run on SQLite (``EVIDENCEKIT_HOSTED=1``) and on a real PostgreSQL server when
``EVIDENCEKIT_TEST_POSTGRES_URL`` names one (each test gets a schema of its own, dropped afterwards);
``EVIDENCEKIT_TEST_POSTGRES_CTL`` stops and starts it (``.ci/run`` sets both, as for ``tests/store``). When
``CI`` is set and they are missing or the server cannot be reached, those tests fail; elsewhere they skip,
saying why."""
from __future__ import annotations

import logging
import socket
import uuid

import pytest

from . import apphelp  # noqa: F401  (puts the app's ui package on the path)


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
    monkeypatch.setenv("EVIDENCEKIT_OUTBOX", str(tmp_path / "outbox.db"))
    monkeypatch.delenv("EVIDENCEKIT_HOSTED", raising=False)
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
    from ui import context

    context.LATER.flush()  # choices still waiting go to this test's store, not the next one's
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


SENT_ON_BLUR = ("text_input", "text_area", "number_input", "date_input", "time_input")


def outside_forms_and_fragments(msg) -> str | None:
    """What in one ForwardMsg would take a participant back to the page they are leaving, or None: a field that
    sends its change when it loses focus (or a menu that reruns when it closes) drawn outside any form and any
    fragment. Its change comes after the click on another page, and Streamlit runs the page left again
    (``docs/app.md``, "A page is never left blank by leaving another")."""
    if msg.WhichOneof("type") != "delta" or msg.delta.fragment_id:
        return None
    delta = msg.delta
    if delta.WhichOneof("type") == "new_element":
        kind = delta.new_element.WhichOneof("type")
        if kind in SENT_ON_BLUR and not getattr(delta.new_element, kind).form_id:
            return f"{kind} {getattr(delta.new_element, kind).label!r}"
    elif delta.WhichOneof("type") == "add_block" and delta.add_block.WhichOneof("type") == "popover":
        if delta.add_block.popover.id:
            return f"menu {delta.add_block.popover.label!r}"
    return None


@pytest.fixture(autouse=True)
def fields_in_forms_or_fragments(monkeypatch):
    """Every page drawn by every app test, after every click the test makes, keeps each field sent on losing
    focus in a form or a fragment (test_load checks each page as first opened over the websocket; this covers
    what is drawn only after a click: a hint, an answer, an upload, a filled board). Fails the test naming it."""
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    found: list[str] = []
    real = ForwardMsgQueue.enqueue

    def enqueue(self, msg):
        what = outside_forms_and_fragments(msg)
        if what:
            found.append(f"{what} (page {msg.metadata.active_script_hash[:8]}…)")
        return real(self, msg)

    monkeypatch.setattr(ForwardMsgQueue, "enqueue", enqueue)
    yield
    assert not found, (f"drawn outside any form or fragment, so its change would undo a click on another page: "
                       f"{sorted(set(found))}")



# -- hosted classes: SQLite and a real PostgreSQL server ----------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def hosted_db(request, monkeypatch, tmp_path):
    """A hosted class's database for the app (``EVIDENCEKIT_DATABASE_URL``): a SQLite file with
    ``EVIDENCEKIT_HOSTED=1``, or a schema of its own on the PostgreSQL test server (hosted by default).
    Yields the address."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'class.db'}"
        monkeypatch.setenv("EVIDENCEKIT_HOSTED", "1")
        monkeypatch.setenv("EVIDENCEKIT_DATABASE_URL", url)
        yield url
        return
    admin = request.getfixturevalue("pg_admin")
    name = f"ek_app_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    url = admin.url.set(query={"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)
    monkeypatch.setenv("EVIDENCEKIT_DATABASE_URL", url)
    yield url
    from evidencekit.store import store as store_module

    with store_module._stores_lock:
        for key in [k for k in store_module._stores if name in k]:
            store_module._stores.pop(key).close()
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
    except Exception:  # noqa: BLE001 — a server stopped by the test is started again by pg_server
        pass


