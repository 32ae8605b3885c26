"""GraphQL schema (strawberry): types over the dicts ``db.queries`` returns.

Resolvers only translate arguments and call the query layer, through the
per-request DataLoaders of ``schema.context`` for anything nested, so the
GraphQL answers are by construction the REST answers and a nested query costs
a constant number of statements.  Objects implement Relay's ``Node`` with
opaque global ids (``databaseId`` is the id REST uses); lists that can grow are
connections with keyset cursors and a required ``first`` of at most 100.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, Generic, NewType, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info

from db import deltas, queries
from schema.context import Context, ReportPageKey, gather
from schema.limits import MAX_FIRST, MAX_NODES, code_errors, extensions
from schema.projection import ProjectingExecutor, passthrough

Number = NewType("Number", float)


@passthrough(int, float)
def _number_out(value: Any) -> Any:
    return value


NUMBER = strawberry.scalar(
    name="Number",
    description="An exact number: an integer where integral, else a decimal.",
    serialize=_number_out,
    parse_value=lambda v: v,
)


def _ctx(info: Info) -> Context:
    ctx: Context = info.context
    return ctx


# --- global ids ------------------------------------------------------------------------

NODE_TYPES = ("Publisher", "Report", "Section", "Observation", "Statement", "Check", "Metric", "Category")


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def to_global_id(type_name: str, key: str) -> strawberry.ID:
    """URL-safe base64 of ``Type:key`` without padding (binascii directly: computed for every row of a page)."""
    return strawberry.ID(binascii.b2a_base64(f"{type_name}:{key}".encode(), newline=False).translate(_URLSAFE)
                         .rstrip(b"=").decode())


def from_global_id(value: str) -> tuple[str, str] | None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, sep, key = raw.partition(":")
    if not sep or type_name not in NODE_TYPES or not key:
        return None
    return type_name, key


def key_of(value: str, type_name: str) -> str:
    """The database id behind an id argument, which may be a global id or the REST id."""
    decoded = from_global_id(value)
    if decoded is None:
        return value
    if decoded[0] != type_name:
        raise queries.QueryError(f"id {value!r} is a {decoded[0]}, not a {type_name}", "invalid_parameter")
    return decoded[1]


def _limit(first: int) -> None:
    queries.check_limit(first, MAX_FIRST)


# --- shared small types ---------------------------------------------------------------------

@strawberry.enum(description="Label language.")
class Lang(Enum):
    ZH = "zh"
    EN = "en"


@strawberry.interface(description="An object with a global, opaque id (Relay); fetch any of them with node(id).")
class Node:
    id: strawberry.ID


@strawberry.type(description="One dimension of a breakdown: name and member code.")
class Dim:
    name: str
    value: str


_DIMS: dict[tuple[tuple[str, str], ...], tuple[Dim, ...]] = {}


def _dims(d: dict[str, str]) -> list[Dim]:
    """The dims of a row, sorted by name.

    A page repeats the same few breakdowns on every row, so the ``Dim`` objects
    (never mutated) are shared per distinct breakdown; each row gets its own list.
    """
    key = tuple(d.items())
    found = _DIMS.get(key)
    if found is None:
        if len(_DIMS) >= 4096:
            _DIMS.clear()
        found = _DIMS[key] = tuple(Dim(name=k, value=v) for k, v in sorted(key))
    return list(found)


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


T = TypeVar("T")


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list (Relay connection) with keyset cursors, stable under inserts.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The number of items matching (counted only when asked for).")
    async def total_count(self) -> int:
        return await self.counter()


def _connection(page: queries.Page, make: Callable[[dict[str, Any]], T],
                counter: Callable[[], Awaitable[int]]) -> Connection[T]:
    edges = [Edge(cursor=c, node=make(item)) for item, c in zip(page.items, page.cursors, strict=True)]
    info = PageInfo(has_next_page=page.next_cursor is not None, has_previous_page=False,
                    start_cursor=page.cursors[0] if page.cursors else None,
                    end_cursor=page.cursors[-1] if page.cursors else None)
    return Connection(edges=edges, page_info=info, counter=counter)


async def _list_connection(info: Info, first: int, after: str | None, order_by: Any,
                           lister: Callable[..., queries.Page], counter: Callable[..., int],
                           make: Callable[[dict[str, Any]], T], *args: Any, **kwargs: Any) -> Connection[T]:
    """A top-level list as a connection: one page from the query layer, the count only if selected."""
    ctx = _ctx(info)
    page = await ctx.run(lister, *args, **kwargs, sort=_sort(order_by), limit=first, after=after)

    async def count() -> int:
        return await ctx.run(counter, *args, **kwargs)
    return _connection(page, make, count)


@strawberry.enum
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="An inclusive range of years.")
class YearRange:
    from_: int = strawberry.field(name="from")
    to: int

    def pair(self) -> tuple[int, int]:
        return self.from_, self.to


def _range(r: YearRange | None) -> tuple[int, int] | None:
    return r.pair() if r is not None else None


@strawberry.input(description="A dimension filter: name and member code (see dimensions).")
class DimInput:
    name: str
    value: str


def _dim_filter(dims: list[DimInput] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for d in dims or []:
        if d.name in out:
            raise queries.QueryError(f"dimension {d.name!r} given twice", "repeated_parameter")
        out[d.name] = d.value
    return out


# --- dictionary -------------------------------------------------------------------------------

def _label(obj: Any, lang: Lang) -> str:
    return str(obj.label_zh if lang is Lang.ZH else obj.label_en)


@strawberry.type(description="A metric of the data dictionary.")
class Metric(Node):
    id: strawberry.ID
    code: str
    category: str
    label_zh: str
    label_en: str
    description: str
    unit: str
    dims: list[str]
    formats: list[str]
    template_ref: str | None

    @strawberry.field(description="The label in one language.")
    def label(self, lang: Lang) -> str:
        return _label(self, lang)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Metric:
        return cls(id=to_global_id("Metric", d["code"]), code=d["code"], category=d["category"],
                   label_zh=d["label_zh"], label_en=d["label_en"], description=d["description"], unit=d["unit"],
                   dims=list(d["dims"]), formats=list(d["formats"]), template_ref=d["template_ref"])


@strawberry.type(description="A category of metrics.")
class Category(Node):
    id: strawberry.ID
    code: str
    label_zh: str
    label_en: str
    description: str
    metrics: list[Metric]

    @strawberry.field(description="The label in one language.")
    def label(self, lang: Lang) -> str:
        return _label(self, lang)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Category:
        return cls(id=to_global_id("Category", d["code"]), code=d["code"], label_zh=d["label_zh"],
                   label_en=d["label_en"], description=d["description"],
                   metrics=[Metric.from_dict(m) for m in d["metrics"]])


@strawberry.type
class DimensionMember:
    code: str
    label_zh: str
    label_en: str

    @strawberry.field(description="The label in one language.")
    def label(self, lang: Lang) -> str:
        return _label(self, lang)


@strawberry.type(description="A breakdown dimension and its members.")
class Dimension:
    name: str
    members: list[DimensionMember]


# --- publishers ----------------------------------------------------------------------------------

@strawberry.type(description="A name a publisher printed on its reports, and the years it did.")
class PublisherName:
    name: str
    first_year: int
    last_year: int


@strawberry.enum
class PublisherSortField(Enum):
    NAME = "name"
    LEVEL = "level"
    ID = "id"


@strawberry.input
class PublisherOrder:
    field: PublisherSortField
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class PublisherFilter:
    level: str | None = None
    province: str | None = None
    parent: strawberry.ID | None = None
    name_contains: str | None = strawberry.field(default=None, description="Part of a current or former name.")


@strawberry.input
class PublisherReportFilter:
    year: int | None = None
    year_range: YearRange | None = None


@strawberry.type(description="A government body that publishes annual reports.")
class Publisher(Node):
    id: strawberry.ID
    database_id: str
    name: str
    level: str
    province: str | None
    region_code: str | None
    parent_id: strawberry.Private[str | None]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Publisher:
        return cls(id=to_global_id("Publisher", d["id"]), database_id=d["id"], name=d["name"], level=d["level"],
                   province=d["province"], region_code=d["region_code"], parent_id=d["parent_id"])

    @strawberry.field
    async def parent(self, info: Info) -> Publisher | None:
        if not self.parent_id:
            return None
        d = await _ctx(info).loaders.publisher.load(self.parent_id)
        return Publisher.from_dict(d) if d else None

    @strawberry.field(description="The names it printed on its reports (name history), oldest first.")
    async def names(self, info: Info) -> list[PublisherName]:
        return [PublisherName(**n) for n in await _ctx(info).loaders.publisher_names.load(self.database_id)]

    @strawberry.field(description="The bodies under it.")
    async def children(self, info: Info) -> list[Publisher]:
        return [Publisher.from_dict(c) for c in await _ctx(info).loaders.publisher_children.load(self.database_id)]

    @strawberry.field(description="Its reports, oldest first.")
    async def reports(self, info: Info, first: int, after: str | None = None,
                      filter: PublisherReportFilter | None = None) -> Connection[Report]:
        _limit(first)
        f = filter or PublisherReportFilter()
        key = ReportPageKey(first, after, f.year, _range(f.year_range))
        ctx = _ctx(info)
        page = await ctx.loaders.publisher_reports.load((self.database_id, key))

        async def count() -> int:
            return await ctx.run(queries.count_reports, publisher=self.database_id, year=key.year,
                                 year_range=key.year_range)
        return _connection(page, Report.from_dict, count)


# --- reports, sections, observations --------------------------------------------------------------

@strawberry.type
class Source:
    path: str | None
    url: str | None
    sha256: str
    published: str | None
    index_number: str | None
    media_type: str


@strawberry.type(description="Where in the stored report text a figure was read.")
class Provenance:
    section: str | None
    section_title: str | None
    quote: str
    start: int
    end: int


@strawberry.input(description="Which observations: totals by default across reports; every figure inside one "
                              "report unless narrowed.")
class ObservationFilter:
    metric: str | None = None
    metrics: list[str] | None = None
    publisher: strawberry.ID | None = None
    year: int | None = None
    year_range: YearRange | None = None
    dims: list[DimInput] | None = None
    status: str | None = None

    def to_query(self, *, totals_by_default: bool, include_uncoded: bool = True) -> queries.ObservationFilter:
        metrics = list(self.metrics or [])
        if self.metric:
            metrics.insert(0, self.metric)
        return queries.ObservationFilter.of(
            metrics=metrics, publisher=key_of(self.publisher, "Publisher") if self.publisher else None,
            year=self.year, year_range=_range(self.year_range), dims=_dim_filter(self.dims), status=self.status,
            include_uncoded=include_uncoded, totals_by_default=totals_by_default)


@strawberry.type(description="One figure of one report.")
class Observation(Node):
    id: strawberry.ID
    database_id: str
    report_id: str
    publisher_id: str
    year: int = strawberry.field(description="The year the figure is about.")
    metric: str | None
    dims: list[Dim]
    value: Number | None
    unit: str
    qualifier: str
    status: str
    candidates: list[Number] | None
    label: str | None
    note: str | None
    provenance: Provenance

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Observation:
        p = d["provenance"]
        return cls(id=to_global_id("Observation", d["id"]), database_id=d["id"], report_id=d["report_id"],
                   publisher_id=d["publisher_id"], year=d["year"], metric=d["metric"], dims=_dims(d["dims"]),
                   value=d["value"], unit=d["unit"], qualifier=d["qualifier"], status=d["status"],
                   candidates=d["candidates"], label=d["label"], note=d["note"],
                   provenance=Provenance(section=p["section"], section_title=p.get("section_title"),
                                         quote=p["quote"], start=p["start"], end=p["end"]))

    @strawberry.field(description="The metric's dictionary entry.")
    async def metric_info(self, info: Info) -> Metric | None:
        if not self.metric:
            return None
        d = await _ctx(info).loaders.metric.load(self.metric)
        return Metric.from_dict(d) if d else None

    @strawberry.field
    async def report(self, info: Info) -> Report:
        return Report.from_dict(await _ctx(info).loaders.report.load(self.report_id))

    @strawberry.field
    async def publisher(self, info: Info) -> Publisher:
        return Publisher.from_dict(await _ctx(info).loaders.publisher.load(self.publisher_id))


@strawberry.type(description="What a statement says the base year was: the value it implies and where it says so "
                              "(offsets into this report's text).")
class StatementClaim:
    year: int | None
    value: Number | None = strawberry.field(description="The base-year value the statement implies (null: it gives "
                                                        "no figure).")
    report_id: str
    quote: str
    start: int
    end: int


@strawberry.type(description="What the base year's own report records: its figure and where it prints it (offsets "
                              "into that report's text).")
class StatementRecord:
    year: int
    value: Number | None
    report_id: str = strawberry.field(description="The base year's report.")
    observation_id: str | None
    quote: str | None
    start: int | None
    end: int | None


@strawberry.type(description="A statement checked against the base year's own report.")
class StatementVerification:
    result: str = strawberry.field(description="consistent, restated (the base year's report says otherwise: both "
                                               "figures are given) or unverifiable (no base year, no base-year "
                                               "report or no figure).")
    detail: str
    claimed: StatementClaim
    recorded: StatementRecord | None = strawberry.field(description="Null: no base year, or no report of that "
                                                                    "year.")

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> StatementVerification | None:
        if d is None:
            return None
        rec = d["recorded"]
        return cls(result=d["result"], detail=d["detail"], claimed=StatementClaim(**d["claimed"]),
                   recorded=StatementRecord(**rec) if rec is not None else None)


@strawberry.type(description="A comparison the report itself makes (metric, base year, direction, delta).")
class Statement(Node):
    id: strawberry.ID
    database_id: str
    report_id: str
    year: int
    metric: str | None
    dims: list[Dim]
    base_year: int | None
    direction: str
    delta: Number | None
    delta_unit: str | None
    qualifier: str
    section: str | None
    quote: str
    start: int
    end: int
    verification: StatementVerification | None = strawberry.field(
        description="The statement checked against the base year's own report (null: not verified yet).")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Statement:
        p = d["provenance"]
        return cls(id=to_global_id("Statement", d["id"]), database_id=d["id"], report_id=d["report_id"],
                   year=d["year"], metric=d["metric"], dims=_dims(d["dims"]), base_year=d["base_year"],
                   direction=d["direction"], delta=d["delta"], delta_unit=d["delta_unit"],
                   qualifier=d["qualifier"], section=p["section"], quote=p["quote"], start=p["start"],
                   end=p["end"], verification=StatementVerification.from_dict(d["verification"]))


@strawberry.type(description="One side of a consistency check.")
class CheckSide:
    value: Number | None
    source: str
    start: int | None
    end: int | None


@strawberry.type(description="A consistency rule applied to a report, and its result.")
class Check(Node):
    id: strawberry.ID
    database_id: str
    rule: str
    result: str
    notable: bool
    detail: str
    left: CheckSide
    right: CheckSide
    year: int
    report_id: str
    publisher_id: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Check:
        return cls(id=to_global_id("Check", d["id"]), database_id=d["id"], rule=d["rule"], result=d["result"],
                   notable=d["notable"], detail=d["detail"], left=CheckSide(**d["left"]),
                   right=CheckSide(**d["right"]), year=d["year"], report_id=d["report_id"],
                   publisher_id=d["publisher_id"])

    @strawberry.field
    async def report(self, info: Info) -> Report:
        return Report.from_dict(await _ctx(info).loaders.report.load(self.report_id))

    @strawberry.field
    async def publisher(self, info: Info) -> Publisher:
        return Publisher.from_dict(await _ctx(info).loaders.publisher.load(self.publisher_id))


ALL_IN_REPORT = queries.ObservationFilter(totals_by_default=False)


def _subtree_ids(node: dict[str, Any]) -> set[str]:
    out = {node["id"]}
    for c in node["children"]:
        out |= _subtree_ids(c)
    return out


@strawberry.type(description="A heading of a report, with its text, sub-sections and the figures inside.")
class Section(Node):
    id: strawberry.ID
    database_id: str
    report_id: str
    number: str
    inferred_number: str = strawberry.field(description="The number, restored where the source lost numerals.")
    title: str
    depth: int
    start: int
    end: int
    children: list[Section]
    subtree: strawberry.Private[frozenset[str]]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Section:
        return cls(id=to_global_id("Section", d["id"]), database_id=d["id"], report_id=d["report_id"],
                   number=d["number"], inferred_number=d["inferred_number"], title=d["title"], depth=d["depth"],
                   start=d["start"], end=d["end"], children=[Section.from_dict(c) for c in d["children"]],
                   subtree=frozenset(_subtree_ids(d)))

    @strawberry.field(description="The section's text (heading included), from the stored report text.")
    async def text(self, info: Info) -> str:
        full = await _ctx(info).loaders.text.load(self.report_id)
        return str(full or "")[self.start:self.end]

    @strawberry.field(description="The figures read inside this section or its sub-sections, in document order.")
    async def observations(self, info: Info) -> list[Observation]:
        rows = await _ctx(info).loaders.observations.load((self.report_id, ALL_IN_REPORT))
        return [Observation.from_dict(o) for o in rows if o["provenance"]["section"] in self.subtree]


@strawberry.enum
class ReportSortField(Enum):
    YEAR = "year"
    PUBLISHER = "publisher"
    FORMAT = "format"
    ID = "id"


@strawberry.input
class ReportOrder:
    field: ReportSortField
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class ReportFilter:
    publisher: strawberry.ID | None = None
    year: int | None = None
    year_range: YearRange | None = None
    format: str | None = strawberry.field(default=None, description="narrative, standard-2019 or standard-2021")


@strawberry.type(description="One annual report of one publisher.")
class Report(Node):
    id: strawberry.ID
    database_id: str
    year: int
    format: str
    title: str
    printed_publisher: str
    source: Source
    publisher_id: strawberry.Private[str]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        return cls(id=to_global_id("Report", d["id"]), database_id=d["id"], year=d["year"], format=d["format"],
                   title=d["title"], printed_publisher=d["printed_publisher"], source=Source(**d["source"]),
                   publisher_id=d["publisher"]["id"])

    @strawberry.field
    async def publisher(self, info: Info) -> Publisher:
        return Publisher.from_dict(await _ctx(info).loaders.publisher.load(self.publisher_id))

    @strawberry.field(description="The heading tree.")
    async def sections(self, info: Info) -> list[Section]:
        return [Section.from_dict(s) for s in await _ctx(info).loaders.sections.load(self.database_id)]

    @strawberry.field(description="Every figure of the report in document order, breakdowns included; narrow "
                                  "with filter.")
    async def observations(self, info: Info, filter: ObservationFilter | None = None,
                           include_uncoded: bool = True) -> list[Observation]:
        f = (filter or ObservationFilter()).to_query(totals_by_default=False, include_uncoded=include_uncoded)
        rows = await _ctx(info).loaders.observations.load((self.database_id, f))
        return [Observation.from_dict(o) for o in rows]

    @strawberry.field(description="The comparisons the report makes.")
    async def statements(self, info: Info) -> list[Statement]:
        return [Statement.from_dict(s) for s in await _ctx(info).loaders.statements.load(self.database_id)]

    @strawberry.field(description="Consistency checks (result: pass, fail, inconclusive, not_applicable).")
    async def checks(self, info: Info, result: str | None = None) -> list[Check]:
        return [Check.from_dict(c) for c in await _ctx(info).loaders.checks.load((self.database_id, result))]


# --- cross-report lists -------------------------------------------------------------------------------

@strawberry.enum
class ObservationSortField(Enum):
    YEAR = "year"
    METRIC = "metric"
    PUBLISHER = "publisher"
    REPORT = "report"
    STATUS = "status"
    ID = "id"


@strawberry.input
class ObservationOrder:
    field: ObservationSortField
    direction: SortDirection = SortDirection.ASC


@strawberry.enum
class CheckSortField(Enum):
    YEAR = "year"
    RULE = "rule"
    RESULT = "result"
    PUBLISHER = "publisher"
    REPORT = "report"
    ID = "id"


@strawberry.input
class CheckOrder:
    field: CheckSortField
    direction: SortDirection = SortDirection.ASC


@strawberry.input
class CheckFilter:
    result: str | None = None
    rule: str | None = strawberry.field(default=None, description="A rule or its prefix (sum:, share:, C4:…).")
    publisher: strawberry.ID | None = None
    year: int | None = None
    year_range: YearRange | None = None
    notable: bool | None = None

    def to_query(self) -> queries.CheckFilter:
        return queries.CheckFilter(self.result, self.rule,
                                   key_of(self.publisher, "Publisher") if self.publisher else None, self.year,
                                   _range(self.year_range), self.notable)




def _sort(order: list[Any] | None) -> queries.SortSpec | None:
    if not order:
        return None
    spec = tuple((o.field.value, o.direction is SortDirection.DESC) for o in order)
    if len({k for k, _ in spec}) != len(spec):
        raise queries.QueryError("a sort field is given twice", "invalid_sort")
    return spec


@strawberry.enum(description="How a year finds its base year.")
class DeltaMode(Enum):
    PREVIOUS_YEAR = "previous_year"
    PREVIOUS_AVAILABLE = "previous_available"


@strawberry.enum
class RankBy(Enum):
    VALUE = "value"
    CHANGE = "change"
    PERCENT_CHANGE = "percent_change"


DELTA_FIELDS = ("publisher_id", "metric", "year", "value", "qualifier", "base_year", "base_value", "change",
                "percent_change", "gap_years", "approx", "definition_changed", "conflict", "report_id",
                "base_report_id")


@strawberry.type(description="One year of a series compared with its base year.")
class Delta:
    publisher_id: str
    metric: str
    dims: list[Dim]
    year: int
    value: Number | None
    qualifier: str
    base_year: int | None
    base_value: Number | None
    change: Number | None
    percent_change: Number | None = strawberry.field(description="change / base × 100, rounded to 2 places.")
    gap_years: list[int] = strawberry.field(description="Years without a figure between the base and this year.")
    approx: bool
    definition_changed: bool
    conflict: bool = strawberry.field(description="The report prints another, different figure for the point.")
    report_id: str
    base_report_id: str | None

    @classmethod
    def fields_of(cls, d: dict[str, Any]) -> dict[str, Any]:
        return {**{k: d[k] for k in DELTA_FIELDS}, "dims": _dims(d["dims"])}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Delta:
        return cls(**cls.fields_of(d))

    @strawberry.field
    async def publisher(self, info: Info) -> Publisher:
        return Publisher.from_dict(await _ctx(info).loaders.publisher.load(self.publisher_id))

    @strawberry.field
    async def report(self, info: Info) -> Report:
        return Report.from_dict(await _ctx(info).loaders.report.load(self.report_id))

    @strawberry.field
    async def base_report(self, info: Info) -> Report | None:
        if not self.base_report_id:
            return None
        return Report.from_dict(await _ctx(info).loaders.report.load(self.base_report_id))


@strawberry.type(description="One year of a series: the value, its delta and the figure it was read from.")
class SeriesPoint(Delta):
    observation_id: str | None
    provenance: Provenance | None

    @classmethod
    def from_point(cls, d: dict[str, Any]) -> SeriesPoint:
        p = d["provenance"]
        prov = (Provenance(section=p["section"], section_title=p["section_title"], quote=p["quote"],
                           start=p["start"], end=p["end"]) if p else None)
        return cls(**cls.fields_of(d), observation_id=d["observation_id"], provenance=prov)

    @strawberry.field(description="The observation the value was read from.")
    async def observation(self, info: Info) -> Observation | None:
        if not self.observation_id:
            return None
        return Observation.from_dict(await _ctx(info).loaders.observation.load(self.observation_id))


@strawberry.type(description="Where the metric's concept changed between two report formats.")
class DefinitionChange:
    year: int
    base_year: int | None
    from_format: str
    to_format: str
    note: str


@strawberry.type(description="One publisher's values of one metric, one point per year, with deltas.")
class Series:
    publisher_id: strawberry.Private[str]
    metric: str
    unit: str
    dims: list[Dim]
    mode: DeltaMode
    points: list[SeriesPoint]
    missing_years: list[int]
    definition_changes: list[DefinitionChange]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Series:
        return cls(publisher_id=d["publisher"]["id"], metric=d["metric"], unit=d["unit"], dims=_dims(d["dims"]),
                   mode=DeltaMode(d["mode"]), points=[SeriesPoint.from_point(p) for p in d["points"]],
                   missing_years=list(d["missing_years"]),
                   definition_changes=[DefinitionChange(**c) for c in d["definition_changes"]])

    @strawberry.field
    async def publisher(self, info: Info) -> Publisher:
        return Publisher.from_dict(await _ctx(info).loaders.publisher.load(self.publisher_id))


@strawberry.type(description="A publisher's place in a ranking.")
class RankedDelta(Delta):
    rank: int


@strawberry.type(description="Publishers ranked for one metric and year.")
class Ranking:
    metric: str
    unit: str
    dims: list[Dim]
    year: int
    by: RankBy
    order: SortDirection
    mode: DeltaMode
    min_base: Number
    total: int = strawberry.field(description="The number of publishers ranked.")
    items: list[RankedDelta]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Ranking:
        return cls(metric=d["metric"], unit=d["unit"], dims=_dims(d["dims"]), year=d["year"], by=RankBy(d["by"]),
                   order=SortDirection(d["order"]), mode=DeltaMode(d["mode"]), min_base=d["min_base"],
                   total=d["total"], items=[RankedDelta(**Delta.fields_of(i), rank=i["rank"]) for i in d["items"]])


@strawberry.enum
class DeltaSortField(Enum):
    PUBLISHER = "publisher"
    METRIC = "metric"
    DIMS = "dims"
    YEAR = "year"


@strawberry.input
class DeltaOrder:
    field: DeltaSortField
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Which deltas: one metric (or the totals of every metric), publishers, years.")
class DeltaFilter:
    metric: str | None = None
    dims: list[DimInput] | None = None
    publisher: strawberry.ID | None = None
    year: int | None = None
    year_range: YearRange | None = None
    mode: DeltaMode = DeltaMode.PREVIOUS_YEAR
    level: str | None = None
    province: str | None = None

    def to_query(self) -> deltas.DeltaFilter:
        return deltas.DeltaFilter.of(metric=self.metric, dims=_dim_filter(self.dims),
                                     publisher=key_of(self.publisher, "Publisher") if self.publisher else None,
                                     year=self.year, year_range=_range(self.year_range), mode=self.mode.value,
                                     level=self.level, province=self.province)


SORT_ENUMS: dict[str, type[Enum]] = {"publishers": PublisherSortField, "reports": ReportSortField,
                                     "observations": ObservationSortField, "checks": CheckSortField,
                                     "deltas": DeltaSortField}


# --- node lookup --------------------------------------------------------------------------------------

def _find_section(tree: list[dict[str, Any]], section_id: str) -> dict[str, Any] | None:
    for node in tree:
        if node["id"] == section_id:
            return node
        found = _find_section(node["children"], section_id)
        if found is not None:
            return found
    return None


async def resolve_node(info: Info, gid: str) -> Node | None:
    decoded = from_global_id(gid)
    if decoded is None:
        raise queries.QueryError(f"{gid[:60]!r} is not a global id (use the id field of an object)",
                                 "invalid_parameter")
    kind, key = decoded
    loaders = _ctx(info).loaders
    simple: dict[str, tuple[Any, Callable[[dict[str, Any]], Any]]] = {
        "Publisher": (loaders.publisher, Publisher.from_dict),
        "Report": (loaders.report, Report.from_dict),
        "Observation": (loaders.observation, Observation.from_dict),
        "Statement": (loaders.statement, Statement.from_dict),
        "Check": (loaders.check, Check.from_dict),
        "Metric": (loaders.metric, Metric.from_dict),
    }
    if kind in simple:
        loader, build = simple[kind]
        d = await loader.load(key)
        return build(d) if d else None
    if kind == "Section":
        rid = await loaders.section_report.load(key)
        node = _find_section(await loaders.sections.load(rid), key) if rid else None
        return Section.from_dict(node) if node else None
    cats = await _ctx(info).run(queries.list_categories)
    cat = next((c for c in cats if c["code"] == key), None)
    return Category.from_dict(cat) if cat else None


# --- the query root --------------------------------------------------------------------------------------

@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, str(id))

    @strawberry.field(description=f"Objects by global id (at most {MAX_NODES}).")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise queries.QueryError(f"nodes takes at most {MAX_NODES} ids", "limit_out_of_range")
        return await gather(*[resolve_node(info, str(i)) for i in ids])

    @strawberry.field(description="Publishers (first ≤ 100).")
    async def publishers(self, info: Info, first: int, after: str | None = None,
                         filter: PublisherFilter | None = None,
                         order_by: list[PublisherOrder] | None = None) -> Connection[Publisher]:
        _limit(first)
        f = filter or PublisherFilter()
        args = {"level": f.level, "province": f.province,
                "parent": key_of(f.parent, "Publisher") if f.parent else None, "name_contains": f.name_contains}
        return await _list_connection(info, first, after, order_by, queries.list_publishers,
                                      queries.count_publishers, Publisher.from_dict, **args)

    @strawberry.field(description="A publisher by global id or database id.")
    async def publisher(self, info: Info, id: strawberry.ID) -> Publisher | None:
        d = await _ctx(info).loaders.publisher.load(key_of(str(id), "Publisher"))
        return Publisher.from_dict(d) if d else None

    @strawberry.field(description="Reports (first ≤ 100), oldest first by default.")
    async def reports(self, info: Info, first: int, after: str | None = None, filter: ReportFilter | None = None,
                      order_by: list[ReportOrder] | None = None) -> Connection[Report]:
        _limit(first)
        f = filter or ReportFilter()
        args = {"publisher": key_of(f.publisher, "Publisher") if f.publisher else None, "year": f.year,
                "year_range": _range(f.year_range), "fmt": f.format}
        return await _list_connection(info, first, after, order_by, queries.list_reports, queries.count_reports,
                                      Report.from_dict, **args)

    @strawberry.field(description="A report by global id or database id.")
    async def report(self, info: Info, id: strawberry.ID) -> Report | None:
        d = await _ctx(info).loaders.report.load(key_of(str(id), "Report"))
        return Report.from_dict(d) if d else None

    @strawberry.field(description="Figures across reports: totals by default, a breakdown when a dimension is "
                                  "named; a total is never mixed with its parts.")
    async def observations(self, info: Info, first: int, after: str | None = None,
                           filter: ObservationFilter | None = None,
                           order_by: list[ObservationOrder] | None = None) -> Connection[Observation]:
        _limit(first)
        f = (filter or ObservationFilter()).to_query(totals_by_default=True)
        return await _list_connection(info, first, after, order_by, queries.list_observations_filtered,
                                      queries.count_observations, Observation.from_dict, f)

    @strawberry.field(description="One publisher's values of one metric, one point per year with its delta and "
                                  "provenance (totals unless dims name a breakdown).")
    async def series(self, info: Info, publisher: strawberry.ID, metric: str, dims: list[DimInput] | None = None,
                     year: int | None = None, year_range: YearRange | None = None,
                     mode: DeltaMode = DeltaMode.PREVIOUS_YEAR) -> Series:
        pid = key_of(str(publisher), "Publisher")
        d = await _ctx(info).run(lambda conn: queries.series(conn, publisher=pid, metric=metric,
                                                             dims=_dim_filter(dims), year=year,
                                                             year_range=_range(year_range), mode=mode.value))
        return Series.from_dict(d)

    @strawberry.field(description="Year-over-year changes: one per publisher, metric, breakdown and year.")
    async def deltas(self, info: Info, first: int, after: str | None = None, filter: DeltaFilter | None = None,
                     order_by: list[DeltaOrder] | None = None) -> Connection[Delta]:
        _limit(first)
        f = (filter or DeltaFilter()).to_query()
        return await _list_connection(info, first, after, order_by, deltas.deltas_filtered, deltas.count_deltas,
                                      Delta.from_dict, f)

    @strawberry.field(description="Publishers ranked for one metric and year by value, change or percent change "
                                  "(ties share a rank).")
    async def rankings(self, info: Info, metric: str, year: int, dims: list[DimInput] | None = None,
                       by: RankBy = RankBy.VALUE, order: SortDirection = SortDirection.DESC, min_base: int = 10,
                       mode: DeltaMode = DeltaMode.PREVIOUS_YEAR, level: str | None = None,
                       province: str | None = None, first: int = 20) -> Ranking:
        _limit(first)
        d = await _ctx(info).run(lambda conn: deltas.rankings(
            conn, metric=metric, year=year, dims=_dim_filter(dims), by=by.value, order=order.value,
            min_base=min_base, mode=mode.value, level=level, province=province, limit=first))
        return Ranking.from_dict(d)

    @strawberry.field(description="Consistency checks across reports: \"whose numbers don't add up\".")
    async def checks(self, info: Info, first: int, after: str | None = None, filter: CheckFilter | None = None,
                     order_by: list[CheckOrder] | None = None) -> Connection[Check]:
        _limit(first)
        f = (filter or CheckFilter()).to_query()
        return await _list_connection(info, first, after, order_by, queries.list_checks_filtered,
                                      queries.count_checks, Check.from_dict, f)

    @strawberry.field(description="The metric dictionary, optionally one category.")
    async def metrics(self, info: Info, category: str | None = None) -> list[Metric]:
        return [Metric.from_dict(m) for m in await _ctx(info).run(queries.list_metrics, category)]

    @strawberry.field(description="One metric by code.")
    async def metric(self, info: Info, code: str) -> Metric | None:
        d = await _ctx(info).loaders.metric.load(code)
        return Metric.from_dict(d) if d else None

    @strawberry.field(description="Categories with their metrics.")
    async def categories(self, info: Info) -> list[Category]:
        return [Category.from_dict(c) for c in await _ctx(info).run(queries.list_categories)]

    @strawberry.field(description="Breakdown dimensions and their members.")
    async def dimensions(self, info: Info) -> list[Dimension]:
        return [Dimension(name=d["name"], members=[DimensionMember(**m) for m in d["members"]])
                for d in await _ctx(info).run(queries.list_dimensions)]


class GongkaiSchema(strawberry.Schema):
    """The schema, with every error given an ``extensions.code`` (the codes REST problems use)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
                       ) -> None:
        code_errors(errors)


schema = GongkaiSchema(query=Query, types=[Publisher, Report, Section, Observation, Statement, Check, Metric,
                                           Category],
                       extensions=extensions(), config=StrawberryConfig(scalar_map={Number: NUMBER}),
                       execution_context_class=ProjectingExecutor)
