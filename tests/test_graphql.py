"""The GraphQL API (issue 5): schema file, N+1, Relay ids and connections, real data, caching, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from db.loader import publisher_id, report_id
from tests.conftest import EXPECTED, REPORTS

INDEX = json.loads((REPORTS / "index.json").read_text(encoding="utf-8"))
REF = json.loads((EXPECTED / "jilin-city-2017.json").read_text(encoding="utf-8"))
JILIN = publisher_id("吉林市人民政府")
JILIN_2017 = report_id(JILIN, 2017)
ZONE = publisher_id("平潭综合实验区管委会")


def gql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    r = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


@contextmanager
def count_statements(loaded_db: str) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs."""
    from db.engine import get_engine

    engine = get_engine(loaded_db)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


# --- the schema file ----------------------------------------------------------------------

def test_committed_schema_file_matches_the_code() -> None:
    from schema.__main__ import SCHEMA_FILE, render

    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), (
        "schema/schema.graphql differs from the code's schema: run `python -m schema` and commit the file")


def test_sort_enums_match_the_query_layer() -> None:
    from api.rest import DELTA_SORTING
    from db import queries
    from schema.graphql import SORT_ENUMS

    keys = {"publishers": list(queries.PUBLISHERS.sort_keys), "reports": list(queries.REPORTS.sort_keys),
            "observations": list(queries.OBSERVATIONS.sort_keys), "checks": list(queries.CHECKS.sort_keys),
            "deltas": list(DELTA_SORTING.keys)}
    for name, enum in SORT_ENUMS.items():
        assert [e.value for e in enum] == keys[name], name


# --- no N+1 --------------------------------------------------------------------------------

NESTED = """
query($first: Int!) { reports(first: $first) { edges { node {
  databaseId year title
  publisher { name names { name } parent { name } }
  sections { title text observations { metric value } children { title observations { metric value } } }
  observations { metric value dims { name value } provenance { quote sectionTitle } metricInfo { labelEn } }
  filtered: observations(filter: {metric: "applications.received"}) { value }
  statements { metric direction verification { result claimed { value } recorded { value quote } } }
  checks(result: "fail") { rule }
} } } }
"""


def test_nested_query_runs_a_constant_number_of_statements(client: httpx.Client, loaded_db: str) -> None:
    gql(client, NESTED, {"first": 1})  # warm the dictionary cache (read once per data version)
    with count_statements(loaded_db) as few:
        small = gql(client, NESTED, {"first": 2})
    with count_statements(loaded_db) as all_:
        every = gql(client, NESTED, {"first": 100})
    assert len(small["reports"]["edges"]) == 2
    assert len(every["reports"]["edges"]) == len(INDEX)
    assert sum(len(e["node"]["observations"]) for e in every["reports"]["edges"]) > 2000
    # one statement per kind of thing, whatever the number of reports
    assert len(all_) == len(few) <= 12, all_
    jilin = next(e["node"] for e in every["reports"]["edges"] if e["node"]["databaseId"] == JILIN_2017)
    assert {501, 410, 47} <= {o["value"] for o in jilin["filtered"]}


def test_total_count_is_computed_only_when_asked(client: httpx.Client, loaded_db: str) -> None:
    with count_statements(loaded_db) as without:
        gql(client, "{ checks(first: 5) { edges { node { id } } } }")
    with count_statements(loaded_db) as with_count:
        data = gql(client, "{ checks(first: 5) { totalCount edges { node { id } } } }")
    assert len(with_count) == len(without) + 1
    assert any("count(" in s.lower() for s in with_count) and not any("count(" in s.lower() for s in without)
    rest_total = len(_rest_all(client, "/api/v1/checks"))
    assert data["checks"]["totalCount"] == rest_total


