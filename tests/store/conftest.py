"""The store's tests run on SQLite and on a real PostgreSQL server, never a mock.

``EVIDENCEKIT_TEST_POSTGRES_URL`` names a database on a running server (``.ci/run`` installs Debian's
``postgresql``, starts it and exports it); each test gets a schema of its own there, dropped afterwards.
``EVIDENCEKIT_TEST_POSTGRES_CTL`` is a command that takes ``stop`` or ``start`` and stops or starts that server
(``.ci/run``: ``pg_ctlcluster <version> main``), for the tests of the database going away mid-session.
When ``CI`` is set and either is missing, or the server cannot be reached, the PostgreSQL tests **fail**; on a
developer's machine without them they skip, saying why.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid

import pytest
import sqlalchemy as sa

from evidencekit.store import Store

PG_ENV = "EVIDENCEKIT_TEST_POSTGRES_URL"
CTL_ENV = "EVIDENCEKIT_TEST_POSTGRES_CTL"


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing(why: str):
    if on_ci():
        pytest.fail(f"CI is set but {why}: the PostgreSQL tests cannot run (they never skip on CI)")
    pytest.skip(f"{why} (set {PG_ENV} to a PostgreSQL database to run these tests; .ci/run does)")


@pytest.fixture(scope="session")
def pg_admin() -> sa.Engine:
    """An engine on the test server's database (for making and dropping each test's schema)."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        _missing(f"{PG_ENV} is not set")
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"), pool_pre_ping=True,
                              connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as err:
        _missing(f"the PostgreSQL server at {sa.make_url(url).render_as_string(hide_password=True)} cannot be "
                 f"reached ({str(err.orig).strip()[:200]})")
    yield engine
    engine.dispose()


class Places:
    """Fresh databases for one test: ``new()`` gives the address of an empty one (a SQLite file, or a schema
    of its own on the PostgreSQL test server)."""

    def __init__(self, backend: str, tmp_path, admin: sa.Engine | None) -> None:
        self.backend, self.tmp_path, self.admin = backend, tmp_path, admin
        self.schemas: list[str] = []
        self.stores: list[Store] = []

    def new(self) -> str:
        if self.backend == "sqlite":
            return str(self.tmp_path / f"db-{uuid.uuid4().hex[:8]}.db")
        name = f"ek_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        self.schemas.append(name)
        url = self.admin.url.set(query={"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def open(self, url: str, **kw) -> Store:
        kw.setdefault("hosted", False)
        kw.setdefault("outbox", self.tmp_path / f"outbox-{uuid.uuid4().hex[:8]}.db")
        store = Store(url, **kw)
        self.stores.append(store)
        return store

    def cleanup(self) -> None:
        for s in self.stores:
            s.close()
        if self.admin is not None:
            for name in self.schemas:
                try:
                    with self.admin.begin() as conn:
                        conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
                except sa.exc.DBAPIError:
                    pass


@pytest.fixture(params=["sqlite", "postgresql"])
def places(request, tmp_path):
    """Parametrises a test over SQLite and PostgreSQL."""
    admin = request.getfixturevalue("pg_admin") if request.param == "postgresql" else None
    p = Places(request.param, tmp_path, admin)
    yield p
    p.cleanup()


@pytest.fixture
def pg_places(tmp_path, pg_admin):
    p = Places("postgresql", tmp_path, pg_admin)
    yield p
    p.cleanup()


@pytest.fixture
def db(places) -> str:
    """The address of a fresh database (SQLite file or PostgreSQL schema)."""
    return places.new()


@pytest.fixture
def pg_server(pg_admin):
    """Stops and starts the PostgreSQL test server (``EVIDENCEKIT_TEST_POSTGRES_CTL``); always started again."""
    ctl = os.environ.get(CTL_ENV, "").strip()
    if not ctl:
        _missing(f"{CTL_ENV} is not set (a command that takes stop or start)")

    class Server:
        def run(self, action: str) -> None:
            done = subprocess.run([*shlex.split(ctl), action], capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                raise RuntimeError(f"{ctl} {action} failed: {done.stdout}{done.stderr}")

        def stop(self) -> None:
            self.run("stop")

        def start(self) -> None:
            self.run("start")
            deadline = time.monotonic() + 60
            while True:
                try:
                    with pg_admin.connect() as conn:
                        conn.exec_driver_sql("SELECT 1")
                    return
                except sa.exc.DBAPIError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

    server = Server()
    yield server
    try:
        with pg_admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError:
        server.start()
