"""The narrative part of the accuracy benchmark (bench/extraction.py) as a test.

Against the hand-written expected files of the bundled pre-2019 reports: overall
recall ≥ 0.98 and precision ≥ 0.99 on (metric, dims, value), and the checks the
expected files list are found with the same result.
"""

from __future__ import annotations

import pytest

from bench.extraction import ReportScore, run, total


@pytest.fixture(scope="module")
def scores() -> list[ReportScore]:
    return run(narrative_only=True)


def test_every_narrative_report_is_scored(scores: list[ReportScore]) -> None:
    names = {s.name for s in scores}
    assert {"jilin-city-2017", "pingtan-zone-2012", "pingtan-zone-2018", "pingtan-county-2013",
            "pingtan-amr-2017", "pingtan-discipline-2017"} <= names
    assert not [s.name for s in scores if s.error]


def test_narrative_precision_and_recall(scores: list[ReportScore]) -> None:
    t = total(scores)
    assert t.recall >= 0.98, [(s.name, s.missing) for s in scores if s.missing]
    assert t.precision >= 0.99, [(s.name, s.extra) for s in scores if s.extra]
    for s in scores:
        assert s.recall >= 0.95 and s.precision >= 0.95, (s.name, s.missing, s.extra)


def test_narrative_checks_are_found(scores: list[ReportScore]) -> None:
    t = total(scores)
    assert t.checks_expected > 100
    assert t.checks_ratio >= 0.95, [(s.name, s.checks_missing) for s in scores if s.checks_missing]
