"""Figures, statements and stated shares from the prose of a report.

The engine reads every number in the text (``numerals.find_quantities``) and
decides what it counts from the words around it, in this order:

1. a content category in a category list ("机构职能类信息612条") → ``BY_TOPIC``;
2. the phrase rows (``phrases.PHRASES``): the row whose words sit nearest the
   number wins ("所有办结的申请中同意公开答复9件" counts 同意公开, not 办结);
3. a key area (重点领域) in a section about key areas, when the clause counts
   information ("保障性住房信息7条"; "网上竞价423条" counts something else);
4. a clause that counts without naming what ("全年共发布信息84条"): the
   sentence, then the heading just above it, supply the subject;
5. otherwise the number is kept as an *uncoded* figure with its clause as a
   label, when it has a unit — nothing printed is silently dropped.

A number that restates a total to break it down ("…的1913条政府信息中") is not
coded twice, and a second, different value for a concept already stated is
kept uncoded (it is about a narrower scope).  Hard-wrapped PDF text is read
with its line breaks joined.  Nothing here knows about any particular report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.dictionary import Dictionary, load_dictionary
from ingest.model import Figure, Section, Statement
from ingest.numerals import Quantity, find_quantities, normalize
from ingest.phrases import (
    BY_TOPIC,
    CATEGORY_CONTEXT,
    CATEGORY_LABEL,
    KEY_AREA_CONTEXT,
    KEY_AREAS,
    PHRASES,
    SECTION_ZERO,
    SECTION_ZERO_BODY,
    SHARE_PARENTS,
    TOPICS,
    ZERO_PHRASES,
    Phrase,
)
from ingest.sections import iter_sections, section_path

CLAUSE_DELIMS = "，,。；;：:！!？?\n"
SENTENCE_DELIMS = "。；;！!？?\n"
SUBUNIT_EXAMPLE_RE = re.compile(r"以(?P<subunit>[\u4e00-\u9fff]{2,10}?)为例")


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
    if text.startswith("部分", q.end):
        return True  # "共七个部分组成": the report's own outline
    window = text[max(0, q.start - 12) : q.end + 2]
    return bool(re.search(r"https?://|www\.|@|邮编|电话|传真：|传真:|地址", window))


@dataclass
class _Context:
    """The text around a number that decides what it counts."""

    before: str  # the clause before the number
    segment: str  # the clause before the number, after any earlier number in it
    sentence: str  # the sentence before the number
    sentence_start: int
    prev_sentence: str
    after_clause: str
    after_sentence: str
    titles: list[str]  # headings containing the number, deepest first
    topic: str | None


# "…主动公开的1913条政府信息中，…": the number restates a total to break it down.
REFERENCE_AFTER_RE = re.compile(
    r"(?:的)?(?:政府|依申请|公开)?(?:信息|申请|案件|文件|答复)中(?:[，,：:]|$)"
)
# "截至12月14日，…共发布微博1288条": a running total as of a date.
CUMULATIVE_AS_OF_RE = re.compile(r"截[至止](?:(?:19|20)\d\d年)?\d{1,2}月(?:\d{1,2}日)?(?:[，,]|止)")
# A sentence opening with the body that did the counting: "区行政审批局认真做好…".
ORG_SUBJECT_RE = re.compile(r"[ \t\u3000]*(?P<org>[区县市省][\u4e00-\u9fff]{1,10}?(?:局|委员会|委|办公室|办|中心))"
                            r"(?=[\u4e00-\u9fff]{0,4}(?:认真|积极|及时|全面|在|对|按|通过|共|依法))")
# Filler words of a clause that counts without naming what ("2017年，共公开发布信息82条").
GENERIC_RE = re.compile(
    r"(?:(?:19|20)\d\d年(?:度)?|全年|今年|年内|截[至止]目前|目前|其中|另|同时|我区|我局|我市|我县|我委|全区|全市|全县"
    r"|累计|共计|共|合计|总计|已经|已|先后|主动|公开|发布|公布|推送|刊发|编发|更新|上传|报送|了|各类|相关|政府|信息"
    r"|[，,\s])*"
)
_TRAILING_FILLER = re.compile(r"(?:共|合计|总计|计|达|为|了|发布|公开|公布|主动|累计|今年|全年|(?:19|20)\d\d年(?:度)?"
                              r"|截[至止]目前|目前|[，,\s])+$")
WHOLE_PUBLISHER = re.compile(r"^(?:全区|全县|全市|全省|全镇|全乡|我区|我县|我市|我省|我局|我委|我办|我院|本机关|本单位"
                             r"|本部门|本局|本委|本办)$")
WHOLE_PREFIX = re.compile(r"^(?:全|我|本)[区县市省镇乡局委办院]")  # "我区政府信息公开单位": everyone
NOT_A_BODY = re.compile(r"^(?:通过|在|经|依托|利用|借助|对|向)|网站|平台|公众号|微博|微信|客户端|栏目|专栏")
SUBUNIT_SUFFIX = re.compile(r"(?:单位|部门|乡镇|街道|乡|镇|办|局|委|会|院|中心|政府|公司|所|站|队|处|科|室|组|厅)$")


# What may follow the number of a clause that counts without naming what: nothing, or 信息.
GENERIC_AFTER_RE = re.compile(r"(?:的)?(?:政府|各类|相关)?(?:信息)?")
# "发布招聘信息20多条": one kind of information, not everything a channel published.
_QUALIFIED_INFO = re.compile(r"([\u4e00-\u9fff]{2})信息$")
_GENERIC_INFO_HEADS = {"政府", "政务", "各类", "相关", "公开", "发布", "推送", "公布", "主动", "共计", "累计", "更新",
                       "上传", "报送", "刊发", "编发", "动态", "文件", "公文"}


def _specific_information(segment: str) -> bool:
    """The clause counts one particular kind of information ("发布招聘信息")."""
    core = _TRAILING_FILLER.sub("", segment.strip())
    m = _QUALIFIED_INFO.search(core)
    return m is not None and m.group(1) not in _GENERIC_INFO_HEADS


SEVERAL_AREAS_RE = re.compile(r"等[\u4e00-\u9fff]{0,4}领域")


def is_hard_wrapped(text: str) -> bool:
    """Lines cut at a fixed width (PDF text), so a newline is not a sentence end."""
    lines = [ln.strip() for ln in text.splitlines() if len(ln.strip()) >= 12]
    if len(lines) < 8:
        return False
    open_ended = sum(1 for ln in lines if ln[-1] not in "。；;：:！!？?）)”\"|")
    return open_ended * 2 > len(lines)


# What may stand between a channel and the number: "政府网站公开", "门户网站全年主动公开各类政府信息".
CHANNEL_REST_RE = re.compile(
    r"(?:号|账号|平台)?(?:上)?(?:全年|今年|当年|年内|共计|累计|共)*(?:主动)?(?:公开|发布|推送|编发|刊登|刊发|公布)?(?:了)?"
    r"(?:各类)?(?:政府|政务)?(?:信息|文件)?(?:数|总数|量)?(?:为|达|共|合计)?\s*"
)


def _is_generic(segment: str) -> bool:
    """A clause that counts without saying what it counts."""
    return GENERIC_RE.fullmatch(segment.strip()) is not None


def _counts_information(segment: str) -> bool:
    """The counted noun is 信息 (or left out): "保障性住房信息7条", "全年共发布152条", not "网上竞价423条"."""
    core = _TRAILING_FILLER.sub("", segment.strip())
    return core == "" or core.endswith("信息") or _is_generic(core)


def _earliest(table: tuple[tuple[str, str], ...], text: str) -> str | None:
    """The table entry whose pattern occurs first in ``text`` (table order breaks ties)."""
    best: tuple[int, int, str] | None = None
    for rank, (name, pattern) in enumerate(table):
        m = re.search(pattern, text)
        if m and (best is None or (m.start(), rank) < best[:2]):
            best = (m.start(), rank, name)
    return best[2] if best else None


def clean_subunit(raw: str) -> str | None:
    """The part of the publisher a clause names, or None for the publisher as a whole.

    "其中，区管委会及区直各部门" → "区管委会及区直各部门"; "2016年全区" → None; "我局2017年度共" → None.
    """
    s = raw.strip(" \t\u3000，,、：:")
    previous = None
    while s != previous:
        previous = s
        s = re.sub(r"^(?:其中|另外|另|仅|全年|今年|共|累计|同时|此外|在互联网上|(?:19|20)\d\d年(?:度)?)[，,、\s]*",
                   "", s)
        s = re.sub(r"[，,、\s]*(?:共|累计|合计|已|均|分别|全年|今年|(?:19|20)\d\d年(?:度)?)$", "", s)
        s = re.sub(r"(?:19|20)\d\d年(?:度)?", "", s).strip(" \t\u3000，,、")
    if not s or WHOLE_PUBLISHER.match(s) or WHOLE_PREFIX.match(s) or not SUBUNIT_SUFFIX.search(s) or len(s) > 24:
        return None
    if NOT_A_BODY.search(s):
        return None  # "通过实验区政府门户网站": a channel, not a part of the publisher
    return s


def _topic(context: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, pattern in TOPICS.items():
        for m in re.finditer(pattern, context):
            if best is None or m.end() > best[0]:
                best = (m.end(), name)
    return best[1] if best else None


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
                 dictionary: Dictionary | None = None, end: int | None = None, narrative: bool = True) -> None:
        self.text = text
        self.sections = sections
        self.year = year
        self.dictionary = dictionary or load_dictionary()
        # Prose stops where the 统计表 begins: its cells are read by ingest.stat_table.
        self.end = len(text) if end is None else end
        self.prose = text[: self.end]
        self._quantity_ends: list[int] = []
        # Content-category and key-area counts are coded for narrative reports only (the contract's
        # ``N`` format); next to the 2019+ statutory tables the same lists are commentary.
        self.narrative = narrative
        # PDF text breaks lines inside sentences ("在政\n府网站平台"): there a newline ends nothing
        self.wrapped = is_hard_wrapped(text)
        self.cd = CLAUSE_DELIMS.replace("\n", "") if self.wrapped else CLAUSE_DELIMS
        self.sd = SENTENCE_DELIMS.replace("\n", "") if self.wrapped else SENTENCE_DELIMS

    # -- context ------------------------------------------------------------
    def _t(self, start: int, end: int) -> str:
        """``text[start:end]`` as words to match: hard line wraps joined up."""
        piece = self.text[start:end]
        return piece.replace("\n", "") if self.wrapped else piece

    def _cs(self, pos: int) -> int:
        return _clause_start(self.text, pos, self.cd)

    def _ce(self, pos: int) -> int:
        return _clause_end(self.text, pos, self.cd)

    def _topic_at(self, pos: int) -> str | None:
        """The subject under discussion: the last subject word in the headings above and the text so far.

        All headings count, outermost first, so "（二）答复情况" under "三、依申请公开…" is about applications.
        """
        path = section_path(self.sections, pos)
        sec = path[-1] if path else None
        start = sec.start if sec else max(0, pos - 300)
        start = max(start, pos - 600)
        titles = "\n".join(s.title for s in path)
        return _topic(titles + "\n" + self._t(start, pos))

    def _subunit_at(self, pos: int) -> str | None:
        s = _clause_start(self.text, pos, self.sd)
        found = list(SUBUNIT_EXAMPLE_RE.finditer(self.text, s, pos))
        return found[-1].group("subunit") if found else None

    # -- figures ------------------------------------------------------------
    def _context(self, q: Quantity) -> _Context:
        text = self.text
        cs = self._cs(q.start)
        ss = _clause_start(text, q.start, self.sd)
        prev_end = max((e for e in self._quantity_ends if e <= q.start), default=0)
        seg_start = max(cs, prev_end)
        ps = _clause_start(text, max(0, ss - 1), self.sd) if ss > 0 else 0
        path = section_path(self.sections, q.start)
        return _Context(
            before=self._t(cs, q.start),
            segment=self._t(seg_start, q.start),
            sentence=self._t(ss, q.start),
            sentence_start=ss,
            prev_sentence=self._t(ps, max(ps, ss - 1)),
            after_clause=self._t(q.end, self._ce(q.end)),
            after_sentence=self._t(q.end, _clause_end(text, q.end, self.sd)),
            titles=[sec.title for sec in reversed(path)],
            topic=self._topic_at(q.start),
        )

    def _phrase_figure(self, q: Quantity, ctx: _Context, before: str | None = None,
                       sides: tuple[str, ...] = ("before", "after", "either", "sentence")) -> Figure | None:
        """The phrase row whose words sit nearest the number (``before`` overrides the clause searched).

        Nearest, not first: in "所有办结的信息公开申请中同意公开答复9件" the number counts 同意公开,
        the word right before it, not 办结 further back.  Rows that tie keep table order.
        """
        hits: list[tuple[int, int, Phrase, re.Match[str]]] = []
        for rank, p in enumerate(PHRASES):
            if p.side not in sides:
                continue
            if p.units is not None and q.printed_unit not in p.units and q.unit not in p.units:
                continue
            if p.topic is not None and p.topic != ctx.topic:
                continue
            if p.exclude is not None and re.search(p.exclude, ctx.sentence + ctx.after_sentence):
                continue
            metric_unit = self.dictionary.metrics[p.metric].unit
            if q.unit is not None and not _unit_compatible(q.unit, metric_unit):
                continue
            if p.channel_total and _specific_information(ctx.segment):
                continue
            found = self._search(p, ctx, before)
            if found is None:
                continue
            m, distance, rest = found
            if p.then is not None and not re.search(p.then, ctx.after_clause):
                continue
            if p.channel_total and before is None and rest is not None:
                if not CHANNEL_REST_RE.fullmatch(rest):
                    continue  # "门户网站发布政策解读共132件": the channel published something else
                distance = 0  # "门户网站全年主动公开各类政府信息": only filler between channel and number
            hits.append((distance, rank, p, m))
        for _distance, _rank, p, m in sorted(hits, key=lambda h: (h[0], h[1])):
            dims = dict(p.dims)
            subunit: str | None = None
            if m.re.groupindex.get("subunit"):
                subunit = clean_subunit(m.group("subunit") or "")
            subunit = subunit or self._subunit_at(q.start)
            if subunit:
                dims["subunit"] = subunit
            fig = self._coded(q, p.metric, dims, ctx)
            if fig is not None:
                return fig
        return None

    @staticmethod
    def _search(p: Phrase, ctx: _Context, before: str | None) -> tuple[re.Match[str], int, str | None] | None:
        """Where a row's words occur: the match, its distance from the number, and what lies between."""
        if p.side in ("before", "either", "sentence"):
            text = (ctx.sentence if p.side == "sentence" else ctx.segment) if before is None else before
            found = list(re.finditer(p.phrase, text))
            last = found[-1] if found else None
            if last is not None:
                return last, len(text) - last.end(), text[last.end():]
        if p.side in ("after", "either"):
            target = ctx.after_sentence if p.phrase.startswith("^") else ctx.after_clause
            m = re.search(p.phrase, target)
            if m is not None:
                return m, m.start(), None
        return None

    def _coded(self, q: Quantity, metric: str, dims: dict[str, str], ctx: _Context) -> Figure | None:
        """A figure for ``metric`` with complete, valid dims (None when the dims are not in the dictionary)."""
        if CUMULATIVE_AS_OF_RE.search(ctx.sentence) and re.search(r"共|累计|已", ctx.sentence):
            dims = {**dims, "period": "cumulative"}
        try:
            dims = self.dictionary.complete_dims(metric, dims)
            self.dictionary.validate(metric, dims)
        except (KeyError, ValueError):
            return None
        return Figure(
            metric=metric, dims=dims, value=q.value, unit=self.dictionary.metrics[metric].unit, quote=q.text,
            start=q.start, end=q.end, qualifier="approx" if q.approx else "exact",
        )

    def _category_figure(self, q: Quantity, ctx: _Context) -> Figure | None:
        """An item count in a list of content categories ("机构职能类信息612条，…")."""
        if not self.narrative or q.printed_unit not in ("条", "件"):
            return None
        context = " ".join([*ctx.titles[:2], ctx.sentence, ctx.prev_sentence])
        if not re.search(CATEGORY_CONTEXT, context) and not re.search(CATEGORY_LABEL, ctx.segment):
            return None
        label = ctx.segment.strip()
        for topic, pattern in BY_TOPIC:
            if re.search(pattern, label):
                return self._coded(q, "proactive.items.by_topic", {"topic": topic}, ctx)
        return None

    def _key_area_figure(self, q: Quantity, ctx: _Context, figures: list[Figure]) -> Figure | None:
        """Items published in a key area (重点领域): "保障性住房信息7条", "（4）推进住房信息公开…共发布39条信息"."""
        if not self.narrative or q.printed_unit not in ("条", "件"):
            return None
        if not re.search(KEY_AREA_CONTEXT, " ".join([*ctx.titles, ctx.sentence])):
            return None
        if not _counts_information(ctx.segment):
            return None
        # "…共发布348条信息，其中政府预决算公开19条、…": the parts of a key-area figure stay uncoded
        split = ctx.sentence.rfind("其中")
        if split >= 0:
            head_end = ctx.sentence_start + split
            if any(f.metric == "proactive.key_area_items" and ctx.sentence_start <= f.start < head_end
                   for f in figures):
                return None
        area: str | None = None
        for where in (ctx.segment, ctx.sentence, ctx.prev_sentence, *ctx.titles):
            area = _earliest(KEY_AREAS, where)
            if area:
                # "科技创新、营商环境、重大项目等重点领域信息2000余条": several areas summed, none of them alone
                if SEVERAL_AREAS_RE.search(where):
                    return None
                break
        if area is None:
            return None
        dims = {"topic": area}
        org = ORG_SUBJECT_RE.match(ctx.sentence)
        if org:
            dims["subunit"] = org.group("org")
        return self._coded(q, "proactive.key_area_items", dims, ctx)

    def _figure(self, q: Quantity, consumed: list[tuple[int, int]],
                figures: list[Figure] | None = None) -> Figure | None:
        text = self.text
        figures = figures if figures is not None else []
        if any(a <= q.start < b for a, b in consumed):
            return None
        if _is_noise(text, q) or q.unit == "%":
            return None
        ctx = self._context(q)
        reference = bool(REFERENCE_AFTER_RE.match(text, q.end))
        fig: Figure | None = None
        if not reference:
            fig = self._category_figure(q, ctx) or self._phrase_figure(q, ctx)
            if fig is None:
                fig = self._key_area_figure(q, ctx, figures)
            if fig is None and _is_generic(ctx.segment) and GENERIC_AFTER_RE.fullmatch(ctx.after_clause):
                # "共发布信息1992条": the subject is in the sentence, or in the heading just above it
                fig = self._phrase_figure(q, ctx, before=ctx.sentence, sides=("before",))
                if fig is None and ctx.titles:
                    fig = self._phrase_figure(q, ctx, before=ctx.titles[0], sides=("before",))
        if fig is not None:
            return fig
        if q.unit is None:
            return None
        label = (ctx.before + q.text + ctx.after_clause).strip()
        return Figure(
            metric=None, dims={}, value=q.value, unit=q.unit, quote=q.text, start=q.start, end=q.end,
            qualifier="approx" if q.approx else "exact", label=label[:120],
        )

    def _demote(self, fig: Figure, first: Figure) -> Figure:
        """An uncoded figure for a second, different value of a concept the prose already stated."""
        cs = self._cs(fig.start)
        label = (self._t(cs, fig.start) + fig.quote + self._t(fig.end, self._ce(fig.end))).strip()
        return Figure(
            metric=None, dims={}, value=fig.value, unit=fig.unit, quote=fig.quote, start=fig.start, end=fig.end,
            qualifier=fig.qualifier, label=label[:120],
            note=f"reads as {fig.metric}, already stated as {first.value} («{first.quote}»): a narrower scope",
        )

    def _zero_figures(self, have: set[tuple[str, tuple[tuple[str, str], ...]]]) -> list[Figure]:
        out: list[Figure] = []
        if self.wrapped:
            index = [i for i, ch in enumerate(self.prose) if ch != "\n"]
            flat = "".join(self.prose[i] for i in index)
        else:
            index, flat = list(range(len(self.prose))), self.prose
        for z in ZERO_PHRASES:
            for m in re.finditer(z.phrase, flat):
                start, end = index[m.start()], index[m.end() - 1] + 1
                if z.topic is not None and self._topic_at(start) != z.topic:
                    continue
                dims = self.dictionary.complete_dims(z.metric, dict(z.dims))
                key = (z.metric, tuple(sorted(dims.items())))
                if key in have:
                    continue
                have.add(key)
                out.append(Figure(
                    metric=z.metric, dims=dims, value=Decimal(0), unit=self.dictionary.metrics[z.metric].unit,
                    quote=self.text[start:end], start=start, end=end,
                ))
                break
        for sec, _path in iter_sections(self.sections):
            if sec.start >= self.end or sec.children:
                continue
            head = self.text.find(sec.title, sec.start, sec.end) if sec.title else -1
            body_start = head + len(sec.title) if head >= 0 else sec.start
            body_end = min(sec.end, self.end)
            if not re.fullmatch(SECTION_ZERO_BODY, self.text[body_start:body_end]):
                continue
            for z in SECTION_ZERO:
                if not re.search(z.phrase, sec.title):
                    continue
                dims = self.dictionary.complete_dims(z.metric, dict(z.dims))
                key = (z.metric, tuple(sorted(dims.items())))
                if key in have:
                    continue
                have.add(key)
                quote_start = body_start + len(self.text[body_start:body_end]) - len(
                    self.text[body_start:body_end].lstrip(" \t\n\u3000。：:"))
                quote_end = len(self.text[:body_end].rstrip())
                out.append(Figure(
                    metric=z.metric, dims=dims, value=Decimal(0), unit=self.dictionary.metrics[z.metric].unit,
                    quote=self.text[quote_start:quote_end], start=quote_start, end=quote_end,
                    note=f"the section «{sec.title}» says only «{self.text[quote_start:quote_end]}»",
                ))
        return out

    # -- statements ---------------------------------------------------------
    STATEMENT_RE = re.compile(
        r"(?:(?P<cmp>比|较|与|和|同)(?P<base>(?:19|20)\d\d年(?:度)?|上一?年(?:度)?|去年|往年|前一年|上年同期)(?:同期)?"
        r"|(?P<yoy>同比))"
        r"(?P<subject>[^，,。；;]{0,24}?)"
        r"(?P<dir>多出|增加|增长|提高|上升|减少|下降|降低|回落|持平|相当|基本一致|多|少)了?"
    )
    HEDGES = ("略", "有一定", "有所", "明显", "大幅", "稍")

    def _statements(self, figures: list[Figure]) -> tuple[list[Statement], list[tuple[int, int]]]:
        out: list[Statement] = []
        consumed: list[tuple[int, int]] = []
        for m in self.STATEMENT_RE.finditer(self.prose):
            base_txt = m.group("base") or "上年"  # 同比: against the same period of last year
            base_year: int | None = None
            if base_txt[:4].isdigit():
                base_year = int(base_txt[:4])
            elif base_txt != "往年" and self.year is not None:
                base_year = self.year - 1
            direction = {"持平": "same", "相当": "same", "基本一致": "same"}.get(m.group("dir"))
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
            subject_before = self._t(self._cs(m.start()), m.start())
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
    SHARE_RE = re.compile(r"(?:占(?P<whole>[^，,。；;%]{0,30}?)(?:的)?(?:比例|比重)?"
                          r"(?:\([^)]*\)|（[^）]*）)?(?:为|是|达)?"
                          r"|(?P<rate>[\u4e00-\u9fff]{2,8})率(?:为|是|达)?)$")

    def _shares(self, figures: list[Figure]) -> list[StatedShare]:
        out: list[StatedShare] = []
        for q in find_quantities(self.prose):
            if q.unit != "%":
                continue
            cs = self._cs(q.start)
            clause = self._t(cs, q.start)
            m = self.SHARE_RE.search(clause)
            if not m:
                continue
            part_phrase = clause[: m.start()] if m.group("rate") is None else m.group("rate")
            topic = self._topic_at(q.start)
            earlier = [f for f in figures if f.end <= q.start and f.status == "reported"]
            sentence_start = _clause_start(self.text, q.start, self.sd)
            part: Figure | None = None
            if part_phrase.strip():
                hit = classify(part_phrase, topic)
                if hit is not None:
                    same = [f for f in earlier if f.metric == hit.metric
                            and all(f.dims.get(k) == v for k, v in hit.dims.items())]
                    if not same:
                        continue  # "其中网站公开占92%": a share of something the report gives no figure for
                    part = same[-1]
                elif m.group("rate") is not None:
                    continue  # "群众满意率98.5%": a rate, not a share of a figure
            if part is None:
                recent = [f for f in earlier if f.start >= sentence_start - 200]
                part = recent[-1] if recent else None
            if part is None:
                continue
            whole = self._whole(part, m.group("whole") or "", earlier)
            out.append(StatedShare(part, whole, q.value, self.text[cs:q.end], cs, q.end))
        return out

    def _whole(self, part: Figure, whole_phrase: str, earlier: list[Figure]) -> Figure | None:
        if part.metric is not None and "subunit" in part.dims:
            # "各乡镇主动公开政府信息1638条，占47%": a share of the same count for the whole publisher
            wanted = {k: v for k, v in part.dims.items() if k != "subunit"}
            cands = [f for f in earlier if f.metric == part.metric and f.dims == wanted]
            if cands:
                return cands[-1]
        if part.metric in SHARE_PARENTS:
            # "机构职能类信息324条，占17.5%": a category's share of all items
            parent = SHARE_PARENTS[part.metric]
            wanted = self.dictionary.complete_dims(parent, {})
            cands = [f for f in earlier if f.metric == parent and f.dims == wanted]
            if cands:
                return cands[-1]
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
                if not cands and target_metric == "applications.outcome.total":
                    # "同意公开28件，占66.7%" with no answer total stated: a share of the applications
                    wanted = self.dictionary.complete_dims("applications.received", {})
                    cands = [f for f in earlier if f.metric == "applications.received" and f.dims == wanted]
                if cands:
                    return cands[-1]
        # Fall back to the earlier figure whose wording best matches the phrase.
        best: tuple[int, Figure] | None = None
        grams = _bigrams(whole_phrase)
        for f in earlier:
            if f is part or f.unit != part.unit:
                continue
            label = (f.dims.get("subunit", "") + self._t(self._cs(f.start), f.start))
            score = len(grams & _bigrams(label))
            if score and (best is None or score >= best[0]):
                best = (score, f)
        return best[1] if best else None

    # -- all ----------------------------------------------------------------
    def extract(self) -> NarrativeResult:
        quantities = find_quantities(self.prose)
        self._quantity_ends = sorted(q.end for q in quantities if not _is_noise(self.text, q))
        statements, consumed = self._statements([])
        figures: list[Figure] = []
        seen: set[tuple[str, tuple[tuple[str, str], ...], Decimal]] = set()
        stated: dict[tuple[str, tuple[tuple[str, str], ...]], Figure] = {}
        for q in quantities:
            fig = self._figure(q, consumed, figures)
            if fig is None:
                continue
            if fig.metric is not None:
                key = (fig.metric, tuple(sorted(fig.dims.items())), fig.value or Decimal(0))
                if key in seen:
                    continue
                first = stated.get(key[:2])
                if first is not None and first.value != fig.value:
                    # The headline figure comes first; a later, different value for the same concept
                    # is about a narrower scope ("公报…政策解读83件" after "发布政策解读共132件").
                    fig = self._demote(fig, first)
                else:
                    seen.add(key)
                    stated.setdefault(key[:2], fig)
            figures.append(fig)
        have = {(f.metric, tuple(sorted(f.dims.items()))) for f in figures if f.metric}
        figures.extend(self._zero_figures(have))  # type: ignore[arg-type]
        figures.sort(key=lambda f: f.start)
        # statements again, now that figures are known (subject fallback)
        statements, _ = self._statements(figures)
        return NarrativeResult(figures=figures, statements=statements, shares=self._shares(figures))


