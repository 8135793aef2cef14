"""``govflow audit``: a case's timeline with the deadlines at each step (A-3).

The chain checks of the same group (``verify``, ``checkpoint``, ``checkpoint-check``, A-2)
are in ``govflow.cli.integrity``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govflow.cli.common import cli_principal, user_errors
from govflow.cli.files import Force, check_target, write_output
from govflow.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from govflow.workflow.actors import Actor
    from govflow.workflow.audit import TimelineEntry
    from govflow.workflow.cases import Case

audit_app = typer.Typer(
    help="审计：案件时间线、历史记录哈希链校验、链头检查点。", no_args_is_help=True
)

# Chinese names of the payload fields people look for in a history; others keep their key.
FIELD_LABELS = {
    "reason": "理由",
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
    "assignee": "经办人",
    "withdrawn_on": "撤回日",
    "paid_on": "缴费日",
    "amount": "金额",
    "pages": "页数",
    "deadline": "期限",
    "note": "备注",
    "document": "文书序号",
    "method": "送达方式",
    "delivered_on": "送达日",
    "tracking_number": "邮件号",
    "notice_received_on": "收到通知日",
    "category": "附件类别",
    "description": "申请内容",
    "channel": "渠道",
    "form": "获取信息的载体形式",
    "delivery": "获取信息的方式",
    "title": "标题",
    "platform": "平台",
    "link": "链接",
    "topic": "话题",
    "grade": "级别",
    "lead_department": "牵头部门",
    "cooperating_departments": "配合部门",
    "detected_at": "发现时间",
    "applicant.name": "申请人",
    "applicant.id_number": "证件号",
    "applicant.phone": "电话",
    "applicant.address": "地址",
    "applicant.email": "邮箱",
    "applicant.kind": "申请人类别",
    "applicant.subkind": "组织类别",
}

CSV_HEADER = [
    "序号",
    "时间（北京时间）",
    "操作人",
    "角色",
    "动作",
    "动作代码",
    "原状态",
    "新状态",
    "理由",
    "内容",
    "期限",
    "届满",
    "剩余",
    "期限状态",
    "暂停计时",
    "临时期限",
]


def register(app: typer.Typer) -> None:
    from govflow.cli import integrity

    integrity.register(audit_app)
    app.add_typer(audit_app, name="audit")


# Chinese names of coded values, by field (outcomes are looked up in the outcome table).
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
    "delivery": {"post": "邮寄", "pickup": "自行领取", "email": "电子邮件", "online": "网上获取"},
    "method": {
        "in_person": "当面送达",
        "post": "邮寄签收",
        "email": "电子邮件",
        "sms_platform": "短信或平台",
    },
}


def _value_labels() -> dict[str, dict[str, str]]:
    from govflow.workflow.disclosure.actions import CHANNEL_LABELS, SUBKIND_LABELS
    from govflow.workflow.outcomes import outcomes

    return {
        **VALUE_LABELS,
        "channel": {k.value: v for k, v in CHANNEL_LABELS.items()},
        "applicant.subkind": {k.value: v for k, v in SUBKIND_LABELS.items()},
        "outcome": {code: o.full_label for code, o in outcomes().items()},
    }


def _flatten(payload: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in payload.items():
        if isinstance(value, dict):
            items += _flatten(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            items.append((f"{prefix}{key}", "、".join(str(v) for v in value)))
        else:
            items.append((f"{prefix}{key}", value))
    return items


def details(payload: dict[str, Any], case: Case | None = None) -> str:
    """The payload in zh-CN (``reason`` is shown on its own): field and value labels."""
    labels, values = dict(FIELD_LABELS), _value_labels()
    if case is not None:  # a declared type names its own fields and choices
        for spec in case.workflow.case_type.actions.values():
            for f in spec.fields:
                labels.setdefault(f.name, f.label)
                if f.choices:
                    values.setdefault(f.name, dict(f.choices))
    return "；".join(
        f"{labels.get(k, k)}：{values.get(k, {}).get(str(v), v)}"
        for k, v in _flatten(payload)
        if v not in (None, "") and k != "reason"
    )


def entry_json(entry: TimelineEntry, case: Case, reader: Actor | None) -> dict[str, Any]:
    from govflow.cli.render import masked_payload

    payload = masked_payload(entry.payload, case, reader)
    return {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.isoformat(),
        "local_time": entry.local_time,
        "actor": entry.actor,
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "role_label": entry.role_label,
        "channel": entry.channel,
        "action": entry.action,
        "action_label": entry.action_label,
        "state_before": entry.state_before,
        "state_before_label": entry.state_before_label,
        "state_after": entry.state_after,
        "state_after_label": entry.state_after_label,
        "reason": entry.reason,
        "payload": payload,
        "details": details(payload, case),
        "hash": entry.hash,
        "deadlines": [d.to_json() for d in entry.deadlines],
    }


def timeline_json(case: Case, entries: list[TimelineEntry], reader: Actor | None) -> dict[str, Any]:
    from govflow.cli.render import case_header_json

    return {
        **case_header_json(case),
        "reader": reader.username if reader else None,
        "events": [entry_json(e, case, reader) for e in entries],
    }


def timeline_text(data: dict[str, Any]) -> str:
    lines = [
        f"案件 {data['ref']}（{data['case_type_label']}）审计时间线　当前状态：{data['state_label']}",
        "时间为北京时间；期限为该事件发生后的情况，剩余时间按事件发生时计算。",
    ]
    for e in data["events"]:
        lines.append("")
        lines.append(
            f"#{e['seq']} {e['local_time']}　{e['actor_name']}（{e['role_label']}）"
            f"　{e['action_label']}：{e['state_before_label']} → {e['state_after_label']}"
            + (f"　经由 {e['channel']}" if e["channel"] else "")
        )
        if e["reason"]:
            lines.append(f"    理由：{e['reason']}")
        if e["details"]:
            lines.append(f"    内容：{e['details']}")
        if not e["deadlines"]:
            lines.append("    期限：无")
            continue
        lines.append("    期限：")
        for d in e["deadlines"]:
            flag = "【临时】" if d["provisional"] else ""
            if d["paused"]:
                state = f"中止计算，届满日待定，{d['time_left']}"
            elif d["time_left"]:
                state = f"届满 {d['due']}，{d['time_left']}（{d['status_label']}）"
            else:
                state = f"届满 {d['due']}，{d['status_label']}"
            lines.append(f"      {d['label']}：{state}{flag}")
    return "\n".join(lines) + "\n"


def timeline_csv(data: dict[str, Any]) -> str:
    """One row per event and deadline, UTF-8 with a BOM so that Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in data["events"]:
        head = [
            e["seq"],
            e["local_time"],
            e["actor_name"],
            e["role_label"],
            e["action_label"],
            e["action"],
            e["state_before_label"],
            e["state_after_label"],
            e["reason"] or "",
            e["details"],
        ]
        if not e["deadlines"]:
            writer.writerow([*head, "", "", "", "", "", ""])
        for d in e["deadlines"]:
            writer.writerow(
                [
                    *head,
                    d["label"],
                    d["due"],
                    d["time_left"],
                    d["status_label"],
                    "是" if d["paused"] else "否",
                    "是" if d["provisional"] else "否",
                ]
            )
    return "\ufeff" + out.getvalue()


