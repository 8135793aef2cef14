"""The disclosure-request machine in memory (SPEC D-1 … D-9, T-2, T-3): no database.

Every action of ``configs/case_types/disclosure_request.yaml`` is fired on a
``workflow.cases.Case`` through ``Case.act``: who may fire it in which state (and
what the refusal says), the legal guards, and how the deadlines move. Due dates
asserted here were counted by hand on the official 2025/2026 schedules (the
comments show the count), not taken from the code under test.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

import pytest

from govflow.workflow.actors import SYSTEM, Actor, Role
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case
from govflow.workflow.chain_checks import verify_chain
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.deadline_terms import DeadlineStatus
from govflow.workflow.deadlines import Deadline
from govflow.workflow.disclosure.actions import PAYLOADS
from govflow.workflow.disclosure.context import ApplicantHistory, Context, applicant_key
from govflow.workflow.disclosure.fees import MAX_AMOUNT, MAX_PAGES, per_volume_fee
from govflow.workflow.errors import ActionNotAllowed, GovflowError, InvalidInput
from govflow.workflow.events import GENESIS
from govflow.workflow.policy import DisclosurePolicy
from tests.config import calendar as shipped_calendar
from tests.config import outcomes, workflow

D = date.fromisoformat
# The shipped schedules only, whatever GOVFLOW_CALENDAR_DIR says.
CAL = shipped_calendar()
CT = workflow("disclosure_request").case_type

CLERK = Actor("wang.clerk", "王登记", Role.CLERK, "county")
HANDLER = Actor("li.handler", "李经办", Role.HANDLER, "county")
HEAD = Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county")
SUPERVISOR = Actor("chen.supervisor", "陈督查", Role.SUPERVISOR, "county")
ACTORS = {
    Role.CLERK: CLERK,
    Role.HANDLER: HANDLER,
    Role.OFFICE_HEAD: HEAD,
    Role.SUPERVISOR: SUPERVISOR,
    Role.SYSTEM: SYSTEM,
}


def person(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "natural_person",
        "name": "张三",
        "id_number": "610926199001011234",
        "phone": "13800000000",
        **extra,
    }


def intake(**overrides: Any) -> dict[str, Any]:
    return {
        "applicant": person(),
        "description": "2024年县级财政预算公开表",
        "channel": "in_person",
        **overrides,
    }


def instant(when: str) -> datetime:
    """A Beijing time; a bare date means 09:00 that day."""
    if "T" not in when:
        return datetime.combine(D(when), time(9, 0), SHANGHAI)
    return datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)


class Desk:
    """One in-memory case, the office's clock, and the people working it."""

    def __init__(
        self,
        when: str = "2025-09-26",
        policy: DisclosurePolicy | None = None,
        history: ApplicantHistory | None = None,
    ) -> None:
        self.case = Case(
            ref="示政办依申〔2025〕0001号",
            workflow=workflow("disclosure_request"),
            agency_code="county",
        )
        self.case.facts = self.case.workflow.new_facts()
        self.now = instant(when)
        self.policy = policy or DisclosurePolicy()
        self.history = history or ApplicantHistory()

    # -- the clock -------------------------------------------------------------------

    def at(self, when: str) -> Desk:
        self.now = instant(when)
        return self

    @property
    def today(self) -> date:
        return local_date(self.now)

    # -- acting ----------------------------------------------------------------------

    def context(self, actor: Actor = HANDLER) -> Context:
        return Context(
            now=self.now,
            today=local_date(self.now),
            state=self.case.state or "",
            calendar=CAL,
            policy=self.policy,
            history=self.history,
            role=actor.role,
            documents=self.case.documents,
        )

    def act(self, action: str, actor: Actor = HANDLER, **payload: Any):
        return self.case.act(action, payload, actor, self.now, CAL, self.context(actor))

    def snapshot(self) -> tuple[Any, ...]:
        c = self.case
        return (
            list(c.events),
            c.state,
            c.assignee,
            copy.deepcopy(c.facts),
            [d.to_json() for d in c.deadlines],
        )

    def refuse(
        self,
        action: str,
        actor: Actor = HANDLER,
        error: type[GovflowError] = GovflowError,
        **p: Any,
    ) -> str:
        """The action is refused and nothing about the case changed; returns the message."""
        before = self.snapshot()
        with pytest.raises(error) as info:
            self.act(action, actor, **p)
        assert self.snapshot() == before
        return str(info.value)

    # -- reading ---------------------------------------------------------------------

    def deadline(self, key: str) -> Deadline:
        return next(d for d in self.case.deadlines if d.key == key)

    def due(self, key: str = "reply") -> date | None:
        return self.deadline(key).due_date

    def status(self, key: str = "reply") -> DeadlineStatus:
        return self.deadline(key).status

    @property
    def state(self) -> str | None:
        return self.case.state

    @property
    def facts(self) -> Any:
        return self.case.facts

    # -- common starting points -----------------------------------------------------

    def registered(self, **overrides: Any) -> Desk:
        self.act("receive", CLERK, **intake(**overrides))
        self.act("confirm_receipt", CLERK)
        return self

    def reviewing(self) -> Desk:
        self.registered()
        self.act("start_review")
        return self

    def handling(self) -> Desk:
        self.reviewing()
        self.act("accept")
        return self


# -- the declaration: who may fire what, where -------------------------------------

OPEN_ALWAYS = {"assign", "withdraw"}
DELIVERY = {"record_delivery"}  # 送达 of a notice, in every state once the request is registered
EXPECTED_ACTIONS = {
    "received": {"confirm_receipt"} | OPEN_ALWAYS,
    "registered": {"start_review", "reply_on_the_spot", "extend", "set_reply_date"}
    | OPEN_ALWAYS
    | DELIVERY,
    "reviewing": {
        "request_correction",
        "accept",
        "start_consultation",
        "extend",
        "set_reply_date",
        "draft_reply",
        "request_reasons",
    }
    | OPEN_ALWAYS
    | DELIVERY,
    "handling": {
        "start_consultation",
        "send_fee_notice",
        "extend",
        "set_reply_date",
        "draft_reply",
        "request_reasons",
    }
    | OPEN_ALWAYS
    | DELIVERY,
    "awaiting_correction": {"submit_correction", "correction_expired"} | OPEN_ALWAYS | DELIVERY,
    "consulting": {
        "start_consultation",
        "end_consultation",
        "consultation_expired",
        "extend",
        "set_reply_date",
    }
    | OPEN_ALWAYS
    | DELIVERY,
    "awaiting_fee": {"record_payment", "fee_expired", "extend", "set_reply_date"}
    | OPEN_ALWAYS
    | DELIVERY,
    "reply_review": {"approve_reply", "reject_reply", "extend", "set_reply_date"}
    | OPEN_ALWAYS
    | DELIVERY,
    "replied": {"archive", "record_reconsideration", "record_litigation"} | DELIVERY,
    "archived": {"record_reconsideration", "record_litigation"} | DELIVERY,
    "closed": {"record_reconsideration", "record_litigation"} | DELIVERY,
}


