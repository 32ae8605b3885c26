"""Where report text comes from: bytes, files and URLs → :class:`SourceDocument`.

Everything downstream (section finding, figure extraction, the database and
the API's quotes) works on character offsets into ``SourceDocument.text``, so
this module decides that text once and never "improves" it afterwards: no
Unicode normalisation, no trimming of plain-text files — only ``\\r\\n`` and
lone ``\\r`` become ``\\n``.  It also refuses early and loudly: a scanned PDF,
a Word file, a login page or a GBK page decoded as Latin-1 would otherwise
go through extraction and come out as a report with no figures, which looks
like a finding rather than a mistake.

Kinds are recognised by content first (``%PDF`` magic, HTML tags, known
binary signatures), then by filename / content type, because servers send
``application/octet-stream`` for everything and files get renamed.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.encoding import (
    Decoded,
    bom_encoding,
    charset_from_content_type,
    cjk_count,
    decode_bytes,
    garbage_share,
)
from ingest.html import extract_html, html_to_text, labelled_index_number, labelled_published, labelled_publisher
from ingest.model import ReportMeta

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BinarySource",
    "BlockedTarget",
    "DecodeError",
    "EmptySource",
    "FetchError",
    "NeedsOCR",
    "NotAReport",
    "SourceDocument",
    "SourceError",
    "TooLarge",
    "fetch_url",
    "html_to_text",
    "read_bytes",
    "read_path",
]

TEXT_PLAIN = "text/plain"
TEXT_HTML = "text/html"
APPLICATION_PDF = "application/pdf"

#: Fewer Chinese characters than this cannot be an annual report (the
#: shortest real ones, "no applications, no litigation", run to ~1,500).
MIN_CJK_CHARS = 200
#: Share of U+FFFD / control characters above which decoded text is garbage.
MAX_GARBAGE_SHARE = 0.10
#: PDF pages are joined with a form feed on its own line, as in the bundled
#: ``.txt`` copies of the PDF reports, so that reading the PDF gives the same
#: text and no page's first line is glued to the previous page's footer.
PAGE_SEPARATOR = "\n\f\n"


class SourceError(Exception):
    """A source could not be turned into report text; the message says why."""


class EmptySource(SourceError):
    """The source has no content, or only whitespace."""


class BinarySource(SourceError):
    """The source is a binary file (image, archive, Office document …)."""


class DecodeError(SourceError):
    """The bytes do not decode to readable text in any plausible encoding."""


class NeedsOCR(SourceError):
    """A PDF without a usable text layer: it is scanned images."""


class NotAReport(SourceError):
    """Readable text that is not a government information-disclosure report."""


class FetchError(SourceError):
    """A URL could not be fetched; ``status`` is the HTTP status if any."""

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class BlockedTarget(FetchError):
    """A URL whose scheme or address is not allowed (SSRF guard)."""


class TooLarge(FetchError):
    """A download larger than the byte cap."""


@dataclass
class SourceDocument:
    """One report as gongkai stores it.

    ``text`` is the canonical text (all offsets refer to it); ``sha256`` is of
    the original bytes so a re-fetch can be recognised as the same document;
    ``raw_encoding`` is the Python codec that decodes those bytes (None for
    PDF); ``meta`` holds what the page or file itself says about the report.
    """

    text: str
    media_type: str
    sha256: str
    raw_encoding: str | None
    meta: ReportMeta = field(default_factory=ReportMeta)


# --------------------------------------------------------------------------
# kind detection

#: Signatures of binary formats people mistake for reports, with a hint.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP container (.docx/.xlsx/.ofd/.zip); convert it to PDF or text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office/WPS document (.doc/.xls/.wps); convert it to PDF or text"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image; it needs OCR"),
    (b"\xff\xd8\xff", "a JPEG image; it needs OCR"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image; it needs OCR"),
    (b"MM\x00*", "a TIFF image; it needs OCR"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document; save it as text or PDF"),
)

_HTML_STRONG = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_HTML_WEAK = re.compile(r"</?(?:p|div|table|tr|td|br|span|meta|title|h[1-6]|ul|li|a)(?:\s[^<>]*)?/?>", re.IGNORECASE)
_HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php")
_REPORT_TOPIC = ("信息公开", "政务公开")
_REPORT_KIND = ("年度报告", "年报")
_CID_GLYPH = re.compile(r"\(cid:\d+\)")


def _declared_kind(filename: str | None, content_type: str | None) -> str | None:
    ctype = (content_type or "").split(";")[0].strip().lower()
    name = (filename or "").lower().split("?")[0]
    if ctype == APPLICATION_PDF or name.endswith(".pdf"):
        return APPLICATION_PDF
    if ctype in {TEXT_HTML, "application/xhtml+xml"} or name.endswith(_HTML_SUFFIXES):
        return TEXT_HTML
    if ctype == TEXT_PLAIN or name.endswith(".txt"):
        return TEXT_PLAIN
    return None


def _looks_like_html(head: str, declared: str | None) -> bool:
    """HTML by its tags: a document skeleton, or several tags (any if declared)."""
    if _HTML_STRONG.search(head):
        return True
    weak = len(_HTML_WEAK.findall(head))
    return weak >= 3 or (weak >= 1 and declared == TEXT_HTML)


def _binary_kind(data: bytes) -> str | None:
    for magic, description in _BINARY_MAGIC:
        if data.startswith(magic):
            return description
    return None


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------
# checks


def _describe(filename: str | None, url: str | None) -> str:
    return repr(url or filename) if (url or filename) else "the source"


def check_report(text: str, *, where: str = "the source", extra: str = "") -> None:
    """Raise :class:`NotAReport` unless ``text`` could be an annual report.

    Deliberately general and lenient: enough Chinese text, and a mention of
    信息公开/政务公开 or 年度报告/年报 somewhere (whitespace ignored, since PDF
    line breaks split words).  Anything stricter would reject odd but real
    reports; this only stops pages that are plainly something else.
    """
    count = cjk_count(text)
    if count < MIN_CJK_CHARS:
        raise NotAReport(
            f"{where} is not an annual report: it has only {count} Chinese characters "
            f"(a report has at least {MIN_CJK_CHARS}){extra}"
        )
    squashed = "".join(text.split())
    if not any(word in squashed for word in _REPORT_TOPIC + _REPORT_KIND):
        raise NotAReport(
            f"{where} is not an annual report: it never mentions 信息公开/政务公开 or 年度报告/年报{extra}"
        )


def _check_decoded(decoded: Decoded | None, where: str) -> Decoded:
    """The decoding, unless there is none or it is mostly garbage."""
    if decoded is None:
        raise DecodeError(f"{where} could not be decoded as text in any known encoding")
    share = garbage_share(decoded.text)
    if share > MAX_GARBAGE_SHARE:
        raise DecodeError(
            f"{where} decodes ({decoded.encoding}) to {share:.0%} replacement/control "
            "characters: it is binary or corrupt, not text"
        )
    return decoded


# --------------------------------------------------------------------------
# metadata for text and PDF

_TITLE = re.compile(r"(.{4,60}?(?:年度报告|年报))")
_NOT_IN_TITLE = re.compile(r"[，。；：、《》〈〉<>]|根据")
_SUBJECTLESS = ("政府信息公开", "政务公开", "信息公开", "年度")
_ORG_LINE = re.compile(r"(?:政府|委员会|办公室|办公厅|管委会|局|厅|委|院|部|署|中心|处|站|所)$")


def _compact(text: str) -> str:
    """Collapse whitespace, and drop it next to Chinese (PDF "2023 年")."""
    text = " ".join(text.split())
    return re.sub(r"(?<=[\u4e00-\u9fff]) | (?=[\u4e00-\u9fff])", "", text)


def guess_title(text: str) -> str | None:
    """The report title from the first lines of a text or PDF report.

    Layouts split titles over two or three lines ("2024年上海市科委政府信息
    公开工作" / "年度报告"), so runs of one, then two, then three of the first
    six non-empty lines are tried, each cut after its first 年度报告/年报 (page
    dumps may hold the whole report on one line).  Prose ("根据《条例》…") and
    breadcrumbs (">>") are not titles.  A title without its subject
    ("2023年…", "政府信息公开…") after a short organisation or year line
    ("洪泽区人民政府", "吉林市人民政府2017") gets that line back in front.
    """
    lines = [line.strip().lstrip("#").strip() for line in text.split("\n")]
    lines = [line for line in lines if line][:6]
    for span in (1, 2, 3):
        for start in range(len(lines) - span + 1):
            joined = _compact("".join(lines[start : start + span]))
            match = _TITLE.match(joined)
            if not match or _NOT_IN_TITLE.search(match.group(1)):
                continue
            title = match.group(1)
            if start > 0 and (title[:1].isdigit() or title.startswith(_SUBJECTLESS)):
                previous = _compact(lines[start - 1])
                if (
                    len(previous) <= 30
                    and not _NOT_IN_TITLE.search(previous)
                    and (_ORG_LINE.search(previous) or previous[-1:].isdigit() or previous.endswith("年"))
                ):
                    title = previous + title
            return title
    return None


def _text_meta(text: str) -> ReportMeta:
    return ReportMeta(
        title=guess_title(text),
        published=labelled_published(text),
        index_number=labelled_index_number(text),
        publisher=labelled_publisher(text),
    )


# --------------------------------------------------------------------------
# readers


def _read_pdf(data: bytes, where: str) -> str:
    """Text layer of a PDF, pages joined by :data:`PAGE_SEPARATOR`."""
    import pdfplumber  # heavy; only PDFs need it

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:  # pdfminer raises many unrelated kinds
        raise SourceError(f"{where} is not a readable PDF (damaged or encrypted: {type(exc).__name__}: {exc})") from exc
    text = _normalise_newlines(PAGE_SEPARATOR.join(pages))
    if not text.strip("\f\n \t"):
        raise NeedsOCR(f"{where} is a PDF with no text layer ({len(pages)} pages of images); it needs OCR")
    visible = "".join(text.split())
    glyphs = sum(len(match) for match in _CID_GLYPH.findall(text))
    if glyphs > len(visible) / 2:
        raise NeedsOCR(
            f"{where} is a PDF whose text layer is unreadable (fonts without a Unicode "
            "map come out as (cid:NN)); it needs OCR"
        )
    return text


def read_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    url: str | None = None,
) -> SourceDocument:
    """Turn the bytes of a report into a :class:`SourceDocument`.

    ``filename`` and ``content_type`` are hints (content decides first);
    ``content_type`` may carry the HTTP charset; ``url`` becomes
    ``meta.source_url``.  Raises a :class:`SourceError` subclass naming the
    problem when the bytes are empty, binary, undecodable or not a report.
    """
    where = _describe(filename, url)
    sha256 = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise EmptySource(f"{where} is empty")
    declared = _declared_kind(filename, content_type)

    if b"%PDF-" in data[:1024]:
        text = _read_pdf(data, where)
        meta = _text_meta(text)
        check_report(text, where=where)
        meta.source_url = url
        return SourceDocument(text, APPLICATION_PDF, sha256, None, meta)
    binary = _binary_kind(data)
    if binary is not None:
        raise BinarySource(f"{where} is {binary}, not a text, HTML or PDF report")
    if b"\x00" in data and bom_encoding(data) is None:
        if declared == APPLICATION_PDF:
            raise BinarySource(f"{where} claims to be a PDF but has no %PDF header (truncated or corrupt)")
        raise BinarySource(f"{where} contains NUL bytes: it is a binary file, not text")

    head = data[:8192].decode("latin-1")
    markup = _looks_like_html(head, declared)
    decoded = _check_decoded(
        decode_bytes(data, http_charset=charset_from_content_type(content_type), markup=markup), where
    )
    text = decoded.text
    if not text.strip():
        raise EmptySource(f"{where} contains only whitespace")

    if markup or _looks_like_html(text[:8192], declared):
        page = extract_html(text)
        body = _normalise_newlines(page.text)
        if not body.strip():
            raise EmptySource(f"{where} is an HTML page with no text (a script-rendered page?)")
        extra = ""
        if declared == APPLICATION_PDF:
            extra = "; the server sent an HTML page where a PDF was expected"
        if page.attachments:
            shown = ", ".join(page.attachments[:3])
            extra += f"; the page links to attachments that may hold the report: {shown}"
        check_report(body + "\n" + (page.meta.title or ""), where=where, extra=extra)
        page.meta.source_url = url
        return SourceDocument(body, TEXT_HTML, sha256, decoded.encoding, page.meta)

    text = _normalise_newlines(text)
    check_report(text, where=where)
    meta = _text_meta(text)
    meta.source_url = url
    return SourceDocument(text, TEXT_PLAIN, sha256, decoded.encoding, meta)


def read_path(path: Path) -> SourceDocument:
    """Read a report file (text, HTML or PDF) from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceError(f"{str(path)!r} does not exist") from exc
    except IsADirectoryError as exc:
        raise SourceError(f"{str(path)!r} is a directory, not a report file") from exc
    except OSError as exc:
        raise SourceError(f"{str(path)!r} cannot be read: {exc.strerror or exc}") from exc
    return read_bytes(data, filename=path.name)


def fetch_url(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 20.0,
    max_bytes: int = 20_000_000,
    transport: httpx.BaseTransport | None = None,
) -> SourceDocument:
    """Fetch a report over HTTP(S); see :func:`ingest.fetch.fetch_url`."""
    from ingest.fetch import fetch_url as _fetch_url  # fetch imports this module

    return _fetch_url(url, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes, transport=transport)
