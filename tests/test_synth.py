"""The synthetic dataset (db/synth.py): realistic publishers, tables that obey their own rules,
and rows identical to what the real extraction and loader produce for the same text.

Correctness only: load times and API speed are measured by bench/api.py, never asserted here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from db import synth
from db.models import dims_key
from ingest.metadata import resolve_publisher
from ingest.model import ReportMeta
from ingest.pipeline import extract_report

YEARS = (2016, 2023)  # narrative 2016–2018, 2019 template 2019–2020, 2021 template after
LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "township": 3}


def _reports(n: int, seed: int, years: tuple[int, int] = YEARS) -> list[synth.SynthReport]:
    cache = synth.SectionCache()
    return [sr for p in synth.make_publishers(n, seed) for sr in synth.publisher_reports(p, years, seed, cache)]


def _values(sr: synth.SynthReport) -> dict[tuple[str, str], Decimal]:
    out: dict[tuple[str, str], Decimal] = {}
    for f in sr.extracted.figures:
        assert f.metric is not None and f.value is not None, f
        key = (f.metric, dims_key(f.dims))
        assert key not in out, key
        out[key] = f.value
    return out


# --------------------------------------------------------------------------- publishers


def test_publishers_are_realistic() -> None:
    pubs = synth.make_publishers(400, 0)
    assert pubs == synth.make_publishers(400, 0)  # deterministic
    assert [p.name for p in pubs] != [p.name for p in synth.make_publishers(400, 1)]
    assert len(pubs) == 400
    assert len({p.id for p in pubs}) == len({p.name for p in pubs}) == 400
    levels = {lv: sum(1 for p in pubs if p.level == lv) for lv in ("province", "city", "county", "township",
                                                                  "department")}
    assert levels["province"] == 4 and levels["city"] == 40 and levels["county"] == 200
    assert levels["township"] == 8 and levels["department"] == 148
    by_id = {p.id: p for p in pubs}
    for p in pubs:
        assert p.id == synth.publisher_id(p.name)
        assert resolve_publisher(p.name).level == p.level, p.name  # names follow the suffix rules
        assert p.province and p.province in {name for name, _ in synth.PROVINCES}
        if p.level == "province":
            assert p.parent_id is None and p.region_code and p.region_code.endswith("0000")
            continue
        parent = by_id[p.parent_id or ""]
        assert parent.level in LEVEL_RANK and parent.province == p.province
        prefix = parent.name.removesuffix("人民政府")
        if prefix.endswith("区"):  # 晋谷市金峰区人民政府's departments print 金峰区…
            prefix = prefix.split("市", 1)[-1]
        if p.level in ("department", "township"):
            assert p.name.startswith(prefix), (p.name, parent.name)
        if p.level != "department":
            assert LEVEL_RANK[parent.level] < LEVEL_RANK[p.level]
        if p.level == "county":
            assert p.region_code and parent.region_code and p.region_code[:4] == parent.region_code[:4]
        if p.former_name is not None:
            assert p.renamed_in and p.printed_name(p.renamed_in - 1) == p.former_name
            assert p.printed_name(p.renamed_in) == p.name


# --------------------------------------------------------------------------- the tables' own rules


def test_standard_tables_obey_the_format() -> None:
    reports = _reports(30, 1, (2016, 2025))
    by_pub: dict[str, dict[int, dict[tuple[str, str], Decimal]]] = {}
    formats = set()
    for sr in reports:
        fmt = sr.extracted.format
        formats.add(fmt)
        if fmt == "narrative":
            continue
        v = _values(sr)
        by_pub.setdefault(sr.publisher.id, {})[sr.year] = v
        assert len(v) == (200 if fmt == "standard-2021" else 198)  # every cell of 表二/表三/表四
        rows = {m for m, _ in v if m.startswith("applications.")}
        six = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org")

        def cell(m: str, a: str, v: dict[tuple[str, str], Decimal] = v) -> Decimal:
            extra = ";channel=total" if m == "applications.received" else ""
            return v[(m, f"applicant={a}{extra}")]

        for m in rows:  # row sums
            assert cell(m, "total") == sum(cell(m, a) for a in six), m
        outcomes = [m for m in rows if m.startswith("applications.outcome.") and m != "applications.outcome.total"]
        assert len(outcomes) == (21 if fmt == "standard-2021" else 19)
        for a in (*six, "total"):
            assert cell("applications.received", a) + cell("applications.carried_over", a) == \
                cell("applications.outcome.total", a) + cell("applications.carried_forward", a)
            assert cell("applications.outcome.total", a) == sum(cell(m, a) for m in outcomes)
        for prefix, route in (("review", ""), ("litigation", "route=direct"), ("litigation", "route=after_review")):
            parts = [v[(f"{prefix}.{o}", route)] for o in ("upheld", "corrected", "other", "pending")]
            assert v[(f"{prefix}.total", route)] == sum(parts)
        assert all(x >= 0 for (m, _), x in v.items() if not m.endswith("items_change"))
        if fmt == "standard-2019":
            for noun in ("rules", "normative_docs"):
                assert v[(f"proactive.{noun}.published_total", "")] >= v[(f"proactive.{noun}.published", "")]
        # the checks the extractor records all pass
        assert {c.result for c in sr.extracted.checks} == {"pass"}
    assert formats == {"narrative", "standard-2019", "standard-2021"}
    carried = stock = items = 0
    for years in by_pub.values():
        for y, v in years.items():
            prev = years.get(y - 1)
            if prev is None:
                continue
            for a in ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"):
                assert v[("applications.carried_over", f"applicant={a}")] == \
                    prev[("applications.carried_forward", f"applicant={a}")]
                carried += 1
            for noun in ("rules", "normative_docs"):
                if (f"proactive.{noun}.in_force", "") in prev and (f"proactive.{noun}.in_force", "") in v:
                    assert prev[(f"proactive.{noun}.in_force", "")] + v[(f"proactive.{noun}.made", "")] - \
                        v[(f"proactive.{noun}.repealed", "")] == v[(f"proactive.{noun}.in_force", "")]
                    stock += 1
            if ("proactive.penalties.items", "") in prev and ("proactive.penalties.items", "") in v:
                assert prev[("proactive.penalties.items", "")] + prev[("proactive.penalties.items_change", "")] == \
                    v[("proactive.penalties.items", "")]
                items += 1
    assert carried and stock and items


def test_narrative_tables_obey_their_rules() -> None:
    reports = [sr for sr in _reports(20, 2, (2014, 2018))]
    assert {sr.extracted.format for sr in reports} == {"narrative"}
    last: dict[tuple[str, str], Decimal] = {}
    for sr in reports:
        v = _values(sr)
        assert len(v) == 2 * len(synth._NARRATIVE_ROWS)
        for (m, key), x in v.items():
            if "period=cumulative" in key:
                assert x >= v[(m, ";".join(p for p in key.split(";") if p != "period=cumulative"))]
                seen = last.get((sr.publisher.id + m, key))
                assert seen is None or x >= seen  # a running total never falls
                last[(sr.publisher.id + m, key)] = x
        for period in ({}, {"period": "cumulative"}):
            def at(m: str, v: dict[tuple[str, str], Decimal] = v, period: dict[str, str] = period,
                   **dims: str) -> Decimal:
                return v[(m, dims_key({**dims, **period}))]

            ch = [at("applications.received", applicant="total", channel=c)
                  for c in ("in_person", "online", "letter", "fax", "email")]
            assert sum(ch) == at("applications.received", applicant="total", channel="total")
            answers = [at(f"applications.outcome.{o}", applicant="total") for o in ("granted", "partial", "denied",
                                                                                     "other")]
            assert sum(answers) == at("applications.outcome.total", applicant="total")
        results = {c.rule.split(":")[0]: c.result for c in sr.extracted.checks}
        assert results.pop("balance", "inconclusive") in ("pass", "inconclusive")
        assert set(results.values()) == {"pass"}


def test_cross_year_checks_find_nothing_wrong() -> None:
    from datetime import UTC, datetime

    from db.engine import make_engine

    rows = synth.RowBuilder(make_engine("sqlite://"), datetime.now(UTC))
    batch = synth.Batch()
    for sr in _reports(12, 4, (2016, 2025)):
        rows.add(batch, sr)
    cross = [r for r in batch.checks if r[5].startswith("crossyear:")]
    assert cross and not [r for r in cross if r[6] == "fail"]
    assert {r[5].split(":")[1].split("[")[0] for r in cross} >= {"carry_over", "in_force", "cumulative", "jump"}


# --------------------------------------------------------------------------- same as the real pipeline


def test_reports_equal_what_the_extraction_pipeline_reads() -> None:
    reports = _reports(6, 5, (2017, 2022))
    picked = [sr for i, sr in enumerate(reports) if i % 4 == 0]
    assert {sr.extracted.format for sr in picked} >= {"narrative", "standard-2019", "standard-2021"}
    for sr in picked:
        ours = sr.extracted
        meta = ours.meta
        real = extract_report(ours.text, ReportMeta(title=meta.title, publisher=meta.publisher, year=meta.year,
                                                    published=meta.published), media_type=ours.media_type)
        assert real.format == ours.format
        assert real.meta == ours.meta
        assert real.sections == ours.sections
        assert real.figures == ours.figures
        assert real.statements == ours.statements == []
        assert real.checks == ours.checks


def test_bulk_rows_equal_the_loaders_rows(fresh_db: Engine, other_fresh_db: Engine,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulk path vs ``ingest_extracted`` report by report (with its cross-year refresh): every row identical."""
    import ingest.metadata as metadata
    from db.loader import ingest_extracted

    n, seed = 7, 3
    result = synth.synthesize(fresh_db, n, YEARS, seed=seed, progress=None)
    pubs = synth.make_publishers(n, seed)
    by_id = {p.id: p for p in pubs}
    registry = dict(metadata.registry())
    for p in pubs:  # the synthetic publishers as the registry would know them (aliases, parent, codes)
        info = metadata.PublisherInfo(p.name, (p.former_name,) if p.former_name else (), p.level, p.province,
                                      p.region_code, by_id[p.parent_id].name if p.parent_id else None)
        for name in (p.name, *info.aliases):
            registry[name] = info
    monkeypatch.setattr(metadata, "registry", lambda: registry)
    cache = synth.SectionCache()
    loaded = 0
    for p in pubs:
        for sr in synth.publisher_reports(p, YEARS, seed, cache):
            ingest_extracted(other_fresh_db, sr.extracted, sha256=sr.sha256, source_path=f"synth:{p.index}")
            loaded += 1
    assert result.reports == loaded and result.observations > 40 * loaded
    keys = {"publisher": "id", "publisher_name": "publisher_id, name", "report": "id", "section": "id",
            "observation": "id", "check_result": "id", "statement": "id",
            "series_point": "publisher_id, metric, dims_key, year"}
    for table, key in keys.items():
        cols = "*" if table != "report" else ", ".join(f'"{c}"' for c in synth.REPORT_COLUMNS if c != "ingested_at")
        sql = f"SELECT {cols} FROM {table} ORDER BY {key}"
        with fresh_db.connect() as a, other_fresh_db.connect() as b:
            ours, theirs = a.exec_driver_sql(sql).all(), b.exec_driver_sql(sql).all()
            null = "SELECT COUNT(*) FROM observation WHERE candidates IS NULL"
            assert a.exec_driver_sql(null).scalar() == b.exec_driver_sql(null).scalar()
        assert ours or table == "statement", table  # synthetic reports print no comparisons
        assert ours == theirs, table


