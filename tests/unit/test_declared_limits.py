"""The seeds' other time-limited work, declared with no code (SPEC section 4, X-1; issue 15 item 8).

双公示 (7 working days from the decision), 规范性文件公开 (3 after signing, with its 解读),
政策解读方案 (5 to legal review, then 5 to interpret) and 县长信箱 (5 by default, the office's
to set) count from a date the user enters. Every due date and every ladder rung here is
checked against an independent count on the official calendar (``chinese_calendar``),
across the 2025 National Day holiday and its make-up working days.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from govflow.workflow import escalation
from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.declaration import DeclarationError
from govflow.workflow.declared import Context
from govflow.workflow.errors import InvalidInput
from govflow.workflow.policy import Settings
from govflow.workflow.registry import load_workflow
from govflow.workflow.reports.periodic import CaseRecord, period_containing, periodic_report
from tests.config import calendar, current_policies, sources, workflow

chinese_calendar = pytest.importorskip("chinese_calendar")

D = date.fromisoformat
CAL = calendar()
CLERK = Actor("wang.clerk", "王登记", Role.CLERK, "county")
HANDLER = Actor("li.handler", "李经办", Role.HANDLER, "county")
HEAD = Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county")


def nth_after(start: date, n: int) -> date:
    """The N-th official working day strictly after ``start`` (independent count)."""
    return chinese_calendar.find_workday(n - 1, start + timedelta(days=1))


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), SHANGHAI)


class Desk:
    def __init__(self, case_type: str, when: str, settings: Settings | None = None) -> None:
        self.case = Case.opened(workflow(case_type), "county", f"示政办{case_type}〔2025〕0001号")
        self.settings = settings or Settings(case_types={"county_mailbox": {"reply_days": 5}})
        self.at(when)

    def at(self, when: str) -> Desk:
        self.now = datetime.combine(D(when), time(10, 0), SHANGHAI)
        return self

    def act(self, action: str, actor: Actor = HANDLER, **payload: Any) -> Any:
        context = Context(self.now, local_date(self.now), self.case.state or "", CAL, self.settings)
        return self.case.act(action, payload, actor, self.now, CAL, context)

    def deadline(self, key: str) -> Any:
        return next(d for d in self.case.deadlines if d.key == key)

    def ladder(self) -> dict[str, datetime]:
        """Each rule's first firing instant, ``deadline:rule`` → instant."""
        policy = current_policies()[self.case.workflow.escalation or ""]
        return {
            f"{p.deadline_key}:{p.rule}": p.first_at
            for p in escalation.plan(self.case.deadlines, policy, CAL)
        }


def working_days_before(due: date, n: int) -> date:
    """The working day after which ``n`` working days remain until ``due`` (independent)."""
    day = due
    left = 0
    while left < n:
        day -= timedelta(days=1)
        if chinese_calendar.is_workday(day):
            left += 1
    return day


# -- 双公示 -------------------------------------------------------------------------------


def dual(when: str = "2025-09-29", decided_on: str = "2025-09-26") -> Desk:
    desk = Desk("dual_publicity", when)
    desk.act(
        "register",
        CLERK,
        kind="penalty",
        decision_number="示市监罚〔2025〕12号",
        counterpart="某商贸有限公司",
        matter="销售过期食品",
        decided_on=decided_on,
        department="县市场监管局",
    )
    return desk


def test_dual_publicity_seven_working_days_from_the_decision_not_the_registration() -> None:
    desk = dual()
    limit = desk.deadline("publication")
    # Decided Fri 09-26, registered Mon 09-29: the count starts from the decision.
    assert limit.start_date == D("2025-09-26")
    assert limit.due_date == nth_after(D("2025-09-26"), 7) == D("2025-10-13")
    assert desk.ladder() == {
        "publication:assignee_2_days": midnight(working_days_before(D("2025-10-13"), 2)),
        "publication:head_last_day": midnight(D("2025-10-13")),
        "publication:supervisor_overdue": midnight(D("2025-10-14")),
    }
    assert midnight(working_days_before(D("2025-10-13"), 2)) == midnight(D("2025-10-10"))
    desk.at("2025-10-10").act("publish", platform="credit_china", link="https://credit.example/1")
    assert desk.case.state == "published"
    assert desk.deadline("publication").status is DeadlineStatus.MET
    assert desk.ladder() == {}


def test_a_decision_date_in_the_future_or_before_the_calendar_is_refused() -> None:
    with pytest.raises(InvalidInput, match="决定日期 2025-09-30 晚于今天 2025-09-29"):
        dual(decided_on="2025-09-30")
    # The range every date field shares (issue 16) refuses it before the calendar's start.
    with pytest.raises(InvalidInput, match="决定日期 decided_on 2007-12-31 早于"):
        dual(decided_on="2007-12-31")


def test_a_revoked_decision_is_not_published_and_its_limit_is_cancelled() -> None:
    desk = dual()
    desk.act("revoke", HEAD, reason="复议撤销")
    assert desk.deadline("publication").status is DeadlineStatus.CANCELLED


