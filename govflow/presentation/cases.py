"""A case in detail and lists of cases, as text and JSON (``case show``, ``case list``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from govflow.presentation.text import deadline_json, deadline_line, field_line, local
from govflow.workflow.cases import EXPLAINED_EVENTS
from govflow.workflow.events import OpenFinding
from govflow.workflow.services import CaseDetail, CasePage, CaseSummary
from govflow.workflow.views import CaseHeader, DeadlineView, EventView


def header_json(header: CaseHeader) -> dict[str, Any]:
    """What names a case in every JSON view of it (``case show``, ``audit show``)."""
    return {
        "ref": header.ref,
        "case_type": header.case_type,
        "case_type_label": header.case_type_label,
        "agency": header.agency,
        "agency_name": header.agency_name or header.agency,
        "state": header.state,
        "state_label": header.state_label,
    }


def event_json(e: EventView) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "occurred_at": e.occurred_at.isoformat(),
        "actor": e.actor,
        "actor_role": e.actor_role,
        "action": e.action,
        "state_before": e.state_before,
        "state_after": e.state_after,
        "hash": e.hash,
        "payload": e.payload,
        "deadlines": e.deadlines,
        **({"imported": e.imported} if e.imported else {}),
    }


def case_json(detail: CaseDetail) -> dict[str, Any]:
    return {
        **header_json(detail.header),
        "assignee": detail.assignee,
        "assignee_name": detail.assignee_name,
        "outcome": detail.outcome,
        **detail.data,
        "deadlines": [
            {**d.record, "overdue": d.overdue, "working_days_left": d.working_days_left}
            for d in detail.deadlines
        ],
        "events": [event_json(e) for e in detail.events],
        "allowed_actions": [{"name": a.name, "label": a.label} for a in detail.allowed_actions],
        "open_findings": [finding_json(f) for f in detail.findings or ()],
    }


def finding_json(f: OpenFinding) -> dict[str, Any]:
    return {
        "position": f.position,
        "kind": f.kind,
        "kind_label": f.kind_label,
        "message": f.message,
        "found_at": f.found_at.isoformat(),
        "table": f.table,
        "column": f.column,
    }


def finding_line(f: OpenFinding) -> str:
    """An open audit finding as the case's readers are warned of it."""
    return f"【审计发现】{finding_text(f)}，尚未消除，请督查人员核实（govflow audit verify）"


def finding_text(f: OpenFinding) -> str:
    """What was found where, and when: ``事件内容被修改（第 1 个事件）：…；发现于 …``."""
    return f"{f.kind_label}（第 {f.position} 个事件）：{f.message}；发现于 {local(f.found_at)}"


def case_text(detail: CaseDetail) -> list[str]:
    h = detail.header
    lines = [
        f"案件 {h.ref}（{h.case_type_label}）",
        f"所属机关：{h.agency_name or h.agency}　状态：{h.state_label}"
        f"　经办人：{detail.assignee_name or '未指定'}",
        *(finding_line(f) for f in detail.findings or ()),
        *(f"【注意】{w}" for w in detail.warnings),
        *(field_line(f) for f in detail.fields),
        "",
        "期限：",
    ]
    for d in detail.deadlines:
        lines.append("  " + deadline_line(d))
        lines += ["      " + x for x in d.explanation]
    lines += ["", "时间线："]
    # An imported event says so: it was recorded later, from the office's own ledger; an
    # acknowledgement says which rule of which limit it stopped.
    lines += [
        f"  #{e.seq} {local(e.occurred_at)} {e.actor_name}（{e.role_label}）"
        f"{e.action_label}{'（导入）' if e.imported else ''}："
        f"{e.state_before_label} → {e.state_after_label}"
        + (f"（{e.reason}）" if e.action in EXPLAINED_EVENTS and e.reason else "")
        for e in detail.events
    ]
    return lines


def allowed_text(detail: CaseDetail, reader_name: str) -> str:
    names = "、".join(f"{a.name}（{a.label}）" for a in detail.allowed_actions) or "无"
    return f"{reader_name} 可执行的动作：{names}"


def page_json(page: CasePage) -> dict[str, Any]:
    return {
        "cases": [
            {
                **header_json(c.header),
                "assignee": c.assignee,
                **c.data,
                "deadline": deadline_json(c.deadline) if c.deadline else None,
                "reference_deadline": deadline_json(c.reference) if c.reference else None,
            }
            for c in page.cases
        ],
        "next_after": page.next_after,
    }


def page_lines(page: CasePage) -> list[str]:
    """One line a case: number, state, what its type lists, its deadline; then where the
    next page starts, if there is one."""
    if not page.cases:
        return ["没有符合条件的案件。"]
    lines = []
    for c in page.cases:
        d = c.deadline
        if d is None:
            due = "无计时中的期限"
        else:
            flag = "【临时】" if d.provisional else ""
            when = f"{d.label} 届满 {d.due}" if d.due != "—" else d.label
            due = f"{when}　{d.time_left or d.status_label}{flag}"
        reference = other_reference(c)
        if reference is not None:
            due += f"　{reference.label}：{reference_state(reference)}"
        cells = [c.ref, c.header.state_label, *(col.value for col in c.columns), due]
        lines.append("　".join(cells))
    if page.next_after:
        lines.append(f"（还有更多；下一页：--after {page.next_after}）")
    return lines


def other_reference(c: CaseSummary) -> DeadlineView | None:
    """The limit the case's type always lists (a request's reply limit) when another limit
    sorts the row: without it, a row sorted by a correction window would hide the limit the
    office answers for. As the web's list shows it (``_reference_deadline.html``)."""
    ref = c.reference
    if ref is None or (c.deadline is not None and ref.key == c.deadline.key):
        return None
    return ref


def reference_state(d: DeadlineView) -> str:
    """Where a reference limit stands: its due instant while it runs (marked 临时 when a
    year it reaches has no published schedule, T-4), else its status."""
    if d.paused:
        return d.time_left or d.status_label
    if d.status != "running":
        return d.status_label
    return d.due + ("【临时】" if d.provisional else "")


# People read the assignee by name (经办人); the account (经办人账号) is kept beside it for
# whoever matches rows by machine, e.g. against ``case list --assignee``.
CSV_HEADER = (
    *("编号", "类型", "机关", "状态", "经办人", "经办人账号", "期限", "届满", "剩余"),
    *("参照期限", "参照期限届满", "参照期限剩余", "摘要"),
)


def cases_csv(cases: Iterable[CaseSummary], more: bool = False) -> bytes:
    """A search's cases for a spreadsheet: UTF-8 with a BOM (Excel reads the Chinese), one
    row a case in the list's order; ``more``: the export stopped at its limit, said in a
    last row so a partial list is never taken for the whole."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in cases:
        d = c.deadline
        # The reference limit in every row, even the rows it sorts, so a column holds one
        # thing (a request's reply limit) all the way down.
        r = c.reference
        writer.writerow(
            [
                c.ref,
                c.header.case_type_label,
                c.header.agency_name or c.header.agency,
                c.header.state_label,
                c.assignee_name or c.assignee or "",
                c.assignee or "",
                d.label if d else "",
                d.due if d else "",
                (d.time_left or d.status_label) if d else "",
                r.label if r else "",
                r.due if r else "",
                (r.time_left or r.status_label) if r else "",
                "；".join(f"{f.label}：{f.value}" for f in c.columns),
            ]
        )
    if more:
        writer.writerow(["（结果超过导出上限，仅导出前面部分；请缩小查询条件）"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
