"""The 政府信息公开情况统计表 at the end of pre-2019 reports.

The table has four columns — 指标名称 | 计量单位 | 本年度 | 历年累计 — and
web copies print it in one of two ways:

* space-separated: ``主动公开信息数 条 739 4359 其中：1、网站公开 条 739 4359``;
  a missing cell is simply absent (``2、政府公报公开 条 0``), "/" means
  "not available";
* flattened, every separator lost, the next row's item number glued on:
  ``主动公开文件数条346085376其中：1、政府网站公开数条3460853762、政府公报公开数条00``.

A flattened run like ``346085376`` can be cut several ways (3 | 46085376,
34 | 6085376, 3460 | 85376).  The cut is chosen by the table's own
constraints, strongest first: no leading zeros, 累计 ≥ 本年度, every 其中
sub-row ≤ its parent row, sub-rows adding up to the parent, and the report's
prose stating one of the candidate values.  What the constraints leave
ambiguous is recorded as ambiguous (value None, ``candidates``), never guessed.
Row labels are mapped to metric codes by ``phrases.STAT_ROWS``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.dictionary import Dictionary, load_dictionary
from ingest.model import Check, CheckSide, Figure
from ingest.numerals import normalize, to_ascii
from ingest.phrases import STAT_ROWS, StatRowPhrase

SP = " \t\u3000\xa0"
HEADER_RE = re.compile(
    rf"(?:指[{SP}]*标[{SP}]*名[{SP}]*称|统[{SP}]*计[{SP}]*指[{SP}]*标)[{SP}]*(?:计[{SP}]*量[{SP}]*)?单[{SP}]*位[{SP}]*"
    rf"(?P<cols>(?:(?:(?:19|20)\d\d[{SP}]*年[{SP}]*度?|本[{SP}]*年[{SP}]*度?|上[{SP}]*年[{SP}]*度?|历[{SP}]*年[{SP}]*累[{SP}]*计"
    rf"|累[{SP}]*计)[{SP}]*)+)"
)
COLUMN_RE = re.compile(
    rf"历[{SP}]*年[{SP}]*累[{SP}]*计|累[{SP}]*计|(?:19|20)\d\d[{SP}]*年[{SP}]*度?|本[{SP}]*年[{SP}]*度?|上[{SP}]*年[{SP}]*度?"
)
UNITS = ("万元", "人次", "条", "件", "元", "个", "次", "人", "项", "篇", "份")
ROW_RE = re.compile(
    rf"[{SP}\r\n|]*(?P<pre>其中[:：]?[{SP}]*)?(?:(?P<item>\d{{1,2}})[{SP}]*[、.．][{SP}]*)?"
    rf"(?P<label>[\u4e00-\u9fff（(][^\d/]*?)[{SP}]*(?P<unit>{'|'.join(UNITS)})[{SP}]*(?=[\d/０-９])"
)
RUN_RE = re.compile(rf"(?:[\d/０-９]+|[.．](?=[\d０-９])|[{SP}]+(?=[\d/０-９]))+")
ITEM_AFTER_RE = re.compile(r"[、.．](?![\d０-９])")
MAX_COMBINATIONS = 50_000

Cells = tuple[Decimal | None, ...]


@dataclass
class StatRow:
    """One printed row with every way its cells can be read."""

    label: str
    unit: str
    item: int | None
    start: int  # label start
    end: int  # end of the value cells (a glued next-row number excluded)
    raw: str  # the value cells as printed
    candidates: list[Cells]
    metric: str | None = None
    dims: dict[str, str] = field(default_factory=dict)
    parent: int | None = None  # index of the row this is a 其中 part of
    missing: bool = False  # fewer cells printed than columns

    @property
    def resolved(self) -> Cells | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


@dataclass
class StatTable:
    start: int  # header start
    end: int  # end of the last row
    columns: list[str]  # "year" or "cumulative", in order
    rows: list[StatRow]
    spaced: bool  # cells separated by spaces (not flattened)


def _splits(digits: str, parts: int) -> list[list[str]]:
    """Every way to cut a digit run into ``parts`` numbers without leading zeros."""
    if parts == 1:
        ok = digits and (digits == "0" or not digits.startswith("0") or digits.startswith("0."))
        return [[digits]] if ok and not digits.endswith(".") else []
    out: list[list[str]] = []
    for i in range(1, len(digits)):
        head = digits[:i]
        if head.endswith(".") or digits[i] == ".":
            continue
        if len(head) > 1 and head.startswith("0") and not head.startswith("0."):
            continue
        for rest in _splits(digits[i:], parts - 1):
            out.append([head, *rest])
    return out


def _cell_candidates(raw: str, ncols: int, spaced_table: bool) -> tuple[list[Cells], bool]:
    """The possible readings of a row's value run, and whether cells are missing."""
    text = to_ascii(raw).strip()
    tokens = text.split()
    if len(tokens) > 1 or (spaced_table and len(tokens) == 1 and len(tokens[0]) == 1) or ncols == 1:
        cells: list[Decimal | None] = [None if t == "/" else Decimal(t) for t in tokens[:ncols]]
        missing = len(cells) < ncols
        cells += [None] * (ncols - len(cells))
        return [tuple(cells)], missing
    pieces = re.findall(r"/|[\d.]+", tokens[0] if tokens else "")
    run_idx = [i for i, p in enumerate(pieces) if p != "/"]
    need = ncols - (len(pieces) - len(run_idx))
    if not run_idx:
        return [tuple([None] * ncols)], ncols > len(pieces)
    readings: list[Cells] = []
    for counts in itertools.product(range(1, need + 1), repeat=len(run_idx)):
        if sum(counts) != need:
            continue
        per_run = [_splits(pieces[i], c) for i, c in zip(run_idx, counts, strict=True)]
        for combo in itertools.product(*per_run):
            out: list[Decimal | None] = []
            k = 0
            for p in pieces:
                if p == "/":
                    out.append(None)
                else:
                    out.extend(Decimal(x) for x in combo[k])
                    k += 1
            readings.append(tuple(out))
    if not readings:
        return [tuple([None] * ncols)], True
    return list(dict.fromkeys(readings)), False


