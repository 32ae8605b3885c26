"""Pipe tables from third-party PDF→markdown converters.

shanghai-stc-2024: 表三's labels and numeric rows are separated, a stray "1"
sits between rows, a converter pads rows with an empty ninth cell and the 总计
of 结转下年度 is blank.  shuyang-county-2025: columns relabelled 数据1..6 and,
from （六）2 on, given wrong header labels; 表四 comes as three small tables.
Rows are matched by label where one is printed and by order otherwise; header
labels are never trusted for column order.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ingest.model import Figure
from ingest.standard import StandardResult, extract_standard

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def _load(name: str) -> StandardResult:
    text = (REPORTS / f"{name}.txt").read_text(encoding="utf-8")
    res = extract_standard(text)
    assert res is not None
    for f in res.figures:
        assert text[f.start : f.end] == f.quote
    return res


def _fig(res: StandardResult, metric: str, **dims: str) -> Figure:
    found = [f for f in res.figures if f.metric == metric and all(f.dims.get(k) == v for k, v in dims.items())]
    assert len(found) == 1, (metric, dims)
    return found[0]


def _row(res: StandardResult, metric: str) -> list[Decimal | None]:
    return [_fig(res, metric, applicant=a).value for a in APPLICANTS]


def _d(*xs: int | None) -> list[Decimal | None]:
    return [None if x is None else Decimal(x) for x in xs]


def test_shanghai_stc_2024_scrambled_table3() -> None:
    res = _load("shanghai-stc-2024")
    assert res.format == "standard-2021"
    assert _row(res, "applications.received") == _d(32, 2, 0, 0, 0, 0, 34)
    assert _row(res, "applications.carried_over") == _d(2, 0, 0, 0, 0, 0, 2)
    assert _row(res, "applications.outcome.granted") == _d(9, 0, 0, 0, 0, 0, 9)
    assert _row(res, "applications.outcome.denied.internal_affairs") == _d(1, 0, 0, 0, 0, 0, 1)
    assert _row(res, "applications.outcome.unable.not_held") == _d(4, 0, 0, 0, 0, 0, 4)
    assert _row(res, "applications.outcome.unable.needs_creation") == _d(6, 0, 0, 0, 0, 0, 6)
    assert _row(res, "applications.outcome.other.overdue_correction") == _d(8, 2, 0, 0, 0, 0, 10)
    assert _row(res, "applications.outcome.other.overdue_fee") == _d(0, 0, 0, 0, 0, 0, 0)
    assert _row(res, "applications.outcome.other.other") == _d(4, 0, 0, 0, 0, 0, 4)
    assert _row(res, "applications.outcome.total") == _d(33, 2, 0, 0, 0, 0, 35)
    assert _row(res, "applications.carried_forward") == _d(1, 0, 0, 0, 0, 0, None)
    checks = {c.rule: c for c in res.checks}
    assert checks["C1:total"].result == "inconclusive"
    assert checks["C1:natural_person"].result == "pass"
    assert checks["C2:total"].result == "pass"
    assert checks["C3:applications.carried_forward"].result == "inconclusive"
    # 表二: the (一) table printed after (五)(六)(八), with "规范性文件" and 2021 columns
    assert _fig(res, "proactive.normative_docs.made").value == 13
    assert _fig(res, "proactive.normative_docs.in_force").value == 55
    assert _fig(res, "proactive.licensing.decisions").value == 97
    assert _fig(res, "review.upheld").value == 1
    assert _fig(res, "review.total").value == 1


def test_shuyang_county_2025_relabelled_columns() -> None:
    res = _load("shuyang-county-2025")
    assert res.format == "standard-2021"
    assert _row(res, "applications.received") == _d(705, 3, 0, 0, 5, 0, 713)
    assert _row(res, "applications.carried_over") == _d(36, 0, 0, 0, 0, 0, 36)
    assert _row(res, "applications.outcome.granted") == _d(290, 1, 0, 0, 3, 0, 294)
    assert _row(res, "applications.outcome.not_processed.duplicate") == _d(6, 1, 0, 0, 0, 0, 7)
    # rows under the wrong converter header: trust the row label and template order
    assert _row(res, "applications.outcome.other.overdue_fee") == _d(7, 0, 0, 0, 0, 0, 7)
    assert _row(res, "applications.outcome.other.other") == _d(142, 1, 0, 0, 0, 0, 143)
    assert _row(res, "applications.outcome.total") == _d(710, 3, 0, 0, 5, 0, 718)
    assert _row(res, "applications.carried_forward") == _d(31, 0, 0, 0, 0, 0, 31)
    assert _fig(res, "review.total").value == 61
    assert _fig(res, "litigation.total", route="after_review").value == 10
    assert _fig(res, "proactive.admin_fees.amount").value == Decimal("40682080")
    assert _fig(res, "proactive.licensing.decisions").value == 517645
    assert all(c.result in ("pass", "not_applicable") for c in res.checks if c.rule.startswith("C"))
