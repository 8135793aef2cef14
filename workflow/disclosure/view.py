"""How a disclosure request reads: its fields' labels, and its part of a case's view.

The view shows the intake as registered (the applicant's identity and contact data masked
unless the reader works the case), the applicant's other requests (D-6, D-7) and the reply
outcome, or the draft awaiting approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govflow.workflow.access import mask, mask_name
from govflow.workflow.contract import Field, Labels, TypeView
from govflow.workflow.disclosure.actions import (
    CHANNEL_LABELS,
    DELIVERY_METHODS,
    SUBKIND_LABELS,
    Channel,
    LegalPersonSubkind,
)
from govflow.workflow.disclosure.context import ApplicantHistory
from govflow.workflow.disclosure.facts import DisclosureFacts
from govflow.workflow.disclosure.register import RequestRecord
from govflow.workflow.outcomes import Outcome

CONTACT_FIELDS = ("id_number", "phone", "address", "email")
PERSONAL = frozenset(f"applicant.{name}" for name in (*CONTACT_FIELDS, "name"))
"""Input fields holding the applicant's personal data (masked in histories)."""

FIELD_LABELS = {
    "days": "延长天数",
    "notified_on": "告知日",
    "receipt_date": "收到申请之日",
    "received_on": "送达日",
    "items": "补正事项",
    "period_days": "补正期限（日）",
    "notice_on": "通知日",
    "corrected_on": "补正日",
    "good_reason": "正当理由",
    "party_kind": "征求对象类别",
    "party_name": "征求对象",
    "sent_on": "发出日",
    "answered_on": "答复日",
    "result": "结果",
    "consultation": "征求意见编号",
    "outcome": "答复类型",
    "summary": "内容摘要",
    "replied_on": "答复日",
    "due_date": "另定答复期限",
    "withdrawn_on": "撤回日",
    "paid_on": "缴费日",
    "amount": "信息处理费（元）",
    "basis": "计收方式",
    "notice_received_on": "收费通知送达日",
    "pages": "页数",
    "document": "文书序号",
    "method": "送达方式",
    "delivered_on": "送达日",
    "tracking_number": "邮件号",
    "description": "申请内容",
    "channel": "渠道",
    "form": "获取信息的载体形式",
    "delivery": "获取信息的方式",
    "applicant": "申请人信息",
    "document_number": "文件文号",
    "where": "公开途径",
    "route": "复议或诉讼",
    "number": "案号",
    "filed_on": "复议或起诉日",
    "decided_on": "审结日",
    "applicant.name": "申请人",
    "applicant.id_number": "证件号",
    "applicant.phone": "电话",
    "applicant.address": "地址",
    "applicant.email": "邮箱",
    "applicant.kind": "申请人类别",
    "applicant.subkind": "组织类别",
}

DERIVED_LABELS = {"amount": "信息处理费（元）"}
"""The fee the engine proposed (or the office head set) is what the notice asks for: shown
with the notice wherever its event is read (``case act``, ``audit show``)."""

VALUE_LABELS: dict[str, dict[str, str]] = {
    "applicant.kind": {"natural_person": "自然人", "legal_person": "法人或其他组织"},
    "party_kind": {"third_party": "第三方", "agency": "其他机关"},
    "result": {
        "agreed": "同意公开",
        "objected": "不同意公开",
        "no_reply": "逾期未答复",
        "upheld": "结果维持",
        "corrected": "结果纠正",
        "other": "其他结果",
        "pending": "尚未审结",
    },
    "form": {"paper": "纸质", "electronic": "电子"},
    "route": {
        "reconsideration": "行政复议",
        "direct": "未经复议直接起诉",
        "after_reconsideration": "复议后起诉",
    },
    "basis": {"per_request": "按件计收", "per_volume": "按量计收"},
    "method": DELIVERY_METHODS,
    "delivery": {"post": "邮寄", "pickup": "自行领取", "email": "电子邮件", "online": "网上获取"},
    "channel": {k.value: v for k, v in CHANNEL_LABELS.items()},
    "applicant.subkind": {k.value: v for k, v in SUBKIND_LABELS.items()},
}


