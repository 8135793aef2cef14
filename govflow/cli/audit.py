"""``govflow audit show``: a case's timeline with the deadlines at each step (A-3).

The chain checks of the same group (``verify``, ``checkpoint``, ``checkpoint-check``, A-2)
are in ``govflow.cli.integrity``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from govflow.cli import integrity
from govflow.cli.common import (
    AsReader,
    JsonFlag,
    build_services,
    check_choice,
    clock_note,
    person,
    user_errors,
)
from govflow.cli.files import Force, check_target, write_output
from govflow.workflow.errors import InvalidInput

audit_app = typer.Typer(
    help="审计：案件时间线、历史记录哈希链校验、链头检查点。", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    integrity.register(audit_app)
    app.add_typer(audit_app, name="audit")


@audit_app.command("show")
def show(
    ref: str,
    as_user: AsReader,
    format_: Annotated[str, typer.Option("--format", help="text / json / csv")] = "text",
    output: Annotated[Path | None, typer.Option("--output", help="写入此文件")] = None,
    force: Force = False,
    as_json: JsonFlag = False,
) -> None:
    """案件完整时间线：每个事件的时间、操作人、动作、状态变化及当时的各项期限。

    案件有未消除的审计发现时：文本在开头注明（同 case show）；CSV 在末列“审计发现”
    注明于相应事件的各行，并在标准错误输出提示；JSON 见 open_findings。"""
    from govflow.presentation.cases import finding_line
    from govflow.presentation.timeline import timeline_csv, timeline_json, timeline_text
    from govflow.workflow import services

    with user_errors():
        check_choice("--format", format_, ("text", "json", "csv"))
        if as_json and format_ == "csv":
            raise InvalidInput("--json 与 --format csv 不能同时使用")
        format_ = "json" if as_json else format_
        if output is not None:
            check_target(output, force)
        svc = build_services()
        timeline = services.case_timeline(svc, person(svc, as_user), ref)
        data = timeline_json(timeline)
        if format_ == "json":
            body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        elif format_ == "csv":
            body = timeline_csv(data)
            # The sheet carries them in its 审计发现 column; whoever exports it is told now.
            for finding in timeline.findings:
                typer.echo(finding_line(finding) + "（CSV 中见“审计发现”列）", err=True)
        else:
            note = clock_note(svc)
            body = (note + "\n" if note else "") + timeline_text(data)
        if output is None:
            typer.echo(body, nl=False)
            return
        write_output(output, body.encode("utf-8"), force)
        typer.echo(f"已导出 {len(timeline.entries)} 个事件：{output}", err=True)
