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
  dimension ``total`` unless ``dims`` names a member (without a metric: every
  metric's all-``total`` series).  One point per year: the first printed
  (``db.crossyear.ranked_points``: the table cell of a standard report),
  stored in ``series_point`` when its report is ingested.  ``conflict`` is
  true when the report of ``year`` or ``base_year`` prints another, different
  figure for the same point — the delta then uses the first, and the
  observations list shows them all.
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

How: each year's point is chosen once, at ingest, into ``series_point``
(``db.crossyear.refresh_points``, in the report's ingest transaction; one row
per publisher, metric, dims and year, with the report's format, the conflict
flag and whether the series is a headline one).  Everything that compares
years — the base choice, gaps, definition changes, the change and percentage
used to filter and rank, ranks — is then one SQL statement per call, the same
on SQLite and PostgreSQL (but for a LATERAL join in ``previous_available``
mode on PostgreSQL): the point joined with its base point through the primary
key (``_delta_select``), as cheap per row as comparing two raw observations.
Rankings rank (publisher, key) pairs first and read the top rows in full,
with their bases and publishers.  Statements are built once per filter and
data version.  Python only turns result rows into dicts; the served change and
percentage are redone there exactly from the two values of the row (integer
arithmetic for integral values, decimals otherwise), so both backends print
the same digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    TypeDecorator,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    true,
    type_coerce,
)
from sqlalchemy.engine import Connection, Dialect

