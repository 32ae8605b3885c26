"""Reading report sources: kinds, encodings, HTML → text, metadata, refusals.

The text a source yields is what every offset in gongkai points into, so the
bundled ``.txt`` reports must come back byte-for-byte, the PDFs must give the
same text as their bundled extractions, and the HTML tables must come out as
one ``| cell |`` line per row with values in source order.
"""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.encoding import codec_name, decode_bytes
from ingest.html import clean_title, extract_html, html_to_text, labelled_published, parse_date
from ingest.sources import (
    APPLICATION_PDF,
    TEXT_HTML,
    TEXT_PLAIN,
    BinarySource,
    DecodeError,
    EmptySource,
    NeedsOCR,
    NotAReport,
    SourceError,
    guess_title,
    read_bytes,
    read_path,
)

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SHANGHAI = REPORTS / "shanghai-gov-office-2019.html"
TXT_REPORTS = sorted(REPORTS.glob("*.txt"))
#: A short real report (plain text) to build synthetic sources from.
SHORT_REPORT = (REPORTS / "pingtan-discipline-2017.txt").read_text(encoding="utf-8")


def _page(body: str, head: str = "") -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


# --------------------------------------------------------------------------
# bundled reports


def test_bundled_reports_are_present() -> None:
    assert len(TXT_REPORTS) >= 20


@pytest.mark.parametrize("path", TXT_REPORTS, ids=lambda p: p.name)
def test_bundled_txt_reports_read_unchanged(path: Path) -> None:
    raw = path.read_bytes()
    doc = read_path(path)
    assert doc.media_type == TEXT_PLAIN
    assert doc.raw_encoding == "utf-8"
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    # Offsets in expected figures refer to the file's text: not one character may move.
    assert doc.text == raw.decode("utf-8")
    assert doc.meta.source_url is None


@pytest.mark.parametrize("year", [2023, 2024])
def test_bundled_pdf_gives_the_bundled_extraction(year: int) -> None:
    pdf = REPORTS / "pdf" / f"hongze-district-{year}.pdf"
    doc = read_path(pdf)
    assert doc.media_type == APPLICATION_PDF
    assert doc.raw_encoding is None
    assert doc.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    bundled = (REPORTS / f"hongze-district-{year}.txt").read_text(encoding="utf-8")
    assert doc.text == bundled.rstrip("\n")
    assert doc.text.count("\f") == 4  # five pages
    assert "\n\f\n" in doc.text  # page breaks sit on their own line
    assert doc.meta.title is not None and doc.meta.title.endswith(f"{year}年政府信息公开工作年度报告")


def test_pdf_kind_is_detected_by_content_not_name() -> None:
    data = (REPORTS / "pdf" / "hongze-district-2023.pdf").read_bytes()
    doc = read_bytes(data, filename="download.aspx", content_type="application/octet-stream")
    assert doc.media_type == APPLICATION_PDF


def test_shanghai_html_report() -> None:
    doc = read_path(SHANGHAI)
    assert doc.media_type == TEXT_HTML
    assert doc.raw_encoding == "utf-8"
    assert doc.meta.title == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert doc.meta.published == "2020-01-31"
    text = doc.text
    assert "<p>" not in text and "&nbsp;" not in text and "&lt;" not in text
    assert "《上海市贯彻<长江三角洲区域一体化发展规划纲要>实施方案》" in text  # entities decoded
    assert text.startswith("2019年上海市人民政府办公厅政府信息公开工作年度报告\n发布日期：2020-01-31\n")


