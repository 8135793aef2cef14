"""zh-CN text and JSON views of cases for the CLI; personal data masked unless the reader needs it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from govflow.workflow import texts
from govflow.workflow.actors import ROLE_LABELS, Actor, Role
from govflow.workflow.audit import EXPLAINED_EVENTS, SYSTEM_ACTION_LABELS
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case
from govflow.workflow.deadlines import Basis, Deadline
from govflow.workflow.disclosure.actions import (
    CHANNEL_LABELS,
    SUBKIND_LABELS,
    Channel,
    LegalPersonSubkind,
)
from govflow.workflow.outcomes import outcomes
from govflow.workflow.services import CaseView

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
    return texts.local(instant)


def deadline_line(d: Deadline, calendar: WorkingCalendar, now: datetime) -> str:
    unit = "个工作日" if d.basis is Basis.WORKING_DAYS else "小时"
    amount = f"{d.amount}{unit}" + (f"（延长 {d.extension_days}）" if d.extension_days else "")
    if d.basis is Basis.FIXED:
        amount = "指定时点"
    start = d.start_date.isoformat() if d.start_date else local(d.start_at)
    due = texts.due_text(d.due_date, d.due_at)
    # An overdue running deadline says so in its time left ("已超期 …").
    status = d.status_label(now)
    flag = "【临时：所涉年度节假日安排未公布】" if d.provisional else ""
    return (
        f"{d.label}：{amount}，起算 {start}，届满 {due}，"
        f"{' '.join(x for x in (status, d.time_left(calendar, now)) if x)}{flag}"
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


def personal_fields(case: Case) -> set[str]:
    """Fields a declared type marks ``personal: true`` (masked like an applicant's data)."""
    actions = case.workflow.case_type.actions.values()
    return {f.name for spec in actions for f in spec.fields if f.personal}


def declared_fields(case: Case, reader: Actor | None) -> dict[str, Any]:
    values = dict(getattr(case.facts, "values", {}))
    if not may_see_personal_data(reader, case):
        for name in personal_fields(case) & set(values):
            values[name] = mask(str(values[name]))
    return values


def _field_lines(case: Case, values: dict[str, Any]) -> list[str]:
    """Declared fields in the order of the declaration, choices by their Chinese names."""
    lines, seen = [], set()
    for spec in case.workflow.case_type.actions.values():
        for f in spec.fields:
            if f.name in values and f.name not in seen:
                seen.add(f.name)
                value = dict(f.choices).get(values[f.name], values[f.name])
                lines.append(f"{f.label}：{value}")
    return lines


def case_header_json(case: Case) -> dict[str, Any]:
    """What names a case in every JSON view of it (``case show``, ``audit show``)."""
    return {
        "ref": case.ref,
        "case_type": case.case_type,
        "case_type_label": case.workflow.case_type.label,
        "agency": case.agency_code,
        "state": case.state,
        "state_label": case.state_label,
    }


def case_json(
    view: CaseView, reader: Actor | None, calendar: WorkingCalendar, now: datetime
) -> dict[str, Any]:
    case = view.case
    facts = case.facts
    extra: dict[str, Any] = {}
    if case.case_type == "disclosure_request":
        extra["request"] = request_fields(view, reader)
        extra["applicant_history"] = {
            "this_month": view.history.this_month,
            "this_year": view.history.this_year,
            "same_information": list(view.history.same_information),
        }
    elif case.case_type == "incident":
        from govflow.cli.incident import incident_json

        extra["incident"] = incident_json(case, now)
    else:
        extra["fields"] = declared_fields(case, reader)
    return {
        **case_header_json(case),
        "assignee": case.assignee,
        "outcome": getattr(facts, "outcome", None),
        **extra,
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
    return masked_payload(payload, view.case, reader)


def masked_payload(payload: dict[str, Any], case: Case, reader: Actor | None) -> dict[str, Any]:
    """An event's payload with personal data masked unless the reader may see it."""
    if may_see_personal_data(reader, case):
        return payload
    personal = personal_fields(case) & set(payload)
    if personal:
        payload = {k: (mask(str(v)) if k in personal else v) for k, v in payload.items()}
    applicant = payload.get("applicant")
    if applicant is None:
        return payload
    hidden = {k: (mask(v) if k in (*PERSONAL_FIELDS, "name") else v) for k, v in applicant.items()}
    return {**payload, "applicant": hidden}


def case_text(
    view: CaseView, reader: Actor | None, calendar: WorkingCalendar, now: datetime
) -> list[str]:
    case, facts = view.case, view.case.facts
    data = case_json(view, reader, calendar, now)
    req = data.get("request")
    lines = [
        f"案件 {case.ref}（{case.workflow.case_type.label}）",
        f"所属机关：{case.agency_code}　状态：{case.state_label}　经办人：{case.assignee or '未指定'}",
    ]
    if case.case_type == "incident":
        from govflow.cli.incident import incident_lines

        lines += incident_lines(case, now)
    elif case.case_type != "disclosure_request":
        lines += _field_lines(case, data.get("fields", {}))
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
    if getattr(facts, "outcome", None):
        lines.append(f"答复类型：{outcomes()[facts.outcome].full_label}")
    elif getattr(facts, "draft_outcome", None):
        lines.append(f"答复稿（待审批）：{outcomes()[facts.draft_outcome].full_label}")
    lines.append("")
    lines.append("期限：")
    for d in case.deadlines:
        lines.append("  " + deadline_line(d, calendar, now))
        lines += ["      " + x for x in d.explanation]
    lines.append("")
    lines.append("时间线：")
    labels = {name: spec.label for name, spec in case.workflow.case_type.actions.items()}
    labels.update(SYSTEM_ACTION_LABELS)
    for e in case.events:
        role = ROLE_LABELS.get(Role(e.actor_role), e.actor_role)
        before = case.workflow.case_type.state_label(e.state_before) if e.state_before else "—"
        after = case.workflow.case_type.state_label(e.state_after)
        # An imported event says so: it was recorded later, from the office's own ledger.
        imported = "（导入）" if e.data.get("imported") else ""
        note = e.data["derived"].get("reason") if e.action in EXPLAINED_EVENTS else None
        lines.append(
            f"  #{e.seq} {local(e.occurred_at)} {e.actor}（{role}）"
            f"{labels.get(e.action, e.action)}{imported}：{before} → {after}"
            + (f"（{note}）" if note else "")
        )
    return lines
