"""The ``govflow`` command: every use case, for people (zh-CN text) and scripts (``--json``).

A front end like the HTTP API and the web pages to come: it parses arguments, calls the
service layer (``govflow.workflow.services``) and renders what it returns with the shared
writers (``govflow.presentation``). No SQL, no ORM row, no rule lives here. Every command
that acts or reads names its person with ``--as USER``.

Environment: ``GOVFLOW_DATABASE_URL`` selects the database (a SQLite file ``govflow.db`` by
default), ``GOVFLOW_NOW`` pins the clock (T-5). Errors print one line ``错误：…`` on stderr
(a mistake on the command line itself a second, ``查看用法：govflow … --help``: ``usage.py``);
exit codes: 2 bad input (the command line, a file, a value), 3 action not allowed, 4 not
found (or not permitted to read), 5 conflict, 1 audit findings, 70 internal error.

May import: ``govflow.app`` (the composition root), ``govflow.workflow.services`` and the
domain's types, ``govflow.presentation``, ``govflow.demo``, ``govflow.synth``,
``govflow.workers`` (to run them); never ``govflow.models``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

# Typer formats help and errors with Rich when it is installed, and importing it costs
# about a second of every command's start (rich.traceback, markdown); govflow writes its
# own one-line errors and plain help, so Typer is told to stay plain (issue 17, item 5).
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # after the setting above, which Typer reads on import

from govflow.cli import (
    agencies,
    audit,
    calendars,
    casetypes,
    deadline,
    documents,
    generate,
    imports,
    incident,
    notices,
    report,
    request,
    serve,
    tokens,
    users,
    workers,
)
from govflow.cli.common import (
    AsReader,
    AsUser,
    JsonFlag,
    build_services,
    check_arguments,
    cli_principal,
    clock_note,
    echo_json,
    echo_lines,
    exit_code,
    file_and_sets,
    guard_standard_streams,
    internal_error,
    parse_date,
    person,
    user_errors,
)
from govflow.cli.files import Force
from govflow.workflow.errors import GovflowError

# The database, ORM and service modules are imported inside the commands that need them:
# ``govflow deadline`` is a calculator clerks run often, and should start in a blink.

app = typer.Typer(
    help="govflow：政府信息公开申请与政务舆情的期限管理。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # a person sees one 错误 line, never a traceback
)
case_app = typer.Typer(help="案件：办理、查看、列出。", no_args_is_help=True)
calendar_app = typer.Typer(
    help="工作日历：导入节假日安排与闭馆日（存于数据库），重新计算期限。", no_args_is_help=True
)
app.add_typer(case_app, name="case")
app.add_typer(calendar_app, name="calendar")
deadline.register(app)
audit.register(app)
workers.register(app)
casetypes.register(app, case_app)
documents.register(case_app)
notices.register(app)
incident.register_commands(app)
request.register_commands(app)
report.register(app)
generate.register(app)
serve.register(app)
imports.register(app)
users.register(app)
tokens.register(app)
agencies.register(app)
calendars.register(calendar_app)


NO_LOGGING = frozenset({"deadline"})
"""Commands that write no log line: the calculator answers without importing structlog."""


@app.callback()
def _setup(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand in NO_LOGGING:
        return
    from govflow.logs import configure_logging

    configure_logging()


@app.command()
def init(
    org: Annotated[Path | None, typer.Option(help="机关与用户的 YAML 文件")] = None,
    as_json: JsonFlag = False,
) -> None:
    """初始化数据库（执行迁移），并可导入机关与用户；首次运行时创建系统管理员。"""
    from govflow.app import check_installation, check_notice_templates, prepare_database
    from govflow.cli.common import announce_admin, operator

    with user_errors():
        check_installation()  # the mode, the settings and the chain key, before anything
        check_notice_templates()  # a bad template stops here, naming its file and place
        # The organisation file's changes go to the security log as the operator's.
        url, done = prepare_database(org, by=operator())
        if as_json:
            admin = None
            from govflow.workflow.services import bootstrap_admin

            created = bootstrap_admin(build_services())
            if created is not None:
                admin = {"username": created[0], "one_time_password": created[1]}
            echo_json(
                {
                    "database": url,
                    "agencies": done.agencies if done is not None else None,
                    "users": done.users if done is not None else None,
                    "administrator": admin,
                }
            )
            return
        typer.echo(f"数据库已就绪：{url}")
        if done is not None:
            typer.echo(
                f"已导入 {done.agencies} 个机关、{done.users} 个用户"
                f"（新增 {done.added}，变更 {done.updated}，停用 {done.deactivated}，"
                f"恢复 {done.reactivated}）。"
            )
        announce_admin(build_services())


@case_app.command("act")
def act(
    ref: str,
    action: str,
    as_user: AsUser,
    set_: Annotated[list[str] | None, typer.Option("--set", help="字段=值，可重复")] = None,
    file: Annotated[Path | None, typer.Option(help="动作数据 YAML/JSON 文件")] = None,
    as_json: JsonFlag = False,
) -> None:
    """对案件执行一个动作（如 accept、extend、draft_reply、approve_reply）。"""
    from govflow.presentation.documents import issued_lines
    from govflow.presentation.text import deadline_line, fields_text
    from govflow.workflow import services

    with user_errors():
        payload = file_and_sets(file, set_)
        svc = build_services()
        principal = cli_principal(svc, as_user)
        event = services.act(svc, ref=ref, action=action, payload=payload, principal=principal)
        if as_json:
            echo_json(
                {
                    "ref": ref,
                    "seq": event.seq,
                    "action": action,
                    "state_before": event.state_before,
                    "state_after": event.state_after,
                    "hash": event.hash,
                    "deadlines": event.data["deadlines"],
                    "documents": event.data.get("documents", []),
                }
            )
        else:
            detail = services.case_detail(svc, person(svc, as_user), ref)
            done = next(e for e in detail.events if e.seq == event.seq)
            typer.echo(f"{ref}：{done.action_label} 已完成，当前状态：{detail.header.state_label}")
            if done.details:  # what was recorded, the fee the notice asks for included
                typer.echo("  内容：" + fields_text(done.details))
            echo_lines(issued_lines(event.data))
            for d in detail.deadlines:
                typer.echo("  " + deadline_line(d))


@case_app.command("show")
def show(ref: str, as_user: AsReader, as_json: JsonFlag = False) -> None:
    """查看案件：基本信息、期限（含计算说明）、时间线与查看人可执行的动作。"""
    from govflow.presentation.cases import allowed_text, case_json, case_text
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        reader = person(svc, as_user)
        detail = services.case_detail(svc, reader, ref)
        if as_json:
            echo_json(case_json(detail))
            return
        note = clock_note(svc)
        echo_lines([note, *case_text(detail)] if note else case_text(detail))
        typer.echo("\n" + allowed_text(detail, reader.name))


@case_app.command("list")
def list_cases(
    as_user: AsReader,
    case_type: Annotated[
        str | None, typer.Option("--type", help="案件类型（默认全部类型）")
    ] = None,
    agency: Annotated[
        str | None, typer.Option(help="机关代码（默认查看人可查看的全部机关）")
    ] = None,
    include_children: Annotated[
        bool, typer.Option("--include-children", help="连同下级机关")
    ] = False,
    state: Annotated[list[str] | None, typer.Option("--state", help="只列此状态，可重复")] = None,
    all_: Annotated[bool, typer.Option("--all", help="含已办结的案件")] = False,
    assignee: Annotated[str | None, typer.Option(help="经办人用户名")] = None,
    search: Annotated[str | None, typer.Option(help="编号中含此文字")] = None,
    text: Annotated[str | None, typer.Option(help="申请内容、标题或申请人中含此文字")] = None,
    channel: Annotated[str | None, typer.Option(help="渠道代码（如 online、post）")] = None,
    closed_from: Annotated[str | None, typer.Option(help="办结日不早于（YYYY-MM-DD）")] = None,
    closed_to: Annotated[str | None, typer.Option(help="办结日不晚于（YYYY-MM-DD）")] = None,
    limit: Annotated[int, typer.Option(help="每页条数")] = 50,
    after: Annotated[str | None, typer.Option(help="从上一页给出的位置继续")] = None,
    as_json: JsonFlag = False,
) -> None:
    """列出案件（默认未办结的），剩余时间最少的在前；分页。"""
    from govflow.presentation.cases import page_json, page_lines
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        filters = services.CaseFilter(
            case_type=case_type,
            agency=agency,
            include_children=include_children,
            states=frozenset(state or ()),
            open_only=not all_,
            assignee=assignee,
            ref_contains=search,
            text=text,
            channel=channel,
            closed_from=parse_date("--closed-from", closed_from),
            closed_to=parse_date("--closed-to", closed_to),
        )
        page = services.list_cases(svc, person(svc, as_user), filters, after=after, limit=limit)
        if as_json:
            echo_json(page_json(page))
        else:
            echo_lines(page_lines(page))


@calendar_app.command("recompute")
def recompute(
    all_: Annotated[
        bool, typer.Option("--all", help="重新计算所有未届满的期限（不只是临时期限）")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """按数据库中在用的日历，重新计算所有临时期限（--all：所有未届满的期限），并在各案件记录变更事件。"""
    from govflow.cli.calendars import progress
    from govflow.workflow import services

    with user_errors():
        svc = build_services()
        if all_:
            changed = services.recompute_open_deadlines(svc, progress=progress)
        else:
            changed = services.recompute_deadlines(svc, progress=progress)
        if as_json:
            echo_json([{"ref": ref, "changes": changes} for ref, changes in changed])
            return
        from govflow.presentation.calendar import change_lines

        echo_lines(change_lines(changed))
        typer.echo(f"已重新计算，{len(changed)} 件案件的期限有变化。")


@app.command()
def demo(
    keep: Annotated[Path | None, typer.Option(help="保留演示数据库到此文件")] = None,
    force: Force = False,
    web: Annotated[
        bool, typer.Option("--web", help="把演示数据写入本机数据库，设置演示用户密码并启动网页")
    ] = False,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="--web：填充后启动单机运行（govflow run）")
    ] = True,
    port: Annotated[int, typer.Option(help="--web：网页端口", min=1, max=65535)] = 8000,
) -> None:
    """演示：在临时 SQLite 数据库上，随时间推移办理多件申请（--web：写入本机数据库并打开网页）。"""
    if web:
        _demo_web(serve, port)
        return
    from govflow.demo import run_demo

    with user_errors():
        run_demo(keep, force=force)


def _demo_web(serve: bool, port: int) -> None:
    """Fill the installation's database, print the passwords, then run like ``govflow run``."""
    from govflow.demo.web import fill_for_web

    with user_errors():
        done = fill_for_web()
    if done.passwords:
        typer.echo("演示用户的一次性密码（仅显示这一次；首次登录后必须修改）：")
        for username, name, password in done.passwords:
            typer.echo(f"  {username}（{name}）：{password}")
    else:
        typer.echo("演示用户均已设置自己的密码，未重设。")
    typer.echo(f"工作台：http://127.0.0.1:{port}/login")
    if serve:
        workers.run(port=port)  # the same start-up as ``govflow run``, not a copy of it


def main() -> None:
    """Every failure ends as one ``错误：`` line and a documented exit code, never a traceback."""
    guard_standard_streams()
    try:
        check_arguments(sys.argv[1:])
    except typer.Exit as done:
        sys.exit(done.exit_code)
    from govflow.cli.usage import run

    try:
        code = run(app, sys.argv[1:])  # usage errors printed in Chinese, exit code 2
    except GovflowError as exc:  # raised outside a command's own error handling
        typer.echo(f"错误：{exc}", err=True)
        raise SystemExit(exit_code(exc)) from None
    except Exception as exc:
        from govflow.app import database_problem

        message = database_problem(exc)
        if message is None:
            internal_error(exc)
        typer.echo(f"错误：{message}", err=True)
        raise SystemExit(2) from None
    raise SystemExit(code)


__all__ = ["app", "main"]
