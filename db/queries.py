"""The query layer: every read the APIs make, as plain dicts.

GraphQL resolvers and REST handlers both call these functions and never build
SQL themselves, so the two APIs cannot drift apart.  Lists use keyset
pagination on stable keys (an opaque cursor encodes the sort and the last key
seen), which stays correct while reports are being added.  The batch functions
(``*_by_*``) take many keys and answer with one statement, for GraphQL's
per-request DataLoaders.

Input the caller could get wrong (an unknown metric code, a cursor from
another list) raises ``QueryError`` with a stable ``code``: REST turns it into
a problem document and GraphQL into an error with ``extensions.code``, so both
APIs reject the same input with the same code.
"""

from __future__ import annotations

import base64
import difflib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Integer, Select, Table, and_, false, func, literal, or_, select, tuple_
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from db import crossyear
from db.loader import cached_data_version
from db.models import (
    DIM_COLUMNS,
    Category,
    Check,
    DimensionMember,
    Metric,
    Observation,
    Publisher,
    PublisherName,
    Report,
    Section,
    Statement,
    dims_key,
)
from db.numbers import driver_number, json_number

MAX_LIMIT = 1000
YEAR_MIN, YEAR_MAX = 1900, 2100
OBSERVATION_STATUSES = ("reported", "derived", "computed")
CHECK_RESULTS = ("pass", "fail", "inconclusive", "not_applicable")
FREE_TEXT_MEMBER = "*"  # dimension_member row meaning "any text" (subunit)


def _table(model: type[SQLModel]) -> Table:
    """The Core table of a sqlmodel class (typed, so the query code needs no ignores)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


PUB = _table(Publisher)
PUBNAME = _table(PublisherName)
REP = _table(Report)
SEC = _table(Section)
OBS = _table(Observation)
STM = _table(Statement)
CHK = _table(Check)
MET = _table(Metric)
CAT = _table(Category)
DIM = _table(DimensionMember)


class QueryError(ValueError):
    """A request the query layer cannot answer as asked (bad cursor, unknown code, missing row).

    ``status`` is the HTTP status REST answers with; ``extra`` members (such
    as suggestions for a misspelt code) are copied into the problem document.
    """

    def __init__(self, message: str, code: str = "bad_request", status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.extra = extra


# --- cursors and sorting ------------------------------------------------------

def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = orjson.loads(raw)
    except Exception as exc:
        raise QueryError(f"malformed cursor {cursor[:40]!r}: pass back the 'next' value unchanged",
                         "invalid_cursor") from exc
    if not isinstance(key, list):
        raise QueryError(f"malformed cursor {cursor[:40]!r}: pass back the 'next' value unchanged", "invalid_cursor")
    return key


SortSpec = tuple[tuple[str, bool], ...]  # (sort key, descending)


@dataclass(frozen=True)
class Listing:
    """A paginated list: its sort keys (name → column), default order and tiebreak.

    The API layers read ``sort_keys`` to validate and document ``sort=`` /
    ``orderBy``; every order ends with the row id, so pages never overlap.
    """

    name: str
    sort_keys: Mapping[str, ColumnElement[Any]]
    default: SortSpec
    tiebreak: ColumnElement[Any]

    def order(self, sort: SortSpec | None) -> list[tuple[ColumnElement[Any], bool]]:
        spec = sort or self.default
        cols: list[tuple[ColumnElement[Any], bool]] = []
        seen: set[str] = set()
        for key, desc in spec:
            if key not in self.sort_keys:
                raise QueryError(f"cannot sort {self.name} by {key!r}; sort keys: {', '.join(self.sort_keys)}",
                                 "invalid_sort")
            if key in seen:
                raise QueryError(f"sort key {key!r} given twice", "invalid_sort")
            seen.add(key)
            cols.append((self.sort_keys[key], desc))
        if not any(c is self.tiebreak for c, _ in cols):
            cols.append((self.tiebreak, False))
        return cols

    def signature(self, sort: SortSpec | None) -> str:
        spec = sort or self.default
        return self.name + ":" + ",".join(("-" if d else "") + k for k, d in spec)


@dataclass
class Page:
    """One page of a list: its items, the cursor of each item, and the cursor of the next page (or None).

    Item cursors are encoded only when read (GraphQL edges need them, a REST
    page needs only ``next_cursor``): ``keys`` holds each item's sort-key
    values and ``signature`` the list and sort they belong to.
    """

    items: list[dict[str, Any]]
    next_cursor: str | None
    keys: Sequence[Sequence[Any]] = ()
    signature: str = ""
    _cursors: list[str] | None = field(default=None, repr=False)

    @property
    def cursors(self) -> list[str]:
        if self._cursors is None:
            self._cursors = [encode_cursor([self.signature, *k]) for k in self.keys]
        return self._cursors


def _check_key_value(col: ColumnElement[Any], value: Any) -> None:
    if isinstance(col.type, Integer):
        ok = isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31
    else:
        ok = isinstance(value, str) and len(value) <= 512
    if not ok:
        raise QueryError("cursor does not belong to this list: pass back the 'next' value unchanged",
                         "invalid_cursor")


def _keyset(stmt: Select[Any], cols: list[tuple[ColumnElement[Any], bool]], key: list[Any]) -> Select[Any]:
    # (a, b, c) after (ka, kb, kc) in the given directions, written portably
    conds = []
    for i, (col, desc) in enumerate(cols):
        eqs = [cols[j][0] == key[j] for j in range(i)]
        conds.append(and_(*eqs, col < key[i] if desc else col > key[i]))
    return stmt.where(or_(*conds))


def check_limit(limit: int, maximum: int = MAX_LIMIT) -> None:
    if limit < 1 or limit > maximum:
        raise QueryError(f"limit must be between 1 and {maximum}, got {limit}; follow 'next' for more rows",
                         "limit_out_of_range", maximum=maximum)


class _Lru:
    """A small thread-safe LRU for built statements (immutable, so safe to share between requests)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: dict[Any, Any] = {}
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            value = self.data.pop(key, None)
            if value is not None:
                self.data[key] = value
            return value

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                del self.data[next(iter(self.data))]


