"""The reference report (jilin-city-2017) end to end, through REST and GraphQL.

Expected values come from tests/fixtures/expected/jilin-city-2017.json, a
hand-written reading of the report (the project's copy of the contract's file).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from db.loader import publisher_id, report_id
from tests.conftest import EXPECTED

REF = json.loads((EXPECTED / "jilin-city-2017.json").read_text(encoding="utf-8"))
RID = report_id(publisher_id("吉林市人民政府"), 2017)


def _key(metric: str, dims: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return metric, tuple(sorted(dims.items()))


def _reported(observations: list[dict[str, Any]]) -> dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, Any]]:
    out: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, Any]] = {}
    for o in observations:
        if o["metric"] and o["status"] == "reported":
            out.setdefault(_key(o["metric"], o["dims"]), o)
    return out


def test_rest_observations_match_every_expected_figure(client: httpx.Client) -> None:
    r = client.get(f"/api/v1/reports/{RID}/observations")
    assert r.status_code == 200
    got = _reported(r.json()["data"])
    required = [o for o in REF["observations"] if not o.get("optional")]
    assert len(required) == 57
    for exp in REF["observations"]:
        obs = got.get(_key(exp["metric"], exp["dims"]))
        assert obs is not None, f"missing {exp['metric']} {exp['dims']}"
        assert Decimal(str(obs["value"])) == Decimal(str(exp["value"])), exp
        assert obs["unit"] == exp["unit"], exp
        assert obs["qualifier"] == exp["qualifier"], exp
    # nothing else contradicts the expected file: no other value for an expected key
    for o in r.json()["data"]:
        if o["metric"] and o["status"] == "reported":
            matches = [e for e in REF["observations"] if _key(e["metric"], e["dims"]) == _key(o["metric"], o["dims"])]
            for e in matches:
                assert Decimal(str(o["value"])) == Decimal(str(e["value"])), (o, e)


def test_provenance_points_into_the_stored_text(client: httpx.Client) -> None:
    obs = client.get(f"/api/v1/reports/{RID}/observations").json()["data"]
    sections = client.get(f"/api/v1/reports/{RID}/sections").json()["data"]
    titles = {s["id"]: s["title"] for root in sections for s in [root, *root["children"]]}
    funding = next(o for o in obs if o["metric"] == "capacity.funding")
    assert funding["value"] == 659000 and funding["unit"] == "元"
    assert funding["provenance"]["quote"] == "65.9万元"
    assert titles[funding["provenance"]["section"]] == "政府信息公开专项经费情况"
    closed = next(o for o in obs if o["metric"] == "applications.closed")
    assert closed["value"] == 501
    litig = next(o for o in obs if o["metric"] == "litigation.corrected")
    assert litig["value"] == 0 and "无被依法纠错" in litig["provenance"]["quote"]
    fee = next(o for o in obs if o["metric"] == "applications.fees.amount")
    assert fee["value"] == 0 and fee["unit"] == "元"


def test_approximate_figure_and_derived_values(client: httpx.Client) -> None:
    obs = client.get(f"/api/v1/reports/{RID}/observations").json()["data"]
    derived = {(o["metric"], o["year"]): o for o in obs if o["status"] == "derived"}
    assert len(derived) == 2
    assert derived[("proactive.items", 2016)]["value"] == 64997
    assert derived[("proactive.items", 2016)]["qualifier"] == "approx"
    assert derived[("capacity.funding", 2016)]["value"] == 316000
    assert derived[("capacity.funding", 2016)]["qualifier"] == "exact"


def test_statements(client: httpx.Client) -> None:
    sts = client.get(f"/api/v1/reports/{RID}/statements").json()["data"]
    assert len(sts) == 4
    got = {(s["metric"], s["base_year"], s["direction"], s["delta"], s["qualifier"]) for s in sts}
    want = {(s["metric"], s["base_year"], s["direction"], s["delta"], s["qualifier"]) for s in REF["statements"]}
    assert got == want
    for s in sts:
        exp = next(e for e in REF["statements"] if e["metric"] == s["metric"])
        assert s["dims"] == exp["dims"]


def test_share_checks_and_sum_checks(client: httpx.Client) -> None:
    checks = client.get(f"/api/v1/reports/{RID}/checks").json()["data"]
    shares = [c for c in checks if c["rule"].startswith("share:")]
    assert len(shares) == len(REF["stated_shares"]) == 22
    assert {c["result"] for c in shares} == {"pass"}
    assert sorted(Decimal(str(c["left"]["value"])) for c in shares) == sorted(
        Decimal(str(s["percent"])) for s in REF["stated_shares"])
    by_rule = {c["rule"]: c for c in checks}
    assert by_rule["sum:applications.received[channel]"]["result"] == "pass"
    assert by_rule["sum:applications.received[channel]"]["right"]["value"] == 501
    assert by_rule["sum:applications.outcome.total"]["left"]["value"] == 501
    assert by_rule["sum:applications.outcome.denied"]["right"]["value"] == 9
    assert by_rule["sum:applications.closed"]["result"] == "pass"
    assert by_rule["sum:review.total"]["right"]["value"] == 39
    assert by_rule["sum:litigation.total"]["right"]["value"] == 73
    assert by_rule["sum:capacity.staff[employment]"]["result"] == "pass"
    assert by_rule["cover:proactive.items[channel]"]["left"]["value"] == 107703
    assert by_rule["bound:responses.press_conferences.leader_attended"]["result"] == "pass"
    assert all(c["result"] == "pass" for c in checks)


def test_section_tree(client: httpx.Client) -> None:
    sections = client.get(f"/api/v1/reports/{RID}/sections").json()["data"]
    assert [s["number"] for s in sections] == ["一", "二", "三", "四", "五", "六", "七"]
    for got, exp in zip(sections, REF["sections"], strict=True):
        assert got["title"] == exp["title"]
        assert [c["title"] for c in got["children"]] == exp["children"]
    lost = sections[1]["children"]
    assert [c["number"] for c in lost] == ["（）", "（）"]
    assert [c["inferred_number"] for c in lost] == ["（一）", "（二）"]


QUERY = """
query($id: ID!) { report(id: $id) {
  id year format title
  sections { number inferredNumber title children { title } }
  observations(includeUncoded: false) { metric dims { name value } value unit qualifier status year
    provenance { quote start end } }
  statements { metric baseYear direction delta qualifier }
  checks(result: "fail") { rule }
} }
"""


def test_graphql_gives_the_same_figures(client: httpx.Client) -> None:
    r = client.post("/graphql", json={"query": QUERY, "variables": {"id": RID}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    rep = body["data"]["report"]
    assert rep["year"] == 2017 and rep["format"] == "narrative"
    rest = client.get(f"/api/v1/reports/{RID}/observations?uncoded=false").json()["data"]
    gql = [{"metric": o["metric"], "dims": {d["name"]: d["value"] for d in o["dims"]}, "value": o["value"],
            "unit": o["unit"], "status": o["status"], "year": o["year"], "quote": o["provenance"]["quote"]}
           for o in rep["observations"]]
    assert gql == [{"metric": o["metric"], "dims": o["dims"], "value": o["value"], "unit": o["unit"],
                    "status": o["status"], "year": o["year"], "quote": o["provenance"]["quote"]} for o in rest]
    assert len(rep["statements"]) == 4
    assert rep["checks"] == []
    assert [s["title"] for s in rep["sections"]] == [s["title"] for s in REF["sections"]]


def test_report_listing_and_ids_are_stable(client: httpx.Client) -> None:
    r = client.get("/api/v1/reports", params={"year": "2017", "limit": 10})
    assert r.status_code == 200
    ids = [x["id"] for x in r.json()["data"]]
    assert RID in ids
    rep = client.get(f"/api/v1/reports/{RID}").json()["data"]
    assert rep["publisher"]["name"] == "吉林市人民政府"
    assert rep["source"]["sha256"] and rep["source"]["path"] == "data/reports/jilin-city-2017.txt"
    assert RID.startswith("r-") and RID.replace("-", "").isalnum()


def test_metrics_endpoint_serves_the_dictionary(client: httpx.Client) -> None:
    metrics = client.get("/api/v1/metrics").json()["data"]
    by_code = {m["code"]: m for m in metrics}
    assert by_code["applications.received"]["label_zh"].startswith("收到申请数")
    assert by_code["applications.received"]["dims"] == ["applicant", "channel"]
    assert by_code["capacity.funding"]["unit"] == "元"
    assert all(m["label_en"] for m in metrics)


@pytest.mark.parametrize("path", ["/api/v1/reports/nope", "/api/v1/reports/nope/observations"])
def test_unknown_report_is_a_problem_document(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"
    assert r.headers["access-control-allow-origin"] == "*"
