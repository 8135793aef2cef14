"""The incidents' accountability list (SPEC I-4) as zh-CN text and JSON."""

from __future__ import annotations

from typing import Any

from govflow.presentation.text import local
from govflow.workflow.incident.view import KIND_LABELS
from govflow.workflow.services.incidents import AccountabilityEntry


def accountability_json(entries: list[AccountabilityEntry]) -> list[dict[str, Any]]:
    return [
        {
            **e.__dict__,
            "due_at": e.due_at.isoformat(),
            "met_at": e.met_at.isoformat() if e.met_at else None,
        }
        for e in entries
    ]


def accountability_lines(entries: list[AccountabilityEntry]) -> list[str]:
    if not entries:
        return ["没有超过时限的舆情事件。"]
    lines = ["问责清单（政务舆情超时限，供通报批评、约谈参考）："]
    for e in entries:
        done = f"，{local(e.met_at)} 完成" if e.met_at else ""
        lines.append(
            f"{e.ref} {e.title}（{e.grade_label}）｜{e.label} 届满 {local(e.due_at)}，"
            f"{KIND_LABELS[e.kind]}，超期 {e.hours_late:.1f} 小时{done}｜"
            f"牵头部门：{e.lead_department or '未指定'}｜经办人：{e.handler_name or '未指定'}"
        )
    return lines