# -- 规范性文件公开 ------------------------------------------------------------------------


def test_normative_document_three_working_days_after_signing_with_its_interpretation() -> None:
    desk = Desk("normative_document", "2025-09-30")
    desk.act(
        "register",
        CLERK,
        title="示范县农村集体经济组织财务管理办法",
        document_number="示政规〔2025〕3号",
        drafting_department="县农业农村局",
        signed_on="2025-09-30",
    )
    due = nth_after(D("2025-09-30"), 3)
    assert due == D("2025-10-11")  # 10-09, 10-10 and the make-up Saturday 10-11
    assert desk.deadline("publication").due_date == due
    assert desk.deadline("interpretation").due_date == due
    assert desk.ladder()["publication:assignee_1_day"] == midnight(working_days_before(due, 1))
    assert desk.ladder()["interpretation:supervisor_overdue"] == midnight(due + timedelta(days=1))
    desk.at("2025-10-10").act("publish_interpretation", form="graphic", link="https://x/jd")
    assert desk.case.state == "interpreted"
    assert desk.deadline("publication").status is DeadlineStatus.RUNNING
    desk.at("2025-10-13").act("publish", link="https://x/doc")  # a day late
    assert desk.case.state == "completed"
    assert desk.deadline("interpretation").status is DeadlineStatus.MET
    assert desk.deadline("publication").status is DeadlineStatus.BREACHED


# -- 政策解读方案 --------------------------------------------------------------------------


def test_policy_interpretation_plan_to_legal_review_then_the_interpretation() -> None:
    desk = Desk("policy_interpretation", "2025-09-28")  # a make-up working Sunday
    desk.act(
        "register",
        CLERK,
        title="示范县促进民营经济发展若干措施",
        drafting_department="县发展改革局",
        issued_on="2025-09-28",
    )
    assert desk.deadline("plan_review").due_date == nth_after(D("2025-09-28"), 5) == D("2025-10-11")
    desk.at("2025-10-09").act("submit_plan", plan="图解加答记者问")
    assert desk.deadline("plan_review").status is DeadlineStatus.MET
    desk.at("2025-10-14").act("approve_plan", HEAD, approved_on="2025-10-13", reviewer="县司法局")
    interpretation = desk.deadline("interpretation")
    assert interpretation.start_date == D("2025-10-13")
    assert interpretation.due_date == nth_after(D("2025-10-13"), 5) == D("2025-10-20")
    assert desk.ladder() == {
        "interpretation:assignee_2_days": midnight(working_days_before(D("2025-10-20"), 2)),
        "interpretation:head_last_day": midnight(D("2025-10-20")),
        "interpretation:supervisor_overdue": midnight(D("2025-10-21")),
    }
    desk.at("2025-10-20").act("interpret", form="press", link="https://x/fbh")
    assert desk.case.state == "interpreted"
    assert desk.deadline("interpretation").status is DeadlineStatus.MET


# -- 县长信箱 ------------------------------------------------------------------------------


def letter(
    settings: Settings | None = None, received_on: str = "2025-09-30", when: str = "2025-10-09"
) -> Desk:
    desk = Desk("county_mailbox", when, settings)
    desk.act(
        "register",
        CLERK,
        title="小区路灯不亮",
        content="人民路北段路灯连续一周不亮",
        writer="张三",
        received_on=received_on,
        category="help",
    )
    return desk


def test_county_mailbox_five_working_days_from_the_letter_by_default() -> None:
    desk = letter()
    assert desk.deadline("reply").due_date == nth_after(D("2025-09-30"), 5) == D("2025-10-14")
    assert desk.ladder()["reply:head_last_day"] == midnight(D("2025-10-14"))
    desk.act("assign", HEAD, assignee="li.handler", department="县住建局")
    desk.at("2025-10-14").act("reply", reply="已修复")
    assert desk.deadline("reply").status is DeadlineStatus.MET


def test_county_mailbox_reply_limit_is_the_offices_and_moves_no_open_letter() -> None:
    three = Settings(case_types={"county_mailbox": {"reply_days": 3}})
    desk = letter(three)
    assert desk.deadline("reply").due_date == nth_after(D("2025-09-30"), 3) == D("2025-10-11")
    header = Case(ref=desk.case.ref, workflow=workflow("county_mailbox"), agency_code="county")
    replayed = Case.replay(header, desk.case.events, CAL)
    assert replayed.deadlines[0].due_date == D("2025-10-11")  # whatever the settings say now


# -- declarations --------------------------------------------------------------------------


