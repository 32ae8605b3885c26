"""Cross-year checks and statement verification (SQLite and PostgreSQL).

Expected values are read off the report texts in data/reports/ (quoted next
to each) and worked out by hand in the comments, not taken from the code.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from db.bundled import REPORTS_DIR, load_bundled
from db.crossyear import (
    CHK,
    STM,
    Point,
    ReportRef,
    backfill,
    definition_change,
    statement_verifications,
    verify,
)
from db.engine import get_engine
from db.loader import data_version, ingest_extracted, publisher_id, report_id
from db.queries import observations_by_ids, report_text
from ingest.dictionary import DICTIONARY_DIR
from ingest.model import ExtractedReport, Figure, ReportMeta
from tests.ingesting import at_once, ingest_bundled

ZONE = publisher_id("平潭综合实验区管委会")
HONGZE = publisher_id("淮安市洪泽区人民政府")
JILIN = publisher_id("吉林市人民政府")
SHANGHAI = publisher_id("上海市人民政府办公厅")
APPLICANTS = ["total", "natural_person", "commercial", "research", "social_org", "legal_service", "other_org"]


@pytest.fixture
def conn(loaded_db: str) -> Iterator[Connection]:
    with get_engine(loaded_db).connect() as c:
        yield c


def _checks(conn: Connection, rid: str, prefix: str = "crossyear:") -> dict[str, Any]:
    rows = conn.execute(select(CHK).where(CHK.c.report_id == rid, CHK.c.rule.startswith(prefix))
                        .order_by(CHK.c.ordinal)).all()
    return {r.rule: r for r in rows}


# --- carry-over continuity ----------------------------------------------------------------------

def test_pingtan_zone_2021_to_2022_carry_over(conn: Connection) -> None:
    # 2021 "结转下年度继续办理1000001": 自然人 1, the five legal-person columns 0, 总计 1
    # 2022 "二、上年结转政府信息公开申请数量 1000001": the same, column by column → pass ×7
    got = _checks(conn, report_id(ZONE, 2022), "crossyear:carry_over")
    assert list(got) == [f"crossyear:carry_over[{a}]" for a in APPLICANTS]
    expected = {"total": 1, "natural_person": 1}
    for a in APPLICANTS:
        c = got[f"crossyear:carry_over[{a}]"]
        assert c.result == "pass" and not c.notable
        assert c.left_value == c.right_value == expected.get(a, 0)
        assert c.year == 2022 and c.publisher_id == ZONE
        assert report_id(ZONE, 2021) in c.left_source and c.left_start is None  # the other report's side
        assert c.right_start is not None  # offsets into the 2022 report's own text
    # the 2019 → 2021 pair is not consecutive (no 2020 report): no carry-over check on 2021
    assert _checks(conn, report_id(ZONE, 2021), "crossyear:carry_over") == {}


def test_hongze_2023_to_2024_carry_over_per_applicant(conn: Connection) -> None:
    # 2023 "四、结转下年度继续办理 0 0 0 0 0 0 0"; 2024 "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0"
    got = _checks(conn, report_id(HONGZE, 2024), "crossyear:carry_over")
    assert {rule: (c.result, c.left_value, c.right_value) for rule, c in got.items()} == {
        f"crossyear:carry_over[{a}]": ("pass", 0, 0) for a in APPLICANTS}
    assert _checks(conn, report_id(HONGZE, 2023)) == {}  # its first report: nothing before it


def test_hongze_in_force_continuity(conn: Connection) -> None:
    # 行政规范性文件 (本年制发 本年废止 现行有效): 2023 "0 5 5", 2024 "3 0 8" → 5 + 3 − 0 = 8 = 8
    # 规章: 2023 "0 0 0", 2024 "0 0 0" → 0 + 0 − 0 = 0
    got = _checks(conn, report_id(HONGZE, 2024), "crossyear:in_force:")
    docs = got["crossyear:in_force:proactive.normative_docs.in_force"]
    assert (docs.result, docs.left_value, docs.right_value) == ("pass", 8, 8)
    rules = got["crossyear:in_force:proactive.rules.in_force"]
    assert (rules.result, rules.left_value, rules.right_value) == ("pass", 0, 0)


def test_pingtan_zone_in_force_with_an_unreadable_cell_is_inconclusive(conn: Connection) -> None:
    # 2021's flattened row "行政规范性文件693665" cannot be split with certainty, so 2021's 现行有效 is not
    # available: 2022's continuity check (? + 88 − 55 vs 698) is inconclusive, not failed
    c = _checks(conn, report_id(ZONE, 2022))["crossyear:in_force:proactive.normative_docs.in_force"]
    assert (c.result, c.left_value, c.right_value) == ("inconclusive", None, 698)


# --- running totals ------------------------------------------------------------------------------

def test_cumulative_never_decreases_pingtan_zone_2016_to_2017_fails(conn: Connection) -> None:
    # 2016 "主动公开文件数条346085376" → 本年 3460, 累计 85376; 2017 "主动公开文件数条212210037" → 2122, 10037
    c = _checks(conn, report_id(ZONE, 2017))["crossyear:cumulative:proactive.items"]
    assert (c.result, c.left_value, c.right_value, c.notable) == ("fail", 85376, 10037, True)
    # 2013 "主动公开信息数 条 72804 76424" → 2014 "主动公开文件数 条 2543 78967": 76424 ≤ 78967
    c = _checks(conn, report_id(ZONE, 2014))["crossyear:cumulative:proactive.items"]
    assert (c.result, c.left_value, c.right_value) == ("pass", 76424, 78967)
    # 2017 10037 → 2018 "主动公开文件数条206912106" 12106: pass
    c = _checks(conn, report_id(ZONE, 2018))["crossyear:cumulative:proactive.items"]
    assert (c.result, c.left_value, c.right_value) == ("pass", 10037, 12106)


def test_cumulative_applications_fall_2015_to_2016(conn: Connection) -> None:
    # 2015 "受理依申请公开信息总数条01" → 累计 1; 2016 "受理依申请公开信息总数条00" → 累计 0: a running total fell
    c = _checks(conn, report_id(ZONE, 2016))["crossyear:cumulative:applications.received"]
    assert (c.result, c.left_value, c.right_value) == ("fail", 1, 0)
    # 2014 "条 1 1" → 2015 "条01": 1 → 1
    c = _checks(conn, report_id(ZONE, 2015))["crossyear:cumulative:applications.received"]
    assert (c.result, c.left_value, c.right_value) == ("pass", 1, 1)


# --- jumps ---------------------------------------------------------------------------------------

def test_extreme_jumps_are_notable_not_failures(conn: Connection) -> None:
    got = _checks(conn, report_id(HONGZE, 2024), "crossyear:jump:")
    # 行政许可 550 → 9487: 9487 ≥ 5 × 550 = 2750 → notable
    lic = got["crossyear:jump:proactive.licensing.decisions"]
    assert (lic.result, lic.notable, lic.left_value, lic.right_value) == ("pass", True, 550, 9487)
    # 本年新收 21 → 95: 95 < 5 × 21 = 105 → compared, not notable
    rec = got["crossyear:jump:applications.received"]
    assert (rec.result, rec.notable, rec.left_value, rec.right_value) == ("pass", False, 21, 95)
    # 行政处罚 4119 → 2776: within ×5 either way
    assert got["crossyear:jump:proactive.penalties.decisions"].notable is False
    assert all(c.result == "pass" for c in got.values())
    # pingtan-zone 主动公开 2021 "2645条" → 2022 "14571条": 14571 ≥ 5 × 2645 = 13225 → notable
    c = _checks(conn, report_id(ZONE, 2022))["crossyear:jump:proactive.items"]
    assert (c.notable, c.left_value, c.right_value) == (True, 2645, 14571)


def test_crossyear_checks_are_served_like_any_check(client: httpx.Client) -> None:
    body = client.get("/api/v1/checks", params={"rule": "crossyear:carry_over", "publisher": HONGZE}).json()
    assert len(body["data"]) == 7 and {c["result"] for c in body["data"]} == {"pass"}
    fails = client.get("/api/v1/checks", params={"rule": "crossyear:cumulative", "result": "fail",
                                                 "publisher": ZONE, "year": "2017"}).json()["data"]
    assert {c["rule"] for c in fails} >= {"crossyear:cumulative:proactive.items"}


# --- statements ----------------------------------------------------------------------------------

def _statements(conn: Connection, rid: str) -> list[Any]:
    return list(conn.execute(select(STM).where(STM.c.report_id == rid).order_by(STM.c.ordinal)).all())


def test_reference_report_statements_are_unverifiable_with_their_derived_2016_values(conn: Connection) -> None:
    by_quote = {s.quote: s for s in _statements(conn, report_id(JILIN, 2017))}
    # "全市主动公开政府信息90797条 … 比2016年主动公开政府信息数多出两万五千八百余条": 90797 − 25800 = 64997 (approx)
    items = by_quote["比2016年主动公开政府信息数多出两万五千八百余条"]
    assert items.verification == "unverifiable" and items.claimed_base_value == 64997
    assert items.verified_against is None and "no 2016 report" in items.verification_detail
    # "专项经费总计为65.9万元,比2016年增加34.3万元": 659000 − 343000 = 316000 元
    funding = by_quote["比2016年增加34.3万元"]
    assert funding.verification == "unverifiable" and funding.claimed_base_value == 316000
    # "比往年有一定下降": no base year at all
    assert by_quote["比往年有一定下降"].verification == "unverifiable"
    assert by_quote["比2016年略有增加"].verification == "unverifiable"
    served = statement_verifications(conn, [funding.id])[funding.id]
    assert served is not None and served["result"] == "unverifiable"
    assert served["claimed"] == {"year": 2016, "value": 316000, "report_id": report_id(JILIN, 2017),
                                 "quote": "比2016年增加34.3万元", "start": funding.start, "end": funding.end}
    assert served["recorded"] is None


def test_shanghai_percentage_statement_without_a_2018_report(conn: Connection) -> None:
    # "共受理政府信息公开申请859件，申请数量较去年回落12.3%": 859 / (1 − 0.123) = 979.47… → 979 (approx)
    (st,) = _statements(conn, report_id(SHANGHAI, 2019))
    assert st.verification == "unverifiable" and st.claimed_base_value == 979


def _figure(text: str, metric: str, dims: dict[str, str], value: int, unit: str, quote: str) -> Figure:
    start = text.index(quote)
    return Figure(metric=metric, dims=dims, value=Decimal(value), unit=unit, quote=quote, start=start,
                  end=start + len(quote))


def _fake_report(publisher: str, year: int, figures: list[tuple[str, dict[str, str], int, str, str]],
                 fmt: str = "narrative") -> ExtractedReport:
    """A minimal extracted report whose figures quote its own text."""
    text = f"{publisher}{year}年政府信息公开工作年度报告。" + "。".join(q for *_, q in figures) + "。"
    return ExtractedReport(
        text=text, format=fmt,  # type: ignore[arg-type]
        meta=ReportMeta(title=f"{publisher}{year}年政府信息公开工作年度报告", publisher=publisher, year=year),
        sections=[], figures=[_figure(text, m, d, v, u, q) for m, d, v, u, q in figures], statements=[], checks=[])


def test_statements_become_consistent_or_restated_when_the_base_report_arrives(fresh_db: Engine) -> None:
    load_bundled(fresh_db, ["jilin-city-2017"])
    rid = report_id(JILIN, 2017)
    # a 2016 report stating: 主动公开 65000 条 (2017 says 90797, "多出两万五千八百余条": 90797 − 65000 = 25797,
    # within the last printed digit (100) of 25800 → consistent); 经费 30万元 (2017 says 65.9万 "增加34.3万",
    # which implies 31.6万 ≠ 30万 → restated); 查阅点 300 个 (2017: 334, "略有增加" → consistent)
    fake = _fake_report("吉林市人民政府", 2016, [
        ("proactive.items", {"channel": "total"}, 65000, "条", "全市主动公开政府信息65000条"),
        ("capacity.funding", {}, 300000, "元", "专项经费总计为30万元"),
        ("capacity.reading_points", {}, 300, "个", "查阅点300个"),
    ])
    ingest_extracted(fresh_db, fake, sha256="fake-2016")
    with fresh_db.connect() as conn:
        by_quote = {s.quote: s for s in _statements(conn, rid)}
        items = by_quote["比2016年主动公开政府信息数多出两万五千八百余条"]
        assert (items.verification, items.recorded_base_value, items.claimed_base_value) == (
            "consistent", 65000, 64997)
        funding = by_quote["比2016年增加34.3万元"]
        assert (funding.verification, funding.recorded_base_value, funding.claimed_base_value) == (
            "restated", 300000, 316000)
        assert funding.verified_against == report_id(JILIN, 2016)
        assert by_quote["比2016年略有增加"].verification == "consistent"
        assert by_quote["比往年有一定下降"].verification == "unverifiable"
        served = statement_verifications(conn, [funding.id])[funding.id]
        assert served is not None
        # both figures and both sources
        assert served["claimed"]["value"] == 316000 and served["claimed"]["report_id"] == rid
        rec = served["recorded"]
        assert rec["value"] == 300000 and rec["report_id"] == report_id(JILIN, 2016)
        assert rec["quote"] == "专项经费总计为30万元"
        assert fake.text[rec["start"]:rec["end"]] == rec["quote"]


def test_a_percentage_statement_is_checked_to_its_rounding(fresh_db: Engine) -> None:
    # 2018 stated 979 → 2019's 859: (859 − 979) / 979 = −12.257…%, "回落12.3%" printed to 0.1 → consistent
    ingest_extracted(fresh_db, _fake_report("上海市人民政府办公厅", 2018, [
        ("applications.received", {"applicant": "total", "channel": "total"}, 979, "件", "受理申请979件")]),
        sha256="fake-a")
    load_bundled(fresh_db, ["shanghai-gov-office-2019"])
    with fresh_db.connect() as conn:
        (st,) = _statements(conn, report_id(SHANGHAI, 2019))
        assert (st.verification, st.recorded_base_value) == ("consistent", 979)
    # a corrected 2018 report of 1000: (859 − 1000) / 1000 = −14.1 % ≠ −12.3 % → restated
    ingest_extracted(fresh_db, _fake_report("上海市人民政府办公厅", 2018, [
        ("applications.received", {"applicant": "total", "channel": "total"}, 1000, "件", "受理申请1000件")]),
        sha256="fake-b")
    with fresh_db.connect() as conn:
        (st,) = _statements(conn, report_id(SHANGHAI, 2019))
        assert (st.verification, st.recorded_base_value, st.claimed_base_value) == ("restated", 1000, 979)


# --- served: every statement carries its verification, the same through REST and GraphQL -----------

VERIFICATION_GQL = ("verification { result detail claimed { year value reportId quote start end } "
                    "recorded { year value reportId observationId quote start end } }")


def _snake(value: Any) -> Any:
    """A GraphQL answer with REST's member names (reportId → report_id)."""
    if isinstance(value, list):
        return [_snake(v) for v in value]
    if isinstance(value, dict):
        return {re.sub(r"([A-Z])", r"_\1", k).lower(): _snake(v) for k, v in value.items()}
    return value


