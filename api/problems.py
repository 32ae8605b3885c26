"""Errors as RFC 9457 problem documents, with codes shared with GraphQL.

The same ``code`` string appears in a REST problem's ``code`` member and in a
GraphQL error's ``extensions.code``, so clients handle both APIs alike.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

PROBLEM_BASE = "https://gongkai.example/problems/"


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
    413: "Request too large",
    414: "URI too long",
    422: "Unprocessable request",
    500: "Internal server error",
}


def problem_response(status: int, code: str, detail: str, instance: str | None = None,
                     **extra: Any) -> Response:
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
    return Response(orjson.dumps(body), status_code=status, media_type="application/problem+json")