def test_shanghai_tables_are_pipe_rows_in_source_order() -> None:
    text = read_path(SHANGHAI).text
    lines = text.split("\n")
    # 表二: <br /> inside a header cell is removed, colspan is not expanded.
    assert "| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |" in lines
    assert "| 规章 | 13 | 13 | 524 |" in lines
    assert "| 政府集中采购 | 6 | 251000元 |" in lines
    # 表三: every row one line, blank (&nbsp;) cells empty, values in order.
    table3 = [
        "| 一、本年新收政府信息公开申请数量 | 821 | 35 |  |  | 2 | 1 | 859 |",
        "| 二、上年结转政府信息公开申请数量 | 18 |  |  |  |  |  | 18 |",
        "| 三、本年度办理结果 | （一）予以公开 | 258 | 12 |  |  | 1 | 1 |  |",
        "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 3 |  |  |  |  |  |  |",
        "| （三）不予公开 | 1.属于国家秘密 | 14 |  |  |  |  |  |  |",
        "| 6.属于四类过程性信息 | 3 | 1 |  |  |  |  |  |",
        "| （四）无法提供 | 1.本机关不掌握相关政府信息 | 252 | 12 |  |  | 1 |  |  |",
        "| （五）不予处理 | 1.信访举报投诉类申请 | 148 | 1 |  |  |  |  |  |",
        "| （六）其他处理 |  |  |  |  |  |  |  |",
        "| （七）总计 | 767 | 35 |  |  | 2 | 1 | 805 |",
        "| 四、结转下年度继续办理 | 72 |  |  |  |  |  | 72 |",
    ]
    positions = [lines.index(row) for row in table3]
    assert positions == sorted(positions)
    # 表四: the single data row keeps its 15 cells.
    assert "| 5 |  |  | 2 | 7 | 8 |  |  | 1 | 9 |  |  |  |  |  |" in lines
    # A blank line before and after each table.
    assert "二、主动公开政府信息情况\n\n| 第二十条第（一）项 |" in text
    assert "| 四、结转下年度继续办理 | 72 |  |  |  |  |  | 72 |\n\n四、政府信息公开行政复议、行政诉讼情况" in text
    table_rows = [line for line in lines if line.startswith("|")]
    assert len(table_rows) == 18 + 26 + 4  # one line per <tr>
    assert all(line.endswith(" |") for line in table_rows)


# --------------------------------------------------------------------------
# saved pages


def test_gbk_page_with_chrome() -> None:
    path = PAGES / "gbk-report.html"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")  # 堃 is GBK-only: the gb2312 label must be read as GB18030
    doc = read_path(path)
    assert doc.media_type == TEXT_HTML
    assert doc.raw_encoding == "gb18030"
    assert raw.decode(doc.raw_encoding).count("堃") == 1
    text = doc.text
    assert text.startswith("平潭综合实验区纪工委2017年政府信息公开年度报告\n")
    assert "联系人：陈堃" in text
    assert "一、概述\n按照区纪工委工作实际" in text
    assert "| 指标名称 | 单位 | 2017年 | 历年累计 |" in text  # 历年<br />累计 joined
    assert "| 受理政府信息公开申请总数 | 条 |  |  |" in text
    assert "| 行政复议数（件） | / | / |" in text  # colspan not expanded
    assert text.endswith("平潭综合实验区纪工委\n2018年1月12日")
    for chrome in "首页 当前位置 相关年报 纪工委2016年 设为首页 主办单位 分享到 闽ICP备 doZoom 样式表".split():
        assert chrome not in text, chrome
    assert "索引号" not in text  # the metadata box above the title is page chrome …
    meta = doc.meta
    assert meta.index_number == "MB1F42305P/2018-00007"  # … but its values are metadata
    assert meta.published == "2018-01-15"  # 发布日期 wins over 成文日期
    assert meta.publisher == "平潭综合实验区纪工委"
    assert meta.title == "平潭综合实验区纪工委2017年政府信息公开年度报告"


