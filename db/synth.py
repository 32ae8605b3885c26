"""A realistic synthetic dataset, bulk-loaded with the rows the real loader writes.

Why this exists: gongkai must stay fast at national scale (about 3,000
county-level-and-above governments and their departments, one report a year
each), and the bundled reports are a few dozen.  ``synthesize`` makes publishers
with levels, parents, provinces and region codes, and one report per
publisher-year:

* standard-format years (2019 template for 2019–2020, 2021 template after,
  with a few publishers lagging a year on the old template) print **every**
  表二/表三/表四 cell as pipe tables, the way the HTML reader stores web
  reports.  Values come from per-publisher distributions (log-normal sizes by
  level, applicant and outcome profiles) and satisfy the format's own rules:
  row sums to 总计, 一+二 = （七）+四 per column, （七）= the outcome rows,
  表四 block sums, carry-over continuity across years (last year's
  结转下年度 = this year's 上年结转), 现行有效 continuity in 表二 and the 2019
  上一年项目数量 + 本年增/减 chain;
* narrative-era years (before 2019) carry the optional 统计表 (本年度 and
  历年累计, cumulative columns that never decrease).

Fidelity: a synthetic report is turned into an ``ExtractedReport`` by the
extraction code itself wherever that is cheap (``ingest.standard._figure``,
the 表二/表三/表四 check functions, ``read_stat_table``, ``table_checks``,
``balance_check``), and into rows the way ``db.loader`` writes them (its
``stable_id``/``report_id`` ids, ``dims_key``, ``_section_rows``, data
version bump).  The one thing too slow to run per report is the full
pipeline (tens of milliseconds for a standard report), so sections are
computed once per text skeleton by ``split_sections`` and shifted; the test
suite checks on random reports that the result equals ``extract_report`` on
the same text and that the bulk rows equal ``ingest_extracted``'s.

Speed: rows go in with ``executemany`` on SQLite and ``COPY`` on PostgreSQL,
in one transaction; on an empty database the secondary indexes are dropped
first and rebuilt from their own stored definitions afterwards (sorting once
is much cheaper than maintaining four B-trees row by row).  The
``series_point`` rows the loader derives from each report are derived here in
Python with the same choice (``choose``: the figures ``ranked_points`` ranks
first, and the conflicts), and written in large runs sorted by the table's
primary key, which SQLite clusters the table by.  Every synthetic
report is marked ``source_path = "synth:…"`` so it can never pass for a real
one, and a new run replaces the previous synthetic data of the database.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from operator import itemgetter
from typing import IO, Any

import orjson
from sqlalchemy import text
from sqlalchemy.engine import Connection, Dialect, Engine

from db.crossyear import CHECK_ORDINAL_BASE, IN_FORCE_METRICS, JUMP_FLOOR, Point, ReportRef, pair_checks
from db.loader import _bump_version, _section_rows, publisher_id, report_id
from db.models import (
    DIM_COLUMNS,
    Check,
    Observation,
    Publisher,
    PublisherName,
    Report,
    Section,
    SeriesPoint,
    dims_key,
)
from ingest.dictionary import load_dictionary
from ingest.model import Check as ExtractedCheck
from ingest.model import CheckSide, ExtractedReport, Figure, ReportMeta
from ingest.model import Section as ExtractedSection
from ingest.sections import section_at, split_sections
from ingest.standard.checks import t2_checks, t3_checks, t4_checks
from ingest.standard.layout import APPLICANTS, T2_ROWS, T3_ROWS, T4_BLOCKS, T4_OUTCOMES, Format
from ingest.standard.segment import Cell
from ingest.standard.tables import WAN, ReadCell, Slot, TableRead, tidy
from ingest.stat_table import balance_check, read_stat_table, table_checks

SYNTH_META_KEY = "synth"
# bump when the same (publishers, years, seed) would give other data; 3: the load writes series_point too (a
# version-2 database lacks it until migrated, and benchmarks reuse a dataset of the current version as it is)
SYNTH_VERSION = 3
SOURCE_PREFIX = "synth:"
DEFAULT_PUBLISHERS = 3000
DEFAULT_YEARS = (2016, 2025)
FIRST_STANDARD_YEAR = 2019
FIRST_2021_YEAR = 2021

# --------------------------------------------------------------------------- publishers

PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "110000"), ("天津市", "120000"), ("河北省", "130000"), ("山西省", "140000"),
    ("内蒙古自治区", "150000"), ("辽宁省", "210000"), ("吉林省", "220000"), ("黑龙江省", "230000"),
    ("上海市", "310000"), ("江苏省", "320000"), ("浙江省", "330000"), ("安徽省", "340000"),
    ("福建省", "350000"), ("江西省", "360000"), ("山东省", "370000"), ("河南省", "410000"),
    ("湖北省", "420000"), ("湖南省", "430000"), ("广东省", "440000"), ("广西壮族自治区", "450000"),
    ("海南省", "460000"), ("重庆市", "500000"), ("四川省", "510000"), ("贵州省", "520000"),
    ("云南省", "530000"), ("西藏自治区", "540000"), ("陕西省", "610000"), ("甘肃省", "620000"),
    ("青海省", "630000"), ("宁夏回族自治区", "640000"), ("新疆维吾尔自治区", "650000"),
)
# Place names are drawn from these characters (two per name), so they read like
# real county and city names without being any particular real place.
_FIRST = "安宝昌长丰福阜高广桂海和河华淮黄惠吉建江金晋靖景乐临龙隆鹿罗茂梅南宁平普青庆仁瑞三沙尚韶石寿双顺泰" \
         "天通桐万威文武西祥新兴修秀阳宜永玉元云漳肇镇正中舟遵"
_SECOND = "安白宝滨昌城川春德东都丰峰冈谷关海和河湖华化江津康口兰乐林陵隆门宁平浦桥清泉山水顺台潭塘亭田" \
          "溪仙乡阳原源远州"
DEPARTMENTS: tuple[str, ...] = (
    "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局",
    "统计局", "医疗保障局", "退役军人事务局", "林业局", "城市管理局", "信访局",
)
# Provincial departments are 厅 where the city/county ones are 局.
_PROVINCIAL_TING = {"教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局",
                    "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局",
                    "应急管理局"}
# The 2018–2019 institutional reform renamed these; reports before 2019 print the old name.
REFORM_RENAMES: dict[str, str] = {
    "市场监督管理局": "工商行政管理局", "卫生健康委员会": "卫生和计划生育委员会", "自然资源局": "国土资源局",
    "生态环境局": "环境保护局", "农业农村局": "农业局", "文化和旅游局": "文化广电新闻出版局",
    "自然资源厅": "国土资源厅", "生态环境厅": "环境保护厅", "农业农村厅": "农业厅", "文化和旅游厅": "文化厅",
}
# Median applications received a year, by (level, level of the government above a department).
_MEDIAN_APPLICATIONS: dict[str, float] = {
    "province": 900.0, "city": 260.0, "county": 45.0, "township": 1.5,
    "department:province": 90.0, "department:city": 22.0, "department:county": 4.0,
}


@dataclass(frozen=True)
class SynthPublisher:
    """A synthetic publisher and the parameters that make its reports differ from its neighbours'."""

    index: int
    id: str
    name: str  # canonical (current) name
    level: str
    province: str | None
    region_code: str | None
    parent_id: str | None
    gov_level: str  # the level of the government it is (or belongs to)
    former_name: str | None = None  # printed before ``renamed_in``
    renamed_in: int | None = None
    first_year: int | None = None  # a publisher that started reporting late

    def printed_name(self, year: int) -> str:
        if self.former_name is not None and self.renamed_in is not None and year < self.renamed_in:
            return self.former_name
        return self.name


def _place_names(rng: random.Random, count: int) -> list[str]:
    combos = [a + b for a in _FIRST for b in _SECOND if a != b]
    rng.shuffle(combos)
    if count > len(combos):  # very large runs: three-character names as well
        extra = [a + b + c for a in _FIRST for b in _SECOND for c in "西东南北中"]
        rng.shuffle(extra)
        combos += extra
    if count > len(combos):
        raise ValueError(f"cannot make {count} distinct place names")
    return combos[:count]