def test_declaration_has_the_spec_states_and_every_action_has_a_payload() -> None:
    assert set(CT.states) == set(EXPECTED_ACTIONS)
    assert CT.initial == "received"
    assert CT.final == {"archived", "closed"}
    assert set(CT.actions) | {"receive"} == set(PAYLOADS)


@pytest.mark.parametrize("state", sorted(EXPECTED_ACTIONS))
def test_actions_allowed_in_each_state(state: str) -> None:
    union = {a.name for role in Role for a in CT.allowed_actions(state, role)}
    assert union == EXPECTED_ACTIONS[state]


@pytest.mark.parametrize("state", sorted(EXPECTED_ACTIONS))
def test_supervisor_writes_nothing_and_system_only_records_expiries(state: str) -> None:
    assert CT.allowed_actions(state, Role.SUPERVISOR) == []
    system = {a.name for a in CT.allowed_actions(state, Role.SYSTEM)}
    assert system <= {"correction_expired", "fee_expired", "consultation_expired"}
    people = {
        a.name
        for role in (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD)
        for a in CT.allowed_actions(state, role)
    }
    assert not people & {"correction_expired", "fee_expired", "consultation_expired"}


def test_office_head_only_actions() -> None:
    for action in ("assign", "send_fee_notice", "extend", "set_reply_date", "approve_reply"):
        assert CT.actions[action].roles == {Role.OFFICE_HEAD}, action
    assert CT.actions["reject_reply"].roles == {Role.OFFICE_HEAD}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("state", sorted(EXPECTED_ACTIONS))
def test_check_agrees_with_allowed_actions_and_names_them(state: str, role: Role) -> None:
    allowed = [a.name for a in CT.allowed_actions(state, role)]
    for name, spec in CT.actions.items():
        if name in allowed:
            assert CT.check(state, name, role) is spec
            continue
        with pytest.raises(ActionNotAllowed) as info:
            CT.check(state, name, role)
        message = str(info.value)
        assert "可执行的动作：" in message
        for other in allowed:
            assert f"{other}（{CT.actions[other].label}）" in message
        if not allowed:
            assert message.endswith("可执行的动作：无")


def test_refused_for_the_state_says_what_is_allowed() -> None:
    desk = Desk()
    desk.act("receive", CLERK, **intake(channel="online"))
    assert desk.state == "received"
    message = desk.refuse("accept", HANDLER, ActionNotAllowed)
    assert "“受理办理”不能在“待确认收到”状态下执行" in message
    assert "confirm_receipt（确认收到申请）" in message
    assert "withdraw（申请人撤回）" in message
    assert "accept" not in message.split("：", 1)[1]


def test_refused_for_the_role_names_the_allowed_roles() -> None:
    desk = Desk().registered()
    message = desk.refuse("extend", HANDLER, ActionNotAllowed, days=5, reason="材料多")
    assert "经办人无权执行“延长答复期限”" in message
    assert "可执行的角色：公开办负责人" in message
    assert "start_review（开始审核）" in message
    message = desk.refuse("start_review", SUPERVISOR, ActionNotAllowed)
    assert "可执行的角色：登记员、经办人、公开办负责人" in message
    assert message.endswith("可执行的动作：无")


def test_unknown_action_is_refused() -> None:
    desk = Desk().registered()
    assert "未知动作 'fly'" in desk.refuse("fly", HEAD, ActionNotAllowed)


# -- D-1 / D-2 intake and receipt ----------------------------------------------------


def test_receive_records_the_first_event_and_waits_for_receipt() -> None:
    desk = Desk()
    event = desk.act("receive", CLERK, **intake(channel="letter", received_on="2025-09-25"))
    assert (event.seq, event.prev_hash, event.state_before, event.state_after) == (
        1,
        GENESIS,
        None,
        "received",
    )
    assert event.actor == "wang.clerk" and event.actor_role == "clerk"
    assert desk.case.deadlines == []  # the clock has not started
    assert desk.facts.received_on == D("2025-09-25") and desk.facts.channel == "letter"
    derived = event.data["derived"]
    assert derived["applicant_key"] == applicant_key(
        PAYLOADS["receive"].model_validate(intake(received_on="2025-09-25")).applicant
    )
    assert "610926199001011234" not in str(derived)


def test_receive_defaults_the_date_to_today() -> None:
    desk = Desk("2025-09-26T15:30")
    event = desk.act("receive", CLERK, **intake())
    assert event.data["payload"]["received_on"] == "2025-09-26"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.SYSTEM])
def test_receive_refused_for_roles_that_do_not_register(role: Role) -> None:
    desk = Desk()
    desk.refuse("receive", ACTORS[role], ActionNotAllowed, **intake())
    assert desk.state is None and desk.case.events == []


