"""The pre-2019 统计表: spaced and flattened rows, glued item numbers, "/", constraints."""

from __future__ import annotations

from decimal import Decimal

from ingest.model import Figure
from ingest.pipeline import extract_report
from ingest.stat_table import _splits, find_stat_table, read_stat_table, table_checks
from tests.conftest import REPORTS

HEADER = "六、政府信息公开情况统计表指标名称计量单位2017年度历年累计"


def _prose(metric: str, value: int, **dims: str) -> Figure:
    return Figure(metric=metric, dims=dims, value=Decimal(value), unit="条", quote=str(value), start=0, end=1)


def _cells(figures: list[Figure], metric: str, **dims: str) -> tuple[Decimal | None, Decimal | None]:
    year = next(f for f in figures if f.metric == metric and "period" not in f.dims
                and all(f.dims.get(k) == v for k, v in dims.items()))
    cum = next(f for f in figures if f.metric == metric and f.dims.get("period") == "cumulative"
               and all(f.dims.get(k) == v for k, v in dims.items()))
    return year.value, cum.value


def test_digit_runs_split_without_leading_zeros() -> None:
    assert _splits("346085376", 2) == [["3", "46085376"], ["34", "6085376"], ["3460", "85376"],
                                       ["34608", "5376"], ["346085", "376"], ["3460853", "76"], ["34608537", "6"]]
    assert _splits("018", 2) == [["0", "18"]]
    assert _splits("00", 2) == [["0", "0"]]
    assert _splits("1.52", 2) == [["1.5", "2"]]  # a decimal point is never a cut


def test_flattened_rows_are_cut_by_the_prose_and_the_parent_row() -> None:
    text = (HEADER + "主动公开文件数条346085376其中：1、政府网站公开数条3460853762、政府公报公开数条00"
            "受理依申请公开信息总数条00其中：1、当面申请数条002、网上申请数条00")
    table, figs = read_stat_table(text, [_prose("proactive.items", 3460, channel="total")])
    assert table is not None and not table.spaced
    assert [r.label for r in table.rows][:3] == ["主动公开文件数", "政府网站公开数", "政府公报公开数"]
    assert _cells(figs, "proactive.items", channel="total") == (Decimal(3460), Decimal(85376))
    # the website row has no prose figure: its parent decides (a part is never above the whole)
    assert _cells(figs, "proactive.items", channel="website") == (Decimal(3460), Decimal(85376))
    assert _cells(figs, "proactive.items", channel="gazette") == (Decimal(0), Decimal(0))
    assert _cells(figs, "applications.received", channel="online") == (Decimal(0), Decimal(0))
    website = next(f for f in figs if f.dims.get("channel") == "website")
    assert text[website.start:website.end] == "政府网站公开数条346085376"  # the glued "2、" is not part of it


def test_without_deciding_constraints_a_cell_stays_ambiguous() -> None:
    text = HEADER + "主动公开文件数条212210037行政复议数件00"
    _table, figs = read_stat_table(text, [])
    year = next(f for f in figs if f.metric == "proactive.items" and "period" not in f.dims)
    assert year.value is None and year.ambiguous
    assert year.candidates == [Decimal(2), Decimal(21), Decimal(212), Decimal(2122)]
    assert "split several ways" in (year.note or "")
    # 累计 ≥ 本年度 already removes 21221 | 0037 and every cut with a smaller 累计
    cum = next(f for f in figs if f.metric == "proactive.items" and f.dims.get("period") == "cumulative")
    assert cum.candidates == [Decimal(12210037), Decimal(2210037), Decimal(210037), Decimal(10037)]


def test_sub_rows_constrain_each_other_without_prose() -> None:
    text = ("指标名称计量单位2013年度历年累计主动公开信息数条18535395其中：1.网站公开条171350172.政府公报公开条07"
            "受理依申请公开信息总数条728其中：1.当面申请数条0182.传真申请数条003.电子邮件申请数条364.网上申请数条44")
    _table, figs = read_stat_table(text, [_prose("proactive.items", 1853, channel="total")])
    assert _cells(figs, "proactive.items", channel="website") == (Decimal(1713), Decimal(5017))
    assert _cells(figs, "proactive.items", channel="gazette") == (Decimal(0), Decimal(7))
    assert _cells(figs, "applications.received", channel="total") == (Decimal(7), Decimal(28))
    assert _cells(figs, "applications.received", channel="in_person") == (Decimal(0), Decimal(18))
    assert _cells(figs, "applications.received", channel="email") == (Decimal(3), Decimal(6))
    assert _cells(figs, "applications.received", channel="online") == (Decimal(4), Decimal(4))