def classify_row(label: str, rows: tuple[StatRowPhrase, ...] = STAT_ROWS) -> StatRowPhrase | None:
    """The first 统计表 row phrase whose words occur in the label."""
    for r in rows:
        if r.requires is not None and r.requires not in label:
            continue
        if re.search(r.phrase, label):
            return r
    return None


def _columns(header: str, year: int | None) -> list[str]:
    """"year", "cumulative" or "prior" (a previous year's column, not read) for each printed column."""
    out: list[str] = []
    years: list[int | None] = []
    for c in COLUMN_RE.finditer(header):
        label = re.sub(r"\s", "", c.group(0))
        out.append("cumulative" if "累" in label else "prior" if label.startswith("上") else "year")
        years.append(int(label[:4]) if label[:4].isdigit() else None)
    year_cols = [i for i, c in enumerate(out) if c == "year"]
    if len(year_cols) > 1:  # "2016年 2017年 累计": the report year is this year, the others are prior
        keep = next((i for i in year_cols if year is not None and years[i] == year), year_cols[-1])
        out = ["prior" if i in year_cols and i != keep else c for i, c in enumerate(out)]
    return out


def find_stat_table(text: str, year: int | None = None) -> StatTable | None:
    """The 统计表 of a narrative report: header, columns and every row as printed."""
    h = HEADER_RE.search(text)
    if h is None:
        return None
    columns = _columns(h.group("cols"), year)
    ncols = len(columns)
    pos = h.end()
    raw_rows: list[tuple[re.Match[str], str, int, int]] = []
    while True:
        m = ROW_RE.match(text, pos)
        if m is None:
            break
        run = RUN_RE.match(text, m.end())
        if run is None:
            break
        raw, rstart, rend = run.group(0), run.start(), run.end()
        nxt = rend
        item = int(m.group("item")) if m.group("item") else None
        next_item = str(item + 1) if item is not None else "1"
        if ITEM_AFTER_RE.match(text, rend):
            stripped = raw.rstrip()
            if stripped.endswith(next_item) and len(re.sub(r"\s", "", stripped)) > len(next_item):
                cut = len(stripped) - len(next_item)
                raw = stripped[:cut]
                rend = rstart + len(raw.rstrip())
                nxt = rstart + cut
        raw_rows.append((m, raw, rstart, rend))
        pos = nxt
    if not raw_rows:
        return None
    token_counts = [len(to_ascii(r[1]).split()) for r in raw_rows]
    spaced = sum(1 for c in token_counts if c > 1) * 2 >= len(token_counts)
    rows: list[StatRow] = []
    parent: int | None = None
    for m, raw, _rstart, rend in raw_rows:
        item = int(m.group("item")) if m.group("item") else None
        cands, missing = _cell_candidates(raw, ncols, spaced)
        row = StatRow(label=re.sub(rf"[{SP}]", "", m.group("label")), unit=m.group("unit"), item=item,
                      start=m.start("label"), end=rend, raw=raw.strip(), candidates=cands, missing=missing)
        if item is None and not m.group("pre"):
            parent = len(rows)
        elif parent is not None:
            row.parent = parent
        rows.append(row)
    return StatTable(h.start(), rows[-1].end, columns, rows, spaced)


