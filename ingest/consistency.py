"""Consistency checks on the figures of one narrative report.

A report whose parts do not add up is news, so a failed check is data: it
keeps both sides and where they came from, and nothing is corrected.
"""

from __future__ import annotations

import re
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
        "applications.outcome.unable", "applications.outcome.not_processed",
        "applications.outcome.not_processed.duplicate",
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


def dims_tag(f: Figure) -> str:
    """The breakdown of a figure as rule names print it: "[in_person]", "[subunit 各乡镇]", ""."""
    tags = [v for k, v in sorted(f.dims.items()) if v != "total" and k not in ("subunit", "period")]
    if "subunit" in f.dims:
        tags.append(f"subunit {f.dims['subunit']}")
    if f.dims.get("period") == "cumulative":
        tags.append("cumulative")
    return f"[{','.join(tags)}]" if tags else ""


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


def _partition_check(rule: str, total: Figure, parts: list[Figure], complete: bool) -> Check | None:
    """Parts that may not be all the parts: only a sum that reaches or passes the total says something."""
    if total.value is None or any(p.value is None for p in parts):
        return None
    s = sum((p.value for p in parts if p.value is not None), Decimal(0))
    if s < total.value and not complete:
        return None
    check = _sum_check(rule, total, parts, complete=True)
    check.notable = check.result == "fail"
    return check


def breakdown_checks(figures: list[Figure]) -> list[Check]:
    """Parts of a prose total that the report lists: sub-units, content categories, the inventory.

    * ``sum:<metric>[subunit]`` — "区管委会及区直各部门 1822 + 各乡镇 1638 = 3460";
    * ``sum:proactive.items.by_topic`` — the content categories against the items published;
    * ``sum:proactive.inventory.total`` — 主动公开 + 依申请公开 + 不予公开 = 制作、获取的信息.

    Reports often list only some parts ("以市本级为例"), so a sum below the total is
    recorded only when the list claims to be complete (it has an "其他" category).
    """
    reported = [f for f in figures if f.status == "reported" and f.year is None and f.metric is not None
                and "period" not in f.dims]
    checks: list[Check] = []
    groups: dict[tuple[str, tuple[tuple[str, str], ...]], list[Figure]] = {}
    for f in reported:
        if "subunit" in f.dims and f.metric is not None:
            rest = tuple(sorted((k, v) for k, v in f.dims.items() if k != "subunit"))
            groups.setdefault((f.metric, rest), []).append(f)
    for (metric, rest), parts in groups.items():
        total = next((f for f in reported if f.metric == metric and tuple(sorted(f.dims.items())) == rest), None)
        if total is None or len(parts) < 2:
            continue
        tags = [v for k, v in rest if v != "total"] + ["subunit"]
        check = _partition_check(f"sum:{metric}[{','.join(tags)}]", total, parts, complete=False)
        if check is not None:
            checks.append(check)
    whole = next((f for f in reported if f.metric == "proactive.items" and f.dims.get("channel") == "total"
                  and "subunit" not in f.dims), None)
    topics = [f for f in reported if f.metric == "proactive.items.by_topic" and "subunit" not in f.dims]
    if topics:
        # a category the dictionary has no member for ("人事信息230条") is still one of the list
        lo, hi = min(f.start for f in topics), max(f.end for f in topics)
        topics += [f for f in figures if f.metric is None and f.status == "reported" and lo < f.start < hi
                   and f.unit == topics[0].unit and f.value is not None]
        topics.sort(key=lambda f: f.start)
    if whole is not None and len(topics) >= 2:
        has_other = any(f.dims.get("topic") == "other" for f in topics)
        check = _partition_check("sum:proactive.items.by_topic", whole, topics, complete=has_other)
        if check is not None:
            checks.append(check)
    inventory = _find(reported, "proactive.inventory.total")
    if inventory is not None and "subunit" not in inventory.dims:
        inv_parts = [f for f in (whole, _find(reported, "proactive.inventory.on_application"),
                                 _find(reported, "proactive.inventory.withheld")) if f is not None]
        if len(inv_parts) >= 2:
            check = _partition_check("sum:proactive.inventory.total", inventory, inv_parts,
                                     complete=len(inv_parts) == 3)
            if check is not None:
                checks.append(check)
    return checks


def listed_parts_checks(figures: list[Figure], text: str) -> list[Check]:
    """"共发布348条信息，其中政府预决算公开19条、…": the uncoded parts listed after 其中 add up.

    Only a coded figure followed, in the same sentence, by 其中 and at least two uncoded
    figures in the same unit; the parts are what the report itself says the total consists of.
    """
    checks: list[Check] = []
    ordered = sorted(figures, key=lambda f: f.start)
    for i, parent in enumerate(ordered):
        if parent.metric is None or parent.status != "reported" or parent.value is None:
            continue
        sentence_end = len(text)
        for j in range(parent.end, len(text)):
            if text[j] in "。；;！!？?\n":
                sentence_end = j
                break
        between = text[parent.end : sentence_end]
        k = between.find("其中")
        if k < 0 or not re.match(r"[^，,。；;]{0,8}[，,]?\s*其中", between[: k + 2]):
            continue
        parts = [f for f in ordered[i + 1:] if parent.end + k < f.start < sentence_end]
        if len(parts) < 2 or any(p.metric is not None or p.unit != parent.unit for p in parts):
            continue
        check = _partition_check(f"sum:{parent.metric}{dims_tag(parent)}", parent, parts, complete=True)
        if check is not None:
            checks.append(check)
    return checks


def figure_checks(figures: list[Figure]) -> list[Check]:
    figs = _plain(figures)
    checks: list[Check] = []
    for rule, total_metric, part_metrics in SUM_GROUPS:
        total = _find(figs, total_metric)
        parts = [f for m in part_metrics if (f := _find(figs, m, {k: "total" for k in (total.dims if total else {})}))]
        # a reason stated next to its own total ("不予处理3件，其中重复申请2件") is not counted twice
        parts = [f for f in parts if not any(
            f.metric and g.metric and f.metric.startswith(g.metric + ".") for g in parts)]
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
        rule = f"share:{sh.part.metric or 'uncoded'}{dims_tag(sh.part)}"
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
