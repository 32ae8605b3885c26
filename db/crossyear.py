"""Cross-year checks and statement verification, written in the ingest transaction.

A report is checked against itself by the extractors; what only shows up
*between* reports is checked here, each time a report is ingested, for the
ingested report **and** its neighbour (the publisher's next report, whose
comparison with the year before may just have changed):

- ``crossyear:carry_over[<applicant>]`` — last year's 结转下年度继续办理 equals
  this year's 上年结转, per applicant column (consecutive years only: the
  identity says nothing across a gap);
- ``crossyear:in_force:<metric>`` — last year's 现行有效件数 + this year's
  本年制发 − 本年废止 equals this year's 现行有效件数 (consecutive years only);
- ``crossyear:cumulative:<metric>[<dims>]`` — a 统计表 累计 (running total)
  never decreases from one report to the next;
- ``crossyear:jump:<metric>[<dims>]`` — a value ×5 or ÷5 the previous report's
  (and at least ``JUMP_FLOOR``) is ``notable``, not an error: result ``pass``.
  Across a definition change (``data/dictionary/definition_changes.csv``) the
  comparison is ``not_applicable``.

Each check row belongs to the *later* report of the pair (its ``year``).  The
side taken from the earlier report names that report and its offsets in its
``source`` and leaves ``start``/``end`` empty, because a check's offsets point
into its own report's text.

Statements ("比2016年增加34.3万元") are verified against the base year's own
report and the result is stored on the statement row (migration 0002):
``consistent``, ``restated`` (the claim about last year disagrees with last
year's report: both figures and both sources are kept) or ``unverifiable``
(no base year, no base-year report, or a figure missing on either side).

One value per report and series: among a report's ``reported`` figures for the
whole publisher (no ``subunit``; ``period`` only for the running totals) the
first printed with a value wins, i.e. the table cell in a standard-format
report (tables are extracted first) and the first mention in a narrative one.
``db.deltas`` uses the same rule (``ranked_points``), so a jump check and the
delta of the same pair agree: the loader stores each report's points in
``series_point`` (``refresh_points``, before the cross-year refresh, in the
same transaction) and deltas read them from there.

For the APIs (``report.statements`` carry their verification)::

    statement_verifications(conn, statement_ids: Sequence[str]) -> dict[str, dict | None]
        {id: {"result": "consistent" | "restated" | "unverifiable", "detail": str,
              "claimed": {"year", "value", "report_id", "quote", "start", "end"},   # this report's claim
              "recorded": {"year", "value", "report_id", "observation_id", "quote", "start", "end"} | None}}
        (one statement for any number of ids; None for a statement not verified yet)

    with_verification(select(STM...)) / verification_of(row)
        the same, joined into a statement query (``db.queries`` serves it with each statement)

    backfill(engine) -> int
        computes everything above for a database loaded before migration 0002 (a CLI
        command for it is the CLI owner's call); re-ingesting a report does it too.

This module must not import ``db.queries`` (which imports ``db.loader``, which
calls into this module): it works on the Core tables of ``db.models`` only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from db.models import Check, DimensionMember, Observation, Publisher, Report, SeriesPoint, Statement
from db.numbers import json_number
from ingest.dictionary import DICTIONARY_DIR


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


OBS = _table(Observation)
REP = _table(Report)
STM = _table(Statement)
CHK = _table(Check)
PUB = _table(Publisher)
DIM = _table(DimensionMember)
SP = _table(SeriesPoint)

RULE_PREFIX = "crossyear:"
CHECK_ORDINAL_BASE = 10000  # cross-year checks sort after the report's own checks
JUMP_FACTOR = Decimal(5)
JUMP_FLOOR = Decimal(10)  # 1 → 5 is not a jump worth a reader's attention; 2 → 10 is
SAME_TOLERANCE_PERCENT = Decimal(5)  # "与上年持平" allows this much change

FORMAT_CODES = {"narrative": "N", "standard-2019": "S19", "standard-2021": "S21"}
"""Report formats as stored (``report.format``) → the format codes of the dictionary files."""

IN_FORCE_METRICS = ("proactive.rules.in_force", "proactive.normative_docs.in_force")
VERIFICATIONS = ("consistent", "restated", "unverifiable")


# --- definition changes -----------------------------------------------------------------

@dataclass(frozen=True)
class DefinitionChange:
    """A metric whose concept changed between two report formats (definition_changes.csv)."""

    metric: str
    from_format: str  # N | S19 | S21
    to_format: str
    note: str


@lru_cache(maxsize=1)
def definition_changes() -> tuple[DefinitionChange, ...]:
    """The dictionary's list of definition changes, read once per process."""
    with (DICTIONARY_DIR / "definition_changes.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(DefinitionChange(r["metric"], r["from_format"], r["to_format"], r["note"])
                     for r in csv.DictReader(fh))


