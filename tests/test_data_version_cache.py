"""The per-process data_version cache: REST revalidation is cheap, and an ingest still changes the ETag."""

from __future__ import annotations

import time

import httpx
import pytest

from db import loader
from db.engine import get_engine

URL = "/api/v1/observations?metric=applications.received&limit=5"


@pytest.fixture
def ttl(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(loader, "DATA_VERSION_TTL", 0.5)
    loader.forget_data_version()
    return 0.5


def _etag(client: httpx.Client, etag: str | None = None) -> tuple[int, str]:
    resp = client.get(URL, headers={"If-None-Match": etag} if etag else {})
    assert resp.status_code in (200, 304), resp.text
    return resp.status_code, resp.headers["etag"]


def test_ingest_in_this_process_changes_etag_at_once(client: httpx.Client, loaded_db: str, ttl: float) -> None:
    status, first = _etag(client)
    assert status == 200
    assert _etag(client, first) == (304, first)
    with get_engine(loaded_db).begin() as conn:
        loader._bump_version(conn)  # what every ingest does, in its transaction
    status, second = _etag(client, first)
    assert status == 200 and second != first  # no wait: a commit here forgets the cached version


def test_write_by_another_process_seen_after_ttl(client: httpx.Client, loaded_db: str, ttl: float) -> None:
    status, first = _etag(client)
    assert _etag(client, first)[0] == 304
    with get_engine(loaded_db).begin() as conn:  # as another process would: no hook in this one
        conn.exec_driver_sql("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR(32)) "
                             "WHERE key = 'data_version'")
    time.sleep(ttl + 0.05)
    status, second = _etag(client, first)
    assert status == 200 and second != first


def test_star_still_validates_the_request(client: httpx.Client) -> None:
    resp = client.get("/api/v1/observations?limit=many", headers={"If-None-Match": "*"})
    assert resp.status_code == 400
