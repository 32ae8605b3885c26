"""The relational model (sqlmodel tables), shared by SQLite and PostgreSQL.

IDs are stable strings derived from content (publisher name, publisher+year),
so a report keeps its URL whatever order the data was loaded in.  Dimensions
are stored as columns (indexable) and as a canonical ``dims_key`` string, so
"a total is never summed with its parts" is a plain equality filter.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, PrimaryKeyConstraint, Text
from sqlmodel import Field, SQLModel

VALUE_TYPE = Numeric(28, 6, asdecimal=True)


class Meta(SQLModel, table=True):
    """Key/value facts about the database, such as the data version for ETags."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class Category(SQLModel, table=True):
    __tablename__ = "category"
    code: str = Field(primary_key=True, max_length=64)
    label_zh: str
    label_en: str
    description: str = ""
    sort: int = 0


class Metric(SQLModel, table=True):
    __tablename__ = "metric"
    code: str = Field(primary_key=True, max_length=128)
    category: str = Field(foreign_key="category.code", max_length=64, index=True)
    label_zh: str
    label_en: str
    description: str = ""
    unit: str = Field(max_length=16)
    dims: str = ""  # space-separated dimension names, as in the contract
    formats: str = ""
    template_ref: str = ""
    sort: int = 0


class DimensionMember(SQLModel, table=True):
    __tablename__ = "dimension_member"
    dimension: str = Field(primary_key=True, max_length=32)
    member: str = Field(primary_key=True, max_length=64)
    label_zh: str
    label_en: str = ""
    sort: int = 0


class Publisher(SQLModel, table=True):
    __tablename__ = "publisher"
    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(index=True, unique=True, max_length=128)
    level: str = Field(max_length=32, index=True)
    province: str | None = Field(default=None, max_length=32, index=True)
    region_code: str | None = Field(default=None, max_length=12)
    parent_id: str | None = Field(default=None, foreign_key="publisher.id", max_length=32, index=True)


class PublisherName(SQLModel, table=True):
    """A name a publisher printed on a report, with the years it was used."""

    __tablename__ = "publisher_name"
    publisher_id: str = Field(foreign_key="publisher.id", primary_key=True, max_length=32)
    name: str = Field(primary_key=True, max_length=128)
    first_year: int
    last_year: int


