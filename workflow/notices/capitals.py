"""Amounts in Chinese capitals (大写金额) and dates as a notice prints them.

The capitals follow the rules of bills and receipts (《支付结算办法》附件): 壹贰叁…, 拾佰仟 within
a group of four, 万 and 亿 between groups, one 零 for any run of zeros inside the number,
元 then 角 and 分, 整 when there are no 分 (a leading ten is written 壹拾, as on a receipt).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")

LARGEST_YUAN = 10 ** (4 * len(GROUPS)) - 1
"""The largest whole amount the capitals can write (玖仟玖佰玖拾玖万亿…): what comes above
万亿 has no name on a bill. Amounts a notice prints are bounded well below it where they
are typed (``disclosure.fees.MAX_AMOUNT``)."""


def _group(number: int) -> str:
    """0 < number < 10000, with zeros inside written as one 零 (leading zeros not written)."""
    out, zero = [], False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[digit] + UNITS[position])
    return "".join(out)


def _integer(number: int) -> str:
    if number == 0:
        return "零"
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    if len(groups) > len(GROUPS):
        raise ValueError(f"amount too large: at most {LARGEST_YUAN} yuan")
    out, pending_zero = [], False
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            pending_zero = bool(out)
            continue
        # A group below 1000 after a higher group needs a 零 (壹万零伍佰).
        if out and (pending_zero or value < 1000):
            out.append("零")
        out.append(_group(value) + GROUPS[index])
        pending_zero = False
    return "".join(out)


def amount_in_capitals(amount: int | Decimal | str) -> str:
    """``1700`` → ``壹仟柒佰元整``; ``Decimal("10010.05")`` → ``壹万零壹拾元零伍分``."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("amount must not be negative")
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    text = ""
    if yuan or (not jiao and not fen):
        text = _integer(yuan) + "元"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return text


def amount_in_figures(amount: int | Decimal) -> str:
    """``1700`` → ``1,700.00``: the figures printed beside the capitals."""
    return f"{Decimal(str(amount)):,.2f}"


def cn_date(day: date | None) -> str:
    """``2025-09-26`` → ``2025年9月26日`` (GB/T 9704-2012: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
