"""Who published a report and for which year, from its title or its text.

Names vary across years (平潭综合实验区管委会 / 管委会办公室) and copies carry
OCR errors (沐阳 for 沭阳), so names are resolved through the publisher
registry in ``data/publishers.csv``: one canonical name, its aliases, level,
province, region code and parent.  Unknown publishers get a level from their
name's suffix.
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


def infer_title(text: str) -> tuple[str | None, str | None, int | None]:
    """(title, publisher, year) from the first title-like phrase of the text."""
    head = text[:3000]
    for m in TITLE_RE.finditer(head):
        pub = m.group("pub1") or m.group("pub2")
        year = int(m.group("year1") or m.group("year2"))
        pub = re.sub(r"^(?:现公布|公布|正文|关于)", "", pub)
        if len(pub) < 2 or re.search(r"关于|通知|编制|做好|要求", pub):
            continue  # a notice about reports, cited in the text, not the title
        title = re.sub(r"\s+", "", m.group(0))
        return title, pub, year
    return None, None, None