def _declaration(tmp_path: Path, edit: Any) -> Path:
    raw = yaml.safe_load(Path(workflow("dual_publicity").case_type.source).read_text("utf-8"))
    raw = copy.deepcopy(raw)
    raw["name"] = "dual_publicity_copy"
    edit(raw)
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["deadlines"][0].update(starts_from="signed_on"), "没有字段 'signed_on'"),
        (lambda r: r["deadlines"][0].update(starts_from="matter"), "须为必填的 date 字段"),
        (
            lambda r: r["actions"]["register"]["fields"][4].update(required=False),
            "须为必填的 date 字段",
        ),
        (
            lambda r: r.update(
                reports={
                    "daily": {
                        "kind": "list",
                        "period": "day",
                        "deadline": "publication",
                        "columns": ["counterpart"],
                    }
                }
            ),
            "报表不能列出个人信息字段 counterpart",
        ),
        (
            lambda r: r.update(
                reports={"x": {"kind": "chart", "period": "day", "deadline": "publication"}}
            ),
            "kind 应为",
        ),
        (
            lambda r: r.update(
                reports={"x": {"kind": "list", "period": "day", "deadline": "reply"}}
            ),
            "不是本类型声明的期限",
        ),
    ],
)
def test_bad_date_starts_and_reports_are_refused(tmp_path: Path, edit: Any, message: str) -> None:
    with pytest.raises(DeclarationError, match=message):
        load_workflow(_declaration(tmp_path, edit), sources())


# -- 一日一清单、一月一汇总、一季一通报 ------------------------------------------------------


def record(ref: str, received: str, category: str, *, met: str | None = None, open_: bool = True,
           handler: str | None = None, department: str | None = None) -> CaseRecord:  # fmt: skip
    desk = letter(received_on=received, when="2025-12-31")
    d = desk.deadline("reply")
    if met:
        d.meet(D(met), datetime.combine(D(met), time(10), SHANGHAI))
        d.compute(CAL)
    fields = {"category": category, "received_on": received, "title": f"来信{ref}"}
    if department:
        fields["department"] = department
    return CaseRecord(ref, "assigned" if open_ else "replied", open_, D(received), "示范县人民政府办公室",
                      handler, fields, d)  # fmt: skip


def test_the_mailbox_reports_counted_by_hand() -> None:
    ct = workflow("county_mailbox").case_type
    now = datetime(2025, 12, 31, 10, tzinfo=SHANGHAI)
    records = [
        # due 10-14: replied on time, late, still open; received 09-30 (before October)
        record("A", "2025-09-30", "help", met="2025-10-14", open_=False, handler="李经办"),
        record(
            "B",
            "2025-09-30",
            "complaint",
            met="2025-10-15",
            open_=False,
            handler="李经办",
            department="县住建局",
        ),
        record("C", "2025-09-30", "complaint"),
        # received in October: due 10-20 (10-13 + 5), replied on time
        record("D", "2025-10-13", "help", met="2025-10-16", open_=False, handler="赵经办"),
        # received 12-31 (today): running
        record("E", "2025-12-31", "suggestion"),
    ]
    monthly = periodic_report(ct, ct.report("monthly"), "示范县", *period_containing("month", "2025-10"),
                              now, CAL, records)  # fmt: skip
    t = monthly.total
    assert (t.received, t.on_time, t.late, t.overdue, t.open) == (1, 2, 1, 1, 2)
    assert t.rate == 0.5
    by = {g.name: (g.received, g.on_time, g.late, g.overdue, g.open) for g in monthly.groups}
    assert by == {"投诉": (0, 0, 1, 1, 1), "求助": (1, 2, 0, 0, 0), "建议": (0, 0, 0, 0, 1)}
    quarterly = periodic_report(ct, ct.report("quarterly"), "示范县",
                                *period_containing("quarter", "2025Q4"), now, CAL, records)  # fmt: skip
    assert [(b.ref, b.kind, b.department, b.handler) for b in quarterly.breaches] == [
        ("B", "late", "县住建局", "李经办"),
        ("C", "overdue", "示范县人民政府办公室", "未分配"),
    ]
    assert quarterly.total.received == 2  # D and E
    daily = periodic_report(ct, ct.report("daily"), "示范县", *period_containing("day", "2025-09-30"),
                            now, CAL, records)  # fmt: skip
    assert [r.ref for r in daily.received] == ["A", "B", "C"]
    assert [r.ref for r in daily.open_cases] == ["C", "E"]  # the nearest limit first
    assert daily.received[0].columns == ("2025-09-30", "求助", "来信A")


def test_periods_as_people_name_them() -> None:
    assert period_containing("day", "2025-10-09") == (D("2025-10-09"), D("2025-10-09"))
    assert period_containing("month", "2025-12") == (D("2025-12-01"), D("2025-12-31"))
    assert period_containing("month", "2024-02-10") == (D("2024-02-01"), D("2024-02-29"))
    assert period_containing("quarter", "2025Q4") == (D("2025-10-01"), D("2025-12-31"))
    assert period_containing("quarter", "2025-05-20") == (D("2025-04-01"), D("2025-06-30"))
    with pytest.raises(InvalidInput, match="统计期间 '2025-13' 无效"):
        period_containing("month", "2025-13")
    # Outside the calendar's years: refused, not a ValueError working out January 10000.
    for period, text in (("month", "9999-12"), ("quarter", "9999Q4"), ("day", "2101-01-01"),
                         ("month", "0001-01")):  # fmt: skip
        with pytest.raises(InvalidInput, match=r"统计期间 period：.* 不在 2008–2100 年之内"):
            period_containing(period, text)
