"""Dates that cannot be, and text that is not text, are refused in the domain with zh-CN
messages naming the field (issue 16 items 4 and 5): no database, the aggregate itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from govflow.workflow.actors import Actor, Role
from govflow.workflow.cases import Case
from govflow.workflow.clock import SHANGHAI, local_date
from govflow.workflow.declared import Context as DeclaredContext
from govflow.workflow.disclosure.context import Context
from govflow.workflow.errors import InvalidInput
from govflow.workflow.policy import DisclosurePolicy, Settings
from tests.config import calendar, new_case

CAL = calendar()
CLERK = Actor("wang.clerk", "王登记", Role.CLERK, "county")
LI = Actor("li.handler", "李经办", Role.HANDLER, "county")
HEAD = Actor("zhang.head", "张主任", Role.OFFICE_HEAD, "county")
NOW = datetime(2025, 9, 24, 10, 0, tzinfo=SHANGHAI)
INTAKE = {
    "applicant": {"kind": "natural_person", "name": "张三", "id_number": "610926199001011234",
                  "phone": "13800000000"},
    "description": "2024年预算", "channel": "letter", "received_on": "2025-09-22",
}  # fmt: skip


def act(case: Case, action: str, actor: Actor, payload: dict[str, Any]) -> None:
    if case.case_type == "incident":
        ctx: Any = DeclaredContext(NOW, local_date(NOW), case.state or "", CAL, Settings())
    else:
        ctx = Context(NOW, local_date(NOW), case.state or "", CAL, DisclosurePolicy())
    case.act(action, payload, actor, NOW, CAL, ctx)


def request(**intake: Any) -> Case:
    case = new_case("示政办依申〔2025〕0001号", "disclosure_request")
    act(case, "receive", CLERK, {**INTAKE, **intake})
    return case


def refused(case: Case, action: str, actor: Actor, payload: dict[str, Any]) -> str:
    events = len(case.events)
    with pytest.raises(InvalidInput) as caught:
        act(case, action, actor, payload)
    assert len(case.events) == events
    return str(caught.value)


def test_a_withdrawal_before_1900_or_before_receipt() -> None:
    case = request()
    message = refused(case, "withdraw", CLERK, {"withdrawn_on": "1900-01-01", "reason": "撤回"})
    assert message == (
        "撤回日 withdrawn_on 1900-01-01 早于《政府信息公开条例》施行之日 2008-05-01，不是有效日期"
    )
    message = refused(case, "withdraw", CLERK, {"withdrawn_on": "2025-09-01", "reason": "撤回"})
    assert message == "撤回日 withdrawn_on 2025-09-01 早于申请送达日 2025-09-22"
    act(case, "confirm_receipt", CLERK, {"receipt_date": "2025-09-23"})
    message = refused(case, "withdraw", CLERK, {"withdrawn_on": "2025-09-22", "reason": "撤回"})
    assert message == "撤回日 withdrawn_on 2025-09-22 早于收到申请之日 2025-09-23"
    act(case, "withdraw", CLERK, {"withdrawn_on": "2025-09-23", "reason": "撤回"})


def test_received_on_long_ago_or_as_a_number() -> None:
    with pytest.raises(InvalidInput, match="申请送达日 received_on 0001-01-01 早于"):
        request(received_on="0001-01-01")
    with pytest.raises(
        InvalidInput, match=r"申请送达日 received_on 应为日期（如 2025-09-01），实为数字"
    ):
        request(received_on=0)
    with pytest.raises(InvalidInput, match="received_on 应为日期 YYYY-MM-DD"):
        request(received_on="1700000000")


def test_a_reply_or_a_challenge_out_of_order() -> None:
    case = request()
    act(case, "confirm_receipt", CLERK, {"receipt_date": "2025-09-23"})
    act(case, "start_review", LI, {})
    act(case, "accept", LI, {})
    message = refused(
        case, "extend", HEAD, {"days": 5, "reason": "多", "notified_on": "2025-09-01"}
    )
    assert message == "延期告知日 notified_on 2025-09-01 早于收到申请之日 2025-09-23"
    act(case, "draft_reply", LI, {"outcome": "disclosed", "summary": "公开"})
    message = refused(case, "approve_reply", HEAD, {"replied_on": "2025-09-22"})
    assert message == "答复日 replied_on 2025-09-22 早于收到申请之日 2025-09-23"
    act(case, "approve_reply", HEAD, {"replied_on": "2025-09-24"})
    challenge = {"number": "复1", "result": "pending"}
    message = refused(case, "record_reconsideration", HEAD, {**challenge, "filed_on": 0})
    assert message == "复议或起诉日 filed_on 应为日期（如 2025-09-01），实为数字"
    message = refused(case, "record_reconsideration", HEAD, {**challenge, "filed_on": "2025-09-20"})
    assert message == "复议或起诉日 filed_on 2025-09-20 早于答复日 2025-09-24"


def test_a_due_date_beyond_the_horizon() -> None:
    case = new_case("示政办舆情〔2025〕0001号", "incident")
    act(case, "detect", CLERK, {"title": "网传", "summary": "帖文", "platform": "微博",
                                "topic": "食品药品", "detected_at": "2025-09-24T08:00"})  # fmt: skip
    letter = {"number": "市网督〔2025〕3号", "sender": "市委网信办"}
    message = refused(case, "receive_supervision_letter", CLERK,
                      {**letter, "report_by": "9999-12-31T18:00"})  # fmt: skip
    assert message.startswith("报告时限 report_by 9999-12-31 超出可设定的范围")
    act(case, "receive_supervision_letter", CLERK, {**letter, "report_by": "2025-09-26T18:00"})


def test_text_with_a_nul_or_not_unicode() -> None:
    with pytest.raises(InvalidInput, match=r"description 含有空字符（NUL）"):
        request(description="预算\x00表")
    with pytest.raises(InvalidInput, match=r"applicant\.name 不是有效的 UTF-8 文本"):
        request(applicant={**INTAKE["applicant"], "name": "张\udcff"})  # type: ignore[dict-item]


def test_pydantic_complaints_are_in_chinese_and_never_show_the_value() -> None:
    with pytest.raises(InvalidInput) as caught:
        request(channel="pigeon", applicant={"kind": "natural_person", "name": "秘密姓名"})
    message = str(caught.value)
    assert "channel：应为以下之一" in message and "applicant.id_number：必填" in message
    assert "秘密姓名" not in message and "Input should" not in message
