"""The SQL deltas equal a straightforward Python recomputation (SQLite and PostgreSQL).

Two datasets: a large seeded one (hundreds of publishers, gaps, duplicate and
unavailable figures, derived and partial-scope rows that must be ignored,
formats across the 2019/2021 changes) checked exhaustively, and small ones
drawn by hypothesis, each written to an empty database.  The recomputation
below is deliberately naive: filter the rows, pick each year's first printed
value, walk the years in order.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection, Engine

from db import deltas
from db.crossyear import OBS, PUB, REP, SP, definition_change, rebuild_points
from db.models import dims_key

# (metric, dims) series used by the synthetic data; applications.outcome.other changes definition N→S19→S21
SERIES: list[tuple[str, dict[str, str]]] = [
    ("applications.received", {"applicant": "total", "channel": "total"}),
    ("applications.received", {"applicant": "natural_person", "channel": "total"}),
    ("review.total", {}),
    ("applications.outcome.other", {"applicant": "total"}),
]
LEVELS = ("city", "county", "department")
PROVINCES = ("福建省", "江苏省", None)


def fmt_of(year: int) -> str:
    return "narrative" if year <= 2018 else "standard-2019" if year <= 2020 else "standard-2021"


@dataclass
class Row:
    publisher: int
    report_year: int
    metric: str
    dims: dict[str, str]
    value: Decimal | None
    ordinal: int
    qualifier: str = "exact"
    status: str = "reported"
    subunit: str | None = None
    period: str | None = None
    year: int | None = None  # defaults to report_year


def write(engine: Engine, rows: list[Row], n_publishers: int) -> None:
    """Replace the synthetic tables' content with ``rows`` (reports created for every publisher-year seen)."""
    with engine.begin() as conn:
        for table in (SP, OBS, REP, PUB):
            conn.execute(delete(table))
        conn.execute(insert(PUB), [{"id": f"p-{i:04d}", "name": f"测试{i}", "level": LEVELS[i % 3],
                                    "province": PROVINCES[i % 3]} for i in range(n_publishers)])
        years = sorted({(r.publisher, r.report_year) for r in rows})
        if years:
            conn.execute(insert(REP), [{
                "id": f"r-{p:04d}-{y}", "publisher_id": f"p-{p:04d}", "year": y, "format": fmt_of(y),
                "title": "t", "printed_publisher": f"测试{p}", "sha256": "0", "media_type": "text/plain", "text": "",
                "ingested_at": datetime.now(UTC)} for p, y in years])
        obs = []
        for i, r in enumerate(rows):
            dims = dict(r.dims)
            if r.subunit:
                dims["subunit"] = r.subunit
            if r.period:
                dims["period"] = r.period
            obs.append({
                "id": f"o-{i:07d}", "report_id": f"r-{r.publisher:04d}-{r.report_year}",
                "publisher_id": f"p-{r.publisher:04d}", "year": r.year or r.report_year, "report_year": r.report_year,
                "ordinal": r.ordinal, "metric": r.metric, "dims_key": dims_key(dims),
                "applicant": dims.get("applicant"), "channel": dims.get("channel"), "route": None,
                "employment": None, "subunit": r.subunit, "period": r.period, "value": r.value, "unit": "件",
                "qualifier": r.qualifier, "status": r.status, "candidates": None, "label": None, "note": None,
                "section_id": None, "quote": "", "start": 0, "end": 0})
        for chunk in range(0, len(obs), 5000):
            conn.execute(insert(OBS), obs[chunk:chunk + 5000])
        rebuild_points(conn)  # what the loader does per report, for rows written around it


# --- the naive recomputation --------------------------------------------------------------------

def _pct(change: Decimal, base: Decimal) -> Decimal | None:
    if base == 0:
        return None
    return (change * 100 / base).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _num(v: Decimal | None) -> int | float | None:
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v.normalize())


def recompute(rows: list[Row], metric: str, dims: dict[str, str], mode: str) -> list[dict[str, Any]]:
    """Deltas of one series for every publisher, the slow obvious way (sorted like ``deltas``' default)."""
    key = dims_key(dims)
    cands: dict[tuple[int, int], list[tuple[int, int, Row]]] = defaultdict(list)
    for i, r in enumerate(rows):
        if (r.metric == metric and dims_key(r.dims) == key and r.status == "reported" and r.subunit is None
                and r.period is None and (r.year or r.report_year) == r.report_year):
            cands[(r.publisher, r.report_year)].append((r.ordinal, i, r))
    points: dict[int, list[tuple[int, Row, bool]]] = defaultdict(list)
    for (pub, year), cs in cands.items():
        cs.sort(key=lambda c: (c[2].value is None, c[0], c[1]))
        first = cs[0][2]
        if first.value is None:
            continue
        values = {c[2].value for c in cs if c[2].value is not None}
        points[pub].append((year, first, len(values) > 1))
    out = []
    for pub in sorted(points):
        series = sorted(points[pub], key=lambda p: p[0])
        for i, (year, row, conflict) in enumerate(series):
            prev = series[i - 1] if i else None
            gap = list(range(prev[0] + 1, year)) if prev and prev[0] < year - 1 else []
            use = prev if prev and (mode == "previous_available" or prev[0] == year - 1) else None
            changed = use is not None and definition_change(metric, fmt_of(use[0]), fmt_of(year)) is not None
            assert row.value is not None
            change = None
            if use is not None and not changed:
                assert use[1].value is not None
                change = row.value - use[1].value
            base_value = use[1].value if use else None
            out.append({
                "publisher_id": f"p-{pub:04d}", "metric": metric, "dims": dims, "year": year,
                "value": _num(row.value), "qualifier": row.qualifier, "base_year": use[0] if use else None,
                "base_value": _num(base_value), "change": _num(change),
                "percent_change": _num(_pct(change, base_value)) if change is not None and base_value is not None
                else None,
                "gap_years": gap, "approx": row.qualifier == "approx" or (use is not None and use[1].qualifier
                                                                          == "approx"),
                "definition_changed": changed, "conflict": conflict or bool(use and use[2]),
                "report_id": f"r-{pub:04d}-{year}", "base_report_id": f"r-{pub:04d}-{use[0]}" if use else None,
            })
    return out