def definition_change(metric: str, base_format: str | None, fmt: str | None) -> DefinitionChange | None:
    """The change of ``metric``'s definition between a base report's format and a later report's, if any.

    Formats are the stored report formats (``standard-2021``) or the dictionary codes (``S21``).
    """
    if base_format is None or fmt is None:
        return None
    frm, to = FORMAT_CODES.get(base_format, base_format), FORMAT_CODES.get(fmt, fmt)
    if frm == to:
        return None
    for dc in definition_changes():
        if dc.metric == metric and dc.from_format == frm and dc.to_format == to:
            return dc
    return None


def definition_changed_sql(metric: ColumnElement[Any] | str, base_format: ColumnElement[Any],
                           fmt: ColumnElement[Any]) -> ColumnElement[bool]:
    """The same test as ``definition_change`` as a SQL condition on stored report formats.

    The list is a handful of rows, so it is inlined as OR-ed equalities: portable
    to SQLite and PostgreSQL, and rankings can filter on it without a table.
    ``metric`` may be a column or, when the caller's rows are all of one
    metric, its code: the condition then keeps only that metric's changes
    (for most metrics none, a constant false the database never evaluates).
    """
    stored = {code: name for name, code in FORMAT_CODES.items()}
    if isinstance(metric, str):
        terms = [and_(base_format == stored[dc.from_format], fmt == stored[dc.to_format])
                 for dc in definition_changes() if dc.metric == metric]
    else:
        terms = [and_(metric == dc.metric, base_format == stored[dc.from_format], fmt == stored[dc.to_format])
                 for dc in definition_changes()]
    return or_(*terms) if terms else false()


# --- one value per report and series ---------------------------------------------------------

def whole_publisher(*, cumulative: bool = False) -> list[ColumnElement[bool]]:
    """Conditions for a figure about the whole publisher as printed in its own year's report.

    ``cumulative``: also the 累计 running totals (``period=cumulative``), which
    the cumulative check needs and deltas never use.
    """
    conds: list[ColumnElement[bool]] = [
        OBS.c.status == "reported", OBS.c.metric.is_not(None), OBS.c.subunit.is_(None),
        OBS.c.year == OBS.c.report_year,
    ]
    if cumulative:
        conds.append(or_(OBS.c.period.is_(None), OBS.c.period == "cumulative"))
    else:
        conds.append(OBS.c.period.is_(None))
    return conds


def ranked_points(*conds: ColumnElement[bool], cumulative: bool = False) -> Select[Any]:
    """Candidate figures numbered within their (publisher, metric, dims, year): ``rn = 1`` is the one used.

    Ranking puts figures with a value first, then document extraction order
    (``ordinal``: the table cell of a standard report, the first mention of a
    narrative one).  ``vmin``/``vmax`` span every value printed for the point,
    so a caller can tell when the report prints two different figures.
    """
    part = (OBS.c.publisher_id, OBS.c.metric, OBS.c.dims_key, OBS.c.year)
    rn = func.row_number().over(
        partition_by=part,
        order_by=(case((OBS.c.value.is_(None), 1), else_=0), OBS.c.ordinal, OBS.c.id))
    return (select(OBS.c.id, OBS.c.report_id, OBS.c.publisher_id, OBS.c.metric, OBS.c.dims_key, OBS.c.year,
                   OBS.c.value, OBS.c.qualifier, OBS.c.quote, OBS.c.start, OBS.c.end, REP.c.format,
                   rn.label("rn"),
                   func.min(OBS.c.value).over(partition_by=part).label("vmin"),
                   func.max(OBS.c.value).over(partition_by=part).label("vmax"))
            .join(REP, REP.c.id == OBS.c.report_id)
            .where(*whole_publisher(cumulative=cumulative), *conds))


