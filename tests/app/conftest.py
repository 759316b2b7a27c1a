"""Workbench tests: every test runs the app offline (EVIDENCEKIT_OFFLINE=1, a throw-away ILOSTAT cache), on a
throw-away store (EVIDENCEKIT_DATABASE_URL), with Streamlit's caches emptied, and any network connection other
than to this machine is an error."""
from __future__ import annotations

import logging
import socket

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


