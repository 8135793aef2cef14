"""``govflow notices check | upload | list | remove``: the notice templates (issue 13 item 1).

``check`` reads the template files (the office's directory, its agencies' directories);
``upload`` stores a template for one agency (``--agency``) or for all, checked first as a
file is, by an administrator, recorded in the security log; ``remove`` goes back to the
default. Parse and render only: the rules are ``govflow.workflow.services.templates``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govflow.cli.common import (
    AsUser,
    JsonFlag,
    build_services,
    cli_principal,
    echo_json,
    read_input,
    user_errors,
)

notices_app = typer.Typer(help="告知书模板：检查、上传、列出、删除。", no_args_is_help=True)

Agency = Annotated[
    str | None, typer.Option("--agency", help="机关代码；不填：全部机关（本系统默认）")
]


def register(app: typer.Typer) -> None:
    app.add_typer(notices_app, name="notices")


@notices_app.command("check")
def check_templates(as_json: JsonFlag = False) -> None:
    """检查全部告知书模板文件（本机关及各机关模板目录优先）：占位符与语法；有误时退出码为 2。"""
    from govflow.app import check_notice_templates

    with user_errors():
        count, own = check_notice_templates()
        if as_json:
            echo_json({"templates": count, "own": own})
            return
        typer.echo(f"告知书模板检查通过：{count} 个（其中本机关模板 {own} 个）。")


@notices_app.command("upload")
def upload(
    kind: Annotated[str, typer.Argument(help="告知书种类，如 correction")],
    file: Annotated[Path, typer.Argument(help="模板文件（.docx）")],
    as_user: AsUser,
    agency: Agency = None,
    as_json: JsonFlag = False,
) -> None:
    """上传告知书模板（系统管理员）：先检查占位符与语法，通过后立即对新告知书生效。"""
    from govflow.workflow.services import TemplateUpload, template_words, upload_template

    with user_errors():
        content = read_input(file)
        svc = build_services()
        by = cli_principal(svc, as_user)
        stored = upload_template(svc, by, TemplateUpload(kind, content, agency, file.name))
        if as_json:
            echo_json(stored.to_json())
            return
        words = template_words(svc, by)
        typer.echo(
            f"已上传{words.kind(kind)}模板（{kind}，{words.agency(agency)}）：{file.name}，"
            f"SHA-256 {stored.sha256[:12]}…，编号 {stored.id}。"
        )


@notices_app.command("list")
def listing(
    as_user: AsUser,
    include_inactive: Annotated[
        bool, typer.Option("--all", help="包括已被替换或删除的模板")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """列出已上传的告知书模板（系统管理员）。"""
    from govflow.workflow.clock import local_minute
    from govflow.workflow.services import list_templates, template_words

    with user_errors():
        svc = build_services()
        by = cli_principal(svc, as_user)
        found = list_templates(svc, by, include_inactive)
        if as_json:
            echo_json([u.to_json() for u in found])
            return
        if not found:
            typer.echo("没有上传的告知书模板（使用模板目录或系统自带的模板）。")
            return
        words = template_words(svc, by, {u.uploaded_by for u in found})
        # Names to read; the codes ``remove KIND --agency CODE`` takes back stay beside them.
        typer.echo("编号  告知书（种类代码）  机关（代码）  状态  文件  上传人 上传时间")
        for u in found:
            state = "生效" if u.active else "已停用"
            agency = words.agency(u.agency_code)
            where = f"{agency}（{u.agency_code}）" if u.agency_code else agency
            typer.echo(
                f"{u.id}  {words.kind(u.kind)}（{u.kind}）  {where}  {state}  "
                f"{u.filename or ''}  {words.person(u.uploaded_by)} {local_minute(u.uploaded_at)}"
            )


@notices_app.command("remove")
def remove(
    kind: Annotated[str, typer.Argument(help="告知书种类")],
    as_user: AsUser,
    agency: Agency = None,
    as_json: JsonFlag = False,
) -> None:
    """删除上传的告知书模板：该机关的新告知书恢复使用默认模板。"""
    from govflow.workflow.services import remove_template, template_words

    with user_errors():
        svc = build_services()
        by = cli_principal(svc, as_user)
        removed = remove_template(svc, by, kind, agency)
        if as_json:
            echo_json(removed.to_json())
            return
        words = template_words(svc, by)
        typer.echo(
            f"已删除为{words.agency(agency)}上传的{words.kind(kind)}模板（{kind}），恢复默认模板。"
        )
