"""Writing extracted reports and the dictionary, each ingest in one transaction.

A report's ID is derived from its publisher and year, so re-ingesting the same
file changes nothing, a corrected version of a report replaces the old one
atomically, and two processes ingesting the same report at once end with one
copy (the loser sees the winner's row and stops).  Everything derived from a
report is rewritten in the same transaction: its ``series_point`` rows (what
deltas and rankings read), then the cross-year checks and statement
verifications it touches.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, event, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from db.crossyear import delete_points, refresh_crossyear, refresh_points
from db.models import (
    DIM_COLUMNS,
    Category,
    Check,
    DimensionMember,
    Meta,
    Metric,
    Observation,
    Publisher,
    PublisherName,
    Report,
    Section,
    Statement,
    dims_key,
)
from ingest.dictionary import load_dictionary
from ingest.metadata import PublisherInfo, resolve_publisher
from ingest.model import ExtractedReport
from ingest.model import Section as ExtractedSection
from ingest.sections import section_at


def stable_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}{digest[:12]}"


def publisher_id(name: str) -> str:
    return stable_id("p-", name)


def report_id(pub_id: str, year: int) -> str:
    return stable_id("r-", pub_id, year)


@dataclass
class IngestResult:
    report_id: str
    status: str  # created | replaced | unchanged
    observations: int
    checks: dict[str, int] = field(default_factory=dict)
    statements: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"report_id": self.report_id, "status": self.status, "observations": self.observations,
                "statements": self.statements, "checks": self.checks}


def seed_dictionary(conn: Connection) -> None:
    """Load the dictionary files into their tables (replacing what was there)."""
    d = load_dictionary()
    for table in (Metric, DimensionMember, Category):
        conn.execute(delete(table))
    conn.execute(insert(Category), [
        {"code": c.code, "label_zh": c.label_zh, "label_en": c.label_en, "description": c.description,
         "sort": c.sort} for c in d.categories.values()])
    conn.execute(insert(Metric), [
        {"code": m.code, "category": m.category, "label_zh": m.label_zh, "label_en": m.label_en,
         "description": m.description, "unit": m.unit, "dims": " ".join(m.dims), "formats": " ".join(m.formats),
         "template_ref": m.template_ref, "sort": i} for i, m in enumerate(d.metrics.values())])
    conn.execute(insert(DimensionMember), [
        {"dimension": m.dimension, "member": m.member, "label_zh": m.label_zh, "label_en": m.label_en, "sort": i}
        for i, m in enumerate(d.dimensions)])


def ensure_dictionary(engine: Engine) -> None:
    with engine.begin() as conn:
        seed_dictionary(conn)
        _bump_version(conn)


def _bump_version(conn: Connection) -> None:
    conn.info["bumped_data_version"] = True  # the cached version is forgotten when this commits
    updated = conn.execute(
        update(Meta).where(col(Meta.key) == "data_version")
        .values(value=text("CAST(CAST(value AS INTEGER) + 1 AS VARCHAR(32))"))
    )
    if updated.rowcount == 0:
        conn.execute(insert(Meta).values(key="data_version", value="1"))


def data_version(conn: Connection) -> str:
    row = conn.execute(select(col(Meta.value)).where(col(Meta.key) == "data_version")).first()
    return row[0] if row else "0"


# --- data_version, read at most once per DATA_VERSION_TTL seconds per engine ---------------------
#
# The APIs read the version on every request (ETags, the dictionary cache).  A
# write in this process forgets the cached value when it commits, so this
# process always sees its own writes at once; another process's write (a CLI
# ingest, a second API worker) is seen within the TTL.  GONGKAI_DATA_VERSION_TTL
# sets it (0: read on every request).

DATA_VERSION_TTL = float(os.environ.get("GONGKAI_DATA_VERSION_TTL", "0.5"))
_version_cache: dict[Engine, tuple[float, str]] = {}
_version_lock = threading.Lock()


def fresh_data_version(engine: Engine) -> str | None:
    """The cached version of this engine's database if read less than the TTL ago, else None (no I/O)."""
    hit = _version_cache.get(engine)
    if hit is not None and time.monotonic() - hit[0] < DATA_VERSION_TTL:
        return hit[1]
    return None


