"""Reading 表二, 表三 and 表四 into cells with metric codes.

Each reader turns a table region into ``ReadCell``s: the slot (metric, dims,
unit) from ``layout`` and the cell's possible readings.  A cell has one
reading when the text (or the table's arithmetic) decides it, several when a
flattened run can be cut in more than one way that satisfies every rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.standard.labels import Compact, LabelHit, find_labels
from ingest.standard.layout import (
    APPLICANTS,
    APPLICANTS_WITH_SUBTOTAL,
    T2_PROSE_COLUMNS,
    T2_ROWS,
    T3_ALL_ROWS,
    T3_GROUP_LABELS,
    T3_ROWS,
    T4_BLOCKS,
    T4_OUTCOMES,
    CellKind,
    Format,
    T2Row,
    T3Row,
    label_regex,
)
from ingest.standard.readers import Group, read_groups
from ingest.standard.segment import (
    Cell,
    Equation,
    Split,
    best_splits,
    solve,
    sums_to_last,
)

WAN = Decimal(10000)
UNREAD = "printed values could not be cut into cells (see the report notes)"


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros that unit conversion leaves (24252.311082 万元 →
    242523110.82 元, not 242523110.820000) without using exponent notation."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


@dataclass(frozen=True)
class Slot:
    """Where a cell goes: metric code, every dimension, stored unit."""

    metric: str | None
    dims: tuple[tuple[str, str], ...]
    unit: str
    kind: CellKind = "count"
    scale_wan: bool = False  # value printed in 万元 unless the cell says 元
    label: str | None = None


@dataclass
class ReadCell:
    """A cell and its possible readings (one when decided)."""

    slot: Slot
    readings: list[Cell]
    note: str | None = None

    def stored(self, cell: Cell) -> Decimal | None:
        """The value in the stored unit (万元 → 元)."""
        if cell.value is None:
            return None
        value = cell.value
        if self.slot.kind == "money" and (cell.unit == "万元" or (cell.unit is None and self.slot.scale_wan)):
            value = value * WAN
        return tidy(value)

    def values(self) -> list[Decimal | None]:
        seen: list[Decimal | None] = []
        for c in self.readings:
            v = self.stored(c)
            if v not in seen:
                seen.append(v)
        return seen

    @property
    def value(self) -> Decimal | None:
        vals = self.values()
        return vals[0] if len(vals) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.values()) > 1


@dataclass
class TableRead:
    """What one table yielded."""

    cells: list[ReadCell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shape: Format | None = None
    columns: tuple[str, ...] = APPLICANTS
    rows: dict[str, list[ReadCell]] = field(default_factory=dict)


def _cells_from_options(splits: Sequence[Split], chosen: set[int], n: int) -> list[list[Cell]]:
    """Per column, the distinct readings over the chosen splits."""
    per: list[list[Cell]] = [[] for _ in range(n)]
    for i in sorted(chosen):
        for col, cell in enumerate(splits[i].cells):
            if cell not in per[col]:
                per[col].append(cell)
    return per


def _prefer(splits: list[Split], tests: Sequence[Callable[[Split], bool]]) -> list[Split]:
    """Soft constraints: keep the splits that pass the most tests (all of them
    when none passes any), so a soft rule can narrow but never empty a row."""
    if not tests or len(splits) < 2:
        return splits
    scores = [sum(1 for t in tests if t(s)) for s in splits]
    top = max(scores)
    return [s for s, sc in zip(splits, scores, strict=True) if sc == top]


# --------------------------------------------------------------------------- prose facts

_CLAUSE = re.compile(r"[^。；;，,：:\n]+")
_NUM_UNIT = re.compile(r"(\d+)\s*(?:件|份|个|起|宗)")


def prose_clauses(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """The report's prose cut into clauses, where a stated figure and the words
    that say what it counts stay together."""
    out: list[str] = []
    for a, b in spans:
        out.extend(m.group(0) for m in _CLAUSE.finditer(text, a, b))
    return out


def stated(clauses: Sequence[str], must: Sequence[str], any_of: Sequence[str]) -> set[Decimal]:
    """Numbers (with a count unit) stated in clauses naming all of ``must`` and
    one of ``any_of``; a weak, prose-level hint about a table cell."""
    found: set[Decimal] = set()
    for cl in clauses:
        if all(w in cl for w in must) and (not any_of or any(w in cl for w in any_of)):
            found.update(Decimal(m.group(1)) for m in _NUM_UNIT.finditer(cl))
    return found


# --------------------------------------------------------------------------- 表二

_T2_PATTERNS: list[tuple[str, re.Pattern[str]]] = []
for _fmt_rows in T2_ROWS.values():
    for _row in _fmt_rows:
        if _row.key not in [k for k, _ in _T2_PATTERNS]:
            _T2_PATTERNS.append((_row.key, label_regex(_row.pattern, item_prefix=False)))


def read_t2(text: str, region: tuple[int, int], fmt: Format, clauses: Sequence[str]) -> TableRead:
    """表二: each row label, the values printed right after it on its line."""
    out = TableRead(shape=fmt)
    a, b = region
    compact = Compact(text, a, b)
    hits = find_labels(compact, _T2_PATTERNS)
    groups = read_groups(text, a, b, hits)
    layout = {r.key: r for r in T2_ROWS[fmt]}
    other_fmt: Format = "standard-2019" if fmt == "standard-2021" else "standard-2021"
    other = {r.key: r for r in T2_ROWS[other_fmt]}
    done: set[str] = set()
    for hit in hits:
        if hit.key in done:
            continue
        group = next((g for g in groups if g.label == hit.key and g.start >= hit.end), None)
        if group is None:
            continue
        row = layout.get(hit.key)
        if row is None or not group.fits(len(row.cols)):
            alt = other.get(hit.key)
            if alt is not None and group.fits(len(alt.cols)):
                out.notes.append(f"表二 {hit.key}: printed with the {other_fmt} columns")
                row = alt
        if row is None or not group.fits(len(row.cols)):
            out.notes.append(f"表二 {hit.key}: values do not fit the template row")
            continue
        done.add(hit.key)
        out.cells.extend(_t2_row(row, group, clauses, out.notes))
    return out


def _cell_in(col: int, values: set[Decimal]) -> Callable[[Split], bool]:
    """Soft rule: cell ``col`` of a cut is one of the values the prose states."""
    return lambda s: s.cells[col].value in values


def _t2_row(row: T2Row, group: Group, clauses: Sequence[str], notes: list[str]) -> list[ReadCell]:
    kinds = [c.kind for c in row.cols]
    splits, msgs = best_splits(group.trimmed(len(kinds)), kinds)
    notes.extend(f"表二 {row.key}: {m}" for m in msgs)
    if not splits:
        notes.append(f"表二 {row.key}: values cannot be read as {len(kinds)} cells")
        splits = [Split([Cell(None, group.start, group.end, note=UNREAD)] * len(kinds))]
    tests: list[Callable[[Split], bool]] = []
    metrics = [c.metric or "" for c in row.cols]
    if len(splits) > 1:
        if any(m.endswith(".items_change") for m in metrics) and len(metrics) == 3:
            # 2019 (五)(六): 上一年项目数量 + 本年增/减 = 处理决定数量 where it holds
            def rel(s: Split) -> bool:
                v = [c.value for c in s.cells]
                return None not in v and v[0] + v[1] == v[2]  # type: ignore[operator]

            tests.append(rel)
        if any(m.endswith(".published_total") for m in metrics):

            def tot(s: Split) -> bool:
                v = [c.value for c in s.cells]
                return v[1] is None or v[2] is None or v[2] >= v[1]

            tests.append(tot)
        if row.key in ("normative_docs", "rules"):
            noun = "规范性文件" if row.key == "normative_docs" else "规章"
            for ci, m in enumerate(metrics):
                words = T2_PROSE_COLUMNS.get(m.rsplit(".", 1)[-1], ())
                said = stated(clauses, [noun], words) if words else set()
                if said:
                    tests.append(_cell_in(ci, said))
        before = len(splits)
        splits = _prefer(splits, tests)
        if len(splits) < before:
            notes.append(f"表二 {row.key}: cut chosen by soft rules ({len(splits)} of {before} cuts kept)")
    per = _cells_from_options(splits, set(range(len(splits))), len(kinds))
    cells: list[ReadCell] = []
    for col, readings in zip(row.cols, per, strict=True):
        slot = Slot(col.metric, (), col.unit, col.kind, col.scale_wan, col.label)
        cells.append(ReadCell(slot, readings))
    return cells


# --------------------------------------------------------------------------- 表三

_T3_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(k, label_regex(r.pattern)) for k, r in T3_ALL_ROWS.items()] + [
    (k, label_regex(p)) for k, p in T3_GROUP_LABELS.items()
]

_SKIP_ROW = 3.0


def _align(groups: Sequence[Group], rows: Sequence[T3Row], ncols: int) -> tuple[float, dict[str, Group]]:
    """Match printed groups to template rows in order (a monotone alignment).

    Labels on the same line decide where they exist; elsewhere the order of
    the numeric rows does (PDF text prints some values before their label).
    Unmatched groups are noise such as a stray page number.
    """
    keys = {r.key for r in rows}
    data_keys = set(T3_ALL_ROWS)
    ng, nr = len(groups), len(rows)
    inf = float("inf")
    dp = [[inf] * (nr + 1) for _ in range(ng + 1)]
    back: list[list[tuple[int, int, bool] | None]] = [[None] * (nr + 1) for _ in range(ng + 1)]
    dp[0][0] = 0.0

    def skip_group(g: Group) -> float:
        if g.label in keys:
            return 4.0
        return 1.5 if g.fits(ncols) else 0.1

    def match(g: Group, r: T3Row) -> float:
        if not g.fits(ncols):
            return inf
        if g.label == r.key:
            return 0.0
        if g.label is None or g.label not in data_keys:
            return 0.3
        return 6.0

    for i in range(ng + 1):
        for j in range(nr + 1):
            cur = dp[i][j]
            if cur == inf:
                continue
            if i < ng:
                c = cur + skip_group(groups[i])
                if c < dp[i + 1][j]:
                    dp[i + 1][j] = c
                    back[i + 1][j] = (i, j, False)
            if j < nr:
                c = cur + _SKIP_ROW
                if c < dp[i][j + 1]:
                    dp[i][j + 1] = c
                    back[i][j + 1] = (i, j, False)
            if i < ng and j < nr:
                c = cur + match(groups[i], rows[j])
                if c < dp[i + 1][j + 1]:
                    dp[i + 1][j + 1] = c
                    back[i + 1][j + 1] = (i, j, True)
            if i + 1 < ng and j < nr and not groups[i].fits(ncols) and not groups[i + 1].fits(ncols):
                # a row broken over two lines: only when neither half is a row
                c = cur + 0.5 + match(groups[i].merged(groups[i + 1]), rows[j])
                if c < dp[i + 2][j + 1]:
                    dp[i + 2][j + 1] = c
                    back[i + 2][j + 1] = (i, j, True)
    mapping: dict[str, Group] = {}
    i, j = ng, nr
    while (i, j) != (0, 0):
        step = back[i][j]
        if step is None:
            break
        pi, pj, matched = step
        if matched:
            mapping[rows[pj].key] = groups[pi] if i - pi == 1 else groups[pi].merged(groups[pi + 1])
        i, j = pi, pj
    return dp[ng][nr], mapping


def _row_check(ncols: int) -> Callable[[Sequence[Cell], int], bool]:
    if ncols == 7:
        return lambda cells, end: sums_to_last(cells, end, 7)

    def check8(cells: Sequence[Cell], end: int) -> bool:
        v = [c.value for c in cells[:8]]
        ok = True
        if None not in v[1:7]:
            ok = sum((x for x in v[1:6] if x is not None), Decimal(0)) == v[6]
        if ok and v[0] is not None and v[6] is not None and v[7] is not None:
            ok = v[0] + v[6] == v[7]
        return ok

    return check8


def read_t3(text: str, region: tuple[int, int], clauses: Sequence[str]) -> TableRead:
    """表三: align numeric rows to the template, cut runs, solve the whole table."""
    a, b = region
    compact = Compact(text, a, b)
    hits: list[LabelHit] = find_labels(compact, _T3_PATTERNS)
    first_row = min((h.start for h in hits if h.key in T3_ALL_ROWS), default=a)
    header = Compact(text, a, first_row).text
    ncols = 8 if "小计" in header else 7
    columns = APPLICANTS_WITH_SUBTOTAL if ncols == 8 else APPLICANTS
    groups = read_groups(text, a, b, hits)
    aligned = {fmt: _align(groups, rows, ncols) for fmt, rows in T3_ROWS.items()}
    has21 = any(h.key.startswith("outcome.other.") for h in hits)
    shape: Format = min(
        aligned,
        key=lambda f: (aligned[f][0], 0 if (f == "standard-2021") == has21 else 1),
    )
    out = TableRead(shape=shape, columns=columns)
    if ncols == 8:
        out.notes.append("表三 prints a 小计 column; assumed after the five organisation columns")
    mapping = aligned[shape][1]
    used = {(seg.start, seg.text) for g in mapping.values() for seg in g.segments}
    for grp in groups:
        stray = [
            seg for seg in grp.segments if (seg.start, seg.text) not in used and any(ch.isdigit() for ch in seg.text)
        ]
        if stray:
            shown = " ".join(seg.text.strip() for seg in stray)
            out.notes.append(f"表三: values {shown!r} at offset {stray[0].start} belong to no row; ignored")
    rows = T3_ROWS[shape]
    kinds: list[CellKind] = ["count"] * ncols
    options: dict[str, list[Split]] = {}
    unread: dict[str, Group] = {}
    for row in rows:
        g = mapping.get(row.key)
        if g is None:
            out.notes.append(f"表三 row {row.key} not found")
            continue
        splits, msgs = best_splits(
            g.trimmed(ncols), kinds, [ncols], _row_check(ncols), sum_width=7 if ncols == 7 else 0
        )
        out.notes.extend(f"表三 {row.key}: {m}" for m in msgs)
        if not splits:
            out.notes.append(f"表三 row {row.key}: values cannot be read as {ncols} cells")
            unread[row.key] = g
            continue
        if splits[0].penalty:
            out.notes.append(f"表三 row {row.key}: no cut makes the row add up to its 总计")
        options[row.key] = splits
    eqs = _t3_equations(rows, ncols, clauses)
    sol = solve(options, eqs)
    out.notes.extend(sol.notes)
    for row in rows:
        if row.key in unread:
            g = unread[row.key]
            per = [[Cell(None, g.start, g.end, note=UNREAD)] for _ in range(ncols)]
        elif row.key in options:
            per = _cells_from_options(options[row.key], sol.options[row.key], ncols)
        else:
            continue
        read: list[ReadCell] = []
        for col, readings in zip(columns, per, strict=True):
            dims = (("applicant", col), *row.extra_dims)
            read.append(ReadCell(Slot(row.metric, dims, "件"), readings))
        out.rows[row.key] = read
        out.cells.extend(read)
    return out


def _t3_equations(rows: Sequence[T3Row], ncols: int, clauses: Sequence[str]) -> list[Equation]:
    eqs: list[Equation] = []
    outcome_rows = [r.key for r in rows if r.outcome]
    for c in range(ncols):
        eqs.append(
            Equation(
                [("received", c, 1), ("carried_over", c, 1), ("outcome.total", c, -1), ("carried_forward", c, -1)],
                name=f"C1[{c}]",
            )
        )
        eqs.append(Equation([(k, c, 1) for k in outcome_rows] + [("outcome.total", c, -1)], name=f"C2[{c}]"))
    total = ncols - 1
    facts: list[tuple[str, set[Decimal]]] = [
        ("received", stated(clauses, ["申请"], ["收到", "新收", "受理"])),
        ("outcome.total", stated(clauses, [], ["办结", "办理", "答复"])),
        ("carried_forward", stated(clauses, ["结转"], ["下年", "下一年", "继续办理", "结转至"])),
    ]
    for key, vals in facts:
        if len(vals) == 1:
            (v,) = tuple(vals)
            eqs.append(Equation([(key, total, 1)], const=-v, weight=1, name=f"prose:{key}"))
    return eqs


# --------------------------------------------------------------------------- 表四


def read_t4(text: str, region: tuple[int, int], clauses: Sequence[str]) -> TableRead:
    """表四: one row of fifteen numbers, in three blocks that each sum to 总计."""
    out = TableRead()
    a, b = region
    groups = read_groups(text, a, b, [])
    taken: list[Group] = []
    hi = 0
    for g in groups:
        taken.append(g)
        hi += g.capacity()[1]
        if hi >= 15:
            break
    if hi < 15:
        out.notes.append("表四: fewer than 15 values found")
        return out
    segs = [s for g in taken for s in g.segments]
    if len(segs) > 15 and all(not s.splittable for s in segs):
        out.notes.append(f"表四: {len(segs)} cells printed, the first 15 read")
        segs = segs[:15]
    kinds: list[CellKind] = ["count"] * 15
    splits, msgs = best_splits(segs, kinds, [5, 10, 15], lambda cells, end: sums_to_last(cells, end, 5), sum_width=5)
    out.notes.extend(f"表四: {m}" for m in msgs)
    if not splits:
        out.notes.append("表四: values cannot be read as 15 cells")
        a0, b0 = segs[0].start, segs[-1].end
        splits = [Split([Cell(None, a0, b0, note=UNREAD)] * 15)]
    if splits[0].penalty:
        out.notes.append("表四: no cut makes every block add up to its 总计")
    if len(splits) > 1:
        review = stated(clauses, ["行政复议"], [])
        suits = stated(clauses, ["行政诉讼"], [])
        tests: list[Callable[[Split], bool]] = []
        if len(review) == 1:
            tests.append(lambda s: s.cells[4].value in review)
        if len(suits) == 1:

            def lit(s: Split) -> bool:
                d, r = s.cells[9].value, s.cells[14].value
                return d is not None and r is not None and d + r in suits

            tests.append(lit)
        before = len(splits)
        splits = _prefer(splits, tests)
        if len(splits) < before:
            out.notes.append(f"表四: cut chosen with figures stated in the prose ({len(splits)} of {before})")
    per = _cells_from_options(splits, set(range(len(splits))), 15)
    for bi, block in enumerate(T4_BLOCKS):
        for oi, outcome in enumerate(T4_OUTCOMES):
            slot = Slot(f"{block.prefix}.{outcome}", block.dims, "件")
            out.cells.append(ReadCell(slot, per[bi * 5 + oi]))
    return out
