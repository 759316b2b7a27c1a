"""The rplumber HTTP layer: URLs, User-Agent, retries (urllib3 Retry), error mapping, network-down memory."""
from __future__ import annotations

import socket

import pytest
import requests
from urllib3.response import HTTPResponse

from evidencekit.ilostat import ChallengeError, NetworkError, UnknownIndicatorError
from evidencekit.ilostat.http import (
    RETRY_STATUSES, USER_AGENT, CappedRetry, Transport, build_url, check, is_challenge, make_retry,
)
from evidencekit.ilostat.settings import Settings

BASE = "https://rplumber.ilo.org"
UNE_PARAMS = {"id": "UNE_DEAP_SEX_AGE_RT_A", "ref_area": "KEN+USA+X01", "type": "code", "format": ".csv"}
UNE_URL = build_url(BASE, "/data/indicator/", UNE_PARAMS)


def transport(cache_dir, **kw) -> Transport:
    return Transport(Settings.resolve(cache_dir=cache_dir, env={}, **kw))


def test_build_url_keeps_plus_literal_and_drops_blanks():
    url = build_url(BASE, "/data/indicator/", {"id": "A_A+B_A", "ref_area": "KEN+USA", "sex": "", "source": None,
                                               "classif1": "AGE_YTHADULT_Y15-24", "x": "a b&c"})
    assert url == (f"{BASE}/data/indicator/?id=A_A+B_A&ref_area=KEN+USA&classif1=AGE_YTHADULT_Y15-24&x=a%20b%26c")
    assert "%2B" not in url and "sex=" not in url


def test_user_agent_identifies_evidencekit(cache_dir, cassette):
    with cassette("toc_search") as cas:
        transport(cache_dir).get_meta("/metadata/toc/indicator/", {"lang": "en", "format": ".json"})
        sent = cas.requests[0].headers["User-Agent"]
    assert sent == USER_AGENT and sent.startswith("evidencekit/") and "python-requests" in sent


def test_retry_policy_is_urllib3s():
    retry = make_retry(Settings())
    assert isinstance(retry, CappedRetry)
    assert set(RETRY_STATUSES) == set(retry.status_forcelist) == {429, 500, 502, 503, 504}
    assert retry.allowed_methods == frozenset({"GET"}) and retry.respect_retry_after_header
    assert retry.connect == 1 and retry.status == 3 and retry.backoff_factor == 0.5


def test_retry_after_is_honoured_up_to_a_cap():
    retry = make_retry(Settings(max_retry_after=30))
    assert retry.get_retry_after(HTTPResponse(status=429, headers={"Retry-After": "7"})) == 7
    assert retry.get_retry_after(HTTPResponse(status=429, headers={"Retry-After": "600"})) == 30
    assert retry.new(total=1).max_retry_after == 30  # kept on the copies urllib3 makes


def test_get_data_reads_the_bom_body(cache_dir, cassette):
    with cassette("get_single"):
        body = transport(cache_dir).get_data(UNE_URL, progress=False)
    assert body.startswith("\ufeff".encode()) and b'"ref_area","source"' in body[:40]
    assert UNE_URL.endswith("ref_area=KEN+USA+X01&type=code&format=.csv")


def test_progress_bar_on_request(cache_dir, cassette, capsys):
    with cassette("get_single"):
        transport(cache_dir).get_data(UNE_URL, progress=True, label="UNE")
    assert "Downloading UNE" in capsys.readouterr().err


def test_challenge_is_recognised(cache_dir, cassette):
    t = transport(cache_dir)
    with cassette("challenge_data"), pytest.raises(ChallengeError) as err:
        t.get_data(UNE_URL)
    assert "Cloudflare" in str(err.value) and "bot check" in str(err.value)
    assert "bot check" in t.recently_down()[1]  # no immediate retry: cool down


def test_is_challenge_on_a_plain_html_page():
    r = requests.Response()
    r.status_code, r._content = 403, b"<html><title>Just a moment...</title></html>"
    r.headers["content-type"] = "text/html; charset=UTF-8"
    assert is_challenge(r)
    r.status_code = 404
    assert not is_challenge(r)


def test_400_invalid_id(cache_dir, cassette):
    with cassette("unknown_id"), pytest.raises(UnknownIndicatorError, match="deprecated or invalid dataset id=FOO_BAR_A"):
        transport(cache_dir).get_data(build_url(BASE, "/data/indicator/", {"id": "FOO_BAR_A", "type": "code",
                                                                           "format": ".csv"}))


@pytest.mark.parametrize("status, needle", [(404, "may have moved"), (403, "Forbidden"), (502, "HTTP 502")])
def test_other_statuses_get_clear_messages(status, needle):
    r = requests.Response()
    r.status_code, r._content = status, b"nope"
    r.headers["content-type"] = "text/plain"
    with pytest.raises(NetworkError) as err:  # all fall back to the cache/snapshot
        check(r, f"{BASE}/x")
    assert needle in str(err.value) and f"{BASE}/x" in str(err.value)


def test_empty_body_is_a_network_error_not_an_empty_frame(cache_dir, monkeypatch):
    class Empty:
        status_code, headers = 200, {"content-type": "application/octet-stream"}

        def iter_content(self, n):
            return iter([b""])

    t = transport(cache_dir)
    monkeypatch.setattr(t.data_session(), "get", lambda *a, **k: Empty())
    with pytest.raises(NetworkError, match="empty"):
        t.get_data(UNE_URL)


def test_connection_failure_is_quick_and_remembered(cache_dir, monkeypatch):
    calls = []

    def no_dns(host, *a, **k):
        calls.append(host)
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    t = transport(cache_dir, down_for=60)
    with pytest.raises(NetworkError, match="could not be reached"):
        t.get_data(UNE_URL)
    assert calls == ["rplumber.ilo.org"] * 2  # one connect retry, no more
    age, why = t.recently_down()
    assert 0 <= age < 60 and "could not be reached" in why
    assert transport(cache_dir, down_for=60).recently_down() is not None  # another process sees it (file)
    t.mark_up()
    assert t.recently_down() is None


def test_connect_timeout_is_short():
    s = Settings.resolve(env={})
    assert s.connect_timeout <= 5
    assert Settings.resolve(timeout=2, env={}).read_timeout == 2


def test_a_web_page_is_not_kept_as_the_catalogue(cache_dir, cassette):
    t = transport(cache_dir)
    with cassette("challenge_toc"), pytest.raises(ChallengeError):
        t.get_meta("/metadata/toc/indicator/", {"lang": "en", "format": ".json"})
    with pytest.raises(NetworkError, match="never downloaded"):
        t.get_meta("/metadata/toc/indicator/", {"lang": "en", "format": ".json"}, cached_only=True)


def test_cached_only_miss_does_not_count_as_network_down(cache_dir, no_network):
    t = transport(cache_dir)
    with pytest.raises(NetworkError, match="never downloaded"):
        t.get_meta("/metadata/dic/", {"var": "sex", "lang": "en", "format": ".csv"}, cached_only=True)
    assert t.recently_down() is None