class Report(SQLModel, table=True):
    __tablename__ = "report"
    __table_args__ = (Index("ix_report_publisher_year", "publisher_id", "year", unique=True),)
    id: str = Field(primary_key=True, max_length=32)
    publisher_id: str = Field(foreign_key="publisher.id", max_length=32)
    year: int = Field(index=True)
    format: str = Field(max_length=16, index=True)
    title: str
    printed_publisher: str
    source_path: str | None = None
    source_url: str | None = None
    sha256: str = Field(max_length=64, index=True)
    published: str | None = Field(default=None, max_length=32)
    index_number: str | None = Field(default=None, max_length=64)
    media_type: str = Field(default="text/plain", max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    ingested_at: datetime


class Section(SQLModel, table=True):
    __tablename__ = "section"
    id: str = Field(primary_key=True, max_length=48)
    report_id: str = Field(foreign_key="report.id", max_length=32, index=True)
    parent_id: str | None = Field(default=None, max_length=48)
    ordinal: int  # document order within the report
    depth: int
    number: str = Field(max_length=16)
    inferred_number: str = Field(max_length=16)
    title: str
    start: int
    end: int


class Observation(SQLModel, table=True):
    __tablename__ = "observation"
    __table_args__ = (
        Index("ix_obs_metric_year_dims_pub", "metric", "year", "dims_key", "publisher_id", "id"),
        Index("ix_obs_publisher_metric", "publisher_id", "metric", "dims_key", "year"),
        Index("ix_obs_report", "report_id", "ordinal"),
    )
    id: str = Field(primary_key=True, max_length=48)
    report_id: str = Field(foreign_key="report.id", max_length=32)
    publisher_id: str = Field(max_length=32)
    year: int  # the year the figure is about (a derived figure is about an earlier year)
    report_year: int
    ordinal: int
    metric: str | None = Field(default=None, max_length=128)
    dims_key: str = Field(default="", max_length=256)
    applicant: str | None = Field(default=None, max_length=32)
    channel: str | None = Field(default=None, max_length=32)
    route: str | None = Field(default=None, max_length=32)
    employment: str | None = Field(default=None, max_length=32)
    subunit: str | None = Field(default=None, max_length=128)
    period: str | None = Field(default=None, max_length=16)
    value: Decimal | None = Field(default=None, sa_column=Column(VALUE_TYPE, nullable=True))
    unit: str = Field(max_length=16)
    qualifier: str = Field(max_length=8)
    status: str = Field(max_length=12)
    candidates: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    label: str | None = None
    note: str | None = None
    section_id: str | None = Field(default=None, max_length=48)
    quote: str
    start: int
    end: int


class SeriesPoint(SQLModel, table=True):
    """The figure a series uses for one publisher-year: ``db.crossyear.ranked_points`` with ``rn = 1``, materialized.

    Deltas and rankings compare a point with the year before across thousands
    of publishers per request; choosing each year's point with window
    functions over ``observation`` on every request costs ten times the
    comparison itself, so the choice is made once, when the report is ingested
    (``db.crossyear.refresh_points``, in the ingest transaction), and read back
    here.  A point comes from its own year's report only (``year =
    report_year``), so it depends on exactly one report and is rebuilt with it.

    Only points with a value, for the whole publisher (no ``subunit``, no
    ``period``): what ``db.deltas`` serves.  ``conflict``: the report prints
    another, different figure for the same point.  ``headline``: every
    dimension member is ``total`` (or the metric has none), the series listed
    when no metric is asked.  ``format`` is the report's, for the
    definition-change test.

    The primary key is ordered ``(metric, dims_key, year, publisher_id)``, the
    way deltas read: on SQLite the table is ``WITHOUT ROWID``, clustered by
    it, so one metric-year of every publisher is one contiguous range, and its
    base year the next range down (ordered by publisher: a page streams
    without a sort).  ``ix_series_point_publisher`` serves one publisher's
    series, the previous point before a gap (a backwards probe on ``year``)
    and the loader's delete of a report's rows.  No foreign key to
    ``report``: rows are derived data maintained with their report, and an
    enforced key would need an index on ``report_id`` only to check report
    deletions.
    """

    __tablename__ = "series_point"
    __table_args__ = (
        PrimaryKeyConstraint("metric", "dims_key", "year", "publisher_id"),
        Index("ix_series_point_publisher", "publisher_id", "metric", "dims_key", "year", unique=True),
        {"sqlite_with_rowid": False},
    )
    publisher_id: str = Field(primary_key=True, max_length=32)
    metric: str = Field(primary_key=True, max_length=128)
    dims_key: str = Field(primary_key=True, max_length=256)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: Decimal = Field(sa_column=Column(VALUE_TYPE, nullable=False))
    qualifier: str = Field(max_length=8)
    report_id: str = Field(max_length=32)
    format: str = Field(max_length=16)
    conflict: bool
    observation_id: str = Field(max_length=48)
    headline: bool


class Statement(SQLModel, table=True):
    __tablename__ = "statement"
    __table_args__ = (Index("ix_statement_publisher_base_year", "publisher_id", "base_year"),)
    id: str = Field(primary_key=True, max_length=48)
    report_id: str = Field(foreign_key="report.id", max_length=32, index=True)
    publisher_id: str = Field(max_length=32)
    year: int
    ordinal: int
    metric: str | None = Field(default=None, max_length=128)
    dims_key: str = Field(default="", max_length=256)
    base_year: int | None = None
    direction: str = Field(max_length=12)
    delta: Decimal | None = Field(default=None, sa_column=Column(VALUE_TYPE, nullable=True))
    delta_unit: str | None = Field(default=None, max_length=16)
    qualifier: str = Field(max_length=8)
    section_id: str | None = Field(default=None, max_length=48)
    quote: str
    start: int
    end: int
    # Stated vs recorded (migration 0002, written by db.crossyear): the statement checked against the
    # base year's own report. verification: consistent | restated | unverifiable (None: not yet verified).
    verification: str | None = Field(default=None, max_length=16)
    verified_against: str | None = Field(default=None, max_length=32)  # the base year's report id
    verified_observation: str | None = Field(default=None, max_length=48)  # its figure compared with
    claimed_base_value: Decimal | None = Field(default=None, sa_column=Column(VALUE_TYPE, nullable=True))
    recorded_base_value: Decimal | None = Field(default=None, sa_column=Column(VALUE_TYPE, nullable=True))
    verification_detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Check(SQLModel, table=True):
    __tablename__ = "check_result"
    __table_args__ = (Index("ix_check_result_rule", "result", "rule"),)
    id: str = Field(primary_key=True, max_length=48)
    report_id: str = Field(foreign_key="report.id", max_length=32, index=True)
    publisher_id: str = Field(max_length=32, index=True)
    year: int = Field(index=True)
    ordinal: int
    rule: str = Field(max_length=128)
    result: str = Field(max_length=16)
    notable: bool = False
    left_value: Decimal | None = Field(default=None, sa_column=Column(VALUE_TYPE, nullable=True))
    left_source: str = ""
    left_start: int | None = None
    left_end: int | None = None
    right_value: Decimal | None = Field(default=None, sa_column=Column(VALUE_TYPE, nullable=True))
    right_source: str = ""
    right_start: int | None = None
    right_end: int | None = None
    detail: str = ""


def dims_key(dims: dict[str, Any]) -> str:
    """Canonical text of a dims mapping: sorted name=value pairs joined by ';'."""
    return ";".join(f"{k}={dims[k]}" for k in sorted(dims))


DIM_COLUMNS = ("applicant", "channel", "route", "employment", "subunit", "period")
