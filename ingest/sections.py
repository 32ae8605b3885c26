"""Split a report into its heading tree.

Reports number their parts 一、 / （一） / 1. or 1、 / （1）, with full-width or
ASCII brackets.  Web copies lose line breaks (the whole report is one
paragraph), lose numerals ("()主动公开…"), or keep Word residue.  A heading is
accepted only where the numbering sequence expects it, which is what keeps
"第二十条第（一）项" or a list inside a sentence from becoming a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Section
from ingest.numerals import parse_chinese_numeral

CN_NUMERALS = "一二三四五六七八九十"
OPEN = "(（"
CLOSE = ")）"

# Where a heading may start: start of text/line, or after the end of a
# sentence or a run of spaces (for reports flattened into one paragraph).
_BEFORE = r"(?:^|(?<=[\n。；;！!？?]))[ \t\u3000\xa0]*|(?<=[ \t\u3000\xa0])"

LEVEL1_RE = re.compile(rf"(?:{_BEFORE})(?P<num>[{CN_NUMERALS}]{{1,3}})[、.．](?=\s*[\u4e00-\u9fff“《])", re.M)
LEVEL2_RE = re.compile(
    rf"(?:{_BEFORE})[{OPEN}](?P<num>[{CN_NUMERALS}]{{0,3}})[{CLOSE}](?=\s*[\u4e00-\u9fff“《])", re.M
)
LEVEL3_RE = re.compile(r"(?:^|(?<=\n))[ \t\u3000\xa0]*(?P<num>\d{1,2})[.．、](?=\s*[\u4e00-\u9fff])", re.M)

TITLE_END = re.compile(
    r"[。；;：:！!？?\n]"
    r"|[ \t\u3000\xa0]{1,}(?=[^ \t\u3000\xa0])"
    # run-on headings: the body starts with a dated sentence or a sub-heading
    r"|(?=(?:19|20)\d\d年[，,度])"
    r"|(?=[(（][一二三四五六七八九十][)）])"
)
MAX_TITLE = 60


@dataclass
class _Heading:
    level: int
    number: str  # as printed (without brackets/punctuation)
    value: int | None  # numeric value, None when the numeral is lost
    start: int
    title_start: int
    title_end: int


def _title_bounds(text: str, pos: int) -> tuple[int, int]:
    """The heading title runs to the first sentence end, or to a gap."""
    while pos < len(text) and text[pos] in " \t\u3000\xa0":
        pos += 1
    m = TITLE_END.search(text, pos, min(len(text), pos + MAX_TITLE + 1))
    end = m.start() if m else min(len(text), pos + MAX_TITLE)
    return pos, end


def _numeral_value(num: str) -> int | None:
    if not num:
        return None
    if num.isdigit():
        return int(num)
    try:
        return parse_chinese_numeral(num)
    except ValueError:
        return None


def _candidates(text: str) -> list[_Heading]:
    found: list[_Heading] = []
    for level, regex in ((1, LEVEL1_RE), (2, LEVEL2_RE), (3, LEVEL3_RE)):
        for m in regex.finditer(text):
            num = m.group("num")
            ts, te = _title_bounds(text, m.end())
            start = m.start("num") - (1 if level == 2 else 0)
            found.append(_Heading(level, num, _numeral_value(num), start, ts, te))
    found.sort(key=lambda h: (h.start, h.level))
    return found


def _accept(candidates: list[_Heading]) -> list[_Heading]:
    """Keep headings whose numbers continue the sequence of their level."""
    accepted: list[_Heading] = []
    expected = {1: 1, 2: 1, 3: 1}
    seen_level1 = False
    for h in candidates:
        if accepted and h.start < accepted[-1].title_end:
            continue
        if h.level == 1:
            if h.value != expected[1]:
                continue
            expected[1] += 1
            expected[2] = expected[3] = 1
            seen_level1 = True
        elif h.level == 2:
            if not seen_level1:
                continue
            if h.value is None:
                # A lost numeral: accept only as the next heading of its level.
                pass
            elif h.value != expected[2]:
                continue
            expected[2] += 1
            expected[3] = 1
        else:
            if not seen_level1 or h.value != expected[3]:
                continue
            expected[3] += 1
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
    return str(value)


def split_sections(text: str) -> list[Section]:
    """The report's heading tree, each node spanning the text it governs."""
    headings = _accept(_candidates(text))
    roots: list[Section] = []
    stack: list[Section] = []
    counters: dict[int, int] = {}
    for h in headings:
        counters[h.level] = counters.get(h.level, 0) + 1
        for deeper in [lvl for lvl in counters if lvl > h.level]:
            counters[deeper] = 0
        inferred = _format_number(h.level, counters[h.level])
        printed = h.number
        if h.level == 2:
            printed = f"（{h.number}）"
        sec = Section(
            number=printed,
            inferred_number=inferred,
            title=text[h.title_start : h.title_end].strip(),
            level=h.level,
            start=h.start,
            end=len(text),
        )
        while stack and stack[-1].level >= h.level:
            stack.pop().end = h.start
            if stack:
                pass
        # close any open sections at this level or deeper
        if stack:
            stack[-1].children.append(sec)
        else:
            roots.append(sec)
        stack.append(sec)
    _fix_ends(roots, len(text))
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
