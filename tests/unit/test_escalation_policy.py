"""Escalation policies as pure functions (SPEC E-1): thresholds, the plan, the policy file.

Dates are 2025, on the shipped calendar: the National Day holiday 10-01…10-08 is off,
Sunday 09-28 and Saturday 10-11 are make-up working days. A reply received Friday 09-26
is due Thursday 10-30 24:00 (Beijing), i.e. 10-31 00:00. "N working days left" fires at
00:00 of the working day W after which N working days remain, (W, due] holding N of them.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from govflow.workflow.clock import SHANGHAI
from govflow.workflow.deadline_terms import Basis, PauseSpan
from govflow.workflow.deadlines import Deadline
from govflow.workflow.escalation import (
    PolicyError,
    Rule,
    Threshold,
    parse_policies,
    plan,
    threshold_at,
)
from tests.config import calendar as shipped_calendar
from tests.config import current_policies

CAL = shipped_calendar()


def bj(text: str) -> datetime:
    """A Beijing wall-clock instant, e.g. ``"2025-10-23 00:00"``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def rule(**threshold: object) -> Rule:
    return Rule(rule="r", threshold=Threshold(**threshold), notify=("assignee",))


def working(key: str, kind: str, start: str, days: int) -> Deadline:
    deadline = Deadline(
        key, kind, "期限", Basis.WORKING_DAYS, days, start_date=date.fromisoformat(start)
    )
    return deadline.compute(CAL)


@pytest.fixture
def reply() -> Deadline:
    deadline = working("reply", "reply", "2025-09-26", 20)
    assert (deadline.due_date, deadline.due_at) == (date(2025, 10, 30), bj("2025-10-31 00:00"))
    return deadline


@pytest.fixture
def incident() -> Deadline:
    """A 5-hour clock started 21:00 on a holiday: nights and holidays count."""
    deadline = Deadline(
        "incident", "incident", "处置时限", Basis.HOURS, 5, start_at=bj("2025-10-01 21:00")
    )
    return deadline.compute(CAL)


# -- working_days_left -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "fires"),
    [
        (5, "2025-10-23 00:00"),  # (10-23, 10-30] = 10-24, 10-27 … 10-30: five days
        (2, "2025-10-28 00:00"),  # 10-29, 10-30
        (1, "2025-10-29 00:00"),
        (0, "2025-10-30 00:00"),  # the last day itself, from its first minute
        (10, "2025-10-16 00:00"),  # 10-17, 10-20 … 10-24, 10-27 … 10-30 (weekend skipped)
    ],
)
def test_working_days_left_fires_at_beijing_midnight(
    reply: Deadline, left: int, fires: str
) -> None:
    at = threshold_at(rule(working_days_left=left), reply, CAL)
    assert at == bj(fires)
    assert at.astimezone(SHANGHAI).time().isoformat() == "00:00:00"
    if left:
        assert CAL.working_days_between(at.astimezone(SHANGHAI).date(), reply.due_date) == left


@pytest.mark.parametrize(
    ("left", "fires"),
    [
        (1, "2025-10-11 00:00"),  # the make-up Saturday counts: (10-11, 10-13] = 10-13
        (2, "2025-10-10 00:00"),  # 10-11 (Sat, make-up), 10-13
        (3, "2025-10-09 00:00"),
        (4, "2025-09-30 00:00"),  # across the eight days of National Day
        (6, "2025-09-28 00:00"),  # the make-up Sunday
    ],
)
def test_working_days_left_across_national_day_and_makeup_days(left: int, fires: str) -> None:
    # The 7-working-day correction-notice limit from 09-26: 09-28, 09-29, 09-30, 10-09,
    # 10-10, 10-11, 10-13.
    notice = working("correction_notice", "correction_notice", "2025-09-26", 7)
    assert notice.due_date == date(2025, 10, 13)
    assert threshold_at(rule(working_days_left=left), notice, CAL) == bj(fires)


def test_threshold_before_the_start_is_clamped_to_the_start(reply: Deadline) -> None:
    # The limit starts counting at 24:00 of the receipt day (the day itself never counts).
    start = bj("2025-09-27 00:00")
    notice = working("correction_notice", "correction_notice", "2025-09-26", 7)
    # 7 left would be 00:00 of 09-26, the receipt day: before the clock started.
    assert threshold_at(rule(working_days_left=7), notice, CAL) == start
    assert threshold_at(rule(working_days_left=20), reply, CAL) == start
    assert threshold_at(rule(working_days_left=30), reply, CAL) == start
    assert threshold_at(rule(hours_left=24 * 60), reply, CAL) == start


# -- hours_left, elapsed, past_due -------------------------------------------------------


