"""The section splitter on the variants web copies of reports come in."""

from __future__ import annotations

from ingest.model import Section
from ingest.sections import body_bounds, mask_residue, section_at, section_path, split_sections
from tests.conftest import REPORTS


def _titles(nodes: list[Section]) -> list[str]:
    return [n.title for n in nodes]


def test_run_on_headings_in_one_paragraph() -> None:
    text = ("本报告由概述等部分组成。一、 概述2016年，我区推进公开工作。"
            "（一）组织机构方面我区成立了领导小组，负责推进工作。"
            "（二）工作制度方面1、明确年度工作重点。根据要求下发通知。2、落实各项工作制度。落实联席会议制度。"
            "二、主动公开政府信息情况（一）主动公开政府信息的数量区管委会办公室、区直各部门对政府信息进行了梳理，"
            "2016年全区主动公开政府信息3460条。五、存在的主要问题和改进措施虽然，我区工作取得成效。")
    roots = split_sections(text)
    assert [r.number for r in roots] == ["一", "二"]  # 五 is out of sequence
    assert _titles(roots) == ["概述", "主动公开政府信息情况"]
    assert _titles(roots[0].children) == ["组织机构方面", "工作制度方面"]
    assert _titles(roots[0].children[1].children) == ["明确年度工作重点", "落实各项工作制度"]
    assert _titles(roots[1].children) == ["主动公开政府信息的数量"]
    pos = text.index("3460")
    assert section_at(roots, pos) is roots[1].children[0]
    assert [s.number for s in section_path(roots, pos)] == ["二", "（一）"]


def test_long_titles_chain_their_heading_words() -> None:
    text = ("一、概述工作。二、存在的主要问题和改进措施虽然，我区取得成效。"
            "三、政府信息公开情况统计表指标名称计量单位")
    roots = split_sections(text)
    assert _titles(roots) == ["概述工作", "存在的主要问题和改进措施", "政府信息公开情况统计表"]


def test_word_residue_is_masked_without_moving_offsets() -> None:
    text = "一、概述正文。（一）重点领域<!--[if !supportLists]-->7、<!--[endif]-->公共监管信息公开情况。"
    masked = mask_residue(text)
    assert len(masked) == len(text) and "<!--" not in masked
    roots = split_sections("一、概述正文。（一）重点领域。<!--[if !supportLists]-->1、<!--[endif]-->"
                           "公共监管信息公开情况①环境信息。")
    sub = roots[0].children[0].children[0]
    assert sub.number == "1" and sub.title == "公共监管信息公开情况"
    assert sub.children[0].number == "①" and sub.children[0].title == "环境信息"


def test_bracketed_arabic_level_under_numbered_items() -> None:
    text = ("一、概述正文。（一）把握工作重点，扎实推进信息公开1.推进经济发展信息公开"
            "（1）推进重大建设项目信息公开。全年共发布信息166条。"
            "（2）推进财政资金信息公开。财政资金信息今年共发布348条信息。"
            "2.推进民生改善信息公开（1）推进教育信息公开。")
    roots = split_sections(text)
    level2 = roots[0].children[0]
    assert level2.title == "把握工作重点，扎实推进信息公开"
    assert level2.number == "（一）"
    items = level2.children
    assert [i.title for i in items] == ["推进经济发展信息公开", "推进民生改善信息公开"]
    assert [c.number for c in items[0].children] == ["（1）", "（2）"]
    found = section_at(roots, text.index("166"))
    assert found is not None and found.title == "推进重大建设项目信息公开"


def test_lost_numerals_are_inferred_from_position() -> None:
    text = ("一、基本情况\n正文。\n二、主动公开政府信息情况\n()主动公开政府信息情况。正文。\n"
            "()通过不同渠道公开的情况。正文。")
    roots = split_sections(text)
    kids = roots[1].children
    assert [k.number for k in kids] == ["（）", "（）"]
    assert [k.inferred_number for k in kids] == ["（一）", "（二）"]


def test_citations_and_words_are_not_headings() -> None:
    text = ("本报告实行统一、规范的编制。依据第二十条第（一）项规定。一、概述\n根据《条例》第（二）项，完成工作。"
            "（一）组织情况。正文。")
    roots = split_sections(text)
    assert [r.title for r in roots] == ["概述"]
    assert roots[0].start == text.index("一、概述")
    assert _titles(roots[0].children) == ["组织情况"]


def test_page_chrome_is_outside_every_section() -> None:
    text = ("首页 >> 政务公开 >> 年度报告\n一、概述\n正文。\n二、其他情况\n正文结束。\n"
            "【打印本页】 【关闭窗口】\n")
    start, end = body_bounds(text)
    assert text[start:].startswith("一、概述")
    assert text[:end].rstrip().endswith("正文结束。")
    roots = split_sections(text)
    assert roots[-1].end == end


def test_unnumbered_statistics_table_gets_its_own_section() -> None:
    text = ("一、概述\n正文。\n二、存在的问题\n正文。1、加强培训。二○一三年一月二十日 "
            "平潭综合实验区政府信息公开情况统计表 "
            "指标名称 计量单位 2012年度 历年累计 主动公开信息数 条 739 4359 其中：1、网站公开 条 739 4359")
    roots = split_sections(text)
    assert roots[-1].number == "" and roots[-1].title == "平潭综合实验区政府信息公开情况统计表"
    assert roots[-1].inferred_number == ""
    # nothing inside the table becomes a heading
    assert not roots[-1].children
    attached = split_sections("一、概述\n正文。 附件1：某县2013年政府信息公开情况统计表 "
                              "指标名称计量单位2013年度历年累计")
    assert attached[-1].number == "附件1" and attached[-1].title == "某县2013年政府信息公开情况统计表"


def test_bundled_flattened_reports_keep_their_outline() -> None:
    text = (REPORTS / "pingtan-zone-2017.txt").read_text(encoding="utf-8")
    roots = split_sections(text)
    assert [r.number for r in roots] == ["一", "二", "三", "四", "五", "六"]
    assert _titles(roots[1].children) == [
        "主动公开政府信息的数量", "主动公开政府信息的主要类别", "主动公开政府信息的主要形式",
        "开展政策解读工作情况", "回应社会关切情况",
    ]
    amr = split_sections((REPORTS / "pingtan-amr-2017.txt").read_text(encoding="utf-8"))
    assert _titles(amr) == [
        "概述", "主动公开政府信息的情况", "依申请公开信息和不予公开政府信息的情况", "政府信息公开的收费及减免情况",
        "因政府信息公开申请行政复议、提起行政诉讼的情况", "政府信息公开工作存在的主要问题和改进措施", "附表",
    ]
    assert _titles(amr[0].children) == ["统一思想认识", "健全长效机制"]
    discipline = split_sections((REPORTS / "pingtan-discipline-2017.txt").read_text(encoding="utf-8"))
    assert [r.number for r in discipline] == ["一", "二", "三", "四", "五", "六", "七"]
