"""The incidents' accountability list (SPEC I-4) as zh-CN text and JSON."""

from __future__ import annotations

import csv
import io
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


CSV_HEADER = (
    "编号",
    "机关",
    "标题",
    "级别",
    "时限",
    "届满（北京时间）",
    "情形",
    "超期小时",
    "完成（北京时间）",
    "牵头部门",
    "经办人",
)


def accountability_csv(entries: list[AccountabilityEntry]) -> bytes:
    """The list for a spreadsheet: UTF-8 with a BOM (Excel reads the Chinese), one row a
    breach, the columns of the printed list."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in entries:
        writer.writerow(
            [
                e.ref,
                e.agency,
                e.title,
                e.grade_label or "",
                e.label,
                local(e.due_at),
                KIND_LABELS[e.kind],
                f"{e.hours_late:.1f}",
                local(e.met_at) if e.met_at else "",
                e.lead_department or "未指定",
                e.handler_name or "未指定",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