def _rest_all(client: httpx.Client, url: str, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    body = client.get(url, params={**params, "limit": 1000}).json()
    out.extend(body["data"])
    while body["next"]:
        body = client.get(body["next"]).json()
        out.extend(body["data"])
    return out


# --- Relay ------------------------------------------------------------------------------------

def test_global_ids_are_opaque_and_node_resolves_every_type(client: httpx.Client) -> None:
    data = gql(client, """query($id: ID!) { report(id: $id) { id databaseId
        publisher { id databaseId } sections { id title } observations { id databaseId }
        statements { id } checks { id } } metric(code: "review.total") { id code }
        categories { id code } }""", {"id": JILIN_2017})
    rep = data["report"]
    assert rep["databaseId"] == JILIN_2017 and rep["id"] != JILIN_2017
    ids = {"Report": rep["id"], "Publisher": rep["publisher"]["id"], "Section": rep["sections"][0]["id"],
           "Observation": rep["observations"][0]["id"], "Statement": rep["statements"][0]["id"],
           "Check": rep["checks"][0]["id"], "Metric": data["metric"]["id"], "Category": data["categories"][0]["id"]}
    query = """query($id: ID!) { node(id: $id) { __typename id
        ... on Report { databaseId } ... on Publisher { name } ... on Section { title }
        ... on Observation { databaseId } ... on Metric { code } ... on Category { code } } }"""
    for typename, gid in ids.items():
        node = gql(client, query, {"id": gid})["node"]
        assert node["__typename"] == typename and node["id"] == gid
    assert gql(client, query, {"id": ids["Section"]})["node"]["title"] == rep["sections"][0]["title"]
    many = gql(client, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": list(ids.values())})
    assert [n["id"] for n in many["nodes"]] == list(ids.values())
    # the global id works where an id is asked for, as does the REST id
    by_global = gql(client, "query($id: ID!) { report(id: $id) { databaseId } }", {"id": rep["id"]})
    assert by_global["report"]["databaseId"] == JILIN_2017


def test_connection_pages_cover_everything_without_overlap(client: httpx.Client) -> None:
    query = """query($after: String, $p: ID!) { observations(first: 100, after: $after, filter: {publisher: $p},
        orderBy: [{field: YEAR, direction: DESC}, {field: METRIC}]) {
        edges { cursor node { databaseId year metric } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        conn = gql(client, query, {"after": after, "p": ZONE})["observations"]
        seen.extend(e["node"] for e in conn["edges"])
        assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    rest = _rest_all(client, "/api/v1/observations", publisher=ZONE, sort="-year,metric")
    assert [o["databaseId"] for o in seen] == [o["id"] for o in rest]
    assert len({o["databaseId"] for o in seen}) == len(seen) > 100


def test_publisher_with_name_history_children_and_report_connection(client: httpx.Client) -> None:
    data = gql(client, """query($id: ID!) { publisher(id: $id) { name level
        names { name firstYear lastYear } children { name parent { databaseId } }
        reports(first: 3) { totalCount edges { node { year } } pageInfo { hasNextPage endCursor } }
        later: reports(first: 100, filter: {yearRange: {from: 2021, to: 2025}}) { edges { node { year } } } } }""",
               {"id": ZONE})
    pub = data["publisher"]
    printed = [e for e in INDEX if e["publisher"].startswith("平潭综合实验区管委会")]
    assert {n["name"] for n in pub["names"]} == {e["publisher"] for e in printed}
    assert pub["reports"]["totalCount"] == len(printed)
    assert [e["node"]["year"] for e in pub["reports"]["edges"]] == sorted(e["year"] for e in printed)[:3]
    assert pub["reports"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["year"] for e in pub["later"]["edges"]] == [2021, 2022, 2023, 2024, 2025]
    assert "平潭县人民政府" in {c["name"] for c in pub["children"]}
    assert {c["parent"]["databaseId"] for c in pub["children"]} == {publisher_id("平潭综合实验区管委会")}
    # nested connections of many publishers page independently
    nested = gql(client, """{ publishers(first: 100) { edges { node { databaseId
        reports(first: 1) { edges { node { year } } pageInfo { hasNextPage } } } } } }""")
    by_id = {e["node"]["databaseId"]: e["node"]["reports"] for e in nested["publishers"]["edges"]}
    assert by_id[ZONE]["edges"][0]["node"]["year"] == min(e["year"] for e in printed)
    assert by_id[ZONE]["pageInfo"]["hasNextPage"] is True
    assert by_id[JILIN]["pageInfo"]["hasNextPage"] is False


# --- real data --------------------------------------------------------------------------------

def test_series_with_deltas_and_provenance(client: httpx.Client) -> None:
    s = gql(client, """query($p: ID!) { series(publisher: $p, metric: "applications.received",
        yearRange: {from: 2023, to: 2024}) { publisher { name } metric unit mode missingYears
        points { year value baseYear baseValue change percentChange provenance { quote }
        observation { databaseId value } baseReport { year } } } }""", {"p": ZONE})["series"]
    assert s["publisher"]["name"] == "平潭综合实验区管委会" and s["unit"] == "件" and s["mode"] == "PREVIOUS_YEAR"
    points = {p["year"]: p for p in s["points"]}
    assert (points[2023]["value"], points[2024]["value"]) == (81, 218)
    assert (points[2024]["baseYear"], points[2024]["change"], points[2024]["percentChange"]) == (2023, 137, 169.14)
    assert points[2024]["baseReport"] == {"year": 2023}
    assert points[2024]["observation"]["value"] == 218 and points[2024]["provenance"]["quote"] == "218"
    funding = gql(client, """query($p: ID!) { series(publisher: $p, metric: "capacity.funding") {
        points { year value provenance { quote sectionTitle } } } }""", {"p": JILIN})["series"]
    assert funding["points"] == [{"year": 2017, "value": 659000, "provenance": {
        "quote": "65.9万元", "sectionTitle": "政府信息公开专项经费情况"}}]


def test_deltas_connection_and_rankings(client: httpx.Client) -> None:
    data = gql(client, """query($p: ID!) {
        deltas(first: 2, filter: {metric: "applications.received", publisher: $p, yearRange: {from: 2022, to: 2025}},
               orderBy: [{field: YEAR, direction: DESC}]) {
          totalCount edges { node { year value change publisher { databaseId } } } pageInfo { hasNextPage } }
        rankings(metric: "applications.received", year: 2024, by: VALUE, first: 10) {
          total by order items { rank value publisher { databaseId name } report { year } } } }""", {"p": ZONE})
    d = data["deltas"]
    assert d["totalCount"] >= 3 and d["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["year"] for e in d["edges"]] == sorted((e["node"]["year"] for e in d["edges"]), reverse=True)
    r = data["rankings"]
    assert r["by"] == "VALUE" and r["order"] == "DESC" and r["total"] == len(r["items"])
    zone = next(i for i in r["items"] if i["publisher"]["databaseId"] == ZONE)
    assert zone["value"] == 218 and zone["report"] == {"year": 2024}


def test_observation_filters_by_dims_and_several_metrics(client: httpx.Client) -> None:
    data = gql(client, """query($p: ID!) {
        inPerson: observations(first: 10, filter: {publisher: $p, metric: "applications.received",
                  dims: [{name: "channel", value: "in_person"}]}) { edges { node { value dims { name value } } } }
        two: observations(first: 10, filter: {publisher: $p, metrics: ["review.total", "litigation.total"],
             year: 2017}) { edges { node { metric value } } } }""", {"p": JILIN})
    assert [e["node"]["value"] for e in data["inPerson"]["edges"]] == [410]
    assert {e["node"]["metric"]: e["node"]["value"] for e in data["two"]["edges"]} == {
        "review.total": 39, "litigation.total": 73}


def test_failing_checks_in_2023(client: httpx.Client) -> None:
    data = gql(client, """{ checks(first: 100, filter: {result: "fail", year: 2023}) {
        totalCount edges { node { rule result year left { value } right { value } report { title }
        publisher { name } } } } }""")["checks"]
    rest = _rest_all(client, "/api/v1/checks", result="fail", year="2023")
    assert data["totalCount"] == len(rest) > 0
    assert [e["node"]["rule"] for e in data["edges"]] == [c["rule"] for c in rest]
    assert {e["node"]["year"] for e in data["edges"]} == {2023}


def test_sections_have_text_and_the_figures_inside(client: httpx.Client) -> None:
    rep = gql(client, """query($id: ID!) { report(id: $id) { sections { number title text
        children { title observations { metric value provenance { quote } } } observations { metric } } } }""",
              {"id": JILIN_2017})["report"]
    assert [s["title"] for s in rep["sections"]] == [s["title"] for s in REF["sections"]]
    funding = [c for s in rep["sections"] for c in s["children"] if c["title"] == "政府信息公开专项经费情况"]
    assert len(funding) == 1
    assert ("capacity.funding", 659000) in {(o["metric"], o["value"]) for o in funding[0]["observations"]}
    parent = next(s for s in rep["sections"] if funding[0] in s["children"])
    assert {o["metric"] for o in funding[0]["observations"]} <= {o["metric"] for o in parent["observations"]}
    assert rep["sections"][0]["text"].startswith("一")


def test_dictionary_with_labels_in_both_languages(client: httpx.Client) -> None:
    data = gql(client, """{ metric(code: "capacity.funding") { labelZh labelEn en: label(lang: EN) unit dims
        category } metrics(category: "review") { code } categories { code label(lang: ZH) metrics { code } }
        dimensions { name members { code label(lang: EN) } } }""")
    rest = client.get("/api/v1/metrics/capacity.funding").json()["data"]
    assert data["metric"]["en"] == rest["label_en"] and data["metric"]["labelZh"] == rest["label_zh"]
    assert data["metric"]["unit"] == "元"
    assert data["metrics"][0]["code"] == "review.total"
    route = next(d for d in data["dimensions"] if d["name"] == "route")
    assert {m["code"]: m["label"] for m in route["members"]}["direct"] == "Sued directly without review"


# --- HTTP: GET, caching, GraphiQL -----------------------------------------------------------------

def test_get_queries_have_an_etag_and_answer_304(client: httpx.Client) -> None:
    params = {"query": '{ metric(code: "review.total") { code unit } }'}
    r = client.get("/graphql", params=params)
    assert r.status_code == 200 and r.json()["data"]["metric"] == {"code": "review.total", "unit": "件"}
    etag = r.headers["etag"]
    assert r.headers["cache-control"] == "public, max-age=300"
    assert client.get("/graphql", params=params).headers["etag"] == etag
    again = client.get("/graphql", params=params, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/graphql", params={"query": '{ metric(code: "review.upheld") { code } }'})
    assert other.headers["etag"] != etag
    with_vars = client.get("/graphql", params={"query": "query($c: String!) { metric(code: $c) { code } }",
                                               "variables": json.dumps({"c": "review.total"})})
    assert with_vars.json()["data"]["metric"]["code"] == "review.total" and with_vars.headers["etag"] != etag
    # errors are not cached
    bad = client.get("/graphql", params={"query": "{ nope }"})
    assert "etag" not in bad.headers and bad.json()["errors"][0]["extensions"]["code"] == "unknown_field"


def test_graphiql_in_a_browser(client: httpx.Client) -> None:
    r = client.get("/graphql", headers={"accept": "text/html"})
    assert r.status_code == 200 and "graphiql" in r.text.lower()


def test_introspection_is_on_and_fits_the_limits(client: httpx.Client) -> None:
    from graphql import get_introspection_query

    data = gql(client, get_introspection_query(descriptions=True))
    names = {t["name"] for t in data["__schema"]["types"]}
    assert {"Node", "Report", "ObservationConnection", "PageInfo", "Series"} <= names


@pytest.mark.parametrize("typename", ["Publisher", "Report", "Section", "Observation", "Statement", "Check",
                                      "Metric", "Category"])
def test_node_types_implement_node(client: httpx.Client, typename: str) -> None:
    data = gql(client, "query($n: String!) { __type(name: $n) { interfaces { name } } }", {"n": typename})
    assert {"name": "Node"} in data["__type"]["interfaces"]