def test_hours_left(reply: Deadline, incident: Deadline) -> None:
    assert threshold_at(rule(hours_left=24), reply, CAL) == bj("2025-10-30 00:00")
    assert threshold_at(rule(hours_left=2), reply, CAL) == bj("2025-10-30 22:00")
    assert threshold_at(rule(hours_left=0), reply, CAL) == reply.due_at
    assert incident.due_at == bj("2025-10-02 02:00")
    assert threshold_at(rule(hours_left=1), incident, CAL) == bj("2025-10-02 01:00")
    assert threshold_at(rule(hours_left=1.5), incident, CAL) == bj("2025-10-02 00:30")
    assert threshold_at(rule(hours_left=6), incident, CAL) == bj("2025-10-01 21:00")  # clamped


def test_elapsed_fraction(reply: Deadline, incident: Deadline) -> None:
    # The incident ladder of E-1: 50 % and 80 % of 5 hours.
    assert threshold_at(rule(elapsed=0.5), incident, CAL) == bj("2025-10-01 23:30")
    assert threshold_at(rule(elapsed=0.8), incident, CAL) == bj("2025-10-02 01:00")
    assert threshold_at(rule(elapsed=1), incident, CAL) == incident.due_at
    # A working-day limit elapses in wall-clock time: 09-27 00:00 … 10-31 00:00 is 34 days.
    assert threshold_at(rule(elapsed=0.5), reply, CAL) == bj("2025-10-14 00:00")


def test_past_due(reply: Deadline, incident: Deadline) -> None:
    assert threshold_at(rule(past_due={"hours": 0}), reply, CAL) == bj("2025-10-31 00:00")
    assert threshold_at(rule(past_due={"hours": 0}), reply, CAL) == reply.due_at
    assert threshold_at(rule(past_due={"days": 1}), reply, CAL) == bj("2025-11-01 00:00")
    assert threshold_at(rule(past_due={"hours": 2}), incident, CAL) == bj("2025-10-02 04:00")
    assert threshold_at(rule(past_due={"days": 1, "hours": 1}), incident, CAL) == bj(
        "2025-10-03 03:00"
    )


def test_working_days_left_on_an_hour_clock_counts_whole_days(incident: Deadline) -> None:
    long = Deadline("x", "x", "x", Basis.HOURS, 72, start_at=bj("2025-10-01 09:00")).compute(CAL)
    assert long.due_at == bj("2025-10-04 09:00")
    assert threshold_at(rule(working_days_left=0), long, CAL) == bj("2025-10-03 09:00")
    assert threshold_at(rule(working_days_left=1), long, CAL) == bj("2025-10-02 09:00")
    assert threshold_at(rule(working_days_left=0), incident, CAL) == incident.start_at


# -- plan ----------------------------------------------------------------------------------


def test_plan_covers_running_deadlines_only(reply: Deadline) -> None:
    policy = current_policies()["disclosure_request"]
    paused = working("reply", "reply", "2025-09-26", 20)
    paused.pause(date(2025, 9, 29), "征求意见")
    paused.compute(CAL)
    met = working("correction_notice", "correction_notice", "2025-09-26", 7)
    met.meet(date(2025, 9, 29), bj("2025-09-29 10:00"))
    met.compute(CAL)
    cancelled = working("fee_payment", "fee_payment", "2025-09-26", 20)
    cancelled.cancel("已答复")
    cancelled.compute(CAL)
    consultation = working("consultation-1", "consultation", "2025-09-24", 15)
    assert [d.status.value for d in (paused, met, cancelled)] == ["paused", "met", "cancelled"]

    assert plan([paused, met, cancelled], policy, CAL) == []
    planned = plan([reply, met, consultation], policy, CAL)
    assert [(p.deadline_key, p.rule, p.first_at) for p in planned] == [
        ("reply", "assignee_5_days", bj("2025-10-23 00:00")),
        ("reply", "head_2_days", bj("2025-10-28 00:00")),
        ("reply", "head_last_day", bj("2025-10-30 00:00")),
        ("reply", "supervisor_breach", bj("2025-10-31 00:00")),
        # consultation-1 from 09-24 is due 10-21: 2 left at 00:00 of 10-17 (Fri).
        ("consultation-1", "assignee_2_days", bj("2025-10-17 00:00")),
        ("consultation-1", "expire", bj("2025-10-22 00:00")),
    ]
    assert {p.due_at for p in planned[:4]} == {reply.due_at}


def test_plan_after_a_resumed_pause_uses_the_new_due_date() -> None:
    policy = current_policies()["disclosure_request"]
    resumed = working("reply", "reply", "2025-09-26", 20)
    resumed.pauses.append(PauseSpan(date(2025, 9, 29), date(2025, 10, 13), "征求意见"))
    resumed.compute(CAL)
    # 09-28, 09-29 used; 18 more from 10-13: 10-14 … 11-06.
    assert resumed.due_date == date(2025, 11, 6)
    first = {p.rule: p.first_at for p in plan([resumed], policy, CAL)}
    assert first["assignee_5_days"] == bj("2025-10-30 00:00")
    assert first["supervisor_breach"] == bj("2025-11-07 00:00")