def test_receive_twice_refused() -> None:
    desk = Desk().registered()
    assert "不能重复登记" in desk.refuse("receive", CLERK, ActionNotAllowed, **intake())


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"applicant": person(kind="legal_person")}, "subkind"),
        ({"applicant": person(subkind="commercial")}, "subkind"),
        ({"applicant": person(phone=None)}, "联系方式：电话、通信地址或电子邮箱"),
        ({"applicant": person(id_number="12")}, "id_number"),
        ({"description": "   "}, "description"),
        ({"received_on": "2025-02-30"}, "received_on"),
        ({"received_on": "2025-09-27"}, "晚于今天"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_receive_bad_input_is_refused_and_says_what(overrides: dict[str, Any], needle: str) -> None:
    desk = Desk()
    message = desk.refuse("receive", CLERK, InvalidInput, **intake(**overrides))
    assert needle in message
    assert "610926199001011234" not in message  # the input is not echoed back


def test_legal_person_with_subkind_and_email_only() -> None:
    desk = Desk()
    applicant = {
        "kind": "legal_person",
        "subkind": "research",
        "name": "某研究院",
        "id_number": "12610000MB0000000X",
        "email": "office@example.com",
    }
    desk.act("receive", CLERK, **intake(applicant=applicant))
    assert desk.state == "received"


def test_confirm_receipt_starts_the_reply_and_correction_notice_limits() -> None:
    desk = Desk("2025-09-26")
    desk.act("receive", CLERK, **intake(channel="online", received_on="2025-09-25"))
    event = desk.act("confirm_receipt", CLERK, receipt_date="2025-09-26")
    assert event.state_after == "registered"
    assert desk.facts.receipt_date == D("2025-09-26")
    # SPEC T-2 example: from Fri 2025-09-26, Sun 09-28 and Sat 10-11 are make-up working
    # days, 10-01…10-08 holidays: the 20th working day is Thu 2025-10-30.
    assert desk.due("reply") == D("2025-10-30")
    assert desk.deadline("reply").due_at == datetime(2025, 10, 31, 0, 0, tzinfo=SHANGHAI)
    # 09-28 (1), 09-29, 09-30 (3), 10-09, 10-10, 10-11 (6), 10-13 (7).
    assert desk.due("correction_notice") == D("2025-10-13")
    assert desk.status("reply") is DeadlineStatus.RUNNING
    # The edition governing the request and its limits, copied into the event (SPEC L-1).
    assert event.data["derived"] == {
        "clock_start": "2025-09-26",
        "edition": "ogi-2019",
        "reply_days": 20,
        "max_extension_days": 20,
        "correction_notice_days": 7,
        "consultation_days": 15,
        "fee_payment_days": 20,
    }
    assert event.data["deadlines"]["reply"]["due"] == "2025-10-30T16:00:00+00:00"


def test_confirm_receipt_across_the_spring_festival() -> None:
    desk = Desk("2026-02-13")
    desk.registered()
    # Fri 2026-02-13: Sat 02-14 make-up (1), 02-15…02-23 holiday, 02-24…02-27 (5),
    # Sat 02-28 make-up (6), 03-02…03-06 (11), 03-09…03-13 (16), 03-16…03-19 (20).
    assert desk.due("reply") == D("2026-03-19")
    assert desk.due("correction_notice") == D("2026-03-02")


def test_confirm_receipt_date_checks() -> None:
    desk = Desk("2025-09-26")
    desk.act("receive", CLERK, **intake(channel="letter", received_on="2025-09-25"))
    assert "早于申请送达日" in desk.refuse(
        "confirm_receipt", CLERK, InvalidInput, receipt_date="2025-09-24"
    )
    assert "晚于今天" in desk.refuse(
        "confirm_receipt", CLERK, InvalidInput, receipt_date="2025-09-27"
    )


def test_receipt_on_a_rest_day_moves_only_when_the_local_rule_is_on() -> None:
    off = Desk("2025-09-27")  # Saturday
    off.registered()
    assert off.deadline("reply").start_date == D("2025-09-27")
    on = Desk(
        "2025-09-27", policy=DisclosurePolicy(non_working_receipt_moves_to_next_working_day=True)
    )
    on.registered()
    # The next working day is the make-up Sunday 09-28; counting from it:
    # 09-29, 09-30 (2), 10-09, 10-10, 10-11 (5), 10-13…10-17 (10), 10-20…10-24 (15),
    # 10-27…10-31 (20).
    assert on.deadline("reply").start_date == D("2025-09-28")
    assert on.due("reply") == D("2025-10-31")
    assert off.due("reply") == D("2025-10-30")  # 09-28 is the first counted day


def test_assign_by_office_head_only() -> None:
    desk = Desk().registered()
    desk.refuse("assign", HANDLER, ActionNotAllowed, assignee="li.handler")
    desk.act("assign", HEAD, assignee="li.handler")
    assert desk.case.assignee == "li.handler" and desk.facts.assignee == "li.handler"
    assert desk.state == "registered"


# -- D-3 / D-7 on-the-spot reply, extension, a later reply date ---------------------


def test_reply_on_the_spot_on_the_receipt_day() -> None:
    desk = Desk("2025-09-22T09:30").registered()
    desk.at("2025-09-22T16:00")
    event = desk.act(
        "reply_on_the_spot",
        CLERK,
        outcome="disclosed",
        summary="已主动公开，告知网址",
        where="县政府门户网站·政府信息公开专栏",
    )
    assert event.state_after == "replied"
    assert desk.facts.outcome == "disclosed" and desk.facts.replied_on == D("2025-09-22")
    assert desk.status("reply") is DeadlineStatus.MET
    assert desk.status("correction_notice") is DeadlineStatus.CANCELLED


def test_reply_on_the_spot_refused_the_next_day() -> None:
    desk = Desk("2025-09-22").registered().at("2025-09-23")
    message = desk.refuse(
        "reply_on_the_spot", CLERK, ActionNotAllowed, outcome="disclosed", summary="x", where="网站"
    )
    assert "当天" in message


def test_reply_on_the_spot_refuses_unknown_and_system_only_outcomes() -> None:
    desk = Desk().registered()
    assert "未知答复类型" in desk.refuse(
        "reply_on_the_spot", CLERK, InvalidInput, outcome="maybe", summary="x"
    )
    assert "只能由系统" in desk.refuse(
        "reply_on_the_spot", CLERK, InvalidInput, outcome="other.no_fee", summary="x"
    )


def test_extension_once_by_the_office_head() -> None:
    desk = Desk("2025-09-26").handling()
    desk.at("2025-10-20")
    event = desk.act("extend", HEAD, days=15, reason="材料跨五年")
    assert event.state_after == "handling"
    # 35 working days from 2025-09-26: the 20th is 10-30, then 10-31 (21), 11-03…11-07 (26),
    # 11-10…11-14 (31), 11-17…11-20 (35).
    assert desk.due("reply") == D("2025-11-20")
    assert desk.deadline("reply").extension_days == 15
    assert any("延长 15 个工作日" in line for line in desk.deadline("reply").explanation)
    message = desk.refuse("extend", HEAD, ActionNotAllowed, days=5, reason="再延")
    assert "只能延长一次" in message


def test_extension_at_most_20_working_days() -> None:
    desk = Desk().handling()
    message = desk.refuse("extend", HEAD, InvalidInput, days=21, reason="太多")
    assert "最长不得超过 20 个工作日（依据《条例》(2019) 第三十三条）" in message
    assert "days" in desk.refuse("extend", HEAD, InvalidInput, days=0, reason="零")
    desk.act("extend", HEAD, days=20, reason="最多")
    # 40 working days from 2025-09-26: 11-20 is the 35th, 11-21 (36), 11-24…11-27 (40).
    assert desk.due("reply") == D("2025-11-27")


def test_extension_cap_is_the_one_the_case_recorded() -> None:
    """The maximum is the edition's, copied at registration: a 2008-rules request gets 15."""
    desk = Desk("2019-05-10").handling()
    message = desk.refuse("extend", HEAD, InvalidInput, days=16, reason="x")
    assert "最长不得超过 15 个工作日（依据《条例》(2008) 第二十四条）" in message
    desk.act("extend", HEAD, days=15, reason="材料多")


def test_extension_on_the_last_day_allowed_the_day_after_refused() -> None:
    late = Desk("2025-09-26").handling().at("2025-10-31")
    assert "已于 2025-10-30 届满" in late.refuse(
        "extend", HEAD, ActionNotAllowed, days=5, reason="迟了"
    )
    last_day = Desk("2025-09-26").handling().at("2025-10-30T23:00")
    last_day.act("extend", HEAD, days=5, reason="最后一天")
    # 10-31 (21), 11-03…11-06 (25).
    assert last_day.due("reply") == D("2025-11-06")


def test_extension_while_the_clock_is_paused() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act("start_consultation", party_kind="agency", party_name="县财政局")
    desk.at("2025-11-20")  # long after the unpaused limit: the clock has not run out
    desk.act("extend", HEAD, days=10, reason="征求意见期间")
    assert desk.state == "consulting" and desk.due("reply") is None
    desk.act("end_consultation", result="agreed")
    assert desk.state == "handling"
    assert desk.due("reply") is not None


def test_an_extension_taken_as_history_after_the_limit_extends_nothing() -> None:
    """A ledger's extension approved after the reply limit passed (taken with ``findings``,
    as the import takes a history, SPEC D-3): the event and its finding are recorded, the
    limit stays the original one and says why, so the reply after it is late; a replay and
    the stored facts agree."""
    desk = Desk("2025-09-26").handling().at("2025-10-31")
    findings: list[str] = []
    payload = {"days": 5, "reason": "迟了"}
    event = desk.case.act(
        "extend", payload, HEAD, desk.now, CAL, desk.context(HEAD), findings=findings
    )
    assert findings == ["答复期限已于 2025-10-30 届满，延长须在期限届满前批准"]
    assert event.data["derived"] == {"after_limit": "2025-10-30"}
    assert desk.facts.extension_days == 5  # granted, as the ledger says: no second one
    reply = desk.deadline("reply")
    assert (reply.due_date, reply.extension_days) == (D("2025-10-30"), 0)
    assert reply.explanation[-1] == (
        "延期 5 个工作日于 2025-10-31 批准，晚于原答复期限 2025-10-30，不延长答复期限："
        "延长须在期限届满前批准（依据《条例》(2019) 第三十三条）。"
    )
    assert not any("经批准延长" in line for line in reply.explanation)
    # Replied 11-03, within what the extension would have given (11-06): late all the same.
    desk.at("2025-11-03").act("draft_reply", outcome="disclosed", summary="予以公开")
    desk.act("approve_reply", HEAD)
    assert (desk.due("reply"), desk.status("reply")) == (D("2025-10-30"), DeadlineStatus.BREACHED)
    header = Case(ref=desk.case.ref, workflow=desk.case.workflow, agency_code="county")
    replayed = Case.replay(header, desk.case.events, CAL)
    assert replayed.facts == desk.facts
    assert [d.to_json() for d in replayed.deadlines] == [d.to_json() for d in desk.case.deadlines]
    restored = Case(ref=desk.case.ref, workflow=desk.case.workflow, agency_code="county")
    assert restored.restore(desk.case.stored_facts()[0], CAL)
    assert restored.facts == replayed.facts


def test_a_lawful_extension_keeps_its_days_on_a_calendar_published_later() -> None:
    """Whether an extension came too late is decided when it is approved, on the calendar of
    that day, and recorded: a make-up working day published afterwards that ends the
    original limit before the approval does not undo a lawful extension."""
    desk = Desk("2025-09-26").handling().at("2025-10-30T23:00")
    event = desk.act("extend", HEAD, days=5, reason="最后一天")
    assert event.data["derived"] == {}
    schedules = [
        replace(s, makeup_workdays={**s.makeup_workdays, D("2025-10-18"): "调休"})
        if s.year == 2025
        else s
        for s in CAL.schedules
    ]
    later = WorkingCalendar(schedules)
    # With 10-18 a working day, the 20th day is 10-29; 10-30 (21), 10-31, 11-03…11-05 (25).
    assert later.add_working_days(D("2025-09-26"), 20).due_date == D("2025-10-29")
    header = Case(ref=desk.case.ref, workflow=desk.case.workflow, agency_code="county")
    replayed = Case.replay(header, desk.case.events, later)
    restored = Case(ref=desk.case.ref, workflow=desk.case.workflow, agency_code="county")
    assert restored.restore(desk.case.stored_facts()[0], later)
    for case in (replayed, restored):
        reply = next(d for d in case.deadlines if d.key == "reply")
        assert (reply.due_date, reply.extension_days, reply.notes) == (D("2025-11-05"), 5, ())


def test_a_consultation_cannot_pause_a_limit_that_has_run_out() -> None:
    """A pause started after the due date would hide the breach (the limit would show as
    paused, then move later): refused, as a late fee notice is. On the last day it is fine."""
    late = Desk("2025-09-26").handling().at("2025-10-31T09:00")
    message = late.refuse(
        "start_consultation", HANDLER, ActionNotAllowed, party_kind="agency", party_name="县财政局"
    )
    assert "2025-10-30" in message and "届满" in message
    backdated = Desk("2025-09-26").handling().at("2025-10-31T09:00")
    backdated.act(
        "start_consultation", party_kind="agency", party_name="县财政局", sent_on="2025-10-30"
    )
    assert backdated.state == "consulting" and backdated.due("reply") is None


def test_set_reply_date_must_be_later_than_the_statutory_limit() -> None:
    desk = Desk("2025-09-26").handling()
    assert "晚于法定期限 2025-10-30" in desk.refuse(
        "set_reply_date", HEAD, InvalidInput, due_date="2025-10-30", reason="量大"
    )
    assert "晚于今天" in desk.refuse(
        "set_reply_date", HEAD, InvalidInput, due_date="2025-09-26", reason="量大"
    )
    desk.refuse("set_reply_date", HANDLER, ActionNotAllowed, due_date="2025-12-31", reason="量大")
    desk.act("set_reply_date", HEAD, due_date="2025-12-31", reason="申请数量明显超出合理范围")
    reply = desk.deadline("reply")
    assert reply.due_date == D("2025-12-31") and reply.override_due == D("2025-12-31")
    assert reply.explanation[-1].startswith(
        "依据《条例》(2019) 第三十五条，另行确定答复期限至 2025-12-31"
    )
    assert "申请数量明显超出合理范围" in reply.explanation[-1]


def test_set_reply_date_while_paused_is_measured_against_the_earliest_statutory_date() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act("start_consultation", party_kind="third_party", party_name="某公司")
    desk.at("2025-10-15")
    # Resuming today, the pause (09-29, 10-15] would put the limit at 2025-11-10.
    assert "2025-11-10" in desk.refuse(
        "set_reply_date", HEAD, InvalidInput, due_date="2025-11-05", reason="量大"
    )
    desk.act("set_reply_date", HEAD, due_date="2025-11-28", reason="量大")
    assert desk.due("reply") is None  # still paused
    desk.at("2025-10-20").act("end_consultation", result="agreed")
    assert desk.due("reply") == D("2025-11-28")


def test_a_correction_restart_drops_an_earlier_reply_date() -> None:
    desk = Desk("2025-09-26").reviewing()
    desk.act("set_reply_date", HEAD, due_date="2025-11-03", reason="量大")
    desk.at("2025-09-29").act("request_correction", items="写明文号")
    desk.at("2025-10-10").act("submit_correction")
    # The restarted 20 working days end 2025-11-06: the D-7 date (11-03) would cut them short.
    assert desk.deadline("reply").override_due is None
    assert desk.due("reply") == D("2025-11-06")


# -- D-4 correction --------------------------------------------------------------------


def test_correction_pauses_and_the_corrected_request_restarts_the_clock() -> None:
    desk = Desk("2025-09-26").reviewing().at("2025-09-29")
    event = desk.act("request_correction", items="请写明文件名称、文号", period_days=10)
    assert event.state_after == "awaiting_correction"
    assert desk.status("reply") is DeadlineStatus.PAUSED and desk.due("reply") is None
    assert desk.status("correction_notice") is DeadlineStatus.MET
    # 10 working days from Mon 09-29: 09-30 (1), 10-09, 10-10, 10-11 (4), 10-13…10-17 (9), 10-20.
    assert desk.due("correction_period") == D("2025-10-20")
    desk.at("2025-10-10T16:00")
    event = desk.act("submit_correction", CLERK)
    assert event.state_after == "reviewing"
    reply = desk.deadline("reply")
    assert reply.start_date == D("2025-10-10") and reply.pauses == [] and reply.restarts == 1
    # From Fri 10-10: Sat 10-11 make-up (1), 10-13…10-17 (6), 10-20…10-24 (11),
    # 10-27…10-31 (16), 11-03…11-06 (20).
    assert desk.due("reply") == D("2025-11-06")
    assert desk.status("correction_period") is DeadlineStatus.MET


def test_correction_default_period_is_15_working_days() -> None:
    desk = Desk("2025-09-26").reviewing().at("2025-09-29")
    desk.act("request_correction", items="x")
    # 09-30 (1), 10-09…10-11 (4), 10-13…10-17 (9), 10-20…10-24 (14), 10-27 (15).
    assert desk.due("correction_period") == D("2025-10-27")


def test_correction_notice_only_once() -> None:
    desk = Desk("2025-09-26").reviewing().at("2025-09-29")
    desk.act("request_correction", items="x")
    desk.at("2025-10-09").act("submit_correction")
    message = desk.refuse("request_correction", HANDLER, ActionNotAllowed, items="再补")
    assert "只能一次性发出" in message and "2025-09-29" in message


def test_correction_notice_within_7_working_days_of_receipt() -> None:
    on_time = Desk("2025-09-26").reviewing().at("2025-10-13T17:00")
    on_time.act("request_correction", items="x")  # 10-13 is the 7th working day
    late = Desk("2025-09-26").reviewing().at("2025-10-14")
    message = late.refuse("request_correction", HANDLER, ActionNotAllowed, items="x")
    assert "7 个工作日内" in message and "2025-10-13" in message
    backdated = Desk("2025-09-26").reviewing().at("2025-10-14")
    backdated.act("request_correction", items="x", notice_on="2025-10-13")
    assert backdated.state == "awaiting_correction"


def test_correction_notice_not_before_receipt_and_by_handler_or_head() -> None:
    desk = Desk("2025-09-26").reviewing()
    assert "早于收到申请之日" in desk.refuse(
        "request_correction", HANDLER, InvalidInput, items="x", notice_on="2025-09-25"
    )
    desk.refuse("request_correction", CLERK, ActionNotAllowed, items="x")


def test_late_correction_needs_a_good_reason() -> None:
    desk = Desk("2025-09-26").reviewing().at("2025-09-29")
    desk.act("request_correction", items="x", period_days=10)  # until 10-20
    desk.at("2025-10-21")
    assert "good_reason" in desk.refuse("submit_correction", CLERK, ActionNotAllowed)
    desk.act("submit_correction", CLERK, good_reason="申请人住院")
    assert desk.state == "reviewing"
    assert desk.status("correction_period") is DeadlineStatus.BREACHED  # met after its limit
    assert desk.deadline("reply").start_date == D("2025-10-21")


def test_correction_expired_only_after_the_period_and_only_by_the_system() -> None:
    desk = Desk("2025-09-26").reviewing().at("2025-09-29")
    desk.act("request_correction", items="x", period_days=10)  # until 10-20
    desk.at("2025-10-20T23:59")
    assert "尚未届满" in desk.refuse("correction_expired", SYSTEM, ActionNotAllowed)
    desk.at("2025-10-21T00:30")
    desk.refuse("correction_expired", HEAD, ActionNotAllowed)
    event = desk.act("correction_expired", SYSTEM)
    assert event.actor == "system" and event.state_after == "closed"
    assert desk.facts.outcome == "other.no_correction"
    assert desk.status("correction_period") is DeadlineStatus.BREACHED
    assert desk.status("reply") is DeadlineStatus.CANCELLED


# -- D-5 consultation ------------------------------------------------------------------


def test_consultation_pauses_the_reply_clock() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    event = desk.act("start_consultation", party_kind="third_party", party_name="某建材有限公司")
    assert event.state_after == "consulting"
    assert desk.status("reply") is DeadlineStatus.PAUSED
    # The letter was sent; the third party's 15 days wait until it has reached them.
    assert "consultation-1" not in [d.key for d in desk.case.deadlines]
    # Handed over the same day (a delivery recorded at once): 15 working days from 09-29,
    # 10-27 (see the correction period above).
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act(
        "start_consultation",
        party_kind="third_party",
        party_name="某建材有限公司",
        received_on="2025-09-29",
    )
    assert desk.due("consultation-1") == D("2025-10-27")
    explanation = "\n".join(desk.deadline("consultation-1").explanation)
    assert "收到征求意见之日（2025-09-29，当面送达）" in explanation
    desk.at("2025-10-15")
    event = desk.act("end_consultation", result="objected")
    assert event.state_after == "handling"
    assert desk.status("consultation-1") is DeadlineStatus.MET
    # 09-28 (1), 09-29 (2: the pause starts after it), paused until 10-15,
    # 10-16, 10-17 (4), 10-20…10-24 (9), 10-27…10-31 (14), 11-03…11-07 (19), 11-10 (20).
    assert desk.due("reply") == D("2025-11-10")


def test_consultation_from_review_cancels_the_correction_notice() -> None:
    desk = Desk("2025-09-26").reviewing()
    desk.act("start_consultation", party_kind="agency", party_name="县发改局")
    assert desk.state == "consulting"
    assert desk.status("correction_notice") is DeadlineStatus.CANCELLED


def test_overlapping_consultations_keep_the_clock_paused_until_the_last_ends() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act("start_consultation", party_kind="third_party", party_name="某建材有限公司")
    desk.at("2025-10-09")
    event = desk.act("start_consultation", party_kind="agency", party_name="县自然资源局")
    assert event.state_after == "consulting"
    desk.at("2025-10-15")
    assert "consultation" in desk.refuse("end_consultation", HANDLER, InvalidInput, result="agreed")
    assert "第 3 项" in desk.refuse(
        "end_consultation", HANDLER, InvalidInput, consultation=3, result="agreed"
    )
    event = desk.act("end_consultation", consultation=1, result="agreed")
    assert event.state_after == "consulting"
    assert desk.status("reply") is DeadlineStatus.PAUSED
    assert "第 1 项" in desk.refuse(
        "end_consultation", HANDLER, InvalidInput, consultation=1, result="agreed"
    )
    desk.at("2025-10-20")
    event = desk.act("end_consultation", result="agreed")  # the only one left
    assert event.state_after == "handling"
    assert event.data["derived"] == {"consultation": 2}
    reply = desk.deadline("reply")
    assert [(p.start, p.end) for p in reply.pauses] == [(D("2025-09-29"), D("2025-10-20"))]
    # 09-28 (1), 09-29 (2), paused to 10-20, 10-21…10-24 (6), 10-27…10-31 (11),
    # 11-03…11-07 (16), 11-10…11-13 (20).
    assert desk.due("reply") == D("2025-11-13")


def test_a_second_consultation_after_the_first_ended_pauses_again() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act("start_consultation", party_kind="agency", party_name="甲局")
    desk.at("2025-10-09").act("end_consultation", result="agreed")
    desk.at("2025-10-13").act("start_consultation", party_kind="agency", party_name="乙局")
    desk.at("2025-10-15").act("end_consultation", result="agreed")
    reply = desk.deadline("reply")
    assert [(p.start, p.end) for p in reply.pauses] == [
        (D("2025-09-29"), D("2025-10-09")),
        (D("2025-10-13"), D("2025-10-15")),
    ]
    # 09-28, 09-29 (2); paused to 10-09; 10-10, 10-11, 10-13 (5); paused to 10-15;
    # 10-16, 10-17 (7), 10-20…10-24 (12), 10-27…10-31 (17), 11-03…11-05 (20).
    assert desk.due("reply") == D("2025-11-05")


def test_no_reply_only_after_the_15_day_limit() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act("start_consultation", party_kind="agency", party_name="县财政局")
    desk.at("2025-12-01")  # long after: but the letter's receipt was never recorded
    assert "尚未登记送达" in desk.refuse(
        "end_consultation", HANDLER, ActionNotAllowed, result="no_reply"
    )
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act(
        "start_consultation", party_kind="agency", party_name="县财政局", received_on="2025-09-29"
    )
    desk.at("2025-10-27T18:00")  # the limit's last day
    message = desk.refuse("end_consultation", HANDLER, ActionNotAllowed, result="no_reply")
    assert "2025-10-27" in message
    desk.at("2025-10-28")
    desk.act("end_consultation", result="no_reply")
    assert desk.state == "handling"
    assert desk.status("consultation-1") is DeadlineStatus.CANCELLED
    assert desk.facts.consultations[0].result == "no_reply"


def test_consultation_dates_are_checked() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    assert "早于答复期限起算日" in desk.refuse(
        "start_consultation",
        HANDLER,
        InvalidInput,
        party_kind="agency",
        party_name="x",
        sent_on="2025-09-25",
    )
    desk.act("start_consultation", party_kind="agency", party_name="x")
    assert "早于征求意见日" in desk.refuse(
        "end_consultation", HANDLER, InvalidInput, result="agreed", answered_on="2025-09-28"
    )
    assert "party_kind" in desk.refuse(
        "start_consultation", HANDLER, InvalidInput, party_kind="public", party_name="y"
    )


# -- D-6 fees --------------------------------------------------------------------------


def test_fee_notice_proposes_the_amount_and_pauses_the_reply_clock() -> None:
    desk = Desk("2025-09-26", history=ApplicantHistory(ordinal_in_month=15)).handling()
    desk.at("2025-09-29")
    desk.refuse("send_fee_notice", HANDLER, ActionNotAllowed, basis="per_request", reason="x")
    event = desk.act(
        "send_fee_notice",
        HEAD,
        basis="per_volume",
        pages=150,
        reason="数量大",
        notice_received_on="2025-09-29",
    )
    assert event.state_after == "awaiting_fee"
    derived = event.data["derived"]
    # Pages 31–100 at 10 yuan (700) and 101–150 at 20 yuan (1000); the 15th request: 100.
    assert derived["proposal"] == {"ordinal_in_month": 15, "per_request": 100, "per_volume": 1700}
    assert derived["amount"] == 1700
    assert desk.facts.fee == {
        "basis": "per_volume",
        "amount": 1700,
        "notice_on": D("2025-09-29"),
        "received_on": D("2025-09-29"),
        "payment_days": 20,
    }
    assert desk.status("reply") is DeadlineStatus.PAUSED
    # 20 working days from the notice, counted from the next day: 09-30 (1), 10-09…10-11 (4),
    # 10-13…10-17 (9), 10-20…10-24 (14), 10-27…10-31 (19), 11-03 (20).
    assert desk.due("fee_payment") == D("2025-11-03")


def test_fee_amount_confirmed_by_the_head_overrides_the_proposal() -> None:
    desk = Desk("2025-09-26", history=ApplicantHistory(ordinal_in_month=31)).handling()
    event = desk.act("send_fee_notice", HEAD, basis="per_request", amount=150, reason="x")
    assert event.data["derived"]["proposal"]["per_request"] == 200
    assert event.data["derived"]["proposal"]["per_volume"] is None
    assert desk.facts.fee["amount"] == 150


def test_fee_notice_input_checks() -> None:
    desk = Desk().handling()
    assert "pages" in desk.refuse(
        "send_fee_notice", HEAD, InvalidInput, basis="per_volume", reason="x"
    )
    assert "basis" in desk.refuse("send_fee_notice", HEAD, InvalidInput, basis="both", reason="x")


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("amount", 10**20, "信息处理费（元） amount：不能大于 10000000"),
        ("amount", MAX_AMOUNT + 1, "amount：不能大于 10000000"),
        ("pages", 99_999_999_999_999_999_999, "页数 pages：不能大于 100000"),
        ("pages", 10_000_000, "pages：不能大于 100000"),
    ],
)
def test_a_fee_beyond_any_notice_is_refused_as_input(field: str, value: int, needle: str) -> None:
    """Refused before anything is written, naming the field, not failing later as the notice
    writes the amount in capitals (or issuing one for ¥399,994,700)."""
    desk = Desk().handling()
    message = desk.refuse(
        "send_fee_notice", HEAD, InvalidInput, **{"basis": "per_volume", "pages": 300,
                                                  "reason": "x", field: value},
    )  # fmt: skip
    assert needle in message
    desk.act("send_fee_notice", HEAD, basis="per_volume", pages=MAX_PAGES, reason="x")
    assert desk.facts.fee["amount"] == per_volume_fee(MAX_PAGES) <= MAX_AMOUNT


