"""Timeliness statistics (SPEC R-2) as zh-CN text, JSON and CSV (UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from govflow.presentation.text import (
    csv_with_note,
    json_with_note,
    local,
    number,
    percent,
    to_json,
    with_note,
)
from govflow.workflow.incident.view import KIND_LABELS
from govflow.workflow.reports.timeliness import CASE_TYPE_LABELS, TimelinessReport
from govflow.workflow.texts import BREACH_LABELS

FORMATS = ("text", "json", "csv")


def timeliness_json(report: TimelinessReport) -> str:
    """Every figure with its codes; rates as fractions, instants in ISO 8601."""
    return to_json(json_with_note(asdict(report))) + "\n"


def timeliness_rows(report: TimelinessReport) -> list[tuple[str, str, Any]]:
    """The figures as (指标, 分类, 数值): the CSV's summary."""
    r, h = report.replies, report.handling
    rows: list[tuple[str, str, Any]] = [
        ("依申请公开按期答复", "按期答复", r.on_time),
        ("依申请公开按期答复", "超期答复", r.late),
        ("依申请公开按期答复", "超过答复期限尚未答复", r.overdue),
        ("依申请公开按期答复", "撤回或终止处理（不计入）", r.cancelled),
        ("依申请公开按期答复", "按期答复率", percent(r.rate)),
        ("办理用时（工作日）", "件数", h.count),
        ("办理用时（工作日）", "平均", number(h.mean)),
        ("办理用时（工作日）", "中位数", number(h.median)),
        ("办理用时（工作日）", "第90百分位（最近秩法）", "—" if h.p90 is None else h.p90),
    ]
    rows += [("在办申请按剩余时间", b.label, b.count) for b in report.open_requests]
    rows += [("超期（按部门）", g.name, g.total) for g in report.by_department]
    rows += [("超期（按经办人）", g.name, g.total) for g in report.by_handler]
    rows.append(("政务舆情", "本期监测发现", report.incidents_detected))
    for m in report.milestones:
        for label, value in zip(
            (
                "按时",
                BREACH_LABELS["late"],
                BREACH_LABELS["overdue"],
                "计时中",
                "调整级别后不再适用",
                "按时率",
            ),
            (m.within, m.late, m.overdue, m.pending, m.cancelled, percent(m.share)),
            strict=True,
        ):
            rows.append(("政务舆情回应时效", f"{m.label}（{m.hours} 小时）/{label}", value))
    for o in report.other_limits:
        for label, value in zip(
            ("按期", "超期完成", "超期未完成", "计时中", "按期率"),
            (o.on_time, o.late, o.overdue, o.running, percent(o.rate)),
            strict=True,
        ):
            rows.append(
                ("其他限时工作", f"{o.type_label}/{o.label}（{o.amount} 个工作日）/{label}", value)
            )
    return rows


def _breach_cells(report: TimelinessReport) -> list[list[str]]:
    return [
        [b.ref, b.type_label or CASE_TYPE_LABELS[b.case_type], b.label,
         b.breached_on.isoformat(), BREACH_LABELS[b.kind], b.department, b.handler]
        for b in report.breaches
    ]  # fmt: skip


def _accountability_cells(report: TimelinessReport) -> list[list[str]]:
    return [
        [e.ref, e.title, e.grade_label or "", e.label, local(e.due_at), KIND_LABELS[e.kind],
         f"{e.hours_late:.1f}", e.lead_department or "未指定", e.handler_name or "未指定"]
        for e in report.accountability
    ]  # fmt: skip