def _prose_values(prose: list[Figure]) -> dict[tuple[str, tuple[tuple[str, str], ...]], set[Decimal]]:
    out: dict[tuple[str, tuple[tuple[str, str], ...]], set[Decimal]] = {}
    for f in prose:
        if f.metric is None or f.value is None or f.status != "reported" or f.year is not None:
            continue
        if "subunit" in f.dims or "period" in f.dims:
            continue
        out.setdefault((f.metric, tuple(sorted(f.dims.items()))), set()).add(f.value)
    return out


def _ok_row(cells: Cells, columns: list[str]) -> bool:
    if "year" in columns and "cumulative" in columns:
        y, c = cells[columns.index("year")], cells[columns.index("cumulative")]
        if y is not None and c is not None and c < y:
            return False
    return True


def _le(part: Cells, whole: Cells) -> bool:
    return all(p is None or w is None or p <= w for p, w in zip(part, whole, strict=True))


def _adds_up(combo: tuple[Cells, ...], ncols: int) -> bool:
    """The sub-rows (combo[1:]) add up to the parent row (combo[0]) in every column."""
    for j in range(ncols):
        whole = combo[0][j]
        parts = [k[j] for k in combo[1:]]
        if whole is None or any(v is None for v in parts):
            return False
        if sum((v for v in parts if v is not None), Decimal(0)) != whole:
            return False
    return True


def _solve(table: StatTable, prose: list[Figure]) -> None:
    """Narrow every row's readings with the table's constraints and the prose."""
    cols = table.columns
    year_i = cols.index("year") if "year" in cols else None
    stated = _prose_values(prose)
    for row in table.rows:
        kept = [c for c in row.candidates if _ok_row(c, cols)]
        row.candidates = kept or row.candidates
    groups: dict[int, list[int]] = {}
    for i, row in enumerate(table.rows):
        if row.parent is not None:
            groups.setdefault(row.parent, []).append(i)
    for _ in range(3):
        # the prose: a reading whose 本年 value the report states elsewhere
        for row in table.rows:
            if len(row.candidates) < 2 or row.metric is None or year_i is None:
                continue
            said = stated.get((row.metric, tuple(sorted(row.dims.items()))), set())
            agree = [c for c in row.candidates if c[year_i] in said]
            if agree:
                row.candidates = agree
        for p, kids in groups.items():
            members = [p, *kids]
            lists = [table.rows[i].candidates for i in members]
            size = 1
            for lst in lists:
                size *= len(lst)
            if size < 2 or size > MAX_COMBINATIONS:
                continue
            valid = [combo for combo in itertools.product(*lists)
                     if all(_le(k, combo[0]) for k in combo[1:])]
            exact = [combo for combo in valid if _adds_up(combo, len(cols))]
            chosen = exact or valid
            if not chosen:
                continue
            for pos_in_group, i in enumerate(members):
                table.rows[i].candidates = list(dict.fromkeys(combo[pos_in_group] for combo in chosen))