def test_spaced_rows_with_missing_cells_and_slashes() -> None:
    text = ("七、附表 指标名称 单位 2017年 历年累计 主动公开文件数 条 4 31 其中：1.政府网站公开数 条 4 25 "
            "2.政府公报公开数 条 / / 受理政府信息公开申请总数 条 / / 行政复议数 件 0 "
            "接受行政申诉、举报数 件 / /")
    table, figs = read_stat_table(text, [])
    assert table is not None and table.spaced
    assert table.columns == ["year", "cumulative"]
    assert _cells(figs, "proactive.items", channel="gazette") == (None, None)
    gazette = next(f for f in figs if f.dims.get("channel") == "gazette")
    assert gazette.note == "printed as '/' (not available)" and not gazette.ambiguous
    assert _cells(figs, "review.total") == (Decimal(0), None)
    missing = next(f for f in figs if f.metric == "review.total" and f.dims.get("period") == "cumulative")
    assert missing.note == "cell not printed"
    assert _cells(figs, "complaints.total") == (None, None)
    checks = {c.rule: c for c in table_checks(table, text)}
    assert checks["sum:proactive.items"].result == "inconclusive"
    assert checks["cumulative_ge_year:统计表"].result == "pass"


def test_row_labels_map_to_codes_and_unknown_rows_stay_uncoded() -> None:
    text = (HEADER + "接受行政诉讼、举报数件00行政诉讼数件00政府信息公开收费减免金额元00信函、传真申请数条11"
            "否决公开答复数条00其他类型答复数条00网站访问量次1234512345人大代表建议办理数件33")
    table, figs = read_stat_table(text, [])
    assert table is not None
    metrics = [(r.metric, r.dims.get("channel")) for r in table.rows]
    assert metrics[:6] == [("complaints.total", None), ("litigation.total", None), ("applications.fees.waived", None),
                           ("applications.received", "letter_or_fax"), ("applications.outcome.denied", None),
                           ("applications.outcome.other", None)]
    unknown = [f for f in figs if f.metric is None]
    assert table.rows[6].metric == "proactive.portal_visits"
    assert unknown and unknown[0].label == "人大代表建议办理数" and unknown[0].value == Decimal(3)


def test_parts_against_parents_and_year_against_cumulative() -> None:
    text = (HEADER + "主动公开文件数条457837其中：1.政府网站公开数条4577872.政府公报公开数条00"
            "行政复议数件21")
    table, figs = read_stat_table(text, [_prose("proactive.items", 457, channel="total")])
    assert table is not None
    assert _cells(figs, "proactive.items", channel="website") == (Decimal(457), Decimal(787))
    checks = {c.rule: c for c in table_checks(table, text)}
    assert checks["sum:proactive.items"].result == "pass"
    assert checks["sum:proactive.items[cumulative]"].result == "fail"  # 787 + 0 ≠ 837
    assert checks["sum:proactive.items[cumulative]"].left.value == Decimal(837)
    # "21" cannot be 2 this year and 1 in all years: the only cut breaks the rule, the check says so
    assert checks["cumulative_ge_year:统计表"].result == "fail"


def test_bundled_report_prose_and_table_disagree_and_both_are_kept() -> None:
    text = (REPORTS / "pingtan-zone-2012.txt").read_text(encoding="utf-8")
    report = extract_report(text)
    items = sorted(f.value for f in report.figures
                   if f.metric == "proactive.items" and f.dims == {"channel": "total"} and f.value is not None)
    assert items == [Decimal(739), Decimal(1913)]
    check = next(c for c in report.checks if c.rule == "prose_vs_table:proactive.items")
    assert check.result == "fail" and check.notable
    assert check.left.value == Decimal(1913) and "1913" in check.left.source
    assert check.right.value == Decimal(739) and "统计表" in check.right.source
    assert text[check.left.start:check.left.end] == "1913条"  # type: ignore[misc]
    table_cell = next(f for f in report.figures if f.metric == "proactive.items" and f.value == Decimal(739)
                      and f.dims == {"channel": "total"})
    assert text[table_cell.start:table_cell.end] == "主动公开信息数 条 739 4359"


def test_complete_breakdowns_imply_zeros_on_the_silent_side() -> None:
    text = (REPORTS / "pingtan-county-2013.txt").read_text(encoding="utf-8")
    checks = {c.rule: c for c in extract_report(text).checks}
    assert checks["prose_vs_table:applications.received[email]"].result == "fail"
    assert checks["prose_vs_table:applications.received[online]"].result == "fail"
    assert checks["prose_vs_table:applications.received"].result == "pass"
    assert checks["prose_vs_table:applications.outcome.other"].result == "fail"
    assert checks["balance:applications"].result == "inconclusive"


def test_find_stat_table_needs_a_header() -> None:
    assert find_stat_table("主动公开文件数条457837") is None


def test_a_previous_years_column_is_read_but_yields_no_figures() -> None:
    text = ("指标名称 计量单位 2016年 2017年 历年累计 主动公开信息数 条 150 186 1020 "
            "受理依申请公开信息总数 条 2 3 9")
    table, figs = read_stat_table(text, [], year=2017)
    assert table is not None and table.columns == ["prior", "year", "cumulative"]
    assert _cells(figs, "proactive.items", channel="total") == (Decimal(186), Decimal(1020))
    assert not any(f.value == Decimal(150) for f in figs)
    assert [c.rule for c in table_checks(table, text)] == ["cumulative_ge_year:统计表"]
