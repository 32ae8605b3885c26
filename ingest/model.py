"""Plain data produced by extraction, before anything touches the database.

Every extractor (narrative prose, 统计表, standard-format tables) returns these
objects, so the loader in ``db/`` has exactly one shape to write and the
extractors can be tested without a database.  Offsets are character offsets
into ``ExtractedReport.text`` (the text gongkai stores and serves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Qualifier = Literal["exact", "approx"]
Status = Literal["reported", "derived", "computed"]
CheckResult = Literal["pass", "fail", "inconclusive", "not_applicable"]
Direction = Literal["increase", "decrease", "same"]
ReportFormat = Literal["narrative", "standard-2019", "standard-2021"]


@dataclass
class Figure:
    """One figure of a report: a metric value with its breakdown and provenance.

    ``metric`` is None for an *uncoded* figure (a number the report states for
    which the dictionary has no concept); ``label`` then says what it counts.
    ``value`` is None when the cell is printed but not available ("/", blank,
    "—"), or when the figure is ambiguous; ``candidates`` lists the values a
    flattened cell could take when the table's constraints do not decide.
    """

    metric: str | None
    dims: dict[str, str]
    value: Decimal | None
    unit: str
    quote: str
    start: int
    end: int
    qualifier: Qualifier = "exact"
    status: Status = "reported"
    label: str | None = None
    note: str | None = None
    candidates: list[Decimal] | None = None
    year: int | None = None  # only for derived figures about another year

    @property
    def ambiguous(self) -> bool:
        return self.candidates is not None and len(self.candidates) > 1


@dataclass
class Statement:
    """A comparison the report makes itself ("比2016年增加34.3万元")."""

    metric: str | None
    dims: dict[str, str]
    base_year: int | None
    direction: Direction
    delta: Decimal | None
    qualifier: Qualifier
    quote: str
    start: int
    end: int
    delta_unit: str | None = None  # "%" when the delta is a percentage


@dataclass
class CheckSide:
    """One side of a consistency check: a value and where it came from."""

    value: Decimal | None
    source: str  # human-readable: metric/dims list, or a quote
    start: int | None = None
    end: int | None = None


@dataclass
class Check:
    """A consistency rule evaluated on a report (or across two reports)."""

    rule: str
    result: CheckResult
    left: CheckSide
    right: CheckSide
    detail: str = ""
    notable: bool = False


@dataclass
class Section:
    """A heading of the report and the text it governs.

    ``number`` is the numeral as printed ("一", "（三）", "" when lost) and
    ``inferred_number`` what its position says it should be.
    """

    number: str
    inferred_number: str
    title: str
    level: int
    start: int
    end: int
    children: list[Section] = field(default_factory=list)


@dataclass
class ReportMeta:
    """What is known about a report besides its figures."""

    title: str | None = None
    publisher: str | None = None
    year: int | None = None
    published: str | None = None
    source_url: str | None = None
    index_number: str | None = None  # 索引号
    level: str | None = None
    province: str | None = None
    region_code: str | None = None


@dataclass
class ExtractedReport:
    """Everything extraction found in one report, ready for one transaction."""

    text: str
    format: ReportFormat
    meta: ReportMeta
    sections: list[Section]
    figures: list[Figure]
    statements: list[Statement]
    checks: list[Check]
    media_type: str = "text/plain"