def read_stat_table(text: str, prose: list[Figure] | None = None, dictionary: Dictionary | None = None,
                    year: int | None = None) -> tuple[StatTable | None, list[Figure]]:
    """The 统计表 and one figure per printed cell (cumulative cells get ``period: cumulative``).

    A previous year's column is read for the constraints but yields no figure: the
    report's figures are about its own year (and the running total).
    """
    dictionary = dictionary or load_dictionary()
    table = find_stat_table(text, year)
    if table is None:
        return None, []
    for row in table.rows:
        hit = classify_row(row.label)
        if hit is not None:
            row.metric = hit.metric
            row.dims = dictionary.complete_dims(hit.metric, dict(hit.dims))
    _solve(table, prose or [])
    figures: list[Figure] = []
    for row in table.rows:
        quote = text[row.start : row.end]
        for j, col in enumerate(table.columns):
            if col == "prior":
                continue
            values = list(dict.fromkeys(c[j] for c in row.candidates))
            value = values[0] if len(values) == 1 else None
            candidates = [v for v in values if v is not None] if len(values) > 1 else None
            note = None
            if candidates:
                note = f"flattened cells '{row.raw}' can be split several ways"
            elif value is None and row.missing:
                note = "cell not printed"
            elif value is None:
                note = "printed as '/' (not available)"
            if row.metric is None:
                figures.append(Figure(
                    metric=None, dims={"period": "cumulative"} if col == "cumulative" else {},
                    value=normalize(value) if value is not None else None, unit=row.unit, quote=quote,
                    start=row.start, end=row.end, label=row.label, note=note, candidates=candidates,
                ))
                continue
            dims = dict(row.dims)
            if col == "cumulative":
                dims["period"] = "cumulative"
            figures.append(Figure(
                metric=row.metric, dims=dims, value=normalize(value) if value is not None else None,
                unit=dictionary.metrics[row.metric].unit, quote=quote, start=row.start, end=row.end,
                note=note, candidates=candidates,
            ))
    return table, figures


# --- checks --------------------------------------------------------------------------------------
def _dims_tag(dims: dict[str, str], extra: str | None = None) -> str:
    tags = [v for k, v in sorted(dims.items()) if v != "total" and k not in ("period", "subunit")]
    if extra:
        tags.append(extra)
    return f"[{','.join(tags)}]" if tags else ""


def _row_name(row: StatRow) -> str:
    return f"统计表 {row.label}"


def table_checks(table: StatTable, text: str) -> list[Check]:
    """Sub-rows against their parent row, and 累计 ≥ 本年度, per column."""
    checks: list[Check] = []
    cols = table.columns
    groups: dict[int, list[int]] = {}
    for i, row in enumerate(table.rows):
        if row.parent is not None:
            groups.setdefault(row.parent, []).append(i)
    for p, kids in groups.items():
        parent = table.rows[p]
        if parent.metric is None:
            continue
        for j, col in enumerate(cols):
            if col == "prior":
                continue
            rule = f"sum:{parent.metric}{_dims_tag(parent.dims, 'cumulative' if col == 'cumulative' else None)}"
            pv = parent.resolved[j] if parent.resolved else None
            parts = [table.rows[k] for k in kids]
            values = [r.resolved[j] if r.resolved else None for r in parts]
            source = " + ".join(f"{r.label} «{text[r.start:r.end]}»" for r in parts)
            left = CheckSide(pv, f"{_row_name(parent)} «{text[parent.start:parent.end]}»", parent.start, parent.end)
            if pv is None or any(v is None for v in values):
                checks.append(Check(rule, "inconclusive", left, CheckSide(None, source),
                                    f"统计表 {'累计' if col == 'cumulative' else '本年'}: a cell is not available"))
                continue
            s = sum((v for v in values if v is not None), Decimal(0))
            detail = (f"统计表 {'累计' if col == 'cumulative' else '本年'}: "
                      + " + ".join(str(v) for v in values) + f" = {s} vs {pv}")
            checks.append(Check(rule, "pass" if s == pv else "fail", left, CheckSide(s, source), detail))
    if "year" in cols and "cumulative" in cols:
        yi, ci = cols.index("year"), cols.index("cumulative")
        bad: list[StatRow] = []
        compared = 0
        for row in table.rows:
            cells = row.resolved
            if cells is None or cells[yi] is None or cells[ci] is None:
                continue
            compared += 1
            if cells[ci] < cells[yi]:  # type: ignore[operator]
                bad.append(row)
        if compared:
            first = bad[0] if bad else None
            detail = ("every row has 累计 ≥ 本年度" if not bad else
                      "累计 < 本年度 in: " + "; ".join(f"{r.label} «{text[r.start:r.end]}»" for r in bad))
            checks.append(Check(
                "cumulative_ge_year:统计表", "fail" if bad else "pass",
                CheckSide(first.resolved[ci] if first and first.resolved else None,
                          f"统计表 累计 ({compared} rows)", table.start, table.end),
                CheckSide(first.resolved[yi] if first and first.resolved else None, "统计表 本年度"),
                detail, notable=bool(bad),
            ))
    return checks


