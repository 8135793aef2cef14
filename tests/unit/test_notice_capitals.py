"""Amounts in Chinese capitals as a fee notice prints them, and dates (SPEC N-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govflow.workflow.notices.capitals import amount_in_capitals, amount_in_figures, cn_date

DIGITS = {d: i for i, d in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def read_capitals(text: str) -> Decimal:
    """An independent reader of the capitals (the inverse, written the other way round)."""
    yuan_part, _, rest = text.partition("元") if "元" in text else ("", "", text)
    total, section, number = 0, 0, 0
    for ch in yuan_part:
        if ch in DIGITS:
            number = DIGITS[ch]
        elif ch in SMALL:
            section, number = section + number * SMALL[ch], 0
        elif ch == "万":
            total, section, number = total + (section + number) * 10**4, 0, 0
        elif ch == "亿":
            total, section, number = (total + section + number) * 10**8, 0, 0
    total += section + number
    cents = 0
    for unit, value in (("角", 10), ("分", 1)):
        if unit in rest:
            cents += DIGITS[rest.split(unit)[0][-1]] * value
    return Decimal(total) + Decimal(cents) / 100


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "零元整"),
        (100, "壹佰元整"),
        (1700, "壹仟柒佰元整"),
        (10, "壹拾元整"),
        (1001, "壹仟零壹元整"),
        (10010, "壹万零壹拾元整"),
        (100010000, "壹亿零壹万元整"),
        (1050000, "壹佰零伍万元整"),
        (12345678, "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元整"),
        (Decimal("12.5"), "壹拾贰元伍角整"),
        (Decimal("10010.05"), "壹万零壹拾元零伍分"),
        (Decimal("0.05"), "伍分"),
    ],
)
def test_known_amounts(amount: int | Decimal, text: str) -> None:
    assert amount_in_capitals(amount) == text


@given(st.integers(0, 10**12 - 1), st.integers(0, 99))
def test_capitals_read_back_to_the_amount(yuan: int, cents: int) -> None:
    amount = Decimal(yuan) + Decimal(cents) / 100
    text = amount_in_capitals(amount)
    assert read_capitals(text) == amount, text
    assert "零零" not in text
    assert not text.startswith("零") or amount == 0
    assert text.endswith("整") == (cents % 10 == 0)


def test_negative_refused_and_figures_and_dates() -> None:
    with pytest.raises(ValueError):
        amount_in_capitals(-1)
    assert amount_in_figures(1700) == "1,700.00"
    assert cn_date(date(2025, 10, 9)) == "2025年10月9日"
    assert cn_date(None) == ""