# -- the shipped policy and malformed files ------------------------------------------------


def test_shipped_defaults_are_those_of_e1() -> None:
    policy = current_policies()["disclosure_request"]
    ladder = {r.rule: r for r in policy.ladders["reply"]}
    assert [(r.threshold.working_days_left, r.notify) for r in list(ladder.values())[:3]] == [
        (5, ("assignee",)),
        (2, ("office_head",)),
        (0, ("office_head",)),
    ]
    breach = ladder["supervisor_breach"]
    assert (breach.threshold.past_due.delta.total_seconds(), breach.notify, breach.level) == (
        0,
        ("supervisor",),
        "escalation",
    )
    assert breach.repeat is not None and breach.repeat.delta.days == 1
    actions = {k: [r.action for r in rules if r.action] for k, rules in policy.ladders.items()}
    assert actions["correction_period"] == ["correction_expired"]
    assert actions["fee_payment"] == ["fee_expired"]
    assert actions["consultation"] == ["consultation_expired"]
    assert len(policy.digest) == 64
    assert policy.digest == current_policies()["disclosure_request"].digest


def _file(*rules: dict, kind: str = "reply") -> dict:
    return {"policies": {"disclosure_request": {kind: list(rules)}}}


GOOD = {"rule": "ok", "threshold": {"working_days_left": 2}, "notify": ["assignee"]}


@pytest.mark.parametrize(
    ("bad", "place", "says"),
    [
        (
            {
                "rule": "two",
                "threshold": {"working_days_left": 2, "hours_left": 3},
                "notify": ["assignee"],
            },
            "policies.disclosure_request.reply.1.threshold",
            "须且只能给出一种",
        ),
        (
            {"rule": "none", "threshold": {}, "notify": ["assignee"]},
            "policies.disclosure_request.reply.1.threshold",
            "须且只能给出一种",
        ),
        (
            {"rule": "silent", "threshold": {"working_days_left": 2}},
            "policies.disclosure_request.reply.1",
            "notify（通知谁）或 action（系统动作）之一",
        ),
        (
            {
                "rule": "both",
                "threshold": {"past_due": {"hours": 0}},
                "notify": ["assignee"],
                "action": "correction_expired",
            },
            "policies.disclosure_request.reply.1",
            "notify（通知谁）或 action（系统动作）之一",
        ),
        (
            {"rule": "boss", "threshold": {"working_days_left": 2}, "notify": ["director"]},
            "policies.disclosure_request.reply.1.notify.0",
            "'assignee', 'office_head' or 'supervisor'",
        ),
        (
            {"rule": "Head-2", "threshold": {"working_days_left": 2}, "notify": ["assignee"]},
            "policies.disclosure_request.reply.1.rule",
            "pattern",
        ),
        (
            {"rule": "neg", "threshold": {"working_days_left": -1}, "notify": ["assignee"]},
            "policies.disclosure_request.reply.1.threshold.working_days_left",
            "greater than or equal to 0",
        ),
        (
            {"rule": "zero", "threshold": {"elapsed": 0}, "notify": ["assignee"]},
            "policies.disclosure_request.reply.1.threshold.elapsed",
            "greater than 0",
        ),
        (
            {"rule": "typo", "threshold": {"working_day_left": 2}, "notify": ["assignee"]},
            "policies.disclosure_request.reply.1.threshold.working_day_left",
            "Extra inputs",
        ),
        (
            {"rule": "ok", "threshold": {"working_days_left": 1}, "notify": ["office_head"]},
            "policies.disclosure_request",
            "规则名重复：ok",
        ),
    ],
)
def test_malformed_policies_are_refused_naming_the_place(bad: dict, place: str, says: str) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policies(_file(GOOD, bad), "configs/escalation.yaml")
    message = str(raised.value)
    assert message.startswith(f"configs/escalation.yaml: {place}：")
    assert says in message


@pytest.mark.parametrize("raw", [None, {}, {"policies": []}, {"rules": {}}])
def test_a_file_without_policies_is_refused(raw: object) -> None:
    with pytest.raises(PolicyError, match=r"x\.yaml: 须有 policies"):
        parse_policies(raw, "x.yaml")


def test_a_well_formed_file_parses() -> None:
    parsed = parse_policies(_file(GOOD, kind="consultation"), "x.yaml")
    assert parsed["disclosure_request"].rule("consultation", "ok") == Rule.model_validate(GOOD)
    assert parsed["disclosure_request"].rule("reply", "ok") is None
