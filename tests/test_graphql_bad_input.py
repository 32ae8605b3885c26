"""GraphQL answers bad input with an error that has a clear message and ``extensions.code``, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from schema.limits import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_TOKENS


def _errors(r: httpx.Response) -> list[dict[str, Any]]:
    assert r.status_code < 500, r.text
    body = r.json()
    assert body.get("errors"), body
    for e in body["errors"]:
        assert e["extensions"]["code"], e
    errors: list[dict[str, Any]] = body["errors"]
    return errors


def _post(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return _errors(client.post("/graphql", json={"query": query, "variables": variables}))


def _deep(levels: int) -> str:
    inner = "title"
    for _ in range(levels):
        inner = f"children {{ {inner} }}"
    return f'{{ report(id: "x") {{ sections {{ {inner} }} }} }}'


CASES = [
    # (query, variables, code, phrase in the message)
    ("{ reports(first: 5 { id }", None, "graphql_parse_failed", "Syntax Error"),
    ("query {", None, "graphql_parse_failed", "Syntax Error"),
    ("{ reports(first: 5) { edges { node { colour } } } }", None, "unknown_field", "colour"),
    ("{ reports(first: 5, colour: 1) { pageInfo { hasNextPage } } }", None, "unknown_parameter", "colour"),
    ("{ reports { pageInfo { hasNextPage } } }", None, "missing_parameter", "first"),
    ("query($n: Int!) { reports(first: $n) { pageInfo { hasNextPage } } }", {"n": "ten"}, "invalid_parameter",
     "Int"),
    ("query($n: Int!) { reports(first: $n) { pageInfo { hasNextPage } } }", {}, "invalid_parameter", "$n"),
    ('{ reports(first: "ten") { pageInfo { hasNextPage } } }', None, "invalid_parameter", "Int"),
    ("{ reports(first: 100000) { pageInfo { hasNextPage } } }", None, "limit_out_of_range", "100"),
    ("query($n: Int!) { observations(first: $n) { pageInfo { hasNextPage } } }", {"n": 100000},
     "limit_out_of_range", "between 1 and 100"),
    ("{ checks(first: 0) { pageInfo { hasNextPage } } }", None, "limit_out_of_range", "between 1 and 100"),
    ("{ checks(first: -5) { pageInfo { hasNextPage } } }", None, "limit_out_of_range", "between 1 and 100"),
    ('{ observations(first: 5, after: "garbage!") { pageInfo { hasNextPage } } }', None, "invalid_cursor", "next"),
    ('{ observations(first: 5, filter: {metric: "applications.recieved"}) { pageInfo { hasNextPage } } }', None,
     "unknown_metric", "applications.received"),
    ('{ observations(first: 5, filter: {dims: [{name: "colour", value: "red"}]}) { pageInfo { hasNextPage } } }',
     None, "unknown_dimension", "applicant"),
    ('{ observations(first: 5, filter: {dims: [{name: "applicant", value: "robot"}]}) { pageInfo { hasNextPage } }'
     " }", None, "unknown_dimension_member", "natural_person"),
    ("{ observations(first: 5, filter: {yearRange: {from: 2023, to: 2016}}) { pageInfo { hasNextPage } } }", None,
     "invalid_year_range", "2016:2023"),
    ('{ checks(first: 5, filter: {result: "maybe"}) { pageInfo { hasNextPage } } }', None, "invalid_parameter",
     "fail"),
    ('{ series(publisher: "p-nobody", metric: "review.total") { unit } }', None, "not_found", "p-nobody"),
    ('{ series(publisher: "p-f07994df1dd2", metric: "nope") { unit } }', None, "unknown_metric", "/api/v1/metrics"),
    ('{ rankings(metric: "review.total", year: 2024, minBase: -1) { total } }', None, "invalid_parameter",
     "min_base"),
    ('{ rankings(metric: "review.total", year: 2024, first: 1000) { total } }', None, "limit_out_of_range", "100"),
    ('{ deltas(first: 5, filter: {dims: [{name: "applicant", value: "total"}]}) { totalCount } }', None,
     "invalid_parameter", "metric"),
    ('{ node(id: "not-an-id") { id } }', None, "invalid_parameter", "global id"),
    ('{ report(id: "UHVibGlzaGVyOnAteA") { id } }', None, "invalid_parameter", "not a Report"),
    (_deep(MAX_DEPTH + 2), None, "query_too_deep", f"depth limit of {MAX_DEPTH}"),
    ("{ " + " ".join(f"a{i}: metrics {{ code }}" for i in range(MAX_ALIASES + 1)) + " }", None, "too_many_aliases",
     f"alias limit (MaxAliasesLimiter) is {MAX_ALIASES}"),
    ("{ metrics { " + "code " * (MAX_TOKENS + 10) + "} }", None, "too_many_tokens", f"token limit (MaxTokensLimiter)"
     f" is {MAX_TOKENS}"),
    ("{ " + " ".join(f"p{i}: publishers(first: 100) {{ edges {{ node {{ reports(first: 100) {{ totalCount }} }} }} }}"
                     for i in range(3)) + " }", None, "query_too_costly", f"cost limit of {MAX_COST}"),
    ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 101}, "limit_out_of_range", "100"),
    ("{ ...Nope }", None, "graphql_validation_failed", "Unknown fragment 'Nope'"),
    ("{ metrics { ...F } } fragment F on Metric { code ...G }", None, "graphql_validation_failed",
     "Unknown fragment 'G'"),
]


@pytest.mark.parametrize(("query", "variables", "code", "phrase"), CASES)
def test_bad_query_is_a_coded_error(client: httpx.Client, query: str, variables: dict[str, Any] | None, code: str,
                                    phrase: str) -> None:
    errors = _post(client, query, variables)
    assert errors[0]["extensions"]["code"] == code, errors
    assert phrase in errors[0]["message"], errors[0]["message"]


def test_limit_errors_carry_the_limit(client: httpx.Client) -> None:
    deep = _post(client, _deep(MAX_DEPTH + 2))[0]
    assert deep["extensions"]["limit"] == MAX_DEPTH
    costly = _post(client, "{ " + " ".join(
        f"p{i}: publishers(first: 100) {{ edges {{ node {{ reports(first: 100) {{ totalCount }} }} }} }}"
        for i in range(3)) + " }")[0]
    assert costly["extensions"]["limit"] == MAX_COST and costly["extensions"]["cost"] == 3 * (100 + 100 * 100)


def test_cost_counts_nested_connections_and_fragments(client: httpx.Client) -> None:
    """A query under the limit runs; the same through a fragment and variables is costed alike."""
    ok = client.post("/graphql", json={"query": "{ publishers(first: 100) { edges { node { reports(first: 100) "
                                                "{ totalCount } } } } }"}).json()
    assert "errors" not in ok, ok
    frag = """query($a: Int!, $b: Int!) { x: publishers(first: $a) { ...P } y: publishers(first: $a) { ...P }
        z: publishers(first: $a) { ...P } }
        fragment P on PublisherConnection { edges { node { reports(first: $b) { totalCount } } } }"""
    errors = _post(client, frag, {"a": 100, "b": 100})
    assert errors[0]["extensions"]["code"] == "query_too_costly"


@pytest.mark.parametrize(("content", "body", "code"), [
    ("application/json", b"{not json", "bad_request"),
    ("application/json", b'{"variables": {}}', "bad_request"),
    ("application/json", b'{"query": 5}', "bad_request"),
    ("application/json", b'{"query": "{ metrics { code } }", "variables": "x"}', "bad_request"),
    ("text/plain", b"{ metrics { code } }", "bad_request"),
])
def test_unreadable_requests_are_coded_json_errors(client: httpx.Client, content: str, body: bytes,
                                                   code: str) -> None:
    r = client.post("/graphql", content=body, headers={"content-type": content})
    assert 400 <= r.status_code < 500
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["errors"][0]["extensions"]["code"] == code
    assert r.headers["access-control-allow-origin"] == "*"


def test_mutation_over_get_and_bad_get_queries(client: httpx.Client) -> None:
    r = client.get("/graphql", params={"query": "{ nope"})
    assert r.status_code < 500 and r.json()["errors"][0]["extensions"]["code"] == "graphql_parse_failed"
    r = client.get("/graphql", params={"query": "{ metrics { code } }", "variables": "not json"})
    assert r.status_code < 500 and r.json()["errors"][0]["extensions"]["code"] == "bad_request"
    r = client.put("/graphql", json={"query": "{ metrics { code } }"})
    assert r.status_code == 405
