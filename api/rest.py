"""The REST resources under /api/v1, as one declarative table.

Each ``Endpoint`` names its parameters and response model and maps the parsed
request onto one ``db.queries`` function; ``api.http.dispatch`` does the
rest (validation, formats, caching) and ``api.openapi`` documents the same
records, so a parameter exists in the docs exactly when a handler accepts it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from starlette.routing import Route

from api import spec
from api.http import endpoint_handler, json_response
from api.spec import (
    PUBLISHER,
    RESULT,
    STATUS,
    YEAR,
    Call,
    Endpoint,
    Param,
    p_bool,
    p_text,
)
from db import queries

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
    if "publisher" not in c.params or "metric" not in c.params:
        missing = [p for p in ("publisher", "metric") if p not in c.params]
        raise queries.QueryError(f"series needs {' and '.join(missing)}: e.g. "
                                 "/api/v1/series?publisher=p-11360f59702b&metric=applications.received",
                                 "missing_parameter")
    queries.dictionary(conn).check_metrics([c.params["metric"]])
    return queries.series(conn, publisher=c.params["publisher"], metric=c.params["metric"], dims=c.dims,
                          year=c.year, year_range=c.year_range)


def series_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**p, "metric": result["metric"], "publisher_id": result["publisher"]["id"]}
            for p in result["points"]]


def run_checks(conn: Connection, c: Call) -> queries.Page:
    return queries.list_checks(conn, result=c.get("result"), rule=c.get("rule"), publisher=c.get("publisher"),
                               year=c.year, year_range=c.year_range, notable=c.get("notable"), sort=c.sort,
                               limit=c.limit, after=c.after)


# --- the table ----------------------------------------------------------------------------

V1 = "/api/v1"
UNCODED = p_bool("uncoded", "Include figures no metric code was assigned to (default true).")

ENDPOINTS: list[Endpoint] = [
    Endpoint(f"{V1}/publishers", "list_publishers", "Publishers", "Publisher", "page", run_publishers,
             params=(p_text("level", "Administrative level (province, city, county, department, other)."),
                     p_text("province", "Province, as written in Chinese (e.g. 福建省)."),
                     p_text("parent", "Parent publisher id: the bodies under it.", max_length=64),
                     p_text("name_contains", "Part of the name, current or former (e.g. 平潭).")),
             tabular=True, listing=queries.PUBLISHERS, tag="publishers",
             description="Government bodies that publish reports, with filters on level, province, parent and name."),
    Endpoint(f"{V1}/publishers/{{publisher_id}}", "get_publisher", "One publisher", "PublisherDetail", "object",
             run_publisher, path_params=(PUBLISHER_ID,), tag="publishers",
             description="A publisher with its parent, the names it printed (name history), the bodies under it "
                         "and its reports."),
    Endpoint(f"{V1}/reports", "list_reports", "Reports", "Report", "page", run_reports,
             params=(PUBLISHER, YEAR, p_text("report_format", "Report format: narrative, standard-2019 or "
                                                              "standard-2021.", max_length=32)),
             tabular=True, listing=queries.REPORTS, tag="reports",
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
             listing=queries.OBSERVATIONS,
             description="Totals by default; name a dimension (applicant=natural_person, route=direct, "
                         "subunit=…) for a breakdown. A total is never mixed with its parts."),
    Endpoint(f"{V1}/series", "get_series", "A publisher's values of a metric, year by year", "Series", "object",
             run_series, params=(Param("publisher", "Publisher id (required).", spec.PUBLISHER.schema,
                                       spec.PUBLISHER.parse, example="p-11360f59702b"),
                                 Param("metric", "Metric code (required).", spec.METRIC_ONE.schema,
                                       spec.METRIC_ONE.parse, example="applications.received"), YEAR),
             tabular=True, dims=True, rows=series_rows, row_model="SeriesRow",
             description="Points by year with value, qualifier, status and provenance; a year may have more than "
                         "one point (a restated or derived figure). Totals unless a dimension is named."),
    Endpoint(f"{V1}/checks", "list_checks", "Consistency checks across reports", "Check", "page", run_checks,
             params=(RESULT, p_text("rule", "Rule, or its prefix (sum:, share:, C4:…).", max_length=128),
                     PUBLISHER, YEAR, p_bool("notable", "Only checks flagged notable (true) or not (false).")),
             tabular=True, listing=queries.CHECKS,
             description="\"Whose numbers don't add up\": e.g. result=fail&year=2023."),
]

spec.MODELS["SeriesRow"] = spec.obj("A series point as a table row.", {
    "publisher_id": spec.STR, "metric": spec.STR,
    **{k: v for k, v in spec.MODELS["SeriesPoint"]["properties"].items()}}, **{"x-metric-labels": True})


def _routes() -> list[Route]:
    out: list[Route] = []
    for ep in ENDPOINTS:
        if ep.tabular:
            for suffix in ("csv", "ndjson"):
                out.append(Route(f"{ep.path}.{suffix}", endpoint_handler(ep, suffix), methods=["GET"]))
        out.append(Route(ep.path, endpoint_handler(ep), methods=["GET"]))
    return out


routes = _routes()
