"""zh-CN text and JSON views of cases for the CLI; personal data masked unless the reader needs it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflow.actors import ROLE_LABELS, Actor, Role
from workflow.calendar import WorkingCalendar
from workflow.cases import Case
from workflow.clock import SHANGHAI
from workflow.deadlines import STATUS_LABELS, Basis, Deadline, DeadlineStatus
from workflow.disclosure.actions import CHANNEL_LABELS, SUBKIND_LABELS, Channel, LegalPersonSubkind
from workflow.outcomes import outcomes
from workflow.services import CaseView

PERSONAL_FIELDS = ("id_number", "phone", "address", "email")


def may_see_personal_data(reader: Actor | None, case: Case) -> bool:
    """Seed 004 item 37: only the staff working the case's agency see identity and contact data."""
    return (
        reader is not None
        and reader.role in (Role.CLERK, Role.HANDLER, Role.OFFICE_HEAD)
        and reader.agency_code == case.agency_code
    )


def mask(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) <= 4:
        return "*" * len(value)
    keep = 3 if len(value) > 8 else 1
    return value[:keep] + "*" * (len(value) - keep - 2) + value[-2:]


def local(instant: datetime | None) -> str:
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if instant else "—"


def time_left(deadline: Deadline, calendar: WorkingCalendar, now: datetime) -> str:
    if deadline.status is DeadlineStatus.PAUSED:
        return "暂停计时"
    if deadline.status is not DeadlineStatus.RUNNING or deadline.due_at is None:
        return ""
    if deadline.basis is Basis.HOURS:
        hours = (deadline.due_at - now).total_seconds() / 3600
        return f"剩余 {hours:.1f} 小时" if hours >= 0 else f"已超期 {-hours:.1f} 小时"
    left = deadline.working_days_left(calendar, now)
    if left is None:
        return ""
    if deadline.is_overdue(now):
        return f"已超期 {max(-left, 0)} 个工作日"
    return "今日届满" if left == 0 else f"剩余 {left} 个工作日"


def deadline_line(d: Deadline, calendar: WorkingCalendar, now: datetime) -> str:
    unit = "个工作日" if d.basis is Basis.WORKING_DAYS else "小时"
    amount = f"{d.amount}{unit}" + (f"（延长 {d.extension_days}）" if d.extension_days else "")
    start = d.start_date.isoformat() if d.start_date else local(d.start_at)
    due = f"{d.due_date.isoformat()} 24:00" if d.due_date else local(d.due_at)
    status = "已超期" if d.is_overdue(now) else STATUS_LABELS[d.status]
    flag = "【临时：所涉年度节假日安排未公布】" if d.provisional else ""
    return (
        f"{d.label}：{amount}，起算 {start}，届满 {due}，{status} "
        f"{time_left(d, calendar, now)}{flag}"
    ).rstrip()


def request_fields(view: CaseView, reader: Actor | None) -> dict[str, Any]:
    request = view.request
    if request is None:
        return {}
    fields = {
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
    if not may_see_personal_data(reader, view.case):
        for key in PERSONAL_FIELDS:
            fields[key] = mask(fields[key])
        fields["applicant_name"] = (
            mask(request.applicant_name) if len(request.applicant_name) > 1 else "*"
        )
    return fields


def case_json(
    view: CaseView, reader: Actor | None, calendar: WorkingCalendar, now: datetime
) -> dict[str, Any]:
    case = view.case
    facts = case.facts
    return {
        "ref": case.ref,
        "case_type": case.case_type,
        "agency": case.agency_code,
        "state": case.state,
        "state_label": case.state_label,
        "assignee": case.assignee,
        "outcome": facts.outcome,
        "request": request_fields(view, reader),
        "applicant_history": {
            "this_month": view.history.this_month,
            "this_year": view.history.this_year,
            "same_information": list(view.history.same_information),
        },
        "deadlines": [
            {
                **d.to_json(),
                "overdue": d.is_overdue(now),
                "working_days_left": d.working_days_left(calendar, now),
            }
            for d in case.deadlines
        ],
        "events": [
            {
                "seq": e.seq,
                "occurred_at": e.occurred_at.isoformat(),
                "actor": e.actor,
                "actor_role": e.actor_role,
                "action": e.action,
                "state_before": e.state_before,
                "state_after": e.state_after,
                "hash": e.hash,
                "payload": _masked_payload(e.data.get("payload", {}), view, reader),
                "deadlines": e.data.get("deadlines", {}),
            }
            for e in case.events
        ],
    }


def _masked_payload(
    payload: dict[str, Any], view: CaseView, reader: Actor | None
) -> dict[str, Any]:
    applicant = payload.get("applicant")
    if applicant is None or may_see_personal_data(reader, view.case):
        return payload
    hidden = {k: (mask(v) if k in (*PERSONAL_FIELDS, "name") else v) for k, v in applicant.items()}
    return {**payload, "applicant": hidden}


def case_text(
    view: CaseView, reader: Actor | None, calendar: WorkingCalendar, now: datetime
) -> list[str]:
    case, facts = view.case, view.case.facts
    data = case_json(view, reader, calendar, now)
    req = data["request"]
    lines = [
        f"案件 {case.ref}（{case.workflow.case_type.label}）",
        f"所属机关：{case.agency_code}　状态：{case.state_label}　经办人：{case.assignee or '未指定'}",
    ]
    if req:
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
        lines += [
            f"申请人：{req['applicant_name']}（{kind}）　证件号：{req['id_number']}　{contact}",
            f"申请内容：{req['description']}",
            f"渠道：{CHANNEL_LABELS[Channel(req['channel'])]}　送达日：{req['received_on']}　"
            f"收到申请之日：{req['receipt_date'] or '待确认'}",
            f"该申请人本月申请 {view.history.this_month} 件，本年 {view.history.this_year} 件；"
            f"同一信息的既往申请：{'、'.join(view.history.same_information) or '无'}",
        ]
    if facts.outcome:
        lines.append(f"答复类型：{outcomes()[facts.outcome].full_label}")
    elif facts.draft_outcome:
        lines.append(f"答复稿（待审批）：{outcomes()[facts.draft_outcome].full_label}")
    lines.append("")
    lines.append("期限：")
    for d in case.deadlines:
        lines.append("  " + deadline_line(d, calendar, now))
        lines += ["      " + x for x in d.explanation]
    lines.append("")
    lines.append("时间线：")
    labels = {name: spec.label for name, spec in case.workflow.case_type.actions.items()}
    labels.update(
        {"receive": "登记收到申请", "deadlines_recomputed": "节假日安排更新，重新计算期限"}
    )
    for e in case.events:
        role = ROLE_LABELS.get(Role(e.actor_role), e.actor_role)
        before = case.workflow.case_type.state_label(e.state_before) if e.state_before else "—"
        after = case.workflow.case_type.state_label(e.state_after)
        lines.append(
            f"  #{e.seq} {local(e.occurred_at)} {e.actor}（{role}）"
            f"{labels.get(e.action, e.action)}：{before} → {after}"
        )
    return lines
