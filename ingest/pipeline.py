"""From a source document to everything gongkai stores about a report.

sections → standard tables (when the report has them) → prose figures →
统计表 (narrative reports) → statements and derived values → checks.  The
result is plain data; writing it is the loader's job (``db.loader``), in one
transaction.
"""

from __future__ import annotations

from ingest.consistency import breakdown_checks, figure_checks, listed_parts_checks, share_checks
from ingest.metadata import infer_title
from ingest.model import Check, ExtractedReport, Figure, ReportMeta
from ingest.narrative import NarrativeExtractor, derive_prior_values
from ingest.sections import split_sections
from ingest.standard import extract_standard
from ingest.stat_table import (
    HEADER_RE,
    balance_check,
    implied_zero_checks,
    prose_vs_table,
    read_stat_table,
    table_checks,
)


class ExtractionError(ValueError):
    """The text cannot be turned into a report (no year, no publisher, …)."""


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
    standard = extract_standard(text)
    # A narrative report's 统计表 is read by its own reader; the prose ends where it begins.
    header = HEADER_RE.search(text) if standard is None else None
    prose = NarrativeExtractor(text, sections, meta.year, end=header.start() if header else None,
                               narrative=standard is None).extract()
    figures: list[Figure] = []
    checks: list[Check] = []
    fmt = "narrative"
    if standard is not None:
        fmt = standard.format
        figures.extend(standard.figures)
        checks.extend(standard.checks)
        table_spans = [(f.start, f.end) for f in standard.figures]
        lo = min((s for s, _ in table_spans), default=len(text))
        hi = max((e for _, e in table_spans), default=len(text))
        # prose figures are those before the first table cell or after the last one
        # (the closing parts: 存在的主要问题, 其他需要报告的事项 such as 信息处理费)
        prose_figs = [f for f in prose.figures if f.end <= lo or f.start >= hi]
    else:
        prose_figs = prose.figures
    figures.extend(prose_figs)
    derived = derive_prior_values(prose.statements, prose_figs)
    figures.extend(derived)
    if standard is not None:
        checks.extend(prose_vs_table(prose_figs, standard.figures, table_name="national table"))
    else:
        checks.extend(figure_checks(prose_figs))
        checks.extend(breakdown_checks(prose_figs))
        checks.extend(listed_parts_checks(prose_figs, text))
        table, table_figs = read_stat_table(text, prose_figs, year=meta.year)
        if table is not None:
            figures.extend(table_figs)
            checks.extend(table_checks(table, text))
            checks.extend(prose_vs_table(prose_figs, table_figs))
            checks.extend(implied_zero_checks(prose_figs, table_figs))
        balance = balance_check(prose_figs + (table_figs if table is not None else []))
        if balance is not None:
            checks.append(balance)
    checks.extend(share_checks([s for s in prose.shares if s.part in prose_figs]))
    return ExtractedReport(
        text=text, format=fmt,  # type: ignore[arg-type]
        meta=meta, sections=sections, figures=figures, statements=prose.statements, checks=checks,
        media_type=media_type,
    )