def test_utf8_article_page_with_cms_meta_tags() -> None:
    doc = read_path(PAGES / "utf8-article.html")
    meta = doc.meta
    assert meta.title == "平潭综合实验区市场监督管理局2017年政府信息公开工作年度报告"
    assert meta.published == "2018-01-15"
    assert meta.publisher == "平潭综合实验区市场监督管理局"
    text = doc.text
    assert text.startswith("平潭综合实验区市场监督管理局2017年政府信息公开工作年度报告\n发布时间：")
    # A line break in the HTML source between two Chinese characters is not a space.
    assert "及时主动向社会公布政府信息，提高我局工作的透明度和公信力。" in text
    # <br> inside a paragraph is a line break.
    assert "受理申请的数量为5条。\n四、政府信息公开的收费及减免情况\n2017年度我局" in text
    assert "《条例》<第三十三条> & 有关文件" in text
    assert "| 指 标 名 称 | 计量单位 | 2017年度 | 历年累计 |" in text
    assert "| 网站｜公报公开数 | 条 | 457 | 787 |" in text  # a "|" in a cell cannot split it
    for chrome in "搜索 首页 当前的位置 相关阅读 纪工委2017年 责任编辑 分享到 隐藏 栏目 主办单位".split():
        assert chrome not in text, chrome


def test_attachment_only_page_is_not_a_report_and_says_where_to_look() -> None:
    with pytest.raises(NotAReport, match=r"hzq2023\.pdf"):
        read_path(PAGES / "attachment-only.html")


# --------------------------------------------------------------------------
# html_to_text rules


def test_html_blocks_and_entities() -> None:
    html = _page(
        "<h1>标题</h1><div>第一段&amp;<b>加粗</b></div>"
        "<p>第二段<br>换行</p><ul><li>甲</li><li>乙</li></ul>x&nbsp;&nbsp;y"
    )
    assert html_to_text(html) == "标题\n第一段&加粗\n第二段\n换行\n甲\n乙\nx y"


def test_html_table_rules() -> None:
    html = _page(
        "<p>前文</p><table><tr><th>项目</th><th colspan='2'>本年<br/>新增</th></tr>"
        "<tr><td rowspan='2'>甲</td><td>&nbsp;</td><td></td></tr>"
        "<tr><td> 1 \n 2 </td><td><p>Total</p><p>count</p></td></tr></table><p>后文</p>"
    )
    assert html_to_text(html) == ("前文\n\n| 项目 | 本年新增 |\n| 甲 |  |  |\n| 1 2 | Total count |\n\n后文")


def test_layout_tables_are_not_pipe_rows() -> None:
    body = "<table><tr><td>" + "<p>" + "政府信息公开工作年度报告正文内容。" * 30 + "</p><p>第二段</p></td></tr></table>"
    text = html_to_text(_page(body))
    assert "|" not in text
    assert text.endswith("\n第二段")


def test_chrome_is_dropped_by_tag_and_class() -> None:
    body = (
        "<nav>导航栏</nav><header>网站头部</header>"
        "<div id='topMenu'>菜单</div><div class='breadcrumb'>当前位置</div><div class='share-box'>分享</div>"
        "<div class='left-sidebar'>侧边栏</div>"
        "<div class='content'><p>" + "本机关政府信息公开年度报告。" * 20 + "</p></div>"
        "<footer>版权所有</footer><div class='footer-links'>友情链接</div>"
        "<script>var 脚本 = 1;</script><style>.x{}</style><noscript>请启用脚本</noscript>"
    )
    text = html_to_text(_page(body))
    assert text == "本机关政府信息公开年度报告。" * 20


def test_chrome_class_holding_the_report_is_kept() -> None:
    body = "<div class='page has-sidebar'><p>" + "年度报告正文。" * 60 + "</p></div><div class='nav'>导航</div>"
    assert html_to_text(_page(body)) == "年度报告正文。" * 60


def test_main_container_is_the_densest_block_not_the_link_lists() -> None:
    links = "".join(f"<li><a href='/{i}'>其他单位{i}年政府信息公开工作年度报告</a></li>" for i in range(40))
    body = (
        f"<div class='col-a'><ul>{links}</ul></div>"
        "<div class='col-b'><div class='title'><h2>某局2019年政府信息公开工作年度报告</h2></div>"
        "<div class='meta-box'>浏览量</div>"
        "<div class='article'><p>" + "一、总体情况。" * 40 + "</p></div></div>"
    )
    head = "<title>某局2019年政府信息公开工作年度报告_某市人民政府</title>"
    text = html_to_text(_page(body, head))
    assert text.startswith("某局2019年政府信息公开工作年度报告\n浏览量\n一、总体情况。")
    assert "其他单位" not in text


