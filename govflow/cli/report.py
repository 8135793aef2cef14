"""``govflow report annual``: tables 三 and 四 of the annual report (SPEC R-1) as Markdown, CSV or
.xlsx. ``govflow report timeliness`` lives in ``govflow.cli.timeliness``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from govflow.cli.common import user_errors
from govflow.cli.files import Force, check_target, write_output, write_with
from govflow.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from govflow.workflow.reports.annual import AnnualReport

report_app = typer.Typer(
    help="报表：政府信息公开工作年度报告、办理时效统计。", no_args_is_help=True
)

FORMATS = ("md", "csv", "xlsx")

AllowFindings = Annotated[
    bool,
    typer.Option("--allow-findings", help="机关有未核实的审计发现时仍生成（报表中注明）"),
]


def findings_note(svc: Any, agency: str, include_children: bool, allow: bool) -> str | None:
    """Refuse a report on an agency with open findings of ``audit verify`` (its rows may be
    forged: a report would publish them), unless ``--allow-findings``; then say so."""
    from govflow.cli.common import fail
    from govflow.workflow import integrity

    found = integrity.open_findings(svc, agency, include_children)
    if not found:
        return None
    refs = sorted({f.case_ref for f in found})
    scope = f"机关 {agency}" + ("（含下级机关）" if include_children else "")
    text = (
        f"{scope} 有 {len(found)} 处未核实的审计发现（涉及 {len(refs)} 件案件，如 {refs[0]}），"
        "报表数字可能不实"
    )
    if not allow:
        fail(
            f"{text}，已拒绝生成。请核实处理后重新运行 govflow audit verify，"
            "或加 --allow-findings 照常生成（报表中将注明）",
            1,
        )
    typer.echo(f"注意：{text}", err=True)
    return f"注意：{text}（按 --allow-findings 照常生成）"


def with_note(body: bytes, note: str | None, csv_rows: bool = False) -> bytes:
    """The report with the note as its first line (a CSV keeps its BOM in front)."""
    if note is None:
        return body
    bom = "\ufeff".encode()
    if body.startswith(bom):
        return bom + f"{note}\r\n".encode() + body[len(bom) :]
    return f"{note}\n\n".encode() + body


def register(app: typer.Typer) -> None:
    from govflow.cli import periodic, timeliness  # noqa: F401  (their commands join ``report_app``)

    app.add_typer(report_app, name="report")


def _header_3() -> tuple[list[str], list[str]]:
    from govflow.workflow.reports.annual import APPLICANT_COLUMNS, APPLICANT_HEADER

    return (
        ["", APPLICANT_HEADER] + [""] * 6,
        [
            "",
            *(
                group if group != "法人或其他组织" else label
                for _, label, group in APPLICANT_COLUMNS
            ),
        ],
    )


def _labels_4() -> tuple[list[str], list[str], list[str]]:
    from govflow.workflow.reports.annual import RESULTS_4, ROUTES

    groups, subs, results = [], [], []
    for _, group, sub in ROUTES:
        for _, result in RESULTS_4:
            groups.append(group)
            subs.append(sub if sub != group else "")
            results.append(result)
    return groups, subs, results


def to_markdown(report: AnnualReport) -> str:
    from govflow.workflow.reports.annual import COLUMN_LABELS, TITLE_3, TITLE_4

    lines = [f"# {report.agency} {report.year} 年度政府信息公开工作年度报告（表三、表四）", ""]
    lines += [f"格式：《{report.format_title}》（{report.format_name}）", ""]
    lines += [f"## {TITLE_3}", ""]
    org = ["法人或其他组织/" + label for label in COLUMN_LABELS[1:6]]
    header = ["本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"]
    header += [f"申请人情况/{COLUMN_LABELS[0]}", *(f"申请人情况/{o}" for o in org)]
    header += [f"申请人情况/{COLUMN_LABELS[6]}"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" + "---:|" * 7)
    for row in report.rows:
        indent = "　" * row.depth
        cells = [str(v) for v in row.values] if row.values is not None else [""] * 7
        lines.append(f"| {indent}{row.label} | " + " | ".join(cells) + " |")
    lines += ["", f"## {TITLE_4}", ""]
    groups, subs, results = _labels_4()
    head = ["/".join(p for p in parts if p) for parts in zip(groups, subs, results, strict=True)]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---:|" * len(head))
    lines.append("| " + " | ".join(str(v) for v in report.table4) + " |")
    lines += ["", *_violation_lines(report)]
    return "\n".join(lines) + "\n"


def _violation_lines(report: AnnualReport) -> list[str]:
    if not report.violations:
        return ["勾稽关系核对：一 + 二 = 三（七）总计 + 四，各列均相符。"]
    return ["**勾稽关系核对发现问题：**", *(f"- {v}" for v in report.violations)]


def to_csv(report: AnnualReport) -> bytes:
    from govflow.workflow.reports.annual import TITLE_3, TITLE_4

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([TITLE_3])
    for header in _header_3():
        w.writerow(header)
    for row in report.rows:
        w.writerow([row.label, *(row.values if row.values is not None else [""] * 7)])
    w.writerow([])
    w.writerow([TITLE_4])
    for header in _labels_4():
        w.writerow(header)
    w.writerow(list(report.table4))
    if report.violations:
        w.writerow([])
        for v in report.violations:
            w.writerow([v])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: AnnualReport, path: Path | BinaryIO, note: str | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    from govflow.workflow.reports.annual import TITLE_3, TITLE_4

    wb = Workbook()
    ws = wb.active
    ws.title = "表三"
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([TITLE_3])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    top, bottom = _header_3()
    ws.append(top)
    ws.append(bottom)
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    ws.merge_cells(start_row=2, start_column=2, end_row=2, end_column=8)
    for row in report.rows:
        ws.append([row.label, *(row.values if row.values is not None else [None] * 7)])
    for v in report.violations:
        ws.append([v])
    if note:
        ws.append([note])
    for cells in ws.iter_rows(min_row=1, max_row=3):
        for cell in cells:
            cell.alignment = center
    ws.column_dimensions["A"].width = 60

    ws4 = wb.create_sheet("表四")
    ws4.append([TITLE_4])
    ws4.merge_cells(start_row=1, start_column=1, end_row=1, end_column=15)
    groups, subs, results = _labels_4()
    # the group name once over its cells, as the format draws it
    ws4.append([g if i == 0 or groups[i - 1] != g else None for i, g in enumerate(groups)])
    ws4.append([s if i == 0 or subs[i - 1] != s else None for i, s in enumerate(subs)])
    ws4.append(results)
    ws4.merge_cells(start_row=2, start_column=1, end_row=3, end_column=5)  # 行政复议
    ws4.merge_cells(start_row=2, start_column=6, end_row=2, end_column=15)  # 行政诉讼
    ws4.merge_cells(start_row=3, start_column=6, end_row=3, end_column=10)
    ws4.merge_cells(start_row=3, start_column=11, end_row=3, end_column=15)
    ws4.append(list(report.table4))
    for cells in ws4.iter_rows(min_row=1, max_row=4):
        for cell in cells:
            cell.alignment = center
    wb.save(path)


def build_report(
    uow_factory: Callable[[], Any], agency: str, year: int, include_children: bool
) -> AnnualReport:
    """Read the rows for the agency (and those below it) and aggregate them for the year."""
    from govflow.models.reports_repo import agency_scope, annual_tallies, challenge_records
    from govflow.workflow.reports.annual import report_from_tallies

    with uow_factory() as uow:
        name, ids = agency_scope(uow.session, agency, include_children)
        tallies = annual_tallies(uow.session, ids, year)
        challenges = challenge_records(uow.session, ids)
    label = f"{name}（含下级机关）" if include_children else name
    return report_from_tallies(label, year, tallies, challenges)


@report_app.command("annual")
def annual(
    agency: Annotated[str, typer.Option(help="机关代码")],
    year: Annotated[int, typer.Option(help="报告年度")],
    include_children: Annotated[
        bool, typer.Option("--include-children", help="含下级机关")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="md / csv / xlsx")] = "md",
    output: Annotated[Path | None, typer.Option(help="输出文件（xlsx 必填）")] = None,
    force: Force = False,
    allow_findings: AllowFindings = False,
) -> None:
    """政府信息公开工作年度报告：表三（收到和处理申请情况）与表四（复议、诉讼情况）。"""
    from govflow.app import build_services

    with user_errors():
        if fmt not in FORMATS:
            raise InvalidInput(f"--format 须为 md、csv 或 xlsx，实为 {fmt!r}")
        if fmt == "xlsx" and output is None:
            raise InvalidInput("--format xlsx 须用 --output 指定文件")
        if output is not None:
            check_target(output, force)
        svc = build_services()
        note = findings_note(svc, agency, include_children, allow_findings)
        report = build_report(svc.uow, agency, year, include_children)
        for v in report.violations:
            typer.echo(f"警告：{v}", err=True)
        if fmt == "xlsx":
            assert output is not None
            write_with(output, force, lambda stream: to_xlsx(report, stream, note))
            typer.echo(f"已写入：{output}")
        elif fmt == "csv":
            data = with_note(to_csv(report), note)
            if output is None:
                typer.echo(data.decode("utf-8"), nl=False)
            else:
                write_output(output, data, force)
                typer.echo(f"已写入：{output}")
        else:
            text = with_note(to_markdown(report).encode("utf-8"), note).decode("utf-8")
            if output is None:
                typer.echo(text, nl=False)
            else:
                write_output(output, text.encode("utf-8"), force)
                typer.echo(f"已写入：{output}")
        if report.violations:
            raise typer.Exit(1)  # the tables are written anyway, with the findings in them


# -- govflow report timeliness (SPEC R-2) ----------------------------------------------------
