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

from sqlalchemy import JSON, Column, Index, Numeric, Text
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
