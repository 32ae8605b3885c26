"""The phrase table: what narrative reports say, mapped to metric codes.

One row per way of saying a concept.  Rows are tried in order (specific
before general).  ``phrase`` is searched in the clause before the number
(``side="before"``) or right after it (``side="after"``); ``topic`` limits a
row to text about one subject (复议 vs 诉讼 both have "其他情形"); ``units``
limits it to figures printed with one of those units (None: any unit or none).

Keeping this as data, not code, is the point: a new phrasing is a new row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Side = Literal["before", "after", "either"]

# Topics: the subject under discussion is the one whose keyword occurs last in
# the section title and the text before the figure.
TOPICS: dict[str, str] = {
    "review": r"行政复议|复议",
    "litigation": r"行政诉讼|诉讼",
    "complaints": r"投诉|举报",
    "applications": r"依申请|申请",
    "proactive": r"(?<!已)主动公开",
    "capacity": r"机构建设|工作人员|专项经费|培训|会议",
}


@dataclass(frozen=True)
class Phrase:
    metric: str
    phrase: str
    dims: dict[str, str] = field(default_factory=dict)
    side: Side = "before"
    topic: str | None = None
    units: tuple[str, ...] | None = None
    value_from_number: bool = True


COUNT = ("件", "条", "次", "个", "项")

PHRASES: tuple[Phrase, ...] = (
    # --- 主动公开 -----------------------------------------------------------
    Phrase("proactive.normative_docs.made", r"制发(?:的)?(?:行政)?规范性文件"),
    Phrase("proactive.normative_docs.published", r"公开(?:的)?(?:行政)?规范性文件"),
    Phrase("proactive.proposal_results", r"(?:建议|议案).{0,6}提案.{0,6}(?:办理结果|答复)|提案办理结果"),
    Phrase("proactive.items", r"政府公报", {"channel": "gazette"}, units=("条",)),
    Phrase("proactive.items", r"政务微博", {"channel": "weibo"}, units=("条",)),
    Phrase("proactive.items", r"政务微信", {"channel": "wechat"}, units=("条",)),
    Phrase("proactive.items", r"(?:政务)?(?:新媒体)?客户端", {"channel": "app"}, units=("条",)),
    Phrase("proactive.items", r"政府网站|门户网站|网站公开", {"channel": "website"}, units=("条",)),
    Phrase("proactive.items", r"新闻发布会|报刊|广播电视", {"channel": "press"}, units=("条",)),
    Phrase("proactive.items", r"其他方式", {"channel": "other"}, units=("条",)),
    Phrase("proactive.items", r"主动公开.{0,6}信息(?:数|总数)?|公开政府信息", {"channel": "total"}, units=("条",)),
    # --- 回应解读 -----------------------------------------------------------
    Phrase("responses.hot_topics", r"回应.{0,6}(?:热点|舆情)"),
    Phrase("responses.press_conferences.leader_attended", r"(?:主要)?负责同志参加.{0,4}新闻发布会"),
    Phrase("responses.press_conferences", r"新闻发布会", units=("次", "场")),
    Phrase("responses.online_interviews.leader_attended", r"(?:主要)?负责同志参加.{0,8}在线访谈"),
    Phrase("responses.online_interviews", r"在线访谈", units=("次", "场", "期")),
    Phrase("responses.policy_interpretations", r"(?:政策)?解读(?:稿件|材料|文章)?"),
    Phrase("responses.social_media", r"微博微信回应|微博、微信回应"),
    Phrase("responses.other", r"其他方式回应"),
    # --- 依申请：收到 ----------------------------------------------------------
    Phrase("applications.received", r"当面(?:申请|提出)", {"channel": "in_person"}, topic="applications"),
    Phrase("applications.received", r"信函、传真(?:申请|方式)|传真、信函(?:申请|方式)", {"channel": "letter_or_fax"},
           topic="applications"),
    Phrase("applications.received", r"传真(?:申请|方式)", {"channel": "fax"}, topic="applications"),
    Phrase("applications.received", r"电子邮件(?:申请|方式)|电子邮箱(?:申请|方式)", {"channel": "email"},
           topic="applications"),
    Phrase("applications.received", r"(?:网络|网上|互联网|在线|网站)(?:申请|方式|提出)", {"channel": "online"},
           topic="applications"),
    Phrase("applications.received", r"信函(?:申请|方式)", {"channel": "letter"}, topic="applications"),
    Phrase("applications.received", r"电话(?:申请|方式)", {"channel": "phone"}, topic="applications"),
    Phrase("applications.closed", r"^申请(?:已)?全部办结", side="after", topic="applications"),
    Phrase("applications.outcome.total", r"^申请[，,][^。；]{0,20}全部予以答复", side="after",
           topic="applications"),
    Phrase("applications.received",
           r"(?P<subunit>[\u4e00-\u9fff]{2,8}?(?:局|委|办|厅|院|中心))?(?:收到|接到|受理)[^，。；]{0,12}申请",
           {"channel": "total"}, topic="applications"),
    Phrase("applications.received", r"(?:公开|信息公开)申请(?:数量|总数|数)", {"channel": "total"},
           topic="applications"),
    # --- 依申请：办结 ----------------------------------------------------------
    Phrase("applications.closed.on_time", r"按时办结|即时办结", side="either", topic="applications"),
    Phrase("applications.closed.extended", r"延期办结", side="either", topic="applications"),
    Phrase("applications.closed", r"办结(?:申请)?", topic="applications"),
    # --- 依申请：答复 ----------------------------------------------------------
    Phrase("applications.outcome.denied.privacy", r"个人隐私", side="either", topic="applications"),
    Phrase("applications.outcome.denied.trade_secret", r"商业秘密", side="either", topic="applications"),
    Phrase("applications.outcome.denied.state_secret", r"国家秘密", side="either", topic="applications"),
    Phrase("applications.outcome.denied.not_gov_info", r"不(?:是|属于).{0,6}条例.{0,8}政府信息", side="either",
           topic="applications"),
    Phrase("applications.outcome.denied.other", r"法律(?:、)?法规规定的其他情形", side="either",
           topic="applications"),
    Phrase("applications.outcome.already_public", r"已主动公开", topic="applications"),
    Phrase("applications.outcome.denied", r"不同意公开|不予公开|否决公开", topic="applications"),
    Phrase("applications.outcome.partial", r"同意部分公开|部分公开", topic="applications"),
    Phrase("applications.outcome.granted", r"同意公开|予以公开", topic="applications"),
    Phrase("applications.outcome.not_this_agency", r"不属于本(?:行政)?机关", topic="applications"),
    Phrase("applications.outcome.not_exist", r"信息不存在", topic="applications"),
    Phrase("applications.outcome.clarification", r"补充更改|更改补充|更改、补充", topic="applications"),
    Phrase("applications.outcome.redirected", r"其他途径", topic="applications"),
    Phrase("applications.outcome.total", r"答复(?:总数|申请)", topic="applications"),
    # --- 收费 ----------------------------------------------------------------
    Phrase("applications.fees.waived", r"减免", units=("元",)),
    Phrase("applications.fees.amount", r"收取.{0,12}费", units=("元",)),
    # --- 行政复议 / 行政诉讼 ------------------------------------------------------
    Phrase("review.upheld", r"维持", topic="review"),
    Phrase("review.corrected", r"纠错|纠正", topic="review"),
    Phrase("review.pending", r"尚未审结|未审结", topic="review"),
    Phrase("review.other", r"其他(?:情形|结果)", topic="review"),
    Phrase("review.total", r"行政复议", topic="review"),
    Phrase("litigation.upheld", r"维持|驳回", {"route": "total"}, topic="litigation"),
    Phrase("litigation.corrected", r"纠错|纠正", {"route": "total"}, topic="litigation"),
    Phrase("litigation.pending", r"尚未审结|未审结", {"route": "total"}, topic="litigation"),
    Phrase("litigation.other", r"其他(?:情形|结果)", {"route": "total"}, topic="litigation"),
    Phrase("litigation.total", r"行政诉讼", {"route": "total"}, topic="litigation"),
    Phrase("complaints.total", r"投诉举报|举报", topic="complaints"),
    # --- 机构、人员、经费、培训 --------------------------------------------------------
    Phrase("capacity.offices", r"(?:信息公开|政务公开).{0,4}(?:专门|工作)?机构", units=("个",)),
    Phrase("capacity.reading_points", r"查阅点|查阅场所|查阅室", units=("个", "处")),
    Phrase("capacity.staff", r"专职", {"employment": "full_time"}, units=("人",)),
    Phrase("capacity.staff", r"兼职", {"employment": "part_time"}, units=("人",)),
    Phrase("capacity.staff", r"(?:信息公开|政务公开)(?:工作)?人员", {"employment": "total"}, units=("人",)),
    Phrase("capacity.funding", r"专项经费|工作经费", units=("元",)),
    Phrase("capacity.trainees", r"接受培训|参训|培训.{0,6}人", units=("人次", "人")),
    Phrase("capacity.trainings", r"培训班|培训", units=("次", "期", "场")),
    Phrase("capacity.meetings", r"(?:信息公开|政务公开).{0,6}会议", units=("次", "场")),
)

# Statements in words with no number: the figure is zero.
@dataclass(frozen=True)
class ZeroPhrase:
    metric: str
    phrase: str
    dims: dict[str, str] = field(default_factory=dict)
    topic: str | None = None


ZERO_PHRASES: tuple[ZeroPhrase, ...] = (
    ZeroPhrase("review.corrected", r"(?:无|没有)(?:被)?依法纠错", topic="review"),
    ZeroPhrase("litigation.corrected", r"(?:无|没有)(?:被)?依法纠错", {"route": "total"}, topic="litigation"),
    ZeroPhrase("applications.fees.amount", r"(?:未|没有|均未|不)(?:向申请人?者?)?收取[^。；]{0,20}费用?"),
    ZeroPhrase("applications.fees.amount", r"暂不收费|不收取任何费用|未收取任何费用"),
    ZeroPhrase("review.total", r"(?:未|没有|无)(?:收到|发生|出现)?[^。；，]{0,16}行政复议"),
    ZeroPhrase("litigation.total", r"(?:未|没有|无)(?:收到|发生|出现)?[^。；，]{0,16}行政诉讼", {"route": "total"}),
    ZeroPhrase("applications.received", r"(?:未|没有)(?:收到|受理)[^。；，]{0,10}(?:依申请|公开申请|申请)",
               {"channel": "total"}),
)

# Parts and wholes: which figure a stated percentage is a share of, and which
# parts must add up to a total.
SHARE_PARENTS: dict[str, str] = {
    "proactive.normative_docs.published": "proactive.items",
    "applications.closed.on_time": "applications.closed",
    "applications.closed.extended": "applications.closed",
    "review.upheld": "review.total",
    "review.corrected": "review.total",
    "review.other": "review.total",
    "review.pending": "review.total",
    "litigation.upheld": "litigation.total",
    "litigation.corrected": "litigation.total",
    "litigation.other": "litigation.total",
    "litigation.pending": "litigation.total",
}
OUTCOME_PREFIX = "applications.outcome."


# --- 统计表 rows -----------------------------------------------------------------
@dataclass(frozen=True)
class StatRowPhrase:
    """A row label of the pre-2019 统计表 (指标名称 | 计量单位 | 本年度 | 历年累计).

    ``requires`` must also occur in the label (channel rows are 申请 rows;
    "网站公开" alone is a publication channel).  First match wins, so the
    specific labels come first ("信函、传真" before "传真", "接受行政诉讼、举报数"
    is the complaints row, not 行政诉讼).
    """

    metric: str
    phrase: str
    dims: dict[str, str] = field(default_factory=dict)
    requires: str | None = None


STAT_ROWS: tuple[StatRowPhrase, ...] = (
    StatRowPhrase("complaints.total", r"举报|申诉|投诉"),
    StatRowPhrase("review.total", r"行政复议"),
    StatRowPhrase("litigation.total", r"行政诉讼", {"route": "total"}),
    StatRowPhrase("applications.fees.waived", r"减免"),
    StatRowPhrase("applications.fees.amount", r"收费|费用"),
    StatRowPhrase("applications.received", r"信函、?传真|传真、?信函", {"channel": "letter_or_fax"}, requires="申请"),
    StatRowPhrase("applications.received", r"当面", {"channel": "in_person"}, requires="申请"),
    StatRowPhrase("applications.received", r"传真", {"channel": "fax"}, requires="申请"),
    StatRowPhrase("applications.received", r"电子邮件|电子邮箱|邮件", {"channel": "email"}, requires="申请"),
    StatRowPhrase("applications.received", r"网上|网络|网站|互联网|在线", {"channel": "online"}, requires="申请"),
    StatRowPhrase("applications.received", r"信函", {"channel": "letter"}, requires="申请"),
    StatRowPhrase("applications.received", r"电话", {"channel": "phone"}, requires="申请"),
    StatRowPhrase("applications.received", r"其[他它](?:形式|方式|途径)?", {"channel": "other"}, requires="申请"),
    StatRowPhrase("applications.received", r"受理|申请(?:总数|数)", {"channel": "total"}, requires="申请"),
    StatRowPhrase("applications.outcome.partial", r"部分公开"),
    StatRowPhrase("applications.outcome.denied", r"不予公开|否决公开|不同意公开|不公开"),
    StatRowPhrase("applications.outcome.granted", r"同意公开|予以公开"),
    StatRowPhrase("applications.outcome.other", r"其[他它]"),
    StatRowPhrase("applications.outcome.total", r"答复"),
    StatRowPhrase("proactive.items", r"公报", {"channel": "gazette"}),
    StatRowPhrase("proactive.items", r"网站|网上|互联网", {"channel": "website"}),
    StatRowPhrase("proactive.items", r"主动公开", {"channel": "total"}),
)
