"""The prose extractor on sentences written the way narrative reports write them.

The sentences are not copied from the bundled reports: they vary the wording so
the tests check the concepts, not one report's phrasing.
"""

from __future__ import annotations

from decimal import Decimal

from ingest.model import Figure
from ingest.narrative import NarrativeExtractor, NarrativeResult, clean_subunit, derive_prior_values
from ingest.sections import split_sections


def extract(text: str, year: int = 2016, narrative: bool = True) -> NarrativeResult:
    return NarrativeExtractor(text, split_sections(text), year, narrative=narrative).extract()


def coded(result: NarrativeResult) -> set[tuple[str, tuple[tuple[str, str], ...], Decimal | None]]:
    return {(f.metric, tuple(sorted((k, v) for k, v in f.dims.items() if v != "total")), f.value)
            for f in result.figures if f.metric is not None}


def uncoded(result: NarrativeResult) -> list[Figure]:
    return [f for f in result.figures if f.metric is None]


def test_items_for_the_whole_publisher_and_for_its_parts() -> None:
    r = extract("一、概述\n二、主动公开政府信息情况\n（一）主动公开政府信息的数量\n全年共主动公开政府信息5120条。"
                "其中，县直部门主动公开政府信息4020条，占78.5%；各街道主动公开政府信息1100条，占21.5%。"
                "我县2016年度通过政府门户网站主动公开各类政府信息4800条。")
    assert coded(r) == {
        ("proactive.items", (), Decimal(5120)),
        ("proactive.items", (("subunit", "县直部门"),), Decimal(4020)),
        ("proactive.items", (("subunit", "各街道"),), Decimal(1100)),
        ("proactive.items", (("channel", "website"),), Decimal(4800)),
    }
    assert {(s.part.value, s.whole.value if s.whole else None) for s in r.shares} == {
        (Decimal(4020), Decimal(5120)), (Decimal(1100), Decimal(5120))}


def test_subunits_are_parts_of_the_publisher_not_channels_or_the_whole() -> None:
    assert clean_subunit("其中，区直各部门") == "区直各部门"
    assert clean_subunit("2016年全区") is None
    assert clean_subunit("我局2017年度共") is None
    assert clean_subunit("我区政府信息公开单位") is None
    assert clean_subunit("通过政府门户网站") is None
    assert clean_subunit("2013年县政府公开办") == "县政府公开办"


def test_content_categories_need_a_category_list() -> None:
    text = ("二、主动公开政府信息情况\n（二）主动公开政府信息的主要类别\n按类别分，机构职能类信息51条，"
            "政策法规类信息18条，规划计划类12条，重大建设项目、为民办实事类信息9条，其他信息120条。")
    r = extract(text)
    assert coded(r) == {
        ("proactive.items.by_topic", (("topic", "institutional"),), Decimal(51)),
        ("proactive.items.by_topic", (("topic", "policy_docs"),), Decimal(18)),
        ("proactive.items.by_topic", (("topic", "plans"),), Decimal(12)),
        ("proactive.items.by_topic", (("topic", "major_projects_livelihood"),), Decimal(9)),
        ("proactive.items.by_topic", (("topic", "other"),), Decimal(120)),
    }
    # the same words neither in a category list nor named as a class ("…类") are not categories
    plain = extract("一、概述\n共发布机构职能信息51条。")
    assert not any(f.metric == "proactive.items.by_topic" for f in plain.figures)
    named = extract("一、概述\n主要包括：机构职能类12条、业务工作类98条、通知公告类70条。")
    assert coded(named) == {("proactive.items.by_topic", (("topic", "institutional"),), Decimal(12)),
                            ("proactive.items.by_topic", (("topic", "announcements"),), Decimal(70))}
    # and a standard-format report keeps them uncoded
    assert not any(f.metric == "proactive.items.by_topic" for f in extract(text, narrative=False).figures)


def test_key_areas_from_the_clause_the_sentence_or_the_heading() -> None:
    text = ("一、概述\n（一）推进重点领域信息公开\n1.推进财政资金信息公开。公开预决算等财政资金信息共215条，"
            "其中部门预算公开120条、“三公”经费35条、专项资金60条。\n2.推进教育信息公开。"
            "及时公开招生政策、招生计划等内容，全年共发布88条。\n3.推进住房保障信息公开。全年共发布信息42条。"
            "共发布营商环境、重大项目、民生保障等重点领域信息900余条。网上竞价310条。发布监测简报6期。")
    r = extract(text)
    assert coded(r) == {
        ("proactive.key_area_items", (("topic", "fiscal"),), Decimal(215)),
        ("proactive.key_area_items", (("topic", "education"),), Decimal(88)),
        ("proactive.key_area_items", (("topic", "housing"),), Decimal(42)),
    }
    labels = {f.value: f.label for f in uncoded(r)}
    assert set(labels) == {Decimal(120), Decimal(35), Decimal(60), Decimal(900), Decimal(310), Decimal(6)}
    assert "网上竞价" in (labels[Decimal(310)] or "")


