"""Cutting printed rows into cells, and choosing cuts that the whole table agrees with.

Web-page text of the standard tables often loses every cell separator
("一、本年新收政府信息公开申请数量640020470"), so one row is a *digit run* that
can be cut in many ways.  A run alone rarely decides its own cut; the table's
arithmetic does (row sums, 一+二 = 七+四 per column, （七）= sum of outcomes).
This module enumerates the valid cuts of each row (``enumerate_splits``) and
then picks, jointly over all rows, the cuts that violate the fewest constraints
(``solve``).  When several choices remain equally good the affected cells are
reported with their candidate values instead of a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ingest.standard.layout import CellKind

PLACEHOLDERS: frozenset[str] = frozenset({"", "/", "／", "-", "－", "–", "—", "——", "--", "\\", "无", "空"})
"""Printed "not available" marks: the contract records them as None, never 0."""

_UNIT_COUNT = r"(?:件|项|个|条)?"
_CELL_RE: dict[CellKind, re.Pattern[str]] = {
    "count": re.compile(r"(0|[1-9]\d*)" + _UNIT_COUNT),
    "signed": re.compile(r"([+\-＋－]?(?:0|[1-9]\d*))" + _UNIT_COUNT),
    "money": re.compile(r"((?:0|[1-9]\d*)(?:\.\d+)?)(万元|元)?"),
}
"""Strict shapes of a cell cut from a run: no leading zeros except a lone "0"."""

_LENIENT_RE = re.compile(
    r"([+\-＋－]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+\-＋－]?\d+(?:\.\d+)?)\s*"
    r"(万元|元|件|项|个|条)?\s*(?:[（(]([^（）()]*)[）)])?"
)
"""Shape of a cell that is already delimited (a pipe cell): leading zeros and
thousands separators are tolerated, and an annotation in brackets is kept as a
note ("22（其中修订16件）")."""


@dataclass(frozen=True)
class Segment:
    """A piece of source text that holds one or more whole cells.

    ``splittable`` is False for a pipe cell (its borders are known) and True for
    a whitespace-delimited token of flattened text, which may hold several
    glued cells.
    """

    text: str
    start: int
    splittable: bool = True
    note: str | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Cell:
    """One table cell as read: its value (None when not available) and span."""

    value: Decimal | None
    start: int
    end: int
    unit: str | None = None  # unit printed with the value (元 / 万元)
    note: str | None = None


def _to_decimal(s: str) -> Decimal | None:
    s = s.replace(",", "").replace("＋", "+").replace("－", "-")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def parse_piece(piece: str, kind: CellKind, start: int, note: str | None = None) -> Cell | None:
    """A cut piece of a run as a cell, or None if it cannot be one cell."""
    if piece in PLACEHOLDERS:
        return Cell(None, start, start + len(piece), note=note)
    m = _CELL_RE[kind].fullmatch(piece)
    if m is None:
        return None
    unit = m.group(2) if kind == "money" else None
    value = _to_decimal(m.group(1))
    return Cell(value, start, start + len(piece), unit=unit, note=note)


def parse_delimited(text: str, start: int, note: str | None = None) -> Cell | None:
    """A pipe cell's text as a cell (blank → None), or None if it is not a value."""
    stripped = text.strip().replace("\xa0", "").strip()
    lead = len(text) - len(text.lstrip().lstrip("\xa0").lstrip())
    s = start + lead
    if stripped in PLACEHOLDERS:
        if stripped == "":
            return Cell(None, start, start + len(text))
        return Cell(None, s, s + len(stripped))
    m = _LENIENT_RE.fullmatch(stripped)
    if m is None:
        return None
    value = _to_decimal(m.group(1))
    if value is None:
        return None
    inner = m.group(3)
    return Cell(value, s, s + len(stripped), unit=m.group(2), note=inner if inner else note)


@dataclass
class Split:
    """One way of cutting a row into cells, with how many row rules it breaks."""

    cells: list[Cell]
    penalty: int = 0


BlockCheck = Callable[[Sequence[Cell], int], bool]
"""Called when cell ``block_end`` closes a block; False when its arithmetic fails."""