def make_publishers(n: int, seed: int = 0) -> list[SynthPublisher]:
    """``n`` publishers: provincial, city, county and township governments and their departments.

    The mix follows the real administrative pyramid (about 1% provinces, 10%
    cities, half counties, the rest mostly departments), every government
    below a province has its parent, departments belong to a government, and
    names follow the suffix rules ``ingest.metadata`` derives levels from.
    Deterministic for a given ``(n, seed)``.
    """
    if n < 1:
        raise ValueError("need at least one publisher")
    rng = random.Random(f"publishers:{seed}")
    n_prov = min(len(PROVINCES), max(1, n // 100))
    n_city = max(1 if n > 1 else 0, round(n * 0.10))
    n_county = max(0, round(n * 0.50))
    n_town = round(n * 0.02)
    while n_prov + n_city + n_county + n_town > n:
        if n_county:
            n_county -= 1
        elif n_town:
            n_town -= 1
        else:
            n_city -= 1
    n_dept = n - n_prov - n_city - n_county - n_town
    names = iter(_place_names(rng, n_city + n_county + n_town))
    out: list[SynthPublisher] = []
    provinces = list(PROVINCES)
    rng.shuffle(provinces)

    def add(name: str, level: str, province: str, code: str | None, parent: str | None, gov_level: str,
            former: str | None = None, renamed_in: int | None = None) -> SynthPublisher:
        late = 2018 + rng.randint(0, 6) if rng.random() < 0.03 else None
        p = SynthPublisher(len(out), publisher_id(name), name, level, province, code, parent, gov_level, former,
                           renamed_in, late)
        out.append(p)
        return p

    govs: list[tuple[SynthPublisher, str]] = []  # (government, prefix its departments print)
    prov_govs = []
    for pname, pcode in provinces[:n_prov]:
        g = add(f"{pname}人民政府", "province", pname, pcode, None, "province")
        prov_govs.append((g, pname))
        govs.append((g, pname))
    cities = []
    for k in range(n_city):
        pg, pname = prov_govs[k % len(prov_govs)]
        short = next(names)
        code = f"{pg.region_code[:2] if pg.region_code else '99'}{(k // len(prov_govs)) % 99 + 1:02d}00"
        g = add(f"{short}市人民政府", "city", pname, code, pg.id, "city")
        cities.append((g, f"{short}市"))
        govs.append((g, f"{short}市"))
    counties = []
    for k in range(n_county):
        cg, cprefix = cities[k % len(cities)] if cities else prov_govs[k % len(prov_govs)]
        short = next(names)
        assert cg.region_code is not None and cg.province is not None
        code = f"{cg.region_code[:4]}{(k // max(1, len(cities))) % 99 + 1:02d}"
        if rng.random() < 0.35:  # a district: printed with its city, as 淮安市洪泽区人民政府
            name, prefix = f"{cprefix}{short}区人民政府", f"{short}区"
            former = f"{short}县人民政府" if rng.random() < 0.1 else None  # 撤县设区
            g = add(name, "county", cg.province, code, cg.id, "county", former,
                    rng.randint(2014, 2024) if former else None)
        else:
            name, prefix = f"{short}县人民政府", f"{short}县"
            g = add(name, "county", cg.province, code, cg.id, "county")
        counties.append((g, prefix))
        govs.append((g, prefix))
    for k in range(n_town):
        tg, tprefix = counties[k % len(counties)] if counties else govs[k % len(govs)]
        short = next(names)
        suffix = "街道办事处" if tprefix.endswith("区") else "镇人民政府"
        assert tg.province is not None
        add(f"{tprefix}{short}{suffix}", "township", tg.province, None, tg.id, "township")
    # departments: spread over governments, provinces and cities first, a government's departments distinct
    weights = {"province": 6.0, "city": 3.0, "county": 1.0}
    taken: dict[str, set[str]] = {}
    pool = [(g, prefix) for g, prefix in govs if g.level in weights]
    w = [weights[g.level] for g, _ in pool]
    made = 0
    while made < n_dept:
        g, prefix = rng.choices(pool, w)[0]
        used = taken.setdefault(g.id, set())
        free = [d for d in DEPARTMENTS if d not in used]
        if not free:
            continue
        dept = rng.choice(free)
        used.add(dept)
        if g.level == "province":
            if dept == "人民政府办公室":
                dept = "人民政府办公厅"
            elif dept in _PROVINCIAL_TING:
                dept = dept[:-1] + "厅"
        name = f"{prefix}{dept}"
        old = REFORM_RENAMES.get(dept)
        assert g.province is not None
        add(name, "department", g.province, g.region_code, g.id, f"department:{g.level}",
            f"{prefix}{old}" if old else None, 2019 if old else None)
        made += 1
    return out


# --------------------------------------------------------------------------- sampling


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, prod = math.exp(-mean), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw: waiting times for small means, a normal approximation for large ones."""
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if p > 0.5:
        return n - _binomial(rng, n, 1 - p)
    mean = n * p
    if mean > 40:
        return min(n, max(0, round(rng.gauss(mean, math.sqrt(mean * (1 - p))))))
    log_q, x, pos = math.log(1 - p), 0, 0
    while True:
        pos += int(math.log(1.0 - rng.random()) / log_q) + 1
        if pos > n:
            return x
        x += 1


def _split(rng: random.Random, n: int, weights: Sequence[float]) -> list[int]:
    """``n`` items over categories (a multinomial draw by conditional binomials); sums to ``n`` exactly."""
    out = [0] * len(weights)
    rest_w = float(sum(weights))
    for i, wi in enumerate(weights[:-1]):
        if n <= 0 or rest_w <= 0:
            break
        x = _binomial(rng, n, wi / rest_w)
        out[i] = x
        n -= x
        rest_w -= wi
    out[-1] += n
    return out


def _jitter(rng: random.Random, shares: Sequence[float], sigma: float) -> list[float]:
    raw = [s * rng.lognormvariate(0.0, sigma) for s in shares]
    total = sum(raw)
    return [r / total for r in raw]


def _wan(x: float, decimals: int) -> str:
    """An amount in 万元 as a report prints it: up to ``decimals`` places, no trailing zeros."""
    s = f"{x:.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# --------------------------------------------------------------------------- values

APPLICANT_SHARES = (0.86, 0.07, 0.004, 0.006, 0.02, 0.04)  # the six columns before 总计
OUTCOME_SHARES: dict[str, float] = {
    "outcome.granted": 0.33, "outcome.partial": 0.07,
    "outcome.denied.state_secret": 0.003, "outcome.denied.prohibited_by_law": 0.004,
    "outcome.denied.security_stability": 0.002, "outcome.denied.third_party": 0.012,
    "outcome.denied.internal_affairs": 0.015, "outcome.denied.process_info": 0.02,
    "outcome.denied.enforcement_files": 0.006, "outcome.denied.inquiry_matters": 0.01,
    "outcome.unable.not_held": 0.25, "outcome.unable.needs_creation": 0.03, "outcome.unable.unclear": 0.02,
    "outcome.not_processed.petition": 0.05, "outcome.not_processed.duplicate": 0.03,
    "outcome.not_processed.publication": 0.005, "outcome.not_processed.excessive": 0.01,
    "outcome.not_processed.confirmation": 0.006,
    "outcome.other.overdue_correction": 0.06, "outcome.other.overdue_fee": 0.004, "outcome.other.other": 0.04,
}
T4_SHARES = (0.64, 0.08, 0.16, 0.12)  # 维持, 纠正, 其他, 尚未审结
# Applications grew through the 2019 revision of the 条例 and after.
_YEAR_FACTOR = {2016: 0.62, 2017: 0.7, 2018: 0.8, 2019: 1.0, 2020: 1.08, 2021: 1.22, 2022: 1.3, 2023: 1.36,
                2024: 1.42, 2025: 1.45}


def _year_factor(year: int) -> float:
    if year in _YEAR_FACTOR:
        return _YEAR_FACTOR[year]
    return 0.62 * 0.92 ** (2016 - year) if year < 2016 else 1.45 * 1.03 ** (year - 2025)


@dataclass
class _Chain:
    """What carries from one year to the next for one publisher (printed or not)."""

    carried: list[int] | None = None  # 结转下年度 per applicant column
    rules_in_force: int = 0
    docs_in_force: int = 0
    rules_total: int = 0  # 2019 对外公开总数量
    docs_total: int = 0
    stocked: bool = False  # the stocks above were given their pre-range history
    items: dict[str, int] = field(default_factory=dict)  # 2019 上一年项目数量 chains
    cumulative: dict[str, int] = field(default_factory=dict)  # 统计表 历年累计


@dataclass
class _Profile:
    """A publisher's habits: its size and how its applications and decisions are distributed."""

    scale: float
    applicants: list[float]
    outcomes: dict[str, float]
    carry_rate: float
    review_rate: float
    suit_rate: float
    proactive: float
    licensing: float
    penalties: float
    fees_wan: float
    rulemaker: bool
    docs: float
    money_in_yuan: bool  # prints 采购总金额 with 元 instead of the 万元 the header implies
    lags_2019_layout: bool


def _profile(p: SynthPublisher, rng: random.Random) -> _Profile:
    scale = _MEDIAN_APPLICATIONS[p.gov_level] * rng.lognormvariate(0.0, 0.8)
    gov = p.level in ("province", "city", "county")
    return _Profile(
        scale=scale,
        applicants=_jitter(rng, APPLICANT_SHARES, 0.5),
        outcomes=dict(zip(OUTCOME_SHARES, _jitter(rng, list(OUTCOME_SHARES.values()), 0.6), strict=True)),
        carry_rate=min(0.2, 0.01 + rng.random() * 0.08),
        review_rate=0.01 + rng.random() * 0.04,
        suit_rate=0.005 + rng.random() * 0.02,
        proactive={"province": 4000.0, "city": 1800.0, "county": 900.0, "township": 60.0}.get(
            p.level, 300.0) * rng.lognormvariate(0.0, 0.5),
        licensing=(3000.0 if gov else 600.0) * rng.lognormvariate(0.0, 1.2),
        penalties=(1500.0 if gov else 300.0) * rng.lognormvariate(0.0, 1.3),
        fees_wan=0.0 if rng.random() < 0.35 else 400.0 * rng.lognormvariate(0.0, 1.6),
        rulemaker=p.level in ("province", "city"),
        docs={"province": 40.0, "city": 25.0, "county": 14.0, "township": 2.0}.get(p.level, 6.0)
        * rng.lognormvariate(0.0, 0.4),
        money_in_yuan=rng.random() < 0.3,
        lags_2019_layout=rng.random() < 0.05,
    )


@dataclass
class StandardValues:
    """The printed cells of one standard report: 表二 by row key, 表三 by row key (seven columns), 表四."""

    fmt: Format
    t2: dict[str, list[str]]
    t3: dict[str, list[int]]
    t4: list[int]


@dataclass
class NarrativeValues:
    """The rows of one 统计表: (label, unit, 本年度, 历年累计)."""

    rows: list[tuple[str, str, int, int]]


def _t3_values(rng: random.Random, prof: _Profile, chain: _Chain, year: int, fmt: Format) -> dict[str, list[int]]:
    mean = prof.scale * _year_factor(year) * rng.lognormvariate(0.0, 0.25)
    received = _split(rng, _poisson(rng, mean), prof.applicants)
    carried_over = chain.carried if chain.carried is not None else [
        _binomial(rng, r, prof.carry_rate) for r in received]
    keys = [r.key for r in T3_ROWS[fmt] if r.outcome]
    if fmt == "standard-2019":
        shares = [prof.outcomes[k] if k != "outcome.other" else
                  sum(v for o, v in prof.outcomes.items() if o.startswith("outcome.other.")) for k in keys]
    else:
        shares = [prof.outcomes[k] for k in keys]
    rows: dict[str, list[int]] = {k: [0] * 6 for k in keys}
    forward, answered = [0] * 6, [0] * 6
    for c in range(6):
        avail = received[c] + carried_over[c]
        forward[c] = _binomial(rng, avail, prof.carry_rate * rng.uniform(0.5, 1.5))
        answered[c] = avail - forward[c]
        for k, v in zip(keys, _split(rng, answered[c], shares), strict=True):
            rows[k][c] = v
    chain.carried = forward
    out = {"received": received, "carried_over": list(carried_over)}
    out.update(rows)
    out["outcome.total"] = answered
    out["carried_forward"] = forward
    return {k: [*v, sum(v)] for k, v in out.items()}


def _t4_values(rng: random.Random, prof: _Profile, received_total: int) -> list[int]:
    reviews = _poisson(rng, received_total * prof.review_rate)
    direct = _poisson(rng, received_total * prof.suit_rate)
    after = _binomial(rng, reviews, 0.3)
    out: list[int] = []
    for total in (reviews, direct, after):
        parts = _split(rng, total, T4_SHARES)
        out += [*parts, total]
    return out


def _t2_values(rng: random.Random, prof: _Profile, chain: _Chain, fmt: Format, year: int) -> dict[str, list[str]]:
    growth = _year_factor(year) ** 0.5
    rules_mean = (7.0 if prof.scale > 300 else 2.0) if prof.rulemaker else 0.0
    if not chain.stocked:  # documents made before the first standard year are still in force
        chain.stocked = True
        chain.rules_in_force = round(rules_mean * 20 * rng.lognormvariate(0.0, 0.3))
        chain.docs_in_force = round(prof.docs * 12 * rng.lognormvariate(0.0, 0.3))
        chain.rules_total = round(chain.rules_in_force * 1.3)
        chain.docs_total = round(chain.docs_in_force * 1.5)
    rules_made = _poisson(rng, rules_mean) if prof.rulemaker else 0
    rules_rep = min(chain.rules_in_force + rules_made, _poisson(rng, rules_made * 0.4)) if prof.rulemaker else 0
    docs_made = _poisson(rng, prof.docs)
    docs_rep = min(chain.docs_in_force + docs_made, _binomial(rng, chain.docs_in_force, 0.05))
    chain.rules_in_force += rules_made - rules_rep
    chain.docs_in_force += docs_made - docs_rep
    licensing = _poisson(rng, prof.licensing * growth * rng.lognormvariate(0.0, 0.3))
    penalties = _poisson(rng, prof.penalties * growth * rng.lognormvariate(0.0, 0.3))
    coercion = _binomial(rng, penalties, 0.04)
    fees = prof.fees_wan * rng.lognormvariate(0.0, 0.3) if prof.fees_wan else 0.0
    # 2019 chains: 上一年项目数量 is last year's count; 本年增/减 moves it
    changes: dict[str, tuple[int, int]] = {}
    for key, base in (("licensing", 60), ("other_services", 40), ("penalties", 300), ("coercion", 20),
                      ("admin_fees", 15)):
        items = chain.items.get(key)
        if items is None:
            items = max(0, round(base * rng.lognormvariate(0.0, 0.6)))
        change = max(-items, round(rng.gauss(0.0, max(1.0, items * 0.06))))
        chain.items[key] = items + change
        changes[key] = (items, change)
    rules_pub = rules_made - (1 if rules_made and rng.random() < 0.1 else 0)
    docs_pub = docs_made - (1 if docs_made and rng.random() < 0.1 else 0)
    chain.rules_total += rules_pub
    chain.docs_total += docs_pub
    if fmt == "standard-2021":
        return {
            "rules": [str(rules_made), str(rules_rep), str(chain.rules_in_force)],
            "normative_docs": [str(docs_made), str(docs_rep), str(chain.docs_in_force)],
            "licensing": [str(licensing)],
            "penalties": [str(penalties)],
            "coercion": [str(coercion)],
            "admin_fees": [_wan(fees, rng.choice((0, 1, 2, 4)))],
        }
    projects = _poisson(rng, 4.0 * growth) if prof.scale > 20 else _poisson(rng, 0.5)
    amount = projects * 120.0 * rng.lognormvariate(0.0, 0.8)
    money = f"{round(amount * 10000)}元" if prof.money_in_yuan else _wan(amount, rng.choice((0, 2, 4)))
    return {
        "rules": [str(rules_made), str(rules_pub), str(chain.rules_total)],
        "normative_docs": [str(docs_made), str(docs_pub), str(chain.docs_total)],
        "licensing": [str(changes["licensing"][0]), str(changes["licensing"][1]), str(licensing)],
        "other_services": [str(changes["other_services"][0]), str(changes["other_services"][1]),
                           str(_poisson(rng, prof.licensing * 0.1))],
        "penalties": [str(changes["penalties"][0]), str(changes["penalties"][1]), str(penalties)],
        "coercion": [str(changes["coercion"][0]), str(changes["coercion"][1]), str(coercion)],
        "admin_fees": [str(changes["admin_fees"][0]), str(changes["admin_fees"][1])],
        "procurement": [str(projects), money],
    }


_NARRATIVE_ROWS = (
    # (label as printed, unit, key); a label starting with a digit is a 其中 part of the row above
    ("主动公开政府信息数", "条", "items"),
    ("其中：1、政府网站公开数", "条", "items.website"),
    ("2、政府公报公开数", "条", "items.gazette"),
    ("受理依申请公开信息总数", "件", "received"),
    ("其中：1、当面申请数", "件", "received.in_person"),
    ("2、网上申请数", "件", "received.online"),
    ("3、信函申请数", "件", "received.letter"),
    ("4、传真申请数", "件", "received.fax"),
    ("5、电子邮件申请数", "件", "received.email"),
    ("对申请的答复总数", "件", "answered"),
    ("其中：1、同意公开答复数", "件", "granted"),
    ("2、同意部分公开答复数", "件", "partial"),
    ("3、不予公开答复数", "件", "denied"),
    ("4、其他类型答复数", "件", "other"),
    ("政府信息公开收费金额", "元", "fees"),
    ("行政复议数", "件", "review"),
    ("行政诉讼数", "件", "litigation"),
    ("举报投诉数", "件", "complaints"),
    ("政府信息公开专栏访问量", "人次", "visits"),
)
CHANNEL_SHARES = (0.3, 0.5, 0.12, 0.02, 0.06)  # 当面, 网上, 信函, 传真, 电子邮件


def _narrative_values(rng: random.Random, prof: _Profile, chain: _Chain, year: int, gov: bool) -> NarrativeValues:
    # the 表三-shaped year still happens (carry-over continues into the standard years); it is printed as totals
    t3 = _t3_values(rng, prof, chain, year, "standard-2019")
    t4 = _t4_values(rng, prof, t3["received"][6])
    received = t3["received"][6]
    items = _poisson(rng, prof.proactive * _year_factor(year) ** 0.5)
    gazette = _binomial(rng, items, 0.06) if gov else 0
    channels = _split(rng, received, CHANNEL_SHARES)
    denied = sum(v[6] for k, v in t3.items() if k.startswith("outcome.denied"))
    answered = t3["outcome.total"][6]
    other = answered - t3["outcome.granted"][6] - t3["outcome.partial"][6] - denied
    fees = 0 if rng.random() < 0.8 else _poisson(rng, 30.0)
    this_year = {
        "items": items, "items.website": items - gazette, "items.gazette": gazette,
        "received": received, "received.in_person": channels[0], "received.online": channels[1],
        "received.letter": channels[2], "received.fax": channels[3], "received.email": channels[4],
        "answered": answered, "granted": t3["outcome.granted"][6], "partial": t3["outcome.partial"][6],
        "denied": denied, "other": other, "fees": fees, "review": t4[4], "litigation": t4[9] + t4[14],
        "complaints": _poisson(rng, 0.5 + received * 0.02),
        "visits": round(prof.proactive * 60 * rng.lognormvariate(0.0, 0.4)),
    }
    if not chain.cumulative:
        # the years before the first synthetic one: a history whose 其中 parts add up like this year's
        for parent, kids in _NARRATIVE_GROUPS.items():
            base = this_year[parent] * rng.randint(2, 6)
            chain.cumulative[parent] = base
            if kids:
                for k, part in zip(kids, _split(rng, base, [this_year[k] + 0.01 for k in kids]), strict=True):
                    chain.cumulative[k] = part
    rows = []
    for label, unit, key in _NARRATIVE_ROWS:
        chain.cumulative[key] += this_year[key]
        rows.append((label, unit, this_year[key], chain.cumulative[key]))
    return NarrativeValues(rows)


def _groups() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    parent = ""
    for label, _, key in _NARRATIVE_ROWS:
        if label[0].isdigit() or label.startswith("其中"):
            out[parent].append(key)
        else:
            parent = key
            out[key] = []
    return out


_NARRATIVE_GROUPS = _groups()


# --------------------------------------------------------------------------- report text


class _Doc:
    """A report text assembled from fixed and variable parts.

    Two reports made from the same skeleton (same fixed parts in the same
    order) differ only inside variable parts, so an offset the real
    ``split_sections`` computed on one of them maps onto the other by
    shifting: that is what lets sections be computed once per skeleton.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.variable: list[bool] = []
        self.length = 0

    def add(self, s: str) -> None:
        if self.parts and not self.variable[-1]:
            self.parts[-1] += s
        else:
            self.parts.append(s)
            self.variable.append(False)
        self.length += len(s)

    def value(self, s: str) -> tuple[int, int]:
        """Append a variable part; its [start, end) in the text."""
        start = self.length
        self.parts.append(s)
        self.variable.append(True)
        self.length += len(s)
        return start, self.length

    def template(self, s: str, **values: str) -> None:
        """Append prose where ``{name}`` placeholders are variable parts."""
        for piece in _PLACEHOLDER.split(s):
            if piece.startswith("{") and piece.endswith("}"):
                self.value(values[piece[1:-1]])
            elif piece:
                self.add(piece)

    def starts(self) -> list[int]:
        out, pos = [], 0
        for p in self.parts:
            out.append(pos)
            pos += len(p)
        return out

    @property
    def text(self) -> str:
        return "".join(self.parts)


_PLACEHOLDER = re.compile(r"(\{[a-z]+\})")

# Prose is deliberately free of figures (no numbers, no "未收到…" zero phrases): every
# figure of a synthetic report comes from its tables, which keeps the extraction exact.
INTRO_STANDARD = (
    "本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求编制，全文包括总体情况、"
    "主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
    "其他需要报告的事项。",
    "本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。本报告电子版可在本机关门户网站政府信息公开专栏"
    "下载。如对本报告有疑问，请与本机关政务公开工作机构联系。",
    "按照《中华人民共和国政府信息公开条例》的规定，编制本机关政府信息公开工作年度报告。报告全文包括总体情况、"
    "主动公开政府信息情况、收到和处理政府信息公开申请情况等六部分。",
)
OVERVIEW_SUBSECTIONS = (
    ("（一）主动公开", "本机关坚持以公开为常态、不公开为例外，围绕中心工作做好政策文件、重点领域信息的主动公开，"
                      "及时更新政府信息公开目录。"),
    ("（二）依申请公开", "严格执行依申请公开办理程序，规范受理、登记、审核、答复等环节，依法保障申请人的合法权益。"),
    ("（三）政府信息管理", "落实公文公开属性源头认定制度，加强政府信息公开保密审查，动态更新政府信息公开指南。"),
    ("（四）政府信息公开平台建设", "持续优化政府网站政府信息公开专栏，加强政务新媒体管理，提升平台集约化水平。"),
    ("（五）监督保障", "将政务公开工作纳入年度绩效考核，组织开展业务培训，自觉接受社会监督。"),
)
OVERVIEW_PARAGRAPHS = (
    "本机关深入贯彻落实《中华人民共和国政府信息公开条例》，健全政务公开工作机制，稳步推进决策、执行、管理、服务、结果公开，"
    "政府信息公开工作取得新进展。",
    "本机关坚持以人民为中心的发展思想，持续深化政务公开，加强政策解读和回应关切，政府信息公开工作质量和实效不断提升。",
)
PROBLEMS = (
    "本机关政府信息公开工作仍存在一些不足：主动公开的深度和广度有待拓展，政策解读形式还不够丰富。下一步，将进一步完善"
    "工作机制，加强业务培训，提升政务公开质效。",
    "存在的主要问题是依申请公开答复的规范化水平有待提高。改进措施：加强答复文书审核，健全会商机制，提升答复质量。",
    "部分政府信息更新不够及时，公众参与渠道有待拓展。今后将强化信息发布审核，畅通互动交流渠道，持续提升公开实效。",
)
OTHER_MATTERS = (
    "本机关按照《政府信息公开信息处理费管理办法》规定办理信息处理费相关事项。",
    "其他需要报告的事项详见本机关门户网站政务公开专栏。",
    "本机关认真落实年度政务公开工作要点，做好人大代表建议和政协提案办理结果公开。",
)

T2_LABELS: dict[Format, dict[str, str]] = {
    "standard-2019": {"rules": "规章", "normative_docs": "规范性文件", "licensing": "行政许可",
                      "other_services": "其他对外管理服务事项", "penalties": "行政处罚", "coercion": "行政强制",
                      "admin_fees": "行政事业性收费", "procurement": "政府集中采购"},
    "standard-2021": {"rules": "规章", "normative_docs": "行政规范性文件", "licensing": "行政许可",
                      "penalties": "行政处罚", "coercion": "行政强制", "admin_fees": "行政事业性收费"},
}
T2_BLOCKS: dict[Format, dict[str, tuple[str, str]]] = {
    # row that opens a block → (block title, 信息内容 header)
    "standard-2019": {
        "rules": ("第二十条第（一）项", "本年新制作数量 | 本年新公开数量 | 对外公开总数量"),
        "licensing": ("第二十条第（五）项", "上一年项目数量 | 本年增/减 | 处理决定数量"),
        "penalties": ("第二十条第（六）项", "上一年项目数量 | 本年增/减 | 处理决定数量"),
        "admin_fees": ("第二十条第（八）项", "上一年项目数量 | 本年增/减"),
        "procurement": ("第二十条第（九）项", "采购项目数量 | 采购总金额"),
    },
    "standard-2021": {
        "rules": ("第二十条第（一）项", "本年制发件数 | 本年废止件数 | 现行有效件数"),
        "licensing": ("第二十条第（五）项", "本年处理决定数量"),
        "penalties": ("第二十条第（六）项", "本年处理决定数量"),
        "admin_fees": ("第二十条第（八）项", "本年收费金额（单位：万元）"),
    },
}
T3_LABELS: dict[str, str] = {
    "received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "outcome.granted": "三、本年度办理结果 | （一）予以公开",
    "outcome.partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "outcome.denied.state_secret": "（三）不予公开 | 1.属于国家秘密",
    "outcome.denied.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "outcome.denied.security_stability": "3.危及“三安全一稳定”",
    "outcome.denied.third_party": "4.保护第三方合法权益",
    "outcome.denied.internal_affairs": "5.属于三类内部事务信息",
    "outcome.denied.process_info": "6.属于四类过程性信息",
    "outcome.denied.enforcement_files": "7.属于行政执法案卷",
    "outcome.denied.inquiry_matters": "8.属于行政查询事项",
    "outcome.unable.not_held": "（四）无法提供 | 1.本机关不掌握相关政府信息",
    "outcome.unable.needs_creation": "2.没有现成信息需要另行制作",
    "outcome.unable.unclear": "3.补正后申请内容仍不明确",
    "outcome.not_processed.petition": "（五）不予处理 | 1.信访举报投诉类申请",
    "outcome.not_processed.duplicate": "2.重复申请",
    "outcome.not_processed.publication": "3.要求提供公开出版物",
    "outcome.not_processed.excessive": "4.无正当理由大量反复申请",
    "outcome.not_processed.confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "outcome.other": "（六）其他处理",
    "outcome.other.overdue_correction":
        "（六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "outcome.other.overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "outcome.other.other": "3.其他",
    "outcome.total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
T3_HEADER = (
    "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |\n"
    "| 自然人 | 法人或其他组织 | 总计 |\n"
    "| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n"
)
T4_HEADER = (
    "| 行政复议 | 行政诉讼 |\n"
    "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |\n"
    "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n"
)

NARRATIVE_SECTIONS = (
    ("一、概述", (
        "根据《中华人民共和国政府信息公开条例》要求，本机关编制本年度政府信息公开工作年度报告。全文包括概述、主动公开政府信息"
        "情况、依申请公开政府信息情况、政府信息公开的收费及减免情况、因政府信息公开申请行政复议和提起行政诉讼的情况、"
        "存在的主要问题及改进措施，并附政府信息公开情况统计表。",
        "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，加强组织领导，完善工作制度，政府信息公开工作有序推进。",
    )),
    ("二、主动公开政府信息情况", (
        "本机关通过政府网站、政府公报、新闻发布会等渠道主动公开政府信息，重点做好财政预决算、行政审批、公共服务等领域信息"
        "的公开工作。",
        "本机关按照公开目录及时公开机构职能、政策文件、规划计划等信息，主动公开的内容更加全面。",
    )),
    ("三、依申请公开政府信息情况", (
        "本机关建立健全依申请公开工作制度，规范申请的受理、审查、处理和答复程序，依法按时答复申请人。",
        "本机关认真办理公民、法人和其他组织提出的政府信息公开申请，答复及时、规范。",
    )),
    ("四、政府信息公开的收费及减免情况", (
        "本机关严格执行政府信息公开收费有关规定。",
        "本机关按照国家有关规定办理政府信息公开收费及减免事项。",
    )),
    ("五、因政府信息公开申请行政复议、提起行政诉讼的情况", (
        "本机关依法做好政府信息公开行政复议答复和行政诉讼应诉工作。",
        "本机关积极配合做好政府信息公开行政复议和行政诉讼相关工作。",
    )),
    ("六、存在的主要问题及改进措施", (
        "政府信息公开工作仍存在公开内容不够全面、更新不够及时等问题。下一步，本机关将进一步完善制度，加强培训，"
        "提升政府信息公开工作水平。",
        "个别部门对政府信息公开工作的重视程度有待提高。今后将加强督促检查，推动政府信息公开工作规范化、制度化。",
    )),
)


@dataclass
class Rendered:
    """A report's text with what was printed where."""

    doc: _Doc
    skeleton: tuple[Any, ...]
    cells: list[tuple[int, int]]  # [start, end) of each table value, in print order

    @property
    def text(self) -> str:
        return self.doc.text


def _pipe_row(doc: _Doc, label: str, values: Sequence[str], cells: list[tuple[int, int]]) -> None:
    doc.add(f"| {label} | " if label else "| ")
    for i, v in enumerate(values):
        if i:
            doc.add(" | ")
        cells.append(doc.value(v))
    doc.add(" |\n")


def render_standard(title: str, year: int, v: StandardValues, choice: Sequence[int]) -> Rendered:
    """The stored text of a standard-format web report: prose and pipe tables, as the HTML reader writes them."""
    doc, cells = _Doc(), list[tuple[int, int]]()
    intro, overview, problems, other = choice
    doc.value(title)
    doc.add("\n")
    doc.template(INTRO_STANDARD[intro], year=str(year))
    doc.add("\n一、总体情况\n")
    if overview < len(OVERVIEW_PARAGRAPHS):
        doc.add(OVERVIEW_PARAGRAPHS[overview] + "\n")
    else:
        for head, body in OVERVIEW_SUBSECTIONS:
            doc.add(f"{head}\n{body}\n")
    doc.add("二、主动公开政府信息情况\n\n")
    blocks, labels = T2_BLOCKS[v.fmt], T2_LABELS[v.fmt]
    for row in T2_ROWS[v.fmt]:
        if row.key in blocks:
            head, columns = blocks[row.key]
            doc.add(f"| {head} |\n| 信息内容 | {columns} |\n")
        _pipe_row(doc, labels[row.key], v.t2[row.key], cells)
    doc.add("\n三、收到和处理政府信息公开申请情况\n\n" + T3_HEADER)
    for t3row in T3_ROWS[v.fmt]:
        _pipe_row(doc, T3_LABELS[t3row.key], [str(x) for x in v.t3[t3row.key]], cells)
    doc.add("\n四、政府信息公开行政复议、行政诉讼情况\n\n" + T4_HEADER)
    _pipe_row(doc, "", [str(x) for x in v.t4], cells)
    doc.add(f"\n五、存在的主要问题及改进情况\n{PROBLEMS[problems]}\n六、其他需要报告的事项\n{OTHER_MATTERS[other]}\n")
    return Rendered(doc, (v.fmt, *choice), cells)


def render_narrative(title: str, year: int, v: NarrativeValues, choice: Sequence[int]) -> Rendered:
    """The stored text of a pre-2019 report: prose sections and a space-separated 统计表 on one line.

    The 统计表 is one line because that is how web copies print it and how
    ``ingest.stat_table`` reads it (rows follow each other after spaces).
    """
    doc, cells = _Doc(), list[tuple[int, int]]()
    doc.value(title)
    doc.add("\n")
    for (head, variants), pick in zip(NARRATIVE_SECTIONS, choice, strict=True):
        doc.add(f"{head}\n{variants[pick]}\n")
    doc.add("七、政府信息公开情况统计表\n指标名称 计量单位 ")
    doc.value(f"{year}年度")
    doc.add(" 历年累计")
    for label, unit, this_year, cumulative in v.rows:
        doc.add(f" {label} {unit} ")
        cells.append(doc.value(str(this_year)))
        doc.add(" ")
        cells.append(doc.value(str(cumulative)))
    doc.add("\n")
    return Rendered(doc, ("narrative", *choice), cells)


# --------------------------------------------------------------------------- extraction, the cheap way


class SectionCache:
    """``split_sections`` once per text skeleton, shifted onto every report made from it.

    Section boundaries and titles lie in fixed parts (headings, labels), so
    moving an offset by the length differences of the variable parts before
    it gives exactly what ``split_sections`` would return for the other
    report; an offset inside a variable part would mean that assumption broke,
    and raises instead of guessing.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[Any, ...], tuple[list[int], list[bool], list[int], list[ExtractedSection]]] = {}

    def __len__(self) -> int:
        return len(self._cache)

    def sections(self, r: Rendered) -> list[ExtractedSection]:
        entry = self._cache.get(r.skeleton)
        if entry is None:
            secs = split_sections(r.text)
            self._cache[r.skeleton] = (r.doc.starts(), list(r.doc.variable), [len(p) for p in r.doc.parts], secs)
            return _copy_sections(secs, lambda off: off)
        t_starts, variable, t_lens, secs = entry
        if len(t_starts) != len(r.doc.parts):
            raise ValueError(f"skeleton {r.skeleton!r} changed shape")
        i_starts = r.doc.starts()

        def shift(off: int) -> int:
            k = bisect.bisect_right(t_starts, off) - 1
            rel = off - t_starts[k]
            if variable[k] and rel != 0:
                if rel == t_lens[k] and k + 1 == len(t_starts):
                    return r.doc.length
                raise ValueError(f"offset {off} falls inside a variable part of skeleton {r.skeleton!r}")
            return i_starts[k] + rel

        return _copy_sections(secs, shift)


def _copy_sections(nodes: list[ExtractedSection], shift: Callable[[int], int]) -> list[ExtractedSection]:
    return [ExtractedSection(n.number, n.inferred_number, n.title, n.level, shift(n.start), shift(n.end),
                             _copy_sections(n.children, shift)) for n in nodes]


_SLOTS: dict[Format, list[Slot]] = {}


def _slots(fmt: Format) -> list[Slot]:
    """The cell slots of 表二, 表三 (row by row) and 表四 in print order, exactly as the readers build them."""
    if fmt not in _SLOTS:
        t2 = [Slot(c.metric, (), c.unit, c.kind, c.scale_wan, c.label) for row in T2_ROWS[fmt] for c in row.cols]
        t3 = [Slot(row.metric, (("applicant", col), *row.extra_dims), "件")
              for row in T3_ROWS[fmt] for col in APPLICANTS]
        t4 = [Slot(f"{b.prefix}.{o}", b.dims, "件") for b in T4_BLOCKS for o in T4_OUTCOMES]
        _SLOTS[fmt] = t2 + t3 + t4
    return _SLOTS[fmt]


def _tables(fmt: Format, cells: Sequence[Cell]) -> tuple[TableRead, TableRead, TableRead]:
    """表二, 表三 and 表四 as the readers return them, from the cells in print order."""
    slots = _slots(fmt)
    read = [ReadCell(slot, [c]) for slot, c in zip(slots, cells, strict=True)]
    n2 = sum(len(r.cols) for r in T2_ROWS[fmt])
    t2 = TableRead(shape=fmt, cells=read[:n2])
    t3 = TableRead(shape=fmt, columns=APPLICANTS, cells=read[n2:n2 + 7 * len(T3_ROWS[fmt])])
    for k, row in enumerate(T3_ROWS[fmt]):
        t3.rows[row.key] = t3.cells[7 * k: 7 * k + 7]
    t4 = TableRead(cells=read[n2 + len(t3.cells):])
    return t2, t3, t4


@dataclass(frozen=True)
class _CheckSpec:
    """One check of a standard report, as cell indexes: its value is then a sum per report."""

    rule: str
    kind: str  # eq (C1–C4), ge (2019 对外公开总数量 ≥ 本年新公开数量), or the cell kind of a T2 bound check
    left: tuple[int, ...]
    right: tuple[int, ...]
    left_source: str
    right_source: str
    left_span: int | None  # the cell whose offsets a one-cell side carries
    right_span: int | None
    detail: str


_PLANS: dict[Format, list[_CheckSpec]] = {}


def _check_plan(fmt: Format) -> list[_CheckSpec]:
    """The format's checks, learnt from the real check functions once.

    They run on tables whose cell ``i`` holds 2**i: every side's value is then
    the set of cells it adds up, so rules, sources and structure come from
    ``ingest.standard.checks`` itself and only the arithmetic is redone per
    report (the real functions rebuild every source string on each call,
    which costs more than the rest of a report together).
    """
    if fmt in _PLANS:
        return _PLANS[fmt]
    n = len(_slots(fmt))
    with localcontext() as ctx:
        ctx.prec = n + 10
        # money cells say 元, so no 万元 scaling hides which cell a value came from
        cells = [Cell(Decimal(2) ** i, 10 * i, 10 * i + 1, unit="元" if slot.kind == "money" else None)
                 for i, slot in enumerate(_slots(fmt))]
        t2, t3, t4 = _tables(fmt, cells)
        checks = t3_checks(t3) + t4_checks(t4) + t2_checks(t2)

        def members(v: Decimal | None) -> tuple[int, ...]:
            bits = int(v) if v is not None else 0
            return tuple(i for i in range(n) if bits >> i & 1)

    slots = _slots(fmt)
    plan = []
    for c in checks:
        left, right = members(c.left.value), members(c.right.value)
        if c.rule.startswith("C"):
            kind = "eq"
        elif c.rule.endswith(">=published"):
            kind = "ge"
        else:
            assert len(left) == 1 and c.right.value == 0, c
            kind = "t2:" + slots[left[0]].kind
        plan.append(_CheckSpec(c.rule, kind, left, right, c.left.source, c.right.source,
                               c.left.start // 10 if c.left.start is not None else None,
                               c.right.start // 10 if c.right.start is not None else None,
                               "" if kind == "eq" else c.detail))
    _PLANS[fmt] = plan
    return plan


def _stored(slot: Slot, cell: Cell) -> Decimal:
    """``ReadCell.stored`` for a cell that has a value: 万元 → 元, trailing zeros dropped."""
    value = cell.value
    assert value is not None
    if slot.kind == "money" and (cell.unit == "万元" or (cell.unit is None and slot.scale_wan)):
        value = value * WAN
    return tidy(value)


_ZERO_BOUND = "lower bound 0"


def _cell(printed: str, span: tuple[int, int]) -> Cell:
    """A pipe cell as ``parse_delimited`` reads it (a value may carry its unit: ``251000元``)."""
    if printed.endswith("元"):
        return Cell(Decimal(printed[:-1]), span[0], span[1], unit="元")
    return Cell(Decimal(printed), span[0], span[1])


def standard_figures(text: str, v: StandardValues, spans: list[tuple[int, int]]
                     ) -> tuple[list[Figure], list[ExtractedCheck]]:
    """Figures and checks of the three tables, as ``extract_standard`` returns them for this text.

    A figure is what ``ingest.standard._figure`` makes of a cell with one
    reading; checks follow the plan learnt from the real check functions.
    """
    printed = [x for row in T2_ROWS[v.fmt] for x in v.t2[row.key]]
    printed += [str(x) for row in T3_ROWS[v.fmt] for x in v.t3[row.key]]
    printed += [str(x) for x in v.t4]
    slots = _slots(v.fmt)
    cells = [_cell(x, span) for x, span in zip(printed, spans, strict=True)]
    values = [_stored(slot, c) for slot, c in zip(slots, cells, strict=True)]
    figures = [Figure(metric=slot.metric, dims=dict(slot.dims), value=val, unit=slot.unit, quote=text[c.start:c.end],
                      start=c.start, end=c.end, label=slot.label)
               for slot, c, val in zip(slots, cells, values, strict=True)]
    checks: list[ExtractedCheck] = []
    for spec in _check_plan(v.fmt):
        lv = sum((values[i] for i in spec.left), Decimal(0))
        rv = sum((values[i] for i in spec.right), Decimal(0))
        ls = CheckSide(lv, spec.left_source, *_span(cells, spec.left_span))
        rs = CheckSide(rv, spec.right_source, *_span(cells, spec.right_span))
        if spec.kind == "eq":
            result = "pass" if lv == rv else "fail"
            detail = f"{spec.left_source} = {lv}; {spec.right_source} = {rv}"
        elif spec.kind == "ge":
            result, detail = ("pass" if lv >= rv else "fail"), spec.detail
        else:
            rs = CheckSide(Decimal(0), _ZERO_BOUND)
            if spec.kind == "t2:money":
                ok = lv >= 0
            elif spec.kind == "t2:signed":
                ok = lv == lv.to_integral_value()
            else:
                ok = lv >= 0 and lv == lv.to_integral_value()
            result, detail = ("pass" if ok else "fail"), spec.detail
        checks.append(ExtractedCheck(spec.rule, result, ls, rs, detail,  # type: ignore[arg-type]
                                     notable=result == "fail"))
    return figures, checks


def _span(cells: list[Cell], i: int | None) -> tuple[int | None, int | None]:
    return (cells[i].start, cells[i].end) if i is not None else (None, None)


def narrative_figures(text: str) -> tuple[list[Figure], list[ExtractedCheck]]:
    """The 统计表's figures and checks, by the 统计表 reader itself (a report without prose figures)."""
    table, figures = read_stat_table(text, [])
    checks = table_checks(table, text) if table is not None else []
    balance = balance_check(figures)
    if balance is not None:
        checks.append(balance)
    return figures, checks


# --------------------------------------------------------------------------- the dataset


@dataclass
class SynthReport:
    """One synthetic publisher-year: the extracted report and where it belongs."""

    publisher: SynthPublisher
    year: int
    extracted: ExtractedReport
    sha256: str
    skeleton: tuple[Any, ...] = ()


def report_format(p: SynthPublisher, prof: _Profile, year: int) -> str:
    if year < FIRST_STANDARD_YEAR:
        return "narrative"
    if year < FIRST_2021_YEAR or (year == FIRST_2021_YEAR and prof.lags_2019_layout):
        return "standard-2019"
    return "standard-2021"


def published_years(p: SynthPublisher, years: tuple[int, int], seed: int) -> list[int]:
    """The years a publisher's report exists: a late starter begins later, and about one report in
    seventy was never published (so deltas and cross-year checks meet real gaps)."""
    rng = random.Random(f"published:{seed}:{p.index}")
    return [y for y in range(years[0], years[1] + 1)
            if rng.random() >= 0.015 and (p.first_year is None or y >= p.first_year)]


def publisher_reports(p: SynthPublisher, years: tuple[int, int], seed: int, sections: SectionCache
                      ) -> Iterator[SynthReport]:
    """Every report of one publisher, oldest first (values carry from one year to the next)."""
    rng = random.Random(f"reports:{seed}:{p.index}")
    prof = _profile(p, rng)
    chain = _Chain()
    first, last = years
    exists = set(published_years(p, years, seed))
    for year in range(first, last + 1):
        fmt = report_format(p, prof, year)
        if fmt == "narrative":
            nv = _narrative_values(rng, prof, chain, year, p.level != "department")
        else:
            sv = StandardValues(fmt, _t2_values(rng, prof, chain, fmt, year),  # type: ignore[arg-type]
                                {}, [])
            sv.t3 = _t3_values(rng, prof, chain, year, sv.fmt)
            sv.t4 = _t4_values(rng, prof, sv.t3["received"][6])
        if year not in exists:  # the values still happened: carry-over continues through the gap
            continue
        printed = p.printed_name(year)
        title = f"{printed}{year}年政府信息公开工作年度报告"
        if fmt == "narrative":
            rendered = render_narrative(title, year, nv, [rng.randrange(len(v)) for _, v in NARRATIVE_SECTIONS])
            figures, checks = narrative_figures(rendered.text)
        else:
            choice = (rng.randrange(len(INTRO_STANDARD)), rng.randrange(len(OVERVIEW_PARAGRAPHS) + 1),
                      rng.randrange(len(PROBLEMS)), rng.randrange(len(OTHER_MATTERS)))
            rendered = render_standard(title, year, sv, choice)
            figures, checks = standard_figures(rendered.text, sv, rendered.cells)
        body = rendered.text
        month = rng.randint(1, 3) if p.level != "department" else 1
        published = f"{year + 1}-{month:02d}-{rng.randint(5, 28):02d}"
        meta = ReportMeta(title=title, publisher=printed, year=year, published=published)
        rep = ExtractedReport(text=body, format=fmt,  # type: ignore[arg-type]
                              meta=meta, sections=sections.sections(rendered), figures=figures, statements=[],
                              checks=checks, media_type="text/plain" if fmt == "narrative" else "text/html")
        yield SynthReport(p, year, rep, hashlib.sha256(body.encode()).hexdigest(), rendered.skeleton)


# --------------------------------------------------------------------------- rows


def _columns(model: Any) -> tuple[str, ...]:
    return tuple(c.name for c in model.__table__.columns)


OBS_COLUMNS = _columns(Observation)
CHECK_COLUMNS = _columns(Check)
SECTION_COLUMNS = _columns(Section)
REPORT_COLUMNS = _columns(Report)
PUBLISHER_COLUMNS = _columns(Publisher)
PUBLISHER_NAME_COLUMNS = _columns(PublisherName)
POINT_COLUMNS = _columns(SeriesPoint)
_EXPECTED_OBS = ("id", "report_id", "publisher_id", "year", "report_year", "ordinal", "metric", "dims_key",
                 "applicant", "channel", "route", "employment", "subunit", "period", "value", "unit", "qualifier",
                 "status", "candidates", "label", "note", "section_id", "quote", "start", "end")
assert OBS_COLUMNS == _EXPECTED_OBS, "db.models.Observation changed: update db.synth's row builder"
assert DIM_COLUMNS == ("applicant", "channel", "route", "employment", "subunit", "period")


class Binder:
    """Python values → what the driver receives, by SQLAlchemy's own bind processors for each column type.

    The bulk path bypasses SQLAlchemy statements for speed, so it applies
    the same conversions (Numeric → float on SQLite, JSON null for a missing
    ``candidates``, booleans, datetimes) that ``conn.execute(insert(...))``
    would, and the stored bytes stay identical to the loader's.
    """

    def __init__(self, engine: Engine | Dialect) -> None:
        dialect = engine.dialect if isinstance(engine, Engine) else engine

        def proc(model: Any, name: str) -> Callable[[Any], Any]:
            col = model.__table__.c[name]
            p = col.type.dialect_impl(dialect).bind_processor(dialect)
            return p if p is not None else (lambda v: v)

        self.value = proc(Observation, "value")
        self.candidates = proc(Observation, "candidates")
        self.no_candidates = self.candidates(None)
        self.check_value = proc(Check, "left_value")
        self.notable = proc(Check, "notable")
        self.flag = proc(SeriesPoint, "conflict")
        self.report = {name: proc(Report, name) for name in REPORT_COLUMNS}


@dataclass
class Batch:
    """Rows of many reports, per table, ready for the driver."""

    reports: list[tuple[Any, ...]] = field(default_factory=list)
    sections: list[tuple[Any, ...]] = field(default_factory=list)
    observations: list[tuple[Any, ...]] = field(default_factory=list)
    checks: list[tuple[Any, ...]] = field(default_factory=list)
    points: list[tuple[Any, ...]] = field(default_factory=list)


_CARRY_AND_STOCK = frozenset({"applications.carried_forward", "applications.carried_over", *IN_FORCE_METRICS,
                              *(m.rsplit(".", 1)[0] + suffix for m in IN_FORCE_METRICS
                                for suffix in (".made", ".repealed"))})


class CrossYear:
    """The cross-year checks the loader writes (``db.crossyear.refresh_crossyear``), computed in memory.

    After any order of ingests, each report carries ``pair_checks`` against
    the publisher's previous report; reports arrive here publisher by
    publisher, oldest first, so keeping the last report's points is enough.
    A point is what ``db.crossyear.ranked_points`` picks: the first
    ``reported`` figure with a value for the whole publisher (running totals
    included), in extraction order.  Series that cannot yield a row (a jump
    needs both values and one of at least ``JUMP_FLOOR``) are left out before
    calling ``pair_checks``, which otherwise spends most of a report's time
    parsing dims keys it then skips; the result is the same rows, as the test
    against the loader shows.
    """

    def __init__(self) -> None:
        self.last: dict[str, tuple[ReportRef, ExtractedReport, dict[tuple[str, str], int]]] = {}
        self.applicants = [d.member for d in load_dictionary().dimensions if d.dimension == "applicant"]

    def rows(self, pid: str, rid: str, year: int, rep: ExtractedReport, chosen: dict[tuple[str, str], int]
             ) -> list[dict[str, Any]]:
        """The cross-year check rows of this report; ``chosen`` is its points (``choose``)."""
        figs = rep.figures
        ref = ReportRef(rid, year, rep.format)
        prev = self.last.get(pid)
        self.last[pid] = (ref, rep, chosen)
        if prev is None:
            return []
        pref, prep, pchosen = prev
        needed = {k for k in pchosen if k[0] in _CARRY_AND_STOCK or "period=cumulative" in k[1]}
        for k, i in chosen.items():
            if k[0] in _CARRY_AND_STOCK or "period=cumulative" in k[1]:
                needed.add(k)
                continue
            j = pchosen.get(k)
            if j is None:
                continue
            was, now = prep.figures[j].value, figs[i].value
            if was is not None and now is not None and max(abs(was), abs(now)) >= JUMP_FLOOR:
                needed.add(k)
        out = pair_checks(pref, ref, _points(pref, prep, pchosen, needed), _points(ref, rep, chosen, needed),
                          self.applicants)
        for i, row in enumerate(out):
            row.update(id=f"{rid}-x{i:03d}", report_id=rid, publisher_id=pid, year=year,
                       ordinal=CHECK_ORDINAL_BASE + i)
        return out


def choose(figs: Sequence[Figure], keys: Sequence[str], year: int, bound: Sequence[Any]
           ) -> tuple[dict[tuple[str, str], int], set[tuple[str, str]]]:
    """The figure ``db.crossyear.ranked_points`` picks for each series of a report, and the conflicting series.

    ``keys`` are the figures' dims keys and ``bound`` their values as the
    driver receives them.  Candidates are the ``reported`` figures about the
    whole publisher in the report's own year (running totals included, as
    ``ranked_points(cumulative=True)``); the pick is the first with a value in
    extraction order, else the first.  A series conflicts when its candidates
    hold two different values (``vmin != vmax``), compared as bound, so as the
    database compares the stored values.
    """
    chosen: dict[tuple[str, str], int] = {}  # series → index of the figure ranked_points picks
    first: dict[tuple[str, str], Any] = {}  # series → the first bound value printed for it
    conflicts: set[tuple[str, str]] = set()
    for i, f in enumerate(figs):
        d = f.dims
        if (f.metric is None or f.status != "reported" or "subunit" in d or (f.year or year) != year
                or d.get("period") not in (None, "cumulative")):
            continue
        key = (f.metric, keys[i])
        j = chosen.get(key)
        if j is None or (figs[j].value is None and f.value is not None):
            chosen[key] = i
        if f.value is not None:
            v = bound[i]
            if first.setdefault(key, v) != v:
                conflicts.add(key)
    return chosen, conflicts


def headline(key: str) -> bool:
    """``db.crossyear.headline_key`` in Python: every member of the dims key is ``total`` (or there are none)."""
    return "=" not in (";" + key + ";").replace("=total;", ";")


def _points(ref: ReportRef, rep: ExtractedReport, chosen: dict[tuple[str, str], int],
            keys: set[tuple[str, str]]) -> dict[tuple[str, str], Point]:
    out = {}
    for k in keys:
        i = chosen.get(k)
        if i is not None:
            f = rep.figures[i]
            out[k] = Point(f"{ref.id}-o{i:04d}", ref.id, ref.year, k[0], k[1], f.value, f.qualifier, f.quote,
                           f.start, f.end)
    return out


class RowBuilder:
    """The rows ``db.loader._ingest`` (and ``refresh_crossyear``) write for a report: same ids, columns, bytes."""

    def __init__(self, engine: Engine | Dialect, ingested_at: datetime, crossyear: bool = True) -> None:
        self.binder = Binder(engine)
        self.ingested_at = ingested_at
        self.cross = CrossYear() if crossyear else None
        self._dims: dict[tuple[tuple[str, str], ...], str] = {}
        self._headline: dict[str, Any] = {}  # dims key → bound headline flag
        self._sections: dict[tuple[Any, ...], list[int | None]] = {}

    def dims_key(self, d: dict[str, str]) -> str:
        k = tuple(d.items())
        found = self._dims.get(k)
        if found is None:
            found = self._dims[k] = dims_key(d) if d else ""
        return found

    def _section_ordinals(self, sr: SynthReport, rows: list[dict[str, Any]], ids: dict[int, str]) -> list[int | None]:
        """Per figure, the section (by document order) that ``section_at`` finds: fixed per skeleton."""
        rep = sr.extracted
        key = (*sr.skeleton, len(rep.figures))
        found = self._sections.get(key) if sr.skeleton else None
        if found is None:
            pos = {r["id"]: k for k, r in enumerate(rows)}
            found = []
            for f in rep.figures:
                node = section_at(rep.sections, f.start)
                found.append(pos[ids[id(node)]] if node is not None else None)
            if sr.skeleton:
                self._sections[key] = found
        return found

    def add(self, batch: Batch, sr: SynthReport) -> None:
        binder = self.binder
        rep, pid, year = sr.extracted, sr.publisher.id, sr.year
        rid = report_id(pid, year)
        meta = rep.meta
        report = {"id": rid, "publisher_id": pid, "year": year, "format": rep.format, "title": meta.title or "",
                  "printed_publisher": meta.publisher, "source_path": f"{SOURCE_PREFIX}{sr.publisher.index}",
                  "source_url": meta.source_url, "sha256": sr.sha256, "published": meta.published,
                  "index_number": meta.index_number, "media_type": rep.media_type, "text": rep.text,
                  "ingested_at": self.ingested_at}
        batch.reports.append(tuple(binder.report[c](report[c]) for c in REPORT_COLUMNS))
        sec_rows, sec_ids = _section_rows(rid, rep.sections)
        batch.sections.extend(tuple(r[c] for c in SECTION_COLUMNS) for r in sec_rows)
        ordinals = self._section_ordinals(sr, sec_rows, sec_ids)
        figs = rep.figures
        keys = [self.dims_key(f.dims) for f in figs]
        value, no_candidates, candidates = binder.value, binder.no_candidates, binder.candidates
        bound = [value(f.value) for f in figs]
        append = batch.observations.append
        for i, f in enumerate(figs):
            d, o = f.dims, ordinals[i]
            append((f"{rid}-o{i:04d}", rid, pid, f.year or year, year, i, f.metric, keys[i],
                    d.get("applicant"), d.get("channel"), d.get("route"), d.get("employment"), d.get("subunit"),
                    d.get("period"), bound[i], f.unit, f.qualifier, f.status,
                    candidates([str(c) for c in f.candidates]) if f.candidates else no_candidates, f.label, f.note,
                    sec_rows[o]["id"] if o is not None else None, f.quote, f.start, f.end))
        cv, notable = binder.check_value, binder.notable
        for i, c in enumerate(rep.checks):
            batch.checks.append((f"{rid}-c{i:03d}", rid, pid, year, i, c.rule, c.result, notable(c.notable),
                                 cv(c.left.value), c.left.source, c.left.start, c.left.end, cv(c.right.value),
                                 c.right.source, c.right.start, c.right.end, c.detail))
        chosen, conflicts = choose(figs, keys, year, bound)
        # series_point: the picks with a value, running totals left out (db.crossyear.point_select)
        flag, heads, fmt = binder.flag, self._headline, rep.format
        yes, no = flag(True), flag(False)
        add_point = batch.points.append
        for series, i in chosen.items():
            f = figs[i]
            if f.value is None or "period" in f.dims:
                continue
            metric, key = series
            head = heads.get(key)
            if head is None:
                head = heads[key] = flag(headline(key))
            add_point((pid, metric, key, year, bound[i], f.qualifier, rid, fmt, yes if series in conflicts else no,
                       f"{rid}-o{i:04d}", head))
        if self.cross is not None:
            for r in self.cross.rows(pid, rid, year, rep, chosen):
                batch.checks.append(tuple(cv(r[c]) if c in ("left_value", "right_value") else
                                          notable(r[c]) if c == "notable" else r[c] for c in CHECK_COLUMNS))

    def done_with(self, publisher: str) -> None:
        """Forget a publisher's last report (its reports are all in)."""
        if self.cross is not None:
            self.cross.last.pop(publisher, None)


assert POINT_COLUMNS == ("publisher_id", "metric", "dims_key", "year", "value", "qualifier", "report_id", "format",
                         "conflict", "observation_id", "headline"), "db.models.SeriesPoint changed: update db.synth"
_POINT_ORDER = itemgetter(1, 2, 3, 0)  # series_point's primary key: (metric, dims_key, year, publisher_id)
assert CHECK_COLUMNS == ("id", "report_id", "publisher_id", "year", "ordinal", "rule", "result", "notable",
                         "left_value", "left_source", "left_start", "left_end", "right_value", "right_source",
                         "right_start", "right_end", "detail"), "db.models.Check changed: update db.synth"


# --------------------------------------------------------------------------- loading


class Progress:
    """A progress bar on stderr (a line every few seconds when stderr is not a terminal)."""

    def __init__(self, total: int, stream: IO[str] | None, label: str = "synth") -> None:
        self.total, self.stream, self.label = max(1, total), stream, label
        self.done = 0
        self.start = self._last = time.perf_counter()
        self.tty = bool(stream is not None and stream.isatty())

    def update(self, done: int, note: str = "", force: bool = False) -> None:
        self.done = done
        if self.stream is None:
            return
        now = time.perf_counter()
        if not force and now - self._last < (0.2 if self.tty else 5.0):
            return
        self._last = now
        elapsed = now - self.start
        frac = min(1.0, done / self.total)
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        bar = "#" * int(frac * 30)
        line = (f"{self.label} [{bar:<30}] {frac:6.1%} {done}/{self.total} reports {note} "
                f"{elapsed:5.0f}s elapsed, ~{eta:4.0f}s left")
        self.stream.write(("\r" + line + "\x1b[K") if self.tty else line + "\n")
        self.stream.flush()

    def phase(self, message: str) -> None:
        if self.stream is not None:
            elapsed = time.perf_counter() - self.start
            self.stream.write(("\n" if self.tty else "") + f"{self.label}: {message} ({elapsed:.0f}s elapsed)\n")
            self.stream.flush()
            self._last = 0.0


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class _Writer:
    """Bulk inserts on the transaction's own DBAPI connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        self.dbapi: Any = dbapi

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.dialect == "postgresql":
            with self.dbapi.cursor() as cur, cur.copy(f"COPY {table} ({_quoted(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cur = self.dbapi.cursor()
            try:
                cur.executemany(f"INSERT INTO {table} ({_quoted(columns)}) VALUES ({marks})", rows)
            finally:
                cur.close()

    def upsert_ignore(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert rows whose key is not there yet (a publisher may already exist)."""
        if not rows:
            return
        marks = ", ".join("%s" if self.dialect == "postgresql" else "?" for _ in columns)
        sql = f"INSERT INTO {table} ({_quoted(columns)}) VALUES ({marks}) ON CONFLICT DO NOTHING"
        cur = self.dbapi.cursor()
        try:
            cur.executemany(sql, rows)
        finally:
            cur.close()


BULK_TABLES = ("observation", "check_result", "section", "series_point")


def _secondary_indexes(conn: Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of a table's indexes other than its primary key, as the database stores them."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :t "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass))"),
            {"t": table}).all()
    else:
        rows = conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"),
            {"t": table}).all()
    return [(str(r[0]), str(r[1])) for r in rows]


def _previous(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": SYNTH_META_KEY}).first()
    if row is None:
        return None
    try:
        found = orjson.loads(row[0])
    except orjson.JSONDecodeError:
        return None
    return found if isinstance(found, dict) else None


def remove_synthetic(conn: Connection) -> int:
    """Delete every synthetic report (and its rows), then the synthetic publishers no real report uses."""
    synthetic = f"SELECT id FROM report WHERE source_path LIKE '{SOURCE_PREFIX}%'"
    n = int(conn.execute(text(f"SELECT COUNT(*) FROM ({synthetic}) s")).scalar_one())
    if n:
        for table in ("series_point", "observation", "statement", "check_result", "section"):
            conn.execute(text(f"DELETE FROM {table} WHERE report_id IN ({synthetic})"))
        conn.execute(text(f"DELETE FROM report WHERE source_path LIKE '{SOURCE_PREFIX}%'"))
    prev = _previous(conn)
    if prev is not None:
        ids = [p.id for p in make_publishers(int(prev["publishers"]), int(prev["seed"]))]
        chunks = [ids[max(0, k - 500):k] for k in range(len(ids), 0, -500)]
        for chunk in chunks:
            params = {f"p{i}": pid for i, pid in enumerate(chunk)}
            marks = ", ".join(f":p{i}" for i in range(len(chunk)))
            conn.execute(text(f"DELETE FROM publisher_name WHERE publisher_id IN ({marks}) AND NOT EXISTS "
                              "(SELECT 1 FROM report r WHERE r.publisher_id = publisher_name.publisher_id)"), params)
        # a publisher goes once nothing refers to it: leaves first, a level per pass (real publishers a
        # synthetic one were parent of would stay, as would their parent)
        for _ in range(6):
            deleted = 0
            for chunk in chunks:
                params = {f"p{i}": pid for i, pid in enumerate(chunk)}
                marks = ", ".join(f":p{i}" for i in range(len(chunk)))
                deleted += conn.execute(text(
                    f"DELETE FROM publisher WHERE id IN ({marks}) AND NOT EXISTS "
                    "(SELECT 1 FROM report r WHERE r.publisher_id = publisher.id) AND NOT EXISTS "
                    "(SELECT 1 FROM publisher c WHERE c.parent_id = publisher.id)"), params).rowcount
            if not deleted:
                break
        conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": SYNTH_META_KEY})
    return n


@dataclass
class SynthResult:
    """What a run loaded, and how long it took."""

    publishers: int
    years: tuple[int, int]
    seed: int
    reports: int = 0
    observations: int = 0
    checks: int = 0
    sections: int = 0
    points: int = 0
    seconds: float = 0.0
    index_seconds: float = 0.0
    replaced: int = 0
    rebuilt_indexes: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"version": SYNTH_VERSION, "publishers": self.publishers, "years": list(self.years), "seed": self.seed,
                "reports": self.reports,
                "observations": self.observations, "checks": self.checks, "sections": self.sections,
                "points": self.points,
                "seconds": round(self.seconds, 1), "index_seconds": round(self.index_seconds, 1)}


@dataclass
class _Worker:
    """What a generating process keeps between chunks: skeleton sections and row-building caches."""

    years: tuple[int, int]
    seed: int
    sections: SectionCache
    rows: RowBuilder


_WORKER: _Worker | None = None


def _init_worker(url: str, years: tuple[int, int], seed: int, ingested_at: datetime) -> None:
    global _WORKER
    import gc

    from sqlalchemy import create_engine

    gc.disable()
    dialect = create_engine(url).dialect  # only for its bind processors: never connects
    _WORKER = _Worker(years, seed, SectionCache(), RowBuilder(dialect, ingested_at))


def _generate(pubs: list[SynthPublisher]) -> Batch:
    """The rows of every report of these publishers (publishers are never split, so cross-year state is local)."""
    assert _WORKER is not None
    batch = Batch()
    for p in pubs:
        for sr in publisher_reports(p, _WORKER.years, _WORKER.seed, _WORKER.sections):
            _WORKER.rows.add(batch, sr)
        _WORKER.rows.done_with(p.id)
    return batch


def _batches(pubs: list[SynthPublisher], url: str, years: tuple[int, int], seed: int, ingested_at: datetime,
             workers: int, per_batch: int) -> Iterator[tuple[int, Batch]]:
    """(publishers done, rows) in publisher order, generated here or by ``workers`` processes."""
    chunks = [pubs[i:i + per_batch] for i in range(0, len(pubs), per_batch)]
    global _WORKER
    if workers <= 1:
        _init_worker(url, years, seed, ingested_at)
        done = 0
        try:
            for chunk in chunks:
                done += len(chunk)
                yield done, _generate(chunk)
        finally:
            _WORKER = None
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork")  # workers only compute; they never touch the parent's connections
    with ctx.Pool(workers, _init_worker, (url, years, seed, ingested_at)) as pool:
        done = 0
        for chunk, batch in zip(chunks, pool.imap(_generate, chunks), strict=True):
            done += len(chunk)
            yield done, batch


def synthesize(engine: Engine, publishers: int = DEFAULT_PUBLISHERS, years: tuple[int, int] = DEFAULT_YEARS,
               seed: int = 0, progress: IO[str] | None = sys.stderr, workers: int = 1) -> SynthResult:
    """Generate and bulk-load a synthetic dataset in one transaction (replacing earlier synthetic data).

    The schema and dictionary must exist (``db.engine.upgrade`` and
    ``db.loader.ensure_dictionary``).  The data version is bumped once, at
    the end, so API caches see the new data as one change.  Reports are
    generated here or, with ``workers`` > 1, by that many forked processes
    while this one writes; the rows do not depend on how many.  On the shared
    2-core machines one process was faster (pickling rows across processes
    costs the writer more than generation saves), so 1 is the default.
    """
    import gc

    first, last = years
    if first > last:
        raise ValueError(f"year range {first}:{last} runs backwards")
    pubs = make_publishers(publishers, seed)
    result = SynthResult(publishers, years, seed)
    started = time.perf_counter()
    bar = Progress(publishers * (last - first + 1), progress)
    ingested_at = datetime.now(UTC)
    n_workers = max(1, workers)
    span = last - first + 1
    per_batch = max(1, 40 // span) if n_workers > 1 else max(1, 400 // span)
    sqlite = engine.dialect.name == "sqlite"
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of short-lived tuples: the cyclic collector only costs time here
    try:
        with engine.connect() as conn:
            if sqlite:
                # No WAL for one huge transaction (it would hold a second copy of the database until
                # checkpointed); back to WAL at the end.  Durability is the caller's: rerun if it crashes.
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.exec_driver_sql("PRAGMA cache_size=-262144")
                conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
                conn.commit()
            try:
                with conn.begin():
                    result.replaced = remove_synthetic(conn)
                    empty = conn.execute(text("SELECT 1 FROM observation LIMIT 1")).first() is None
                    dropped: list[tuple[str, str]] = []
                    if empty:
                        for table in BULK_TABLES:
                            for name, ddl in _secondary_indexes(conn, table):
                                conn.exec_driver_sql(f'DROP INDEX "{name}"')
                                dropped.append((name, ddl))
                    writer = _Writer(conn)
                    _write_publishers(writer, pubs, years, seed)
                    url = engine.url.render_as_string(hide_password=False)
                    points: list[tuple[Any, ...]] = []
                    for done, batch in _batches(pubs, url, years, seed, ingested_at, n_workers, per_batch):
                        _flush(writer, batch, result, points)
                        bar.update(done * span, f"{result.observations:,} observations")
                    _flush(writer, Batch(), result, points, last=True)
                    bar.update(bar.total, f"{result.observations:,} observations", force=True)
                    t_index = time.perf_counter()
                    if dropped:
                        bar.phase(f"rebuilding {len(dropped)} indexes")
                        for _name, ddl in dropped:
                            conn.exec_driver_sql(ddl)
                    result.rebuilt_indexes = bool(dropped)
                    bar.phase("analyzing")
                    _analyze(conn)
                    result.index_seconds = time.perf_counter() - t_index
                    _bump_version(conn)
                    result.seconds = time.perf_counter() - started
                    conn.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v)"),
                                 {"k": SYNTH_META_KEY, "v": orjson.dumps(result.as_json()).decode()})
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                    conn.commit()
    finally:
        if gc_was_enabled:
            gc.enable()
    bar.phase(f"loaded {result.reports:,} reports, {result.observations:,} observations, {result.checks:,} checks "
              f"in {result.seconds:.0f}s")
    return result


