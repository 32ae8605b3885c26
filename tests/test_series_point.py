"""The materialized ``series_point`` table equals the choice ``ranked_points`` makes (SQLite and PostgreSQL).

Deltas and rankings read ``series_point`` instead of choosing each year's
figure with window functions on every request, so the table must hold exactly
what that choice gives, whatever happened since: a load of the bundled
reports, a corrected report replacing an earlier copy, the same report
ingested twice or by two threads at once, and a database upgraded by
migration 0004 (its backfill).  The expected rows are recomputed here from
``ranked_points`` (``rn = 1`` with a value), with ``conflict`` and ``headline``
worked out in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from db.bundled import REPORTS_DIR, load_bundled
from db.crossyear import SP, ranked_points
from db.engine import alembic_config, get_engine, upgrade
from db.loader import ingest_extracted, publisher_id, report_id
from ingest.model import ExtractedReport, Figure, ReportMeta
from tests.ingesting import at_once, ingest_bundled

Point = tuple[Any, ...]
HONGZE = publisher_id("淮安市洪泽区人民政府")
ZONE = publisher_id("平潭综合实验区管委会")


def _expected(conn: Connection) -> list[Point]:
    """The points as ``ranked_points`` chooses them, over every observation in the database."""
    ranked = ranked_points().subquery()
    rows = conn.execute(select(ranked).where(ranked.c.rn == 1, ranked.c.value.is_not(None))).all()
    out = []
    for r in rows:
        members = [p.split("=", 1)[1] for p in r.dims_key.split(";") if p]
        out.append((r.publisher_id, r.metric, r.dims_key, r.year, Decimal(r.value), r.qualifier, r.report_id,
                    r.format, r.vmin != r.vmax, r.id, all(m == "total" for m in members)))
    return sorted(out)


def _stored(conn: Connection) -> list[Point]:
    rows = conn.execute(select(SP)).all()
    return sorted((r.publisher_id, r.metric, r.dims_key, r.year, Decimal(r.value), r.qualifier, r.report_id,
                   r.format, bool(r.conflict), r.observation_id, bool(r.headline)) for r in rows)


def _assert_points_match(engine: Engine) -> list[Point]:
    with engine.connect() as conn:
        stored, expected = _stored(conn), _expected(conn)
    assert stored == expected
    return stored


def test_points_of_the_bundled_reports_equal_ranked_points(loaded_db: str) -> None:
    points = _assert_points_match(get_engine(loaded_db))
    assert len(points) > 1000
    assert {p[7] for p in points} == {"narrative", "standard-2019", "standard-2021"}
    assert any(p[8] for p in points) and not all(p[8] for p in points)  # pingtan-zone 2022 prints a conflict
    assert any(p[10] for p in points) and not all(p[10] for p in points)
    by_key = {(p[0], p[1], p[2], p[3]): p for p in points}
    # pingtan-zone 2022 "一、本年新收… 713000074": 71 + 3 = 74, the table cell (tables are read first)
    zone = by_key[(ZONE, "applications.received", "applicant=total;channel=total", 2022)]
    assert zone[4] == 74 and zone[6] == report_id(ZONE, 2022) and zone[10] is True


def test_a_corrected_report_replaces_its_points(fresh_db: Engine, tmp_path: Path) -> None:
    ingest_bundled(fresh_db, "hongze-district-2023")
    ingest_bundled(fresh_db, "hongze-district-2024")
    before = _assert_points_match(fresh_db)
    rid = report_id(HONGZE, 2023)
    key = (HONGZE, "applications.carried_forward", "applicant=natural_person", 2023)
    assert next(p for p in before if p[:4] == key)[4] == 0
    # a corrected 2023 copy: 2 自然人 applications carried forward (2023 "四、结转下年度继续办理 0 0 0 0 0 0 0")
    source = (REPORTS_DIR / "hongze-district-2023.txt").read_text(encoding="utf-8")
    old = "四、结转下年度继续办理 0 0 0 0 0 0 0"
    assert source.count(old) == 1
    changed = tmp_path / "hongze-district-2023.txt"
    changed.write_text(source.replace(old, "四、结转下年度继续办理 2 0 0 0 0 0 2"), encoding="utf-8")
    assert ingest_bundled(fresh_db, "hongze-district-2023", changed) == "replaced"
    after = _assert_points_match(fresh_db)
    assert next(p for p in after if p[:4] == key)[4] == 2
    assert len(after) == len(before)  # no stale copy of the replaced report's points
    assert {p[:4] for p in after if p[6] != rid} == {p[:4] for p in before if p[6] != rid}


def test_points_follow_what_a_report_prints(fresh_db: Engine) -> None:
    """First printed value wins, a second different figure is a conflict, a point without a value is none."""
    def report(sha: str, figures: list[tuple[str, dict[str, str], int | None, str]]) -> None:
        text = "某县人民政府2020年政府信息公开工作年度报告。" + "。".join(q for *_, q in figures) + "。"
        figs = []
        for metric, dims, value, quote in figures:
            start = text.index(quote)
            figs.append(Figure(metric=metric, dims=dims, value=None if value is None else Decimal(value), unit="件",
                               quote=quote, start=start, end=start + len(quote)))
        ingest_extracted(fresh_db, ExtractedReport(
            text=text, format="narrative", meta=ReportMeta(title="某县人民政府2020年政府信息公开工作年度报告",
                                                           publisher="某县人民政府", year=2020),
            sections=[], figures=figs, statements=[], checks=[]), sha256=sha)

    total = {"applicant": "total", "channel": "total"}
    report("a", [("applications.received", total, None, "受理申请若干件"),
                 ("applications.received", total, 12, "受理申请12件"),
                 ("applications.received", total, 13, "共受理13件"),
                 ("review.total", {}, None, "行政复议若干件"),
                 ("applications.received", {"applicant": "total", "channel": "online"}, 5, "网上申请5件")])
    points = _assert_points_match(fresh_db)
    got = {(p[1], p[2]): (p[4], p[8], p[10]) for p in points}
    assert got == {("applications.received", "applicant=total;channel=total"): (12, True, True),
                   ("applications.received", "applicant=total;channel=online"): (5, False, False)}
    report("b", [("applications.received", total, 12, "受理申请12件")])  # corrected: one figure, no conflict
    assert [(p[4], p[8]) for p in _assert_points_match(fresh_db)] == [(12, False)]


def test_duplicate_and_concurrent_ingests_leave_one_set_of_points(fresh_db: Engine) -> None:
    assert ingest_bundled(fresh_db, "pingtan-zone-2021") == "created"
    once = _assert_points_match(fresh_db)
    assert ingest_bundled(fresh_db, "pingtan-zone-2021") == "unchanged"
    assert _assert_points_match(fresh_db) == once
    # the same report twice and two neighbouring years of one publisher, all at once
    at_once(lambda stem: ingest_bundled(fresh_db, stem),
            ("pingtan-zone-2022", "pingtan-zone-2022", "hongze-district-2023", "hongze-district-2024"))
    points = _assert_points_match(fresh_db)
    assert {p[6] for p in points} == {report_id(ZONE, 2021), report_id(ZONE, 2022), report_id(HONGZE, 2023),
                                      report_id(HONGZE, 2024)}


def _run_migration(engine: Engine, step: Callable[[Any], None]) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        step(cfg)


def test_migration_0004_backfills_the_same_points(fresh_db: Engine) -> None:
    from alembic import command
    from sqlalchemy import inspect

    load_bundled(fresh_db, ["pingtan-zone-2021", "pingtan-zone-2022", "hongze-district-2024", "jilin-city-2017"])
    maintained = _assert_points_match(fresh_db)
    _run_migration(fresh_db, lambda cfg: command.downgrade(cfg, "0003"))  # a database from before the table
    assert "series_point" not in inspect(fresh_db).get_table_names()
    upgrade(fresh_db)
    assert _assert_points_match(fresh_db) == maintained
    with fresh_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SP)).scalar_one() == len(maintained)
