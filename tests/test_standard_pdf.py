"""PDF reports: pdfplumber text with rows on lines and labels split across lines.

``pdf_to_text`` must reproduce the stored .txt byte for byte, so the cells read
from the PDF are the cells read from the stored text (same values, same
offsets).  hongze-district-2023 is also the mixed-format report: a 2023 report
with the 2019 single-row （六）其他处理 and a 表四 whose 总计 cells are 0 while
their parts are not — a source error that must surface as failing checks.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.model import Figure
from ingest.standard import StandardResult, extract_standard
from ingest.standard.pdf import pdf_to_text

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"

APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def _cells(res: StandardResult) -> list[tuple[str | None, tuple[tuple[str, str], ...], Decimal | None, int, int]]:
    return [(f.metric, tuple(sorted(f.dims.items())), f.value, f.start, f.end) for f in res.figures]


def _fig(res: StandardResult, metric: str, **dims: str) -> Figure:
    found = [f for f in res.figures if f.metric == metric and all(f.dims.get(k) == v for k, v in dims.items())]
    assert len(found) == 1, (metric, dims)
    return found[0]


@pytest.mark.parametrize("name", ["hongze-district-2023", "hongze-district-2024"])
def test_pdf_cells_equal_text_cells(name: str) -> None:
    from_pdf = pdf_to_text((REPORTS / "pdf" / f"{name}.pdf").read_bytes())
    stored = (REPORTS / f"{name}.txt").read_text(encoding="utf-8")
    assert from_pdf == stored
    a, b = extract_standard(from_pdf), extract_standard(stored)
    assert a is not None and b is not None
    assert _cells(a) == _cells(b)
    assert len(a.figures) == 10 + 23 * 7 + 15  # 表二 2021: 3 + 3 + 1 + 2 + 1


def test_hongze_2023_mixed_format() -> None:
    text = (REPORTS / "hongze-district-2023.txt").read_text(encoding="utf-8")
    res = extract_standard(text)
    assert res is not None
    assert res.format == "standard-2021"  # most labels are 2021 ones
    assert any("mixed format" in n for n in res.notes)
    other = _fig(res, "applications.outcome.other", applicant="total")
    assert other.value == 0
    assert not [f for f in res.figures if f.metric and f.metric.startswith("applications.outcome.other.")]
    assert [_fig(res, "applications.received", applicant=a).value for a in APPLICANTS] == [21, 0, 0, 0, 0, 0, 21]
    # values printed on the line *before* their label ("1 0 0 0 0 0 1\n1.属于国家秘密")
    assert _fig(res, "applications.outcome.partial", applicant="total").value == 4
    assert _fig(res, "applications.outcome.denied.state_secret", applicant="total").value == 1
    assert _fig(res, "applications.outcome.unable.not_held", applicant="natural_person").value == 10
    assert _fig(res, "applications.outcome.unable.needs_creation", applicant="total").value == 3
    assert _fig(res, "applications.outcome.not_processed.petition", applicant="total").value == 1
    assert _fig(res, "proactive.normative_docs.in_force").value == 5
    assert _fig(res, "proactive.admin_fees.amount").value == Decimal("77302800")
    for f in res.figures:
        assert text[f.start : f.end] == f.quote


def test_hongze_2023_source_error_fails_checks() -> None:
    res = extract_standard((REPORTS / "hongze-district-2023.txt").read_text(encoding="utf-8"))
    assert res is not None
    checks = {c.rule: c for c in res.checks}
    assert _fig(res, "review.upheld").value == 10
    assert _fig(res, "review.total").value == 0  # printed 0: kept as printed
    assert checks["C4:review"].result == "fail"
    assert checks["C4:review"].left.value == 0 and checks["C4:review"].right.value == 11
    assert checks["C4:review"].notable
    assert checks["C4:litigation.direct"].result == "pass"
    assert checks["C4:litigation.after_review"].result == "fail"
    assert checks["C4:litigation.total"].result == "fail"
    assert all(checks[f"C1:{a}"].result == "pass" for a in APPLICANTS)
    assert all(checks[f"C2:{a}"].result == "pass" for a in APPLICANTS)


def test_hongze_2024() -> None:
    res = extract_standard((REPORTS / "hongze-district-2024.txt").read_text(encoding="utf-8"))
    assert res is not None
    assert [_fig(res, "applications.received", applicant=a).value for a in APPLICANTS] == [95, 0, 0, 0, 0, 0, 95]
    assert _fig(res, "applications.outcome.unable.not_held", applicant="total").value == 31
    assert _fig(res, "applications.outcome.denied.security_stability", applicant="total").value == 1
    assert _fig(res, "litigation.total", route="after_review").value == 3
    assert all(c.result in ("pass", "not_applicable") for c in res.checks if c.rule.startswith("C"))
