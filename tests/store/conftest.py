"""The store's tests run on SQLite and on a real PostgreSQL server, never a mock (the server's fixtures,
``pg_admin`` and ``pg_server``, are in ``tests/conftest.py``)."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from evidencekit.store import Store

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


