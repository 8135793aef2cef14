"""What a disclosure case offers, and ``act`` refuses in the same words (no database).

A case offers an action only while its precondition (``disclosure/preconditions.py``)
holds, and ``rules.check`` applies the same precondition first. Two actions were offered
when no input could pass:

* 征求意见期满未答复 (``consultation_expired``, the system's) while no open consultation's
  limit had passed: the letter not yet delivered, the limit still running, or the 2008
  rules, which set the consulted party no limit at all;
* 收费通知 (``send_fee_notice``, SPEC D-6) before the fee measures (国办函〔2020〕109号)
  apply — they apply to notices sent from 2021-01-01 (the edition's ``fees.from``), so a
  notice could be neither sent then nor, for a request whose reply limit ran out before
  that day, ever. A request received before that day under the 2019 regulations may still
  be charged by a notice sent after it, within its reply limit.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from govflow.workflow.actors import SYSTEM, Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.disclosure import preconditions
from govflow.workflow.disclosure.context import ApplicantHistory, Context
from govflow.workflow.errors import ActionNotAllowed
from govflow.workflow.policy import DisclosurePolicy
from tests.config import calendar, workflow

D = date.fromisoformat
CAL = calendar()
WF = workflow("disclosure_request")
CLERK = Actor("wang.clerk", "王登记", Role.CLERK, "county")
HANDLER = Actor("li.handler", "李经办", Role.HANDLER, "county")
HEAD = Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county")
FEE = {"basis": "per_request", "amount": 100, "reason": "申请次数明显超过合理范围"}


class Desk:
    """One request in memory, worked at the time the test says."""

    def __init__(self, when: str) -> None:
        self.case = Case.opened(WF, "county", "示政办依申〔2020〕0001号")
        self.at(when)

    def at(self, when: str) -> Desk:
        """A Beijing time; a bare date means 10:00 that day."""
        if "T" in when:
            self.now = datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)
        else:
            self.now = datetime.combine(D(when), time(10, 0), SHANGHAI)
        return self

    def context(self, actor: Actor) -> Context:
        return Context(
            now=self.now,
            today=local_date(self.now),
            state=self.case.state or "",
            calendar=CAL,
            policy=DisclosurePolicy(),
            history=ApplicantHistory(),
            role=actor.role,
            documents=self.case.documents,
        )

    def act(self, action: str, actor: Actor = HANDLER, **payload: Any) -> Any:
        return self.case.act(action, payload, actor, self.now, CAL, self.context(actor))

    def offered(self, actor: Actor) -> set[str]:
        """What the case page, the API's ``actions`` and ``case show`` list for ``actor``:
        the actions of the state for its role whose precondition holds (``Workflow.possible``,
        as ``services.reading`` weighs them)."""
        specs = WF.case_type.allowed_actions(self.case.state or "", actor.role)
        return {s.name for s in specs if WF.possible(s.name, self.case.facts, self.context(actor))}

    def refuse(self, action: str, actor: Actor = HANDLER, **payload: Any) -> str:
        """``act`` refuses, writing nothing; its message."""
        events = len(self.case.events)
        with pytest.raises(ActionNotAllowed) as refusal:
            self.act(action, actor, **payload)
        assert len(self.case.events) == events
        return str(refusal.value)

    def handling(self) -> Desk:
        """Received in person today (the receipt date), reviewed and accepted."""
        self.act(
            "receive",
            CLERK,
            applicant={"kind": "natural_person", "name": "张三", "id_number": "610926199001011234",
                       "phone": "13800000000"},
            description="县级财政预算执行情况",
            channel="in_person",
        )  # fmt: skip
        self.act("confirm_receipt", CLERK)
        self.act("start_review")
        self.act("accept")
        return self

    def consult(self, **payload: Any) -> Desk:
        self.act(
            "start_consultation", party_kind="third_party", party_name="某建材有限公司", **payload
        )
        assert self.case.state == "consulting"
        return self


# -- 征求意见期满未答复: only once an open consultation's limit has passed ---------------------


def test_no_consultation_expiry_before_the_letter_is_delivered() -> None:
    """The consulted party's 15 working days run from the letter's delivery: none yet, no
    limit to pass, however long ago the letter went out."""
    desk = Desk("2025-09-26").handling().at("2025-09-29").consult()
    desk.at("2025-12-01")
    assert "consultation_expired" not in desk.offered(SYSTEM)
    message = desk.refuse("consultation_expired", SYSTEM, deadline="consultation-1")
    assert message == "没有已届满未答复的征求意见：征求意见书尚未登记送达，征求意见期限未起算"


def test_consultation_expiry_is_offered_only_after_the_limit() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29").consult(received_on="2025-09-29")
    desk.at("2025-10-27T23:30")  # the limit's last day (see test_disclosure_machine)
    assert "consultation_expired" not in desk.offered(SYSTEM)
    message = desk.refuse("consultation_expired", SYSTEM, deadline="consultation-1")
    assert message == "没有已届满未答复的征求意见：征求意见期限尚未届满（至 2025-10-27 24:00）"
    desk.at("2025-10-28T00:30")
    assert "consultation_expired" in desk.offered(SYSTEM)
    event = desk.act("consultation_expired", SYSTEM, deadline="consultation-1")
    assert event.state_after == "handling"
    assert desk.case.facts.consultations[0].result == "no_reply"


def test_one_lapsed_consultation_among_several_offers_the_expiry_of_that_one() -> None:
    desk = Desk("2025-09-26").handling().at("2025-09-29").consult(received_on="2025-09-29")
    desk.at("2025-10-20").consult()  # a second letter, not yet delivered
    desk.at("2025-10-28")
    assert "consultation_expired" in desk.offered(SYSTEM)
    # The guard still weighs the one named: the second has no limit running.
    assert "尚未届满" in desk.refuse("consultation_expired", SYSTEM, deadline="consultation-2")
    event = desk.act("consultation_expired", SYSTEM, deadline="consultation-1")
    assert event.state_after == "consulting"  # the second is still open
    assert "consultation_expired" not in desk.offered(SYSTEM)


def test_the_2008_rules_set_a_consultation_no_limit_to_pass() -> None:
    desk = Desk("2018-03-01").handling().at("2018-03-05").consult(received_on="2018-03-05")
    desk.at("2018-06-01")
    assert "consultation_expired" not in desk.offered(SYSTEM)
    message = desk.refuse("consultation_expired", SYSTEM, deadline="consultation-1")
    assert message == "没有已届满未答复的征求意见：《条例》(2008)未规定被征求意见方的答复期限"


def test_without_an_open_consultation_no_expiry_is_possible() -> None:
    """The state machine already refuses the action outside 征求意见中; the precondition says
    why on its own, for any state a type might declare it in."""
    desk = Desk("2025-09-26").handling().at("2025-09-29").consult(received_on="2025-09-29")
    desk.at("2025-10-15").act("end_consultation", result="agreed")
    context = desk.at("2025-12-01").context(SYSTEM)
    assert not preconditions.possible("consultation_expired", desk.case.facts, context)
    with pytest.raises(ActionNotAllowed, match="本申请没有进行中的征求意见"):
        preconditions.consultation_lapsed(desk.case.facts, context)


# -- 收费通知: from the day the fee measures apply (国办函〔2020〕109号, 2021-01-01) -------------


def test_no_fee_notice_before_the_fee_measures_apply() -> None:
    desk = Desk("2020-12-21").handling().at("2020-12-31")
    assert desk.case.facts.edition.code == "ogi-2019"
    assert "send_fee_notice" not in desk.offered(HEAD)
    message = desk.refuse("send_fee_notice", HEAD, **FEE)
    assert message == "信息处理费按国办函〔2020〕109号自 2021-01-01 起收取，此前不能发出收费通知"


def test_a_request_received_before_the_measures_may_be_charged_by_a_notice_sent_after() -> None:
    """What decides is the sending date (the edition's ``fees.from``; D-6: the notice is sent
    within the reply limit), not the receipt date: a request of 2020-12-21 under the 2019
    regulations, its reply limit running into January, may get a notice from 2021-01-01."""
    desk = Desk("2020-12-21").handling().at("2021-01-04")
    assert "send_fee_notice" in desk.offered(HEAD)
    event = desk.act("send_fee_notice", HEAD, **FEE)
    assert event.state_after == "awaiting_fee"
    assert desk.case.facts.fee["notice_on"] == D("2021-01-04")


def test_no_fee_notice_when_the_reply_limit_ran_out_before_the_measures() -> None:
    """Received 2020-12-01, the reply limit ended 2020-12-29: the notice must be sent within
    it, and no day within it is one the measures apply to."""
    desk = Desk("2020-12-01").handling().at("2021-01-04")
    assert "send_fee_notice" not in desk.offered(HEAD)
    message = desk.refuse("send_fee_notice", HEAD, **FEE, sent_on="2020-12-29")
    assert message == (
        "信息处理费按国办函〔2020〕109号自 2021-01-01 起收取，本申请的答复期限已于 2020-12-29 届满，"
        "收费通知须在答复期限内发出，不能发出收费通知"
    )


def test_a_fee_notice_is_offered_once_the_measures_apply() -> None:
    desk = Desk("2025-09-26").handling()
    assert "send_fee_notice" in desk.offered(HEAD)
    desk.act("send_fee_notice", HEAD, **FEE)
    assert desk.case.state == "awaiting_fee"
