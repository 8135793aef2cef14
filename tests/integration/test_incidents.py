"""Incidents and online messages through the service layer on SQLite and PostgreSQL
(SPEC I-1…I-5, X-1, E-1). After every step the stored deadline rows equal the rebuild
from the events and every hash chain verifies (``flow.consistent``).

The reference incident is detected at 22:30 on the eve of National Day 2025 (Tuesday
09-30): graded 一般 it has 48 h (to 10-02 22:30); raised to 重大 at 04:20 it is past its
5-hour mark (03:30), so the statement milestone is overdue at once and the sweeper's next
pass escalates it to the supervisor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.actors import SYSTEM
from govflow.workflow.clock import SHANGHAI
from govflow.workflow.errors import ActionNotAllowed, InvalidInput
from govflow.workflow.policy import NotificationSettings
from govflow.workflow.services import firings
from govflow.workflow.services.incidents import accountability
from tests.principals import acting

CLERK, LI, ZHAO, HEAD = "wang.clerk", "li.handler", "zhao.handler", "zhang.head"
REF = "示政办舆情〔2025〕0001号"
DETECTION = {
    "title": "网传某小学食堂使用过期食材",
    "summary": "微博多条帖文配图，转发量上升",
    "platform": "微博",
    "link": "https://weibo.com/demo/1",
    "detected_at": "2025-09-30T22:30",
    "topic": "食品药品",
    "lead_department": "县教育局",
    "cooperating_departments": ["县市场监管局"],
}


def open_refs(flow, case_type: str | None = None) -> list[str]:
    """Open cases, least time left first, as the county's supervisor lists them."""
    reader = services.identify(flow.svc, "chen.supervisor")
    page = services.list_cases(flow.svc, reader, services.CaseFilter(case_type=case_type))
    return [c.ref for c in page.cases]


def bj(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)


def open_incident(flow, who: str = CLERK, **overrides: Any) -> str:
    ref = services.open_case(
        flow.svc,
        case_type="incident",
        agency_code="county",
        principal=acting(flow.svc, who),
        payload={**DETECTION, **overrides},
    )
    flow.consistent(ref)
    return ref


def statuses(flow, ref: str) -> dict[str, str]:
    return {d.key: d.status.value for d in flow.case(ref).deadlines}


def fired(flow) -> list[str]:
    outbox: list[int] = []
    report = sweep(flow.svc, outbox.append, NotificationSettings())
    return [key.split(":", 1)[1] for key in report.fired]


