"""The REST API's declarative parts: parameter and response models, and the endpoint record.

One table (``api.rest.ENDPOINTS``) of ``Endpoint`` records drives request
validation, the response shape (JSON, CSV columns, field selection) and the
OpenAPI document, so the documentation cannot describe parameters the
handlers do not accept or fields they do not return.  Response models are
plain JSON Schema (2020-12, as OpenAPI 3.1 uses), kept as data so the CSV
writer and ``fields=`` can read them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.engine import Connection

from api.problems import ApiError
from db import crossyear, deltas, queries

JSON = dict[str, Any]

# --- JSON Schema helpers ------------------------------------------------------------

STR: JSON = {"type": "string"}
INT: JSON = {"type": "integer"}
NUM: JSON = {"type": "number"}
BOOL: JSON = {"type": "boolean"}


def nullable(schema: JSON) -> JSON:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: JSON) -> JSON:
    return {"type": "array", "items": items}


def obj(description: str, props: Mapping[str, JSON], **extra: Any) -> JSON:
    """An object model.  No member is ``required``: ``fields=`` and ``lang=`` may leave any out."""
    return {"type": "object", "description": description, "properties": dict(props),
            "additionalProperties": False, **extra}


DIMS: JSON = {"type": "object", "additionalProperties": STR, "x-dims": True,
              "description": "Dimension name → member code (see /api/v1/dimensions). In CSV, one column per "
                             "dimension of the dictionary."}
LABELS: dict[str, JSON] = {"label_zh": STR, "label_en": STR,
                           "label": {**STR, "description": "The label in the language asked for with lang="}}

DELTA_MODES = deltas.MODES
RANK_BY = deltas.RANK_BY
RANK_ORDERS = deltas.ORDERS
DELTA_PROPS: dict[str, JSON] = {
    "publisher_id": STR, "metric": STR, "dims": DIMS, "year": INT, "value": nullable(NUM), "qualifier": STR,
    "base_year": nullable(INT), "base_value": nullable(NUM), "change": nullable(NUM),
    "percent_change": {**nullable(NUM), "description": "change / base × 100, rounded to 2 places"},
    "gap_years": {**array(INT), "description": "Years without a figure between the base and this year"},
    "approx": BOOL, "definition_changed": BOOL,
    "conflict": {**BOOL, "description": "The report prints another, different figure for the same point"},
    "report_id": STR, "base_report_id": nullable(STR)}

MODELS: dict[str, JSON] = {
    "PublisherRef": obj("A publisher, briefly.", {"id": STR, "name": STR, "level": STR}),
    "Publisher": obj("A government body that publishes annual reports.", {
        "id": STR, "name": {**STR, "description": "Canonical name"}, "level": STR,
        "province": nullable(STR), "region_code": nullable(STR), "parent_id": nullable(STR)}),
    "PublisherName": obj("A name the publisher printed on its reports, and the years it did.", {
        "name": STR, "first_year": INT, "last_year": INT}),
    "ReportRef": obj("A report, briefly.", {"id": STR, "year": INT, "format": STR, "title": STR}),
    "PublisherDetail": obj("A publisher with its parent, name history, child bodies and reports.", {
        "id": STR, "name": STR, "level": STR, "province": nullable(STR), "region_code": nullable(STR),
        "parent_id": nullable(STR), "parent": nullable(ref("PublisherRef")), "names": array(ref("PublisherName")),
        "children": array(ref("PublisherRef")), "reports": array(ref("ReportRef"))}),
    "Source": obj("Where the report text came from.", {
        "path": nullable(STR), "url": nullable(STR), "sha256": STR, "published": nullable(STR),
        "index_number": nullable(STR), "media_type": STR}),
    "Report": obj("One annual report of one publisher.", {
        "id": STR, "year": INT, "format": {**STR, "description": "narrative, standard-2019 or standard-2021"},
        "title": STR, "publisher": ref("PublisherRef"), "printed_publisher": STR, "source": ref("Source")}),
    "Section": obj("A heading of the report, with its text and sub-sections.", {
        "id": STR, "report_id": STR, "number": STR, "inferred_number": STR, "title": STR, "depth": INT,
        "start": INT, "end": INT, "text": STR, "children": array(ref("Section"))}),
    "Provenance": obj("Where in the stored report text a figure was read.", {
        "section": nullable(STR), "section_title": nullable(STR), "quote": STR, "start": INT, "end": INT}),
    "Observation": obj("One figure of one report.", {
        "id": STR, "report_id": STR, "publisher_id": STR,
        "year": {**INT, "description": "The year the figure is about"}, "metric": nullable(STR), "dims": DIMS,
        "value": nullable(NUM), "unit": STR, "qualifier": {**STR, "enum": ["exact", "approx"]},
        "status": {**STR, "enum": list(queries.OBSERVATION_STATUSES)}, "candidates": nullable(array(NUM)),
        "label": nullable(STR), "note": nullable(STR), "provenance": ref("Provenance")}, **{"x-metric-labels": True}),
    "StatementProvenance": obj("Where in the report text the comparison is made.", {
        "section": nullable(STR), "quote": STR, "start": INT, "end": INT}),
    "Statement": obj("A comparison the report itself makes.", {
        "id": STR, "report_id": STR, "year": INT, "metric": nullable(STR), "dims": DIMS, "base_year": nullable(INT),
        "direction": STR, "delta": nullable(NUM), "delta_unit": nullable(STR), "qualifier": STR,
        "provenance": ref("StatementProvenance"),
        "verification": {**nullable(ref("StatementVerification")),
                         "description": "The statement checked against the base year's own report (null: not "
                                        "verified yet)"}}, **{"x-metric-labels": True}),
    "StatementClaim": obj("What the statement says the base year was: the value it implies and where it says so "
                          "(offsets into this report's text).", {
        "year": nullable(INT), "value": {**nullable(NUM), "description": "The base-year value the statement "
                                                                          "implies (null: it gives no figure)"},
        "report_id": STR, "quote": STR, "start": INT, "end": INT}),
    "StatementRecord": obj("What the base year's own report records: its figure and where it prints it (offsets "
                           "into that report's text).", {
        "year": INT, "value": nullable(NUM), "report_id": {**STR, "description": "The base year's report"},
        "observation_id": nullable(STR), "quote": nullable(STR), "start": nullable(INT), "end": nullable(INT)}),
    "StatementVerification": obj("A statement checked against the base year's own report.", {
        "result": {**STR, "enum": list(crossyear.VERIFICATIONS),
                   "description": "consistent, restated (the base year's report says otherwise: both figures are "
                                  "given) or unverifiable (no base year, no base-year report or no figure)"},
        "detail": STR, "claimed": ref("StatementClaim"),
        "recorded": {**nullable(ref("StatementRecord")),
                     "description": "null: no base year, or no report of that year"}}),
    "CheckSide": obj("One side of a consistency check.", {
        "value": nullable(NUM), "source": STR, "start": nullable(INT), "end": nullable(INT)}),
    "Check": obj("A consistency rule applied to a report, and its result.", {
        "id": STR, "report_id": STR, "publisher_id": STR, "year": INT, "rule": STR,
        "result": {**STR, "enum": list(queries.CHECK_RESULTS)}, "notable": BOOL, "detail": STR,
        "left": ref("CheckSide"), "right": ref("CheckSide")}),
    "Metric": obj("A metric of the data dictionary.", {
        "code": STR, "category": STR, **LABELS, "description": STR, "unit": STR, "dims": array(STR),
        "formats": array(STR), "template_ref": nullable(STR)}),
    "Category": obj("A category of metrics, with its metrics.", {
        "code": STR, **LABELS, "description": STR, "metrics": array(ref("Metric"))}),
    "DimensionMember": obj("A member of a dimension.", {"code": STR, **LABELS}),
    "Dimension": obj("A breakdown dimension and its members.", {
        "name": STR, "members": array(ref("DimensionMember"))}),
    "PublisherBrief": obj("A publisher, briefly, with its province.", {
        "id": STR, "name": STR, "level": STR, "province": nullable(STR)}),
    "Delta": obj("One year of a series compared with its base year.", DELTA_PROPS, **{"x-metric-labels": True}),
    "SeriesPoint": obj("One year of a series: the value, its delta and the figure it was read from.", {
        **DELTA_PROPS, "observation_id": nullable(STR), "provenance": nullable(ref("Provenance"))},
        **{"x-metric-labels": True}),
    "DefinitionChange": obj("Where the metric's concept changed between two report formats.", {
        "year": INT, "base_year": nullable(INT), "from_format": STR, "to_format": STR, "note": STR}),
    "Series": obj("One publisher's values of one metric, one point per year, with deltas.", {
        "publisher": ref("PublisherBrief"), "metric": STR, "unit": STR, "dims": DIMS,
        "mode": {**STR, "enum": list(DELTA_MODES)}, "points": array(ref("SeriesPoint")),
        "missing_years": array(INT), "definition_changes": array(ref("DefinitionChange"))}),
    "RankedDelta": obj("A publisher's place in a ranking.", {
        "rank": INT, "publisher": ref("PublisherBrief"), **DELTA_PROPS}, **{"x-metric-labels": True}),
    "Ranking": obj("Publishers ranked for one metric and year.", {
        "metric": STR, "unit": STR, "dims": DIMS, "year": INT, "by": {**STR, "enum": list(RANK_BY)},
        "order": {**STR, "enum": list(RANK_ORDERS)}, "mode": {**STR, "enum": list(DELTA_MODES)},
        "min_base": NUM, "total": INT, "items": array(ref("RankedDelta"))}),
    "Problem": obj("An RFC 9457 problem document.", {
        "type": STR, "title": STR, "status": INT, "code": STR, "detail": STR, "instance": STR,
        "suggestions": array(STR), "list": STR, "maximum": INT}),
}


def resolve(schema: JSON) -> JSON:
    """A model with its top-level ``$ref`` followed (for reading property lists)."""
    while "$ref" in schema:
        schema = MODELS[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        return resolve(next(s for s in schema["anyOf"] if s.get("type") != "null"))
    return schema


def field_paths(model: str) -> list[str]:
    """The names ``fields=`` accepts: top-level members and ``member.sub`` of nested objects."""
    out: list[str] = []
    for name, prop in MODELS[model]["properties"].items():
        out.append(name)
        inner = resolve(prop)
        if inner.get("type") == "object" and "properties" in inner:
            out.extend(f"{name}.{sub}" for sub in inner["properties"])
    return out


# --- parameters ------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """One query or path parameter: its OpenAPI schema and how a raw value is parsed."""

    name: str
    description: str
    schema: JSON
    parse: Callable[[str], Any]
    location: Literal["query", "path"] = "query"
    example: str | None = None
    required: bool = False

    def openapi(self) -> JSON:
        out: JSON = {"name": self.name, "in": self.location, "description": self.description,
                     "required": self.location == "path" or self.required, "schema": self.schema}
        if self.example is not None:
            out["example"] = self.example
        return out


def _bad(name: str, message: str, code: str = "invalid_parameter") -> ApiError:
    return ApiError(400, code, f"{name}: {message}")


def p_text(name: str, description: str, *, max_length: int = 128, example: str | None = None,
           location: Literal["query", "path"] = "query") -> Param:
    def parse(raw: str) -> str:
        if not raw or len(raw) > max_length:
            raise _bad(name, f"give a value of 1 to {max_length} characters")
        return raw
    return Param(name, description, {**STR, "minLength": 1, "maxLength": max_length}, parse, location, example)


def p_enum(name: str, description: str, values: Sequence[str], example: str | None = None) -> Param:
    def parse(raw: str) -> str:
        if raw not in values:
            raise _bad(name, f"{raw[:40]!r} is not one of {', '.join(values)}")
        return raw
    return Param(name, description, {**STR, "enum": list(values)}, parse, example=example)


def p_bool(name: str, description: str) -> Param:
    def parse(raw: str) -> bool:
        low = raw.lower()
        if low in ("1", "true", "yes"):
            return True
        if low in ("0", "false", "no"):
            return False
        raise _bad(name, f"{raw[:40]!r} is not a boolean; use true or false")
    return Param(name, description, {**STR, "enum": ["true", "false", "1", "0"]}, parse)


def _parse_year(raw: str) -> int:
    if not re.fullmatch(r"\d{4}", raw):
        raise ApiError(400, "invalid_year_range", f"year: {raw[:40]!r} is not a year; write YYYY or YYYY:YYYY, "
                                                  "e.g. 2019 or 2016:2023")
    year = int(raw)
    try:
        queries.check_year(year)
    except queries.QueryError as exc:
        raise ApiError(400, exc.code, f"year: {exc}") from exc
    return year


YearArg = tuple[int | None, tuple[int, int] | None]


def parse_year_arg(raw: str) -> YearArg:
    if ":" in raw:
        lo, _, hi = raw.partition(":")
        a, b = _parse_year(lo), _parse_year(hi)
        if a > b:
            raise ApiError(400, "invalid_year_range", f"year: range {raw!r} runs backwards; write LOW:HIGH, "
                                                      f"e.g. {b}:{a}")
        return None, (a, b)
    return _parse_year(raw), None


YEAR = Param("year", "A year (2019) or an inclusive range of years (2016:2023).",
             {**STR, "pattern": r"^[0-9]{4}(:[0-9]{4})?$"}, parse_year_arg, example="2016:2023")


def _parse_limit(raw: str) -> int:
    if not re.fullmatch(r"\d{1,9}", raw):
        raise ApiError(400, "invalid_parameter", f"limit: {raw[:40]!r} is not a whole number between 1 and "
                                                 f"{queries.MAX_LIMIT}")
    value = int(raw)
    try:
        queries.check_limit(value)
    except queries.QueryError as exc:
        raise ApiError(400, exc.code, str(exc), maximum=queries.MAX_LIMIT) from exc
    return value


LIMIT = Param("limit", f"Rows per page, 1 to {queries.MAX_LIMIT} (default 100 for JSON; CSV and NDJSON stream "
                       "every row unless a limit is given). A larger limit is an error, never silently capped.",
              {**STR, "pattern": r"^[0-9]+$"}, _parse_limit, example="100")


def _parse_cursor(raw: str) -> str:
    if len(raw) > 1024 or not re.fullmatch(r"[A-Za-z0-9_\-]+", raw):
        raise ApiError(400, "invalid_cursor", "after: malformed cursor; pass back the 'next' value unchanged")
    queries.decode_cursor(raw)
    return raw


AFTER = Param("after", "Opaque cursor: the position after which the page starts (from `next`).",
              {**STR, "maxLength": 1024}, _parse_cursor)
FORMAT = Param("format", "Response format (the same as a .csv/.ndjson suffix or an Accept header).",
               {**STR, "enum": ["json", "csv", "ndjson"]}, lambda raw: raw)
LANG = p_enum("lang", "Label language: replaces label_zh/label_en with one label.", ["zh", "en"])
BOM = p_bool("bom", "CSV only: start with a UTF-8 byte order mark, so Excel reads the Chinese text correctly.")
FIELDS_DESCRIPTION = "Comma-separated members to return (e.g. id,year,value,provenance.quote)."
PUBLISHER = p_text("publisher", "Publisher id (see /api/v1/publishers).", max_length=64, example="p-11360f59702b")


def _parse_metrics(raw: str) -> list[str]:
    codes = [c for c in re.split(r"[;,]", raw) if c]
    if not codes or len(codes) > 50 or any(len(c) > 128 for c in codes):
        raise ApiError(400, "invalid_parameter", "metric: give 1 to 50 metric codes separated by ';'")
    return codes


METRIC_LIST = Param("metric", "One metric code, or several separated by ';' (see /api/v1/metrics).",
                    {**STR, "pattern": r"^[a-z0-9_.;,]+$"}, _parse_metrics, example="review.total;litigation.total")
METRIC_ONE = p_text("metric", "Metric code (see /api/v1/metrics).", example="applications.received")
STATUS = p_enum("status", "reported (printed in the report), derived (worked out from it) or computed.",
                queries.OBSERVATION_STATUSES)
RESULT = p_enum("result", "Check result.", queries.CHECK_RESULTS, example="fail")


# --- endpoints -------------------------------------------------------------------------

@dataclass
class Call:
    """A validated request: what the handler needs, already parsed."""

    params: dict[str, Any]
    path: dict[str, str]
    dims: dict[str, str]
    sort: queries.SortSpec | None
    limit: int
    after: str | None
    fields: list[str] | None
    lang: str | None
    explicit_limit: bool

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    @property
    def year(self) -> int | None:
        value: YearArg | None = self.params.get("year")
        return value[0] if value else None

    @property
    def year_range(self) -> tuple[int, int] | None:
        value: YearArg | None = self.params.get("year")
        return value[1] if value else None


Shape = Literal["page", "list", "object"]


@dataclass(frozen=True)
class Sorting:
    """The sort keys of a paginated list and its default order (ties are always broken by id)."""

    keys: tuple[str, ...]
    default: queries.SortSpec

    @staticmethod
    def of(listing: queries.Listing) -> Sorting:
        return Sorting(tuple(listing.sort_keys), listing.default)


@dataclass(frozen=True)
class Endpoint:
    """One REST resource: path, parameters, response model and the query function behind it.

    ``tabular`` endpoints also answer in CSV and NDJSON; ``dims`` endpoints
    take dimension filters named after the dictionary's dimensions;
    ``sorting`` gives the sort keys of paginated lists.  ``rows`` turns an
    object answer into table rows (a series into its points).
    """

    path: str
    operation_id: str
    summary: str
    model: str
    shape: Shape
    run: Callable[[Connection, Call], Any]
    params: tuple[Param, ...] = ()
    description: str = ""
    tag: str = "data"
    tabular: bool = False
    dims: bool = False
    sorting: Sorting | None = None
    labels: bool = False
    rows: Callable[[Any], list[dict[str, Any]]] | None = None
    row_model: str | None = None
    path_params: tuple[Param, ...] = field(default=())

    @property
    def paginated(self) -> bool:
        return self.shape == "page"

    def all_params(self) -> list[Param]:
        out = list(self.path_params) + list(self.params)
        if self.paginated:
            out += [LIMIT, AFTER]
            if self.sorting is not None:
                keys = list(self.sorting.keys)
                default = ",".join(("-" if d else "") + k for k, d in self.sorting.default)
                out.append(Param("sort", f"Sort keys separated by commas, '-' for descending: {', '.join(keys)}. "
                                         f"Default {default}; ties are broken by id.",
                                 {**STR, "pattern": "^-?(" + "|".join(keys) + ")(,-?(" + "|".join(keys) + "))*$"},
                                 lambda raw: raw, example="-year,metric" if "metric" in keys else None))
        out.append(Param("fields", FIELDS_DESCRIPTION, {**STR, "maxLength": 1024}, lambda raw: raw))
        if self.tabular:
            out += [FORMAT, BOM]
        if self.labels or self.tabular:
            out.append(LANG)
        return out