def cached_data_version(conn: Connection) -> str:
    """``data_version``, from the per-process cache when fresh (see DATA_VERSION_TTL)."""
    engine = conn.engine
    version = fresh_data_version(engine)
    if version is not None:
        return version
    read_at = time.monotonic()
    version = data_version(conn)
    with _version_lock:
        if len(_version_cache) > 32:
            _version_cache.clear()
        _version_cache[engine] = (read_at, version)
    return version


def forget_data_version() -> None:
    with _version_lock:
        _version_cache.clear()


@event.listens_for(Engine, "commit")
def _forget_on_commit(conn: Connection) -> None:
    if conn.info.pop("bumped_data_version", False):
        forget_data_version()


@event.listens_for(Engine, "rollback")
def _forget_on_rollback(conn: Connection) -> None:
    conn.info.pop("bumped_data_version", None)


def _ensure_publisher(conn: Connection, printed: str, year: int) -> str:
    pid = _ensure_publisher_chain(conn, resolve_publisher(printed))
    row = conn.execute(select(PublisherName).where(
        col(PublisherName.publisher_id) == pid, col(PublisherName.name) == printed)).first()
    if row is None:
        conn.execute(insert(PublisherName).values(publisher_id=pid, name=printed, first_year=year, last_year=year))
    else:
        conn.execute(update(PublisherName).where(
            col(PublisherName.publisher_id) == pid, col(PublisherName.name) == printed
        ).values(first_year=min(row.first_year, year), last_year=max(row.last_year, year)))
    return pid


def _ensure_publisher_chain(conn: Connection, info: PublisherInfo, depth: int = 0) -> str:
    """The publisher and its ancestors, so the tree does not depend on which report came first."""
    parent_id = None
    if info.parent and depth < 8:  # the registry is small; the bound only guards against a cycle in it
        parent_id = _ensure_publisher_chain(conn, resolve_publisher(info.parent), depth + 1)
    return _ensure_publisher_row(conn, info, parent_id)


def _ensure_publisher_row(conn: Connection, info: PublisherInfo, parent_id: str | None = None) -> str:
    pid = publisher_id(info.name)
    if conn.execute(select(col(Publisher.id)).where(col(Publisher.id) == pid)).first() is None:
        conn.execute(insert(Publisher).values(
            id=pid, name=info.name, level=info.level, province=info.province, region_code=info.region_code,
            parent_id=parent_id))
    return pid


def _section_rows(rid: str, sections: list[ExtractedSection]) -> tuple[list[dict[str, Any]], dict[int, str]]:
    rows: list[dict[str, Any]] = []
    ids: dict[int, str] = {}

    def walk(nodes: list[ExtractedSection], parent: str | None, depth: int) -> None:
        for node in nodes:
            sid = f"{rid}-s{len(rows):03d}"
            ids[id(node)] = sid
            rows.append({"id": sid, "report_id": rid, "parent_id": parent, "ordinal": len(rows), "depth": depth,
                         "number": node.number, "inferred_number": node.inferred_number, "title": node.title,
                         "start": node.start, "end": node.end})
            walk(node.children, sid, depth + 1)

    walk(sections, None, 0)
    return rows, ids


def ingest_extracted(engine: Engine, rep: ExtractedReport, *, sha256: str, source_path: str | None = None,
                     source_url: str | None = None) -> IngestResult:
    """Write one extracted report in a single transaction (retrying once on a race)."""
    try:
        return _ingest(engine, rep, sha256=sha256, source_path=source_path, source_url=source_url)
    except IntegrityError:
        # Another process inserted the same report (or publisher) first.
        return _ingest(engine, rep, sha256=sha256, source_path=source_path, source_url=source_url)


