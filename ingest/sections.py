"""Split a report into its heading tree.

Reports number their parts 一、 / （一） / 1. or 1、 / （1） / ①, with full-width
or ASCII brackets.  Web copies lose line breaks (the whole report is one
paragraph, headings run straight into their text: "（一）组织机构方面我区成立了…"),
lose numerals ("()主动公开…"), keep Word residue
(``<!--[if !supportLists]-->7、<!--[endif]-->``) or carry page chrome
("首页 >> 政务公开", "打印本页 关闭窗口") around the report.

A heading is accepted only where the numbering sequence expects it, which is
what keeps "第二十条第（一）项" or a list inside a sentence from becoming a
section.  Where a heading runs into its paragraph, the title is cut at the
first sign of body text: a sentence end, a date, a sub-heading, an
enumeration ("一是"), or — for long run-ons — after the word headings end
with (情况, 方面, 数量, 措施 …).  Everything here works on a *masked* copy of
the text (residue blanked out, same length), so offsets stay those of the
stored text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Section
from ingest.numerals import parse_chinese_numeral

CN_NUMERALS = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
OPEN = "(（"
CLOSE = ")）"
SPACE = " \t\u3000\xa0"

# Markup that survives in web copies: Word list residue, stray tags.
RESIDUE_RE = re.compile(r"<!--.*?-->|</?[a-zA-Z][a-zA-Z0-9:]*(?:\s[^<>]{0,200})?/?>", re.S)
# Where the 统计表 begins: nothing after its header is a heading.
TABLE_HEADER_RE = re.compile(r"指\s*标\s*名\s*称|统\s*计\s*指\s*标\s*(?:计\s*量\s*)?单\s*位")

# A level-1 numeral may follow the start of a line, a sentence end, a space,
# a closing bracket or quote, or Latin text ("…@163.com一、概述").  After a
# Chinese character it is accepted only once numbering has begun, so "统一、"
# in the introduction never starts section 一.
_L1_AFTER_ANY = r"(?<![第之统唯单同万千百十〇零一二三四五六七八九])"
LEVEL1_RE = re.compile(rf"{_L1_AFTER_ANY}(?P<num>[{CN_NUMERALS}]{{1,3}})[、.．](?=[{SPACE}]*[\u4e00-\u9fff“《\d])")
LEVEL2_RE = re.compile(
    rf"(?<!第)[{OPEN}](?P<num>[{CN_NUMERALS}]{{0,3}})[{CLOSE}](?![{SPACE}]*[项款目条])"
    rf"(?=[{SPACE}]*[\u4e00-\u9fff“《\d])"
)
LEVEL3_RE = re.compile(r"(?<![\d.．第A-Za-z])(?P<num>\d{1,2})[.．、](?![\d])(?=[ \t\u3000\xa0]*[\u4e00-\u9fff“《])")
LEVEL4_RE = re.compile(rf"(?<!第)[{OPEN}](?P<num>\d{{1,2}})[{CLOSE}](?=[{SPACE}]*[\u4e00-\u9fff“《])")
LEVEL5_RE = re.compile(rf"(?P<num>[{CIRCLED}])(?=[{SPACE}]*[\u4e00-\u9fff“《])")
LEVEL_RES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, LEVEL1_RE), (2, LEVEL2_RE), (3, LEVEL3_RE), (4, LEVEL4_RE), (5, LEVEL5_RE),
)
_STRONG_BEFORE = re.compile(rf"(?:^|[\n。；;！!？?：:{SPACE}）)”\"』」>A-Za-z0-9])$")

# Where a title certainly ends.
TITLE_END = re.compile(
    r"[。；;：:！!？?\n]"
    rf"|[{SPACE}]+(?=[^{SPACE}])"
    r"|(?=(?:19|20)\d\d年(?:度|以来|至今|上半年)?[，,])|(?=(?:19|20)\d\d年度)"
    rf"|(?=[{OPEN}][{CN_NUMERALS}]{{1,3}}[{CLOSE}])|(?=[{OPEN}]\d{{1,2}}[{CLOSE}][\u4e00-\u9fff])"
    r"|(?=(?<![\d.])\d{1,2}[、.．][\u4e00-\u9fff“])"
    rf"|(?=[{CIRCLED}])"
    rf"|(?=[{CN_NUMERALS}]是[\u4e00-\u9fff])|(?=首先)"
    r"|(?=指\s*标\s*名\s*称)"
)
# Words headings end with; a long run-on title is cut after the first one
# (and the words chained to it: "问题和改进措施", "情况统计表").
TITLE_FINAL = re.compile(r"情况|方面|数量|类别|形式|措施|问题|概述|附表|统计表|认识|机制|打算")
TITLE_CHAIN = re.compile(
    r"(?:(?:[和及与、]|以及)[\u4e00-\u9fff\d]{0,10}?(?:情况|措施|问题|打算|建议|形式|类别))|统计表"
)
SOFT_TITLE = 16
MAX_TITLE = 60

# Page chrome: breadcrumbs before the report and site furniture after it.
LEADING_CHROME = re.compile(r"^(?:[^\n]{0,80}(?:>>|＞＞|»|当前位置|您现在的位置)[^\n]{0,120}\n)+")
TRAILING_CHROME = re.compile(
    r"(?:[\s\u3000]*(?:【?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|分享到|字号[:：]?\s*大\s*中\s*小)\s*】?"
    r"|附件下载|来源[:：][^\n。]{0,40}|扫一扫[^\n]{0,20}))+[\s\u3000]*$"
)


@dataclass
class _Heading:
    level: int
    number: str  # as printed (without brackets/punctuation)
    value: int | None  # numeric value, None when the numeral is lost
    start: int
    title_start: int
    title_end: int
    strong: bool  # after a line/sentence break rather than inside running text
    unnumbered: bool = False  # a 统计表 title with no outline numeral ("附件1：…统计表")


def mask_residue(text: str) -> str:
    """``text`` with markup residue blanked out (same length, offsets kept)."""
    return RESIDUE_RE.sub(lambda m: " " * len(m.group(0)), text)


def body_bounds(text: str) -> tuple[int, int]:
    """Where the report proper starts and ends, page chrome excluded."""
    start = 0
    m = LEADING_CHROME.match(text)
    if m:
        start = m.end()
    end = len(text)
    t = TRAILING_CHROME.search(text, start)
    if t:
        end = t.start()
    return start, end


def table_start(text: str) -> int | None:
    """Offset of the first 统计表 header (指标名称 …), if the report has one."""
    m = TABLE_HEADER_RE.search(text)
    return m.start() if m else None


def _title_bounds(text: str, pos: int) -> tuple[int, int]:
    """The heading title: up to the first certain end, then cut after a heading word if long."""
    while pos < len(text) and text[pos] in SPACE:
        pos += 1
    limit = min(len(text), pos + MAX_TITLE + 1)
    m = TITLE_END.search(text, pos, limit)
    end = m.start() if m else min(len(text), pos + MAX_TITLE)
    for f in TITLE_FINAL.finditer(text, pos, end):
        if f.end() - pos < 2:
            continue
        cut = f.end()
        while True:
            chained = TITLE_CHAIN.match(text, cut, end)
            if not chained:
                break
            cut = chained.end()
        rest = text[cut:end]
        # cut a long run-on, or a short one whose remainder is clearly a clause
        if cut < end and (end - pos > SOFT_TITLE or re.search(r"[，,]", rest)):
            end = cut
        break
    return pos, end


def _numeral_value(num: str) -> int | None:
    if not num:
        return None
    if num in CIRCLED:
        return CIRCLED.index(num) + 1
    if num.isdigit():
        return int(num)
    try:
        return parse_chinese_numeral(num)
    except ValueError:
        return None


def _candidates(masked: str, lo: int, hi: int) -> list[_Heading]:
    found: list[_Heading] = []
    for level, regex in LEVEL_RES:
        for m in regex.finditer(masked, lo, hi):
            num = m.group("num")
            ts, te = _title_bounds(masked, m.end())
            start = m.start("num") - (1 if level in (2, 4) else 0)
            strong = bool(_STRONG_BEFORE.search(masked[max(0, start - 1) : start])) or start == lo
            found.append(_Heading(level, num, _numeral_value(num), start, ts, te, strong))
    found.sort(key=lambda h: (h.start, h.level))
    return found


def _accept(candidates: list[_Heading]) -> list[_Heading]:
    """Keep headings whose numbers continue the sequence of their level."""
    accepted: list[_Heading] = []
    expected = {lvl: 1 for lvl in range(1, 6)}
    seen_level1 = False
    for h in candidates:
        if accepted and h.start < accepted[-1].title_end:
            continue
        if h.level == 1:
            if h.value != expected[1] or (not h.strong and not seen_level1):
                continue
            seen_level1 = True
        else:
            if not seen_level1:
                continue
            # A lost numeral ("()") is accepted as the next heading of its level.
            if h.value is not None and h.value != expected[h.level]:
                continue
        expected[h.level] += 1
        for deeper in range(h.level + 1, 6):
            expected[deeper] = 1
        accepted.append(h)
    return accepted


def _cn(n: int) -> str:
    if n <= 10:
        return "零一二三四五六七八九十"[n]
    if n < 20:
        return "十" + "零一二三四五六七八九"[n - 10]
    tens, ones = divmod(n, 10)
    return "零一二三四五六七八九"[tens] + "十" + ("" if ones == 0 else "零一二三四五六七八九"[ones])


def _format_number(level: int, value: int) -> str:
    if level == 1:
        return _cn(value)
    if level == 2:
        return f"（{_cn(value)}）"
    if level == 4:
        return f"（{value}）"
    if level == 5:
        return CIRCLED[value - 1] if value <= len(CIRCLED) else str(value)
    return str(value)


def _printed(level: int, number: str) -> str:
    if level == 2:
        return f"（{number}）"
    if level == 4:
        return f"（{number}）"
    return number


TABLE_TITLE_RE = re.compile(
    r"(?:附件\s*\d*\s*[:：]?\s*)?[\u4e00-\u9fff（）()0-9]{0,40}?(?:统计表|附表)[\u4e00-\u9fff]{0,4}\s*$"
)


def _table_heading(masked: str, accepted: list[_Heading], tstart: int) -> _Heading | None:
    """An unnumbered heading for a 统计表 whose title is not a numbered heading of its own."""
    if accepted and accepted[-1].title_end >= tstart - 2 and accepted[-1].level == 1:
        return None  # "七、…统计表 指标名称…": the table already has its heading
    window_start = max(0, tstart - 60)
    m = TABLE_TITLE_RE.search(masked, window_start, tstart)
    if not m:
        return None
    s = m.start()
    while s < tstart and masked[s] in SPACE:
        s += 1
    # the title starts after the last sentence end / gap before the 统计表 words
    te = tstart
    while te > s and masked[te - 1] in SPACE:
        te -= 1
    head = masked[s:te]
    cut = max(head.rfind(ch) for ch in "。；; \u3000\xa0")
    if cut >= 0:
        s += cut + 1
    if te - s < 3:
        return None
    number = ""
    ts = s
    att = re.match(r"(附件\s*\d*)\s*[:：]?\s*", masked[s:te])
    if att:
        number = re.sub(r"\s", "", att.group(1))
        ts = s + att.end()
    return _Heading(1, number, None, s, ts, te, True, unnumbered=True)


def split_sections(text: str) -> list[Section]:
    """The report's heading tree, each node spanning the text it governs."""
    masked = mask_residue(text)
    lo, hi = body_bounds(masked)
    tstart = table_start(masked)
    limit = hi if tstart is None else min(hi, tstart)
    headings = _accept(_candidates(masked, lo, limit))
    if tstart is not None:
        extra = _table_heading(masked, headings, tstart)
        if extra is not None:
            headings = [h for h in headings if h.start < extra.start] + [extra]
    roots: list[Section] = []
    stack: list[Section] = []
    counters: dict[int, int] = {}
    for h in headings:
        if h.unnumbered:
            inferred = ""
        else:
            counters[h.level] = counters.get(h.level, 0) + 1
            for deeper in [lvl for lvl in counters if lvl > h.level]:
                counters[deeper] = 0
            inferred = _format_number(h.level, counters[h.level])
        sec = Section(
            number=_printed(h.level, h.number),
            inferred_number=inferred,
            title=masked[h.title_start : h.title_end].strip(),
            level=h.level,
            start=h.start,
            end=hi,
        )
        while stack and stack[-1].level >= h.level:
            stack.pop()
        if stack:
            stack[-1].children.append(sec)
        else:
            roots.append(sec)
        stack.append(sec)
    _fix_ends(roots, hi)
    return roots


