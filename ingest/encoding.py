"""Bytes → str for report sources: which encoding, and how sure we are.

Chinese government sites are a hard case for encoding detection: pages are
labelled ``gb2312`` but contain GBK-only characters, labelled ``gb2312`` after
a migration to UTF-8, or served with a web server's default
``charset=ISO-8859-1``.  A wrong guess does not fail loudly — GB18030 decodes
almost any byte string — it produces plausible-looking nonsense that the
extractors would then mine for figures.  So the order of evidence is

1. a byte-order mark (cannot be accidental);
2. strict UTF-8 when the data contains non-ASCII bytes and a *legacy* charset
   was declared (valid multi-byte UTF-8 is practically never produced by GBK
   text, while mislabelled UTF-8 is common);
3. the declared charsets: HTTP ``Content-Type`` first, then ``<meta charset>``
   / ``http-equiv`` / XML declaration; GB2312 and GBK labels are read as
   GB18030, their superset, so GBK-only characters (镕, 堃, …) survive;
   single-byte Western labels only count when nothing Chinese fits;
4. strict UTF-8, then strict GB18030 — unless UTF-8 with a handful of broken
   bytes reads as far more common Chinese than the GB18030 reading;
5. charset-normalizer's detection.

Nothing here raises: :func:`decode_bytes` returns ``None`` when nothing
decodes, and :func:`garbage_share` lets the caller decide whether the result
is text at all.  The caller (``ingest.sources``) turns both into errors.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Byte-order marks, longest first (UTF-32-LE's BOM starts with UTF-16-LE's).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Labels that mean "some GB code page": read them all as GB18030, which is a
#: strict superset, so a page labelled gb2312 that uses GBK characters decodes.
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "cp936", "euc_cn", "hz"})

#: Single-byte Western code pages.  A Chinese report can never really be in
#: one of these; the label is usually a server default, so it is only a hint.
_WESTERN_SINGLE_BYTE = frozenset({"ascii", "iso8859-1", "iso8859-15", "cp1252", "cp1250", "cp1251"})

#: Web labels for GB code pages that Python's codec registry does not know.
_LABEL_ALIASES = {
    "x-gbk": "gbk",
    "gb_2312": "gb2312",
    "gb_2312-80": "gb2312",
    "csgb2312": "gb2312",
    "csiso58gb231280": "gb2312",
    "iso-ir-58": "gb2312",
    "chinese": "gb2312",
    "x-euc-cn": "gb2312",
    "x-gb18030": "gb18030",
}

_MARKUP_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

#: How far into a page to look for a ``<meta charset>``.  Browsers use 1024
#: bytes; CMS pages often put long comments or scripts first, so be generous.
MARKUP_PRESCAN_BYTES = 8192


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, with the Python codec that produced it.

    ``encoding`` decodes the original bytes back to ``text`` (BOM included:
    ``utf-8-sig`` / ``utf-16`` strip it), so it is what ``raw_encoding``
    reports.  ``how`` says which evidence decided: ``bom``, ``declared``,
    ``utf-8``, ``gb18030``, ``utf-8-lossy`` or ``detected``.
    """

    text: str
    encoding: str
    how: str