def enumerate_splits(
    segments: Sequence[Segment],
    kinds: Sequence[CellKind],
    blocks: Sequence[int] = (),
    check: BlockCheck | None = None,
    hard: bool = True,
    limit: int = 20000,
    sum_width: int = 0,
) -> tuple[list[Split], bool]:
    """Every cut of ``segments`` into ``len(kinds)`` valid cells.

    ``blocks`` lists the cell counts at which a block closes (e.g. 7 for a 表三
    row, 5/10/15 for 表四); ``check`` is then called.  With ``hard`` a failing
    block prunes the search; otherwise it adds 1 to the split's penalty.
    ``sum_width`` > 0 says each block's last ``sum_width`` cells are parts and
    their total: the search then cuts the total exactly where the parts' sum
    is printed and stops as soon as the parts outgrow the digits left, which
    keeps long runs fast.  Returns the splits and whether ``limit`` cut the
    enumeration short.
    """
    n = len(kinds)
    if (
        hard
        and sum_width == n
        and list(blocks) == [n]
        and segments
        and all(k == "count" for k in kinds)
        and all(seg.splittable and seg.text.isdigit() for seg in segments)
    ):
        return _sum_row_splits(segments, n, limit)
    out: list[Split] = []
    truncated = False
    block_set = set(blocks)
    ends_sorted = sorted(block_set)
    next_end = [next((e for e in ends_sorted if e > i), 0) for i in range(n)]
    # capacity of the segments from index i on: (min cells, max cells), chars
    cap_min = [0] * (len(segments) + 1)
    cap_max = [0] * (len(segments) + 1)
    chars = [0] * (len(segments) + 1)
    all_split = [True] * (len(segments) + 1)
    for i in range(len(segments) - 1, -1, -1):
        seg = segments[i]
        cap_min[i] = cap_min[i + 1] + 1
        cap_max[i] = cap_max[i + 1] + (len(seg.text) if seg.splittable else 1)
        chars[i] = chars[i + 1] + len(seg.text)
        all_split[i] = all_split[i + 1] and seg.splittable and seg.text.isdigit()
    summing = hard and sum_width > 0 and check is not None

    cells: list[Cell] = []

    def rec(si: int, pos: int, penalty: int) -> None:
        nonlocal truncated
        if len(out) >= limit:
            truncated = True
            return
        if si == len(segments):
            if len(cells) == n:
                out.append(Split(list(cells), penalty))
            return
        seg = segments[si]
        idx = len(cells)
        left = n - idx
        if left <= 0:
            return
        ends: Sequence[int] = range(pos + 1, len(seg.text) + 1) if seg.splittable else [len(seg.text)]
        bend = next_end[idx]
        in_block = summing and bend > 0 and bend - sum_width <= idx
        if in_block and idx == bend - 1 and seg.splittable:
            parts = [c.value for c in cells[bend - sum_width : idx]]
            if all(v is not None for v in parts):
                target = str(int(sum((v for v in parts if v is not None), Decimal(0))))
                if not seg.text.startswith(target, pos):
                    return
                ends = [pos + len(target)]
        for q in ends:
            rest_in_seg = len(seg.text) - q
            after_min = cap_min[si + 1] + (1 if rest_in_seg else 0)
            after_max = cap_max[si + 1] + rest_in_seg
            if not (after_min <= left - 1 <= after_max):
                continue
            piece = seg.text[pos:q]
            kind = kinds[len(cells)]
            if seg.splittable:
                last = q == len(seg.text)
                cell = parse_piece(piece, kind, seg.start + pos, seg.note if last else None)
            else:
                cell = parse_delimited(piece, seg.start, seg.note)
            if cell is None:
                continue
            if in_block and idx < bend - 1 and all_split[si] and cell.value is not None:
                partial = sum((c.value for c in cells[bend - sum_width : idx] if c.value is not None), cell.value)
                room = (len(seg.text) - q) + chars[si + 1]
                if room < (n - idx - 2) + len(str(int(partial))):
                    continue
            cells.append(cell)
            p = penalty
            if check is not None and len(cells) in block_set and not check(cells, len(cells)):
                if hard:
                    cells.pop()
                    continue
                p += 1
            if q == len(seg.text):
                rec(si + 1, 0, p)
            else:
                rec(si, q, p)
            cells.pop()
            if len(out) >= limit:
                truncated = True
                return

    rec(0, 0, 0)
    return out, truncated


def _sum_row_splits(segments: Sequence[Segment], n: int, limit: int) -> tuple[list[Split], bool]:
    """Fast path for a digit run that is one row "parts…, total".

    The total is a suffix of the run, so each possible total is tried first and
    the parts are then cut with plain integers, pruning as soon as they exceed
    it: a 表三 row of a dozen digits is cut in well under a millisecond.
    """
    last = segments[-1]
    end = last.start + len(last.text)
    out: list[Split] = []
    for tlen in range(1, len(last.text) + 1):
        t = last.text[len(last.text) - tlen :]
        if len(t) > 1 and t[0] == "0":
            continue
        head = [(seg.text, seg.start) for seg in segments[:-1]]
        if tlen < len(last.text):
            head.append((last.text[: len(last.text) - tlen], last.start))
        if len(head) > n - 1 or sum(len(h) for h, _ in head) < n - 1:
            continue
        target = int(t)
        total = Cell(Decimal(target), end - tlen, end, note=last.note)
        for parts in _parts_summing_to(head, n - 1, target):
            out.append(Split([*(Cell(Decimal(v), a, b) for v, a, b in parts), total]))
            if len(out) >= limit:
                return out, True
    return out, False