@audit_app.command("show")
def show(
    ref: str,
    as_user: Annotated[
        str | None, typer.Option("--as", help="查看人（决定能否看到个人信息）")
    ] = None,
    format_: Annotated[str, typer.Option("--format", help="text / json / csv")] = "text",
    output: Annotated[Path | None, typer.Option("--output", help="写入此文件")] = None,
    force: Force = False,
) -> None:
    """案件完整时间线：每个事件的时间、操作人、动作、状态变化及当时的各项期限。"""
    from govflow.cli import build_services
    from govflow.workflow.audit import case_timeline

    with user_errors():
        if format_ not in ("text", "json", "csv"):
            raise InvalidInput(f"--format 应为 text、json 或 csv，实为 {format_!r}")
        if output is not None:
            check_target(output, force)
        svc = build_services()
        reader = None
        if as_user:
            reader = cli_principal(svc, as_user).as_actor()
        case, entries = case_timeline(svc, ref)
        data = timeline_json(case, entries, reader)
        if format_ == "json":
            body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        elif format_ == "csv":
            body = timeline_csv(data)
        else:
            body = timeline_text(data)
        if output is None:
            typer.echo(body, nl=False)
            return
        write_output(output, body.encode("utf-8"), force)
        typer.echo(f"已导出 {len(entries)} 个事件：{output}", err=True)