def test_hidden_elements_and_comments_are_dropped() -> None:
    body = "<p>可见</p><p hidden>隐藏一</p><div style='display: none'>隐藏二</div><!-- 注释 --><p>也可见</p>"
    assert html_to_text(_page(body)) == "可见\n也可见"


def test_html_to_text_of_fragments_and_empty_pages() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<p>片段</p>") == "片段"
    assert html_to_text("<html><body><script>x()</script></body></html>") == ""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abp&;trdhl1年报\n|")), max_size=300))
def test_html_to_text_never_fails(html: str) -> None:
    text = html_to_text(html)
    assert "\r" not in text
    assert "\n\n\n" not in text


# --------------------------------------------------------------------------
# encodings


def test_http_charset_is_used_when_the_page_declares_none() -> None:
    html = _page("<p>" + SHORT_REPORT + "</p>").replace('<meta charset="utf-8">', "")
    data = html.encode("gbk")
    doc = read_bytes(data, content_type="text/html; charset=GBK")
    assert doc.raw_encoding == "gb18030"
    assert doc.text == SHORT_REPORT.strip()


def test_gb_label_on_utf8_bytes_is_overruled() -> None:
    html = _page("<p>" + SHORT_REPORT + "</p>").replace("utf-8", "gb2312")
    doc = read_bytes(html.encode("utf-8"), filename="page.html")
    assert doc.raw_encoding == "utf-8"
    assert "平潭综合实验区纪工委" in doc.text


def test_server_default_latin1_label_on_gbk_bytes() -> None:
    doc = read_bytes(SHORT_REPORT.encode("gbk"), content_type="text/plain; charset=ISO-8859-1")
    assert doc.raw_encoding == "gb18030"
    assert doc.text == SHORT_REPORT


def test_undeclared_gb18030_text() -> None:
    doc = read_bytes(SHORT_REPORT.encode("gb18030"), filename="report.txt")
    assert doc.raw_encoding == "gb18030"
    assert doc.text == SHORT_REPORT


def test_utf8_with_one_broken_byte_is_not_read_as_gb18030_mojibake() -> None:
    data = SHORT_REPORT.encode("utf-8")
    broken = data[:300] + data[301:]  # cut one byte out of a character
    decoded = decode_bytes(broken)
    assert decoded is not None
    assert decoded.encoding == "utf-8"
    assert decoded.how == "utf-8-lossy"
    assert decoded.text.count("\ufffd") == 1
    assert read_bytes(broken).text.endswith(SHORT_REPORT[-40:])


@pytest.mark.parametrize(
    ("bom", "codec", "expected"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
    ],
)
def test_bom_decides_and_is_not_part_of_the_text(bom: bytes, codec: str, expected: str) -> None:
    data = bom + SHORT_REPORT.encode(codec)
    doc = read_bytes(data)
    assert doc.raw_encoding == expected
    assert doc.text == SHORT_REPORT
    assert data.decode(expected) == doc.text  # raw_encoding decodes the original bytes


def test_line_endings_are_normalised_and_nothing_else() -> None:
    text = SHORT_REPORT[:500] + "\r\n第二行\r第三行\n　　全角缩进 e\u0301 ＡＢＣ\ufeff\t尾\r\n"
    doc = read_bytes(text.encode("utf-8"))
    # No NFC/NFKC: decomposed é, full-width letters, a stray U+FEFF all stay.
    assert doc.text == text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60, deadline=None)
