"""Errors as RFC 9457 problem documents, with codes shared with GraphQL.

The same ``code`` string appears in a REST problem's ``code`` member and in a
GraphQL error's ``extensions.code``, so clients handle both APIs alike.
``CODES`` is the one list of them (the OpenAPI document and the docs page
print it).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

PROBLEM_BASE = "https://gongkai.example/problems/"

CODES: dict[str, str] = {
    "unknown_parameter": "A query parameter the resource does not take (REST); an unknown field or argument "
                         "(GraphQL).",
    "repeated_parameter": "A query parameter given twice.",
    "missing_parameter": "A required parameter is missing.",
    "invalid_parameter": "A parameter value of the wrong type or out of its set of values.",
    "invalid_year_range": "A year that is not YYYY, out of range, or a range that runs backwards.",
    "limit_out_of_range": "limit (REST) above 1000 or first (GraphQL) above 100, or below 1.",
    "invalid_cursor": "A cursor that was altered or belongs to another list or sort order.",
    "invalid_sort": "An unknown or repeated sort key.",
    "unknown_field": "fields= names a member the resource does not have.",
    "unknown_metric": "A metric code not in the dictionary (the problem lists close matches).",
    "unknown_category": "A category code not in the dictionary.",
    "unknown_dimension": "A dimension name not in the dictionary.",
    "unknown_dimension_member": "A value that is not a member of the dimension.",
    "unsupported_format": "A format the resource is not available in.",
    "invalid_encoding": "A request URL that is not valid UTF-8 once percent-decoded.",
    "uri_too_long": "A request URL longer than the server accepts.",
    "not_found": "No such resource.",
    "method_not_allowed": "The resource does not support the HTTP method.",
    "bad_request": "A request the server cannot read (e.g. a GraphQL body that is not JSON).",
    "graphql_parse_failed": "A GraphQL document that does not parse.",
    "graphql_validation_failed": "A GraphQL document that does not fit the schema (unknown field, wrong variable "
                                 "type…).",
    "query_too_deep": "A GraphQL query nested deeper than the depth limit.",
    "too_many_aliases": "A GraphQL query with more aliases than the limit.",
    "too_many_tokens": "A GraphQL document with more tokens than the limit.",
    "query_too_costly": "A GraphQL query whose cost (first × nested first) exceeds the limit.",
    "database_unavailable": "The database is not reachable (readiness probe).",
    "internal_error": "A server fault; it has been logged.",
}


class ApiError(Exception):
    """An error a client caused (or a resource that does not exist)."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra


TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Request too large",
    414: "URI too long",
    422: "Unprocessable request",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem_body(status: int, code: str, detail: str, instance: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(status: int, code: str, detail: str, instance: str | None = None,
                     **extra: Any) -> Response:
    body = problem_body(status, code, detail, instance, **extra)
    return Response(orjson.dumps(body), status_code=status, media_type="application/problem+json",
                    headers={"Cache-Control": "no-store"})
