"""REST answers bad input with a 4xx problem document that says what to fix, never a 5xx."""

from __future__ import annotations

import base64

import httpx
import orjson
import pytest

from db.loader import publisher_id

JILIN = publisher_id("吉林市人民政府")


def _cursor(key: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")


BAD = [
    # (url, status, code, a phrase the detail must contain)
    ("/api/v1/observations?year=2023:2016", 400, "invalid_year_range", "2016:2023"),
    ("/api/v1/observations?year=20x9", 400, "invalid_year_range", "YYYY"),
    ("/api/v1/observations?year=1200", 400, "invalid_year_range", "between 1900 and 2100"),
    ("/api/v1/observations?year=2019:", 400, "invalid_year_range", "YYYY"),
    ("/api/v1/reports?year=99999999999999999999", 400, "invalid_year_range", "YYYY"),
    ("/api/v1/observations?metric=applications.recieved", 400, "unknown_metric", "applications.received"),
    ("/api/v1/observations?metric=review.total;nope", 400, "unknown_metric", "/api/v1/metrics"),
    (f"/api/v1/series?publisher={JILIN}&metric=nope", 400, "unknown_metric", "/api/v1/metrics"),
    (f"/api/v1/series?publisher={JILIN}&metric=review.total&mode=sideways", 400, "invalid_parameter",
     "previous_year"),
    (f"/api/v1/series?publisher={JILIN}&metric=review.total&route=direct", 400, "unknown_dimension", "route"),
    ("/api/v1/deltas?applicant=natural_person", 400, "invalid_parameter", "metric"),
    ("/api/v1/deltas?sort=value", 400, "invalid_sort", "publisher"),
    ("/api/v1/rankings?metric=applications.received", 400, "missing_parameter", "year"),
    ("/api/v1/rankings?metric=applications.received&year=2019:2020", 400, "invalid_year_range", "one year"),
    ("/api/v1/rankings?metric=applications.received&year=2024&by=size", 400, "invalid_parameter", "change"),
    ("/api/v1/rankings?metric=applications.received&year=2024&limit=5000", 400, "limit_out_of_range", "1000"),
    ("/api/v1/rankings?metric=nope&year=2024", 400, "unknown_metric", "/api/v1/metrics"),
    ("/api/v1/observations?applicant=robot", 400, "unknown_dimension_member", "natural_person"),
    ("/api/v1/observations?colour=red", 400, "unknown_parameter", "applicant"),
    ("/api/v1/checks?applicant=total", 400, "unknown_parameter", "result"),
    ("/api/v1/observations?limit=100000", 400, "limit_out_of_range", "1000"),
    ("/api/v1/observations?limit=1e3", 400, "invalid_parameter", "whole number"),
    ("/api/v1/observations?after=%%%", 400, "invalid_cursor", "next"),
    ("/api/v1/observations?after=bm90LWpzb24", 400, "invalid_cursor", "next"),
    (f"/api/v1/observations?after={_cursor(['observations:year,publisher', {'a': 1}, 'x', 'y'])}", 400,
     "invalid_cursor", "next"),
    (f"/api/v1/observations?after={_cursor(['observations:year,publisher', 2**40, 'x', 'y'])}", 400,
     "invalid_cursor", "next"),
    (f"/api/v1/observations?after={_cursor(['observations:year,publisher', 'x', 'y', 'z'])}", 400,
     "invalid_cursor", "next"),
    ("/api/v1/observations?sort=-colour", 400, "invalid_sort", "metric"),
    ("/api/v1/observations?sort=year,year", 400, "invalid_sort", "twice"),
    ("/api/v1/observations?fields=", 400, "unknown_field", "id"),
    ("/api/v1/observations?format=xml", 400, "unsupported_format", "csv"),
    ("/api/v1/reports/r-1/sections?format=csv", 400, "unsupported_format", "JSON"),
    ("/api/v1/observations.csv?format=ndjson", 400, "unsupported_format", "csv"),
    ("/api/v1/observations?status=guessed", 400, "invalid_parameter", "reported"),
    ("/api/v1/checks?result=maybe", 400, "invalid_parameter", "fail"),
    ("/api/v1/observations?metric=review.total&metric=litigation.total", 400, "repeated_parameter", "metric"),
    ("/api/v1/metrics?category=nope", 400, "unknown_category", "review"),
    ("/api/v1/series?metric=review.total", 400, "missing_parameter", "publisher"),
    ("/api/v1/series?publisher=p-nobody&metric=review.total", 404, "not_found", "/api/v1/publishers"),
    ("/api/v1/metrics/applications.recieved", 404, "not_found", "applications.received"),
    ("/api/v1/publishers/p-nobody", 404, "not_found", "/api/v1/publishers"),
    ("/api/v1/reports/r-nothing/checks", 404, "not_found", "/api/v1/reports"),
    ("/api/v1/nothing-here", 404, "not_found", ""),
    ("/api/v1/observations?metric=%FF%FE", 400, "invalid_encoding", "UTF-8"),
    ("/api/v1/observations?%C3%28=1", 400, "invalid_encoding", "UTF-8"),
    ("/api/v1/reports?publisher=p-%00x", 400, "invalid_encoding", "NUL"),
    ("/api/v1/observations?metric=" + "a" * 9000, 414, "uri_too_long", "8192"),
    ("/api/v1/observations?" + "&".join(f"p{i}=1" for i in range(2000)), 414, "uri_too_long", "8192"),
    ("/api/v1/metrics?bom=1", 400, "invalid_parameter", "CSV"),
    ("/api/v1/observations?subunit=" + "x" * 200, 400, "unknown_dimension_member", "128"),
]


@pytest.mark.parametrize(("url", "status", "code", "phrase"), BAD)
def test_bad_input_is_a_problem_document(client: httpx.Client, url: str, status: int, code: str,
                                         phrase: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["access-control-allow-origin"] == "*"
    body = r.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["type"].endswith("/" + code)
    assert phrase in body["detail"], body["detail"]


def test_unknown_metric_lists_close_codes(client: httpx.Client) -> None:
    body = client.get("/api/v1/observations", params={"metric": "litigation.totl"}).json()
    assert body["suggestions"][0] == "litigation.total"
    assert body["list"] == "/api/v1/metrics"


def test_wrong_method_is_a_problem(client: httpx.Client) -> None:
    r = client.post("/api/v1/observations", json={})
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


def test_free_text_dimension_accepts_any_text(client: httpx.Client) -> None:
    r = client.get("/api/v1/observations", params={"subunit": "不存在的单位%_"})
    assert r.status_code == 200 and r.json()["data"] == []
    r = client.get("/api/v1/publishers", params={"name_contains": "%"})
    assert r.status_code == 200 and r.json()["data"] == []