_first_pages = _Lru(256)  # (cached statement, sort signature, limit) → the first page's ordered, limited statement


def _page(conn: Connection, listing: Listing, stmt: Select[Any], sort: SortSpec | None, limit: int,
          after: str | None, to_dict: Callable[[Any], dict[str, Any]], *, reuse: bool = False,
          raw: RawRows | None = None) -> Page:
    """One page of ``stmt``.  ``reuse``: ``stmt`` is itself cached, so its first pages may be cached too, and
    run through ``raw`` when given."""
    check_limit(limit)
    cols = listing.order(sort)
    sig = listing.signature(sort)
    if not after and reuse:
        cache_key = (stmt, sig, limit)
        keyed = _first_pages.get(cache_key)
        if keyed is None:
            keyed = stmt.add_columns(*[c.label(f"_k{i}") for i, (c, _) in enumerate(cols)])
            keyed = keyed.order_by(*[c.desc() if d else c.asc() for c, d in cols]).limit(limit + 1)
            _first_pages.put(cache_key, keyed)
        return _run_page(conn, keyed, sig, len(cols), limit, to_dict, raw)
    if after:
        key = decode_cursor(after)
        if len(key) != len(cols) + 1 or key[0] != sig:
            raise QueryError("cursor does not belong to this list or sort order: pass back the 'next' value "
                             "of the same query unchanged", "invalid_cursor")
        for (col, _), value in zip(cols, key[1:], strict=True):
            _check_key_value(col, value)
        stmt = _keyset(stmt, cols, key[1:])
    keyed = stmt.add_columns(*[c.label(f"_k{i}") for i, (c, _) in enumerate(cols)])
    keyed = keyed.order_by(*[c.desc() if d else c.asc() for c, d in cols]).limit(limit + 1)
    return _run_page(conn, keyed, sig, len(cols), limit, to_dict)


def _run_page(conn: Connection, keyed: Select[Any], sig: str, n_keys: int, limit: int,
              to_dict: Callable[[Any], dict[str, Any]], raw: RawRows | None = None) -> Page:
    rows: Sequence[Any] = conn.execute(keyed).all() if raw is None else raw.fetch(conn, keyed)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [to_dict(r) for r in rows] if raw is None else raw.items(rows)
    # the sort keys are the last columns of each row (``_k0`` …)
    keys = [tuple(r)[-n_keys:] for r in rows]
    return Page(items, encode_cursor([sig, *keys[-1]]) if more and rows else None, keys, sig)


class RawRows:
    """The hot-path way to run a cached statement: compiled once, run through the driver, rows as tuples.

    A list page that every dashboard polls should cost its SQL and little
    else.  SQLAlchemy's ``execute`` spends more than the SQL itself on a
    100-row page (cache-key generation, result processors turning every
    NUMERIC into a ``Decimal`` and every JSON cell through the stdlib), so a
    list whose statement is already cached (``_page(..., reuse=True)``) is
    compiled once per dialect into SQL text and bound values, and its rows
    are turned into dicts by column position (``items``), from the values
    the driver returns on SQLite and PostgreSQL alike.
    """

    def __init__(self, items: Callable[[Sequence[Any]], list[dict[str, Any]]]) -> None:
        self.items = items
        self.compiled = _Lru(512)  # (dialect, statement) → (SQL text, bound values)

    def fetch(self, conn: Connection, stmt: Select[Any]) -> Sequence[Any]:
        key = (conn.dialect.name, stmt)
        entry = self.compiled.get(key)
        if entry is None:
            compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            params = compiled.construct_params()
            args: Any = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
            entry = (compiled.string, args)
            self.compiled.put(key, entry)
        return conn.exec_driver_sql(entry[0], entry[1]).all()