@given(
    noise=st.text(
        alphabet=st.characters(codec="gb18030", exclude_categories=("Cc", "Cs"), exclude_characters="<"),
        max_size=80,
    ),
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=5),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
)
def test_text_is_stable_under_encodings_and_line_endings(noise: str, endings: list[str], encoding: str) -> None:
    """Whatever characters a report holds, decoding gives them back unchanged."""
    original = SHORT_REPORT[:100] + noise
    original += "".join(ending + SHORT_REPORT[100 + i * 50 : 150 + i * 50] for i, ending in enumerate(endings))
    original += SHORT_REPORT[400:]
    doc = read_bytes(original.encode(encoding), filename="report.txt")
    assert doc.text == original.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------
# kind detection


def test_html_is_detected_by_tags_even_when_named_txt() -> None:
    doc = read_bytes(_page("<p>" + SHORT_REPORT + "</p>").encode("utf-8"), filename="report.txt")
    assert doc.media_type == TEXT_HTML


def test_plain_text_named_html_stays_text() -> None:
    text = SHORT_REPORT[:400] + "\n\n" + SHORT_REPORT[400:]
    doc = read_bytes(text.encode("utf-8"), filename="report.html", content_type="text/html")
    assert doc.media_type == TEXT_PLAIN
    assert doc.text == text  # not collapsed into one paragraph


def test_url_becomes_source_url() -> None:
    doc = read_bytes(SHORT_REPORT.encode("utf-8"), url="https://example.gov.cn/a/report.txt")
    assert doc.meta.source_url == "https://example.gov.cn/a/report.txt"


# --------------------------------------------------------------------------
# refusals


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_empty_sources_are_refused(data: bytes) -> None:
    with pytest.raises(EmptySource, match="empty"):
        read_bytes(data, filename="empty.txt")


def test_whitespace_only_utf16_is_refused() -> None:
    with pytest.raises(EmptySource, match="whitespace"):
        read_bytes(codecs.BOM_UTF16_LE + "  \n ".encode("utf-16-le"))


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
        (b"PK\x03\x04" + bytes(200), "docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old Office"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "JPEG"),
        (SHORT_REPORT.encode("utf-8")[:600] + b"\x00\x01\x02" + bytes(50), "NUL bytes"),
    ],
)
def test_binary_files_are_refused(data: bytes, hint: str) -> None:
    with pytest.raises(BinarySource, match=hint):
        read_bytes(data, filename="upload.bin")


def test_fake_pdf_is_refused() -> None:
    with pytest.raises(BinarySource, match="PDF"):
        read_bytes(b"\x00\x01garbage" * 20, filename="report.pdf")


def test_control_character_soup_is_refused() -> None:
    data = bytes(range(1, 9)) * 100 + "年度报告".encode()
    with pytest.raises(DecodeError, match="control"):
        read_bytes(data)


def test_short_chinese_text_is_not_a_report() -> None:
    with pytest.raises(NotAReport, match="only 15 Chinese characters"):
        read_bytes("政府信息公开工作年度报告目录页".encode())


def test_unrelated_chinese_text_is_not_a_report() -> None:
    article = "今天天气晴朗，市民纷纷走出家门，到公园散步、锻炼身体，享受美好的春光。" * 10
    with pytest.raises(NotAReport, match="never mentions"):
        read_bytes(article.encode("utf-8"))


def test_english_page_is_not_a_report() -> None:
    html = _page("<p>" + "Annual report on government information disclosure. " * 30 + "</p>")
    with pytest.raises(NotAReport, match="only 0 Chinese characters"):
        read_bytes(html.encode())


def test_page_without_text_is_empty() -> None:
    with pytest.raises(EmptySource, match="no text"):
        read_bytes(_page("<div id='app'></div><script>render()</script>").encode())


