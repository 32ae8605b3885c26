"""Consistency checks on the figures of one narrative report.

A report whose parts do not add up is news, so a failed check is data: it
keeps both sides and where they came from, and nothing is corrected.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ingest.model import Check, CheckSide, Figure
from ingest.narrative import StatedShare

# (rule, total metric, part metrics) where the parts must add up to the total.
SUM_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sum:applications.outcome.total", "applications.outcome.total", (
        "applications.outcome.already_public", "applications.outcome.granted", "applications.outcome.partial",
        "applications.outcome.denied", "applications.outcome.not_this_agency", "applications.outcome.not_exist",
        "applications.outcome.clarification", "applications.outcome.redirected", "applications.outcome.other",
    )),
    ("sum:applications.outcome.denied", "applications.outcome.denied", (
        "applications.outcome.denied.state_secret", "applications.outcome.denied.prohibited_by_law",
        "applications.outcome.denied.security_stability", "applications.outcome.denied.privacy",
        "applications.outcome.denied.trade_secret", "applications.outcome.denied.not_gov_info",
        "applications.outcome.denied.other",
    )),
    ("sum:applications.closed", "applications.closed",
     ("applications.closed.on_time", "applications.closed.extended")),
    ("sum:review.total", "review.total", ("review.upheld", "review.corrected", "review.other", "review.pending")),
    ("sum:litigation.total", "litigation.total",
     ("litigation.upheld", "litigation.corrected", "litigation.other", "litigation.pending")),
)
# (rule, metric, dimension): members of the dimension add up to its total.
DIM_SUMS: tuple[tuple[str, str, str], ...] = (
    ("sum:applications.received[channel]", "applications.received", "channel"),
    ("sum:capacity.staff[employment]", "capacity.staff", "employment"),
)
# Channels may overlap (one item published on several channels): parts >= total.
DIM_COVERS: tuple[tuple[str, str, str], ...] = (("cover:proactive.items[channel]", "proactive.items", "channel"),)
BOUNDS: tuple[tuple[str, str, str], ...] = (
    ("bound:responses.press_conferences.leader_attended", "responses.press_conferences.leader_attended",
     "responses.press_conferences"),
    ("bound:responses.online_interviews.leader_attended", "responses.online_interviews.leader_attended",
     "responses.online_interviews"),
)


def describe(f: Figure) -> str:
    """How a figure is named on one side of a check: metric[dims] "quote"."""
    dims = ",".join(f"{k}={v}" for k, v in sorted(f.dims.items()) if v != "total")
    name = f.metric or (f.label or "uncoded")
    return f"{name}[{dims}] «{f.quote}»" if dims else f"{name} «{f.quote}»"


def _plain(figs: Iterable[Figure]) -> list[Figure]:
    """Report-year figures for the whole publisher (no subunit, no cumulative)."""
    return [f for f in figs if f.status == "reported" and "subunit" not in f.dims and "period" not in f.dims
            and f.year is None]


def _find(figs: list[Figure], metric: str, dims: dict[str, str] | None = None) -> Figure | None:
    for f in figs:
        if f.metric == metric and (dims is None or all(f.dims.get(k) == v for k, v in dims.items())):
            return f
    return None


def _sum_check(rule: str, total: Figure, parts: list[Figure], complete: bool) -> Check:
    values = [p.value for p in parts]
    right_source = " + ".join(describe(p) for p in parts)
    if total.value is None or any(v is None for v in values):
        return Check(rule, "inconclusive", CheckSide(total.value, describe(total), total.start, total.end),
                     CheckSide(None, right_source), "a value is not available")
    s = sum((v for v in values if v is not None), Decimal(0))
    detail = "+".join(str(v) for v in values) + f" = {s} vs {total.value}"
    if s == total.value:
        result = "pass"
    elif s < total.value and not complete:
        result = "inconclusive"
        detail += " (some parts not stated)"
    else:
        result = "fail"
    return Check(rule, result, CheckSide(total.value, describe(total), total.start, total.end),  # type: ignore[arg-type]
                 CheckSide(s, right_source), detail)


def figure_checks(figures: list[Figure]) -> list[Check]:
    figs = _plain(figures)
    checks: list[Check] = []
    for rule, total_metric, part_metrics in SUM_GROUPS:
        total = _find(figs, total_metric)
        parts = [f for m in part_metrics if (f := _find(figs, m, {k: "total" for k in (total.dims if total else {})}))]
        if total is None or len(parts) < 2:
            continue
        checks.append(_sum_check(rule, total, parts, complete=len(parts) == len(part_metrics)))
    for rule, metric, dim in DIM_SUMS + DIM_COVERS:
        total = _find(figs, metric, {dim: "total"})
        parts = [f for f in figs if f.metric == metric and f.dims.get(dim) not in (None, "total")]
        if total is None or len(parts) < 2:
            continue
        if (rule, metric, dim) in DIM_COVERS:
            values = [p.value for p in parts]
            if total.value is None or any(v is None for v in values):
                continue
            s = sum((v for v in values if v is not None), Decimal(0))
            checks.append(Check(rule, "pass" if s >= total.value else "fail",
                                CheckSide(s, " + ".join(describe(p) for p in parts)),
                                CheckSide(total.value, describe(total), total.start, total.end),
                                f"{s} >= {total.value} (one item may go out on several channels)"))
        else:
            checks.append(_sum_check(rule, total, parts, complete=False))
    for rule, part_metric, whole_metric in BOUNDS:
        part, whole = _find(figs, part_metric), _find(figs, whole_metric)
        if part is None or whole is None or part.value is None or whole.value is None:
            continue
        checks.append(Check(rule, "pass" if part.value <= whole.value else "fail",
                            CheckSide(part.value, describe(part), part.start, part.end),
                            CheckSide(whole.value, describe(whole), whole.start, whole.end),
                            f"{part.value} <= {whole.value}"))
    return checks


def share_checks(shares: list[StatedShare]) -> list[Check]:
    """Every stated percentage against the share computed from its part and whole."""
    checks: list[Check] = []
    for sh in shares:
        part_name = describe(sh.part)
        rule = f"share:{sh.part.metric or 'uncoded'}"
        stated = CheckSide(sh.percent, f"stated «{sh.quote}»", sh.start, sh.end)
        if sh.whole is None or sh.whole.value in (None, 0) or sh.part.value is None:
            checks.append(Check(rule, "inconclusive", stated, CheckSide(None, part_name), "whole not found"))
            continue
        assert sh.whole.value is not None
        computed = sh.part.value * 100 / sh.whole.value
        exponent = sh.percent.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        tolerance = Decimal(5) / Decimal(10) ** (decimals + 1) + Decimal("0.0001")
        ok = abs(computed - sh.percent) <= max(tolerance, Decimal("0.05"))
        checks.append(Check(
            rule, "pass" if ok else "fail", stated,
            CheckSide(computed.quantize(Decimal("0.01")), f"{part_name} / {describe(sh.whole)}",
                      sh.part.start, sh.part.end),
            f"{sh.part.value}/{sh.whole.value} = {computed:.2f}% vs stated {sh.percent}%",
        ))
    return checks