def timeliness_text(report: TimelinessReport) -> str:
    r, h = report.replies, report.handling
    p90 = "—" if h.p90 is None else h.p90
    lines = [
        f"{report.agency} 办理时效统计",
        f"统计期间：{report.start.isoformat()} 至 {report.end.isoformat()}（北京时间，含首尾两日）",
        f"统计时点：{local(report.now)}（北京时间；超期与剩余时间均截至此时）",
        "",
        "一、依申请公开按期答复",
        f"按期答复率：{percent(r.rate)}（按期答复 {r.on_time} 件 ÷ 已有结果 {r.decided} 件）",
        f"　按期答复 {r.on_time} 件；超期答复 {r.late} 件；超过答复期限尚未答复 {r.overdue} 件",
        f"　撤回或终止处理 {r.cancelled} 件（答复期限取消，不计入按期答复率）",
        "",
        f"二、办理用时（本期答复 {h.count} 件；工作日，不含中止计算期间）",
        f"　平均 {number(h.mean)}；中位数 {number(h.median)}；第 90 百分位 {p90}（最近秩法）",
        "",
        "三、在办申请按剩余时间（截至统计时点）",
        *(f"　{b.label}：{b.count} 件" for b in report.open_requests),
        "",
        "四、超期情况（以期限届满日计入统计期间）",
    ]
    for title, groups in (("按部门", report.by_department), ("按经办人", report.by_handler)):
        lines += [f"　{title}："] if groups else []
        lines += [
            f"　　{g.name}：{g.total} 件（依申请公开 {g.disclosure}，政务舆情 {g.incident}"
            + (f"，其他限时工作 {g.other}" if g.other else "")
            + "）"
            for g in groups
        ]
    lines += ["　明细："] if report.breaches else ["　无超期。"]
    lines += [
        f"　　{ref}｜{case_type}｜{label} 届满于 {day}，{how}｜{department}｜{handler}"
        for ref, case_type, label, day, how, department, handler in _breach_cells(report)
    ]
    lines += ["", f"五、政务舆情回应时效（本期监测发现 {report.incidents_detected} 起）"]
    lines += [
        f"　{m.label}（{m.hours} 小时）：按时 {m.within} 起，{BREACH_LABELS['late']} {m.late} 起，"
        f"{BREACH_LABELS['overdue']} {m.overdue} 起，按时率 {percent(m.share)}"
        f"（另：计时中 {m.pending} 起，调整级别后不再适用 {m.cancelled} 起）"
        for m in report.milestones
    ] or ["　本期无舆情事件。"]
    lines += ["", "六、其他限时工作（以期限届满日计入统计期间）"]
    lines += [
        f"　{o.type_label}·{o.label}（{o.amount} 个工作日）：按期 {o.on_time} 件，"
        f"超期完成 {o.late} 件，超期未完成 {o.overdue} 件，按期率 {percent(o.rate)}"
        f"（另：本期起算、计时中 {o.running} 件）"
        for o in report.other_limits
    ] or ["　无。"]
    lines += ["", "七、问责清单（政务舆情超时限，以时限届满日计入统计期间）"]
    lines += [
        f"　{ref} {title}（{grade}）｜{label} 届满 {due}，{how}，超期 {hours} 小时｜"
        f"牵头部门：{lead}｜经办人：{handler}"
        for ref, title, grade, label, due, how, hours, lead, handler in _accountability_cells(
            report
        )
    ] or ["　无。"]
    return with_note("\n".join(lines) + "\n", report.audit_note)


def timeliness_csv(report: TimelinessReport) -> bytes:
    """UTF-8 with a BOM (for spreadsheets): the summary rows, the breaches, the accountability list."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["统计范围", report.agency, f"{report.start.isoformat()}至{report.end.isoformat()}"])
    w.writerow(["统计时点", local(report.now), ""])
    w.writerow(["指标", "分类", "数值"])
    w.writerows(timeliness_rows(report))
    w.writerow([])
    w.writerow(["超期明细：编号", "类别", "期限", "届满日", "情形", "部门", "经办人"])
    w.writerows(_breach_cells(report))
    w.writerow([])
    w.writerow(
        ["问责清单：编号", "标题", "级别", "时限", "届满", "情形", "超期小时", "牵头部门", "经办人"]
    )
    w.writerows(_accountability_cells(report))
    return csv_with_note(("\ufeff" + out.getvalue()).encode("utf-8"), report.audit_note)
