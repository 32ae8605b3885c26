"""Test helpers for ingesting bundled reports, one at a time or several at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from db.bundled import REPORTS_DIR, bundled_index, ingest_document
from ingest.sources import read_path


def ingest_bundled(engine: Engine, stem: str, path: Path | None = None) -> str:
    """Ingest one bundled report (or ``path`` read as that report) with its index metadata; the result's status."""
    entry = next(e for e in bundled_index() if Path(e["file"]).stem == stem)
    return ingest_document(engine, read_path(path or REPORTS_DIR / entry["file"]), publisher=entry["publisher"],
                           year=entry["year"], title=entry.get("title")).status


def at_once(work: Callable[[str], object], args: Sequence[str]) -> None:
    """``work(arg)`` for every arg in its own thread, all released together; re-raises the first failure."""
    barrier = threading.Barrier(len(args))
    errors: list[BaseException] = []

    def run(arg: str) -> None:
        try:
            barrier.wait()
            work(arg)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
