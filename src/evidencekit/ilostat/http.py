"""Talking to ILOSTAT's rplumber API as it is served today (``docs/ilostat.md``, "How evidencekit talks to
ILOSTAT").

- Lists are joined with a literal ``+`` after percent-encoding each element (``id=A%2BB`` is refused).
- Blank values are never sent (a blank ``ref_area=`` would widen the answer to every area).
- Bodies come as ``application/octet-stream`` whatever the format, CSV with a UTF-8 BOM.
- Retries: urllib3's :class:`~urllib3.util.Retry` on a requests ``HTTPAdapter`` (backoff, 5xx/429,
  connection errors, ``Retry-After`` honoured up to a cap). No home-made retry loop.
- A Cloudflare challenge (403 + ``cf-mitigated: challenge`` or a "Just a moment" page) becomes
  :class:`ChallengeError`; a 400 "invalid dataset id" becomes :class:`UnknownIndicatorError`.
- Catalogue (ToC) and dictionary answers go through requests-cache (SQLite in the cache folder,
  expiring after ``toc_max_age``, stale copies served when the network fails); data answers are
  streamed (with a progress bar on a terminal) and cached as tidy Parquet by :mod:`.cache`.
- When the network is down, the failure is remembered for ``down_for`` seconds (in the process and
  in the cache folder) so that an offline trainer is not kept waiting on every call.
- **Deadline**: every request has one wall-clock budget (``Settings.deadline``, 15 s by default) for
  connecting, waiting, retries (a ``Retry-After`` longer than what is left is not waited for) and the whole
  body: a server that never answers, or one that sends a byte a second, is cut off at the deadline
  (:class:`Deadline`: the connection's socket is shut down by a timer) and the cache or the snapshot answers.

>>> build_url("https://rplumber.ilo.org", "/data/indicator/", {"id": "A_A", "ref_area": "KEN+USA", "sex": ""})
'https://rplumber.ilo.org/data/indicator/?id=A_A&ref_area=KEN+USA'
"""
from __future__ import annotations

import contextvars
import io
import json
import logging
import shutil
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

from evidencekit.ilostat.errors import (
    ChallengeError, IlostatError, NetworkError, UnknownIndicatorError,
)
from evidencekit.ilostat.settings import Settings

try:  # the package version, for the User-Agent
    from importlib.metadata import version as _version

    VERSION = _version("evidencekit")
except Exception:  # pragma: no cover - only when not installed
    VERSION = "0"

USER_AGENT = (
    f"evidencekit/{VERSION} (ILO decent-work evidence workbench; python-requests/{requests.__version__})"
)
RETRY_STATUSES = (429, 500, 502, 503, 504)
HTTP_CACHE_FILE = "http-metadata.sqlite"
DOWN_FILE = "network-down.json"
# requests-cache logs a traceback at WARNING when it serves a stale copy; we say it ourselves, once.
# (imported lazily: an offline run never needs it, and it costs a third of a second to import)
logging.getLogger("requests_cache").addHandler(logging.NullHandler())
logging.getLogger("requests_cache").propagate = False

_DOWN_UNTIL: dict[str, tuple[float, str]] = {}   # base_url -> (monotonic deadline, why), for this process


# -- the deadline -------------------------------------------------------------------------------------
class DeadlineReached(Exception):
    """The request's wall-clock budget ran out (raised through urllib3 and requests untouched)."""


