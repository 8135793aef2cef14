"""A case's history runs forward (issue 10): with the clock set back — a pinned GOVFLOW_NOW,
a wrong system clock — an action dated before the case's last event is refused, so an
extension cannot slip past the limit that had already passed, and nothing is written."""

from __future__ import annotations

import pytest

from govflow.workflow.errors import ActionNotAllowed


def test_an_action_dated_before_the_last_event_is_refused_and_nothing_is_written(flow) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register()
    flow.act(ref, "li.handler", "start_review")
    flow.at("2025-11-03 09:00")  # the reply limit (end of 2025-10-30) has passed
    flow.act(ref, "li.handler", "accept")
    before = flow.footprint(ref)

    flow.at("2025-10-20 09:00")  # the clock set back, before the limit and before "accept"
    with pytest.raises(ActionNotAllowed, match="早于本案最近一次记录（2025-11-03 09:00）"):
        flow.act(ref, "zhang.head", "extend", days=10, reason="需调档整理")
    assert flow.footprint(ref) == before


def test_actions_at_the_same_instant_as_the_last_event_are_allowed(flow) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register()
    flow.act(ref, "li.handler", "start_review")
    flow.act(ref, "li.handler", "accept")  # same instant: a clerk's two clicks in one second
    assert flow.case(ref).state == "handling"
