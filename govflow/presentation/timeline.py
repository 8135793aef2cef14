"""A case's audit timeline (SPEC A-3) as JSON, zh-CN text and CSV (``audit show``)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from govflow.presentation.cases import finding_json, finding_line, finding_text, header_json
from govflow.presentation.text import fields_text
from govflow.workflow.audit import TimelineEntry
from govflow.workflow.events import OpenFinding
from govflow.workflow.services import CaseTimeline
from govflow.workflow.views import DeadlineView

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
    # An open audit finding on the event of the row (or, for an event found missing, on a
    # row of its own carrying only its position): a column, not a comment line, so the
    # sheet stays one table that Excel filters and a CSV reader parses.
    "审计发现",
]


def deadline_at_json(d: DeadlineView) -> dict[str, Any]:
    """One deadline as it stood right after an event, read at that event's instant."""
    return {
        "key": d.key,
        "label": d.label,
        "basis": d.basis,
        "due_at": d.due_at.isoformat() if d.due_at else None,
        "due": d.due,
        "status": d.status,
        "status_label": d.status_label,
        "time_left": d.time_left,
        "working_days_left": d.working_days_left,
        "hours_left": d.hours_left,
        "paused": d.paused,
        "provisional": d.provisional,
    }


def entry_json(entry: TimelineEntry) -> dict[str, Any]:
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
        "payload": entry.payload,
        "details": fields_text(entry.details),
        "hash": entry.hash,
        "deadlines": [deadline_at_json(d) for d in entry.deadlines],
    }


def timeline_json(timeline: CaseTimeline) -> dict[str, Any]:
    return {
        **header_json(timeline.header),
        "reader": timeline.reader,
        "events": [entry_json(e) for e in timeline.entries],
        "open_findings": [finding_json(f) for f in timeline.findings],
    }


def open_findings(data: dict[str, Any]) -> list[OpenFinding]:
    """The open audit findings of ``timeline_json``'s data, as the service gave them."""
    return [
        OpenFinding(
            case_ref=data["ref"],
            position=f["position"],
            kind=f["kind"],
            message=f["message"],
            found_at=datetime.fromisoformat(f["found_at"]),
            table=f["table"],
            column=f["column"],
        )
        for f in data.get("open_findings", ())
    ]


def timeline_text(data: dict[str, Any]) -> str:
    lines = [
        f"案件 {data['ref']}（{data['case_type_label']}）审计时间线　当前状态：{data['state_label']}",
        "时间为北京时间；期限为该事件发生后的情况，剩余时间按事件发生时计算。",
        *(finding_line(f) for f in open_findings(data)),  # as ``case show`` warns of them
    ]
    for e in data["events"]:
        lines.append("")
        lines.append(
            f"#{e['seq']} {e['local_time']}　{e['actor_name']}（{e['role_label']}）"
            f"　{e['action_label']}：{e['state_before_label']} → {e['state_after_label']}"
            + (f"　经由 {e['channel']}" if e.get("channel") else "")
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
    """One row per event and deadline, UTF-8 with a BOM so that Excel reads the Chinese; an
    open audit finding in the last column of its event's rows."""
    found: dict[int, list[str]] = {}
    for f in open_findings(data):
        found.setdefault(f.position, []).append(f"{finding_text(f)}，尚未消除")
    seqs = {e["seq"] for e in data["events"]}
    missing = sorted(p for p in found if p not in seqs)  # e.g. an event found deleted
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)

    def finding_rows(before: int | None) -> None:
        while missing and (before is None or missing[0] < before):
            position = missing.pop(0)
            blank = [""] * (len(CSV_HEADER) - 2)
            writer.writerow([position, *blank, "\n".join(found[position])])

    for e in data["events"]:
        finding_rows(e["seq"])
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
        note = "\n".join(found.get(e["seq"], ()))
        if not e["deadlines"]:
            writer.writerow([*head, "", "", "", "", "", "", note])
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
                    note,
                ]
            )
    finding_rows(None)
    return "\ufeff" + out.getvalue()