def _fix_ends(sections: list[Section], parent_end: int) -> None:
    """A section ends where its next sibling starts, or where its parent ends."""
    for i, sec in enumerate(sections):
        sec.end = sections[i + 1].start if i + 1 < len(sections) else parent_end
        _fix_ends(sec.children, sec.end)


def iter_sections(sections: list[Section]) -> list[tuple[Section, list[int]]]:
    """Depth-first list of (section, path of indexes) pairs."""
    out: list[tuple[Section, list[int]]] = []

    def walk(nodes: list[Section], path: list[int]) -> None:
        for i, node in enumerate(nodes):
            out.append((node, [*path, i]))
            walk(node.children, [*path, i])

    walk(sections, [])
    return out


def section_at(sections: list[Section], offset: int) -> Section | None:
    """The deepest section containing ``offset``."""
    best: Section | None = None
    nodes = sections
    while True:
        for node in nodes:
            if node.start <= offset < node.end:
                best = node
                nodes = node.children
                break
        else:
            return best


def section_path(sections: list[Section], offset: int) -> list[Section]:
    """Every section containing ``offset``, outermost first."""
    path: list[Section] = []
    nodes = sections
    while True:
        for node in nodes:
            if node.start <= offset < node.end:
                path.append(node)
                nodes = node.children
                break
        else:
            return path
