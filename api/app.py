"""The ASGI application: REST under /api/v1, GraphQL at /graphql, docs, health probes.

Middleware is plain ASGI (CORS on every response, a guard on the request
line, gzip), not ``BaseHTTPMiddleware``, which costs throughput and breaks
streaming.
"""

from __future__ import annotations

import gc
import logging
from urllib.parse import unquote_to_bytes

import orjson
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.graphql_http import GongkaiGraphQL
from api.http import json_response
from api.openapi import docs_page, openapi_json
from api.problems import ApiError, problem_body, problem_response
from api.rest import routes as rest_routes
from db.engine import get_engine
from db.loader import data_version
from schema.graphql import schema

log = logging.getLogger("gongkai")


class CORSMiddleware:
    """Adds permissive CORS headers to every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            headers = [(b"access-control-allow-origin", b"*"),
                       (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                       (b"access-control-allow-headers", b"*"),
                       (b"access-control-max-age", b"86400")]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"access-control-allow-origin", b"*"))
                headers.append((b"access-control-expose-headers", b"Link, ETag, X-Cache"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cors)


MAX_QUERY_BYTES = 8192
MAX_PATH_BYTES = 2048


class RequestGuard:
    """Rejects request lines the API cannot answer sensibly, before any routing.

    A URL longer than the limits is 414; a percent-encoded query or path
    that is not UTF-8 is 400 (Starlette would otherwise replace the bytes
    with U+FFFD and search for the wrong text), and so is one with a NUL.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        problem: tuple[int, str, str] | None = None
        if len(query) > MAX_QUERY_BYTES or len(raw_path) > MAX_PATH_BYTES:
            problem = (414, "uri_too_long", f"the request URL is too long: the query string may have at most "
                                            f"{MAX_QUERY_BYTES} bytes and the path {MAX_PATH_BYTES}")
        else:
            try:
                decoded = (unquote_to_bytes(query.replace(b"+", b" ")).decode("utf-8")
                           + unquote_to_bytes(raw_path).decode("utf-8"))
            except UnicodeDecodeError:
                problem = (400, "invalid_encoding", "the request URL is not valid UTF-8 once percent-decoded; "
                                                    "encode text as UTF-8 before percent-encoding it")
            else:
                if "\x00" in decoded:
                    # No text the API stores contains NUL, and PostgreSQL cannot even compare with it.
                    problem = (400, "invalid_encoding", "the request URL contains a NUL character (%00); "
                                                        "remove it")
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, code, detail = problem
        body = orjson.dumps(problem_body(status, code, detail))
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


async def healthz(_: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(_: Request) -> Response:
    def probe() -> str:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
            return data_version(conn)

    try:
        version = await run_in_threadpool(probe)
    except Exception as exc:
        return problem_response(503, "database_unavailable", f"database not reachable: {type(exc).__name__}")
    return json_response({"status": "ready", "data_version": version})


async def api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return problem_response(exc.status, exc.code, exc.detail, **exc.extra)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return problem_response(exc.status_code, code, str(exc.detail), instance=request.url.path)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return problem_response(500, "internal_error", "an internal error occurred; it has been logged")


def create_app() -> ASGIApp:
    graphql_app = GongkaiGraphQL(schema)
    app = Starlette(
        routes=[
            *rest_routes,
            Route("/api/v1/openapi.json", openapi_json),
            Route("/docs", docs_page),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: server_error},
    )
    return CORSMiddleware(GZipMiddleware(RequestGuard(app), minimum_size=500))


app = create_app()

# Everything built so far (the schema, routes, compiled regexes, the dictionary modules) lives as long as the
# process: moved out of the collector's reach, a full collection no longer walks it (about 70 ms each, once
# every few hundred requests, before this).
gc.freeze()