def test_generic_counts_take_their_subject_from_the_heading() -> None:
    r = extract("一、主动公开政府信息情况\n（一）政策解读情况\n2016年，共公开发布信息36条。\n"
                "（二）政务新媒体\n开设政务微博3个，共发布信息1520条；微信公众号2个，共发布信息880条。")
    assert coded(r) == {
        ("responses.policy_interpretations", (), Decimal(36)),
        ("proactive.items", (("channel", "weibo"),), Decimal(1520)),
        ("proactive.items", (("channel", "wechat"),), Decimal(880)),
    }


def test_applications_reviews_and_words_for_zero() -> None:
    text = ("三、依申请公开情况\n全年共收到政府信息公开申请12件，其中网上申请9件，当面申请3件；"
            "对申请的答复总数12件，其中同意公开答复10件，其它答复2件。\n"
            "四、收费情况\n本年度没有收费及减免。\n"
            "五、行政复议和诉讼\n全年有2起因政府信息公开申请行政复议，未发生政府信息公开行政诉讼。\n"
            "六、行政审批\n行政服务中心开设窗口30个，共受理申请98000件。")
    r = extract(text)
    assert coded(r) == {
        ("applications.received", (), Decimal(12)),
        ("applications.received", (("channel", "online"),), Decimal(9)),
        ("applications.received", (("channel", "in_person"),), Decimal(3)),
        ("applications.outcome.total", (), Decimal(12)),
        ("applications.outcome.granted", (), Decimal(10)),
        ("applications.outcome.other", (), Decimal(2)),
        ("applications.fees.amount", (), Decimal(0)),
        ("applications.fees.waived", (), Decimal(0)),
        ("review.total", (), Decimal(2)),
        ("litigation.total", (), Decimal(0)),
    }
    zero = next(f for f in r.figures if f.metric == "litigation.total")
    assert zero.quote.startswith("未发生") and text[zero.start:zero.end] == zero.quote


def test_a_restated_or_narrower_figure_is_not_coded_twice() -> None:
    r = extract("二、主动公开\n全年主动公开政府信息980条。在门户网站主动公开的980条政府信息中，"
                "机构职能类信息80条。全年发布政策解读50篇。政府公报刊登政策解读12篇。")
    values = [(f.metric, f.value) for f in r.figures if f.metric]
    assert values.count(("proactive.items", Decimal(980))) == 1
    assert ("responses.policy_interpretations", Decimal(50)) in values
    narrower = next(f for f in r.figures if f.value == Decimal(12))
    assert narrower.metric is None and "already stated" in (narrower.note or "")


def test_hard_wrapped_pdf_text_reads_across_line_breaks() -> None:
    lines = ["（一）主动公开情况。2023 年，我区在政", "府网站平台主动公开政府信息 1136 条，公开政策",
             "解读材料 52 篇，回应社会关切", "问题 18 次。（二）依申请公开情况。全区受理政府信息公开申",
             "请 21 件，均在法定期限答复，无复议、诉讼。"]
    filler = [f"第{i}行说明文字没有句号结尾的内容" for i in range(6)]
    text = "一、总体情况\n" + "\n".join(lines + filler)
    r = extract(text, year=2023)
    got = coded(r)
    assert ("proactive.items", (("channel", "website"),), Decimal(1136)) in got
    assert ("applications.received", (), Decimal(21)) in got


def test_statements_and_the_prior_values_they_imply() -> None:
    text = ("二、主动公开\n全年主动公开政府信息1100条，比上年增长10%。\n"
            "三、依申请公开\n全年共收到政府信息公开申请45件，较去年减少5件。\n"
            "四、复议\n全年发生行政复议案件3件，与上年持平。\n"
            "五、经费\n专项经费12万元，同比下降20%。\n"
            "六、申诉\n投诉举报事项比往年有一定下降。")
    r = extract(text, year=2016)
    sts = {(s.metric, s.base_year, s.direction, s.delta, s.delta_unit, s.qualifier) for s in r.statements}
    assert sts == {
        ("proactive.items", 2015, "increase", Decimal(10), "%", "exact"),
        ("applications.received", 2015, "decrease", Decimal(5), "件", "exact"),
        ("review.total", 2015, "same", None, None, "approx"),
        ("capacity.funding", 2015, "decrease", Decimal(20), "%", "exact"),
        ("complaints.total", None, "decrease", None, None, "approx"),
    }
    derived = {(f.metric, f.year): (f.value, f.qualifier) for f in derive_prior_values(r.statements, r.figures)}
    assert derived == {
        ("proactive.items", 2015): (Decimal(1000), "approx"),
        ("applications.received", 2015): (Decimal(50), "exact"),
        ("review.total", 2015): (Decimal(3), "approx"),
        ("capacity.funding", 2015): (Decimal(150000), "approx"),
    }


