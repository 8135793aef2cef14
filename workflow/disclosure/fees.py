"""信息处理费 (SPEC D-6; 国办函〔2020〕109号): the progressive bands, as pure functions.

Fees are charged on one basis per request, never both; the engine proposes the
amount for each basis from the applicant's own history and the office head confirms.
"""

from __future__ import annotations

from govflow.workflow.notices.capitals import LARGEST_YUAN

FREE_REQUESTS_PER_MONTH = 10
FREE_PAGES = 30

MAX_PAGES = 100_000
"""The most pages one request's fee is reckoned on: some four hundred reams, beyond any
request an office answers on paper. An unbounded count made a notice of ¥399,994,700 for
ten million pages, and one of 10^20 pages could not be written in capitals."""

MAX_AMOUNT = 10_000_000
"""The most yuan a fee notice asks: above the fee of ``MAX_PAGES`` pages (¥3,994,700), and
far within what a notice can write in capitals (``LARGEST_YUAN``)."""


def per_request_fee(ordinal_in_month: int) -> int:
    """Fee in yuan for the applicant's ``ordinal_in_month``-th request of the calendar month.

    1st–10th free; 11th–30th 100 yuan; from the 31st each band of ten costs 100 more
    than the band before (31st–40th 200, 41st–50th 300, …).
    """
    if ordinal_in_month < 1:
        raise ValueError("ordinal_in_month starts at 1")
    if ordinal_in_month <= FREE_REQUESTS_PER_MONTH:
        return 0
    if ordinal_in_month <= 30:
        return 100
    return 100 * (2 + (ordinal_in_month - 31) // 10)


def per_volume_fee(pages: int) -> int:
    """Fee in yuan for ``pages`` pages: 1–30 free, 31–100 at 10, 101–200 at 20, from 201 at 40."""
    if pages < 0:
        raise ValueError("pages must be non-negative")
    bands = ((30, 0), (100, 10), (200, 20), (None, 40))
    total, lower = 0, 0
    for upper, price in bands:
        top = pages if upper is None else min(pages, upper)
        if top > lower:
            total += (top - lower) * price
        if upper is None or pages <= upper:
            break
        lower = upper
    return total


def proposal(ordinal_in_month: int, pages: int | None) -> dict[str, int | None]:
    return {
        "ordinal_in_month": ordinal_in_month,
        "per_request": per_request_fee(ordinal_in_month),
        "per_volume": per_volume_fee(pages) if pages is not None else None,
    }


# A fee a notice cannot print would fail as the notice is issued, after the input was
# accepted: the bounds are checked against the capitals writer once, as the module loads.
if not per_volume_fee(MAX_PAGES) <= MAX_AMOUNT <= LARGEST_YUAN:
    raise RuntimeError("MAX_PAGES / MAX_AMOUNT exceed what a notice can write in capitals")
