"""The query layer: every read the APIs make, as plain dicts.

GraphQL resolvers and REST handlers both call these functions and never build
SQL themselves, so the two APIs cannot drift apart.  Lists use keyset
pagination on stable keys (an opaque cursor encodes the last key seen), which
stays correct while reports are being added.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.engine import Connection

from db.models import Category, Check, DimensionMember, Metric, Observation, Publisher, Report, Section, Statement

MAX_LIMIT = 1000


class QueryError(ValueError):
    """A request the query layer cannot answer as asked (bad cursor, bad filter)."""

    def __init__(self, message: str, code: str = "bad_request") -> None:
        super().__init__(message)
        self.code = code


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = orjson.loads(raw)
    except Exception as exc:
        raise QueryError(f"malformed cursor {cursor[:40]!r}", "invalid_cursor") from exc
    if not isinstance(key, list):
        raise QueryError(f"malformed cursor {cursor[:40]!r}", "invalid_cursor")
    return key


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def _num(v: Decimal | None) -> int | float | str | None:
    """JSON value for an exact decimal: int when integral, else a float-safe number."""
    if v is None:
        return None
    if v == v.to_integral_value():
        return int(v)
    return float(v.normalize())


def _keyset(stmt: Select[Any], cols: list[Any], after: str | None) -> Select[Any]:
    if not after:
        return stmt
    key = decode_cursor(after)
    if len(key) != len(cols):
        raise QueryError("cursor does not belong to this list", "invalid_cursor")
    # (a, b, c) > (ka, kb, kc) written portably
    conds = []
    for i in range(len(cols)):
        eqs = [cols[j] == key[j] for j in range(i)]
        conds.append(and_(*eqs, cols[i] > key[i]))
    return stmt.where(or_(*conds))


def _page(conn: Connection, stmt: Select[Any], cols: list[Any], limit: int, after: str | None,
          to_dict: Any) -> Page:
    if limit < 1 or limit > MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}", "limit_out_of_range")
    stmt = _keyset(stmt, cols, after).order_by(*cols).limit(limit + 1)
    rows = conn.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [to_dict(r) for r in rows]
    nxt = encode_cursor([getattr(rows[-1], c.key) for c in cols]) if more and rows else None
    return Page(items, nxt)


# --- reports ---------------------------------------------------------------

REPORT_COLS = [Report.id, Report.publisher_id, Report.year, Report.format, Report.title, Report.printed_publisher,
               Report.source_path, Report.source_url, Report.sha256, Report.published, Report.index_number,
               Report.media_type, Publisher.name.label("publisher_name"), Publisher.level]  # type: ignore[attr-defined]


def _report_dict(r: Any) -> dict[str, Any]:
    return {
        "id": r.id, "year": r.year, "format": r.format, "title": r.title,
        "publisher": {"id": r.publisher_id, "name": r.publisher_name, "level": r.level},
        "printed_publisher": r.printed_publisher,
        "source": {"path": r.source_path, "url": r.source_url, "sha256": r.sha256, "published": r.published,
                   "index_number": r.index_number, "media_type": r.media_type},
    }


def list_reports(conn: Connection, *, publisher: str | None = None, year: int | None = None,
                 year_range: tuple[int, int] | None = None, fmt: str | None = None, limit: int = 100,
                 after: str | None = None) -> Page:
    stmt = select(*REPORT_COLS).join(Publisher, Publisher.id == Report.publisher_id)  # type: ignore[arg-type]
    if publisher:
        stmt = stmt.where(Report.publisher_id == publisher)  # type: ignore[arg-type]
    if year is not None:
        stmt = stmt.where(Report.year == year)  # type: ignore[arg-type]
    if year_range:
        stmt = stmt.where(Report.year.between(*year_range))  # type: ignore[attr-defined]
    if fmt:
        stmt = stmt.where(Report.format == fmt)  # type: ignore[arg-type]
    return _page(conn, stmt, [Report.year, Report.id], limit, after, _report_dict)  # type: ignore[list-item]


def get_report(conn: Connection, report_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(*REPORT_COLS).join(Publisher, Publisher.id == Report.publisher_id)  # type: ignore[arg-type]
                       .where(Report.id == report_id)).first()  # type: ignore[arg-type]
    return _report_dict(row) if row else None


def report_text(conn: Connection, report_id: str) -> str | None:
    return conn.execute(select(Report.text).where(Report.id == report_id)).scalar()  # type: ignore[arg-type]


# --- sections --------------------------------------------------------------

def report_sections(conn: Connection, report_id: str, *, with_text: bool = True) -> list[dict[str, Any]]:
    """The section tree of one report (roots with nested children)."""
    text = report_text(conn, report_id) if with_text else None
    rows = conn.execute(select(Section).where(Section.report_id == report_id)  # type: ignore[arg-type]
                        .order_by(Section.ordinal)).all()  # type: ignore[arg-type]
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for s in rows:
        node: dict[str, Any] = {"id": s.id, "number": s.number, "inferred_number": s.inferred_number,
                                "title": s.title, "depth": s.depth, "start": s.start, "end": s.end,
                                "children": []}
        if text is not None:
            node["text"] = text[s.start:s.end]
        nodes[s.id] = node
        (nodes[s.parent_id]["children"] if s.parent_id else roots).append(node)
    return roots


# --- observations ----------------------------------------------------------

def _observation_dict(o: Any, section_titles: dict[str, str] | None = None) -> dict[str, Any]:
    dims = {k: v for k, v in (p.split("=", 1) for p in o.dims_key.split(";") if p)}
    return {
        "id": o.id, "report_id": o.report_id, "publisher_id": o.publisher_id, "year": o.year,
        "metric": o.metric, "dims": dims, "value": _num(o.value), "unit": o.unit, "qualifier": o.qualifier,
        "status": o.status, "candidates": [_num(Decimal(c)) for c in o.candidates] if o.candidates else None,
        "label": o.label, "note": o.note,
        "provenance": {"section": o.section_id, "section_title": (section_titles or {}).get(o.section_id or ""),
                       "quote": o.quote, "start": o.start, "end": o.end},
    }


def report_observations(conn: Connection, report_id: str, *, include_uncoded: bool = True) -> list[dict[str, Any]]:
    stmt = select(Observation).where(Observation.report_id == report_id)  # type: ignore[arg-type]
    if not include_uncoded:
        stmt = stmt.where(Observation.metric.is_not(None))  # type: ignore[union-attr]
    rows = conn.execute(stmt.order_by(Observation.ordinal)).all()  # type: ignore[arg-type]
    titles = dict(conn.execute(select(Section.id, Section.title)  # type: ignore[call-overload]
                               .where(Section.report_id == report_id)).all())
    return [_observation_dict(o, titles) for o in rows]


def list_observations(conn: Connection, *, metrics: list[str] | None = None, publisher: str | None = None,
                      year: int | None = None, year_range: tuple[int, int] | None = None,
                      dims: dict[str, str] | None = None, status: str | None = None, limit: int = 100,
                      after: str | None = None) -> Page:
    """Observations across reports: totals by default, a breakdown when a dimension is asked for."""
    stmt = select(Observation).where(Observation.metric.is_not(None))  # type: ignore[union-attr]
    if metrics:
        stmt = stmt.where(Observation.metric.in_(metrics))  # type: ignore[union-attr]
    if publisher:
        stmt = stmt.where(Observation.publisher_id == publisher)  # type: ignore[arg-type]
    if year is not None:
        stmt = stmt.where(Observation.year == year)  # type: ignore[arg-type]
    if year_range:
        stmt = stmt.where(Observation.year.between(*year_range))  # type: ignore[attr-defined]
    if status:
        stmt = stmt.where(Observation.status == status)  # type: ignore[arg-type]
    asked = dims or {}
    for col in ("applicant", "channel", "route", "employment"):
        column = getattr(Observation, col)
        if col in asked:
            stmt = stmt.where(column == asked[col])
        else:
            stmt = stmt.where(or_(column.is_(None), column == "total"))
    stmt = stmt.where(Observation.subunit.is_(None) if "subunit" not in asked  # type: ignore[union-attr]
                      else Observation.subunit == asked["subunit"])  # type: ignore[arg-type]
    stmt = stmt.where(Observation.period.is_(None) if "period" not in asked  # type: ignore[union-attr]
                      else Observation.period == asked["period"])  # type: ignore[arg-type]
    return _page(conn, stmt, [Observation.id], limit, after, _observation_dict)  # type: ignore[list-item]


# --- statements and checks --------------------------------------------------

def _statement_dict(s: Any) -> dict[str, Any]:
    dims = {k: v for k, v in (p.split("=", 1) for p in s.dims_key.split(";") if p)}
    return {"id": s.id, "report_id": s.report_id, "year": s.year, "metric": s.metric, "dims": dims,
            "base_year": s.base_year, "direction": s.direction, "delta": _num(s.delta), "delta_unit": s.delta_unit,
            "qualifier": s.qualifier, "provenance": {"section": s.section_id, "quote": s.quote, "start": s.start,
                                                     "end": s.end}}


def report_statements(conn: Connection, report_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(Statement).where(Statement.report_id == report_id)  # type: ignore[arg-type]
                        .order_by(Statement.ordinal)).all()  # type: ignore[arg-type]
    return [_statement_dict(s) for s in rows]


def _check_dict(c: Any) -> dict[str, Any]:
    return {"id": c.id, "report_id": c.report_id, "publisher_id": c.publisher_id, "year": c.year, "rule": c.rule,
            "result": c.result, "notable": c.notable, "detail": c.detail,
            "left": {"value": _num(c.left_value), "source": c.left_source, "start": c.left_start,
                     "end": c.left_end},
            "right": {"value": _num(c.right_value), "source": c.right_source, "start": c.right_start,
                      "end": c.right_end}}


def report_checks(conn: Connection, report_id: str, result: str | None = None) -> list[dict[str, Any]]:
    stmt = select(Check).where(Check.report_id == report_id)  # type: ignore[arg-type]
    if result:
        stmt = stmt.where(Check.result == result)  # type: ignore[arg-type]
    rows = conn.execute(stmt.order_by(Check.ordinal)).all()  # type: ignore[arg-type]
    return [_check_dict(c) for c in rows]


def list_checks(conn: Connection, *, result: str | None = None, rule: str | None = None,
                publisher: str | None = None, year: int | None = None, limit: int = 100,
                after: str | None = None) -> Page:
    stmt = select(Check)
    if result:
        stmt = stmt.where(Check.result == result)  # type: ignore[arg-type]
    if rule:
        stmt = stmt.where(Check.rule.startswith(rule))  # type: ignore[attr-defined]
    if publisher:
        stmt = stmt.where(Check.publisher_id == publisher)  # type: ignore[arg-type]
    if year is not None:
        stmt = stmt.where(Check.year == year)  # type: ignore[arg-type]
    return _page(conn, stmt, [Check.id], limit, after, _check_dict)  # type: ignore[list-item]


# --- dictionary ------------------------------------------------------------

def _metric_dict(m: Any) -> dict[str, Any]:
    return {"code": m.code, "category": m.category, "label_zh": m.label_zh, "label_en": m.label_en,
            "description": m.description, "unit": m.unit, "dims": m.dims.split(), "formats": m.formats.split(),
            "template_ref": m.template_ref or None}


def list_metrics(conn: Connection, category: str | None = None) -> list[dict[str, Any]]:
    stmt = select(Metric).order_by(Metric.sort)  # type: ignore[arg-type]
    if category:
        stmt = stmt.where(Metric.category == category)  # type: ignore[arg-type]
    return [_metric_dict(m) for m in conn.execute(stmt).all()]


def get_metric(conn: Connection, code: str) -> dict[str, Any] | None:
    m = conn.execute(select(Metric).where(Metric.code == code)).first()  # type: ignore[arg-type]
    return _metric_dict(m) if m else None


def list_categories(conn: Connection) -> list[dict[str, Any]]:
    cats = conn.execute(select(Category).order_by(Category.sort)).all()  # type: ignore[arg-type]
    metrics = list_metrics(conn)
    return [{"code": c.code, "label_zh": c.label_zh, "label_en": c.label_en, "description": c.description,
             "metrics": [m for m in metrics if m["category"] == c.code]} for c in cats]


def list_dimensions(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(DimensionMember).order_by(DimensionMember.sort)).all()  # type: ignore[arg-type]
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        d = out.setdefault(r.dimension, {"name": r.dimension, "members": []})
        d["members"].append({"code": r.member, "label_zh": r.label_zh, "label_en": r.label_en})
    return list(out.values())
