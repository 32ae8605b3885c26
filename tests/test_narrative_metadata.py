"""Publisher and year from the title or the text; renamed publishers are one publisher."""

from __future__ import annotations

import pytest

from ingest.metadata import infer_title, resolve_publisher
from ingest.pipeline import ExtractionError, extract_report
from tests.conftest import REPORTS


@pytest.mark.parametrize(("text", "publisher", "year"), [
    ("平潭综合实验区2016年度政府信息公开工作年度报告 根据《条例》…", "平潭综合实验区", 2016),
    ("平潭县人民政府2013年政府信息公开工作年度报告 本报告…", "平潭县人民政府", 2013),
    ("现公布2017年平潭综合实验区市场监督管理局政府信息公开工作年度报告。", "平潭综合实验区市场监督管理局", 2017),
    # no title: the name printed above the text, the year from 现公布 / the statistics period
    ("平潭综合实验区管委会办公室 二〇一三年一月 本报告…现公布2012年度政府信息公开年度报告。",
     "平潭综合实验区管委会办公室", 2012),
    ("根据《条例》要求编制本报告。本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。…"
     "六、其他需要报告的事项 无。 某某县交通运输局 2022年1月20日", "某某县交通运输局", 2021),
])
def test_publisher_and_year_without_being_told(text: str, publisher: str, year: int) -> None:
    _title, pub, yr = infer_title(text)
    assert (pub, yr) == (publisher, year)


def test_the_printing_office_of_the_colophon_is_not_the_publisher() -> None:
    text = ("统计期限自2019年1月1日起。…无其他需要报告事项。 平潭综合实验区市场监督管理局 2020年1月13日 "
            "抄送：驻区纪检组。平潭综合实验区市场监督管理局办公室 2020年1月13日印发")
    assert infer_title(text)[1] == "平潭综合实验区市场监督管理局"


def test_a_notice_cited_in_the_text_is_not_the_title() -> None:
    text = "根据《关于做好2016年政府信息公开工作年度报告有关事项的通知》的要求，我区编制完成了本报告。"
    assert infer_title(text)[1] is None


@pytest.mark.parametrize("name", [
    "平潭综合实验区管委会", "平潭综合实验区管委会办公室", "平潭综合实验区", "平潭综合实验区管理委员会",
])
def test_renamed_forms_are_one_publisher(name: str) -> None:
    info = resolve_publisher(name)
    assert info.name == "平潭综合实验区管委会"
    assert "平潭综合实验区管委会办公室" in info.aliases


def test_unknown_publishers_get_a_level_from_their_name() -> None:
    assert resolve_publisher("某某县人民政府").level == "county"
    assert resolve_publisher("某某市交通运输局").level == "department"


@pytest.mark.parametrize(("stem", "publisher", "year"), [
    ("pingtan-zone-2012", "平潭综合实验区管委会", 2012),
    ("pingtan-zone-2017", "平潭综合实验区管委会", 2017),
    ("pingtan-county-2013", "平潭县人民政府", 2013),
    ("pingtan-amr-2017", "平潭综合实验区市场监督管理局", 2017),
    ("pingtan-discipline-2017", "平潭综合实验区纪工委", 2017),
])
def test_bundled_narrative_reports_need_no_metadata(stem: str, publisher: str, year: int) -> None:
    report = extract_report((REPORTS / f"{stem}.txt").read_text(encoding="utf-8"))
    assert report.meta.year == year
    assert report.meta.publisher is not None and resolve_publisher(report.meta.publisher).name == publisher


def test_without_any_name_the_caller_is_asked() -> None:
    with pytest.raises(ExtractionError):
        extract_report("本报告根据条例编制。统计期限自2021年1月1日起。")