def test_a_fee_notice_of_0_yuan_is_refused() -> None:
    """Nothing to pay is no notice: it would pause the clock and close the request unpaid."""
    desk = Desk("2025-09-26", history=ApplicantHistory(ordinal_in_month=10)).handling()
    message = desk.refuse(
        "send_fee_notice", HEAD, ActionNotAllowed, basis="per_request", reason="x"
    )
    assert "按件计收的信息处理费为 0 元" in message
    message = desk.refuse(
        "send_fee_notice", HEAD, ActionNotAllowed, basis="per_volume", pages=30, reason="x"
    )
    assert "按量计收（30 页）的信息处理费为 0 元" in message
    message = desk.refuse(
        "send_fee_notice", HEAD, InvalidInput, basis="per_volume", pages=300, amount=0, reason="x"
    )
    assert "amount" in message
    assert desk.state == "handling" and desk.facts.fee is None
    desk.act("send_fee_notice", HEAD, basis="per_volume", pages=31, reason="x")
    assert desk.facts.fee["amount"] == 10


def test_fee_notice_only_within_the_reply_limit() -> None:
    desk = Desk("2025-09-26").handling().at("2025-10-31")
    message = desk.refuse(
        "send_fee_notice", HEAD, ActionNotAllowed, basis="per_request", reason="x"
    )
    assert "答复期限内" in message and "2025-10-30" in message
    # Sent on the last day (backdated), received after it: the sending date is what counts.
    desk.act(
        "send_fee_notice",
        HEAD,
        basis="per_request",
        amount=100,
        reason="x",
        sent_on="2025-10-30",
        notice_received_on="2025-10-31",
    )
    assert desk.state == "awaiting_fee"
    assert desk.facts.fee["received_on"] == D("2025-10-31")


