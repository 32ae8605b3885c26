"""REST handlers under /api/v1: thin adapters from query strings to ``db.queries``.

Handlers validate parameters (unknown ones are an error, not ignored), call
one query function in a worker thread, and return JSON with orjson.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.problems import ApiError
from db import queries
from db.engine import get_engine

Handler = Callable[[Request], Awaitable[Response]]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)


def _params(request: Request, allowed: set[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key not in allowed:
            raise ApiError(400, "unknown_parameter",
                           f"unknown query parameter {key!r}; allowed: {', '.join(sorted(allowed)) or 'none'}")
        if key in params:
            raise ApiError(400, "repeated_parameter", f"query parameter {key!r} given more than once")
        params[key] = value
    return params


def _int(params: dict[str, str], key: str, default: int | None = None) -> int | None:
    if key not in params:
        return default
    try:
        return int(params[key])
    except ValueError as exc:
        raise ApiError(400, "invalid_parameter", f"{key} must be an integer, got {params[key]!r}") from exc


def _year(params: dict[str, str]) -> tuple[int | None, tuple[int, int] | None]:
    raw = params.get("year")
    if raw is None:
        return None, None
    try:
        if ":" in raw:
            a, b = raw.split(":", 1)
            lo, hi = int(a), int(b)
            if lo > hi:
                raise ApiError(400, "invalid_year_range", f"year range {raw!r} runs backwards; write LOW:HIGH")
            return None, (lo, hi)
        return int(raw), None
    except ValueError as exc:
        raise ApiError(400, "invalid_parameter", f"year must be YYYY or YYYY:YYYY, got {raw!r}") from exc


async def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    def call() -> Any:
        with get_engine().connect() as conn:
            return fn(conn, *args, **kwargs)

    try:
        return await run_in_threadpool(call)
    except queries.QueryError as exc:
        raise ApiError(400, exc.code, str(exc)) from exc


def _page_response(request: Request, page: queries.Page) -> Response:
    headers: dict[str, str] = {}
    nxt = None
    if page.next_cursor:
        params = dict(request.query_params)
        params["after"] = page.next_cursor
        nxt = str(request.url.replace(query=urlencode(params)))
        headers["Link"] = f'<{nxt}>; rel="next"'
    return json_response({"data": page.items, "next": nxt}, headers=headers)


async def reports(request: Request) -> Response:
    p = _params(request, {"publisher", "year", "format", "limit", "after"})
    year, year_range = _year(p)
    page = await _run(queries.list_reports, publisher=p.get("publisher"), year=year, year_range=year_range,
                      fmt=p.get("format"), limit=_int(p, "limit", 100), after=p.get("after"))
    return _page_response(request, page)


async def _report_or_404(report_id: str) -> dict[str, Any]:
    rep = await _run(queries.get_report, report_id)
    if rep is None:
        raise ApiError(404, "not_found", f"no report with id {report_id!r}")
    return rep  # type: ignore[no-any-return]


async def report(request: Request) -> Response:
    _params(request, set())
    return json_response({"data": await _report_or_404(request.path_params["report_id"])})


async def report_sections(request: Request) -> Response:
    _params(request, set())
    rid = request.path_params["report_id"]
    await _report_or_404(rid)
    return json_response({"data": await _run(queries.report_sections, rid)})


async def report_observations(request: Request) -> Response:
    p = _params(request, {"uncoded"})
    rid = request.path_params["report_id"]
    await _report_or_404(rid)
    include = p.get("uncoded", "true").lower() not in ("0", "false", "no")
    return json_response({"data": await _run(queries.report_observations, rid, include_uncoded=include)})


async def report_statements(request: Request) -> Response:
    _params(request, set())
    rid = request.path_params["report_id"]
    await _report_or_404(rid)
    return json_response({"data": await _run(queries.report_statements, rid)})


async def report_checks(request: Request) -> Response:
    p = _params(request, {"result"})
    rid = request.path_params["report_id"]
    await _report_or_404(rid)
    return json_response({"data": await _run(queries.report_checks, rid, p.get("result"))})


async def metrics(request: Request) -> Response:
    p = _params(request, {"category"})
    return json_response({"data": await _run(queries.list_metrics, p.get("category"))})


async def metric(request: Request) -> Response:
    _params(request, set())
    code = request.path_params["code"]
    m = await _run(queries.get_metric, code)
    if m is None:
        raise ApiError(404, "not_found", f"no metric with code {code!r}")
    return json_response({"data": m})


async def categories(request: Request) -> Response:
    _params(request, set())
    return json_response({"data": await _run(queries.list_categories)})


async def dimensions(request: Request) -> Response:
    _params(request, set())
    return json_response({"data": await _run(queries.list_dimensions)})


routes = [
    Route("/api/v1/reports", reports),
    Route("/api/v1/reports/{report_id}", report),
    Route("/api/v1/reports/{report_id}/sections", report_sections),
    Route("/api/v1/reports/{report_id}/observations", report_observations),
    Route("/api/v1/reports/{report_id}/statements", report_statements),
    Route("/api/v1/reports/{report_id}/checks", report_checks),
    Route("/api/v1/metrics", metrics),
    Route("/api/v1/metrics/{code}", metric),
    Route("/api/v1/categories", categories),
    Route("/api/v1/dimensions", dimensions),
]