def headline_key(dims_key: ColumnElement[str]) -> ColumnElement[bool]:
    """A dims_key whose every member is ``total`` (or no dims): the headline series of a metric.

    ``;k=total;`` pairs collapse to ``;k;``, so any ``=`` left is a member
    other than ``total``.  ``db.synth.headline`` is the same test in Python.
    """
    wrapped = func.replace(literal(";") + dims_key + literal(";"), "=total;", ";")
    return wrapped.not_like("%=%")


POINT_COLUMNS = ("publisher_id", "metric", "dims_key", "year", "value", "qualifier", "report_id", "format",
                 "conflict", "observation_id", "headline")
"""The columns of ``series_point`` in the order ``point_select`` returns them."""


def point_select(*conds: ColumnElement[bool]) -> Select[Any]:
    """The ``series_point`` rows of the observations matching ``conds``: ``ranked_points`` rows with ``rn = 1``.

    Points without a value are left out (a series has no point that year),
    and so are running totals (``period``), which deltas never use.
    """
    ranked = ranked_points(*conds).subquery("ranked")
    return (select(ranked.c.publisher_id, ranked.c.metric, ranked.c.dims_key, ranked.c.year, ranked.c.value,
                   ranked.c.qualifier, ranked.c.report_id, ranked.c.format,
                   (ranked.c.vmin != ranked.c.vmax).label("conflict"), ranked.c.id.label("observation_id"),
                   headline_key(ranked.c.dims_key).label("headline"))
            .where(ranked.c.rn == 1, ranked.c.value.is_not(None)))


def refresh_points(conn: Connection, publisher_id: str, report_id: str) -> None:
    """Rewrite the ``series_point`` rows of one report from its observations (in the ingest transaction).

    A point comes only from its own year's report, so the report's rows are
    all there is to redo.  ``publisher_id`` leads the primary key: the delete
    is a range of it rather than a scan for ``report_id``.  Called with a
    report that no longer has observations, it only deletes.
    """
    delete_points(conn, publisher_id, report_id)
    conn.execute(insert(SP).from_select(list(POINT_COLUMNS), point_select(OBS.c.report_id == report_id)))


def delete_points(conn: Connection, publisher_id: str, report_id: str) -> None:
    """Remove one report's ``series_point`` rows (before the report itself goes)."""
    conn.execute(delete(SP).where(SP.c.publisher_id == publisher_id, SP.c.report_id == report_id))


def rebuild_points(conn: Connection) -> None:
    """Recompute every ``series_point`` row from the observations (a database written around the loader)."""
    conn.execute(delete(SP))
    conn.execute(insert(SP).from_select(list(POINT_COLUMNS), point_select()))


@dataclass(frozen=True)
class Point:
    """The figure used for one series in one report, with where it was printed."""

    id: str
    report_id: str
    year: int
    metric: str
    dims_key: str
    value: Decimal | None
    qualifier: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class ReportRef:
    id: str
    year: int
    format: str


def _points(conn: Connection, report_ids: Iterable[str]) -> dict[str, dict[tuple[str, str], Point]]:
    """The figure used for every series of each report (running totals included), in one statement."""
    ids = sorted(set(report_ids))
    out: dict[str, dict[tuple[str, str], Point]] = {i: {} for i in ids}
    if not ids:
        return out
    inner = ranked_points(OBS.c.report_id.in_(ids), cumulative=True).subquery()
    for r in conn.execute(select(inner).where(inner.c.rn == 1)).all():
        out[r.report_id][(r.metric, r.dims_key)] = Point(r.id, r.report_id, r.year, r.metric, r.dims_key, r.value,
                                                         r.qualifier, r.quote, r.start, r.end)
    return out


def _dims(key: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in key.split(";") if p)


