"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests use a schema of their own (so parallel runs do not collide)
on ``GONGKAI_TEST_POSTGRES_URL`` (default: the local server at 127.0.0.1:5432,
database ``test``).  When PostgreSQL is unreachable the tests are skipped,
except under ``CI``, where a skipped PostgreSQL run is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "fixtures" / "expected"
REPORTS = ROOT / "data" / "reports"
# The data version is read on every request in tests (statement counts and ETags must not depend on timing);
# tests/test_data_version_cache.py turns the per-process cache on.
os.environ.setdefault("GONGKAI_DATA_VERSION_TTL", "0")
PG_URL = os.environ.get("GONGKAI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _make_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str | None]:
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "gongkai.sqlite3"
        return f"sqlite:///{path}", None
    problem = _pg_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI but unreachable at {PG_URL}: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}", schema


def _drop_schema(schema: str | None) -> None:
    if schema:
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def loaded_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the dictionary and all bundled reports loaded (once per backend)."""
    from db.bundled import load_bundled
    from db.engine import get_engine, upgrade
    from db.loader import ensure_dictionary

    url, schema = _make_url(backend, tmp_path_factory)
    engine = get_engine(url)
    upgrade(engine)
    ensure_dictionary(engine)
    load_bundled(engine)
    yield url
    engine.dispose()
    _drop_schema(schema)


def _empty_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from db.engine import make_engine, upgrade
    from db.loader import ensure_dictionary

    url, schema = _make_url(backend, tmp_path_factory)
    engine = make_engine(url)
    upgrade(engine)
    ensure_dictionary(engine)
    yield engine
    engine.dispose()
    _drop_schema(schema)


@pytest.fixture
def fresh_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An empty, migrated database with the dictionary, for tests that write."""
    yield from _empty_database(backend, tmp_path_factory)


@pytest.fixture
def other_fresh_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A second empty database in the same test, to compare two ways of loading."""
    yield from _empty_database(backend, tmp_path_factory)


@pytest.fixture
def client(loaded_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    """An HTTP client speaking real ASGI to the app, on the loaded database."""
    monkeypatch.setenv("GONGKAI_DATABASE_URL", loaded_db)
    from api.app import create_app

    transport = httpx.ASGITransport(app=create_app())  # type: ignore[arg-type]
    yield _SyncASGIClient(transport)


class _SyncASGIClient(httpx.Client):
    """A synchronous facade over httpx's ASGI transport (runs each request on an event loop)."""

    def __init__(self, transport: httpx.ASGITransport) -> None:
        super().__init__(base_url="http://testserver")
        self._asgi = transport

    def request(self, method: str, url: httpx.URL | str, **kwargs: object) -> httpx.Response:  # type: ignore[override]
        import anyio

        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=self._asgi, base_url="http://testserver") as ac:
                resp = await ac.request(method, url, **kwargs)  # type: ignore[arg-type]
                await resp.aread()
                return resp

        return anyio.run(go)