def _count(conn: Connection, stmt: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


def _year_filter(col: ColumnElement[Any], year: int | None, year_range: tuple[int, int] | None) -> list[Any]:
    conds: list[Any] = []
    if year is not None:
        check_year(year)
        conds.append(col == year)
    if year_range is not None:
        lo, hi = year_range
        check_year(lo)
        check_year(hi)
        if lo > hi:
            raise QueryError(f"year range {lo}:{hi} runs backwards; write LOW:HIGH, e.g. {hi}:{lo}",
                             "invalid_year_range")
        conds.append(col.between(lo, hi))
    return conds


def check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise QueryError(f"year {year} is out of range; use a year between {YEAR_MIN} and {YEAR_MAX}",
                         "invalid_year_range")


# --- the dictionary (metric codes and dimensions), cached per data version ------

@dataclass(frozen=True)
class Dictionary:
    """The metric codes and dimension members, as loaded in the database.

    The APIs validate codes against this (never against a copy in the code),
    and CSV takes its dimension columns and metric labels from it.
    """

    version: str
    metrics: Mapping[str, Mapping[str, Any]]
    dimensions: Mapping[str, tuple[str, ...]]  # name → member codes in dictionary order

    def is_free_text(self, dimension: str) -> bool:
        return FREE_TEXT_MEMBER in self.dimensions.get(dimension, ())

    def check_metrics(self, codes: Iterable[str]) -> None:
        for code in codes:
            if code not in self.metrics:
                close = difflib.get_close_matches(code, list(self.metrics), n=5, cutoff=0.6)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise QueryError(f"unknown metric code {code!r}{hint}; the metric codes are listed at /api/v1/metrics",
                                 "unknown_metric", suggestions=close, list="/api/v1/metrics")

    def check_dims(self, dims: Mapping[str, str]) -> None:
        for name, value in dims.items():
            if name not in self.dimensions:
                raise QueryError(f"unknown dimension {name!r}; dimensions: {', '.join(self.dimensions)}",
                                 "unknown_dimension", list="/api/v1/dimensions")
            if self.is_free_text(name):
                if not value or len(value) > 128:
                    raise QueryError(f"dimension {name!r} takes a text of 1 to 128 characters",
                                     "unknown_dimension_member")
                continue
            members = self.dimensions[name]
            if value not in members:
                close = difflib.get_close_matches(value, list(members), n=5, cutoff=0.6)
                raise QueryError(f"{value!r} is not a member of dimension {name!r}; members: {', '.join(members)}",
                                 "unknown_dimension_member", suggestions=close, list="/api/v1/dimensions")


_dictionary_cache: dict[tuple[str, str], Dictionary] = {}
_dictionary_lock = threading.Lock()


def dictionary(conn: Connection, version: str | None = None) -> Dictionary:
    """The dictionary for this database, read once per data version."""
    version = version if version is not None else cached_data_version(conn)
    key = (str(conn.engine.url), version)
    with _dictionary_lock:
        cached = _dictionary_cache.get(key)
    if cached is not None:
        return cached
    metrics = {m["code"]: m for m in list_metrics(conn)}
    dims: dict[str, list[str]] = {}
    for name, member in conn.execute(select(DIM.c.dimension, DIM.c.member).order_by(DIM.c.sort)).all():
        dims.setdefault(name, []).append(member)
    result = Dictionary(version, metrics, {k: tuple(v) for k, v in dims.items()})
    with _dictionary_lock:
        if len(_dictionary_cache) > 32:
            _dictionary_cache.clear()
        _dictionary_cache[key] = result
    return result


# --- publishers ----------------------------------------------------------------

PUBLISHERS = Listing("publishers", {"name": PUB.c.name, "level": PUB.c.level, "id": PUB.c.id},
                     (("name", False),), PUB.c.id)


def _publisher_dict(p: Any) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "level": p.level, "province": p.province, "region_code": p.region_code,
            "parent_id": p.parent_id}


def _publishers_stmt(level: str | None, province: str | None, parent: str | None,
                     name_contains: str | None) -> Select[Any]:
    stmt = select(PUB)
    if level:
        stmt = stmt.where(PUB.c.level == level)
    if province:
        stmt = stmt.where(PUB.c.province == province)
    if parent:
        stmt = stmt.where(PUB.c.parent_id == parent)
    if name_contains:
        # a publisher is found by any name it has printed, not only its canonical one
        former = select(PUBNAME.c.publisher_id).where(PUBNAME.c.name.contains(name_contains, autoescape=True))
        stmt = stmt.where(or_(PUB.c.name.contains(name_contains, autoescape=True), PUB.c.id.in_(former)))
    return stmt


def list_publishers(conn: Connection, *, level: str | None = None, province: str | None = None,
                    parent: str | None = None, name_contains: str | None = None, sort: SortSpec | None = None,
                    limit: int = 100, after: str | None = None) -> Page:
    stmt = _publishers_stmt(level, province, parent, name_contains)
    return _page(conn, PUBLISHERS, stmt, sort, limit, after, _publisher_dict)


def count_publishers(conn: Connection, *, level: str | None = None, province: str | None = None,
                     parent: str | None = None, name_contains: str | None = None) -> int:
    return _count(conn, _publishers_stmt(level, province, parent, name_contains))


