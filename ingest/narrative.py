"""Figures, statements and stated shares from the prose of a report.

The engine reads every number in the text (``numerals.find_quantities``),
works out the clause around it and the subject under discussion, and maps it
to a metric through the phrase table (``phrases.PHRASES``).  A number no row
fits is kept as an *uncoded* figure when it has a unit, so nothing printed is
silently dropped.  Nothing here knows about any particular report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.dictionary import Dictionary, load_dictionary
from ingest.model import Figure, Section, Statement
from ingest.numerals import Quantity, find_quantities, normalize
from ingest.phrases import PHRASES, SHARE_PARENTS, TOPICS, ZERO_PHRASES, Phrase
from ingest.sections import section_at

CLAUSE_DELIMS = "，,。；;：:！!？?\n"
SENTENCE_DELIMS = "。；;！!？?\n"
SUBUNIT_EXAMPLE_RE = re.compile(r"以(?P<subunit>[\u4e00-\u9fff]{2,10}?)为例")
SUBUNIT_PREFIXES = ("其中", "另", "仅", "全年", "共")


@dataclass
class StatedShare:
    """A percentage the report prints, and what it is a share of."""

    part: Figure
    whole: Figure | None
    percent: Decimal
    quote: str
    start: int
    end: int


@dataclass
class NarrativeResult:
    figures: list[Figure] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    shares: list[StatedShare] = field(default_factory=list)


def _clause_start(text: str, pos: int, delims: str = CLAUSE_DELIMS) -> int:
    i = pos - 1
    while i >= 0 and text[i] not in delims:
        i -= 1
    return i + 1


def _clause_end(text: str, pos: int, delims: str = CLAUSE_DELIMS) -> int:
    i = pos
    while i < len(text) and text[i] not in delims:
        i += 1
    return i


def _is_noise(text: str, q: Quantity) -> bool:
    """Numbers that are dates, document numbers, phone numbers, figure captions."""
    after = text[q.end : q.end + 1]
    before = text[max(0, q.start - 1) : q.start]
    if q.unit is None and after in "年月日号时点:：-—/．.":
        return True
    if before in "第〔[（(图表-—/:：" or after in "〕]":
        return True
    if q.unit is None and before.isdigit():
        return True
    window = text[max(0, q.start - 12) : q.end + 2]
    return bool(re.search(r"https?://|www\.|@|邮编|电话|传真：|传真:|地址", window))


def _topic(context: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, pattern in TOPICS.items():
        for m in re.finditer(pattern, context):
            if best is None or m.end() > best[0]:
                best = (m.end(), name)
    return best[1] if best else None


def _matches(p: Phrase, before: str, after_clause: str, after_sentence: str) -> re.Match[str] | None:
    if p.side in ("before", "either"):
        m = re.search(p.phrase, before)
        if m:
            return m
    if p.side in ("after", "either"):
        target = after_sentence if p.phrase.startswith("^") else after_clause
        return re.search(p.phrase, target)
    return None


def classify(phrase_text: str, topic: str | None) -> Phrase | None:
    """The first phrase row whose words occur in ``phrase_text`` (units ignored)."""
    for p in PHRASES:
        if p.topic is not None and topic is not None and p.topic != topic:
            continue
        if p.side == "after":
            continue
        if re.search(p.phrase, phrase_text):
            return p
    return None


class NarrativeExtractor:
    """Reads prose figures; one instance per report text."""

    def __init__(self, text: str, sections: list[Section], year: int | None,
                 dictionary: Dictionary | None = None, end: int | None = None) -> None:
        self.text = text
        self.sections = sections
        self.year = year
        self.dictionary = dictionary or load_dictionary()
        # Prose stops where the 统计表 begins: its cells are read by ingest.stat_table.
        self.end = len(text) if end is None else end
        self.prose = text[: self.end]

    # -- context ------------------------------------------------------------
    def _topic_at(self, pos: int) -> str | None:
        sec = section_at(self.sections, pos)
        start = sec.start if sec else max(0, pos - 300)
        start = max(start, pos - 600)
        title = sec.title if sec else ""
        return _topic(title + "\n" + self.text[start:pos])

    def _subunit_at(self, pos: int) -> str | None:
        s = _clause_start(self.text, pos, SENTENCE_DELIMS)
        m = None
        for m in SUBUNIT_EXAMPLE_RE.finditer(self.text, s, pos):
            pass
        return m.group("subunit") if m else None

    # -- figures ------------------------------------------------------------
    def _figure(self, q: Quantity, consumed: list[tuple[int, int]]) -> Figure | None:
        text = self.text
        if any(a <= q.start < b for a, b in consumed):
            return None
        if _is_noise(text, q) or q.unit == "%":
            return None
        cs = _clause_start(text, q.start)
        before = text[cs : q.start]
        after_clause = text[q.end : _clause_end(text, q.end)]
        after_sentence = text[q.end : _clause_end(text, q.end, SENTENCE_DELIMS)]
        topic = self._topic_at(q.start)
        for p in PHRASES:
            if p.units is not None and q.unit not in p.units:
                continue
            if p.topic is not None and p.topic != topic:
                continue
            metric_unit = self.dictionary.metrics[p.metric].unit
            if q.unit is not None and not _unit_compatible(q.unit, metric_unit):
                continue
            m = _matches(p, before, after_clause, after_sentence)
            if m is None:
                continue
            dims = dict(p.dims)
            subunit = m.groupdict().get("subunit") if m.re.groupindex.get("subunit") else None
            if subunit:
                for prefix in SUBUNIT_PREFIXES:
                    if subunit.startswith(prefix):
                        subunit = subunit[len(prefix):]
            subunit = subunit or self._subunit_at(q.start)
            if subunit:
                dims["subunit"] = subunit
            try:
                dims = self.dictionary.complete_dims(p.metric, dims)
                self.dictionary.validate(p.metric, dims)
            except (KeyError, ValueError):
                continue
            return Figure(
                metric=p.metric, dims=dims, value=q.value, unit=metric_unit, quote=q.text,
                start=q.start, end=q.end, qualifier="approx" if q.approx else "exact",
            )
        if q.unit is None:
            return None
        label = (before + q.text + after_clause).strip()
        return Figure(
            metric=None, dims={}, value=q.value, unit=q.unit, quote=q.text, start=q.start, end=q.end,
            qualifier="approx" if q.approx else "exact", label=label[:120],
        )

    def _zero_figures(self, have: set[tuple[str, tuple[tuple[str, str], ...]]]) -> list[Figure]:
        out: list[Figure] = []
        for z in ZERO_PHRASES:
            for m in re.finditer(z.phrase, self.prose):
                if z.topic is not None and self._topic_at(m.start()) != z.topic:
                    continue
                dims = self.dictionary.complete_dims(z.metric, dict(z.dims))
                key = (z.metric, tuple(sorted(dims.items())))
                if key in have:
                    continue
                have.add(key)
                out.append(Figure(
                    metric=z.metric, dims=dims, value=Decimal(0), unit=self.dictionary.metrics[z.metric].unit,
                    quote=m.group(0), start=m.start(), end=m.end(),
                ))
                break
        return out

    # -- statements ---------------------------------------------------------
    STATEMENT_RE = re.compile(
        r"(?P<cmp>比|较|与|同比)(?P<base>(?:19|20)\d\d年(?:度)?|上一?年(?:度)?|去年|往年|前一年|上年同期)(?:同期)?"
        r"(?P<subject>[^，,。；;]{0,24}?)"
        r"(?P<dir>多出|增加|增长|提高|上升|减少|下降|降低|回落|持平|多|少)了?"
    )
    HEDGES = ("略", "有一定", "有所", "明显", "大幅", "稍")

    def _statements(self, figures: list[Figure]) -> tuple[list[Statement], list[tuple[int, int]]]:
        out: list[Statement] = []
        consumed: list[tuple[int, int]] = []
        for m in self.STATEMENT_RE.finditer(self.prose):
            base_txt = m.group("base")
            base_year: int | None = None
            if base_txt[:4].isdigit():
                base_year = int(base_txt[:4])
            elif base_txt != "往年" and self.year is not None:
                base_year = self.year - 1
            direction = {"持平": "same"}.get(m.group("dir"))
            if direction is None:
                direction = "decrease" if m.group("dir") in ("减少", "下降", "降低", "回落", "少") else "increase"
            # the delta: a quantity starting right after the direction word
            delta: Quantity | None = None
            tail = self.text[m.end() : m.end() + 24]
            for q in find_quantities(tail):
                if q.start <= 1:
                    delta = Quantity(q.value, q.unit, q.printed_unit, q.approx, q.start + m.end(),
                                     q.end + m.end(), q.text)
                break
            end = delta.end if delta else m.end()
            if delta:
                consumed.append((delta.start, delta.end))
            subject_before = self.text[_clause_start(self.text, m.start()) : m.start()]
            subject = m.group("subject") + " " + subject_before
            topic = self._topic_at(m.start())
            hit = classify(subject, topic)
            metric: str | None = None
            dims: dict[str, str] = {}
            if hit is not None:
                metric = hit.metric
                dims = self.dictionary.complete_dims(hit.metric, dict(hit.dims))
            else:
                prev = [f for f in figures if f.metric and f.end <= m.start()
                        and m.start() - f.end < 40 and (delta is None or delta.unit is None or f.unit == delta.unit
                                                         or delta.unit == "%")]
                if prev:
                    metric, dims = prev[-1].metric, dict(prev[-1].dims)
            hedged = any(h in m.group("subject") for h in self.HEDGES)
            approx = hedged or delta is None or delta.approx
            out.append(Statement(
                metric=metric, dims=dims, base_year=base_year, direction=direction,  # type: ignore[arg-type]
                delta=delta.value if delta else None, qualifier="approx" if approx else "exact",
                quote=self.text[m.start():end], start=m.start(), end=end,
                delta_unit="%" if delta is not None and delta.unit == "%" else (delta.unit if delta else None),
            ))
        return out, consumed

    # -- shares -------------------------------------------------------------
    SHARE_RE = re.compile(r"(?:占(?P<whole>[^，,。；;%]{0,30}?)(?:的)?(?:比例|比重)?(?:\([^)]*\)|（[^）]*）)?(?:为|是|达)?"
                          r"|(?P<rate>[\u4e00-\u9fff]{2,8})率(?:为|是|达)?)$")

    def _shares(self, figures: list[Figure]) -> list[StatedShare]:
        out: list[StatedShare] = []
        for q in find_quantities(self.prose):
            if q.unit != "%":
                continue
            cs = _clause_start(self.text, q.start)
            clause = self.text[cs : q.start]
            m = self.SHARE_RE.search(clause)
            if not m:
                continue
            part_phrase = clause[: m.start()] if m.group("rate") is None else m.group("rate")
            topic = self._topic_at(q.start)
            earlier = [f for f in figures if f.end <= q.start and f.status == "reported"]
            sentence_start = _clause_start(self.text, q.start, SENTENCE_DELIMS)
            part: Figure | None = None
            if part_phrase.strip():
                hit = classify(part_phrase, topic)
                if hit is not None:
                    same = [f for f in earlier if f.metric == hit.metric
                            and all(f.dims.get(k) == v for k, v in hit.dims.items())]
                    part = same[-1] if same else None
            if part is None:
                recent = [f for f in earlier if f.start >= sentence_start - 200]
                part = recent[-1] if recent else None
            if part is None:
                continue
            whole = self._whole(part, m.group("whole") or "", earlier)
            out.append(StatedShare(part, whole, q.value, self.text[cs:q.end], cs, q.end))
        return out

    def _whole(self, part: Figure, whole_phrase: str, earlier: list[Figure]) -> Figure | None:
        if part.metric is not None:
            target_metric = part.metric
            target_dims = {k: "total" if k not in ("subunit", "period") else v for k, v in part.dims.items()}
            if target_dims == part.dims:
                if part.metric in SHARE_PARENTS:
                    target_metric = SHARE_PARENTS[part.metric]
                elif part.metric.startswith("applications.outcome.") and part.metric != "applications.outcome.total":
                    target_metric = "applications.outcome.total"
                else:
                    target_metric = ""
                target_dims = {k: v for k, v in target_dims.items()}
            if target_metric:
                wanted = self.dictionary.complete_dims(target_metric, target_dims)
                cands = [f for f in earlier if f.metric == target_metric and f.dims == wanted]
                if cands:
                    return cands[-1]
        # Fall back to the earlier figure whose wording best matches the phrase.
        best: tuple[int, Figure] | None = None
        grams = _bigrams(whole_phrase)
        for f in earlier:
            if f is part or f.unit != part.unit:
                continue
            label = (f.dims.get("subunit", "") + self.text[_clause_start(self.text, f.start) : f.start])
            score = len(grams & _bigrams(label))
            if score and (best is None or score >= best[0]):
                best = (score, f)
        return best[1] if best else None

    # -- all ----------------------------------------------------------------
    def extract(self) -> NarrativeResult:
        quantities = find_quantities(self.prose)
        statements, consumed = self._statements([])
        figures: list[Figure] = []
        seen: set[tuple[str, tuple[tuple[str, str], ...], Decimal]] = set()
        for q in quantities:
            fig = self._figure(q, consumed)
            if fig is None:
                continue
            if fig.metric is not None:
                key = (fig.metric, tuple(sorted(fig.dims.items())), fig.value or Decimal(0))
                if key in seen:
                    continue
                seen.add(key)
            figures.append(fig)
        have = {(f.metric, tuple(sorted(f.dims.items()))) for f in figures if f.metric}
        figures.extend(self._zero_figures(have))  # type: ignore[arg-type]
        figures.sort(key=lambda f: f.start)
        # statements again, now that figures are known (subject fallback)
        statements, _ = self._statements(figures)
        return NarrativeResult(figures=figures, statements=statements, shares=self._shares(figures))


def _unit_compatible(printed: str, metric_unit: str) -> bool:
    counts = {"件", "条", "次", "个", "项", "篇", "场", "期"}
    if printed == metric_unit:
        return True
    if printed in counts and metric_unit in counts:
        return True
    return printed in ("人", "人次") and metric_unit in ("人", "人次")


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"\s", "", s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def derive_prior_values(statements: list[Statement], figures: list[Figure]) -> list[Figure]:
    """Last year's value from "比2016年增加34.3万元": this year's value minus the delta."""
    out: list[Figure] = []
    for st in statements:
        if st.metric is None or st.delta is None or st.base_year is None or st.delta_unit == "%":
            continue
        current = [f for f in figures if f.metric == st.metric and f.dims == st.dims and f.value is not None
                   and f.status == "reported"]
        if not current:
            continue
        cur = current[0]
        assert cur.value is not None
        sign = {"increase": -1, "decrease": 1, "same": 0}[st.direction]
        value = normalize(cur.value + sign * st.delta)
        approx = st.qualifier == "approx" or cur.qualifier == "approx"
        out.append(Figure(
            metric=st.metric, dims=dict(st.dims), value=value, unit=cur.unit, quote=st.quote,
            start=st.start, end=st.end, qualifier="approx" if approx else "exact", status="derived",
            year=st.base_year, note=f"{cur.quote} {'−' if sign < 0 else '+'} {st.quote}",
        ))
    return out