def labels(outcomes: Mapping[str, Outcome]) -> Labels:
    return Labels(
        FIELD_LABELS,
        {**VALUE_LABELS, "outcome": {code: o.full_label for code, o in outcomes.items()}},
        derived=DERIVED_LABELS,
    )


def request_fields(request: RequestRecord, reveal: bool) -> dict[str, Any]:
    """The intake as JSON-ready fields, masked unless ``reveal``."""
    fields: dict[str, Any] = {
        "applicant_kind": request.applicant_kind,
        "applicant_subkind": request.applicant_subkind,
        "applicant_name": request.applicant_name,
        "id_number": request.id_number,
        "phone": request.phone,
        "address": request.address,
        "email": request.email,
        "description": request.description,
        "channel": request.channel,
        "received_on": request.received_on.isoformat(),
        "receipt_date": request.receipt_date.isoformat() if request.receipt_date else None,
    }
    if not reveal:
        for key in CONTACT_FIELDS:
            fields[key] = mask(fields[key])
        fields["applicant_name"] = mask_name(request.applicant_name)
    return fields


def view(
    facts: DisclosureFacts,
    request: RequestRecord | None,
    history: ApplicantHistory,
    outcomes: Mapping[str, Outcome],
    reveal: bool,
) -> TypeView:
    shown: list[Field] = []
    data: dict[str, Any] = {}
    if request is not None:
        req = request_fields(request, reveal)
        data["request"] = req
        data["applicant_history"] = {
            "this_month": history.this_month,
            "this_year": history.this_year,
            "same_information": list(history.same_information),
        }
        kind = (
            "自然人"
            if req["applicant_kind"] == "natural_person"
            else ("法人或其他组织·" + SUBKIND_LABELS[LegalPersonSubkind(req["applicant_subkind"])])
        )
        contact = "　".join(
            f"{label}：{req[k]}"
            for k, label in (("phone", "电话"), ("email", "邮箱"), ("address", "地址"))
            if req[k]
        )
        shown += [
            Field(
                "申请人",
                f"{req['applicant_name']}（{kind}）　证件号：{req['id_number']}　{contact}",
            ),
            Field("申请内容", req["description"]),
            Field(
                "渠道",
                f"{CHANNEL_LABELS[Channel(req['channel'])]}　送达日：{req['received_on']}　"
                f"收到申请之日：{req['receipt_date'] or '待确认'}",
            ),
            Field(
                "",
                f"该申请人本月申请 {history.this_month} 件，本年 {history.this_year} 件；"
                f"同一信息的既往申请：{'、'.join(history.same_information) or '无'}",
            ),
        ]
    if facts.fee is not None:
        fee = facts.fee
        paid = f"，已于 {fee['paid_on'].isoformat()} 缴纳" if fee.get("paid_on") else ""
        basis = "按件计收" if fee["basis"] == "per_request" else "按量计收"
        shown.append(Field("信息处理费", f"{fee['amount']} 元（{basis}）{paid}"))
        data["fee"] = {
            "basis": fee["basis"],
            "amount": fee["amount"],
            "notice_on": fee["notice_on"].isoformat(),
            "paid_on": fee["paid_on"].isoformat() if fee.get("paid_on") else None,
        }
    if facts.outcome:
        shown.append(Field("答复类型", outcomes[facts.outcome].full_label))
    elif facts.draft_outcome:
        shown.append(Field("答复稿（待审批）", outcomes[facts.draft_outcome].full_label))
        # What the office head approves or returns: the draft's own text, not only its type.
        if facts.draft_summary:
            shown.append(Field("答复稿内容", facts.draft_summary))
    return TypeView(tuple(shown), data)
