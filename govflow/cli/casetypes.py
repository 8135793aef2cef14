"""Commands that work for every case type (SPEC X-1): ``govflow case open TYPE`` and
``govflow workflow list | diagram TYPE`` (Mermaid or Graphviz dot, from the declaration) |
``actions [TYPE]`` (each action's roles, states and fields; ``docs/actions.md``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govflow.cli.common import (
    AsUser,
    JsonFlag,
    build_services,
    check_choice,
    cli_principal,
    echo_json,
    echo_lines,
    file_and_sets,
    user_errors,
)

if TYPE_CHECKING:
    from govflow.workflow.services import CaseDetail

workflow_app = typer.Typer(help="案件类型：列表、状态图、动作与字段。", no_args_is_help=True)


def open_case(
    case_type: Annotated[str, typer.Argument(help="案件类型，如 online_message、incident")],
    as_user: AsUser,
    set_: Annotated[list[str] | None, typer.Option("--set", help="字段=值，可重复")] = None,
    file: Annotated[Path | None, typer.Option(help="登记内容 YAML/JSON 文件，- 为标准输入")] = None,
    as_json: JsonFlag = False,
) -> None:
    """登记任一类型的案件（字段见该类型的声明 configs/case_types/TYPE.yaml）。"""
    with user_errors():
        payload = file_and_sets(file, set_)
        open_and_show(case_type, as_user, payload, as_json)


def open_and_show(
    case_type: str,
    as_user: str,
    payload: dict[str, Any],
    as_json: bool,
    describe: Callable[[CaseDetail], str] = lambda detail: "",
) -> None:
    """Open a case in the user's agency and print it; ``describe`` adds to the state (a grade)."""
    from govflow.presentation.cases import case_json
    from govflow.presentation.text import deadline_line
    from govflow.workflow import services

    svc = build_services()
    principal = cli_principal(svc, as_user)
    actor = principal.as_actor()
    ref = services.open_case(
        svc,
        case_type=case_type,
        agency_code=actor.agency_code or "",
        principal=principal,
        payload=payload,
    )
    detail = services.case_detail(svc, actor, ref)
    if as_json:
        echo_json(case_json(detail))
        return
    typer.echo(f"已登记：{ref}（{detail.header.state_label}{describe(detail)}）")
    for d in detail.deadlines:
        typer.echo("  " + deadline_line(d))


@workflow_app.command("diagram")
def diagram(
    case_type: Annotated[str, typer.Argument(help="案件类型，如 disclosure_request")],
    fmt: Annotated[str, typer.Option("--format", help="mermaid 或 dot")] = "mermaid",
    as_json: JsonFlag = False,
) -> None:
    """输出案件类型的状态图（由声明文件生成，与引擎所用为同一份定义）。"""
    from govflow.workflow import services

    with user_errors():
        drawn = services.diagram(build_services(), case_type, fmt)
        if as_json:
            echo_json({"case_type": case_type, "format": fmt, "diagram": drawn})
            return
        typer.echo(drawn)


@workflow_app.command("actions")
def actions(
    case_type: Annotated[
        str | None, typer.Argument(help="案件类型，如 disclosure_request（默认全部类型）")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text 或 md")] = "text",
    as_json: JsonFlag = False,
) -> None:
    """列出案件类型的每个动作：中文名称、可执行的角色与状态、字段（类型、是否必填、限制）。"""
    from govflow.app import load_config
    from govflow.presentation.actions import actions_json, actions_markdown, actions_text
    from govflow.workflow import services

    with user_errors():
        check_choice("--format", fmt, ("text", "md"))
        # The declarations and input models alone: no database needed.
        types = services.actions(load_config(), case_type)
        if as_json:
            echo_json(actions_json(types))
        elif fmt == "md":
            typer.echo(actions_markdown(types), nl=False)
        else:
            echo_lines(actions_text(types))


@workflow_app.command("list")
def list_types(as_json: JsonFlag = False) -> None:
    """列出已声明的案件类型。"""
    from govflow.workflow import services

    with user_errors():
        rows = services.case_types(build_services())
        if as_json:
            echo_json([row.__dict__ for row in rows])
            return
        for row in rows:
            typer.echo(f"{row.name}　{row.label}　{row.source}（{row.engine}）")


def register(app: typer.Typer, case_app: typer.Typer) -> None:
    case_app.command("open")(open_case)
    app.add_typer(workflow_app, name="workflow")
