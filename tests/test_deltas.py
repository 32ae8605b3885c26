"""Year-over-year deltas, series and rankings on the bundled reports (SQLite and PostgreSQL).

Every expected number below was read off the report texts in data/reports/
(the table rows are quoted next to them) and the arithmetic done by hand in
the comments; none was copied from the code's output.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from db import deltas
from db.engine import get_engine
from db.loader import publisher_id, report_id
from db.queries import QueryError

ZONE = publisher_id("平潭综合实验区管委会")
HONGZE = publisher_id("淮安市洪泽区人民政府")
AMR = publisher_id("平潭综合实验区市场监督管理局")
RECEIVED = "applications.received"


@pytest.fixture
def conn(loaded_db: str) -> Iterator[Connection]:
    with get_engine(loaded_db).connect() as c:
        yield c


def _by_year(points: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {p["year"]: p for p in points}


# 本年新收 / 受理依申请公开信息总数 (本年 column), pingtan-zone:
#   2012 "受理依申请公开信息总数 条 0 0"      → 0
#   2013 "受理依申请公开信息总数 条 0 0"      → 0
#   2014 "受理依申请公开信息总数 条 1 1"      → 1
#   2015 "受理依申请公开信息总数条01"         → 本年 0, 累计 1
#   2016 "…条00", 2017 "…条00", 2018 "…条00" → 0
#   2019 "一、本年新收…230 000023"            → 总计 23
#   (no 2020 report)
#   2021 "一、本年新收…640020470"             → 64+0+0+2+0+4 = 70
#   2022 "一、本年新收… 713000074"            → 71+3 = 74 (the prose's "收到…申请75件" adds the 1 carried over)
#   2023 "一、本年新收…801000081"             → 80+1 = 81
#   2024 "一、本年新收…21710000218"           → 217+1 = 218
#   2025 "一、本年新收…15130000154"           → 151+3 = 154
ZONE_RECEIVED = {2012: 0, 2013: 0, 2014: 1, 2015: 0, 2016: 0, 2017: 0, 2018: 0, 2019: 23, 2021: 70, 2022: 74,
                 2023: 81, 2024: 218, 2025: 154}


def test_pingtan_zone_received_series_runs_2012_to_2025_across_formats(conn: Connection) -> None:
    s = deltas.series(conn, publisher=ZONE, metric=RECEIVED)
    assert s["publisher"]["name"] == "平潭综合实验区管委会"  # one publisher under 管委会 / 管委会办公室
    assert s["unit"] == "件" and s["dims"] == {"applicant": "total", "channel": "total"}
    pts = _by_year(s["points"])
    assert {y: p["value"] for y, p in pts.items()} == ZONE_RECEIVED
    assert s["missing_years"] == [2020]
    # 2013: 0 → 0: change 0, no percentage from a zero base
    assert (pts[2013]["change"], pts[2013]["percent_change"]) == (0, None)
    # 2014: 0 → 1: +1, percentage null (base 0), never infinite
    assert (pts[2014]["base_value"], pts[2014]["change"], pts[2014]["percent_change"]) == (0, 1, None)
    # 2015: 1 → 0: −1, −1/1 = −100 %
    assert (pts[2015]["change"], pts[2015]["percent_change"]) == (-1, -100)
    # 2019 (first standard report) against 2018 (narrative): 0 → 23, same concept, no definition change
    assert (pts[2019]["base_year"], pts[2019]["change"], pts[2019]["definition_changed"]) == (2018, 23, False)
    # 2021: the previous year 2020 is missing: no base, the gap is said
    assert pts[2021]["base_year"] is None and pts[2021]["change"] is None and pts[2021]["gap_years"] == [2020]
    # 2022: 70 → 74: +4, 4/70 = 0.057142… → 5.71 %
    assert (pts[2022]["change"], pts[2022]["percent_change"]) == (4, 5.71)
    # 2023: 74 → 81: +7, 7/74 = 0.094594… → 9.46 %
    assert (pts[2023]["change"], pts[2023]["percent_change"]) == (7, 9.46)
    # 2024: 81 → 218: +137, 137/81 = 1.691358… → 169.14 %
    assert (pts[2024]["change"], pts[2024]["percent_change"]) == (137, 169.14)
    # 2025: 218 → 154: −64, 64/218 = 0.293577… → −29.36 %
    assert (pts[2025]["change"], pts[2025]["percent_change"]) == (-64, -29.36)
    assert pts[2025]["report_id"] == report_id(ZONE, 2025) and pts[2025]["base_report_id"] == report_id(ZONE, 2024)
    assert not any(p["approx"] for p in s["points"])
    # 2022's report prints 74 (table) and 75 (prose): the table cell is used and the point says so
    assert pts[2022]["conflict"] is True and pts[2021]["conflict"] is False


def test_previous_available_bridges_the_missing_2020(conn: Connection) -> None:
    pts = _by_year(deltas.series(conn, publisher=ZONE, metric=RECEIVED, mode="previous_available")["points"])
    # 2019 23 → 2021 70: +47, 47/23 = 2.043478… → 204.35 %, the skipped year still reported
    p = pts[2021]
    assert (p["base_year"], p["base_value"], p["change"], p["percent_change"]) == (2019, 23, 47, 204.35)
    assert p["gap_years"] == [2020]
    assert pts[2022]["gap_years"] == [] and pts[2022]["change"] == 4


def test_breakdown_series_by_applicant(conn: Connection) -> None:
    # 自然人 column: 2023 "801000081" → 80; 2024 "21710000218" → 217: +137, 137/80 = 1.7125 → 171.25 %
    s = deltas.series(conn, publisher=ZONE, metric=RECEIVED, dims={"applicant": "natural_person"},
                      year_range=(2023, 2024))
    assert s["dims"] == {"applicant": "natural_person", "channel": "total"}
    assert [(p["year"], p["value"]) for p in s["points"]] == [(2023, 80), (2024, 217)]
    assert (s["points"][1]["change"], s["points"][1]["percent_change"]) == (137, 171.25)
    # the first asked year still finds its base outside the range: 2022 自然人 "713000074" → 71; 80 − 71 = 9
    assert (s["points"][0]["base_value"], s["points"][0]["change"]) == (71, 9)


def test_hongze_2023_to_2024(conn: Connection) -> None:
    def one(metric: str, **kw: Any) -> dict[str, Any]:
        page = deltas.deltas(conn, metric=metric, publisher=HONGZE, year=2024, **kw)
        assert len(page.items) == 1
        return page.items[0]

    # 表三 "一、本年新收…数量 21 0 0 0 0 0 21" → "95 0 0 0 0 0 95": +74, 74/21 = 3.523809… → 352.38 %
    d = one(RECEIVED)
    assert (d["base_year"], d["base_value"], d["value"], d["change"], d["percent_change"]) == (2023, 21, 95, 74,
                                                                                                352.38)
    # the 2024 prose says "区政府办…受理政府信息公开申请 17 件" (the office alone): flagged, table used
    assert d["conflict"] is True
    # 表二 行政许可 550 → 9487: +8937, 8937/550 = 16.249090… → 1624.91 %
    d = one("proactive.licensing.decisions")
    assert (d["base_value"], d["value"], d["change"], d["percent_change"]) == (550, 9487, 8937, 1624.91)
    # 行政强制 195 → 84: −111, 111/195 = 0.569230… → −56.92 %
    d = one("proactive.coercion.decisions")
    assert (d["change"], d["percent_change"]) == (-111, -56.92)
    # 行政事业性收费 7730.28 万元 → 7545 万元, stored in yuan: 77302800 → 75450000, −1852800;
    # 1852800/77302800 = 0.023968… → −2.40 %
    d = one("proactive.admin_fees.amount")
    assert (d["base_value"], d["value"], d["change"], d["percent_change"]) == (77302800, 75450000, -1852800, -2.4)
    # 行政规范性文件 现行有效 "0 5 5" → "3 0 8": 5 → 8, +3, 60 %
    d = one("proactive.normative_docs.in_force")
    assert (d["change"], d["percent_change"]) == (3, 60)


def test_amr_2017_to_2019_reports_the_gap(conn: Connection) -> None:
    page = deltas.deltas(conn, publisher=AMR, year=2019, limit=1000)
    assert page.items and page.next_cursor is None
    for d in page.items:
        assert d["base_year"] is None and d["change"] is None and d["percent_change"] is None
        assert d["gap_years"] in ([2018], [])  # [] for a series the 2017 report did not have
    # 2017's narrative 收到申请 and 2019's 本年新收 are one series: its 2019 point names the missing 2018
    assert any(d["metric"] == RECEIVED and d["gap_years"] == [2018] for d in page.items)


def test_definition_change_carries_a_flag_instead_of_a_number(conn: Connection) -> None:
    # 其他处理: pingtan-zone's 2018 narrative 统计表 vs its 2019 standard table (N → S19 in the dictionary)
    s = deltas.series(conn, publisher=ZONE, metric="applications.outcome.other")
    p = _by_year(s["points"])[2019]
    assert p["base_year"] == 2018 and p["definition_changed"] is True
    assert p["change"] is None and p["percent_change"] is None and p["base_value"] is not None
    assert any(c["year"] == 2019 and (c["from_format"], c["to_format"]) == ("N", "S19")
               for c in s["definition_changes"])


def test_deltas_without_a_metric_are_the_totals_of_every_metric(conn: Connection) -> None:
    items = _all(conn, publisher=HONGZE, year=2024)
    assert len({(d["metric"], tuple(d["dims"].items())) for d in items}) == len(items)
    assert all(set(d["dims"].values()) <= {"total"} for d in items)
    assert {"applications.received", "proactive.licensing.decisions", "review.total"} <= {d["metric"] for d in items}
    assert deltas.count_deltas(conn, deltas.DeltaFilter.of(publisher=HONGZE, year=2024)) == len(items)


def _all(conn: Connection, limit: int = 1000, **kw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = deltas.deltas(conn, limit=limit, after=after, **kw)
        out += page.items
        if page.next_cursor is None:
            return out
        after = page.next_cursor


def test_keyset_pages_cover_everything_once(conn: Connection) -> None:
    big = _all(conn, publisher=ZONE)
    small = _all(conn, limit=7, publisher=ZONE)
    key = [(d["publisher_id"], d["metric"], tuple(sorted(d["dims"].items())), d["year"]) for d in big]
    assert [(d["publisher_id"], d["metric"], tuple(sorted(d["dims"].items())), d["year"]) for d in small] == key
    assert len(set(key)) == len(key) > 100
    newest = _all(conn, limit=9, publisher=ZONE, metric=RECEIVED, sort=(("year", True),))
    assert [d["year"] for d in newest] == sorted(ZONE_RECEIVED, reverse=True)


def test_rankings(conn: Connection) -> None:
    # 2024 本年新收: pingtan-zone 218, hongze 95, shanghai-stc and the others have no 2024 figure or none at all
    r = deltas.rankings(conn, metric=RECEIVED, year=2024)
    top = [(i["rank"], i["publisher"]["id"], i["value"]) for i in r["items"]]
    assert top[:2] == [(1, ZONE, 218), (2, HONGZE, 95)]
    assert r["total"] == len(r["items"])
    # by change: pingtan-zone +137 (81 → 218) ahead of hongze +74 (21 → 95)
    r = deltas.rankings(conn, metric=RECEIVED, year=2024, by="change")
    assert [(i["publisher"]["id"], i["change"]) for i in r["items"]] == [(ZONE, 137), (HONGZE, 74)]
    # by percent: hongze 352.38 % ahead of pingtan-zone 169.14 %; both bases ≥ 10
    r = deltas.rankings(conn, metric=RECEIVED, year=2024, by="percent_change")
    assert [(i["publisher"]["id"], i["percent_change"]) for i in r["items"]] == [(HONGZE, 352.38), (ZONE, 169.14)]
    # a minimum base of 50 leaves out hongze (base 21) but keeps pingtan-zone (base 81)
    r = deltas.rankings(conn, metric=RECEIVED, year=2024, by="percent_change", min_base=50)
    assert [i["publisher"]["id"] for i in r["items"]] == [ZONE]
    # filters: only county-level publishers; only 福建省
    r = deltas.rankings(conn, metric=RECEIVED, year=2024, level="county")
    assert [i["publisher"]["id"] for i in r["items"]] == [HONGZE]
    r = deltas.rankings(conn, metric=RECEIVED, year=2024, province="福建省")
    assert [i["publisher"]["id"] for i in r["items"]] == [ZONE]
    r = deltas.rankings(conn, metric=RECEIVED, year=2024, order="asc", limit=1)
    assert len(r["items"]) == 1 and r["items"][0]["value"] <= 95


def test_movers(conn: Connection) -> None:
    # 2025 vs 2024: pingtan-zone 218 → 154 (−64) is a fall; nobody else has both years
    m = deltas.movers(conn, metric=RECEIVED, year=2025)
    assert m["up"] == [] and [(i["publisher"]["id"], i["change"]) for i in m["down"]] == [(ZONE, -64)]


@pytest.mark.parametrize(("call", "code"), [
    (lambda c: deltas.deltas(c, metric="applications.recieved"), "unknown_metric"),
    (lambda c: deltas.deltas(c, metric=RECEIVED, dims={"route": "direct"}), "unknown_dimension"),
    (lambda c: deltas.deltas(c, metric=RECEIVED, dims={"applicant": "aliens"}), "unknown_dimension_member"),
    (lambda c: deltas.deltas(c, metric=RECEIVED, dims={"subunit": "市本级"}), "unknown_dimension"),
    (lambda c: deltas.deltas(c, dims={"applicant": "total"}), "invalid_parameter"),
    (lambda c: deltas.deltas(c, metric="proactive.items.by_topic"), "missing_dimension"),
    (lambda c: deltas.deltas(c, metric=RECEIVED, mode="last_year"), "invalid_parameter"),
    (lambda c: deltas.deltas(c, metric=RECEIVED, year_range=(2024, 2012)), "invalid_year_range"),
    (lambda c: deltas.deltas(c, metric=RECEIVED, limit=0), "limit_out_of_range"),
    (lambda c: deltas.deltas(c, metric=RECEIVED, after="garbage!"), "invalid_cursor"),
    (lambda c: deltas.deltas(c, metric=RECEIVED, sort=(("value", False),)), "invalid_sort"),
    (lambda c: deltas.series(c, publisher="p-nobody", metric=RECEIVED), "not_found"),
    (lambda c: deltas.rankings(c, metric=RECEIVED, year=2024, by="mood"), "invalid_parameter"),
    (lambda c: deltas.rankings(c, metric=RECEIVED, year=2024, order="up"), "invalid_parameter"),
    (lambda c: deltas.rankings(c, metric=RECEIVED, year=2024, min_base=-1), "invalid_parameter"),
    (lambda c: deltas.rankings(c, metric=RECEIVED, year=3024), "invalid_year_range"),
    (lambda c: deltas.movers(c, metric=RECEIVED, year=2024, by="value"), "invalid_parameter"),
])
def test_bad_input_raises_query_errors_with_stable_codes(conn: Connection, call: Any, code: str) -> None:
    with pytest.raises(QueryError) as err:
        call(conn)
    assert err.value.code == code
