"""From a source document to everything gongkai stores about a report.

sections → standard tables (when the report has them) → prose figures →
statements and derived values → checks.  The result is plain data; writing it
is the loader's job (``db.loader``), in one transaction.
"""

from __future__ import annotations

from ingest.consistency import figure_checks, share_checks
from ingest.metadata import infer_title
from ingest.model import ExtractedReport, Figure, ReportMeta
from ingest.narrative import NarrativeExtractor, derive_prior_values
from ingest.sections import split_sections


class ExtractionError(ValueError):
    """The text cannot be turned into a report (no year, no publisher, …)."""


def _standard(text: str):  # type: ignore[no-untyped-def]
    try:
        from ingest.standard import extract_standard
    except ImportError:  # pragma: no cover - the standard reader is optional at import time
        return None
    return extract_standard(text)


def extract_report(text: str, meta: ReportMeta | None = None, media_type: str = "text/plain") -> ExtractedReport:
    """Extract sections, figures, statements and checks from a report's text.

    ``meta`` carries what the caller already knows (CLI flags, page metadata,
    the bundled index); missing publisher/year are inferred from the title.
    """
    meta = meta or ReportMeta()
    title, publisher, year = infer_title(text)
    meta.title = meta.title or title
    meta.publisher = meta.publisher or publisher
    meta.year = meta.year or year
    if not meta.publisher or not meta.year:
        raise ExtractionError(
            "could not infer the publisher and year from the report title; pass them explicitly "
            "(gongkai ingest PATH --publisher NAME --year N)"
        )
    sections = split_sections(text)
    standard = _standard(text)
    prose = NarrativeExtractor(text, sections, meta.year).extract()
    figures: list[Figure] = []
    checks = []
    fmt = "narrative"
    if standard is not None:
        fmt = standard.format
        figures.extend(standard.figures)
        checks.extend(standard.checks)
        table_spans = [(f.start, f.end) for f in standard.figures]
        lo = min((s for s, _ in table_spans), default=len(text))
        # prose figures are those before the first table
        prose_figs = [f for f in prose.figures if f.end <= lo]
    else:
        prose_figs = prose.figures
    figures.extend(prose_figs)
    derived = derive_prior_values(prose.statements, prose_figs)
    figures.extend(derived)
    if standard is None:
        checks.extend(figure_checks(prose_figs))
    checks.extend(share_checks([s for s in prose.shares if s.part in prose_figs]))
    return ExtractedReport(
        text=text, format=fmt,  # type: ignore[arg-type]
        meta=meta, sections=sections, figures=figures, statements=prose.statements, checks=checks,
        media_type=media_type,
    )