def _parts_summing_to(head: Sequence[tuple[str, int]], k: int, target: int) -> Iterator[list[tuple[int, int, int]]]:
    """Every cut of the digit strings ``head`` into ``k`` numbers summing to
    ``target`` (as (value, start, end)); no leading zeros except a lone 0."""
    rest_chars = [0] * (len(head) + 1)
    for i in range(len(head) - 1, -1, -1):
        rest_chars[i] = rest_chars[i + 1] + len(head[i][0])
    parts: list[tuple[int, int, int]] = []

    def rec(si: int, pos: int, acc: int) -> Iterator[list[tuple[int, int, int]]]:
        if si == len(head):
            if len(parts) == k and acc == target:
                yield list(parts)
            return
        text, start = head[si]
        left = k - len(parts)
        segs_after = len(head) - si - 1
        for q in range(pos + 1, len(text) + 1):
            piece = text[pos:q]
            if len(piece) > 1 and piece[0] == "0":
                break
            v = int(piece)
            if acc + v > target:
                break
            rest_in = len(text) - q
            room = rest_chars[si + 1] + rest_in
            if not (segs_after + (1 if rest_in else 0) <= left - 1 <= room):
                continue
            more = left - 1
            reach = 0 if more == 0 else 10 ** (room - more + 1) + 9 * (more - 1)
            if acc + v + reach < target:
                continue  # the cells still to cut cannot make up the rest
            parts.append((v, start + pos, start + q))
            yield from rec(si + 1, 0, acc + v) if q == len(text) else rec(si, q, acc + v)
            parts.pop()

    yield from rec(0, 0, 0)


SOFT_LIMIT = 300
"""When no cut of a run satisfies its row rules, the rules say nothing about
where it breaks; beyond this many cuts the run is left unread, not guessed."""


def best_splits(
    segments: Sequence[Segment],
    kinds: Sequence[CellKind],
    blocks: Sequence[int] = (),
    check: BlockCheck | None = None,
    limit: int = 5000,
    sum_width: int = 0,
) -> tuple[list[Split], list[str]]:
    """The cuts that break the fewest block rules (all of them with penalty 0
    when some cut satisfies every rule), plus notes on what went wrong.

    An empty list means the group cannot be read as cells: either no cut is
    valid, or so many are (``limit``) that listing them would be guessing —
    a long run whose row rules all fail says nothing about where it breaks.
    """
    notes: list[str] = []
    splits, trunc = enumerate_splits(segments, kinds, blocks, check, hard=True, limit=limit, sum_width=sum_width)
    if trunc:
        notes.append(f"more than {limit} cuts satisfy the rules; the run is left unread")
        return [], notes
    if splits:
        return splits, notes
    if check is not None and blocks:
        soft = min(limit, SOFT_LIMIT)
        splits, trunc = enumerate_splits(segments, kinds, blocks, check, hard=False, limit=soft)
        if trunc:
            notes.append(f"no cut satisfies the rules and more than {soft} break them; the run is left unread")
            return [], notes
        if splits:
            low = min(s.penalty for s in splits)
            return [s for s in splits if s.penalty == low], notes
    if len(segments) == len(kinds):
        # one delimited token per cell but not in strict form ("05"): read each
        # token leniently rather than lose the row
        cells = [parse_delimited(seg.text, seg.start, seg.note) for seg in segments]
        if all(c is not None for c in cells):
            sure = [c for c in cells if c is not None]
            penalty = 0
            if check is not None:
                penalty = sum(1 for b in blocks if not check(sure, b))
            notes.append("cells read leniently (a value printed with a leading zero or separator)")
            return [Split(sure, penalty)], notes
    return [], notes


def sums_to_last(cells: Sequence[Cell], end: int, width: int) -> bool:
    """Block rule: the last of ``width`` cells ending at ``end`` is the sum of
    the others.  Unknown (None) cells make the rule undecidable, hence True."""
    block = cells[end - width : end]
    values = [c.value for c in block]
    if any(v is None for v in values):
        return True
    parts = [v for v in values[:-1] if v is not None]
    return sum(parts, Decimal(0)) == values[-1]