def _analyze(conn: Connection) -> None:
    """Planner statistics for the loaded tables (what PostgreSQL's autovacuum would gather soon anyway;
    on SQLite the sampled ``analysis_limit`` form that ``PRAGMA optimize`` uses)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
    for table in ("publisher", "report", "section", "observation", "check_result", "series_point"):
        conn.exec_driver_sql(f"ANALYZE {table}")


POINTS_PER_WRITE = 400_000
"""``series_point`` rows held back and written together, sorted by its primary key.

The table is clustered by (metric, dims_key, year, publisher_id) on SQLite
(``WITHOUT ROWID``), so a batch's points land in a couple of thousand places
of a table larger than the page cache; in bigger, sorted writes each place
takes a run of rows per visit.  About 100 MB of tuples at this size."""


def _flush(writer: _Writer, batch: Batch, result: SynthResult, points: list[tuple[Any, ...]],
           last: bool = False) -> None:
    writer.write("report", REPORT_COLUMNS, batch.reports)
    writer.write("section", SECTION_COLUMNS, batch.sections)
    writer.write("observation", OBS_COLUMNS, batch.observations)
    writer.write("check_result", CHECK_COLUMNS, batch.checks)
    points += batch.points
    if last or len(points) >= POINTS_PER_WRITE:
        points.sort(key=_POINT_ORDER)
        writer.write("series_point", POINT_COLUMNS, points)
        result.points += len(points)
        points.clear()
    result.reports += len(batch.reports)
    result.sections += len(batch.sections)
    result.observations += len(batch.observations)
    result.checks += len(batch.checks)


def publisher_rows(pubs: list[SynthPublisher], years: tuple[int, int], seed: int
                   ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Publisher rows (those with a report, and the bodies above them) and the names each printed.

    As the loader records them: a ``publisher_name`` row per printed name with
    the first and last year of the reports it appears on.
    """
    by_id = {p.id: p for p in pubs}
    keep: set[str] = set()
    names: list[tuple[Any, ...]] = []
    for p in pubs:
        printed: dict[str, tuple[int, int]] = {}
        for year in published_years(p, years, seed):
            name = p.printed_name(year)
            lo, hi = printed.get(name, (year, year))
            printed[name] = (min(lo, year), max(hi, year))
        if not printed:
            continue
        names.extend((p.id, name, lo, hi) for name, (lo, hi) in printed.items())
        q: SynthPublisher | None = p
        while q is not None and q.id not in keep:
            keep.add(q.id)
            q = by_id.get(q.parent_id) if q.parent_id else None
    rows = [(p.id, p.name, p.level, p.province, p.region_code, p.parent_id) for p in pubs if p.id in keep]
    return rows, names


def _write_publishers(writer: _Writer, pubs: list[SynthPublisher], years: tuple[int, int], seed: int) -> None:
    assert PUBLISHER_COLUMNS == ("id", "name", "level", "province", "region_code", "parent_id")
    assert PUBLISHER_NAME_COLUMNS == ("publisher_id", "name", "first_year", "last_year")
    rows, names = publisher_rows(pubs, years, seed)
    writer.upsert_ignore("publisher", PUBLISHER_COLUMNS, rows)
    writer.upsert_ignore("publisher_name", PUBLISHER_NAME_COLUMNS, names)


def synth_info(conn: Connection) -> dict[str, Any] | None:
    """What the last ``synthesize`` run recorded in ``meta`` (sizes, seconds), or None."""
    return _previous(conn)