def test_numbers_that_are_not_figures() -> None:
    r = extract("本报告由概述、主动公开等共六个部分组成。联系电话：0591-23162606，邮编350400。"
                "依据闽政办〔2016〕33号文件，自2016年1月1日起施行。一、概述\n无。")
    assert [f for f in r.figures if f.metric is not None] == []


SMALL_BUREAU = """某某县商务局2014年政府信息公开工作年度报告
根据《中华人民共和国政府信息公开条例》，现公布我局2014年度政府信息公开工作年度报告。本报告统计期限为2014年1月1日至2014年12月31日。
一、概述
2014年，我局进一步完善政府信息公开工作机制。
二、主动公开政府信息情况
2014年，我局共主动公开政府信息186条，其中通过县政府门户网站公开172条，通过政务微博发布14条。
三、依申请公开政府信息情况
2014年我局共收到政府信息公开申请3件，均已按时办结。其中，属于已主动公开范围的1件，同意公开的2件。
四、政府信息公开收费及减免情况
我局未收取任何费用，也未发生减免情况。
五、因政府信息公开申请行政复议、提起行政诉讼情况
无。
附件：某某县商务局2014年政府信息公开情况统计表
指标名称 计量单位 2014年度 历年累计
主动公开信息数 条 186 1020
其中：1、网站公开 条 172 950
2、政府公报公开 条 0 0
受理依申请公开信息总数 条 3 9
行政复议数 件 0 0
"""


def test_a_small_report_in_the_common_layout() -> None:
    from ingest.pipeline import extract_report

    report = extract_report(SMALL_BUREAU)
    assert (report.meta.publisher, report.meta.year) == ("某某县商务局", 2014)
    prose = {(f.metric, tuple(sorted((k, v) for k, v in f.dims.items() if v != "total")), f.value)
             for f in report.figures if f.metric and "统计表" not in SMALL_BUREAU[:f.start][-300:]}
    assert {
        ("proactive.items", (), Decimal(186)), ("proactive.items", (("channel", "website"),), Decimal(172)),
        ("proactive.items", (("channel", "weibo"),), Decimal(14)), ("applications.received", (), Decimal(3)),
        ("applications.outcome.already_public", (), Decimal(1)), ("applications.outcome.granted", (), Decimal(2)),
        ("applications.fees.amount", (), Decimal(0)), ("applications.fees.waived", (), Decimal(0)),
        ("review.total", (), Decimal(0)), ("litigation.total", (), Decimal(0)),
    } <= prose
    section_zero = next(f for f in report.figures if f.metric == "litigation.total" and "period" not in f.dims
                        and f.quote == "无。")
    assert "行政诉讼" in (section_zero.note or "")
    checks = {c.rule: c.result for c in report.checks}
    assert checks["prose_vs_table:proactive.items[website]"] == "pass"
    assert checks["prose_vs_table:review.total"] == "pass"
    assert checks["cumulative_ge_year:统计表"] == "pass"
    assert "balance:applications" not in checks  # no answer total is stated anywhere



def test_rates_and_unstated_parts_are_not_shares_of_some_other_figure() -> None:
    text = ("一、主动公开\n全年共主动公开政府信息3,420条，较上年度增加420条，其中网站公开占92%。\n"
            "二、依申请公开\n全年共受理各类政府信息公开申请42件（其中网上申请30件，当面申请12件），全部按时办结，"
            "办结率100%，群众满意率98.5%。答复情况：同意公开28件，占66.7%；部分公开4件。")
    r = extract(text, year=2017)
    shares = [(s.part.metric, s.percent, s.whole.metric if s.whole else None) for s in r.shares]
    assert shares == [("applications.outcome.granted", Decimal("66.7"), "applications.received")]
    derived = derive_prior_values(r.statements, r.figures)
    assert [(f.metric, f.year, f.value, f.qualifier) for f in derived] == [
        ("proactive.items", 2016, Decimal(3000), "exact")]
