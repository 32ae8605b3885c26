"""Database work off the event loop, in worker threads, a bounded number at once.

Queries are blocking (sqlite3, psycopg) and the APIs are async, so each runs
in a worker thread.  Letting every waiting request have its own thread (anyio
allows 40) makes them fight over the GIL: the sqlite3 driver gives the GIL up
around every row it steps, and with eight threads each row can wait a whole
switch interval to get it back.  Measured with 8 concurrent clients on a
2-core machine, two database threads served 20–50% more requests than forty.
Requests beyond the limit wait their turn on the event loop, not in a thread.

``GONGKAI_DB_THREADS`` sets the limit; the default is 2 for SQLite (CPU-bound
in this process) and 8 for PostgreSQL (a query mostly waits on the server).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

from db.engine import database_url

T = TypeVar("T")

# one limiter per event loop, as anyio keeps its own default limiter (tests run many loops)
_LIMITER: RunVar[CapacityLimiter] = RunVar("gongkai_db_threads")


def thread_limit(url: str | None = None) -> int:
    raw = os.environ.get("GONGKAI_DB_THREADS", "")
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return 2 if (url or database_url()).startswith("sqlite") else 8


def _limiter() -> CapacityLimiter:
    try:
        return _LIMITER.get()
    except LookupError:
        limiter = CapacityLimiter(thread_limit())
        _LIMITER.set(limiter)
        return limiter


async def run_db(fn: Callable[..., T], *args: object) -> T:
    """``fn(*args)`` in a worker thread, at most ``thread_limit()`` of them at once."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=_limiter())
