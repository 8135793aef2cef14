"""The incident machine in memory (SPEC I-1…I-5, E-1): no database.

Milestones are hour limits from the detection instant, through nights and holidays;
re-grading recomputes them from the original detection (a raised grade past its limit
is a breach at once, and its escalation is planned in the past so the next sweep fires
it); supervision letters block the archive until answered; an evaluation is required;
the accountability list names the department and the handler at the time of each breach.
Hours asserted here were counted by hand from the notices (5 h, 24 h, 48 h).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.deadline_terms import Basis, DeadlineStatus
from govflow.workflow.declared import Context
from govflow.workflow.diagram import render
from govflow.workflow.errors import ActionNotAllowed, GovflowError, InvalidInput
from govflow.workflow.escalation import plan
from govflow.workflow.policy import Settings
from tests.config import calendar as shipped_calendar
from tests.config import current_policies, workflow

CAL = shipped_calendar()
CLERK = Actor("wang.clerk", "王登记", Role.CLERK, "county")
LI = Actor("li.handler", "李经办", Role.HANDLER, "county")
ZHAO = Actor("zhao.handler", "赵经办", Role.HANDLER, "county")
HEAD = Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county")
SUPERVISOR = Actor("chen.supervisor", "陈督查", Role.SUPERVISOR, "county")


def bj(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)


class Desk:
    """One in-memory incident and the office's clock."""

    def __init__(self) -> None:
        self.case = Case(
            ref="示政办舆情〔2025〕0001号", workflow=workflow("incident"), agency_code="county"
        )
        self.case.facts = self.case.workflow.new_facts()
        self.now = bj("2025-09-30T22:40")

    def at(self, when: str) -> Desk:
        self.now = bj(when)
        return self

    def act(self, action: str, actor: Actor = LI, **payload: Any) -> Desk:
        context = Context(self.now, local_date(self.now), self.case.state or "", CAL, Settings())
        self.case.act(action, payload, actor, self.now, CAL, context)
        return self

    def refuse(
        self, action: str, actor: Actor = LI, error: type[GovflowError] = GovflowError, **p: Any
    ) -> str:
        before = (list(self.case.events), self.case.state, copy.deepcopy(self.case.facts))
        with pytest.raises(error) as info:
            self.act(action, actor, **p)
        assert (list(self.case.events), self.case.state, copy.deepcopy(self.case.facts)) == before
        return str(info.value)

    def deadline(self, key: str):
        return next(d for d in self.case.deadlines if d.key == key)

    def keys(self) -> dict[str, str]:
        return {d.key: d.status.value for d in self.case.deadlines}


DETECTION = {
    "title": "网传某小学食堂使用过期食材",
    "summary": "微博多条帖文配图",
    "platform": "微博",
    "link": "https://weibo.com/demo/1",
    "detected_at": "2025-09-30T22:30",
    "topic": "食品药品",
    "lead_department": "县教育局",
    "cooperating_departments": "县市场监管局、县卫健局",
}


def detected(**extra: Any) -> Desk:
    """Detected at 22:30 on the eve of National Day, registered at 22:40."""
    return Desk().act("detect", CLERK, **{**DETECTION, **extra})


def graded(grade: str, when: str = "2025-09-30T23:30") -> Desk:
    desk = detected()
    desk.at("2025-09-30T23:00").act("assess")
    desk.at(when).act("grade", HEAD, grade=grade)
    return desk


# -- milestones --------------------------------------------------------------------------


def test_an_ungraded_incident_is_timed_as_general_from_detection() -> None:
    desk = detected()
    facts = desk.case.facts
    assert (facts.grade, facts.grade_label, facts.graded) == ("general", "一般", False)
    assert facts.cooperating_departments == ("县市场监管局", "县卫健局")
    assert facts.detected_at == bj("2025-09-30T22:30")
    (response,) = desk.case.deadlines
    assert (response.key, response.basis, response.amount) == ("response", Basis.HOURS, 48)
    assert response.due_at == bj("2025-10-02T22:30")  # through the holiday nights


