"""``govflow calendar import FILE --as ADMIN`` and ``govflow calendar files``: the working-day
calendar kept in the database (issue 10). Parse and render only: the file's bytes go to the
service layer's ``import_calendar`` (checked whole, written with its security-log entry,
then the open deadlines recomputed); this prints what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govflow.cli.common import (
    AsReader,
    AsUser,
    JsonFlag,
    build_services,
    cli_principal,
    echo_json,
    person,
    read_input,
    user_errors,
)
from govflow.workflow.clock import SHANGHAI

PROGRESS_EVERY = 200  # cases; a long recompute says how far it is


def progress(done: int, total: int) -> None:
    if total >= PROGRESS_EVERY and (done % PROGRESS_EVERY == 0 or done == total):
        typer.echo(f"重新计算期限：{done}/{total} 件", err=True)


def register(calendar_app: typer.Typer) -> None:
    calendar_app.command("import")(import_file)
    calendar_app.command("files")(files)


def import_file(
    file: Annotated[
        Path, typer.Argument(help="日历文件：YYYY.yaml（年度节假日安排）或 名称.yaml（闭馆日）")
    ],
    as_user: AsUser,
    as_json: JsonFlag = False,
) -> None:
    """导入日历文件到数据库（系统管理员），并按新日历重新计算未办结案件的期限。"""
    from govflow.presentation.calendar import import_json, import_lines
    from govflow.workflow import services

    with user_errors():
        data = read_input(file)
        svc = build_services()
        done = services.import_calendar(
            svc, cli_principal(svc, as_user), file.name, data, progress=progress
        )
        if as_json:
            echo_json(import_json(done))
            return
        for line in import_lines(done):
            typer.echo(line)


def files(as_user: AsReader, as_json: JsonFlag = False) -> None:
    """列出数据库中在用的日历文件（每个文件最近一次导入的版本）。"""
    from govflow.presentation.calendar import file_json
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        person(svc, as_user)  # an active account (or system) reads it
        found = services.calendar_files(svc)
        if as_json:
            echo_json([file_json(f) for f in found])
            return
        for f in found:
            typer.echo(
                f"{f.name}  {f.year} 年  导入编号 {f.id}  {f.imported_by}  "
                f"{f.imported_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}  SHA-256 {f.sha256[:12]}…"
            )
        typer.echo(f"共 {len(found)} 个日历文件在用。")