def _label(metric: str, dims_key: str) -> str:
    """``metric[non-total dims]``: the rule suffix and the readable name of a series."""
    dims = {k: v for k, v in _dims(dims_key).items() if v != "total" and k != "period"}
    return metric + ("[" + ";".join(f"{k}={v}" for k, v in dims.items()) + "]" if dims else "")


def _num(v: Decimal | None) -> str:
    if v is None:
        return "n/a"
    n = v.normalize()
    return f"{n:f}"


# --- refreshing a publisher's cross-year results ----------------------------------------------

def refresh_crossyear(conn: Connection, publisher_id: str, year: int) -> None:
    """Recompute the cross-year checks and statement verifications a new report of ``year`` touches.

    Called by ``db.loader`` inside the ingest transaction, after the report's
    own rows are written: the report's comparison with the publisher's
    previous report, the next report's comparison with it, the report's own
    statements and every statement about ``year``.  The publisher row is
    locked first, so on PostgreSQL two reports of one publisher ingested at
    once are compared in whichever order they commit (without the lock each
    would miss the other).  SQLite serialises writers anyway (``FOR UPDATE``
    is not rendered there).
    """
    reports = _lock_reports(conn, publisher_id)
    current = next((r for r in reports if r.year == year), None)
    following = next((r for r in reports if r.year > year), None)
    _recheck(conn, publisher_id, reports, [r for r in (current, following) if r is not None])
    verify_statements(conn, publisher_id, {r.year: r for r in reports}, year)


def refresh_publisher(conn: Connection, publisher_id: str) -> None:
    """Recompute every cross-year check and statement verification of one publisher."""
    reports = _lock_reports(conn, publisher_id)
    _recheck(conn, publisher_id, reports, reports)
    verify_statements(conn, publisher_id, {r.year: r for r in reports}, None)


def backfill(engine: Engine) -> int:
    """Compute the cross-year results of a database loaded before they existed (one transaction per publisher).

    Migration 0002 only adds columns; a database whose reports were ingested
    earlier has no cross-year checks and unverified statements until this runs
    (re-ingesting does it too).  Bumps the data version, so caches and ETags
    move on.  Returns the number of publishers refreshed.
    """
    from db.loader import _bump_version  # db.loader imports this module

    with engine.connect() as conn:
        publishers = [p for (p,) in conn.execute(select(PUB.c.id).order_by(PUB.c.id)).all()]
    for pid in publishers:
        with engine.begin() as conn:
            refresh_publisher(conn, pid)
    with engine.begin() as conn:
        _bump_version(conn)
    return len(publishers)


def _lock_reports(conn: Connection, publisher_id: str) -> list[ReportRef]:
    conn.execute(select(PUB.c.id).where(PUB.c.id == publisher_id).with_for_update())
    return [ReportRef(r.id, r.year, r.format) for r in conn.execute(
        select(REP.c.id, REP.c.year, REP.c.format).where(REP.c.publisher_id == publisher_id)
        .order_by(REP.c.year)).all()]


def _recheck(conn: Connection, publisher_id: str, reports: Sequence[ReportRef], targets: Sequence[ReportRef]
             ) -> None:
    """Rewrite the cross-year checks of each target report against the publisher's report before it."""
    pairs: list[tuple[ReportRef | None, ReportRef]] = []
    for rep in targets:
        earlier = [r for r in reports if r.year < rep.year]
        pairs.append((earlier[-1] if earlier else None, rep))
    points = _points(conn, {r.id for pair in pairs for r in pair if r is not None})
    applicants = [m for (m,) in conn.execute(select(DIM.c.member).where(DIM.c.dimension == "applicant")
                                             .order_by(DIM.c.sort)).all()]
    for prev, rep in pairs:
        conn.execute(delete(CHK).where(CHK.c.report_id == rep.id, CHK.c.rule.startswith(RULE_PREFIX)))
        if prev is None:
            continue
        rows = pair_checks(prev, rep, points[prev.id], points[rep.id], applicants)
        for i, row in enumerate(rows):
            row.update(id=f"{rep.id}-x{i:03d}", report_id=rep.id, publisher_id=publisher_id, year=rep.year,
                       ordinal=CHECK_ORDINAL_BASE + i)
        if rows:
            conn.execute(insert(CHK), rows)