def codec_name(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown/unusable.

    GB-family labels map to ``gb18030`` (see module docstring); UTF-16/32
    labels without a BOM are left to Python's BOM-less codecs.
    """
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_LABEL_ALIASES.get(label, label)).name
    except LookupError:
        return None
    if name in _GB_FAMILY:
        return "gb18030"
    return name


def bom_encoding(data: bytes) -> str | None:
    """Codec named by a byte-order mark at the start of ``data``, if any."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of an HTTP Content-Type header, if any."""
    if not content_type:
        return None
    match = _HTTP_CHARSET.search(content_type)
    return match.group(1) if match else None


def charset_from_markup(data: bytes) -> str | None:
    """Charset declared by ``<meta charset>``, ``http-equiv`` or ``<?xml``.

    Works on the raw bytes (the declaration is ASCII in every encoding a
    report uses), limited to the first :data:`MARKUP_PRESCAN_BYTES`.
    """
    match = _MARKUP_CHARSET.search(data[:MARKUP_PRESCAN_BYTES])
    if not match:
        return None
    raw = match.group(1) or match.group(2)
    return raw.decode("ascii", errors="replace")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def is_cjk(char: str) -> bool:
    """True for a CJK unified ideograph (basic block, extension A, compat)."""
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def cjk_count(text: str) -> int:
    """Number of CJK ideographs in ``text``: the measure of "how much Chinese"."""
    return sum(1 for char in text if is_cjk(char))


@lru_cache(maxsize=8192)
def _is_common_hanzi(char: str) -> bool:
    # GB2312 level 1 (lead bytes 0xB0-0xD7) holds the 3,755 most frequent
    # characters; real report text is >95 % level-1, mojibake is not.
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def common_hanzi_share(text: str, *, sample: int = 20000) -> float:
    """Share of the CJK characters (first ``sample``) that are very common.

    Used to choose between two decodings of the same bytes: the one that
    reads as ordinary Chinese wins.  0.0 when there is no CJK at all.
    """
    chars = [char for char in text[: sample * 2] if is_cjk(char)][:sample]
    if not chars:
        return 0.0
    return sum(1 for char in chars if _is_common_hanzi(char)) / len(chars)


def garbage_share(text: str) -> float:
    """Share of characters that are U+FFFD or control characters.

    Tab, newline, carriage return, form feed and vertical tab are text; any
    other C0/C1 control or a replacement character means the decoding (or
    the file) is broken.  Whitespace-only text scores 0.0.
    """
    if not text:
        return 0.0
    bad = 0
    for char in text:
        if char == "\ufffd":
            bad += 1
        elif char not in "\t\n\r\f\v" and unicodedata.category(char) == "Cc":
            bad += 1
    return bad / len(text)


def _lossy_utf8(data: bytes, rival: str) -> str | None:
    """UTF-8 with replacement chars, if that reads far better than ``rival``.

    A UTF-8 page with one truncated character fails strict decoding and then
    "succeeds" as GB18030 mojibake; this catches that case without letting
    genuinely GBK data through (GBK is full of invalid UTF-8 sequences).
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    if broken > max(3, len(text) // 1000):
        return None
    if common_hanzi_share(text) > common_hanzi_share(rival) + 0.2:
        return text
    return None


def _detect(data: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes  # slow import; rarely needed

    best = from_bytes(data).best()
    if best is None:
        return None
    encoding = codec_name(best.encoding) or best.encoding
    return Decoded(data.decode(encoding, errors="replace"), encoding, "detected")


def decode_bytes(data: bytes, *, http_charset: str | None = None, markup: bool = False) -> Decoded | None:
    """Decode report bytes following the evidence order of the module doc.

    ``http_charset`` is the charset label from an HTTP header or caller;
    ``markup`` says the bytes look like HTML/XML, so an in-document
    declaration is looked for.  Returns None when nothing decodes.
    """
    bom = bom_encoding(data)
    if bom is not None:
        return Decoded(data.decode(bom, errors="replace"), bom, "bom")

    declared = [codec_name(http_charset)]
    if markup:
        declared.append(codec_name(charset_from_markup(data)))
    non_ascii = not data.isascii()
    utf8 = _strict(data, "utf-8") if non_ascii else None

    for codec in declared:
        if codec is None:
            continue
        if utf8 is not None and not codec.startswith("utf"):
            return Decoded(utf8, "utf-8", "utf-8")
        if codec in _WESTERN_SINGLE_BYTE and non_ascii:
            gb = _strict(data, "gb18030")
            if gb is not None and common_hanzi_share(gb) >= 0.8:
                return Decoded(gb, "gb18030", "gb18030")
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec, "declared")

    if not non_ascii:
        return Decoded(data.decode("ascii"), "ascii", "utf-8")
    if utf8 is not None:
        return Decoded(utf8, "utf-8", "utf-8")
    gb = _strict(data, "gb18030")
    if gb is not None:
        lossy = _lossy_utf8(data, gb)
        if lossy is not None:
            return Decoded(lossy, "utf-8", "utf-8-lossy")
        return Decoded(gb, "gb18030", "gb18030")
    lossy = _lossy_utf8(data, "")
    if lossy is not None:
        return Decoded(lossy, "utf-8", "utf-8-lossy")
    return _detect(data)
