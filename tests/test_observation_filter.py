"""The observations list's exact totals key filters the same rows as the per-dimension form.

``db.queries`` filters the totals of given metrics with ``dims_key = <the
metric's key>`` (every dimension completed to ``total``), which the index
serves; the older form tests each dimension (absent or ``total``).  They agree
only because every stored figure has its dimensions completed: this checks it
on the bundled reports and on a synthetic dataset, for every metric, alone and
with each dimension member asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine

from db import queries, synth
from db.engine import get_engine
from db.queries import OBS, ObservationFilter


def _ids(conn: Connection, f: ObservationFilter, exact: bool) -> list[str]:
    stmt = select(OBS.c.id).where(*queries._observation_conditions(conn, f, exact_keys=exact))
    return [r[0] for r in conn.execute(stmt.order_by(OBS.c.year, OBS.c.publisher_id, OBS.c.id)).all()]


def _filters(conn: Connection) -> Iterator[ObservationFilter]:
    d = queries.dictionary(conn)
    present = [m for (m,) in conn.execute(text("SELECT DISTINCT metric FROM observation WHERE metric IS NOT NULL"))]
    for metric in sorted(present):
        yield ObservationFilter.of(metrics=[metric])
        for name in d.metrics[metric]["dims"]:
            for member in d.dimensions.get(name, ()):
                if member != queries.FREE_TEXT_MEMBER:
                    yield ObservationFilter.of(metrics=[metric], dims={name: member})
    yield ObservationFilter.of(metrics=sorted(present)[:5])
    yield ObservationFilter.of(metrics=sorted(present), year=2021)
    yield ObservationFilter.of(metrics=sorted(present)[:3], dims={"applicant": "natural_person"})
    subunits = [s for (s,) in conn.execute(text("SELECT DISTINCT subunit FROM observation WHERE subunit IS NOT NULL"
                                                " AND metric IS NOT NULL LIMIT 3"))]
    for s in subunits:
        yield ObservationFilter.of(metrics=sorted(present), dims={"subunit": s})
    yield ObservationFilter.of(metrics=sorted(present), dims={"period": "cumulative"})


def _compare(conn: Connection) -> int:
    checked = 0
    for f in _filters(conn):
        old, new = _ids(conn, f, False), _ids(conn, f, True)
        assert new == old, f
        checked += len(new)
    return checked


def test_exact_keys_match_per_dimension_filter_bundled(loaded_db: str) -> None:
    with get_engine(loaded_db).connect() as conn:
        assert _compare(conn) > 1000


def test_exact_keys_match_per_dimension_filter_synthetic(fresh_db: Engine) -> None:
    synth.synthesize(fresh_db, 4, (2017, 2021), seed=3, progress=None)
    with fresh_db.connect() as conn:
        assert _compare(conn) > 1000


def test_list_pages_unchanged(loaded_db: str) -> None:
    """Keyset pages over the exact-key filter are the rows of the per-dimension one, in order."""
    with get_engine(loaded_db).connect() as conn:
        metric = conn.execute(text("SELECT metric FROM observation WHERE metric IS NOT NULL GROUP BY metric "
                                   "ORDER BY COUNT(*) DESC LIMIT 1")).scalar_one()
        f = ObservationFilter.of(metrics=[metric])
        seen: list[Any] = []
        after = None
        while True:
            page = queries.list_observations_filtered(conn, f, limit=7, after=after)
            seen += [i["id"] for i in page.items]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert seen == _ids(conn, f, False)
        assert len(seen) > 7