def test_night_incident_raised_past_its_limit_is_escalated_at_once_then_archived(flow) -> None:
    flow.at("2025-09-30 22:40")
    ref = open_incident(flow)
    assert ref == REF
    assert statuses(flow, ref) == {"response": "running"}
    flow.act(ref, HEAD, "assign", assignee=LI)
    flow.at("2025-09-30 23:00")
    flow.act(ref, LI, "assess")
    flow.at("2025-09-30 23:30")
    flow.act(ref, HEAD, "grade", grade="general", reason="传播有限")
    assert fired(flow) == []

    flow.at("2025-10-01 04:20")
    flow.act(ref, HEAD, "regrade", grade="major", reason="转发激增、出现线下聚集")
    assert statuses(flow, ref) == {
        "response": "cancelled",
        "statement": "running",
        "press_conference": "running",
    }
    statement = flow.deadline(ref, "statement")
    assert statement.due_at == bj("2025-10-01T03:30") and statement.is_overdue(flow.clock.now())
    # The next sweep fires the statement's whole ladder at once: it is already past.
    assert fired(flow) == [
        "statement:lead_half:0:0",
        "statement:lead_head_80:0:0",
        "statement:supervisor_overdue:0:0",
    ]
    escalated = [f for f in firings(flow.svc, SYSTEM, ref) if f.rule == "supervisor_overdue"]
    assert escalated[0].recipients == ["chen.supervisor"] and escalated[0].level == "escalation"
    assert "发布权威信息时限已超期 0.8 小时" in escalated[0].message

    flow.at("2025-10-01 05:10")
    assert fired(flow) == ["statement:supervisor_overdue:0:1"]  # hourly until published
    flow.act(
        ref, LI, "publish_statement", channel="县政府网站", link="https://www.example.gov.cn/1"
    )
    assert flow.status(ref, "statement") == "breached"  # met, 1 h 40 min late
    assert flow.case(ref).state == "responded"

    flow.at("2025-10-01 09:00")
    flow.act(
        ref, CLERK, "receive_supervision_letter", number="市网督〔2025〕3号", sender="市委网信办",
        report_by="2025-10-02T18:00",
    )  # fmt: skip
    assert flow.deadline(ref, "supervision_letter-1").due_at == bj("2025-10-02T18:00")
    flow.at("2025-10-01 15:00")
    flow.act(ref, LI, "hold_press_conference", venue="县政府新闻发布厅")
    assert flow.status(ref, "press_conference") == "met"
    flow.act(ref, LI, "follow_up", channel="县政府网站", summary="公布抽检结果")
    flow.at("2025-10-02 10:00")
    flow.act(ref, LI, "evaluate", effect="舆情平息", lessons="夜间研判偏低")
    before = flow.footprint(ref)
    with pytest.raises(ActionNotAllowed, match="尚未报送办理情况，不能归档"):
        services.act(
            flow.svc, ref=ref, action="archive", payload={}, principal=acting(flow.svc, CLERK)
        )
    assert flow.footprint(ref) == before
    flow.act(ref, LI, "answer_supervision_letter", number="市网督〔2025〕3号", report="已处置")
    flow.act(ref, CLERK, "archive")
    case = flow.case(ref)
    assert case.state == "archived"
    assert [e.action for e in case.events] == [
        "detect", "assign", "assess", "grade", "regrade", "publish_statement",
        "receive_supervision_letter", "hold_press_conference", "follow_up", "evaluate",
        "answer_supervision_letter", "archive",
    ]  # fmt: skip
    assert open_refs(flow, "incident") == []

    (entry,) = accountability(flow.svc, services.identify(flow.svc, "chen.supervisor"))
    assert (entry.ref, entry.deadline_key, entry.kind) == (ref, "statement", "late")
    assert (entry.lead_department, entry.handler, entry.handler_name) == (
        "县教育局",
        LI,
        "李经办",
    )
    assert entry.hours_late == pytest.approx(1.7)


def test_refused_incident_actions_write_nothing(flow) -> None:
    flow.at("2025-09-30 22:40")
    before = flow.footprint()
    for payload, error, message in [
        ({**DETECTION, "grade": "严重"}, InvalidInput, "未知级别"),
        ({**DETECTION, "detected_at": "2025-10-01T08:00"}, InvalidInput, "晚于现在"),
        ({k: v for k, v in DETECTION.items() if k != "title"}, InvalidInput, "title"),
        ({**DETECTION, "source": "x"}, InvalidInput, "source"),
    ]:
        with pytest.raises(error, match=message):
            services.open_case(
                flow.svc, case_type="incident", agency_code="county", principal=acting(flow.svc, CLERK),
                payload=payload,
            )  # fmt: skip
    with pytest.raises(ActionNotAllowed, match="督查无权登记舆情事件"):
        open_incident(flow, "chen.supervisor")
    assert flow.footprint() == before
    ref = open_incident(flow)
    assert ref == REF  # no number used up by the refusals
    before = flow.footprint(ref)
    for action, who, payload, error in [
        ("grade", HEAD, {"grade": "major"}, ActionNotAllowed),  # not assessed yet
        ("assess", "chen.supervisor", {}, ActionNotAllowed),
        ("regrade", HEAD, {"grade": "major", "reason": "x"}, ActionNotAllowed),
        ("publish_statement", LI, {"channel": "网站"}, InvalidInput),
        ("answer_supervision_letter", LI, {"number": "1", "report": "r"}, InvalidInput),
    ]:
        with pytest.raises(error):
            services.act(
                flow.svc, ref=ref, action=action, payload=payload, principal=acting(flow.svc, who)
            )
    # A letter about the incident cannot have arrived before the incident was detected.
    letter = {"number": "市网督〔2025〕3号", "sender": "市委网信办",
              "received_at": "2025-09-30T10:00", "report_by": "2025-10-01T10:00"}  # fmt: skip
    with pytest.raises(
        InvalidInput, match="收函时间 received_at 2025-09-30 10:00 早于监测发现时间"
    ):
        services.act(
            flow.svc, ref=ref, action="receive_supervision_letter", payload=letter,
            principal=acting(flow.svc, CLERK),
        )  # fmt: skip
    assert flow.footprint(ref) == before


