"""``govflow import requests FILE``: an office's spreadsheet of past requests into govflow.

Parse and render only: the file's bytes are read into a sheet (``presentation.import_sheet``),
the sheet goes to the service layer's ``import_requests`` (checked, played through the rules,
written in one transaction or not at all); this prints what happened.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

from govflow.cli.common import AsUser, JsonFlag, cli_principal, read_input, user_errors
from govflow.workflow.errors import InvalidInput
from govflow.workflow.validation import file_problem

import_app = typer.Typer(help="导入：本机关启用 govflow 之前的办件台账。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


def _progress(stage: str, done: int, total: int) -> None:
    typer.echo(f"{stage}：{done}/{total} 行", err=True)


@import_app.command("requests")
def requests(
    file: Annotated[
        Path, typer.Argument(help="台账文件（.xlsx 或 .csv）；与 --template 同用时为要写出的模板")
    ],
    as_user: AsUser,
    template: Annotated[
        bool, typer.Option("--template", help="写出带表头和填写说明的空白模板")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """导入依申请公开台账：每行一件申请，连同补正、延长、答复、复议诉讼记录。"""
    from govflow.presentation.import_sheet import read_sheet, result_json, result_lines
    from govflow.presentation.import_sheet import template as blank

    with user_errors():
        if template:
            body = blank(file.name)
            try:
                file.write_bytes(body)
            except OSError as exc:
                raise InvalidInput(f"{file}: 无法写入：{file_problem(exc, '写入')}") from None
            typer.echo(f"已写出模板：{file}")
            return
        data = read_input(file)
        from govflow.app import build_services
        from govflow.workflow.services import import_requests

        svc = build_services()
        result = import_requests(
            svc,
            principal=cli_principal(svc, as_user),
            sheet=read_sheet(data, file.name),
            file_name=file.name,
            sha256=hashlib.sha256(data).hexdigest(),
            progress=_progress,
        )
        if as_json:
            typer.echo(result_json(result))
        elif not result.problems:
            for line in result_lines(result):
                typer.echo(line)
        if result.problems:
            for problem in result.problems:
                typer.echo(str(problem), err=True)
            raise InvalidInput(
                f"{file.name} 有 {len(result.problems)} 处问题（见上），未导入任何数据"
            )