# --- the checks of one pair of reports ----------------------------------------------------------

def _here(p: Point) -> tuple[Decimal | None, str, int | None, int | None]:
    """A side printed in the check's own report: offsets into its text."""
    return p.value, f"{_label(p.metric, p.dims_key)} «{p.quote}»", p.start, p.end


def _there(p: Point, rep: ReportRef) -> tuple[Decimal | None, str, int | None, int | None]:
    """A side printed in the other report: named in the source, no offsets (they would point elsewhere)."""
    return p.value, f"{rep.year} report {rep.id}: {_label(p.metric, p.dims_key)} «{p.quote}» ({p.start}–{p.end})", \
        None, None


def _row(rule: str, result: str, left: tuple[Decimal | None, str, int | None, int | None],
         right: tuple[Decimal | None, str, int | None, int | None], detail: str, notable: bool = False
         ) -> dict[str, Any]:
    return {"rule": rule, "result": result, "notable": notable, "left_value": left[0], "left_source": left[1],
            "left_start": left[2], "left_end": left[3], "right_value": right[0], "right_source": right[1],
            "right_start": right[2], "right_end": right[3], "detail": detail}


def pair_checks(prev: ReportRef, rep: ReportRef, before: Mapping[tuple[str, str], Point],
                after: Mapping[tuple[str, str], Point], applicants: Sequence[str]) -> list[dict[str, Any]]:
    """Every cross-year check between a report and the publisher's previous report (plain rows)."""
    rows: list[dict[str, Any]] = []
    consecutive = rep.year == prev.year + 1
    if consecutive:
        rows.extend(_carry_over(prev, before, after, applicants))
        rows.extend(_in_force(prev, rep, before, after))
    rows.extend(_cumulative(prev, rep, before, after))
    rows.extend(_jumps(prev, rep, before, after))
    return rows


def _carry_over(prev: ReportRef, before: Mapping[tuple[str, str], Point], after: Mapping[tuple[str, str], Point],
                applicants: Sequence[str]) -> list[dict[str, Any]]:
    """Last year's 结转下年度继续办理 = this year's 上年结转, column by column.

    Only when both reports state the figures at all: a narrative report
    without the row has nothing to compare, which is not a finding.
    """
    def by_applicant(points: Mapping[tuple[str, str], Point], metric: str) -> dict[str, Point]:
        return {_dims(k)["applicant"]: p for (m, k), p in points.items()
                if m == metric and "applicant" in _dims(k) and "period" not in _dims(k)}

    fwd = by_applicant(before, "applications.carried_forward")
    over = by_applicant(after, "applications.carried_over")
    if not fwd or not over:
        return []
    order = {a: i for i, a in enumerate(applicants)}
    rows = []
    for a in sorted(set(fwd) | set(over), key=lambda a: (order.get(a, len(order)), a)):
        rule = f"{RULE_PREFIX}carry_over[{a}]"
        f, o = fwd.get(a), over.get(a)
        if f is None or o is None:
            missing = f"{prev.year} 结转下年度继续办理" if f is None else "上年结转"
            left = _there(f, prev) if f else (None, f"{prev.year} report {prev.id}: no {a} column", None, None)
            right = _here(o) if o else (None, f"no {a} column", None, None)
            rows.append(_row(rule, "inconclusive", left, right, f"{missing} has no {a} column"))
            continue
        if f.value is None or o.value is None:
            rows.append(_row(rule, "inconclusive", _there(f, prev), _here(o), "a cell is not available"))
            continue
        ok = f.value == o.value
        rows.append(_row(rule, "pass" if ok else "fail", _there(f, prev), _here(o),
                         f"{prev.year} 结转下年度继续办理 {_num(f.value)} {'=' if ok else '≠'} "
                         f"上年结转 {_num(o.value)} ({a})", notable=not ok))
    return rows


