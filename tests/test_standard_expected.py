"""The standard-table extractor against the hand-made expected files.

Other people read every table cell of the bundled standard-format reports into
``tests/fixtures/expected/*.json``; this compares (metric, dims, value) of the
table observations (``source`` other than ``prose``) with what the extractor
finds, and the candidate lists of cells both leave open.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ingest.sources import html_to_text
from ingest.standard import extract_standard

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "fixtures" / "expected"
REPORTS = ROOT / "data" / "reports"

STANDARD = [
    "pingtan-zone-2019",
    "pingtan-zone-2021",
    "pingtan-zone-2022",
    "pingtan-zone-2023",
    "pingtan-zone-2024",
    "pingtan-zone-2025",
    "pingtan-amr-2019",
    "pingtan-sasac-2019",
    "shanghai-gov-office-2019",
    "hongze-district-2023",
    "hongze-district-2024",
    "shanghai-stc-2024",
    "shuyang-county-2025",
]

Key = tuple[str | None, tuple[tuple[str, str], ...], str | None]


def _norm(v: Any) -> str | None:
    if v is None:
        return None
    d = Decimal(str(v))
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


def _text(name: str) -> str:
    html = REPORTS / f"{name}.html"
    if html.exists():
        return html_to_text(html.read_text(encoding="utf-8"))
    return (REPORTS / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", STANDARD)
def test_table_cells_match_expected(name: str) -> None:
    path = EXPECTED / f"{name}.json"
    if not path.exists():
        pytest.skip(f"no expected file for {name}")
    exp = json.loads(path.read_text(encoding="utf-8"))
    expected: dict[Key, dict[str, Any]] = {}
    for o in exp["observations"]:
        if o.get("source") == "prose":
            continue
        expected[(o["metric"], tuple(sorted(o["dims"].items())), _norm(o["value"]))] = o
    res = extract_standard(_text(name))
    assert res is not None
    got = {(f.metric, tuple(sorted(f.dims.items())), _norm(f.value)): f for f in res.figures}
    hit = set(expected) & set(got)
    recall = len(hit) / len(expected)
    precision = len(hit) / len(got)
    assert recall >= 0.98, sorted(set(expected) - hit, key=str)[:10]
    assert precision >= 0.995, sorted(set(got) - hit, key=str)[:10]
    for key in hit:
        if key[2] is None and expected[key].get("candidates") is not None:
            want = sorted(Decimal(str(x)) for x in expected[key]["candidates"])
            assert got[key].candidates == want, key