def prose_vs_table(prose: list[Figure], table_figures: list[Figure], table_name: str = "统计表") -> list[Check]:
    """Every table cell (统计表 本年, or a national-table cell) that the prose also states must agree with it."""
    checks: list[Check] = []
    by_key: dict[tuple[str, tuple[tuple[str, str], ...]], Figure] = {}
    for f in prose:
        if f.metric is None or f.status != "reported" or f.year is not None:
            continue
        if "subunit" in f.dims or "period" in f.dims:
            continue
        by_key.setdefault((f.metric, tuple(sorted(f.dims.items()))), f)
    seen: set[str] = set()
    for t in table_figures:
        if t.metric is None or "period" in t.dims:
            continue
        p = by_key.get((t.metric, tuple(sorted(t.dims.items()))))
        if p is None:
            continue
        rule = f"prose_vs_table:{t.metric}{_dims_tag(t.dims)}"
        if rule in seen:
            continue
        seen.add(rule)
        left = CheckSide(p.value, f"prose «{p.quote}»", p.start, p.end)
        right = CheckSide(t.value, f"{table_name} «{t.quote}»", t.start, t.end)
        if p.value is None or t.value is None:
            why = "ambiguous flattened cell" if t.candidates else f"not available in the {table_name}"
            checks.append(Check(rule, "inconclusive", left, right, f"prose {p.value} vs {table_name} ({why})"))
            continue
        ok = p.value == t.value
        checks.append(Check(rule, "pass" if ok else "fail", left, right,
                            f"prose {p.value} vs {table_name} {t.value}", notable=not ok))
    return checks


Key = tuple[str, tuple[tuple[str, str], ...]]
# Families whose parts add up to a total: (total metric, dimension or None, part metrics).
FAMILIES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("applications.received", "channel", ()),
    ("applications.outcome.total", None, (
        "applications.outcome.already_public", "applications.outcome.granted", "applications.outcome.partial",
        "applications.outcome.denied", "applications.outcome.not_this_agency", "applications.outcome.not_exist",
        "applications.outcome.clarification", "applications.outcome.redirected", "applications.outcome.other",
    )),
)
# A combined row covers its members: a 信函 figure is not missing from a table that has 信函、传真.
COVERS: dict[str, tuple[str, ...]] = {"letter_or_fax": ("letter", "fax")}


def _family_values(figs: list[Figure], total: str, dim: str | None,
                   members: tuple[str, ...]) -> tuple[Figure | None, dict[str, Figure]]:
    whole: Figure | None = None
    parts: dict[str, Figure] = {}
    for f in figs:
        if f.metric is None or f.status != "reported" or f.year is not None:
            continue
        if "subunit" in f.dims or "period" in f.dims:
            continue
        if dim is not None and f.metric == total:
            member = f.dims.get(dim, "total")
            if member == "total" and all(v == "total" for v in f.dims.values()):
                whole = whole or f
            elif member != "total" and all(v == "total" for k, v in f.dims.items() if k != dim):
                parts.setdefault(member, f)
        elif dim is None and f.metric == total and all(v == "total" for v in f.dims.values()):
            whole = whole or f
        elif dim is None and f.metric in members and all(v == "total" for v in f.dims.values()):
            parts.setdefault(f.metric, f)
    return whole, parts


