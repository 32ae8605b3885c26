"""The ASGI application: REST under /api/v1, GraphQL at /graphql, health probes.

Middleware is plain ASGI (CORS on every response, errors as problem+json),
not ``BaseHTTPMiddleware``, which costs throughput.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.problems import ApiError, problem_response
from api.rest import json_response, routes as rest_routes
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
                headers.append((b"access-control-expose-headers", b"Link, ETag"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cors)


class LazyConnection:
    """One database connection per GraphQL request, opened on first use."""

    def __init__(self) -> None:
        self._conn: Connection | None = None

    def get(self) -> Connection:
        if self._conn is None:
            self._conn = get_engine().connect()
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class GongkaiGraphQL(GraphQL):  # type: ignore[type-arg]
    """Strawberry's ASGI app; the connection is closed once the response is sent."""

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        return {"request": request, "response": response, "db": request.scope["gongkai.db"]}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        holder = LazyConnection()
        scope["gongkai.db"] = holder
        try:
            await super().__call__(scope, receive, send)
        finally:
            holder.close()


async def healthz(_: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(_: Request) -> Response:
    def probe() -> str:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
            return data_version(conn)

    try:
        version = await run_in_threadpool(probe)
    except Exception as exc:  # noqa: BLE001 - readiness reports any database failure
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
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: server_error},
    )
    return CORSMiddleware(app)


app = create_app()
