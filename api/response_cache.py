"""Finished responses, kept per process and keyed by the data version and the canonical request.

Most traffic on an open-data API is the same few hundred requests again and
again (a newsroom dashboard polling one list, a chart re-drawn for every
reader).  Between two ingests the answer to a request cannot change, so the
bytes rendered for it the first time can be sent again without a thread, a
query or JSON encoding.  The key is the response's strong ETag, which already
holds the data version and the canonical request (path, format, sorted
parameters, encoding) — an ingest bumps the version, so old entries are
never served again and age out of the LRU.

Several API processes each keep their own cache; a process sees another's
ingest within ``GONGKAI_DATA_VERSION_TTL`` (``db.loader``), exactly as for
304 answers.  A client that sends ``Cache-Control: no-cache`` (or ``Pragma:
no-cache``) gets a freshly computed answer, which then replaces the cached
one; ``no-store`` is computed and not kept.  The cache holds at most
``GONGKAI_RESPONSE_CACHE_MB`` megabytes (default 64; 0 turns it off), and no
single answer over 1/16 of that.  Each answer says ``X-Cache: HIT`` or
``MISS``.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from starlette.datastructures import Headers
from starlette.responses import Response

DEFAULT_MEGABYTES = 64.0


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    media_type: str

    def response(self) -> Response:
        headers = dict(self.headers)
        headers["X-Cache"] = "HIT"
        return Response(self.body, media_type=self.media_type, headers=headers)


class ResponseCache:
    """A byte-bounded, thread-safe LRU of finished 200 responses."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 16
        self.used = 0
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[str, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, response: Response, headers: Mapping[str, str]) -> None:
        """Keep a rendered answer (only a complete 200 body within the size limit)."""
        body = bytes(response.body)
        if not self.enabled or response.status_code != 200 or len(body) > self.max_entry:
            return
        entry = CachedResponse(body, tuple((k, v) for k, v in headers.items() if k.lower() != "x-cache"),
                               response.media_type or "application/octet-stream")
        size = len(body) + len(key) + 256
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.used -= len(old.body) + len(key) + 256
            self._data[key] = entry
            self.used += size
            while self.used > self.max_bytes and self._data:
                k, v = self._data.popitem(last=False)
                self.used -= len(v.body) + len(k) + 256

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.used = 0

    def __len__(self) -> int:
        return len(self._data)


def _megabytes() -> float:
    raw = os.environ.get("GONGKAI_RESPONSE_CACHE_MB", "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_MEGABYTES
    except ValueError:
        return DEFAULT_MEGABYTES


RESPONSES = ResponseCache(int(_megabytes() * 1024 * 1024))


def cache_key(engine: Engine, etag: str) -> str:
    """The ETag names the data version, not the database: a process (or a test run) may serve several."""
    return f"{engine.url}#{etag}"


def wants_fresh(headers: Headers) -> bool:
    """The client asked for an answer not taken from a cache (``Cache-Control: no-cache``/``no-store``)."""
    directives = headers.get("cache-control", "").lower()
    return "no-cache" in directives or "no-store" in directives or "no-cache" in headers.get("pragma", "").lower()


def may_store(headers: Headers) -> bool:
    return "no-store" not in headers.get("cache-control", "").lower()
