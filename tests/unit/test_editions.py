"""Editions of the regulations (SPEC L-1): a request follows the rules in force on its receipt date.

Due dates are checked against an independent day count (``chinese_calendar``), never
against the code under test, for requests received on both sides of 2019-05-15: the 2008
regulations give 15 + 15 working days, the 2019 regulations 20 + 20.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import configs
from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.disclosure.context import Context
from govflow.workflow.disclosure.contract import DisclosureWorkflow
from govflow.workflow.disclosure.editions import (
    Edition,
    EditionError,
    Editions,
    Limits,
    parse_editions,
)
from govflow.workflow.errors import ActionNotAllowed, GovflowError, InvalidInput
from govflow.workflow.policy import DisclosurePolicy, Settings
from tests.config import calendar, editions, outcomes, workflow

chinese_calendar = pytest.importorskip("chinese_calendar")

D = date.fromisoformat
CAL = calendar()
WF = workflow("disclosure_request")


def edition(code: str) -> Edition:
    return editions().find(code)


def edition_on(day: date) -> Edition:
    return editions().on(day)


def with_editions(*shipped: Edition) -> DisclosureWorkflow:
    """The disclosure type as it would be built with other editions in configs/editions.yaml."""
    assert isinstance(WF, DisclosureWorkflow)
    return DisclosureWorkflow(
        WF.case_type, WF.escalation, WF.settings, WF.outcomes, Editions(shipped, WF.outcomes),
        WF.report_formats,
    )  # fmt: skip


CLERK = Actor("wang.clerk", "王登记", Role.CLERK, "county")
HANDLER = Actor("li.handler", "李经办", Role.HANDLER, "county")
HEAD = Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county")


def nth_working_day_after(start: date, n: int) -> date:
    """The independent count: the N-th official working day strictly after ``start``."""
    return chinese_calendar.find_workday(n - 1, start + timedelta(days=1))


class Desk:
    """One request in memory, worked on the day the test says."""

    def __init__(
        self, when: str, policy: DisclosurePolicy | None = None, wf: DisclosureWorkflow = WF
    ) -> None:
        self.case = Case.opened(wf, "county", "示政办依申〔2019〕0001号")
        self.policy = policy or DisclosurePolicy()
        self.at(when)

    def at(self, when: str) -> Desk:
        self.now = datetime.combine(D(when), time(10, 0), SHANGHAI)
        return self

    def act(self, action: str, actor: Actor = HANDLER, **payload: Any) -> Any:
        context = Context(
            now=self.now,
            today=local_date(self.now),
            state=self.case.state or "",
            calendar=CAL,
            policy=self.policy,
            role=actor.role,
        )
        return self.case.act(action, payload, actor, self.now, CAL, context)

    def refuse(self, action: str, actor: Actor = HANDLER, **payload: Any) -> GovflowError:
        events = len(self.case.events)
        with pytest.raises(GovflowError) as info:
            self.act(action, actor, **payload)
        assert len(self.case.events) == events
        return info.value

    def register(self, channel: str = "in_person", received_on: str | None = None) -> Desk:
        received = received_on or local_date(self.now).isoformat()
        self.act(
            "receive",
            CLERK,
            applicant={
                "kind": "natural_person",
                "name": "张三",
                "id_number": "610926199001011234",
                "phone": "13800000000",
            },
            description="2018年县级财政预算执行情况",
            channel=channel,
            received_on=received,
        )
        self.act("confirm_receipt", CLERK, receipt_date=local_date(self.now).isoformat())
        return self

    def handling(self) -> Desk:
        self.act("start_review")
        self.act("accept")
        return self

    def deadline(self, key: str = "reply") -> Any:
        return next(d for d in self.case.deadlines if d.key == key)

    def keys(self) -> set[str]:
        return {d.key for d in self.case.deadlines}


# -- which edition ------------------------------------------------------------------------


def test_the_edition_in_force_on_the_receipt_date() -> None:
    assert edition_on(D("2008-05-01")).code == "ogi-2008"
    assert edition_on(D("2019-05-14")).code == "ogi-2008"
    assert edition_on(D("2019-05-15")).code == "ogi-2019"
    assert edition_on(D("2026-01-05")).code == "ogi-2019"
    assert edition("ogi-2008").in_force_until == D("2019-05-14")
    assert edition("ogi-2019").in_force_until is None
    with pytest.raises(InvalidInput, match="2008-04-30 早于《条例》\\(2008\\)施行之日 2008-05-01"):
        edition_on(D("2008-04-30"))


def test_the_shipped_limits_are_the_law() -> None:
    assert edition("ogi-2008").limits == Limits(15, 15, None, None, None)
    assert edition("ogi-2019").limits == Limits(20, 20, 7, 15, 20)
    assert edition("ogi-2008").cite("reply") == "依据《条例》(2008) 第二十四条"
    assert edition("ogi-2019").cite("reply") == "依据《条例》(2019) 第三十三条"


@pytest.mark.parametrize(
    ("received", "code", "reply_days", "max_extension"),
    [
        ("2008-05-04", "ogi-2008", 15, 15),  # the first working days under the 2008 regulations
        ("2012-09-28", "ogi-2008", 15, 15),  # before the 2012 National Day and Mid-Autumn break
        ("2018-03-01", "ogi-2008", 15, 15),
        ("2019-05-10", "ogi-2008", 15, 15),  # today's crash: it used to get 20 + 20
        ("2019-05-14", "ogi-2008", 15, 15),  # the last day of the 2008 regulations
        ("2019-05-15", "ogi-2019", 20, 20),  # the first day of the 2019 regulations
        ("2019-09-27", "ogi-2019", 20, 20),
        ("2025-09-26", "ogi-2019", 20, 20),  # SPEC T-2's example
    ],
)
def test_reply_and_extension_limits_on_both_sides_of_2019_05_15(
    received: str, code: str, reply_days: int, max_extension: int
) -> None:
    desk = Desk(received).register()
    reply = desk.deadline()
    assert desk.case.facts.edition_code == code
    assert reply.due_date == nth_working_day_after(D(received), reply_days)
    assert reply.explanation[0].startswith(edition(code).cite("reply"))
    assert f"{reply_days}个工作日内予以答复" in reply.explanation[0]
    event = desk.case.events[-1]
    assert event.data["derived"]["edition"] == code
    assert event.data["derived"]["reply_days"] == reply_days
    # One extension of at most the edition's maximum, granted before the limit passes.
    desk.handling()
    too_many = desk.refuse("extend", HEAD, days=max_extension + 1, reason="材料多")
    assert f"最长不得超过 {max_extension} 个工作日" in str(too_many)
    assert edition(code).cite("extension") in str(too_many)
    desk.act("extend", HEAD, days=max_extension, reason="材料多")
    extended = desk.deadline()
    assert extended.due_date == nth_working_day_after(D(received), reply_days + max_extension)
    assert (
        "延长" in extended.explanation[0]
        and edition(code).cite("extension") in extended.explanation[0]
    )


@settings(max_examples=120, deadline=None)
@given(st.dates(min_value=date(2008, 5, 1), max_value=date(2026, 8, 31)))
def test_any_receipt_date_gets_its_editions_limit(received: date) -> None:
    desk = Desk(received.isoformat()).register()
    governing = edition_on(received)
    assert governing.code == ("ogi-2008" if received < date(2019, 5, 15) else "ogi-2019")
    assert desk.deadline().due_date == nth_working_day_after(received, governing.limits.reply_days)
    if governing.limits.correction_notice_days is None:
        assert "correction_notice" not in desk.keys()
    else:
        assert desk.deadline("correction_notice").due_date == nth_working_day_after(
            received, governing.limits.correction_notice_days
        )


def test_the_receipt_date_decides_not_the_day_the_letter_arrived() -> None:
    # An ordinary letter arrived under the 2008 regulations but was confirmed with the
    # applicant on the first day of the 2019 ones: the receipt date is 05-15.
    desk = Desk("2019-05-15").register(channel="letter", received_on="2019-05-13")
    assert desk.case.facts.edition_code == "ogi-2019"
    assert desk.deadline().due_date == nth_working_day_after(D("2019-05-15"), 20)


def test_a_receipt_before_the_2008_regulations_is_refused_with_nothing_recorded() -> None:
    desk = Desk("2008-04-30")
    # Refused by the date range every case type shares (issue 16), before any edition.
    error = desk.refuse(
        "receive",
        CLERK,
        applicant={
            "kind": "natural_person",
            "name": "张三",
            "id_number": "610926199001011234",
            "phone": "13800000000",
        },
        description="x",
        channel="in_person",
        received_on="2008-04-30",
    )
    assert isinstance(error, InvalidInput)
    assert "早于《政府信息公开条例》施行之日 2008-05-01" in str(error)


# -- the 2008 rules ------------------------------------------------------------------------


def test_2008_no_correction_notice_limit_and_restart_from_the_correction() -> None:
    desk = Desk("2018-03-01").register()
    assert "correction_notice" not in desk.keys()
    desk.act("start_review")
    # Six weeks after receipt: the 2019 rules would refuse (7 working days); 2008 had no limit.
    desk.at("2018-04-16").act("request_correction", items="请写明文件名称")
    desk.at("2018-04-20").act("submit_correction")
    assert desk.deadline().due_date == nth_working_day_after(D("2018-04-20"), 15)
    assert (
        desk.deadline("correction_period")
        .explanation[0]
        .startswith("依据《条例》(2008) 第二十一条")
    )


def test_2008_only_a_third_partys_consultation_is_left_out_of_the_limit() -> None:
    desk = Desk("2018-03-01").register().handling()
    desk.at("2018-03-05").act(
        "start_consultation", party_kind="agency", party_name="县财政局", sent_on="2018-03-05"
    )
    reply = desk.deadline()
    assert reply.status.value == "running"  # an agency's consultation counts in 2008
    assert reply.due_date == nth_working_day_after(D("2018-03-01"), 15)
    assert not any(k.startswith("consultation-") for k in desk.keys())  # no time set for it
    desk.act(
        "start_consultation", party_kind="third_party", party_name="某公司", sent_on="2018-03-05"
    )
    assert desk.deadline().status.value == "paused"
    assert "依据《条例》(2008) 第二十三条、第二十四条" in desk.deadline().pauses[0].reason
    desk.at("2018-03-12").act(
        "end_consultation", consultation=2, answered_on="2018-03-12", result="agreed"
    )
    # 03-02 … 03-05 counted (2), 03-06 … 03-12 paused, then 13 more working days.
    assert desk.deadline().due_date == nth_working_day_after(D("2018-03-12"), 13)
    assert desk.case.state == "consulting"  # the agency has not answered yet
    desk.act("end_consultation", consultation=1, answered_on="2018-03-12", result="agreed")
    assert desk.case.state == "handling"


def test_2008_has_no_fee_notice_no_later_reply_date_and_no_excessive_outcome() -> None:
    desk = Desk("2018-03-01").register().handling()
    fee = desk.refuse("send_fee_notice", HEAD, basis="per_request", reason="量大")
    assert isinstance(fee, ActionNotAllowed) and "《条例》(2008)没有信息处理费制度" in str(fee)
    later = desk.refuse("set_reply_date", HEAD, due_date="2018-06-01", reason="量大")
    assert isinstance(later, ActionNotAllowed) and "没有另行确定答复期限" in str(later)
    excessive = desk.refuse("draft_reply", outcome="not_processed.excessive", summary="x")
    assert isinstance(excessive, InvalidInput) and "不适用于《条例》(2008)" in str(excessive)
    desk.act("draft_reply", outcome="disclosed", summary="予以公开")


def test_2019_fees_only_from_the_109_measures() -> None:
    desk = Desk("2020-12-01").register().handling()
    early = desk.refuse("send_fee_notice", HEAD, basis="per_request", reason="量大")
    assert "国办函〔2020〕109号自 2021-01-01 起收取" in str(early)
    desk = Desk("2020-12-21").register().handling()
    desk.at("2021-01-04").act(
        "send_fee_notice",
        HEAD,
        basis="per_request",
        amount=100,
        reason="量大",
        notice_received_on="2021-01-04",  # handed over: the window starts at once
    )
    assert desk.deadline("fee_payment").due_date == nth_working_day_after(D("2021-01-04"), 20)


# -- nothing moves an open case ------------------------------------------------------------


def test_a_new_edition_or_an_edited_one_moves_no_open_case() -> None:
    desk = Desk("2025-09-26").register()
    due = desk.deadline().due_date
    assert due == nth_working_day_after(D("2025-09-26"), 20)
    edited = dataclasses.replace(
        edition("ogi-2019"),
        limits=Limits(25, 30, 10, 20, 25),
        in_force_until=D("2025-12-31"),
    )
    newer = dataclasses.replace(
        edition("ogi-2019"),
        code="ogi-2026",
        in_force_from=D("2026-01-01"),
        limits=Limits(10, 10, 5, 10, 10),
    )
    now_shipped = with_editions(edition("ogi-2008"), edited, newer)
    replayed = Case.replay(
        Case(desk.case.ref, now_shipped, desk.case.agency_code, desk.case.state),
        desk.case.events,
        CAL,
    )
    assert next(d for d in replayed.deadlines if d.key == "reply").due_date == due
    assert replayed.facts.limits.max_extension_days == 20  # as recorded, not as edited
    # A request received under the new edition gets its limits.
    assert Desk(
        "2026-01-05", wf=now_shipped
    ).register().deadline().due_date == nth_working_day_after(D("2026-01-05"), 10)


def test_events_from_before_editions_replay_as_the_2019_rules_they_were_counted_by() -> None:
    desk = Desk("2019-05-10").register()
    event = desk.case.events[-1]
    old = dict(event.data["derived"])
    for key in ("edition", "max_extension_days", "consultation_days", "fee_payment_days"):
        old.pop(key)
    old.update(reply_days=20, correction_notice_days=7)  # what govflow recorded then
    legacy = dataclasses.replace(event, data={**event.data, "derived": old})
    replayed = Case.replay(
        Case(desk.case.ref, WF, "county", "registered"),
        [desk.case.events[0], legacy],
        CAL,
    )
    assert replayed.facts.edition_code == "ogi-2019"
    assert replayed.facts.limits == Limits(20, 20, 7, 15, 20)


def test_the_correction_period_default_is_the_settings_recorded_in_the_notice() -> None:
    desk = Desk("2025-09-22", policy=DisclosurePolicy(correction_period_days=30)).register()
    desk.act("start_review")
    event = desk.act("request_correction", items="请写明文件名称")
    assert event.data["derived"]["period_days"] == 30
    assert desk.deadline("correction_period").amount == 30
    assert desk.deadline("correction_period").due_date == nth_working_day_after(D("2025-09-22"), 30)
    assert "30个工作日" in desk.deadline("correction_period").explanation[0]
    # The settings change; the notice already sent keeps its period.
    desk.policy = DisclosurePolicy(correction_period_days=10)
    desk.act("assign", HEAD, assignee="li.handler")
    assert desk.deadline("correction_period").amount == 30


def test_statutory_limits_in_the_settings_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="max_extension_days 是《条例》规定的法定期限"):
        Settings.model_validate({"disclosure": {"max_extension_days": 30}})
    assert Settings.model_validate({"disclosure": {"correction_period_days": 30}})


# -- on-the-spot replies (L-1: the edition's data) ------------------------------------------


@pytest.mark.parametrize(
    "outcome",
    [
        "withheld.state_secret",
        "partially_disclosed",
        "unavailable.not_held",
        "not_processed.duplicate",
    ],
)
def test_a_decision_is_never_given_on_the_spot(outcome: str) -> None:
    desk = Desk("2025-09-22").register()
    error = desk.refuse("reply_on_the_spot", CLERK, outcome=outcome, summary="x", where="网站")
    assert isinstance(error, ActionNotAllowed)
    assert "须经审核并由负责人审批后答复" in str(error)


def test_already_published_on_the_spot_says_where() -> None:
    desk = Desk("2025-09-22").register()
    missing = desk.refuse("reply_on_the_spot", CLERK, outcome="disclosed", summary="已公开")
    assert isinstance(missing, InvalidInput) and "where" in str(missing)
    event = desk.act(
        "reply_on_the_spot",
        CLERK,
        outcome="disclosed",
        summary="已公开",
        where="县政府网站·财政预决算",
    )
    assert event.data["payload"]["where"] == "县政府网站·财政预决算"
    assert desk.case.state == "replied"


def test_not_a_disclosure_request_on_the_spot() -> None:
    desk = Desk("2025-09-22").register()
    desk.act("reply_on_the_spot", CLERK, outcome="not_processed.petition", summary="投诉事项")
    assert desk.case.facts.outcome == "not_processed.petition"
    # The 2008 edition's list has no confirmation row on the spot.
    old = Desk("2018-03-01").register()
    assert isinstance(
        old.refuse("reply_on_the_spot", CLERK, outcome="not_processed.confirmation", summary="x"),
        ActionNotAllowed,
    )


def test_the_roles_allowed_on_the_spot_are_the_editions() -> None:
    heads_only = dataclasses.replace(edition("ogi-2019"), spot_roles=frozenset({Role.OFFICE_HEAD}))
    desk = Desk("2025-09-22", wf=with_editions(edition("ogi-2008"), heads_only)).register()
    error = desk.refuse("reply_on_the_spot", CLERK, outcome="not_processed.petition", summary="x")
    assert "当场答复只能由公开办负责人作出" in str(error)
    desk.act("reply_on_the_spot", HEAD, outcome="not_processed.petition", summary="x")


# -- the file ------------------------------------------------------------------------------


def test_a_malformed_editions_file_names_the_place(tmp_path) -> None:
    shipped = configs.shipped("editions.yaml").read_text("utf-8")
    cases = {
        "reply_days: 20": ("reply_days: 0", "limits.reply_days"),
        "in_force_from: 2019-05-15": ("in_force_from: 2008-01-01", "施行日期先后"),
        "      - not_processed.excessive\n": ("      - published\n", "不在 configs/outcomes.yaml"),
        "- {code: not_processed.publication,": ("- {code: not_processed.excessive,", "不在本版本"),
    }
    for old, (new, complaint) in cases.items():
        assert old in shipped, old
        path = tmp_path / "editions.yaml"
        path.write_text(shipped.replace(old, new, 1), "utf-8")
        with pytest.raises(EditionError, match=complaint):
            parse_editions(yaml.safe_load(path.read_text("utf-8")), str(path), outcomes())
    assert [e.code for e in editions()] == ["ogi-2008", "ogi-2019"]
