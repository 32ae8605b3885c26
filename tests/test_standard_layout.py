"""The table layout stays in step with the data contract (metrics.csv, dimensions.csv).

Third parties hard-code the metric codes, so a code, unit or dimension the
layout emits must exist in the dictionary exactly as written there; and every
standard-table cell the dictionary describes must be read by some layout.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ingest.standard.layout import APPLICANTS_WITH_SUBTOTAL, T2_ROWS, T3_ROWS, T4_BLOCKS, T4_OUTCOMES

DICTIONARY = Path(__file__).resolve().parents[1] / "data" / "dictionary"

# sums of sub-rows: the template prints no cell of their own
SUMS = {
    "applications.outcome.denied",
    "applications.outcome.unable",
    "applications.outcome.not_processed",
}


def _metrics() -> dict[str, dict[str, str]]:
    with (DICTIONARY / "metrics.csv").open(encoding="utf-8") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


def _members() -> set[tuple[str, str]]:
    with (DICTIONARY / "dimensions.csv").open(encoding="utf-8") as fh:
        return {(row["dimension"], row["member"]) for row in csv.DictReader(fh)}


def test_layout_codes_units_and_dims_exist() -> None:
    metrics = _metrics()
    members = _members()
    emitted: set[str] = set()
    for rows in T2_ROWS.values():
        for row in rows:
            for col in row.cols:
                assert col.metric in metrics, col.metric
                assert col.unit == metrics[col.metric]["unit"], col.metric
                assert metrics[col.metric]["dims"] == ""
                emitted.add(col.metric)
    for t3rows in T3_ROWS.values():
        for t3 in t3rows:
            assert t3.metric in metrics, t3.metric
            assert metrics[t3.metric]["unit"] == "件"
            dims = set(metrics[t3.metric]["dims"].split())
            assert {"applicant"} | {k for k, _ in t3.extra_dims} == dims, t3.metric
            for k, v in t3.extra_dims:
                assert (k, v) in members
            emitted.add(t3.metric)
    for applicant in APPLICANTS_WITH_SUBTOTAL:
        assert ("applicant", applicant) in members
    for block in T4_BLOCKS:
        for outcome in T4_OUTCOMES:
            code = f"{block.prefix}.{outcome}"
            assert code in metrics, code
            assert set(metrics[code]["dims"].split()) == {k for k, _ in block.dims}
            for k, v in block.dims:
                assert (k, v) in members
            emitted.add(code)
    tabled = {
        code
        for code, row in metrics.items()
        if row["template_ref"].startswith(("表二", "表三", "表四")) and code not in SUMS
    }
    # applications.outcome.other is the single 2019 row; the 2021 sum has no cell
    assert tabled <= emitted, tabled - emitted