def test_major_milestones_run_through_the_holiday_night() -> None:
    desk = graded("major")
    assert desk.keys() == {
        "response": "cancelled",
        "statement": "running",
        "press_conference": "running",
    }
    assert desk.deadline("statement").due_at == bj("2025-10-01T03:30")  # National Day, 03:30
    assert desk.deadline("press_conference").due_at == bj("2025-10-01T22:30")
    assert desk.deadline("response").cancelled_reason == "调整级别后不再适用"
    assert "夜间、周末、节假日照常计算" in desk.deadline("statement").explanation[0]
    assert desk.case.state == "handling"


def test_grades_are_taken_by_code_or_chinese_name_and_recorded_in_the_event() -> None:
    desk = graded("特别重大")
    assert desk.case.facts.grade == "extraordinary"
    assert desk.case.events[-1].data["derived"]["milestones"] == {
        "statement": {"label": "发布权威信息时限", "hours": 5, "met_by": ["publish_statement"]},
        "press_conference": {
            "label": "召开新闻发布会时限",
            "hours": 24,
            "met_by": ["hold_press_conference"],
        },
    }
    message = Desk().refuse("detect", CLERK, InvalidInput, **{**DETECTION, "grade": "严重"})
    assert "未知级别 '严重'" in message and "major（重大）" in message


def test_milestones_are_met_by_events_whatever_the_state() -> None:
    desk = detected()
    desk.at("2025-10-01T08:00").act(
        "publish_statement", channel="县政府网站", link="https://www.example.gov.cn/1"
    )
    assert desk.case.state == "responded"  # before any assessment
    assert desk.keys() == {"response": "met"}
    desk.at("2025-10-01T09:00").act("grade", HEAD, grade="large")  # graded after responding
    assert desk.case.state == "responded" and desk.keys() == {"response": "met"}


# -- re-grading --------------------------------------------------------------------------


def test_raising_the_grade_past_its_limit_is_a_breach_at_once_and_escalates_at_once() -> None:
    desk = graded("general")
    desk.at("2025-10-01T04:30").act("regrade", HEAD, grade="major", reason="转发激增")
    statement = desk.deadline("statement")
    # Recomputed from the original detection (22:30), not from the regrade.
    assert statement.due_at == bj("2025-10-01T03:30")
    assert statement.status is DeadlineStatus.RUNNING and statement.is_overdue(desk.now)
    assert desk.case.facts.breaches(desk.now)[0].kind == "overdue"
    # The escalation ladder (E-1): every threshold already in the past, the next sweep fires it.
    planned = {
        (p.deadline_key, p.rule): p.first_at
        for p in plan(desk.case.deadlines, current_policies()["incident"], CAL)
    }
    assert planned[("statement", "supervisor_overdue")] == bj("2025-10-01T03:30")
    assert planned[("statement", "lead_half")] == bj("2025-10-01T01:00")
    assert planned[("statement", "lead_head_80")] == bj("2025-10-01T02:30")
    assert planned[("press_conference", "lead_half")] == bj("2025-10-01T10:30")
    assert not any(key == "response" for key, _ in planned)
    grade = desk.case.facts.grade_history[-1]
    assert (grade["action"], grade["label"], grade["reason"]) == ("regrade", "重大", "转发激增")


def test_a_statement_already_published_meets_the_new_milestone_at_its_original_time() -> None:
    early = graded("general")
    early.at("2025-10-01T01:00").act(
        "publish_statement", channel="政务微博", link="https://weibo.com/g/1"
    )
    early.at("2025-10-01T06:00").act("regrade", HEAD, grade="major", reason="升级")
    assert early.deadline("statement").status is DeadlineStatus.MET
    assert early.deadline("statement").met_at == bj("2025-10-01T01:00")
    assert early.deadline("press_conference").status is DeadlineStatus.RUNNING
    late = graded("general")
    late.at("2025-10-01T04:00").act(
        "publish_statement", channel="政务微博", link="https://weibo.com/g/1"
    )
    late.at("2025-10-01T06:00").act("regrade", HEAD, grade="重大", reason="升级")
    assert late.deadline("statement").status is DeadlineStatus.BREACHED  # met, but 30 min late
    assert [b.kind for b in late.case.facts.breaches(late.now)] == ["late"]