def _in_force(prev: ReportRef, rep: ReportRef, before: Mapping[tuple[str, str], Point],
              after: Mapping[tuple[str, str], Point]) -> list[dict[str, Any]]:
    """Last year's 现行有效 + this year's 本年制发 − 本年废止 = this year's 现行有效."""
    rows = []
    for metric in IN_FORCE_METRICS:
        stem = metric.rsplit(".", 1)[0]
        was, now = before.get((metric, "")), after.get((metric, ""))
        if was is None or now is None:
            continue  # only the 2021 format prints 现行有效件数
        made, repealed = after.get((f"{stem}.made", "")), after.get((f"{stem}.repealed", ""))
        parts = [was.value, made.value if made else None, repealed.value if repealed else None]
        rule = f"{RULE_PREFIX}in_force:{metric}"
        quotes = " ".join(f"«{p.quote}»" for p in (made, repealed) if p is not None)
        expected: Decimal | None = None
        if all(v is not None for v in parts):
            expected = parts[0] + parts[1] - parts[2]  # type: ignore[operator]
        left = (expected, f"{prev.year} report {prev.id}: {metric} «{was.quote}» ({was.start}–{was.end}) "
                          f"+ 本年制发 − 本年废止 {quotes}", None, None)
        if expected is None or now.value is None:
            rows.append(_row(rule, "inconclusive", left, _here(now),
                             f"{prev.year} 现行有效 {_num(parts[0])} + 制发 {_num(parts[1])} − 废止 {_num(parts[2])} "
                             f"vs 现行有效 {_num(now.value)}: a figure is not available"))
            continue
        ok = expected == now.value
        rows.append(_row(rule, "pass" if ok else "fail", left, _here(now),
                         f"{prev.year} 现行有效 {_num(parts[0])} + 制发 {_num(parts[1])} − 废止 {_num(parts[2])} = "
                         f"{_num(expected)} {'=' if ok else '≠'} 现行有效 {_num(now.value)}", notable=not ok))
    return rows


def _cumulative(prev: ReportRef, rep: ReportRef, before: Mapping[tuple[str, str], Point],
                after: Mapping[tuple[str, str], Point]) -> list[dict[str, Any]]:
    """A 累计 running total is never smaller than the previous report's."""
    rows = []
    for (metric, key), now in sorted(after.items()):
        if _dims(key).get("period") != "cumulative":
            continue
        was = before.get((metric, key))
        if was is None:
            continue
        rule = f"{RULE_PREFIX}cumulative:{_label(metric, key)}"
        if was.value is None or now.value is None:
            rows.append(_row(rule, "inconclusive", _there(was, prev), _here(now), "a 累计 cell is not available"))
            continue
        ok = now.value >= was.value
        rows.append(_row(rule, "pass" if ok else "fail", _there(was, prev), _here(now),
                         f"累计 {prev.year} {_num(was.value)} → {rep.year} {_num(now.value)}"
                         + ("" if ok else ": a running total fell"), notable=not ok))
    return rows


def _jumps(prev: ReportRef, rep: ReportRef, before: Mapping[tuple[str, str], Point],
           after: Mapping[tuple[str, str], Point]) -> list[dict[str, Any]]:
    """Values ×5 or ÷5 the previous report's: notable, not failed (a real change is possible)."""
    rows = []
    gap = rep.year - prev.year - 1
    for (metric, key), now in sorted(after.items()):
        if "period" in _dims(key):
            continue
        was = before.get((metric, key))
        if was is None or was.value is None or now.value is None:
            continue
        lo, hi = sorted((abs(was.value), abs(now.value)))
        if hi < JUMP_FLOOR:
            continue
        rule = f"{RULE_PREFIX}jump:{_label(metric, key)}"
        span = f"{prev.year} {_num(was.value)} → {rep.year} {_num(now.value)}"
        if gap:
            span += f" (no report for {gap} year{'s' if gap > 1 else ''} between)"
        dc = definition_change(metric, prev.format, rep.format)
        if dc is not None:
            rows.append(_row(rule, "not_applicable", _there(was, prev), _here(now),
                             f"{span}; definition changed {dc.from_format}→{dc.to_format}: {dc.note}"))
            continue
        jump = hi >= JUMP_FACTOR * lo
        factor = "" if lo == 0 else f" (×{_num((now.value / was.value).quantize(Decimal('0.01')))})"
        rows.append(_row(rule, "pass", _there(was, prev), _here(now),
                         span + factor + (": an extreme change (×5 or more either way)" if jump else ""),
                         notable=jump))
    return rows