def test_payment_resumes_the_clock() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act(
        "send_fee_notice",
        HEAD,
        basis="per_request",
        amount=100,
        reason="x",
        notice_received_on="2025-09-29",
    )
    desk.at("2025-10-15")
    event = desk.act("record_payment", CLERK)
    assert event.state_after == "handling"
    assert desk.facts.fee["paid_on"] == D("2025-10-15")
    assert desk.status("fee_payment") is DeadlineStatus.MET
    assert desk.due("reply") == D("2025-11-10")  # the same pause as the consultation above
    assert "已发出过收费通知" in desk.refuse(
        "send_fee_notice", HEAD, ActionNotAllowed, basis="per_request", reason="again"
    )


def test_payment_not_after_the_window_and_expiry_after_it() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act(
        "send_fee_notice",
        HEAD,
        basis="per_request",
        amount=100,
        reason="x",
        notice_received_on="2025-09-29",
    )
    desk.at("2025-11-03T20:00")
    assert "尚未届满" in desk.refuse("fee_expired", SYSTEM, ActionNotAllowed)
    desk.at("2025-11-04T08:30")
    assert "2025-11-03" in desk.refuse("record_payment", CLERK, ActionNotAllowed)
    desk.refuse("fee_expired", HEAD, ActionNotAllowed)
    event = desk.act("fee_expired", SYSTEM)
    assert event.state_after == "closed"
    assert desk.facts.outcome == "other.no_fee" and desk.facts.closed_on == D("2025-11-04")
    assert desk.status("fee_payment") is DeadlineStatus.BREACHED
    assert desk.status("reply") is DeadlineStatus.CANCELLED