def test_a_grade_set_past_its_limit_warns_in_the_case_view() -> None:
    from govflow.workflow.incident.view import grade_warnings
    from govflow.workflow.incident.warnings import past_limits

    on_time = graded("major", when="2025-10-01T01:00")  # statement due 03:30: still ahead
    assert past_limits(on_time.case.facts) == []
    late = graded("general")
    late.at("2025-10-01T04:30").act("regrade", HEAD, grade="major", reason="转发激增")
    (warning,) = past_limits(late.case.facts)
    assert (warning.label, warning.due_at, warning.met_at) == (
        "发布权威信息时限",
        bj("2025-10-01T03:30"),
        None,
    )
    assert grade_warnings(late.case.facts) == (
        "调整级别为“重大”时（2025-10-01 04:30），发布权威信息时限已于 2025-10-01 03:30 届满，"
        "尚未完成，已超时：请立即处置，此项将列入问责清单。",
    )
    # Met in time before the regrade: nothing was missed, no warning; met late: it says so.
    early = graded("general")
    early.at("2025-10-01T01:00").act(
        "publish_statement", channel="政务微博", link="https://weibo.com/g/1"
    )
    early.at("2025-10-01T06:00").act("regrade", HEAD, grade="major", reason="升级")
    assert past_limits(early.case.facts) == []
    tardy = graded("general")
    tardy.at("2025-10-01T04:00").act(
        "publish_statement", channel="政务微博", link="https://weibo.com/g/1"
    )
    tardy.at("2025-10-01T06:00").act("regrade", HEAD, grade="major", reason="升级")
    assert [w.met_at for w in past_limits(tardy.case.facts)] == [bj("2025-10-01T04:00")]


def test_lowering_the_grade_cancels_the_milestones_it_no_longer_has() -> None:
    desk = graded("major")
    desk.at("2025-10-01T02:00").act(
        "publish_statement", channel="县政府网站", link="https://x.gov.cn/1"
    )
    desk.at("2025-10-01T09:00").act("regrade", HEAD, grade="general", reason="经核实影响有限")
    assert desk.keys() == {"response": "met", "statement": "met", "press_conference": "cancelled"}
    assert desk.deadline("response").met_at == bj("2025-10-01T02:00")
    desk.at("2025-10-01T10:00").act("regrade", HEAD, grade="major", reason="再次升温")
    # The response milestone was met: it stays met; only open milestones are cancelled.
    assert desk.keys() == {"response": "met", "statement": "met", "press_conference": "running"}


def test_grade_and_regrade_guards() -> None:
    desk = detected()
    assert "须先" not in desk.refuse("regrade", HEAD, ActionNotAllowed, grade="major", reason="x")
    desk.at("2025-09-30T23:00").act("assess")
    desk.refuse("grade", LI, ActionNotAllowed, grade="major")  # office heads grade
    desk.act("grade", HEAD, grade="large")
    assert "regrade（调整级别）" in desk.refuse("grade", HEAD, ActionNotAllowed, grade="major")
    desk.at("2025-10-01T08:00").act("publish_statement", channel="网站", link="https://x.gov.cn/1")
    assert "请用 regrade" in desk.refuse("grade", HEAD, ActionNotAllowed, grade="major")
    assert "级别未变化" in desk.refuse("regrade", HEAD, InvalidInput, grade="较大", reason="x")
    assert "reason" in desk.refuse("regrade", HEAD, InvalidInput, grade="major")


