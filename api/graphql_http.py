"""GraphQL over HTTP: strawberry's ASGI app with caching and JSON errors.

Queries sent with GET carry a strong ETag (data version + canonical query)
and ``Cache-Control``, and ``If-None-Match`` answers 304 without running the
query.  Requests strawberry rejects before GraphQL starts (a body that is not
JSON, no query) answer with a GraphQL-shaped JSON error carrying
``extensions.code`` instead of plain text, so clients parse every error alike.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.http import CACHE_CONTROL, etag_matches
from db.engine import get_engine
from db.loader import cached_data_version
from schema.context import Context, LazyConnection


def graphql_error_response(status: int, code: str, message: str) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def _version() -> str:
    with get_engine().connect() as conn:
        return cached_data_version(conn)


def graphql_etag(version: str, request: Request) -> str:
    params = request.query_params
    gz = "gzip" in request.headers.get("accept-encoding", "").lower()
    canonical = "\n".join([params.get("query", ""), params.get("variables", ""), params.get("operationName", ""),
                           "gzip" if gz else "identity"])
    return f'"{version}-{hashlib.sha256(canonical.encode()).hexdigest()[:20]}"'


class GongkaiGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app; one connection per request, closed once the response is sent."""

    def encode_json(self, data: object) -> bytes:
        """The response body: orjson (UTF-8, about ten times faster than the stdlib on a 100-row page).

        What orjson refuses (an integer beyond 64 bits, a non-string key) is left to the stdlib as before.
        """
        try:
            return orjson.dumps(data)
        except TypeError:  # orjson.JSONEncodeError
            return json.dumps(data, separators=(",", ":")).encode()

    async def get_context(self, request: Any, response: Any) -> Context:
        holder: LazyConnection = request.scope["gongkai.db"]
        return Context(request=request, response=response, db=holder)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        etag: str | None = None
        if request.method == "GET" and "query" in request.query_params:
            etag = graphql_etag(await run_in_threadpool(_version), request)
            if etag_matches(request.headers.get("if-none-match"), etag):
                await Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})(
                    scope, receive, send)
                return
        holder = LazyConnection()
        scope["gongkai.db"] = holder
        try:
            try:
                response = await self.run(request)
            except HTTPException as exc:
                code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
                response = graphql_error_response(exc.status_code, code, exc.reason)
            await response(scope, receive, _cached(send, etag) if etag else send)
        finally:
            holder.close()


def _has_errors(body: bytes) -> bool:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return True
    return not isinstance(parsed, dict) or "errors" in parsed


def _cached(send: Send, etag: str) -> Send:
    """Add the ETag and Cache-Control to a successful answer without errors (errors are not cached)."""
    start: Message | None = None

    async def wrapped(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if start is not None:
            body: bytes = message.get("body", b"")
            if start["status"] == 200 and not message.get("more_body") and not _has_errors(body):
                start["headers"] = [*start.get("headers", []), (b"etag", etag.encode()),
                                    (b"cache-control", CACHE_CONTROL.encode()),
                                    (b"vary", b"Accept, Accept-Encoding")]
            await send(start)
            start = None
        await send(message)

    return wrapped
