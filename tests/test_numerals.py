"""Property tests for the numeral parser: every way reports write a number reads back to it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.numerals import find_quantities, parse_chinese_numeral, parse_number, to_ascii

DIGITS = "零一二三四五六七八九"
SMALL = ((1000, "千"), (100, "百"), (10, "十"))
FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _group(n: int, leading: bool) -> str:
    """0 < n < 10000 written out ("一千零五", "十五" when it leads the whole number)."""
    out = ""
    pending_zero = False
    for value, unit in SMALL:
        d, n = divmod(n, value)
        if d:
            if pending_zero:
                out += "零"
            if not (leading and not out and value == 10 and d == 1):
                out += DIGITS[d]
            out += unit
            pending_zero = False
        elif out:
            pending_zero = True
    if n:
        if pending_zero:
            out += "零"
        out += DIGITS[n]
    return out


def to_chinese(n: int, liang: bool = False) -> str:
    """A number as written in Chinese: 25800 → 两万五千八百 (with ``liang``) / 二万五千八百."""
    if n == 0:
        return "零"
    parts: list[str] = []
    groups = [(100_000_000, "亿"), (10_000, "万"), (1, "")]
    higher = False
    for size, name in groups:
        g, n = divmod(n, size)
        if g == 0:
            continue
        text = _group(g, leading=not higher)
        if higher and g < 1000:
            text = "零" + text
        parts.append(text + name)
        higher = True
    out = "".join(parts)
    if liang:
        # 两 replaces 二 before 千, 百, 万 and 亿 (never in 二十 or at the end)
        out = "".join("两" if ch == "二" and i + 1 < len(out) and out[i + 1] in "千百万亿" else ch
                      for i, ch in enumerate(out))
    return out


def test_formatter_writes_what_reports_print() -> None:
    assert to_chinese(25800, liang=True) == "两万五千八百"
    assert to_chinese(120) == "一百二十"
    assert to_chinese(15) == "十五"
    assert to_chinese(10005) == "一万零五"
    assert to_chinese(100010000) == "一亿零一万"
    assert to_chinese(1_000_000_000) == "十亿"


@given(st.integers(min_value=0, max_value=10**9))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_chinese_numeral(to_chinese(n)) == n
    assert parse_chinese_numeral(to_chinese(n, liang=True)) == n


@given(st.integers(min_value=2, max_value=10**9))  # "一条" reads as an article ("同一条信息")
def test_chinese_numerals_with_a_unit_are_found_in_text(n: int) -> None:
    text = f"全年共发布{to_chinese(n, liang=True)}条信息。"
    found = [q for q in find_quantities(text) if q.unit == "条"]
    assert [q.value for q in found] == [Decimal(n)]
    assert text[found[0].start:found[0].end].endswith("条")


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_with_thousands_separators_and_full_width_digits(n: int) -> None:
    plain = str(n)
    grouped = f"{n:,}"
    for form in (plain, grouped, plain.translate(FULLWIDTH), grouped.translate(FULLWIDTH)):
        assert parse_number(form) == n
        text = f"主动公开政府信息{form}条，"
        (q,) = [q for q in find_quantities(text) if q.unit == "条"]
        assert q.value == n and text[q.start:q.end] == f"{form}条"  # offsets into the original text


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2))
def test_decimals_and_multipliers(x: Decimal) -> None:
    printed = f"{x:.2f}"
    wan = [q for q in find_quantities(f"专项经费{printed}万元。") if q.unit == "元"]
    assert [q.value for q in wan] == [x * 10_000]
    yi = [q for q in find_quantities(f"采购总金额{printed}亿元。") if q.unit == "元"]
    assert [q.value for q in yi] == [x * 100_000_000]
    assert parse_number(f"{printed}万") == x * 10_000
    assert parse_number(printed.translate(FULLWIDTH)) == x


@pytest.mark.parametrize(("text", "value", "unit", "approx"), [
    ("近20天", Decimal(20), None, True),
    ("300余人参加", Decimal(300), "人", True),
    ("20多个单位", Decimal(20), "个", True),
    ("约300人", Decimal(300), "人", True),
    ("1000条左右", Decimal(1000), "条", True),
    ("5231人次", Decimal(5231), "人次", False),
    ("1.2万人次", Decimal(12000), "人次", False),
    ("两万五千八百余条", Decimal(25800), "条", True),
    ("65.9万元", Decimal(659000), "元", False),
    ("3.5亿元", Decimal(350000000), "元", False),
    ("749 件", Decimal(749), "件", False),
    ("1起", Decimal(1), "起", False),
    ("81.8%", Decimal("81.8"), "%", False),
])
def test_units_and_approximation_markers(text: str, value: Decimal, unit: str | None, approx: bool) -> None:
    q = find_quantities(text)[0]
    assert (q.value, q.unit, q.approx) == (value, unit, approx)


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(["近", "约", "大约", "将近", "接近"]),
       st.sampled_from(["余", "多", ""]), st.sampled_from(["条", "件", "个", "次", "人"]))
def test_approximate_forms(n: int, prefix: str, suffix: str, unit: str) -> None:
    (q,) = find_quantities(f"共{prefix}{n}{suffix}{unit}。")
    assert q.value == n and q.approx and q.unit == unit


def test_words_that_contain_numerals_are_not_numbers() -> None:
    assert find_quantities("统一规范，一是加强，同一条信息") == []
    with pytest.raises(ValueError):
        parse_chinese_numeral("两三")  # "two or three", not 23
    with pytest.raises(ValueError):
        parse_chinese_numeral("百千")
    assert parse_chinese_numeral("二○一三") == 2013


def test_full_width_text_keeps_its_length() -> None:
    text = "共收到申请５０１件，占８１．８％"
    assert len(to_ascii(text)) == len(text)
    values = [(q.value, q.unit) for q in find_quantities(text)]
    assert values == [(Decimal(501), "件"), (Decimal("81.8"), "%")]
