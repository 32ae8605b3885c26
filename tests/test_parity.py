"""REST and GraphQL give the same data: a table of equivalent queries over every resource.

Each row pairs a REST URL with a GraphQL query and a function that reshapes
the GraphQL answer (camelCase, dims as a list, connections as edges) into the
REST shape; the two must then be equal, value for value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from db.loader import publisher_id, report_id

JILIN = publisher_id("吉林市人民政府")
JILIN_2017 = report_id(JILIN, 2017)
ZONE = publisher_id("平潭综合实验区管委会")
COUNTY = publisher_id("平潭县人民政府")
ZONE_2023 = report_id(ZONE, 2023)
SHANGHAI_2019 = report_id(publisher_id("上海市人民政府办公厅"), 2019)

J = dict[str, Any]

# --- GraphQL selections and their REST shapes ---------------------------------------------

PUB = "databaseId name level province regionCode parent { databaseId }"
REF = "databaseId name level"
REPORT = ("databaseId year format title printedPublisher publisher { databaseId name level } "
          "source { path url sha256 published indexNumber mediaType }")
PROV = "provenance { section sectionTitle quote start end }"
OBS = (f"databaseId reportId publisherId year metric dims {{ name value }} value unit qualifier status candidates "
       f"label note {PROV}")
VERIFICATION = ("verification { result detail claimed { year value reportId quote start end } "
                "recorded { year value reportId observationId quote start end } }")
STMT = ("databaseId reportId year metric dims { name value } baseYear direction delta deltaUnit qualifier section "
        f"quote start end {VERIFICATION}")
SIDE = "value source start end"
CHECK = f"databaseId reportId publisherId year rule result notable detail left {{ {SIDE} }} right {{ {SIDE} }}"
METRIC = "code category labelZh labelEn description unit dims formats templateRef"
SECTION = "databaseId reportId number inferredNumber title depth start end text"


def ref(d: J) -> J:
    return {"id": d["databaseId"], "name": d["name"], "level": d["level"]}


def pub(d: J) -> J:
    return {"id": d["databaseId"], "name": d["name"], "level": d["level"], "province": d["province"],
            "region_code": d["regionCode"], "parent_id": d["parent"]["databaseId"] if d["parent"] else None}


def report(d: J) -> J:
    s = d["source"]
    return {"id": d["databaseId"], "year": d["year"], "format": d["format"], "title": d["title"],
            "publisher": ref(d["publisher"]), "printed_publisher": d["printedPublisher"],
            "source": {"path": s["path"], "url": s["url"], "sha256": s["sha256"], "published": s["published"],
                       "index_number": s["indexNumber"], "media_type": s["mediaType"]}}


def dims(items: list[J]) -> J:
    return {d["name"]: d["value"] for d in items}


def prov(p: J) -> J:
    return {"section": p["section"], "section_title": p["sectionTitle"], "quote": p["quote"], "start": p["start"],
            "end": p["end"]}


def obs(d: J) -> J:
    return {"id": d["databaseId"], "report_id": d["reportId"], "publisher_id": d["publisherId"], "year": d["year"],
            "metric": d["metric"], "dims": dims(d["dims"]), "value": d["value"], "unit": d["unit"],
            "qualifier": d["qualifier"], "status": d["status"], "candidates": d["candidates"], "label": d["label"],
            "note": d["note"], "provenance": prov(d["provenance"])}


def stmt(d: J) -> J:
    return {"id": d["databaseId"], "report_id": d["reportId"], "year": d["year"], "metric": d["metric"],
            "dims": dims(d["dims"]), "base_year": d["baseYear"], "direction": d["direction"], "delta": d["delta"],
            "delta_unit": d["deltaUnit"], "qualifier": d["qualifier"],
            "provenance": {"section": d["section"], "quote": d["quote"], "start": d["start"], "end": d["end"]},
            "verification": verification(d["verification"])}


def verification(d: J | None) -> J | None:
    if d is None:
        return None
    c, r = d["claimed"], d["recorded"]
    return {"result": d["result"], "detail": d["detail"],
            "claimed": {"year": c["year"], "value": c["value"], "report_id": c["reportId"], "quote": c["quote"],
                        "start": c["start"], "end": c["end"]},
            "recorded": None if r is None else {
                "year": r["year"], "value": r["value"], "report_id": r["reportId"],
                "observation_id": r["observationId"], "quote": r["quote"], "start": r["start"], "end": r["end"]}}


def check(d: J) -> J:
    return {"id": d["databaseId"], "report_id": d["reportId"], "publisher_id": d["publisherId"], "year": d["year"],
            "rule": d["rule"], "result": d["result"], "notable": d["notable"], "detail": d["detail"],
            "left": d["left"], "right": d["right"]}


def metric(d: J) -> J:
    return {"code": d["code"], "category": d["category"], "label_zh": d["labelZh"], "label_en": d["labelEn"],
            "description": d["description"], "unit": d["unit"], "dims": d["dims"], "formats": d["formats"],
            "template_ref": d["templateRef"]}


def section(d: J) -> J:
    return {"id": d["databaseId"], "report_id": d["reportId"], "number": d["number"],
            "inferred_number": d["inferredNumber"], "title": d["title"], "depth": d["depth"], "start": d["start"],
            "end": d["end"], "text": d["text"], "children": [section(c) for c in d.get("children", [])]}


def edges(conn: J, fn: Callable[[J], J]) -> list[J]:
    return [fn(e["node"]) for e in conn["edges"]]


DELTA = ("publisherId metric dims { name value } year value qualifier baseYear baseValue change percentChange "
         "gapYears approx definitionChanged conflict reportId baseReportId")


def delta(d: J) -> J:
    return {"publisher_id": d["publisherId"], "metric": d["metric"], "dims": dims(d["dims"]), "year": d["year"],
            "value": d["value"], "qualifier": d["qualifier"], "base_year": d["baseYear"],
            "base_value": d["baseValue"], "change": d["change"], "percent_change": d["percentChange"],
            "gap_years": d["gapYears"], "approx": d["approx"], "definition_changed": d["definitionChanged"],
            "conflict": d["conflict"], "report_id": d["reportId"], "base_report_id": d["baseReportId"]}


def brief(d: J) -> J:
    return {"id": d["databaseId"], "name": d["name"], "level": d["level"], "province": d["province"]}


SERIES = (f"publisher {{ databaseId name level province }} metric unit dims {{ name value }} mode missingYears "
          f"definitionChanges {{ year baseYear fromFormat toFormat note }} points {{ {DELTA} observationId {PROV} }}")


def series(d: J) -> J:
    return {"publisher": brief(d["publisher"]), "metric": d["metric"], "unit": d["unit"], "dims": dims(d["dims"]),
            "mode": d["mode"].lower(),
            "points": [{**delta(p), "observation_id": p["observationId"],
                        "provenance": prov(p["provenance"]) if p["provenance"] else None} for p in d["points"]],
            "missing_years": d["missingYears"],
            "definition_changes": [{"year": c["year"], "base_year": c["baseYear"], "from_format": c["fromFormat"],
                                    "to_format": c["toFormat"], "note": c["note"]} for c in d["definitionChanges"]]}


def ranking(d: J) -> J:
    return {"metric": d["metric"], "unit": d["unit"], "dims": dims(d["dims"]), "year": d["year"],
            "by": d["by"].lower(), "order": d["order"].lower(), "mode": d["mode"].lower(), "min_base": d["minBase"],
            "total": d["total"],
            "items": [{"rank": i["rank"], "publisher": brief(i["publisher"]), **delta(i)} for i in d["items"]]}


RANKING = (f"metric unit dims {{ name value }} year by order mode minBase total items {{ rank publisher {{ databaseId "
           f"name level province }} {DELTA} }}")


def publisher_detail(d: J) -> J:
    return {**pub(d), "parent": ref(d["parent"]) if d["parent"] else None,
            "names": [{"name": n["name"], "first_year": n["firstYear"], "last_year": n["lastYear"]}
                      for n in d["names"]],
            "children": [ref(c) for c in d["children"]],
            "reports": [{"id": r["databaseId"], "year": r["year"], "format": r["format"], "title": r["title"]}
                        for r in edges(d["reports"], lambda n: n)]}


@dataclass(frozen=True)
class Case:
    name: str
    rest: str
    params: J
    query: str
    variables: J
    shape: Callable[[J], Any]


SECTION_TREE = f"sections {{ {SECTION} children {{ {SECTION} children {{ {SECTION} }} }} }}"

CASES = [
    Case("publishers", "/api/v1/publishers", {"limit": 100},
         f"{{ publishers(first: 100) {{ edges {{ node {{ {PUB} }} }} }} }}", {},
         lambda d: edges(d["publishers"], pub)),
    Case("publishers filtered", "/api/v1/publishers", {"parent": ZONE, "sort": "-id"},
         f"query($p: ID) {{ publishers(first: 100, filter: {{parent: $p}}, orderBy: [{{field: ID, direction: DESC}}])"
         f" {{ edges {{ node {{ {PUB} }} }} }} }}", {"p": ZONE}, lambda d: edges(d["publishers"], pub)),
    Case("publisher detail", f"/api/v1/publishers/{ZONE}", {},
         f"query($id: ID!) {{ publisher(id: $id) {{ {PUB} parent {{ {REF} }} names {{ name firstYear lastYear }} "
         f"children {{ {REF} }} reports(first: 100) {{ edges {{ node {{ databaseId year format title }} }} }} }} }}",
         {"id": ZONE},
         lambda d: publisher_detail(d["publisher"])),
    Case("child publisher detail", f"/api/v1/publishers/{COUNTY}", {},
         f"query($id: ID!) {{ publisher(id: $id) {{ {PUB} parent {{ {REF} }} names {{ name firstYear lastYear }} "
         f"children {{ {REF} }} reports(first: 100) {{ edges {{ node {{ databaseId year format title }} }} }} }} }}",
         {"id": COUNTY}, lambda d: publisher_detail(d["publisher"])),
    Case("reports", "/api/v1/reports", {"limit": 100},
         f"{{ reports(first: 100) {{ edges {{ node {{ {REPORT} }} }} }} }}", {}, lambda d: edges(d["reports"], report)),
    Case("reports filtered and sorted", "/api/v1/reports", {"year": "2016:2019", "sort": "-year,publisher",
                                                            "limit": 5},
         f"{{ reports(first: 5, filter: {{yearRange: {{from: 2016, to: 2019}}}}, orderBy: [{{field: YEAR, "
         f"direction: DESC}}, {{field: PUBLISHER}}]) {{ edges {{ node {{ {REPORT} }} }} }} }}", {},
         lambda d: edges(d["reports"], report)),
    Case("report", f"/api/v1/reports/{JILIN_2017}", {},
         f"query($id: ID!) {{ report(id: $id) {{ {REPORT} }} }}", {"id": JILIN_2017}, lambda d: report(d["report"])),
    Case("report sections", f"/api/v1/reports/{JILIN_2017}/sections", {},
         f"query($id: ID!) {{ report(id: $id) {{ {SECTION_TREE} }} }}", {"id": JILIN_2017},
         lambda d: [section(s) for s in d["report"]["sections"]]),
    Case("report observations", f"/api/v1/reports/{JILIN_2017}/observations", {},
         f"query($id: ID!) {{ report(id: $id) {{ observations {{ {OBS} }} }} }}", {"id": JILIN_2017},
         lambda d: [obs(o) for o in d["report"]["observations"]]),
    Case("report observations filtered", f"/api/v1/reports/{ZONE_2023}/observations",
         {"metric": "applications.received", "applicant": "natural_person", "uncoded": "false"},
         f"query($id: ID!) {{ report(id: $id) {{ observations(includeUncoded: false, filter: {{metric: "
         f'"applications.received", dims: [{{name: "applicant", value: "natural_person"}}]}}) {{ {OBS} }} }} }}',
         {"id": ZONE_2023}, lambda d: [obs(o) for o in d["report"]["observations"]]),
    Case("report statements", f"/api/v1/reports/{JILIN_2017}/statements", {},
         f"query($id: ID!) {{ report(id: $id) {{ statements {{ {STMT} }} }} }}", {"id": JILIN_2017},
         lambda d: [stmt(s) for s in d["report"]["statements"]]),
    Case("report statements (a percentage)", f"/api/v1/reports/{SHANGHAI_2019}/statements", {},
         f"query($id: ID!) {{ report(id: $id) {{ statements {{ {STMT} }} }} }}", {"id": SHANGHAI_2019},
         lambda d: [stmt(s) for s in d["report"]["statements"]]),
    Case("report checks", f"/api/v1/reports/{JILIN_2017}/checks", {"result": "pass"},
         f'query($id: ID!) {{ report(id: $id) {{ checks(result: "pass") {{ {CHECK} }} }} }}', {"id": JILIN_2017},
         lambda d: [check(c) for c in d["report"]["checks"]]),
    Case("metrics", "/api/v1/metrics", {}, f"{{ metrics {{ {METRIC} }} }}", {},
         lambda d: [metric(m) for m in d["metrics"]]),
    Case("metrics of a category", "/api/v1/metrics", {"category": "litigation"},
         f'{{ metrics(category: "litigation") {{ {METRIC} }} }}', {}, lambda d: [metric(m) for m in d["metrics"]]),
    Case("metric", "/api/v1/metrics/capacity.funding", {},
         f'{{ metric(code: "capacity.funding") {{ {METRIC} }} }}', {}, lambda d: metric(d["metric"])),
    Case("metric label in English", "/api/v1/metrics/capacity.funding", {"lang": "en", "fields": "code,label"},
         '{ metric(code: "capacity.funding") { code label(lang: EN) } }', {}, lambda d: d["metric"]),
    Case("categories", "/api/v1/categories", {},
         f"{{ categories {{ code labelZh labelEn description metrics {{ {METRIC} }} }} }}", {},
         lambda d: [{"code": c["code"], "label_zh": c["labelZh"], "label_en": c["labelEn"],
                     "description": c["description"], "metrics": [metric(m) for m in c["metrics"]]}
                    for c in d["categories"]]),
    Case("dimensions", "/api/v1/dimensions", {}, "{ dimensions { name members { code labelZh labelEn } } }", {},
         lambda d: [{"name": x["name"], "members": [{"code": m["code"], "label_zh": m["labelZh"],
                                                     "label_en": m["labelEn"]} for m in x["members"]]}
                    for x in d["dimensions"]]),
    Case("observations (totals)", "/api/v1/observations", {"limit": 100},
         f"{{ observations(first: 100) {{ edges {{ node {{ {OBS} }} }} }} }}", {},
         lambda d: edges(d["observations"], obs)),
    Case("observations filtered and sorted", "/api/v1/observations",
         {"metric": "review.total;litigation.total", "year": "2016:2023", "sort": "-year,metric", "limit": 50},
         f'{{ observations(first: 50, filter: {{metrics: ["review.total", "litigation.total"], yearRange: '
         f"{{from: 2016, to: 2023}}}}, orderBy: [{{field: YEAR, direction: DESC}}, {{field: METRIC}}]) "
         f"{{ edges {{ node {{ {OBS} }} }} }} }}", {}, lambda d: edges(d["observations"], obs)),
    Case("observations breakdown", "/api/v1/observations",
         {"metric": "applications.received", "publisher": JILIN, "channel": "in_person"},
         f'query($p: ID) {{ observations(first: 100, filter: {{metric: "applications.received", publisher: $p, '
         f'dims: [{{name: "channel", value: "in_person"}}]}}) {{ edges {{ node {{ {OBS} }} }} }} }}', {"p": JILIN},
         lambda d: edges(d["observations"], obs)),
    Case("observations by status", "/api/v1/observations", {"status": "derived"},
         f'{{ observations(first: 100, filter: {{status: "derived"}}) {{ edges {{ node {{ {OBS} }} }} }} }}', {},
         lambda d: edges(d["observations"], obs)),
    Case("series", "/api/v1/series", {"publisher": ZONE, "metric": "applications.received"},
         f'query($p: ID!) {{ series(publisher: $p, metric: "applications.received") {{ {SERIES} }} }}', {"p": ZONE},
         lambda d: series(d["series"])),
    Case("series breakdown over a range, previous available", "/api/v1/series",
         {"publisher": ZONE, "metric": "applications.received", "applicant": "natural_person", "year": "2019:2025",
          "mode": "previous_available"},
         'query($p: ID!) { series(publisher: $p, metric: "applications.received", dims: [{name: "applicant", '
         'value: "natural_person"}], yearRange: {from: 2019, to: 2025}, mode: PREVIOUS_AVAILABLE) { '
         f"{SERIES} }} }}", {"p": ZONE}, lambda d: series(d["series"])),
    Case("deltas", "/api/v1/deltas", {"metric": "applications.received", "limit": 100},
         f'{{ deltas(first: 100, filter: {{metric: "applications.received"}}) {{ edges {{ node {{ {DELTA} }} }} }} }}',
         {}, lambda d: edges(d["deltas"], delta)),
    Case("deltas of a publisher, newest first", "/api/v1/deltas", {"publisher": ZONE, "year": "2021:2025",
                                                                   "sort": "-year,metric", "limit": 60},
         f"query($p: ID) {{ deltas(first: 60, filter: {{publisher: $p, yearRange: {{from: 2021, to: 2025}}}}, "
         f"orderBy: [{{field: YEAR, direction: DESC}}, {{field: METRIC}}]) {{ edges {{ node {{ {DELTA} }} }} }} }}",
         {"p": ZONE}, lambda d: edges(d["deltas"], delta)),
    Case("rankings by value", "/api/v1/rankings", {"metric": "applications.received", "year": "2024"},
         f'{{ rankings(metric: "applications.received", year: 2024) {{ {RANKING} }} }}', {},
         lambda d: ranking(d["rankings"])),
    Case("rankings by percent change", "/api/v1/rankings",
         {"metric": "applications.received", "year": "2024", "by": "percent_change", "order": "asc", "min_base": "5",
          "limit": "10"},
         f'{{ rankings(metric: "applications.received", year: 2024, by: PERCENT_CHANGE, order: ASC, minBase: 5, '
         f"first: 10) {{ {RANKING} }} }}", {}, lambda d: ranking(d["rankings"])),
    Case("checks", "/api/v1/checks", {"limit": 100},
         f"{{ checks(first: 100) {{ edges {{ node {{ {CHECK} }} }} }} }}", {}, lambda d: edges(d["checks"], check)),
    Case("checks that fail", "/api/v1/checks", {"result": "fail", "sort": "-year,rule"},
         f'{{ checks(first: 100, filter: {{result: "fail"}}, orderBy: [{{field: YEAR, direction: DESC}}, '
         f"{{field: RULE}}]) {{ edges {{ node {{ {CHECK} }} }} }} }}", {}, lambda d: edges(d["checks"], check)),
    Case("checks by rule prefix and publisher", "/api/v1/checks", {"rule": "share:", "publisher": JILIN,
                                                                   "year": "2017"},
         f'query($p: ID) {{ checks(first: 100, filter: {{rule: "share:", publisher: $p, year: 2017}}) '
         f"{{ edges {{ node {{ {CHECK} }} }} }} }}", {"p": JILIN}, lambda d: edges(d["checks"], check)),
]


def test_the_table_covers_every_resource() -> None:
    from api.rest import ENDPOINTS

    assert len(CASES) >= 15
    covered = set()
    for case in CASES:
        for ep in ENDPOINTS:
            pattern = ep.path.replace("{publisher_id}", "[^/]+").replace("{report_id}", "[^/]+").replace(
                "{code}", "[^/]+")
            if re.fullmatch(pattern, case.rest):
                covered.add(ep.path)
    assert covered == {ep.path for ep in ENDPOINTS}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rest_and_graphql_agree(client: httpx.Client, case: Case) -> None:
    r = client.get(case.rest, params=case.params)
    assert r.status_code == 200, r.text
    rest = r.json()["data"]
    g = client.post("/graphql", json={"query": case.query, "variables": case.variables})
    body = g.json()
    assert "errors" not in body, body["errors"]
    assert rest, f"{case.name}: the REST answer is empty, so the comparison proves nothing"
    assert case.shape(body["data"]) == rest
