"""Extraction of the national standard tables (2019 and 2021 formats).

``extract_standard(text)`` finds 表二/表三/表四 in the stored text of a report
(web text with flattened cells, pdfplumber text, or pipe tables), reads every
printed cell into a ``Figure`` with the contract's metric codes and all of its
dimensions, and evaluates the format's cross-checks.  Offsets always point
into ``text`` itself, so a reader can be shown the very cell a figure came
from.  Nothing here knows about any particular report: rows are found by their
labels and order, flattened runs are cut by the table's own arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ingest.model import Check, Figure
from ingest.standard.checks import t2_checks, t3_checks, t4_checks
from ingest.standard.detect import find_regions, t2_votes
from ingest.standard.layout import Format
from ingest.standard.tables import ReadCell, TableRead, prose_clauses, read_t2, read_t3, read_t4

__all__ = ["StandardResult", "extract_standard"]

_MAX_CANDIDATES = 100


@dataclass
class StandardResult:
    """What the standard tables of one report yielded."""

    format: Literal["standard-2019", "standard-2021"]
    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def extract_standard(text: str) -> StandardResult | None:
    """Figures and checks of the national tables, or None for a narrative report."""
    regions = find_regions(text)
    if regions is None:
        return None
    clauses = prose_clauses(text, regions.prose(len(text)))
    notes: list[str] = []

    t3 = read_t3(text, regions.t3, clauses) if regions.t3 else TableRead()
    votes = t2_votes(text, regions.t2)
    t2_fmt: Format | None = None
    if votes["standard-2019"] != votes["standard-2021"]:
        t2_fmt = "standard-2019" if votes["standard-2019"] > votes["standard-2021"] else "standard-2021"
    fmt_votes = dict(votes)
    t3_shape = t3.shape
    if t3_shape is not None:
        fmt_votes[t3_shape] += 1
    fmt: Format
    if fmt_votes["standard-2019"] == fmt_votes["standard-2021"]:
        fmt = t3.shape or t2_fmt or "standard-2021"
    else:
        fmt = "standard-2019" if fmt_votes["standard-2019"] > fmt_votes["standard-2021"] else "standard-2021"
    if t3.shape is not None and t2_fmt is not None and t3.shape != t2_fmt:
        notes.append(
            f"mixed format: 表二 uses the {t2_fmt} labels, 表三 has the {t3.shape} "
            "（六）其他处理 layout; each table is read with its own layout"
        )
    t2 = read_t2(text, regions.t2, t2_fmt or fmt, clauses) if regions.t2 else TableRead()
    t4 = read_t4(text, regions.t4, clauses) if regions.t4 else TableRead()
    for name, region in (("表二", regions.t2), ("表三", regions.t3), ("表四", regions.t4)):
        if region is None:
            notes.append(f"{name} not found")
    notes.extend(t2.notes + t3.notes + t4.notes)

    figures = [_figure(text, rc) for rc in t2.cells + t3.cells + t4.cells]
    checks = t3_checks(t3) + t4_checks(t4) + t2_checks(t2)
    amb = [f for f in figures if f.candidates]
    if amb:
        notes.append(f"{len(amb)} cells left ambiguous (value None, candidates listed)")
    return StandardResult(format=fmt, figures=figures, checks=checks, notes=notes)


def _figure(text: str, rc: ReadCell) -> Figure:
    """A read cell as a Figure; an undecided cell keeps its candidate values."""
    start = min(c.start for c in rc.readings)
    end = max(c.end for c in rc.readings)
    values = rc.values()
    notes = [c.note for c in rc.readings if c.note]
    candidates: list[Decimal] | None = None
    value: Decimal | None
    if len(values) == 1:
        value = values[0]
        if len({(c.start, c.end) for c in rc.readings}) > 1:
            notes.append("flattened run: the value is certain, its exact digits are not")
    else:
        value = None
        candidates = sorted({v for v in values if v is not None})
        if len(candidates) > _MAX_CANDIDATES:
            notes.append(f"{len(candidates)} possible values; the first {_MAX_CANDIDATES} listed")
            candidates = candidates[:_MAX_CANDIDATES]
        notes.append(f"flattened run: {len(values)} readings satisfy every rule of the table; value left open")
    if value is None and not candidates and not notes:
        notes.append("printed as blank or a dash: not available")
    return Figure(
        metric=rc.slot.metric,
        dims=dict(rc.slot.dims),
        value=value,
        unit=rc.slot.unit,
        quote=text[start:end],
        start=start,
        end=end,
        label=rc.slot.label,
        note="; ".join(dict.fromkeys(notes)) or None,
        candidates=candidates,
    )