def publishers_by_ids(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = conn.execute(select(PUB).where(PUB.c.id.in_(list(set(ids))))).all()
    return {r.id: _publisher_dict(r) for r in rows}


def publisher_names_by_publisher(conn: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The names each publisher printed on its reports, oldest first (its name history)."""
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    rows = conn.execute(select(PUBNAME).where(PUBNAME.c.publisher_id.in_(list(set(ids))))
                        .order_by(PUBNAME.c.publisher_id, PUBNAME.c.first_year, PUBNAME.c.name)).all()
    for r in rows:
        out.setdefault(r.publisher_id, []).append({"name": r.name, "first_year": r.first_year,
                                                   "last_year": r.last_year})
    return out


def publisher_children_by_publisher(conn: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    rows = conn.execute(select(PUB).where(PUB.c.parent_id.in_(list(set(ids))))
                        .order_by(PUB.c.name, PUB.c.id)).all()
    for r in rows:
        out.setdefault(r.parent_id, []).append(_publisher_dict(r))
    return out


def get_publisher(conn: Connection, publisher_id: str) -> dict[str, Any] | None:
    """One publisher with its parent, name history, children and reports."""
    found = publishers_by_ids(conn, [publisher_id]).get(publisher_id)
    if found is None:
        return None
    pub = dict(found)
    parent = publishers_by_ids(conn, [pub["parent_id"]]).get(pub["parent_id"]) if pub["parent_id"] else None
    pub["parent"] = ({"id": parent["id"], "name": parent["name"], "level": parent["level"]} if parent else None)
    pub["names"] = publisher_names_by_publisher(conn, [publisher_id])[publisher_id]
    pub["children"] = [{"id": c["id"], "name": c["name"], "level": c["level"]}
                       for c in publisher_children_by_publisher(conn, [publisher_id])[publisher_id]]
    pub["reports"] = [{"id": r["id"], "year": r["year"], "format": r["format"], "title": r["title"]}
                      for r in reports_by_publisher(conn, [publisher_id])[publisher_id]]
    return pub


# --- reports ---------------------------------------------------------------------

REPORTS = Listing("reports", {"year": REP.c.year, "publisher": REP.c.publisher_id, "format": REP.c.format,
                              "id": REP.c.id}, (("year", False),), REP.c.id)

REPORT_COLS = [REP.c.id, REP.c.publisher_id, REP.c.year, REP.c.format, REP.c.title, REP.c.printed_publisher,
               REP.c.source_path, REP.c.source_url, REP.c.sha256, REP.c.published, REP.c.index_number,
               REP.c.media_type, PUB.c.name.label("publisher_name"), PUB.c.level]


def _report_dict(r: Any) -> dict[str, Any]:
    return {
        "id": r.id, "year": r.year, "format": r.format, "title": r.title,
        "publisher": {"id": r.publisher_id, "name": r.publisher_name, "level": r.level},
        "printed_publisher": r.printed_publisher,
        "source": {"path": r.source_path, "url": r.source_url, "sha256": r.sha256, "published": r.published,
                   "index_number": r.index_number, "media_type": r.media_type},
    }


def _reports_stmt(publisher: str | None, year: int | None, year_range: tuple[int, int] | None,
                  fmt: str | None) -> Select[Any]:
    stmt = select(*REPORT_COLS).join(PUB, PUB.c.id == REP.c.publisher_id)
    if publisher:
        stmt = stmt.where(REP.c.publisher_id == publisher)
    stmt = stmt.where(*_year_filter(REP.c.year, year, year_range))
    if fmt:
        stmt = stmt.where(REP.c.format == fmt)
    return stmt


def list_reports(conn: Connection, *, publisher: str | None = None, year: int | None = None,
                 year_range: tuple[int, int] | None = None, fmt: str | None = None, sort: SortSpec | None = None,
                 limit: int = 100, after: str | None = None) -> Page:
    return _page(conn, REPORTS, _reports_stmt(publisher, year, year_range, fmt), sort, limit, after, _report_dict)


def count_reports(conn: Connection, *, publisher: str | None = None, year: int | None = None,
                  year_range: tuple[int, int] | None = None, fmt: str | None = None) -> int:
    return _count(conn, _reports_stmt(publisher, year, year_range, fmt))


def reports_by_ids(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = conn.execute(select(*REPORT_COLS).join(PUB, PUB.c.id == REP.c.publisher_id)
                        .where(REP.c.id.in_(list(set(ids))))).all()
    return {r.id: _report_dict(r) for r in rows}


def get_report(conn: Connection, report_id: str) -> dict[str, Any] | None:
    return reports_by_ids(conn, [report_id]).get(report_id)


def reports_by_publisher(conn: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Every report of each publisher, by year (a publisher has one report a year)."""
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    rows = conn.execute(select(*REPORT_COLS).join(PUB, PUB.c.id == REP.c.publisher_id)
                        .where(REP.c.publisher_id.in_(list(set(ids)))).order_by(REP.c.year, REP.c.id)).all()
    for r in rows:
        out.setdefault(r.publisher_id, []).append(_report_dict(r))
    return out


def report_pages_by_publisher(conn: Connection, ids: Sequence[str], *, limit: int, after: str | None,
                              year: int | None = None, year_range: tuple[int, int] | None = None
                              ) -> dict[str, Page]:
    """One page of reports (oldest first) for each of many publishers, in one statement.

    A window function numbers each publisher's reports, so the nested
    ``publisher { reports(first: n) }`` connection of many publishers is
    answered by a single query whatever the number of publishers.
    """
    check_limit(limit, 100)
    sig = REPORTS.signature(None)
    stmt = _reports_stmt(None, year, year_range, None).where(REP.c.publisher_id.in_(list(set(ids))))
    if after:
        key = decode_cursor(after)
        if len(key) != 3 or key[0] != sig:
            raise QueryError("cursor does not belong to this list", "invalid_cursor")
        _check_key_value(REP.c.year, key[1])
        _check_key_value(REP.c.id, key[2])
        stmt = _keyset(stmt, [(REP.c.year, False), (REP.c.id, False)], key[1:])
    rn = func.row_number().over(partition_by=REP.c.publisher_id, order_by=(REP.c.year, REP.c.id)).label("rn")
    inner = stmt.add_columns(rn).subquery()
    rows = conn.execute(select(inner).where(inner.c.rn <= limit + 1)
                        .order_by(inner.c.publisher_id, inner.c.rn)).all()
    grouped: dict[str, list[Any]] = {i: [] for i in ids}
    for r in rows:
        grouped.setdefault(r.publisher_id, []).append(r)
    out: dict[str, Page] = {}
    for pid, prow in grouped.items():
        more = len(prow) > limit
        prow = prow[:limit]
        keys = [(r.year, r.id) for r in prow]
        out[pid] = Page([_report_dict(r) for r in prow], encode_cursor([sig, *keys[-1]]) if more and prow else None,
                        keys, sig)
    return out


def report_text(conn: Connection, report_id: str) -> str | None:
    return report_texts(conn, [report_id]).get(report_id)


def report_texts(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    return {r.id: r.text for r in conn.execute(select(REP.c.id, REP.c.text).where(REP.c.id.in_(list(set(ids)))))}


# --- sections ----------------------------------------------------------------------

def _section_tree(rows: Iterable[Any], text: str | None) -> list[dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for s in rows:
        node: dict[str, Any] = {"id": s.id, "report_id": s.report_id, "number": s.number,
                                "inferred_number": s.inferred_number, "title": s.title, "depth": s.depth,
                                "start": s.start, "end": s.end, "children": []}
        if text is not None:
            node["text"] = text[s.start:s.end]
        nodes[s.id] = node
        parent = nodes.get(s.parent_id) if s.parent_id else None
        (parent["children"] if parent is not None else roots).append(node)
    return roots


def sections_by_report(conn: Connection, report_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The section tree (without text) of each report, in one statement."""
    rows = conn.execute(select(SEC).where(SEC.c.report_id.in_(list(set(report_ids))))
                        .order_by(SEC.c.report_id, SEC.c.ordinal)).all()
    by_report: dict[str, list[Any]] = {r: [] for r in report_ids}
    for r in rows:
        by_report.setdefault(r.report_id, []).append(r)
    return {rid: _section_tree(rs, None) for rid, rs in by_report.items()}


def report_sections(conn: Connection, report_id: str, *, with_text: bool = True) -> list[dict[str, Any]]:
    """The section tree of one report (roots with nested children), with each section's text."""
    text = report_text(conn, report_id) if with_text else None
    rows = conn.execute(select(SEC).where(SEC.c.report_id == report_id).order_by(SEC.c.ordinal)).all()
    return _section_tree(rows, text)


def section_report_ids(conn: Connection, section_ids: Sequence[str]) -> dict[str, str]:
    rows = conn.execute(select(SEC.c.id, SEC.c.report_id).where(SEC.c.id.in_(list(set(section_ids))))).all()
    return {r.id: r.report_id for r in rows}


# --- observations ----------------------------------------------------------------------

def _dims_of(key: str) -> dict[str, str]:
    return {k: v for k, v in (p.split("=", 1) for p in key.split(";") if p)}


OBS_COLS = [*OBS.c, SEC.c.title.label("section_title")]


def _observation_dict(o: Any) -> dict[str, Any]:
    return {
        "id": o.id, "report_id": o.report_id, "publisher_id": o.publisher_id, "year": o.year,
        "metric": o.metric, "dims": _dims_of(o.dims_key), "value": json_number(o.value), "unit": o.unit,
        "qualifier": o.qualifier, "status": o.status,
        "candidates": [json_number(Decimal(c)) for c in o.candidates] if o.candidates else None,
        "label": o.label, "note": o.note,
        "provenance": {"section": o.section_id, "section_title": o.section_title, "quote": o.quote,
                       "start": o.start, "end": o.end},
    }


def _raw_candidates(v: Any) -> list[Any] | None:
    if isinstance(v, (str, bytes)):  # SQLite stores JSON as text; psycopg parses it
        v = orjson.loads(v)
    return [json_number(Decimal(c)) for c in v] if v else None


def _observation_items(columns: Sequence[str]) -> Callable[[Sequence[Any]], list[dict[str, Any]]]:
    """``_observation_dict`` by column position, for rows straight from the driver (see ``RawRows``)."""
    at = {name: i for i, name in enumerate(columns)}
    (i_id, i_rep, i_pub, i_year, i_metric, i_dims, i_value, i_unit, i_qual, i_status, i_cand, i_label, i_note,
     i_sec, i_title, i_quote, i_start, i_end) = (at[n] for n in (
         "id", "report_id", "publisher_id", "year", "metric", "dims_key", "value", "unit", "qualifier", "status",
         "candidates", "label", "note", "section_id", "section_title", "quote", "start", "end"))
    dims_cache: dict[str, dict[str, str]] = {}

    def items(rows: Sequence[Any]) -> list[dict[str, Any]]:
        out = []
        for o in rows:
            key = o[i_dims]
            dims = dims_cache.get(key)
            if dims is None:
                dims = dims_cache.setdefault(key, _dims_of(key)) if len(dims_cache) < 4096 else _dims_of(key)
            cand = o[i_cand]
            out.append({
                "id": o[i_id], "report_id": o[i_rep], "publisher_id": o[i_pub], "year": o[i_year],
                "metric": o[i_metric], "dims": dict(dims), "value": driver_number(o[i_value]), "unit": o[i_unit],
                "qualifier": o[i_qual], "status": o[i_status],
                "candidates": _raw_candidates(cand) if cand is not None else None,
                "label": o[i_label], "note": o[i_note],
                "provenance": {"section": o[i_sec], "section_title": o[i_title], "quote": o[i_quote],
                               "start": o[i_start], "end": o[i_end]},
            })
        return out
    return items


_OBSERVATION_ROWS = RawRows(_observation_items([c.key for c in OBS_COLS]))


@dataclass(frozen=True)
class ObservationFilter:
    """Which observations to return; hashable, so it can be part of a DataLoader key.

    ``totals_by_default``: a dimension that is not asked for must be absent or
    ``total`` (and ``subunit``/``period`` absent), so a list never mixes a
    total with its parts.  Observations inside one report are listed as
    printed, breakdowns included, unless the caller asks otherwise.
    """

    metrics: tuple[str, ...] = ()
    publisher: str | None = None
    year: int | None = None
    year_range: tuple[int, int] | None = None
    dims: tuple[tuple[str, str], ...] = ()
    status: str | None = None
    include_uncoded: bool = True
    totals_by_default: bool = True

    @staticmethod
    def of(*, metrics: Iterable[str] | None = None, publisher: str | None = None, year: int | None = None,
           year_range: tuple[int, int] | None = None, dims: Mapping[str, str] | None = None,
           status: str | None = None, include_uncoded: bool = True,
           totals_by_default: bool = True) -> ObservationFilter:
        return ObservationFilter(tuple(dict.fromkeys(metrics or ())), publisher, year, year_range,
                                 tuple(sorted((dims or {}).items())), status, include_uncoded, totals_by_default)


def _dims_key_has(element: str) -> ColumnElement[bool]:
    wrapped = literal(";") + OBS.c.dims_key + literal(";")
    return wrapped.contains(f";{element};", autoescape=True)


def _dims_key_mentions(name: str) -> ColumnElement[bool]:
    wrapped = literal(";") + OBS.c.dims_key
    return wrapped.contains(f";{name}=", autoescape=True)


def _totals_keys(d: Dictionary, metrics: Iterable[str], asked: Mapping[str, str]) -> dict[str, list[str]]:
    """The exact ``dims_key`` of each metric's figures for ``asked`` (every other dimension ``total``): key → metrics.

    Every stored figure has its dimensions completed to ``total``
    (``ingest.dictionary.Dictionary.complete_dims``), so "the totals, or the
    asked breakdown" of a metric is one key, an equality the index serves.  A
    metric that lacks an asked dimension has no such figures and is left out.
    """
    keys: dict[str, list[str]] = {}
    for metric in metrics:
        own = d.metrics[metric]["dims"]
        if any(name not in own and name not in OPTIONAL_DIMS for name in asked):
            continue
        full = {name: asked.get(name, "total") for name in own}
        full.update({name: asked[name] for name in OPTIONAL_DIMS if name in asked})
        keys.setdefault(dims_key(full), []).append(metric)
    return keys


OPTIONAL_DIMS = ("subunit", "period")  # ingest.dictionary.OPTIONAL_DIMENSIONS: present only when not the whole


def _observation_conditions(conn: Connection, f: ObservationFilter, *, exact_keys: bool = True,
                            d: Dictionary | None = None) -> list[Any]:
    """The WHERE terms of an observation filter.

    Totals of given metrics (the list's usual request) filter on the exact
    ``dims_key`` of each metric; otherwise each dimension is tested on its own
    (absent or ``total``), which ``exact_keys=False`` forces (tests compare the two).
    """
    conds: list[Any] = []
    if f.metrics or f.dims:
        d = d or dictionary(conn)
        d.check_metrics(f.metrics)
        d.check_dims(dict(f.dims))
        dimension_names: Iterable[str] = d.dimensions
        if exact_keys and f.metrics and f.totals_by_default:
            keys = _totals_keys(d, f.metrics, dict(f.dims))
            return [*_observation_plain_conditions(f, metrics=False), _keys_condition(keys) if keys else false()]
    else:
        dimension_names = (d or dictionary(conn)).dimensions if f.totals_by_default else ()
    conds.extend(_observation_plain_conditions(f, metrics=True))
    asked = dict(f.dims)
    for name in dimension_names:
        column = OBS.c[name] if name in DIM_COLUMNS else None
        if name in asked:
            conds.append(column == asked[name] if column is not None else _dims_key_has(f"{name}={asked[name]}"))
        elif not f.totals_by_default:
            continue
        elif name in ("subunit", "period"):
            # a figure for part of the publisher, or a running total, only when asked for
            conds.append(column.is_(None) if column is not None else ~_dims_key_mentions(name))
        elif column is not None:
            conds.append(or_(column.is_(None), column == "total"))
        else:
            conds.append(or_(~_dims_key_mentions(name), _dims_key_has(f"{name}=total")))
    return conds


def _observation_plain_conditions(f: ObservationFilter, *, metrics: bool) -> list[Any]:
    """Every term but the dimensions (and the metrics, unless ``metrics``)."""
    if f.status is not None and f.status not in OBSERVATION_STATUSES:
        raise QueryError(f"unknown status {f.status!r}; statuses: {', '.join(OBSERVATION_STATUSES)}",
                         "invalid_parameter")
    conds: list[Any] = []
    if metrics and (not f.include_uncoded or f.totals_by_default):
        conds.append(OBS.c.metric.is_not(None))
    if metrics and f.metrics:
        conds.append(OBS.c.metric.in_(f.metrics))
    if f.publisher:
        conds.append(OBS.c.publisher_id == f.publisher)
    conds.extend(_year_filter(OBS.c.year, f.year, f.year_range))
    if f.status:
        conds.append(OBS.c.status == f.status)
    return conds


def _keys_condition(keys: Mapping[str, Sequence[str]]) -> ColumnElement[bool]:
    """``metric IN (…) AND dims_key = ?`` per distinct key (one term in the usual case)."""
    terms = [and_(OBS.c.metric == ms[0] if len(ms) == 1 else OBS.c.metric.in_(list(ms)), OBS.c.dims_key == key)
             for key, ms in sorted(keys.items())]
    return terms[0] if len(terms) == 1 else or_(*terms)


_observation_stmts = _Lru(256)  # (database, data version, filter) → statement


def _observations_stmt(conn: Connection, f: ObservationFilter) -> Select[Any]:
    """The statement of a filter, built once per data version (the filter is validated when first built)."""
    def base() -> Select[Any]:
        return select(*OBS_COLS).outerjoin(SEC, SEC.c.id == OBS.c.section_id)

    if not (f.metrics or f.dims or f.totals_by_default):
        return base().where(*_observation_conditions(conn, f))  # no dictionary needed: nothing worth caching
    d = dictionary(conn)
    key = (conn.engine.url, d.version, f)
    stmt = _observation_stmts.get(key)
    if stmt is None:
        stmt = base().where(*_observation_conditions(conn, f, d=d))
        _observation_stmts.put(key, stmt)
    return stmt


OBSERVATIONS = Listing("observations", {"year": OBS.c.year, "metric": OBS.c.metric, "publisher": OBS.c.publisher_id,
                                        "report": OBS.c.report_id, "status": OBS.c.status, "id": OBS.c.id},
                       (("year", False), ("publisher", False)), OBS.c.id)


def list_observations(conn: Connection, *, metrics: list[str] | None = None, publisher: str | None = None,
                      year: int | None = None, year_range: tuple[int, int] | None = None,
                      dims: dict[str, str] | None = None, status: str | None = None, sort: SortSpec | None = None,
                      limit: int = 100, after: str | None = None) -> Page:
    """Observations across reports: totals by default, a breakdown when a dimension is asked for."""
    f = ObservationFilter.of(metrics=metrics, publisher=publisher, year=year, year_range=year_range, dims=dims,
                             status=status)
    return list_observations_filtered(conn, f, sort=sort, limit=limit, after=after)


def list_observations_filtered(conn: Connection, f: ObservationFilter, *, sort: SortSpec | None = None,
                               limit: int = 100, after: str | None = None) -> Page:
    return _page(conn, OBSERVATIONS, _observations_stmt(conn, f), sort, limit, after, _observation_dict, reuse=True,
                 raw=_OBSERVATION_ROWS)


def count_observations(conn: Connection, f: ObservationFilter) -> int:
    return _count(conn, _observations_stmt(conn, f))


def observations_by_report(conn: Connection, report_ids: Sequence[str],
                           f: ObservationFilter = ObservationFilter(totals_by_default=False)
                           ) -> dict[str, list[dict[str, Any]]]:
    """The observations of many reports (document order), filtered alike, in one statement."""
    stmt = (_observations_stmt(conn, f).where(OBS.c.report_id.in_(list(set(report_ids))))
            .order_by(OBS.c.report_id, OBS.c.ordinal))
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in report_ids}
    for row in conn.execute(stmt).all():
        out.setdefault(row.report_id, []).append(_observation_dict(row))
    return out


def report_observations(conn: Connection, report_id: str, *, include_uncoded: bool = True,
                        metrics: list[str] | None = None, dims: dict[str, str] | None = None,
                        status: str | None = None) -> list[dict[str, Any]]:
    f = ObservationFilter.of(metrics=metrics, dims=dims, status=status, include_uncoded=include_uncoded,
                             totals_by_default=False)
    return observations_by_report(conn, [report_id], f)[report_id]


def observations_by_ids(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    stmt = select(*OBS_COLS).outerjoin(SEC, SEC.c.id == OBS.c.section_id).where(OBS.c.id.in_(list(set(ids))))
    return {r.id: _observation_dict(r) for r in conn.execute(stmt).all()}


def point_provenance(conn: Connection, keys: Sequence[tuple[str, str, str, int]]
                     ) -> dict[tuple[str, str, str, int], dict[str, Any]]:
    """The figure behind each series point: (report, metric, dims_key, year) → that observation.

    A point is the first figure its report prints for the key (by extraction
    order), the same choice ``db.crossyear.ranked_points`` makes, so the quote
    shown is the one the delta was computed from.
    """
    if not keys:
        return {}
    stmt = (select(*OBS_COLS).outerjoin(SEC, SEC.c.id == OBS.c.section_id)
            .where(tuple_(OBS.c.report_id, OBS.c.metric, OBS.c.dims_key, OBS.c.year).in_(list(set(keys))),
                   OBS.c.status == "reported", OBS.c.value.is_not(None))
            .order_by(OBS.c.ordinal, OBS.c.id))
    out: dict[tuple[str, str, str, int], dict[str, Any]] = {}
    for row in conn.execute(stmt).all():
        out.setdefault((row.report_id, row.metric, row.dims_key, row.year), _observation_dict(row))
    return out


def series(conn: Connection, *, publisher: str, metric: str, dims: Mapping[str, str] | None = None,
           year: int | None = None, year_range: tuple[int, int] | None = None,
           mode: str = "previous_year") -> dict[str, Any]:
    """One publisher's series of a metric, one point per year with its delta, and each point's provenance.

    The points, deltas, gaps and definition changes are ``db.deltas.series``
    (the year-over-year module); this adds the observation and quote behind
    each point, so a chart can cite its source.  Every figure as printed,
    restated or derived ones included, is in ``list_observations``.
    """
    from db import deltas  # the year-over-year layer builds on this module

    if year is not None:
        check_year(year)
        year_range = (max(year, year_range[0]), min(year, year_range[1])) if year_range else (year, year)
    result = deltas.series(conn, publisher=publisher, metric=metric, dims=dims, year_range=year_range, mode=mode)
    keys = [(p["report_id"], p["metric"], dims_key(p["dims"]), p["year"]) for p in result["points"]]
    found = point_provenance(conn, keys)
    for point, key in zip(result["points"], keys, strict=True):
        obs = found.get(key)
        point["observation_id"] = obs["id"] if obs else None
        point["provenance"] = obs["provenance"] if obs else None
    return result


# --- statements and checks ----------------------------------------------------------------

def _statement_dict(s: Any) -> dict[str, Any]:
    """A statement row selected by ``_statements_stmt``, with its stored verification (``db.crossyear``)."""
    return {"id": s.id, "report_id": s.report_id, "year": s.year, "metric": s.metric, "dims": _dims_of(s.dims_key),
            "base_year": s.base_year, "direction": s.direction, "delta": json_number(s.delta),
            "delta_unit": s.delta_unit,
            "qualifier": s.qualifier, "provenance": {"section": s.section_id, "quote": s.quote, "start": s.start,
                                                     "end": s.end},
            "verification": crossyear.verification_of(s)}


def _statements_stmt() -> Select[Any]:
    """Statements with what their verification needs, in the same statement (an outer join, one row each)."""
    return crossyear.with_verification(select(STM))


def statements_by_report(conn: Connection, report_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    rows = conn.execute(_statements_stmt().where(STM.c.report_id.in_(list(set(report_ids))))
                        .order_by(STM.c.report_id, STM.c.ordinal)).all()
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in report_ids}
    for s in rows:
        out.setdefault(s.report_id, []).append(_statement_dict(s))
    return out


def report_statements(conn: Connection, report_id: str) -> list[dict[str, Any]]:
    return statements_by_report(conn, [report_id])[report_id]


def statements_by_ids(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = conn.execute(_statements_stmt().where(STM.c.id.in_(list(set(ids))))).all()
    return {s.id: _statement_dict(s) for s in rows}


def _check_dict(c: Any) -> dict[str, Any]:
    return {"id": c.id, "report_id": c.report_id, "publisher_id": c.publisher_id, "year": c.year, "rule": c.rule,
            "result": c.result, "notable": c.notable, "detail": c.detail,
            "left": {"value": json_number(c.left_value), "source": c.left_source, "start": c.left_start,
                     "end": c.left_end},
            "right": {"value": json_number(c.right_value), "source": c.right_source, "start": c.right_start,
                      "end": c.right_end}}


def _check_result(result: str | None) -> None:
    if result is not None and result not in CHECK_RESULTS:
        raise QueryError(f"unknown check result {result!r}; results: {', '.join(CHECK_RESULTS)}",
                         "invalid_parameter")


def checks_by_report(conn: Connection, report_ids: Sequence[str], result: str | None = None
                     ) -> dict[str, list[dict[str, Any]]]:
    _check_result(result)
    stmt = select(CHK).where(CHK.c.report_id.in_(list(set(report_ids))))
    if result:
        stmt = stmt.where(CHK.c.result == result)
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in report_ids}
    for c in conn.execute(stmt.order_by(CHK.c.report_id, CHK.c.ordinal)).all():
        out.setdefault(c.report_id, []).append(_check_dict(c))
    return out


def report_checks(conn: Connection, report_id: str, result: str | None = None) -> list[dict[str, Any]]:
    return checks_by_report(conn, [report_id], result)[report_id]


def checks_by_ids(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {c.id: _check_dict(c) for c in conn.execute(select(CHK).where(CHK.c.id.in_(list(set(ids))))).all()}


CHECKS = Listing("checks", {"year": CHK.c.year, "rule": CHK.c.rule, "result": CHK.c.result,
                            "publisher": CHK.c.publisher_id, "report": CHK.c.report_id, "id": CHK.c.id},
                 (("year", False), ("publisher", False)), CHK.c.id)


@dataclass(frozen=True)
class CheckFilter:
    result: str | None = None
    rule: str | None = None  # a prefix: "sum:" finds every sum rule
    publisher: str | None = None
    year: int | None = None
    year_range: tuple[int, int] | None = None
    notable: bool | None = None


def _checks_stmt(f: CheckFilter) -> Select[Any]:
    _check_result(f.result)
    stmt = select(CHK)
    if f.result:
        stmt = stmt.where(CHK.c.result == f.result)
    if f.rule:
        stmt = stmt.where(CHK.c.rule.startswith(f.rule, autoescape=True))
    if f.publisher:
        stmt = stmt.where(CHK.c.publisher_id == f.publisher)
    stmt = stmt.where(*_year_filter(CHK.c.year, f.year, f.year_range))
    if f.notable is not None:
        stmt = stmt.where(CHK.c.notable == f.notable)
    return stmt


def list_checks(conn: Connection, *, result: str | None = None, rule: str | None = None,
                publisher: str | None = None, year: int | None = None, year_range: tuple[int, int] | None = None,
                notable: bool | None = None, sort: SortSpec | None = None, limit: int = 100,
                after: str | None = None) -> Page:
    f = CheckFilter(result, rule, publisher, year, year_range, notable)
    return _page(conn, CHECKS, _checks_stmt(f), sort, limit, after, _check_dict)


def count_checks(conn: Connection, f: CheckFilter) -> int:
    return _count(conn, _checks_stmt(f))


def list_checks_filtered(conn: Connection, f: CheckFilter, *, sort: SortSpec | None = None, limit: int = 100,
                         after: str | None = None) -> Page:
    return _page(conn, CHECKS, _checks_stmt(f), sort, limit, after, _check_dict)


# --- dictionary ---------------------------------------------------------------------------

def _metric_dict(m: Any) -> dict[str, Any]:
    return {"code": m.code, "category": m.category, "label_zh": m.label_zh, "label_en": m.label_en,
            "description": m.description, "unit": m.unit, "dims": m.dims.split(), "formats": m.formats.split(),
            "template_ref": m.template_ref or None}


def list_metrics(conn: Connection, category: str | None = None) -> list[dict[str, Any]]:
    stmt = select(MET).order_by(MET.c.sort)
    if category:
        stmt = stmt.where(MET.c.category == category)
    return [_metric_dict(m) for m in conn.execute(stmt).all()]


def get_metric(conn: Connection, code: str) -> dict[str, Any] | None:
    m = conn.execute(select(MET).where(MET.c.code == code)).first()
    return _metric_dict(m) if m else None


def metrics_by_codes(conn: Connection, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {m.code: _metric_dict(m) for m in conn.execute(select(MET).where(MET.c.code.in_(list(set(codes)))))}


def list_categories(conn: Connection) -> list[dict[str, Any]]:
    cats = conn.execute(select(CAT).order_by(CAT.c.sort)).all()
    metrics = list_metrics(conn)
    return [{"code": c.code, "label_zh": c.label_zh, "label_en": c.label_en, "description": c.description,
             "metrics": [m for m in metrics if m["category"] == c.code]} for c in cats]


def category_codes(conn: Connection) -> list[str]:
    return [c for (c,) in conn.execute(select(CAT.c.code).order_by(CAT.c.sort)).all()]


def list_dimensions(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(DIM).order_by(DIM.c.sort)).all()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        d = out.setdefault(r.dimension, {"name": r.dimension, "members": []})
        d["members"].append({"code": r.member, "label_zh": r.label_zh, "label_en": r.label_en})
    return list(out.values())
