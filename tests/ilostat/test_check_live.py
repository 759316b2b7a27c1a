"""``Client.check_live``: whether live ILOSTAT answers now, within a short deadline, never raising and never
waiting longer — against a real HTTP server on this machine and a closed port (``docs/ilostat.md``)."""
from __future__ import annotations

import socket
import time

import pytest
from test_local_server import Server  # the local HTTP server of the client's tests

from evidencekit.ilostat import Client

SEX = "/mirror/metadata/dic/?var=sex&lang=en&format=.csv"


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def sex_codes(shared_data) -> bytes:
    return "\ufeff".encode() + (shared_data / "ilostat-specimens" / "rplumber-dic-sex.csv").read_bytes()


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"   # nothing listens there any more: refused at once


def test_an_answering_server_is_reached_and_timed(server, sex_codes, tmp_path):
    server.routes[SEX] = (200, {"Content-Type": "application/octet-stream"}, sex_codes)
    check = Client(base_url=server.base, cache_dir=tmp_path / "c").check_live(deadline=3)
    assert (check.tried, check.ok) == (True, True)
    assert [p for p, _ in server.seen] == [SEX]
    assert check.message.startswith("ILOSTAT answered in ") and server.base in check.message
    assert 0 <= check.seconds < 3


def test_a_closed_port_is_said_at_once_and_remembered(tmp_path):
    client = Client(base_url=closed_port(), cache_dir=tmp_path / "c")
    start = time.monotonic()
    check = client.check_live(deadline=3)
    assert time.monotonic() - start < 3
    assert (check.tried, check.ok) == (True, False)
    assert check.message.startswith("ILOSTAT did not answer: ") and "could not be reached" in check.message
    assert client.transport.recently_down() is not None   # the data now come from the cache/snapshot at once


def test_a_silent_server_is_given_up_at_the_deadline(server, tmp_path):
    server.silent.add(SEX)
    start = time.monotonic()
    check = Client(base_url=server.base, cache_dir=tmp_path / "c").check_live(deadline=1)
    took = time.monotonic() - start
    assert not check.ok and "did not answer within 1 s" in check.message
    assert 0.9 <= took < 2.5


def test_an_answer_that_is_not_the_code_list_is_not_taken_for_ilostat(server, tmp_path):
    server.routes[SEX] = (200, {"Content-Type": "text/html"}, b"<html><body>Welcome to the hotel wifi</body></html>")
    check = Client(base_url=server.base, cache_dir=tmp_path / "c").check_live(deadline=3)
    assert (check.tried, check.ok) == (True, False) and "web page came back instead of data" in check.message


def test_the_deadline_is_never_longer_than_the_clients_own(server, tmp_path):
    server.silent.add(SEX)
    start = time.monotonic()
    check = Client(base_url=server.base, cache_dir=tmp_path / "c", deadline=0.5).check_live(deadline=30)
    assert not check.ok and time.monotonic() - start < 2