def test_response_times_must_lie_between_detection_and_now() -> None:
    desk = graded("major")
    desk.at("2025-10-01T01:00")
    message = desk.refuse(
        "publish_statement", LI, InvalidInput, channel="网站", link="https://x.gov.cn/1",
        published_at="2025-10-01T02:00",
    )  # fmt: skip
    assert "晚于现在" in message
    message = desk.refuse("hold_press_conference", LI, InvalidInput, held_at="2025-09-30T20:00")
    assert "早于监测发现时间 2025-09-30 22:30" in message
    assert "link" in desk.refuse("publish_statement", LI, InvalidInput, channel="网站", link="x")
    assert "follow_up" not in desk.refuse(
        "follow_up", LI, ActionNotAllowed, channel="网站", summary="s"
    )


# -- supervision letters, evaluation, archive ---------------------------------------------


def responded() -> Desk:
    desk = graded("major")
    desk.at("2025-10-01T02:00").act(
        "publish_statement", channel="县政府网站", link="https://x.gov.cn/1"
    )
    desk.at("2025-10-01T15:00").act("hold_press_conference", venue="县政府新闻发布厅")
    return desk


def test_a_supervision_letter_adds_a_deadline_and_blocks_the_archive_until_answered() -> None:
    desk = responded()
    desk.at("2025-10-02T09:00").act(
        "receive_supervision_letter", CLERK, number="市网督〔2025〕3号", sender="市委网信办",
        report_by="2025-10-03T18:00",
    )  # fmt: skip
    letter = desk.deadline("supervision_letter-1")
    assert (letter.basis, letter.kind, letter.status) == (
        Basis.FIXED,
        "supervision_letter",
        DeadlineStatus.RUNNING,
    )
    assert letter.due_at == bj("2025-10-03T18:00") and letter.start_at == bj("2025-10-02T09:00")
    assert "市委网信办" in letter.label
    assert "已登记过" in desk.refuse(
        "receive_supervision_letter", CLERK, InvalidInput, number="市网督〔2025〕3号",
        sender="市委网信办", report_by="2025-10-04T18:00",
    )  # fmt: skip
    assert "须晚于收函时间" in desk.refuse(
        "receive_supervision_letter", CLERK, InvalidInput, number="市网督〔2025〕4号",
        sender="市委网信办", report_by="2025-10-02T08:00",
    )  # fmt: skip
    desk.at("2025-10-03T10:00").act("evaluate", effect="舆情平息", lessons="夜间研判要快")
    message = desk.refuse("archive", CLERK, ActionNotAllowed)
    assert message == "督办函 市网督〔2025〕3号（市委网信办） 尚未报送办理情况，不能归档"
    assert "没有编号为 3号 的督办函" in desk.refuse(
        "answer_supervision_letter", LI, InvalidInput, number="3号", report="r"
    )
    desk.act("answer_supervision_letter", number="市网督〔2025〕3号", report="已处置完毕")
    assert desk.deadline("supervision_letter-1").status is DeadlineStatus.MET
    assert "已于" in desk.refuse(
        "answer_supervision_letter", LI, ActionNotAllowed, number="市网督〔2025〕3号", report="r"
    )
    desk.act("archive", CLERK)
    assert desk.case.state == "archived"


def test_an_answer_after_the_report_by_instant_is_a_breach() -> None:
    desk = responded()
    desk.at("2025-10-02T09:00").act(
        "receive_supervision_letter",
        CLERK,
        number="督1",
        sender="市政府办",
        report_by="2025-10-02T17:00",
    )
    desk.at("2025-10-02T18:30").act("answer_supervision_letter", number="督1", report="迟报")
    assert desk.deadline("supervision_letter-1").status is DeadlineStatus.BREACHED


