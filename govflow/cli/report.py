"""``govflow report annual | timeliness | cases``: the annual report's tables 三 and 四 (SPEC
R-1) as Markdown, CSV or .xlsx; the timeliness statistics (R-2) and a declared type's periodic
reports (县长信箱 一日一清单、一月一汇总、一季一通报) as text, JSON or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govflow.cli.common import (
    AsReader,
    JsonFlag,
    build_services,
    check_choice,
    parse_date,
    person,
    user_errors,
    write_or_print,
)
from govflow.cli.files import Force, check_target, write_with
from govflow.workflow.errors import InvalidInput

report_app = typer.Typer(
    help="报表：政府信息公开工作年度报告、办理时效统计。", no_args_is_help=True
)

IncludeChildren = Annotated[bool, typer.Option("--include-children", help="含下级机关")]
AllowFindings = Annotated[
    bool,
    typer.Option("--allow-findings", help="机关有未核实的审计发现时仍生成（报表中注明）"),
]


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


@report_app.command("annual")
def annual(
    as_user: AsReader,
    agency: Annotated[str, typer.Option(help="机关代码")],
    year: Annotated[int, typer.Option(help="报告年度")],
    include_children: IncludeChildren = False,
    fmt: Annotated[str, typer.Option("--format", help="md / csv / xlsx")] = "md",
    output: Annotated[Path | None, typer.Option(help="输出文件（xlsx 必填）")] = None,
    force: Force = False,
    allow_findings: AllowFindings = False,
    as_json: JsonFlag = False,
) -> None:
    """政府信息公开工作年度报告：表三（收到和处理申请情况）与表四（复议、诉讼情况）。"""
    from govflow.presentation.annual import FORMATS, to_csv, to_json, to_markdown, to_xlsx
    from govflow.presentation.text import to_json as json_text
    from govflow.workflow import services

    with user_errors():
        if fmt not in FORMATS:
            raise InvalidInput(f"--format 须为 md、csv 或 xlsx，实为 {fmt!r}")
        if as_json and fmt != "md":
            raise InvalidInput(f"--json 与 --format {fmt} 不能同时使用")
        if fmt == "xlsx" and output is None:
            raise InvalidInput("--format xlsx 须用 --output 指定文件")
        if output is not None:
            check_target(output, force)  # before any work
        svc = build_services()
        report = services.annual_report(
            svc,
            person(svc, as_user),
            agency=agency,
            year=year,
            include_children=include_children,
            allow_findings=allow_findings,
        )
        _warn(report.audit_note)
        for v in report.violations:
            typer.echo(f"警告：{v}", err=True)
        if as_json:
            write_or_print((json_text(to_json(report)) + "\n").encode("utf-8"), output, force)
        elif fmt == "xlsx":
            assert output is not None
            write_with(output, force, lambda stream: to_xlsx(report, stream))
            typer.echo(f"已写入：{output}")
        elif fmt == "csv":
            write_or_print(to_csv(report), output, force)
        else:
            write_or_print(to_markdown(report).encode("utf-8"), output, force)
        if report.violations:
            raise typer.Exit(1)  # the tables are written anyway, with the findings in them


@report_app.command("timeliness")
def timeliness(
    as_user: AsReader,
    agency: Annotated[str, typer.Option(help="机关代码")],
    start: Annotated[str, typer.Option("--from", help="统计起始日（北京时间，含），如 2025-09-01")],
    end: Annotated[str, typer.Option("--to", help="统计截止日（北京时间，含），如 2025-09-30")],
    include_children: IncludeChildren = False,
    fmt: Annotated[str, typer.Option("--format", help="text / json / csv")] = "text",
    as_json: JsonFlag = False,
    output: Annotated[Path | None, typer.Option(help="写入此文件")] = None,
    force: Force = False,
    allow_findings: AllowFindings = False,
) -> None:
    """办理时效统计：按期答复率、办理用时、在办剩余时间、超期（按部门与经办人）、舆情回应时效。"""
    from govflow.presentation.timeliness import (
        FORMATS,
        timeliness_csv,
        timeliness_json,
        timeliness_text,
    )
    from govflow.workflow import services

    with user_errors():
        check_choice("--format", fmt, FORMATS)
        if as_json and fmt not in ("text", "json"):
            raise InvalidInput("--json 与 --format csv 不能同时使用")
        fmt = "json" if as_json else fmt
        first, last = parse_date("--from", start), parse_date("--to", end)
        assert first is not None and last is not None
        if first > last:
            raise InvalidInput(f"--from {first.isoformat()} 晚于 --to {last.isoformat()}")
        if output is not None:
            check_target(output, force)
        svc = build_services()
        report = services.timeliness_report(
            svc,
            person(svc, as_user),
            agency=agency,
            start=first,
            end=last,
            include_children=include_children,
            allow_findings=allow_findings,
        )
        _warn(report.audit_note)
        if fmt == "json":
            body = timeliness_json(report).encode("utf-8")
        elif fmt == "csv":
            body = timeliness_csv(report)
        else:
            body = timeliness_text(report).encode("utf-8")
        write_or_print(body, output, force)


@report_app.command("cases")
def cases(
    case_type: Annotated[str, typer.Argument(help="案件类型，如 county_mailbox")],
    report: Annotated[str, typer.Argument(help="报表名，如 daily / monthly / quarterly")],
    as_user: AsReader,
    agency: Annotated[str, typer.Option(help="机关代码")],
    period: Annotated[
        str, typer.Option(help="统计期间：某日 2025-10-09、某月 2025-10 或某季度 2025Q4")
    ],
    include_children: IncludeChildren = False,
    fmt: Annotated[str, typer.Option("--format", help="text / json / csv")] = "text",
    as_json: JsonFlag = False,
    output: Annotated[Path | None, typer.Option(help="写入此文件")] = None,
    force: Force = False,
    allow_findings: AllowFindings = False,
) -> None:
    """声明类型的定期报表（如县长信箱一日一清单、一月一汇总、一季一通报）。"""
    from govflow.presentation.periodic import (
        FORMATS,
        periodic_csv,
        periodic_json,
        periodic_text,
    )
    from govflow.workflow import services

    with user_errors():
        check_choice("--format", fmt, FORMATS)
        fmt = "json" if as_json else fmt
        if output is not None:
            check_target(output, force)
        svc = build_services()
        built = services.periodic_report(
            svc,
            person(svc, as_user),
            case_type=case_type,
            report=report,
            agency=agency,
            period=period,
            include_children=include_children,
            allow_findings=allow_findings,
        )
        _warn(built.audit_note)
        if fmt == "json":
            body = periodic_json(built).encode("utf-8")
        elif fmt == "csv":
            body = periodic_csv(built)
        else:
            body = periodic_text(built).encode("utf-8")
        write_or_print(body, output, force)


def _warn(note: str | None) -> None:
    """A report drawn despite open audit findings says so on stderr too (and in itself)."""
    if note:
        typer.echo(note, err=True)
