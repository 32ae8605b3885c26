"""Reading the numeric rows of a table region, whatever shape the text has.

Three shapes reach gongkai: pipe tables (``| a | b |``, from markdown
converters and from the HTML converter), whitespace-separated rows (pdfplumber
text) and flattened web text where cells run together.  All three come out of
here as ``Group``s: the value part of one printed row, as ``Segment``s with
offsets in the stored text, plus the row label printed on the same line, if
any.  Deciding which template row a group is, and cutting runs into cells, is
left to the table readers and the solver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.standard.labels import LabelHit
from ingest.standard.segment import PLACEHOLDERS, Segment, parse_delimited


@dataclass
class Group:
    """The values of one printed row (or one run of a flattened row)."""

    segments: list[Segment]
    start: int
    end: int
    label: str | None  # key of the label printed before it on the same line
    pipe: bool

    def capacity(self) -> tuple[int, int]:
        """Fewest and most cells the group can hold (blank pipe cells at the
        end may be converter padding, so they count only towards the most)."""
        if self.pipe:
            last = 0
            for i, seg in enumerate(self.segments):
                if seg.text.strip().replace("\xa0", "") != "":
                    last = i + 1
            return last, len(self.segments)
        lo = len(self.segments)
        hi = sum(len(s.text) if s.splittable else 1 for s in self.segments)
        return lo, hi

    def fits(self, n: int) -> bool:
        lo, hi = self.capacity()
        return lo <= n <= hi

    def merged(self, other: Group) -> Group:
        """This group and the next one read as one row (a row broken over two
        lines or two converter rows)."""
        return Group(
            self.segments + other.segments,
            self.start,
            other.end,
            self.label or other.label,
            self.pipe and other.pipe,
        )

    def trimmed(self, n: int) -> list[Segment]:
        """Segments for ``n`` cells: trailing padding of a pipe row removed."""
        if self.pipe and len(self.segments) > n:
            return self.segments[:n]
        return list(self.segments)


_SEPARATOR_CELL = re.compile(r"\s*:?-{3,}:?\s*")
_FOOTER = re.compile(r"\s*(?:-\s*\d+\s*-|—\s*\d+\s*—|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)\s*")
_TOKEN = re.compile(r"[0-9.+\-/／—－–]+(?:万元|元|件|项)?")
_MULTI = re.compile(r"\s*\d+(?:\.\d+)?(?:\s+\d+(?:\.\d+)?)+\s*")
_HSPACE = re.compile(r"[ \t\u3000\xa0\x01]+")
_NOTE = re.compile(r"\s*[（(](其中[^（）()]*)[）)]")


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append((pos, stop))
        pos = stop + 1
    return out


def _pipe_group(text: str, a: int, b: int, hits: list[LabelHit]) -> Group | None:
    line = text[a:b]
    bars = [a + i for i, ch in enumerate(line) if ch == "|"]
    if len(bars) < 2:
        return None
    cells = [(bars[i] + 1, bars[i + 1]) for i in range(len(bars) - 1)]
    if all(_SEPARATOR_CELL.fullmatch(text[s:e]) for s, e in cells):
        return None
    last_text = -1
    for i, (s, e) in enumerate(cells):
        if parse_delimited(text[s:e], s) is None and not _MULTI.fullmatch(text[s:e]):
            last_text = i
    values = cells[last_text + 1 :]
    if not values:
        return None
    if all(text[s:e].strip().replace("\xa0", "") in PLACEHOLDERS for s, e in values) and last_text < 0:
        # a row of dashes/blanks only, with no label: converter padding
        if all(text[s:e].strip() == "" for s, e in values):
            return None
    label_end = cells[last_text][1] if last_text >= 0 else a
    label: str | None = None
    for h in hits:
        if a <= h.start and h.end <= label_end:
            label = h.key
    segs: list[Segment] = []
    for s, e in values:
        if _MULTI.fullmatch(text[s:e]):
            # a converter merged cells: "| 0 0 |" holds two values
            segs.extend(Segment(m.group(0), s + m.start(), splittable=False) for m in re.finditer(r"\S+", text[s:e]))
        else:
            segs.append(Segment(text[s:e], s, splittable=False))
    return Group(segs, values[0][0], values[-1][1], label, pipe=True)


def read_groups(text: str, start: int, end: int, hits: list[LabelHit]) -> list[Group]:
    """Every numeric group between ``start`` and ``end``, in text order.

    ``hits`` are the label hits of the region: their characters never count as
    values (an item number such as the "3." of "3.要求提供…" belongs to the
    label, not to the digits before it), and the last hit before a group on
    the same line becomes the group's label.
    """
    groups: list[Group] = []
    for a, b in _lines(text, start, end):
        raw = text[a:b]
        if raw.lstrip().startswith("|"):
            g = _pipe_group(text, a, b, [h for h in hits if a <= h.start < b])
            if g is not None:
                groups.append(g)
            continue
        if _FOOTER.fullmatch(raw.replace("\f", "")):
            continue
        masked = list(raw)
        line_hits = [h for h in hits if a <= h.start < b]
        for h in line_hits:
            for i in range(h.start, min(h.end, b)):
                masked[i - a] = "\x00"
        notes: dict[int, str] = {}
        work = "".join(masked)
        for m in _NOTE.finditer(work):
            notes[a + m.start()] = m.group(1)
            for i in range(m.start(), m.end()):
                masked[i] = "\x01"  # a cell border inside the row, not the row's end
        work = "".join(masked).replace("\f", "\x00")
        tokens = [t for t in (_strip_item_number(work, m) for m in _TOKEN.finditer(work)) if t]
        runs: list[list[tuple[int, int]]] = []
        cur: list[tuple[int, int]] = []
        for tok in tokens:
            if cur and _HSPACE.fullmatch(work[cur[-1][1] : tok[0]]) is None:
                runs.append(cur)
                cur = []
            cur.append(tok)
        if cur:
            runs.append(cur)
        prev_end = a
        for run in runs:
            run = [t for t in run if _keep_token(work, t)]
            if not run:
                continue
            g_start = a + run[0][0]
            g_end = a + run[-1][1]
            label: str | None = None
            for h in line_hits:
                if prev_end <= h.start and h.end <= g_start:
                    label = h.key
            segs = [Segment(work[s:e], a + s, True, notes.get(a + e)) for s, e in run]
            groups.append(Group(segs, g_start, g_end, label, pipe=False))
            prev_end = g_end
    return groups


def _strip_item_number(work: str, m: re.Match[str]) -> tuple[int, int] | None:
    """Drop the item number of the next label from a glued token.

    Flattened text prints "…0000000" + "4.保护第三方…" as "00000004.保护…":
    a digit followed by "." (or "、"/"．") and then a label is an item number,
    never part of a value (a value never ends with a dot).
    """
    s, e = m.start(), m.end()
    tok = work[s:e]
    nxt = work[e] if e < len(work) else ""
    if tok.endswith(".") and len(tok) >= 2 and tok[-2] in "123456789" and not nxt.isdigit():
        e -= 2
    elif nxt in ("、", "．") and tok[-1:] in tuple("123456789"):
        e -= 1
    return (s, e) if e > s else None


def _keep_token(work: str, tok_span: tuple[int, int]) -> bool:
    """Digits always count; a bare dash or slash only when it stands apart
    (so the "/" of the header "本年增/减" is not read as a blank cell)."""
    s, e = tok_span
    tok = work[s:e]
    if any(ch.isdigit() for ch in tok):
        return True
    before = work[s - 1] if s > 0 else " "
    after = work[e] if e < len(work) else " "
    apart_before = before.isspace() or before in "\x00\x01"
    apart_after = after.isspace() or after in "\x00\x01"
    return apart_before and apart_after