def _served(client: httpx.Client, rid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each statement of a report by its quote, as REST serves it and as GraphQL does (in REST's shape)."""
    r = client.get(f"/api/v1/reports/{rid}/statements")
    assert r.status_code == 200, r.text
    body = client.post("/graphql", json={
        "query": f"query($id: ID!) {{ report(id: $id) {{ statements {{ id databaseId metric quote "
                 f"{VERIFICATION_GQL} }} }} }}", "variables": {"id": rid}}).json()
    assert "errors" not in body, body["errors"]
    return ({s["provenance"]["quote"]: s for s in r.json()["data"]},
            {s["quote"]: _snake(s) for s in body["data"]["report"]["statements"]})


def test_reference_report_statements_carry_their_verification(client: httpx.Client, conn: Connection) -> None:
    rid = report_id(JILIN, 2017)
    rest, gql = _served(client, rid)
    text = report_text(conn, rid)
    assert text is not None
    assert {q: s["verification"] for q, s in rest.items()} == {q: s["verification"] for q, s in gql.items()}
    # no 2016 report of 吉林市人民政府 is bundled: nothing to check the claims against
    assert {s["verification"]["result"] for s in rest.values()} == {"unverifiable"}
    # "专项经费总计为65.9万元,比2016年增加34.3万元": 659000 − 343000 = 316000 元 claimed for 2016
    funding = rest["比2016年增加34.3万元"]
    assert funding["metric"] == "capacity.funding"
    v = funding["verification"]
    assert (v["result"], v["detail"], v["recorded"]) == (
        "unverifiable", "no 2016 report of this publisher in the database", None)
    assert v["claimed"] == {"year": 2016, "value": 316000, "report_id": rid, "quote": "比2016年增加34.3万元",
                            "start": funding["provenance"]["start"], "end": funding["provenance"]["end"]}
    assert text[v["claimed"]["start"]:v["claimed"]["end"]] == "比2016年增加34.3万元"
    assert statement_verifications(conn, [funding["id"]])[funding["id"]] == v  # served as db.crossyear stores it
    # "全市主动公开政府信息90797条 … 比2016年主动公开政府信息数多出两万五千八百余条": 90797 − 25800 = 64997
    items = rest["比2016年主动公开政府信息数多出两万五千八百余条"]
    assert items["metric"] == "proactive.items"
    assert (items["verification"]["result"], items["verification"]["claimed"]["year"],
            items["verification"]["claimed"]["value"], items["verification"]["recorded"]) == (
        "unverifiable", 2016, 64997, None)
    # "比往年有一定下降": no base year, no figure
    vague = rest["比往年有一定下降"]["verification"]
    assert (vague["result"], vague["claimed"]["year"], vague["claimed"]["value"]) == ("unverifiable", None, None)
    # the Statement node answers the same
    node = client.post("/graphql", json={
        "query": f"query($id: ID!) {{ node(id: $id) {{ ... on Statement {{ {VERIFICATION_GQL} }} }} }}",
        "variables": {"id": gql["比2016年增加34.3万元"]["id"]}}).json()
    assert _snake(node["data"]["node"]["verification"]) == v


def test_shanghai_percentage_statement_is_served_unverifiable(client: httpx.Client) -> None:
    rid = report_id(SHANGHAI, 2019)
    rest, gql = _served(client, rid)
    # "共受理政府信息公开申请859件，申请数量较去年回落12.3%": 859 / (1 − 0.123) = 979.47… → 979 claimed for 2018
    (quote,) = rest
    assert quote == "较去年回落12.3%"
    v = rest[quote]["verification"]
    assert gql[quote]["verification"] == v
    assert (v["result"], v["detail"], v["claimed"]["year"], v["claimed"]["value"], v["recorded"]) == (
        "unverifiable", "no 2018 report of this publisher in the database", 2018, 979, None)


def test_statement_verification_in_csv_and_fields(client: httpx.Client) -> None:
    rid = report_id(JILIN, 2017)
    r = client.get(f"/api/v1/reports/{rid}/statements.csv")
    assert r.status_code == 200, r.text
    rows = {row["provenance.quote"]: row for row in csv.DictReader(r.text.splitlines())}
    funding = rows["比2016年增加34.3万元"]
    assert (funding["verification.result"], funding["verification.claimed.year"],
            funding["verification.claimed.value"], funding["verification.recorded.report_id"]) == (
        "unverifiable", "2016", "316000", "")
    assert rows["比2016年主动公开政府信息数多出两万五千八百余条"]["verification.claimed.value"] == "64997"
    picked = client.get(f"/api/v1/reports/{rid}/statements", params={"fields": "id,verification.result"}).json()
    assert {tuple(s) for s in picked["data"]} == {("id", "verification")}
    assert {s["verification"]["result"] for s in picked["data"]} == {"unverifiable"}


def test_restated_statement_is_served_with_both_figures(fresh_db: Engine, monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    from api.app import create_app
    from tests.conftest import _SyncASGIClient

    load_bundled(fresh_db, ["jilin-city-2017"])
    ingest_extracted(fresh_db, _fake_report("吉林市人民政府", 2016, [
        ("proactive.items", {"channel": "total"}, 65000, "条", "全市主动公开政府信息65000条"),
        ("capacity.funding", {}, 300000, "元", "专项经费总计为30万元"),
    ]), sha256="fake-2016")
    url = fresh_db.url.render_as_string(hide_password=False)
    monkeypatch.setenv("GONGKAI_DATABASE_URL", url)
    client = _SyncASGIClient(httpx.ASGITransport(app=create_app()))  # type: ignore[arg-type]
    rid, base = report_id(JILIN, 2017), report_id(JILIN, 2016)
    try:
        rest, gql = _served(client, rid)
    finally:
        get_engine(url).dispose()
    assert {q: s["verification"] for q, s in rest.items()} == {q: s["verification"] for q, s in gql.items()}
    # 2017 says 65.9万 "增加34.3万" (31.6万 for 2016); the 2016 report says 30万 → restated, both kept
    v = rest["比2016年增加34.3万元"]["verification"]
    assert v["result"] == "restated"
    assert (v["claimed"]["value"], v["claimed"]["report_id"]) == (316000, rid)
    rec = v["recorded"]
    assert (rec["year"], rec["value"], rec["report_id"], rec["quote"]) == (2016, 300000, base, "专项经费总计为30万元")
    with fresh_db.connect() as conn:
        base_text = report_text(conn, base)
        obs = observations_by_ids(conn, [rec["observation_id"]])[rec["observation_id"]]
    assert base_text is not None and base_text[rec["start"]:rec["end"]] == rec["quote"]
    assert (obs["report_id"], obs["value"]) == (base, 300000)
    # 90797 − 65000 = 25797, within the last printed digit of "两万五千八百余条" → consistent
    items = rest["比2016年主动公开政府信息数多出两万五千八百余条"]["verification"]
    assert (items["result"], items["recorded"]["value"], items["claimed"]["value"]) == ("consistent", 65000, 64997)


@pytest.mark.parametrize(("direction", "delta", "unit", "qualifier", "base", "current", "expected"), [
    ("increase", 10, None, "exact", 90, 100, "consistent"),
    ("increase", 10, None, "exact", 91, 100, "restated"),  # exact: off by one is a restatement
    ("decrease", 10, None, "exact", 110, 100, "consistent"),
    ("increase", 25800, None, "approx", 65050, 90797, "consistent"),  # 25747: within 100 of 25800
    ("increase", 25800, None, "approx", 65200, 90797, "restated"),  # 25597: more than 100 off
    ("decrease", Decimal("12.3"), "%", "exact", 979, 859, "consistent"),
    ("decrease", Decimal("12.3"), "%", "exact", 980, 859, "consistent"),  # −121/980 = −12.347 %: rounds to 12.3
    ("decrease", Decimal("12.3"), "%", "exact", 981, 859, "restated"),  # −122/981 = −12.436 %: rounds to 12.4
    ("increase", 5, "%", "exact", 0, 10, "unverifiable"),  # no percentage of zero
    ("increase", None, None, "approx", 300, 334, "consistent"),
    ("increase", None, None, "approx", 334, 334, "restated"),  # "略有增加" but unchanged
    ("decrease", None, None, "approx", 300, 334, "restated"),
    ("same", None, None, "approx", 100, 104, "consistent"),  # 持平 within 5 %
    ("same", None, None, "approx", 100, 120, "restated"),
])
def test_verification_tolerances(direction: str, delta: Any, unit: str | None, qualifier: str, base: int,
                                 current: int, expected: str) -> None:
    st = SimpleNamespace(metric="m", base_year=2016, direction=direction,
                         delta=None if delta is None else Decimal(delta), delta_unit=unit, qualifier=qualifier,
                         quote="比2016年…")
    cur = Point("o1", "r-now", 2017, "m", "", Decimal(current), "exact", "q", 0, 1)
    was = Point("o0", "r-then", 2016, "m", "", Decimal(base), "exact", "q", 0, 1)
    v = verify(st, None, cur, ReportRef("r-then", 2016, "narrative"), was)
    assert v.result == expected, v.detail
    if expected != "unverifiable":
        assert (v.verified_against, v.verified_observation, v.recorded_base_value) == ("r-then", "o0", base)


# --- ingest order, replacement, concurrency -----------------------------------------------------------

def _summary(engine: Engine, rid: str) -> dict[str, tuple[str, Any, Any]]:
    with engine.connect() as conn:
        return {rule: (c.result, c.left_value, c.right_value) for rule, c in _checks(conn, rid).items()}


def test_checks_do_not_depend_on_ingest_order(fresh_db: Engine, loaded_db: str) -> None:
    later = report_id(HONGZE, 2024)
    ingest_bundled(fresh_db, "hongze-district-2024")
    assert _summary(fresh_db, later) == {}  # nothing to compare with yet
    ingest_bundled(fresh_db, "hongze-district-2023")  # the neighbour's checks are written now
    got = _summary(fresh_db, later)
    assert got["crossyear:carry_over[total]"] == ("pass", 0, 0)
    assert _summary(fresh_db, report_id(HONGZE, 2023)) == {}
    assert got == _summary(get_engine(loaded_db), later)  # same as loading in index order


def test_a_replaced_report_rechecks_its_neighbour(fresh_db: Engine, tmp_path: Path) -> None:
    ingest_bundled(fresh_db, "hongze-district-2023")
    ingest_bundled(fresh_db, "hongze-district-2024")
    later = report_id(HONGZE, 2024)
    assert _summary(fresh_db, later)["crossyear:carry_over[natural_person]"] == ("pass", 0, 0)
    # a corrected 2023 copy: 2 自然人 applications carried forward (2023 "四、结转下年度继续办理 0 0 0 0 0 0 0")
    source = (REPORTS_DIR / "hongze-district-2023.txt").read_text(encoding="utf-8")
    old = "四、结转下年度继续办理 0 0 0 0 0 0 0"
    assert source.count(old) == 1
    changed = tmp_path / "hongze-district-2023.txt"
    changed.write_text(source.replace(old, "四、结转下年度继续办理 2 0 0 0 0 0 2"), encoding="utf-8")
    ingest_bundled(fresh_db, "hongze-district-2023", changed)
    got = _summary(fresh_db, later)
    # 2 carried forward by 2023 vs 0 carried over by 2024: the continuity breaks for 自然人 and 总计
    assert got["crossyear:carry_over[natural_person]"] == ("fail", 2, 0)
    assert got["crossyear:carry_over[total]"] == ("fail", 2, 0)
    assert got["crossyear:carry_over[commercial]"] == ("pass", 0, 0)
    with fresh_db.connect() as conn:  # no stale copies of the earlier results
        n = conn.execute(select(CHK.c.id).where(CHK.c.report_id == later,
                                                CHK.c.rule == "crossyear:carry_over[total]")).all()
        assert len(n) == 1


def test_concurrent_ingests_of_neighbouring_years_still_compare_them(fresh_db: Engine) -> None:
    at_once(lambda stem: ingest_bundled(fresh_db, stem), ("hongze-district-2023", "hongze-district-2024"))
    assert _summary(fresh_db, report_id(HONGZE, 2024))["crossyear:carry_over[total]"] == ("pass", 0, 0)


def test_backfill_recomputes_a_database_loaded_before_cross_year_results(fresh_db: Engine) -> None:
    load_bundled(fresh_db, ["hongze-district-2023", "hongze-district-2024", "jilin-city-2017"])
    later = report_id(HONGZE, 2024)
    checks = _summary(fresh_db, later)
    with fresh_db.connect() as conn:
        statements = [tuple(s) for s in _statements(conn, report_id(JILIN, 2017))]
        version = data_version(conn)
    with fresh_db.begin() as conn:  # what a database ingested before migration 0002 looks like
        conn.execute(delete(CHK).where(CHK.c.rule.startswith("crossyear:")))
        conn.execute(update(STM).values(verification=None, verified_against=None, verified_observation=None,
                                        claimed_base_value=None, recorded_base_value=None, verification_detail=None))
    assert _summary(fresh_db, later) == {}
    assert backfill(fresh_db) == 2
    assert _summary(fresh_db, later) == checks
    with fresh_db.connect() as conn:
        assert [tuple(s) for s in _statements(conn, report_id(JILIN, 2017))] == statements
        assert data_version(conn) != version


def test_migration_0002_matches_the_models_and_downgrades(fresh_db: Engine) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect
    from sqlmodel import SQLModel

    from db.engine import alembic_config, upgrade

    with fresh_db.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    cfg = alembic_config()
    with fresh_db.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    columns = {c["name"] for c in inspect(fresh_db).get_columns("statement")}
    assert "verification" not in columns and "quote" in columns
    upgrade(fresh_db)
    columns = {c["name"] for c in inspect(fresh_db).get_columns("statement")}
    assert {"verification", "verified_against", "verified_observation", "claimed_base_value",
            "recorded_base_value", "verification_detail"} <= columns


# --- the definition-change dictionary ------------------------------------------------------------

def test_definition_changes_file_names_real_metrics_and_formats() -> None:
    with (DICTIONARY_DIR / "metrics.csv").open(encoding="utf-8", newline="") as fh:
        formats = {r["code"]: set(r["formats"].split()) for r in csv.DictReader(fh)}
    with (DICTIONARY_DIR / "definition_changes.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and list(rows[0]) == ["metric", "from_format", "to_format", "note"]
    order = ["N", "S19", "S21"]
    for r in rows:
        assert r["metric"] in formats, r
        assert {r["from_format"], r["to_format"]} <= formats[r["metric"]], r
        assert order.index(r["from_format"]) < order.index(r["to_format"]), r
        assert r["note"].strip(), r
    assert definition_change("applications.outcome.other", "standard-2019", "standard-2021") is not None
    assert definition_change("applications.outcome.other", "S19", "S21") is not None
    assert definition_change("applications.received", "narrative", "standard-2021") is None
    assert definition_change("applications.outcome.other", "standard-2021", "standard-2021") is None
