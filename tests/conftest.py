"""Shared test fixtures: where the shared real data lives (tests may skip only when it is absent), and the
PostgreSQL test server the store's and the hosted app's tests run on.

``EVIDENCEKIT_TEST_POSTGRES_URL`` names a database on a running server (``.ci/run`` installs Debian's
``postgresql``, starts it and exports it); each test makes a schema of its own there, dropped afterwards.
``EVIDENCEKIT_TEST_POSTGRES_CTL`` is a command that takes ``stop`` or ``start`` (``.ci/run``:
``pg_ctlcluster <version> main``), for the tests of the database going away mid-session. When ``CI`` is set and
either is missing, or the server cannot be reached, the PostgreSQL tests **fail**; on a developer's machine
without them they skip, saying why.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip only when the folder is absent — and fail on CI (``CI`` set),
    where the real data must be there (a green run that skipped the real-data checks would prove nothing)."""
    if not SHARED_DATA.is_dir():
        if on_ci():
            pytest.fail(f"CI is set but {SHARED_DATA} is missing: the real-data tests cannot run (they never skip on CI)")
        pytest.skip("../shared/data is absent (real data is only on development and CI machines)")
    return SHARED_DATA


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# -- the PostgreSQL test server ------------------------------------------------------------------------------------
PG_ENV = "EVIDENCEKIT_TEST_POSTGRES_URL"
CTL_ENV = "EVIDENCEKIT_TEST_POSTGRES_CTL"


def pg_missing(why: str):
    if on_ci():
        pytest.fail(f"CI is set but {why}: the PostgreSQL tests cannot run (they never skip on CI)")
    pytest.skip(f"{why} (set {PG_ENV} to a PostgreSQL database to run these tests; .ci/run does)")


@pytest.fixture(scope="session")
def pg_admin():
    """An engine on the test server's database (for making and dropping each test's schema)."""
    import sqlalchemy as sa

    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        pg_missing(f"{PG_ENV} is not set")
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"), pool_pre_ping=True,
                              connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as err:
        pg_missing(f"the PostgreSQL server at {sa.make_url(url).render_as_string(hide_password=True)} cannot be "
                   f"reached ({str(err.orig).strip()[:200]})")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_server(pg_admin):
    """Stops and starts the PostgreSQL test server (``EVIDENCEKIT_TEST_POSTGRES_CTL``); always started again."""
    import sqlalchemy as sa

    ctl = os.environ.get(CTL_ENV, "").strip()
    if not ctl:
        pg_missing(f"{CTL_ENV} is not set (a command that takes stop or start)")

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
