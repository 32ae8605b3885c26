"""The per-process response cache: repeated requests are answered from memory, never with stale data."""

from __future__ import annotations

import httpx
import pytest
from starlette.responses import Response

from api.response_cache import RESPONSES, ResponseCache
from db import loader
from db.engine import get_engine

URL = "/api/v1/observations?metric=applications.received&limit=3"


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    RESPONSES.clear()


def test_second_identical_request_is_a_hit_with_the_same_bytes(client: httpx.Client) -> None:
    first = client.get(URL)
    second = client.get(URL)
    assert first.status_code == second.status_code == 200
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert second.content == first.content
    for header in ("etag", "link", "cache-control", "vary", "content-type"):
        assert second.headers[header] == first.headers[header]
    assert len(first.json()["data"]) == 3


def test_parameter_order_is_one_entry(client: httpx.Client) -> None:
    client.get(URL)
    again = client.get("/api/v1/observations?limit=3&metric=applications.received")
    assert again.headers["x-cache"] == "HIT"


def test_an_ingest_makes_the_cached_answer_unreachable(client: httpx.Client, loaded_db: str) -> None:
    first = client.get(URL)
    with get_engine(loaded_db).begin() as conn:
        loader._bump_version(conn)  # what every ingest does, in its transaction
    after = client.get(URL)
    assert after.headers["x-cache"] == "MISS"
    assert after.headers["etag"] != first.headers["etag"]
    assert client.get(URL).headers["x-cache"] == "HIT"


def test_no_cache_from_the_client_computes_afresh(client: httpx.Client) -> None:
    first = client.get(URL)
    fresh = client.get(URL, headers={"Cache-Control": "no-cache"})
    assert fresh.headers["x-cache"] == "MISS"
    assert fresh.content == first.content
    assert client.get(URL, headers={"Pragma": "no-cache"}).headers["x-cache"] == "MISS"


def test_no_store_is_not_kept(client: httpx.Client) -> None:
    client.get(URL, headers={"Cache-Control": "no-store"})
    assert client.get(URL).headers["x-cache"] == "MISS"


def test_errors_are_never_cached(client: httpx.Client) -> None:
    for _ in range(2):
        resp = client.get("/api/v1/observations?metric=no.such.metric")
        assert resp.status_code == 400
        assert "x-cache" not in resp.headers


def test_csv_is_cached_apart_from_json(client: httpx.Client) -> None:
    as_json = client.get(URL)
    as_csv = client.get(URL + "&format=csv")
    assert as_csv.headers["x-cache"] == "MISS"
    assert as_csv.headers["content-type"].startswith("text/csv")
    hit = client.get(URL + "&format=csv")
    assert hit.headers["x-cache"] == "HIT" and hit.content == as_csv.content
    assert hit.headers["content-disposition"] == as_csv.headers["content-disposition"]
    assert client.get(URL).content == as_json.content


def test_hit_without_a_thread_when_the_version_is_fresh(client: httpx.Client,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "DATA_VERSION_TTL", 30.0)
    loader.forget_data_version()
    first = client.get(URL)
    second = client.get(URL)
    assert second.headers["x-cache"] == "HIT" and second.content == first.content


def test_revalidation_still_answers_304(client: httpx.Client) -> None:
    etag = client.get(URL).headers["etag"]
    resp = client.get(URL, headers={"If-None-Match": etag})
    assert resp.status_code == 304 and resp.content == b""


def test_lru_keeps_within_its_bytes() -> None:
    cache = ResponseCache(16 * 1000)  # entries up to 1,000 bytes
    for i in range(40):
        cache.put(f"k{i}", Response(b"x" * 900, media_type="application/json"), {"ETag": f'"{i}"'})
    assert cache.used <= cache.max_bytes
    assert cache.get("k0") is None and cache.get("k39") is not None
    cache.put("big", Response(b"x" * 2000, media_type="application/json"), {})
    assert cache.get("big") is None  # over 1/16 of the cache: not kept
    cache.put("err", Response(b"{}", status_code=404, media_type="application/json"), {})
    assert cache.get("err") is None


def test_zero_megabytes_turns_it_off() -> None:
    cache = ResponseCache(0)
    assert not cache.enabled
    cache.put("k", Response(b"{}", media_type="application/json"), {})
    assert len(cache) == 0


GQL = "query Q($m: String!) { observations(first: 2, filter: {metric: $m}) { edges { node { databaseId value } } } }"


def test_graphql_post_repeated_is_a_hit_and_shared_with_get(client: httpx.Client) -> None:
    body = {"query": GQL, "variables": {"m": "applications.received"}}
    first = client.post("/graphql", json=body)
    second = client.post("/graphql", json=body)
    assert first.status_code == second.status_code == 200
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert second.content == first.content and len(first.json()["data"]["observations"]["edges"]) == 2
    # the same query by GET, variables spelled differently: the same entry, with its ETag
    got = client.get("/graphql", params={"query": GQL, "variables": '{ "m" : "applications.received" }'})
    assert got.headers["x-cache"] == "HIT" and got.content == first.content
    assert "etag" in got.headers


def test_graphql_get_hit_keeps_etag_and_revalidates(client: httpx.Client) -> None:
    params = {"query": GQL, "variables": '{"m": "applications.received"}'}
    first = client.get("/graphql", params=params)
    hit = client.get("/graphql", params=params)
    assert hit.headers["x-cache"] == "HIT" and hit.headers["etag"] == first.headers["etag"]
    assert client.get("/graphql", params=params, headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_graphql_errors_are_not_cached(client: httpx.Client) -> None:
    body = {"query": "{ observations(first: 2, filter: {metric: \"no.such\"}) { edges { node { databaseId } } } }"}
    for _ in range(2):
        resp = client.post("/graphql", json=body)
        assert resp.json()["errors"] and "x-cache" not in resp.headers


def test_graphql_cache_follows_the_data_version(client: httpx.Client, loaded_db: str) -> None:
    body = {"query": GQL, "variables": {"m": "applications.received"}}
    client.post("/graphql", json=body)
    with get_engine(loaded_db).begin() as conn:
        loader._bump_version(conn)
    assert client.post("/graphql", json=body).headers["x-cache"] == "MISS"
    assert client.post("/graphql", json=body, headers={"Cache-Control": "no-cache"}).headers["x-cache"] == "MISS"