class Deadline:
    """One request's wall-clock budget: ``with Deadline(15) as d: ...``.

    While it is open, :class:`DeadlineTimeout` keeps every connect and read wait within what is left, the
    retry policy never starts an attempt or a wait it cannot finish, and a timer shuts down the sockets of
    the request's connections when the time is up (a blocked read then returns at once). ``reached`` says
    whether the timer fired: a body read after that is never used, even if it looks whole.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self.reached = False
        self._conns: list = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self._at - time.monotonic()

    def track(self, conn) -> None:
        with self._lock:
            self._conns.append(conn)
        if self.reached:  # the time ran out while this connection was being set up
            self._cut(conn)

    def _fire(self) -> None:
        self.reached = True
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            self._cut(conn)

    @staticmethod
    def _cut(conn) -> None:
        """Shut down the socket of a connection, or of a response whose connection handed it over (an
        HTTP/1.0 or ``Connection: close`` answer: http.client's response then owns the socket)."""
        sock = getattr(conn, "sock", None)
        if sock is None:  # urllib3 response -> http.client response -> buffered reader -> SocketIO -> socket
            raw = getattr(getattr(getattr(conn, "_fp", None), "fp", None), "raw", None)
            sock = getattr(raw, "_sock", None)
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> "Deadline":
        self._at = time.monotonic() + self.seconds
        self._token = _CURRENT.set(self)
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _CURRENT.reset(self._token)


_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("evidencekit_deadline", default=None)


class DeadlineTimeout(Timeout):
    """urllib3 ``Timeout`` whose connect and read waits never outlast the current :class:`Deadline`
    (urllib3 reads these properties at each attempt, so retries are bounded too)."""

    def clone(self) -> "DeadlineTimeout":
        return DeadlineTimeout(connect=self._connect, read=self._read, total=self.total)

    @staticmethod
    def _bounded(value):
        d = _CURRENT.get()
        if d is None:
            return value
        left = max(d.remaining(), 0.001)
        return left if value is None or not isinstance(value, (int, float)) else min(value, left)

    @property
    def connect_timeout(self):  # type: ignore[override]
        return self._bounded(super().connect_timeout)

    @property
    def read_timeout(self):  # type: ignore[override]
        return self._bounded(super().read_timeout)


class _Tracked:
    """A urllib3 pool whose connections, and the responses read from them, register with the current
    :class:`Deadline` (so that its timer can shut their socket down)."""

    def _get_conn(self, *args, **kwargs):  # type: ignore[override]
        conn = super()._get_conn(*args, **kwargs)
        d = _CURRENT.get()
        if d is not None:
            d.track(conn)
        return conn

    def _make_request(self, *args, **kwargs):  # type: ignore[override]
        response = super()._make_request(*args, **kwargs)
        d = _CURRENT.get()
        if d is not None:
            d.track(response)
        return response


class _TrackedHTTPPool(_Tracked, HTTPConnectionPool):
    pass


class _TrackedHTTPSPool(_Tracked, HTTPSConnectionPool):
    pass


class DeadlineAdapter(HTTPAdapter):
    """requests' ``HTTPAdapter`` whose connections can be cut off by a :class:`Deadline`."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}


class CappedRetry(Retry):
    """urllib3 ``Retry`` that honours ``Retry-After`` but never waits longer than ``max_retry_after``, and
    within a :class:`Deadline` never starts an attempt after it, nor a wait that would outlast it."""

    max_retry_after: float = 30.0

    def get_retry_after(self, response):  # type: ignore[override]
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after)

    def new(self, **kw):  # keep the cap on the copies urllib3 makes after each attempt
        other = super().new(**kw)
        other.max_retry_after = self.max_retry_after
        return other

    def increment(self, *args, **kwargs):  # type: ignore[override]
        d = _CURRENT.get()
        if d is not None and (d.reached or d.remaining() <= 0):
            raise DeadlineReached(f"the {d.seconds:g} s deadline was reached")
        return super().increment(*args, **kwargs)

    def sleep(self, response=None) -> None:  # type: ignore[override]
        d = _CURRENT.get()
        if d is not None:
            asked = self.get_retry_after(response) if (response is not None and self.respect_retry_after_header) else None
            wait = asked if asked is not None else self.get_backoff_time()
            if wait >= d.remaining():
                why = (f"ILOSTAT asked to wait {asked:g} s before trying again" if asked is not None
                       else f"the next attempt would start after {wait:g} s")
                raise DeadlineReached(f"{why}, beyond the {d.seconds:g} s deadline")
        super().sleep(response)


def make_retry(settings: Settings) -> Retry:
    """Up to 3 retries on 5xx/429 (first at once, then 0.5 s · 2^(n-1); Retry-After wins), 1 on connection errors.

    urllib3 rule (``Retry.get_backoff_time``); 403 challenges and other 4xx are not retried.
    """
    retry = CappedRetry(
        total=3, connect=1, read=1, status=3, other=0,
        backoff_factor=0.5,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )
    retry.max_retry_after = settings.max_retry_after
    return retry


def _mount(session: requests.Session, settings: Settings) -> requests.Session:
    adapter = DeadlineAdapter(max_retries=make_retry(settings), pool_connections=2, pool_maxsize=2)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", "Accept-Language": "en"})
    return session


def build_url(base: str, path: str, params: dict[str, str]) -> str:
    """``base + path + ?query`` with ``+``-joined lists kept literal and blank values dropped."""
    parts = []
    for key, value in params.items():
        if value is None or str(value).strip() == "":
            continue
        items = [quote(v.strip(), safe=":.-_~") for v in str(value).split("+") if v.strip()]
        if items:
            parts.append(f"{key}={'+'.join(items)}")
    return f"{base.rstrip('/')}{path}" + ("?" + "&".join(parts) if parts else "")


def is_challenge(response: requests.Response) -> bool:
    """Cloudflare's bot challenge: 403/503 with ``cf-mitigated: challenge`` or a "Just a moment" page."""
    if response.headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if response.status_code in (403, 503) and "text/html" in response.headers.get("content-type", ""):
        head = response.content[:4000].decode("utf-8", "replace").lower()
        return "just a moment" in head or "challenge-platform" in head
    return False


def check(response: requests.Response, url: str, body: bytes | None = None) -> None:
    """Turn a non-200 answer into the matching error (the URL is in every message)."""
    code = response.status_code
    if code == 200:
        ctype = response.headers.get("content-type", "")
        head = (response.content if body is None else body)[:2000].lower()
        if "text/html" in ctype and b"<html" in head:
            raise NetworkError(
                f"Asking ILOSTAT for {url}", "a web page came back instead of data (a portal or a proxy answered)",
                "check the network, or set EVIDENCEKIT_ILOSTAT_URL if ILOSTAT has moved",
            )
        return
    if is_challenge(response):
        raise ChallengeError(
            f"Asking ILOSTAT for {url}",
            f"ILOSTAT's Cloudflare front answered {code} with a bot check ('Just a moment…') instead of data",
            "wait a few minutes and try again; meanwhile evidencekit answers from the cache or the offline snapshot",
        )
    if code == 400:
        try:
            message = str(json.loads(response.content.decode("utf-8-sig")).get("error", ""))
        except (ValueError, AttributeError):
            message = response.text[:200]
        if "dataset id" in message.lower():
            raise UnknownIndicatorError(f"The indicator id in {url}", f"ILOSTAT says: {message}", "search the catalogue")
        raise IlostatError(f"Asking ILOSTAT for {url}", f"ILOSTAT refused the request (400: {message})",
                           "check the filters")
    if code == 404:  # a moved host or a proxy's answer: as good as unreachable, so the cache/snapshot answer
        raise NetworkError(f"Asking ILOSTAT for {url}", "ILOSTAT answered 404 (not found): the address may have moved",
                           "set EVIDENCEKIT_ILOSTAT_URL to the current rplumber address, or work offline")
    if code in (403, 429) or code >= 500:
        why = {403: "ILOSTAT refused access (403 Forbidden; the server may be overloaded)",
               429: "ILOSTAT asked us to slow down (429 Too Many Requests) and kept refusing"}.get(
            code, f"ILOSTAT kept failing (HTTP {code}) after 3 retries")
        raise NetworkError(f"Asking ILOSTAT for {url}", why, "try again later; meanwhile the cache or snapshot answers")
    raise NetworkError(f"Asking ILOSTAT for {url}", f"unexpected answer HTTP {code}",
                       "try again later, or set EVIDENCEKIT_ILOSTAT_URL if ILOSTAT has moved")


class Transport:
    """The two HTTP sessions (cached metadata, streamed data), the deadline of each request and the
    network-down memory."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._data: requests.Session | None = None
        self._meta = None  # requests_cache.CachedSession, opened on first use
        self._meta_copy: Path | None = None  # private copy of a read-only cache's catalogue file

    # -- sessions ---------------------------------------------------------------------------------
    @property
    def http_cache_path(self) -> Path:
        return Path(self.settings.cache_dir) / HTTP_CACHE_FILE

    def data_session(self) -> requests.Session:
        if self._data is None:
            self._data = _mount(requests.Session(), self.settings)
        return self._data

    def meta_session(self):
        """requests-cache session for ToC and dictionaries (SQLite in the cache folder).

        A damaged SQLite file is deleted and rebuilt. A cache folder that cannot be written (a read-only
        share prepared for a class, a locked file) is read, never written: its catalogue file is copied
        for this process (SQLite's backup, consistent even while another process writes) and new answers
        are kept in that copy until the process ends — with one :class:`CacheWarning`.
        """
        if self._meta is None:
            self._meta = self._open_meta()
        return self._meta

    def _session(self, path: str, backend: str = "sqlite"):
        import requests_cache

        session = requests_cache.CachedSession(
            path, backend=backend, expire_after=self.settings.toc_max_age, stale_if_error=True,
            allowable_codes=(200,), allowable_methods=("GET",), filter_fn=_worth_keeping)
        len(session.cache.responses)  # touches the file: fails here if it is not a database
        return session

    def _open_meta(self):
        from evidencekit.ilostat.cache import writable

        can, why = writable(self.settings.cache_dir)
        if not can:
            return _mount(self._read_only_meta(why), self.settings)
        try:
            try:
                session = self._session(str(self.http_cache_path))
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError as err:  # "file is not a database", "disk image is malformed"
                self._discard_meta(err)
                session = self._session(str(self.http_cache_path))
        except (sqlite3.OperationalError, OSError) as err:  # cannot open or write the file at all
            self._warn_memory(err)
            session = self._session("ilostat-memory", "memory")
        return _mount(session, self.settings)

    def _read_only_meta(self, why: str):
        """A session over a private copy of the read-only cache's catalogue file (or in memory without one)."""
        from evidencekit.ilostat.cache import CacheWarning

        if self.http_cache_path.is_file():
            for old in Path(tempfile.gettempdir()).glob("evidencekit-ilostat-*"):  # left by killed processes
                try:
                    if time.time() - old.stat().st_mtime > 86400:
                        shutil.rmtree(old, ignore_errors=True)
                except OSError:
                    pass
            folder = Path(tempfile.mkdtemp(prefix="evidencekit-ilostat-"))
            copy = folder / HTTP_CACHE_FILE
            try:
                src = sqlite3.connect(f"file:{self.http_cache_path}?mode=ro", uri=True)
                dst = sqlite3.connect(copy)
                with dst:
                    src.backup(dst)
                src.close()
                dst.close()
                session = self._session(str(copy))
                self._meta_copy = folder
                warnings.warn(CacheWarning(
                    f"The ILOSTAT cache folder {self.settings.cache_dir} cannot be written ({why}): what it holds "
                    "is used, and new answers are kept for this session only (set EVIDENCEKIT_CACHE_DIR to a "
                    "folder you can write to keep them)"), stacklevel=4)
                return session
            except (sqlite3.DatabaseError, OSError) as err:
                shutil.rmtree(folder, ignore_errors=True)
                why = f"{why}; its catalogue file is unreadable ({err})"
        self._warn_memory(OSError(why))
        return self._session("ilostat-memory", "memory")

    def _warn_memory(self, err: Exception) -> None:
        from evidencekit.ilostat.cache import CacheWarning

        warnings.warn(CacheWarning(
            f"The ILOSTAT cache file {self.http_cache_path} cannot be used ({err}); the catalogue is kept in "
            "memory for this session only (set EVIDENCEKIT_CACHE_DIR to a folder you can write)"), stacklevel=4)

    def _discard_meta(self, err: Exception) -> None:
        from evidencekit.ilostat.cache import CacheWarning

        warnings.warn(CacheWarning(
            f"The cached ILOSTAT catalogue file {self.http_cache_path} is damaged ({err}); "
            "it was deleted and will be downloaded again"), stacklevel=3)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.http_cache_path) + suffix).unlink(missing_ok=True)

    def forget(self, url: str) -> None:
        """Drop the cached catalogue/dictionary answer of ``url`` (it turned out unreadable)."""
        if self._meta is None:
            return
        try:
            self._meta.cache.delete(urls=[url])
        except Exception:  # the copy is re-checked on every read anyway; never let this hide the real answer
            pass

    def close(self) -> None:
        for s in (self._data, self._meta):
            if s is not None:
                s.close()
        self._data = self._meta = None
        if self._meta_copy is not None:
            shutil.rmtree(self._meta_copy, ignore_errors=True)
            self._meta_copy = None

    def __del__(self) -> None:
        if getattr(self, "_meta_copy", None) is not None:
            shutil.rmtree(self._meta_copy, ignore_errors=True)

    # -- network-down memory ----------------------------------------------------------------------
    def _down_file(self) -> Path:
        return Path(self.settings.cache_dir) / DOWN_FILE

    def recently_down(self) -> tuple[float, str] | None:
        """``(seconds since, why)`` of the last failed live attempt if within ``down_for``; else None."""
        hit = _DOWN_UNTIL.get(self.settings.base_url)
        if hit is not None and time.monotonic() < hit[0]:
            return self.settings.down_for - (hit[0] - time.monotonic()), hit[1]
        try:
            info = json.loads(self._down_file().read_text())
            if info.get("base_url") == self.settings.base_url:
                age = time.time() - float(info["at"])
                if 0 <= age < self.settings.down_for:
                    return age, str(info.get("why") or "it could not be reached")
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def mark_down(self, why: str) -> None:
        """Remember a failed live attempt (in this process and in the cache folder) for ``down_for`` s."""
        _DOWN_UNTIL[self.settings.base_url] = (time.monotonic() + self.settings.down_for, why)
        try:
            from evidencekit.ilostat.cache import atomic_write

            atomic_write(self._down_file(), json.dumps(
                {"base_url": self.settings.base_url, "at": time.time(), "why": why}).encode())
        except OSError:
            pass

    def mark_up(self) -> None:
        try:
            if _DOWN_UNTIL.pop(self.settings.base_url, None) is not None or self._down_file().exists():
                self._down_file().unlink(missing_ok=True)
        except OSError:  # a read-only cache folder: the note there is ignored after down_for anyway
            pass

    # -- requests ---------------------------------------------------------------------------------
    def _timeout(self) -> DeadlineTimeout:
        return DeadlineTimeout(connect=self.settings.connect_timeout, read=self.settings.read_timeout)

    def _network_error(self, url: str, err: Exception, deadline: Deadline | None = None) -> NetworkError:
        kind = "could not be reached (no network, or the address is wrong)"
        if isinstance(err, DeadlineReached) or (deadline is not None and deadline.reached):
            kind = f"did not answer in full within the {self.settings.deadline:g} s deadline"
            if isinstance(err, DeadlineReached) and "asked to wait" in str(err):
                kind = f"answered too slowly: {err}"
        elif _timed_out(err):
            kind = "did not answer in time"
        elif _cut_short(err):
            kind = "broke off its answer before the end (the connection was cut during the download)"
        self.mark_down(f"{self.settings.base_url} {kind}")
        return NetworkError(
            f"Asking ILOSTAT for {url}", f"{self.settings.base_url} {kind}",
            "check the connection, or work offline (offline=True or EVIDENCEKIT_OFFLINE=1); on a slow line, allow "
            "more time (deadline=60 or EVIDENCEKIT_ILOSTAT_DEADLINE=60)",
        )

    def _check(self, response: requests.Response, url: str, body: bytes | None = None) -> None:
        """:func:`check`, remembering a challenge / 5xx / 429 as "ILOSTAT is down" for ``down_for`` s."""
        try:
            check(response, url, body)
        except NetworkError as err:
            self.mark_down(err.why)
            raise

    def get_meta(self, path: str, params: dict[str, str], cached_only: bool = False) -> tuple[bytes, dict]:
        """GET a catalogue/dictionary answer through requests-cache, within the deadline.

        Returns ``(body, info)``; ``info`` has ``url``, ``from_cache``, ``stale`` (an expired copy
        served because the live request failed) and ``retrieved_at`` (ISO UTC, for cached copies).
        ``cached_only=True`` never touches the network (raises :class:`NetworkError` when nothing is cached).
        """
        url = build_url(self.settings.base_url, path, params)
        stale = False
        self._open_meta_session()  # opening the cache file is not the server's time
        with Deadline(self.settings.deadline) as deadline:
            try:
                response = self._cached_get(url, only_if_cached=cached_only)
                if deadline.reached and not getattr(response, "from_cache", False):
                    raise DeadlineReached("cut off")
            except (requests.RequestException, DeadlineReached) as err:
                raise self._network_error(url, err, deadline) from None
        from_cache = bool(getattr(response, "from_cache", False))
        if cached_only and response.status_code == 504:  # requests-cache's "not in the cache" answer
            raise NetworkError(f"Reading {url} from the cache", "it was never downloaded", "go online once")
        if cached_only:
            stale = bool(getattr(response, "is_expired", False))
        elif from_cache and getattr(response, "is_expired", False):
            stale = True  # requests-cache served the expired copy because the live request failed
            self.mark_down(f"{self.settings.base_url} did not answer (no network, a server error or a bot check)")
        elif from_cache and _age(response) > self.settings.toc_max_age:
            # saved under a longer max age than this client's: ask again, keep the copy if that fails
            with Deadline(self.settings.deadline) as deadline:
                try:
                    fresh = self._cached_get(url, force_refresh=True)
                    if deadline.reached:
                        raise DeadlineReached("cut off")
                    self._check(fresh, url)
                    response, from_cache = fresh, False
                except (requests.RequestException, DeadlineReached) as err:
                    self._network_error(url, err, deadline)
                    stale = True
                except NetworkError:
                    stale = True
        self._check(response, url)
        if not from_cache:
            self.mark_up()
        created = getattr(response, "created_at", None) if from_cache else None
        retrieved = created.replace(microsecond=0, tzinfo=created.tzinfo or timezone.utc).isoformat() if created else None
        return response.content, {"url": url, "from_cache": from_cache, "stale": stale, "retrieved_at": retrieved}

    def _open_meta_session(self) -> None:
        try:
            self.meta_session()
        except sqlite3.DatabaseError:  # said and handled by _cached_get
            pass

    def _cached_get(self, url: str, **kw) -> requests.Response:
        """``meta_session().get``: a damaged SQLite file found mid-way is replaced once; one that cannot be
        written gives way to an in-memory catalogue (with a warning)."""
        try:
            return self.meta_session().get(url, timeout=self._timeout(), **kw)
        except (sqlite3.DatabaseError, UnboundLocalError) as err:
            # requests-cache 1.3 raises UnboundLocalError when its SQLite DELETE fails (a read-only file)
            if self._meta is not None:
                self._meta.close()
            self._meta = None
            if isinstance(err, (sqlite3.OperationalError, UnboundLocalError)):  # unwritable: keep it, use memory
                self._warn_memory(err if isinstance(err, sqlite3.OperationalError) else OSError("it cannot be written"))
                self._meta = _mount(self._session("ilostat-memory", "memory"), self.settings)
            else:
                self._discard_meta(err)
            return self.meta_session().get(url, timeout=self._timeout(), **kw)

    def probe(self, url: str, seconds: float) -> bytes:
        """GET a small answer at ``url`` (never cached) within ``seconds``, for a "can ILOSTAT be reached now?"
        check. A failure is remembered like any live failure (the data then come from the cache or the
        snapshot at once for ``down_for`` seconds); a success forgets an earlier one."""
        session = self.data_session()
        with Deadline(seconds) as deadline:
            try:
                response = session.get(url, timeout=self._timeout(), stream=False)
                body = response.content
                if deadline.reached:
                    raise DeadlineReached("cut off")
            except (requests.RequestException, DeadlineReached) as err:
                kind = (f"did not answer within {seconds:g} s" if isinstance(err, DeadlineReached) or deadline.reached
                        or _timed_out(err) else "could not be reached (no network, or the address is wrong)")
                self.mark_down(f"{self.settings.base_url} {kind}")
                raise NetworkError(f"Asking ILOSTAT for {url}", f"{self.settings.base_url} {kind}",
                                   "work offline: the embedded snapshot answers (EVIDENCEKIT_OFFLINE=1)") from None
        self._check(response, url, body)
        self.mark_up()
        return body

    def get_data(self, url: str, progress: bool | None = None, label: str = "ILOSTAT") -> bytes:
        """GET the data answer at ``url`` within the deadline, streamed; a progress bar on a terminal (or when
        ``progress=True``). A body cut off at the deadline is never returned."""
        session = self.data_session()
        with Deadline(self.settings.deadline) as deadline:
            try:
                response = session.get(url, timeout=self._timeout(), stream=True)
                if response.status_code != 200:
                    response.content  # read the (small) error body for check()
                    self._check(response, url)
                body = _read_stream(response, progress if progress is not None else self.settings.progress, label)
                if deadline.reached:
                    raise DeadlineReached("cut off")
            except (requests.RequestException, DeadlineReached) as err:
                raise self._network_error(url, err, deadline) from None
        self.mark_up()
        if not body.strip():
            raise NetworkError(f"Asking ILOSTAT for {url}", "the answer was empty (the download was cut off)",
                               "try again; meanwhile the cache or snapshot answers")
        self._check(response, url, body)
        return body


