"""``govflow import requests FILE``: an office's spreadsheet of past requests into govflow.

Parse and render only: the file's bytes go to ``workflow.imports`` (read, checked, played
through the rules, written in one transaction or not at all); this prints what happened.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from govflow.cli.common import AsUser, JsonFlag, cli_principal, user_errors
from govflow.workflow.errors import InvalidInput

if TYPE_CHECKING:
    from govflow.workflow.imports.service import ImportResult

import_app = typer.Typer(help="导入：本机关启用 govflow 之前的办件台账。", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


def _progress(stage: str, done: int, total: int) -> None:
    typer.echo(f"{stage}：{done}/{total} 行", err=True)


def result_text(result: ImportResult) -> list[str]:
    lines = [f"文件：{result.file_name}（SHA-256 {result.sha256}），共 {result.rows} 行。"]
    if result.ignored_headers:
        lines.append(f"已忽略不认识的列：{'、'.join(result.ignored_headers)}")
    if result.created:
        years: dict[str, int] = {}
        for _, ref in result.created:
            year = ref.split("〔", 1)[1][:4]
            years[year] = years.get(year, 0) + 1
        per_year = "，".join(f"{y} 年 {n} 件" for y, n in sorted(years.items()))
        lines.append(f"已导入 {len(result.created)} 件（{per_year}；各行编号见 --json）。")
    if result.skipped:
        lines.append(f"已导入过、本次跳过 {len(result.skipped)} 件：")
        lines += [f"  第 {line} 行 → {ref}" for line, ref in result.skipped]
    if not result.created and not result.skipped:
        lines.append("没有可导入的行。")
    if result.findings:
        lines.append(
            f"与法定期限不符之处 {len(result.findings)} 处（已照原台账记录，并记入案件历史）："
        )
        lines += [f"  {f}" for f in result.findings]
    return lines


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
    from govflow.workflow.imports.sheet import read_sheet
    from govflow.workflow.imports.sheet import template as blank

    with user_errors():
        if template:
            body = blank(file.name)
            try:
                file.write_bytes(body)
            except OSError as exc:
                raise InvalidInput(f"{file}: 无法写入：{exc}") from None
            typer.echo(f"已写出模板：{file}")
            return
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{file}: 无法读取：{exc}") from None
        from govflow.app import build_services
        from govflow.workflow.imports.service import import_requests

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
            body = asdict(result)
            for key in ("problems", "findings"):
                body[key] = [
                    {**p, "text": str(obj)}
                    for p, obj in zip(body[key], getattr(result, key), strict=True)
                ]
            typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        elif not result.problems:
            for line in result_text(result):
                typer.echo(line)
        if result.problems:
            for problem in result.problems:
                typer.echo(str(problem), err=True)
            raise InvalidInput(
                f"{file.name} 有 {len(result.problems)} 处问题（见上），未导入任何数据"
            )
