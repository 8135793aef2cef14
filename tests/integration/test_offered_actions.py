"""A case offers only the actions that can succeed now (issue 12), on SQLite and PostgreSQL.

Each action below was offered on the case page (``CaseDetail.allowed_actions``, the API's
and ``case show``'s list) and only refused on submit. Each test shows it offered before
its condition and not after, and that ``act`` still refuses it, in the same words, writing
nothing: the type's ``possible`` and its ``check`` read the one precondition.

* a second 延期, and 延期 once the reply limit has passed;
* a second 补正 and a second 收费;
* 收费 and 另行确定答复期限 under the 2008 regulations, which have neither;
* 要求说明理由 of an applicant with no other request;
* 登记送达 with no notice left to deliver, 报送 (an incident) with no letter open.

Weighing the actions reads nothing more: the applicant's history the view reads is the one
要求说明理由 weighs (counted with a ``before_cursor_execute`` listener).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from govflow.workflow import services
from govflow.workflow.errors import ActionNotAllowed, GovflowError, InvalidInput
from tests.integration.conftest import Flow
from tests.principals import acting

CLERK, LI, HEAD = "wang.clerk", "li.handler", "zhang.head"


def offered(flow: Flow, ref: str, who: str) -> list[str]:
    reader = services.identify(flow.svc, who)
    return [a.name for a in services.case_detail(flow.svc, reader, ref).allowed_actions]


def refused(
    flow: Flow, ref: str, who: str, action: str, error: type[GovflowError], **payload: Any
) -> str:
    """``act``'s refusal, checked to write nothing."""
    before = flow.footprint(ref)
    with pytest.raises(error) as refusal:
        flow.act(ref, who, action, **payload)
    assert flow.footprint(ref) == before
    return str(refusal.value)


def handling(flow: Flow, when: str = "2025-09-22 09:30", **intake: Any) -> str:
    """A request handed in person at ``when`` (receipt that day), reviewed and accepted."""
    flow.at(when)
    ref = flow.register(intake=flow.intake(**intake) if intake else None)
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "accept")
    return ref


EXTENSION = {"days": 10, "reason": "需调取档案"}
FEE = {"basis": "per_request", "amount": 100, "reason": "次数过多"}


# -- 延期: once, before the reply limit passes -----------------------------------------


def test_a_request_is_extended_once(flow: Flow) -> None:
    ref = handling(flow)
    assert "extend" in offered(flow, ref, HEAD)
    flow.act(ref, HEAD, "extend", **EXTENSION)
    assert "extend" not in offered(flow, ref, HEAD)
    message = refused(flow, ref, HEAD, "extend", ActionNotAllowed, **EXTENSION)
    assert message.startswith("答复期限只能延长一次，已延长 10 个工作日")


def test_no_extension_is_offered_once_the_reply_limit_has_passed(flow: Flow) -> None:
    ref = handling(flow)
    due = flow.due(ref)
    assert due is not None
    flow.at(f"{due.isoformat()} 23:00")  # the last day: still in time
    assert "extend" in offered(flow, ref, HEAD)
    flow.at(f"{(due + timedelta(days=1)).isoformat()} 09:00")
    assert "extend" not in offered(flow, ref, HEAD)
    message = refused(flow, ref, HEAD, "extend", ActionNotAllowed, **EXTENSION)
    assert message == f"答复期限已于 {due.isoformat()} 届满，延长须在期限届满前批准"


# -- 补正 and 收费: one notice each ----------------------------------------------------


def test_a_second_correction_notice_is_not_offered(flow: Flow) -> None:
    flow.at("2025-09-29 10:00")
    ref = flow.register()
    flow.act(ref, LI, "start_review")
    assert "request_correction" in offered(flow, ref, LI)
    flow.act(ref, LI, "request_correction", items="请写明文件名称")
    flow.act(ref, CLERK, "submit_correction")
    assert flow.case(ref).state == "reviewing"  # where 补正 is declared again
    assert "request_correction" not in offered(flow, ref, LI)
    assert "accept" in offered(flow, ref, LI)  # what may still be done is still offered
    message = refused(flow, ref, LI, "request_correction", ActionNotAllowed, items="再补一份")
    assert message.startswith("补正通知只能一次性发出，本申请已于 2025-09-29 通知过")


def test_a_second_fee_notice_is_not_offered(flow: Flow) -> None:
    ref = handling(flow)
    assert "send_fee_notice" in offered(flow, ref, HEAD)
    flow.act(ref, HEAD, "send_fee_notice", **FEE, notice_received_on=flow.today())
    flow.act(ref, CLERK, "record_payment")
    assert flow.case(ref).state == "handling"  # where 收费 is declared again
    assert "send_fee_notice" not in offered(flow, ref, HEAD)
    message = refused(flow, ref, HEAD, "send_fee_notice", ActionNotAllowed, **FEE)
    assert message == "本申请已发出过收费通知"


# -- the edition decides: 2008 has no fee and no later reply date --------------------------


