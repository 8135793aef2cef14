"""``govflow report cases TYPE REPORT``: the periodic reports a declared type names (县长信箱
一日一清单、一月一汇总、一季一通报), as zh-CN text, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govflow.cli.common import JsonFlag, user_errors
from govflow.cli.report import report_app
from govflow.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from govflow.workflow.reports.periodic import PeriodicReport, Tally

FORMATS = ("text", "json", "csv")
BREACH_KINDS = {"late": "超期答复", "overdue": "超期未答复"}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _tally_line(t: Tally) -> str:
    return (
        f"{t.name}：收到 {t.received} 件，按期办结 {t.on_time} 件，超期办结 {t.late} 件，"
        f"超期未办结 {t.overdue} 件，按期率 {_percent(t.rate)}；当前在办 {t.open} 件"
    )


def periodic_text(report: PeriodicReport) -> str:
    from govflow.cli.render import local
    from govflow.workflow.reports.periodic import period_label

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
        return "\n".join(lines) + "\n"
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
    return "\n".join(lines) + "\n"


def _list_line(r: Any) -> str:
    due = f"{r.due_date.isoformat()} 24:00" if r.due_date else "—"
    cells = "｜".join(r.columns)
    return f"　{r.ref}｜{cells}｜{r.state}｜{due}｜{r.time_left or '—'}｜{r.handler}"


def periodic_json(report: PeriodicReport) -> str:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date | datetime) else str(value)

    body = asdict(report)
    body["total"]["rate"] = report.total.rate
    for group, tally in zip(body["groups"], report.groups, strict=True):
        group["rate"] = tally.rate
    return json.dumps(body, ensure_ascii=False, indent=2, default=plain) + "\n"


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
            w.writerow([t.name, t.received, t.on_time, t.late, t.overdue, _percent(t.rate), t.open])
        if report.spec.kind == "bulletin":
            w.writerow([])
            w.writerow(["超期明细：编号", "来信日期", "期限", "情形", "承办单位", "承办人"])
            for b in report.breaches:
                w.writerow([b.ref, b.received_on.isoformat(), b.due_date.isoformat(),
                            BREACH_KINDS[b.kind], b.department, b.handler])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@report_app.command("cases")
def cases(
    case_type: Annotated[str, typer.Argument(help="案件类型，如 county_mailbox")],
    report: Annotated[str, typer.Argument(help="报表名，如 daily / monthly / quarterly")],
    agency: Annotated[str, typer.Option(help="机关代码")],
    period: Annotated[
        str, typer.Option(help="统计期间：某日 2025-10-09、某月 2025-10 或某季度 2025Q4")
    ],
    include_children: Annotated[
        bool, typer.Option("--include-children", help="含下级机关")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="text / json / csv")] = "text",
    as_json: JsonFlag = False,
    output: Annotated[Path | None, typer.Option(help="写入此文件")] = None,
) -> None:
    """声明类型的定期报表（如县长信箱一日一清单、一月一汇总、一季一通报）。"""
    from govflow.app import build_services
    from govflow.workflow.report_service import case_type_report

    with user_errors():
        if fmt not in FORMATS:
            raise InvalidInput(f"--format 应为 text、json 或 csv，实为 {fmt!r}")
        fmt = "json" if as_json else fmt
        built = case_type_report(
            build_services(),
            case_type=case_type,
            report=report,
            agency_code=agency,
            period=period,
            include_children=include_children,
        )
        if fmt == "json":
            body = periodic_json(built).encode("utf-8")
        elif fmt == "csv":
            body = periodic_csv(built)
        else:
            body = periodic_text(built).encode("utf-8")
        if output is None:
            typer.echo(body.decode("utf-8"), nl=False)
            return
        try:
            output.write_bytes(body)
        except OSError as exc:
            raise InvalidInput(f"{output}: 无法写入：{exc}") from None
        typer.echo(f"已写入：{output}")