# --- statements: stated vs recorded --------------------------------------------------------------

def _unit_of_last_digit(d: Decimal) -> Decimal:
    """10^k for the last significant digit printed: 25800 → 100, 34.3万 (343000) → 1000, 12.3 → 0.1."""
    if d == 0:
        return Decimal(1)
    return Decimal(1).scaleb(d.normalize().as_tuple().exponent)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Verification:
    result: str
    detail: str
    verified_against: str | None = None
    verified_observation: str | None = None
    claimed_base_value: Decimal | None = None
    recorded_base_value: Decimal | None = None


def verify(st: Any, claimed: Decimal | None, current: Point | None, base_report: ReportRef | None,
           base: Point | None) -> Verification:
    """Compare what a statement says about its base year with the base year's own report.

    ``st`` is a statement row; ``claimed`` the base-year value the extraction
    derived from it (None for a direction-only statement); ``current`` the
    report's own figure; ``base`` the figure the base-year report printed.
    Tolerances follow what was printed: an exact absolute change must match
    exactly, an approximate one ("两万五千八百余条") to its last printed digit,
    a percentage to half its last digit (it was rounded), "持平" to 5%.
    """
    if st.metric is None:
        return Verification("unverifiable", "the statement names no metric", claimed_base_value=claimed)
    if st.base_year is None:
        return Verification("unverifiable", "the statement names no base year («比往年»)", claimed_base_value=claimed)
    if base_report is None:
        return Verification("unverifiable", f"no {st.base_year} report of this publisher in the database",
                            claimed_base_value=claimed)
    if base is None or base.value is None:
        return Verification("unverifiable", f"the {st.base_year} report does not state {st.metric}",
                            verified_against=base_report.id, claimed_base_value=claimed)
    against = Verification("unverifiable", "", base_report.id, base.id, claimed, base.value)
    if current is None or current.value is None:
        return replace(against, detail=f"this report does not state its own {st.metric}")
    cur, was = current.value, base.value
    change = cur - was
    stated = f"«{st.quote}»"
    recorded = f"the {st.base_year} report states {_num(was)} «{base.quote}»; this report states {_num(cur)}"
    sign = {"increase": 1, "decrease": -1, "same": 0}.get(st.direction, 0)
    approx = st.qualifier == "approx"
    if st.delta is not None and st.delta_unit == "%":
        if was == 0:
            return replace(against, detail=f"{recorded}: no percentage change from 0")
        actual = change * 100 / was
        claim = sign * st.delta
        unit = _unit_of_last_digit(st.delta)
        ok = abs(actual - claim) <= (unit if approx else unit / 2)
        detail = (f"{stated} = {_num(claim)}%; {recorded}, a change of "
                  f"{_num(actual.quantize(Decimal('0.01')))}%")
    elif st.delta is not None:
        claim = sign * st.delta
        ok = abs(change - claim) <= (_unit_of_last_digit(st.delta) if approx else 0)
        implied = claimed if claimed is not None else cur - claim
        detail = f"{stated} implies {st.base_year} = {_num(implied)}; {recorded}, a change of {_num(change)}"
    elif sign == 0:
        ok = change == 0 or (was != 0 and abs(change * 100 / was) <= SAME_TOLERANCE_PERCENT)
        detail = f"{stated} says unchanged; {recorded}, a change of {_num(change)}"
    else:
        ok = change * sign > 0
        detail = f"{stated} says {st.direction}; {recorded}, a change of {_num(change)}"
    return replace(against, result="consistent" if ok else "restated", detail=detail)