def test_incidents_are_listed_by_time_left(flow) -> None:
    flow.at("2025-09-30 22:40")
    general = open_incident(flow)
    major = open_incident(flow, grade="major", detected_at="2025-09-30T22:00")
    late = open_incident(flow, detected_at="2025-09-30T12:00")
    # Statement due 03:00 (major), response due 10-02 12:00, response due 10-02 22:30.
    assert open_refs(flow, "incident") == [major, late, general]
    assert open_refs(flow) == [major, late, general]  # every type, unless one is asked for
    assert open_refs(flow, "disclosure_request") == []


def test_online_message_through_the_services(flow) -> None:
    flow.at("2025-09-30 16:00")
    payload = {
        "title": "某路段路灯不亮",
        "content": "人民路北段路灯连续一周不亮",
        "contact_name": "张三",
        "contact_phone": "13800000000",
        "channel": "website",
    }
    with pytest.raises(InvalidInput, match="channel"):
        services.open_case(
            flow.svc, case_type="online_message", agency_code="county",
            principal=acting(flow.svc, CLERK), payload={**payload, "channel": "pigeon"},
        )  # fmt: skip
    ref = services.open_case(
        flow.svc,
        case_type="online_message",
        agency_code="county",
        principal=acting(flow.svc, CLERK),
        payload=payload,
    )
    assert ref == "示政办留言〔2025〕0001号"
    flow.consistent(ref)
    assert flow.due(ref).isoformat() == "2025-10-11"  # Saturday make-up working day
    flow.at("2025-10-09 09:00")
    flow.act(ref, HEAD, "assign", assignee=ZHAO)
    assert flow.case(ref).assignee == ZHAO
    with pytest.raises(InvalidInput, match="不是本机关的经办人或负责人"):
        services.act(
            flow.svc, ref=ref, action="assign", payload={"assignee": "liu.clerk"},
            principal=acting(flow.svc, HEAD),
        )  # fmt: skip
    assert open_refs(flow, "online_message") == [ref]
    flow.at("2025-10-13 10:00")  # after the limit (10-11 24:00)
    # The overdue escalation owed at 10-12 and again at 10-13 is one firing (issue 14).
    assert fired(flow) == ["reply:assignee_last_day:0:0", "reply:head_overdue:0:0"]
    (overdue,) = [f for f in firings(flow.svc, SYSTEM, ref) if f.rule == "head_overdue"]
    assert (overdue.repeats, overdue.threshold_at.isoformat()) == (2, "2025-10-11T16:00:00+00:00")
    flow.act(ref, ZHAO, "reply", reply="已通知供电所，路灯已修复")
    assert flow.status(ref) == "breached"
    flow.act(ref, ZHAO, "close")
    assert flow.case(ref).state == "closed"
    assert open_refs(flow, "online_message") == []


def test_open_case_of_a_disclosure_request_registers_it_with_its_intake(flow) -> None:
    flow.at("2025-09-26 10:00")
    ref = services.open_case(
        flow.svc,
        case_type="disclosure_request",
        agency_code="county",
        principal=acting(flow.svc, CLERK),
        payload=flow.intake(),
    )
    assert ref == "示政办依申〔2025〕0001号"
    flow.consistent(ref)
    view = services.case_detail(flow.svc, services.identify(flow.svc, CLERK), ref)
    assert view.data["request"]["id_number"] == "610926199001011234"
    assert view.header.state == "registered"
    assert flow.due(ref).isoformat() == "2025-10-30"


def test_the_history_reads_instants_in_beijing_time_and_grades_by_name(flow) -> None:
    """An input's instants are recorded in UTC and its grade as a code; the timeline a
    supervisor reads shows 2025-09-30 22:30 and 重大, never 14:30Z or ``major``."""
    flow.at("2025-09-30 22:40")
    ref = open_incident(flow, grade="major")
    entries = services.case_timeline(flow.svc, SYSTEM, ref).entries
    details = {f.label: f.value for f in entries[0].details}
    assert details["发现时间"] == "2025-09-30 22:30"
    assert details["级别"] == "重大"
