"""Cutting runs into cells and solving a table jointly, on small hand-made cases.

These pin the rules of the solver that the bundled reports only touch in
passing: no leading zeros, signed increments, money with units, annotations,
dashes as "not available", the 小计 column, and the promise that an
undecidable cut is reported with candidates instead of guessed.
"""

from __future__ import annotations

from decimal import Decimal

from ingest.model import Figure
from ingest.standard import StandardResult, extract_standard
from ingest.standard.segment import (
    Equation,
    Segment,
    best_splits,
    enumerate_splits,
    parse_delimited,
    solve,
    sums_to_last,
)

T3_2019 = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "（四）无法提供1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "（五）不予处理1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理",
    "（七）总计",
    "四、结转下年度继续办理",
]
T4_HEAD = "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计"


def _fig(res: StandardResult, metric: str, **dims: str) -> Figure:
    found = [f for f in res.figures if f.metric == metric and all(f.dims.get(k) == v for k, v in dims.items())]
    assert len(found) == 1, (metric, dims)
    return found[0]


def test_leading_zero_rule_exactly() -> None:
    splits, _ = enumerate_splits([Segment("1005", 0)], ["count"] * 3)
    got = {tuple(str(c.value) for c in s.cells) for s in splits}
    # "1005" → 1|0|05 and 1|00|5 are invalid; 10|0|5 and 100|... need 3 cells
    assert got == {("10", "0", "5")}


def test_sum_row_fast_path_matches_generic_search() -> None:
    segs = [Segment("640020470", 10)]
    fast, _ = best_splits(segs, ["count"] * 7, [7], lambda c, e: sums_to_last(c, e, 7), sum_width=7)
    slow, _ = best_splits(segs, ["count"] * 7, [7], lambda c, e: sums_to_last(c, e, 7))
    key = lambda ss: sorted(tuple((c.value, c.start, c.end) for c in s.cells) for s in ss)  # noqa: E731
    assert key(fast) == key(slow)
    assert (Decimal(64), Decimal(0), Decimal(0), Decimal(2), Decimal(0), Decimal(4), Decimal(70)) in {
        tuple(c.value for c in s.cells) for s in fast
    }


def test_signed_and_money_cells() -> None:
    splits, _ = enumerate_splits([Segment("20+1737", 0)], ["count", "signed", "count"])
    got = {tuple(str(c.value) for c in s.cells) for s in splits}
    assert ("20", "17", "37") in got and ("20", "1", "737") in got
    splits, _ = enumerate_splits([Segment("13575394432.52元", 0)], ["count", "money"])
    money = {s.cells[1] for s in splits}
    assert any(c.value == Decimal("75394432.52") and c.unit == "元" for c in money)
    assert all(c.unit == "元" for c in money)


def test_delimited_cells() -> None:
    cell = parse_delimited(" 22（其中修订16件） ", 5)
    assert cell is not None and cell.value == 22 and cell.note == "其中修订16件"
    blank = parse_delimited("  ", 0)
    assert blank is not None and blank.value is None
    dash = parse_delimited(" — ", 0)
    assert dash is not None and dash.value is None and (dash.start, dash.end) == (1, 2)
    assert parse_delimited("1,234", 0) is not None
    assert parse_delimited("合计", 0) is None


def test_solver_keeps_every_optimal_choice() -> None:
    # two rows whose cuts are only tied together by a column equation
    a, _ = enumerate_splits([Segment("111", 0)], ["count"] * 2)  # 1|11 or 11|1
    b, _ = enumerate_splits([Segment("212", 10)], ["count"] * 2)  # 2|12 or 21|2
    eqs = [Equation([("a", 0, 1), ("b", 0, -1)], const=Decimal(-9), name="a0 - b0 = 9")]
    sol = solve({"a": a, "b": b}, eqs)
    chosen_a = {a[i].cells[0].value for i in sol.options["a"]}
    chosen_b = {b[i].cells[0].value for i in sol.options["b"]}
    assert chosen_a == {Decimal(11)} and chosen_b == {Decimal(2)}
    sol = solve({"a": a, "b": b}, [])
    assert len(sol.options["a"]) == 2 and len(sol.options["b"]) == 2


def test_flattened_2019_table2_signed_runs_and_annotations() -> None:
    text = (
        "二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量"
        "规章000规范性文件22（其中修订16件）0100"
        "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可2648-18538"
        "其他对外管理服务事项35-1520"
        "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚—/—行政强制000"
        "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费00"
        "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购3 12.5万元"
        "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        + "".join(label + ("1000001" if i in (0, 2, 21) else "0000000") for i, label in enumerate(T3_2019))
        + T4_HEAD.replace("\n", "")
        + "000000000000000五、存在的主要问题"
    )
    res = extract_standard(text)
    assert res is not None and res.format == "standard-2019"
    made = _fig(res, "proactive.normative_docs.made")
    assert made.value == 22 and made.note and "其中修订16件" in made.note
    assert _fig(res, "proactive.normative_docs.published_total").value == 100
    assert _fig(res, "proactive.licensing.items").value == 2648
    change = _fig(res, "proactive.licensing.items_change")
    assert change.value is None and change.candidates and Decimal(-185) in change.candidates
    assert _fig(res, "proactive.other_services.items_change").value == -15
    assert _fig(res, "proactive.other_services.decisions").value == 20
    for col in ("items", "items_change", "decisions"):
        assert _fig(res, f"proactive.penalties.{col}").value is None  # dashes: not available
    assert _fig(res, "proactive.procurement.amount").value == 125000
    assert _fig(res, "applications.outcome.other", applicant="total").value == 0
    assert _fig(res, "applications.outcome.total", applicant="natural_person").value == 1
    checks = {c.rule: c for c in res.checks}
    assert checks["T2:proactive.penalties.items"].result == "inconclusive"
    assert checks["C1:total"].result == "pass"


def test_pipe_table_with_subtotal_column_and_dashes() -> None:
    rows = []
    for i, label in enumerate(T3_2019):
        if i in (0, 21):
            vals = ["3", "1", "0", "0", "1", "0", "2", "5"]
        elif i == 2:
            vals = ["2", "1", "—", "—", "1", "—", "2", "4"]
        elif i == 16:
            vals = ["1", "0", "0", "0", "0", "0", "0", "1"]
        else:
            vals = ["0"] * 8
        rows.append("| " + " | ".join([label, *vals]) + " |")
    text = "\n".join(
        [
            "三、收到和处理政府信息公开申请情况",
            "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |",
            "| 自然人 | 法人或其他组织 | 总计 |",
            "| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 小计 |",
            *rows,
            T4_HEAD,
            "| " + " | ".join(["0"] * 15) + " |",
            "五、存在的主要问题及改进情况",
        ]
    )
    res = extract_standard(text)
    assert res is not None
    assert _fig(res, "applications.received", applicant="legal_person_subtotal").value == 2
    assert _fig(res, "applications.received", applicant="total").value == 5
    assert _fig(res, "applications.outcome.granted", applicant="research").value is None
    checks = {c.rule: c for c in res.checks}
    assert checks["C3:applications.received"].result == "pass"
    assert checks["C3:applications.received[legal_person_subtotal]"].result == "pass"
    assert checks["C3:applications.outcome.granted"].result == "inconclusive"
    assert checks["C1:legal_person_subtotal"].result == "pass"
    assert any("小计" in n for n in res.notes)


def test_text_without_tables_is_not_standard() -> None:
    assert extract_standard("本年度共收到政府信息公开申请5件，均已办结。") is None
    assert extract_standard("") is None
