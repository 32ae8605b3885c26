"""Who published a report and for which year, from its title or its text.

Names vary across years (平潭综合实验区管委会 / 管委会办公室) and copies carry
OCR errors (沐阳 for 沭阳), so names are resolved through the publisher
registry in ``data/publishers.csv``: one canonical name, its aliases, level,
province, region code and parent.  Unknown publishers get a level from their
name's suffix.  The printed name is kept as reported (it is the name history);
``resolve_publisher`` maps it to the one publisher it belongs to.

Web copies often lose the title.  Then the year comes from the statistics
period ("统计期限自2012年1月1日") or the sentence publishing the report
("现公布2012年度政府信息公开年度报告"), and the publisher from the name printed
above the text or in the signature before the date at its end.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.dictionary import DATA_DIR

TITLE_RE = re.compile(
    r"(?:(?P<year1>(?:19|20)\d\d)\s*年度?\s*(?P<pub1>[\u4e00-\u9fff（）()]{2,30}?)"
    r"|(?P<pub2>[\u4e00-\u9fff（）()]{2,30}?)\s*(?P<year2>(?:19|20)\d\d)\s*年?度?)"
    r"\s*政府信息公开(?:工作)?\s*(?:年度|年)?\s*报告"
)
LEVEL_SUFFIXES: tuple[tuple[str, str], ...] = (
    (r"(?:省|自治区)人民政府$", "province"),
    (r"(?:北京|上海|天津|重庆)市人民政府$", "province"),
    (r"市人民政府$", "city"),
    (r"(?:县|区|旗)人民政府$", "county"),
    (r"(?:乡|镇|街道)(?:人民政府|办事处)?$", "township"),
    (r"(?:局|委员会|委|厅|办公室|办公厅|中心|院)$", "department"),
)


@dataclass(frozen=True)
class PublisherInfo:
    name: str
    aliases: tuple[str, ...]
    level: str
    province: str | None
    region_code: str | None
    parent: str | None


@lru_cache(maxsize=1)
def registry() -> dict[str, PublisherInfo]:
    """Canonical publishers keyed by every name they are known under."""
    out: dict[str, PublisherInfo] = {}
    with (DATA_DIR / "publishers.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            info = PublisherInfo(
                name=row["name"], aliases=tuple(a for a in row["aliases"].split(";") if a),
                level=row["level"], province=row["province"] or None,
                region_code=row["region_code"] or None, parent=row["parent"] or None,
            )
            for key in (info.name, *info.aliases):
                out[key] = info
    return out


def resolve_publisher(name: str) -> PublisherInfo:
    """The canonical publisher for a printed name (registry first, then suffix rules)."""
    name = re.sub(r"\s+", "", name)
    known = registry().get(name)
    if known:
        return known
    level = "other"
    for pattern, lvl in LEVEL_SUFFIXES:
        if re.search(pattern, name):
            level = lvl
            break
    return PublisherInfo(name, (), level, None, None, None)


ORG = r"[\u4e00-\u9fff（）()]{2,30}?(?:人民政府|办公室|办公厅|管委会|管理委员会|委员会|纪工委|局|厅|委|院|中心|政府)"
# the publisher printed above the text ("平潭综合实验区管委会办公室 二〇一三年一月 本报告…")
LEADING_ORG_RE = re.compile(rf"^[\s\u3000]*(?P<org>{ORG})[\s\u3000]")
# the signature before the closing date ("…平潭综合实验区市场监督管理局 2018年1月15日")
_CN_DAY = "一二三四五六七八九十"
_DATE = rf"(?:(?:19|20)\d\d|[〇○零一二三四五六七八九]{{4}})年[\d{_CN_DAY}]{{1,3}}月(?:[\d{_CN_DAY}]{{1,3}}日)?"
# (not the 版记 line "…办公室 2020年1月13日印发": that is the office that printed it)
SIGNATURE_RE = re.compile(
    rf"(?:^|[\s\u3000。])(?P<org>{ORG})[\s\u3000]*{_DATE}(?![\d{_CN_DAY}日]*[\s\u3000]*印发)"
)
PERIOD_YEAR_RE = re.compile(r"统计(?:期限|时限|期间|时间)[^。；]{0,6}?(?:自|从|为|是)?\s*(?P<year>(?:19|20)\d\d)\s*年")
PUBLISHED_YEAR_RE = re.compile(r"(?:现|予以|特此)?公布\s*(?P<year>(?:19|20)\d\d)\s*年度?")
NOT_A_NAME = re.compile(r"关于|通知|编制|做好|要求|根据|本报告|条例|办法")


def infer_title(text: str) -> tuple[str | None, str | None, int | None]:
    """(title, publisher, year) from the first title-like phrase of the text, else from its other parts."""
    head = text[:3000]
    for m in TITLE_RE.finditer(head):
        pub = m.group("pub1") or m.group("pub2")
        year = int(m.group("year1") or m.group("year2"))
        pub = re.sub(r"^(?:现公布|公布|正文|关于)", "", pub)
        if len(pub) < 2 or re.search(r"关于|通知|编制|做好|要求", pub):
            continue  # a notice about reports, cited in the text, not the title
        title = re.sub(r"\s+", "", m.group(0))
        return title, pub, year
    return None, infer_publisher(text), infer_year(text)


def infer_year(text: str) -> int | None:
    """The report year when no title gives it: the statistics period, or the year the text says it publishes."""
    head = text[:3000]
    for regex in (PERIOD_YEAR_RE, PUBLISHED_YEAR_RE):
        m = regex.search(head)
        if m:
            return int(m.group("year"))
    return None


def infer_publisher(text: str) -> str | None:
    """The publisher when no title names it: printed above the text, or signed at its end."""
    m = LEADING_ORG_RE.match(text[:80])
    if m and not NOT_A_NAME.search(m.group("org")):
        return m.group("org")
    tail = text[-400:]
    found = [s for s in SIGNATURE_RE.finditer(tail) if not NOT_A_NAME.search(s.group("org"))]
    if found:
        return found[-1].group("org")
    return None