def test_evaluation_is_required_before_the_archive() -> None:
    desk = responded()
    message = desk.refuse("archive", LI, ActionNotAllowed)
    assert "“归档”不能在“已回应”状态下执行" in message and "evaluate（评估）" in message
    assert "lessons" in desk.refuse("evaluate", LI, InvalidInput, effect="好")
    desk.refuse("evaluate", SUPERVISOR, ActionNotAllowed, effect="好", lessons="无")
    desk.at("2025-10-03T10:00").act("evaluate", effect="通报后舆情平息", lessons="发布要早")
    assert desk.case.state == "evaluated"
    assert desk.case.facts.evaluation["lessons"] == "发布要早"
    desk.act("archive", CLERK)
    assert desk.case.state == "archived"


def test_archiving_lapses_an_overdue_milestone_and_cancels_one_not_yet_due() -> None:
    desk = graded("major")
    desk.at("2025-10-01T02:00").act(
        "publish_statement", channel="县政府网站", link="https://x.gov.cn/1"
    )
    desk.at("2025-10-01T09:00").act("evaluate", effect="e", lessons="l").act("archive", CLERK)
    assert desk.deadline("press_conference").status is DeadlineStatus.CANCELLED  # due 22:30
    late = graded("major")
    late.at("2025-10-01T02:00").act(
        "publish_statement", channel="县政府网站", link="https://x.gov.cn/1"
    )
    late.at("2025-10-02T09:00").act("evaluate", effect="e", lessons="l").act("archive", CLERK)
    assert late.deadline("press_conference").status is DeadlineStatus.BREACHED
    assert [b.kind for b in late.case.facts.breaches(late.now)] == ["lapsed"]


# -- accountability -----------------------------------------------------------------------


def test_accountability_names_department_and_handler_at_the_time_of_the_breach() -> None:
    desk = detected()
    desk.at("2025-09-30T22:45").act("assign", HEAD, assignee="li.handler")
    desk.at("2025-09-30T23:00").act("assess")
    desk.at("2025-09-30T23:30").act("grade", HEAD, grade="major", lead_department="县市场监管局")
    desk.at("2025-10-01T05:00").act("assign", HEAD, assignee="zhao.handler")  # after 03:30
    desk.at("2025-10-01T06:00").act(
        "publish_statement", ZHAO, channel="网站", link="https://x.gov.cn/1"
    )
    desk.at("2025-10-02T09:00")  # the press conference (due 10-01 22:30) never held
    (late, overdue) = desk.case.facts.breaches(desk.now)
    assert (late.deadline_key, late.kind, late.met_at) == (
        "statement",
        "late",
        bj("2025-10-01T06:00"),
    )
    assert (late.lead_department, late.handler) == ("县市场监管局", "li.handler")
    assert (overdue.deadline_key, overdue.kind, overdue.handler) == (
        "press_conference",
        "overdue",
        "zhao.handler",
    )
    assert desk.case.assignee == "zhao.handler"


def test_the_fold_is_stable_a_replay_gives_the_same_deadlines() -> None:
    desk = responded()
    desk.at("2025-10-02T09:00").act(
        "receive_supervision_letter",
        CLERK,
        number="督1",
        sender="市政府办",
        report_by="2025-10-03T17:00",
    )
    header = Case(ref=desk.case.ref, workflow=workflow("incident"), agency_code="county")
    replayed = Case.replay(header, desk.case.events, CAL)
    assert [d.to_json() for d in replayed.deadlines] == [d.to_json() for d in desk.case.deadlines]
    assert replayed.facts.letters == desk.case.facts.letters


def test_the_diagram_is_drawn_from_the_declaration() -> None:
    text = render(workflow("incident").case_type, "mermaid")
    assert text.startswith("stateDiagram-v2")
    assert "[*] --> detected : 登记舆情事件" in text
    assert "responded --> evaluated : 评估" in text and "archived --> [*]" in text
    dot = render(workflow("incident").case_type, "dot")
    assert 'evaluated -> archived [label="归档"];' in dot
    with pytest.raises(InvalidInput, match="未知格式 'png'"):
        render(workflow("incident").case_type, "png")
