"""Numbers as Chinese reports write them.

Reports mix Arabic digits (ASCII and full-width, with thousands separators),
Chinese numerals ("两万五千八百", "一百二十", "二○一三"), multipliers (万, 亿)
and approximate markers (余, 多, 近, 约, 左右).  Everything that turns report
text into a ``Decimal`` goes through here so the rules live in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "О": 0,
    "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
CN_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)

# Markers that make a figure approximate.  Prefix markers come before the
# number ("近20天", "约300人"), suffix markers after it ("300余人", "20多个").
APPROX_PREFIXES = ("近", "约", "大约", "将近", "接近")
APPROX_SUFFIXES = ("余", "多", "左右", "以上")

# Units in the order they must be tried (longest first), with the multiplier
# that turns the printed value into the stored unit.
UNIT_MULTIPLIERS: dict[str, tuple[str, Decimal]] = {
    "亿元": ("元", Decimal(100_000_000)),
    "万元": ("元", Decimal(10_000)),
    "元": ("元", Decimal(1)),
    "人次": ("人次", Decimal(1)),
    "万人次": ("人次", Decimal(10_000)),
    "万条": ("条", Decimal(10_000)),
    "万次": ("次", Decimal(10_000)),
    "万件": ("件", Decimal(10_000)),
    "条": ("条", Decimal(1)),
    "件": ("件", Decimal(1)),
    "次": ("次", Decimal(1)),
    "篇": ("篇", Decimal(1)),
    "个": ("个", Decimal(1)),
    "项": ("项", Decimal(1)),
    "场": ("场", Decimal(1)),
    "期": ("期", Decimal(1)),
    "人": ("人", Decimal(1)),
    "名": ("人", Decimal(1)),
    # counted things reports name by their own classifier: kept as printed
    "份": ("份", Decimal(1)),
    "起": ("起", Decimal(1)),
    "宗": ("宗", Decimal(1)),
    "家": ("家", Decimal(1)),
    "套": ("套", Decimal(1)),
    "处": ("处", Decimal(1)),
    "户": ("户", Decimal(1)),
    "批": ("批", Decimal(1)),
    "%": ("%", Decimal(1)),
}
UNITS_BY_LENGTH = sorted(UNIT_MULTIPLIERS, key=len, reverse=True)


def to_ascii(text: str) -> str:
    """Full-width digits and punctuation to ASCII (same length, offsets kept)."""
    return text.translate(FULLWIDTH)


def parse_chinese_numeral(text: str) -> int:
    """Value of a Chinese numeral such as "两万五千八百" or "一百二十".

    Accepts positional forms too ("二○一三" = 2013).  Raises ValueError for
    anything that is not a well-formed numeral.
    """
    if not text:
        raise ValueError("empty numeral")
    if any(ch not in CN_NUMERAL_CHARS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if all(ch in CN_DIGITS for ch in text):
        # Positional digits: years and codes ("二○一三").  "两三" is a
        # vague "two or three", not 23, so short runs are refused.
        if len(text) > 1 and len(text) < 4 and not any(CN_DIGITS[ch] == 0 for ch in text):
            raise ValueError(f"not a numeral: {text!r}")
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total = 0  # completed big-unit groups
    section = 0  # value below the current big unit
    digit: int | None = None
    last_small = 10_000
    last_big = 10**17
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None and CN_DIGITS[ch] != 0:
                raise ValueError(f"two digits in a row in {text!r}")
            digit = CN_DIGITS[ch] if CN_DIGITS[ch] != 0 else None
        elif ch in CN_SMALL_UNITS:
            unit = CN_SMALL_UNITS[ch]
            if unit >= last_small:
                raise ValueError(f"unit out of order in {text!r}")
            last_small = unit
            section += (1 if digit is None else digit) * unit
            digit = None
        else:
            unit = CN_BIG_UNITS[ch]
            if unit >= last_big:
                raise ValueError(f"big unit out of order in {text!r}")
            last_big = unit
            section += digit or 0
            if section == 0:
                raise ValueError(f"big unit without a value in {text!r}")
            total += section * unit
            section = 0
            digit = None
            last_small = 10_000
    section += digit or 0
    return total + section


ARABIC_RE = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?")


def parse_arabic(text: str) -> Decimal:
    """Value of an Arabic number with optional thousands separators."""
    cleaned = to_ascii(text).replace(",", "").strip()
    if not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", cleaned):
        raise ValueError(f"not a number: {text!r}")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValueError(f"not a number: {text!r}") from exc


def parse_number(text: str) -> Decimal:
    """Value of a bare number in either script, with 万/亿 multipliers.

    "90797", "９０７９７", "1,234", "65.9万", "两万五千八百", "3.5亿" all parse.
    """
    raw = to_ascii(text).strip()
    if not raw:
        raise ValueError("empty number")
    multiplier = Decimal(1)
    while raw and raw[-1] in CN_BIG_UNITS and re.search(r"\d", raw):
        multiplier *= CN_BIG_UNITS[raw[-1]]
        raw = raw[:-1]
    if re.search(r"\d", raw):
        return parse_arabic(raw) * multiplier
    return Decimal(parse_chinese_numeral(raw)) * multiplier


@dataclass(frozen=True)
class Quantity:
    """A number found in text, with its unit and where it sits."""

    value: Decimal
    unit: str | None  # stored unit (元 for money), None when none printed
    printed_unit: str | None
    approx: bool
    start: int
    end: int
    text: str


_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CN = f"[{CN_NUMERAL_CHARS}]+"
QUANTITY_RE = re.compile(
    rf"(?P<pre>大约|将近|接近|近|约)?"
    rf"(?P<num>{_NUM}(?:[万亿](?=[\u4e00-\u9fff%]))?|{_CN})"
    rf"(?P<suf>余|多)?"
    # PDF and converter text puts a space between number and unit ("749 件")
    rf"(?:[ \xa0]?(?P<unit>{'|'.join(re.escape(u) for u in UNITS_BY_LENGTH)}))?"
    rf"(?P<post>左右|以上)?"
)


def find_quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` with unit and approximation markers.

    ``text`` may contain full-width digits: offsets refer to the original.
    Chinese numerals are only taken when a unit follows, so words such as
    "一是" or "统一" are not read as numbers.
    """
    ascii_text = to_ascii(text)
    found: list[Quantity] = []
    for m in QUANTITY_RE.finditer(ascii_text):
        num = m.group("num")
        unit = m.group("unit")
        is_cn = not re.search(r"\d", num)
        if is_cn and (unit is None or unit == "%"):
            continue
        if is_cn and len(num) == 1 and num in {"百", "佰", "千", "仟", *CN_BIG_UNITS, "一"}:
            # "一个乡镇", "同一条信息": an article, not a count ("十条" is ten).
            continue
        try:
            value = parse_number(num)
        except ValueError:
            continue
        stored_unit: str | None = None
        if unit is not None:
            stored_unit, mult = UNIT_MULTIPLIERS[unit]
            value *= mult
        approx = bool(m.group("pre") or m.group("suf") or m.group("post"))
        start, end = m.start(), m.end()
        found.append(
            Quantity(
                value=normalize(value),
                unit=stored_unit,
                printed_unit=unit,
                approx=approx,
                start=start,
                end=end,
                text=text[start:end],
            )
        )
    return found


def normalize(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
