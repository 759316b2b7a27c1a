"""Fixtures of the ILOSTAT client tests: cassettes (vcrpy), an isolated cache, and a socket guard.

``pytest --record-live`` re-records the cassettes built from real specimens against the live API
(vcr ``record_mode="all"``); synthetic cassettes (error paths) are never re-recorded.
"""
from __future__ import annotations

import socket
from pathlib import Path

import pytest
import vcr
import vcr.stubs

import evidencekit.ilostat as ilostat
from evidencekit.ilostat import http as ek_http

# requests-cache reads ``response.raw._request_url`` (a urllib3 2 attribute) that vcrpy's stub lacks.
if not hasattr(vcr.stubs.VCRHTTPResponse, "_request_url"):
    vcr.stubs.VCRHTTPResponse._request_url = None

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
SYNTHETIC = {"retry_500", "retry_429", "challenge_data", "challenge_toc", "cache_refresh", "challenge_after_update",
             "challenge_snapshot", "server_down"}


def pytest_addoption(parser):
    parser.addoption("--record-live", action="store_true", default=False,
                     help="re-record the ILOSTAT cassettes built from specimens against the live rplumber API")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No evidencekit environment variable leaks in; the default client and network-down memory start empty."""
    for name in ("EVIDENCEKIT_OFFLINE", "EVIDENCEKIT_ILOSTAT_URL", "EVIDENCEKIT_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EVIDENCEKIT_CACHE_DIR", str(tmp_path / "default-cache"))
    ek_http._DOWN_UNTIL.clear()
    ilostat._default = None
    yield
    ek_http._DOWN_UNTIL.clear()
    ilostat._default = None


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def cassette(request):
    """``with cassette("get_single") as cas:`` replays ``tests/cassettes/get_single.yaml``.

    Unmatched requests fail (record_mode "none"); every response is played at most once.
    """
    live = request.config.getoption("--record-live", default=False)

    def use(name: str, **kw):
        mode = "all" if live and name not in SYNTHETIC else "none"
        my_vcr = vcr.VCR(cassette_library_dir=str(CASSETTES), record_mode=mode,
                         match_on=["method", "scheme", "host", "port", "path", "query"],
                         decode_compressed_response=True)
        return my_vcr.use_cassette(f"{name}.yaml", allow_playback_repeats=False, **kw)

    return use


class NetworkAttempt(AssertionError):
    """Raised by the socket guard: the code under test tried to open a connection."""


@pytest.fixture
def no_network(monkeypatch):
    """Socket guard: any connection attempt (DNS or connect) is recorded and fails the test."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise NetworkAttempt(f"network access attempted: {args[:2]!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert not attempts, f"the offline path touched the network: {attempts}"


@pytest.fixture
def no_sleep(monkeypatch):
    """urllib3's retry sleeps are recorded instead of slept (keeps the retry tests instant)."""
    import urllib3.util.retry as retry_mod

    slept: list[float] = []
    monkeypatch.setattr(retry_mod.time, "sleep", lambda s: slept.append(float(s)))
    return slept