def test_loads_counts_ids_and_reruns(fresh_db: Engine) -> None:
    from db.bundled import load_bundled
    from db.loader import data_version

    load_bundled(fresh_db, ["pingtan-zone-2019"])  # a real report must survive synthetic reruns
    first = synth.synthesize(fresh_db, 6, (2018, 2021), seed=2, progress=None)
    with fresh_db.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t} WHERE report_id IN (SELECT id FROM report WHERE "
                                       "source_path LIKE 'synth:%')")).scalar_one()
                  for t in ("observation", "check_result", "section", "series_point")}
        assert counts == {"observation": first.observations, "check_result": first.checks,
                          "section": first.sections, "series_point": first.points}
        assert first.points > 0
        ids = {r[0] for r in conn.execute(text("SELECT id FROM observation WHERE id NOT LIKE :r"),
                                         {"r": "r-1d7523288a66%"})}
        version = data_version(conn)
        info = synth.synth_info(conn)
        assert info is not None and info["observations"] == first.observations and info["publishers"] == 6
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    again = synth.synthesize(fresh_db, 6, (2018, 2021), seed=2, progress=None)
    assert again.replaced == first.reports and again.observations == first.observations
    with fresh_db.connect() as conn:
        assert {r[0] for r in conn.execute(text("SELECT id FROM observation WHERE id NOT LIKE :r"),
                                           {"r": "r-1d7523288a66%"})} == ids  # stable ids
        assert int(data_version(conn)) == int(version) + 1  # one bump per load
        # indexes are back after the bulk path dropped them
        names = {n for n, _ in synth._secondary_indexes(conn, "observation")}
        assert {"ix_obs_metric_year_dims_pub", "ix_obs_publisher_metric", "ix_obs_report"} <= names
    smaller = synth.synthesize(fresh_db, 3, (2020, 2020), seed=9, progress=None)
    with fresh_db.connect() as conn:
        synth_reports = conn.execute(text("SELECT COUNT(*) FROM report WHERE source_path LIKE 'synth:%'")).scalar_one()
        assert synth_reports == smaller.reports
        pubs = {r[0] for r in conn.execute(text("SELECT id FROM publisher"))}
        expected, _ = synth.publisher_rows(synth.make_publishers(3, 9), (2020, 2020), 9)
        assert {r[0] for r in expected} <= pubs
        leftover = {p.id for p in synth.make_publishers(6, 2)} - {r[0] for r in expected}
        assert not leftover & pubs  # the previous run's publishers are gone
        assert conn.execute(text("SELECT COUNT(*) FROM report WHERE id = 'r-1d7523288a66'")).scalar_one() == 1
        # the real report's series points survive the synthetic reruns; the replaced runs' points are gone
        assert conn.execute(text("SELECT COUNT(*) FROM series_point WHERE report_id = 'r-1d7523288a66'")
                            ).scalar_one() > 0
        assert conn.execute(text("SELECT COUNT(*) FROM series_point WHERE report_id IN (SELECT id FROM report "
                                 "WHERE source_path LIKE 'synth:%')")).scalar_one() == smaller.points
        assert conn.execute(text("SELECT COUNT(*) FROM series_point WHERE report_id NOT IN (SELECT id FROM report)")
                            ).scalar_one() == 0


def test_cli_synth(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    import orjson

    from api.cli import main

    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    assert main(["synth", "--publishers", "3", "--years", "2020:2021", "--database-url", url, "--quiet"]) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert out["publishers"] == 3 and out["years"] == [2020, 2021] and out["observations"] > 0
    with pytest.raises(SystemExit):
        main(["synth", "--years", "2021:2019", "--database-url", url])
