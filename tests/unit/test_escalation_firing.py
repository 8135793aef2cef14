"""Firing one due schedule row, as pure functions (issue 14): coalesced repeats, staleness,
who is told, the channels and their timing, the texts. No database.

The reference reply limit is received Friday 2025-09-26 and due Thursday 10-30 24:00
Beijing (10-31 00:00): the shipped ladder's breach escalation fires then and every day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from govflow.workflow import texts
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.deadline_terms import Basis, DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.escalation_firing import (
    Directory,
    DueRow,
    Person,
    decide,
    deliveries,
    message,
)
from govflow.workflow.policy import NotificationSettings
from tests.config import calendar, current_policies, workflow

CAL = calendar()
POLICY = current_policies()["disclosure_request"]
BREACH = POLICY.rule("reply", "supervisor_breach")  # past due, then every day
FIVE = POLICY.rule("reply", "assignee_5_days")  # no repeat
LATE_AFTER = 300.0


def bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def reply(**changes: object) -> Deadline:
    d = Deadline("reply", "reply", "答复期限", Basis.WORKING_DAYS, 20, start_date=date(2025, 9, 26))
    return replace(d.compute(CAL), **changes)


def due_row(deadline: Deadline | None, rule: str, next_fire_at: datetime, **kw: object) -> DueRow:
    values: dict[str, object] = {
        "schedule_id": 7,
        "case_id": 3,
        "case_ref": "示政办依申〔2025〕0001号",
        "case_type": "disclosure_request",
        "agency_id": 1,
        "state": "handling",
        "assignee": "li.handler",
        "policy": POLICY.digest,
        "deadline_key": "reply",
        "rule": rule,
        "epoch": 0,
        "repeat_no": 0,
        "due_at": deadline.due_at if deadline else None,
        "next_fire_at": next_fire_at,
        "deadline": deadline,
    }
    return DueRow(**(values | kw))  # type: ignore[arg-type]


# -- coalesced repeats -------------------------------------------------------------------------


def test_repeats_due_together_are_one_firing_saying_how_many_and_since_when() -> None:
    d = reply()
    assert d.due_at == bj("2025-10-31 00:00")
    row = due_row(d, "supervisor_breach", bj("2025-10-31 00:00"), repeat_no=0)
    # Swept on 11-05 at noon: the breach and five daily repeats (11-01 … 11-05) are owed.
    decision = decide(row, BREACH, bj("2025-11-05 12:00"), LATE_AFTER)
    assert decision.key == "3:reply:supervisor_breach:0:0"
    assert (decision.repeats, decision.threshold_at, decision.late) == (
        6,
        bj("2025-10-31 00:00"),
        True,
    )
    # The row moves past now: the next repeat is 11-06 00:00, numbered 6.
    assert (decision.step.repeat_no, decision.step.next_fire_at) == (6, bj("2025-11-06 00:00"))
    then = decide(
        replace(row, repeat_no=6, next_fire_at=bj("2025-11-06 00:00")),
        BREACH,
        bj("2025-11-06 00:00:30"),
        LATE_AFTER,
    )
    assert (then.key, then.repeats, then.late) == ("3:reply:supervisor_breach:0:6", 1, False)


@given(
    lag=st.integers(min_value=0, max_value=3 * 365 * 86400),
    repeat_no=st.integers(min_value=0, max_value=50),
)
def test_a_sweep_fires_a_row_at_most_once_and_leaves_it_in_the_future(
    lag: int, repeat_no: int
) -> None:
    """However long the sweeper was away (up to three years), one firing covers every repeat
    owed, no repeat is lost or counted twice, and nothing of the row is due any more."""
    threshold = bj("2025-10-31 00:00") + timedelta(days=repeat_no)
    now = threshold + timedelta(seconds=lag)
    row = due_row(reply(), "supervisor_breach", threshold, repeat_no=repeat_no)
    decision = decide(row, BREACH, now, LATE_AFTER)
    owed = lag // 86400 + 1  # the threshold itself and each whole day after it
    assert decision.repeats == owed
    assert decision.step.repeat_no == repeat_no + owed
    assert decision.step.next_fire_at == threshold + timedelta(days=owed)
    assert decision.step.next_fire_at > now
    assert decision.late is (lag > LATE_AFTER)


def test_a_rule_without_repeat_fires_once_and_stops() -> None:
    row = due_row(reply(), "assignee_5_days", bj("2025-10-23 00:00"))
    decision = decide(row, FIVE, bj("2025-10-23 00:00:30"), LATE_AFTER)
    assert (decision.key, decision.repeats, decision.late) == (
        "3:reply:assignee_5_days:0:0",
        1,
        False,
    )
    assert (decision.step.repeat_no, decision.step.next_fire_at) == (1, None)


# -- a row whose deadline no longer runs is stale ----------------------------------------------


@pytest.mark.parametrize(
    "why",
    ["met", "cancelled", "paused", "moved", "no rule", "no deadline", "optional passed"],
)
def test_a_row_whose_deadline_no_longer_runs_fires_nothing(why: str) -> None:
    d = reply()
    now = bj("2025-10-23 00:00:30")
    rule = FIVE
    row = due_row(d, "assignee_5_days", bj("2025-10-23 00:00"))
    if why == "met":
        row = replace(row, deadline=replace(d, status=DeadlineStatus.MET))
    elif why == "cancelled":
        row = replace(row, deadline=replace(d, status=DeadlineStatus.CANCELLED))
    elif why == "paused":
        row = replace(row, deadline=replace(d, status=DeadlineStatus.PAUSED, due_at=None))
    elif why == "moved":
        row = replace(row, due_at=d.due_at - timedelta(days=1))  # type: ignore[operator]
    elif why == "no rule":
        rule = None  # type: ignore[assignment]
    elif why == "no deadline":
        row = replace(row, deadline=None)
    else:  # the correction notice: a limit the office may use; past its end, nothing runs
        notice = replace(d, key="correction_notice", optional=True)
        row = replace(row, deadline=notice, due_at=notice.due_at)
        now = notice.due_at + timedelta(seconds=1)  # type: ignore[operator]
    decision = decide(row, rule, now, LATE_AFTER)
    assert decision.key is None
    assert (decision.step.repeat_no, decision.step.next_fire_at) == (row.repeat_no, None)


# -- who is told ----------------------------------------------------------------------------


def directory() -> Directory:
    people = [
        Person("li.handler", "李经办", "li@example.cn", 1, ("handler",)),
        Person("zhang.head", "张主任", None, 1, ("office_head",)),
        Person("chen.supervisor", "陈督查", "chen@example.cn", 1, ("supervisor",)),
        Person("sun.head", "孙主任", None, 2, ("office_head",)),
    ]
    return Directory.of(people, [(1, None, "示范县政府办公室"), (2, 1, "县教育局")])


def test_who_is_told_follows_the_roles_once_each() -> None:
    org = directory()
    assert [p.username for p in org.told(1, "li.handler", ("assignee", "office_head"))] == [
        "li.handler",
        "zhang.head",
    ]
    assert [p.username for p in org.told(1, None, ("assignee", "office_head"))] == ["zhang.head"]
    # The education bureau has no supervisor: the one of the agency above is told.
    assert [p.username for p in org.told(2, None, ("supervisor",))] == ["chen.supervisor"]
    assert [p.username for p in org.told(1, None, ("supervisor",))] == ["chen.supervisor"]


def test_only_active_accounts_are_told_and_every_role_counts() -> None:
    """Roles come from the account (several each); a departed or locked account is told
    nothing, and an inactive assignee's warnings go to the agency's office heads."""
    people = [
        Person("li.handler", "李经办", None, 1, ("handler",), active=False),
        Person("zhang.head", "张主任", None, 1, ("handler", "office_head")),
        Person("wu.head", "吴主任", None, 1, ("office_head",), active=False),
    ]
    org = Directory.of(people, [(1, None, "示范县政府办公室")])
    assert [p.username for p in org.told(1, "li.handler", ("assignee",))] == ["zhang.head"]
    assert [p.username for p in org.told(1, "zhang.head", ("assignee",))] == ["zhang.head"]
    assert [p.username for p in org.told(1, None, ("office_head",))] == ["zhang.head"]
    assert org.people["li.handler"].name == "李经办"  # still named, never told


def test_deliveries_per_person_and_per_group_and_email_waits_for_the_morning() -> None:
    org = directory()
    people = org.told(1, "li.handler", ("assignee", "office_head"))
    settings = NotificationSettings(channels=("log", "email", "wecom"))
    at_night = bj("2025-10-23 00:00:30")
    made = deliveries("k", people, settings, Basis.WORKING_DAYS, at_night)
    assert [(d.key, d.address, d.not_before) for d in made] == [
        ("k:log:li.handler", None, at_night),
        ("k:log:zhang.head", None, at_night),
        ("k:email:li.handler", "li@example.cn", bj("2025-10-23 08:00")),  # 张主任 has no address
        ("k:wecom:wecom", None, at_night),  # a group robot: once per firing
    ]
    hours = deliveries("k", people, settings, Basis.HOURS, at_night)
    assert {d.not_before for d in hours} == {at_night}  # an incident clock never waits
    assert deliveries("k", [], settings, Basis.HOURS, at_night) == []


# -- the words ------------------------------------------------------------------------------


def test_the_message_names_case_limit_time_left_and_the_repeats_it_covers() -> None:
    d = reply()
    row = due_row(d, "supervisor_breach", bj("2025-10-31 00:00"))
    now = bj("2025-11-03 09:00")
    decision = decide(row, BREACH, now, LATE_AFTER)
    text = message(
        row,
        workflow("disclosure_request").case_type,
        BREACH,
        decision,
        now,
        CAL,
        "李经办",
    )
    subject, body = text.split("\n")
    assert subject == "【督办】示政办依申〔2025〕0001号 答复期限已超期 2 个工作日"  # 10-31, 11-03
    assert body.startswith(
        "示政办依申〔2025〕0001号（政府信息公开申请）答复期限已于 2025-10-30 24:00（北京时间）届满"
    )
    assert "经办人：李经办" in body
    # Where to act is each channel's to say (a command line helps no one on the web).
    assert "办理入口" not in body and "govflow case show" not in body
    assert "自 2025-10-31 00:00 起应重复提醒 4 次，合并为本条" in body


def test_one_place_for_the_words() -> None:
    assert texts.due_text(date(2025, 10, 30), None) == "2025-10-30 24:00"
    assert texts.due_text(None, bj("2026-02-17 03:30")) == "2026-02-17 03:30"
    assert texts.BREACH_LABELS["late"] == "超期完成"  # never 超时完成 anywhere
    assert texts.rule_label("escalation", {"past_due": {"hours": 0}}, {"days": 1}) == (
        "超期时督办（每日重复）"
    )
    assert texts.rule_label("warning", {"working_days_left": 0}, None) == "届满当日预警"
    assert texts.rule_label("warning", {"elapsed": 0.8}, None) == "时限已过 80% 时预警"


def test_where_to_act_is_the_cases_web_address_or_nothing() -> None:
    """E-mail and a webhook's text end with the case's web address when the settings know
    the workbench's; unset (the default), the message names the case by its number only —
    never ``govflow case show …``, of no use to whoever reads it. A link that is not a web
    address of a case is refused when the settings are read."""
    assert NotificationSettings().link is None
    assert NotificationSettings(link="  ").case_link("示政办依申〔2025〕0001号") is None
    assert texts.with_entry("正文", None) == "正文"
    settings = NotificationSettings(link="https://gov.example.cn/cases/{ref}")
    link = settings.case_link("示政办依申〔2025〕0001号")
    assert (
        link
        == "https://gov.example.cn/cases/%E7%A4%BA%E6%94%BF%E5%8A%9E%E4%BE%9D%E7%94%B3%E3%80%942025%E3%80%950001%E5%8F%B7"
    )
    assert texts.with_entry("正文", link) == f"正文\n办理入口：{link}"
    for wrong in ("govflow case show {ref}", "https://gov.example.cn/cases/", "https://x/{case}"):
        with pytest.raises(ValidationError, match="不是案件的网址"):
            NotificationSettings(link=wrong)
    # A message stored with the old entry reads without it; any other as it is.
    old = "【预警】X 答复期限还剩 5 个工作日\n……经办人：李经办。办理入口：govflow case show X（本提醒原定 2025-10-23 00:00 发出，迟发。）"
    assert texts.without_entry(old) == old.replace("办理入口：govflow case show X", "")
    assert texts.without_entry("经办人：李经办。") == "经办人：李经办。"
