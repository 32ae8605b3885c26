"""Year-over-year: series, deltas, rankings and movers, computed in SQL.

API summary (for REST ``/api/v1/series``, ``/deltas``, ``/rankings`` and the
GraphQL fields of the same names — serve these dicts as they are, so the two
APIs keep identical shapes; input errors raise ``db.queries.QueryError`` with
a stable ``code`` exactly like the rest of the query layer)::

    series(conn, *, publisher: str, metric: str, dims: Mapping[str, str] | None = None,
           year_range: tuple[int, int] | None = None, mode: str = "previous_year") -> dict
        {"publisher": {id, name, level, province}, "metric", "unit", "dims", "mode",
         "points": [Delta, ...],            # one per year with a value, oldest first
         "missing_years": [int, ...],       # years between the first and last point without one
         "definition_changes": [{"year", "base_year", "from_format", "to_format", "note"}]}
        404 ``not_found`` for an unknown publisher.

    deltas(conn, *, metric: str | None = None, dims: Mapping[str, str] | None = None,
           publisher: str | None = None, year: int | None = None,
           year_range: tuple[int, int] | None = None, mode: str = "previous_year",
           level: str | None = None, province: str | None = None,
           sort: SortSpec | None = None, limit: int = 100, after: str | None = None) -> Page
        Keyset-paginated like every list (``Page.items`` are Deltas, ``Page.next_cursor``).
        Sort keys: publisher, metric, dims, year (default publisher, metric, dims, year).
        Without ``metric``: the totals of every metric.  ``count_deltas(conn, DeltaFilter)``
        gives totalCount; ``DeltaFilter.of(...)`` takes the same keywords as ``deltas``.

    rankings(conn, *, metric: str, year: int, dims: Mapping[str, str] | None = None,
             by: str = "value", order: str = "desc", min_base: Decimal | int = 10,
             mode: str = "previous_year", level: str | None = None, province: str | None = None,
             limit: int = 20) -> dict
        {"metric", "unit", "dims", "year", "by", "order", "mode", "min_base", "total",
         "items": [{"rank": int, "publisher": {id, name, level, province}, **Delta}, ...]}
        by: value | change | percent_change (percent needs base_value >= min_base, so
        1 → 3 is not "+200%" at the top); ties share a rank; ``total`` = publishers ranked.

    movers(conn, *, metric, year, dims=None, by="change", min_base=10, mode="previous_year",
           level=None, province=None, limit=10) -> dict
        {"metric", "unit", "dims", "year", "by", "mode", "min_base",
         "up": [ranked items with change > 0], "down": [ranked items with change < 0]}

    Delta = {"publisher_id", "metric", "dims": {name: member}, "year", "value", "qualifier",
             "base_year", "base_value", "change", "percent_change", "gap_years": [int],
             "approx": bool, "definition_changed": bool, "conflict": bool,
             "report_id", "base_report_id"}

Semantics:

- Points: ``status = 'reported'`` figures about the whole publisher (no
  ``subunit``/``period``) with a value, for the metric's dims exactly: every
  dimension ``total`` unless ``dims`` names a member.  One point per year: the
  first printed (``db.crossyear.ranked_points``: the table cell of a standard
  report).  ``conflict`` is true when the report of ``year`` or ``base_year``
  prints another, different figure for the same point — the delta then uses
  the first, and the observations list shows them all.
- ``mode="previous_year"``: the base must be ``year - 1``; otherwise base,
  change and percent are null and ``gap_years`` lists the missing years back
  to the previous point.  ``mode="previous_available"`` compares with the
  previous point whatever the gap (still reported in ``gap_years``).
- ``change`` = value − base_value; ``percent_change`` = change / base × 100,
  rounded half-up to 2 places, null when the base is 0 or missing (never
  infinite).  ``approx`` when either side is approximate ("余", "约").
- ``definition_changed``: the metric's concept changed between the base
  report's format and this one's (``data/dictionary/definition_changes.csv``);
  change and percent are then null rather than a misleading number, while
  value and base_value are still shown.

Everything that compares years — the LAG over each series, the base choice,
gaps, definition changes, the change and percentage used to filter and rank,
ranks — happens in one SQL statement per call (window functions, the same SQL
on SQLite and PostgreSQL).  Python only turns result rows into dicts; the
served change and percentage are redone there in exact decimals from the two
values of the row, so both backends print the same digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, literal, literal_column, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.util import ClauseAdapter

from db.crossyear import OBS, PUB, definition_change, definition_changed_sql, ranked_points, whole_publisher
from db.models import VALUE_TYPE, dims_key
from db.queries import (
    MAX_LIMIT,
    Listing,
    Page,
    QueryError,
    SortSpec,
    _count,
    _page,
    check_limit,
    check_year,
    dictionary,
)

MODES = ("previous_year", "previous_available")
RANK_BY = ("value", "change", "percent_change")
ORDERS = ("desc", "asc")
DEFAULT_MIN_BASE = Decimal(10)
PERCENT_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class DeltaFilter:
    """Which deltas to compute; hashable, so it can key a GraphQL DataLoader."""

    metric: str | None = None
    dims: tuple[tuple[str, str], ...] = ()
    publisher: str | None = None
    year: int | None = None
    year_range: tuple[int, int] | None = None
    mode: str = "previous_year"
    level: str | None = None
    province: str | None = None

    @staticmethod
    def of(*, metric: str | None = None, dims: Mapping[str, str] | None = None, publisher: str | None = None,
           year: int | None = None, year_range: tuple[int, int] | None = None, mode: str = "previous_year",
           level: str | None = None, province: str | None = None) -> DeltaFilter:
        return DeltaFilter(metric, tuple(sorted((dims or {}).items())), publisher, year, year_range, mode, level,
                           province)


# --- validation -------------------------------------------------------------------------------

def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise QueryError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}", "invalid_parameter")


def series_dims_key(conn: Connection, metric: str, dims: Mapping[str, str] | None) -> str:
    """The exact ``dims_key`` of a metric's series: the asked members, ``total`` for every other dimension.

    A series never mixes a total with its parts, so the key is an equality
    filter.  A dimension the metric does not have, or one without a total that
    is not asked for (``topic``), is the caller's mistake and says so.
    """
    d = dictionary(conn)
    d.check_metrics([metric])
    asked = dict(dims or {})
    d.check_dims(asked)
    own = list(d.metrics[metric]["dims"])
    for name in asked:
        if name not in own:
            have = ", ".join(own) if own else "no dimensions"
            raise QueryError(f"metric {metric!r} is not broken down by {name!r} (it has {have}); subunit and "
                             "period figures are not part of series", "unknown_dimension", list="/api/v1/dimensions")
    full: dict[str, str] = {}
    for name in own:
        if name in asked:
            full[name] = asked[name]
        elif "total" in d.dimensions.get(name, ()):
            full[name] = "total"
        else:
            raise QueryError(f"metric {metric!r} is broken down by {name!r}, which has no total: pick a member, "
                             f"e.g. {name}={d.dimensions.get(name, ('?',))[0]}", "missing_dimension",
                             list="/api/v1/dimensions")
    return dims_key(full)


def _all_totals() -> ColumnElement[bool]:
    """A dims_key whose every member is ``total`` (or no dims): the headline series of each metric."""
    wrapped = func.replace(literal(";") + OBS.c.dims_key + literal(";"), "=total;", ";")
    return wrapped.not_like("%=%")


# --- the windowed statement -----------------------------------------------------------------------

def _delta_select(conn: Connection, f: DeltaFilter) -> Select[Any]:
    """One row per (publisher, metric, dims, year) point, with its base and change, from one statement.

    Inner: the used point per year (``ranked_points``, ``rn = 1``).  Middle:
    ``LAG`` over each series ordered by year gives the previous point, its
    report and format.  Outer: the base chosen by ``mode``, the change, the
    percentage (for ordering; the served one is rounded exactly in Python) and
    the definition-change test.  Years after the asked ones are cut before the
    window, earlier years are kept so the first asked year still finds its base
    and its gap.
    """
    _check_mode(f.mode)
    conds: list[ColumnElement[bool]] = []
    if f.metric is not None:
        conds += [OBS.c.metric == f.metric, OBS.c.dims_key == series_dims_key(conn, f.metric, dict(f.dims))]
    elif f.dims:
        raise QueryError("dims need a metric: breakdowns differ from metric to metric", "invalid_parameter")
    else:
        conds.append(_all_totals())
    if f.publisher is not None:
        conds.append(OBS.c.publisher_id == f.publisher)
    if f.level is not None or f.province is not None:
        pubs = select(PUB.c.id)
        if f.level is not None:
            pubs = pubs.where(PUB.c.level == f.level)
        if f.province is not None:
            pubs = pubs.where(PUB.c.province == f.province)
        conds.append(OBS.c.publisher_id.in_(pubs))
    lo_hi = _years(f)
    # Only the asked years and the ones a base can come from enter the windows: up to the last asked year,
    # and for previous_year from the year before the first (the previous point further back, which only
    # gap_years needs, is looked up for the rows without a base; see prev_year below).
    windowed = lo_hi is not None and f.mode == "previous_year"
    if lo_hi is not None:
        conds.append(OBS.c.year <= lo_hi[1])
        if windowed:
            conds.append(OBS.c.year >= lo_hi[0] - 1)

    ranked = ranked_points(*conds).subquery("ranked")
    conflict = case((ranked.c.vmin != ranked.c.vmax, 1), else_=0)
    one = (select(ranked.c.publisher_id, ranked.c.metric, ranked.c.dims_key, ranked.c.year, ranked.c.value,
                  ranked.c.qualifier, ranked.c.report_id, ranked.c.format, conflict.label("conflict"))
           .where(ranked.c.rn == 1, ranked.c.value.is_not(None))).subquery("one")

    def lag(col: Any, name: str, type_: Any = None) -> Any:
        fn = func.lag(col, type_=type_ if type_ is not None else col.type)
        return fn.over(partition_by=(one.c.publisher_id, one.c.metric, one.c.dims_key),
                       order_by=one.c.year).label(name)

    lagged = select(
        one, lag(one.c.year, "prev_year"), lag(one.c.value, "prev_value", VALUE_TYPE),
        lag(one.c.qualifier, "prev_qualifier"), lag(one.c.report_id, "prev_report_id"),
        lag(one.c.format, "prev_format"), lag(one.c.conflict, "prev_conflict"),
    ).subquery("lagged")
    s = lagged.c
    prev_year: Any = s.prev_year
    if windowed:
        # the year of the series' previous point when it is outside the window (a gap), as LAG would give
        earlier = OBS.alias("earlier")
        adapt = ClauseAdapter(earlier)
        before = (select(func.max(earlier.c.year))
                  .where(earlier.c.publisher_id == s.publisher_id, earlier.c.metric == s.metric,
                         earlier.c.dims_key == s.dims_key, earlier.c.year < s.year, earlier.c.value.is_not(None),
                         *[adapt.traverse(c) for c in whole_publisher()])
                  .scalar_subquery())
        prev_year = case((s.prev_year == s.year - 1, s.prev_year), else_=before)
    has_base = s.prev_year == s.year - 1 if f.mode == "previous_year" else s.prev_year.is_not(None)
    changed = and_(has_base, definition_changed_sql(s.metric, s.prev_format, s.format))
    comparable = and_(has_base, ~definition_changed_sql(s.metric, s.prev_format, s.format))
    # Rounded as served (change to the stored scale, percent to 2 places), so that rankings order and tie
    # what readers see, and SQLite's floating point ties exact ties like PostgreSQL's numeric does.
    change = case((comparable, func.round(s.value - s.prev_value, 6)))
    percent = case((and_(comparable, s.prev_value != 0),
                    func.round((s.value - s.prev_value) * literal_column("100.0") / s.prev_value, 2)))
    stmt = select(
        s.publisher_id, s.metric, s.dims_key, s.year, s.value, s.qualifier, s.report_id, s.format, s.conflict,
        prev_year.label("prev_year"),
        case((has_base, s.prev_year)).label("base_year"),
        case((has_base, s.prev_value), else_=literal(None, VALUE_TYPE)).label("base_value"),
        case((has_base, s.prev_qualifier)).label("base_qualifier"),
        case((has_base, s.prev_report_id)).label("base_report_id"),
        case((has_base, s.prev_format)).label("base_format"),
        case((has_base, s.prev_conflict), else_=0).label("base_conflict"),
        case((changed, 1), else_=0).label("definition_changed"),
        change.label("change"),
        percent.label("percent_sort"),
    )
    if f.year is not None:
        stmt = stmt.where(s.year == f.year)
    if f.year_range is not None:
        stmt = stmt.where(s.year.between(*f.year_range))
    return stmt


def _years(f: DeltaFilter) -> tuple[int, int] | None:
    """The asked years as one range (validated), or None for all years."""
    bounds: list[tuple[int, int]] = []
    if f.year is not None:
        check_year(f.year)
        bounds.append((f.year, f.year))
    if f.year_range is not None:
        lo, hi = f.year_range
        check_year(lo)
        check_year(hi)
        if lo > hi:
            raise QueryError(f"year range {lo}:{hi} runs backwards; write LOW:HIGH, e.g. {hi}:{lo}",
                             "invalid_year_range")
        bounds.append((lo, hi))
    if not bounds:
        return None
    return max(b[0] for b in bounds), min(b[1] for b in bounds)


# --- rows to dicts ----------------------------------------------------------------------------------

def _json_number(v: Decimal | None) -> int | float | None:
    """JSON value for an exact decimal, as the rest of the query layer serves numbers (int when integral)."""
    if v is None:
        return None
    if v == v.to_integral_value():
        return int(v)
    return float(v.normalize())


def _dims(key: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in key.split(";") if p)


def _percent(change: Decimal | None, base: Decimal | None) -> Decimal | None:
    if change is None or base is None or base == 0:
        return None
    return (Decimal(change) * 100 / Decimal(base)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def delta_dict(r: Any) -> dict[str, Any]:
    """The served shape of one delta row (see the module docstring).

    SQL decides whether there is a comparable base (``change`` not null); the
    served change is then recomputed as ``value − base_value`` on the two
    decimals returned, so it always equals the difference of the figures shown
    (SQLite does the SQL subtraction in floating point).
    """
    has_base = r.base_year is not None
    change = None if r.change is None else Decimal(r.value) - Decimal(r.base_value)
    gap = list(range(r.prev_year + 1, r.year)) if r.prev_year is not None and r.prev_year < r.year - 1 else []
    return {
        "publisher_id": r.publisher_id, "metric": r.metric, "dims": _dims(r.dims_key), "year": r.year,
        "value": _json_number(r.value), "qualifier": r.qualifier, "base_year": r.base_year,
        "base_value": _json_number(r.base_value), "change": _json_number(change),
        "percent_change": _json_number(_percent(change, r.base_value)), "gap_years": gap,
        "approx": r.qualifier == "approx" or (has_base and r.base_qualifier == "approx"),
        "definition_changed": bool(r.definition_changed),
        "conflict": bool(r.conflict) or bool(r.base_conflict),
        "report_id": r.report_id, "base_report_id": r.base_report_id,
    }


def _publisher_brief(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "name": p["name"], "level": p["level"], "province": p["province"]}


# --- deltas ----------------------------------------------------------------------------------------

def _listing(stmt: Select[Any]) -> tuple[Listing, Select[Any]]:
    """The keyset listing over a delta statement (wrapped, so sort keys are plain columns)."""
    sub = stmt.subquery("deltas")
    key = (sub.c.publisher_id + literal("|") + sub.c.metric + literal("|") + sub.c.dims_key + literal("|")
           + cast(sub.c.year, String))
    listing = Listing("deltas", {"publisher": sub.c.publisher_id, "metric": sub.c.metric, "dims": sub.c.dims_key,
                                 "year": sub.c.year, "key": key},
                      (("publisher", False), ("metric", False), ("dims", False), ("year", False)), key)
    return listing, select(sub)


def deltas(conn: Connection, *, metric: str | None = None, dims: Mapping[str, str] | None = None,
           publisher: str | None = None, year: int | None = None, year_range: tuple[int, int] | None = None,
           mode: str = "previous_year", level: str | None = None, province: str | None = None,
           sort: SortSpec | None = None, limit: int = 100, after: str | None = None) -> Page:
    """Deltas of every series asked for, one per (publisher, metric, dims, year), keyset-paginated."""
    f = DeltaFilter.of(metric=metric, dims=dims, publisher=publisher, year=year, year_range=year_range, mode=mode,
                       level=level, province=province)
    return deltas_filtered(conn, f, sort=sort, limit=limit, after=after)


def deltas_filtered(conn: Connection, f: DeltaFilter, *, sort: SortSpec | None = None, limit: int = 100,
                    after: str | None = None) -> Page:
    listing, stmt = _listing(_delta_select(conn, f))
    return _page(conn, listing, stmt, sort, limit, after, delta_dict)


def count_deltas(conn: Connection, f: DeltaFilter) -> int:
    return _count(conn, _delta_select(conn, f))


# --- series ----------------------------------------------------------------------------------------

def series(conn: Connection, *, publisher: str, metric: str, dims: Mapping[str, str] | None = None,
           year_range: tuple[int, int] | None = None, mode: str = "previous_year") -> dict[str, Any]:
    """One publisher's series of a metric, one point per year, each with its delta (across formats).

    Metric codes are concept-centric, so the series runs from narrative years
    into standard ones; where the concept changed, the point says so.
    """
    pub = conn.execute(select(PUB).where(PUB.c.id == publisher)).first()
    if pub is None:
        raise QueryError(f"no publisher with id {publisher!r}; publishers are listed at /api/v1/publishers",
                         "not_found", status=404)
    f = DeltaFilter.of(metric=metric, dims=dims, publisher=publisher, year_range=year_range, mode=mode)
    sub = _delta_select(conn, f).subquery("series")
    rows = conn.execute(select(sub).order_by(sub.c.year)).all()
    points = [delta_dict(r) for r in rows]
    years = [p["year"] for p in points]
    missing = sorted(set(range(years[0], years[-1] + 1)) - set(years)) if years else []
    changes = []
    for r in rows:
        if r.definition_changed:
            dc = definition_change(r.metric, r.base_format, r.format)
            assert dc is not None
            changes.append({"year": r.year, "base_year": r.base_year, "from_format": dc.from_format,
                            "to_format": dc.to_format, "note": dc.note})
    unit = dictionary(conn).metrics[metric]["unit"]
    return {"publisher": _publisher_brief(dict(pub._mapping)), "metric": metric, "unit": unit,
            "dims": _dims(series_dims_key(conn, metric, dims)), "mode": mode, "points": points,
            "missing_years": missing, "definition_changes": changes}


# --- rankings and movers --------------------------------------------------------------------------

def _ranked(conn: Connection, *, metric: str, year: int, dims: Mapping[str, str] | None, by: str, order: str,
            min_base: Decimal, mode: str, level: str | None, province: str | None, limit: int,
            sign: int = 0) -> tuple[int, list[dict[str, Any]]]:
    if by not in RANK_BY:
        raise QueryError(f"cannot rank by {by!r}; rank by: {', '.join(RANK_BY)}", "invalid_parameter")
    if order not in ORDERS:
        raise QueryError(f"unknown order {order!r}; orders: {', '.join(ORDERS)}", "invalid_parameter")
    if min_base < 0:
        raise QueryError(f"min_base must be 0 or more, got {min_base}", "invalid_parameter")
    check_limit(limit, MAX_LIMIT)
    f = DeltaFilter.of(metric=metric, dims=dims, year=year, mode=mode, level=level, province=province)
    sub = _delta_select(conn, f).subquery("d")
    key = {"value": sub.c.value, "change": sub.c.change, "percent_change": sub.c.percent_sort}[by]
    conds: list[ColumnElement[bool]] = [key.is_not(None)]
    if by == "percent_change":
        conds.append(sub.c.base_value >= min_base)
    if sign:
        conds.append(sub.c.change > 0 if sign > 0 else sub.c.change < 0)
    ordered = key.desc() if order == "desc" else key.asc()
    stmt = (select(sub, PUB.c.name.label("publisher_name"), PUB.c.level.label("publisher_level"),
                   PUB.c.province.label("publisher_province"),
                   func.rank().over(order_by=ordered).label("rank"), func.count().over().label("total"))
            .join(PUB, PUB.c.id == sub.c.publisher_id).where(*conds))
    inner = stmt.subquery("r")
    rows = conn.execute(select(inner).order_by(inner.c.rank, inner.c.publisher_id).limit(limit)).all()
    items = [{"rank": int(r.rank), "publisher": {"id": r.publisher_id, "name": r.publisher_name,
                                                 "level": r.publisher_level, "province": r.publisher_province},
              **delta_dict(r)} for r in rows]
    return (int(rows[0].total) if rows else 0), items


def rankings(conn: Connection, *, metric: str, year: int, dims: Mapping[str, str] | None = None, by: str = "value",
             order: str = "desc", min_base: Decimal | int = DEFAULT_MIN_BASE, mode: str = "previous_year",
             level: str | None = None, province: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Publishers ranked for one metric and year, by value, change or percent change (ties share a rank).

    Percent rankings leave out bases under ``min_base`` (1 → 3 is "+200%" and
    says nothing); change rankings leave out pairs across a definition change.
    """
    base = Decimal(min_base)
    total, items = _ranked(conn, metric=metric, year=year, dims=dims, by=by, order=order, min_base=base, mode=mode,
                           level=level, province=province, limit=limit)
    return {"metric": metric, "unit": dictionary(conn).metrics[metric]["unit"],
            "dims": _dims(series_dims_key(conn, metric, dims)), "year": year, "by": by, "order": order, "mode": mode,
            "min_base": _json_number(base), "total": total, "items": items}


def movers(conn: Connection, *, metric: str, year: int, dims: Mapping[str, str] | None = None, by: str = "change",
           min_base: Decimal | int = DEFAULT_MIN_BASE, mode: str = "previous_year", level: str | None = None,
           province: str | None = None, limit: int = 10) -> dict[str, Any]:
    """The biggest rises and the biggest falls of a metric in a year (by change or percent change)."""
    if by == "value":
        raise QueryError("movers rank a change: by=change or by=percent_change", "invalid_parameter")
    base = Decimal(min_base)
    kw: dict[str, Any] = {"metric": metric, "year": year, "dims": dims, "by": by, "min_base": base, "mode": mode,
                          "level": level, "province": province, "limit": limit}
    _, up = _ranked(conn, order="desc", sign=1, **kw)
    _, down = _ranked(conn, order="asc", sign=-1, **kw)
    return {"metric": metric, "unit": dictionary(conn).metrics[metric]["unit"],
            "dims": _dims(series_dims_key(conn, metric, dims)), "year": year, "by": by, "mode": mode,
            "min_base": _json_number(base), "up": up, "down": down}
