"""The small pieces of zh-CN text every view uses: instants, deadlines, labelled fields."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from govflow.workflow.clock import SHANGHAI, local_minute
from govflow.workflow.contract import Field
from govflow.workflow.views import DeadlineView

PROVISIONAL = "【临时：所涉年度节假日安排未公布】"

local = local_minute
"""An instant in Beijing time, to the minute (``—`` for none)."""


def local_second(instant: datetime) -> str:
    """An instant in Beijing time, to the second (the logs, the tokens' times)."""
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def deadline_line(d: DeadlineView) -> str:
    """``答复期限：20个工作日，起算 2025-09-26，届满 2025-10-30 24:00，计时中 还剩 20 个工作日``."""
    unit = "个工作日" if d.basis == "working_days" else "小时"
    amount = f"{d.amount}{unit}" + (f"（延长 {d.extension_days}）" if d.extension_days else "")
    if d.basis == "fixed":
        amount = "指定时点"
    start = d.start_date.isoformat() if d.start_date else local(d.start_at)
    # An overdue running deadline says so in its time left ("已超期 …").
    status = "" if d.overdue else d.status_label
    flag = PROVISIONAL if d.provisional else ""
    return (
        f"{d.label}：{amount}，起算 {start}，届满 {d.due}，"
        f"{' '.join(x for x in (status, d.time_left) if x)}{flag}"
    ).rstrip()


def field_line(f: Field) -> str:
    return f"{f.label}：{f.value}" if f.label else f.value


def fields_text(fields: tuple[Field, ...] | list[Field]) -> str:
    """Labelled values on one line: ``理由：…；金额：…``."""
    return "；".join(field_line(f) for f in fields)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_json(value: Any) -> str:
    """Indented JSON, Chinese as is, instants in ISO 8601."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=_plain)


def deadline_json(d: DeadlineView) -> dict[str, Any]:
    """A deadline as it stands at an instant (lists, histories)."""
    return {
        "key": d.key,
        "label": d.label,
        "basis": d.basis,
        "due_at": d.due_at.isoformat() if d.due_at else None,
        "due_date": d.due_date.isoformat() if d.due_date else None,
        "due": d.due,
        "status": d.status,
        "status_label": d.status_label,
        "overdue": d.overdue,
        "time_left": d.time_left,
        "working_days_left": d.working_days_left,
        "hours_left": d.hours_left,
        "paused": d.paused,
        "provisional": d.provisional,
    }


def with_note(text: str, note: str | None) -> str:
    """A report that first says what it must about itself (an ``audit_note``)."""
    return text if not note else f"{note}\n\n{text}"


def csv_with_note(body: bytes, note: str | None) -> bytes:
    """A CSV (UTF-8 with a BOM) with the note as its first line, the BOM kept in front."""
    if not note:
        return body
    bom = "\ufeff".encode()
    if body.startswith(bom):
        return bom + f"{note}\r\n".encode() + body[len(bom) :]
    return f"{note}\r\n".encode() + body


def json_with_note(body: dict[str, Any]) -> dict[str, Any]:
    """A report's fields for JSON: its ``audit_note`` as ``audit_findings_note``, only when
    there is one."""
    note = body.pop("audit_note", None)
    if note:
        body["audit_findings_note"] = note
    return body