def _blank_pdf(pages: int = 2) -> bytes:
    """A valid PDF whose pages have no content stream (as a scan without OCR)."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_without_text_layer_needs_ocr() -> None:
    with pytest.raises(NeedsOCR, match="OCR"):
        read_bytes(_blank_pdf(), filename="scan.pdf")


def test_damaged_pdf_is_refused() -> None:
    with pytest.raises(SourceError, match="not a readable PDF"):
        read_bytes(b"%PDF-1.7\n" + b"\xff" * 300, filename="broken.pdf")


def test_missing_and_directory_paths(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        read_path(tmp_path / "nope.txt")
    with pytest.raises(SourceError, match="directory"):
        read_path(tmp_path)


# --------------------------------------------------------------------------
# metadata helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布日期：2020-01-31", "2020-01-31"),
        ("发布日期: 2020年1月31日", "2020-01-31"),
        ("| 公开日期 | 2020/1/3 |", "2020-01-03"),
        ("成文日期：2019年12月30日 发布日期：2020年01月02日", "2020-01-02"),
        ("对成文日期、发布日期、有效性等要素进行规范标注", None),
        ("发布日期：2020-02-30", None),
    ],
)
def test_labelled_published(text: str, expected: str | None) -> None:
    assert labelled_published(text) == expected


def test_parse_date_skips_impossible_dates() -> None:
    assert parse_date("2019-13-01 或 2019年12月31日") == "2019-12-31"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("2019年某局政府信息公开工作年度报告_某市人民政府", "2019年某局政府信息公开工作年度报告"),
        ("首页 - 2019年某局政府信息公开工作年度报告 - 某市", "2019年某局政府信息公开工作年度报告"),
        ("某市人民政府", "某市人民政府"),
    ],
)
def test_clean_title(title: str, expected: str) -> None:
    assert clean_title(title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("洪泽区人民政府\n2023 年政府信息公开工作年度报告\n本报告…", "洪泽区人民政府2023年政府信息公开工作年度报告"),
        ("正文\n2024 年上海市科委政府信息公开工作\n年度报告\n根据", "2024年上海市科委政府信息公开工作年度报告"),
        (
            "某县政府信息公开专栏 >> 信息公开年度报告\n某县人民政府2017\n\n政府信息公开工作年度报告\n",
            "某县人民政府2017政府信息公开工作年度报告",
        ),
        ("根据《条例》，现公布2017年某局政府信息公开工作年度报告。", None),
    ],
)
def test_guess_title(text: str, expected: str | None) -> None:
    assert guess_title(text) == expected


def test_meta_tags_win_over_page_labels() -> None:
    head = (
        '<meta name="ArticleTitle" content="甲局2020年政府信息公开工作年度报告">'
        '<meta name="PubDate" content="2021-01-20 09:00">'
    )
    body = "<p>发布日期：2021-01-25 索引号：ABC123/2021-00001 来源：本站</p><p>" + "政府信息公开。" * 40 + "</p>"
    page = extract_html(_page(body, head))
    assert page.meta.title == "甲局2020年政府信息公开工作年度报告"
    assert page.meta.published == "2021-01-20"
    assert page.meta.index_number == "ABC123/2021-00001"
    assert page.meta.publisher is None  # "本站" is not a publisher


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ("GB_2312-80", "gb18030"),
        ("'utf-8'", "utf-8"),
        ("UTF8", "utf-8"),
        ("big5", "big5"),
        ("no-such-charset", None),
        (None, None),
    ],
)
def test_codec_names(label: str | None, codec: str | None) -> None:
    assert codec_name(label) == codec


def test_title_in_a_header_classed_block_above_the_content_is_kept() -> None:
    body = (
        "<div class='site-header'>网站名称</div>"
        "<div class='wrap'><div class='article-header'><h1>某县2020年政府信息公开工作年度报告</h1>"
        "<span>发布时间：2021-01-29</span></div>"
        "<div class='article-content'><p>" + "一、总体情况。" * 40 + "</p></div>"
        "<div class='article-share'>分享</div></div>"
    )
    page = extract_html(_page(body))
    assert page.text.startswith("某县2020年政府信息公开工作年度报告\n发布时间：2021-01-29\n一、总体情况。")
    assert "分享" not in page.text and "网站名称" not in page.text
    assert page.meta.published == "2021-01-29"
    assert page.meta.title == "某县2020年政府信息公开工作年度报告"
