"""Finding table labels in text whose labels may be broken by spaces and line breaks.

PDF extraction splits labels across lines ("三\\n、\\n本\\n年…", "情 形"), and web
text inserts stray spaces ("本年度办 理结果").  Labels are therefore matched on
a whitespace-free copy of the text and mapped back to offsets in the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelHit:
    """A label found in the text: which row it names and where it is."""

    key: str
    start: int
    end: int


class Compact:
    """The text without whitespace, with a map back to original offsets."""

    def __init__(self, text: str, start: int = 0, end: int | None = None) -> None:
        stop = len(text) if end is None else end
        chars: list[str] = []
        idx: list[int] = []
        for i in range(start, stop):
            ch = text[i]
            if ch.isspace():
                continue
            chars.append(ch)
            idx.append(i)
        self.text = "".join(chars)
        self.idx = idx

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Original [start, end) of compact [a, b)."""
        return self.idx[a], self.idx[b - 1] + 1

    def find(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        """Original spans of every match of ``pattern``."""
        return [self.span(m.start(), m.end()) for m in pattern.finditer(self.text) if m.end() > m.start()]

    def first(self, pattern: re.Pattern[str], after: int = 0) -> tuple[int, int] | None:
        """Original span of the first match starting at or after original offset ``after``."""
        for a, b in self.find(pattern):
            if a >= after:
                return a, b
        return None


def find_labels(compact: Compact, patterns: Iterable[tuple[str, re.Pattern[str]]]) -> list[LabelHit]:
    """Every label hit, in text order; overlapping hits keep the earliest-longest."""
    hits: list[LabelHit] = []
    for key, pat in patterns:
        for a, b in compact.find(pat):
            hits.append(LabelHit(key, a, b))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[LabelHit] = []
    for h in hits:
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
    return kept
