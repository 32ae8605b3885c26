"""HTML report pages → the plain text gongkai stores, plus page metadata.

Government sites wrap the report in navigation, banners, breadcrumbs, "share
this" bars, related-article lists (whose titles are *other* annual reports)
and footers.  Extractors search the text for figures, so chrome is not
harmless noise: a "相关链接：2018年…年度报告" list or a footer phone number
can be misread.  The approach is deliberately general — no site-specific ids:

* never render script/style/forms controls, hidden elements, or elements
  whose tag (nav/header/footer/aside) or id/class (nav, menu, footer, header,
  breadcrumb, share, sidebar) says they are chrome — unless that element holds
  most of the page's prose, which means the class name lied;
* render only the main content container: the deepest block that holds at
  least half of the page's non-link Chinese text, widened to take in the
  report title when the title sits just above it;
* tables become one line per ``<tr>``: ``| cell | cell |`` in source order
  (colspan/rowspan are *not* expanded — the extractors know the standard
  layouts and see exactly what the page printed), so a row of 表三 stays one
  line with its values in order.

Metadata (索引号, 发布日期, publisher, title) is read from the *whole* page
before chrome is dropped, because CMSes put it in header tables and info bars.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.encoding import cjk_count, is_cjk
from ingest.model import ReportMeta

#: Elements whose content is never text of the report.
_NEVER_RENDER = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed",
        "svg", "canvas", "select", "option", "button", "textarea", "input",
        "head", "title", "meta", "link", "map", "area", "-comment",
    }
)  # fmt: skip

#: Elements that start and end a line.
_BLOCK = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl",
        "dt", "dd", "section", "article", "main", "blockquote", "pre",
        "address", "figure", "figcaption", "form", "fieldset", "legend",
        "center", "hr", "caption", "table", "tr", "td", "th", "tbody", "thead",
        "tfoot", "body", "header", "footer", "nav", "aside", "details",
        "summary",
    }
)  # fmt: skip

#: Tags that may be picked as the main content container.
_CONTAINERS = frozenset({"body", "div", "article", "main", "section", "center", "form", "td"})

_CHROME_TAGS = frozenset({"nav", "aside", "header", "footer"})
_CHROME_WORDS = ("nav", "menu", "footer", "header", "breadcrumb", "crumb", "share", "sidebar")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

#: A chrome-looking element holding more than this share of the container's
#: prose is not chrome (e.g. ``<div class="main has-sidebar">``).
_CHROME_MAX_SHARE = 0.5
#: The main container must hold at least this share of the page's prose.
_MAIN_MIN_SHARE = 0.5
#: A table is layout, not data, when a cell holds this many characters.
_LAYOUT_CELL_CHARS = 300

_SPACES = re.compile(r"[ \t\n\r\f\v\xa0]+")
_SPACES_NL = re.compile(r"[ \t\r\f\v\xa0]*\n[ \t\n\r\f\v\xa0]*")


@dataclass
class HtmlPage:
    """What :func:`extract_html` found: the text, metadata, attachment links."""

    text: str
    meta: ReportMeta
    attachments: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# tree helpers


def _children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.first_child
    while child is not None:
        yield child
        child = child.next


def _attr(node: LexborNode, name: str) -> str:
    value = node.attributes.get(name)
    return value or ""


def _is_hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or _attr(node, "aria-hidden").lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(_attr(node, "style")))


def _inside_article(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in {"article", "main"}:
            return True
        parent = parent.parent
    return False


def _looks_like_chrome(node: LexborNode, inside_article: bool) -> bool:
    tag = node.tag or ""
    if tag in _CHROME_TAGS:
        # A <header> inside <article>/<main> is the article's own: it holds
        # the title and date.  (Its <footer> is editor credits: chrome.)
        return not (inside_article and tag == "header")
    words = (_attr(node, "id") + " " + _attr(node, "class")).lower()
    return any(word in words for word in _CHROME_WORDS) or _is_hidden(node)


def _is_layout_table(table: LexborNode) -> bool:
    """True when a ``<table>`` lays out the page rather than holding data.

    Old gov CMS templates put the whole article in a table cell; rendering
    that as one ``| … |`` row would glue the report onto a single line.
    """
    rows = _rows(table)
    cells = [cell for row in rows for cell in _cells(row)]
    if len(cells) <= 1:
        return True
    for cell in cells:
        if cell.css_first("table") is not None:
            return True
        if len(cell.text(deep=True, separator="", strip=True)) > _LAYOUT_CELL_CHARS:
            return True
    return False


def _rows(table: LexborNode) -> list[LexborNode]:
    rows: list[LexborNode] = []
    for child in _children(table):
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in {"thead", "tbody", "tfoot"}:
            rows.extend(row for row in _children(child) if row.tag == "tr")
    return rows


def _cells(row: LexborNode) -> list[LexborNode]:
    return [cell for cell in _children(row) if cell.tag in {"td", "th"}]


# --------------------------------------------------------------------------
# prose measurement and main-container choice


class _Prose:
    """Per-element count of CJK characters outside links ("prose").

    Navigation, menus and related-article lists are links; report text is
    not.  Counting only non-link CJK makes the densest block the report.
    """

    def __init__(self, root: LexborNode) -> None:
        self.counts: dict[int, int] = {}
        self._count(root)

    def _count(self, root: LexborNode) -> None:
        # Iterative post-order walk: badly nested pages can be very deep.
        stack: list[tuple[LexborNode, bool, bool]] = [(root, False, False)]
        while stack:
            node, done, in_link = stack.pop()
            if done:
                self.counts[node.mem_id] = sum(self.counts.get(child.mem_id, 0) for child in _children(node))
                continue
            if node.is_text_node:
                self.counts[node.mem_id] = 0 if in_link else cjk_count(node.text_content or "")
                continue
            if (node.tag or "") in _NEVER_RENDER:
                self.counts[node.mem_id] = 0
                continue
            link = in_link or node.tag == "a"
            stack.append((node, True, link))
            stack.extend((child, False, link) for child in _children(node))

    def __getitem__(self, node: LexborNode) -> int:
        return self.counts.get(node.mem_id, 0)


def _squash(text: str) -> str:
    return "".join(text.split())


def _find_main(body: LexborNode, prose: _Prose, titles: list[str]) -> tuple[LexborNode, LexborNode | None]:
    """The content container: deepest block with most of the page's prose.

    Descends from ``<body>`` through whichever child holds at least half of
    the prose (never into data tables), remembering the deepest container
    tag.  If the report title is not inside it but sits in a near ancestor
    that adds little besides the title, that ancestor is used instead, and
    its children before the title (breadcrumbs, metadata boxes) are skipped:
    the second value is the child to start rendering from, None for all.
    """
    total = prose[body]
    if total == 0:
        return body, None
    best = body
    node = body
    while True:
        nxt = None
        for child in _children(node):
            if child.is_element_node and prose[child] >= total * _MAIN_MIN_SHARE:
                nxt = child
                break
        if nxt is None:
            break
        if nxt.tag == "table" and not _is_layout_table(nxt):
            break
        node = nxt
        if nxt.tag in _CONTAINERS:
            best = nxt

    wanted = [_squash(title) for title in titles if title]
    if best is body or not wanted:
        return best, None
    if any(title in _squash(best.text(deep=True)) for title in wanted):
        return best, None
    branch = best
    ancestor = best.parent
    for _ in range(3):
        if ancestor is None or ancestor.tag in {"body", "html"}:
            break
        text = _squash(ancestor.text(deep=True))
        hit = next((title for title in wanted if title in text), None)
        if hit is not None:
            if prose[ancestor] > prose[best] * 1.25 + len(hit) + 100:
                break
            # Start at the last child holding the title before the content:
            # the heading, not a metadata box that repeats the title.
            start = branch
            for child in _children(ancestor):
                if child.mem_id == branch.mem_id:
                    break
                if child.is_element_node and hit in _squash(child.text(deep=True)):
                    start = child
            return ancestor, start
        branch = ancestor
        ancestor = ancestor.parent
    return best, None


# --------------------------------------------------------------------------
# rendering


def _join_fragments(parts: list[str]) -> str:
    """Glue the lines of one table cell together.

    Labels like ``本年新<br />制作数量`` are one word broken for width, so
    the pieces are joined without a space — except between two Latin/digit
    characters, where words would otherwise run together.
    """
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def _collapse(text: str) -> str:
    """HTML whitespace collapsing, with CSS's East-Asian line-break rule.

    A source line break between two Chinese characters is dropped instead
    of becoming a space (CSS Text 3 segment-break transformation), so a
    paragraph wrapped in the HTML source reads as written.
    """

    def segment_break(match: re.Match[str]) -> str:
        start, end = match.span()
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if before and after and (is_cjk(before) or _is_cjk_punct(before)) and (is_cjk(after) or _is_cjk_punct(after)):
            return ""
        return " "

    text = _SPACES_NL.sub(segment_break, text)
    return _SPACES.sub(" ", text)


def _is_cjk_punct(char: str) -> bool:
    return "\u3000" < char <= "\u303f" or "\uff00" <= char <= "\uffef"


class _Renderer:
    """Walks a subtree and writes lines; tables become pipe rows."""

    def __init__(self, prose: _Prose | None, scope: int) -> None:
        self.prose = prose
        self.scope = scope  # prose of the rendered container, for the chrome guard
        self.lines: list[str] = []
        self.current: list[str] = []

    # -- line buffer
    def flush(self) -> None:
        if self.current:
            line = _collapse("".join(self.current)).strip()
            self.current = []
            if line:
                self.lines.append(line)

    def blank(self) -> None:
        self.flush()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        self.flush()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines)

    # -- walking
    def _skip(self, node: LexborNode, is_root: bool, inside_article: bool) -> bool:
        tag = node.tag or ""
        if tag in _NEVER_RENDER or node.is_comment_node:
            return True
        if is_root or self.prose is None or not _looks_like_chrome(node, inside_article):
            return False
        return self.prose[node] <= self.scope * _CHROME_MAX_SHARE

    def render(self, root: LexborNode, start: LexborNode | None = None) -> None:
        """Render ``root``; with ``start``, only its children from ``start`` on."""
        # Explicit stack of (node, exiting, inside_article): see _Prose.
        stack: list[tuple[LexborNode, bool, bool]] = [(root, False, False)]
        if start is not None:
            # The title holder is rendered even if its class says "header".
            self.render(start)
            children = list(_children(root))
            index = next(i for i, child in enumerate(children) if child.mem_id == start.mem_id)
            article = root.tag in {"article", "main"} or _inside_article(root)
            stack = [(child, False, article) for child in reversed(children[index + 1 :])]
        while stack:
            node, exiting, inside_article = stack.pop()
            tag = node.tag or ""
            if exiting:
                if tag in _BLOCK:
                    self.flush()
                continue
            if node.is_text_node:
                self.current.append(node.text_content or "")
                continue
            if self._skip(node, node is root, inside_article):
                continue
            if tag == "br":
                self.flush()
                continue
            if tag == "pre":
                self.flush()
                self.lines.extend(line.rstrip() for line in node.text(deep=True).splitlines())
                continue
            if tag == "table" and not _is_layout_table(node):
                self.table(node)
                continue
            if tag in _BLOCK:
                self.flush()
            article = inside_article or tag in {"article", "main"}
            stack.append((node, True, article))
            stack.extend((child, False, article) for child in reversed(list(_children(node))))

    def table(self, table: LexborNode) -> None:
        self.flush()
        caption = table.css_first("caption")
        if caption is not None:
            self.lines.append(_collapse(caption.text(deep=True)).strip())
        self.blank()
        for row in _rows(table):
            cells = _cells(row)
            if cells:
                self.lines.append("| " + " | ".join(self.cell(cell) for cell in cells) + " |")
        self.blank()

    def cell(self, cell: LexborNode) -> str:
        inner = _Renderer(self.prose, self.scope)
        for child in _children(cell):
            inner.render(child)
        inner.flush()
        # A "|" inside a cell would split it: use the full-width bar.
        return _join_fragments(inner.lines).replace("|", "｜")


# --------------------------------------------------------------------------
# metadata

_LABEL_GUARD = r"(?<![\u4e00-\u9fff])"
_SEP = r"\s*(?:[:：]|\|)[\s|:：]*"
_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
_PUBLISHED_LABELS = ("发布日期", "发布时间", "公开日期", "公开时间", "发文日期", "成文日期", "生成日期")
_INDEX_RE = re.compile(_LABEL_GUARD + r"索\s*引\s*号" + _SEP + r"([0-9A-Za-z][^\s|，,；;：:]*)")
_PUBLISHER_LABELS = ("发布机构", "发文机关", "发文单位", "发布单位", "公开主体", "信息来源", "来源")
_NOT_A_PUBLISHER = frozenset({"本网", "本站", "原创", "网站", "互联网", "其他", "无"})
_DATE_RE = re.compile(_DATE)
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|\s[-–—]\s|——|--)\s*")
_REPORT_WORD = re.compile(r"年度报告|年报|工作报告")

_META_TITLE = ("articletitle", "og:title", "dc.title", "title")
_META_DATE = ("pubdate", "firstpublishedtime", "publishdate", "publishtime", "dc.date", "maketime")
_META_PUBLISHER = ("contentsource", "publisher", "dc.publisher", "source")
_META_INDEX = ("indexnumber", "index_number", "syh")


def parse_date(text: str) -> str | None:
    """First valid date in ``text`` as ``YYYY-MM-DD`` (2020-01-31, 2020年1月31日)."""
    for match in _DATE_RE.finditer(text):
        try:
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        return day.isoformat()
    return None


def labelled_published(text: str) -> str | None:
    """The date after a 发布日期/公开日期/成文日期… label, first label wins."""
    for label in _PUBLISHED_LABELS:
        pattern = re.compile(_LABEL_GUARD + label + r"(?:\s*(?:[:：]|\|)[\s|:：]*|\s+)" + _DATE)
        for match in pattern.finditer(text):
            year, month, day = (int(group) for group in match.groups())
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                continue
    return None


def labelled_index_number(text: str) -> str | None:
    """The value after a 索引号 label (``000014349/2020-00012`` etc.)."""
    match = _INDEX_RE.search(text)
    return match.group(1).rstrip(".。") if match else None


def labelled_publisher(text: str) -> str | None:
    """The organisation after 发布机构/发文机关/来源… labels."""
    for label in _PUBLISHER_LABELS:
        pattern = re.compile(_LABEL_GUARD + label + _SEP + r"([^\s|:：，,。]{2,40})")
        for match in pattern.finditer(text):
            value = match.group(1)
            if value not in _NOT_A_PUBLISHER and cjk_count(value) >= 2:
                return value
    return None


def clean_title(title: str) -> str:
    """A ``<title>`` without the site-name suffix (``报告_上海市人民政府``)."""
    title = " ".join(title.split())
    parts = [part for part in _TITLE_SPLIT.split(title) if part]
    if len(parts) <= 1:
        return title
    reports = [part for part in parts if _REPORT_WORD.search(part)]
    return max(reports, key=len) if reports else parts[0]


def _meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.css("meta"):
        key = (_attr(node, "name") or _attr(node, "property") or _attr(node, "itemprop")).strip().lower()
        content = " ".join(_attr(node, "content").split())
        if key and content and key not in found:
            found[key] = content
    return found


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key]
    return None


def _page_meta(tree: LexborHTMLParser, page_text: str, main: LexborNode) -> ReportMeta:
    tags = _meta_tags(tree)
    title_node = tree.css_first("title")
    html_title = clean_title(title_node.text(deep=True)) if title_node is not None else ""
    heading = ""
    for node in main.css("h1, h2, h3"):
        text = " ".join(node.text(deep=True).split())
        if cjk_count(text) >= 4:
            heading = text
            break
    page_headings = [" ".join(h.text(deep=True).split()) for h in tree.css("h1, h2")[:20]]
    candidates = [_first(tags, _META_TITLE) or "", heading, html_title, *page_headings]
    title = next((c for c in candidates if c and _REPORT_WORD.search(c)), None)
    title = title or next((c for c in candidates if c), None)

    published = parse_date(_first(tags, _META_DATE) or "") or labelled_published(page_text)
    publisher = _first(tags, _META_PUBLISHER)
    if publisher is not None and (publisher in _NOT_A_PUBLISHER or cjk_count(publisher) < 2):
        publisher = None
    return ReportMeta(
        title=title,
        published=published,
        index_number=_first(tags, _META_INDEX) or labelled_index_number(page_text),
        publisher=publisher or labelled_publisher(page_text),
    )


def _title_candidates(tree: LexborHTMLParser) -> list[str]:
    tags = _meta_tags(tree)
    titles = [_first(tags, _META_TITLE) or ""]
    node = tree.css_first("title")
    if node is not None:
        titles.append(clean_title(node.text(deep=True)))
    headings = [" ".join(h.text(deep=True).split()) for h in tree.css("h1, h2, h3")[:20]]
    titles.extend(h for h in headings if _REPORT_WORD.search(h))
    return [title for title in titles if cjk_count(title) >= 4]


_ATTACHMENT = re.compile(r"\.(pdf|docx?|wps|xlsx?|ofd|zip|rar)(?:$|[?#])", re.IGNORECASE)


def extract_html(html: str) -> HtmlPage:
    """Parse a page once: report text, page metadata and attachment links."""
    tree = LexborHTMLParser(html)
    body = tree.body or tree.root
    if body is None:
        return HtmlPage(text="", meta=ReportMeta())

    whole = _Renderer(None, 0)
    whole.render(body)
    page_text = whole.text()

    prose = _Prose(body)
    main, start = _find_main(body, prose, _title_candidates(tree))
    renderer = _Renderer(prose, prose[main])
    renderer.render(main, start)

    attachments = [href for href in (_attr(a, "href") for a in tree.css("a[href]")) if _ATTACHMENT.search(href)]
    return HtmlPage(
        text=renderer.text(),
        meta=_page_meta(tree, page_text, main),
        attachments=list(dict.fromkeys(attachments)),
    )


def html_to_text(html: str) -> str:
    """The report text of an HTML page: main content, chrome dropped.

    Blocks and ``<br>`` become line breaks; each table row becomes one
    ``| cell | cell |`` line (cells in source order, spans not expanded,
    ``<br>`` inside a cell removed, blank cells empty), with a blank line
    before and after each table; entities are decoded.
    """
    return extract_html(html).text