def sql_deltas(conn: Connection, metric: str, dims: dict[str, str], mode: str, limit: int = 1000
               ) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = deltas.deltas(conn, metric=metric, dims=dims, mode=mode, limit=limit, after=after)
        out += page.items
        if page.next_cursor is None:
            return out
        after = page.next_cursor


# --- the large seeded dataset ---------------------------------------------------------------------------

def synthetic(seed: int, n_publishers: int) -> list[Row]:
    rnd = random.Random(seed)
    rows: list[Row] = []
    for p in range(n_publishers):
        years = sorted(rnd.sample(range(2010, 2026), rnd.randint(1, 14)))  # gaps everywhere
        for y in years:
            for metric, dims in SERIES:
                if rnd.random() < 0.15:
                    continue  # this report does not state the series
                for k in range(rnd.choice((1, 1, 1, 2, 3))):  # sometimes printed twice, maybe differently
                    value = None if rnd.random() < 0.08 else Decimal(rnd.choice(
                        (0, 0, rnd.randint(1, 9), rnd.randint(1, 500), rnd.randint(1, 10**9)))) / rnd.choice(
                        (1, 1, 1, 100))
                    rows.append(Row(p, y, metric, dims, value, ordinal=rnd.randint(0, 300) + k,
                                    qualifier="approx" if rnd.random() < 0.1 else "exact"))
                # rows that must never enter a series
                noise = Decimal(rnd.randint(0, 10**6))
                rows.append(Row(p, y, metric, dims, noise, ordinal=rnd.randint(0, 300), status="derived",
                                year=y - 1))
                if rnd.random() < 0.3:
                    rows.append(Row(p, y, metric, dims, noise, ordinal=0, subunit="市本级"))
                if rnd.random() < 0.3:
                    rows.append(Row(p, y, metric, dims, noise, ordinal=0, period="cumulative"))
                if rnd.random() < 0.1:
                    rows.append(Row(p, y, metric, dims, noise, ordinal=0, status="computed"))
    return rows


def test_large_synthetic_dataset_matches_python(fresh_db: Engine) -> None:
    n = 300
    rows = synthetic(20261201, n)
    assert len(rows) > 20000
    write(fresh_db, rows, n)
    with fresh_db.connect() as conn:
        for metric, dims in SERIES:
            for mode in deltas.MODES:
                expected = recompute(rows, metric, dims, mode)
                got = sql_deltas(conn, metric, dims, mode)
                assert len(got) == len(expected)
                for g, e in zip(got, expected, strict=True):
                    assert g == e
        # rankings: the same numbers, ordered and ranked like a sort of the recomputation
        metric, dims = SERIES[0]
        pool = [d for d in recompute(rows, metric, dims, "previous_year") if d["year"] == 2020]
        for by in deltas.RANK_BY:
            ranked = deltas.rankings(conn, metric=metric, year=2020, by=by, limit=1000)
            keep = [d for d in pool if d[by] is not None and (by != "percent_change" or d["base_value"] >= 10)]
            keep.sort(key=lambda d: (-d[by], d["publisher_id"]))
            assert ranked["total"] == len(keep)
            assert [(i["publisher_id"], i[by]) for i in ranked["items"]] == [(d["publisher_id"], d[by])
                                                                            for d in keep]
            ranks = [i["rank"] for i in ranked["items"]]
            assert ranks == [1 + sum(1 for d in keep if d[by] > k[by]) for k in keep]
        county = deltas.rankings(conn, metric=metric, year=2020, level="county", limit=1000)
        assert {i["publisher"]["level"] for i in county["items"]} <= {"county"}
        assert county["total"] == sum(1 for d in pool if int(d["publisher_id"][2:]) % 3 == 1)


# --- small datasets drawn by hypothesis -------------------------------------------------------------------

values = st.one_of(st.none(), st.integers(0, 60).map(Decimal),
                   st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
rows_strategy = st.lists(st.builds(
    Row,
    publisher=st.integers(0, 3), report_year=st.integers(2016, 2024),
    metric=st.sampled_from(["applications.received", "applications.outcome.other"]),
    dims=st.sampled_from([{"applicant": "total", "channel": "total"}]),
    value=values, ordinal=st.integers(0, 5), qualifier=st.sampled_from(["exact", "exact", "approx"]),
    status=st.sampled_from(["reported", "reported", "reported", "derived"]),
    subunit=st.sampled_from([None, None, None, "某局"]), period=st.sampled_from([None, None, None, "cumulative"]),
), max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, mode=st.sampled_from(deltas.MODES))
def test_drawn_datasets_match_python(fresh_db: Engine, rows: list[Row], mode: str) -> None:
    for r in rows:
        if r.status == "derived":
            r.year = r.report_year - 1
        if r.metric == "applications.outcome.other":
            r.dims = {"applicant": "total"}
    write(fresh_db, rows, 4)
    with fresh_db.connect() as conn:
        for metric, dims in (("applications.received", {"applicant": "total", "channel": "total"}),
                             ("applications.outcome.other", {"applicant": "total"})):
            assert sql_deltas(conn, metric, dims, mode, limit=3) == recompute(rows, metric, dims, mode)
