"""Flattened web text: cells glued into digit runs, cut by the table's arithmetic.

The pingtan archive's page text drops every cell separator.  These tests pin
values read by hand from the reports (and their row/column sums), cells that
must stay ambiguous, and the shapes of the glue: next row's item number on the
previous run, irregular spaces, signed increments, money with 元.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.model import Figure
from ingest.standard import StandardResult, extract_standard

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"

APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def _load(name: str) -> tuple[str, StandardResult]:
    text = (REPORTS / f"{name}.txt").read_text(encoding="utf-8")
    res = extract_standard(text)
    assert res is not None
    for f in res.figures:
        assert text[f.start : f.end] == f.quote, f
    return text, res


def _fig(res: StandardResult, metric: str, **dims: str) -> Figure:
    found = [f for f in res.figures if f.metric == metric and all(f.dims.get(k) == v for k, v in dims.items())]
    assert len(found) == 1, (metric, dims, found)
    return found[0]


def _row(res: StandardResult, metric: str) -> list[Decimal | None]:
    return [_fig(res, metric, applicant=a).value for a in APPLICANTS]


def _d(*xs: int) -> list[Decimal | None]:
    return [Decimal(x) for x in xs]


def test_pingtan_zone_2021_table3() -> None:
    _text, res = _load("pingtan-zone-2021")
    assert res.format == "standard-2021"
    assert _row(res, "applications.received") == _d(64, 0, 0, 2, 0, 4, 70)
    assert _row(res, "applications.outcome.granted") == _d(27, 0, 0, 2, 0, 1, 30)
    assert _row(res, "applications.outcome.partial") == _d(5, 0, 0, 0, 0, 0, 5)
    # "2200003252.没有…": the trailing "2" is the next row's item number
    assert _row(res, "applications.outcome.unable.not_held") == _d(22, 0, 0, 0, 0, 3, 25)
    assert _row(res, "applications.outcome.other.other") == _d(1, 0, 0, 0, 0, 0, 1)
    assert _row(res, "applications.outcome.total") == _d(63, 0, 0, 2, 0, 4, 69)
    assert _row(res, "applications.carried_forward") == _d(1, 0, 0, 0, 0, 0, 1)
    assert _fig(res, "applications.received", applicant="total").dims["channel"] == "total"
    # 表四 "10203120001200000"
    assert _fig(res, "review.upheld").value == 1
    assert _fig(res, "review.other").value == 2
    assert _fig(res, "review.total").value == 3
    assert _fig(res, "litigation.upheld", route="direct").value == 12
    assert _fig(res, "litigation.total", route="direct").value == 12
    assert _fig(res, "litigation.total", route="after_review").value == 0
    # 表二: single cells and money in 万元
    assert _fig(res, "proactive.licensing.decisions").value == 2293
    assert _fig(res, "proactive.admin_fees.amount").value == Decimal("242523110.82")
    assert _fig(res, "proactive.admin_fees.amount").unit == "元"
    assert all(c.result == "pass" for c in res.checks if c.rule[:2] in ("C1", "C2", "C3", "C4"))


def test_pingtan_zone_2021_ambiguous_table2_cells() -> None:
    _text, res = _load("pingtan-zone-2021")
    made = _fig(res, "proactive.normative_docs.made")
    assert made.value is None
    assert made.candidates == [Decimal(x) for x in (6, 69, 693, 6936)]
    assert made.ambiguous
    assert made.note and "readings" in made.note
    checks = {c.rule: c for c in res.checks}
    assert checks["T2:proactive.normative_docs.made"].result == "inconclusive"


def test_pingtan_zone_2022_prose_decides_table2() -> None:
    # "8855698" alone splits many ways; the prose states 现行有效…698件 and 制发…88件
    _text, res = _load("pingtan-zone-2022")
    assert _fig(res, "proactive.normative_docs.made").value == 88
    assert _fig(res, "proactive.normative_docs.repealed").value == 55
    assert _fig(res, "proactive.normative_docs.in_force").value == 698
    # 表四 is space-separated here while 表三 is glued
    assert _fig(res, "review.other").value == 1
    assert _fig(res, "review.total").value == 2
    assert _fig(res, "litigation.total", route="direct").value == 1


def test_pingtan_zone_2019_spaces_and_2019_layout() -> None:
    _text, res = _load("pingtan-zone-2019")
    assert res.format == "standard-2019"
    # "230 000023", "23 0 00 0 023", " 0 0 00 00 0 ": spaces are cell borders, not all borders are spaces
    assert _row(res, "applications.received") == _d(23, 0, 0, 0, 0, 0, 23)
    assert _row(res, "applications.outcome.total") == _d(23, 0, 0, 0, 0, 0, 23)
    assert _row(res, "applications.carried_forward") == _d(0, 0, 0, 0, 0, 0, 0)
    assert _row(res, "applications.outcome.other") == _d(0, 0, 0, 0, 0, 0, 0)
    assert _row(res, "applications.outcome.unable.not_held") == _d(7, 0, 0, 0, 0, 0, 7)
    assert _row(res, "applications.outcome.unable.unclear") == _d(5, 0, 0, 0, 0, 0, 5)
    assert _row(res, "applications.outcome.not_processed.duplicate") == _d(3, 0, 0, 0, 0, 0, 3)
    # 表二 2019 rows glued without any rule that decides them
    lic = _fig(res, "proactive.licensing.items")
    assert lic.value is None and lic.candidates and Decimal(396) in lic.candidates
    amount = _fig(res, "proactive.procurement.amount")
    assert amount.value is None and amount.candidates and Decimal("75394432.52") in amount.candidates


def test_pingtan_amr_2019_signed_increments() -> None:
    _text, res = _load("pingtan-amr-2019")
    assert _fig(res, "proactive.licensing.items").value == 20
    change = _fig(res, "proactive.licensing.items_change")
    assert change.value == 17 and change.quote == "+17" and change.unit == "项"
    assert _fig(res, "proactive.licensing.decisions").value == 37
    assert _fig(res, "proactive.other_services.items_change").value == 5
    assert _fig(res, "proactive.penalties.decisions").value == 103
    assert _fig(res, "proactive.normative_docs.made").value == 2
    # "2.重复申请10000013.要求提供…" = 1,0,0,0,0,0,1 then the label "3."
    assert _row(res, "applications.outcome.not_processed.duplicate") == _d(1, 0, 0, 0, 0, 0, 1)
    assert _row(res, "applications.received") == _d(1, 0, 0, 0, 0, 0, 1)
    assert all(
        _fig(res, m, **d).value == 0 for m, d in [("review.total", {}), ("litigation.total", {"route": "direct"})]
    )
    projects = _fig(res, "proactive.procurement.projects")
    assert projects.value is None and projects.candidates and len(projects.candidates) > 1


def test_pingtan_sasac_2019_irregular_spaces() -> None:
    _text, res = _load("pingtan-sasac-2019")
    for metric in ("applications.received", "applications.carried_over", "applications.outcome.total"):
        assert _row(res, metric) == _d(0, 0, 0, 0, 0, 0, 0)
    rules = _fig(res, "proactive.rules.made")
    assert rules.value is None and rules.candidates == [Decimal(1), Decimal(14)]
    assert _fig(res, "proactive.normative_docs.published_total").value == 6


@pytest.mark.parametrize(
    ("name", "review", "direct", "after"),
    [
        ("pingtan-zone-2023", (1, 1, 0, 0, 2), (4, 0, 0, 1, 5), (1, 0, 1, 0, 2)),
        ("pingtan-zone-2024", (2, 1, 3, 1, 7), (0, 0, 0, 0, 0), (13, 2, 4, 0, 19)),
        ("pingtan-zone-2025", (25, 3, 8, 0, 36), (3, 3, 0, 0, 6), (3, 0, 0, 0, 3)),
    ],
)
def test_table4_runs(name: str, review: tuple[int, ...], direct: tuple[int, ...], after: tuple[int, ...]) -> None:
    _text, res = _load(name)
    outs = ("upheld", "corrected", "other", "pending", "total")
    assert tuple(_fig(res, f"review.{o}").value for o in outs) == review
    assert tuple(_fig(res, f"litigation.{o}", route="direct").value for o in outs) == direct
    assert tuple(_fig(res, f"litigation.{o}", route="after_review").value for o in outs) == after


def test_pingtan_zone_2025_table3() -> None:
    _text, res = _load("pingtan-zone-2025")
    assert _row(res, "applications.received") == _d(151, 3, 0, 0, 0, 0, 154)
    assert _row(res, "applications.outcome.unable.not_held") == _d(49, 1, 0, 0, 0, 0, 50)
    assert _row(res, "applications.outcome.total") == _d(147, 1, 0, 0, 0, 0, 148)
    assert _row(res, "applications.carried_forward") == _d(4, 2, 0, 0, 0, 0, 6)


def test_every_bundled_standard_report_is_fast() -> None:
    for path in sorted(REPORTS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        t0 = time.perf_counter()
        extract_standard(text)
        assert time.perf_counter() - t0 < 1.0, path.name


@pytest.mark.parametrize(
    "name",
    [
        "jilin-city-2017",
        "pingtan-zone-2012",
        "pingtan-zone-2013",
        "pingtan-county-2013",
        "pingtan-zone-2015",
        "pingtan-zone-2018",
        "pingtan-amr-2017",
        "pingtan-discipline-2017",
    ],
)
def test_narrative_reports_have_no_standard_tables(name: str) -> None:
    assert extract_standard((REPORTS / f"{name}.txt").read_text(encoding="utf-8")) is None