def test_payment_backdated_into_the_window_is_accepted() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act(
        "send_fee_notice",
        HEAD,
        basis="per_request",
        amount=100,
        reason="x",
        notice_received_on="2025-09-29",
    )
    desk.at("2025-11-05").act("record_payment", CLERK, paid_on="2025-11-03")
    assert desk.state == "handling"
    assert desk.status("fee_payment") is DeadlineStatus.MET


def test_payment_not_before_the_notice() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29")
    desk.act("send_fee_notice", HEAD, basis="per_request", amount=100, reason="x")
    assert "早于收费通知日" in desk.refuse(
        "record_payment", CLERK, InvalidInput, paid_on="2025-09-28"
    )


def test_fee_wait_does_not_pause_when_the_policy_says_so() -> None:
    desk = Desk("2025-09-26", policy=DisclosurePolicy(fee_pauses_reply_clock=False)).handling()
    desk.at("2025-09-29")
    event = desk.act("send_fee_notice", HEAD, basis="per_request", amount=100, reason="x")
    assert event.data["derived"]["pauses_reply_clock"] is False
    assert desk.status("reply") is DeadlineStatus.RUNNING
    assert desk.due("reply") == D("2025-10-30")
    desk.at("2025-10-15").act("record_payment", CLERK)
    assert desk.due("reply") == D("2025-10-30")