def verify_statements(conn: Connection, publisher_id: str, by_year: Mapping[int, ReportRef],
                      year: int | None) -> None:
    """Verify the statements of the report of ``year`` and every statement about ``year`` (None: all of them).

    The result is stored on each statement row.
    """
    stmt = select(STM).where(STM.c.publisher_id == publisher_id)
    if year is not None:
        current = by_year.get(year)
        cond = STM.c.base_year == year
        if current is not None:
            cond = or_(cond, STM.c.report_id == current.id)
        stmt = stmt.where(cond)
    stmts = conn.execute(stmt.order_by(STM.c.report_id, STM.c.ordinal)).all()
    if not stmts:
        return
    base_reports = {st.id: by_year.get(st.base_year) if st.base_year is not None else None for st in stmts}
    report_ids = {st.report_id for st in stmts} | {r.id for r in base_reports.values() if r is not None}
    points = _points(conn, report_ids)
    derived = {(d.report_id, d.start, d.end, d.metric, d.dims_key): d.value for d in conn.execute(
        select(OBS.c.report_id, OBS.c.start, OBS.c.end, OBS.c.metric, OBS.c.dims_key, OBS.c.value)
        .where(OBS.c.report_id.in_(sorted({st.report_id for st in stmts})), OBS.c.status == "derived")).all()}
    for st in stmts:
        base_rep = base_reports[st.id]
        key = (st.metric, st.dims_key)
        v = verify(st, derived.get((st.report_id, st.start, st.end, st.metric, st.dims_key)),
                   points[st.report_id].get(key) if st.metric else None, base_rep,
                   points[base_rep.id].get(key) if base_rep is not None and st.metric else None)
        conn.execute(update(STM).where(STM.c.id == st.id).values(
            verification=v.result, verified_against=v.verified_against,
            verified_observation=v.verified_observation, claimed_base_value=v.claimed_base_value,
            recorded_base_value=v.recorded_base_value, verification_detail=v.detail))


VERIFIED_BASE = OBS.alias("verified_base")
"""The base-year figure a statement was compared with (``statement.verified_observation``)."""

VERIFICATION_COLUMNS = (VERIFIED_BASE.c.quote.label("base_quote"), VERIFIED_BASE.c.start.label("base_start"),
                        VERIFIED_BASE.c.end.label("base_end"))


def with_verification(stmt: Select[Any]) -> Select[Any]:
    """A select over ``statement`` plus what ``verification_of`` needs from the base-year figure.

    An outer join on the figure's primary key: one row per statement, no extra
    statement, so ``db.queries`` serves the verification with the statement itself.
    """
    return stmt.add_columns(*VERIFICATION_COLUMNS).outerjoin(
        VERIFIED_BASE, VERIFIED_BASE.c.id == STM.c.verified_observation)


def verification_of(r: Any) -> dict[str, Any] | None:
    """The served verification of one statement row selected through ``with_verification`` (None: not verified)."""
    if r.verification is None:
        return None
    return {
        "result": r.verification, "detail": r.verification_detail or "",
        "claimed": {"year": r.base_year, "value": json_number(r.claimed_base_value), "report_id": r.report_id,
                    "quote": r.quote, "start": r.start, "end": r.end},
        "recorded": None if r.verified_against is None else {
            "year": r.base_year, "value": json_number(r.recorded_base_value), "report_id": r.verified_against,
            "observation_id": r.verified_observation, "quote": r.base_quote, "start": r.base_start,
            "end": r.base_end},
    }


def statement_verifications(conn: Connection, statement_ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """The stored verification of each statement, with both figures and both sources (for the APIs).

    ``claimed`` is what the statement's report says the base year was (its
    own quote and offsets); ``recorded`` is the base-year report's figure with
    that report's id and the offsets into *its* text.  None for a statement
    not verified yet.  One statement for any number of ids (DataLoader-friendly).
    """
    ids = sorted(set(statement_ids))
    rows = conn.execute(with_verification(
        select(STM.c.id, STM.c.report_id, STM.c.base_year, STM.c.quote, STM.c.start, STM.c.end, STM.c.verification,
               STM.c.verified_against, STM.c.verified_observation, STM.c.claimed_base_value,
               STM.c.recorded_base_value, STM.c.verification_detail)).where(STM.c.id.in_(ids))).all()
    out: dict[str, dict[str, Any] | None] = {i: None for i in ids}
    for r in rows:
        out[r.id] = verification_of(r)
    return out

