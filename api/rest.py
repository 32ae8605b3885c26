"""The REST resources under /api/v1, as one declarative table.

Each ``Endpoint`` names its parameters and response model and maps the parsed
request onto one ``db.queries`` function; ``api.http.dispatch`` does the
rest (validation, formats, caching) and ``api.openapi`` documents the same
records, so a parameter exists in the docs exactly when a handler accepts it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Connection
from starlette.routing import Route

from api import spec
from api.http import endpoint_handler, json_response
from api.problems import ApiError
from api.spec import (
    PUBLISHER,
    RESULT,
    STATUS,
    YEAR,
    Call,
    Endpoint,
    Param,
    Sorting,
    p_bool,
    p_enum,
    p_text,
)
from db import deltas, queries

__all__ = ["ENDPOINTS", "json_response", "routes"]

REPORT_ID = p_text("report_id", "Report id.", max_length=64, location="path", example="r-67b89d2ec218")
PUBLISHER_ID = p_text("publisher_id", "Publisher id.", max_length=64, location="path", example="p-11360f59702b")
METRIC_CODE = p_text("code", "Metric code.", location="path", example="applications.received")


def _not_found(kind: str, key: str, listing: str) -> queries.QueryError:
    return queries.QueryError(f"no {kind} with id {key!r}; {kind}s are listed at {listing}", "not_found", status=404)


def _report(conn: Connection, c: Call) -> str:
    rid = c.path["report_id"]
    if queries.get_report(conn, rid) is None:
        raise _not_found("report", rid, "/api/v1/reports")
    return rid


# --- handlers: parsed request → one query-layer call -----------------------------------

def run_publishers(conn: Connection, c: Call) -> queries.Page:
    return queries.list_publishers(conn, level=c.get("level"), province=c.get("province"), parent=c.get("parent"),
                                   name_contains=c.get("name_contains"), sort=c.sort, limit=c.limit, after=c.after)


def run_publisher(conn: Connection, c: Call) -> dict[str, Any]:
    pub = queries.get_publisher(conn, c.path["publisher_id"])
    if pub is None:
        raise _not_found("publisher", c.path["publisher_id"], "/api/v1/publishers")
    return pub


def run_reports(conn: Connection, c: Call) -> queries.Page:
    return queries.list_reports(conn, publisher=c.get("publisher"), year=c.year, year_range=c.year_range,
                                fmt=c.get("report_format"), sort=c.sort, limit=c.limit, after=c.after)


def run_report(conn: Connection, c: Call) -> dict[str, Any]:
    rep = queries.get_report(conn, c.path["report_id"])
    if rep is None:
        raise _not_found("report", c.path["report_id"], "/api/v1/reports")
    return rep


def run_report_sections(conn: Connection, c: Call) -> list[dict[str, Any]]:
    return queries.report_sections(conn, _report(conn, c))


def run_report_observations(conn: Connection, c: Call) -> list[dict[str, Any]]:
    return queries.report_observations(conn, _report(conn, c), include_uncoded=c.get("uncoded", True),
                                       metrics=c.get("metric"), dims=c.dims, status=c.get("status"))


def run_report_statements(conn: Connection, c: Call) -> list[dict[str, Any]]:
    return queries.report_statements(conn, _report(conn, c))


def run_report_checks(conn: Connection, c: Call) -> list[dict[str, Any]]:
    return queries.report_checks(conn, _report(conn, c), c.get("result"))


def run_metrics(conn: Connection, c: Call) -> list[dict[str, Any]]:
    category = c.get("category")
    if category and category not in queries.category_codes(conn):
        raise queries.QueryError(f"unknown category {category!r}; categories: "
                                 f"{', '.join(queries.category_codes(conn))}", "unknown_category",
                                 list="/api/v1/categories")
    return queries.list_metrics(conn, category)


def run_metric(conn: Connection, c: Call) -> dict[str, Any]:
    code = c.path["code"]
    m = queries.get_metric(conn, code)
    if m is None:
        try:
            queries.dictionary(conn).check_metrics([code])
        except queries.QueryError as exc:
            raise queries.QueryError(str(exc), "not_found", status=404, **exc.extra) from exc
    assert m is not None
    return m


def run_categories(conn: Connection, _: Call) -> list[dict[str, Any]]:
    return queries.list_categories(conn)


def run_dimensions(conn: Connection, _: Call) -> list[dict[str, Any]]:
    return queries.list_dimensions(conn)


def run_observations(conn: Connection, c: Call) -> queries.Page:
    return queries.list_observations(conn, metrics=c.get("metric"), publisher=c.get("publisher"), year=c.year,
                                     year_range=c.year_range, dims=c.dims, status=c.get("status"), sort=c.sort,
                                     limit=c.limit, after=c.after)


def run_series(conn: Connection, c: Call) -> dict[str, Any]:
    return queries.series(conn, publisher=c.params["publisher"], metric=c.params["metric"], dims=c.dims,
                          year=c.year, year_range=c.year_range, mode=c.get("mode", "previous_year"))


def series_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list(result["points"])


def run_deltas(conn: Connection, c: Call) -> queries.Page:
    return deltas.deltas(conn, metric=c.get("metric"), dims=c.dims, publisher=c.get("publisher"), year=c.year,
                         year_range=c.year_range, mode=c.get("mode", "previous_year"), level=c.get("level"),
                         province=c.get("province"), sort=c.sort, limit=c.limit, after=c.after)


def run_rankings(conn: Connection, c: Call) -> dict[str, Any]:
    if c.year is None:
        raise queries.QueryError("rankings are for one year: year=2023, not a range", "invalid_year_range")
    return deltas.rankings(conn, metric=c.params["metric"], year=c.year, dims=c.dims, by=c.get("by", "value"),
                           order=c.get("order", "desc"), min_base=c.get("min_base", deltas.DEFAULT_MIN_BASE),
                           mode=c.get("mode", "previous_year"), level=c.get("level"), province=c.get("province"),
                           limit=c.get("limit", 20))


def ranking_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list(result["items"])


def run_checks(conn: Connection, c: Call) -> queries.Page:
    return queries.list_checks(conn, result=c.get("result"), rule=c.get("rule"), publisher=c.get("publisher"),
                               year=c.year, year_range=c.year_range, notable=c.get("notable"), sort=c.sort,
                               limit=c.limit, after=c.after)


# --- the table ----------------------------------------------------------------------------

def _required(p: Param) -> Param:
    return replace(p, required=True)


def _parse_min_base(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise ApiError(400, "invalid_parameter", f"min_base: {raw[:40]!r} is not a whole number")
    return int(raw)


def _parse_rank_limit(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9 or not 1 <= int(raw) <= queries.MAX_LIMIT:
        raise ApiError(400, "limit_out_of_range", f"limit: give a whole number from 1 to {queries.MAX_LIMIT}",
                       maximum=queries.MAX_LIMIT)
    return int(raw)


MODE = p_enum("mode", "previous_year (default): compare with the year before, null across a gap; "
                      "previous_available: compare with the previous year that has a figure.", deltas.MODES)
LEVEL = p_text("level", "Only publishers of this level (province, city, county, department, other).")
PROVINCE = p_text("province", "Only publishers of this province (e.g. 福建省).")
RANK_LIMIT = Param("limit", f"Publishers to return, 1 to {queries.MAX_LIMIT} (default 20).",
                   {"type": "string", "pattern": "^[0-9]+$"}, _parse_rank_limit, example="20")
DELTA_SORTING = Sorting(("publisher", "metric", "dims", "year"),
                        (("publisher", False), ("metric", False), ("dims", False), ("year", False)))

V1 = "/api/v1"
UNCODED = p_bool("uncoded", "Include figures no metric code was assigned to (default true).")

ENDPOINTS: list[Endpoint] = [
    Endpoint(f"{V1}/publishers", "list_publishers", "Publishers", "Publisher", "page", run_publishers,
             params=(p_text("level", "Administrative level (province, city, county, department, other)."),
                     p_text("province", "Province, as written in Chinese (e.g. 福建省)."),
                     p_text("parent", "Parent publisher id: the bodies under it.", max_length=64),
                     p_text("name_contains", "Part of the name, current or former (e.g. 平潭).")),
             tabular=True, sorting=Sorting.of(queries.PUBLISHERS), tag="publishers",
             description="Government bodies that publish reports, with filters on level, province, parent and name."),
    Endpoint(f"{V1}/publishers/{{publisher_id}}", "get_publisher", "One publisher", "PublisherDetail", "object",
             run_publisher, path_params=(PUBLISHER_ID,), tag="publishers",
             description="A publisher with its parent, the names it printed (name history), the bodies under it "
                         "and its reports."),
    Endpoint(f"{V1}/reports", "list_reports", "Reports", "Report", "page", run_reports,
             params=(PUBLISHER, YEAR, p_text("report_format", "Report format: narrative, standard-2019 or "
                                                              "standard-2021.", max_length=32)),
             tabular=True, sorting=Sorting.of(queries.REPORTS), tag="reports",
             description="Annual reports, oldest first by default."),
    Endpoint(f"{V1}/reports/{{report_id}}", "get_report", "One report", "Report", "object", run_report,
             path_params=(REPORT_ID,), tag="reports"),
    Endpoint(f"{V1}/reports/{{report_id}}/sections", "report_sections", "Section tree of a report", "Section",
             "list", run_report_sections, path_params=(REPORT_ID,), tag="reports",
             description="The heading tree with each section's text; `inferred_number` restores numerals the "
                         "source lost."),
    Endpoint(f"{V1}/reports/{{report_id}}/observations", "report_observations", "Figures of a report",
             "Observation", "list", run_report_observations, path_params=(REPORT_ID,),
             params=(UNCODED, spec.METRIC_LIST, STATUS), tabular=True, dims=True, tag="reports",
             description="Every figure of the report in document order, breakdowns included."),
    Endpoint(f"{V1}/reports/{{report_id}}/statements", "report_statements", "Comparisons a report makes",
             "Statement", "list", run_report_statements, path_params=(REPORT_ID,), tabular=True, tag="reports"),
    Endpoint(f"{V1}/reports/{{report_id}}/checks", "report_checks", "Consistency checks of a report", "Check",
             "list", run_report_checks, path_params=(REPORT_ID,), params=(RESULT,), tabular=True, tag="reports"),
    Endpoint(f"{V1}/metrics", "list_metrics", "The metric dictionary", "Metric", "list", run_metrics,
             params=(p_text("category", "Category code (see /api/v1/categories).", max_length=64),),
             tabular=True, labels=True, tag="dictionary"),
    Endpoint(f"{V1}/metrics/{{code}}", "get_metric", "One metric", "Metric", "object", run_metric,
             path_params=(METRIC_CODE,), labels=True, tag="dictionary"),
    Endpoint(f"{V1}/categories", "list_categories", "Categories with their metrics", "Category", "list",
             run_categories, labels=True, tag="dictionary"),
    Endpoint(f"{V1}/dimensions", "list_dimensions", "Breakdown dimensions and their members", "Dimension", "list",
             run_dimensions, labels=True, tag="dictionary"),
    Endpoint(f"{V1}/observations", "list_observations", "Figures across reports", "Observation", "page",
             run_observations, params=(spec.METRIC_LIST, PUBLISHER, YEAR, STATUS), tabular=True, dims=True,
             sorting=Sorting.of(queries.OBSERVATIONS),
             description="Totals by default; name a dimension (applicant=natural_person, route=direct, "
                         "subunit=…) for a breakdown. A total is never mixed with its parts."),
    Endpoint(f"{V1}/series", "get_series", "A publisher's values of a metric, year by year, with deltas",
             "Series", "object", run_series,
             params=(_required(PUBLISHER), _required(spec.METRIC_ONE), YEAR, MODE), tabular=True, dims=True,
             rows=series_rows, row_model="SeriesPoint",
             description="One point per year (the figure its own report prints), with the change from the base "
                         "year, gaps, definition changes across report formats, and the quote the value was read "
                         "from. Totals unless a dimension is named. Every figure as printed is in /observations."),
    Endpoint(f"{V1}/deltas", "list_deltas", "Year-over-year changes", "Delta", "page", run_deltas,
             params=(p_text("metric", "Metric code; without it, the totals of every metric.",
                            example="applications.received"), PUBLISHER, YEAR, MODE, LEVEL, PROVINCE),
             tabular=True, dims=True, sorting=DELTA_SORTING,
             description="One row per publisher, metric, breakdown and year: value, base value, change and "
                         "percent change (null across a gap in previous_year mode or a definition change)."),
    Endpoint(f"{V1}/rankings", "get_rankings", "Publishers ranked for a metric and year", "Ranking", "object",
             run_rankings,
             params=(_required(spec.METRIC_ONE), _required(YEAR),
                     p_enum("by", "Rank by value, change or percent_change (default value).", deltas.RANK_BY),
                     p_enum("order", "desc (default) or asc.", deltas.ORDERS),
                     Param("min_base", "percent_change only: leave out bases below this (default 10), so 1 → 3 "
                                       "is not +200% at the top.", {"type": "string", "pattern": r"^[0-9]{1,9}$"},
                           _parse_min_base), MODE, LEVEL, PROVINCE, RANK_LIMIT),
             tabular=True, dims=True, rows=ranking_rows, row_model="RankedDelta",
             description="Ties share a rank; `total` is the number of publishers ranked."),
    Endpoint(f"{V1}/checks", "list_checks", "Consistency checks across reports", "Check", "page", run_checks,
             params=(RESULT, p_text("rule", "Rule, or its prefix (sum:, share:, C4:…).", max_length=128),
                     PUBLISHER, YEAR, p_bool("notable", "Only checks flagged notable (true) or not (false).")),
             tabular=True, sorting=Sorting.of(queries.CHECKS),
             description="\"Whose numbers don't add up\": e.g. result=fail&year=2023."),
]


def _routes() -> list[Route]:
    out: list[Route] = []
    for ep in ENDPOINTS:
        if ep.tabular:
            for suffix in ("csv", "ndjson"):
                out.append(Route(f"{ep.path}.{suffix}", endpoint_handler(ep, suffix), methods=["GET"]))
        out.append(Route(ep.path, endpoint_handler(ep), methods=["GET"]))
    return out


routes = _routes()
