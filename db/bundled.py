"""Ingesting a source document, and loading the reports bundled in ``data/reports``.

The bundled index keeps each report's source metadata (publisher as printed,
year, title, original URL, publication date), which page copies often lack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from db.loader import IngestResult, ingest_extracted
from ingest.dictionary import DATA_DIR
from ingest.model import ReportMeta
from ingest.pipeline import extract_report
from ingest.sources import SourceDocument, read_path

REPORTS_DIR = DATA_DIR / "reports"


def ingest_document(engine: Engine, doc: SourceDocument, *, publisher: str | None = None, year: int | None = None,
                    title: str | None = None, published: str | None = None, source_path: str | None = None,
                    source_url: str | None = None) -> IngestResult:
    """Extract one document and write it in one transaction."""
    meta = doc.meta
    merged = ReportMeta(
        title=title or meta.title, publisher=publisher or meta.publisher, year=year or meta.year,
        published=published or meta.published, source_url=source_url or meta.source_url,
        index_number=meta.index_number,
    )
    extracted = extract_report(doc.text, merged, media_type=doc.media_type)
    return ingest_extracted(engine, extracted, sha256=doc.sha256, source_path=source_path,
                            source_url=merged.source_url)


def bundled_index() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((REPORTS_DIR / "index.json").read_text(encoding="utf-8"))
    return entries


def load_bundled(engine: Engine, names: list[str] | None = None) -> list[IngestResult]:
    """Ingest every bundled report (or those named), in index order."""
    results = []
    for entry in bundled_index():
        if names is not None and Path(entry["file"]).stem not in names:
            continue
        path = REPORTS_DIR / entry["file"]
        doc = read_path(path)
        published = entry.get("published")
        results.append(ingest_document(
            engine, doc, publisher=entry.get("publisher"), year=entry.get("year"), title=entry.get("title"),
            published=published[:10] if published else None, source_path=f"data/reports/{entry['file']}",
            source_url=entry.get("original_url"),
        ))
    gather_statistics(engine)
    return results


def gather_statistics(engine: Engine) -> None:
    """Planner statistics after a batch of ingests (SQLite gathers none by itself; PostgreSQL's autovacuum lags).

    Without them SQLite may pick a worse index for a filter on a fresh
    database.  The bundled reports are a few thousand rows, so a full
    ``ANALYZE`` takes milliseconds.
    """
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
