"""Where the national tables are in a report, and which version of the format it uses.

The tables are found by their labels, not by position, because the same
tables reach gongkai as web text, PDF text and markdown with different
headings around them.  The format is decided by a vote of version-specific
labels (2019: 本年新制作数量, 上一年项目数量, 采购项目数量, single （六）其他处理;
2021: 本年制发件数, 本年废止件数, 现行有效件数, （六）1-3) because real reports mix
them (a 2023 report with the 2019 （六） row but a 2021 表二).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.standard.labels import Compact
from ingest.standard.layout import T2_LABELS, T3_ALL_ROWS, Format, label_regex

_RECEIVED = re.compile("本年新收政府信息公开申请")
_CARRIED = re.compile("上年结转")
_T3_HEAD = re.compile("勾稽关系|申请人情况")
_T2_FIRST = re.compile(r"第二十条第[（(]一[）)]项")
_T2_ANY = re.compile(r"第二十条第[（(][一二三四五六七八九十]+[）)]项")
_T4 = re.compile("行政复议")
_CARRIED_FWD = re.compile("结转下年度")
_T4_HEADER = re.compile("结果维持|维持|尚未审结")
_END = re.compile(r"存在的主要问题|主要问题|改进情况|其他需要报告|[五六][、．.]")

_MIN_T3_LABELS = 6


@dataclass
class Regions:
    """Offsets of the three tables; ``None`` for a table the report lacks."""

    t2: tuple[int, int] | None
    t3: tuple[int, int] | None
    t4: tuple[int, int] | None

    def prose(self, length: int) -> list[tuple[int, int]]:
        """The report's text outside the tables (where stated figures live)."""
        spans = sorted(r for r in (self.t2, self.t3, self.t4) if r is not None)
        out: list[tuple[int, int]] = []
        pos = 0
        for a, b in spans:
            if a > pos:
                out.append((pos, a))
            pos = max(pos, b)
        if pos < length:
            out.append((pos, length))
        return out


def find_regions(text: str) -> Regions | None:
    """Locate 表二/表三/表四, or None when the text has no national table."""
    c = Compact(text)
    t3: tuple[int, int] | None = None
    t3_start: int | None = None
    for a, _b in c.find(_RECEIVED):
        nxt = c.first(_CARRIED, a)
        if nxt is not None and nxt[0] - a < 600:
            t3_start = a
            break
    t4_start: int | None = None
    if t3_start is not None:
        heads = [h for h in c.find(_T3_HEAD) if t3_start - 400 <= h[0] < t3_start]
        if heads:
            t3_start = heads[0][0]
        fwd = c.first(_CARRIED_FWD, t3_start)
        t4 = c.first(_T4, fwd[1] if fwd else t3_start)
        t4_start = t4[0] if t4 else None
        t3_end = t4_start if t4_start is not None else len(text)
        labels = {
            key
            for key, row in T3_ALL_ROWS.items()
            if Compact(text, t3_start, t3_end).first(label_regex(row.pattern)) is not None
        }
        if len(labels) >= _MIN_T3_LABELS:
            t3 = (t3_start, t3_end)
        else:
            t3_start = None
            t4_start = None
    limit = t3_start if t3_start is not None else len(text)
    t2: tuple[int, int] | None = None
    firsts = [h for h in c.find(_T2_FIRST) if h[0] < limit and (t3_start is None or limit - h[0] < 5000)]
    anys = [h for h in c.find(_T2_ANY) if h[0] < limit and (t3_start is None or limit - h[0] < 5000)]
    t2_start = firsts[0][0] if firsts else (anys[0][0] if anys else None)
    if t2_start is not None:
        t2_end = limit
        if t3_start is None:
            end = c.first(re.compile("收到和处理政府信息公开申请|行政复议"), t2_start)
            t2_end = end[0] if end else min(len(text), t2_start + 3000)
        t2 = (t2_start, t2_end)
    if t3 is None and t2 is None:
        return None
    t4r: tuple[int, int] | None = None
    if t4_start is not None:
        # the table's own header words, so that a mere mention of 行政复议 in
        # the prose is never read as 表四
        head = c.first(_T4_HEADER, t4_start)
        end = c.first(_END, t4_start + 4)
        stop = end[0] if end else len(text)
        if head is not None and head[0] < stop:
            t4r = (head[0], stop)
    return Regions(t2=t2, t3=t3, t4=t4r)


def t2_votes(text: str, region: tuple[int, int] | None) -> dict[Format, int]:
    """How many version-specific 表二 labels of each format the region prints."""
    votes: dict[Format, int] = {"standard-2019": 0, "standard-2021": 0}
    if region is None:
        return votes
    compact = Compact(text, region[0], region[1]).text
    for fmt, labels in T2_LABELS.items():
        votes[fmt] += sum(1 for lab in labels if lab in compact)
    # "处理决定数量" without 本年 is the 2019 header word
    if re.search(r"(?<!本年)处理决定数量", compact):
        votes["standard-2019"] += 1
    return votes
