"""The national tables' rows and columns, mapped to the metric codes of the contract.

Everything that depends on the *shape* of the 2019 and 2021 formats lives here,
so the readers and the solver never hard-code a label: a new variant of the
template means editing this file only.  Codes, units and dims follow
``data/dictionary/metrics.csv`` (a test checks that they stay in sync).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Format = Literal["standard-2019", "standard-2021"]
CellKind = Literal["count", "signed", "money"]

# --------------------------------------------------------------------------- 表三

APPLICANTS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_org",
    "legal_service",
    "other_org",
    "total",
)
"""The seven printed applicant columns, in template order."""

APPLICANTS_WITH_SUBTOTAL: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_org",
    "legal_service",
    "other_org",
    "legal_person_subtotal",
    "total",
)
"""Column order assumed when an eighth 小计 column is printed (after the five kinds)."""

LEGAL_PERSON_COLUMNS: tuple[str, ...] = (
    "commercial",
    "research",
    "social_org",
    "legal_service",
    "other_org",
)


@dataclass(frozen=True)
class T3Row:
    """One data row of 表三: the metric it feeds and the label that finds it."""

    key: str
    metric: str
    pattern: str  # regex core; whitespace between characters is tolerated
    outcome: bool = False  # part of the （七）总计 sum
    extra_dims: tuple[tuple[str, str], ...] = ()


def _t3(key: str, pattern: str, outcome: bool = True) -> T3Row:
    return T3Row(key=key, metric="applications." + key, pattern=pattern, outcome=outcome)


_T3_HEAD = [
    T3Row(
        "received",
        "applications.received",
        "本年新收",
        extra_dims=(("channel", "total"),),
    ),
    T3Row("carried_over", "applications.carried_over", "上年结转"),
    _t3("outcome.granted", "予以公开"),
    _t3("outcome.partial", "部分公开"),
    _t3("outcome.denied.state_secret", "国家秘密"),
    _t3("outcome.denied.prohibited_by_law", "其他法律行政"),
    _t3("outcome.denied.security_stability", "危及|三安全一稳定"),
    _t3("outcome.denied.third_party", "第三方合法权益"),
    _t3("outcome.denied.internal_affairs", "三类内部事务"),
    _t3("outcome.denied.process_info", "四类过程性"),
    _t3("outcome.denied.enforcement_files", "行政执法案卷"),
    _t3("outcome.denied.inquiry_matters", "行政查询事项"),
    _t3("outcome.unable.not_held", "本机关不掌握"),
    _t3("outcome.unable.needs_creation", "没有现成信息|另行制作"),
    _t3("outcome.unable.unclear", "补正后申请内容|仍不明确"),
    _t3("outcome.not_processed.petition", "信访举报投诉"),
    _t3("outcome.not_processed.duplicate", "重复申请"),
    _t3("outcome.not_processed.publication", "公开出版物"),
    _t3("outcome.not_processed.excessive", "大量反复"),
    _t3("outcome.not_processed.confirmation", "确认或重新出具|重新出具已获取"),
]
_T3_OTHER_2019 = [_t3("outcome.other", "其他处理")]
_T3_OTHER_2021 = [
    _t3("outcome.other.overdue_correction", "逾期不补正"),
    _t3("outcome.other.overdue_fee", "缴纳费用|收费通知要求"),
    _t3("outcome.other.other", r"(?<![（(])[3３][.．、]其他(?!处理|法律|结果)"),
]
_T3_TAIL = [
    T3Row("outcome.total", "applications.outcome.total", r"[（(]七[）)]总计"),
    T3Row("carried_forward", "applications.carried_forward", "结转下年度"),
]

T3_ROWS: dict[Format, tuple[T3Row, ...]] = {
    "standard-2019": tuple(_T3_HEAD + _T3_OTHER_2019 + _T3_TAIL),
    "standard-2021": tuple(_T3_HEAD + _T3_OTHER_2021 + _T3_TAIL),
}
"""Data rows of 表三 in printed order: 23 in 2019 (single （六）), 25 in 2021."""

T3_ALL_ROWS: dict[str, T3Row] = {r.key: r for rows in T3_ROWS.values() for r in rows}

T3_GROUP_LABELS: dict[str, str] = {
    "group.denied": "不予公开",
    "group.unable": "无法提供",
    "group.not_processed": "不予处理",
}
"""Labels of (三)(四)(五): they head sub-items and carry no values of their own."""

# --------------------------------------------------------------------------- 表二


@dataclass(frozen=True)
class T2Col:
    """One value column of a 表二 row."""

    metric: str | None  # None: a printed cell the dictionary has no code for
    unit: str
    kind: CellKind = "count"
    label: str | None = None  # for uncoded cells
    scale_wan: bool = False  # the header prints 万元: multiply by 10000


@dataclass(frozen=True)
class T2Row:
    """One row of 表二 and the columns it has in one format."""

    key: str
    pattern: str
    cols: tuple[T2Col, ...]


def _c(metric: str, unit: str = "件", kind: CellKind = "count", wan: bool = False) -> T2Col:
    return T2Col(metric=metric, unit=unit, kind=kind, scale_wan=wan)


_RULES = r"(?<!行政)规章"
_NORMATIVE = r"(?:行政)?规范性文件"

T2_ROWS: dict[Format, tuple[T2Row, ...]] = {
    "standard-2019": (
        T2Row(
            "rules",
            _RULES,
            (
                _c("proactive.rules.made"),
                _c("proactive.rules.published"),
                _c("proactive.rules.published_total"),
            ),
        ),
        T2Row(
            "normative_docs",
            _NORMATIVE,
            (
                _c("proactive.normative_docs.made"),
                # 2019 本年新公开数量 of 规范性文件: the concept of the narrative
                # metric "主动公开规范性文件数" (see the report to the lead).
                _c("proactive.normative_docs.published", unit="条"),
                _c("proactive.normative_docs.published_total"),
            ),
        ),
        T2Row(
            "licensing",
            "行政许可",
            (
                _c("proactive.licensing.items", "项"),
                _c("proactive.licensing.items_change", "项", "signed"),
                _c("proactive.licensing.decisions"),
            ),
        ),
        T2Row(
            "other_services",
            "其他对外管理服务事项",
            (
                _c("proactive.other_services.items", "项"),
                _c("proactive.other_services.items_change", "项", "signed"),
                _c("proactive.other_services.decisions"),
            ),
        ),
        T2Row(
            "penalties",
            "行政处罚",
            (
                _c("proactive.penalties.items", "项"),
                _c("proactive.penalties.items_change", "项", "signed"),
                _c("proactive.penalties.decisions"),
            ),
        ),
        T2Row(
            "coercion",
            "行政强制",
            (
                _c("proactive.coercion.items", "项"),
                _c("proactive.coercion.items_change", "项", "signed"),
                _c("proactive.coercion.decisions"),
            ),
        ),
        T2Row(
            "admin_fees",
            "行政事业性收费",
            (
                _c("proactive.admin_fees.items", "项"),
                _c("proactive.admin_fees.items_change", "项", "signed"),
            ),
        ),
        T2Row(
            "procurement",
            "政府集中采购",
            (
                _c("proactive.procurement.projects", "项"),
                # the 2019 header prints no unit; the unit sits in the value
                # ("251000元").  Without one, template_ref says 万元.
                _c("proactive.procurement.amount", "元", "money", wan=True),
            ),
        ),
    ),
    "standard-2021": (
        T2Row(
            "rules",
            _RULES,
            (
                _c("proactive.rules.made"),
                _c("proactive.rules.repealed"),
                _c("proactive.rules.in_force"),
            ),
        ),
        T2Row(
            "normative_docs",
            _NORMATIVE,
            (
                _c("proactive.normative_docs.made"),
                _c("proactive.normative_docs.repealed"),
                _c("proactive.normative_docs.in_force"),
            ),
        ),
        T2Row("licensing", "行政许可", (_c("proactive.licensing.decisions"),)),
        T2Row("penalties", "行政处罚", (_c("proactive.penalties.decisions"),)),
        T2Row("coercion", "行政强制", (_c("proactive.coercion.decisions"),)),
        T2Row(
            "admin_fees",
            "行政事业性收费",
            (_c("proactive.admin_fees.amount", "元", "money", wan=True),),
        ),
    ),
}

T2_LABELS: dict[Format, tuple[str, ...]] = {
    "standard-2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "采购项目数量",
        "采购总金额",
        "其他对外管理服务事项",
        "政府集中采购",
    ),
    "standard-2021": (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "行政规范性文件",
    ),
}
"""Header and row labels that exist in only one version of 表二 (format vote)."""

# Prose keywords that name a 表二 column, used to read "制发规范性文件88件" as
# soft evidence for a flattened cell.
T2_PROSE_COLUMNS: dict[str, tuple[str, ...]] = {
    "made": ("制发", "新制作", "制定"),
    "repealed": ("废止",),
    "in_force": ("现行有效",),
}

# --------------------------------------------------------------------------- 表四

T4_OUTCOMES: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")


@dataclass(frozen=True)
class T4Block:
    """One five-cell block of 表四 (结果维持, 结果纠正, 其他结果, 尚未审结, 总计)."""

    name: str  # rule suffix: review / litigation.direct / litigation.after_review
    prefix: str  # metric prefix
    dims: tuple[tuple[str, str], ...]


T4_BLOCKS: tuple[T4Block, ...] = (
    T4Block("review", "review", ()),
    T4Block("litigation.direct", "litigation", (("route", "direct"),)),
    T4Block("litigation.after_review", "litigation", (("route", "after_review"),)),
)

# --------------------------------------------------------------------------- labels

ITEM_PREFIX = r"(?:[1-8１-８][.．、])?"
"""An item number that may precede a sub-row label ("2.重复申请"); it is part of
the label, never of the previous row's digits."""


def label_regex(pattern: str, item_prefix: bool = True) -> re.Pattern[str]:
    """Compile a label pattern for matching on whitespace-free text.

    Labels are matched on a copy of the text with all whitespace removed, so
    that labels split by PDF extraction ("本年度办 理结果", "情\n形") still match.
    """
    prefix = ITEM_PREFIX if item_prefix else ""
    return re.compile(prefix + "(?:" + pattern + ")")
