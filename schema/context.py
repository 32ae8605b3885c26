"""Per-request GraphQL context: one lazily opened connection and the DataLoaders on it.

Each loader collects the keys that resolvers ask for in one tick of the event
loop and answers them with a single ``db.queries`` batch call, so a nested
query over a hundred reports costs a handful of statements, not hundreds.
Database calls run in a worker thread, one at a time per request (a
connection is not safe to share between threads concurrently).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.engine import Connection
from strawberry.dataloader import DataLoader

from db import queries
from db.engine import get_engine
from db.threads import run_db

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LazyConnection:
    """One database connection per request, opened on first use and closed when the response is sent."""

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


@dataclass
class Context:
    """What resolvers see as ``info.context``."""

    request: Any
    response: Any
    db: LazyConnection
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a query function on this request's connection, in a worker thread, one at a time."""
        # The connection is taken in the worker thread: when the pool is exhausted, waiting for a free
        # connection must block that thread, never the event loop (which would stall every request).
        db = self.db
        async with self.lock:
            return await run_db(lambda: fn(db.get(), *args, **kwargs))


def _by_key(ctx: Context, fn: Callable[[Connection, list[K]], dict[K, V]], default: Callable[[], Any] = lambda: None
            ) -> DataLoader[K, Any]:
    """A loader over a batch function that answers ``{key: value}`` for a list of keys."""
    async def load(keys: list[K]) -> Sequence[Any]:
        found = await ctx.run(fn, list(keys))
        return [found.get(k, default()) for k in keys]
    return DataLoader(load_fn=load)


def _grouped(ctx: Context, fn: Callable[[Connection, list[str], Any], dict[str, V]]
             ) -> DataLoader[tuple[str, Any], Any]:
    """A loader keyed by (id, options): one batch call per distinct options value."""
    async def load(keys: list[tuple[str, Any]]) -> Sequence[Any]:
        groups: dict[Any, list[str]] = {}
        for ident, opts in keys:
            groups.setdefault(opts, []).append(ident)
        answers: dict[tuple[str, Any], Any] = {}
        for opts, ids in groups.items():
            found = await ctx.run(fn, ids, opts)
            for ident in ids:
                answers[(ident, opts)] = found.get(ident)
        return [answers[k] for k in keys]
    return DataLoader(load_fn=load)


@dataclass(frozen=True)
class ReportPageKey:
    """Options of a nested ``publisher { reports(first, after, filter) }`` connection."""

    first: int
    after: str | None
    year: int | None
    year_range: tuple[int, int] | None


def _report_pages(conn: Connection, ids: list[str], opts: ReportPageKey) -> dict[str, queries.Page]:
    return queries.report_pages_by_publisher(conn, ids, limit=opts.first, after=opts.after, year=opts.year,
                                             year_range=opts.year_range)


def _observations(conn: Connection, ids: list[str], f: queries.ObservationFilter) -> dict[str, list[Any]]:
    return queries.observations_by_report(conn, ids, f)


def _checks(conn: Connection, ids: list[str], result: str | None) -> dict[str, list[Any]]:
    return queries.checks_by_report(conn, ids, result)


def _metrics(conn: Connection, codes: list[str]) -> dict[str, dict[str, Any]]:
    metrics = queries.dictionary(conn).metrics
    return {c: dict(metrics[c]) for c in codes if c in metrics}


class Loaders:
    """The DataLoaders of one request (a fresh cache per request, so answers are never stale).

    Each is made on first use: a request uses two or three of the fifteen.
    """

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @cached_property
    def publisher(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.publishers_by_ids)

    @cached_property
    def publisher_names(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.publisher_names_by_publisher, list)

    @cached_property
    def publisher_children(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.publisher_children_by_publisher, list)

    @cached_property
    def publisher_reports(self) -> DataLoader[tuple[str, Any], Any]:
        return _grouped(self._ctx, _report_pages)

    @cached_property
    def report(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.reports_by_ids)

    @cached_property
    def sections(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.sections_by_report, list)

    @cached_property
    def text(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.report_texts)

    @cached_property
    def observations(self) -> DataLoader[tuple[str, Any], Any]:
        return _grouped(self._ctx, _observations)

    @cached_property
    def statements(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.statements_by_report, list)

    @cached_property
    def checks(self) -> DataLoader[tuple[str, Any], Any]:
        return _grouped(self._ctx, _checks)

    @cached_property
    def observation(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.observations_by_ids)

    @cached_property
    def statement(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.statements_by_ids)

    @cached_property
    def check(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.checks_by_ids)

    @cached_property
    def section_report(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, queries.section_report_ids)

    @cached_property
    def metric(self) -> DataLoader[str, Any]:
        return _by_key(self._ctx, _metrics)


def gather(*aws: Awaitable[T]) -> Awaitable[list[T]]:
    """Await several loads together, so they land in the same batch."""
    return asyncio.gather(*aws)  # type: ignore[return-value]