# -- D-8 / D-9 drafting, approval, withdrawal, archive, legal challenges ----------------


def test_draft_from_review_only_for_not_processed() -> None:
    desk = Desk().reviewing()
    message = desk.refuse(
        "draft_reply", HANDLER, ActionNotAllowed, outcome="disclosed", summary="x"
    )
    assert "not_processed" in message
    event = desk.act("draft_reply", outcome="not_processed.petition", summary="属信访事项")
    assert event.state_after == "reply_review"
    assert desk.status("correction_notice") is DeadlineStatus.CANCELLED


@pytest.mark.parametrize("code", [c for c, o in outcomes().items() if o.system_only])
def test_system_only_outcomes_refused_in_drafts(code: str) -> None:
    desk = Desk().handling()
    assert "只能由系统" in desk.refuse(
        "draft_reply", HANDLER, InvalidInput, outcome=code, summary="x"
    )


def test_unknown_outcome_refused_listing_the_codes() -> None:
    desk = Desk().handling()
    message = desk.refuse("draft_reply", HANDLER, InvalidInput, outcome="published", summary="x")
    assert "未知答复类型 'published'" in message and "withheld.state_secret" in message


def test_reject_then_approve() -> None:
    desk = Desk("2025-09-26").handling().at("2025-10-20")
    desk.act("draft_reply", outcome="withheld.third_party", summary="不予公开")
    assert desk.state == "reply_review" and desk.facts.draft_outcome == "withheld.third_party"
    desk.refuse("approve_reply", HANDLER, ActionNotAllowed)
    desk.at("2025-10-21")
    event = desk.act("reject_reply", HEAD, reason="应区分处理")
    assert event.state_after == "handling"
    assert desk.facts.draft_outcome is None and desk.facts.rejected_reason == "应区分处理"
    desk.at("2025-10-22").act("draft_reply", outcome="partially_disclosed", summary="部分公开")
    desk.at("2025-10-23")
    event = desk.act("approve_reply", HEAD)
    assert event.state_after == "replied"
    assert desk.facts.outcome == "partially_disclosed"
    assert desk.facts.replied_on == D("2025-10-23")
    assert desk.status("reply") is DeadlineStatus.MET


