"""Standard tables of an HTML report, through the project's HTML → text converter.

``ingest.sources.html_to_text`` renders each ``<tr>`` as one ``| cell | cell |``
line (source order, spans not expanded, blank cells empty); the extractor must
read that shape, keep blank cells as "not available" and point every figure
at its cell in the converted text.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.sources import html_to_text
from ingest.standard import StandardResult, extract_standard

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"


@pytest.fixture(scope="module")
def shanghai() -> tuple[str, StandardResult]:
    text = html_to_text((REPORTS / "shanghai-gov-office-2019.html").read_text(encoding="utf-8"))
    res = extract_standard(text)
    assert res is not None
    return text, res


def _value(res: StandardResult, metric: str, **dims: str) -> Decimal | None:
    for f in res.figures:
        if f.metric == metric and all(f.dims.get(k) == v for k, v in dims.items()):
            return f.value
    raise AssertionError(f"no figure {metric} {dims}")


def test_shanghai_2019_cells(shanghai: tuple[str, StandardResult]) -> None:
    text, res = shanghai
    assert res.format == "standard-2019"

    def v(metric: str, **dims: str) -> Decimal | None:
        return _value(res, metric, **dims)

    assert v("applications.received", applicant="total", channel="total") == 859
    assert v("applications.received", applicant="natural_person") == 821
    assert v("applications.received", applicant="commercial") == 35
    assert v("applications.received", applicant="research") is None  # blank, not 0
    assert v("applications.carried_over", applicant="total") == 18
    assert v("applications.outcome.total", applicant="total") == 805
    assert v("applications.outcome.total", applicant="natural_person") == 767
    assert v("applications.carried_forward", applicant="total") == 72
    assert v("applications.outcome.granted", applicant="natural_person") == 258
    assert v("applications.outcome.granted", applicant="total") is None
    assert v("applications.outcome.denied.state_secret", applicant="natural_person") == 14
    assert v("applications.outcome.unable.not_held", applicant="legal_service") == 1
    assert v("applications.outcome.not_processed.duplicate", applicant="commercial") == 4
    assert v("applications.outcome.other", applicant="natural_person") is None
    assert v("proactive.rules.made") == 13
    assert v("proactive.rules.published_total") == 524
    assert v("proactive.normative_docs.published_total") == 368
    assert v("proactive.procurement.projects") == 6
    assert v("proactive.procurement.amount") == 251000  # "251000元": already yuan
    assert v("review.upheld") == 5
    assert v("review.corrected") is None
    assert v("review.total") == 7
    assert v("litigation.upheld", route="direct") == 8
    assert v("litigation.total", route="direct") == 9
    assert v("litigation.total", route="after_review") is None
    assert len(res.figures) == 22 + 23 * 7 + 15
    for f in res.figures:
        assert text[f.start : f.end] == f.quote
        assert f.candidates is None


def test_shanghai_2019_checks(shanghai: tuple[str, StandardResult]) -> None:
    _text, res = shanghai
    checks = {c.rule: c for c in res.checks}
    assert checks["C1:total"].result == "pass"
    assert checks["C1:total"].left.value == 877
    assert checks["C1:natural_person"].result == "pass"
    assert checks["C1:commercial"].result == "inconclusive"
    assert checks["C3:applications.outcome.granted"].result == "inconclusive"
    assert checks["C4:review"].result == "inconclusive"
    assert not [c for c in res.checks if c.result == "fail"]
