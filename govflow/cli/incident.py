"""``govflow incident …``: the incident's own commands — register one with named options,
list incidents by time left, the accountability list (SPEC I-1…I-5).

Showing and acting on an incident are the generic ``govflow case show`` and ``govflow case
act REF ACTION --set …``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govflow.cli.casetypes import open_and_show
from govflow.cli.common import (
    AsReader,
    AsUser,
    JsonFlag,
    build_services,
    echo_json,
    echo_lines,
    file_and_options,
    person,
    read_data_file,
    user_errors,
)

CASE_TYPE = "incident"

incident_app = typer.Typer(
    help="政务舆情：登记事件、按剩余时间列出、问责清单。", no_args_is_help=True
)


@incident_app.command("register")
def register(
    as_user: AsUser,
    file: Annotated[Path | None, typer.Option(help="事件内容 YAML/JSON 文件，- 为标准输入")] = None,
    title: Annotated[str | None, typer.Option(help="标题")] = None,
    summary: Annotated[str | None, typer.Option(help="概要")] = None,
    platform: Annotated[
        str | None, typer.Option(help="发现平台（如 微博、抖音、政府网站留言）")
    ] = None,
    link: Annotated[str | None, typer.Option(help="链接")] = None,
    detected_at: Annotated[
        str | None, typer.Option(help="监测发现时间，如 2026-02-16T22:30（默认现在）")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="话题（如 教育、食品药品、房地产）")] = None,
    lead_department: Annotated[str | None, typer.Option(help="牵头部门")] = None,
    cooperating_department: Annotated[
        list[str] | None, typer.Option(help="协同部门，可重复")
    ] = None,
    grade: Annotated[
        str | None,
        typer.Option(help="初步级别：extraordinary/major/large/general 或 特别重大/重大/较大/一般"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """登记一起政务舆情事件（自监测发现时起按小时计时，夜间、节假日照常计算）。"""
    with user_errors():
        payload = read_data_file(file) if file else {}
        file_and_options(
            payload,
            {
                "title": ("--title", title),
                "summary": ("--summary", summary),
                "platform": ("--platform", platform),
                "link": ("--link", link),
                "detected_at": ("--detected-at", detected_at),
                "topic": ("--topic", topic),
                "lead_department": ("--lead-department", lead_department),
                "cooperating_departments": (
                    "--cooperating-department",
                    cooperating_department or None,
                ),
                "grade": ("--grade", grade),
            },
            CASE_TYPE,
        )
        open_and_show(
            CASE_TYPE,
            as_user,
            payload,
            as_json,
            lambda detail: f"，{detail.data[CASE_TYPE]['grade_label']}",
        )


@incident_app.command("list")
def list_incidents(
    as_user: AsReader,
    agency: Annotated[str | None, typer.Option(help="机关代码")] = None,
    include_children: Annotated[
        bool, typer.Option("--include-children", help="连同下级机关")
    ] = False,
    limit: Annotated[int, typer.Option(help="每页条数")] = 50,
    after: Annotated[str | None, typer.Option(help="从上一页给出的位置继续")] = None,
    as_json: JsonFlag = False,
) -> None:
    """列出未归档的舆情事件，最紧迫的时限在前（同 case list --type incident）。"""
    from govflow.presentation.cases import page_json, page_lines
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        filters = services.CaseFilter(
            case_type=CASE_TYPE, agency=agency, include_children=include_children
        )
        page = services.list_cases(svc, person(svc, as_user), filters, after=after, limit=limit)
        if as_json:
            echo_json(page_json(page))
        else:
            echo_lines(page_lines(page))


@incident_app.command("accountability")
def accountability_list(
    as_user: AsReader,
    agency: Annotated[str | None, typer.Option(help="机关代码")] = None,
    include_children: Annotated[
        bool, typer.Option("--include-children", help="连同下级机关")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """问责清单：超过回应时限或督办时限的事件，附时限届满时的牵头部门与经办人。"""
    from govflow.presentation.accountability import accountability_json, accountability_lines
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        entries = services.accountability(svc, person(svc, as_user), agency, include_children)
        if as_json:
            echo_json(accountability_json(entries))
        else:
            echo_lines(accountability_lines(entries))


def register_commands(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")
