"""The cross-checks the standard format implies, evaluated on what was read.

C1  一 + 二 = （七）总计 + 四, per applicant column (the rule printed in 表三's header)
C2  （七）总计 = sum of the outcome rows, per applicant column
C3  each 表三 row: 总计 = the six applicant columns (and 小计 = the five kinds)
C4  表四: 总计 = 维持 + 纠正 + 其他 + 尚未审结, per block
T2  表二 sanity: counts are whole, non-negative numbers; 2019 对外公开总数量 ≥ 本年新公开数量

A failure is a finding about the *report* (source errors are real and worth
showing), so it is kept, never "fixed"; a missing or ambiguous input makes a
check inconclusive rather than failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ingest.model import Check, CheckResult, CheckSide
from ingest.standard.layout import LEGAL_PERSON_COLUMNS, T4_BLOCKS, T4_OUTCOMES
from ingest.standard.tables import ReadCell, TableRead


def _name(rc: ReadCell) -> str:
    dims = dict(rc.slot.dims)
    inner = ",".join(v for k, v in dims.items() if k != "channel")
    metric = rc.slot.metric or (rc.slot.label or "?")
    return f"{metric}[{inner}]" if inner else metric


def _side(cells: Sequence[ReadCell | None], source: str | None = None) -> CheckSide:
    """One side of a check: the sum of ``cells`` (None if any is unknown)."""
    total: Decimal | None = Decimal(0)
    for rc in cells:
        v = rc.value if rc is not None else None
        total = None if (total is None or v is None) else total + v
    names = [(_name(rc) if rc is not None else "(missing)") for rc in cells]
    src = source or " + ".join(names)
    if len(cells) == 1 and cells[0] is not None:
        rc = cells[0]
        starts = [c.start for c in rc.readings]
        ends = [c.end for c in rc.readings]
        return CheckSide(total, src, min(starts), max(ends))
    return CheckSide(total, src)


def _check(rule: str, left: CheckSide, right: CheckSide, detail: str = "") -> Check:
    result: CheckResult
    if left.value is None or right.value is None:
        result = "inconclusive"
    elif left.value == right.value:
        result = "pass"
    else:
        result = "fail"
    if not detail:
        lv = "n/a" if left.value is None else left.value
        rv = "n/a" if right.value is None else right.value
        detail = f"{left.source} = {lv}; {right.source} = {rv}"
        if result == "inconclusive":
            detail += " (an input is blank, missing or ambiguous)"
    return Check(rule, result, left, right, detail, notable=result == "fail")


def t3_checks(t3: TableRead) -> list[Check]:
    """C1–C3 on 表三."""
    out: list[Check] = []
    if not t3.rows:
        return out
    cols = t3.columns
    idx = {c: i for i, c in enumerate(cols)}

    def cell(key: str, col: str) -> ReadCell | None:
        row = t3.rows.get(key)
        return row[idx[col]] if row is not None else None

    from ingest.standard.layout import T3_ROWS

    rows = T3_ROWS[t3.shape or "standard-2021"]
    outcome_keys = [r.key for r in rows if r.outcome]
    for col in cols:
        left = _side([cell("received", col), cell("carried_over", col)])
        right = _side([cell("outcome.total", col), cell("carried_forward", col)])
        out.append(_check(f"C1:{col}", left, right))
    for col in cols:
        left = _side([cell("outcome.total", col)])
        parts = [cell(k, col) for k in outcome_keys]
        right = _side(parts, f"sum of the {len(parts)} outcome rows [{col}]")
        out.append(_check(f"C2:{col}", left, right))
    six = [c for c in cols if c not in ("total", "legal_person_subtotal")]
    for r in rows:
        row = t3.rows.get(r.key)
        if row is None:
            continue
        left = _side([row[idx["total"]]])
        right = _side([row[idx[c]] for c in six], f"{r.metric}: sum of the six applicant columns")
        out.append(_check(f"C3:{r.metric}", left, right))
        if "legal_person_subtotal" in idx:
            left = _side([row[idx["legal_person_subtotal"]]])
            right = _side([row[idx[c]] for c in LEGAL_PERSON_COLUMNS], f"{r.metric}: five organisation columns")
            out.append(_check(f"C3:{r.metric}[legal_person_subtotal]", left, right))
    return out


def t4_checks(t4: TableRead) -> list[Check]:
    """C4 on 表四, per block and over both litigation routes."""
    out: list[Check] = []
    if len(t4.cells) < 15:
        return out
    for bi, block in enumerate(T4_BLOCKS):
        cells = t4.cells[bi * 5 : bi * 5 + 5]
        left = _side([cells[4]])
        right = _side(cells[:4], f"{block.name}: {' + '.join(T4_OUTCOMES[:4])}")
        out.append(_check(f"C4:{block.name}", left, right))
    # no overall 行政诉讼 总计 is printed: the two route totals must equal the
    # eight result cells of both routes together
    direct, after = t4.cells[5:10], t4.cells[10:15]
    left = _side([direct[4], after[4]], "litigation.total[direct] + litigation.total[after_review]")
    right = _side(direct[:4] + after[:4], "litigation: the eight result cells of both routes")
    out.append(_check("C4:litigation.total", left, right))
    return out


def t2_checks(t2: TableRead) -> list[Check]:
    """表二 sanity: whole non-negative counts; 2019 totals not below this year's."""
    out: list[Check] = []
    by_metric = {rc.slot.metric: rc for rc in t2.cells if rc.slot.metric}
    for rc in t2.cells:
        metric = rc.slot.metric
        if metric is None:
            continue
        v = rc.value
        zero = CheckSide(Decimal(0), "lower bound 0")
        side = _side([rc])
        if v is None:
            result: CheckResult = "inconclusive"
            detail = "value not available or ambiguous"
        elif rc.slot.kind == "money":
            result = "pass" if v >= 0 else "fail"
            detail = "amount must not be negative"
        elif rc.slot.kind == "signed":
            result = "pass" if v == v.to_integral_value() else "fail"
            detail = "an increase/decrease of items must be a whole number"
        else:
            result = "pass" if (v >= 0 and v == v.to_integral_value()) else "fail"
            detail = "a count must be a whole, non-negative number"
        out.append(Check(f"T2:{metric}", result, side, zero, detail, notable=result == "fail"))
    for noun in ("rules", "normative_docs"):
        total = by_metric.get(f"proactive.{noun}.published_total")
        new = by_metric.get(f"proactive.{noun}.published")
        if total is None or new is None:
            continue
        left, right = _side([total]), _side([new])
        if left.value is None or right.value is None:
            res: CheckResult = "inconclusive"
        else:
            res = "pass" if left.value >= right.value else "fail"
        out.append(
            Check(
                f"T2:{noun}.published_total>=published",
                res,
                left,
                right,
                "对外公开总数量 must not be below 本年新公开数量",
                notable=res == "fail",
            )
        )
    return out
