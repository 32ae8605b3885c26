"""GraphQL schema (strawberry): types over the dicts ``db.queries`` returns.

Resolvers only translate arguments and call the query layer, so the GraphQL
answers are by construction the REST answers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NewType

import strawberry
from sqlalchemy.engine import Connection
from strawberry.types import Info

from db import queries

Number = strawberry.scalar(
    NewType("Number", object),
    serialize=lambda v: v,
    parse_value=lambda v: Decimal(str(v)),
    description="An exact number: an integer where integral, else a decimal.",
)


def _conn(info: Info) -> Connection:
    conn: Connection = info.context["db"].get()
    return conn


@strawberry.type
class Dim:
    name: str
    value: str


def _dims(d: dict[str, str]) -> list[Dim]:
    return [Dim(name=k, value=v) for k, v in sorted(d.items())]


@strawberry.type
class Provenance:
    section: str | None
    section_title: str | None
    quote: str
    start: int
    end: int


@strawberry.type
class Observation:
    id: strawberry.ID
    metric: str | None
    dims: list[Dim]
    value: Number | None  # type: ignore[valid-type]
    unit: str
    qualifier: str
    status: str
    year: int
    candidates: list[Number] | None  # type: ignore[valid-type]
    label: str | None
    note: str | None
    provenance: Provenance

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Observation:
        p = d["provenance"]
        return cls(id=strawberry.ID(d["id"]), metric=d["metric"], dims=_dims(d["dims"]), value=d["value"],
                   unit=d["unit"], qualifier=d["qualifier"], status=d["status"], year=d["year"],
                   candidates=d["candidates"], label=d["label"], note=d["note"],
                   provenance=Provenance(section=p["section"], section_title=p.get("section_title"),
                                         quote=p["quote"], start=p["start"], end=p["end"]))


@strawberry.type
class Statement:
    id: strawberry.ID
    metric: str | None
    dims: list[Dim]
    base_year: int | None
    direction: str
    delta: Number | None  # type: ignore[valid-type]
    delta_unit: str | None
    qualifier: str
    quote: str
    start: int
    end: int

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Statement:
        p = d["provenance"]
        return cls(id=strawberry.ID(d["id"]), metric=d["metric"], dims=_dims(d["dims"]), base_year=d["base_year"],
                   direction=d["direction"], delta=d["delta"], delta_unit=d["delta_unit"],
                   qualifier=d["qualifier"], quote=p["quote"], start=p["start"], end=p["end"])


@strawberry.type
class CheckSide:
    value: Number | None  # type: ignore[valid-type]
    source: str
    start: int | None
    end: int | None


@strawberry.type
class Check:
    id: strawberry.ID
    rule: str
    result: str
    notable: bool
    detail: str
    left: CheckSide
    right: CheckSide
    year: int
    report_id: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Check:
        return cls(id=strawberry.ID(d["id"]), rule=d["rule"], result=d["result"], notable=d["notable"],
                   detail=d["detail"], left=CheckSide(**d["left"]), right=CheckSide(**d["right"]), year=d["year"],
                   report_id=d["report_id"])


@strawberry.type
class Section:
    id: strawberry.ID
    number: str
    inferred_number: str
    title: str
    depth: int
    start: int
    end: int
    text: str | None
    children: list[Section]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Section:
        return cls(id=strawberry.ID(d["id"]), number=d["number"], inferred_number=d["inferred_number"],
                   title=d["title"], depth=d["depth"], start=d["start"], end=d["end"], text=d.get("text"),
                   children=[Section.from_dict(c) for c in d["children"]])


@strawberry.type
class PublisherRef:
    id: strawberry.ID
    name: str
    level: str


@strawberry.type
class Source:
    path: str | None
    url: str | None
    sha256: str
    published: str | None
    index_number: str | None
    media_type: str


@strawberry.type
class Report:
    id: strawberry.ID
    year: int
    format: str
    title: str
    printed_publisher: str
    publisher: PublisherRef
    source: Source

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        pub = d["publisher"]
        return cls(id=strawberry.ID(d["id"]), year=d["year"], format=d["format"], title=d["title"],
                   printed_publisher=d["printed_publisher"],
                   publisher=PublisherRef(id=strawberry.ID(pub["id"]), name=pub["name"], level=pub["level"]),
                   source=Source(**d["source"]))

    @strawberry.field
    def sections(self, info: Info) -> list[Section]:
        return [Section.from_dict(s) for s in queries.report_sections(_conn(info), str(self.id))]

    @strawberry.field
    def observations(self, info: Info, include_uncoded: bool = True) -> list[Observation]:
        rows = queries.report_observations(_conn(info), str(self.id), include_uncoded=include_uncoded)
        return [Observation.from_dict(o) for o in rows]

    @strawberry.field
    def statements(self, info: Info) -> list[Statement]:
        return [Statement.from_dict(s) for s in queries.report_statements(_conn(info), str(self.id))]

    @strawberry.field
    def checks(self, info: Info, result: str | None = None) -> list[Check]:
        return [Check.from_dict(c) for c in queries.report_checks(_conn(info), str(self.id), result)]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ReportEdge:
    cursor: str
    node: Report


@strawberry.type
class ReportConnection:
    edges: list[ReportEdge]
    page_info: PageInfo


@strawberry.type
class Metric:
    code: str
    category: str
    label_zh: str
    label_en: str
    description: str
    unit: str
    dims: list[str]
    formats: list[str]
    template_ref: str | None


@strawberry.type
class Query:
    @strawberry.field
    def reports(self, info: Info, first: int = 20, after: str | None = None, publisher: str | None = None,
                year: int | None = None, format: str | None = None) -> ReportConnection:
        if first < 1 or first > 100:
            raise ValueError("first must be between 1 and 100")
        page = queries.list_reports(_conn(info), publisher=publisher, year=year, fmt=format, limit=first,
                                    after=after)
        edges = [ReportEdge(cursor=queries.encode_cursor([r["year"], r["id"]]), node=Report.from_dict(r))
                 for r in page.items]
        return ReportConnection(edges=edges, page_info=PageInfo(has_next_page=page.next_cursor is not None,
                                                                end_cursor=page.next_cursor))

    @strawberry.field
    def report(self, info: Info, id: strawberry.ID) -> Report | None:
        d = queries.get_report(_conn(info), str(id))
        return Report.from_dict(d) if d else None

    @strawberry.field
    def metrics(self, info: Info, category: str | None = None) -> list[Metric]:
        return [Metric(**m) for m in queries.list_metrics(_conn(info), category)]


schema = strawberry.Schema(query=Query)
