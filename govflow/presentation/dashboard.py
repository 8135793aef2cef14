"""The supervisor's dashboard (SPEC R-2 on screen): the timeliness report's figures, each as
the rows of one table and the series of one chart, with the same numbers in both.

A row may name what it counts (``drill``: the breaches of a department or a handler, the
open requests of a time-left bucket), so a page can link from the figure to those cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govflow.presentation.text import percent
from govflow.workflow.reports.timeliness import CASE_TYPE_LABELS, TimelinessReport
from govflow.workflow.texts import BREACH_LABELS


@dataclass(frozen=True)
class FigureRow:
    label: str
    value: int
    drill: tuple[str, str] | None = None  # (group, key) of the cases this row counts


@dataclass(frozen=True)
class Figure:
    key: str  # the chart's element id
    title: str
    kind: str  # "bar" or "pie"
    unit: str
    rows: tuple[FigureRow, ...]
    summary: str = ""  # one sentence above the table (the on-time rate)

    def chart(self) -> dict[str, Any]:
        """What the page's script hands ECharts: labels and values, nothing else."""
        return {
            "kind": self.kind,
            "title": self.title,
            "unit": self.unit,
            "labels": [r.label for r in self.rows],
            "values": [r.value for r in self.rows],
        }


def figures(report: TimelinessReport) -> list[Figure]:
    r = report.replies
    on_time = Figure(
        "on-time",
        "依申请公开按期答复",
        "pie",
        "件",
        (
            FigureRow("按期答复", r.on_time),
            FigureRow("超期答复", r.late),
            FigureRow("超过答复期限尚未答复", r.overdue),
        ),
        f"按期答复率：{percent(r.rate)}（按期答复 {r.on_time} 件 ÷ 已有结果 {r.decided} 件；"
        f"撤回或终止处理 {r.cancelled} 件不计入）",
    )
    open_requests = Figure(
        "open-requests",
        "在办申请按剩余时间",
        "bar",
        "件",
        tuple(FigureRow(b.label, b.count, ("bucket", b.key)) for b in report.open_requests),
        "截至统计时点的在办依申请公开申请。",
    )
    by_department = Figure(
        "breaches-department",
        "超期情况（按部门）",
        "bar",
        "件",
        tuple(FigureRow(g.name, g.total, ("department", g.name)) for g in report.by_department),
        "以期限届满日计入统计期间；含依申请公开、政务舆情和其他限时工作。",
    )
    by_handler = Figure(
        "breaches-handler",
        "超期情况（按经办人）",
        "bar",
        "件",
        tuple(FigureRow(g.name, g.total, ("handler", g.name)) for g in report.by_handler),
        "以期限届满日计入统计期间。",
    )
    incidents = Figure(
        "incidents",
        "政务舆情回应时效（按时完成）",
        "bar",
        "起",
        tuple(FigureRow(f"{m.label}（{m.hours} 小时）", m.within) for m in report.milestones),
        "；".join(
            [f"本期监测发现 {report.incidents_detected} 起"]
            + [
                f"{m.label}按时率 {percent(m.share)}（超时完成 {m.late}，已超期未完成 {m.overdue}）"
                for m in report.milestones
            ]
        ),
    )
    return [on_time, open_requests, by_department, by_handler, incidents]


@dataclass(frozen=True)
class Drill:
    """The cases one row of a figure counts: a title, column headings, one row per case
    (its number first)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def drilled(report: TimelinessReport, group: str, key: str) -> Drill | None:
    """The cases a figure's row counts (None: no such row)."""
    if group == "bucket":
        bucket = next((b for b in report.open_requests if b.key == key), None)
        if bucket is None:
            return None
        return Drill(f"在办申请：{bucket.label}", ("编号",), tuple((ref,) for ref in bucket.refs))
    if group in ("department", "handler"):
        rows = tuple(
            (b.ref, b.type_label or CASE_TYPE_LABELS.get(b.case_type, b.case_type), b.label,
             b.breached_on.isoformat(), BREACH_LABELS[b.kind], b.department, b.handler)
            for b in report.breaches
            if getattr(b, group) == key
        )  # fmt: skip
        who = "部门" if group == "department" else "经办人"
        columns = ("编号", "类别", "期限", "届满日", "情形", "部门", "经办人")
        return Drill(f"超期情况：{who} {key}", columns, rows)
    return None