def test_fees_and_a_later_reply_date_are_offered_only_where_the_edition_has_them(
    flow: Flow,
) -> None:
    old = handling(flow, "2018-03-01 09:30")
    shown = offered(flow, old, HEAD)
    assert "send_fee_notice" not in shown and "set_reply_date" not in shown
    assert "extend" in shown  # 2008 has that
    fee = refused(flow, old, HEAD, "send_fee_notice", ActionNotAllowed, **FEE)
    assert fee.startswith("《条例》(2008)没有信息处理费制度")
    later = refused(
        flow, old, HEAD, "set_reply_date", ActionNotAllowed, due_date="2018-06-01", reason="量大"
    )
    assert later == "《条例》(2008)没有另行确定答复期限的规定，不能延迟答复"
    now = handling(flow)  # under the 2019 regulations
    assert {"send_fee_notice", "set_reply_date"} <= set(offered(flow, now, HEAD))


# -- 要求说明理由: only of an applicant with other requests ---------------------------------


def test_reasons_are_asked_only_of_an_applicant_with_other_requests(flow: Flow) -> None:
    ref = handling(flow)
    assert "request_reasons" not in offered(flow, ref, LI)
    message = refused(flow, ref, LI, "request_reasons", ActionNotAllowed, reason="频次过高")
    assert message.startswith("申请人本月、本年度仅此一件申请")
    flow.register(intake=flow.intake(description="2024年县级财政决算公开表"))
    assert "request_reasons" in offered(flow, ref, LI)
    flow.act(ref, LI, "request_reasons", reason="本月多次申请")


# -- 登记送达 and 报送: only while something is left to deliver or answer -------------------


def test_a_delivery_is_offered_while_a_notice_is_undelivered(flow: Flow) -> None:
    flow.at("2025-09-22 09:30")
    ref = flow.register()  # in person: its receipt is confirmed, the 受理回执 is number 1
    assert "record_delivery" in offered(flow, ref, CLERK)
    delivery = {"document": 1, "method": "in_person", "delivered_on": flow.today()}
    flow.act(ref, CLERK, "record_delivery", **delivery)
    assert "record_delivery" not in offered(flow, ref, CLERK)
    message = refused(flow, ref, CLERK, "record_delivery", ActionNotAllowed, **delivery)
    assert message == "第 1 号文书已于 2025-09-22 登记送达"
    flow.act(ref, LI, "start_review")
    flow.act(ref, LI, "request_correction", items="请写明文件名称")  # a second notice
    assert "record_delivery" in offered(flow, ref, CLERK)


def test_a_letter_is_answered_only_while_one_is_open(flow: Flow) -> None:
    flow.at("2025-09-30 22:40")
    ref = services.open_case(
        flow.svc,
        case_type="incident",
        agency_code="county",
        principal=acting(flow.svc, CLERK),
        payload={
            "title": "网传县城区停水",
            "summary": "帖文转发量上升",
            "platform": "微博",
            "topic": "公共服务",
        },
    )
    assert "answer_supervision_letter" not in offered(flow, ref, LI)
    answer = {"number": "市网督〔2025〕3号", "report": "已核实并发布权威信息"}
    message = refused(flow, ref, LI, "answer_supervision_letter", InvalidInput, **answer)
    assert message == "没有编号为 市网督〔2025〕3号 的督办函（已收到：无）"
    letter = {
        "number": "市网督〔2025〕3号",
        "sender": "市委网信办",
        "report_by": "2025-10-02T18:00",
    }
    flow.act(ref, CLERK, "receive_supervision_letter", **letter)
    assert "answer_supervision_letter" in offered(flow, ref, LI)
    flow.at("2025-10-01 09:00")
    flow.act(ref, LI, "answer_supervision_letter", **answer)
    assert "answer_supervision_letter" not in offered(flow, ref, LI)
    message = refused(flow, ref, LI, "answer_supervision_letter", ActionNotAllowed, **answer)
    assert message == "督办函 市网督〔2025〕3号 已于 2025-10-01 09:00 报送"


# -- the cost of weighing them ----------------------------------------------------------


def test_weighing_the_actions_reads_nothing_more(flow: Flow) -> None:
    """The office head is offered 要求说明理由, whose precondition reads the applicant's
    history; the clerk is not. Both read the case the same way otherwise, so the head's
    page costs no statement more: the history the view read is the one weighed."""
    ref = handling(flow)
    flow.register(intake=flow.intake(description="2024年县级财政决算公开表"))
    assert "request_reasons" in offered(flow, ref, HEAD)
    assert "request_reasons" not in offered(flow, ref, CLERK)
    statements = {who: _statements(flow, ref, who) for who in (CLERK, HEAD)}
    assert statements[HEAD] == statements[CLERK], statements


def _statements(flow: Flow, ref: str, who: str) -> int:
    reader = services.identify(flow.svc, who)
    seen = 0

    def count(*_args: Any) -> None:
        nonlocal seen
        seen += 1

    event.listen(flow.engine, "before_cursor_execute", count)
    try:
        services.case_detail(flow.svc, reader, ref)
    finally:
        event.remove(flow.engine, "before_cursor_execute", count)
    return seen