def test_a_late_reply_is_recorded_as_breached() -> None:
    desk = Desk("2025-09-26").handling().at("2025-11-03")
    desk.act("draft_reply", outcome="disclosed", summary="x")
    desk.act("approve_reply", HEAD)
    assert desk.state == "replied"
    assert desk.status("reply") is DeadlineStatus.BREACHED


def test_approve_reply_date_not_before_receipt() -> None:
    desk = Desk("2025-09-26").handling()
    desk.act("draft_reply", outcome="disclosed", summary="x")
    assert "早于收到申请之日" in desk.refuse(
        "approve_reply", HEAD, InvalidInput, replied_on="2025-09-25"
    )


@pytest.mark.parametrize("setup", ["received", "registered", "reviewing", "handling", "consulting"])
def test_withdraw_any_time_before_the_reply(setup: str) -> None:
    desk = Desk("2025-09-26")
    if setup == "received":
        desk.act("receive", CLERK, **intake(channel="online"))
    elif setup == "registered":
        desk.registered()
    elif setup == "reviewing":
        desk.reviewing()
    else:
        desk.handling()
        if setup == "consulting":
            desk.act("start_consultation", party_kind="agency", party_name="x")
    assert desk.state == setup
    event = desk.act("withdraw", CLERK, reason="申请人书面撤回")
    assert event.state_after == "closed"
    assert desk.facts.outcome == "other.misc" and desk.facts.closed_on == D("2025-09-26")
    assert all(d.status is DeadlineStatus.CANCELLED for d in desk.case.deadlines)


def test_no_withdrawal_after_the_reply_and_archive_only_after_it() -> None:
    desk = Desk("2025-09-26").handling()
    desk.refuse("archive", CLERK, ActionNotAllowed)
    desk.act("draft_reply", outcome="disclosed", summary="x")
    desk.act("approve_reply", HEAD)
    message = desk.refuse("withdraw", CLERK, ActionNotAllowed, reason="晚了")
    assert "archive（归档）" in message
    desk.act("archive", CLERK)
    assert desk.state == "archived"


def test_reconsideration_and_litigation_after_the_reply() -> None:
    desk = Desk("2025-09-26").handling()
    desk.refuse(
        "record_reconsideration",
        CLERK,
        ActionNotAllowed,
        number="复1",
        result="pending",
        filed_on="2025-09-26",
    )
    desk.act("draft_reply", outcome="withheld.process_info", summary="x")
    desk.act("approve_reply", HEAD)
    desk.act("archive", CLERK)
    desk.at("2025-12-01")
    desk.act("record_reconsideration", CLERK, number="复1", result="pending", filed_on="2025-11-20")
    assert "decided_on" in desk.refuse(
        "record_reconsideration",
        CLERK,
        InvalidInput,
        number="复1",
        result="upheld",
        filed_on="2025-11-20",
    )
    assert "早于" in desk.refuse(
        "record_reconsideration",
        CLERK,
        InvalidInput,
        number="复1",
        result="upheld",
        filed_on="2025-11-20",
        decided_on="2025-11-19",
    )
    desk.act(
        "record_reconsideration",
        CLERK,
        number="复1",
        result="upheld",
        filed_on="2025-11-20",
        decided_on="2025-11-30",
    )
    assert desk.facts.challenges["复1"]["result"] == "upheld"
    assert "route" in desk.refuse(
        "record_litigation",
        CLERK,
        InvalidInput,
        number="诉1",
        result="pending",
        filed_on="2025-11-20",
    )
    desk.act(
        "record_litigation",
        CLERK,
        number="诉1",
        route="after_reconsideration",
        result="pending",
        filed_on="2025-12-01",
    )
    assert set(desk.facts.challenges) == {"复1", "诉1"}
    assert desk.state == "archived"


@pytest.mark.parametrize(
    ("action", "field", "setup", "actor", "payload"),
    [
        ("confirm_receipt", "receipt_date", "received", CLERK, {}),
        ("request_correction", "notice_on", "reviewing", HANDLER, {"items": "x"}),
        (
            "start_consultation",
            "sent_on",
            "handling",
            HANDLER,
            {"party_kind": "agency", "party_name": "x"},
        ),
        (
            "send_fee_notice",
            "notice_received_on",
            "handling",
            HEAD,
            {"basis": "per_request", "reason": "x"},
        ),
        ("extend", "notified_on", "handling", HEAD, {"days": 5, "reason": "x"}),
        ("withdraw", "withdrawn_on", "handling", CLERK, {"reason": "x"}),
    ],
)
def test_dates_in_the_future_are_refused(
    action: str, field: str, setup: str, actor: Actor, payload: dict[str, Any]
) -> None:
    desk = Desk("2025-09-26")
    if setup == "received":
        desk.act("receive", CLERK, **intake(channel="letter"))
    elif setup == "reviewing":
        desk.reviewing()
    else:
        desk.handling()
    message = desk.refuse(action, actor, InvalidInput, **{**payload, field: "2025-09-27"})
    assert field in message and "晚于今天" in message


# -- the history -----------------------------------------------------------------------


def test_a_full_case_chains_its_events_and_replays_to_the_same_deadlines() -> None:
    desk = Desk("2025-09-26").handling()
    desk.at("2025-09-29").act("start_consultation", party_kind="agency", party_name="甲局")
    desk.at("2025-10-09").act("start_consultation", party_kind="third_party", party_name="乙公司")
    desk.at("2025-10-15").act("end_consultation", consultation=2, result="objected")
    desk.at("2025-10-20").act("end_consultation", result="agreed")
    desk.act("extend", HEAD, days=5, reason="x")
    desk.at("2025-10-22").act("send_fee_notice", HEAD, basis="per_volume", pages=31, reason="x")
    desk.at("2025-10-24").act("record_payment", CLERK)
    desk.act("draft_reply", outcome="disclosed", summary="x")
    desk.at("2025-10-27").act("approve_reply", HEAD)
    desk.act("archive", CLERK)
    events = desk.case.events
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(events))
    assert [e.state_after for e in events][-3:] == ["reply_review", "replied", "archived"]
    assert verify_chain(desk.case.ref, events, desk.case.head_seq, desk.case.head_hash) == []
    header = Case(ref=desk.case.ref, workflow=workflow("disclosure_request"), agency_code="county")
    replayed = Case.replay(header, events, CAL)
    assert [d.to_json() for d in replayed.deadlines] == [d.to_json() for d in desk.case.deadlines]
    assert replayed.facts == desk.facts
    # Each event carries the deadlines as they stood after it.
    assert events[-1].data["deadlines"] == {d.key: d.snapshot() for d in desk.case.deadlines}