def _timed_out(err: BaseException) -> bool:
    """True for a timeout, also when requests wraps it in a ConnectionError (a read timeout after urllib3's
    retries, or one while the body streams in).

    >>> from urllib3.exceptions import MaxRetryError, ReadTimeoutError
    >>> _timed_out(requests.ConnectionError(MaxRetryError(None, "/x", ReadTimeoutError(None, "/x", "read"))))
    True
    >>> from urllib3.exceptions import NameResolutionError
    >>> _timed_out(requests.ConnectionError(MaxRetryError(None, "/x", NameResolutionError("h", None, OSError()))))
    False
    """
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    return _in_chain(err, (requests.Timeout, Urllib3Timeout, TimeoutError))


def _cut_short(err: BaseException) -> bool:
    """True when the server was reached but its answer stopped before the end: a body shorter than its
    ``Content-Length`` or a chunked body cut off (urllib3 ``ProtocolError`` / ``IncompleteRead``, which requests
    wraps in ``ChunkedEncodingError`` or ``ConnectionError``), or a connection closed without an answer.

    >>> from urllib3.exceptions import ProtocolError, IncompleteRead, MaxRetryError, NewConnectionError
    >>> _cut_short(requests.exceptions.ChunkedEncodingError(ProtocolError("Connection broken", IncompleteRead(10, 90))))
    True
    >>> _cut_short(requests.ConnectionError(MaxRetryError(None, "/x", NewConnectionError(None, "refused"))))
    False
    """
    import http.client

    from urllib3.exceptions import IncompleteRead, ProtocolError

    return _in_chain(err, (requests.exceptions.ChunkedEncodingError, ProtocolError, IncompleteRead,
                           http.client.IncompleteRead, http.client.RemoteDisconnected))


