"""The phrase table: what narrative reports say, mapped to metric codes.

One row per way of saying a concept.  Rows are tried in order (specific
before general).  ``phrase`` is searched in the clause before the number
(``side="before"``), right after it (``side="after"``), or in the whole
sentence before it (``side="sentence"``, for clauses that lean on an earlier
one: "在互联网上，…主动公开信息数为121条"); ``topic`` limits a row to text about
one subject (复议 vs 诉讼 both have "其他情形"); ``units`` limits it to figures
printed with one of those units (None: any unit or none); ``exclude`` rejects
the row when the sentence speaks of something else that shares the words
("共受理申请121510件" at an administrative-approval counter is not a
disclosure application).  A named group ``subunit`` captures the part of the
publisher a figure is about ("各乡镇主动公开政府信息1638条").

Besides the rows, three concept tables: ``BY_TOPIC`` (the content categories
reports list proactive items under), ``KEY_AREAS`` (重点领域 such as 财政资金 or
保障性住房) and ``STAT_ROWS`` (the 统计表 row labels).

Keeping this as data, not code, is the point: a new phrasing is a new row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Side = Literal["before", "after", "either", "sentence"]

# Topics: the subject under discussion is the one whose keyword occurs last in
# the section title and the text before the figure.
TOPICS: dict[str, str] = {
    "review": r"行政复议|复议",
    "litigation": r"行政诉讼|诉讼",
    "complaints": r"投诉|举报",
    "applications": r"依申请|申请|答复",
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
    exclude: str | None = None
    # what must follow the number when the clause before it ends on the verb ("共收到70件申请")
    then: str | None = None
    # a publication channel's whole output: not when the clause counts one kind of information
    channel_total: bool = False


COUNT = ("件", "条", "次", "个", "项")
# Counters at an administrative-approval hall: their 申请 are not disclosure applications.
NOT_DISCLOSURE = r"行政审批|审批服务|审批事项|办事窗口|开设窗口|行政服务中心|办件|网上审批|便民服务"
# "主动公开政府信息", "主动公开信息数", "主动公开的公文类信息", "主动公开文件": the item count itself,
# not "主动公开政府采购项目信息" (a key area).
_PROACTIVE = (r"(?<!应)(?:主动公开|公布)(?:的)?(?:[\u4e00-\u9fff]{0,8}?(?:单位|部门|乡镇|各级)(?:的)?)?"
              r"(?:各类)?(?:政府|公文类)?(?:信息|文件)")

PHRASES: tuple[Phrase, ...] = (
    # --- 主动公开 -----------------------------------------------------------
    Phrase("proactive.normative_docs.made", r"制发(?:的)?(?:行政)?规范性文件"),
    Phrase("proactive.normative_docs.in_force", r"现行有效(?:的)?(?:行政)?规范性文件"),
    Phrase("proactive.normative_docs.published", r"公开(?:的)?(?:行政)?规范性文件"),
    Phrase("proactive.proposal_results", r"(?:建议|议案).{0,6}提案.{0,6}(?:办理结果|答复)|提案办理结果"),
    Phrase("proactive.inventory.total",
           r"制作[、和及]?获取(?:的)?(?:政府)?信息(?:总数|总量)|产生[^，,。；]{0,6}政府信息",
           units=("条", "件")),
    Phrase("proactive.inventory.on_application", r"依申请公开(?:的)?(?:政府|公文类)?(?:信息|文件)(?:数)?",
           units=("条", "件")),
    Phrase("proactive.inventory.withheld", r"不予(?:以)?公开(?:的)?(?:政府|公文类)?(?:信息|文件)(?:数)?",
           units=("条", "件")),
    Phrase("proactive.items", r"政府公报", {"channel": "gazette"}, units=("条",), channel_total=True),
    Phrase("proactive.items", r"政务微博|微博", {"channel": "weibo"}, units=("条",), channel_total=True),
    Phrase("proactive.items", r"政务微信|微信|公众号", {"channel": "wechat"}, units=("条",), channel_total=True),
    Phrase("proactive.items", r"(?:政务)?(?:新媒体)?客户端", {"channel": "app"}, units=("条",), channel_total=True),
    Phrase("proactive.items", rf"互联网上[^。；;]*?[，,][ \t]*(?P<subunit>[^，,。；;\s]*?){_PROACTIVE}",
           {"channel": "website"}, side="sentence", units=("条",)),
    Phrase("proactive.items",
           r"(?:政府网站|门户网站|网站)(?:平台)?(?:上)?(?:全年|今年|当年|年内|共计|累计|共)*(?:主动)?(?:公开|发布)",
           {"channel": "website"}, units=("条", "件"),
           channel_total=True),
    Phrase("proactive.items", r"新闻发布会|报刊|广播电视", {"channel": "press"}, units=("条",), channel_total=True),
    Phrase("proactive.items", r"其他方式", {"channel": "other"}, units=("条",), channel_total=True),
    Phrase("proactive.items", rf"(?P<subunit>[^，,。；;\s]*?){_PROACTIVE}", {"channel": "total"}, units=("条", "件")),
    Phrase("proactive.portal_visits", r"访问量|访问人次|点击量|浏览量|访问", units=("人次", "次")),
    # --- 回应解读 -----------------------------------------------------------
    Phrase("responses.hot_topics", r"回应.{0,6}(?:热点|舆情)|处置.{0,4}舆情"),
    Phrase("responses.press_conferences.leader_attended", r"(?:主要)?负责同志(?:参加|出席|参与).{0,4}新闻发布会"),
    Phrase("responses.press_conferences", r"新闻发布会", units=("次", "场")),
    Phrase("responses.online_interviews.leader_attended", r"(?:主要)?负责同志(?:参加|出席|参与).{0,8}在线访谈"),
    Phrase("responses.online_interviews", r"在线访谈", units=("次", "场", "期")),
    Phrase("responses.policy_interpretations", r"(?:政策)?解读(?:稿件|材料|文章)?"),
    Phrase("responses.social_media", r"微博微信回应|微博、微信回应"),
    Phrase("responses.other", r"其他方式回应"),
    # --- 行政复议 / 行政诉讼 named right after the number ("收到1份…行政复议申请", "有1起因…申请行政复议")
    Phrase("review.total", r"^(?:因|有关|关于|涉及|针对)[^，,。；;、]{0,12}行政复议", side="after",
           units=("件", "起", "份", "次")),
    Phrase("litigation.total", r"^(?:因|有关|关于|涉及|针对)[^，,。；;、]{0,12}行政诉讼", {"route": "total"},
           side="after",
           units=("件", "起", "份", "次")),
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
    Phrase("applications.received", r"自然人", {"applicant": "natural_person"}, topic="applications"),
    Phrase("applications.received", r"商业企业", {"applicant": "commercial"}, topic="applications"),
    Phrase("applications.received", r"科研机构", {"applicant": "research"}, topic="applications"),
    Phrase("applications.received", r"社会公益组织", {"applicant": "social_org"}, topic="applications"),
    Phrase("applications.received", r"法律服务机构", {"applicant": "legal_service"}, topic="applications"),
    Phrase("applications.received",
           r"(?P<subunit>[\u4e00-\u9fff]{2,8}?(?:局|委|办|厅|院|中心))?(?:收到|接到|接收|受理)[^，。；]{0,16}申请",
           {"channel": "total"}, topic="applications", exclude=NOT_DISCLOSURE),
    Phrase("applications.received", r"(?:收到|接到|接收|受理)(?:了)?$", {"channel": "total"}, topic="applications",
           then=r"^(?:的)?(?:政府信息公开|信息公开|依申请公开)?申请", exclude=NOT_DISCLOSURE),
    Phrase("applications.received", r"(?:公开|信息公开)申请(?:数量|总数|数)", {"channel": "total"},
           topic="applications"),
    # --- 依申请：办结 ----------------------------------------------------------
    Phrase("applications.closed.on_time", r"按时办结|即时办结", side="either", topic="applications"),
    Phrase("applications.closed.extended", r"延期办结", side="either", topic="applications"),
    Phrase("applications.closed", r"办结(?:申请)?", topic="applications", exclude=NOT_DISCLOSURE),
    # --- 依申请：答复 ----------------------------------------------------------
    Phrase("applications.outcome.denied.privacy", r"个人隐私", side="either", topic="applications"),
    Phrase("applications.outcome.denied.trade_secret", r"商业秘密", side="either", topic="applications"),
    Phrase("applications.outcome.denied.state_secret", r"国家秘密", side="either", topic="applications"),
    Phrase("applications.outcome.denied.not_gov_info", r"不(?:是|属于)(?:.{0,6}条例.{0,8})?政府信息", side="either",
           topic="applications"),
    Phrase("applications.outcome.denied.other", r"法律(?:、)?法规规定的其他情形", side="either",
           topic="applications"),
    Phrase("applications.outcome.already_public", r"已主动公开", topic="applications"),
    Phrase("applications.outcome.denied", r"不同意公开|不予公开|否决公开", topic="applications"),
    # "予以公开及部分公开42件" adds two outcomes up: neither row takes it
    Phrase("applications.outcome.partial", r"(?<![及和与、])(?:同意)?部分公开", topic="applications"),
    Phrase("applications.outcome.granted", r"(?:同意|予以)公开(?![及和与、]部分)", topic="applications"),
    Phrase("applications.outcome.not_this_agency", r"(?:不属于|非)本(?:行政)?机关", topic="applications"),
    Phrase("applications.outcome.clarification", r"(?:申请)?内容不明确", topic="applications"),
    Phrase("applications.outcome.not_processed.duplicate", r"重复申请", topic="applications"),
    Phrase("applications.outcome.not_exist", r"信息不存在", topic="applications"),
    Phrase("applications.outcome.clarification", r"补充更改|更改补充|更改、补充", topic="applications"),
    Phrase("applications.outcome.redirected", r"其他途径", topic="applications"),
    Phrase("applications.outcome.other", r"其[他它](?:类型|形式|公开)?答复|其[他它]处理", topic="applications"),
    Phrase("applications.outcome.unable", r"无法提供", topic="applications"),
    Phrase("applications.outcome.not_processed", r"不予处理", topic="applications"),
    Phrase("applications.outcome.total", r"答复(?:总数|申请)|(?:已|共|全部)答复$|办理(?:了)?[^，。；]{0,12}申请",
           topic="applications",
           exclude=NOT_DISCLOSURE),
    Phrase("applications.carried_forward", r"结转(?:至|到)?(?:下一?年度?|(?:19|20)\d\d年)", topic="applications"),
    Phrase("applications.carried_forward", r"^结转(?:至|到)?下", side="after", topic="applications"),
    # --- 收费 ----------------------------------------------------------------
    Phrase("applications.fees.waived", r"减免", units=("元",)),
    Phrase("applications.fees.amount", r"收取.{0,12}费", units=("元",)),
    # --- 行政复议 / 行政诉讼 ------------------------------------------------------
    Phrase("review.upheld", r"维持", topic="review"),
    Phrase("review.corrected", r"纠错|纠正", topic="review"),
    Phrase("review.pending", r"尚未审结|未审结", topic="review"),
    Phrase("review.other", r"其[他它](?:情形|结果|情况)?$|其[他它](?:情形|结果)", topic="review"),
    Phrase("review.total", r"行政复议", topic="review"),
    Phrase("litigation.upheld", r"维持|驳回", {"route": "total"}, topic="litigation"),
    Phrase("litigation.corrected", r"纠错|纠正", {"route": "total"}, topic="litigation"),
    Phrase("litigation.pending", r"尚未审结|未审结", {"route": "total"}, topic="litigation"),
    Phrase("litigation.other", r"其[他它](?:情形|结果|情况)?$|其[他它](?:情形|结果)", {"route": "total"},
           topic="litigation"),
    Phrase("litigation.total", r"行政诉讼", {"route": "total"}, topic="litigation"),
    Phrase("complaints.total", r"投诉举报|举报", topic="complaints", units=("件", "起", "次", "个", "宗")),
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
    ZeroPhrase("applications.fees.amount", r"(?:未|没有|均未|不|无)(?:向申请人?者?)?收取[^。；]{0,20}费用?"),
    ZeroPhrase("applications.fees.amount", r"暂不收费|不收取任何费用|未收取任何费用"),
    ZeroPhrase("applications.fees.amount", r"(?:没有|无|未)[^。；，,]{0,14}收费(?:及|和|或|与)减免"),
    ZeroPhrase("applications.fees.waived", r"(?:没有|无|未)(?:发生|出现|进行)?[^。；，,收费]{0,6}减免"),
    ZeroPhrase("applications.fees.waived", r"(?:没有|无|未)[^。；，,]{0,14}收费(?:及|和|或|与)减免"),
    ZeroPhrase("review.total", r"(?:未|没有|无)(?:收到|发生|出现)?[^。；，]{0,16}行政复议"),
    ZeroPhrase("litigation.total",
               r"(?:未|没有|无)(?:收到|发生|出现)?[^。；，]{0,16}(?:行政复议[、和及或]|复议[、和及或])?(?:提起)?行政诉讼",
               {"route": "total"}),
    ZeroPhrase("applications.received", r"(?:未|没有)(?:收到|受理)[^。；，]{0,10}(?:依申请|公开申请|申请)",
               {"channel": "total"}),
)

# A section whose whole body says "无" ("五、因政府信息公开申请行政复议、提起行政诉讼情况 无。") states
# a zero for what its heading names.
SECTION_ZERO_BODY = r"[\s。：:]*(?:无|没有|暂无|未发生|无此类?情况|均无)[^。；\n]{0,8}[。.]?\s*"
SECTION_ZERO: tuple[ZeroPhrase, ...] = (
    ZeroPhrase("review.total", r"行政复议|复议"),
    ZeroPhrase("litigation.total", r"行政诉讼|诉讼", {"route": "total"}),
    ZeroPhrase("applications.fees.amount", r"收费"),
    ZeroPhrase("applications.fees.waived", r"减免"),
    ZeroPhrase("applications.received", r"依申请|申请公开", {"channel": "total"}),
    ZeroPhrase("complaints.total", r"投诉|举报|申诉"),
)

# Parts and wholes: which figure a stated percentage is a share of, and which
# parts must add up to a total.
SHARE_PARENTS: dict[str, str] = {
    "proactive.items.by_topic": "proactive.items",
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

# --- content categories and key areas -------------------------------------------------------
# The categories proactive items are listed under ("机构职能类信息612条，政策、规范性文件类信息223条…"),
# as members of the ``topic`` dimension.  Tried in order: the combined categories first.
BY_TOPIC: tuple[tuple[str, str], ...] = (
    ("major_projects_livelihood", r"重大建设项目、?为民办实事"),
    ("poverty_edu_health_social_employment", r"扶贫、教育、医疗、社会保障、促进就业"),
    ("env_health_safety_food_quality", r"环保、公共卫生、安全生产、食品药品、产品质量"),
    ("civil_affairs", r"民政|扶贫救灾"),
    ("land_construction_env_energy", r"国土资源、?城乡建设、?环保能"),
    ("urban_major_matters", r"城乡建设和管理的重大事项"),
    ("sci_edu_culture_health", r"科教文体卫"),
    ("safety_emergency", r"安全生产、?应急管理"),
    ("emergency", r"应急管理|应急"),
    ("institutional", r"机构职能"),
    ("policy_docs", r"规范性文件|政策文件|政策法规"),
    ("plans", r"规划计划|计划规划|规划"),
    ("budgets", r"财政预决算|预决算"),
    ("admin_fees", r"行政事业性收费"),
    ("procurement", r"政府集中采购|政府采购"),
    ("licensing", r"行政许可"),
    ("penalties", r"行政处罚"),
    ("major_projects", r"重大建设项目|重大项目"),
    ("livelihood_projects", r"为民办实事"),
    ("public_welfare", r"社会公益事业"),
    ("land_expropriation", r"征收或征用土地|征地拆迁|征地|土地征收"),
    ("announcements", r"公示公告|公告公示|通知公告"),
    ("work_updates", r"工作动态"),
    ("prices", r"价格"),
    ("other", r"^[、，,；;\s]*其[他它]"),
)
# Words that say a sentence lists content categories ("主要类别有：…", "按类别分"); a label that
# names its class ("机构职能类12条") is a category by itself.
CATEGORY_CONTEXT = r"类别"
CATEGORY_LABEL = r"类(?:信息|政府信息)?[\s　]*$"

# Key areas (重点领域): the earliest keyword in the text names the area.
KEY_AREAS: tuple[tuple[str, str], ...] = (
    ("ppp", r"PPP|社会资本合作"),
    ("fiscal", r"财政预算决算|预决算|财政资金|三公”?经费|财政"),
    ("housing", r"保障性住房|保障房|住房|棚户区"),
    ("food_drug_safety", r"食品|药品"),
    ("environment", r"环境保护|生态环境|环境质量|环境监管|环境监测|环境信息|环境违法|环境影响|环评|环保|污染"),
    ("tendering", r"招投标|招标|投标"),
    ("work_safety", r"安全生产|生产安全"),
    ("land_expropriation", r"征地|征收|拆迁"),
    ("prices", r"价格|收费"),
    ("procurement", r"采购"),
    ("major_projects", r"重大建设项目|重点项目|重大项目|建设项目"),
    ("soe", r"国资|国企|国有企业|国有资产"),
    ("poverty_social_assistance", r"扶贫|脱贫|社会救助|救助|低保"),
    ("education", r"教育|招生"),
    ("health", r"医疗卫生|医疗|卫生"),
)
# A section about key areas says so in its heading ("重点领域信息公开情况", "把握工作重点").
KEY_AREA_CONTEXT = r"重点"


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
    StatRowPhrase("proactive.portal_visits", r"访问|点击|浏览"),
    StatRowPhrase("proactive.items", r"公报", {"channel": "gazette"}),
    StatRowPhrase("proactive.items", r"网站|网上|互联网", {"channel": "website"}),
    StatRowPhrase("proactive.items", r"主动公开", {"channel": "total"}),
)