def _ingest(engine: Engine, rep: ExtractedReport, *, sha256: str, source_path: str | None,
            source_url: str | None) -> IngestResult:
    meta = rep.meta
    assert meta.publisher and meta.year
    year = meta.year
    with engine.begin() as conn:
        pid = _ensure_publisher(conn, meta.publisher, year)
        rid = report_id(pid, year)
        existing = conn.execute(select(col(Report.sha256)).where(col(Report.id) == rid)).first()
        if existing is not None and existing[0] == sha256:
            return _summary(conn, rid, "unchanged")
        status = "created"
        if existing is not None:
            status = "replaced"
            delete_points(conn, pid, rid)
            for table in (Observation, Statement, Check, Section):
                conn.execute(delete(table).where(col(table.report_id) == rid))  # type: ignore[attr-defined]
            conn.execute(delete(Report).where(col(Report.id) == rid))
        conn.execute(insert(Report).values(
            id=rid, publisher_id=pid, year=year, format=rep.format, title=meta.title or "",
            printed_publisher=meta.publisher, source_path=source_path, source_url=source_url or meta.source_url,
            sha256=sha256, published=meta.published, index_number=meta.index_number, media_type=rep.media_type,
            text=rep.text, ingested_at=datetime.now(UTC)))
        sec_rows, sec_ids = _section_rows(rid, rep.sections)
        if sec_rows:
            conn.execute(insert(Section), sec_rows)

        def sec_of(pos: int) -> str | None:
            node = section_at(rep.sections, pos)
            return sec_ids.get(id(node)) if node is not None else None

        obs_rows = []
        for i, f in enumerate(rep.figures):
            row: dict[str, Any] = {
                "id": f"{rid}-o{i:04d}", "report_id": rid, "publisher_id": pid, "year": f.year or year,
                "report_year": year, "ordinal": i, "metric": f.metric, "dims_key": dims_key(f.dims),
                "value": f.value, "unit": f.unit, "qualifier": f.qualifier, "status": f.status,
                "candidates": [str(c) for c in f.candidates] if f.candidates else None, "label": f.label,
                "note": f.note, "section_id": sec_of(f.start), "quote": f.quote, "start": f.start, "end": f.end,
            }
            for dim in DIM_COLUMNS:
                row[dim] = f.dims.get(dim)
            obs_rows.append(row)
        if obs_rows:
            conn.execute(insert(Observation), obs_rows)
        st_rows = [{
            "id": f"{rid}-t{i:03d}", "report_id": rid, "publisher_id": pid, "year": year, "ordinal": i,
            "metric": s.metric, "dims_key": dims_key(s.dims), "base_year": s.base_year, "direction": s.direction,
            "delta": s.delta, "delta_unit": s.delta_unit, "qualifier": s.qualifier, "section_id": sec_of(s.start),
            "quote": s.quote, "start": s.start, "end": s.end} for i, s in enumerate(rep.statements)]
        if st_rows:
            conn.execute(insert(Statement), st_rows)
        ck_rows = [{
            "id": f"{rid}-c{i:03d}", "report_id": rid, "publisher_id": pid, "year": year, "ordinal": i,
            "rule": c.rule, "result": c.result, "notable": c.notable,
            "left_value": c.left.value, "left_source": c.left.source, "left_start": c.left.start,
            "left_end": c.left.end, "right_value": c.right.value, "right_source": c.right.source,
            "right_start": c.right.start, "right_end": c.right.end, "detail": c.detail}
            for i, c in enumerate(rep.checks)]
        if ck_rows:
            conn.execute(insert(Check), ck_rows)
        # the report's series points first: they are what deltas read, and they depend on this report alone
        refresh_points(conn, pid, rid)
        refresh_crossyear(conn, pid, year)  # checks and statement verifications across years (db.crossyear)
        _bump_version(conn)
        return _summary(conn, rid, status)


def _summary(conn: Connection, rid: str, status: str) -> IngestResult:
    n_obs = conn.execute(text("SELECT COUNT(*) FROM observation WHERE report_id = :r"), {"r": rid}).scalar_one()
    n_st = conn.execute(text("SELECT COUNT(*) FROM statement WHERE report_id = :r"), {"r": rid}).scalar_one()
    checks: dict[str, int] = dict(conn.execute(text(
        "SELECT result, COUNT(*) FROM check_result WHERE report_id = :r GROUP BY result"), {"r": rid}).all())
    return IngestResult(rid, status, int(n_obs), {k: int(v) for k, v in checks.items()}, int(n_st))