def _in_chain(err: BaseException, wanted: tuple[type, ...]) -> bool:
    """True when an exception of a ``wanted`` type is in ``err``'s chain (its args, ``reason``, cause and
    context, as requests and urllib3 wrap one another), unless the chain says the server was never reached
    (urllib3 ``NewConnectionError``: a refused connection or a failed name lookup)."""
    from urllib3.exceptions import NewConnectionError

    seen: set[int] = set()
    todo: list[object] = [err]
    while todo:
        e = todo.pop()
        if id(e) in seen or e is None:
            continue
        seen.add(id(e))
        if isinstance(e, NewConnectionError):
            return False
        if isinstance(e, wanted):
            return True
        if isinstance(e, BaseException):
            todo += [*e.args, getattr(e, "reason", None), e.__cause__, e.__context__]
    return False


def _worth_keeping(response) -> bool:
    """requests-cache filter: never keep a web page (a captive portal or a proxy's answer) or an empty
    (dropped) body as a catalogue."""
    html = "text/html" in response.headers.get("content-type", "").lower()
    return not html and bool((response.content or b"").strip())


def _age(response) -> float:
    """Seconds since requests-cache saved ``response`` (its ``created_at`` is naive UTC)."""
    created = getattr(response, "created_at", None)
    if created is None:
        return 0.0
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - created).total_seconds()


def _read_stream(response: requests.Response, progress: bool | None, label: str) -> bytes:
    """Read a streamed body in 64 KiB chunks, with a tqdm bar when asked or when stderr is a terminal."""
    show = progress if progress is not None else sys.stderr.isatty()
    total = int(response.headers.get("content-length") or 0) or None
    if response.headers.get("content-encoding"):
        total = None  # content-length counts compressed bytes
    buf = io.BytesIO()
    if show:
        from tqdm import tqdm

        with tqdm(total=total, unit="B", unit_scale=True, desc=f"Downloading {label}", leave=False,
                  file=sys.stderr) as bar:
            for chunk in response.iter_content(65536):
                buf.write(chunk)
                bar.update(len(chunk))
    else:
        for chunk in response.iter_content(65536):
            buf.write(chunk)
    return buf.getvalue()