def _complete(whole: Figure | None, parts: dict[str, Figure]) -> bool:
    if whole is None or whole.value is None or not parts or any(p.value is None for p in parts.values()):
        return False
    return sum((p.value for p in parts.values() if p.value is not None), Decimal(0)) == whole.value


def implied_zero_checks(prose: list[Figure], table_figures: list[Figure]) -> list[Check]:
    """Parts one side leaves out although its breakdown is complete: there they are 0.

    "共收到申请7条，网上申请数3条，信函申请数4条" lists every channel (3 + 4 = 7), so
    the prose says there was no 电子邮件 application; a 统计表 with 电子邮件申请数 3
    disagrees.  Only when the side that is silent adds up to its own total.
    """
    checks: list[Check] = []
    for total, dim, members in FAMILIES:
        p_whole, p_parts = _family_values(prose, total, dim, members)
        t_whole, t_parts = _family_values(table_figures, total, dim, members)
        p_complete, t_complete = _complete(p_whole, p_parts), _complete(t_whole, t_parts)
        for name in sorted(set(p_parts) ^ set(t_parts)):
            in_prose = name in p_parts
            if in_prose and (not t_complete or any(name in COVERS.get(c, ()) for c in t_parts)):
                continue
            if not in_prose and (not p_complete or any(name in COVERS.get(c, ()) for c in p_parts)):
                continue
            shown = p_parts[name] if in_prose else t_parts[name]
            tag = f"[{name}]" if dim is not None else ""
            metric = total if dim is not None else name
            rule = f"prose_vs_table:{metric}{tag}"
            if in_prose:
                left = CheckSide(shown.value, f"prose «{shown.quote}»", shown.start, shown.end)
                right = CheckSide(Decimal(0), "统计表: no such row, and its rows add up to the total (implied 0)")
            else:
                left = CheckSide(Decimal(0), "prose: not mentioned, and its breakdown adds up to the total (implied 0)")
                right = CheckSide(shown.value, f"统计表 «{shown.quote}»", shown.start, shown.end)
            if left.value is None or right.value is None:
                continue
            ok = left.value == right.value
            checks.append(Check(rule, "pass" if ok else "fail", left, right,
                                f"prose {left.value} vs 统计表 本年 {right.value} (one side implied by a complete "
                                f"breakdown)", notable=not ok))
    return checks


def balance_check(figures: list[Figure]) -> Check | None:
    """Applications received (+ carried over) against those answered (+ carried forward).

    Prose figures first, 统计表 本年 cells otherwise.  Without a carry-forward figure a
    difference may be applications still open at year end, so it is inconclusive.
    """
    def pick(metric: str) -> Figure | None:
        cands = [f for f in figures if f.metric == metric and f.status == "reported" and f.year is None
                 and "subunit" not in f.dims and "period" not in f.dims
                 and all(v == "total" for v in f.dims.values())]
        return cands[0] if cands else None

    received, answered = pick("applications.received"), pick("applications.outcome.total")
    if received is None or answered is None or received.value is None or answered.value is None:
        return None
    carried_over, carried_forward = pick("applications.carried_over"), pick("applications.carried_forward")
    incoming = received.value + (carried_over.value or Decimal(0) if carried_over else Decimal(0))
    outgoing = answered.value + (carried_forward.value or Decimal(0) if carried_forward else Decimal(0))
    left = CheckSide(incoming, f"received «{received.quote}»" + (" + carried over" if carried_over else ""),
                     received.start, received.end)
    right = CheckSide(outgoing, f"answered «{answered.quote}»" + (" + carried forward" if carried_forward else ""),
                      answered.start, answered.end)
    detail = f"{incoming} received vs {outgoing} answered"
    if incoming == outgoing:
        return Check("balance:applications", "pass", left, right, detail)
    if carried_forward is None:
        return Check("balance:applications", "inconclusive", left, right,
                     detail + "; no carry-forward figure is reported")
    return Check("balance:applications", "fail", left, right, detail, notable=True)
