"""Settings of the ILOSTAT client: arguments first, then environment variables, then defaults.

| setting | argument | environment variable | default |
|---|---|---|---|
| never touch the network | ``offline=`` | ``EVIDENCEKIT_OFFLINE=1`` | off |
| rplumber base URL | ``base_url=`` | ``EVIDENCEKIT_ILOSTAT_URL`` | ``https://rplumber.ilo.org`` |
| cache folder | ``cache_dir=`` | ``EVIDENCEKIT_CACHE_DIR`` | the user cache dir (platformdirs) |
| time allowed for one request, all included | ``deadline=`` | ``EVIDENCEKIT_ILOSTAT_DEADLINE`` | 15 s |

ILOSTAT's hosts have moved many times (``docs/ilostat.md``, "Settings"), hence the URL setting. The deadline
covers connecting, waiting, retries and the whole answer; after it the cache or the snapshot answers.

>>> s = Settings.resolve(base_url="https://example.org/", cache_dir="/tmp/ek", offline=True, env={})
>>> s.base_url, str(s.cache_dir), s.offline
('https://example.org', '/tmp/ek', True)
>>> Settings.resolve(env={"EVIDENCEKIT_OFFLINE": "1"}).offline
True
>>> Settings.resolve(offline=False, env={"EVIDENCEKIT_OFFLINE": "1"}).offline   # the argument wins
False
>>> Settings.resolve(env={"EVIDENCEKIT_ILOSTAT_DEADLINE": "5"}).deadline, Settings.resolve(deadline=2, env={}).deadline
(5.0, 2.0)
>>> Settings.resolve(env={"EVIDENCEKIT_ILOSTAT_DEADLINE": "soon"})
Traceback (most recent call last):
...
evidencekit.ilostat.errors.QueryError: The deadline 'soon' (from EVIDENCEKIT_ILOSTAT_DEADLINE): is not a number of seconds above 0. What to do: give seconds, e.g. EVIDENCEKIT_ILOSTAT_DEADLINE=15.
>>> Settings.resolve(env={"EVIDENCEKIT_ILOSTAT_URL": "rplumber.ilo.org"})
Traceback (most recent call last):
...
evidencekit.ilostat.errors.QueryError: The ILOSTAT address 'rplumber.ilo.org' (from EVIDENCEKIT_ILOSTAT_URL): is not a web address. What to do: write it in full, e.g. https://rplumber.ilo.org (https:// included).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import platformdirs

DEFAULT_BASE_URL = "https://rplumber.ilo.org"
ENV_OFFLINE = "EVIDENCEKIT_OFFLINE"
ENV_URL = "EVIDENCEKIT_ILOSTAT_URL"
ENV_CACHE = "EVIDENCEKIT_CACHE_DIR"
ENV_DEADLINE = "EVIDENCEKIT_ILOSTAT_DEADLINE"
DEFAULT_DEADLINE = 15.0
_TRUE = {"1", "true", "yes", "on"}


def default_cache_dir() -> Path:
    """The user cache folder for evidencekit's ILOSTAT files (e.g. ``~/.cache/evidencekit/ilostat``)."""
    return Path(platformdirs.user_cache_dir("evidencekit", appauthor=False)) / "ilostat"


@dataclass(frozen=True)
class Settings:
    """Resolved client settings (see the module table). Times are in seconds."""

    base_url: str = DEFAULT_BASE_URL
    cache_dir: Path = Path(".")
    offline: bool = False
    deadline: float = DEFAULT_DEADLINE  # one request, all included (connect, waits, retries, the whole body)
    connect_timeout: float = 4.0     # fail fast when the network is down
    read_timeout: float = 60.0       # the longest silence between two packets (the deadline comes first)
    toc_max_age: float = 86400.0     # the catalogue (ToC) and dictionaries are re-fetched after a day (0: always)
    down_for: float = 120.0          # after a failed live attempt, go straight to cache/snapshot this long
    max_retry_after: float = 30.0    # never wait longer than this on a Retry-After header
    progress: bool | None = None     # None: a progress bar only when stderr is a terminal

    @classmethod
    def resolve(
        cls,
        base_url: str | None = None,
        cache_dir: str | os.PathLike | None = None,
        offline: bool | None = None,
        timeout: float | tuple[float, float] | None = None,
        env: Mapping[str, str] | None = None,
        deadline: float | str | None = None,
        **other: object,
    ) -> "Settings":
        """Arguments first, then ``env`` (default ``os.environ``), then defaults.

        ``timeout`` is one number (connect and read) or a ``(connect, read)`` pair.
        """
        env = os.environ if env is None else env
        url = base_url or env.get(ENV_URL) or DEFAULT_BASE_URL
        if not str(url).strip().lower().startswith(("https://", "http://")):
            from evidencekit.ilostat.errors import QueryError

            where = "base_url" if base_url else ENV_URL
            raise QueryError(f"The ILOSTAT address {url!r} (from {where})", "is not a web address",
                             f"write it in full, e.g. {DEFAULT_BASE_URL} (https:// included)")
        folder = cache_dir or env.get(ENV_CACHE) or default_cache_dir()
        off = offline if offline is not None else env.get(ENV_OFFLINE, "").strip().lower() in _TRUE
        kw = dict(other)
        kw["deadline"] = _seconds(deadline if deadline is not None else env.get(ENV_DEADLINE, DEFAULT_DEADLINE),
                                  "deadline=" if deadline is not None else ENV_DEADLINE)
        if timeout is not None:
            connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
            kw["connect_timeout"], kw["read_timeout"] = float(connect), float(read)
        return cls(base_url=str(url).strip().rstrip("/"), cache_dir=Path(folder).expanduser(), offline=bool(off), **kw)


def _seconds(value: object, where: str) -> float:
    """A positive number of seconds, or :class:`QueryError` naming where it came from."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
        if not seconds > 0 or seconds != seconds or seconds == float("inf"):
            raise ValueError
    except (TypeError, ValueError):
        from evidencekit.ilostat.errors import QueryError

        what = f"deadline={value!r}" if where.endswith("=") else f"The deadline {value!r} (from {where})"
        raise QueryError(what, "is not a number of seconds above 0", f"give seconds, e.g. {where.rstrip('=')}=15") from None
    return seconds
