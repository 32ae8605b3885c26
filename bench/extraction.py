"""Extraction accuracy against the hand-written expected files.

For every ``tests/fixtures/expected/<report>.json`` the bundled report is read
(``ingest.sources.read_path``, so HTML and PDF work) and extracted with
``ingest.pipeline.extract_report`` exactly as the loader does, then the
reported, coded figures are compared with the expected observations on
(metric, dims, value).  Matching is a multiset match: a report that states
the same figure in its prose and in its 统计表 is expected twice.

* Optional expected items (``"optional": true``) count for recall only when
  they were extracted (they are never a miss).
* Uncoded expected items (``metric`` null) are left out: they are kept by the
  extractor with a label, but a label is not something to score exactly.
* Checks: an expected check of the form ``kind:subject`` is *found* when the
  extraction has a check with the same rule and the same result.  Checks that
  need two reports (``cumulative_nondecreasing``, ``cumulative_continuity``)
  are not counted here: they belong to cross-report validation.

The figures are recorded in ``bench/extraction_baseline.json``; the script
exits non-zero when any report falls below them, so accuracy can only go up.
``--update`` rewrites the record (do it when a change is a real improvement).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.model import ExtractedReport, ReportMeta
from ingest.numerals import normalize
from ingest.pipeline import extract_report
from ingest.sources import read_path

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DIR = ROOT / "tests" / "fixtures" / "expected"
REPORTS_DIR = ROOT / "data" / "reports"
BASELINE = Path(__file__).resolve().parent / "extraction_baseline.json"
CROSS_REPORT_RULES = ("cumulative_nondecreasing", "cumulative_continuity")
RULE_RE = re.compile(r"^[A-Za-z0-9_]+:")
TOLERANCE = 1e-9

Key = tuple[str, tuple[tuple[str, str], ...], Decimal | None]


@dataclass
class ReportScore:
    """Counts for one report; the ratios are derived so totals can be summed."""

    name: str
    format: str
    extracted: int = 0
    matched: int = 0
    required: int = 0
    matched_required: int = 0
    matched_optional: int = 0
    checks_expected: int = 0
    checks_found: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    checks_missing: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        denominator = self.required + self.matched_optional
        return self.matched / denominator if denominator else 1.0

    @property
    def checks_ratio(self) -> float:
        return self.checks_found / self.checks_expected if self.checks_expected else 1.0


def _value(v: Any) -> Decimal | None:
    return None if v is None else normalize(Decimal(str(v)))


def _key(metric: str, dims: dict[str, str], value: Any) -> Key:
    return metric, tuple(sorted(dims.items())), _value(value)


def _show(key: Key) -> str:
    metric, dims, value = key
    d = ",".join(f"{k}={v}" for k, v in dims if v != "total")
    return f"{metric}[{d}]={value}" if d else f"{metric}={value}"


def _index() -> dict[str, dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((REPORTS_DIR / "index.json").read_text(encoding="utf-8"))
    return {Path(e["file"]).stem: e for e in entries}


def extract_bundled(name: str, entry: dict[str, Any]) -> ExtractedReport:
    """Extract one bundled report with the metadata the loader would pass."""
    doc = read_path(REPORTS_DIR / entry["file"])
    meta = ReportMeta(title=entry.get("title") or doc.meta.title, publisher=entry.get("publisher"),
                      year=entry.get("year"))
    return extract_report(doc.text, meta, media_type=doc.media_type)


def score(name: str, expected: dict[str, Any], extracted: ExtractedReport) -> ReportScore:
    """Compare one extraction with its expected file."""
    result = ReportScore(name, expected.get("report", {}).get("format", "?"))
    required: Counter[Key] = Counter()
    optional: Counter[Key] = Counter()
    for obs in expected.get("observations", []):
        if obs.get("metric") is None:
            continue
        key = _key(obs["metric"], obs.get("dims") or {}, obs.get("value"))
        (optional if obs.get("optional") else required)[key] += 1
    got: Counter[Key] = Counter()
    for fig in extracted.figures:
        if fig.metric is None or fig.status != "reported" or fig.year is not None:
            continue
        got[_key(fig.metric, fig.dims, fig.value)] += 1
    result.extracted = sum(got.values())
    result.required = sum(required.values())
    for key in set(required) | set(optional) | set(got):
        m = min(got[key], required[key] + optional[key])
        m_req = min(got[key], required[key])
        result.matched += m
        result.matched_required += m_req
        result.matched_optional += m - m_req
        if required[key] > m_req:
            result.missing.extend([_show(key)] * (required[key] - m_req))
        if got[key] > m:
            result.extra.extend([_show(key)] * (got[key] - m))
    found = {(c.rule, c.result) for c in extracted.checks}
    for chk in expected.get("checks", []):
        rule = chk.get("rule", "")
        if not RULE_RE.match(rule) or rule.startswith(CROSS_REPORT_RULES):
            continue
        result.checks_expected += 1
        if (rule, chk.get("status")) in found:
            result.checks_found += 1
        else:
            result.checks_missing.append(f"{rule}={chk.get('status')}")
    return result


def run(narrative_only: bool = False, names: list[str] | None = None) -> list[ReportScore]:
    """Score every expected file (or the narrative ones, or those named)."""
    index = _index()
    scores: list[ReportScore] = []
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        name = path.stem
        if names and name not in names:
            continue
        expected = json.loads(path.read_text(encoding="utf-8"))
        fmt = expected.get("report", {}).get("format", "")
        if narrative_only and fmt != "narrative":
            continue
        entry = index.get(name)
        if entry is None:
            continue
        try:
            extracted = extract_bundled(name, entry)
        except Exception as exc:  # a crash is a score of zero, reported
            s = ReportScore(name, fmt, error=f"{type(exc).__name__}: {exc}")
            s.required = sum(1 for o in expected.get("observations", []) if o.get("metric") and not o.get("optional"))
            scores.append(s)
            continue
        scores.append(score(name, expected, extracted))
    return scores


def total(scores: list[ReportScore], name: str = "TOTAL") -> ReportScore:
    """Micro-averaged totals over reports."""
    t = ReportScore(name, "")
    for s in scores:
        t.extracted += s.extracted
        t.matched += s.matched
        t.required += s.required
        t.matched_required += s.matched_required
        t.matched_optional += s.matched_optional
        t.checks_expected += s.checks_expected
        t.checks_found += s.checks_found
    return t


def table(scores: list[ReportScore], verbose: bool = False) -> str:
    """The scores as a fixed-width table (and the differences when verbose)."""
    lines = [f"{'report':28} {'format':14} {'exp':>4} {'got':>4} {'ok':>4} {'precision':>9} {'recall':>7} "
             f"{'checks':>9}"]
    groups: dict[str, list[ReportScore]] = {}
    for s in scores:
        groups.setdefault("narrative" if s.format == "narrative" else "standard", []).append(s)
        lines.append(f"{s.name:28} {s.format:14} {s.required:4} {s.extracted:4} {s.matched:4} "
                     f"{s.precision:9.3f} {s.recall:7.3f} {s.checks_found:4}/{s.checks_expected:<4}"
                     + (f"  ERROR {s.error}" if s.error else ""))
    lines.append("")
    for group, members in sorted(groups.items()):
        t = total(members, f"[{group}]")
        lines.append(f"{t.name:28} {'':14} {t.required:4} {t.extracted:4} {t.matched:4} {t.precision:9.3f} "
                     f"{t.recall:7.3f} {t.checks_found:4}/{t.checks_expected:<4}")
    t = total(scores)
    lines.append(f"{t.name:28} {'':14} {t.required:4} {t.extracted:4} {t.matched:4} {t.precision:9.3f} "
                 f"{t.recall:7.3f} {t.checks_found:4}/{t.checks_expected:<4}")
    if verbose:
        for s in scores:
            if s.missing or s.extra or s.checks_missing:
                lines.append(f"\n== {s.name}")
                lines.extend(f"  missing {m}" for m in s.missing)
                lines.extend(f"  extra   {m}" for m in s.extra)
                lines.extend(f"  check   {m}" for m in s.checks_missing)
    return "\n".join(lines)


def _record(scores: list[ReportScore]) -> dict[str, dict[str, float]]:
    rec = {s.name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                    "checks": round(s.checks_ratio, 4)} for s in scores}
    for group in ("narrative", "standard"):
        members = [s for s in scores if (s.format == "narrative") == (group == "narrative")]
        if members:
            t = total(members)
            rec[f"[{group}]"] = {"precision": round(t.precision, 4), "recall": round(t.recall, 4),
                                 "checks": round(t.checks_ratio, 4)}
    return rec


def regressions(scores: list[ReportScore], baseline: dict[str, dict[str, float]]) -> list[str]:
    """Every recorded figure the current scores fall below."""
    out: list[str] = []
    current = _record(scores)
    for name, rec in baseline.items():
        now = current.get(name)
        if now is None:
            continue
        for measure, value in rec.items():
            if now.get(measure, 0.0) + TOLERANCE < value - 5e-5:
                out.append(f"{name} {measure}: {now.get(measure, 0.0):.4f} < recorded {value:.4f}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("reports", nargs="*", help="only these reports (file stems)")
    parser.add_argument("--narrative", action="store_true", help="only narrative (pre-2019) reports")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missing and extra figures")
    parser.add_argument("--update", action="store_true", help="record the current figures as the baseline")
    args = parser.parse_args(argv)
    scores = run(narrative_only=args.narrative, names=args.reports or None)
    print(table(scores, verbose=args.verbose))
    if args.update:
        if args.reports or args.narrative:
            print("--update needs a full run (no report names, no --narrative)", file=sys.stderr)
            return 2
        BASELINE.write_text(json.dumps(_record(scores), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"\nrecorded {BASELINE.relative_to(ROOT)}")
        return 0
    baseline: dict[str, dict[str, float]] = {}
    if BASELINE.exists():
        baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    if args.reports or args.narrative:
        baseline = {k: v for k, v in baseline.items() if not k.startswith("[")}
    bad = regressions(scores, baseline)
    if bad:
        print("\nREGRESSION below bench/extraction_baseline.json:", file=sys.stderr)
        for line in bad:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