# --------------------------------------------------------------------------- joint solve


@dataclass
class Equation:
    """A linear rule over cells of several rows: Σ coef·cell + const = 0.

    ``weight`` ranks rules: the table's own arithmetic is heavy, facts stated
    in the prose are light (they only break ties).
    """

    terms: list[tuple[str, int, int]]  # (row key, column index, coefficient)
    const: Decimal = Decimal(0)
    weight: int = 10
    name: str = ""


_State = tuple[tuple[Decimal | None, ...], int]


@dataclass
class Solution:
    """Per row, the indices of the splits used by at least one best assignment."""

    options: dict[str, set[int]]
    cost: int
    exhaustive: bool = True
    notes: list[str] = field(default_factory=list)


def solve(
    rows: dict[str, list[Split]],
    equations: Sequence[Equation],
    row_weight: int = 10,
    max_states: int = 50000,
) -> Solution:
    """Choose one split per row minimising broken rules, over all rows at once.

    Rows with a single split are folded in first; the ambiguous rows are then
    combined by dynamic programming over the vector of equation residuals, so
    the search is joint (column constraints across rows) but stays small.  The
    result keeps *every* split that takes part in some optimal assignment, so
    the caller can report candidates rather than pick one.
    """
    keys = list(rows)
    ambiguous = [k for k in keys if len(rows[k]) > 1]
    fixed = [k for k in keys if len(rows[k]) == 1]
    neq = len(equations)

    # residual start: constants + fixed rows; None = undecidable (a None cell)
    start: list[Decimal | None] = [e.const for e in equations]
    base_pen = 0
    for k in fixed:
        base_pen += rows[k][0].penalty
    contrib: dict[str, list[list[Decimal | None]]] = {}
    involved: dict[str, list[tuple[int, int, int]]] = {}
    for ei, eq in enumerate(equations):
        for rk, col, coef in eq.terms:
            involved.setdefault(rk, []).append((ei, col, coef))
    for k in keys:
        vecs: list[list[Decimal | None]] = []
        for sp in rows[k]:
            vec: list[Decimal | None] = [Decimal(0)] * neq
            for ei, col, coef in involved.get(k, []):
                cur = vec[ei]
                v = sp.cells[col].value if col < len(sp.cells) else None
                vec[ei] = None if (cur is None or v is None) else cur + coef * v
            vecs.append(vec)
        contrib[k] = vecs
    for k in fixed:
        vec0 = contrib[k][0]
        start = [None if (a is None or b is None) else a + b for a, b in zip(start, vec0, strict=True)]
    # rows missing from the table make their equations undecidable
    for ei, eq in enumerate(equations):
        if any(rk not in rows for rk, _c, _f in eq.terms):
            start[ei] = None

    start_state: _State = (tuple(start), base_pen)
    backs: list[dict[_State, list[tuple[_State, int]]]] = []
    frontier: set[_State] = {start_state}
    for k in ambiguous:
        nxt: dict[_State, list[tuple[_State, int]]] = {}
        work = 0
        for st in frontier:
            res, pen = st
            for oi, vec in enumerate(contrib[k]):
                new = tuple(None if (a is None or b is None) else a + b for a, b in zip(res, vec, strict=True))
                nxt.setdefault((new, pen + rows[k][oi].penalty), []).append((st, oi))
            work += len(contrib[k])
            if len(nxt) > max_states or work > 20 * max_states:
                break
        backs.append(nxt)
        frontier = set(nxt)
        if len(frontier) > max_states or work > 20 * max_states:
            return Solution(
                options={k: set(range(len(rows[k]))) for k in keys},
                cost=-1,
                exhaustive=False,
                notes=["too many combinations to solve jointly; ambiguous rows left open"],
            )

    def cost(st: _State) -> int:
        res, pen = st
        c = pen * row_weight
        for ei, r in enumerate(res):
            if r is not None and r != 0:
                c += equations[ei].weight
        return c

    best = min(cost(s) for s in frontier)
    chosen: dict[str, set[int]] = {k: {0} for k in fixed}
    live: set[_State] = {s for s in frontier if cost(s) == best}
    for idx in range(len(ambiguous) - 1, -1, -1):
        prev_live: set[_State] = set()
        opts: set[int] = set()
        for st in live:
            for prev, oi in backs[idx][st]:
                prev_live.add(prev)
                opts.add(oi)
        chosen[ambiguous[idx]] = opts
        live = prev_live
    return Solution(options=chosen, cost=best)
