"""Course tests run offline: EVIDENCEKIT_OFFLINE=1, a throw-away cache, and any network connection is an error."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

import evidencekit.ilostat as ilostat

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("EVIDENCEKIT_OFFLINE", "1")
    monkeypatch.setenv("EVIDENCEKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EVIDENCEKIT_ILOSTAT_URL", raising=False)
    monkeypatch.delenv("EVIDENCEKIT_EXERCISES", raising=False)
    ilostat._default = None

    def no_network(*args, **kwargs):
        raise AssertionError("a course test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    yield
    ilostat._default = None


@pytest.fixture(scope="session")
def exercises() -> Path:
    return EXERCISES
