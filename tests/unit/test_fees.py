"""信息处理费 bands (SPEC D-6; 国办函〔2020〕109号): every boundary, and monotonicity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow.workflow.disclosure.fees import (
    MAX_AMOUNT,
    MAX_PAGES,
    per_request_fee,
    per_volume_fee,
    proposal,
)
from govflow.workflow.notices.capitals import LARGEST_YUAN, amount_in_capitals


@pytest.mark.parametrize(
    ("ordinal", "fee"),
    [
        (1, 0),
        (10, 0),  # 1st–10th free
        (11, 100),
        (30, 100),  # 11th–30th 100 yuan each
        (31, 200),
        (40, 200),
        (41, 300),
        (50, 300),
        (51, 400),
        (60, 400),
        (61, 500),
        (101, 900),
    ],
)
def test_per_request_bands(ordinal: int, fee: int) -> None:
    assert per_request_fee(ordinal) == fee


def test_per_request_each_band_of_ten_costs_100_more() -> None:
    for k in range(10):  # 31st–40th: 200, 41st–50th: 300, …
        first, last = 31 + 10 * k, 40 + 10 * k
        assert per_request_fee(first) == per_request_fee(last) == 200 + 100 * k
        assert per_request_fee(first) - per_request_fee(first - 1) == 100


def test_per_request_ordinal_starts_at_one() -> None:
    with pytest.raises(ValueError):
        per_request_fee(0)


@pytest.mark.parametrize(
    ("pages", "fee"),
    [
        (0, 0),
        (1, 0),
        (30, 0),  # 1–30 free
        (31, 10),
        (100, 700),  # 70 pages at 10
        (101, 720),
        (200, 2700),  # 700 + 100 pages at 20
        (201, 2740),
        (250, 4700),  # 2700 + 50 pages at 40
    ],
)
def test_per_volume_bands(pages: int, fee: int) -> None:
    assert per_volume_fee(pages) == fee


def test_per_volume_rejects_negative_pages() -> None:
    with pytest.raises(ValueError):
        per_volume_fee(-1)


def test_proposal_gives_both_bases_for_the_office_head_to_choose() -> None:
    assert proposal(15, 150) == {"ordinal_in_month": 15, "per_request": 100, "per_volume": 1700}
    assert proposal(3, None) == {"ordinal_in_month": 3, "per_request": 0, "per_volume": None}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 5000))
def test_per_volume_is_monotone(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert per_volume_fee(low) <= per_volume_fee(high)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000))
def test_per_volume_marginal_page_price_is_the_band_price(pages: int) -> None:
    step = per_volume_fee(pages + 1) - per_volume_fee(pages)
    page = pages + 1
    expected = 0 if page <= 30 else 10 if page <= 100 else 20 if page <= 200 else 40
    assert step == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 500), st.integers(1, 500))
def test_per_request_is_monotone(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert per_request_fee(low) <= per_request_fee(high)


def test_the_bounds_on_input_are_within_what_a_notice_can_write() -> None:
    """The most a notice may ask is written in capitals; so is the largest the writer takes,
    and one yuan more is beyond it."""
    assert per_volume_fee(MAX_PAGES) <= MAX_AMOUNT <= LARGEST_YUAN
    assert amount_in_capitals(MAX_AMOUNT) == "壹仟万元整"
    assert amount_in_capitals(LARGEST_YUAN).startswith("玖仟玖佰玖拾玖万亿")
    with pytest.raises(ValueError, match="too large"):
        amount_in_capitals(LARGEST_YUAN + 1)
