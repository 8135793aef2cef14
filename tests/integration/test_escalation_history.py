"""Acknowledgement is history, repeats are coalesced, limits that no longer apply stop
warning (issue 14 items 2–4), on SQLite and PostgreSQL with the real sweeper.

The reference case is received in person on Friday 2025-09-26 and accepted; its reply is
due Thursday 10-30 24:00 Beijing, so the supervisor's breach escalation fires at 10-31
00:00 and every day after.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select, text

from govflow.models.tables import CaseRow, EscalationScheduleRow
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.errors import ActionNotAllowed
from tests.api_support import ApiHarness
from tests.integration.escalating import (
    CLERK,
    HEAD,
    LI,
    SUPERVISOR,
    Sweeper,
    accepted_case,
    applicant,
    bj,
    fired,
    short,
)
from tests.principals import acting

# -- acknowledgement (item 4) ---------------------------------------------------------------------


def test_acknowledging_is_an_event_on_the_case_shown_wherever_the_case_is_read(flow) -> None:
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    assert len(sweeper.at("2025-10-30 00:00:30")) == 3  # the three warnings
    assert sweeper.at("2025-10-31 00:00:30") == ["reply:supervisor_breach:0:0"]
    key = fired(flow, ref)["reply:supervisor_breach:0:0"].key
    flow.at("2025-10-31 09:15")
    before = flow.event_count(ref)
    assert services.acknowledge(flow.svc, key, acting(flow.svc, SUPERVISOR)) is True

    event = flow.case(ref).events[-1]
    assert flow.event_count(ref) == before + 1
    assert (event.action, event.actor, event.actor_role, event.occurred_at) == (
        "escalation_acknowledged",
        SUPERVISOR,
        "supervisor",
        bj("2025-10-31 09:15"),
    )
    assert event.state_before == event.state_after == "handling"
    assert event.data["derived"] == {
        "firing": key,
        "deadline": "reply",
        "rule": "supervisor_breach",
        "epoch": 0,
        "reason": "已阅答复期限「超期时督办（每日重复）」，不再重复提醒；更高一级的督办仍按期触发",
    }
    flow.consistent(ref)  # in the hash chain like any event; the projection unchanged

    # escalation list
    view = fired(flow, ref)["reply:supervisor_breach:0:0"]
    assert (view.acknowledged_by, view.acknowledged_by_name, view.acknowledged_at) == (
        SUPERVISOR,
        "陈督查",
        bj("2025-10-31 09:15"),
    )
    # the timeline (audit show, case show)
    last = services.case_timeline(flow.svc, SYSTEM, ref).entries[-1]
    assert (last.action_label, last.actor_name, last.reason) == (
        "确认督办提醒",
        "陈督查",
        event.data["derived"]["reason"],
    )
    # the repeats stop; acknowledging again records nothing more
    assert sweeper.at("2025-11-01 00:00:30") == []
    assert services.acknowledge(flow.svc, key, acting(flow.svc, HEAD)) is False
    assert flow.event_count(ref) == before + 1


def test_the_notification_centre_lists_what_was_sent_to_the_reader_newest_first(flow) -> None:
    """``my_firings``: only the firings the reader was among the recipients of (on SQLite and
    PostgreSQL alike, whose JSON texts differ), newest first; ``pending_only`` drops the
    acknowledged."""
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-24 00:00:30") == ["reply:assignee_5_days:0:0"]
    assert sweeper.at("2025-10-29 00:00:30") == ["reply:head_2_days:0:0"]
    assert sweeper.at("2025-10-30 00:00:30") == ["reply:head_last_day:0:0"]

    def mine(who: str, pending_only: bool = False) -> list[str]:
        reader = services.identify(flow.svc, who)
        return [short(f.key) for f in services.my_firings(flow.svc, reader, pending_only)]

    assert mine(LI) == ["reply:assignee_5_days:0:0"]
    assert mine(HEAD) == ["reply:head_last_day:0:0", "reply:head_2_days:0:0"]
    assert mine(CLERK) == mine(SUPERVISOR) == []
    assert sweeper.at("2025-10-31 00:00:30") == ["reply:supervisor_breach:0:0"]
    assert mine(SUPERVISOR) == ["reply:supervisor_breach:0:0"]
    key = fired(flow, ref)["reply:head_2_days:0:0"].key
    services.acknowledge(flow.svc, key, acting(flow.svc, HEAD))
    assert mine(HEAD, pending_only=True) == ["reply:head_last_day:0:0"]
    assert len(mine(HEAD)) == 2


def test_the_notification_centre_over_the_api(flow) -> None:
    """``GET /api/v1/escalations?mine=true[&pending=true]``: the same list for a caller with
    a token; ``pending`` alone or with ``case`` is a 400 in the one error model."""
    accepted_case(flow)
    sweeper = Sweeper(flow)
    sweeper.at("2025-10-29 00:00:30")
    sweeper.at("2025-10-30 00:00:30")
    api = ApiHarness(flow.svc, flow.engine)
    with api.client() as http:

        def mine(**params: str) -> list[dict]:
            answer = http.get("/api/v1/escalations", params=params, headers=api.headers(HEAD))
            assert answer.status_code == 200, answer.text
            return answer.json()

        listed = mine(mine="true")
        assert [short(f["key"]) for f in listed] == [
            "reply:head_last_day:0:0",
            "reply:head_2_days:0:0",
        ]
        older = quote(listed[-1]["key"], safe="")
        acked = http.post(f"/api/v1/escalations/{older}/acknowledge", headers=api.headers(HEAD))
        assert acked.status_code == 204, acked.text
        pending = mine(mine="true", pending="true")
        assert [short(f["key"]) for f in pending] == ["reply:head_last_day:0:0"]
        refused = http.get(
            "/api/v1/escalations", params={"pending": "true"}, headers=api.headers(HEAD)
        )
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_input"


def test_what_cannot_be_acknowledged_records_nothing(flow) -> None:
    flow.at("2025-09-22 09:00")
    ref = flow.register()
    flow.at("2025-09-23 09:00")
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "request_correction", items="请写明项目名称")  # 15 days: due 10-20
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-21 00:00:10") == ["correction_period:expire:0:0"]
    expiry = fired(flow, ref)["correction_period:expire:0:0"].key
    before = flow.event_count(ref)
    with pytest.raises(ActionNotAllowed, match="系统自动处理的记录无需确认"):
        services.acknowledge(flow.svc, expiry, acting(flow.svc, HEAD))
    assert flow.event_count(ref) == before


# -- coalesced repeats (item 2) -------------------------------------------------------------------


def test_a_weekend_without_sweeps_is_one_message_per_rule(flow, engine) -> None:
    ref = accepted_case(flow)
    sweeper = Sweeper(flow)
    assert len(sweeper.at("2025-10-30 00:00:30")) == 3  # the three warnings
    assert sweeper.at("2025-10-31 00:00:30") == ["reply:supervisor_breach:0:0"]
    # Down from Friday morning to Monday 09:00: Saturday's, Sunday's and Monday's repeats.
    assert sweeper.at("2025-11-03 09:00") == ["reply:supervisor_breach:0:1"]
    made = fired(flow, ref)["reply:supervisor_breach:0:1"]
    assert (made.repeats, made.threshold_at, made.late) == (3, bj("2025-11-01 00:00"), True)
    assert "自 2025-11-01 00:00 起应重复提醒 3 次，合并为本条" in made.message
    assert len(made.deliveries) == 1  # one message to the supervisor, not three
    # The numbering goes on after the repeats it covered.
    assert sweeper.at("2025-11-04 00:00:30") == ["reply:supervisor_breach:0:4"]
    assert fired(flow, ref)["reply:supervisor_breach:0:4"].repeats == 1
    with engine.connect() as conn:
        breach = "SELECT sum(repeats) FROM firings WHERE rule = 'supervisor_breach'"
        assert conn.execute(text(breach)).scalar_one() == 5


def test_a_request_registered_years_late_owes_one_escalation_not_thousands(flow, engine) -> None:
    """A receipt date years back (a letter found in a drawer): every daily repeat since the
    breach is owed at once, and made as one firing."""
    flow.at("2025-11-03 10:00")
    ref = flow.register(
        intake=flow.intake(channel="letter", received_on="2019-06-03"),
        receipt_date=date(2019, 6, 3),
    )
    flow.checking = False
    sweeper = Sweeper(flow)
    caught = sweeper.at("2025-11-03 10:01")
    assert sorted(caught) == sorted(
        [
            "reply:assignee_5_days:0:0",
            "reply:head_2_days:0:0",
            "reply:head_last_day:0:0",
            "reply:supervisor_breach:0:0",
        ]
    )  # and no correction-notice warning: that limit passed unused in 2019
    breach = fired(flow, ref)["reply:supervisor_breach:0:0"]
    assert breach.repeats > 2300  # every day since July 2019, once
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM firings")).scalar_one() == 4
        assert conn.execute(text("SELECT count(*) FROM deliveries")).scalar_one() == 4
    assert sweeper.at("2025-11-03 10:02") == []


# -- limits that no longer apply (item 3) ---------------------------------------------------------


def schedule(flow, ref: str) -> dict[str, tuple]:
    with flow.svc.uow() as uow:
        rows = uow.session.scalars(
            select(EscalationScheduleRow)
            .join(CaseRow, CaseRow.id == EscalationScheduleRow.case_id)
            .where(CaseRow.ref == ref)
        )
        return {f"{r.deadline_key}:{r.rule}": (r.repeat_no, r.next_fire_at) for r in rows}


def test_the_correction_notice_limit_passed_unused_is_neither_warned_nor_shown_overdue(
    flow,
) -> None:
    flow.at("2025-09-26 10:00")
    ref = flow.register()  # left in `registered`: nobody has looked at it
    flow.at("2025-09-29 10:00")
    other = flow.register(intake=flow.intake(**applicant(flow, 2)))
    assert flow.due(other, "correction_notice") == date(2025, 10, 15)
    sweeper = Sweeper(flow)
    # The last day of the limit: a warning, in time, while a notice can still be sent.
    assert sweeper.at("2025-10-13 00:00:30") == ["correction_notice:assignee_last_day:0:0"]
    assert "今日届满" in fired(flow, ref)["correction_notice:assignee_last_day:0:0"].message
    # The other request's last day (10-15) goes unswept; at 10-20 its limit has passed. Its
    # row, still scheduled, is no finding of audit verify: the limit stopped by itself.
    flow.at("2025-10-20 09:00")
    assert schedule(flow, other)["correction_notice:assignee_last_day"][1] == bj("2025-10-15 00:00")
    flow.consistent(other)
    flow.act(other, LI, "start_review")
    with pytest.raises(ActionNotAllowed, match="已超过，不能再要求补正"):
        flow.act(other, LI, "request_correction", items="补充")
    assert sweeper.at("2025-10-20 09:01") == []  # not "已超期 5 个工作日"
    notice = flow.deadline(other, "correction_notice")
    now = bj("2025-10-20 09:01")
    assert (notice.status_label(now), notice.time_left(flow.svc.calendar, now)) == (
        "已届满",
        "期限已过，不再适用",
    )
    # Its schedule row stops; the reply's rows are untouched.
    rows = schedule(flow, other)
    assert rows["correction_notice:assignee_last_day"][1] is None
    assert rows["reply:assignee_5_days"][1] == bj("2025-10-27 00:00")  # due 11-03
    # Accepting cancels it for good, saying why.
    flow.act(other, LI, "accept")
    notice = flow.deadline(other, "correction_notice")
    assert notice.explanation[-1] == "已取消：申请内容明确，无需补正，不再计算，也不再提醒。"
    assert sweeper.at("2025-10-23 00:00:30") == ["reply:assignee_5_days:0:0"]  # the first
    assert sweeper.at("2025-10-27 00:00:30") == ["reply:assignee_5_days:0:0"]  # the other


def test_a_regrade_removing_a_milestone_stops_its_rules(flow) -> None:
    flow.at("2025-09-30 22:40")
    ref = services.open_case(
        flow.svc,
        case_type="incident",
        agency_code="county",
        principal=acting(flow.svc, "wang.clerk"),
        payload={
            "title": "网传某小学食堂使用过期食材",
            "summary": "微博多条帖文",
            "platform": "微博",
            "topic": "食品药品",
            "detected_at": "2025-09-30T22:30",
        },
    )
    flow.act(ref, LI, "assess")
    flow.act(ref, HEAD, "grade", grade="major")
    sweeper = Sweeper(flow)
    assert sweeper.at("2025-10-01 01:00:30") == ["statement:lead_half:0:0"]  # 2.5 h of 5
    flow.at("2025-10-01 01:10")
    flow.act(ref, HEAD, "regrade", grade="general", reason="经核实为个别现象")
    rows = schedule(flow, ref)
    assert {k: v[1] for k, v in rows.items() if k.startswith(("statement", "press"))} == {
        k: None for k in rows if k.startswith(("statement", "press"))
    }
    # Nothing more about the statement or the press conference; the 48 h response runs.
    made = sweeper.at("2025-10-01 04:00:30") + sweeper.at("2025-10-02 01:00")
    assert made == ["response:lead_half:0:0"]
    statement = flow.deadline(ref, "statement")
    assert statement.explanation[-1] == "已取消：调整级别后不再适用，不再计算，也不再提醒。"
    assert timedelta(hours=48) == flow.deadline(ref, "response").due_at - bj("2025-09-30 22:30")