from db.crossyear import PUB, SP, definition_change, definition_changed_sql
from db.models import VALUE_TYPE, dims_key
from db.numbers import exact, json_number, served
from db.queries import (
    MAX_LIMIT,
    Listing,
    Page,
    QueryError,
    RawRows,
    SortSpec,
    _Lru,
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


# --- the statement: a point joined with its base point ------------------------------------------

def _point_conds(conn: Connection, f: DeltaFilter, c: Any) -> list[ColumnElement[bool]]:
    """Which points of ``series_point`` (aliased ``c``) are asked for: series, publishers, years."""
    conds: list[ColumnElement[bool]] = []
    if f.metric is not None:
        conds += [c.metric == f.metric, c.dims_key == series_dims_key(conn, f.metric, dict(f.dims))]
    elif f.dims:
        raise QueryError("dims need a metric: breakdowns differ from metric to metric", "invalid_parameter")
    else:
        conds.append(c.headline)
    if f.publisher is not None:
        conds.append(c.publisher_id == f.publisher)
    if f.level is not None or f.province is not None:
        pubs = select(PUB.c.id)
        if f.level is not None:
            pubs = pubs.where(PUB.c.level == f.level)
        if f.province is not None:
            pubs = pubs.where(PUB.c.province == f.province)
        conds.append(c.publisher_id.in_(pubs))
    _years(f)  # validates both; each is a plain condition on the point's year
    if f.year is not None:
        conds.append(c.year == f.year)
    if f.year_range is not None:
        conds.append(c.year.between(*f.year_range))
    return conds


def _previous_year(c: Any) -> Any:
    """The year of the series' point before ``c``'s (any gap), or NULL: one backwards probe of an index."""
    e = SP.alias("earlier")
    return (select(func.max(e.c.year))
            .where(e.c.publisher_id == c.publisher_id, e.c.metric == c.metric, e.c.dims_key == c.dims_key,
                   e.c.year < c.year)
            .scalar_subquery())


class _Exact(TypeDecorator[Any]):
    """``VALUE_TYPE`` for binding, but read back as the driver returns it (``_exact`` converts).

    SQLAlchemy's Numeric turns each SQLite value into a Decimal through a
    formatted string, and serving then turns most of them back into ints; for
    a page of a thousand deltas that round trip cost more than the query.
    PostgreSQL's driver returns Decimals either way.
    """

    impl = VALUE_TYPE
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


DELTA_COLUMNS = ("publisher_id", "metric", "dims_key", "year", "value", "qualifier", "report_id", "format",
                 "conflict", "prev_year", "base_year", "base_value", "base_qualifier", "base_report_id",
                 "base_format", "base_conflict", "definition_changed")
"""The columns of ``_delta_select``, in order: every statement here selects them first, so ``delta_dict``
reads a row by position (attribute access by name costs more than the rest of the conversion)."""


def _delta_select(conn: Connection, f: DeltaFilter, *, ranking: bool = False, points: Any = None) -> Select[Any]:
    """One row per asked point with its base (``DELTA_COLUMNS``): ``series_point`` joined with itself.

    ``c`` is the point, ``b`` its base: the same series' point of ``year - 1``
    (``previous_year``) or of the latest earlier year (``previous_available``),
    found through the primary key.  ``prev_year`` (for ``gap_years``) is the
    base's year, or — only for a point without a base in ``previous_year`` mode —
    the latest earlier year, looked up for that row alone.  A delta has a
    change when it has a base and no definition change between the two
    reports; ``delta_dict`` computes the served change and percentage from the
    two values.  ``ranking`` adds ``change`` and ``percent_sort``, computed
    here to filter and order by (rounded as served, so rankings order and tie
    what readers see, and SQLite's floating point ties exact ties like
    PostgreSQL's numeric does); only the pool a ranking orders needs them.
    ``points``: the asked points already selected (a subquery with
    ``series_point``'s columns, e.g. a ranking's top rows) instead of ``f``'s.
    The SQL is the same on both backends but for ``previous_available`` on
    PostgreSQL, which finds the base with ``LATERAL`` (SQLite has none, and
    probes the primary key with the subquery's year instead).
    """
    _check_mode(f.mode)
    point: Any = SP.alias("c") if points is None else points
    c = point.c
    conds = _point_conds(conn, f, c) if points is None else []
    base: Any = SP.alias("b")
    prev_year: Any
    if f.mode == "previous_year":
        b = base.c
        on: Any = and_(b.publisher_id == c.publisher_id, b.metric == c.metric, b.dims_key == c.dims_key,
                       b.year == c.year - 1)
        prev_year = case((b.year.is_not(None), b.year), else_=_previous_year(c))
    elif conn.dialect.name == "postgresql":
        # PostgreSQL cannot probe an index with a correlated subquery's value (it hashes the whole series
        # instead): the latest earlier point, as a LATERAL subquery, is one backwards index scan per point
        e = base
        base = (select(e).where(e.c.publisher_id == c.publisher_id, e.c.metric == c.metric,
                                e.c.dims_key == c.dims_key, e.c.year < c.year)
                .order_by(e.c.year.desc()).limit(1).lateral("b"))
        b, on = base.c, true()
        prev_year = b.year
    else:
        b = base.c
        on = and_(b.publisher_id == c.publisher_id, b.metric == c.metric, b.dims_key == c.dims_key,
                  b.year == _previous_year(c))
        prev_year = b.year
    has_base = b.year.is_not(None)
    redefined = definition_changed_sql(f.metric if f.metric is not None else c.metric, b.format, c.format)
    columns: list[Any] = [
        c.publisher_id, c.metric, c.dims_key, c.year, type_coerce(c.value, _Exact).label("value"), c.qualifier,
        c.report_id, c.format, c.conflict, prev_year.label("prev_year"), b.year.label("base_year"),
        type_coerce(b.value, _Exact).label("base_value"), b.qualifier.label("base_qualifier"),
        b.report_id.label("base_report_id"), b.format.label("base_format"), b.conflict.label("base_conflict"),
        case((and_(has_base, redefined), 1), else_=0).label("definition_changed")]
    if ranking:
        comparable = and_(has_base, ~redefined)
        change = case((comparable, func.round(c.value - b.value, 6)))
        percent = case((and_(comparable, b.value != 0),
                        func.round((c.value - b.value) * literal_column("100.0") / b.value, 2)))
        columns += [type_coerce(change, _Exact).label("change"), type_coerce(percent, _Exact).label("percent_sort")]
    return select(*columns).select_from(point.outerjoin(base, on)).where(*conds)


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

def _change_and_percent(value: int | Decimal, base: int | Decimal) -> tuple[int | float, int | float | None]:
    """Served ``value − base`` and its percentage of ``base``, rounded half-up to 2 places (None from 0).

    With two ints (and |numbers| < 2**53, far inside what Decimal's 28 digits
    hold exactly) the same digits come from integer arithmetic: percent × 100
    is ``change × 10000 / base`` rounded half away from zero, as
    ``ROUND_HALF_UP`` does, and ``n / 100`` is the float nearest the decimal
    ``n/100`` just as ``float(Decimal)`` is.
    """
    if type(value) is int and type(base) is int:
        change = value - base
        if base == 0:
            return change, None
        num, den = abs(change) * 10000, abs(base)
        q, r = divmod(num, den)
        if 2 * r >= den:
            q += 1
        n = q if (change < 0) == (base < 0) else -q
        return change, (n // 100 if n % 100 == 0 else n / 100)
    exact = Decimal(value) - Decimal(base)
    served = json_number(exact)
    assert served is not None
    return served, json_number(_percent(exact, Decimal(base)))


@lru_cache(maxsize=4096)
def _dims_items(key: str) -> tuple[tuple[str, str], ...]:
    """The (name, member) pairs of a dims key, parsed once per key (a page repeats a handful of keys)."""
    pairs = []
    for part in key.split(";"):
        if part:
            name, member = part.split("=", 1)
            pairs.append((name, member))
    return tuple(pairs)


def _dims(key: str) -> dict[str, str]:
    return dict(_dims_items(key))


def _percent(change: Decimal | None, base: Decimal | None) -> Decimal | None:
    if change is None or base is None or base == 0:
        return None
    return (Decimal(change) * 100 / Decimal(base)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def delta_dict(r: Any) -> dict[str, Any]:
    """The served shape of one delta row (see the module docstring); ``r`` starts with ``DELTA_COLUMNS``.

    A delta has a change when it has a base and the definition did not
    change; it is ``value − base_value`` on the two exact values returned, so
    it always equals the difference of the figures shown.
    """
    (publisher_id, metric, key, year, value, qualifier, report_id, _fmt, conflict, prev_year, base_year, base_value,
     base_qualifier, base_report_id, _base_fmt, base_conflict, definition_changed) = r[:17]
    value, base_value = exact(value), exact(base_value)
    change: int | float | None = None
    percent: int | float | None = None
    if base_year is not None and not definition_changed:
        assert value is not None and base_value is not None
        change, percent = _change_and_percent(value, base_value)
    return {
        "publisher_id": publisher_id, "metric": metric, "dims": dict(_dims_items(key)), "year": year,
        "value": served(value), "qualifier": qualifier, "base_year": base_year, "base_value": served(base_value),
        "change": change, "percent_change": percent,
        "gap_years": list(range(prev_year + 1, year)) if prev_year is not None and prev_year < year - 1 else [],
        "approx": qualifier == "approx" or (base_year is not None and base_qualifier == "approx"),
        "definition_changed": bool(definition_changed),
        "conflict": bool(conflict) or bool(base_conflict),
        "report_id": report_id, "base_report_id": base_report_id,
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


_delta_listings = _Lru(256)  # (database, data version, filter) → (listing, statement)
_DELTA_ROWS = RawRows(lambda rows: [delta_dict(r) for r in rows])


def _delta_listing(conn: Connection, f: DeltaFilter) -> tuple[Listing, Select[Any]]:
    """The listing and statement of a filter, built once per data version (validated when first built).

    Building the statement costs about as much as running it for a page of a
    thousand rows; a cached statement also lets ``_page`` run the first page
    as precompiled SQL through the driver (``RawRows``), whose values
    ``delta_dict`` reads as they come.
    """
    key = (conn.engine, dictionary(conn).version, f)
    found: tuple[Listing, Select[Any]] | None = _delta_listings.get(key)
    if found is None:
        found = _listing(_delta_select(conn, f))
        _delta_listings.put(key, found)
    return found


def deltas_filtered(conn: Connection, f: DeltaFilter, *, sort: SortSpec | None = None, limit: int = 100,
                    after: str | None = None) -> Page:
    listing, stmt = _delta_listing(conn, f)
    return _page(conn, listing, stmt, sort, limit, after, delta_dict, reuse=True, raw=_DELTA_ROWS)


def count_deltas(conn: Connection, f: DeltaFilter) -> int:
    """How many deltas ``f`` lists: one per asked point, so the points are counted without their bases."""
    _check_mode(f.mode)
    point = SP.alias("c")
    return int(conn.execute(select(func.count()).select_from(point).where(*_point_conds(conn, f, point.c)))
               .scalar_one())


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

_ranking_stmts = _Lru(256)  # (database, data version, filter, by, order, min_base, sign, limit) → statement


def _ranking_select(conn: Connection, f: DeltaFilter, *, by: str, order: str, min_base: Decimal, sign: int,
                    limit: int) -> Select[Any]:
    """The top ``limit`` of a ranking: ``DELTA_COLUMNS``, then rank, total, publisher name, level, province.

    What is ranked is a narrow pool of (publisher, key) pairs, so the window
    sorts two columns, not whole rows.  A value needs no base, so a ranking by
    value ranks the points alone; a change needs the base of every point.
    Either way the top rows alone are then read in full, joined with their
    bases and with their publishers.
    """
    pool: Select[Any]
    if by == "value" and not sign:
        p = SP.alias("p")
        pool = select(p.c.publisher_id, p.c.value.label("key")).where(*_point_conds(conn, f, p.c))
    else:
        d = _delta_select(conn, f, ranking=True).subquery("d")
        key = {"value": d.c.value, "change": d.c.change, "percent_change": d.c.percent_sort}[by]
        conds: list[ColumnElement[bool]] = [key.is_not(None)]
        if by == "percent_change":
            conds.append(d.c.base_value >= min_base)
        if sign:
            conds.append(d.c.change > 0 if sign > 0 else d.c.change < 0)
        pool = select(d.c.publisher_id, key.label("key")).where(*conds)
    keyed = pool.subquery("pool")
    ordered = keyed.c.key.desc() if order == "desc" else keyed.c.key.asc()
    ranked = select(keyed.c.publisher_id, func.rank().over(order_by=ordered).label("rank"),
                    func.count().over().label("total")).subquery("ranked")
    top = select(ranked).order_by(ranked.c.rank, ranked.c.publisher_id).limit(limit).subquery("top")
    c = SP.alias("c")
    points = (select(c, top.c.rank, top.c.total).join(top, top.c.publisher_id == c.c.publisher_id)
              .where(*_point_conds(conn, f, c.c)).subquery("points"))
    page = _delta_select(conn, f, points=points).add_columns(points.c.rank, points.c.total).subquery("page")
    return (select(page, PUB.c.name, PUB.c.level, PUB.c.province)
            .join(PUB, PUB.c.id == page.c.publisher_id).order_by(page.c.rank, page.c.publisher_id))


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
    key = (conn.engine, dictionary(conn).version, f, by, order, min_base, sign, limit)
    stmt: Select[Any] | None = _ranking_stmts.get(key)
    if stmt is None:
        stmt = _ranking_select(conn, f, by=by, order=order, min_base=min_base, sign=sign, limit=limit)
        _ranking_stmts.put(key, stmt)
    rows = conn.execute(stmt).all()
    n = len(DELTA_COLUMNS)
    items = [{"rank": int(r[n]), "publisher": {"id": r[0], "name": r[n + 2], "level": r[n + 3],
                                               "province": r[n + 4]}, **delta_dict(r)} for r in rows]
    return (int(rows[0][n + 1]) if rows else 0), items


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
            "min_base": json_number(base), "total": total, "items": items}


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
            "min_base": json_number(base), "up": up, "down": down}
