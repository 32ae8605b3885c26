"""The REST mirror (issue 6): resources, filters, sorting, pagination, formats, caching, docs.

Expected values come from sources independent of the API code: the bundled
index (data/reports/index.json) for which reports and publishers exist, the
hand-written reading of the reference report (tests/fixtures/expected), and
other REST resources for cross-checks.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import Counter
from typing import Any

import httpx
import orjson
import pytest

from db.loader import publisher_id, report_id
from tests.conftest import EXPECTED, REPORTS

INDEX = json.loads((REPORTS / "index.json").read_text(encoding="utf-8"))
REF = json.loads((EXPECTED / "jilin-city-2017.json").read_text(encoding="utf-8"))
JILIN = publisher_id("吉林市人民政府")
JILIN_2017 = report_id(JILIN, 2017)
ZONE = publisher_id("平潭综合实验区管委会")


def _data(client: httpx.Client, url: str, **params: Any) -> Any:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def _all_pages(client: httpx.Client, url: str, **params: Any) -> list[dict[str, Any]]:
    """Follow `next` to the end, checking that Link and `next` agree on every page."""
    items: list[dict[str, Any]] = []
    r = client.get(url, params=params)
    while True:
        assert r.status_code == 200, r.text
        body = r.json()
        items.extend(body["data"])
        if body["next"] is None:
            assert "link" not in r.headers
            return items
        assert r.headers["link"] == f'<{body["next"]}>; rel="next"'
        r = client.get(body["next"])


# --- publishers ------------------------------------------------------------------------

def test_publishers_list_every_publisher_of_the_bundled_reports(client: httpx.Client) -> None:
    pubs = _all_pages(client, "/api/v1/publishers", limit=3)
    names = {p["name"] for p in pubs}
    assert len(pubs) == len(names)
    assert {"吉林市人民政府", "平潭综合实验区管委会", "平潭县人民政府", "上海市人民政府办公厅",
            "淮安市洪泽区人民政府", "沭阳县人民政府"} <= names
    by_name = {p["name"]: p for p in pubs}
    assert by_name["吉林市人民政府"] == {"id": JILIN, "name": "吉林市人民政府", "level": "city",
                                       "province": "吉林省", "region_code": "220200", "parent_id": None}
    assert by_name["平潭县人民政府"]["parent_id"] == ZONE


def test_publisher_filters(client: httpx.Client) -> None:
    counties = _data(client, "/api/v1/publishers", level="county")
    assert {p["name"] for p in counties} >= {"平潭县人民政府", "淮安市洪泽区人民政府", "沭阳县人民政府"}
    assert {p["level"] for p in counties} == {"county"}
    fujian = _data(client, "/api/v1/publishers", province="福建省")
    assert all(p["name"].startswith("平潭") for p in fujian) and len(fujian) >= 5
    children = _data(client, "/api/v1/publishers", parent=ZONE)
    assert {p["parent_id"] for p in children} == {ZONE}
    assert "平潭县人民政府" in {p["name"] for p in children}
    # a publisher is found by a name it printed earlier, not only its canonical name
    former = _data(client, "/api/v1/publishers", name_contains="管委会办公室")
    assert [p["id"] for p in former] == [ZONE]


def test_publisher_detail_has_name_history_children_and_reports(client: httpx.Client) -> None:
    pub = _data(client, f"/api/v1/publishers/{ZONE}")
    printed = [e for e in INDEX if e["publisher"].startswith("平潭综合实验区管委会")]
    expected_names: dict[str, tuple[int, int]] = {}
    for e in printed:
        lo, hi = expected_names.get(e["publisher"], (e["year"], e["year"]))
        expected_names[e["publisher"]] = (min(lo, e["year"]), max(hi, e["year"]))
    assert {n["name"]: (n["first_year"], n["last_year"]) for n in pub["names"]} == expected_names
    assert [r["year"] for r in pub["reports"]] == sorted(e["year"] for e in printed)
    assert "平潭县人民政府" in {c["name"] for c in pub["children"]}
    assert pub["parent"] is None
    county = _data(client, f"/api/v1/publishers/{publisher_id('平潭县人民政府')}")
    assert county["parent"] == {"id": ZONE, "name": "平潭综合实验区管委会", "level": "other"}


# --- reports ------------------------------------------------------------------------------

def test_reports_filters_match_the_bundled_index(client: httpx.Client) -> None:
    got = _all_pages(client, "/api/v1/reports", year="2016:2019", limit=4)
    want = {f"data/reports/{e['file']}" for e in INDEX if 2016 <= e["year"] <= 2019}
    assert {r["source"]["path"] for r in got} == want
    assert [r["year"] for r in got] == sorted(r["year"] for r in got)
    one = _data(client, "/api/v1/reports", year="2019")
    assert {r["source"]["path"] for r in one} == {f"data/reports/{e['file']}" for e in INDEX if e["year"] == 2019}
    zone = _data(client, "/api/v1/reports", publisher=ZONE, report_format="standard-2021")
    assert {r["year"] for r in zone} == {2021, 2022, 2023, 2024, 2025}
    assert {r["format"] for r in zone} == {"standard-2021"}


def test_report_sub_resources(client: httpx.Client) -> None:
    obs = _data(client, f"/api/v1/reports/{JILIN_2017}/observations", metric="capacity.staff")
    assert {o["dims"]["employment"]: o["value"] for o in obs} == {"total": 862, "full_time": 96, "part_time": 766}
    part = _data(client, f"/api/v1/reports/{JILIN_2017}/observations", metric="capacity.staff",
                 employment="part_time")
    assert [o["value"] for o in part] == [766]
    checks = _data(client, f"/api/v1/reports/{JILIN_2017}/checks", result="pass")
    assert len(checks) == len(_data(client, f"/api/v1/reports/{JILIN_2017}/checks")) > 22
    sections = _data(client, f"/api/v1/reports/{JILIN_2017}/sections")
    assert [s["title"] for s in sections] == [s["title"] for s in REF["sections"]]
    assert sections[0]["text"].startswith("一")


# --- observations, series, checks --------------------------------------------------------

def test_observations_are_totals_by_default(client: httpx.Client) -> None:
    obs = _data(client, "/api/v1/observations", metric="applications.received", publisher=JILIN, year="2017")
    assert [(o["value"], o["dims"]) for o in obs] == [(501, {"applicant": "total", "channel": "total"})]
    everything = _all_pages(client, "/api/v1/observations", limit=1000)
    assert everything and all(o["metric"] for o in everything)
    for o in everything:
        assert set(o["dims"].values()) <= {"total"}, o


def test_observations_breakdown_and_several_metrics(client: httpx.Client) -> None:
    by_channel = _data(client, "/api/v1/observations", metric="applications.received", publisher=JILIN,
                       channel="in_person")
    assert [o["value"] for o in by_channel] == [410]
    two = _data(client, "/api/v1/observations", metric="review.total;litigation.total", publisher=JILIN,
                year="2017")
    assert {o["metric"]: o["value"] for o in two} == {"review.total": 39, "litigation.total": 73}
    direct = _data(client, "/api/v1/observations", metric="litigation.total", route="direct")
    assert direct and {o["dims"]["route"] for o in direct} == {"direct"}
    subunits = _data(client, "/api/v1/observations", publisher=JILIN, subunit="市建委")
    assert [(o["metric"], o["value"]) for o in subunits] == [("applications.received", 57)]


def test_observations_year_range_and_status(client: httpx.Client) -> None:
    derived = _data(client, "/api/v1/observations", publisher=JILIN, status="derived")
    assert {(o["metric"], o["year"], o["value"]) for o in derived} == {
        ("proactive.items", 2016, 64997), ("capacity.funding", 2016, 316000)}
    ranged = _all_pages(client, "/api/v1/observations", year="2016:2018", limit=500)
    assert ranged and {o["year"] for o in ranged} <= {2016, 2017, 2018}
    assert {o["year"] for o in ranged} == {2016, 2017, 2018}


def test_observations_agree_with_each_report(client: httpx.Client) -> None:
    """Cross-report listing and per-report listing are the same figures (the totals of each report)."""
    across = _all_pages(client, "/api/v1/observations", publisher=ZONE, metric="applications.received",
                        limit=1000)
    for rep in _data(client, "/api/v1/reports", publisher=ZONE):
        inside = [o for o in _data(client, f"/api/v1/reports/{rep['id']}/observations",
                                   metric="applications.received")
                  if set(o["dims"].values()) <= {"total"}]
        assert [o for o in across if o["report_id"] == rep["id"]] == inside


def test_series_one_point_per_year_with_delta_and_provenance(client: httpx.Client) -> None:
    funding = _data(client, "/api/v1/series", publisher=JILIN, metric="capacity.funding")
    assert funding["publisher"] == {"id": JILIN, "name": "吉林市人民政府", "level": "city", "province": "吉林省"}
    assert funding["metric"] == "capacity.funding" and funding["unit"] == "元"
    assert [(p["year"], p["value"]) for p in funding["points"]] == [(2017, 659000)]
    assert funding["points"][0]["provenance"]["quote"] == "65.9万元"
    assert funding["points"][0]["provenance"]["section_title"] == "政府信息公开专项经费情况"

    zone = _data(client, "/api/v1/series", publisher=ZONE, metric="applications.received")
    zone_years = sorted({e["year"] for e in INDEX if e["publisher"].startswith("平潭综合实验区管委会")})
    years = [p["year"] for p in zone["points"]]
    assert years == sorted(set(years)) and set(years) <= set(zone_years)
    assert zone["missing_years"] == [y for y in range(years[0], years[-1] + 1) if y not in years]
    assert zone["dims"] == {"applicant": "total", "channel": "total"}
    by_year = {p["year"]: p for p in zone["points"]}
    # the index's own notes: 81 applications in 2023, 218 in 2024
    assert (by_year[2023]["value"], by_year[2024]["value"]) == (81, 218)
    assert (by_year[2024]["base_year"], by_year[2024]["base_value"], by_year[2024]["change"]) == (2023, 81, 137)
    assert by_year[2024]["percent_change"] == 169.14
    for p in zone["points"]:
        if p["base_year"] is None:
            assert p["change"] is None
        elif not p["definition_changed"]:
            assert p["change"] == p["value"] - p["base_value"] and p["base_year"] == p["year"] - 1
    # each point cites the figure it was read from, which the observation list has too
    observations = {o["id"]: o for o in _all_pages(client, "/api/v1/observations", publisher=ZONE,
                                                   metric="applications.received", limit=1000)}
    for p in zone["points"]:
        o = observations[p["observation_id"]]
        assert (o["year"], o["value"], o["report_id"]) == (p["year"], p["value"], p["report_id"])
        assert p["provenance"] == o["provenance"]
    gaps = _data(client, "/api/v1/series", publisher=ZONE, metric="applications.received",
                 mode="previous_available")
    assert all(p["base_year"] is not None for p in gaps["points"][1:])

    natural = _data(client, "/api/v1/series", publisher=ZONE, metric="applications.received",
                    applicant="natural_person", year="2021:2025")
    assert natural["dims"] == {"applicant": "natural_person", "channel": "total"}
    assert natural["points"] and {p["year"] for p in natural["points"]} <= set(range(2021, 2026))


def test_deltas_and_rankings(client: httpx.Client) -> None:
    rows = _all_pages(client, "/api/v1/deltas", metric="applications.received", publisher=ZONE, limit=4)
    series = _data(client, "/api/v1/series", publisher=ZONE, metric="applications.received")
    strip = {"observation_id", "provenance"}
    assert rows == [{k: v for k, v in p.items() if k not in strip} for p in series["points"]]
    latest = _data(client, "/api/v1/deltas", metric="applications.received", year="2024", sort="-publisher")
    assert [d["publisher_id"] for d in latest] == sorted({d["publisher_id"] for d in latest}, reverse=True)
    assert {d["year"] for d in latest} == {2024}

    ranking = _data(client, "/api/v1/rankings", metric="applications.received", year="2024")
    assert ranking["year"] == 2024 and ranking["by"] == "value" and ranking["order"] == "desc"
    values = [i["value"] for i in ranking["items"]]
    assert values == sorted(values, reverse=True) and ranking["total"] == len(values)
    zone = next(i for i in ranking["items"] if i["publisher"]["id"] == ZONE)
    assert zone["value"] == 218 and zone["rank"] == 1 + sum(v > 218 for v in values)
    by_change = _data(client, "/api/v1/rankings", metric="applications.received", year="2024", by="change",
                      order="asc", limit=1)
    assert len(by_change["items"]) == 1 and by_change["items"][0]["rank"] == 1
    csv_rows = _csv(client.get("/api/v1/rankings.csv", params={"metric": "applications.received",
                                                               "year": "2024"}).text)
    assert [r["publisher.id"] for r in csv_rows] == [i["publisher"]["id"] for i in ranking["items"]]


def test_checks_across_reports(client: httpx.Client) -> None:
    fails = _all_pages(client, "/api/v1/checks", result="fail", limit=5)
    assert fails and {c["result"] for c in fails} == {"fail"}
    by_report: dict[str, list[str]] = {}
    for rep in _all_pages(client, "/api/v1/reports", limit=1000):
        ids = [c["id"] for c in _data(client, f"/api/v1/reports/{rep['id']}/checks", result="fail")]
        if ids:
            by_report[rep["id"]] = ids
    assert sorted(c["id"] for c in fails) == sorted(i for ids in by_report.values() for i in ids)
    y2023 = _data(client, "/api/v1/checks", result="fail", year="2023")
    assert y2023 and {c["year"] for c in y2023} == {2023}
    sums = _data(client, "/api/v1/checks", rule="sum:", publisher=JILIN)
    assert sums and all(c["rule"].startswith("sum:") for c in sums)
    assert {c["rule"] for c in sums} >= {"sum:applications.received[channel]", "sum:review.total"}


# --- sorting, fields, pagination ---------------------------------------------------------

def test_sort_descending_with_deterministic_tiebreak(client: httpx.Client) -> None:
    rows = _all_pages(client, "/api/v1/observations", sort="-year,metric", limit=1000)
    keys = [(-o["year"], o["metric"], o["id"]) for o in rows]
    assert keys == sorted(keys)
    paged = _all_pages(client, "/api/v1/observations", sort="-year,metric", limit=37)
    assert [o["id"] for o in paged] == [o["id"] for o in rows]
    reports = _data(client, "/api/v1/reports", sort="-year", limit=1000)
    assert [r["year"] for r in reports] == sorted((e["year"] for e in INDEX), reverse=True)


def test_keyset_pages_do_not_overlap_and_cover_everything(client: httpx.Client) -> None:
    big = _all_pages(client, "/api/v1/checks", limit=1000)
    small = _all_pages(client, "/api/v1/checks", limit=50)
    assert [c["id"] for c in small] == [c["id"] for c in big]
    assert len({c["id"] for c in small}) == len(small)
    assert len(big) == sum(1 for _ in big) > 100


def test_cursor_is_bound_to_its_sort(client: httpx.Client) -> None:
    body = client.get("/api/v1/observations", params={"sort": "-year", "limit": 2}).json()
    cursor = body["next"].split("after=")[1]
    r = client.get("/api/v1/observations", params={"sort": "metric", "limit": 2, "after": cursor})
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"
    r = client.get("/api/v1/checks", params={"limit": 2, "after": cursor})
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"


def test_fields_selects_members(client: httpx.Client) -> None:
    obs = _data(client, "/api/v1/observations", metric="capacity.funding", publisher=JILIN, year="2017",
                fields="year,value,provenance.quote")
    assert obs == [{"year": 2017, "value": 659000, "provenance": {"quote": "65.9万元"}}]
    r = client.get("/api/v1/observations", params={"fields": "year,nope"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_field"
    assert "provenance.quote" in r.json()["detail"]


def test_limit_bounds_are_errors_not_silent_caps(client: httpx.Client) -> None:
    assert len(_data(client, "/api/v1/observations", limit=1000)) <= 1000
    for bad in ("1001", "0", "-1", "ten"):
        r = client.get("/api/v1/observations", params={"limit": bad})
        assert r.status_code == 400, bad
        assert r.json()["code"] in ("limit_out_of_range", "invalid_parameter")
    assert client.get("/api/v1/observations", params={"limit": 1001}).json()["maximum"] == 1000


# --- formats -------------------------------------------------------------------------------

def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_three_ways_with_dictionary_columns(client: httpx.Client) -> None:
    params = {"publisher": JILIN, "year": "2017", "metric": "applications.received;capacity.funding"}
    by_suffix = client.get("/api/v1/observations.csv", params=params)
    by_param = client.get("/api/v1/observations", params={**params, "format": "csv"})
    by_accept = client.get("/api/v1/observations", params=params, headers={"accept": "text/csv"})
    assert by_suffix.status_code == by_param.status_code == by_accept.status_code == 200
    assert by_suffix.text == by_param.text == by_accept.text
    assert by_suffix.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_suffix.text.endswith("\r\n")
    rows = _csv(by_suffix.text)
    header = list(rows[0])
    dimensions = [d["name"] for d in _data(client, "/api/v1/dimensions")]
    assert all(d in header for d in dimensions)  # one column per dimension of the dictionary
    metrics = {m["code"]: m for m in _data(client, "/api/v1/metrics")}
    funding = next(r for r in rows if r["metric"] == "capacity.funding")
    assert funding["value"] == "659000" and funding["provenance.quote"] == "65.9万元"
    assert funding["metric_label_zh"] == metrics["capacity.funding"]["label_zh"]
    received = next(r for r in rows if r["metric"] == "applications.received")
    assert (received["applicant"], received["channel"], received["value"]) == ("total", "total", "501")
    assert received["route"] == ""


def test_csv_bom_for_excel_and_lang(client: httpx.Client) -> None:
    r = client.get("/api/v1/metrics.csv", params={"bom": "1", "lang": "en", "category": "review"})
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = _csv(r.content.decode("utf-8-sig"))
    assert rows[0]["code"] == "review.total" and rows[0]["label"] == "Administrative reviews"
    assert "label_zh" not in rows[0]
    plain = client.get("/api/v1/metrics.csv", params={"category": "review"})
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert "行政复议" in _csv(plain.text)[0]["label_zh"]
    assert client.get("/api/v1/metrics", params={"bom": "1"}).status_code == 400


def test_csv_and_ndjson_stream_every_row(client: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import api.http

    monkeypatch.setattr(api.http, "STREAM_PAGE", 40)  # many internal pages
    everything = _all_pages(client, "/api/v1/observations", limit=1000)
    r = client.get("/api/v1/observations.csv")
    assert r.status_code == 200 and "link" not in r.headers
    rows = _csv(r.text)
    assert [row["id"] for row in rows] == [o["id"] for o in everything]
    nd = client.get("/api/v1/observations.ndjson")
    assert nd.headers["content-type"] == "application/x-ndjson"
    assert [orjson.loads(line) for line in nd.text.splitlines()] == everything
    # with a limit, one page and a Link to the next
    page = client.get("/api/v1/observations.csv", params={"limit": 10})
    assert len(_csv(page.text)) == 10 and 'rel="next"' in page.headers["link"]


def test_series_csv_has_one_row_per_point(client: httpx.Client) -> None:
    r = client.get("/api/v1/series.csv", params={"publisher": ZONE, "metric": "applications.received",
                                                 "lang": "en", "year": "2022:2024"})
    rows = _csv(r.text)
    json_points = _data(client, "/api/v1/series", publisher=ZONE, metric="applications.received",
                        year="2022:2024")["points"]
    assert [(x["year"], x["value"], x["provenance.quote"]) for x in rows] == [
        (str(p["year"]), str(p["value"]), p["provenance"]["quote"]) for p in json_points]
    assert rows[0]["metric_label"] == _data(client, "/api/v1/metrics/applications.received")["label_en"]
    assert rows[0]["applicant"] == rows[0]["channel"] == "total"


def test_lang_picks_one_label(client: httpx.Client) -> None:
    en = _data(client, "/api/v1/metrics/capacity.funding", lang="en")
    zh = _data(client, "/api/v1/metrics/capacity.funding", lang="zh")
    both = _data(client, "/api/v1/metrics/capacity.funding")
    assert en["label"] == both["label_en"] and zh["label"] == both["label_zh"]
    assert "label_zh" not in en and "label_en" not in zh
    dims = _data(client, "/api/v1/dimensions", lang="en")
    route = next(d for d in dims if d["name"] == "route")
    assert {m["code"]: m["label"] for m in route["members"]}["direct"] == "Sued directly without review"
    cats = _data(client, "/api/v1/categories", lang="zh")
    assert cats[0]["label"] == "主动公开政府信息" and "label" in cats[0]["metrics"][0]


# --- HTTP behaviour -------------------------------------------------------------------------

def test_etag_and_304(client: httpx.Client) -> None:
    url = "/api/v1/observations?metric=review.total&sort=-year"
    r1 = client.get(url)
    etag = r1.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert r1.headers["cache-control"] == "public, max-age=300"
    assert client.get(url).headers["etag"] == etag
    # the canonical query: parameter order does not matter, values do
    assert client.get("/api/v1/observations?sort=-year&metric=review.total").headers["etag"] == etag
    assert client.get("/api/v1/observations?metric=review.total&sort=year").headers["etag"] != etag
    r304 = client.get(url, headers={"if-none-match": etag})
    assert r304.status_code == 304 and r304.content == b"" and r304.headers["etag"] == etag
    assert client.get(url, headers={"if-none-match": '"0-stale"'}).status_code == 200
    assert client.get(url, headers={"if-none-match": f'"x", {etag}'}).status_code == 304
    assert client.get(f"/api/v1/reports/{JILIN_2017}").headers["etag"] != etag


def test_etag_changes_with_the_data_version(client: httpx.Client, loaded_db: str) -> None:
    from db.engine import get_engine
    from db.loader import ensure_dictionary

    url = "/api/v1/metrics/review.total"
    before = client.get(url).headers["etag"]
    ensure_dictionary(get_engine(loaded_db))  # same dictionary, new data version
    after = client.get(url)
    assert after.headers["etag"] != before
    assert client.get(url, headers={"if-none-match": before}).status_code == 200


def test_gzip_and_cors_on_success_and_errors(client: httpx.Client) -> None:
    r = client.get("/api/v1/observations", params={"limit": 200}, headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["access-control-allow-origin"] == "*"
    assert "ETag" in r.headers["access-control-expose-headers"]
    raw = client.get("/api/v1/observations", params={"limit": 200}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert raw.headers["etag"] != r.headers["etag"]  # strong validators differ per encoding
    assert json.loads(raw.content) == r.json()
    err = client.get("/api/v1/observations", params={"nope": "1"})
    assert err.status_code == 400 and err.headers["access-control-allow-origin"] == "*"
    pre = client.options("/api/v1/observations")
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert gzip  # (decoded transparently by httpx)


def test_health_probes(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and int(ready["data_version"]) >= 1


# --- OpenAPI and docs -----------------------------------------------------------------------

def test_openapi_is_generated_from_the_route_table(client: httpx.Client) -> None:
    from api.rest import ENDPOINTS

    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    dimensions = {d["name"]: [m["code"] for m in d["members"]] for d in _data(client, "/api/v1/dimensions")}
    for ep in ENDPOINTS:
        op = doc["paths"][ep.path]["get"]
        names = [p["name"] for p in op["parameters"]]
        expected = [p.name for p in ep.all_params()] + (list(dimensions) if ep.dims else [])
        assert names == expected, ep.path
        assert Counter(names).most_common(1)[0][1] == 1
        if ep.dims:
            channel = next(p for p in op["parameters"] if p["name"] == "channel")
            assert channel["schema"]["enum"] == dimensions["channel"]
    for path in ("/api/v1/publishers", "/api/v1/publishers/{publisher_id}", "/api/v1/reports",
                 "/api/v1/reports/{report_id}/sections", "/api/v1/observations", "/api/v1/series",
                 "/api/v1/deltas", "/api/v1/rankings",
                 "/api/v1/checks", "/api/v1/metrics/{code}", "/api/v1/categories", "/api/v1/dimensions"):
        assert path in doc["paths"]
    obs = doc["components"]["schemas"]["Observation"]
    assert set(obs["properties"]) == set(_data(client, "/api/v1/observations", limit=1)[0])


def test_docs_page_works_offline(client: httpx.Client) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<script" not in page and "cdn" not in page.lower() and "<link" not in page
    for path in ("/api/v1/observations", "/api/v1/series", "/api/v1/publishers/{publisher_id}"):
        assert path in page
    assert "unknown_metric" in page and "limit_out_of_range" in page
