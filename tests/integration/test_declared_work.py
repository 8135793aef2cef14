"""The seeds' other time-limited work through the services, the sweeper and the reports, on
SQLite and PostgreSQL (issue 15 item 8): each declared type's limit counted from the date the
user entered, its ladder fired day by day across the 2025 National Day holiday, its place in
the timeliness report, and the county head's mailbox's daily, monthly and quarterly reports.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from govflow.workers.sweeper import sweep
from govflow.workflow import services
from govflow.workflow.errors import InvalidInput, NotFound
from govflow.workflow.policy import NotificationSettings
from tests.principals import acting

chinese_calendar = pytest.importorskip("chinese_calendar")

CLERK, LI, HEAD = "wang.clerk", "li.handler", "zhang.head"


def nth_after(start: str, n: int) -> date:
    return chinese_calendar.find_workday(n - 1, date.fromisoformat(start) + timedelta(days=1))


def fired(flow) -> list[str]:
    report = sweep(flow.svc, [].append, NotificationSettings())
    return sorted(key.split(":", 1)[1] for key in report.fired)


def open_case(flow, case_type: str, **payload: str) -> str:
    ref = services.open_case(
        flow.svc,
        case_type=case_type,
        agency_code="county",
        principal=acting(flow.svc, CLERK),
        payload=payload,
    )
    flow.consistent(ref)
    return ref


DUAL = {
    "kind": "licence",
    "decision_number": "示住建许〔2025〕88号",
    "counterpart": "某建筑有限公司",
    "matter": "建筑工程施工许可",
    "decided_on": "2025-09-26",
    "department": "县住建局",
}


def test_dual_publicity_ladder_fires_day_by_day_until_published(flow) -> None:
    flow.at("2025-09-29 09:00")
    ref = open_case(flow, "dual_publicity", **DUAL)
    assert flow.due(ref, "publication") == nth_after("2025-09-26", 7) == date(2025, 10, 13)
    flow.act(ref, HEAD, "assign", assignee=LI)
    flow.at("2025-10-09 23:59")
    assert fired(flow) == []
    flow.at("2025-10-10 00:00:30")  # two working days left: 10-11 (make-up Saturday), 10-13
    assert fired(flow) == ["publication:assignee_2_days:0:0"]
    flow.at("2025-10-13 00:00:30")
    assert fired(flow) == ["publication:head_last_day:0:0"]
    flow.at("2025-10-14 00:00:30")
    assert fired(flow) == ["publication:supervisor_overdue:0:0"]
    flow.at("2025-10-14 15:00")
    flow.act(ref, LI, "publish", platform="credit_china", link="https://credit.example/88")
    assert flow.status(ref, "publication") == "breached"  # published a day late
    flow.at("2025-10-16 00:00:30")
    assert fired(flow) == []  # the repeats stop once it is met


def test_a_future_decision_date_writes_nothing(flow) -> None:
    flow.at("2025-09-29 09:00")
    before = flow.footprint()
    with pytest.raises(InvalidInput, match="决定日期 2025-09-30 晚于今天"):
        open_case(flow, "dual_publicity", **{**DUAL, "decided_on": "2025-09-30"})
    assert flow.footprint() == before


def test_normative_document_and_policy_interpretation_limits_and_ladders(flow) -> None:
    flow.at("2025-09-30 11:00")
    doc = open_case(
        flow,
        "normative_document",
        title="示范县政府投资项目管理办法",
        document_number="示政规〔2025〕4号",
        drafting_department="县发展改革局",
        signed_on="2025-09-30",
    )
    plan = open_case(
        flow,
        "policy_interpretation",
        title="示范县促进民营经济发展若干措施",
        drafting_department="县发展改革局",
        issued_on="2025-09-30",
    )
    assert flow.due(doc, "publication") == flow.due(doc, "interpretation") == date(2025, 10, 11)
    assert flow.due(plan, "plan_review") == nth_after("2025-09-30", 5) == date(2025, 10, 14)
    flow.at("2025-10-10 00:00:30")
    assert fired(flow) == ["interpretation:assignee_1_day:0:0", "publication:assignee_1_day:0:0"]
    flow.at("2025-10-10 09:00")
    flow.act(doc, LI, "publish", link="https://x/doc")
    flow.act(doc, LI, "publish_interpretation", form="text", link="https://x/jd")
    assert flow.case(doc).state == "completed"
    flow.at("2025-10-11 00:00:30")
    # The document's limits are met; the plan's has two working days left (10-13, 10-14).
    assert fired(flow) == ["plan_review:assignee_2_days:0:0"]
    flow.at("2025-10-13 09:00")
    flow.act(plan, LI, "submit_plan", plan="文字解读与图解")
    flow.at("2025-10-15 09:00")
    flow.act(plan, HEAD, "approve_plan", approved_on="2025-10-15", reviewer="县司法局")
    assert flow.due(plan, "interpretation") == nth_after("2025-10-15", 5)
    assert flow.status(plan, "plan_review") == "met"


def test_the_county_mailbox_and_its_reports(flow) -> None:
    flow.at("2025-09-30 09:00")
    letters = [
        open_case(flow, "county_mailbox", title="路灯不亮", content="人民路路灯", writer="张三",
                  received_on="2025-09-30", category="help"),
        open_case(flow, "county_mailbox", title="学校收费", content="某校收费", writer="李四",
                  received_on="2025-09-29", category="complaint"),
    ]  # fmt: skip
    assert [flow.due(r) for r in letters] == [
        nth_after("2025-09-30", 5),
        nth_after("2025-09-29", 5),
    ]
    flow.at("2025-10-09 10:00")
    flow.act(letters[0], HEAD, "assign", assignee=LI, department="县住建局")
    # The ladder: two working days left (10-10 for the letter due 10-13, 10-11 for 10-14),
    # the last day, then the office head and supervisor once a letter is overdue.
    flow.at("2025-10-11 00:00:30")
    assert fired(flow) == ["reply:assignee_2_days:0:0", "reply:assignee_2_days:0:0"]
    flow.at("2025-10-14 00:00:30")
    assert fired(flow) == ["reply:head_last_day:0:0", "reply:head_last_day:0:0",
                           "reply:supervisor_overdue:0:0"]  # fmt: skip
    flow.at("2025-10-14 10:00")
    flow.act(letters[0], LI, "reply", reply="已修复")  # the last day: on time
    flow.at("2025-10-20 10:00")

    def report(name: str, period: str):
        return services.periodic_report(
            flow.svc,
            services.identify(flow.svc, "chen.supervisor"),
            case_type="county_mailbox",
            report=name,
            agency="county",
            period=period,
        )

    daily = report("daily", "2025-09-30")
    assert [r.ref for r in daily.received] == [letters[0]]
    assert [r.ref for r in daily.open_cases] == [letters[1]]
    assert daily.open_cases[0].time_left.startswith("已超期")
    monthly = report("monthly", "2025-10")
    t = monthly.total
    assert (t.received, t.on_time, t.late, t.overdue, t.open) == (0, 1, 0, 1, 1)
    quarterly = report("quarterly", "2025Q4")
    assert [(b.ref, b.kind) for b in quarterly.breaches] == [(letters[1], "overdue")]
    with pytest.raises(NotFound, match="县长信箱来信没有报表 'weekly'"):
        report("weekly", "2025-10")

    timeliness = services.timeliness_report(
        flow.svc,
        services.identify(flow.svc, "chen.supervisor"),
        agency="county",
        start=date(2025, 10, 1),
        end=date(2025, 10, 31),
    )
    (mailbox,) = [o for o in timeliness.other_limits if o.case_type == "county_mailbox"]
    assert (mailbox.on_time, mailbox.late, mailbox.overdue) == (1, 0, 1)
    assert [(b.ref, b.type_label) for b in timeliness.breaches] == [(letters[1], "县长信箱来信")]
