"""The periodic reports a declared type names (县长信箱 一日一清单、一月一汇总、一季一通报) as
zh-CN text, JSON and CSV (UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from govflow.presentation.text import (
    csv_with_note,
    json_with_note,
    local,
    percent,
    to_json,
    with_note,
)
from govflow.workflow.reports.periodic import PeriodicReport, Tally, period_label

FORMATS = ("text", "json", "csv")
BREACH_KINDS = {"late": "超期答复", "overdue": "超期未答复"}


def _tally_line(t: Tally) -> str:
    return (
        f"{t.name}：收到 {t.received} 件，按期办结 {t.on_time} 件，超期办结 {t.late} 件，"
        f"超期未办结 {t.overdue} 件，按期率 {percent(t.rate)}；当前在办 {t.open} 件"
    )


def periodic_text(report: PeriodicReport) -> str:
    spec = report.spec
    head = [
        f"{report.agency} {spec.label}",
        f"统计期间：{period_label(spec, report.start, report.end)}"
        f"（{report.start.isoformat()} 至 {report.end.isoformat()}，北京时间）",
        f"统计时点：{local(report.now)}",
        "",
    ]
    lines = list(head)
    if spec.kind == "list":
        columns = "｜".join(report.column_labels)
        lines.append(f"一、本期收到 {len(report.received)} 件（编号｜{columns}｜状态｜期限｜剩余）")
        lines += [_list_line(r) for r in report.received] or ["　无。"]
        lines += ["", f"二、在办 {len(report.open_cases)} 件（期限最近的在前）"]
        lines += [_list_line(r) for r in report.open_cases] or ["　无。"]
        return with_note("\n".join(lines) + "\n", report.audit_note)
    lines.append("一、总体情况")
    lines.append("　" + _tally_line(report.total))
    if report.groups:
        lines += ["", "二、分类情况"]
        lines += ["　" + _tally_line(t) for t in report.groups]
    if spec.kind == "bulletin":
        lines += ["", "三、通报：超期情况（以期限届满日计入统计期间）"]
        if not report.breaches:
            lines.append("　本期无超期。")
        lines += [f"　按承办单位：{name} {n} 件" for name, n in report.by_department]
        lines += [f"　按承办人：{name} {n} 件" for name, n in report.by_handler]
        lines += [
            f"　{b.ref}｜来信 {b.received_on.isoformat()}｜期限 {b.due_date.isoformat()}｜"
            f"{BREACH_KINDS[b.kind]}｜{b.department}｜{b.handler}"
            for b in report.breaches
        ]
    return with_note("\n".join(lines) + "\n", report.audit_note)


def _list_line(r: Any) -> str:
    due = f"{r.due_date.isoformat()} 24:00" if r.due_date else "—"
    cells = "｜".join(r.columns)
    return f"　{r.ref}｜{cells}｜{r.state}｜{due}｜{r.time_left or '—'}｜{r.handler}"


def periodic_json(report: PeriodicReport) -> str:
    body = json_with_note(asdict(report))
    body["total"]["rate"] = report.total.rate
    for group, tally in zip(body["groups"], report.groups, strict=True):
        group["rate"] = tally.rate
    return to_json(body) + "\n"


def periodic_csv(report: PeriodicReport) -> bytes:
    """UTF-8 with a BOM: the list's rows, or the tallies and the breaches."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([report.spec.label, report.agency, report.start.isoformat(), report.end.isoformat()])
    if report.spec.kind == "list":
        w.writerow(["类别", "编号", *report.column_labels, "状态", "期限", "剩余", "承办人"])
        for section, rows in (("本期收到", report.received), ("在办", report.open_cases)):
            for r in rows:
                due = r.due_date.isoformat() if r.due_date else ""
                w.writerow([section, r.ref, *r.columns, r.state, due, r.time_left, r.handler])
    else:
        w.writerow(["分类", "收到", "按期办结", "超期办结", "超期未办结", "按期率", "在办"])
        for t in [report.total, *report.groups]:
            w.writerow([t.name, t.received, t.on_time, t.late, t.overdue, percent(t.rate), t.open])
        if report.spec.kind == "bulletin":
            w.writerow([])
            w.writerow(["超期明细：编号", "来信日期", "期限", "情形", "承办单位", "承办人"])
            for b in report.breaches:
                w.writerow([b.ref, b.received_on.isoformat(), b.due_date.isoformat(),
                            BREACH_KINDS[b.kind], b.department, b.handler])  # fmt: skip
    return csv_with_note(("\ufeff" + out.getvalue()).encode("utf-8"), report.audit_note)