COUNT_UNITS = {"件", "条", "次", "个", "项", "篇", "场", "期", "份", "起", "宗", "批"}


def _unit_compatible(printed: str, metric_unit: str) -> bool:
    """Whether a number printed with ``printed`` can be a value of a metric stored in ``metric_unit``."""
    if printed == metric_unit:
        return True
    if printed in COUNT_UNITS and metric_unit in COUNT_UNITS:
        return True
    if printed == "人次" and metric_unit == "次":
        return True  # visits: "访问量达162103人次"
    return printed in ("人", "人次") and metric_unit in ("人", "人次")


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"\s", "", s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def derive_prior_values(statements: list[Statement], figures: list[Figure]) -> list[Figure]:
    """Last year's value from what the report says about the change.

    "比2016年增加34.3万元": this year's value minus the delta (exact when both are).
    "比上年增长12.3%": this year's value divided by 1.123 — approximate, as the
    percentage is rounded.  "与上年持平": the same value, approximately.
    """
    out: list[Figure] = []
    for st in statements:
        if st.metric is None or st.base_year is None:
            continue
        if st.delta_unit == "%" or (st.direction == "same" and st.delta is None):
            fig = _derive_from_ratio(st, figures)
            if fig is not None:
                out.append(fig)
            continue
        if st.delta is None:
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


def _derive_from_ratio(st: Statement, figures: list[Figure]) -> Figure | None:
    """The prior value behind a percentage change (or "持平"): always approximate."""
    current = [f for f in figures if f.metric == st.metric and f.dims == st.dims and f.value is not None
               and f.status == "reported"]
    if not current:
        return None
    cur = current[0]
    assert cur.value is not None
    if st.direction == "same":
        factor = Decimal(1)
    elif st.delta is None:
        return None
    else:
        change = st.delta / 100
        factor = 1 + change if st.direction == "increase" else 1 - change
    if factor <= 0:
        return None
    raw = cur.value / factor
    places = Decimal("0.01") if cur.unit == "元" and raw != raw.to_integral_value() else Decimal(1)
    value = normalize(raw.quantize(places))
    return Figure(
        metric=st.metric, dims=dict(st.dims), value=value, unit=cur.unit, quote=st.quote, start=st.start,
        end=st.end, qualifier="approx", status="derived", year=st.base_year,
        note=f"{cur.quote} ÷ {factor} ({st.quote}); the percentage is rounded",
    )
